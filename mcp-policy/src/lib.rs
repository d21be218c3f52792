//! A pure, explainable governance evaluator for MCP servers and tools.
//!
//! The registry says what exists; this crate decides what a given person may use, and says why in
//! a record an auditor can read. A host or gateway compiles a [`Policy`] once, shares the
//! [`CompiledPolicy`] as `Arc<CompiledPolicy>`, and calls [`CompiledPolicy::evaluate`] on every
//! discovery, connection and tool call. Evaluation is pure: no I/O, no clock, no randomness and
//! no global state. The caller passes the time and usage counters in the [`Request`].
//!
//! - **Requests** name a [`Principal`], an [`Action`], [`ServerFacts`], an optional
//!   [`ToolFacts`], the configuration scope, the time and [`Usage`] counters.
//!   [`ServerFacts::from_server_json`] and [`ServerFacts::from_response`] build the server facts
//!   from `mcp-registry-types` values; they do not validate, and a caller that does records the
//!   result with [`ServerFacts::with_validation_clean`].
//! - **Policies** are JSON documents of rules with `allow`, `ask` or `deny` effects, roles that
//!   inherit roles, groups that grant roles, tenants, quotas and obligations. Combining is
//!   deny > ask > allow > default (deny unless set), and a rule that cannot be evaluated denies.
//!   Layers ([`Layer`]) stack documents in the host's ranking.
//! - **Decisions** ([`Decision`]) serialize as one audit record: effect, deciding rule and layer,
//!   matched rules and clauses, reasons, obligations and the policy hash.
//!   [`CompiledPolicy::explain`] adds every rule's outcome and, for a deny, the smallest change
//!   that would allow.
//! - **Remote URLs** are judged as the client that connects reads them: the WHATWG URL Standard
//!   (the `url` crate, as Claude Code, VS Code, the MCP SDKs, browsers and `reqwest` parse),
//!   cross-checked with Go's `net/url`, which the registry uses
//!   ([`mcp_registry_types::client_url`]). A URL either refuses, or that the two read with a
//!   different host or port, is never allowed by a URL condition: every rule that looks at it
//!   is unevaluable and denies, and the decision's reasons say which URL and why. A server with
//!   several remotes is allowed only when each remote is, unless [`Request::remote`] names the
//!   one in use.
//! - **DNS rebinding.** A name is only as private as the addresses it resolves to. A gateway
//!   that resolves the remote's host before connecting passes the answers in
//!   [`Request::resolved_addresses`], and `privateNetwork` checks every one of them, so a public
//!   name that resolves to `10.0.0.7` or `169.254.169.254` is judged by the address. Connect to
//!   one of the addresses that were judged, not to the name again.
//! - **Host settings**: [`HostSettings`] imports the settings files of Claude Code, GitHub
//!   Copilot and VS Code (`allowedMcpServers`, `deniedMcpServers`, the managed-only locks,
//!   `permissions` rules for MCP tools) unchanged, a whole stack of [`SettingsScope`]s at once,
//!   merged the way the chosen [`HostFlavour`] documents.
//!
//! # Example
//!
//! ```
//! use mcp_policy::{Action, Effect, Policy, Principal, Request, ServerFacts, ToolAnnotations, ToolFacts};
//!
//! # fn main() -> Result<(), mcp_policy::PolicyError> {
//! let policy = Policy::from_json(br#"{
//!     "roles": { "developer": {}, "admin": { "inherits": ["developer"] } },
//!     "groups": { "eng": ["developer"] },
//!     "rules": [
//!         { "id": "github-for-developers", "effect": "allow",
//!           "match": { "serverName": ["io.github.github/*"], "roles": ["developer"] } },
//!         { "id": "confirm-destructive", "effect": "ask",
//!           "reason": "destructive tools need a second look",
//!           "match": { "action": ["callTool"], "toolAnnotations": { "destructive": true } },
//!           "obligations": [{ "type": "bindArgumentsDigest" }] },
//!         { "id": "no-plain-http", "effect": "deny", "match": { "httpsOnly": false } }
//!     ]
//! }"#)?;
//! let compiled = std::sync::Arc::new(policy.compile()?);
//!
//! let server = ServerFacts::new("io.github.github/github-mcp-server").with_version("1.2.0");
//! let principal = Principal::new("alice").with_group("eng");
//!
//! let list = Request::new(principal.clone(), Action::ListTools, server.clone());
//! assert_eq!(compiled.evaluate(&list).effect(), Effect::Allow);
//!
//! let delete = Request::new(principal, Action::CallTool, server)
//!     .with_tool(ToolFacts::new("delete_repository"));
//! let decision = compiled.evaluate(&delete);
//! assert_eq!(decision.effect(), Effect::Ask);
//! assert_eq!(decision.decided_by().map(|d| d.rule()), Some("confirm-destructive"));
//! println!("{}", decision.to_json());
//!
//! // A read-only tool is not destructive, so the allow stands.
//! let read = Request::new(Principal::new("bob").with_role("admin"), Action::CallTool,
//!     ServerFacts::new("io.github.github/github-mcp-server"))
//!     .with_tool(ToolFacts::new("get_issue")
//!         .with_annotations(ToolAnnotations::default().with_read_only(true).with_destructive(false)));
//! assert_eq!(compiled.evaluate(&read).effect(), Effect::Allow);
//! # Ok(())
//! # }
//! ```
//!
//! # Feature flags
//!
//! - `audit`: the audit trail ([`audit`]): records of decisions and calls, a hash chain of
//!   RFC 8785 canonical JSON lines, Ed25519-signed checkpoints and verification.
//! - `fuzzing`: the properties the fuzz targets check (`mcp_policy::fuzzing`), for the fuzz
//!   crate and this crate's tests; not a stable API, and off in every other build.
#![cfg_attr(docsrs, feature(doc_cfg))]

#[cfg(feature = "audit")]
#[cfg_attr(docsrs, doc(cfg(feature = "audit")))]
pub mod audit;
mod compile;
mod diagnostic;
mod document;
mod eval;
mod from_types;
// The fuzz targets' properties: compiled only for the fuzz crate and this crate's tests.
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing;
mod hash;
mod host;
mod matcher;
mod request;
mod url;

// Public API
pub use compile::{CompiledPolicy, Layer};
pub use diagnostic::{Diagnostic, Diagnostics, PolicyError};
pub use document::{
    AnnotationMatch, Effect, Match, Obligation, Policy, Quota, RoleSpec, Rule, TimeWindow,
};
pub use eval::{DecidedBy, Decision, Explanation, MatchedRule, Outcome, RuleTrace, Suggestion};
pub use host::{HostFlavour, HostSettings, SettingsScope};
pub use matcher::Clause;
pub use request::{
    Action, PackageFacts, Principal, RemoteFacts, Request, ServerFacts, ToolAnnotations, ToolFacts,
    Usage,
};
