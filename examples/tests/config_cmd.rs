//! `mcp-registry config`: a registry entry as each host's configuration, refusals, merging
//! into an existing file, and prompting through the `Prompter` trait.

mod util;

use clap::Parser as _;
use mcp_registry_client::types::host::{self, Host};
use mcp_registry_client::types::plan::Question;
use mcp_registry_examples::cli::{Cli, Command};
use mcp_registry_examples::config::{self, Prompter};

const GITHUB: &str = "io.github.octo-tools/github";

/// `config ARGS` in process: exit code, standard output, standard error.
fn config(args: &[&str]) -> (u8, String, String) {
    util::run_command("config", args)
}

#[test]
fn every_host_gets_a_file_it_reads_back_with_the_secret_as_a_reference() {
    for (host, reference) in [
        (Host::ClaudeCode, "${GITHUB_TOKEN}"),
        (Host::VsCode, "${input:github-token}"),
        (Host::Cursor, "${env:GITHUB_TOKEN}"),
        (Host::Gemini, "${GITHUB_TOKEN}"),
        (Host::Codex, "env_vars = [\"GITHUB_TOKEN\"]"),
    ] {
        let (code, out, err) = config(&[GITHUB, "--host", host.as_str()]);
        assert_eq!(code, 0, "{host}: {err}");
        assert!(out.contains(reference), "{host}: {out}");
        assert!(
            out.contains("@octo-tools/github-mcp@1.4.0"),
            "{host}: {out}"
        );
        // The host reads back exactly one server, under the default key.
        let servers = host::import(host, &out).unwrap();
        assert_eq!(servers.len(), 1, "{host}");
        assert_eq!(servers[0].key(), "github");
        assert!(
            err.contains("GITHUB_TOKEN") || err.contains("github-token"),
            "{err}"
        );
    }
}

#[test]
fn refusals_exit_1_with_a_reason_and_print_nothing() {
    let cases: [(&[&str], &str); 8] = [
        // A secret Claude Desktop cannot reference.
        (
            &[GITHUB, "--host", "claude-desktop"],
            "cannot reference the secret `GITHUB_TOKEN`",
        ),
        // A remote on a stdio-only host.
        (
            &["io.github.linear-tools/linear", "--host", "claude-desktop"],
            "only launches local",
        ),
        // A transport the host lacks.
        (
            &["io.github.linear-tools/linear", "--host", "codex"],
            "cannot connect over `sse`",
        ),
        // A bundle no host file can reference.
        (
            &["io.github.desktop-bundles/screenshot", "--host", "vscode"],
            "sha256",
        ),
        // A registry type with no runner.
        (
            &["io.github.rustacean-tools/cargo-docs", "--host", "vscode"],
            "cargo",
        ),
        // A value not among the choices.
        (
            &[
                "io.github.pgtools/postgres",
                "--host",
                "vscode",
                "--set",
                "--access-mode=all",
            ],
            "`all` is not one of `read-only`, `read-write`",
        ),
        // An input the entry does not take.
        (
            &[GITHUB, "--host", "vscode", "--set", "NOPE=1"],
            "takes no such input",
        ),
        // An unknown server.
        (
            &["io.github.nobody/nothing", "--host", "vscode"],
            "not found",
        ),
    ];
    for (args, reason) in cases {
        let (code, out, err) = config(args);
        assert_eq!((code, out.as_str()), (1, ""), "{args:?}: {err}");
        assert!(err.contains(reason), "{args:?}: {err}");
    }
}

#[test]
fn every_missing_required_input_is_listed_at_once() {
    let (code, out, err) = config(&["io.github.mailroom/email", "--host", "claude-code"]);
    assert_eq!((code, out.as_str()), (1, ""));
    assert!(err.contains("3 required input(s) missing"), "{err}");
    for key in ["IMAP_HOST", "SMTP_HOST", "MAIL_USER"] {
        assert!(err.contains(&format!("  {key} (")), "{key}: {err}");
    }
    // The secret is not among them: the file references it instead.
    assert!(!err.contains("MAIL_PASSWORD ("), "{err}");
    let (code, out, err) = config(&[
        "io.github.mailroom/email",
        "--host",
        "claude-code",
        "--set",
        "IMAP_HOST=imap.example.com",
        "--set",
        "SMTP_HOST=smtp.example.com",
        "--set",
        "MAIL_USER=me",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("\"MAIL_PASSWORD\": \"${MAIL_PASSWORD}\""),
        "{out}"
    );
}

#[test]
fn a_dry_run_shows_the_exact_argv_with_shell_metacharacters_literal() {
    let (code, out, err) = config(&[
        "io.github.pgtools/postgres",
        "--host",
        "vscode",
        "--dry-run",
        "--set",
        "--max-rows=1; rm -rf / $(x)",
    ]);
    // `--max-rows` must be a number: the hostile value is refused, not passed on.
    assert_eq!(code, 1, "{out}{err}");
    let (code, out, err) = config(&[
        "io.github.sqlite-mcp/sqlite",
        "--host",
        "vscode",
        "--dry-run",
        "--set",
        "--db-path=/tmp/a b; rm -rf / $(x) `y` | z",
    ]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        out,
        "server:  io.github.sqlite-mcp/sqlite 1.2.0\n\
         program: uvx\n\
         argv[1]: mcp-sqlite-server==1.2.0\n\
         argv[2]: --db-path\n\
         argv[3]: /tmp/a b; rm -rf / $(x) `y` | z\n\
         connect: stdio\n"
    );
}

#[test]
fn write_merges_into_the_file_and_keeps_a_backup() {
    let dir = util::scratch_dir("config-write");
    let file = dir.join("mcp.json");
    let existing = "{\n  \"servers\": {\n    \"mine\": {\"type\": \"stdio\", \"command\": \"my-server\", \"env\": {\"K\": \"${input:mine-key}\"}}\n  },\n  \"inputs\": []\n}\n";
    std::fs::write(&file, existing).unwrap();
    let path = file.display().to_string();
    let (code, out, err) = config(&[GITHUB, "--host", "vscode", "--write", &path]);
    assert_eq!((code, out.as_str()), (0, ""), "{err}");
    assert!(err.contains("wrote"), "{err}");
    // One hint: the written entry's secret, not those of entries already in the file.
    assert_eq!(err.matches("asks for").count(), 1, "{err}");
    assert!(err.contains("`github-token`"), "{err}");
    let written = std::fs::read_to_string(&file).unwrap();
    let servers = host::import(Host::VsCode, &written).unwrap();
    let keys: Vec<&str> = servers.iter().map(host::ImportedServer::key).collect();
    assert_eq!(keys, ["mine", "github"]);
    assert_eq!(
        std::fs::read_to_string(dir.join("mcp.json.bak")).unwrap(),
        existing
    );
    // A file that is not the host's format is refused and left alone.
    std::fs::write(&file, "not json").unwrap();
    let (code, _, err) = config(&[GITHUB, "--host", "vscode", "--write", &path]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "not json");
}

#[test]
fn a_local_server_json_is_read_and_bad_ones_are_refused() {
    let weather = util::data("servers/weather.json");
    let (code, out, err) = config(&["--file", &weather, "--host", "claude-code", "--key", "wx"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("\"wx\""), "{out}");
    let missing = util::scratch_dir("config-file")
        .join("absent.json")
        .display()
        .to_string();
    let bad = util::scratch("config-file", "bad.json", "{ nope");
    for file in [missing.as_str(), bad.as_str()] {
        let (code, out, err) = config(&["--file", file, "--host", "vscode"]);
        assert_eq!((code, out.as_str()), (1, ""), "{err}");
        assert_eq!(err.lines().count(), 1, "{err}");
    }
    // An unreachable registry is one line and exit 1 too.
    let (code, out, err) = config(&[
        GITHUB,
        "--host",
        "vscode",
        "--registry",
        "http://127.0.0.1:1/",
        "--retries",
        "0",
    ]);
    assert_eq!((code, out.as_str()), (1, ""), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
}

/// Answers from a script, and records what it was asked.
struct Scripted {
    answers: Vec<(&'static str, Vec<String>)>,
    asked: Vec<String>,
}

impl Prompter for Scripted {
    fn ask(&mut self, question: &Question) -> Result<Vec<String>, String> {
        assert!(
            !question.is_secret(),
            "asked for the secret {}",
            question.key()
        );
        self.asked.push(question.key().to_owned());
        Ok(self
            .answers
            .iter()
            .find(|(key, _)| *key == question.key())
            .map(|(_, values)| values.clone())
            .unwrap_or_default())
    }
}

#[test]
fn on_a_terminal_missing_inputs_are_asked_for_and_secrets_are_not() {
    let cli = Cli::try_parse_from([
        "mcp-registry",
        "config",
        "io.github.mailroom/email",
        "--host",
        "codex",
        "--set",
        "MAIL_USER=me",
    ])
    .unwrap();
    let Command::Config(args) = cli.command else {
        panic!("not config");
    };
    let mut prompter = Scripted {
        answers: vec![
            ("IMAP_HOST", vec!["imap.example.com".to_owned()]),
            ("SMTP_HOST", vec!["smtp.example.com".to_owned()]),
        ],
        asked: Vec::new(),
    };
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = config::run_with(&args, Some(&mut prompter), &mut out, &mut err);
    let (out, err) = (
        String::from_utf8(out).unwrap(),
        String::from_utf8(err).unwrap(),
    );
    assert_eq!(code, 0, "{err}");
    // Asked for what --set did not give, in the entry's order; never for the secret.
    assert_eq!(prompter.asked, ["IMAP_HOST", "SMTP_HOST", "MAIL_TLS"]);
    assert!(out.contains("IMAP_HOST = \"imap.example.com\""), "{out}");
    assert!(out.contains("env_vars = [\"MAIL_PASSWORD\"]"), "{out}");
}

#[test]
fn an_entry_moves_from_one_host_to_another() {
    let (code, vscode, err) = config(&[GITHUB, "--host", "vscode"]);
    assert_eq!(code, 0, "{err}");
    let vscode_file = util::scratch("config-move", "mcp.json", &vscode);
    // A bare `mcp.json` could be VS Code's or Cursor's: the shape says VS Code.
    let (code, codex, err) = config(&["--from", &vscode_file, "--host", "codex"]);
    assert_eq!(code, 0, "{err}");
    let moved = host::import(Host::Codex, &codex).unwrap();
    assert_eq!(moved.len(), 1);
    assert_eq!(moved[0].key(), "github");
    assert!(codex.contains("@octo-tools/github-mcp@1.4.0"), "{codex}");
    assert!(!codex.contains("input:"), "{codex}");
    // A file with several entries needs --entry, and names them when it is missing or wrong.
    let two = util::scratch(
        "config-move",
        ".mcp.json",
        r#"{"mcpServers": {"a": {"command": "a"}, "b": {"url": "https://b.example/mcp"}}}"#,
    );
    let (code, out, err) = config(&["--from", &two, "--host", "cursor"]);
    assert_eq!((code, out.as_str()), (1, ""));
    assert!(err.contains("it has: a, b"), "{err}");
    let (code, out, err) = config(&["--from", &two, "--entry", "b", "--host", "cursor"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("\"url\": \"https://b.example/mcp\""), "{out}");
    let (code, _, err) = config(&["--from", &two, "--entry", "c", "--host", "cursor"]);
    assert_eq!(code, 1);
    assert!(err.contains("no entry `c`"), "{err}");
}

/// The real binary, on each kind of bad input: exit 1, nothing on standard output, one reason
/// per line on standard error (after the note that the bundled sample is read).
#[test]
fn the_binary_refuses_bad_input_with_a_reason() {
    let bad_json = util::scratch("config-binary", "bad.json", "{\"name\": ");
    let absent = util::scratch_dir("config-binary")
        .join("absent.json")
        .display()
        .to_string();
    let cases: [(&[&str], &str); 6] = [
        (&["--file", &absent, "--host", "vscode"], "absent.json"),
        (
            &["--file", &bad_json, "--host", "vscode"],
            "not a server.json",
        ),
        (
            &["io.github.nobody/nothing", "--host", "vscode"],
            "not found",
        ),
        (
            &["io.github.mailroom/email", "--host", "vscode", "--no-input"],
            "required input(s) missing",
        ),
        (
            &[
                "io.github.pgtools/postgres",
                "--host",
                "vscode",
                "--set",
                "--access-mode=all",
            ],
            "is not one of",
        ),
        (
            &[
                GITHUB,
                "--host",
                "vscode",
                "--registry",
                "http://127.0.0.1:1/",
                "--retries",
                "0",
            ],
            "127.0.0.1:1",
        ),
    ];
    for (args, reason) in cases {
        let mut line = vec!["config"];
        line.extend_from_slice(args);
        let output = util::run_binary(&line);
        let (out, err) = (
            String::from_utf8(output.stdout).unwrap(),
            String::from_utf8(output.stderr).unwrap(),
        );
        assert_eq!(
            (output.status.code(), out.as_str()),
            (Some(1), ""),
            "{args:?}: {err}"
        );
        assert!(err.contains(reason), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
    }
}
