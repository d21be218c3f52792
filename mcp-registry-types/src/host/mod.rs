//! MCP host config files: write a [`Plan`](crate::plan::Plan) into the file a host (Claude
//! Desktop, Claude Code, VS Code, Cursor, Gemini CLI, Codex) reads its servers from, and read
//! such a file back.
//!
//! This module is pure, like [`plan`](crate::plan): strings in, strings out, no file system and
//! no environment. A client reads the file, calls [`merge`] (or [`export`] for a new file) and
//! writes the result; or calls [`import`] to list what a file holds.
//!
//! ```
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use mcp_registry_types::ServerJson;
//! use mcp_registry_types::host::{self, ExportOptions, Host};
//! use mcp_registry_types::plan::{self, Answers, Target};
//!
//! let server: ServerJson = r#"{
//!     "name": "io.github.acme/weather", "description": "Forecasts", "version": "1.0.0",
//!     "packages": [{
//!         "registryType": "npm", "identifier": "@acme/weather", "version": "1.0.0",
//!         "transport": {"type": "stdio"},
//!         "environmentVariables": [{"name": "API_KEY", "isRequired": true, "isSecret": true}]
//!     }]
//! }"#.parse()?;
//! let plan = plan::plan_for_export(&server, Target::Package(0), &Answers::new())?;
//! let file = host::merge(Host::ClaudeCode, "{}", "weather", &plan, &ExportOptions::new())?;
//! assert_eq!(file, r#"{
//!   "mcpServers": {
//!     "weather": {
//!       "type": "stdio",
//!       "command": "npx",
//!       "args": [
//!         "-y",
//!         "@acme/weather@1.0.0"
//!       ],
//!       "env": {
//!         "API_KEY": "${API_KEY}"
//!       }
//!     }
//!   }
//! }
//! "#);
//! let servers = host::import(Host::ClaudeCode, &file)?;
//! assert_eq!(servers[0].references()[0].name(), "API_KEY");
//! # Ok(())
//! # }
//! ```
//!
//! # Hosts
//!
//! | host | file | stdio | streamable HTTP | SSE | a secret is written as |
//! |---|---|---|---|---|---|
//! | `claude-desktop` | `claude_desktop_config.json` | `command`, `args`, `env` | only through the `mcp-remote` bridge ([`ExportOptions::with_stdio_bridge`]) | same | nothing: refused, or a `<set NAME>` placeholder ([`ExportOptions::with_placeholder_secrets`]) |
//! | `claude-code` | `.mcp.json` | `"type": "stdio"` | `"type": "http"`, `url`, `headers` | `"type": "sse"` | `${NAME}` |
//! | `vscode` | `.vscode/mcp.json` | `"type": "stdio"` | `"type": "http"` | `"type": "sse"` | `${input:ID}`, with a `promptString` input, `"password": true` |
//! | `cursor` | `.cursor/mcp.json` | `command`, `args`, `env` | `url`, `headers` (no `type`: Cursor finds the transport) | same | `${env:NAME}` |
//! | `gemini` | `.gemini/settings.json` | `command`, `args`, `env` | `httpUrl`, `headers` | `url`, `headers` | `${NAME}` |
//! | `codex` | `~/.codex/config.toml` | `command`, `args`, `env`, `env_vars` | `url`, `http_headers`, `env_http_headers`, `bearer_token_env_var` | refused | an environment variable forwarded by name |
//!
//! Where each rule comes from:
//!
//! - Claude Desktop: <https://modelcontextprotocol.io/quickstart/user>; it passes `env` values
//!   as written, expanding nothing, so no secret can be referenced. The bridge is `npx -y
//!   mcp-remote URL [--transport sse-only|http-only] [--header "Name: value"]…`, per
//!   <https://github.com/geelen/mcp-remote> (README, "Flags").
//! - Claude Code: <https://docs.anthropic.com/en/docs/claude-code/mcp> ("Environment variable
//!   expansion in `.mcp.json`": `${VAR}` and `${VAR:-default}` in `command`, `args`, `env`,
//!   `url` and `headers`).
//! - VS Code: <https://code.visualstudio.com/docs/copilot/reference/mcp-configuration>
//!   (`servers`, `inputs`, `${input:id}`, `${env:NAME}`).
//! - Cursor: <https://docs.cursor.com/context/model-context-protocol> (`mcpServers`, `url`,
//!   `headers`, and `${env:NAME}` interpolation in `command`, `args`, `env`, `url` and
//!   `headers`).
//! - Gemini CLI: <https://geminicli.com/docs/tools/mcp-server> (`httpUrl` for streamable HTTP,
//!   `url` for SSE, `headers`; `$VAR_NAME` or `${VAR_NAME}` in `env`) and
//!   <https://geminicli.com/docs/cli/configuration> (string values of `settings.json` may
//!   reference environment variables).
//! - Codex: <https://developers.openai.com/codex/mcp> and
//!   <https://github.com/openai/codex/blob/main/docs/config.md> (`[mcp_servers.NAME]`;
//!   `env_vars` forwards variables from the user's environment under the same name; remote
//!   servers are streamable HTTP only).
//!
//! # Export rules
//!
//! - **Secrets are never written**, whether or not the plan holds their values: each
//!   [`Part::Secret`](crate::plan::Part::Secret) becomes a reference. `NAME` is the secret's
//!   key made an environment variable name (upper case, every other character than a letter or
//!   digit made `_`: `api-token` → `API_TOKEN`). A VS Code input ID is the key made a slug,
//!   prefixed with the entry's key unless it already starts with it (`github` and `GITHUB_TOKEN`
//!   → `github-token`; `weather` and `API_KEY` → `weather-api-key`).
//! - **Claude Desktop**: a secret is refused ([`ExportError::SecretNotExpressible`] names every
//!   one) unless [`ExportOptions::with_placeholder_secrets`], which writes `<set NAME>` where the
//!   secret goes: an obvious gap for the user to fill, which the server would otherwise receive
//!   as its value. A remote is refused unless [`ExportOptions::with_stdio_bridge`].
//! - **Codex** forwards whole variables, so an environment variable whose value mixes text and
//!   secrets, a secret in an argument or in a URL, and a header other than `Authorization:
//!   Bearer {secret}`, exactly one secret or plain text are refused. An environment variable
//!   whose value is one secret is forwarded under its own name (`env_vars`): the user sets the
//!   variable the server reads, whatever the secret's key (moving `"GITHUB_PERSONAL_ACCESS_TOKEN":
//!   "${GITHUB_TOKEN}"` from Claude Code forwards `GITHUB_PERSONAL_ACCESS_TOKEN`).
//! - **Refused for every host**: an MCP bundle ([`ExportError::Bundle`] names its URL and
//!   SHA-256: no host config can reference one) and a package that serves HTTP (a host entry
//!   either launches a process or connects to a URL, never both).
//! - Empty `args`, `env` and `headers` are left out. JSON is written with 2-space indents and a
//!   final newline.
//!
//! # Merge rules
//!
//! [`merge`] replaces the entry of the same key in place, or adds it at the end, and keeps every
//! other entry and top-level setting in order. A JSON file that is not an object, or whose
//! server table is not an object, is refused ([`ExportError::NotAnObject`]), and so is JSON with
//! comments (VS Code reads JSONC; write it back as plain JSON first) rather than dropping them.
//! VS Code `inputs` are merged by `id` (inputs only the replaced entry used are left in place).
//! JSON files are written back pretty-printed, keys in their order. A Codex file is edited with
//! `toml_edit`, so its comments and layout survive; a replaced entry keeps its place and the
//! comments above it.
//!
//! # Import
//!
//! [`import`] lists each entry as an [`ImportedServer`], every value kept as written; [`detect`]
//! guesses the host from a file's shape and [`Host::from_path_hint`] from its path. An imported
//! server lists its [`references`](ImportedServer::references), the values written
//! [in clear](ImportedServer::clear_text_secrets), the
//! [package](ImportedServer::package) it runs, and turns back into a plan with
//! [`to_plan`](ImportedServer::to_plan), to export it to another host.

mod codex;
mod error;
mod export;
mod import;
mod json;
mod syntax;

use std::fmt;
use std::str::FromStr;

pub use crate::host::error::{ExpandError, ExportError, ImportError, UnknownHost};
pub use crate::host::export::{ExportOptions, export, merge};
pub use crate::host::import::{
    ClearText, Endpoint, ImportedPackage, ImportedServer, detect, import, looks_like_secret,
};
pub use crate::host::syntax::{HostReference, ReferenceKind};

/// An MCP host: an application that reads MCP servers from a config file.
///
/// Non-exhaustive: more hosts will come.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, Eq, Hash, Ord, PartialEq, PartialOrd)]
pub enum Host {
    /// Claude Desktop (`claude_desktop_config.json`).
    ClaudeDesktop,
    /// Claude Code (`.mcp.json`).
    ClaudeCode,
    /// Visual Studio Code (`.vscode/mcp.json`).
    VsCode,
    /// Cursor (`.cursor/mcp.json`).
    Cursor,
    /// Gemini CLI (`.gemini/settings.json`).
    Gemini,
    /// Codex, the coding agent (`~/.codex/config.toml`).
    Codex,
}

impl Host {
    /// Every host, in the order of the [module table](self#hosts).
    pub const ALL: [Self; 6] = [
        Self::ClaudeDesktop,
        Self::ClaudeCode,
        Self::VsCode,
        Self::Cursor,
        Self::Gemini,
        Self::Codex,
    ];

    /// The command-line spelling: `claude-desktop`, `claude-code`, `vscode`, `cursor`,
    /// `gemini`, `codex`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ClaudeDesktop => "claude-desktop",
            Self::ClaudeCode => "claude-code",
            Self::VsCode => "vscode",
            Self::Cursor => "cursor",
            Self::Gemini => "gemini",
            Self::Codex => "codex",
        }
    }

    /// The config file's name.
    pub fn default_file_name(self) -> &'static str {
        match self {
            Self::ClaudeDesktop => "claude_desktop_config.json",
            Self::ClaudeCode => ".mcp.json",
            Self::VsCode | Self::Cursor => "mcp.json",
            Self::Gemini => "settings.json",
            Self::Codex => "config.toml",
        }
    }

    /// Where the host usually looks for the file, for documentation and help text (`~` is the
    /// home directory, `%APPDATA%` the Windows one). This module never reads them.
    pub fn usual_locations(self) -> &'static [&'static str] {
        match self {
            Self::ClaudeDesktop => &[
                "~/Library/Application Support/Claude/claude_desktop_config.json",
                "%APPDATA%\\Claude\\claude_desktop_config.json",
                "~/.config/Claude/claude_desktop_config.json",
            ],
            Self::ClaudeCode => &[".mcp.json (project)", "~/.claude.json (user)"],
            Self::VsCode => &[
                ".vscode/mcp.json (workspace)",
                "the user profile's mcp.json",
            ],
            Self::Cursor => &[".cursor/mcp.json (project)", "~/.cursor/mcp.json (global)"],
            Self::Gemini => &[
                ".gemini/settings.json (project)",
                "~/.gemini/settings.json (user)",
            ],
            Self::Codex => &[
                "~/.codex/config.toml",
                ".codex/config.toml (trusted project)",
            ],
        }
    }

    /// The host a file is for, from its path or name: `claude_desktop_config.json`,
    /// `.mcp.json`, `.vscode/mcp.json`, `.cursor/mcp.json`, `.gemini/settings.json` or
    /// `settings.json`, `config.toml`. A bare `mcp.json` is ambiguous (VS Code or Cursor):
    /// `None`, as for any other name. Both `/` and `\` separate folders.
    ///
    /// ```
    /// use mcp_registry_types::host::Host;
    ///
    /// assert_eq!(Host::from_path_hint("proj/.cursor/mcp.json"), Some(Host::Cursor));
    /// assert_eq!(Host::from_path_hint("mcp.json"), None);
    /// ```
    pub fn from_path_hint(path: &str) -> Option<Self> {
        let mut parts = path.rsplit(['/', '\\']);
        let name = parts.next()?;
        let parent = parts.next().unwrap_or("");
        match name {
            "claude_desktop_config.json" => Some(Self::ClaudeDesktop),
            ".mcp.json" | ".claude.json" => Some(Self::ClaudeCode),
            "mcp.json" if parent == ".vscode" || parent == "User" => Some(Self::VsCode),
            "mcp.json" if parent == ".cursor" => Some(Self::Cursor),
            "settings.json" if parent == ".gemini" || parent.is_empty() => Some(Self::Gemini),
            "config.toml" if parent == ".codex" || parent.is_empty() => Some(Self::Codex),
            _ => None,
        }
    }

    /// Whether the file is TOML (Codex) rather than JSON.
    fn is_toml(self) -> bool {
        self == Self::Codex
    }
}

impl fmt::Display for Host {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Host {
    type Err = UnknownHost;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|host| host.as_str() == s)
            .ok_or_else(|| UnknownHost(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_names_round_trip() {
        for host in Host::ALL {
            assert_eq!(host.to_string().parse::<Host>(), Ok(host));
        }
        assert_eq!(
            "vs-code".parse::<Host>().unwrap_err().to_string(),
            "unknown host `vs-code`: expected one of claude-desktop, claude-code, vscode, \
             cursor, gemini, codex"
        );
    }

    #[test]
    fn host_from_path_hints() {
        assert_eq!(
            Host::from_path_hint(
                "C:\\Users\\me\\AppData\\Roaming\\Claude\\claude_desktop_config.json"
            ),
            Some(Host::ClaudeDesktop)
        );
        assert_eq!(Host::from_path_hint(".mcp.json"), Some(Host::ClaudeCode));
        assert_eq!(
            Host::from_path_hint("a/.vscode/mcp.json"),
            Some(Host::VsCode)
        );
        assert_eq!(
            Host::from_path_hint("/home/me/.gemini/settings.json"),
            Some(Host::Gemini)
        );
        assert_eq!(
            Host::from_path_hint("/home/me/.codex/config.toml"),
            Some(Host::Codex)
        );
        assert_eq!(Host::from_path_hint("other/config.toml"), None);
        assert_eq!(Host::from_path_hint(""), None);
    }
}
