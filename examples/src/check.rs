//! `mcp-registry check`: decide one request against a policy, or against a stack of host
//! settings files, and print the decision as an audit record.
//!
//! ```text
//! mcp-registry check [--explain] [--max-input-bytes N] POLICY.json REQUEST.json
//! mcp-registry check [--explain] [--max-input-bytes N] [--host claude-code|copilot|vscode]
//!                    --settings SCOPE=FILE [--settings SCOPE=FILE]... REQUEST.json
//! ```
//!
//! SCOPE is `managed`, `cli`, `local`, `project` or `user`; the files may come in any order and
//! the scope ranks them, each scope at most once. `--claude-settings FILE` is shorthand for
//! `--settings managed=FILE`. `--host` picks whose documented semantics merge the files (Claude
//! Code by default) and needs `--settings` or `--claude-settings`. The audit record's
//! `decidedBy.layer` names the deciding file's scope. [`CheckArgs`] declares the flags.

use std::io::Write;

use mcp_policy::{
    CompiledPolicy, Diagnostic, Effect, HostFlavour, HostSettings, Policy, PolicyError, Request,
    SettingsScope,
};

use clap::ArgGroup;
use clap::builder::{PossibleValuesParser, TypedValueParser};

use crate::cli;
use crate::input::{self, CapScope, InputArgs};
use crate::safe_output::{SafeWriter, quote};

/// Exit code: allowed.
pub const ALLOW: u8 = 0;
/// Exit code: the policy, settings or request is invalid, unreadable, or the arguments are wrong
/// (clap's usage error, [`crate::cli::USAGE_ERROR`]).
pub const INVALID: u8 = 2;
/// Exit code: allowed only after approval.
pub const ASK: u8 = 3;
/// Exit code: denied.
pub const DENY: u8 = 4;

/// `mcp-registry check`'s arguments.
#[derive(Clone, Debug, clap::Args)]
#[command(
    group(ArgGroup::new("stack").args(["settings", "claude_settings"]).multiple(true)),
    after_help = "Example:\n  mcp-registry check policy.json request.json\n  \
                  mcp-registry check --settings managed=managed-settings.json \\\n      \
                  --settings user=settings.json request.json"
)]
pub struct CheckArgs {
    /// Print every rule considered, not only the decision
    #[arg(long)]
    pub explain: bool,
    /// Whose documented semantics merge the settings files (given at most once)
    #[arg(long, value_name = "HOST", value_parser = host_parser(), requires = "stack")]
    pub host: Vec<HostFlavour>,
    /// A host settings file and its scope, instead of a policy (repeatable; SCOPE is managed,
    /// cli, local, project or user)
    #[arg(long, value_name = "SCOPE=FILE", value_parser = parse_settings)]
    pub settings: Vec<SettingsFile>,
    /// Host managed settings as the policy: the same as --settings managed=FILE
    #[arg(long, value_name = "FILE")]
    pub claude_settings: Vec<String>,
    /// How much of each file to read.
    #[command(flatten)]
    pub input: InputArgs,
    /// POLICY.json REQUEST.json; with --settings or --claude-settings, REQUEST.json alone
    #[arg(value_name = "FILE", required = true)]
    pub files: Vec<String>,
}

/// One `--settings SCOPE=FILE`.
#[derive(Clone, Debug, Eq, PartialEq)]
pub struct SettingsFile {
    /// The scope that ranks the file.
    pub scope: SettingsScope,
    /// The file's path.
    pub file: String,
}

fn host_parser() -> impl TypedValueParser<Value = HostFlavour> {
    PossibleValuesParser::new(HostFlavour::ALL.map(HostFlavour::as_str))
        .try_map(|name| name.parse::<HostFlavour>().map_err(|error| message(&error)))
}

fn parse_settings(text: &str) -> Result<SettingsFile, String> {
    let Some((scope, file)) = text.split_once('=') else {
        return Err("expected SCOPE=FILE".to_owned());
    };
    let scope = scope.parse().map_err(|error| message(&error))?;
    Ok(SettingsFile {
        scope,
        file: file.to_owned(),
    })
}

/// The first diagnostic's message: what a one-line error about a flag's value needs.
fn message(error: &PolicyError) -> String {
    error
        .diagnostics()
        .iter()
        .next()
        .map_or_else(|| error.to_string(), |d| d.message().to_owned())
}

/// What to decide against.
enum Source<'a> {
    /// A policy file.
    Policy(&'a str),
    /// Settings files and their scopes.
    Settings(HostFlavour, Vec<(SettingsScope, &'a str)>),
}

impl CheckArgs {
    /// What to decide against, and the request file.
    ///
    /// # Errors
    /// The usage error: `--host` or a scope given twice, or the wrong number of files. (Both
    /// are collected rather than left to the last one given, which would quietly drop a file or
    /// a choice.)
    fn source(&self) -> Result<(Source<'_>, &str), String> {
        let host = match self.host.as_slice() {
            [] => HostFlavour::default(),
            [host] => *host,
            _ => return Err("`--host` given twice".to_owned()),
        };
        let managed = self
            .claude_settings
            .iter()
            .map(|file| (SettingsScope::Managed, file.as_str()));
        let given = self.settings.iter().map(|s| (s.scope, s.file.as_str()));
        let mut stack: Vec<(SettingsScope, &str)> = Vec::new();
        for (scope, file) in managed.chain(given) {
            if stack.iter().any(|(s, _)| *s == scope) {
                return Err(format!("settings scope `{scope}` given twice"));
            }
            stack.push((scope, file));
        }
        match (stack.is_empty(), self.files.as_slice()) {
            (true, [policy, request]) => Ok((Source::Policy(policy), request)),
            (true, _) => Err("expected two files: POLICY.json REQUEST.json".to_owned()),
            (false, [request]) => Ok((Source::Settings(host, stack), request)),
            (false, _) => Err(
                "with --settings or --claude-settings, expected one file: REQUEST.json".to_owned(),
            ),
        }
    }
}

/// Runs the command.
///
/// Prints the decision (or, with `--explain`, the explanation) as one JSON document to `out`,
/// warnings and diagnostics to `err`, and returns 0 for allow, 3 for ask, 4 for deny and 2 for
/// an invalid policy, settings file or request, or wrong arguments.
///
/// Each file is read within the cap `--max-input-bytes` sets (see [`crate::input`]), and
/// nothing from input reaches `out` or `err` unescaped (see [`crate::safe_output`]).
pub fn run(args: &CheckArgs, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    let (source, request_file) = match args.source() {
        Ok(source) => source,
        Err(message) => return cli::usage_error("check", message, err),
    };
    let (out, err) = (&mut SafeWriter::json(out), &mut SafeWriter::text(err));
    let _cap = CapScope::set(args.input.max_input_bytes);
    let policy = match &source {
        Source::Policy(policy_file) => load_policy(policy_file, err),
        Source::Settings(flavour, stack) => load_settings(*flavour, stack, err),
    };
    let policy = match policy {
        Ok(policy) => policy,
        Err(code) => return code,
    };
    let request = match read(request_file, err).map(|bytes| Request::from_json(&bytes)) {
        Ok(Ok(request)) => request,
        Ok(Err(e)) => return report(request_file, &e, err),
        Err(code) => return code,
    };
    let decision = if args.explain {
        let explanation = policy.explain(&request);
        let _ = writeln!(out, "{}", to_json(&explanation));
        explanation.decision().effect()
    } else {
        let decision = policy.evaluate(&request);
        let _ = writeln!(out, "{}", decision.to_json());
        decision.effect()
    };
    match decision {
        Effect::Allow => ALLOW,
        Effect::Ask => ASK,
        Effect::Deny => DENY,
    }
}

fn load_policy(file: &str, err: &mut dyn Write) -> Result<CompiledPolicy, u8> {
    let bytes = read(file, err)?;
    match Policy::from_json(&bytes).and_then(|p| p.compile()) {
        Ok(policy) => {
            for warning in policy.warnings() {
                let _ = writeln!(err, "{}: warning: {warning}", quote(file));
            }
            Ok(policy)
        }
        Err(e) => Err(report(file, &e, err)),
    }
}

/// Reads and compiles a stack of settings files. Every warning starts with the file it
/// came from; one about no file in particular (the generated `host` layer) with the first.
fn load_settings(
    flavour: HostFlavour,
    stack: &[(SettingsScope, &str)],
    err: &mut dyn Write,
) -> Result<CompiledPolicy, u8> {
    let mut bytes = Vec::with_capacity(stack.len());
    for (scope, file) in stack {
        bytes.push((*scope, read(file, err)?));
    }
    let file_of = |diagnostic: &Diagnostic| -> &str {
        let scope = diagnostic
            .layer()
            .and_then(|l| l.parse::<SettingsScope>().ok());
        stack
            .iter()
            .find(|(s, _)| stack.len() == 1 || Some(*s) == scope)
            .or(stack.first())
            .map_or("", |(_, file)| *file)
    };
    let print = |diagnostic: &Diagnostic, err: &mut dyn Write| {
        let severity = diagnostic.severity();
        let path = match diagnostic.path() {
            "" => "/",
            path => path,
        };
        let _ = writeln!(
            err,
            "{}: {severity}: {path}: {}",
            quote(file_of(diagnostic)),
            diagnostic.message()
        );
    };
    let settings = bytes.iter().map(|(scope, b)| (*scope, b.as_slice()));
    let compiled = HostSettings::from_stack(settings, flavour).and_then(|s| {
        for warning in s.warnings() {
            print(warning, err);
        }
        s.compile()
    });
    match compiled {
        Ok(policy) => {
            for warning in policy.warnings() {
                print(warning, err);
            }
            Ok(policy)
        }
        Err(e) => {
            for diagnostic in e.diagnostics() {
                print(diagnostic, err);
            }
            Err(INVALID)
        }
    }
}

fn read(file: &str, err: &mut dyn Write) -> Result<Vec<u8>, u8> {
    input::read_input(file, input::current_cap()).map_err(|e| {
        let _ = writeln!(err, "mcp-registry check: {}: {e}", quote(file));
        INVALID
    })
}

fn report(file: &str, error: &PolicyError, err: &mut dyn Write) -> u8 {
    for diagnostic in error.diagnostics() {
        let severity = diagnostic.severity();
        let _ = writeln!(err, "{}: {severity}: {diagnostic}", quote(file));
    }
    INVALID
}

fn to_json(value: &impl serde::Serialize) -> String {
    serde_json::to_string(value).unwrap_or_default()
}
