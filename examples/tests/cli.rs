//! The command line itself, through the real binary: help, version, typo suggestions, shell
//! completions and usage errors.
#![expect(
    clippy::unwrap_used,
    reason = "tests fail by panicking; clippy.toml's test allowances reach only #[test] functions"
)]

mod util;

use std::process::Output;

use util::{assert_binary_usage_error, run_binary};

/// Every subcommand but `help`.
const COMMANDS: [&str; 8] = [
    "validate",
    "search",
    "show",
    "versions",
    "sync",
    "serve",
    "check",
    "completions",
];

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).unwrap()
}

#[test]
fn version_is_the_package_version() {
    for flag in ["--version", "-V"] {
        let output = run_binary(&[flag]);
        assert_eq!(output.status.code(), Some(0));
        assert_eq!(
            stdout(&output),
            format!("mcp-registry {}\n", env!("CARGO_PKG_VERSION"))
        );
        assert_eq!(stderr(&output), "");
    }
}

#[test]
fn help_lists_every_command_on_stdout() {
    for args in [&["--help"][..], &["help"], &["-h"]] {
        let output = run_binary(args);
        assert_eq!(output.status.code(), Some(0), "{args:?}");
        assert_eq!(stderr(&output), "", "{args:?}");
        let help = stdout(&output);
        assert!(help.contains("Usage: mcp-registry <COMMAND>"), "{help}");
        for command in COMMANDS {
            assert!(
                help.contains(&format!("\n  {command} ")),
                "{command}: {help}"
            );
        }
        assert!(help.contains("Example:"), "{help}");
    }
}

#[test]
fn every_subcommand_has_help_with_an_example() {
    for command in COMMANDS {
        for args in [[command, "--help"], [command, "-h"], ["help", command]] {
            let output = run_binary(&args);
            assert_eq!(output.status.code(), Some(0), "{args:?}");
            assert_eq!(stderr(&output), "", "{args:?}");
            let help = stdout(&output);
            assert!(
                help.contains(&format!("Usage: mcp-registry {command}")),
                "{args:?}: {help}"
            );
            assert!(
                help.contains("\nExample:\n  mcp-registry "),
                "{args:?}: {help}"
            );
        }
    }
}

#[test]
fn no_command_prints_help_on_stderr_and_exits_2() {
    let output = run_binary::<&str>(&[]);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(stdout(&output), "");
    assert!(
        stderr(&output).contains("Usage: mcp-registry <COMMAND>"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn a_mistyped_command_suggests_the_right_one() {
    let output = run_binary(&["serach", "weather"]);
    assert_binary_usage_error(&output, "unrecognized subcommand 'serach'");
    let err = stderr(&output);
    assert!(err.contains("'search'"), "{err}");
}

#[test]
fn a_mistyped_flag_suggests_the_right_one() {
    let output = run_binary(&["validate", "--jsno", "x.json"]);
    assert_binary_usage_error(&output, "unexpected argument '--jsno'");
    let err = stderr(&output);
    assert!(err.contains("a similar argument exists: '--json'"), "{err}");
}

#[test]
fn unknown_flags_exit_2_for_every_command() {
    for command in COMMANDS {
        let output = run_binary(&[command, "--frobnicate"]);
        assert_binary_usage_error(&output, "unexpected argument '--frobnicate'");
    }
}

#[test]
fn a_flag_given_twice_takes_its_last_value() {
    let policy = util::data("policy.json");
    // A cap too small for the file, then one large enough: the second wins.
    let output = run_binary(&[
        "validate",
        "--json",
        "--json",
        "--max-input-bytes",
        "1",
        "--max-input-bytes",
        "1MiB",
        &policy,
    ]);
    let out = stdout(&output);
    assert!(!out.contains("input cap"), "{out}");
    assert!(out.starts_with("{\"file\":"), "{out}");
}

#[test]
fn exclusive_flags_are_refused() {
    let output = run_binary(&["search", "--registry", "http://a/", "--snapshot", "s", "q"]);
    assert_binary_usage_error(&output, "cannot be used with");
    let output = run_binary(&["search", "--limit", "5", "--all", "q"]);
    assert_binary_usage_error(&output, "'--limit <N>' cannot be used with '--all'");
}

#[test]
fn completions_are_printed_for_every_shell() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let output = run_binary(&["completions", shell]);
        assert_eq!(output.status.code(), Some(0), "{shell}");
        assert_eq!(stderr(&output), "", "{shell}");
        let script = stdout(&output);
        assert!(script.contains("mcp-registry"), "{shell}: {script}");
        // Subcommands and their flags are in the script.
        assert!(script.contains("keep-tombstones"), "{shell}");
    }
    let bash = stdout(&run_binary(&["completions", "bash"]));
    assert!(bash.contains(" -o default mcp-registry\n"), "{bash}");
    let output = run_binary(&["completions", "tcsh"]);
    assert_binary_usage_error(&output, "invalid value 'tcsh'");
}

/// What bash completes for `WORDS`, the last one being the word under the cursor; `None`
/// where there is no bash to ask.
fn bash_completes(script: &str, words: &[&str]) -> Option<String> {
    let file = util::scratch("cli", "completion.bash", script);
    let words = words.join(" ");
    let program = format!(
        "source '{file}'; COMP_WORDS=({words}); COMP_CWORD=$((${{#COMP_WORDS[@]}} - 1)); \
         _mcp__registry mcp-registry \"${{COMP_WORDS[COMP_CWORD]}}\" \
         \"${{COMP_WORDS[COMP_CWORD - 1]}}\"; echo \"${{COMPREPLY[*]}}\""
    );
    let output = std::process::Command::new("bash")
        .args(["--norc", "--noprofile", "-c", &program])
        .output()
        .ok()?;
    assert!(output.status.success(), "{}", stderr(&output));
    Some(stdout(&output).trim().to_owned())
}

#[test]
fn bash_completes_commands_and_their_flags() {
    let script = stdout(&run_binary(&["completions", "bash"]));
    let Some(commands) = bash_completes(&script, &["mcp-registry", "se"]) else {
        return;
    };
    assert_eq!(commands, "search serve");
    let flags = bash_completes(&script, &["mcp-registry", "sync", "--kee"]);
    assert_eq!(flags.as_deref(), Some("--keep-tombstones"));
    let hosts = bash_completes(&script, &["mcp-registry", "check", "--host", "co"]);
    assert_eq!(hosts.as_deref(), Some("copilot"));
}
