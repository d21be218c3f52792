//! What an import of settings files holds: each file's lists and rules, as read.

use super::scope::{HostFlavour, SettingsScope};
use crate::diagnostic::Diagnostic;
use crate::request::Action;

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
    pub(super) flavour: HostFlavour,
    /// Highest rank first, one per scope.
    pub(super) files: Vec<SettingsFile>,
    pub(super) warnings: Vec<Diagnostic>,
}

/// One settings file, read according to the flavour.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct SettingsFile {
    pub(super) scope: SettingsScope,
    /// `None` when `allowedMcpServers` is unset.
    pub(super) allowed: Option<Vec<ServerEntry>>,
    pub(super) denied: Vec<ServerEntry>,
    /// `allowManagedMcpServersOnly`, when present (an invalid value counts as `true`).
    pub(super) managed_servers_only: Option<bool>,
    /// `allowManagedPermissionRulesOnly`, when present (an invalid value counts as `true`).
    pub(super) managed_rules_only: Option<bool>,
    pub(super) deny: Vec<ToolRule>,
    pub(super) ask: Vec<ToolRule>,
    pub(super) allow: Vec<ToolRule>,
    /// Whether `permissions.allow` is present: under Copilot a file that declares an allow list
    /// restricts what the others allow.
    pub(super) allow_declared: bool,
    /// VS Code's `chat.mcp.access`.
    pub(super) mcp_access: Option<McpAccess>,
    /// VS Code's `chat.mcp.gallery.serviceUrl`.
    pub(super) gallery: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub(super) enum ServerEntry {
    Name(String),
    Url(String),
    Command(Vec<String>),
}

#[derive(Clone, Debug, PartialEq)]
pub(super) struct ToolRule {
    pub(super) source: String,
    /// Label pattern (star-only glob, already escaped for our dialect); `None` for any server.
    pub(super) server: Option<String>,
    /// Tool pattern; `None` for any tool.
    pub(super) tool: Option<String>,
}

/// VS Code's `chat.mcp.access`, most restrictive first.
#[derive(Clone, Copy, Debug, Eq, Ord, PartialEq, PartialOrd)]
pub(super) enum McpAccess {
    None,
    Registry,
    All,
}

#[derive(Clone, Copy, PartialEq)]
pub(super) enum List {
    Allow,
    Deny,
}

/// The actions a server-level allowlist governs directly; tool calls go through `permissions`.
pub(super) const SERVER_ACTIONS: [Action; 5] = [
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
pub(super) const HOST_LAYER: &str = "host";

/// Keys that only a managed file may set (Claude Code).
pub(super) const MANAGED_ONLY_KEYS: [&str; 2] = [
    "allowManagedMcpServersOnly",
    "allowManagedPermissionRulesOnly",
];

/// Copilot's selectors for rules that are not about MCP tools, in either spelling.
pub(super) const COPILOT_OTHER_SELECTORS: [&str; 9] = [
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

/// Escapes every glob metacharacter, so a host name matches literally.
pub(super) fn escape_glob(s: &str) -> String {
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
pub(super) fn escape_glob_keep_star(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '?' | '[' | ']' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}
