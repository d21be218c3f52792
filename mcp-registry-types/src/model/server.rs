//! The `server.json` document: what a server is and how to install or reach it.

use crate::vocab::extra::Extra;
use crate::vocab::small_text::SmallText;
use serde_json::{Map, Value};

use crate::model::meta::Meta;
use crate::model::package::Package;
use crate::model::transport::Transport;
use crate::vocab::kinds::Status;
use crate::vocab::name::{NameError, ServerName};
use crate::vocab::registry::PUBLISHER_PROVIDED_META;

/// A `server.json` document (`ServerDetail` in the schema).
///
/// Parsing is lenient: any document whose JSON has the right shape parses, whatever rules it
/// breaks, so a host can show what a registry served. [`validate`](crate::validate()) finds the
/// rule violations; [`ServerJson::builder`] constructs documents that have none. Unknown fields
/// and every `_meta` namespace are kept verbatim, so `serialize(parse(x))` equals `x`.
///
/// Read documents with [`ServerJson::from_slice`], `str::parse`, or `serde_json` (from text or
/// from a `serde_json::Value`): `_meta` is kept as its JSON text until asked for, which other
/// serde formats cannot supply, so they refuse a document that has one. Writing works with any
/// format.
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use mcp_registry_types::ServerJson;
///
/// let doc: ServerJson = r#"{"name": "io.github.acme/weather", "description": "Forecasts",
///     "version": "1.0.0", "x-vendor": {"kept": true}}"#.parse()?;
/// assert_eq!(doc.name(), "io.github.acme/weather");
/// assert!(serde_json::to_string(&doc)?.contains("x-vendor"));
/// # Ok(())
/// # }
/// ```
#[non_exhaustive]
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ServerJson {
    pub(crate) schema: Option<SmallText>,
    pub(crate) name: Option<SmallText>,
    pub(crate) description: Option<SmallText>,
    pub(crate) title: Option<SmallText>,
    pub(crate) repository: Option<Repository>,
    pub(crate) version: Option<SmallText>,
    pub(crate) website_url: Option<SmallText>,
    pub(crate) website_url_snake: Option<SmallText>,
    pub(crate) icons: Option<Vec<Icon>>,
    pub(crate) packages: Option<Vec<Package>>,
    pub(crate) remotes: Option<Vec<Transport>>,
    /// Only the 2025-07-09 and 2025-09-16 schemas carried `status` in the document.
    pub(crate) status: Option<Status>,
    /// Kept as text until asked for (see `Meta`), and boxed: most documents have none, and a
    /// smaller struct is cheaper to move while parsing.
    pub(crate) meta: Option<Box<Meta>>,
    pub(crate) extra: Extra,
}

impl ServerJson {
    /// The `$schema` URL the document declares.
    pub fn schema(&self) -> Option<&str> {
        self.schema.as_deref()
    }

    /// The server name, `namespace/name` (empty when the document omits it).
    pub fn name(&self) -> &str {
        self.name.as_deref().unwrap_or_default()
    }

    /// The server name, checked.
    ///
    /// # Errors
    /// [`NameError`] when the name breaks the registry's rules.
    pub fn server_name(&self) -> Result<ServerName, NameError> {
        ServerName::new(self.name())
    }

    /// The one-line description (empty when the document omits it).
    pub fn description(&self) -> &str {
        self.description.as_deref().unwrap_or_default()
    }

    /// The display title.
    pub fn title(&self) -> Option<&str> {
        self.title.as_deref()
    }

    /// The version of this server (empty when the document omits it).
    pub fn version(&self) -> &str {
        self.version.as_deref().unwrap_or_default()
    }

    /// The source repository.
    pub fn repository(&self) -> Option<&Repository> {
        self.repository.as_ref()
    }

    /// The server's home page.
    pub fn website_url(&self) -> Option<&str> {
        self.website_url
            .as_deref()
            .or(self.website_url_snake.as_deref())
    }

    /// Icons for a user interface.
    pub fn icons(&self) -> &[Icon] {
        self.icons.as_deref().unwrap_or_default()
    }

    /// Ways to install and launch the server locally.
    pub fn packages(&self) -> &[Package] {
        self.packages.as_deref().unwrap_or_default()
    }

    /// Remote endpoints.
    pub fn remotes(&self) -> &[Transport] {
        self.remotes.as_deref().unwrap_or_default()
    }

    /// The status that pre-2025-09-29 documents carried inside `server.json`.
    pub fn legacy_status(&self) -> Option<&Status> {
        self.status.as_ref()
    }

    /// The `_meta` object, verbatim.
    ///
    /// Parsing a document keeps `_meta` as text; the first call parses it.
    pub fn meta(&self) -> Option<&Map<String, Value>> {
        self.meta.as_deref().map(Meta::map)
    }

    /// The publisher's own metadata (`_meta["io.modelcontextprotocol.registry/publisher-provided"]`).
    /// Untrusted.
    pub fn publisher_provided(&self) -> Option<&Map<String, Value>> {
        self.meta()?.get(PUBLISHER_PROVIDED_META)?.as_object()
    }

    /// Fields this crate does not know, kept verbatim.
    pub fn extra(&self) -> &Map<String, Value> {
        &self.extra
    }
}

/// Where the server's source lives (`Repository`).
#[non_exhaustive]
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Repository {
    pub(crate) url: Option<SmallText>,
    pub(crate) source: Option<SmallText>,
    pub(crate) id: Option<SmallText>,
    pub(crate) subfolder: Option<SmallText>,
    pub(crate) extra: Extra,
}

impl Repository {
    /// A repository at `url` on `source` (`github` or `gitlab`).
    pub fn new(source: impl Into<String>, url: impl Into<String>) -> Self {
        Self {
            url: Some(SmallText::from_string(url)),
            source: Some(SmallText::from_string(source)),
            ..Self::default()
        }
    }

    /// The repository URL.
    pub fn url(&self) -> Option<&str> {
        self.url.as_deref()
    }

    /// The forge (`github`, `gitlab`).
    pub fn source(&self) -> Option<&str> {
        self.source.as_deref()
    }

    /// The forge's stable repository id.
    pub fn id(&self) -> Option<&str> {
        self.id.as_deref()
    }

    /// The server's folder inside a monorepo.
    pub fn subfolder(&self) -> Option<&str> {
        self.subfolder.as_deref()
    }

    /// Whether the object carries nothing the registry looks at (`{}` appears in real data).
    pub fn is_empty(&self) -> bool {
        self.url().unwrap_or_default().is_empty() && self.source().unwrap_or_default().is_empty()
    }

    /// Sets the forge id.
    pub fn with_id(mut self, id: impl Into<String>) -> Self {
        self.id = Some(SmallText::from_string(id));
        self
    }

    /// Sets the subfolder.
    pub fn with_subfolder(mut self, subfolder: impl Into<String>) -> Self {
        self.subfolder = Some(SmallText::from_string(subfolder));
        self
    }
}

/// An icon for a user interface (`Icon`, schema 2025-10-11 and later).
#[non_exhaustive]
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Icon {
    pub(crate) src: Option<SmallText>,
    pub(crate) mime_type: Option<SmallText>,
    pub(crate) sizes: Option<Vec<SmallText>>,
    pub(crate) theme: Option<SmallText>,
    pub(crate) extra: Extra,
}

impl Icon {
    /// An icon at `src` (an `https` URL).
    pub fn new(src: impl Into<String>) -> Self {
        Self {
            src: Some(SmallText::from_string(src)),
            ..Self::default()
        }
    }

    /// The image URL.
    pub fn src(&self) -> &str {
        self.src.as_deref().unwrap_or_default()
    }

    /// The MIME type override.
    pub fn mime_type(&self) -> Option<&str> {
        self.mime_type.as_deref()
    }

    /// Sizes such as `48x48` or `any`.
    pub fn sizes(&self) -> impl ExactSizeIterator<Item = &str> + DoubleEndedIterator {
        let sizes: &[SmallText] = self.sizes.as_deref().unwrap_or_default();
        sizes.iter().map(SmallText::as_str)
    }

    /// `light` or `dark`.
    pub fn theme(&self) -> Option<&str> {
        self.theme.as_deref()
    }

    /// Sets the MIME type.
    pub fn with_mime_type(mut self, mime_type: impl Into<String>) -> Self {
        self.mime_type = Some(SmallText::from_string(mime_type));
        self
    }

    /// Adds a size.
    pub fn with_size(mut self, size: impl Into<String>) -> Self {
        self.sizes
            .get_or_insert_with(Vec::new)
            .push(SmallText::from_string(size));
        self
    }

    /// Sets the theme.
    pub fn with_theme(mut self, theme: impl Into<String>) -> Self {
        self.theme = Some(SmallText::from_string(theme));
        self
    }
}
