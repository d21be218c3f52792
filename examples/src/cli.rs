//! The `mcp-registry` command line: one [`clap`] declaration of every command and flag.
//!
//! [`Cli`] holds a [`Command`] per subcommand; each command's arguments are declared beside
//! its code (`validate::ValidateArgs`, `sync::SyncArgs`, …) and its `run` takes them parsed.
//! [`run`] parses a command line and runs the command: what the binary does, and what tests
//! use to drive the whole tool in process.
//!
//! Usage errors (an unknown flag, a missing value, flags that exclude each other) exit with
//! [`USAGE_ERROR`] after one `error: …` line naming the problem, the usage line and a pointer to
//! `--help`, all on standard error; `--help` and `--version` print to standard output and exit
//! 0. Clap suggests the nearest command or flag for a typo. Error text quotes arguments from
//! the command line, so it is written through [`SafeWriter`], and without styling (clap's
//! colours would be escapes too).
//!
//! A flag given twice takes its last value, as the hand-written parsers did (a repeatable flag
//! such as `sync --registry` collects every value instead).
//!
//! To add a command: a module with its `…Args` struct (`#[derive(clap::Args)]`, with an
//! `after_help` holding an `Example:` line) and a `run`, a variant here, and its arm in
//! [`Command::run`].

use std::ffi::OsString;
use std::fmt::Display;
use std::io::Write;

use clap::builder::Styles;
use clap::error::ErrorKind;
use clap::{CommandFactory as _, Parser, Subcommand};
use clap_complete::Shell;

use crate::audit::AuditArgs;
use crate::check::CheckArgs;
use crate::config::ConfigArgs;
use crate::doctor::DoctorArgs;
use crate::gateway::command::GatewayArgs;
use crate::registry_cmds::{SearchArgs, ShowArgs, VersionsArgs};
use crate::safe_output::SafeWriter;
use crate::serve::ServeArgs;
use crate::sync::{Progress, SyncArgs};
use crate::validate::ValidateArgs;
use crate::{audit, check, config, doctor, gateway, registry_cmds, serve, sync, validate};

/// Exit code: the command line is wrong (clap's own exit code for usage errors).
pub const USAGE_ERROR: u8 = 2;

/// The program's name, as help and completions spell it.
pub const BIN_NAME: &str = "mcp-registry";

/// `mcp-registry`: validate server.json files, read and mirror MCP registries, and decide
/// requests against policies.
#[derive(Debug, Parser)]
#[command(
    name = BIN_NAME,
    version,
    about = "Validate server.json files, read and mirror MCP registries, and decide requests \
             against policies",
    arg_required_else_help = true,
    args_override_self = true,
    styles = Styles::plain(),
    after_help = "Example:\n  mcp-registry search weather\n\n\
                  Run `mcp-registry COMMAND --help` for a command's options."
)]
pub struct Cli {
    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
}

/// One subcommand and its parsed arguments.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check server.json files as the official registry would
    Validate(ValidateArgs),
    /// Find servers: by name in a registry, or ranked in a snapshot
    Search(SearchArgs),
    /// Show one server version (the latest by default)
    Show(ShowArgs),
    /// List every version of a server, newest first
    Versions(VersionsArgs),
    /// Copy registries into a catalog snapshot; later runs fetch only what changed
    Sync(SyncArgs),
    /// Serve a catalog snapshot as a registry over HTTP
    Serve(ServeArgs),
    /// Decide a request against a policy or host settings (exit 0 allow, 3 ask, 4 deny)
    Check(CheckArgs),
    /// Write a server's entry in a host's config format (Claude, VS Code, Cursor, Gemini, Codex)
    Config(ConfigArgs),
    /// Check the MCP servers in host config files for drift and secrets in clear text
    Doctor(DoctorArgs),
    /// Audit trails: make a signing key, verify a trail, show its records
    Audit(AuditArgs),
    /// Put policy and an audit trail in front of the MCP servers of a host config file
    Gateway(GatewayArgs),
    /// Print a shell completion script to standard output
    Completions(CompletionsArgs),
}

impl Command {
    /// Runs the command, writing to `out` and `err`; returns its exit code. `sync` shows
    /// progress as [`Progress::for_stderr`] says.
    pub fn run(&self, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
        match self {
            Self::Validate(args) => validate::run(args, out, err),
            Self::Search(args) => registry_cmds::search(args, out, err),
            Self::Show(args) => registry_cmds::show(args, out, err),
            Self::Versions(args) => registry_cmds::versions(args, out, err),
            Self::Sync(args) => sync::run(args, out, err, Progress::for_stderr()),
            Self::Serve(args) => serve::run(args, out, err),
            Self::Check(args) => check::run(args, out, err),
            Self::Config(args) => config::run(args, out, err),
            Self::Doctor(args) => doctor::run(args, out, err),
            Self::Audit(args) => audit::run(args, out, err),
            Self::Gateway(args) => gateway::command::run(args, out, err),
            Self::Completions(args) => completions(args, out),
        }
    }
}

/// `mcp-registry completions SHELL`.
#[derive(Clone, Debug, clap::Args)]
#[command(
    after_help = "Example:\n  mcp-registry completions bash > ~/.local/share/bash-completion/completions/mcp-registry"
)]
pub struct CompletionsArgs {
    /// The shell to complete for
    #[arg(value_enum)]
    pub shell: Shell,
}

/// Writes the completion script for `args.shell` to `out`; 1 if it cannot be written.
fn completions(args: &CompletionsArgs, out: &mut dyn Write) -> u8 {
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), BIN_NAME, &mut script);
    if args.shell == Shell::Bash {
        script = fix_bash_states(script);
    }
    match out.write_all(&script) {
        Ok(()) => 0,
        Err(_) => 1,
    }
}

/// Works around `clap_complete`'s bash script for a program whose name has a hyphen
/// (clap-rs/clap#6421): the loop that finds the subcommand names its state
/// `mcp__registry__subcmd__sync`, but the `case` arm that completes the subcommand's options
/// is spelled `mcp__subcmd__registry__subcmd__sync`, so no subcommand's options would ever
/// complete. The arms are renamed to match the loop.
fn fix_bash_states(script: Vec<u8>) -> Vec<u8> {
    let wrong = format!("{}__subcmd__", BIN_NAME.replace('-', "__subcmd__"));
    let right = format!("{}__subcmd__", BIN_NAME.replace('-', "__"));
    match String::from_utf8(script) {
        Ok(text) => text.replace(&wrong, &right).into_bytes(),
        Err(error) => error.into_bytes(),
    }
}

/// Parses `args` (the program name first, as [`std::env::args_os`] gives them) and runs the
/// command; returns the exit code. Help and the version go to `out` (exit 0), usage errors to
/// `err` (exit [`USAGE_ERROR`]).
pub fn run<I, T>(args: I, out: &mut dyn Write, err: &mut dyn Write) -> u8
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    match Cli::try_parse_from(args) {
        Ok(cli) => cli.command.run(out, err),
        Err(error) => report(&error, out, err),
    }
}

/// Prints what clap stopped with: help or the version on `out`, an error on `err`, as plain
/// text with anything from the command line escaped. Returns the exit code clap gives it.
pub fn report(error: &clap::Error, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    // The styles are plain, so the ANSI form holds no escapes but those the arguments brought,
    // which the safe writer shows as visible escapes (the plain form would drop them unseen).
    let text = error.render().ansi().to_string();
    let _ = if error.use_stderr() {
        write!(SafeWriter::text(err), "{text}")
    } else {
        write!(SafeWriter::text(out), "{text}")
    };
    u8::try_from(error.exit_code()).unwrap_or(USAGE_ERROR)
}

/// Reports a usage error that only the command itself can find (a combination of arguments
/// clap cannot express) in clap's form, with `command`'s usage line; returns [`USAGE_ERROR`].
pub(crate) fn usage_error(command: &str, message: impl Display, err: &mut dyn Write) -> u8 {
    let mut cli = Cli::command();
    cli.build();
    let error = match cli.find_subcommand_mut(command) {
        Some(subcommand) => subcommand.error(ErrorKind::ValueValidation, message),
        None => cli.error(ErrorKind::ValueValidation, message),
    };
    report(&error, &mut std::io::sink(), err)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_declaration_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn a_late_usage_error_names_the_command() {
        let mut err = Vec::new();
        assert_eq!(usage_error("sync", "missing thing", &mut err), USAGE_ERROR);
        let err = String::from_utf8(err).unwrap();
        assert!(err.starts_with("error: missing thing\n"), "{err}");
        assert!(err.contains("Usage: mcp-registry sync"), "{err}");
    }
}
