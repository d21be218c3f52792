//! A reference MCP gateway: an MCP server to the host, an MCP client to each upstream, the
//! policy deciding every request and the audit trail recording it.
//!
//! [`Gateway`] is an `rmcp` server handler. Serve it over stdio ([`Gateway::serve_stdio`]), over
//! streamable HTTP ([`serve_http`], mounted in `axum`), or over any transport `rmcp` accepts
//! (the tests also use an in-process `tokio::io::duplex`). It connects to each server of a host
//! config file (a Claude Code `.mcp.json`, read with [`mcp_registry_types::host::import`], its
//! `${VAR}` references filled from the environment) as an `rmcp` client ([`Upstream`]): a stdio
//! entry is started as a child process, program and arguments without a shell; a remote is
//! reached over streamable HTTP at the addresses its host name resolved to when the gateway
//! started.
//!
//! # What the host sees
//!
//! - **`tools/list`** is the union of the upstreams' tools, each named `KEY__TOOL`, where `KEY`
//!   is the upstream's key in the file ([`GatewayOptions::with_flat_names`] keeps the upstream
//!   names and hides any two upstreams share). For each upstream the policy first decides
//!   `listTools` (a deny hides all of its tools); then each tool is judged as a `callTool` of
//!   the calling principal would be, without arguments: a deny hides it, an ask keeps it with
//!   [`NEEDS_APPROVAL`] before its description. The listing is a courtesy, never enforcement.
//!   Resources and prompts are listed the same way (prompts as `KEY__PROMPT`).
//! - **`tools/call`**, **`resources/read`** and **`prompts/get`** are decided when they arrive,
//!   from the upstream's current definitions: the policy sees the upstream's key as the
//!   server's name and label, its command line and environment or its remote and the addresses
//!   that remote resolved to (`privateNetwork` judges those), the tool's name on the upstream
//!   and its annotations, the caller's quota counters ([`CounterStore`]) and the time. The
//!   record carries the SHA-256 of the arguments' canonical JSON
//!   ([`mcp_policy::audit::arguments_digest`]).
//!   - A **deny** is an MCP error ([`DENIED`]) whose message names the rule, its reasons and
//!     what would allow the request, with the full explanation in the error's data.
//!   - An **ask** goes to a person with the [`PendingCall`], bound to its argument digest: by
//!     MCP elicitation when the host supports it, otherwise to the [`Approver`]. Only a yes
//!     forwards exactly those arguments; anything else is an MCP error ([`NOT_APPROVED`]).
//!   - An **allow** forwards the request to the upstream and returns its answer.
//!
//! # Caching
//!
//! The gateway caches the upstreams' tool definitions, which do not depend on the caller, for
//! [`TOOLS_MAX_AGE`] or until the upstream says they changed. It caches no answer: a resource
//! read is sent as a plain request, past `rmcp`'s client cache, which would otherwise be shared
//! by every principal on the upstream connection.
//!
//! # The audit trail
//!
//! Every decision (each upstream's `listTools`, each call, read and get, with the person's
//! answer to an ask) and every completed request (its outcome, duration and response size) is
//! written through [`crate::audit::writer::AuditWriter`] *before* the request is forwarded or
//! answered. When a record cannot be written the request fails closed: it is neither
//! forwarded nor answered with a result. [`Gateway::close`] writes the final signed checkpoint.
//!
//! # Identity
//!
//! On stdio the principal is the operating-system user ([`os_user`]), fixed for the gateway's
//! life ([`GatewayOptions::with_principal`]). On HTTP it is the one [`Identities`] finds for
//! the request's bearer token, per request.
//!
//! # On the command line
//!
//! `mcp-registry gateway --upstreams FILE --policy FILE --audit FILE --audit-key FILE
//! (--stdio | --listen ADDR --principals FILE)` ([`command`]).

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
pub use http::{DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_SESSIONS, HttpOptions, MCP_PATH, serve_http};
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
