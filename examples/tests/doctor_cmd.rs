//! `mcp-registry doctor`: host config files checked against a catalog for drift and secrets
//! in clear text.

mod util;

/// A Claude Code file with one problem of each kind (against the bundled sample catalog).
const DRIFTED: &str = r#"{"mcpServers": {
  "github": {"type": "stdio", "command": "npx", "args": ["-y", "@octo-tools/github-mcp@1.3.2"],
             "env": {"GITHUB_TOKEN": "ghp_cleartext_value"}},
  "jira": {"command": "npx", "args": ["-y", "@atlas-devtools/jira-mcp@2.8.1"],
           "env": {"JIRA_API_TOKEN": "${JIRA_API_TOKEN}"}},
  "custom": {"command": "node", "args": ["server.js"], "env": {"SERVICE_API_KEY": "sk-live-value"}},
  "sentry": {"type": "http", "url": "https://mcp.sentinel-io.example/mcp",
             "headers": {"Authorization": "Bearer header_value"}},
  "pastebin": {"command": "npx", "args": ["-y", "old-pastebin-mcp@0.1.0"]},
  "weather": {"type": "http", "url": "https://eu.forecastly.example/mcp",
              "headers": {"X-API-Key": "${FORECASTLY_KEY}"}}
}}"#;

fn doctor(args: &[&str]) -> (u8, String, String) {
    util::run_command("doctor", args)
}

#[test]
fn drift_and_clear_text_secrets_are_found_and_values_never_printed() {
    let file = util::scratch("doctor", ".mcp.json", DRIFTED);
    let (code, out, err) = doctor(&[&file]);
    assert_eq!(code, 1, "{err}");
    let found: Vec<(&str, &str)> = out
        .lines()
        .map(|line| {
            let mut cells = line
                .split("  ")
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .skip(1);
            (cells.next().unwrap(), cells.next().unwrap())
        })
        .collect();
    assert_eq!(
        found,
        [
            ("github", "action"),
            ("github", "action"),
            ("jira", "action"),
            ("jira", "action"),
            ("custom", "note"),
            ("custom", "action"),
            ("sentry", "action"),
            ("pastebin", "action"),
        ],
        "{out}"
    );
    for expected in [
        "pins 1.3.2; io.github.octo-tools/github's latest version uses 1.4.0",
        "env.GITHUB_TOKEN is a secret in the registry entry but is written in clear text",
        "io.github.atlas-devtools/jira 2.8.1 is deprecated",
        "env.SERVICE_API_KEY looks like a secret written in clear text",
        "headers.Authorization is a secret in the registry entry",
        "io.github.old-tools/pastebin 0.1.0 is deleted",
    ] {
        assert!(out.contains(expected), "{expected}: {out}");
    }
    for value in ["ghp_cleartext_value", "sk-live-value", "header_value"] {
        assert!(
            !out.contains(value) && !err.contains(value),
            "{value} printed"
        );
    }
    let (code, out, _) = doctor(&["--json", &file]);
    assert_eq!(code, 1);
    let findings: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(findings.as_array().unwrap().len(), 8);
    assert_eq!(findings[0]["kind"], "behind");
}

#[test]
fn a_file_written_by_config_needs_nothing() {
    let (code, text, err) = util::run_command(
        "config",
        &["io.github.octo-tools/github", "--host", "codex"],
    );
    assert_eq!(code, 0, "{err}");
    let file = util::scratch("doctor-clean", "config.toml", text);
    let (code, out, err) = doctor(&[&file]);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(out, "1 file(s) checked: nothing to do\n");
}

#[test]
fn unreadable_and_malformed_files_are_findings_that_need_action() {
    let bad_json = util::scratch("doctor-bad", ".mcp.json", "{\"mcpServers\": {\"x\": 3}}");
    let unknown = util::scratch("doctor-bad", "notes.txt", "hello");
    let missing = util::scratch_dir("doctor-bad")
        .join("absent.json")
        .display()
        .to_string();
    for file in [bad_json, unknown, missing] {
        let (code, out, err) = doctor(&[&file]);
        assert_eq!(code, 1, "{file}: {out}{err}");
        assert_eq!(out.lines().count(), 1, "{out}");
        assert!(out.contains("action"), "{out}");
    }
}
