//! Asking the host's user about an `ask` call through MCP elicitation.

use std::time::Duration;

use rmcp::service::{ElicitationError, ElicitationMode};
use rmcp::{Peer, RoleServer};
use schemars::JsonSchema;
use serde::Deserialize;

use super::approval::PendingCall;
use crate::safe_output::quote;

/// How long the person has to answer; no answer refuses.
pub const ELICITATION_TIMEOUT: Duration = Duration::from_mins(5);

/// How much of the arguments the question shows.
const SHOWN_ARGUMENTS: usize = 2_000;

/// The form the host shows: one yes-or-no field.
#[derive(Debug, Deserialize, JsonSchema)]
#[schemars(description = "Approve this call, with exactly the arguments shown")]
struct Answer {
    /// Whether the call may go ahead.
    approve: bool,
}

rmcp::elicit_safe!(Answer);

/// The question put to the person: who calls what, why it needs approval, and the arguments
/// (visible escapes for any control, bidi or invisible character, cut at a length a dialog
/// can show) with their digest.
pub fn question(pending: &PendingCall) -> String {
    let arguments = serde_json::to_string(&pending.arguments).unwrap_or_default();
    let mut shown: String = quote(&arguments).chars().take(SHOWN_ARGUMENTS).collect();
    if shown.len() < arguments.len() {
        shown.push_str(" …");
    }
    format!(
        "Approve? {}\nArguments: {shown}",
        quote(&pending.to_string())
    )
}

/// The person's answer through the host, or `None` when the host cannot be asked this way
/// (no form elicitation, or the protocol forbids a request to the host), so the approval hook
/// decides instead. A decline, a cancel, a malformed answer or a timeout is `Some(false)`.
pub(super) async fn ask(peer: &Peer<RoleServer>, pending: &PendingCall) -> Option<bool> {
    if !peer
        .supported_elicitation_modes()
        .contains(&ElicitationMode::Form)
    {
        return None;
    }
    match peer
        .elicit_with_timeout::<Answer>(question(pending), Some(ELICITATION_TIMEOUT))
        .await
    {
        Ok(Some(answer)) => Some(answer.approve),
        Err(ElicitationError::CapabilityNotSupported) => None,
        Ok(None) | Err(_) => Some(false),
    }
}
