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
    let quoted = quote(&arguments);
    let mut shown: String = quoted.chars().take(SHOWN_ARGUMENTS).collect();
    if quoted.chars().nth(SHOWN_ARGUMENTS).is_some() {
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

#[cfg(test)]
mod tests {
    use mcp_policy::Principal;
    use serde_json::json;

    use super::*;

    #[test]
    fn the_question_is_safe_to_show_and_bounded() {
        let pending = PendingCall::new(
            Principal::new("al\u{1b}]0;x\u{7}ice"),
            "files",
            "delete_all",
            json!({ "path": "/tmp/\u{202e}gpj.exe", "pad": "y".repeat(5_000) }),
        )
        .with_reasons(Some("confirm".to_owned()), vec!["needs a yes".to_owned()]);
        let question = question(&pending);
        assert!(question.starts_with("Approve? al\\u{1b}]0;x\\u{7}ice calls delete_all on files"));
        assert!(question.contains("(rule `confirm`: needs a yes)"));
        assert!(question.contains(&pending.arguments_digest));
        assert!(question.contains("\\u{202e}"), "{question}");
        assert!(!question.chars().any(|c| c == '\u{1b}' || c == '\u{202e}'));
        assert!(question.ends_with(" …"));
        assert!(question.len() < 2_400);
    }
}
