//! The settings scopes a host ranks, and the hosts whose semantics an import follows.

use std::str::FromStr;

use crate::diagnostic::{Diagnostic, PolicyError};

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
    pub(super) fn copilot_lists(self) -> bool {
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
