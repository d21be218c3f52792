//! The managed-settings format of Claude Code (also read by GitHub Copilot and VS Code), imported
//! unchanged. Each documented example is a test; the page each comes from is cited above it.
#![expect(
    clippy::panic,
    clippy::unwrap_used,
    reason = "tests fail by panicking; clippy.toml's test allowances reach only #[test] functions"
)]

use mcp_policy::{
    Action, CompiledPolicy, Effect, HostFlavour, HostSettings, Principal, RemoteFacts, Request,
    ServerFacts, SettingsScope, ToolFacts,
};
use mcp_registry_types::TransportType;

#[track_caller]
fn settings(json: &str) -> CompiledPolicy {
    HostSettings::compile_json(json.as_bytes()).unwrap_or_else(|e| panic!("{e}"))
}

fn remote(label: &str, url: &str) -> ServerFacts {
    ServerFacts::new(format!("local/{label}"))
        .with_label(label)
        .with_remote(RemoteFacts::new(TransportType::StreamableHttp, url))
}

fn stdio(label: &str, argv: &[&str]) -> ServerFacts {
    ServerFacts::new(format!("local/{label}"))
        .with_label(label)
        .with_command(argv.iter().copied())
}

fn load(policy: &CompiledPolicy, server: ServerFacts) -> Effect {
    policy
        .evaluate(&Request::new(
            Principal::new("user"),
            Action::Connect,
            server,
        ))
        .effect()
}

fn tool(policy: &CompiledPolicy, label: &str, name: &str) -> Effect {
    let request = Request::new(
        Principal::new("user"),
        Action::CallTool,
        remote(label, "https://x/"),
    )
    .with_tool(ToolFacts::new(name));
    policy.evaluate(&request).effect()
}

fn warnings(json: &str) -> Vec<String> {
    HostSettings::from_json(json.as_bytes())
        .unwrap()
        .warnings()
        .iter()
        .map(ToString::to_string)
        .collect()
}

use Effect::{Allow, Ask, Deny};

// https://code.claude.com/docs/en/managed-mcp ("URL-only allowlist")
#[test]
fn url_only_allowlist() {
    let p = settings(
        r#"{"allowedMcpServers": [
            {"serverUrl": "https://mcp.example.com/*"},
            {"serverUrl": "https://*.internal.example.com/*"}
        ]}"#,
    );
    assert_eq!(load(&p, remote("a", "https://mcp.example.com/api")), Allow);
    assert_eq!(
        load(&p, remote("a", "https://api.internal.example.com/mcp")),
        Allow
    );
    assert_eq!(
        load(&p, remote("a", "https://external.example.com/mcp")),
        Deny
    );
    assert_eq!(load(&p, stdio("a", &["node", "server.js"])), Deny);
}

// https://code.claude.com/docs/en/managed-mcp ("Command-only allowlist")
#[test]
fn command_only_allowlist() {
    let p = settings(
        r#"{"allowedMcpServers": [{"serverCommand": ["npx", "-y", "approved-package"]}]}"#,
    );
    assert_eq!(
        load(&p, stdio("a", &["npx", "-y", "approved-package"])),
        Allow
    );
    assert_eq!(load(&p, stdio("a", &["node", "server.js"])), Deny);
    assert_eq!(load(&p, remote("my-api", "https://api.example.com/")), Deny);
}

// https://code.claude.com/docs/en/managed-mcp ("Mixed name and command allowlist")
#[test]
fn mixed_name_and_command_allowlist() {
    let p = settings(
        r#"{"allowedMcpServers": [
            {"serverName": "github"},
            {"serverCommand": ["npx", "-y", "approved-package"]}
        ]}"#,
    );
    assert_eq!(
        load(&p, stdio("local-tool", &["npx", "-y", "approved-package"])),
        Allow
    );
    assert_eq!(load(&p, stdio("local-tool", &["node", "server.js"])), Deny);
    assert_eq!(load(&p, stdio("github", &["node", "server.js"])), Deny);
    assert_eq!(
        load(&p, remote("github", "https://api.githubcopilot.com/mcp/")),
        Allow
    );
    assert_eq!(
        load(&p, remote("other-api", "https://api.example.com/")),
        Deny
    );
}

// https://code.claude.com/docs/en/managed-mcp ("Name-only allowlist")
#[test]
fn name_only_allowlist() {
    let p = settings(
        r#"{"allowedMcpServers": [{"serverName": "github"}, {"serverName": "internal-tool"}]}"#,
    );
    assert_eq!(load(&p, stdio("github", &["anything"])), Allow);
    assert_eq!(
        load(&p, stdio("internal-tool", &["anything", "at", "all"])),
        Allow
    );
    assert_eq!(
        load(&p, remote("github", "https://api.githubcopilot.com/mcp/")),
        Allow
    );
    assert_eq!(load(&p, remote("other", "https://api.example.com/")), Deny);
    assert_eq!(load(&p, stdio("other", &["x"])), Deny);
}

// https://code.claude.com/docs/en/managed-mcp ("Allowlist with denylist override")
#[test]
fn allowlist_with_denylist_override() {
    let p = settings(
        r#"{"allowedMcpServers": [{"serverUrl": "https://*.example.com/*"}],
            "deniedMcpServers": [{"serverUrl": "https://staging.example.com/*"}]}"#,
    );
    assert_eq!(load(&p, remote("a", "https://mcp.example.com/api")), Allow);
    let decision = p.evaluate(&Request::new(
        Principal::new("user"),
        Action::Connect,
        remote("a", "https://staging.example.com/api"),
    ));
    assert_eq!(decision.effect(), Deny);
    assert_eq!(
        decision.decided_by().map(mcp_policy::DecidedBy::rule),
        Some("deniedMcpServers/0")
    );
    assert_eq!(
        decision.reasons(),
        ["server is explicitly blocked by enterprise policy (serverUrl `https://staging.example.com/*`)".into()]
    );
    assert_eq!(load(&p, remote("a", "https://other.com/mcp")), Deny);
}

// https://code.claude.com/docs/en/managed-mcp ("Example configuration")
#[test]
fn hard_allowlist_with_denylist() {
    let p = settings(
        r#"{
          "allowedMcpServers": [
            { "serverUrl": "https://api.githubcopilot.com/*" },
            { "serverUrl": "https://mcp.sentry.dev/*" },
            { "serverCommand": ["npx", "-y", "@modelcontextprotocol/server-filesystem", "."] },
            { "serverCommand": ["python", "/usr/local/bin/approved-server.py"] },
            { "serverUrl": "https://mcp.example.com/*" },
            { "serverUrl": "https://*.internal.example.com/*" }
          ],
          "deniedMcpServers": [
            { "serverName": "dangerous-server" },
            { "serverCommand": ["npx", "-y", "unapproved-package"] },
            { "serverUrl": "https://*.untrusted.example.com/*" }
          ]
        }"#,
    );
    // Once a serverUrl entry exists, a remote server cannot pass by name alone.
    assert_eq!(load(&p, remote("github", "https://evil.test/mcp")), Deny);
    assert_eq!(
        load(&p, remote("github", "https://api.githubcopilot.com/mcp/")),
        Allow
    );
    assert_eq!(
        load(
            &p,
            stdio(
                "fs",
                &["npx", "-y", "@modelcontextprotocol/server-filesystem", "."]
            )
        ),
        Allow
    );
    assert_eq!(
        load(
            &p,
            stdio(
                "fs",
                &["npx", "-y", "@modelcontextprotocol/server-filesystem"]
            )
        ),
        Deny
    );
    // A denylisted name is blocked whatever its URL.
    assert_eq!(
        load(&p, remote("dangerous-server", "https://mcp.sentry.dev/mcp")),
        Deny
    );
    assert_eq!(
        load(&p, stdio("x", &["npx", "-y", "unapproved-package"])),
        Deny
    );
    assert_eq!(
        load(&p, remote("x", "https://a.untrusted.example.com/mcp")),
        Deny
    );
}

// https://code.claude.com/docs/en/managed-mcp (URL pattern table and matching rules)
#[test]
fn url_patterns() {
    let cases = [
        (
            "https://mcp.example.com/*",
            "https://mcp.example.com/any/path",
            Allow,
        ),
        (
            "https://mcp.example.com",
            "https://mcp.example.com/any/path",
            Allow,
        ),
        (
            "https://*.example.com/*",
            "https://eu.example.com/mcp",
            Allow,
        ),
        ("https://*.example.com/*", "https://example.org/mcp", Deny),
        ("http://localhost:*/*", "http://localhost:3000/mcp", Allow),
        ("*://mcp.example.com/*", "http://mcp.example.com/mcp", Allow),
        (
            "https://Mcp.Example.com/*",
            "https://mcp.example.com/api",
            Allow,
        ),
        (
            "https://mcp.example.com/*",
            "https://MCP.EXAMPLE.COM./api",
            Allow,
        ),
        (
            "https://mcp.example.com/API/*",
            "https://mcp.example.com/api/x",
            Deny,
        ),
    ];
    for (pattern, url, expected) in cases {
        let p = settings(&format!(
            r#"{{"allowedMcpServers": [{{"serverUrl": "{pattern}"}}]}}"#
        ));
        assert_eq!(load(&p, remote("a", url)), expected, "{pattern} vs {url}");
    }
}

// https://code.claude.com/docs/en/managed-mcp ("Commands match exactly")
#[test]
fn commands_match_exactly() {
    let p = settings(r#"{"allowedMcpServers": [{"serverCommand": ["npx", "-y", "server"]}]}"#);
    assert_eq!(load(&p, stdio("a", &["npx", "-y", "server"])), Allow);
    assert_eq!(load(&p, stdio("a", &["npx", "server"])), Deny);
    assert_eq!(
        load(&p, stdio("a", &["npx", "-y", "server", "--flag"])),
        Deny
    );
}

// https://code.claude.com/docs/en/managed-mcp (unset versus empty lists)
#[test]
fn unset_and_empty_lists_differ() {
    let unset = settings("{}");
    assert_eq!(
        load(&unset, remote("a", "https://anything.example/")),
        Allow
    );
    let empty = settings(r#"{"allowedMcpServers": [], "deniedMcpServers": []}"#);
    assert_eq!(load(&empty, remote("a", "https://anything.example/")), Deny);
    assert_eq!(load(&empty, stdio("a", &["x"])), Deny);
    let deny_empty = settings(r#"{"deniedMcpServers": []}"#);
    assert_eq!(load(&deny_empty, stdio("a", &["x"])), Allow);
}

// https://code.claude.com/docs/en/managed-mcp ("How a server is evaluated": the organization's own
// servers skip the allowlist, but not the denylist)
#[test]
fn managed_servers_skip_the_allowlist_but_not_the_denylist() {
    let p =
        settings(r#"{"allowedMcpServers": [], "deniedMcpServers": [{"serverName": "blocked"}]}"#);
    let managed = |label: &str| {
        Request::new(
            Principal::new("u"),
            Action::Connect,
            remote(label, "https://corp.example/"),
        )
        .with_scope("managed")
    };
    assert_eq!(p.evaluate(&managed("corp")).effect(), Allow);
    assert_eq!(p.evaluate(&managed("blocked")).effect(), Deny);
}

// https://code.claude.com/docs/en/managed-mcp ("Restrict the allowlist to managed settings only";
// "When `allowManagedMcpServersOnly` is `true`, only the managed allowlist is kept; the denylist
// always merges from every source.")
#[test]
fn allow_managed_mcp_servers_only_locks_the_allowlist() {
    let managed: &[u8] = br#"{"allowManagedMcpServersOnly": true,
             "allowedMcpServers": [{"serverUrl": "https://api.githubcopilot.com/*"},
                                   {"serverUrl": "https://*.internal.example.com/*"}]}"#;
    let user: &[u8] = br#"{"allowedMcpServers": [{"serverUrl": "https://my.example.com/*"}],
             "deniedMcpServers": [{"serverUrl": "https://api.githubcopilot.com/*"}]}"#;
    let stack = |managed: &[u8]| {
        HostSettings::from_stack(
            [
                (SettingsScope::User, user),
                (SettingsScope::Managed, managed),
            ],
            HostFlavour::ClaudeCode,
        )
        .unwrap()
    };
    let locked = stack(managed);
    assert!(locked.allow_managed_only());
    let p = locked.compile().unwrap();
    assert_eq!(load(&p, remote("mine", "https://my.example.com/mcp")), Deny);
    assert_eq!(
        load(&p, remote("wiki", "https://wiki.internal.example.com/mcp")),
        Allow
    );
    // The user's denylist still merges in.
    assert_eq!(
        load(&p, remote("gh", "https://api.githubcopilot.com/mcp")),
        Deny
    );

    // Without the flag, a user's allowlist broadens the managed one (a "soft allowlist").
    let soft =
        stack(br#"{"allowedMcpServers": [{"serverUrl": "https://*.internal.example.com/*"}]}"#)
            .compile()
            .unwrap();
    assert_eq!(
        load(&soft, remote("mine", "https://my.example.com/mcp")),
        Allow
    );
}

// https://code.claude.com/docs/en/settings ("Invalid entries in managed settings")
#[test]
fn invalid_entries_fail_closed_where_documented() {
    let json = r#"{"allowedMcpServers": "github", "allowManagedMcpServersOnly": "yes",
                   "deniedMcpServers": {"serverName": "x"}}"#;
    assert_eq!(
        warnings(json),
        [
            "/allowedMcpServers: expected an array of entries; enforced as an empty allowlist",
            "/deniedMcpServers: expected an array of entries; ignored",
            "/allowManagedMcpServersOnly: expected a boolean; treated as `true`",
        ]
    );
    let settings_ = HostSettings::from_json(json.as_bytes()).unwrap();
    assert!(settings_.allow_managed_only());
    let p = settings_.to_policy().compile().unwrap();
    assert_eq!(
        load(&p, remote("github", "https://api.githubcopilot.com/")),
        Deny
    );
    assert_eq!(load(&p, stdio("x", &["x"])), Deny);

    // One bad entry is stripped; the rest is enforced.
    let json = r#"{"allowedMcpServers": [
        {"serverName": "github"}, {"serverName": "claude.ai Slack"},
        {"serverName": "a", "serverUrl": "https://x/"}, {"serverCommand": []}, 7
    ], "deniedMcpServers": [{"serverName": "claude.ai Slack"}, {"serverName": " padded "}]}"#;
    assert_eq!(
        warnings(json),
        [
            "/allowedMcpServers/1: `serverName` `claude.ai Slack` may hold only letters, digits, `-` and `_`; entry ignored",
            "/allowedMcpServers/2: an entry needs exactly one of `serverName`, `serverUrl`, `serverCommand`; entry ignored",
            "/allowedMcpServers/3: `serverCommand` must be a non-empty array of strings; entry ignored",
            "/allowedMcpServers/4: expected an object; entry ignored",
            "/deniedMcpServers/1: `serverName` ` padded ` must be non-empty without surrounding spaces; entry ignored",
        ]
    );
    let p = settings(json);
    assert_eq!(
        load(&p, remote("github", "https://api.githubcopilot.com/")),
        Allow
    );
    // A denylist name may hold spaces, to block a connector by its display name.
    assert_eq!(
        load(&p, remote("claude.ai Slack", "https://slack.example/")),
        Deny
    );
}

#[test]
fn a_document_that_is_not_an_object_is_refused() {
    assert_eq!(
        HostSettings::from_json(b"[1]").unwrap_err().to_string(),
        "/: managed settings must be a json object"
    );
    assert_eq!(
        HostSettings::from_json(b"{").unwrap_err().to_string(),
        "/: invalid json: end of input while parsing an object at line 1 column 1"
    );
}

// https://code.claude.com/docs/en/permissions ("MCP": `mcp__puppeteer`, `mcp__puppeteer__*`,
// `mcp__puppeteer__puppeteer_navigate`; rules evaluated deny, then ask, then allow)
#[test]
fn tool_permission_rules() {
    let whole_server = settings(r#"{"permissions": {"allow": ["mcp__puppeteer"]}}"#);
    assert_eq!(tool(&whole_server, "puppeteer", "puppeteer_click"), Allow);
    assert_eq!(tool(&whole_server, "github", "get_issue"), Ask);

    let wildcard = settings(r#"{"permissions": {"allow": ["mcp__puppeteer__*"]}}"#);
    assert_eq!(tool(&wildcard, "puppeteer", "puppeteer_click"), Allow);

    let one = settings(r#"{"permissions": {"allow": ["mcp__puppeteer__puppeteer_navigate"]}}"#);
    assert_eq!(tool(&one, "puppeteer", "puppeteer_navigate"), Allow);
    assert_eq!(tool(&one, "puppeteer", "puppeteer_click"), Ask);

    let prefix = settings(r#"{"permissions": {"allow": ["mcp__github__get_*"]}}"#);
    assert_eq!(tool(&prefix, "github", "get_issue"), Allow);
    assert_eq!(tool(&prefix, "github", "delete_repo"), Ask);

    // A broad deny beats a narrow allow, and ask beats allow, whatever the specificity.
    let ordered = settings(
        r#"{"permissions": {
            "deny": ["mcp__github__delete_*"],
            "ask": ["mcp__github__create_*"],
            "allow": ["mcp__github", "mcp__github__delete_repo", "mcp__github__create_issue"]
        }}"#,
    );
    assert_eq!(tool(&ordered, "github", "delete_repo"), Deny);
    assert_eq!(tool(&ordered, "github", "create_issue"), Ask);
    assert_eq!(tool(&ordered, "github", "get_issue"), Allow);

    let deny_all = settings(r#"{"permissions": {"deny": ["mcp__*"]}}"#);
    assert_eq!(tool(&deny_all, "anything", "at_all"), Deny);
    // A tool deny does not block connecting to the server.
    assert_eq!(load(&deny_all, remote("anything", "https://x/")), Allow);
}

// https://code.claude.com/docs/en/permissions (unanchored allow globs and MCP rules with
// parentheses are skipped with a warning)
#[test]
fn skipped_tool_rules_warn() {
    let json = r#"{"permissions": {
        "allow": ["*", "mcp__*", "mcp__git*__x", "Bash(npm run *)", 3],
        "deny": ["mcp__db__query(sql:drop)"]
    }}"#;
    assert_eq!(
        warnings(json),
        [
            "/permissions/deny/0: rule `mcp__db__query(sql:drop)` has parentheses, which MCP rules in settings files may not use; rule ignored",
            "/permissions/allow/0: rule `*` is an unanchored glob, which allow rules may not use; rule ignored",
            "/permissions/allow/1: rule `mcp__*` has a glob in the server part, which allow rules may not use; rule ignored",
            "/permissions/allow/2: rule `mcp__git*__x` has a glob in the server part, which allow rules may not use; rule ignored",
            "/permissions/allow/4: expected a string; rule ignored",
        ]
    );
    let p = settings(json);
    assert_eq!(tool(&p, "github", "x"), Ask);
}

#[test]
fn tool_calls_on_servers_outside_the_allowlist_are_denied() {
    let p = settings(
        r#"{"allowedMcpServers": [{"serverUrl": "https://ok.example/*"}],
            "permissions": {"allow": ["mcp__other"], "ask": ["mcp__other__x"]}}"#,
    );
    let call = |label: &str, url: &str, name: &str| {
        let request = Request::new(Principal::new("u"), Action::CallTool, remote(label, url))
            .with_tool(ToolFacts::new(name));
        p.evaluate(&request).effect()
    };
    assert_eq!(call("other", "https://evil.example/", "y"), Deny);
    assert_eq!(call("other", "https://evil.example/", "x"), Deny);
    assert_eq!(call("other", "https://ok.example/mcp", "y"), Allow);
    assert_eq!(call("ok", "https://ok.example/mcp", "y"), Ask);
}

#[test]
fn url_patterns_no_reachable_url_can_match_are_dropped_with_a_warning() {
    let json = r#"{
        "allowedMcpServers": [{"serverUrl": "https://good.example/*"}, {"serverUrl": "https://h:x/*"}],
        "deniedMcpServers": [{"serverUrl": "https://a b/*"}]
    }"#;
    let found = warnings(json);
    assert!(
        found
            .iter()
            .any(|w| w.contains("/allowedMcpServers/1") && w.contains("matches no reachable url")),
        "{found:?}"
    );
    assert!(
        found.iter().any(|w| w.contains("/deniedMcpServers/0")),
        "{found:?}"
    );
    let policy = settings(json);
    assert_eq!(
        load(&policy, remote("a", "https://good.example/mcp")),
        Effect::Allow
    );
    assert_eq!(load(&policy, remote("a", "https://h/mcp")), Effect::Deny);
}
