//! `mcp-registry check`: decide one request against a policy, or against a stack of host
//! settings files, and print the decision as an audit record.
//!
//! ```text
//! mcp-registry check [--explain] POLICY.json REQUEST.json
//! mcp-registry check [--explain] [--host claude-code|copilot|vscode]
//!                    --settings SCOPE=FILE [--settings SCOPE=FILE]... REQUEST.json
//! ```
//!
//! SCOPE is `managed`, `cli`, `local`, `project` or `user`; the files may come in any order and
//! the scope ranks them. `--claude-settings FILE` is shorthand for `--settings managed=FILE`.
//! `--host` picks whose documented semantics merge the files (Claude Code by default). The
//! audit record's `decidedBy.layer` names the deciding file's scope.

use std::io::Write;

use mcp_policy::{
    CompiledPolicy, Diagnostic, Effect, HostFlavour, HostSettings, Policy, PolicyError, Request,
    SettingsScope,
};

use crate::input::{self, CapScope};
use crate::safe_output::{SafeWriter, quote};

/// Exit code: allowed.
pub const ALLOW: u8 = 0;
/// Exit code: the policy, settings or request is invalid, unreadable, or the arguments are wrong.
pub const INVALID: u8 = 2;
/// Exit code: allowed only after approval.
pub const ASK: u8 = 3;
/// Exit code: denied.
pub const DENY: u8 = 4;

const USAGE: &str = "usage: mcp-registry check [--explain] POLICY.json REQUEST.json
       mcp-registry check [--explain] [--host claude-code|copilot|vscode] \
--settings SCOPE=FILE [--settings SCOPE=FILE]... REQUEST.json
       (SCOPE: managed, cli, local, project or user; --claude-settings FILE means \
--settings managed=FILE)

--max-input-bytes N   read at most N bytes of each file (default 64 MiB)";

/// What to decide against.
enum Source {
    Policy,
    Settings(HostFlavour, Vec<(SettingsScope, String)>),
}

/// Runs the command; `args` excludes the program name and `check`.
///
/// Prints the decision (or, with `--explain`, the explanation) as one JSON document to `out`,
/// warnings and diagnostics to `err`, and returns 0 for allow, 3 for ask, 4 for deny and 2 for
/// an invalid policy, settings file or request, or wrong arguments.
///
/// Each file is read within the cap `--max-input-bytes` sets (see [`crate::input`]), and
/// nothing from input reaches `out` or `err` unescaped (see [`crate::safe_output`]).
pub fn run(args: &[String], out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    let (out, err) = (&mut SafeWriter::json(out), &mut SafeWriter::text(err));
    let (cap, args) = match input::take_cap_option(args) {
        Ok(taken) => taken,
        Err(message) => {
            let _ = writeln!(err, "mcp-registry check: {message}\n{USAGE}");
            return INVALID;
        }
    };
    let _cap = CapScope::set(cap);
    let (explain, source, files) = match parse_args(&args) {
        Ok(parsed) => parsed,
        Err(Usage::Help) => {
            let _ = writeln!(out, "{USAGE}");
            return ALLOW;
        }
        Err(Usage::UnknownOption(flag)) => {
            let _ = writeln!(err, "mcp-registry check: unknown option `{flag}`\n{USAGE}");
            return INVALID;
        }
        Err(Usage::Wrong(message)) => {
            let _ = writeln!(err, "mcp-registry check: {message}");
            return INVALID;
        }
        Err(Usage::Files) => {
            let _ = writeln!(err, "{USAGE}");
            return INVALID;
        }
    };
    let (policy, request_file) = match (&source, files.as_slice()) {
        (Source::Policy, [policy_file, request_file]) => {
            (load_policy(policy_file, err), request_file)
        }
        (Source::Settings(flavour, stack), [request_file]) => {
            (load_settings(*flavour, stack, err), request_file)
        }
        _ => {
            let _ = writeln!(err, "{USAGE}");
            return INVALID;
        }
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
    let decision = if explain {
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

enum Usage {
    Help,
    UnknownOption(String),
    Wrong(String),
    Files,
}

fn parse_args(args: &[String]) -> Result<(bool, Source, Vec<String>), Usage> {
    let mut explain = false;
    let mut host = None;
    let mut stack: Vec<(SettingsScope, String)> = Vec::new();
    let mut files = Vec::new();
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((flag, value)) if flag.starts_with("--") => (flag, Some(value.to_owned())),
            _ => (arg.as_str(), None),
        };
        match flag {
            "--explain" if inline.is_none() => explain = true,
            "-h" | "--help" => return Err(Usage::Help),
            "--host" | "--settings" | "--claude-settings" => {
                let Some(value) = inline.or_else(|| args.next().cloned()) else {
                    return Err(Usage::Wrong(format!("`{flag}` needs a value")));
                };
                match flag {
                    "--host" => {
                        let flavour = value.parse::<HostFlavour>().map_err(|e| wrong(&e))?;
                        if host.replace(flavour).is_some() {
                            return Err(Usage::Wrong("`--host` given twice".into()));
                        }
                    }
                    "--settings" => {
                        let Some((scope, file)) = value.split_once('=') else {
                            return Err(Usage::Wrong(format!(
                                "`--settings` takes SCOPE=FILE, not `{value}`"
                            )));
                        };
                        let scope = scope.parse::<SettingsScope>().map_err(|e| wrong(&e))?;
                        add_settings(&mut stack, scope, file)?;
                    }
                    _ => add_settings(&mut stack, SettingsScope::Managed, &value)?,
                }
            }
            flag if flag.starts_with("--") => return Err(Usage::UnknownOption(arg.clone())),
            _ => files.push(arg.clone()),
        }
    }
    let source = match (host, stack.is_empty()) {
        (Some(_), true) => {
            return Err(Usage::Wrong(
                "`--host` needs `--settings` or `--claude-settings`".into(),
            ));
        }
        (_, true) => Source::Policy,
        (host, false) => Source::Settings(host.unwrap_or_default(), stack),
    };
    if files.is_empty() {
        return Err(Usage::Files);
    }
    Ok((explain, source, files))
}

fn wrong(error: &PolicyError) -> Usage {
    let message = error
        .diagnostics()
        .iter()
        .next()
        .map_or_else(|| error.to_string(), |d| d.message().to_owned());
    Usage::Wrong(message)
}

fn add_settings(
    stack: &mut Vec<(SettingsScope, String)>,
    scope: SettingsScope,
    file: &str,
) -> Result<(), Usage> {
    if stack.iter().any(|(s, _)| *s == scope) {
        return Err(Usage::Wrong(format!(
            "settings scope `{scope}` given twice"
        )));
    }
    stack.push((scope, file.to_owned()));
    Ok(())
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
    stack: &[(SettingsScope, String)],
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
            .map_or("", |(_, file)| file.as_str())
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
