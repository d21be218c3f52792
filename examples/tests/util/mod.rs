//! Helpers shared by the command-line tests: sample data, scratch files, and running the
//! command line in process or the real binary.
#![expect(
    clippy::expect_used,
    clippy::unwrap_used,
    reason = "tests fail by panicking; clippy.toml's test allowances reach only #[test] functions"
)]
#![expect(
    dead_code,
    reason = "each test binary uses a different subset; every binary leaves some unused"
)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use clap::Parser as _;
use mcp_registry_examples::cli::{self, Cli, Command as Subcommand};
use mcp_registry_examples::sync::{self, Progress};

/// A file shipped in `examples/data`.
pub(crate) fn data(file: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("data")
        .join(file)
        .display()
        .to_string()
}

/// A scratch folder of this test binary's own; `test` keeps test binaries apart.
pub(crate) fn scratch_dir(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mcp-{test}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Writes `contents` to `name` in the scratch folder of `test`.
pub(crate) fn scratch(test: &str, name: &str, contents: impl AsRef<[u8]>) -> String {
    let path = scratch_dir(test).join(name);
    std::fs::write(&path, contents).unwrap();
    path.display().to_string()
}

/// Runs `mcp-registry ARGS` in process as the binary would, except that `sync` shows its
/// progress as lines: the exit code, standard output and standard error.
pub(crate) fn run_cli<S: AsRef<str>>(args: &[S]) -> (u8, String, String) {
    let line = std::iter::once("mcp-registry").chain(args.iter().map(AsRef::as_ref));
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = match Cli::try_parse_from(line) {
        Ok(Cli {
            command: Subcommand::Sync(args),
        }) => sync::run(&args, &mut out, &mut err, Progress::Lines),
        Ok(cli) => cli.command.run(&mut out, &mut err),
        Err(error) => cli::report(&error, &mut out, &mut err),
    };
    (
        code,
        String::from_utf8(out).unwrap(),
        String::from_utf8(err).unwrap(),
    )
}

/// Runs `mcp-registry COMMAND ARGS` in process (see [`run_cli`]).
pub(crate) fn run_command<S: AsRef<str>>(command: &str, args: &[S]) -> (u8, String, String) {
    let mut line = vec![command];
    line.extend(args.iter().map(AsRef::as_ref));
    run_cli(&line)
}

/// Runs `mcp-registry check ARGS` in process: its exit code, standard output and standard
/// error.
pub(crate) fn run_check<S: AsRef<str>>(args: &[S]) -> (u8, String, String) {
    run_command("check", args)
}

/// Asserts a usage error: exit 2, nothing on standard output, and standard error opening
/// with one `error: ` line that contains `names` (the bad flag or value), then clap's usage
/// line.
#[track_caller]
pub(crate) fn assert_usage_error(code: u8, out: &str, err: &str, names: &str) {
    assert_eq!((code, out), (cli::USAGE_ERROR, ""), "{err}");
    let first = err.lines().next().unwrap_or_default();
    assert!(
        first.starts_with("error: ") && first.contains(names),
        "{names:?} not named in the first line of:\n{err}"
    );
    assert!(
        err.contains("Usage: mcp-registry") || err.contains("For more information, try '--help'"),
        "{err}"
    );
}

/// [`assert_usage_error`] for the real binary's output.
#[track_caller]
pub(crate) fn assert_binary_usage_error(output: &Output, names: &str) {
    let code = output.status.code().and_then(|c| u8::try_from(c).ok());
    assert_usage_error(
        code.unwrap_or(u8::MAX),
        &String::from_utf8_lossy(&output.stdout),
        &String::from_utf8_lossy(&output.stderr),
        names,
    );
}

/// Runs the real binary.
pub(crate) fn run_binary<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mcp-registry"))
        .args(args)
        .output()
        .expect("binary runs")
}

/// Runs `mcp-registry validate ARGS`: its exit code, standard output and standard error.
pub(crate) fn run_validate(args: &[&str]) -> (Option<i32>, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_mcp-registry"))
        .arg("validate")
        .args(args)
        .output()
        .unwrap();
    (
        output.status.code(),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}
