//! Property: no lower-precedence settings file turns a managed deny into an allow or an ask.
//!
//! Random stacks (a managed file plus random other scopes; random allow and deny lists, unset,
//! empty, malformed or populated; random permission rules and locks) are compiled twice, the
//! managed file alone (M) and the whole stack (S), and decide the same random requests. What the
//! documentation promises, and so what is asserted:
//!
//! 1. Every flavour: a request M denies through one of the managed file's own deny rules
//!    (`deniedMcpServers`, `permissions.deny`, `chat.mcp.access`) is denied by S.
//! 2. Claude Code: when the managed file sets `allowManagedMcpServersOnly`, or no other file sets
//!    `allowedMcpServers`, every request M denies is denied by S. Otherwise a lower file may
//!    broaden the allowlist: that is the documented "soft allowlist", not a leak.
//! 3. Claude Code: a request M asks about through a managed `permissions.ask` rule is asked about
//!    or denied by S.
//! 4. Copilot and VS Code compose every list restrictively: every request M denies is denied by
//!    S, and every request M asks about is asked about or denied.
#![expect(
    clippy::unwrap_used,
    reason = "tests fail by panicking; clippy.toml's test allowances reach only #[test] functions"
)]

use mcp_policy::{
    Action, CompiledPolicy, Decision, Effect, HostFlavour, HostSettings, Principal, RemoteFacts,
    Request, ServerFacts, SettingsScope, ToolFacts,
};
use mcp_registry_types::TransportType;
use proptest::prelude::*;
use proptest::sample::{select, subsequence};
use serde_json::{Value, json};

const ENTRIES: [&str; 8] = [
    r#"{"serverName": "a"}"#,
    r#"{"serverName": "gh"}"#,
    r#"{"serverUrl": "https://a.example/*"}"#,
    r#"{"serverUrl": "https://*.example/*"}"#,
    r#"{"serverUrl": "https://b.test"}"#,
    r#"{"serverCommand": ["npx", "a"]}"#,
    r#"{"serverCommand": ["b"]}"#,
    r#"{"serverName": "bad name", "serverUrl": "x"}"#,
];
const RULES: [&str; 9] = [
    "mcp__a",
    "mcp__a__t1",
    "mcp__gh__*",
    "mcp__*",
    "a(t1)",
    "gh",
    "*",
    "Shell(x)",
    "mcp__b__t2",
];
const LABELS: [&str; 4] = ["a", "b", "gh", "c"];
const URLS: [&str; 5] = [
    "https://a.example/mcp",
    "https://x.example/",
    "https://b.test/x",
    "https://${HOST}/mcp",
    "https://a.example:443/mcp",
];
const COMMANDS: [&[&str]; 3] = [&["npx", "a"], &["b"], &["${X}/run"]];

fn list() -> impl Strategy<Value = Option<Value>> {
    prop_oneof![
        3 => Just(None),
        1 => Just(Some(json!([]))),
        1 => Just(Some(json!("malformed"))),
        4 => subsequence(ENTRIES.to_vec(), 1..=3).prop_map(|e| {
            Some(Value::Array(
                e.iter().map(|s| serde_json::from_str(s).unwrap()).collect(),
            ))
        }),
    ]
}

fn rules() -> impl Strategy<Value = Option<Vec<&'static str>>> {
    proptest::option::weighted(0.5, subsequence(RULES.to_vec(), 0..=3))
}

fn flag() -> impl Strategy<Value = Option<Value>> {
    prop_oneof![
        4 => Just(None),
        2 => Just(Some(json!(true))),
        1 => Just(Some(json!(false))),
        1 => Just(Some(json!("yes"))),
    ]
}

fn file() -> impl Strategy<Value = String> {
    (
        (list(), list(), flag(), flag()),
        (rules(), rules(), rules()),
        proptest::option::weighted(0.3, select(vec!["none", "registry", "all"])),
        proptest::option::weighted(0.3, select(vec!["https://r1.test", "https://r2.test"])),
    )
        .prop_map(
            |((allowed, denied, lock_servers, lock_rules), (allow, ask, deny), access, gallery)| {
                let mut root = serde_json::Map::new();
                let mut put = |key: &str, value: Option<Value>| {
                    if let Some(value) = value {
                        root.insert(key.into(), value);
                    }
                };
                put("allowedMcpServers", allowed);
                put("deniedMcpServers", denied);
                put("allowManagedMcpServersOnly", lock_servers);
                put("allowManagedPermissionRulesOnly", lock_rules);
                put("chat.mcp.access", access.map(Value::from));
                put("chat.mcp.gallery.serviceUrl", gallery.map(Value::from));
                let mut permissions = serde_json::Map::new();
                for (key, value) in [("allow", allow), ("ask", ask), ("deny", deny)] {
                    if let Some(value) = value {
                        permissions.insert(key.into(), json!(value));
                    }
                }
                if !permissions.is_empty() {
                    root.insert("permissions".into(), Value::Object(permissions));
                }
                Value::Object(root).to_string()
            },
        )
}

fn stack() -> impl Strategy<Value = (HostFlavour, String, Vec<(SettingsScope, String)>)> {
    (
        select(HostFlavour::ALL.to_vec()),
        file(),
        subsequence(SettingsScope::ALL[1..].to_vec(), 0..=4),
        proptest::collection::vec(file(), 4),
    )
        .prop_map(|(flavour, managed, scopes, files)| {
            (flavour, managed, scopes.into_iter().zip(files).collect())
        })
}

fn request() -> impl Strategy<Value = Request> {
    (
        select(vec![Action::Connect, Action::ListTools, Action::CallTool]),
        select(LABELS.to_vec()),
        prop_oneof![
            select(URLS.to_vec()).prop_map(Ok),
            select(COMMANDS.to_vec()).prop_map(Err),
        ],
        select(vec![None, Some("managed"), Some("builtin"), Some("user")]),
        select(vec!["t1", "t2"]),
        proptest::option::of(select(vec!["https://r1.test", "https://r2.test"])),
    )
        .prop_map(|(action, label, how, scope, tool, registry)| {
            let mut server = ServerFacts::new(format!("local/{label}")).with_label(label);
            server = match how {
                Ok(url) => server.with_remote(RemoteFacts::new(TransportType::StreamableHttp, url)),
                Err(argv) => server.with_command(argv.iter().copied()),
            };
            if let Some(registry) = registry {
                server = server.with_registry(registry);
            }
            let mut request = Request::new(Principal::new("u"), action, server);
            if let Some(scope) = scope {
                request = request.with_scope(scope);
            }
            if action == Action::CallTool {
                request = request.with_tool(ToolFacts::new(tool));
            }
            request
        })
}

fn compile(flavour: HostFlavour, files: &[(SettingsScope, &str)]) -> CompiledPolicy {
    HostSettings::from_stack(files.iter().map(|(s, f)| (*s, f.as_bytes())), flavour)
        .unwrap()
        .compile()
        .unwrap()
}

fn managed_rule(decision: &Decision, prefixes: &[&str]) -> bool {
    decision.decided_by().is_some_and(|by| {
        by.layer() == "managed" && prefixes.iter().any(|p| by.rule().starts_with(p))
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn no_lower_file_turns_a_managed_deny_into_an_allow_or_an_ask(
        (flavour, managed, others) in stack(),
        requests in proptest::collection::vec(request(), 8),
    ) {
        let alone = compile(flavour, &[(SettingsScope::Managed, &managed)]);
        let mut files = vec![(SettingsScope::Managed, managed.as_str())];
        files.extend(others.iter().map(|(s, f)| (*s, f.as_str())));
        let whole = compile(flavour, &files);
        let managed_value: Value = serde_json::from_str(&managed).unwrap();
        let locked = managed_value.get("allowManagedMcpServersOnly").is_some_and(|v| v != &json!(false));
        let lower_allowlist = others
            .iter()
            .any(|(_, f)| serde_json::from_str::<Value>(f).unwrap().get("allowedMcpServers").is_some());
        for request in &requests {
            let m = alone.evaluate(request);
            let s = whole.evaluate(request);
            let context = || format!("{flavour}\nmanaged {managed}\nothers {others:?}\n{request:?}\nalone {}\nstack {}", m.to_json(), s.to_json());
            let denied = m.effect() == Effect::Deny;
            let asked = m.effect() == Effect::Ask;
            let own_deny = managed_rule(&m, &["deniedMcpServers/", "permissions.deny/", "chat.mcp.access"]);
            if denied && own_deny {
                prop_assert_eq!(s.effect(), Effect::Deny, "{}", context());
            }
            if flavour == HostFlavour::ClaudeCode {
                if denied && (locked || !lower_allowlist) {
                    prop_assert_eq!(s.effect(), Effect::Deny, "{}", context());
                }
                if asked && managed_rule(&m, &["permissions.ask/"]) {
                    prop_assert_ne!(s.effect(), Effect::Allow, "{}", context());
                }
            } else {
                if denied {
                    prop_assert_eq!(s.effect(), Effect::Deny, "{}", context());
                }
                // An ask a managed rule gives; the host's own default approval for tool calls
                // is not the managed file's word, and a lower file's allow may answer it.
                if asked && m.decided_by().is_some_and(|by| by.layer() == "managed") {
                    prop_assert_ne!(s.effect(), Effect::Allow, "{}", context());
                }
            }
        }
    }
}
