//! Filters over servers as the registry lists them: facts the registry API does not filter on.

use crate::model::response::{OfficialMeta, ServerResponse};
use crate::vocab::glob::{Glob, GlobError};
use crate::vocab::kinds::{RegistryType, Status, TransportType};

/// Which servers to keep. Every criterion set must hold (they combine with AND); several
/// registry types, transports or statuses combine with OR.
///
/// **Status default.** A new filter keeps `active` and `deprecated` versions and drops
/// `deleted` ones. Deleted rows are tombstones (spam, malware, takedowns) that only appear with
/// `include_deleted` or `updated_since`, and must never be offered for installation.
/// Deprecated versions still install and run, and hosts that pinned one must still find it;
/// they should show a warning instead. Call [`with_status`](Self::with_status) to choose, for
/// example `Status::Active` alone for a discovery UI, or [`with_any_status`](Self::with_any_status)
/// for a mirror that must apply tombstones.
///
/// A filter is a plain predicate: [`matches`](Self::matches) judges one [`ServerResponse`],
/// so it works on a page read by any means. `mcp-registry-client` applies one to its paging
/// stream (`ServerStream::filtered`).
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use mcp_registry_types::{RegistryType, ServerFilter, ServerResponse, TransportType};
///
/// let filter = ServerFilter::new()
///     .with_registry_type(RegistryType::Npm)
///     .with_transport(TransportType::Stdio)
///     .with_zero_config()
///     .with_latest_only()
///     .try_with_name_glob("io.github.*/weather*")?;
///
/// let response: ServerResponse = r#"{"server": {
///     "name": "io.github.acme/weather", "description": "Forecasts", "version": "1.0.0",
///     "packages": [{"registryType": "npm", "identifier": "@acme/weather", "version": "1.0.0",
///                   "transport": {"type": "stdio"}}]}}"#.parse()?;
/// assert!(filter.matches(&response));
/// assert!(!filter.try_with_name_glob("io.github.*/news")?.matches(&response));
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Debug, Eq, PartialEq)]
pub struct ServerFilter {
    shape: Option<Shape>,
    registry_types: Vec<RegistryType>,
    transports: Vec<TransportType>,
    statuses: Option<Vec<Status>>,
    latest_only: bool,
    zero_config: bool,
    name_glob: Option<Glob>,
}

#[derive(Clone, Copy, Debug, Eq, PartialEq)]
enum Shape {
    RemoteOnly,
    PackageOnly,
}

impl ServerFilter {
    /// Keeps every server that is not `deleted`.
    pub fn new() -> Self {
        Self {
            shape: None,
            registry_types: Vec::new(),
            transports: Vec::new(),
            statuses: None,
            latest_only: false,
            zero_config: false,
            name_glob: None,
        }
    }

    /// Only servers with remotes and no packages (nothing to install).
    pub fn with_remote_only(mut self) -> Self {
        self.shape = Some(Shape::RemoteOnly);
        self
    }

    /// Only servers with packages and no remotes.
    pub fn with_package_only(mut self) -> Self {
        self.shape = Some(Shape::PackageOnly);
        self
    }

    /// Only servers with a package of this registry type (repeat for "any of").
    pub fn with_registry_type(mut self, registry_type: RegistryType) -> Self {
        self.registry_types.push(registry_type);
        self
    }

    /// Only servers with a package transport or remote of this type (repeat for "any of").
    pub fn with_transport(mut self, transport: TransportType) -> Self {
        self.transports.push(transport);
        self
    }

    /// Only servers with this status (repeat for "any of"); replaces the default, which drops
    /// `deleted`. A server without official metadata counts as `active`.
    pub fn with_status(mut self, status: Status) -> Self {
        self.statuses.get_or_insert_with(Vec::new).push(status);
        self
    }

    /// Keeps every status, `deleted` included.
    pub fn with_any_status(mut self) -> Self {
        self.statuses = Some(Vec::new());
        self
    }

    /// Only each server's latest version. A server without official metadata (as sub-registries
    /// may serve) counts as latest, since there is nothing to say otherwise; to have the
    /// registry filter instead, ask it for latest versions only (`ListQuery::with_latest_only`
    /// in `mcp-registry-client`).
    pub fn with_latest_only(mut self) -> Self {
        self.latest_only = true;
        self
    }

    /// Only servers usable with no configuration: at least one package or remote with no
    /// required environment variable, argument, header or URL variable lacking a value or default.
    pub fn with_zero_config(mut self) -> Self {
        self.zero_config = true;
        self
    }

    /// Only servers whose name matches `glob`; replaces an earlier name glob.
    ///
    /// The dialect is the one [`glob`](crate::glob) describes, shared with `mcp-policy`: `*`
    /// matches any run of characters (`/` included), `?` exactly one character, `[a-z]` and
    /// `[!a-z]` one character in or not in a class, and `\` makes the next character literal.
    /// Names are case-sensitive, as in the registry.
    ///
    /// **Changed** when the filter moved here from `mcp-registry-client`, whose matcher was its
    /// own: `?` is the shared one, exactly one character (one `é` or `日`, never a byte), which
    /// is also what it matched there; `[` and `\` are now special, so a literal `[` or `\` in a
    /// name is written `\[` or `\\`; and a bad pattern is an error when it is compiled (see
    /// [`try_with_name_glob`](Self::try_with_name_glob)), where the old matcher read it as
    /// plain text.
    pub fn with_name_glob(mut self, glob: Glob) -> Self {
        self.name_glob = Some(glob);
        self
    }

    /// [`with_name_glob`](Self::with_name_glob) with `pattern` compiled here.
    ///
    /// # Errors
    ///
    /// [`GlobError`] when `pattern` is not a glob: an unclosed or empty class, a range out of
    /// order, or a trailing `\`.
    pub fn try_with_name_glob(self, pattern: &str) -> Result<Self, GlobError> {
        Ok(self.with_name_glob(Glob::new(pattern)?))
    }

    /// Whether `response` passes every criterion, taking the registry's `isLatest` flag for
    /// whether it is the latest version (a response without the official block counts as
    /// latest).
    pub fn matches(&self, response: &ServerResponse) -> bool {
        let latest = response.official().is_none_or(OfficialMeta::is_latest);
        self.matches_with_latest(response, latest)
    }

    /// Whether `response` passes every criterion, with whether it is the latest version
    /// decided by the caller: a catalog that judges latest itself, because the registry's
    /// flag goes stale in a delta sync, passes its own judgement here.
    pub fn matches_with_latest(&self, response: &ServerResponse, is_latest: bool) -> bool {
        let server = response.server();
        let packages = server.packages();
        let remotes = server.remotes();
        let status = response.status();
        let status_ok = match &self.statuses {
            None => status != Status::Deleted,
            Some(statuses) => statuses.is_empty() || statuses.contains(&status),
        };
        let shape_ok = match self.shape {
            None => true,
            Some(Shape::RemoteOnly) => !remotes.is_empty() && packages.is_empty(),
            Some(Shape::PackageOnly) => !packages.is_empty() && remotes.is_empty(),
        };
        let registry_ok = self.registry_types.is_empty()
            || packages.iter().any(|p| {
                p.registry_type()
                    .is_some_and(|t| self.registry_types.contains(t))
            });
        let transport_ok = self.transports.is_empty()
            || packages
                .iter()
                .filter_map(|p| p.transport())
                .chain(remotes)
                .any(|t| {
                    t.transport_type()
                        .is_some_and(|t| self.transports.contains(t))
                });
        let latest_ok = !self.latest_only || is_latest;
        let zero_config_ok = !self.zero_config
            || packages.iter().any(|p| !p.needs_configuration())
            || remotes.iter().any(|r| !r.needs_configuration());
        let name_ok = self
            .name_glob
            .as_ref()
            .is_none_or(|glob| glob.matches(server.name()));
        status_ok
            && shape_ok
            && registry_ok
            && transport_ok
            && latest_ok
            && zero_config_ok
            && name_ok
    }
}

impl Default for ServerFilter {
    fn default() -> Self {
        Self::new()
    }
}
