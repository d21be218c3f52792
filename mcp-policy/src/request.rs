//! What a host asks: who, doing what, to which server and tool, when, and with what usage so far.
//!
//! Everything is plain owned data passed in by the caller; the evaluator reads no clock, file or
//! environment.

use std::collections::BTreeMap;
use std::fmt;
use std::net::IpAddr;
use std::sync::OnceLock;

use mcp_registry_types::TransportType;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::url::Target;

/// One question for the policy: may this principal perform this action on this server (and tool)?
#[non_exhaustive]
#[derive(Clone, Debug, Deserialize, JsonSchema, PartialEq, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Request {
    /// Who is asking.
    pub principal: Principal,
    /// What they want to do.
    pub action: Action,
    /// Facts about the server.
    pub server: ServerFacts,
    /// The tool, for tool-level actions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool: Option<ToolFacts>,
    /// The configuration scope the server came from, in the host's vocabulary (`managed`,
    /// `project`, `user`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// The current time in seconds since the Unix epoch, supplied by the caller.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time: Option<u64>,
    /// Usage counters kept by the caller, by counter name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub usage: BTreeMap<String, Usage>,
    /// The remote endpoint the host is about to use. When set, URL conditions judge this remote
    /// alone; when absent, a server is allowed only if every one of its remotes is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remote: Option<RemoteFacts>,
    /// The addresses DNS returned for the remote's host name, as the caller resolved them just
    /// before connecting. `privateNetwork` checks every one, which is the defence against DNS
    /// rebinding: a public name that resolves to a private address is judged by the address.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(with = "Vec<String>")]
    pub resolved_addresses: Vec<IpAddr>,
}

impl Request {
    /// A request with no tool, scope, time or usage.
    pub fn new(principal: Principal, action: Action, server: ServerFacts) -> Self {
        Self {
            principal,
            action,
            server,
            tool: None,
            scope: None,
            time: None,
            usage: BTreeMap::new(),
            remote: None,
            resolved_addresses: Vec::new(),
        }
    }

    /// Names the remote endpoint the host is about to use.
    pub fn with_remote_in_use(mut self, remote: RemoteFacts) -> Self {
        self.remote = Some(remote);
        self
    }

    /// Adds an address the remote's host name resolved to.
    pub fn with_resolved_address(mut self, address: IpAddr) -> Self {
        self.resolved_addresses.push(address);
        self
    }

    /// Sets the tool.
    pub fn with_tool(mut self, tool: ToolFacts) -> Self {
        self.tool = Some(tool);
        self
    }

    /// Sets the configuration scope the server came from.
    pub fn with_scope(mut self, scope: impl Into<String>) -> Self {
        self.scope = Some(scope.into());
        self
    }

    /// Sets the current time, in seconds since the Unix epoch.
    pub fn with_time(mut self, unix_seconds: u64) -> Self {
        self.time = Some(unix_seconds);
        self
    }

    /// Adds a usage counter.
    pub fn with_usage(mut self, counter: impl Into<String>, usage: Usage) -> Self {
        self.usage.insert(counter.into(), usage);
        self
    }

    /// Parses a request from JSON.
    ///
    /// # Errors
    ///
    /// Returns a diagnostic with the JSON path of the first problem.
    pub fn from_json(bytes: &[u8]) -> Result<Self, crate::PolicyError> {
        crate::diagnostic::parse_json(bytes)
    }
}

/// The person or agent on whose behalf the host acts.
#[non_exhaustive]
#[derive(Clone, Debug, Default, Deserialize, JsonSchema, PartialEq, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Principal {
    /// A stable user or agent identifier.
    pub id: String,
    /// Directory groups; a policy maps them to roles.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<String>,
    /// Roles held directly.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<String>,
    /// The tenant the principal belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant: Option<String>,
    /// Free attributes (`department`, `clearance`, ...).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub attributes: BTreeMap<String, String>,
}

impl Principal {
    /// A principal with only an identifier.
    pub fn new(id: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            ..Self::default()
        }
    }

    /// Adds a group.
    pub fn with_group(mut self, group: impl Into<String>) -> Self {
        self.groups.push(group.into());
        self
    }

    /// Adds a role.
    pub fn with_role(mut self, role: impl Into<String>) -> Self {
        self.roles.push(role.into());
        self
    }

    /// Sets the tenant.
    pub fn with_tenant(mut self, tenant: impl Into<String>) -> Self {
        self.tenant = Some(tenant.into());
        self
    }

    /// Adds an attribute.
    pub fn with_attribute(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.attributes.insert(key.into(), value.into());
        self
    }
}

/// What the principal wants to do.
#[non_exhaustive]
#[derive(
    Clone, Copy, Debug, Deserialize, Eq, Hash, JsonSchema, Ord, PartialEq, PartialOrd, Serialize,
)]
#[serde(rename_all = "camelCase")]
pub enum Action {
    /// See the server in a catalog or search result.
    Discover,
    /// Install the server or connect to it.
    #[serde(alias = "install")]
    Connect,
    /// List the server's tools.
    ListTools,
    /// Call one tool.
    CallTool,
    /// Read a resource.
    ReadResource,
    /// Get a prompt.
    GetPrompt,
}

impl Action {
    /// Every action, in declaration order.
    pub const ALL: [Self; 6] = [
        Self::Discover,
        Self::Connect,
        Self::ListTools,
        Self::CallTool,
        Self::ReadResource,
        Self::GetPrompt,
    ];

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Discover => "discover",
            Self::Connect => "connect",
            Self::ListTools => "listTools",
            Self::CallTool => "callTool",
            Self::ReadResource => "readResource",
            Self::GetPrompt => "getPrompt",
        }
    }

    pub(crate) fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `http`, the word hosts' configuration files use for streamable HTTP, as the registry's
/// [`TransportType::StreamableHttp`]; every other value unchanged.
pub(crate) fn host_transport(transport: TransportType) -> TransportType {
    match transport {
        TransportType::Unknown(word) if word == "http" => TransportType::StreamableHttp,
        other => other,
    }
}

/// Serde readers for transports in policies and requests, which accept hosts' `http` (see
/// [`host_transport`]). They write the registry's word back.
pub(crate) mod transport_serde {
    use mcp_registry_types::TransportType;
    use serde::{Deserialize, Deserializer};

    use super::host_transport;

    /// One transport.
    pub(crate) fn one<'de, D: Deserializer<'de>>(d: D) -> Result<TransportType, D::Error> {
        TransportType::deserialize(d).map(host_transport)
    }

    /// An optional transport.
    pub(crate) fn option<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<TransportType>, D::Error> {
        Option::<TransportType>::deserialize(d).map(|t| t.map(host_transport))
    }

    /// An optional list of transports.
    pub(crate) fn list<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<Vec<TransportType>>, D::Error> {
        let list = Option::<Vec<TransportType>>::deserialize(d)?;
        Ok(list.map(|l| l.into_iter().map(host_transport).collect()))
    }
}

/// Facts about a server, as plain data. Build them from registry values or from a host's own
/// configuration.
#[non_exhaustive]
#[derive(Clone, Debug, Default, Deserialize, JsonSchema, PartialEq, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ServerFacts {
    /// The registry name, `namespace/name` (for example `io.github.acme/weather`).
    pub name: String,
    /// The name the host's configuration gives the server (the label in `claude mcp add NAME`);
    /// matchers on the label fall back to `name` when it is absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// The server version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// The registry status (`active`, `deprecated`, `deleted`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// The base URL of the registry the entry came from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registry: Option<String>,
    /// Installable packages.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub packages: Vec<PackageFacts>,
    /// Remote endpoints.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub remotes: Vec<RemoteFacts>,
    /// The command and arguments the host runs for a stdio server, as configured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command: Option<Vec<String>>,
    /// The environment the host sets for a stdio server, as configured (values may hold
    /// `${VAR}` references the host expands).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub env: BTreeMap<String, String>,
    /// The HTTP headers the host sends to a remote server, as configured.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub headers: BTreeMap<String, String>,
    /// Whether validation of the entry found no errors. Absent means not known to be clean.
    /// Facts read from registry values ([`ServerFacts::from_server_json`]) leave it `false`
    /// until the caller records a validation result ([`ServerFacts::with_validation_clean`]).
    #[serde(default)]
    pub validation_clean: bool,
}

impl ServerFacts {
    /// Facts with only a registry name.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            ..Self::default()
        }
    }

    /// Sets the host's label for the server.
    pub fn with_label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    /// Sets the version.
    pub fn with_version(mut self, version: impl Into<String>) -> Self {
        self.version = Some(version.into());
        self
    }

    /// Sets the registry status.
    pub fn with_status(mut self, status: impl Into<String>) -> Self {
        self.status = Some(status.into());
        self
    }

    /// Sets the registry the entry came from.
    pub fn with_registry(mut self, base_url: impl Into<String>) -> Self {
        self.registry = Some(base_url.into());
        self
    }

    /// Adds a package.
    pub fn with_package(mut self, package: PackageFacts) -> Self {
        self.packages.push(package);
        self
    }

    /// Adds a remote endpoint.
    pub fn with_remote(mut self, remote: RemoteFacts) -> Self {
        self.remotes.push(remote);
        self
    }

    /// Sets the stdio command line, program first.
    pub fn with_command<I, S>(mut self, argv: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.command = Some(argv.into_iter().map(Into::into).collect());
        self
    }

    /// Adds an environment variable the host sets for a stdio server.
    pub fn with_env(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.env.insert(name.into(), value.into());
        self
    }

    /// Adds an HTTP header the host sends to a remote server.
    pub fn with_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.insert(name.into(), value.into());
        self
    }

    /// Whether the configuration the host will expand holds an environment variable reference
    /// (`${VAR}`, `${VAR:-default}` or `$VAR`) in its command, arguments, `env` values, remote
    /// URLs or header values. What such a server runs depends on the environment of the machine,
    /// not on what an administrator reviewed.
    pub fn has_variable_reference(&self) -> bool {
        let command = self.command.iter().flatten();
        let env = self.env.values();
        let headers = self.headers.values();
        let urls = self.remotes.iter().map(|r| &r.url);
        command
            .chain(env)
            .chain(headers)
            .chain(urls)
            .any(|text| has_variable_reference(text))
    }

    /// Records whether validation found no errors: `report.is_valid()` of the caller's
    /// `mcp_registry_types::validate` run.
    pub fn with_validation_clean(mut self, clean: bool) -> Self {
        self.validation_clean = clean;
        self
    }

    /// The namespace: the part of the name before the first `/`.
    pub fn namespace(&self) -> &str {
        self.name
            .split_once('/')
            .map_or(self.name.as_str(), |(ns, _)| ns)
    }

    /// The host's label, or the registry name.
    pub fn label_or_name(&self) -> &str {
        self.label.as_deref().unwrap_or(&self.name)
    }

    /// Whether the host runs the server as a local process.
    pub fn is_stdio(&self) -> bool {
        self.command.is_some()
            || self
                .packages
                .iter()
                .any(|p| p.transport.as_ref() == Some(&TransportType::Stdio))
    }

    /// Whether the server is reached over the network.
    pub fn is_remote(&self) -> bool {
        !self.remotes.is_empty()
    }

    /// Reads every remote URL now, as a client reads it, so that the decisions that use these
    /// facts (and their clones) do not read them again. Build facts once per server and share
    /// them; a decision reads a URL itself only the first time, or after `url` changed.
    pub fn prepared(self) -> Self {
        for remote in &self.remotes {
            let _ = remote.target();
        }
        self
    }

    /// Whether every package pins an exact version, and MCPB packages carry a `fileSha256`.
    pub fn is_pinned(&self) -> bool {
        self.packages.iter().all(PackageFacts::is_pinned)
    }
}

/// Whether `text` holds `${NAME...}` or `$NAME`, NAME starting with a letter or `_`.
pub(crate) fn has_variable_reference(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.iter().enumerate().any(|(i, &b)| {
        b == b'$'
            && match bytes.get(i + 1) {
                Some(b'{') => bytes
                    .get(i + 2)
                    .is_some_and(|c| c.is_ascii_alphabetic() || *c == b'_'),
                Some(c) => c.is_ascii_alphabetic() || *c == b'_',
                None => false,
            }
    })
}

/// One installable package of a server.
#[non_exhaustive]
#[derive(Clone, Debug, Default, Deserialize, JsonSchema, PartialEq, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PackageFacts {
    /// `npm`, `pypi`, `oci`, `nuget`, `mcpb`, ...
    pub registry_type: String,
    /// The package identifier in that registry.
    pub identifier: String,
    /// The package version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// The transport the package speaks. In JSON, hosts' `http` reads as
    /// [`TransportType::StreamableHttp`].
    #[serde(
        default,
        deserialize_with = "transport_serde::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub transport: Option<TransportType>,
    /// Whether the entry carries a `fileSha256` for the package file.
    #[serde(default)]
    pub has_file_sha256: bool,
}

impl PackageFacts {
    /// A package with a registry type and identifier.
    pub fn new(registry_type: impl Into<String>, identifier: impl Into<String>) -> Self {
        Self {
            registry_type: registry_type.into(),
            identifier: identifier.into(),
            ..Self::default()
        }
    }

    /// Sets the version.
    pub fn with_version(mut self, version: impl Into<String>) -> Self {
        self.version = Some(version.into());
        self
    }

    /// Sets the transport.
    pub fn with_transport(mut self, transport: TransportType) -> Self {
        self.transport = Some(transport);
        self
    }

    /// Records whether a `fileSha256` is present.
    pub fn with_file_sha256(mut self, present: bool) -> Self {
        self.has_file_sha256 = present;
        self
    }

    /// An exact semantic version, and a file hash for MCPB files.
    pub fn is_pinned(&self) -> bool {
        let exact = self
            .version
            .as_deref()
            .is_some_and(|v| semver::Version::parse(v).is_ok());
        exact && (self.registry_type != "mcpb" || self.has_file_sha256)
    }
}

/// One remote endpoint of a server.
#[non_exhaustive]
#[derive(Clone, Debug, Deserialize, JsonSchema, PartialEq, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RemoteFacts {
    /// The transport. In JSON, hosts' `http` reads as [`TransportType::StreamableHttp`].
    #[serde(rename = "type", deserialize_with = "transport_serde::one")]
    pub transport: TransportType,
    /// The endpoint URL.
    pub url: String,
    /// The URL as a client reads it, kept from the first decision that needed it.
    #[serde(skip)]
    #[schemars(skip)]
    read: ReadOnce,
}

impl RemoteFacts {
    /// A remote endpoint.
    pub fn new(transport: TransportType, url: impl Into<String>) -> Self {
        Self {
            transport,
            url: url.into(),
            read: ReadOnce::default(),
        }
    }

    /// The URL as a client reads it: read once, then reused while `url` is unchanged.
    pub(crate) fn target(&self) -> Option<&Target> {
        let (raw, target) = self
            .read
            .0
            .get_or_init(|| (self.url.as_str().into(), Target::read(&self.url)));
        (**raw == *self.url).then_some(target)
    }
}

/// A [`RemoteFacts`]' URL reading, with the text it was read from. Facts compare, print and
/// serialize as if it were not there.
#[derive(Default)]
struct ReadOnce(OnceLock<(Box<str>, Target)>);

impl Clone for ReadOnce {
    fn clone(&self) -> Self {
        let copy = OnceLock::new();
        if let Some(read) = self.0.get() {
            let _ = copy.set(read.clone());
        }
        Self(copy)
    }
}

impl PartialEq for ReadOnce {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl fmt::Debug for ReadOnce {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.0.get().is_some() {
            "read"
        } else {
            "unread"
        })
    }
}

/// The tool a tool-level action concerns.
#[non_exhaustive]
#[derive(Clone, Debug, Default, Deserialize, JsonSchema, PartialEq, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ToolFacts {
    /// The tool name as the server lists it.
    pub name: String,
    /// Behaviour hints the server declared.
    #[serde(default)]
    pub annotations: ToolAnnotations,
    /// A digest of the tool definition (name, description, input schema), computed by the host.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digest: Option<String>,
}

impl ToolFacts {
    /// A tool with no annotations and no digest.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            ..Self::default()
        }
    }

    /// Sets the annotations.
    pub fn with_annotations(mut self, annotations: ToolAnnotations) -> Self {
        self.annotations = annotations;
        self
    }

    /// Sets the definition digest.
    pub fn with_digest(mut self, digest: impl Into<String>) -> Self {
        self.digest = Some(digest.into());
        self
    }
}

/// MCP tool annotations. Absent hints take the protocol's conservative defaults.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, Default, Deserialize, Eq, JsonSchema, PartialEq, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ToolAnnotations {
    /// The tool does not modify its environment. Default `false`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_only_hint: Option<bool>,
    /// The tool may perform destructive updates. Default `true`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destructive_hint: Option<bool>,
    /// Repeating a call has no additional effect. Default `false`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idempotent_hint: Option<bool>,
    /// The tool interacts with an open world of external entities. Default `true`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub open_world_hint: Option<bool>,
}

impl ToolAnnotations {
    /// Sets `readOnlyHint`.
    pub fn with_read_only(mut self, value: bool) -> Self {
        self.read_only_hint = Some(value);
        self
    }

    /// Sets `destructiveHint`.
    pub fn with_destructive(mut self, value: bool) -> Self {
        self.destructive_hint = Some(value);
        self
    }

    /// Sets `idempotentHint`.
    pub fn with_idempotent(mut self, value: bool) -> Self {
        self.idempotent_hint = Some(value);
        self
    }

    /// Sets `openWorldHint`.
    pub fn with_open_world(mut self, value: bool) -> Self {
        self.open_world_hint = Some(value);
        self
    }

    /// `readOnlyHint`, defaulting to `false`.
    pub fn read_only(&self) -> bool {
        self.read_only_hint.unwrap_or(false)
    }

    /// `destructiveHint`, defaulting to `true`. Meaningful only when the tool is not read-only.
    pub fn destructive(&self) -> bool {
        self.destructive_hint.unwrap_or(true)
    }

    /// `idempotentHint`, defaulting to `false`.
    pub fn idempotent(&self) -> bool {
        self.idempotent_hint.unwrap_or(false)
    }

    /// `openWorldHint`, defaulting to `true`.
    pub fn open_world(&self) -> bool {
        self.open_world_hint.unwrap_or(true)
    }
}

/// A usage counter kept by the caller.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, Default, Deserialize, Eq, JsonSchema, PartialEq, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Usage {
    /// Calls counted in the current window.
    pub count: u64,
    /// When the current window started, in seconds since the Unix epoch. Absent means the count
    /// belongs to the current window.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window_start: Option<u64>,
}

impl Usage {
    /// A count in the current window.
    pub fn new(count: u64) -> Self {
        Self {
            count,
            window_start: None,
        }
    }

    /// Sets when the window started.
    pub fn with_window_start(mut self, unix_seconds: u64) -> Self {
        self.window_start = Some(unix_seconds);
        self
    }
}
