//! Issue 12, §3: nothing from input reaches the terminal raw. Each class of unsafe character
//! goes through the text and the JSON output of `check` and `validate`, in object keys, ids,
//! registry text and file names.
//!
//! The oracle is the attack text itself: none of its characters but the printable ASCII ones
//! may appear in the output (a newline only where the command ends its own lines), a text escape is what the standard
//! library's `char::escape_default` writes, and JSON output must parse back to the input.
#![expect(
    clippy::unwrap_used,
    reason = "tests fail by panicking; clippy.toml's test allowances reach only #[test] functions"
)]

use std::path::PathBuf;

mod util;

use mcp_registry_examples::check;

use serde_json::{Value, json};
use util::{run_check, run_validate};

/// One sample of every class, each with terminal escapes of its own.
const CLASSES: [(&str, &str); 6] = [
    ("c0", "\u{1b}]0;title\u{7}\u{1b}[2J\r\n\t\u{0}"),
    ("c1", "\u{9b}2J\u{85}\u{90}"),
    ("del", "\u{7f}"),
    ("bidi", "\u{202e}\u{2066}\u{200f}\u{61c}"),
    ("zero-width", "\u{200b}\u{200d}\u{feff}\u{2060}\u{ad}"),
    ("tag", "\u{e0041}\u{e007f}\u{fe0f}"),
];

fn dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mcp-terminal-safety-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Writes `contents` to a file whose name holds `attack` (less NUL, which no file name can);
/// `test` keeps the tests, which run in parallel, apart.
fn hostile_file(test: &str, class: &str, attack: &str, contents: &str) -> String {
    let name = format!("{test}-{class}-{}.json", attack.replace('\0', ""));
    let path = dir().join(name);
    std::fs::write(&path, contents).unwrap();
    path.to_str().unwrap().to_owned()
}

fn plain_file(name: &str, contents: &str) -> String {
    let path = dir().join(name);
    std::fs::write(&path, contents).unwrap();
    path.to_str().unwrap().to_owned()
}

/// What `escape_controls` must write for `text`, by the standard library.
fn escaped(text: &str) -> String {
    text.chars()
        .map(|c| c.escape_default().to_string())
        .collect()
}

#[track_caller]
fn assert_no_raw(output: &str, attack: &str, lines: usize) {
    for c in attack
        .chars()
        .filter(|&c| c != '\n' && !c.is_ascii_graphic())
    {
        assert!(
            !output.contains(c),
            "U+{:04X} printed raw: {output:?}",
            u32::from(c)
        );
    }
    assert_eq!(output.lines().count(), lines, "{output:?}");
}

fn request(attack: &str) -> String {
    json!({
        "principal": {"id": format!("alice{attack}")},
        "action": "callTool",
        "server": {"name": "io.github.acme/weather"},
        "tool": {"name": format!("forecast{attack}")}
    })
    .to_string()
}

#[test]
fn check_diagnostics_escape_keys_and_file_names() {
    for (class, attack) in CLASSES {
        let key = format!("k{attack}");
        let policy = json!({"rules": [{"id": "a", "effect": "allow", "match": {&key: 1}}]});
        let policy = hostile_file("diagnostics", class, attack, &policy.to_string());
        let request = plain_file(&format!("request-{class}.json"), &request(attack));
        let (code, out, err) = run_check(&[policy.clone(), request]);
        assert_eq!((code, out.as_str()), (check::INVALID, ""), "{class}");
        assert_no_raw(&err, attack, 1);
        let prefix = format!(
            "{}: error: /rules/0/match/{}: unknown field `{}`, expected one of ",
            escaped(&policy),
            escaped(&key),
            escaped(&key)
        );
        assert!(err.starts_with(&prefix), "{class}: {err:?}");
    }
}

#[test]
fn check_read_errors_escape_file_names() {
    for (class, attack) in CLASSES {
        let missing = dir().join(format!("missing-{class}-{}", attack.replace('\0', "")));
        let missing = missing.to_str().unwrap().to_owned();
        let (code, _, err) = run_check(&[missing.clone(), missing.clone()]);
        assert_eq!(code, check::INVALID);
        assert_no_raw(&err, attack, 1);
        assert_eq!(
            err,
            format!(
                "mcp-registry check: {}: No such file or directory (os error 2)\n",
                escaped(&missing)
            )
        );
    }
}

#[test]
fn check_decisions_and_explanations_are_json_with_the_same_values() {
    for (class, attack) in CLASSES {
        let id = format!("rule{attack}");
        let reason = format!("because{attack}");
        let policy = json!({"rules": [{"id": &id, "effect": "allow", "reason": &reason}]});
        let policy = plain_file(&format!("policy-{class}.json"), &policy.to_string());
        let request = hostile_file("decisions", class, attack, &request(attack));
        for explain in [false, true] {
            let mut args = vec![policy.clone(), request.clone()];
            if explain {
                args.insert(0, "--explain".to_owned());
            }
            let (code, out, err) = run_check(&args);
            assert_eq!((code, err.as_str()), (check::ALLOW, ""), "{class}");
            assert_no_raw(&out, attack, 1);
            assert!(out.is_ascii(), "{class}: {out}");
            let record: Value = serde_json::from_str(&out).unwrap();
            let decision = if explain {
                &record["decision"]
            } else {
                &record
            };
            assert_eq!(decision["decidedBy"]["rule"], id.as_str(), "{class}");
            assert_eq!(decision["reasons"][0], reason.as_str(), "{class}");
        }
    }
}

fn server_json(attack: &str) -> String {
    json!({
        "$schema": "https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json",
        "name": "io.github.acme/weather",
        "description": format!("Forecasts{attack}"),
        "version": "1.0.0",
        format!("k{attack}"): 1
    })
    .to_string()
}

#[test]
fn validate_text_escapes_keys_messages_and_file_names() {
    for (class, attack) in CLASSES {
        let file = hostile_file("validate-text", class, attack, &server_json(attack));
        let (code, out, err) = run_validate(&[&file]);
        assert_eq!((code, err.as_str()), (Some(1), ""), "{class}");
        assert_no_raw(&out, attack, 2);
        let key = escaped(&format!("k{attack}"));
        assert_eq!(
            out,
            format!(
                "{}: invalid, 1 error(s), 0 warning(s)\n  \
                 error /{key}: the registry does not accept property `{key}`: remove it \
                 [unknown-property]\n",
                escaped(&file)
            ),
            "{class}"
        );
    }
}

#[test]
fn validate_json_keeps_keys_and_file_names_exactly() {
    for (class, attack) in CLASSES {
        let file = hostile_file("validate-json", class, attack, &server_json(attack));
        let (code, out, err) = run_validate(&["--json", &file]);
        assert_eq!((code, err.as_str()), (Some(1), ""), "{class}");
        assert_no_raw(&out, attack, 1);
        assert!(out.is_ascii(), "{class}: {out}");
        let line: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(line["file"], file.as_str(), "{class}");
        assert_eq!(
            line["findings"][0]["path"],
            format!("/k{attack}"),
            "{class}"
        );
    }
}

#[test]
fn validate_unreadable_files_escape_their_names_in_both_forms() {
    for (class, attack) in CLASSES {
        let file = hostile_file("unreadable", class, attack, "<html>");
        let (code, out, err) = run_validate(&[&file]);
        assert_eq!((code, out.as_str()), (Some(2), ""), "{class}");
        assert_no_raw(&err, attack, 1);
        assert_eq!(
            err,
            format!(
                "mcp-registry validate: {}: not JSON: expected value at line 1 column 1\n",
                escaped(&file)
            )
        );

        let (code, out, err) = run_validate(&["--json", &file]);
        assert_eq!(code, Some(2), "{class}");
        assert_no_raw(&out, attack, 1);
        assert_no_raw(&err, attack, 1);
        let line: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(line["file"], file.as_str(), "{class}");
    }
}

#[test]
fn unknown_options_are_escaped() {
    let (code, out, err) = run_validate(&["--\u{1b}[2J\u{202e}", "x.json"]);
    assert_eq!((code, out.as_str()), (Some(2), ""));
    assert!(
        err.starts_with("error: unexpected argument '--\\u{1b}[2J\\u{202e}' found\n"),
        "{err}"
    );
    assert_no_raw(&err, "\u{1b}[2J\u{202e}", err.lines().count());
}
