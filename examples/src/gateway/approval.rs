//! The approval hook: who says yes or no to a call the policy marks `ask`.

use std::fmt;

use mcp_policy::Principal;
use serde_json::Value;

/// A call waiting for a person's answer, bound to its arguments: the gateway forwards exactly
/// [`PendingCall::arguments`], whose SHA-256 is [`PendingCall::arguments_digest`], and only when
/// [`Approver::approve`] says yes to this value.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq)]
pub struct PendingCall {
    /// Who calls.
    pub principal: Principal,
    /// The upstream's key in the upstreams file (the policy's server label).
    pub server: String,
    /// The tool's name on the upstream (without the `KEY__` prefix).
    pub tool: String,
    /// The arguments, as the caller sent them (an object; `{}` for none).
    pub arguments: Value,
    /// [`mcp_policy::audit::arguments_digest`] of [`PendingCall::arguments`]:
    /// `sha256:` and the hex digest of their RFC 8785 canonical JSON.
    pub arguments_digest: String,
    /// The rule that asked for approval, when one did.
    pub rule: Option<String>,
    /// The policy's reasons, for the person who decides.
    pub reasons: Vec<String>,
}

impl PendingCall {
    /// A pending call with its digest computed from `arguments`.
    pub fn new(
        principal: Principal,
        server: impl Into<String>,
        tool: impl Into<String>,
        arguments: Value,
    ) -> Self {
        let arguments_digest = mcp_policy::audit::arguments_digest(&arguments);
        Self {
            principal,
            server: server.into(),
            tool: tool.into(),
            arguments,
            arguments_digest,
            rule: None,
            reasons: Vec::new(),
        }
    }

    /// Sets the rule and reasons that asked for approval.
    pub fn with_reasons(mut self, rule: Option<String>, reasons: Vec<String>) -> Self {
        self.rule = rule;
        self.reasons = reasons;
        self
    }
}

impl fmt::Display for PendingCall {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} calls {} on {} with arguments {}",
            self.principal.id, self.tool, self.server, self.arguments_digest
        )?;
        if let Some(rule) = &self.rule {
            write!(f, " (rule `{rule}`")?;
            if !self.reasons.is_empty() {
                write!(f, ": {}", self.reasons.join("; "))?;
            }
            f.write_str(")")?;
        }
        Ok(())
    }
}

/// Answers calls the policy marks `ask`. The gateway runs [`Approver::approve`] on a blocking
/// thread, so an implementation may wait for a person (a terminal prompt, a chat message);
/// `true` forwards the call, `false` refuses it. Anything that cannot get an answer says `false`.
pub trait Approver: Send + Sync + 'static {
    /// Whether `call` may go ahead, with exactly these arguments.
    fn approve(&self, call: &PendingCall) -> bool;
}

/// Asks on the terminal the gateway runs in (`y` approves, anything else refuses), one
/// question at a time. Only for a gateway whose standard input is not the host's channel: the
/// HTTP front end. The question is [`crate::gateway::question`], made safe for the terminal.
#[derive(Debug, Default)]
pub struct TerminalApprover {
    turn: std::sync::Mutex<()>,
}

impl TerminalApprover {
    /// A terminal approver.
    pub fn new() -> Self {
        Self::default()
    }
}

impl Approver for TerminalApprover {
    fn approve(&self, call: &PendingCall) -> bool {
        let Ok(_turn) = self.turn.lock() else {
            return false;
        };
        inquire::Confirm::new(&super::elicit::question(call))
            .with_default(false)
            .prompt()
            .unwrap_or(false)
    }
}

/// Refuses every call that needs approval: the safe default when nobody can be asked.
#[derive(Clone, Copy, Debug, Default)]
pub struct RefuseAll;

impl Approver for RefuseAll {
    fn approve(&self, _call: &PendingCall) -> bool {
        false
    }
}

impl<F> Approver for F
where
    F: Fn(&PendingCall) -> bool + Send + Sync + 'static,
{
    fn approve(&self, call: &PendingCall) -> bool {
        self(call)
    }
}
