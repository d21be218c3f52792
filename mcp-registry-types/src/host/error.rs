//! Why a plan cannot be written for a host, or a host's file cannot be read.

use crate::host::Host;

/// A name that is not one of [`Host::ALL`].
#[derive(Clone, Debug, Eq, PartialEq, thiserror::Error)]
#[error(
    "unknown host `{0}`: expected one of claude-desktop, claude-code, vscode, cursor, gemini, codex"
)]
pub struct UnknownHost(pub(crate) String);

impl UnknownHost {
    /// The name as given.
    pub fn name(&self) -> &str {
        &self.0
    }
}

/// Why [`export`](crate::host::export) or [`merge`](crate::host::merge) refused.
///
/// Nothing is written when an error is returned: the existing file stays as it is.
#[non_exhaustive]
#[derive(Clone, Debug, Eq, PartialEq, thiserror::Error)]
pub enum ExportError {
    /// The host cannot connect to a remote server (Claude Desktop without the bridge).
    #[error(
        "{host} cannot connect to a remote server: it only launches local (stdio) servers; \
         export with the mcp-remote bridge, or choose a package"
    )]
    #[non_exhaustive]
    RemoteNotSupported {
        /// The host.
        host: Host,
    },
    /// The host cannot connect over this transport (SSE on Codex).
    #[error("{host} cannot connect over `{transport}`: only streamable-http is supported")]
    #[non_exhaustive]
    TransportNotSupported {
        /// The host.
        host: Host,
        /// The transport, as the registry spells it.
        transport: String,
    },
    /// The plan launches a package that serves HTTP: a host entry either launches a process or
    /// connects to a URL, never both.
    #[error(
        "the package serves `{transport}` at `{url}`: a host config cannot both launch it and \
         connect to it; start it yourself and add its URL as a remote"
    )]
    #[non_exhaustive]
    LaunchAndConnect {
        /// The transport.
        transport: String,
        /// The URL, secrets shown as `<secret KEY>`.
        url: String,
    },
    /// The plan launches an MCP bundle, which no host config can reference.
    #[error(
        "cannot export an MCP bundle (`{url}`, sha256 `{sha256}`): no host config can reference \
         a bundle; download and verify it, then install it in the host"
    )]
    #[non_exhaustive]
    Bundle {
        /// The bundle's download URL.
        url: String,
        /// Its SHA-256.
        sha256: String,
    },
    /// The plan has nothing to launch and no URL to connect to.
    #[error("the plan has nothing to launch and no URL to connect to")]
    Empty,
    /// A secret cannot be written as a reference in this host's file.
    #[error(
        "{host} cannot reference the secret{} {}: {reason}",
        if keys.len() == 1 { "" } else { "s" },
        keys.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ")
    )]
    #[non_exhaustive]
    SecretNotExpressible {
        /// The host.
        host: Host,
        /// The secrets' keys, each once, in order.
        keys: Vec<String>,
        /// Why, and what to do instead.
        reason: String,
    },
    /// The existing file, or the part of it the entry goes in, is not a JSON object.
    #[error("{pointer}: not a JSON object; refusing to overwrite it", pointer = shown_pointer(.pointer))]
    #[non_exhaustive]
    NotAnObject {
        /// The JSON Pointer of the value (empty for the whole file).
        pointer: String,
    },
    /// The existing file is not JSON.
    #[error("not valid JSON (line {line}, column {column}): {message}; refusing to overwrite it")]
    #[non_exhaustive]
    Json {
        /// What the parser said.
        message: String,
        /// The line, from 1.
        line: usize,
        /// The column, from 1.
        column: usize,
    },
    /// The existing Codex file is not valid TOML, or its `mcp_servers` is not a table.
    #[error("{message}; refusing to overwrite it")]
    #[non_exhaustive]
    Toml {
        /// What is wrong, with the TOML path or line.
        message: String,
    },
}

fn shown_pointer(pointer: &str) -> &str {
    if pointer.is_empty() {
        "the file"
    } else {
        pointer
    }
}

/// Why [`import`](crate::host::import) could not read a host's file.
///
/// Each message names where the bad value is: a JSON Pointer (`/mcpServers/x/args/1`) or a TOML
/// path (`mcp_servers.x.args[1]`).
#[non_exhaustive]
#[derive(Clone, Debug, Eq, PartialEq, thiserror::Error)]
pub enum ImportError {
    /// The text is not JSON.
    #[error("not valid JSON (line {line}, column {column}): {message}")]
    #[non_exhaustive]
    Json {
        /// What the parser said.
        message: String,
        /// The line, from 1.
        line: usize,
        /// The column, from 1.
        column: usize,
    },
    /// The text is not TOML.
    #[error("not valid TOML: {message}")]
    #[non_exhaustive]
    Toml {
        /// What the parser said, with the line and column.
        message: String,
    },
    /// A value has the wrong type.
    #[error("{path}: expected {expected}")]
    #[non_exhaustive]
    WrongType {
        /// The JSON Pointer or TOML path of the value.
        path: String,
        /// What was expected (`a string`, `an array of strings`, …).
        expected: &'static str,
    },
    /// An entry has neither a command nor a URL.
    #[error("{path}: a server needs a `command` or a URL")]
    #[non_exhaustive]
    NoCommandOrUrl {
        /// The entry's JSON Pointer or TOML path.
        path: String,
    },
}

/// Why [`ImportedServer::expand`](crate::host::ImportedServer::expand) could not fill in a
/// server's references.
#[non_exhaustive]
#[derive(Clone, Debug, Eq, PartialEq, thiserror::Error)]
pub enum ExpandError {
    /// An environment variable the entry needs is not set, and the entry gives no default.
    #[error("server `{key}`: {field} refers to ${{{name}}}, which is not set")]
    #[non_exhaustive]
    Unset {
        /// The entry's key.
        key: String,
        /// Where the reference is (`env.TOKEN`, `headers.Authorization`, `args[2]`).
        field: String,
        /// The variable.
        name: String,
    },
    /// The reference is not to an environment variable (a VS Code input, a `<set NAME>`
    /// placeholder): only the host can fill it in.
    #[error("server `{key}`: {field} refers to `{name}`, which only the host can fill in")]
    #[non_exhaustive]
    NotEnv {
        /// The entry's key.
        key: String,
        /// Where the reference is.
        field: String,
        /// What it names.
        name: String,
    },
}
