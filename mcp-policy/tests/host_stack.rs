//! A whole stack of host settings files, merged as each host documents it. Every test cites the
//! page, and the sentence, it implements.
#![expect(
    clippy::panic,
    reason = "tests fail by panicking; clippy.toml's test allowances reach only #[test] functions"
)]

use mcp_policy::{
    Action, CompiledPolicy, Decision, Effect, HostFlavour, HostSettings, Principal, RemoteFacts,
    Request, ServerFacts, SettingsScope, ToolFacts,
};
use mcp_registry_types::TransportType;

use Effect::{Allow, Ask, Deny};
use HostFlavour::{ClaudeCode, Copilot, VsCode};
use SettingsScope::{Cli, Local, Managed, Project, User};

#[track_caller]
fn settings(flavour: HostFlavour, files: &[(SettingsScope, &str)]) -> HostSettings {
    HostSettings::from_stack(files.iter().map(|(s, f)| (*s, f.as_bytes())), flavour)
        .unwrap_or_else(|e| panic!("{e}"))
}

#[track_caller]
fn compile(flavour: HostFlavour, files: &[(SettingsScope, &str)]) -> CompiledPolicy {
    settings(flavour, files)
        .compile()
        .unwrap_or_else(|e| panic!("{e}"))
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

fn connect(policy: &CompiledPolicy, server: ServerFacts) -> Decision {
    policy.evaluate(&Request::new(Principal::new("u"), Action::Connect, server))
}

fn load(policy: &CompiledPolicy, server: ServerFacts) -> Effect {
    connect(policy, server).effect()
}

fn load_from(policy: &CompiledPolicy, scope: &str, server: ServerFacts) -> Effect {
    let request = Request::new(Principal::new("u"), Action::Connect, server).with_scope(scope);
    policy.evaluate(&request).effect()
}

fn call(policy: &CompiledPolicy, label: &str, tool: &str) -> Decision {
    let request = Request::new(
        Principal::new("u"),
        Action::CallTool,
        remote(label, "https://x.example/mcp"),
    )
    .with_tool(ToolFacts::new(tool));
    policy.evaluate(&request)
}

fn decided(decision: &Decision) -> (Effect, &str, &str) {
    let by = decision.decided_by();
    (
        decision.effect(),
        by.map_or("", mcp_policy::DecidedBy::layer),
        by.map_or("", mcp_policy::DecidedBy::rule),
    )
}

fn warnings(settings: &HostSettings) -> Vec<String> {
    settings
        .warnings()
        .iter()
        .map(ToString::to_string)
        .collect()
}

// The fail-open case of issue 12: the user file's allow rules carried no allowlist check.
// https://code.claude.com/docs/en/managed-mcp: "Leaving `allowedMcpServers` unset is different
// from setting it to an empty array" ("Empty array `[]`: No servers allowed").
#[test]
fn an_empty_managed_allowlist_blocks_what_a_user_allow_rule_names() {
    let p = compile(
        ClaudeCode,
        &[
            (Managed, r#"{"allowedMcpServers": []}"#),
            (User, r#"{"permissions": {"allow": ["mcp__github"]}}"#),
        ],
    );
    assert_eq!(
        decided(&call(&p, "github", "get_issue")),
        (Deny, "managed", "allowedMcpServers/unmatched")
    );
    assert_eq!(load(&p, remote("github", "https://x.example/mcp")), Deny);
}

// https://code.claude.com/docs/en/managed-mcp ("How a server is evaluated"): "Allowlist and
// denylist entries from every settings source combine into one allowlist and one denylist."
#[test]
fn lists_merge_across_files_and_the_deciding_file_is_named() {
    let p = compile(
        ClaudeCode,
        &[
            (
                User,
                r#"{"allowedMcpServers": [{"serverUrl": "https://b.example/*"}]}"#,
            ),
            (
                Project,
                r#"{"deniedMcpServers": [{"serverUrl": "https://a.example/blocked/*"}]}"#,
            ),
            (
                Managed,
                r#"{"allowedMcpServers": [{"serverUrl": "https://a.example/*"}]}"#,
            ),
        ],
    );
    let decision = connect(&p, remote("a", "https://a.example/mcp"));
    assert_eq!(decided(&decision), (Allow, "managed", "allowedMcpServers"));
    let decision = connect(&p, remote("b", "https://b.example/mcp"));
    assert_eq!(decided(&decision), (Allow, "user", "allowedMcpServers"));
    let decision = connect(&p, remote("a", "https://a.example/blocked/x"));
    assert_eq!(decided(&decision), (Deny, "project", "deniedMcpServers/0"));
    let decision = connect(&p, remote("c", "https://c.example/mcp"));
    assert_eq!(
        decided(&decision),
        (Deny, "managed", "allowedMcpServers/unmatched")
    );
}

// https://code.claude.com/docs/en/managed-mcp: "If `allowedMcpServers` isn't set anywhere, every
// server that passed the denylist loads." Unset and empty stay different across files.
#[test]
fn unset_and_empty_allowlists_stay_different_across_files() {
    let none = compile(
        ClaudeCode,
        &[(Managed, "{}"), (User, r#"{"deniedMcpServers": []}"#)],
    );
    assert_eq!(load(&none, stdio("x", &["x"])), Allow);
    let empty = compile(
        ClaudeCode,
        &[(Managed, "{}"), (User, r#"{"allowedMcpServers": []}"#)],
    );
    assert_eq!(load(&empty, stdio("x", &["x"])), Deny);
}

// https://code.claude.com/docs/en/managed-mcp: "Remote (HTTP or SSE): A `serverUrl` entry. A
// `serverName` match counts only when the allowlist contains no `serverUrl` entries". The
// type-aware rule runs on the merged list, so a URL entry in any file demotes name entries.
#[test]
fn the_type_aware_rule_runs_on_the_merged_list() {
    let managed = r#"{"allowedMcpServers": [{"serverName": "github"}]}"#;
    let alone = compile(ClaudeCode, &[(Managed, managed)]);
    assert_eq!(load(&alone, remote("github", "https://evil.test/")), Allow);
    let p = compile(
        ClaudeCode,
        &[
            (Managed, managed),
            (
                Local,
                r#"{"allowedMcpServers": [{"serverUrl": "https://ok.test/*"}]}"#,
            ),
        ],
    );
    assert_eq!(load(&p, remote("github", "https://evil.test/")), Deny);
    assert_eq!(load(&p, remote("github", "https://ok.test/mcp")), Allow);
    // Stdio servers have no command entry to match, so the name still admits them.
    assert_eq!(load(&p, stdio("github", &["gh-mcp"])), Allow);
}

// https://code.claude.com/docs/en/settings-reference (`allowManagedPermissionRulesOnly`):
// "`false`: Claude Code applies permission rules from user, project, local, and `--settings`
// files in addition to the managed ones".
#[test]
fn permission_rules_merge_across_files() {
    let p = compile(
        ClaudeCode,
        &[
            (
                Managed,
                r#"{"permissions": {"allow": ["mcp__github__get_*"]}}"#,
            ),
            (
                Cli,
                r#"{"permissions": {"deny": ["mcp__github__get_secret"]}}"#,
            ),
            (User, r#"{"permissions": {"allow": ["mcp__slack"]}}"#),
        ],
    );
    assert_eq!(
        decided(&call(&p, "github", "get_issue")),
        (Allow, "managed", "permissions.allow/0")
    );
    assert_eq!(
        decided(&call(&p, "github", "get_secret")),
        (Deny, "cli", "permissions.deny/0")
    );
    assert_eq!(
        decided(&call(&p, "slack", "post")),
        (Allow, "user", "permissions.allow/0")
    );
    assert_eq!(
        decided(&call(&p, "other", "x")),
        (Ask, "host", "toolCallApproval")
    );
}

// https://code.claude.com/docs/en/settings-reference (`allowManagedPermissionRulesOnly`): "Make
// managed settings the only source of `allow`, `ask`, and `deny` permission rules. Claude Code
// then ignores rules in user, project, local, and `--settings` files".
#[test]
fn allow_managed_permission_rules_only_keeps_only_managed_rules() {
    let s = settings(
        ClaudeCode,
        &[
            (
                Managed,
                r#"{"allowManagedPermissionRulesOnly": true,
                    "permissions": {"allow": ["mcp__github__get_*"]}}"#,
            ),
            (
                User,
                r#"{"permissions": {"allow": ["mcp__slack"], "deny": ["mcp__github__get_issue"]}}"#,
            ),
        ],
    );
    assert!(s.allow_managed_permission_rules_only());
    let p = s.compile().unwrap();
    assert_eq!(call(&p, "slack", "post").effect(), Ask);
    assert_eq!(call(&p, "github", "get_issue").effect(), Allow);
}

// https://code.claude.com/docs/en/managed-mcp: "`allowManagedMcpServersOnly` is separate from
// `allowManagedPermissionRulesOnly`, which locks down permission rules only. Setting that flag
// does not enforce the MCP allowlist."
#[test]
fn the_two_locks_are_separate() {
    let user = r#"{"allowedMcpServers": [{"serverUrl": "https://mine.test/*"}],
                   "permissions": {"allow": ["mcp__mine"]}}"#;
    let managed_list = r#"{"serverUrl": "https://corp.test/*"}"#;
    let rules_locked = format!(
        r#"{{"allowManagedPermissionRulesOnly": true, "allowedMcpServers": [{managed_list}]}}"#
    );
    let p = compile(ClaudeCode, &[(Managed, &rules_locked), (User, user)]);
    assert_eq!(load(&p, remote("mine", "https://mine.test/mcp")), Allow);
    let servers_locked =
        format!(r#"{{"allowManagedMcpServersOnly": true, "allowedMcpServers": [{managed_list}]}}"#);
    let p = compile(ClaudeCode, &[(Managed, &servers_locked), (User, user)]);
    assert_eq!(load(&p, remote("mine", "https://mine.test/mcp")), Deny);
    let request = Request::new(
        Principal::new("u"),
        Action::CallTool,
        remote("mine", "https://corp.test/mcp"),
    )
    .with_tool(ToolFacts::new("t"));
    assert_eq!(p.evaluate(&request).effect(), Allow);
}

// https://code.claude.com/docs/en/settings-reference: both locks have "**Scope**: `Managed`";
// a managed-only key in another file has no effect, and the import says so.
#[test]
fn managed_only_keys_elsewhere_have_no_effect_and_warn() {
    let s = settings(
        ClaudeCode,
        &[
            (
                Managed,
                r#"{"allowedMcpServers": [{"serverUrl": "https://corp.test/*"}]}"#,
            ),
            (
                Project,
                r#"{"allowManagedMcpServersOnly": false, "allowManagedPermissionRulesOnly": true,
                    "allowedMcpServers": [{"serverUrl": "https://repo.test/*"}],
                    "permissions": {"allow": ["mcp__repo"]}}"#,
            ),
        ],
    );
    assert_eq!(
        warnings(&s),
        [
            "layer `project`: /allowManagedMcpServersOnly: takes effect only in managed settings; ignored in this file",
            "layer `project`: /allowManagedPermissionRulesOnly: takes effect only in managed settings; ignored in this file",
        ]
    );
    assert!(!s.allow_managed_only() && !s.allow_managed_permission_rules_only());
    let p = s.compile().unwrap();
    assert_eq!(load(&p, remote("repo", "https://repo.test/mcp")), Allow);
    let request = Request::new(
        Principal::new("u"),
        Action::CallTool,
        remote("repo", "https://repo.test/mcp"),
    )
    .with_tool(ToolFacts::new("t"));
    assert_eq!(p.evaluate(&request).effect(), Allow);
}

// Issue 12: an organization-provided server skips the allowlist only while its command,
// arguments, `env`, URL and headers hold no `${VAR}` reference (see the report: the current
// https://code.claude.com/docs/en/settings-reference says `managed-mcp.json` servers must match).
#[test]
fn managed_servers_skip_the_allowlist_only_without_variable_references() {
    let p = compile(ClaudeCode, &[(Managed, r#"{"allowedMcpServers": []}"#)]);
    let fixed = remote("corp", "https://corp.example/mcp");
    assert_eq!(load_from(&p, "managed", fixed.clone()), Allow);
    assert_eq!(load_from(&p, "user", fixed.clone()), Deny);
    let cases = [
        stdio("corp", &["${HOME}/bin/server"]),
        stdio("corp", &["server", "--root", "$PWD"]),
        stdio("corp", &["server"]).with_env("TOKEN", "${TOKEN:-none}"),
        remote("corp", "https://${HOST}/mcp"),
        fixed.with_header("Authorization", "Bearer ${TOKEN}"),
    ];
    for server in cases {
        assert_eq!(load_from(&p, "managed", server.clone()), Deny, "{server:?}");
    }
}

// https://code.claude.com/docs/en/settings-reference (`allowedMcpServers`): "Built-in servers
// such as Claude in Chrome, IDE-provided servers, and servers the CLI itself configures are
// exempt from the allowlist; the denylist still applies to them."
#[test]
fn claude_code_built_in_servers_skip_the_allowlist_not_the_denylist() {
    let p = compile(
        ClaudeCode,
        &[(
            Managed,
            r#"{"allowedMcpServers": [], "deniedMcpServers": [{"serverName": "chrome"}]}"#,
        )],
    );
    assert_eq!(load_from(&p, "builtin", stdio("ide", &["${X}"])), Allow);
    assert_eq!(load_from(&p, "builtin", stdio("chrome", &["c"])), Deny);
}

#[test]
fn files_come_in_any_order_and_a_scope_only_once() {
    let a = settings(
        ClaudeCode,
        &[(User, "{}"), (Managed, "{}"), (Project, "{}"), (Cli, "{}")],
    );
    assert_eq!(
        a.scopes().collect::<Vec<_>>(),
        [Managed, Cli, Project, User]
    );
    let names: Vec<String> = a.to_layers().into_iter().map(|l| l.name).collect();
    assert_eq!(names, ["managed", "cli", "project", "user", "host"]);
    let err = HostSettings::from_stack(
        [(User, b"{}".as_slice()), (User, b"{}".as_slice())],
        ClaudeCode,
    )
    .unwrap_err();
    assert_eq!(err.to_string(), "/: duplicate settings scope `user`");
    let err = HostSettings::from_stack(
        [(Managed, b"{}".as_slice()), (User, b"[]".as_slice())],
        ClaudeCode,
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "layer `user`: /: user settings must be a json object"
    );
    assert_eq!("local".parse::<SettingsScope>().unwrap(), Local);
    assert_eq!(
        "global".parse::<SettingsScope>().unwrap_err().to_string(),
        "/: unknown settings scope `global`: expected `managed`, `cli`, `local`, `project` or `user`"
    );
    assert_eq!("vscode".parse::<HostFlavour>().unwrap(), VsCode);
    assert_eq!(HostFlavour::default(), ClaudeCode);
}

#[test]
fn one_policy_document_prefixes_rule_ids_with_the_scope() {
    let s = settings(
        ClaudeCode,
        &[
            (Managed, r#"{"deniedMcpServers": [{"serverName": "a"}]}"#),
            (User, r#"{"deniedMcpServers": [{"serverName": "b"}]}"#),
        ],
    );
    let p = s.to_policy().compile().unwrap();
    assert_eq!(
        decided(&connect(&p, stdio("b", &["b"]))),
        (Deny, "policy", "user/deniedMcpServers/0")
    );
}

// ---- GitHub Copilot ----

const COPILOT_REFERENCE: &str = "https://docs.github.com/en/copilot/reference/enterprise-administrators/enterprise-managed-settings";
const COPILOT_HOWTO: &str = "https://docs.github.com/en/copilot/how-tos/administer-copilot/manage-mcp-usage/configure-enterprise-allowlist";

/// Compiles the same stack with Claude Code's and Copilot's semantics.
fn both(files: &[(SettingsScope, &str)]) -> (CompiledPolicy, CompiledPolicy) {
    (compile(ClaudeCode, files), compile(Copilot, files))
}

// COPILOT_REFERENCE (`allowedMcpServers`): "When multiple settings sources define
// `allowedMcpServers`, the effective allowlist is the intersection of all sources. A server must
// be permitted by every source to run."
#[test]
fn copilot_allowlists_intersect() {
    let _ = COPILOT_REFERENCE;
    let files = [
        (
            Managed,
            r#"{"allowedMcpServers": [{"serverName": "a"}, {"serverName": "b"}]}"#,
        ),
        (
            User,
            r#"{"allowedMcpServers": [{"serverName": "b"}, {"serverName": "c"}]}"#,
        ),
    ];
    let (claude, copilot) = both(&files);
    for (label, claude_effect, copilot_effect) in
        [("a", Allow, Deny), ("b", Allow, Allow), ("c", Allow, Deny)]
    {
        assert_eq!(
            load(&claude, stdio(label, &["x"])),
            claude_effect,
            "{label}"
        );
        assert_eq!(
            load(&copilot, stdio(label, &["x"])),
            copilot_effect,
            "{label}"
        );
    }
    assert_eq!(
        decided(&connect(&copilot, stdio("a", &["x"]))),
        (Deny, "user", "allowedMcpServers/unmatched")
    );
}

// COPILOT_HOWTO: "If an allowlist or denylist is malformed (for example, has invalid JSON), the
// client treats the policy as an empty `allowedMcpServers` list. This blocks all servers except
// built-in default servers."
#[test]
fn copilot_malformed_lists_block_everything() {
    let _ = COPILOT_HOWTO;
    let files = [(
        Managed,
        r#"{"deniedMcpServers": [{"serverName": "x", "serverUrl": "https://x/"}]}"#,
    )];
    let (claude, copilot) = both(&files);
    assert_eq!(load(&claude, stdio("ok", &["ok"])), Allow);
    assert_eq!(load(&copilot, stdio("ok", &["ok"])), Deny);
    assert_eq!(
        load_from(&copilot, "builtin", stdio("github", &["gh"])),
        Allow
    );

    let s = settings(Copilot, &[(Managed, "{}"), (User, "{not json")]);
    assert_eq!(
        warnings(&s),
        [
            "layer `user`: /: invalid json: key must be a string at line 1 column 2; enforced as an empty allowlist"
        ]
    );
    assert_eq!(load(&s.compile().unwrap(), stdio("ok", &["ok"])), Deny);
    let entry = r#"{"allowedMcpServers": [{"serverName": "ok"}, {"serverCommand": []}]}"#;
    let (claude, copilot) = both(&[(Managed, entry)]);
    assert_eq!(load(&claude, stdio("ok", &["ok"])), Allow);
    assert_eq!(load(&copilot, stdio("ok", &["ok"])), Deny);
}

// COPILOT_REFERENCE (`deniedMcpServers`): "First-party Copilot servers, such as the built-in
// GitHub MCP server, are exempt from deny rules and cannot be blocked." COPILOT_HOWTO: "Always
// allow built-in default servers, such as the built-in GitHub MCP server."
#[test]
fn copilot_built_in_servers_cannot_be_denied() {
    let files = [(
        Managed,
        r#"{"allowedMcpServers": [], "deniedMcpServers": [{"serverName": "github"}]}"#,
    )];
    let (claude, copilot) = both(&files);
    let github = || remote("github", "https://api.githubcopilot.com/mcp/");
    assert_eq!(load_from(&claude, "builtin", github()), Deny);
    assert_eq!(load_from(&copilot, "builtin", github()), Allow);
    assert_eq!(load_from(&copilot, "user", github()), Deny);
}

// COPILOT_HOWTO: "Block the server if its URL or command contains an unresolved variable, such
// as `${VARIABLE}` or `$VARIABLE`, because the client cannot verify the server."
#[test]
fn copilot_blocks_unresolved_variables() {
    let (claude, copilot) = both(&[(Managed, "{}")]);
    for server in [
        stdio("a", &["node", "${HOME}/server.js"]),
        stdio("a", &["$TOOL"]),
        remote("a", "https://${HOST}/mcp"),
    ] {
        assert_eq!(load(&claude, server.clone()), Allow);
        let decision = connect(&copilot, server);
        assert_eq!(decided(&decision), (Deny, "host", "unresolvedVariable"));
    }
    assert_eq!(load(&copilot, stdio("a", &["node", "server.js"])), Allow);
}

// COPILOT_REFERENCE (`allowedMcpServers`): "When set, only servers matching at least one entry
// are allowed", and a `serverName` entry applies to "Any server"; nothing demotes it once a
// `serverUrl` entry exists (Claude Code: "A `serverName` match counts only when the allowlist
// contains no `serverUrl` entries").
#[test]
fn copilot_never_demotes_name_entries() {
    let files = [(
        Managed,
        r#"{"allowedMcpServers": [{"serverName": "github"},
                                  {"serverUrl": "https://api.githubcopilot.com/*"}]}"#,
    )];
    let (claude, copilot) = both(&files);
    assert_eq!(
        load(&claude, remote("github", "https://evil.test/mcp")),
        Deny
    );
    assert_eq!(
        load(&copilot, remote("github", "https://evil.test/mcp")),
        Allow
    );
}

// COPILOT_REFERENCE ("URL canonicalization"): "Before comparing a `serverUrl` pattern with a server
// URL, the client normalizes both values: Converts the scheme and host to lowercase. [...]
// Removes the default port, `:80` for HTTP or `:443` for HTTPS. Decodes percent-encoded host
// octets. For example, `%65vil` becomes `evil`. Removes URL fragments and trailing dots from DNS
// names. Prevents wildcards in the authority component from matching across the `/` boundary
// into the path."
#[test]
fn copilot_canonicalizes_urls() {
    let allow = [(
        Managed,
        r#"{"allowedMcpServers": [{"serverUrl": "HTTPS://MCP.Example.com:443/*"},
                                  {"serverUrl": "https://exact.example/mcp"},
                                  {"serverUrl": "https://*.wild.example/*"}]}"#,
    )];
    let (claude, copilot) = both(&allow);
    // Every flavour reads URLs as the connecting client does (WHATWG), so Claude Code's reading
    // canonicalises too: the same endpoint is the same endpoint whichever host judges it.
    let cases = [
        ("https://mcp.example.com/api", Allow, Allow),
        ("https://mcp.example.com:443/api", Allow, Allow),
        ("https://MCP.EXAMPLE.COM./api", Allow, Allow),
        ("https://exact.example/mcp#section", Allow, Allow),
        ("https://exact.example:443/mcp", Allow, Allow),
        ("https://evil.test/x.wild.example/", Deny, Deny),
    ];
    for (url, claude_effect, copilot_effect) in cases {
        assert_eq!(
            load(&claude, remote("a", url)),
            claude_effect,
            "claude {url}"
        );
        assert_eq!(
            load(&copilot, remote("a", url)),
            copilot_effect,
            "copilot {url}"
        );
    }
    let deny = [(
        Managed,
        r#"{"deniedMcpServers": [{"serverUrl": "https://evil.example/*"}]}"#,
    )];
    let (claude, copilot) = both(&deny);
    // A percent-encoded host is one the registry's Go parser refuses, so it fails closed.
    for url in ["https://%65vil.example/mcp", "https://evil.example:443/mcp"] {
        assert_eq!(load(&claude, remote("a", url)), Deny, "claude {url}");
        assert_eq!(load(&copilot, remote("a", url)), Deny, "copilot {url}");
    }
}

// COPILOT_REFERENCE (`permissions`): "`deny` blocks specific operations [...] A deny rule set by
// any managed settings source blocks the operation for all users regardless of rules in the
// other sources." "`allow` [...] The effective allowlist is the intersection of all sources that
// declare one, not the union. A source that doesn't declare an `allow` list places no restriction
// of its own on this key." Copilot CLI names MCP tools `SERVER(tool)`:
// https://docs.github.com/en/copilot/how-tos/copilot-cli/use-copilot-cli/allowing-tools
// ("`--allow-tool='MyMCP(create_issue), MyMCP(delete_issue)'`").
#[test]
fn copilot_permission_rules_compose_restrictively() {
    let files = [
        (
            Managed,
            r#"{"permissions": {"allow": ["github(get_issue)", "github(list_issues)", "Shell(npm test *)"]}}"#,
        ),
        (
            User,
            r#"{"permissions": {"allow": ["github(get_issue)", "slack"], "deny": ["github(delete_repo)"]}}"#,
        ),
        (
            Project,
            r#"{"permissions": {"ask": ["mcp__github__get_issue"]}}"#,
        ),
    ];
    let p = compile(Copilot, &files);
    assert_eq!(
        decided(&call(&p, "github", "list_issues")),
        (Ask, "user", "permissions.allow/unmatched")
    );
    assert_eq!(
        decided(&call(&p, "slack", "post")),
        (Ask, "managed", "permissions.allow/unmatched")
    );
    assert_eq!(
        decided(&call(&p, "github", "delete_repo")),
        (Deny, "user", "permissions.deny/0")
    );
    // Claude Code's syntax is honoured where it restricts, as the Copilot docs are silent on it.
    assert_eq!(
        decided(&call(&p, "github", "get_issue")),
        (Ask, "project", "permissions.ask/0")
    );
    let p = compile(Copilot, &files[..2]);
    assert_eq!(
        decided(&call(&p, "github", "get_issue")),
        (Allow, "managed", "permissions.allow/0")
    );
    // Claude Code reads neither `SERVER(tool)` rules nor an intersection.
    let claude = compile(ClaudeCode, &files[..2]);
    assert_eq!(call(&claude, "github", "get_issue").effect(), Ask);
    let s = settings(
        Copilot,
        &[(Managed, r#"{"permissions": {"allow": ["mcp__github"]}}"#)],
    );
    assert_eq!(
        warnings(&s),
        [
            "/permissions/allow/0: rule `mcp__github` is claude code syntax, which copilot does not document for allow rules; rule ignored"
        ]
    );
}

// The Claude Code locks are not keys of COPILOT_REFERENCE's "Supported keys" table; in
// intersecting semantics they could only widen, so Copilot reads every file's lists anyway.
#[test]
fn copilot_ignores_the_claude_code_locks() {
    let s = settings(
        Copilot,
        &[
            (
                Managed,
                r#"{"allowManagedMcpServersOnly": true,
                    "allowedMcpServers": [{"serverName": "a"}, {"serverName": "b"}]}"#,
            ),
            (User, r#"{"allowedMcpServers": [{"serverName": "a"}]}"#),
        ],
    );
    assert_eq!(
        warnings(&s),
        [
            "layer `managed`: /allowManagedMcpServersOnly: a claude code setting, which copilot does not read; ignored"
        ]
    );
    assert!(!s.allow_managed_only());
    let p = s.compile().unwrap();
    assert_eq!(load(&p, stdio("b", &["b"])), Deny);
}

// ---- VS Code ----

// https://code.visualstudio.com/docs/enterprise/ai-settings ("Restrict MCP server sources"): "The
// `ChatMCP` policy controls which sources MCP servers can be installed from. This configures the
// `chat.mcp.access` setting" with `registryOnly`: "Developers can only run MCP servers from the
// configured registry" and `off`: "MCP server support is disabled". VS Code's own setting spells
// the values `registry` and `none` ("Allows access to MCP servers installed from the registry
// that VS Code is connected to.").
#[test]
fn vscode_chat_mcp_access() {
    let off = compile(VsCode, &[(Managed, r#"{"chat.mcp.access": "none"}"#)]);
    assert_eq!(
        decided(&connect(&off, stdio("a", &["a"]))),
        (Deny, "managed", "chat.mcp.access")
    );
    let registry = compile(
        VsCode,
        &[(
            Managed,
            r#"{"ChatMCP": "registryOnly",
                "McpGalleryServiceUrl": "https://registry.corp.example"}"#,
        )],
    );
    let from = |registry_url: &str| stdio("a", &["a"]).with_registry(registry_url);
    assert_eq!(
        load(&registry, from("https://registry.corp.example")),
        Allow
    );
    assert_eq!(
        load(&registry, from("https://registry.modelcontextprotocol.io")),
        Deny
    );
    assert_eq!(load(&registry, stdio("a", &["a"])), Deny);
    // Without a registry URL no server can be shown to come from the registry.
    let unnamed = compile(VsCode, &[(User, r#"{"chat.mcp.access": "registry"}"#)]);
    assert_eq!(load(&unnamed, from("https://registry.corp.example")), Deny);
    // Claude Code and Copilot do not read the setting.
    let claude = compile(ClaudeCode, &[(Managed, r#"{"chat.mcp.access": "none"}"#)]);
    assert_eq!(load(&claude, stdio("a", &["a"])), Allow);
}

// https://code.visualstudio.com/docs/enterprise/policies: "When a policy value is set, the value
// overrides the VS Code setting value configured at any level (default, user, and workspace)."
// Among the other files the docs are silent, so the most restrictive value applies.
#[test]
fn vscode_policy_overrides_settings() {
    let p = compile(
        VsCode,
        &[
            (Managed, r#"{"chat.mcp.access": "all"}"#),
            (User, r#"{"chat.mcp.access": "none"}"#),
        ],
    );
    assert_eq!(load(&p, stdio("a", &["a"])), Allow);
    let p = compile(
        VsCode,
        &[
            (Project, r#"{"chat.mcp.access": "all"}"#),
            (User, r#"{"chat.mcp.access": "none"}"#),
        ],
    );
    assert_eq!(
        decided(&connect(&p, stdio("a", &["a"]))),
        (Deny, "user", "chat.mcp.access")
    );
}

// COPILOT_REFERENCE ("Supported keys"): `permissions.deny`, `permissions.ask` and
// `permissions.allow` are marked "Not supported" for VS Code, while `allowedMcpServers` and
// `deniedMcpServers` are supported, with Copilot's semantics.
#[test]
fn vscode_reads_the_lists_but_not_permission_rules() {
    let s = settings(
        VsCode,
        &[
            (
                Managed,
                r#"{"allowedMcpServers": [{"serverName": "a"}, {"serverName": "b"}],
                    "permissions": {"deny": ["mcp__a"], "allow": ["mcp__b"]}}"#,
            ),
            (User, r#"{"allowedMcpServers": [{"serverName": "b"}]}"#),
        ],
    );
    assert_eq!(
        warnings(&s),
        [
            "layer `managed`: /permissions/deny: vs code does not read permission rules; ignored",
            "layer `managed`: /permissions/allow: vs code does not read permission rules; ignored",
        ]
    );
    let p = s.compile().unwrap();
    assert_eq!(load(&p, stdio("a", &["a"])), Deny);
    assert_eq!(load(&p, stdio("b", &["b"])), Allow);
    let request = Request::new(Principal::new("u"), Action::CallTool, stdio("b", &["b"]))
        .with_tool(ToolFacts::new("t"));
    assert_eq!(p.evaluate(&request).effect(), Ask);
}
