//! Reading one settings file the way its host does: tolerant, with a warning for each entry
//! stripped or reinterpreted.

use serde_json::{Map, Value};

use super::model::{
    COPILOT_OTHER_SELECTORS, List, MANAGED_ONLY_KEYS, McpAccess, ServerEntry, SettingsFile,
    ToolRule, escape_glob, escape_glob_keep_star,
};
use super::scope::{HostFlavour, SettingsScope};
use crate::diagnostic::{Diagnostic, parse_value};

/// Reads one file, collecting warnings with paths inside the file.
pub(super) struct Reader {
    pub(super) flavour: HostFlavour,
    pub(super) scope: SettingsScope,
    pub(super) warnings: Vec<Diagnostic>,
}

impl Reader {
    pub(super) fn warn(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.warnings.push(Diagnostic::warning(path, message));
    }

    pub(super) fn read(&mut self, bytes: &[u8]) -> Result<SettingsFile, Diagnostic> {
        let mut file = SettingsFile {
            scope: self.scope,
            allowed: None,
            denied: Vec::new(),
            managed_servers_only: None,
            managed_rules_only: None,
            deny: Vec::new(),
            ask: Vec::new(),
            allow: Vec::new(),
            allow_declared: false,
            mcp_access: None,
            gallery: None,
        };
        let value = parse_value(bytes);
        let root = match &value {
            Ok(Value::Object(root)) => root,
            Ok(_) | Err(_) if self.flavour.copilot_lists() => {
                // "If an allowlist or denylist is malformed (for example, has invalid JSON), the
                // client treats the policy as an empty `allowedMcpServers` list."
                let why = match &value {
                    Err(e) => e.message().to_owned(),
                    Ok(_) => format!("{} settings must be a json object", self.scope),
                };
                self.warn("", format!("{why}; enforced as an empty allowlist"));
                file.allowed = Some(Vec::new());
                return Ok(file);
            }
            Ok(_) => {
                return Err(Diagnostic::error(
                    "",
                    format!("{} settings must be a json object", self.scope),
                ));
            }
            Err(e) => return Err(e.clone()),
        };
        self.server_lists(root, &mut file);
        self.locks(root, &mut file);
        self.permissions(root, &mut file);
        if self.flavour == HostFlavour::VsCode {
            self.vscode(root, &mut file);
        }
        Ok(file)
    }

    pub(super) fn server_lists(&mut self, root: &Map<String, Value>, file: &mut SettingsFile) {
        let copilot = self.flavour.copilot_lists();
        match root.get("allowedMcpServers") {
            None => {}
            Some(Value::Array(items)) => {
                let (entries, malformed) = self.entries(items, "/allowedMcpServers", List::Allow);
                file.allowed = Some(if malformed { Vec::new() } else { entries });
            }
            Some(_) => {
                self.warn(
                    "/allowedMcpServers",
                    "expected an array of entries; enforced as an empty allowlist",
                );
                file.allowed = Some(Vec::new());
            }
        }
        match root.get("deniedMcpServers") {
            None => {}
            Some(Value::Array(items)) => {
                let (entries, malformed) = self.entries(items, "/deniedMcpServers", List::Deny);
                file.denied = entries;
                if malformed {
                    file.allowed = Some(Vec::new());
                }
            }
            Some(_) if copilot => {
                self.warn(
                    "/deniedMcpServers",
                    "expected an array of entries; a malformed denylist is enforced as an \
                     empty allowlist",
                );
                file.allowed = Some(Vec::new());
            }
            Some(_) => self.warn("/deniedMcpServers", "expected an array of entries; ignored"),
        }
    }

    /// The valid entries, and whether any was invalid and the flavour counts the whole list as
    /// malformed (Copilot: "If an allowlist or denylist is malformed ... the client treats the
    /// policy as an empty `allowedMcpServers` list").
    pub(super) fn entries(
        &mut self,
        items: &[Value],
        base: &str,
        list: List,
    ) -> (Vec<ServerEntry>, bool) {
        let copilot = self.flavour.copilot_lists();
        let mut out = Vec::new();
        let mut malformed = false;
        for (i, item) in items.iter().enumerate() {
            match parse_entry(item, list) {
                Ok(entry) => out.push(entry),
                Err(why) if copilot => {
                    malformed = true;
                    self.warn(
                        format!("{base}/{i}"),
                        format!("{why}; the list is malformed, enforced as an empty allowlist"),
                    );
                }
                Err(why) => self.warn(format!("{base}/{i}"), format!("{why}; entry ignored")),
            }
        }
        (out, malformed)
    }

    pub(super) fn locks(&mut self, root: &Map<String, Value>, file: &mut SettingsFile) {
        for key in MANAGED_ONLY_KEYS {
            let Some(value) = root.get(key) else {
                continue;
            };
            let path = format!("/{key}");
            if self.flavour.copilot_lists() {
                self.warn(
                    path,
                    format!(
                        "a claude code setting, which {} does not read; ignored",
                        self.flavour
                    ),
                );
                continue;
            }
            if self.scope != SettingsScope::Managed {
                self.warn(
                    path,
                    "takes effect only in managed settings; ignored in this file",
                );
                continue;
            }
            let set = if let Value::Bool(b) = value {
                *b
            } else {
                self.warn(path, "expected a boolean; treated as `true`");
                true
            };
            if key == "allowManagedMcpServersOnly" {
                file.managed_servers_only = Some(set);
            } else {
                file.managed_rules_only = Some(set);
            }
        }
    }

    pub(super) fn permissions(&mut self, root: &Map<String, Value>, file: &mut SettingsFile) {
        let Some(permissions) = root.get("permissions") else {
            return;
        };
        let Some(p) = permissions.as_object() else {
            self.warn("/permissions", "expected an object; ignored");
            return;
        };
        if self.flavour == HostFlavour::VsCode {
            for key in ["deny", "ask", "allow"] {
                if p.contains_key(key) {
                    self.warn(
                        format!("/permissions/{key}"),
                        "vs code does not read permission rules; ignored",
                    );
                }
            }
            return;
        }
        file.deny = self.tool_rules(p.get("deny"), "/permissions/deny", List::Deny);
        file.ask = self.tool_rules(p.get("ask"), "/permissions/ask", List::Deny);
        file.allow = self.tool_rules(p.get("allow"), "/permissions/allow", List::Allow);
        file.allow_declared = p.get("allow").is_some_and(Value::is_array);
    }

    pub(super) fn tool_rules(
        &mut self,
        value: Option<&Value>,
        base: &str,
        list: List,
    ) -> Vec<ToolRule> {
        let Some(value) = value else {
            return Vec::new();
        };
        let Some(items) = value.as_array() else {
            self.warn(base, "expected an array of rules; ignored");
            return Vec::new();
        };
        let mut out = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let path = format!("{base}/{i}");
            let Some(text) = item.as_str() else {
                self.warn(path, "expected a string; rule ignored");
                continue;
            };
            let parsed = match self.flavour {
                HostFlavour::Copilot => parse_copilot_tool_rule(text, list),
                _ => parse_tool_rule(text, list),
            };
            match parsed {
                Ok(Some(rule)) => out.push(rule),
                Ok(None) => {}
                Err(why) => self.warn(path, format!("rule `{text}` {why}; rule ignored")),
            }
        }
        out
    }

    pub(super) fn vscode(&mut self, root: &Map<String, Value>, file: &mut SettingsFile) {
        for key in ["chat.mcp.access", "ChatMCP"] {
            let Some(value) = root.get(key) else {
                continue;
            };
            let access = match value.as_str() {
                Some("none" | "off") => McpAccess::None,
                Some("registry" | "registryOnly") => McpAccess::Registry,
                Some("all" | "allowed") => McpAccess::All,
                _ => {
                    self.warn(
                        format!("/{key}"),
                        "expected `none`, `registry` or `all`; treated as `none`",
                    );
                    McpAccess::None
                }
            };
            file.mcp_access = Some(file.mcp_access.map_or(access, |a| a.min(access)));
        }
        for key in ["chat.mcp.gallery.serviceUrl", "McpGalleryServiceUrl"] {
            match root.get(key) {
                None => {}
                Some(Value::String(url)) if !url.is_empty() => {
                    // Unreadable, it names no registry: `registry` access then admits nothing.
                    match mcp_registry_types::client_url::ClientUrl::parse(url) {
                        Ok(_) => file.gallery = Some(url.clone()),
                        Err(why) => self.warn(format!("/{key}"), format!("{why}; ignored")),
                    }
                }
                Some(_) => self.warn(format!("/{key}"), "expected a url; ignored"),
            }
        }
    }
}

pub(super) fn parse_entry(item: &Value, list: List) -> Result<ServerEntry, String> {
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
            // A pattern whose host or port no URL can have (`https://a b/*`, `https://h:x/*`)
            // matches no server a client can reach: dropping it from an allowlist narrows it,
            // and from a denylist loses nothing.
            Some(url) if !url.is_empty() => match crate::url::UrlPattern::new(url) {
                Ok(_) => Ok(ServerEntry::Url(url.to_owned())),
                Err(why) => Err(format!(
                    "`serverUrl` `{url}` matches no reachable url: {why}"
                )),
            },
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

/// Parses one Claude Code permission rule. `Ok(None)` for rules about other tools (`Bash`,
/// `Read(...)`).
pub(super) fn parse_tool_rule(text: &str, list: List) -> Result<Option<ToolRule>, &'static str> {
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

/// Parses one Copilot permission rule. Copilot names an MCP tool `SERVER(tool)` and a whole
/// server `SERVER` (the tool permission patterns of Copilot CLI); `Shell(...)`, `Read(...)` and
/// the other documented selectors are about other tools (`Ok(None)`). A rule in Claude Code's
/// `mcp__server__tool` form is not Copilot's, and Copilot's documentation is silent on it, so it
/// is read only where it can restrict (deny and ask) and refused where it would allow.
pub(super) fn parse_copilot_tool_rule(
    text: &str,
    list: List,
) -> Result<Option<ToolRule>, &'static str> {
    if text.starts_with("mcp__") || text == "*" {
        if list == List::Allow {
            return Err("is claude code syntax, which copilot does not document for allow rules");
        }
        return parse_tool_rule(text, list);
    }
    let (server, tool) = match text.split_once('(') {
        Some((server, rest)) => match rest.strip_suffix(')') {
            Some(tool) if !tool.is_empty() && !tool.contains(['(', ')']) => (server, Some(tool)),
            _ => return Err("is not a `SERVER(tool)` pattern"),
        },
        None => (text, None),
    };
    let other = COPILOT_OTHER_SELECTORS
        .iter()
        .any(|s| s.eq_ignore_ascii_case(server));
    if other {
        return Ok(None);
    }
    let valid = !server.is_empty()
        && server
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if !valid {
        return Err("names no mcp server");
    }
    Ok(Some(ToolRule {
        source: text.into(),
        server: Some(escape_glob(server)),
        tool: tool.map(escape_glob),
    }))
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
    fn copilot_tool_rules_parse() {
        let rule = parse_copilot_tool_rule("MyMCP(create_issue)", List::Allow)
            .unwrap()
            .unwrap();
        assert_eq!(rule.server.as_deref(), Some("MyMCP"));
        assert_eq!(rule.tool.as_deref(), Some("create_issue"));
        let rule = parse_copilot_tool_rule("github", List::Deny)
            .unwrap()
            .unwrap();
        assert_eq!(rule.tool, None);
        for other in [
            "Shell(git push *)",
            "Read(/src/**)",
            "Domain(api.github.com)",
            "write",
        ] {
            assert!(
                parse_copilot_tool_rule(other, List::Allow)
                    .unwrap()
                    .is_none()
            );
        }
        assert!(parse_copilot_tool_rule("mcp__github", List::Allow).is_err());
        assert!(
            parse_copilot_tool_rule("mcp__github", List::Deny)
                .unwrap()
                .is_some()
        );
        assert!(parse_copilot_tool_rule("a b(c)", List::Deny).is_err());
    }

    #[test]
    fn names_are_escaped() {
        assert_eq!(escape_glob("a*b[c]"), r"a\*b\[c\]");
    }
}
