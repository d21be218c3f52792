//! A reference MCP gateway: an MCP server to the host, an MCP client to each upstream, the
//! policy deciding every call and the audit trail recording it.
//!
//! [`Gateway`] is an `rmcp` server handler. Serve it over stdio ([`Gateway::serve_stdio`]) or
//! over any transport `rmcp` accepts (the tests use an in-process `tokio::io::duplex`). It
//! starts each stdio server of a host config file (a Claude Code `.mcp.json`, read with
//! [`mcp_registry_types::host::import`]) as a child process, program and arguments without a
//! shell ([`Upstream`]), and connects to it as an `rmcp` client.
//!
//! # What the host sees
//!
//! - **`tools/list`** is the union of the upstreams' tools, each named `KEY__TOOL`, where `KEY`
//!   is the upstream's key in the file. For each upstream the policy first decides `listTools`
//!   (a deny hides all of its tools); then each tool is judged as a `callTool` of the calling
//!   principal would be, without arguments: a deny hides it, an ask keeps it with
//!   [`NEEDS_APPROVAL`] before its description. The listing is a courtesy, never enforcement.
//! - **`tools/call`** is decided again when it arrives, from the upstream's current tool
//!   definition: the policy sees the upstream's key as the server's name and label, its command
//!   line and environment, the upstream's tool name and its annotations, and the time. The
//!   record carries the SHA-256 of the arguments' canonical JSON
//!   ([`mcp_policy::audit::arguments_digest`]).
//!   - A **deny** is an MCP error ([`DENIED`]) whose message names the rule, its reasons and
//!     what would allow the call, with the full explanation in the error's data.
//!   - An **ask** goes to the [`Approver`] with the [`PendingCall`], bound to its argument
//!     digest; only `true` forwards exactly those arguments. A refusal is an MCP error
//!     ([`NOT_APPROVED`]).
//!   - An **allow** forwards the call to the upstream and returns its answer.
//!
//! # The audit trail
//!
//! Every decision (each upstream's `listTools`, each `callTool`, with the person's answer to
//! an ask) and every completed call (its outcome, duration and response size) is written
//! through [`crate::audit::writer::AuditWriter`] *before* the call is forwarded or answered.
//! When a record cannot be written the call fails closed: it is neither forwarded nor answered
//! with a result. [`Gateway::close`] writes the final signed checkpoint.
//!
//! # Identity
//!
//! On stdio the principal is the operating-system user ([`os_user`]), fixed for the gateway's
//! life and passed to [`Gateway::start`].
//!
//! # On the command line
//!
//! `mcp-registry gateway --upstreams FILE --policy FILE --audit FILE --audit-key FILE --stdio`
//! ([`command`]).

mod approval;
pub mod command;
mod elicit;
mod handler;
mod http;
mod identity;
mod quota;
mod upstream;

// Public API
pub use approval::{Approver, PendingCall, RefuseAll, TerminalApprover};
pub use elicit::{ELICITATION_TIMEOUT, question};
pub use handler::{DENIED, Gateway, GatewayError, GatewayOptions, NEEDS_APPROVAL, NOT_APPROVED};
pub use http::{DEFAULT_MAX_BODY_BYTES, HttpOptions, MCP_PATH, serve_http};
pub use identity::{Identities, IdentityError, Unauthorized};
pub use quota::{CounterStore, MemoryCounters};
pub use upstream::{RemoteInUse, SEPARATOR, TOOLS_MAX_AGE, Upstream, UpstreamError};

/// The operating-system user, from `USER` (Unix) or `USERNAME` (Windows): the principal of a
/// stdio session. `None` when neither is set or both are empty.
pub fn os_user() -> Option<String> {
    ["USER", "USERNAME"]
        .into_iter()
        .filter_map(|name| std::env::var(name).ok())
        .find(|value| !value.is_empty())
}
