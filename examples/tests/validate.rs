//! Runs the real `mcp-registry` binary on the shipped data and on files written per test.
#![expect(
    clippy::expect_used,
    clippy::unwrap_used,
    reason = "tests fail by panicking; clippy.toml's test allowances reach only #[test] functions"
)]

use std::path::PathBuf;
use std::process::{Command, Output};

use serde_json::Value;

fn data(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("data/servers")
        .join(name)
        .display()
        .to_string()
}

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mcp-registry"))
        .args(args)
        .output()
        .expect("binary runs")
}

fn scratch(name: &str, contents: &str) -> String {
    let dir = std::env::temp_dir().join(format!("mcp-registry-validate-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, contents).unwrap();
    path.display().to_string()
}

fn json_lines(output: &Output) -> Vec<Value> {
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn valid_files_exit_zero_and_warnings_are_shown() {
    let output = run(&[
        "validate",
        &data("weather.json"),
        &data("notes-legacy.json"),
    ]);
    assert_eq!(output.status.code(), Some(0));
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        text.contains("weather.json: valid, 0 error(s), 0 warning(s)"),
        "{text}"
    );
    assert!(
        text.contains("notes-legacy.json: valid, 0 error(s), 1 warning(s)"),
        "{text}"
    );
    assert!(
        text.contains("  warning /$schema: schema version `2025-09-29` is not the current version"),
        "{text}"
    );
}

#[test]
fn json_output_is_one_line_per_file_with_findings() {
    let output = run(&[
        "validate",
        "--json",
        &data("broken.json"),
        &data("weather.json"),
    ]);
    assert_eq!(output.status.code(), Some(1));
    let lines = json_lines(&output);
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["valid"], false);
    assert_eq!(lines[1]["valid"], true);
    let findings = lines[0]["findings"].as_array().unwrap();
    let range = findings
        .iter()
        .find(|f| f["code"] == "version-looks-like-range")
        .unwrap();
    assert_eq!(range["path"], "/version");
    assert_eq!(range["severity"], "error");
    assert_eq!(
        range["message"],
        "`^1.2.0` is a range: write one specific version such as `1.2.3`"
    );
    assert!(findings.iter().all(|f| f.as_object().unwrap().len() == 4));
}

#[test]
fn unreadable_and_non_json_files_exit_two_and_the_rest_are_still_checked() {
    let not_json = scratch("not-json.json", "<html>nope</html>");
    let missing = scratch("present.json", "{}").replace("present.json", "missing.json");
    let output = run(&[
        "validate",
        "--json",
        &not_json,
        &missing,
        &data("weather.json"),
    ]);
    assert_eq!(output.status.code(), Some(2));
    let lines = json_lines(&output);
    assert_eq!(lines.len(), 3);
    assert!(
        lines[0]["error"]
            .as_str()
            .unwrap()
            .starts_with("not JSON: expected value at line 1 column 1")
    );
    assert!(
        lines[1]["error"]
            .as_str()
            .unwrap()
            .starts_with("cannot read: ")
    );
    assert_eq!(lines[2]["valid"], true);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("not-json.json: not JSON: expected value at line 1 column 1"),
        "{stderr}"
    );
}

#[test]
fn arrays_and_list_pages_check_every_document_with_prefixed_paths() {
    let seed = scratch(
        "seed.json",
        r#"[{"$schema": "https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json",
             "name": "io.github.a/bb", "description": "ok", "version": "1.0.0"},
            {"name": "io.github.a/cc", "description": "", "version": "1.0.0"}]"#,
    );
    let output = run(&["validate", "--json", &seed]);
    assert_eq!(output.status.code(), Some(1));
    let findings = json_lines(&output)[0]["findings"]
        .as_array()
        .unwrap()
        .clone();
    let paths: Vec<_> = findings
        .iter()
        .map(|f| f["path"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(paths, ["/1/$schema", "/1/description"]);

    let page = scratch(
        "page.json",
        r#"{"servers": [{"server": {"name": "bad", "description": "d", "version": "1"}}], "metadata": {"count": 1}}"#,
    );
    let output = run(&["validate", "--json", &page]);
    let findings = json_lines(&output)[0]["findings"]
        .as_array()
        .unwrap()
        .clone();
    assert!(
        findings
            .iter()
            .any(|f| f["path"] == "/servers/0/server/name" && f["code"] == "invalid-server-name")
    );
}

#[test]
fn wrong_shape_is_an_invalid_document_not_a_crash() {
    let file = scratch(
        "shape.json",
        r#"{"name": "io.github.a/b", "packages": "npm"}"#,
    );
    let output = run(&["validate", &file]);
    assert_eq!(output.status.code(), Some(1));
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        text.contains("  error /packages: invalid type: string \"npm\", expected an array [parse]"),
        "{text}"
    );
}

#[test]
fn terminal_escapes_in_registry_text_are_not_printed() {
    let file = scratch(
        "escape.json",
        "{\"name\": \"evil\\u001b[2J\", \"description\": \"d\", \"version\": \"1\"}",
    );
    let output = run(&["validate", &file]);
    assert!(!output.stdout.contains(&0x1b));
}

#[test]
fn usage_errors_exit_two() {
    assert_eq!(run(&["validate"]).status.code(), Some(2));
    assert_eq!(
        run(&["validate", "--frobnicate", "x"]).status.code(),
        Some(2)
    );
    assert_eq!(run(&["no-such-command"]).status.code(), Some(2));
}
