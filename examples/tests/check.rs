//! `mcp-registry check`: the sample files, exit codes and diagnostics.
#![expect(
    clippy::indexing_slicing,
    clippy::panic,
    reason = "tests fail by panicking; clippy.toml's test allowances reach only #[test] functions"
)]

mod util;

use mcp_registry_examples::check;

use util::{data, run_check as run};

fn scratch(name: &str, contents: &str) -> String {
    util::scratch("check", name, contents)
}

#[test]
fn the_sample_policy_allows_the_sample_request() {
    let (code, out, err) = run(&[data("policy.json"), data("request.json")]);
    assert_eq!((code, err.as_str()), (check::ALLOW, ""));
    let record: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(record["effect"], "allow");
    assert_eq!(record["decidedBy"]["rule"], "github-for-developers");
    assert!(
        record["policyHash"]
            .as_str()
            .unwrap()
            .starts_with("sha256:")
    );
}

#[test]
fn managed_settings_are_a_policy_too() {
    let (code, out, _) = run(&[
        "--claude-settings".into(),
        data("managed-settings.json"),
        data("request.json"),
    ]);
    assert_eq!(code, check::ALLOW);
    let record: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(record["decidedBy"]["rule"], "permissions.allow/0");
}

#[test]
fn ask_and_deny_have_their_own_exit_codes() {
    let request = scratch(
        "delete.json",
        r#"{"principal": {"id": "bob", "groups": ["engineering"]}, "action": "callTool",
            "server": {"name": "io.github.github/github-mcp-server", "label": "github",
                       "remotes": [{"type": "streamable-http", "url": "https://api.githubcopilot.com/mcp/"}]},
            "tool": {"name": "delete_file"}}"#,
    );
    let (code, out, _) = run(&[data("policy.json"), request.clone()]);
    assert_eq!(code, check::ASK);
    assert!(
        out.contains(r#""obligations":[{"type":"bindArgumentsDigest"}]"#),
        "{out}"
    );
    let (code, _, _) = run(&[
        "--claude-settings".into(),
        data("managed-settings.json"),
        request,
    ]);
    assert_eq!(code, check::DENY);
}

#[test]
fn invalid_policies_print_every_diagnostic() {
    let policy = scratch(
        "bad.json",
        r#"{"rules": [{"id": "a", "effect": "alow"}, {"id": "b", "effect": "allow", "match": {"tool": ["[x"]}}]}"#,
    );
    let (code, out, err) = run(&[policy.clone(), data("request.json")]);
    assert_eq!((code, out.as_str()), (check::INVALID, ""));
    assert_eq!(
        err,
        format!(
            "{policy}: error: /rules/0/effect: unknown variant `alow`, did you mean `allow`\n\
             {policy}: error: /rules/1/match/tool: invalid glob `[x`: unclosed character class\n"
        )
    );
}

#[test]
fn explain_and_usage() {
    let (code, out, _) = run(&[
        "--explain".into(),
        data("policy.json"),
        data("request.json"),
    ]);
    assert_eq!(code, check::ALLOW);
    let explanation: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(explanation["rules"].as_array().unwrap().len(), 6);
    let (code, out, err) = run(&[data("policy.json")]);
    assert_eq!(code, check::INVALID);
    util::assert_usage_error(
        code,
        &out,
        &err,
        "expected two files: POLICY.json REQUEST.json",
    );
    let (code, out, err) = run(&["--nope"]);
    assert_eq!(code, check::INVALID);
    util::assert_usage_error(code, &out, &err, "unexpected argument '--nope'");
    let (code, out, err) = run(&["--help"]);
    assert_eq!((code, err.as_str()), (check::ALLOW, ""));
    assert!(out.contains("Usage: mcp-registry check"), "{out}");
}

fn record(out: &str) -> serde_json::Value {
    serde_json::from_str(out).unwrap_or_else(|e| panic!("{e}: {out}"))
}

// Issue 12: a managed `"allowedMcpServers": []` plus a user file with only `permissions.allow`
// let every server connect, because the user layer's rules carried no allowlist check.
#[test]
fn an_empty_managed_allowlist_is_not_bypassed_by_user_allow_rules() {
    let managed = scratch("empty-managed.json", r#"{"allowedMcpServers": []}"#);
    let user = scratch(
        "allow-user.json",
        r#"{"permissions": {"allow": ["mcp__github"]}}"#,
    );
    let (code, out, err) = run(&[
        "--settings".into(),
        format!("user={user}"),
        "--settings".into(),
        format!("managed={managed}"),
        data("request.json"),
    ]);
    assert_eq!((code, err.as_str()), (check::DENY, ""));
    let record = record(&out);
    assert_eq!(record["decidedBy"]["layer"], "managed");
    assert_eq!(record["decidedBy"]["rule"], "allowedMcpServers/unmatched");
}

#[test]
fn the_audit_record_names_the_deciding_files_scope() {
    let user = scratch(
        "deny-user.json",
        r#"{"permissions": {"deny": ["mcp__github__get_issue"]}}"#,
    );
    let (code, out, _) = run(&[
        format!("--settings=user={user}"),
        "--claude-settings".into(),
        data("managed-settings.json"),
        data("request.json"),
    ]);
    assert_eq!(code, check::DENY);
    let record = record(&out);
    assert_eq!(record["decidedBy"]["layer"], "user");
    assert_eq!(record["decidedBy"]["rule"], "permissions.deny/0");

    // `--claude-settings FILE` is `--settings managed=FILE`.
    let shorthand = run(&[
        "--claude-settings".into(),
        data("managed-settings.json"),
        data("request.json"),
    ]);
    let longhand = run(&[
        "--settings".into(),
        format!("managed={}", data("managed-settings.json")),
        data("request.json"),
    ]);
    assert_eq!(shorthand, longhand);
    assert_eq!(record_layer(&longhand.1), "managed");
}

fn record_layer(out: &str) -> String {
    record(out)["decidedBy"]["layer"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[test]
fn settings_warnings_name_their_file() {
    let user = scratch(
        "lock-user.json",
        r#"{"allowManagedMcpServersOnly": true, "allowedMcpServers": "github"}"#,
    );
    let (code, _, err) = run(&[
        "--claude-settings".into(),
        data("managed-settings.json"),
        "--settings".into(),
        format!("user={user}"),
        data("request.json"),
    ]);
    assert_eq!(code, check::ALLOW);
    assert_eq!(
        err,
        format!(
            "{user}: warning: /allowedMcpServers: expected an array of entries; enforced as an empty allowlist\n\
             {user}: warning: /allowManagedMcpServersOnly: takes effect only in managed settings; ignored in this file\n"
        )
    );
}

#[test]
fn the_host_flag_picks_the_documented_semantics() {
    let managed = scratch(
        "names-managed.json",
        r#"{"allowedMcpServers": [{"serverName": "github"}]}"#,
    );
    let user = scratch(
        "names-user.json",
        r#"{"allowedMcpServers": [{"serverName": "slack"}]}"#,
    );
    let args = |host: &str| {
        vec![
            "--host".into(),
            host.into(),
            "--settings".into(),
            format!("managed={managed}"),
            "--settings".into(),
            format!("user={user}"),
            data("request.json"),
        ]
    };
    // Claude Code merges the allowlists; the tool call then needs approval.
    let (code, _, _) = run(&args("claude-code"));
    assert_eq!(code, check::ASK);
    // Copilot intersects them: `github` is not on the user's list.
    let (code, out, _) = run(&args("copilot"));
    assert_eq!(code, check::DENY);
    assert_eq!(record_layer(&out), "user");
}

#[test]
fn bad_settings_arguments_exit_2_with_one_error_line() {
    let request = data("request.json");
    let cases: [(Vec<String>, &str); 10] = [
        (
            vec!["--settings".into(), "global=x.json".into(), request.clone()],
            "error: invalid value 'global=x.json' for '--settings <SCOPE=FILE>': unknown settings \
             scope `global`: expected `managed`, `cli`, `local`, `project` or `user`",
        ),
        (
            vec!["--settings".into(), "x.json".into(), request.clone()],
            "error: invalid value 'x.json' for '--settings <SCOPE=FILE>': expected SCOPE=FILE",
        ),
        (
            vec![
                "--settings".into(),
                "user=a.json".into(),
                "--settings".into(),
                "user=b.json".into(),
                request.clone(),
            ],
            "error: settings scope `user` given twice",
        ),
        (
            vec![
                "--claude-settings".into(),
                "a.json".into(),
                "--settings".into(),
                "managed=b.json".into(),
                request.clone(),
            ],
            "error: settings scope `managed` given twice",
        ),
        (
            vec![
                "--host".into(),
                "cursor".into(),
                "--claude-settings".into(),
                "a.json".into(),
                request.clone(),
            ],
            "error: invalid value 'cursor' for '--host <HOST>'",
        ),
        (
            vec![
                "--host".into(),
                "copilot".into(),
                data("policy.json"),
                request.clone(),
            ],
            "error: the following required arguments were not provided:",
        ),
        (
            vec![request.clone(), "--settings".into()],
            "error: a value is required for '--settings <SCOPE=FILE>' but none was supplied",
        ),
        (
            vec![
                "--claude-settings".into(),
                "a.json".into(),
                "--claude-settings".into(),
                "b.json".into(),
                request.clone(),
            ],
            "error: settings scope `managed` given twice",
        ),
        (
            vec![
                "--host".into(),
                "copilot".into(),
                "--host".into(),
                "vscode".into(),
                "--claude-settings".into(),
                "a.json".into(),
                request.clone(),
            ],
            "error: `--host` given twice",
        ),
        // With settings, only the request is positional.
        (
            vec![
                "--claude-settings".into(),
                data("managed-settings.json"),
                data("policy.json"),
                request,
            ],
            "error: with --settings or --claude-settings, expected one file: REQUEST.json",
        ),
    ];
    for (args, expected) in cases {
        let (code, out, err) = run(&args);
        assert_eq!(code, check::INVALID, "{args:?}");
        util::assert_usage_error(code, &out, &err, expected);
        assert!(err.starts_with(&format!("{expected}\n")), "{args:?}: {err}");
    }
}

#[test]
fn host_lists_its_values_and_needs_settings() {
    let (_, _, err) = run(&["--host", "cursor", "--claude-settings", "a.json", "r.json"]);
    assert!(
        err.contains("[possible values: claude-code, copilot, vscode]"),
        "{err}"
    );
    let (_, _, err) = run(&["--host", "copilot", "p.json", "r.json"]);
    assert!(
        err.contains("<--settings <SCOPE=FILE>|--claude-settings <FILE>>"),
        "{err}"
    );
}

#[test]
fn a_settings_file_that_is_not_an_object_is_reported_against_its_file() {
    let user = scratch("array-user.json", "[]");
    let (code, out, err) = run(&[
        "--claude-settings".into(),
        data("managed-settings.json"),
        "--settings".into(),
        format!("user={user}"),
        data("request.json"),
    ]);
    assert_eq!((code, out.as_str()), (check::INVALID, ""));
    assert_eq!(
        err,
        format!("{user}: error: /: user settings must be a json object\n")
    );
}
