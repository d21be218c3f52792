//! What may enter a catalog: name globs and a filter hook.

use std::fmt;
use std::sync::Arc;

use mcp_registry_types::ServerResponse;
use mcp_registry_types::glob::Glob;

/// A filter hook: the source a version comes from, and the version.
type Hook = Arc<dyn Fn(&str, &ServerResponse) -> bool + Send + Sync>;

/// Decides which server versions enter a [`Catalog`](super::Catalog).
///
/// A version is admitted when its name matches one of the name globs (or no glob is given)
/// and the filter hook (if any) accepts it. The hook is how a policy decides discovery
/// without this crate depending on it:
///
/// ```
/// use mcp_registry_client::catalog::{Admission, Catalog};
/// use mcp_registry_client::types::glob::Glob;
///
/// let admission = Admission::new()
///     .with_name_glob(Glob::new("io.github.acme/*")?)
///     .with_filter(|_source, response| !response.server().remotes().is_empty());
/// let catalog = Catalog::new().with_admission(admission);
/// # Ok::<(), mcp_registry_client::types::glob::GlobError>(())
/// ```
#[derive(Clone, Default)]
pub struct Admission {
    names: Vec<Glob>,
    hook: Option<Hook>,
}

impl Admission {
    /// Admits everything.
    pub fn new() -> Self {
        Self::default()
    }

    /// Admits names matching `glob` (with the other globs given: any one of them).
    pub fn with_name_glob(mut self, glob: Glob) -> Self {
        self.names.push(glob);
        self
    }

    /// Admits only what `filter` accepts, given the source's name and the version.
    pub fn with_filter(
        mut self,
        filter: impl Fn(&str, &ServerResponse) -> bool + Send + Sync + 'static,
    ) -> Self {
        self.hook = Some(Arc::new(filter));
        self
    }

    /// Whether `response`, from `source`, may enter the catalog.
    pub fn admits(&self, source: &str, response: &ServerResponse) -> bool {
        let name = response.server().name();
        (self.names.is_empty() || self.names.iter().any(|glob| glob.matches(name)))
            && self.hook.as_ref().is_none_or(|hook| hook(source, response))
    }
}

impl fmt::Debug for Admission {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Admission")
            .field("names", &self.names)
            .field("hook", &self.hook.as_ref().map(|_| "<fn>"))
            .finish()
    }
}
