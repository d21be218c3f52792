//! One audit record: who did what to which server, what the policy said and how the call ended.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

use super::{AuditError, canonical, sha256_hex};
use crate::document::Effect;
use crate::eval::Decision;
use crate::request::{Action, Principal, Request};

/// The value that [`AuditRecord::redact`] puts in place of a redacted argument.
pub const REDACTED: &str = "[redacted]";

/// One record of the trail: a policy decision or a completed call (NIST SP 800-53 AU-3: what
/// happened, when, where, its source, its outcome and who was involved).
///
/// Build one with [`AuditRecord::new`] or [`AuditRecord::from_decision`] and the `with_*`
/// methods, then hand it to [`Chain::append`](super::Chain::append).
#[non_exhaustive]
#[derive(Clone, Debug, Deserialize, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditRecord {
    /// The caller's identifier for the record (a UUID, a counter).
    pub id: String,
    /// When it happened, in UTC.
    pub time: Timestamp,
    /// A decision or a completed call.
    pub kind: RecordKind,
    /// Who asked.
    pub principal: AuditPrincipal,
    /// The MCP client (host application) that asked, as it names itself.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client: Option<String>,
    /// The client's session.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session: Option<String>,
    /// The server's registry name.
    pub server: String,
    /// The tool, for `tools/call`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool: Option<String>,
    /// The resource URI, for `resources/read`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    /// The prompt name, for `prompts/get`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prompt: Option<String>,
    /// The MCP method.
    pub action: AuditAction,
    /// What the policy said.
    pub effect: Effect,
    /// For an `ask`, what the person asked answered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approval: Option<Approval>,
    /// The rule that decided, absent when the default effect applied.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    /// The layer of that rule.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layer: Option<String>,
    /// The policy's hash, as [`Decision::policy_hash`] gives it (`sha256:<hex>`).
    pub policy_hash: String,
    /// `sha256:<hex>` of the RFC 8785 canonical JSON of the call's arguments, as they were
    /// before any redaction.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arguments_digest: Option<String>,
    /// The arguments themselves, only when the deployment records them (see
    /// [`AuditRecord::redact`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arguments: Option<Value>,
    /// How the call ended, for `call` records.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<CallOutcome>,
    /// How long the call took, in milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_ms: Option<u64>,
    /// The size of the response, in bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_bytes: Option<u64>,
}

impl AuditRecord {
    /// A record with the required fields; the rest start empty.
    pub fn new(
        id: impl Into<String>,
        time: Timestamp,
        kind: RecordKind,
        principal: AuditPrincipal,
        server: impl Into<String>,
        action: AuditAction,
        effect: Effect,
    ) -> Self {
        Self {
            id: id.into(),
            time,
            kind,
            principal,
            client: None,
            session: None,
            server: server.into(),
            tool: None,
            resource: None,
            prompt: None,
            action,
            effect,
            approval: None,
            rule: None,
            layer: None,
            policy_hash: String::new(),
            arguments_digest: None,
            arguments: None,
            outcome: None,
            duration_ms: None,
            response_bytes: None,
        }
    }

    /// The `decision` record of `request` and its `decision`: principal, server, tool, action,
    /// effect, deciding rule and layer, and policy hash.
    pub fn from_decision(
        id: impl Into<String>,
        time: Timestamp,
        request: &Request,
        decision: &Decision,
    ) -> Self {
        let mut record = Self::new(
            id,
            time,
            RecordKind::Decision,
            AuditPrincipal::from(&request.principal),
            request.server.name.clone(),
            AuditAction::from(request.action),
            decision.effect(),
        )
        .with_policy_hash(decision.policy_hash());
        record.tool = request.tool.as_ref().map(|tool| tool.name.clone());
        if let Some(by) = decision.decided_by() {
            record.rule = Some(by.rule().to_owned());
            record.layer = Some(by.layer().to_owned());
        }
        record
    }

    /// Sets the client (host application).
    pub fn with_client(mut self, client: impl Into<String>) -> Self {
        self.client = Some(client.into());
        self
    }

    /// Sets the session.
    pub fn with_session(mut self, session: impl Into<String>) -> Self {
        self.session = Some(session.into());
        self
    }

    /// Sets the tool.
    pub fn with_tool(mut self, tool: impl Into<String>) -> Self {
        self.tool = Some(tool.into());
        self
    }

    /// Sets the resource URI.
    pub fn with_resource(mut self, resource: impl Into<String>) -> Self {
        self.resource = Some(resource.into());
        self
    }

    /// Sets the prompt name.
    pub fn with_prompt(mut self, prompt: impl Into<String>) -> Self {
        self.prompt = Some(prompt.into());
        self
    }

    /// Sets the person's answer to an `ask`.
    pub fn with_approval(mut self, approval: Approval) -> Self {
        self.approval = Some(approval);
        self
    }

    /// Sets the rule and layer that decided.
    pub fn with_rule(mut self, rule: impl Into<String>, layer: impl Into<String>) -> Self {
        self.rule = Some(rule.into());
        self.layer = Some(layer.into());
        self
    }

    /// Sets the policy hash.
    pub fn with_policy_hash(mut self, policy_hash: impl Into<String>) -> Self {
        self.policy_hash = policy_hash.into();
        self
    }

    /// Records the digest of `arguments`, but not the arguments.
    pub fn with_arguments_digest(mut self, arguments: &Value) -> Self {
        self.arguments_digest = Some(arguments_digest(arguments));
        self
    }

    /// Records the arguments and their digest. Call [`AuditRecord::redact`] afterwards to hide
    /// secrets; the digest stays that of the arguments given here.
    pub fn with_arguments(mut self, arguments: Value) -> Self {
        self.arguments_digest = Some(arguments_digest(&arguments));
        self.arguments = Some(arguments);
        self
    }

    /// Replaces the value of every object member named in `keys`, at any depth of the recorded
    /// arguments, by `"[redacted]"`. The digest is left alone, so it still identifies the
    /// arguments that were really sent: whoever holds them can show they match, nobody can read
    /// them back from the trail.
    pub fn redact(mut self, keys: &[&str]) -> Self {
        if let Some(arguments) = &mut self.arguments {
            redact_value(arguments, keys);
        }
        self
    }

    /// Sets how the call ended.
    pub fn with_outcome(mut self, outcome: CallOutcome) -> Self {
        self.outcome = Some(outcome);
        self
    }

    /// Sets how long the call took.
    pub fn with_duration_ms(mut self, duration_ms: u64) -> Self {
        self.duration_ms = Some(duration_ms);
        self
    }

    /// Sets the size of the response.
    pub fn with_response_bytes(mut self, response_bytes: u64) -> Self {
        self.response_bytes = Some(response_bytes);
        self
    }

    /// The record as RFC 8785 canonical JSON (the form it takes inside a trail line).
    pub fn to_canonical_json(&self) -> String {
        canonical(self)
    }
}

/// `sha256:<hex>` of the RFC 8785 canonical JSON of `arguments`: the same for the same
/// arguments whatever their key order or formatting.
pub fn arguments_digest(arguments: &Value) -> String {
    format!("sha256:{}", sha256_hex(canonical(arguments).as_bytes()))
}

fn redact_value(value: &mut Value, keys: &[&str]) {
    match value {
        Value::Object(map) => {
            for (key, member) in map.iter_mut() {
                if keys.contains(&key.as_str()) {
                    *member = Value::String(REDACTED.to_owned());
                } else {
                    redact_value(member, keys);
                }
            }
        }
        Value::Array(items) => {
            for item in items {
                redact_value(item, keys);
            }
        }
        Value::Null | Value::Bool(_) | Value::Number(_) | Value::String(_) => {}
    }
}

/// Whether a record is a policy decision or a completed call.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, Deserialize, Eq, Hash, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum RecordKind {
    /// The policy's answer, written before the call goes ahead (or does not).
    Decision,
    /// A call that went ahead and ended, with its outcome.
    Call,
}

impl RecordKind {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Decision => "decision",
            Self::Call => "call",
        }
    }
}

/// Who asked, as the policy saw them.
#[non_exhaustive]
#[derive(Clone, Debug, Default, Deserialize, Eq, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditPrincipal {
    /// The principal's identifier.
    pub id: String,
    /// Directory groups.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<String>,
    /// Roles granted directly.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<String>,
    /// The tenant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant: Option<String>,
}

impl AuditPrincipal {
    /// A principal with no groups, roles or tenant.
    pub fn new(id: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            ..Self::default()
        }
    }
}

impl From<&Principal> for AuditPrincipal {
    fn from(principal: &Principal) -> Self {
        Self {
            id: principal.id.clone(),
            groups: principal.groups.clone(),
            roles: principal.roles.clone(),
            tenant: principal.tenant.clone(),
        }
    }
}

/// The MCP method a record is about. Policy actions that are not MCP methods (`discover`,
/// `connect`) keep the policy's name in [`AuditAction::Other`].
#[non_exhaustive]
#[derive(Clone, Debug, Eq, Hash, PartialEq)]
pub enum AuditAction {
    /// `tools/call`.
    ToolsCall,
    /// `tools/list`.
    ToolsList,
    /// `resources/read`.
    ResourcesRead,
    /// `prompts/get`.
    PromptsGet,
    /// Any other action, by name.
    Other(String),
}

impl AuditAction {
    /// The wire name.
    pub fn as_str(&self) -> &str {
        match self {
            Self::ToolsCall => "tools/call",
            Self::ToolsList => "tools/list",
            Self::ResourcesRead => "resources/read",
            Self::PromptsGet => "prompts/get",
            Self::Other(other) => other,
        }
    }
}

impl From<&str> for AuditAction {
    fn from(name: &str) -> Self {
        match name {
            "tools/call" => Self::ToolsCall,
            "tools/list" => Self::ToolsList,
            "resources/read" => Self::ResourcesRead,
            "prompts/get" => Self::PromptsGet,
            other => Self::Other(other.to_owned()),
        }
    }
}

impl From<Action> for AuditAction {
    fn from(action: Action) -> Self {
        match action {
            Action::CallTool => Self::ToolsCall,
            Action::ListTools => Self::ToolsList,
            Action::ReadResource => Self::ResourcesRead,
            Action::GetPrompt => Self::PromptsGet,
            other => Self::Other(other.as_str().to_owned()),
        }
    }
}

impl fmt::Display for AuditAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for AuditAction {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for AuditAction {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = String::deserialize(deserializer)?;
        Ok(Self::from(name.as_str()))
    }
}

/// A person's answer to an `ask`.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, Deserialize, Eq, Hash, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Approval {
    /// The person approved; the call went ahead.
    Approved,
    /// The person refused.
    Rejected,
    /// Nobody answered in time; treated as refused.
    TimedOut,
}

impl Approval {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Approved => "approved",
            Self::Rejected => "rejected",
            Self::TimedOut => "timedOut",
        }
    }
}

/// How a call ended.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, Deserialize, Eq, Hash, PartialEq, Serialize)]
#[serde(rename_all = "camelCase", tag = "status")]
pub enum CallOutcome {
    /// The server answered with a result.
    Ok,
    /// The call failed with a JSON-RPC (or transport) error code.
    Error {
        /// The error code.
        code: i64,
    },
}

/// A UTC time in RFC 3339 form, `YYYY-MM-DDTHH:MM:SS[.fraction]Z`, as the caller supplies it.
///
/// Times compare by the instant they name (a fraction of `.5` sorts after none), and print as
/// they were given.
#[derive(Clone, Debug, Eq, Hash, PartialEq)]
pub struct Timestamp {
    text: String,
    // INVARIANT: the parsed form of `text`.
    key: (u16, u8, u8, u8, u8, u8, u32),
}

impl Timestamp {
    /// Parses an RFC 3339 UTC time.
    ///
    /// # Errors
    ///
    /// When `text` is not `YYYY-MM-DDTHH:MM:SS[.fraction]Z` with a valid date and time (the
    /// offset must be `Z`; a leap second `:60` is accepted).
    pub fn new(text: &str) -> Result<Self, AuditError> {
        parse_time(text)
            .map(|key| Self {
                text: text.to_owned(),
                key,
            })
            .ok_or_else(|| {
                AuditError::time(format!(
                    "`{text}` is not an RFC 3339 UTC time (YYYY-MM-DDTHH:MM:SSZ)"
                ))
            })
    }

    /// The time as given.
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

fn parse_time(text: &str) -> Option<(u16, u8, u8, u8, u8, u8, u32)> {
    let bytes = text.as_bytes();
    let digits = |from: usize, len: usize| -> Option<u32> {
        let part = bytes.get(from..from + len)?;
        part.iter().try_fold(0_u32, |acc, b| {
            b.is_ascii_digit().then(|| acc * 10 + u32::from(b - b'0'))
        })
    };
    let separators = [(4, b'-'), (7, b'-'), (10, b'T'), (13, b':'), (16, b':')];
    if !separators
        .iter()
        .all(|&(at, sep)| bytes.get(at) == Some(&sep))
    {
        return None;
    }
    let year = u16::try_from(digits(0, 4)?).ok()?;
    let month = u8::try_from(digits(5, 2)?).ok()?;
    let day = u8::try_from(digits(8, 2)?).ok()?;
    let hour = u8::try_from(digits(11, 2)?).ok()?;
    let minute = u8::try_from(digits(14, 2)?).ok()?;
    let second = u8::try_from(digits(17, 2)?).ok()?;
    let rest = bytes.get(19..)?;
    let (fraction, tail) = match rest.split_first() {
        Some((b'.', after)) => {
            let len = after.iter().take_while(|b| b.is_ascii_digit()).count();
            if len == 0 || len > 9 {
                return None;
            }
            let mut nanos = digits(20, len)?;
            for _ in len..9 {
                nanos *= 10;
            }
            (nanos, after.get(len..)?)
        }
        _ => (0, rest),
    };
    if tail != b"Z" {
        return None;
    }
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    let valid = (1..=days).contains(&day) && hour < 24 && minute < 60 && second <= 60;
    valid.then_some((year, month, day, hour, minute, second, fraction))
}

impl PartialOrd for Timestamp {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Timestamp {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.key
            .cmp(&other.key)
            .then_with(|| self.text.cmp(&other.text))
    }
}

impl FromStr for Timestamp {
    type Err = AuditError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::new(text)
    }
}

impl TryFrom<String> for Timestamp {
    type Error = AuditError;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        Self::new(&text)
    }
}

impl AsRef<str> for Timestamp {
    fn as_ref(&self) -> &str {
        &self.text
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Self::new(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn time(text: &str) -> Timestamp {
        Timestamp::new(text).unwrap()
    }

    #[test]
    fn timestamps_parse_and_order_by_instant() {
        assert!(time("2026-12-03T10:00:00Z") < time("2026-12-03T10:00:00.5Z"));
        assert!(time("2026-12-03T10:00:00.5Z") < time("2026-12-03T10:00:01Z"));
        assert!(time("2024-02-29T23:59:60Z") < time("2024-03-01T00:00:00Z"));
        for bad in [
            "2026-12-03T10:00:00",
            "2026-12-03T10:00:00+01:00",
            "2026-12-03 10:00:00Z",
            "2026-13-03T10:00:00Z",
            "2025-02-29T10:00:00Z",
            "2026-12-03T24:00:00Z",
            "2026-12-03T10:00:00.Z",
            "2026-12-03T10:00:00.1234567890Z",
            "２０２６-12-03T10:00:00Z",
            "",
        ] {
            assert!(Timestamp::new(bad).is_err(), "{bad}");
        }
        assert_eq!(
            Timestamp::new("yesterday").unwrap_err().to_string(),
            "invalid time: `yesterday` is not an RFC 3339 UTC time (YYYY-MM-DDTHH:MM:SSZ)"
        );
    }

    #[test]
    fn redaction_reaches_every_depth_and_keeps_the_digest_of_the_real_arguments() {
        let arguments = json!({
            "path": "/tmp/x",
            "token": "hunter2",
            "nested": [{ "token": "again", "keep": 1 }, { "deeper": { "password": "p" } }]
        });
        let digest = arguments_digest(&arguments);
        let record = AuditRecord::new(
            "1",
            time("2026-12-03T10:00:00Z"),
            RecordKind::Call,
            AuditPrincipal::new("alice"),
            "io.github.acme/files",
            AuditAction::ToolsCall,
            Effect::Allow,
        )
        .with_arguments(arguments)
        .redact(&["token", "password"]);
        assert_eq!(record.arguments_digest.as_deref(), Some(digest.as_str()));
        assert_eq!(
            record.arguments,
            Some(json!({
                "path": "/tmp/x",
                "token": "[redacted]",
                "nested": [{ "token": "[redacted]", "keep": 1 },
                           { "deeper": { "password": "[redacted]" } }]
            }))
        );
        assert!(!record.to_canonical_json().contains("hunter2"));
    }

    #[test]
    fn argument_digests_ignore_key_order_and_formatting() {
        let a: Value =
            serde_json::from_str(r#"{"b": [1, 2.0, "é"], "a": {"y": null, "x": true}}"#).unwrap();
        let b: Value =
            serde_json::from_str(r#"{"a":{"x":true,"y":null},"b":[1,2,"\u00e9"]}"#).unwrap();
        assert_eq!(arguments_digest(&a), arguments_digest(&b));
        // A known answer: SHA-256 of `{"a":{"x":true,"y":null},"b":[1,2,"é"]}`.
        assert_eq!(
            arguments_digest(&a),
            format!(
                "sha256:{}",
                sha256_hex(r#"{"a":{"x":true,"y":null},"b":[1,2,"é"]}"#.as_bytes())
            )
        );
    }

    #[test]
    fn actions_map_to_mcp_methods() {
        assert_eq!(AuditAction::from(Action::CallTool).as_str(), "tools/call");
        assert_eq!(AuditAction::from(Action::ListTools).as_str(), "tools/list");
        assert_eq!(
            AuditAction::from(Action::ReadResource).as_str(),
            "resources/read"
        );
        assert_eq!(AuditAction::from(Action::GetPrompt).as_str(), "prompts/get");
        assert_eq!(AuditAction::from(Action::Connect).as_str(), "connect");
        assert_eq!(AuditAction::from("prompts/get"), AuditAction::PromptsGet);
    }
}
