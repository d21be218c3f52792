//! Helpers shared by the command-line tests: sample data, scratch files, and running `check`
//! in process or the real binary.
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

use mcp_registry_examples::check;

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

/// Runs `check` in process: its exit code, standard output and standard error.
pub(crate) fn run_check<S: AsRef<str>>(args: &[S]) -> (u8, String, String) {
    let args: Vec<String> = args.iter().map(|a| a.as_ref().to_owned()).collect();
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = check::run(&args, &mut out, &mut err);
    (
        code,
        String::from_utf8(out).unwrap(),
        String::from_utf8(err).unwrap(),
    )
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
