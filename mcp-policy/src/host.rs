//! Import of host settings files, the format Claude Code, GitHub Copilot and VS Code read:
//! `allowedMcpServers`, `deniedMcpServers`, `allowManagedMcpServersOnly`,
//! `allowManagedPermissionRulesOnly` and `permissions` rules for MCP tools, taken unchanged from a
//! whole stack of settings files and turned into ordinary policy layers.
//!
//! A host reads several files at once (managed, command line, local, project, user) and defines
//! its semantics over all of them, so the stack is imported in one go: the lists merge the way
//! the host documents, and the merged allowlist is checked by a deny rule that no allow or ask
//! rule of any file can get around. Each file becomes one layer named by its scope, so an audit
//! record's `decidedBy.layer` names the file that decided; host behaviour that no file states
//! (tool calls ask for approval, built-in servers pass the allowlist) sits in a last layer named
//! `host`.
//!
//! The files are the host's format, not ours, so parsing is tolerant in the way the hosts
//! document (an invalid entry is stripped with a warning and the rest enforced, for example),
//! and where a host's documentation is silent the reading that fails closed is chosen. Each
//! [`HostFlavour`] variant documents how its host differs.

use std::str::FromStr;

use serde_json::{Map, Value};

use crate::compile::{CompiledPolicy, Layer};
use crate::diagnostic::{Diagnostic, PolicyError, parse_value};
use crate::document::{Effect, Match, Policy, Rule};
use crate::request::{Action, TransportKind};

/// Which settings file a document is: the host's ranking of its sources, highest first.
///
/// Claude Code documents the precedence managed > command line > local > project > user; the
/// derived ordering follows it (`Managed` is the smallest, the highest rank).
#[non_exhaustive]
#[derive(Clone, Copy, Debug, Eq, Hash, Ord, PartialEq, PartialOrd)]
pub enum SettingsScope {
    /// Settings the organization deploys (`managed-settings.json`, MDM or server-delivered).
    Managed,
    /// Settings passed on the command line (`--settings`).
    Cli,
    /// Personal settings for one project (`.claude/settings.local.json`).
    Local,
    /// Settings shared through the project's repository (`.claude/settings.json`).
    Project,
    /// Personal settings for every project (`~/.claude/settings.json`).
    User,
}

impl SettingsScope {
    /// Every scope, highest rank first.
    pub const ALL: [Self; 5] = [
        Self::Managed,
        Self::Cli,
        Self::Local,
        Self::Project,
        Self::User,
    ];

    /// The name used on the command line and as the layer name in audit records.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Managed => "managed",
            Self::Cli => "cli",
            Self::Local => "local",
            Self::Project => "project",
            Self::User => "user",
        }
    }
}

impl FromStr for SettingsScope {
    type Err = PolicyError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL.into_iter().find(|v| v.as_str() == s).ok_or_else(|| {
            PolicyError::single(Diagnostic::error(
                "",
                format!(
                    "unknown settings scope `{s}`: expected `managed`, `cli`, `local`, `project` \
                     or `user`"
                ),
            ))
        })
    }
}

impl std::fmt::Display for SettingsScope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whose documented semantics the import follows. The files have one format; the hosts read it
/// differently.
///
/// - **`ClaudeCode`** (the default), from <https://code.claude.com/docs/en/managed-mcp> and
///   <https://code.claude.com/docs/en/settings>: allowlists from every file merge (a union), and
///   `allowManagedMcpServersOnly` keeps only the managed one; denylists always merge; once the
///   allowlist holds a `serverUrl` entry a remote server must match a URL, and once it holds a
///   `serverCommand` entry a stdio server must match a command; permission rules merge across
///   files unless `allowManagedPermissionRulesOnly` keeps only the managed ones. The two locks
///   are managed-only keys: in any other file they have no effect and the import warns. Servers
///   the host builds in (request scope `builtin`) skip the allowlist, not the denylist. So do
///   the organization's own servers (scope `managed`) while their command, arguments, `env`,
///   URL and headers hold no `${VAR}` reference; note that the current settings reference names
///   only built-in servers as exempt and says `managed-mcp.json` servers must match too.
/// - **`Copilot`**, from <https://docs.github.com/en/copilot/reference/enterprise-administrators/enterprise-managed-settings>
///   and <https://docs.github.com/en/copilot/how-tos/administer-copilot/manage-mcp-usage/configure-enterprise-allowlist>:
///   allowlists from several files intersect and denylists unite; a malformed allowlist or
///   denylist, or a file that is not a JSON object, counts as an empty allowlist; built-in
///   servers (scope `builtin`) are always allowed and cannot be denied; a server whose
///   configuration holds a variable reference is blocked; `serverName` entries are never demoted;
///   URLs are canonicalized before matching; permission rules compose restrictively (denies and
///   asks unite, allow lists intersect) and MCP tools are named `SERVER(tool)`. The Claude Code
///   locks are not Copilot keys and are ignored with a warning: in these semantics they could
///   only widen what the files allow.
/// - **`VsCode`**: VS Code reads the MCP lists as Copilot does, but not `permissions` rules
///   (ignored with a warning), and adds its own `chat.mcp.access` setting (policy `ChatMCP`):
///   `none` turns MCP off, `registry` admits only servers from the registry named by
///   `chat.mcp.gallery.serviceUrl` (policy `McpGalleryServiceUrl`). See
///   <https://code.visualstudio.com/docs/enterprise/ai-settings>.
///
/// Copilot ranks its own sources (MDM, server-managed, file-based, user-level), but every key
/// read here composes restrictively across them, so the scope a Copilot file is given only names
/// its layer.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, Default, Eq, Hash, PartialEq)]
pub enum HostFlavour {
    /// Claude Code, whose documentation defines the format.
    #[default]
    ClaudeCode,
    /// GitHub Copilot (CLI, app and IDE clients).
    Copilot,
    /// Visual Studio Code with GitHub Copilot.
    VsCode,
}

impl HostFlavour {
    /// Every flavour.
    pub const ALL: [Self; 3] = [Self::ClaudeCode, Self::Copilot, Self::VsCode];

    /// The name used on the command line (`claude-code`, `copilot`, `vscode`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ClaudeCode => "claude-code",
            Self::Copilot => "copilot",
            Self::VsCode => "vscode",
        }
    }

    /// Whether the flavour composes every file restrictively, as Copilot's clients do.
    fn copilot_lists(self) -> bool {
        matches!(self, Self::Copilot | Self::VsCode)
    }
}

impl FromStr for HostFlavour {
    type Err = PolicyError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|v| v.as_str() == s)
            .ok_or_else(|| {
                PolicyError::single(Diagnostic::error(
                    "",
                    format!("unknown host `{s}`: expected `claude-code`, `copilot` or `vscode`"),
                ))
            })
    }
}

impl std::fmt::Display for HostFlavour {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Host settings files, as far as they govern MCP servers and tools.
///
/// Build it from a whole stack with [`HostSettings::from_stack`], or from one managed file with
/// [`HostSettings::from_json`]; then [`compile`](HostSettings::compile) it, or take the layers
/// with [`to_layers`](HostSettings::to_layers).
///
/// Requests say where a server was configured in [`Request::scope`](crate::Request): `managed`
/// for a server the organization deploys, `builtin` for one the host builds in.
#[derive(Clone, Debug, PartialEq)]
pub struct HostSettings {
    flavour: HostFlavour,
    /// Highest rank first, one per scope.
    files: Vec<SettingsFile>,
    warnings: Vec<Diagnostic>,
}

/// One settings file, read according to the flavour.
#[derive(Clone, Debug, PartialEq)]
struct SettingsFile {
    scope: SettingsScope,
    /// `None` when `allowedMcpServers` is unset.
    allowed: Option<Vec<ServerEntry>>,
    denied: Vec<ServerEntry>,
    /// `allowManagedMcpServersOnly`, when present (an invalid value counts as `true`).
    managed_servers_only: Option<bool>,
    /// `allowManagedPermissionRulesOnly`, when present (an invalid value counts as `true`).
    managed_rules_only: Option<bool>,
    deny: Vec<ToolRule>,
    ask: Vec<ToolRule>,
    allow: Vec<ToolRule>,
    /// Whether `permissions.allow` is present: under Copilot a file that declares an allow list
    /// restricts what the others allow.
    allow_declared: bool,
    /// VS Code's `chat.mcp.access`.
    mcp_access: Option<McpAccess>,
    /// VS Code's `chat.mcp.gallery.serviceUrl`.
    gallery: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
enum ServerEntry {
    Name(String),
    Url(String),
    Command(Vec<String>),
}

#[derive(Clone, Debug, PartialEq)]
struct ToolRule {
    source: String,
    /// Label pattern (star-only glob, already escaped for our dialect); `None` for any server.
    server: Option<String>,
    /// Tool pattern; `None` for any tool.
    tool: Option<String>,
}

/// VS Code's `chat.mcp.access`, most restrictive first.
#[derive(Clone, Copy, Debug, Eq, Ord, PartialEq, PartialOrd)]
enum McpAccess {
    None,
    Registry,
    All,
}

#[derive(Clone, Copy, PartialEq)]
enum List {
    Allow,
    Deny,
}

/// The actions a server-level allowlist governs directly; tool calls go through `permissions`.
const SERVER_ACTIONS: [Action; 5] = [
    Action::Discover,
    Action::Connect,
    Action::ListTools,
    Action::ReadResource,
    Action::GetPrompt,
];

/// The request scope of servers the organization itself deploys (`managed-mcp.json`).
pub(crate) const MANAGED_SCOPE: &str = "managed";
/// The request scope of servers the host builds in (Copilot's GitHub server, an IDE's own).
pub(crate) const BUILTIN_SCOPE: &str = "builtin";
/// The layer holding host behaviour that no file states.
const HOST_LAYER: &str = "host";

/// Keys that only a managed file may set (Claude Code).
const MANAGED_ONLY_KEYS: [&str; 2] = [
    "allowManagedMcpServersOnly",
    "allowManagedPermissionRulesOnly",
];

/// Copilot's selectors for rules that are not about MCP tools, in either spelling.
const COPILOT_OTHER_SELECTORS: [&str; 9] = [
    "shell",
    "bash",
    "powershell",
    "read",
    "edit",
    "write",
    "domain",
    "url",
    "memory",
];

impl HostSettings {
    /// Reads one managed settings file with Claude Code's semantics: the same as
    /// `from_stack([(SettingsScope::Managed, bytes)], HostFlavour::ClaudeCode)`.
    ///
    /// # Errors
    ///
    /// Returns an error only when the document is not a JSON object, which Claude Code refuses
    /// to start with. Every other problem is a warning (see [`HostSettings::warnings`]), handled
    /// as the host handles it.
    pub fn from_json(bytes: &[u8]) -> Result<Self, PolicyError> {
        Self::from_stack([(SettingsScope::Managed, bytes)], HostFlavour::ClaudeCode)
    }

    /// Reads a stack of settings files, one per scope, in any order: the scope ranks them.
    /// Warnings name the file's scope as their layer when the stack has more than one file.
    ///
    /// # Errors
    ///
    /// Returns an error when two files claim the same scope, or, under Claude Code, when a file
    /// is not a JSON object (Copilot and VS Code read such a file as an empty allowlist).
    pub fn from_stack<'a, I>(files: I, flavour: HostFlavour) -> Result<Self, PolicyError>
    where
        I: IntoIterator<Item = (SettingsScope, &'a [u8])>,
    {
        let mut given: Vec<(SettingsScope, &[u8])> = files.into_iter().collect();
        given.sort_by_key(|(scope, _)| *scope);
        if let Some(pair) = given.windows(2).find(|w| matches!(w, [a, b] if a.0 == b.0)) {
            let scope = pair.first().map_or("", |(s, _)| s.as_str());
            return Err(PolicyError::single(Diagnostic::error(
                "",
                format!("duplicate settings scope `{scope}`"),
            )));
        }
        let single = given.len() == 1;
        let mut out = Self {
            flavour,
            files: Vec::with_capacity(given.len()),
            warnings: Vec::new(),
        };
        for (scope, bytes) in given {
            let mut reader = Reader {
                flavour,
                scope,
                warnings: Vec::new(),
            };
            let file = reader.read(bytes);
            let tag = |d: Diagnostic| d.in_layer(scope.as_str(), single);
            out.warnings.extend(reader.warnings.into_iter().map(tag));
            out.files
                .push(file.map_err(|d| PolicyError::single(tag(d)))?);
        }
        Ok(out)
    }

    /// The flavour the files were read with.
    pub fn flavour(&self) -> HostFlavour {
        self.flavour
    }

    /// The scopes present, highest rank first.
    pub fn scopes(&self) -> impl Iterator<Item = SettingsScope> + '_ {
        self.files.iter().map(|f| f.scope)
    }

    /// What was stripped, ignored or reinterpreted while reading.
    pub fn warnings(&self) -> &[Diagnostic] {
        &self.warnings
    }

    /// Whether `allowManagedMcpServersOnly` is in force: set in the managed file, under Claude
    /// Code.
    pub fn allow_managed_only(&self) -> bool {
        self.flavour == HostFlavour::ClaudeCode
            && self
                .managed()
                .is_some_and(|f| f.managed_servers_only == Some(true))
    }

    /// Whether `allowManagedPermissionRulesOnly` is in force: set in the managed file, under
    /// Claude Code. It is a lock of its own; it does not restrict the MCP allowlist.
    pub fn allow_managed_permission_rules_only(&self) -> bool {
        self.flavour == HostFlavour::ClaudeCode
            && self
                .managed()
                .is_some_and(|f| f.managed_rules_only == Some(true))
    }

    fn managed(&self) -> Option<&SettingsFile> {
        self.files
            .first()
            .filter(|f| f.scope == SettingsScope::Managed)
    }

    /// The equivalent layers, for [`CompiledPolicy::compile_layers`]: one per file, named by its
    /// scope, highest rank first, then the `host` layer.
    pub fn to_layers(&self) -> Vec<Layer> {
        let mut builder = Builder {
            settings: self,
            layers: self.files.iter().map(|_| Policy::new()).collect(),
            host: Policy::new(),
        };
        builder.denylists();
        builder.allowlists();
        builder.host_checks();
        builder.permissions();
        let Builder { layers, host, .. } = builder;
        self.files
            .iter()
            .zip(layers)
            .map(|(file, policy)| Layer::new(file.scope.as_str(), policy))
            .chain(std::iter::once(Layer::new(HOST_LAYER, host)))
            .collect()
    }

    /// Compiles the layers.
    ///
    /// # Errors
    ///
    /// None in practice: the generated layers always compile.
    pub fn compile(&self) -> Result<CompiledPolicy, PolicyError> {
        CompiledPolicy::compile_layers(&self.to_layers())
    }

    /// The stack as one policy document. Rule ids are prefixed with the file's scope
    /// (`user/permissions.allow/0`) when the stack has several files. Prefer
    /// [`HostSettings::compile`], whose audit records name the deciding file's scope as the
    /// layer.
    pub fn to_policy(&self) -> Policy {
        let prefix = self.files.len() > 1;
        let mut out = Policy::new();
        for layer in self.to_layers() {
            out.default_effect = out.default_effect.or(layer.policy.default_effect);
            for mut rule in layer.policy.rules {
                if prefix && layer.name != HOST_LAYER {
                    rule.id = format!("{}/{}", layer.name, rule.id);
                }
                out.rules.push(rule);
            }
        }
        out
    }

    /// Imports one managed file with Claude Code's semantics and compiles it in one step.
    ///
    /// # Errors
    ///
    /// As [`HostSettings::from_json`]; the generated policy always compiles.
    pub fn compile_json(bytes: &[u8]) -> Result<CompiledPolicy, PolicyError> {
        Self::from_json(bytes)?.compile()
    }
}

/// Reads one file, collecting warnings with paths inside the file.
struct Reader {
    flavour: HostFlavour,
    scope: SettingsScope,
    warnings: Vec<Diagnostic>,
}

impl Reader {
    fn warn(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.warnings.push(Diagnostic::warning(path, message));
    }

    fn read(&mut self, bytes: &[u8]) -> Result<SettingsFile, Diagnostic> {
        let mut file = SettingsFile {
            scope: self.scope,
            allowed: None,
            denied: Vec::new(),
            managed_servers_only: None,
            managed_rules_only: None,
            deny: Vec::new(),
            ask: Vec::new(),
            allow: Vec::new(),
            allow_declared: false,
            mcp_access: None,
            gallery: None,
        };
        let value = parse_value(bytes);
        let root = match &value {
            Ok(Value::Object(root)) => root,
            Ok(_) | Err(_) if self.flavour.copilot_lists() => {
                // "If an allowlist or denylist is malformed (for example, has invalid JSON), the
                // client treats the policy as an empty `allowedMcpServers` list."
                let why = match &value {
                    Err(e) => e.message().to_owned(),
                    Ok(_) => format!("{} settings must be a json object", self.scope),
                };
                self.warn("", format!("{why}; enforced as an empty allowlist"));
                file.allowed = Some(Vec::new());
                return Ok(file);
            }
            Ok(_) => {
                return Err(Diagnostic::error(
                    "",
                    format!("{} settings must be a json object", self.scope),
                ));
            }
            Err(e) => return Err(e.clone()),
        };
        self.server_lists(root, &mut file);
        self.locks(root, &mut file);
        self.permissions(root, &mut file);
        if self.flavour == HostFlavour::VsCode {
            self.vscode(root, &mut file);
        }
        Ok(file)
    }

    fn server_lists(&mut self, root: &Map<String, Value>, file: &mut SettingsFile) {
        let copilot = self.flavour.copilot_lists();
        match root.get("allowedMcpServers") {
            None => {}
            Some(Value::Array(items)) => {
                let (entries, malformed) = self.entries(items, "/allowedMcpServers", List::Allow);
                file.allowed = Some(if malformed { Vec::new() } else { entries });
            }
            Some(_) => {
                self.warn(
                    "/allowedMcpServers",
                    "expected an array of entries; enforced as an empty allowlist",
                );
                file.allowed = Some(Vec::new());
            }
        }
        match root.get("deniedMcpServers") {
            None => {}
            Some(Value::Array(items)) => {
                let (entries, malformed) = self.entries(items, "/deniedMcpServers", List::Deny);
                file.denied = entries;
                if malformed {
                    file.allowed = Some(Vec::new());
                }
            }
            Some(_) if copilot => {
                self.warn(
                    "/deniedMcpServers",
                    "expected an array of entries; a malformed denylist is enforced as an \
                     empty allowlist",
                );
                file.allowed = Some(Vec::new());
            }
            Some(_) => self.warn("/deniedMcpServers", "expected an array of entries; ignored"),
        }
    }

    /// The valid entries, and whether any was invalid and the flavour counts the whole list as
    /// malformed (Copilot: "If an allowlist or denylist is malformed ... the client treats the
    /// policy as an empty `allowedMcpServers` list").
    fn entries(&mut self, items: &[Value], base: &str, list: List) -> (Vec<ServerEntry>, bool) {
        let copilot = self.flavour.copilot_lists();
        let mut out = Vec::new();
        let mut malformed = false;
        for (i, item) in items.iter().enumerate() {
            match parse_entry(item, list) {
                Ok(entry) => out.push(entry),
                Err(why) if copilot => {
                    malformed = true;
                    self.warn(
                        format!("{base}/{i}"),
                        format!("{why}; the list is malformed, enforced as an empty allowlist"),
                    );
                }
                Err(why) => self.warn(format!("{base}/{i}"), format!("{why}; entry ignored")),
            }
        }
        (out, malformed)
    }

    fn locks(&mut self, root: &Map<String, Value>, file: &mut SettingsFile) {
        for key in MANAGED_ONLY_KEYS {
            let Some(value) = root.get(key) else {
                continue;
            };
            let path = format!("/{key}");
            if self.flavour.copilot_lists() {
                self.warn(
                    path,
                    format!(
                        "a claude code setting, which {} does not read; ignored",
                        self.flavour
                    ),
                );
                continue;
            }
            if self.scope != SettingsScope::Managed {
                self.warn(
                    path,
                    "takes effect only in managed settings; ignored in this file",
                );
                continue;
            }
            let set = if let Value::Bool(b) = value {
                *b
            } else {
                self.warn(path, "expected a boolean; treated as `true`");
                true
            };
            if key == "allowManagedMcpServersOnly" {
                file.managed_servers_only = Some(set);
            } else {
                file.managed_rules_only = Some(set);
            }
        }
    }

    fn permissions(&mut self, root: &Map<String, Value>, file: &mut SettingsFile) {
        let Some(permissions) = root.get("permissions") else {
            return;
        };
        let Some(p) = permissions.as_object() else {
            self.warn("/permissions", "expected an object; ignored");
            return;
        };
        if self.flavour == HostFlavour::VsCode {
            for key in ["deny", "ask", "allow"] {
                if p.contains_key(key) {
                    self.warn(
                        format!("/permissions/{key}"),
                        "vs code does not read permission rules; ignored",
                    );
                }
            }
            return;
        }
        file.deny = self.tool_rules(p.get("deny"), "/permissions/deny", List::Deny);
        file.ask = self.tool_rules(p.get("ask"), "/permissions/ask", List::Deny);
        file.allow = self.tool_rules(p.get("allow"), "/permissions/allow", List::Allow);
        file.allow_declared = p.get("allow").is_some_and(Value::is_array);
    }

    fn tool_rules(&mut self, value: Option<&Value>, base: &str, list: List) -> Vec<ToolRule> {
        let Some(value) = value else {
            return Vec::new();
        };
        let Some(items) = value.as_array() else {
            self.warn(base, "expected an array of rules; ignored");
            return Vec::new();
        };
        let mut out = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let path = format!("{base}/{i}");
            let Some(text) = item.as_str() else {
                self.warn(path, "expected a string; rule ignored");
                continue;
            };
            let parsed = match self.flavour {
                HostFlavour::Copilot => parse_copilot_tool_rule(text, list),
                _ => parse_tool_rule(text, list),
            };
            match parsed {
                Ok(Some(rule)) => out.push(rule),
                Ok(None) => {}
                Err(why) => self.warn(path, format!("rule `{text}` {why}; rule ignored")),
            }
        }
        out
    }

    fn vscode(&mut self, root: &Map<String, Value>, file: &mut SettingsFile) {
        for key in ["chat.mcp.access", "ChatMCP"] {
            let Some(value) = root.get(key) else {
                continue;
            };
            let access = match value.as_str() {
                Some("none" | "off") => McpAccess::None,
                Some("registry" | "registryOnly") => McpAccess::Registry,
                Some("all" | "allowed") => McpAccess::All,
                _ => {
                    self.warn(
                        format!("/{key}"),
                        "expected `none`, `registry` or `all`; treated as `none`",
                    );
                    McpAccess::None
                }
            };
            file.mcp_access = Some(file.mcp_access.map_or(access, |a| a.min(access)));
        }
        for key in ["chat.mcp.gallery.serviceUrl", "McpGalleryServiceUrl"] {
            match root.get(key) {
                None => {}
                Some(Value::String(url)) if !url.is_empty() => file.gallery = Some(url.clone()),
                Some(_) => self.warn(format!("/{key}"), "expected a url; ignored"),
            }
        }
    }
}

/// Builds the layers: one policy per file (same order as `settings.files`) and the host layer.
struct Builder<'a> {
    settings: &'a HostSettings,
    layers: Vec<Policy>,
    host: Policy,
}

impl Builder<'_> {
    fn flavour(&self) -> HostFlavour {
        self.settings.flavour
    }

    fn push(&mut self, file: usize, rule: Rule) {
        if let Some(layer) = self.layers.get_mut(file) {
            layer.rules.push(rule);
        }
    }

    /// `deniedMcpServers`, from every file under every flavour.
    fn denylists(&mut self) {
        let copilot = self.flavour().copilot_lists();
        for (f, file) in self.settings.files.iter().enumerate() {
            for (i, entry) in file.denied.iter().enumerate() {
                let mut rule = Rule::new(format!("deniedMcpServers/{i}"), Effect::Deny)
                    .with_reason(format!(
                        "server is explicitly blocked by enterprise policy ({})",
                        entry.describe()
                    ))
                    .with_match(entry.to_match(None, self.flavour()));
                if copilot {
                    // "First-party Copilot servers, such as the built-in GitHub MCP server, are
                    // exempt from deny rules and cannot be blocked."
                    rule = rule.with_except(scope_match(BUILTIN_SCOPE));
                }
                self.push(f, rule);
            }
        }
    }

    fn allowlists(&mut self) {
        if self.flavour().copilot_lists() {
            self.intersected_allowlists();
        } else {
            self.merged_allowlist();
        }
    }

    /// Claude Code: one allowlist, the union of every file's (or the managed one alone under
    /// `allowManagedMcpServersOnly`), checked type-aware by one deny rule.
    fn merged_allowlist(&mut self) {
        let lock = self.settings.allow_managed_only();
        let sources: Vec<(usize, &[ServerEntry])> = self
            .settings
            .files
            .iter()
            .enumerate()
            .filter(|(_, f)| !lock || f.scope == SettingsScope::Managed)
            .filter_map(|(i, f)| f.allowed.as_deref().map(|a| (i, a)))
            .collect();
        let Some(&(first, _)) = sources.first() else {
            self.host.default_effect = Some(Effect::Allow);
            self.host.rules.push(server_allow(
                "allowedMcpServers",
                "no allowlist is set, so every server is allowed",
            ));
            return;
        };
        self.host.default_effect = Some(Effect::Deny);
        // Type-aware: once a `serverUrl` entry exists anywhere in the merged list, remote servers
        // must match a URL; once a `serverCommand` entry exists, stdio servers must match a
        // command.
        let mut merged = sources.iter().flat_map(|(_, entries)| entries.iter());
        let has_url = merged.clone().any(|e| matches!(e, ServerEntry::Url(_)));
        let has_command = merged.any(|e| matches!(e, ServerEntry::Command(_)));
        let name_transport = match (has_url, has_command) {
            (false, false) => Some(None),
            (true, false) => Some(Some(vec![TransportKind::Stdio])),
            (false, true) => Some(Some(vec![
                TransportKind::StreamableHttp,
                TransportKind::Sse,
            ])),
            (true, true) => None,
        };
        let flavour = self.flavour();
        let alternatives = |entries: &[ServerEntry]| -> Vec<Match> {
            entries
                .iter()
                .filter_map(|e| match e {
                    ServerEntry::Name(_) => name_transport.clone().map(|t| e.to_match(t, flavour)),
                    _ => Some(e.to_match(None, flavour)),
                })
                .collect()
        };
        // The host's own servers skip the allowlist, not the denylist; so do the organization's,
        // while nothing in their configuration depends on the machine's environment.
        let exemptions = [
            scope_match(BUILTIN_SCOPE),
            Match {
                scope: Some(vec![MANAGED_SCOPE.into()]),
                variable_reference: Some(false),
                ..Match::default()
            },
        ];
        let mut unmatched = Rule::new("allowedMcpServers/unmatched", Effect::Deny)
            .with_reason("server matches no `allowedMcpServers` entry");
        unmatched.except = sources
            .iter()
            .flat_map(|(_, entries)| alternatives(entries))
            .chain(exemptions.iter().cloned())
            .collect();
        self.push(first, unmatched);
        for (f, entries) in &sources {
            let any_of = alternatives(entries);
            // INVARIANT: an allow rule with no alternatives would hold for every server.
            if !any_of.is_empty() {
                let mut rule = server_allow(
                    "allowedMcpServers",
                    "server is allowed by `allowedMcpServers`",
                );
                rule.any_of = any_of;
                self.push(*f, rule);
            }
        }
        let [builtin, managed] = exemptions;
        self.host.rules.push(
            server_allow(
                "builtinServer",
                "the host's built-in servers are exempt from the allowlist",
            )
            .with_any_of(builtin),
        );
        self.host.rules.push(
            server_allow(
                "managedServer",
                "servers the organization deploys are exempt from the allowlist while their \
                 configuration holds no environment variable reference",
            )
            .with_any_of(managed),
        );
    }

    /// Copilot: "a server must match an allowlist entry at every layer that defines one", so
    /// every file with an allowlist gets a deny rule of its own.
    fn intersected_allowlists(&mut self) {
        let flavour = self.flavour();
        let sources: Vec<(usize, &[ServerEntry])> = self
            .settings
            .files
            .iter()
            .enumerate()
            .filter_map(|(i, f)| f.allowed.as_deref().map(|a| (i, a)))
            .collect();
        let Some(&(first, first_entries)) = sources.first() else {
            self.host.default_effect = Some(Effect::Allow);
            self.host.rules.push(server_allow(
                "allowedMcpServers",
                "no allowlist is set, so every server is allowed",
            ));
            return;
        };
        self.host.default_effect = Some(Effect::Deny);
        for (f, entries) in &sources {
            let mut rule = Rule::new("allowedMcpServers/unmatched", Effect::Deny)
                .with_reason("server matches no `allowedMcpServers` entry of this file");
            rule.except = entries
                .iter()
                .map(|e| e.to_match(None, flavour))
                .chain(std::iter::once(scope_match(BUILTIN_SCOPE)))
                .collect();
            self.push(*f, rule);
        }
        if !first_entries.is_empty() {
            let mut rule = server_allow(
                "allowedMcpServers",
                "server is allowed by every `allowedMcpServers` list",
            );
            rule.any_of = first_entries
                .iter()
                .map(|e| e.to_match(None, flavour))
                .collect();
            self.push(first, rule);
        }
        self.host.rules.push(
            server_allow(
                "builtinServer",
                "the host's built-in servers are always allowed",
            )
            .with_any_of(scope_match(BUILTIN_SCOPE)),
        );
    }

    /// Checks the host makes whatever the files say.
    fn host_checks(&mut self) {
        if !self.flavour().copilot_lists() {
            return;
        }
        // "Block the server if its URL or command contains an unresolved variable, such as
        // `${VARIABLE}` or `$VARIABLE`, because the client cannot verify the server."
        self.host.rules.push(
            Rule::new("unresolvedVariable", Effect::Deny)
                .with_reason(
                    "the server's configuration holds an environment variable reference, so the \
                     host cannot verify which server it is",
                )
                .with_match(Match {
                    variable_reference: Some(true),
                    ..Match::default()
                })
                .with_except(scope_match(BUILTIN_SCOPE)),
        );
        if self.flavour() == HostFlavour::VsCode {
            self.mcp_access();
        }
    }

    /// VS Code's `chat.mcp.access`: a policy (the managed file) overrides every other file; among
    /// the others, whose precedence for this key VS Code does not document, the most restrictive
    /// value applies.
    fn mcp_access(&mut self) {
        let files = &self.settings.files;
        let managed = files
            .iter()
            .position(|f| f.scope == SettingsScope::Managed && f.mcp_access.is_some());
        let chosen = managed.or_else(|| {
            files
                .iter()
                .enumerate()
                .filter_map(|(i, f)| f.mcp_access.map(|a| (a, i)))
                .min()
                .map(|(_, i)| i)
        });
        let Some((f, access)) = chosen.and_then(|i| Some((i, files.get(i)?.mcp_access?))) else {
            return;
        };
        // The registry counts only from a file ranked at least as high as the one that chose
        // `registry`, so a lower file cannot point a managed `registry` at a registry of its own.
        let gallery = files.iter().take(f + 1).find_map(|f| f.gallery.clone());
        let rule = Rule::new("chat.mcp.access", Effect::Deny);
        let rule = match (access, gallery) {
            (McpAccess::All, _) => return,
            (McpAccess::None, _) => {
                rule.with_reason("mcp servers are turned off (`chat.mcp.access` is `none`)")
            }
            (McpAccess::Registry, Some(url)) => rule
                .with_reason(format!(
                    "only servers from the registry `{url}` may run (`chat.mcp.access` is \
                     `registry`)"
                ))
                .with_except(Match {
                    registry: Some(vec![url]),
                    ..Match::default()
                }),
            (McpAccess::Registry, None) => rule.with_reason(
                "only servers from the registry vs code is connected to may run, and no \
                 `chat.mcp.gallery.serviceUrl` names it",
            ),
        };
        self.push(f, rule);
    }

    fn permissions(&mut self) {
        if self.flavour() == HostFlavour::VsCode {
            self.host.rules.push(tool_call_approval(Vec::new()));
            return;
        }
        let lock = self.settings.allow_managed_permission_rules_only();
        let copilot = self.flavour() == HostFlavour::Copilot;
        let mut allows = Vec::new();
        for (f, file) in self.settings.files.iter().enumerate() {
            if lock && file.scope != SettingsScope::Managed {
                continue;
            }
            for (i, rule) in file.deny.iter().enumerate() {
                self.push(
                    f,
                    Rule::new(format!("permissions.deny/{i}"), Effect::Deny)
                        .with_reason(format!("tool blocked by permission rule `{}`", rule.source))
                        .with_match(rule.to_match()),
                );
            }
            for (i, rule) in file.ask.iter().enumerate() {
                self.push(
                    f,
                    Rule::new(format!("permissions.ask/{i}"), Effect::Ask)
                        .with_reason(format!(
                            "permission rule `{}` asks for approval",
                            rule.source
                        ))
                        .with_match(rule.to_match()),
                );
            }
            for (i, rule) in file.allow.iter().enumerate() {
                self.push(
                    f,
                    Rule::new(format!("permissions.allow/{i}"), Effect::Allow)
                        .with_reason(format!("tool allowed by permission rule `{}`", rule.source))
                        .with_match(rule.to_match()),
                );
                allows.push(rule.to_match());
            }
            if copilot && file.allow_declared {
                // "The effective allowlist is the intersection of all sources that declare one,
                // not the union": a call this file's allow list does not cover asks.
                let mut unmatched = Rule::new("permissions.allow/unmatched", Effect::Ask)
                    .with_reason("no `permissions.allow` rule of this file covers the tool call")
                    .with_match(Match {
                        action: Some(vec![Action::CallTool]),
                        ..Match::default()
                    });
                unmatched.except = file.allow.iter().map(ToolRule::to_match).collect();
                self.push(f, unmatched);
            }
        }
        self.host.rules.push(tool_call_approval(allows));
    }
}

/// Tool calls no allow rule covers ask, as a host does in its default permission mode.
fn tool_call_approval(allows: Vec<Match>) -> Rule {
    let mut rule = Rule::new("toolCallApproval", Effect::Ask)
        .with_reason("tool calls need approval unless a `permissions.allow` rule covers them")
        .with_match(Match {
            action: Some(vec![Action::CallTool]),
            ..Match::default()
        });
    rule.except = allows;
    rule
}

fn server_allow(id: &str, reason: &str) -> Rule {
    Rule::new(id, Effect::Allow)
        .with_reason(reason)
        .with_match(Match {
            action: Some(SERVER_ACTIONS.to_vec()),
            ..Match::default()
        })
}

fn scope_match(scope: &str) -> Match {
    Match {
        scope: Some(vec![scope.into()]),
        ..Match::default()
    }
}

impl ServerEntry {
    fn describe(&self) -> String {
        match self {
            Self::Name(n) => format!("serverName `{n}`"),
            Self::Url(u) => format!("serverUrl `{u}`"),
            Self::Command(c) => format!("serverCommand `{}`", c.join(" ")),
        }
    }

    fn to_match(&self, transport: Option<Vec<TransportKind>>, flavour: HostFlavour) -> Match {
        match self {
            Self::Name(n) => Match {
                server_label: Some(vec![escape_glob(n)]),
                transport,
                ..Match::default()
            },
            Self::Url(u) => Match {
                remote_url: Some(if flavour.copilot_lists() {
                    canonical_url_patterns(u)
                } else {
                    vec![u.clone()]
                }),
                ..Match::default()
            },
            Self::Command(c) => Match {
                command: Some(vec![c.clone()]),
                ..Match::default()
            },
        }
    }
}

impl ToolRule {
    fn to_match(&self) -> Match {
        Match {
            action: Some(vec![Action::CallTool]),
            server_label: self.server.clone().map(|s| vec![s]),
            tool: self.tool.clone().map(|t| vec![t]),
            ..Match::default()
        }
    }
}

/// Copilot's URL canonicalization, applied to a `serverUrl` pattern: the scheme and host
/// lowercased, percent-encoded host octets decoded, the default port, a fragment and a trailing
/// dot removed. The evaluator reads request URLs without dropping a default port or a fragment,
/// so the pattern also matches the spellings that keep them.
fn canonical_url_patterns(pattern: &str) -> Vec<String> {
    let (scheme, rest) = pattern.split_once("://").unwrap_or(("*", pattern));
    let scheme = scheme.to_ascii_lowercase();
    let rest = rest.split_once('#').map_or(rest, |(before, _)| before);
    let (authority, path) = rest
        .find('/')
        .and_then(|at| rest.split_at_checked(at))
        .unwrap_or((rest, ""));
    let authority = percent_decode(authority).to_ascii_lowercase();
    let split = if authority.starts_with('[') {
        authority
            .rsplit_once("]:")
            .map(|(host, port)| (format!("{host}]"), port.to_owned()))
    } else {
        authority
            .rsplit_once(':')
            .map(|(host, port)| (host.to_owned(), port.to_owned()))
    };
    let (host, port) = match split {
        Some((host, port)) => (host, Some(port)),
        None => (authority.clone(), None),
    };
    let host = host.trim_end_matches('.');
    let default_ports: &[(&str, &str)] = &[("https", "443"), ("http", "80")];
    let port = port.filter(|p| !default_ports.contains(&(scheme.as_str(), p.as_str())));
    let mut out = Vec::new();
    if let Some(port) = &port {
        out.push(format!("{scheme}://{host}:{port}{path}"));
    } else {
        out.push(format!("{scheme}://{host}{path}"));
        for (s, p) in default_ports {
            if scheme == *s || scheme == "*" {
                out.push(format!("{s}://{host}:{p}{path}"));
            }
        }
    }
    // A pattern with an exact path also matches that path with a fragment, which Copilot drops.
    if !path.is_empty() && !path.ends_with('*') {
        let with_fragment: Vec<String> = out.iter().map(|p| format!("{p}#*")).collect();
        out.extend(with_fragment);
    }
    out
}

/// Decodes `%XX` escapes of ASCII bytes; anything else stays as written.
fn percent_decode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find('%') {
        let (before, after) = rest.split_at(at);
        out.push_str(before);
        let decoded = after
            .get(1..3)
            .and_then(|hex| u8::from_str_radix(hex, 16).ok())
            .filter(u8::is_ascii);
        if let Some(byte) = decoded {
            out.push(char::from(byte));
            rest = after.get(3..).unwrap_or_default();
        } else {
            out.push('%');
            rest = after.get(1..).unwrap_or_default();
        }
    }
    out.push_str(rest);
    out
}

fn parse_entry(item: &Value, list: List) -> Result<ServerEntry, String> {
    let Some(object) = item.as_object() else {
        return Err("expected an object".into());
    };
    let keys = ["serverName", "serverUrl", "serverCommand"];
    let present: Vec<&str> = keys
        .iter()
        .copied()
        .filter(|k| object.contains_key(*k))
        .collect();
    let [key] = present.as_slice() else {
        return Err(
            "an entry needs exactly one of `serverName`, `serverUrl`, `serverCommand`".into(),
        );
    };
    let value = object.get(*key).unwrap_or(&Value::Null);
    match *key {
        "serverName" => {
            let Some(name) = value.as_str() else {
                return Err("`serverName` must be a string".into());
            };
            let valid = match list {
                List::Allow => {
                    !name.is_empty()
                        && name
                            .chars()
                            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
                }
                List::Deny => !name.is_empty() && name.trim() == name,
            };
            if valid {
                Ok(ServerEntry::Name(name.to_owned()))
            } else if list == List::Allow {
                Err(format!(
                    "`serverName` `{name}` may hold only letters, digits, `-` and `_`"
                ))
            } else {
                Err(format!(
                    "`serverName` `{name}` must be non-empty without surrounding spaces"
                ))
            }
        }
        "serverUrl" => match value.as_str() {
            Some(url) if !url.is_empty() => Ok(ServerEntry::Url(url.to_owned())),
            _ => Err("`serverUrl` must be a non-empty string".into()),
        },
        _ => {
            let argv: Option<Vec<String>> = value
                .as_array()
                .and_then(|a| a.iter().map(|v| v.as_str().map(str::to_owned)).collect());
            match argv {
                Some(argv) if !argv.is_empty() => Ok(ServerEntry::Command(argv)),
                _ => Err("`serverCommand` must be a non-empty array of strings".into()),
            }
        }
    }
}

/// Parses one Claude Code permission rule. `Ok(None)` for rules about other tools (`Bash`,
/// `Read(...)`).
fn parse_tool_rule(text: &str, list: List) -> Result<Option<ToolRule>, &'static str> {
    if text == "*" {
        if list == List::Allow {
            return Err("is an unanchored glob, which allow rules may not use");
        }
        return Ok(Some(ToolRule {
            source: text.into(),
            server: None,
            tool: None,
        }));
    }
    let Some(rest) = text.strip_prefix("mcp__") else {
        return Ok(None);
    };
    if text.contains('(') {
        return Err("has parentheses, which MCP rules in settings files may not use");
    }
    let (server, tool) = match rest.split_once("__") {
        Some((server, tool)) => (server, Some(tool)),
        None => (rest, None),
    };
    if server.is_empty() || tool == Some("") {
        return Err("names no server or tool");
    }
    if server.contains('*') {
        if list == List::Allow {
            return Err("has a glob in the server part, which allow rules may not use");
        }
        // A star in the server segment may also span the tool name, so the tool part is dropped.
        let server = (server != "*").then(|| escape_glob_keep_star(server));
        return Ok(Some(ToolRule {
            source: text.into(),
            server,
            tool: None,
        }));
    }
    let tool = tool.filter(|t| *t != "*").map(escape_glob_keep_star);
    Ok(Some(ToolRule {
        source: text.into(),
        server: Some(escape_glob(server)),
        tool,
    }))
}

/// Parses one Copilot permission rule. Copilot names an MCP tool `SERVER(tool)` and a whole
/// server `SERVER` (the tool permission patterns of Copilot CLI); `Shell(...)`, `Read(...)` and
/// the other documented selectors are about other tools (`Ok(None)`). A rule in Claude Code's
/// `mcp__server__tool` form is not Copilot's, and Copilot's documentation is silent on it, so it
/// is read only where it can restrict (deny and ask) and refused where it would allow.
fn parse_copilot_tool_rule(text: &str, list: List) -> Result<Option<ToolRule>, &'static str> {
    if text.starts_with("mcp__") || text == "*" {
        if list == List::Allow {
            return Err("is claude code syntax, which copilot does not document for allow rules");
        }
        return parse_tool_rule(text, list);
    }
    let (server, tool) = match text.split_once('(') {
        Some((server, rest)) => match rest.strip_suffix(')') {
            Some(tool) if !tool.is_empty() && !tool.contains(['(', ')']) => (server, Some(tool)),
            _ => return Err("is not a `SERVER(tool)` pattern"),
        },
        None => (text, None),
    };
    let other = COPILOT_OTHER_SELECTORS
        .iter()
        .any(|s| s.eq_ignore_ascii_case(server));
    if other {
        return Ok(None);
    }
    let valid = !server.is_empty()
        && server
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if !valid {
        return Err("names no mcp server");
    }
    Ok(Some(ToolRule {
        source: text.into(),
        server: Some(escape_glob(server)),
        tool: tool.map(escape_glob),
    }))
}

/// Escapes every glob metacharacter, so a host name matches literally.
fn escape_glob(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '*' | '?' | '[' | ']' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Escapes every metacharacter but `*`, the only wildcard host permission rules know.
fn escape_glob_keep_star(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '?' | '[' | ']' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tool_rules_parse() {
        let rule = parse_tool_rule("mcp__github__get_*", List::Allow)
            .unwrap()
            .unwrap();
        assert_eq!(rule.server.as_deref(), Some("github"));
        assert_eq!(rule.tool.as_deref(), Some("get_*"));
        let rule = parse_tool_rule("mcp__puppeteer", List::Deny)
            .unwrap()
            .unwrap();
        assert_eq!(rule.tool, None);
        assert!(
            parse_tool_rule("Bash(npm run *)", List::Allow)
                .unwrap()
                .is_none()
        );
        assert_eq!(
            parse_tool_rule("mcp__*", List::Allow).unwrap_err(),
            "has a glob in the server part, which allow rules may not use"
        );
        assert_eq!(
            parse_tool_rule("mcp__db__query(sql:drop)", List::Deny).unwrap_err(),
            "has parentheses, which MCP rules in settings files may not use"
        );
    }

    #[test]
    fn copilot_tool_rules_parse() {
        let rule = parse_copilot_tool_rule("MyMCP(create_issue)", List::Allow)
            .unwrap()
            .unwrap();
        assert_eq!(rule.server.as_deref(), Some("MyMCP"));
        assert_eq!(rule.tool.as_deref(), Some("create_issue"));
        let rule = parse_copilot_tool_rule("github", List::Deny)
            .unwrap()
            .unwrap();
        assert_eq!(rule.tool, None);
        for other in [
            "Shell(git push *)",
            "Read(/src/**)",
            "Domain(api.github.com)",
            "write",
        ] {
            assert!(
                parse_copilot_tool_rule(other, List::Allow)
                    .unwrap()
                    .is_none()
            );
        }
        assert!(parse_copilot_tool_rule("mcp__github", List::Allow).is_err());
        assert!(
            parse_copilot_tool_rule("mcp__github", List::Deny)
                .unwrap()
                .is_some()
        );
        assert!(parse_copilot_tool_rule("a b(c)", List::Deny).is_err());
    }

    #[test]
    fn names_are_escaped() {
        assert_eq!(escape_glob("a*b[c]"), r"a\*b\[c\]");
    }

    #[test]
    fn copilot_url_patterns_are_canonical() {
        assert_eq!(
            canonical_url_patterns("HTTPS://Mcp.Example.COM.:443/*"),
            ["https://mcp.example.com/*", "https://mcp.example.com:443/*"]
        );
        assert_eq!(
            canonical_url_patterns("https://%65vil.example/mcp#top"),
            [
                "https://evil.example/mcp",
                "https://evil.example:443/mcp",
                "https://evil.example/mcp#*",
                "https://evil.example:443/mcp#*"
            ]
        );
        assert_eq!(
            canonical_url_patterns("http://localhost:8080"),
            ["http://localhost:8080"]
        );
        assert_eq!(percent_decode("a%2"), "a%2");
    }
}
