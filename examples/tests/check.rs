//! `mcp-registry check`: the sample files, exit codes and diagnostics.

use std::path::{Path, PathBuf};

use mcp_registry_examples::check;

fn data(file: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("data")
        .join(file)
        .display()
        .to_string()
}

fn scratch(name: &str, contents: &str) -> String {
    let dir: PathBuf = std::env::temp_dir().join(format!("mcp-check-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, contents).unwrap();
    path.display().to_string()
}

fn run(args: &[String]) -> (u8, String, String) {
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = check::run(args, &mut out, &mut err);
    (
        code,
        String::from_utf8(out).unwrap(),
        String::from_utf8(err).unwrap(),
    )
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
    let (code, _, err) = run(&[data("policy.json")]);
    assert_eq!(code, check::INVALID);
    assert!(err.starts_with("usage: mcp-registry check"), "{err}");
    let (code, _, err) = run(&["--nope".into()]);
    assert_eq!(code, check::INVALID);
    assert!(
        err.starts_with("mcp-registry check: unknown option `--nope`"),
        "{err}"
    );
}
