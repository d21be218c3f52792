//! Import of the managed-settings format that Claude Code, GitHub Copilot and VS Code read:
//! `allowedMcpServers`, `deniedMcpServers`, `allowManagedMcpServersOnly` and `permissions` rules
//! for MCP tools, taken unchanged and turned into an ordinary [`Policy`].
//!
//! The settings file is the host's format, not ours, so parsing is tolerant in the way the hosts
//! document: an invalid entry is stripped with a warning and the rest enforced; an invalid
//! `allowedMcpServers` is enforced as an empty allowlist; an invalid `allowManagedMcpServersOnly`
//! counts as `true`; an invalid `deniedMcpServers` is dropped (denying everything would block
//! servers the policy never named).

use serde_json::Value;

use crate::compile::CompiledPolicy;
use crate::diagnostic::{Diagnostic, PolicyError, parse_value};
use crate::document::{Effect, Match, Policy, Rule};
use crate::request::{Action, TransportKind};

/// Host managed settings, as far as they govern MCP servers and tools.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct HostSettings {
    /// `None` when `allowedMcpServers` is unset (everything allowed).
    allowed: Option<Vec<ServerEntry>>,
    denied: Vec<ServerEntry>,
    managed_only: bool,
    deny: Vec<ToolRule>,
    ask: Vec<ToolRule>,
    allow: Vec<ToolRule>,
    warnings: Vec<Diagnostic>,
}

#[derive(Clone, Debug, PartialEq)]
enum ServerEntry {
    Name(String),
    Url(String),
    Command(Vec<String>),
}

#[derive(Clone, Debug, PartialEq)]
struct ToolRule {
    source: String,
    /// Label pattern (star-only glob, already escaped for our dialect); `None` for any server.
    server: Option<String>,
    /// Tool pattern; `None` for any tool.
    tool: Option<String>,
}

#[derive(Clone, Copy, PartialEq)]
enum List {
    Allow,
    Deny,
}

/// The actions a server-level allowlist governs directly; tool calls go through `permissions`.
const SERVER_ACTIONS: [Action; 5] = [
    Action::Discover,
    Action::Connect,
    Action::ListTools,
    Action::ReadResource,
    Action::GetPrompt,
];

/// The scope a host gives servers the organization itself deploys; they skip the allowlist.
pub(crate) const MANAGED_SCOPE: &str = "managed";

impl HostSettings {
    /// Reads a managed-settings document.
    ///
    /// # Errors
    ///
    /// Returns an error only when the document is not a JSON object, which hosts refuse to start
    /// with. Every other problem is a warning (see [`HostSettings::warnings`]), handled as the
    /// hosts handle it.
    pub fn from_json(bytes: &[u8]) -> Result<Self, PolicyError> {
        let value = parse_value(bytes).map_err(PolicyError::single)?;
        let Some(root) = value.as_object() else {
            return Err(PolicyError::single(Diagnostic::error(
                "",
                "managed settings must be a json object",
            )));
        };
        let mut out = Self::default();
        match root.get("allowedMcpServers") {
            None => {}
            Some(Value::Array(items)) => {
                out.allowed = Some(out.entries(items, "/allowedMcpServers", List::Allow));
            }
            Some(_) => {
                out.warnings.push(Diagnostic::warning(
                    "/allowedMcpServers",
                    "expected an array of entries; enforced as an empty allowlist",
                ));
                out.allowed = Some(Vec::new());
            }
        }
        match root.get("deniedMcpServers") {
            None => {}
            Some(Value::Array(items)) => {
                out.denied = out.entries(items, "/deniedMcpServers", List::Deny);
            }
            Some(_) => out.warnings.push(Diagnostic::warning(
                "/deniedMcpServers",
                "expected an array of entries; ignored",
            )),
        }
        match root.get("allowManagedMcpServersOnly") {
            None => {}
            Some(Value::Bool(b)) => out.managed_only = *b,
            Some(_) => {
                out.warnings.push(Diagnostic::warning(
                    "/allowManagedMcpServersOnly",
                    "expected a boolean; treated as `true`",
                ));
                out.managed_only = true;
            }
        }
        if let Some(permissions) = root.get("permissions") {
            match permissions.as_object() {
                Some(p) => {
                    out.deny = out.tool_rules(p.get("deny"), "/permissions/deny", List::Deny);
                    out.ask = out.tool_rules(p.get("ask"), "/permissions/ask", List::Deny);
                    out.allow = out.tool_rules(p.get("allow"), "/permissions/allow", List::Allow);
                }
                None => out.warnings.push(Diagnostic::warning(
                    "/permissions",
                    "expected an object; ignored",
                )),
            }
        }
        Ok(out)
    }

    /// What was stripped or reinterpreted while reading.
    pub fn warnings(&self) -> &[Diagnostic] {
        &self.warnings
    }

    /// Whether `allowManagedMcpServersOnly` is in force.
    pub fn allow_managed_only(&self) -> bool {
        self.managed_only
    }

    fn entries(&mut self, items: &[Value], base: &str, list: List) -> Vec<ServerEntry> {
        let mut out = Vec::new();
        for (i, item) in items.iter().enumerate() {
            match parse_entry(item, list) {
                Ok(entry) => out.push(entry),
                Err(why) => self.warnings.push(Diagnostic::warning(
                    format!("{base}/{i}"),
                    format!("{why}; entry ignored"),
                )),
            }
        }
        out
    }

    fn tool_rules(&mut self, value: Option<&Value>, base: &str, list: List) -> Vec<ToolRule> {
        let Some(value) = value else {
            return Vec::new();
        };
        let Some(items) = value.as_array() else {
            self.warnings.push(Diagnostic::warning(
                base,
                "expected an array of rules; ignored",
            ));
            return Vec::new();
        };
        let mut out = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let path = format!("{base}/{i}");
            let Some(text) = item.as_str() else {
                self.warnings
                    .push(Diagnostic::warning(path, "expected a string; rule ignored"));
                continue;
            };
            match parse_tool_rule(text, list) {
                Ok(Some(rule)) => out.push(rule),
                Ok(None) => {}
                Err(why) => self.warnings.push(Diagnostic::warning(
                    path,
                    format!("rule `{text}` {why}; rule ignored"),
                )),
            }
        }
        out
    }

    /// The equivalent policy document: one layer whose `lockAllowlist` is
    /// `allowManagedMcpServersOnly`.
    pub fn to_policy(&self) -> Policy {
        let mut policy = Policy::new();
        policy.lock_allowlist = self.managed_only;
        policy.default_effect = Some(if self.allowed.is_some() {
            Effect::Deny
        } else {
            Effect::Allow
        });

        for (i, entry) in self.denied.iter().enumerate() {
            policy.rules.push(
                Rule::new(format!("deniedMcpServers/{i}"), Effect::Deny)
                    .with_reason(format!(
                        "server is explicitly blocked by enterprise policy ({})",
                        entry.describe()
                    ))
                    .with_match(entry.to_match(None)),
            );
        }
        for (i, rule) in self.deny.iter().enumerate() {
            policy.rules.push(
                Rule::new(format!("permissions.deny/{i}"), Effect::Deny)
                    .with_reason(format!("tool blocked by permission rule `{}`", rule.source))
                    .with_match(rule.to_match()),
            );
        }

        // The allowlist, made type-aware: once a `serverUrl` entry exists, remote servers must
        // match a URL; once a `serverCommand` entry exists, stdio servers must match a command.
        let gate: Option<Vec<Match>> = self.allowed.as_ref().map(|entries| {
            let has_url = entries.iter().any(|e| matches!(e, ServerEntry::Url(_)));
            let has_command = entries.iter().any(|e| matches!(e, ServerEntry::Command(_)));
            let name_transport = match (has_url, has_command) {
                (false, false) => Some(None),
                (true, false) => Some(Some(vec![TransportKind::Stdio])),
                (false, true) => Some(Some(vec![
                    TransportKind::StreamableHttp,
                    TransportKind::Sse,
                ])),
                (true, true) => None,
            };
            let mut alternatives: Vec<Match> = entries
                .iter()
                .filter_map(|e| match e {
                    ServerEntry::Name(_) => name_transport.clone().map(|t| e.to_match(t)),
                    _ => Some(e.to_match(None)),
                })
                .collect();
            // The organization's own servers skip the allowlist.
            alternatives.push(Match {
                scope: Some(vec![MANAGED_SCOPE.into()]),
                ..Match::default()
            });
            alternatives
        });
        let gated = |mut rule: Rule| {
            if let Some(alternatives) = &gate {
                rule.any_of.clone_from(alternatives);
            }
            rule
        };
        policy.rules.push(gated(
            Rule::new("allowedMcpServers", Effect::Allow)
                .with_reason("server is allowed by the managed settings")
                .with_match(Match {
                    action: Some(SERVER_ACTIONS.to_vec()),
                    ..Match::default()
                }),
        ));
        for (i, rule) in self.ask.iter().enumerate() {
            policy.rules.push(gated(
                Rule::new(format!("permissions.ask/{i}"), Effect::Ask)
                    .with_reason(format!(
                        "permission rule `{}` asks for approval",
                        rule.source
                    ))
                    .with_match(rule.to_match()),
            ));
        }
        for (i, rule) in self.allow.iter().enumerate() {
            policy.rules.push(gated(
                Rule::new(format!("permissions.allow/{i}"), Effect::Allow)
                    .with_reason(format!("tool allowed by permission rule `{}`", rule.source))
                    .with_match(rule.to_match()),
            ));
        }
        // Tool calls no allow rule covers ask, as a host does in its default permission mode.
        let mut approval = gated(
            Rule::new("toolCallApproval", Effect::Ask)
                .with_reason(
                    "tool calls need approval unless a `permissions.allow` rule covers them",
                )
                .with_match(Match {
                    action: Some(vec![Action::CallTool]),
                    ..Match::default()
                }),
        );
        approval.except = self.allow.iter().map(ToolRule::to_match).collect();
        policy.rules.push(approval);
        policy
    }

    /// Imports and compiles in one step.
    ///
    /// # Errors
    ///
    /// As [`HostSettings::from_json`]; the generated policy always compiles.
    pub fn compile_json(bytes: &[u8]) -> Result<CompiledPolicy, PolicyError> {
        Self::from_json(bytes)?.to_policy().compile()
    }
}

impl ServerEntry {
    fn describe(&self) -> String {
        match self {
            Self::Name(n) => format!("serverName `{n}`"),
            Self::Url(u) => format!("serverUrl `{u}`"),
            Self::Command(c) => format!("serverCommand `{}`", c.join(" ")),
        }
    }

    fn to_match(&self, transport: Option<Vec<TransportKind>>) -> Match {
        match self {
            Self::Name(n) => Match {
                server_label: Some(vec![escape_glob(n)]),
                transport,
                ..Match::default()
            },
            Self::Url(u) => Match {
                remote_url: Some(vec![u.clone()]),
                ..Match::default()
            },
            Self::Command(c) => Match {
                command: Some(vec![c.clone()]),
                ..Match::default()
            },
        }
    }
}

impl ToolRule {
    fn to_match(&self) -> Match {
        Match {
            action: Some(vec![Action::CallTool]),
            server_label: self.server.clone().map(|s| vec![s]),
            tool: self.tool.clone().map(|t| vec![t]),
            ..Match::default()
        }
    }
}

fn parse_entry(item: &Value, list: List) -> Result<ServerEntry, String> {
    let Some(object) = item.as_object() else {
        return Err("expected an object".into());
    };
    let keys = ["serverName", "serverUrl", "serverCommand"];
    let present: Vec<&str> = keys
        .iter()
        .copied()
        .filter(|k| object.contains_key(*k))
        .collect();
    let [key] = present.as_slice() else {
        return Err(
            "an entry needs exactly one of `serverName`, `serverUrl`, `serverCommand`".into(),
        );
    };
    let value = object.get(*key).unwrap_or(&Value::Null);
    match *key {
        "serverName" => {
            let Some(name) = value.as_str() else {
                return Err("`serverName` must be a string".into());
            };
            let valid = match list {
                List::Allow => {
                    !name.is_empty()
                        && name
                            .chars()
                            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
                }
                List::Deny => !name.is_empty() && name.trim() == name,
            };
            if valid {
                Ok(ServerEntry::Name(name.to_owned()))
            } else if list == List::Allow {
                Err(format!(
                    "`serverName` `{name}` may hold only letters, digits, `-` and `_`"
                ))
            } else {
                Err(format!(
                    "`serverName` `{name}` must be non-empty without surrounding spaces"
                ))
            }
        }
        "serverUrl" => match value.as_str() {
            Some(url) if !url.is_empty() => Ok(ServerEntry::Url(url.to_owned())),
            _ => Err("`serverUrl` must be a non-empty string".into()),
        },
        _ => {
            let argv: Option<Vec<String>> = value
                .as_array()
                .and_then(|a| a.iter().map(|v| v.as_str().map(str::to_owned)).collect());
            match argv {
                Some(argv) if !argv.is_empty() => Ok(ServerEntry::Command(argv)),
                _ => Err("`serverCommand` must be a non-empty array of strings".into()),
            }
        }
    }
}

/// Parses one permission rule. `Ok(None)` for rules about other tools (`Bash`, `Read(...)`).
fn parse_tool_rule(text: &str, list: List) -> Result<Option<ToolRule>, &'static str> {
    if text == "*" {
        if list == List::Allow {
            return Err("is an unanchored glob, which allow rules may not use");
        }
        return Ok(Some(ToolRule {
            source: text.into(),
            server: None,
            tool: None,
        }));
    }
    let Some(rest) = text.strip_prefix("mcp__") else {
        return Ok(None);
    };
    if text.contains('(') {
        return Err("has parentheses, which MCP rules in settings files may not use");
    }
    let (server, tool) = match rest.split_once("__") {
        Some((server, tool)) => (server, Some(tool)),
        None => (rest, None),
    };
    if server.is_empty() || tool == Some("") {
        return Err("names no server or tool");
    }
    if server.contains('*') {
        if list == List::Allow {
            return Err("has a glob in the server part, which allow rules may not use");
        }
        // A star in the server segment may also span the tool name, so the tool part is dropped.
        let server = (server != "*").then(|| escape_glob_keep_star(server));
        return Ok(Some(ToolRule {
            source: text.into(),
            server,
            tool: None,
        }));
    }
    let tool = tool.filter(|t| *t != "*").map(escape_glob_keep_star);
    Ok(Some(ToolRule {
        source: text.into(),
        server: Some(escape_glob(server)),
        tool,
    }))
}

/// Escapes every glob metacharacter, so a host name matches literally.
fn escape_glob(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '*' | '?' | '[' | ']' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Escapes every metacharacter but `*`, the only wildcard host permission rules know.
fn escape_glob_keep_star(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '?' | '[' | ']' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tool_rules_parse() {
        let rule = parse_tool_rule("mcp__github__get_*", List::Allow)
            .unwrap()
            .unwrap();
        assert_eq!(rule.server.as_deref(), Some("github"));
        assert_eq!(rule.tool.as_deref(), Some("get_*"));
        let rule = parse_tool_rule("mcp__puppeteer", List::Deny)
            .unwrap()
            .unwrap();
        assert_eq!(rule.tool, None);
        assert!(
            parse_tool_rule("Bash(npm run *)", List::Allow)
                .unwrap()
                .is_none()
        );
        assert_eq!(
            parse_tool_rule("mcp__*", List::Allow).unwrap_err(),
            "has a glob in the server part, which allow rules may not use"
        );
        assert_eq!(
            parse_tool_rule("mcp__db__query(sql:drop)", List::Deny).unwrap_err(),
            "has parentheses, which MCP rules in settings files may not use"
        );
    }

    #[test]
    fn names_are_escaped() {
        assert_eq!(escape_glob("a*b[c]"), r"a\*b\[c\]");
    }
}
