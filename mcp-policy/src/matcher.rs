//! Compiled conditions: each clause of a [`Match`] turned into a ready-to-run test, evaluated
//! with three values (holds, fails, cannot be evaluated).

use mcp_registry_types::TransportType;
use mcp_registry_types::glob::Glob;
use serde::Serialize;

use crate::diagnostic::{Diagnostic, did_you_mean};
use crate::document::{AnnotationMatch, Match, TimeWindow};
use crate::request::{Action, RemoteFacts, Request};
use crate::url::{Target, UrlPattern, is_private_ip, is_private_url};

/// A condition of a rule, named as in the policy document.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, Eq, Hash, Ord, PartialEq, PartialOrd, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Clause {
    /// `match.action`
    Action,
    /// `match.serverName`
    ServerName,
    /// `match.serverLabel`
    ServerLabel,
    /// `match.namespace`
    Namespace,
    /// `match.version`
    Version,
    /// `match.status`
    Status,
    /// `match.registry`
    Registry,
    /// `match.registryType`
    RegistryType,
    /// `match.packageIdentifier`
    PackageIdentifier,
    /// `match.transport`
    Transport,
    /// `match.remoteUrl`
    RemoteUrl,
    /// `match.command`
    Command,
    /// `match.tool`
    Tool,
    /// `match.toolAnnotations`
    ToolAnnotations,
    /// `match.toolDigest`
    ToolDigest,
    /// `match.users`
    Users,
    /// `match.groups`
    Groups,
    /// `match.roles`
    Roles,
    /// `match.tenant`
    Tenant,
    /// `match.scope`
    Scope,
    /// `match.attributes`
    Attributes,
    /// `match.validationClean`
    ValidationClean,
    /// `match.packagePinned`
    PackagePinned,
    /// `match.httpsOnly`
    HttpsOnly,
    /// `match.privateNetwork`
    PrivateNetwork,
    /// `match.variableReference`
    VariableReference,
    /// `match.time`
    Time,
    /// The rule's `anyOf` alternatives.
    AnyOf,
    /// The rule's `except` exceptions.
    Except,
    /// The rule's quota.
    Quota,
    /// The layer's `tenant`.
    LayerTenant,
}

impl Clause {
    /// The name used in documents and audit records.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Action => "action",
            Self::ServerName => "serverName",
            Self::ServerLabel => "serverLabel",
            Self::Namespace => "namespace",
            Self::Version => "version",
            Self::Status => "status",
            Self::Registry => "registry",
            Self::RegistryType => "registryType",
            Self::PackageIdentifier => "packageIdentifier",
            Self::Transport => "transport",
            Self::RemoteUrl => "remoteUrl",
            Self::Command => "command",
            Self::Tool => "tool",
            Self::ToolAnnotations => "toolAnnotations",
            Self::ToolDigest => "toolDigest",
            Self::Users => "users",
            Self::Groups => "groups",
            Self::Roles => "roles",
            Self::Tenant | Self::LayerTenant => "tenant",
            Self::Scope => "scope",
            Self::Attributes => "attributes",
            Self::ValidationClean => "validationClean",
            Self::PackagePinned => "packagePinned",
            Self::HttpsOnly => "httpsOnly",
            Self::PrivateNetwork => "privateNetwork",
            Self::VariableReference => "variableReference",
            Self::Time => "time",
            Self::AnyOf => "anyOf",
            Self::Except => "except",
            Self::Quota => "quota",
        }
    }
}

impl std::fmt::Display for Clause {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The result of testing conditions against a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Truth {
    Holds,
    Fails(Clause),
    Unknown(Clause, String),
}

/// What a request looks like to the matchers, computed once per evaluation.
///
/// URL conditions see one remote at a time: the one the request names as in use, or each of the
/// server's remotes in turn (the evaluator takes the strictest decision), so that a server is
/// only allowed when every remote a host might use is.
pub(crate) struct Context<'r> {
    pub(crate) request: &'r Request,
    /// Effective roles (direct, through groups, inherited) as a bit set over the role table.
    roles: RoleSet,
    /// The remote in view, if any.
    remote: Option<&'r RemoteFacts>,
    /// The remote read as a client reads it, on first use.
    target: std::cell::OnceCell<Option<Held<'r>>>,
    /// The server's registry URL as compared, on first use: read once for every rule that asks.
    registry: std::cell::OnceCell<Option<Result<String, String>>>,
}

/// A remote's reading: the one its facts keep, or one made for this decision when the facts'
/// URL changed after they kept theirs.
enum Held<'r> {
    Kept(&'r Target),
    Fresh(Target),
}

impl<'r> Context<'r> {
    pub(crate) fn new(
        request: &'r Request,
        roles: RoleSet,
        remote: Option<&'r RemoteFacts>,
    ) -> Self {
        Self {
            request,
            roles,
            remote,
            target: std::cell::OnceCell::new(),
            registry: std::cell::OnceCell::new(),
        }
    }

    /// The remote in view.
    pub(crate) fn remote(&self) -> Option<&'r RemoteFacts> {
        self.remote
    }

    /// The remote in view, read as a client reads it.
    pub(crate) fn target(&self) -> Option<&Target> {
        let held = self.target.get_or_init(|| {
            self.remote.map(|r| match r.target() {
                Some(read) => Held::Kept(read),
                None => Held::Fresh(Target::read(&r.url)),
            })
        });
        match held.as_ref()? {
            Held::Kept(read) => Some(read),
            Held::Fresh(read) => Some(read),
        }
    }

    /// The server's registry URL as [`registry_key`] gives it.
    fn registry(&self) -> Option<&Result<String, String>> {
        self.registry
            .get_or_init(|| self.request.server.registry.as_deref().map(registry_key))
            .as_ref()
    }

    fn has_role(&self, role: u32) -> bool {
        self.roles.contains(role)
    }
}

/// Roles by name, with their inheritance closures.
#[derive(Debug, Default)]
pub(crate) struct RoleTable {
    pub(crate) index: crate::compile::FastMap<u32>,
    /// For each role, the set of roles it holds (itself and everything it inherits).
    pub(crate) closure: Vec<Vec<u64>>,
    /// The same closures as lists of role ids; kept only for tables too large for an inline bit
    /// set, the only ones that read them.
    pub(crate) members: Vec<Box<[u32]>>,
    /// Group name to roles.
    pub(crate) groups: crate::compile::FastMap<Vec<u32>>,
}

/// How many role ids a principal's effective set keeps inline in a large role table.
const FEW: usize = 8;

/// A principal's effective roles, kept without allocating in the common cases: a bit set inline
/// for tables of up to 128 roles, and for larger tables a short list of ids when the principal
/// holds few roles (thousands of roles, a handful each). Otherwise a bit set on the heap.
#[derive(Clone)]
pub(crate) enum RoleSet {
    Inline([u64; 2]),
    Few { ids: [u32; FEW], len: usize },
    Heap(Vec<u64>),
}

impl RoleSet {
    fn contains(&self, role: u32) -> bool {
        let bits = |words: &[u64]| {
            words
                .get((role / 64) as usize)
                .is_some_and(|w| w & (1 << (role % 64)) != 0)
        };
        match self {
            Self::Inline(words) => bits(words),
            Self::Heap(words) => bits(words),
            Self::Few { ids, len } => ids.get(..*len).unwrap_or_default().contains(&role),
        }
    }
}

impl RoleTable {
    /// The role ids a principal names directly or through groups.
    fn granted<'a>(&'a self, request: &'a Request) -> impl Iterator<Item = u32> + 'a {
        let direct = request
            .principal
            .roles
            .iter()
            .filter_map(|role| self.index.get(role).copied());
        let grouped = request.principal.groups.iter().flat_map(|group| {
            self.groups
                .get(group)
                .map(Vec::as_slice)
                .unwrap_or_default()
                .iter()
                .copied()
        });
        direct.chain(grouped)
    }

    pub(crate) fn effective(&self, request: &Request) -> RoleSet {
        let words = self.index.len().div_ceil(64);
        if words <= 2 {
            let mut inline = [0; 2];
            self.fill(request, &mut inline);
            return RoleSet::Inline(inline);
        }
        self.few(request).unwrap_or_else(|| {
            let mut heap = vec![0; words];
            self.fill(request, &mut heap);
            RoleSet::Heap(heap)
        })
    }

    /// ORs the closure of every granted role into `words`.
    fn fill(&self, request: &Request, words: &mut [u64]) {
        for role in self.granted(request) {
            if let Some(closure) = self.closure.get(role as usize) {
                for (word, bits) in words.iter_mut().zip(closure) {
                    *word |= bits;
                }
            }
        }
    }

    /// The effective roles as a short list, when they number at most [`FEW`].
    fn few(&self, request: &Request) -> Option<RoleSet> {
        let mut ids = [0u32; FEW];
        let mut len = 0;
        for role in self.granted(request) {
            for &member in self.members.get(role as usize).map_or(&[][..], |m| m) {
                let held = ids.get(..len).unwrap_or_default();
                if !held.contains(&member) {
                    *ids.get_mut(len)? = member;
                    len += 1;
                }
            }
        }
        Some(RoleSet::Few { ids, len })
    }
}

/// A compiled [`Match`].
#[derive(Clone, Debug, Default)]
pub(crate) struct CompiledMatch {
    pub(crate) actions: Option<u8>,
    pub(crate) server_name: Option<Vec<Glob>>,
    pub(crate) server_label: Option<Vec<Glob>>,
    pub(crate) namespace: Option<Vec<Glob>>,
    pub(crate) version: Option<(String, semver::VersionReq)>,
    pub(crate) status: Option<Vec<String>>,
    pub(crate) registry: Option<Vec<String>>,
    pub(crate) registry_type: Option<Vec<String>>,
    pub(crate) package_identifier: Option<Vec<Glob>>,
    pub(crate) transport: Option<Vec<TransportType>>,
    pub(crate) remote_url: Option<Vec<UrlPattern>>,
    pub(crate) command: Option<Vec<Vec<String>>>,
    pub(crate) tool: Option<Vec<Glob>>,
    pub(crate) annotations: Option<AnnotationMatch>,
    pub(crate) tool_digest: Option<Vec<String>>,
    pub(crate) users: Option<Vec<String>>,
    pub(crate) groups: Option<Vec<String>>,
    pub(crate) roles: Option<Vec<u32>>,
    pub(crate) tenant: Option<Vec<String>>,
    pub(crate) scope: Option<Vec<String>>,
    pub(crate) attributes: Option<Vec<(String, Vec<String>)>>,
    pub(crate) validation_clean: Option<bool>,
    pub(crate) package_pinned: Option<bool>,
    pub(crate) https_only: Option<bool>,
    pub(crate) private_network: Option<bool>,
    pub(crate) variable_reference: Option<bool>,
    pub(crate) time: Option<TimeWindow>,
    /// The clauses present, in evaluation order, for audit records.
    pub(crate) clauses: Vec<Clause>,
}

/// A registry base URL as compared: read as a client reads it (so case, default ports, dot
/// segments and the like do not tell two spellings of one registry apart), without trailing
/// slashes, query or fragment.
fn registry_key(url: &str) -> Result<String, String> {
    let read = mcp_registry_types::client_url::ClientUrl::parse(url).map_err(|why| {
        format!(
            "registry url `{}` cannot be judged: {why}",
            url.escape_debug()
        )
    })?;
    let port = read.port().map_or_else(String::new, |p| format!(":{p}"));
    Ok(format!(
        "{}://{}{port}{}",
        read.scheme(),
        read.host(),
        read.as_url().path().trim_end_matches('/')
    ))
}

/// Compiles `m`, located at `path`, pushing every problem to `diagnostics`.
#[expect(
    clippy::too_many_lines,
    reason = "one clause after another, as in the document"
)]
pub(crate) fn compile_match(
    m: &Match,
    path: &str,
    roles: &crate::compile::FastMap<u32>,
    diagnostics: &mut Vec<Diagnostic>,
) -> CompiledMatch {
    let mut out = CompiledMatch::default();
    let globs = |list: &Option<Vec<String>>, clause: Clause, diagnostics: &mut Vec<Diagnostic>| {
        list.as_ref().map(|patterns| {
            patterns
                .iter()
                .filter_map(|p| match Glob::new(p) {
                    Ok(g) => Some(g),
                    Err(err) => {
                        // The message names the pattern: "invalid glob `[a`: ...".
                        diagnostics.push(Diagnostic::error(
                            format!("{path}/{clause}"),
                            err.to_string(),
                        ));
                        None
                    }
                })
                .collect::<Vec<_>>()
        })
    };
    out.actions = m
        .action
        .as_ref()
        .map(|a| a.iter().fold(0u8, |bits, a| bits | a.bit()));
    out.server_name = globs(&m.server_name, Clause::ServerName, diagnostics);
    out.server_label = globs(&m.server_label, Clause::ServerLabel, diagnostics);
    out.namespace = globs(&m.namespace, Clause::Namespace, diagnostics);
    out.package_identifier = globs(
        &m.package_identifier,
        Clause::PackageIdentifier,
        diagnostics,
    );
    out.tool = globs(&m.tool, Clause::Tool, diagnostics);
    if let Some(req) = &m.version {
        match semver::VersionReq::parse(req) {
            Ok(parsed) => out.version = Some((req.clone(), parsed)),
            Err(err) => diagnostics.push(Diagnostic::error(
                format!("{path}/version"),
                format!("invalid version requirement `{req}`: {err}"),
            )),
        }
    }
    out.status.clone_from(&m.status);
    out.registry = m.registry.as_ref().map(|registries| {
        registries
            .iter()
            .filter_map(|u| match registry_key(u) {
                Ok(key) => Some(key),
                Err(why) => {
                    diagnostics.push(Diagnostic::error(format!("{path}/registry"), why));
                    None
                }
            })
            .collect()
    });
    out.registry_type.clone_from(&m.registry_type);
    if let Some(transports) = &m.transport {
        for t in transports {
            if let TransportType::Unknown(other) = t {
                let known = ["stdio", "streamable-http", "sse"];
                let hint = did_you_mean(other, known)
                    .map_or_else(String::new, |best| format!(", did you mean `{best}`"));
                diagnostics.push(Diagnostic::error(
                    format!("{path}/transport"),
                    format!("unknown transport `{other}`{hint}"),
                ));
            }
        }
        out.transport = Some(transports.clone());
    }
    out.remote_url = m.remote_url.as_ref().map(|patterns| {
        patterns
            .iter()
            .filter_map(|p| match UrlPattern::new(p) {
                Ok(u) => Some(u),
                Err(err) => {
                    diagnostics.push(Diagnostic::error(
                        format!("{path}/remoteUrl"),
                        format!("invalid url pattern `{p}`: {err}"),
                    ));
                    None
                }
            })
            .collect()
    });
    if let Some(commands) = &m.command {
        if commands.iter().any(Vec::is_empty) {
            diagnostics.push(Diagnostic::error(
                format!("{path}/command"),
                "a command line needs at least the program",
            ));
        }
        out.command = Some(commands.clone());
    }
    out.annotations = m.tool_annotations;
    out.tool_digest.clone_from(&m.tool_digest);
    out.users.clone_from(&m.users);
    out.groups.clone_from(&m.groups);
    if let Some(names) = &m.roles {
        let mut ids = Vec::new();
        for name in names {
            match roles.get(name) {
                Some(&id) => ids.push(id),
                None => diagnostics.push(unknown_role(&format!("{path}/roles"), name, roles)),
            }
        }
        out.roles = Some(ids);
    }
    out.tenant.clone_from(&m.tenant);
    out.scope.clone_from(&m.scope);
    out.attributes = m
        .attributes
        .as_ref()
        .map(|a| a.iter().map(|(k, v)| (k.clone(), v.clone())).collect());
    out.validation_clean = m.validation_clean;
    out.package_pinned = m.package_pinned;
    out.https_only = m.https_only;
    out.private_network = m.private_network;
    out.variable_reference = m.variable_reference;
    out.time = m.time;
    out.clauses = present_clauses(m);
    out
}

pub(crate) fn unknown_role(
    path: &str,
    name: &str,
    roles: &crate::compile::FastMap<u32>,
) -> Diagnostic {
    let hint = did_you_mean(name, roles.keys().map(String::as_str))
        .map_or_else(String::new, |best| format!(", did you mean `{best}`"));
    Diagnostic::error(path, format!("unknown role `{name}`{hint}"))
}

fn present_clauses(m: &Match) -> Vec<Clause> {
    let flags = [
        (m.action.is_some(), Clause::Action),
        (m.server_name.is_some(), Clause::ServerName),
        (m.server_label.is_some(), Clause::ServerLabel),
        (m.namespace.is_some(), Clause::Namespace),
        (m.version.is_some(), Clause::Version),
        (m.status.is_some(), Clause::Status),
        (m.registry.is_some(), Clause::Registry),
        (m.registry_type.is_some(), Clause::RegistryType),
        (m.package_identifier.is_some(), Clause::PackageIdentifier),
        (m.transport.is_some(), Clause::Transport),
        (m.remote_url.is_some(), Clause::RemoteUrl),
        (m.command.is_some(), Clause::Command),
        (m.tool.is_some(), Clause::Tool),
        (m.tool_annotations.is_some(), Clause::ToolAnnotations),
        (m.tool_digest.is_some(), Clause::ToolDigest),
        (m.users.is_some(), Clause::Users),
        (m.groups.is_some(), Clause::Groups),
        (m.roles.is_some(), Clause::Roles),
        (m.tenant.is_some(), Clause::Tenant),
        (m.scope.is_some(), Clause::Scope),
        (m.attributes.is_some(), Clause::Attributes),
        (m.validation_clean.is_some(), Clause::ValidationClean),
        (m.package_pinned.is_some(), Clause::PackagePinned),
        (m.https_only.is_some(), Clause::HttpsOnly),
        (m.private_network.is_some(), Clause::PrivateNetwork),
        (m.variable_reference.is_some(), Clause::VariableReference),
        (m.time.is_some(), Clause::Time),
    ];
    flags
        .into_iter()
        .filter_map(|(present, c)| present.then_some(c))
        .collect()
}

fn any_glob(globs: &[Glob], text: &str) -> bool {
    globs.iter().any(|g| g.matches(text))
}

fn contains(list: &[String], value: Option<&str>) -> bool {
    value.is_some_and(|v| list.iter().any(|l| l == v))
}

impl CompiledMatch {
    /// Three-valued conjunction: a failing clause beats one that cannot be evaluated.
    #[expect(
        clippy::too_many_lines,
        reason = "one clause after another, in evaluation order"
    )]
    pub(crate) fn eval(&self, cx: &Context<'_>) -> Truth {
        let r = cx.request;
        let server = &r.server;
        let mut unknown: Option<(Clause, String)> = None;
        macro_rules! require {
            ($clause:expr, $holds:expr) => {
                if !$holds {
                    return Truth::Fails($clause);
                }
            };
        }
        if let Some(bits) = self.actions {
            require!(Clause::Action, bits & r.action.bit() != 0);
        }
        if let Some(g) = &self.server_name {
            require!(Clause::ServerName, any_glob(g, &server.name));
        }
        if let Some(g) = &self.server_label {
            require!(Clause::ServerLabel, any_glob(g, server.label_or_name()));
        }
        if let Some(g) = &self.namespace {
            require!(Clause::Namespace, any_glob(g, server.namespace()));
        }
        if let Some(list) = &self.status {
            require!(Clause::Status, contains(list, server.status.as_deref()));
        }
        if let Some(list) = &self.registry {
            match cx.registry() {
                None => require!(Clause::Registry, false),
                Some(Ok(actual)) => require!(Clause::Registry, contains(list, Some(actual))),
                Some(Err(why)) => {
                    unknown.get_or_insert((Clause::Registry, why.clone()));
                }
            }
        }
        if let Some(list) = &self.registry_type {
            require!(
                Clause::RegistryType,
                server
                    .packages
                    .iter()
                    .any(|p| list.contains(&p.registry_type))
            );
        }
        if let Some(g) = &self.package_identifier {
            require!(
                Clause::PackageIdentifier,
                server.packages.iter().any(|p| any_glob(g, &p.identifier))
            );
        }
        if let Some(list) = &self.transport {
            let holds = list.iter().any(|t| match t {
                TransportType::Stdio => server.is_stdio(),
                other => {
                    cx.remote().is_some_and(|rm| &rm.transport == other)
                        || server
                            .packages
                            .iter()
                            .any(|p| p.transport.as_ref() == Some(other))
                }
            });
            require!(Clause::Transport, holds);
        }
        if let Some(patterns) = &self.remote_url {
            match cx.target() {
                None => require!(Clause::RemoteUrl, false),
                Some(Target::Read(url)) => {
                    require!(Clause::RemoteUrl, patterns.iter().any(|p| p.is_match(url)));
                }
                Some(Target::Unreadable(why)) => {
                    unknown.get_or_insert((Clause::RemoteUrl, why.clone()));
                }
            }
        }
        if let Some(commands) = &self.command {
            require!(
                Clause::Command,
                server
                    .command
                    .as_ref()
                    .is_some_and(|argv| commands.contains(argv))
            );
        }
        if let Some(g) = &self.tool {
            require!(
                Clause::Tool,
                r.tool.as_ref().is_some_and(|t| any_glob(g, &t.name))
            );
        }
        if let Some(want) = &self.annotations {
            let holds = r.tool.as_ref().is_some_and(|t| {
                let a = &t.annotations;
                want.read_only.is_none_or(|v| v == a.read_only())
                    && want.destructive.is_none_or(|v| v == a.destructive())
                    && want.idempotent.is_none_or(|v| v == a.idempotent())
                    && want.open_world.is_none_or(|v| v == a.open_world())
            });
            require!(Clause::ToolAnnotations, holds);
        }
        if let Some(list) = &self.tool_digest {
            let digest = r.tool.as_ref().and_then(|t| t.digest.as_deref());
            require!(Clause::ToolDigest, contains(list, digest));
        }
        if let Some(list) = &self.users {
            require!(Clause::Users, contains(list, Some(&r.principal.id)));
        }
        if let Some(list) = &self.groups {
            require!(
                Clause::Groups,
                r.principal.groups.iter().any(|g| list.contains(g))
            );
        }
        if let Some(roles) = &self.roles {
            require!(Clause::Roles, roles.iter().any(|&role| cx.has_role(role)));
        }
        if let Some(list) = &self.tenant {
            require!(
                Clause::Tenant,
                contains(list, r.principal.tenant.as_deref())
            );
        }
        if let Some(list) = &self.scope {
            require!(Clause::Scope, contains(list, r.scope.as_deref()));
        }
        if let Some(attrs) = &self.attributes {
            let holds = attrs.iter().all(|(key, values)| {
                contains(values, r.principal.attributes.get(key).map(String::as_str))
            });
            require!(Clause::Attributes, holds);
        }
        if let Some(want) = self.validation_clean {
            require!(Clause::ValidationClean, server.validation_clean == want);
        }
        if let Some(want) = self.package_pinned {
            require!(Clause::PackagePinned, server.is_pinned() == want);
        }
        if let Some(want) = self.https_only {
            match cx.target() {
                None => require!(Clause::HttpsOnly, want),
                Some(Target::Read(url)) => {
                    require!(Clause::HttpsOnly, (url.scheme() == "https") == want);
                }
                Some(Target::Unreadable(why)) => {
                    unknown.get_or_insert((Clause::HttpsOnly, why.clone()));
                }
            }
        }
        if let Some(want) = self.private_network {
            // Every address the name resolved to counts, so a public name cannot rebind to a
            // private address between the decision and the connection.
            let resolved = r.resolved_addresses.iter().any(|ip| is_private_ip(*ip));
            match cx.target() {
                None => require!(Clause::PrivateNetwork, resolved == want),
                Some(Target::Read(url)) => {
                    require!(
                        Clause::PrivateNetwork,
                        (resolved || is_private_url(url)) == want
                    );
                }
                Some(Target::Unreadable(why)) => {
                    unknown.get_or_insert((Clause::PrivateNetwork, why.clone()));
                }
            }
        }
        if let Some(want) = self.variable_reference {
            let found = server.has_variable_reference()
                || r.remote
                    .as_ref()
                    .is_some_and(|rm| crate::request::has_variable_reference(&rm.url));
            require!(Clause::VariableReference, found == want);
        }
        if let Some(window) = &self.time {
            match r.time {
                Some(now) => require!(
                    Clause::Time,
                    window.not_before.is_none_or(|t| now >= t)
                        && window.not_after.is_none_or(|t| now <= t)
                ),
                None => {
                    unknown.get_or_insert((Clause::Time, "the request has no time".into()));
                }
            }
        }
        // Version last: its failure to parse must not hide a clause that plainly fails.
        if let Some((source, req)) = &self.version {
            match server.version.as_deref().map(semver::Version::parse) {
                Some(Ok(v)) => require!(Clause::Version, req.matches(&v)),
                Some(Err(_)) => {
                    let v = server.version.as_deref().unwrap_or_default();
                    unknown.get_or_insert((
                        Clause::Version,
                        format!(
                            "server version `{v}` is not semver, so `{source}` cannot be judged"
                        ),
                    ));
                }
                None => {
                    unknown.get_or_insert((
                        Clause::Version,
                        format!("the server has no version, so `{source}` cannot be judged"),
                    ));
                }
            }
        }
        match unknown {
            Some((clause, why)) => Truth::Unknown(clause, why),
            None => Truth::Holds,
        }
    }

    /// Every clause that fails, for explanations (the fast path stops at the first).
    pub(crate) fn failing_clauses(&self, cx: &Context<'_>) -> Vec<Clause> {
        self.clauses
            .iter()
            .copied()
            .filter(|&clause| {
                let mut only = CompiledMatch::default();
                self.copy_clause(clause, &mut only);
                matches!(only.eval(cx), Truth::Fails(_))
            })
            .collect()
    }

    fn copy_clause(&self, clause: Clause, to: &mut CompiledMatch) {
        match clause {
            Clause::Action => to.actions = self.actions,
            Clause::ServerName => to.server_name.clone_from(&self.server_name),
            Clause::ServerLabel => to.server_label.clone_from(&self.server_label),
            Clause::Namespace => to.namespace.clone_from(&self.namespace),
            Clause::Version => to.version.clone_from(&self.version),
            Clause::Status => to.status.clone_from(&self.status),
            Clause::Registry => to.registry.clone_from(&self.registry),
            Clause::RegistryType => to.registry_type.clone_from(&self.registry_type),
            Clause::PackageIdentifier => to.package_identifier.clone_from(&self.package_identifier),
            Clause::Transport => to.transport.clone_from(&self.transport),
            Clause::RemoteUrl => to.remote_url.clone_from(&self.remote_url),
            Clause::Command => to.command.clone_from(&self.command),
            Clause::Tool => to.tool.clone_from(&self.tool),
            Clause::ToolAnnotations => to.annotations = self.annotations,
            Clause::ToolDigest => to.tool_digest.clone_from(&self.tool_digest),
            Clause::Users => to.users.clone_from(&self.users),
            Clause::Groups => to.groups.clone_from(&self.groups),
            Clause::Roles => to.roles.clone_from(&self.roles),
            Clause::Tenant => to.tenant.clone_from(&self.tenant),
            Clause::Scope => to.scope.clone_from(&self.scope),
            Clause::Attributes => to.attributes.clone_from(&self.attributes),
            Clause::ValidationClean => to.validation_clean = self.validation_clean,
            Clause::PackagePinned => to.package_pinned = self.package_pinned,
            Clause::HttpsOnly => to.https_only = self.https_only,
            Clause::PrivateNetwork => to.private_network = self.private_network,
            Clause::VariableReference => to.variable_reference = self.variable_reference,
            Clause::Time => to.time = self.time,
            Clause::AnyOf | Clause::Except | Clause::Quota | Clause::LayerTenant => {}
        }
    }

    /// Whether `self` holds for every request `other` holds for. Conservative: false when unsure.
    pub(crate) fn subsumes(&self, other: &Self) -> bool {
        fn list<T: PartialEq>(a: Option<&Vec<T>>, b: Option<&Vec<T>>) -> bool {
            match (a, b) {
                (None, _) => true,
                (Some(_), None) => false,
                (Some(a), Some(b)) => b.iter().all(|x| a.contains(x)),
            }
        }
        fn globs(a: Option<&Vec<Glob>>, b: Option<&Vec<Glob>>) -> bool {
            match (a, b) {
                (None, _) => true,
                (Some(a), None) => a.iter().any(Glob::matches_everything),
                (Some(a), Some(b)) => b.iter().all(|x| a.iter().any(|y| y.subsumes(x))),
            }
        }
        fn flag(a: Option<bool>, b: Option<bool>) -> bool {
            a.is_none() || a == b
        }
        let actions = match (self.actions, other.actions) {
            (None, _) => true,
            (Some(a), None) => a.count_ones() as usize == Action::ALL.len(),
            (Some(a), Some(b)) => b & !a == 0,
        };
        let urls = match (&self.remote_url, &other.remote_url) {
            (None, _) => true,
            (Some(_), None) => false,
            (Some(a), Some(b)) => b.iter().all(|x| a.iter().any(|y| y.subsumes(x))),
        };
        let version = match (&self.version, &other.version) {
            (None, _) => true,
            (Some((a, _)), Some((b, _))) => a == b,
            (Some(_), None) => false,
        };
        let annotations = match (&self.annotations, &other.annotations) {
            (None, _) => true,
            (Some(_), None) => false,
            (Some(a), Some(b)) => {
                flag(a.read_only, b.read_only)
                    && flag(a.destructive, b.destructive)
                    && flag(a.idempotent, b.idempotent)
                    && flag(a.open_world, b.open_world)
            }
        };
        let attributes = match (&self.attributes, &other.attributes) {
            (None, _) => true,
            (Some(_), None) => false,
            (Some(a), Some(b)) => a.iter().all(|(k, va)| {
                b.iter()
                    .any(|(kb, vb)| kb == k && vb.iter().all(|v| va.contains(v)))
            }),
        };
        let time = match (&self.time, &other.time) {
            (None, _) => true,
            (Some(_), None) => false,
            (Some(a), Some(b)) => {
                a.not_before
                    .is_none_or(|x| b.not_before.is_some_and(|y| y >= x))
                    && a.not_after
                        .is_none_or(|x| b.not_after.is_some_and(|y| y <= x))
            }
        };
        actions
            && urls
            && version
            && annotations
            && attributes
            && time
            && globs(self.server_name.as_ref(), other.server_name.as_ref())
            && globs(self.server_label.as_ref(), other.server_label.as_ref())
            && globs(self.namespace.as_ref(), other.namespace.as_ref())
            && globs(
                self.package_identifier.as_ref(),
                other.package_identifier.as_ref(),
            )
            && globs(self.tool.as_ref(), other.tool.as_ref())
            && list(self.status.as_ref(), other.status.as_ref())
            && list(self.registry.as_ref(), other.registry.as_ref())
            && list(self.registry_type.as_ref(), other.registry_type.as_ref())
            && list(self.transport.as_ref(), other.transport.as_ref())
            && list(self.command.as_ref(), other.command.as_ref())
            && list(self.tool_digest.as_ref(), other.tool_digest.as_ref())
            && list(self.users.as_ref(), other.users.as_ref())
            && list(self.groups.as_ref(), other.groups.as_ref())
            && list(self.roles.as_ref(), other.roles.as_ref())
            && list(self.tenant.as_ref(), other.tenant.as_ref())
            && list(self.scope.as_ref(), other.scope.as_ref())
            && flag(self.validation_clean, other.validation_clean)
            && flag(self.package_pinned, other.package_pinned)
            && flag(self.https_only, other.https_only)
            && flag(self.private_network, other.private_network)
            && flag(self.variable_reference, other.variable_reference)
    }

    /// Why the conditions can never hold, if that is evident.
    pub(crate) fn never_matches(&self) -> Option<(Clause, String)> {
        let empty = [
            (self.actions == Some(0), Clause::Action),
            (
                self.server_name.as_ref().is_some_and(Vec::is_empty),
                Clause::ServerName,
            ),
            (
                self.server_label.as_ref().is_some_and(Vec::is_empty),
                Clause::ServerLabel,
            ),
            (
                self.namespace.as_ref().is_some_and(Vec::is_empty),
                Clause::Namespace,
            ),
            (
                self.status.as_ref().is_some_and(Vec::is_empty),
                Clause::Status,
            ),
            (
                self.registry.as_ref().is_some_and(Vec::is_empty),
                Clause::Registry,
            ),
            (
                self.registry_type.as_ref().is_some_and(Vec::is_empty),
                Clause::RegistryType,
            ),
            (
                self.package_identifier.as_ref().is_some_and(Vec::is_empty),
                Clause::PackageIdentifier,
            ),
            (
                self.transport.as_ref().is_some_and(Vec::is_empty),
                Clause::Transport,
            ),
            (
                self.remote_url.as_ref().is_some_and(Vec::is_empty),
                Clause::RemoteUrl,
            ),
            (
                self.command.as_ref().is_some_and(Vec::is_empty),
                Clause::Command,
            ),
            (self.tool.as_ref().is_some_and(Vec::is_empty), Clause::Tool),
            (
                self.tool_digest.as_ref().is_some_and(Vec::is_empty),
                Clause::ToolDigest,
            ),
            (
                self.users.as_ref().is_some_and(Vec::is_empty),
                Clause::Users,
            ),
            (
                self.groups.as_ref().is_some_and(Vec::is_empty),
                Clause::Groups,
            ),
            (
                self.roles.as_ref().is_some_and(Vec::is_empty),
                Clause::Roles,
            ),
            (
                self.tenant.as_ref().is_some_and(Vec::is_empty),
                Clause::Tenant,
            ),
            (
                self.scope.as_ref().is_some_and(Vec::is_empty),
                Clause::Scope,
            ),
        ];
        if let Some((_, clause)) = empty.iter().find(|(is_empty, _)| *is_empty) {
            return Some((*clause, "an empty list matches nothing".into()));
        }
        if let Some(TimeWindow {
            not_before: Some(a),
            not_after: Some(b),
        }) = self.time
            && b < a
        {
            return Some((
                Clause::Time,
                format!("`notAfter` {b} is before `notBefore` {a}"),
            ));
        }
        if self.https_only == Some(true)
            && self
                .remote_url
                .as_ref()
                .is_some_and(|urls| urls.iter().all(UrlPattern::is_plain_http))
        {
            return Some((
                Clause::RemoteUrl,
                "every pattern is `http://`, but `httpsOnly` is true".into(),
            ));
        }
        None
    }
}
