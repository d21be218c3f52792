//! `mcp-registry check [--explain] POLICY.json REQUEST.json` and
//! `mcp-registry check [--explain] --claude-settings FILE REQUEST.json`: decide one request
//! against a policy, or against host managed settings, and print the decision as an audit record.

use std::io::Write;

use mcp_policy::{CompiledPolicy, Effect, HostSettings, Policy, PolicyError, Request};

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

const USAGE: &str = "usage: mcp-registry check [--explain] POLICY.json REQUEST.json\n       \
                     mcp-registry check [--explain] --claude-settings FILE REQUEST.json\n\
                     \n--max-input-bytes N   read at most N bytes of each file (default 64 MiB)";

/// Runs the command; `args` excludes the program name and `check`.
///
/// Prints the decision (or, with `--explain`, the explanation) as one JSON document to `out`,
/// warnings and diagnostics to `err`, and returns 0 for allow, 3 for ask, 4 for deny and 2 for
/// an invalid policy or request.
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
    let args = args.as_slice();
    let mut explain = false;
    let mut settings = false;
    let mut files = Vec::new();
    for arg in args {
        match arg.as_str() {
            "--explain" => explain = true,
            "--claude-settings" => settings = true,
            "-h" | "--help" => {
                let _ = writeln!(out, "{USAGE}");
                return ALLOW;
            }
            flag if flag.starts_with("--") => {
                let _ = writeln!(err, "mcp-registry check: unknown option `{flag}`\n{USAGE}");
                return INVALID;
            }
            file => files.push(file),
        }
    }
    let [policy_file, request_file] = files.as_slice() else {
        let _ = writeln!(err, "{USAGE}");
        return INVALID;
    };
    let policy = match load_policy(policy_file, settings, err) {
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

fn load_policy(file: &str, settings: bool, err: &mut dyn Write) -> Result<CompiledPolicy, u8> {
    let bytes = read(file, err)?;
    let compiled = if settings {
        HostSettings::from_json(&bytes).and_then(|s| {
            for warning in s.warnings() {
                let _ = writeln!(err, "{}: warning: {warning}", quote(file));
            }
            s.to_policy().compile()
        })
    } else {
        Policy::from_json(&bytes).and_then(|p| p.compile())
    };
    match compiled {
        Ok(policy) => {
            for warning in policy.warnings() {
                let _ = writeln!(err, "{}: warning: {warning}", quote(file));
            }
            Ok(policy)
        }
        Err(e) => Err(report(file, &e, err)),
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
        let severity = match diagnostic.severity() {
            mcp_policy::Severity::Error => "error",
            _ => "warning",
        };
        let _ = writeln!(err, "{}: {severity}: {diagnostic}", quote(file));
    }
    INVALID
}

fn to_json(value: &impl serde::Serialize) -> String {
    serde_json::to_string(value).unwrap_or_default()
}
