//! `mcp-registry validate [--json] [--max-input-bytes N] FILE...`: check `server.json` files as
//! the registry would.
//!
//! A file may hold one `server.json`, an array of them (a seed file), one API response
//! (`{server, _meta}`) or a list page (`{servers: [...]}`); every document in it is checked.
//! Each file is read within a size cap ([`crate::input`]); file names, paths and messages are
//! printed safely ([`crate::safe_output`]).

use std::io::Write;

use mcp_registry_types::{ServerJson, ServerList, ServerResponse, validate};
use serde_json::{Value, json};

use crate::input::{self, InputArgs, InputError};
use crate::safe_output::{Mode, SafeWriter, json_text, quote};

/// Exit code: every file valid (warnings allowed).
pub const OK: u8 = 0;
/// Exit code: some document has an error.
pub const INVALID: u8 = 1;
/// Exit code: some file could not be read or is not JSON; or the arguments are wrong (clap's
/// usage error, [`crate::cli::USAGE_ERROR`]).
pub const UNREADABLE: u8 = 2;

/// `mcp-registry validate [--json] [--max-input-bytes N] FILE...`.
#[derive(Clone, Debug, clap::Args)]
#[command(after_help = "Example:\n  mcp-registry validate --json server.json seed.json")]
pub struct ValidateArgs {
    /// Print one JSON line per file instead of text
    #[arg(long)]
    pub json: bool,
    /// How much of each file to read.
    #[command(flatten)]
    pub input: InputArgs,
    /// The files to check: a server.json, an array of them, an API response or a list page
    #[arg(value_name = "FILE", required = true)]
    pub files: Vec<String>,
}

/// Runs the command: checks every file in `args.files`, in order.
pub fn run(args: &ValidateArgs, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    let err = &mut SafeWriter::text(err);
    let (as_json, cap) = (args.json, args.input.max_input_bytes);
    let out = &mut SafeWriter::new(out, if as_json { Mode::Json } else { Mode::Text });
    let mut code = OK;
    for file in &args.files {
        let result = check_file(file, cap);
        code = code.max(result.exit_code());
        if as_json {
            let _ = writeln!(out, "{}", result.to_json());
        } else {
            result.print(out);
        }
        if let FileResult::Unreadable { file, reason } = &result {
            let _ = writeln!(
                err,
                "mcp-registry validate: {}: {}",
                quote(file),
                quote(reason)
            );
        }
    }
    code
}

/// One finding, flattened for output.
struct Line {
    path: String,
    code: String,
    severity: &'static str,
    message: String,
}

enum FileResult {
    Checked {
        file: String,
        findings: Vec<Line>,
        documents: usize,
    },
    Unreadable {
        file: String,
        reason: String,
    },
}

impl FileResult {
    fn valid(&self) -> bool {
        match self {
            Self::Checked { findings, .. } => findings.iter().all(|f| f.severity != "error"),
            Self::Unreadable { .. } => false,
        }
    }

    fn exit_code(&self) -> u8 {
        match self {
            Self::Unreadable { .. } => UNREADABLE,
            Self::Checked { .. } if self.valid() => OK,
            Self::Checked { .. } => INVALID,
        }
    }

    /// The result as one line of JSON, safe to print: the same value, with unsafe characters
    /// as `\uXXXX` escapes.
    fn to_json(&self) -> String {
        json_text(self.to_value().to_string())
    }

    fn to_value(&self) -> Value {
        match self {
            Self::Checked { file, findings, .. } => json!({
                "file": file,
                "valid": self.valid(),
                "findings": findings.iter().map(|f| json!({
                    "path": f.path, "code": f.code, "severity": f.severity, "message": f.message,
                })).collect::<Vec<_>>(),
            }),
            Self::Unreadable { file, reason } => {
                json!({"file": file, "valid": false, "error": reason, "findings": []})
            }
        }
    }

    fn print(&self, out: &mut dyn Write) {
        let Self::Checked {
            file,
            findings,
            documents,
        } = self
        else {
            return;
        };
        let file = quote(file);
        let errors = findings.iter().filter(|f| f.severity == "error").count();
        let warnings = findings.len() - errors;
        let what = if *documents == 1 {
            String::new()
        } else {
            format!(" ({documents} documents)")
        };
        let verdict = if errors == 0 { "valid" } else { "invalid" };
        let _ = writeln!(
            out,
            "{file}{what}: {verdict}, {errors} error(s), {warnings} warning(s)"
        );
        for f in findings {
            let path = if f.path.is_empty() { "/" } else { &f.path };
            let _ = writeln!(
                out,
                "  {} {}: {} [{}]",
                f.severity,
                quote(path),
                quote(&f.message),
                f.code
            );
        }
    }
}

fn check_file(file: &str, cap: u64) -> FileResult {
    let unreadable = |reason: String| FileResult::Unreadable {
        file: file.to_owned(),
        reason,
    };
    let bytes = match input::read_input(file, cap) {
        Ok(bytes) => bytes,
        Err(InputError::Io(e)) => return unreadable(format!("cannot read: {e}")),
        Err(e) => return unreadable(e.to_string()),
    };
    let value: Value = match serde_json::from_slice(&bytes) {
        Ok(value) => value,
        Err(e) => return unreadable(format!("not JSON: {e}")),
    };
    let mut findings = Vec::new();
    let documents = documents(&value);
    let count = documents.len();
    for (prefix, document) in documents {
        match document {
            Ok(document) => findings.extend(validate(&document).into_findings().into_iter().map(
                |f| Line {
                    path: format!("{prefix}{}", f.path()),
                    code: f.code().to_owned(),
                    severity: f.severity().as_str(),
                    message: f.message().to_owned(),
                },
            )),
            Err(error) => findings.push(Line {
                path: format!("{prefix}{}", error.path()),
                code: "parse".to_owned(),
                severity: "error",
                message: error.message().to_owned(),
            }),
        }
    }
    FileResult::Checked {
        file: file.to_owned(),
        findings,
        documents: count,
    }
}

type Parsed = Result<ServerJson, mcp_registry_types::ParseError>;

/// The documents a file holds, each with the JSON Pointer prefix of where it sits.
fn documents(value: &Value) -> Vec<(String, Parsed)> {
    let parse = |v: &Value| ServerJson::from_slice(v.to_string().as_bytes());
    match value {
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, v)| (format!("/{i}"), parse(v)))
            .collect(),
        Value::Object(map) if map.get("servers").is_some_and(Value::is_array) => {
            match ServerList::from_slice(value.to_string().as_bytes()) {
                Ok(list) => list
                    .into_servers()
                    .into_iter()
                    .enumerate()
                    .map(|(i, r)| (format!("/servers/{i}/server"), Ok(r.into_server())))
                    .collect(),
                Err(e) => vec![(String::new(), Err(e))],
            }
        }
        Value::Object(map) if map.get("server").is_some_and(Value::is_object) => {
            match ServerResponse::from_slice(value.to_string().as_bytes()) {
                Ok(response) => vec![("/server".to_owned(), Ok(response.into_server()))],
                Err(e) => vec![(String::new(), Err(e))],
            }
        }
        other => vec![(String::new(), parse(other))],
    }
}
