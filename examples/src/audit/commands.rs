//! `keygen`, `verify` and `show`: the audit trail's commands, each `fn(arguments, out, err) ->
//! exit code` like the other commands, so tests drive them with temporary files.
//!
//! ```text
//! keygen PREFIX                         writes PREFIX.key (owner-only) and PREFIX.pub
//! verify [--key PREFIX.pub] [--strict] [--json] TRAIL
//! show [--principal ID] [--since TIME] [--json] TRAIL
//! ```
//!
//! Everything printed goes through [`crate::safe_output`]: a trail's text (principals, tool
//! names, arguments) comes from whoever called the gateway.

use std::fs::{File, OpenOptions};
use std::io::{self, BufRead as _, BufReader, Read as _, Write};

use mcp_policy::audit::{
    AuditRecord, CallOutcome, Timestamp, Verifier, keygen as keygen_text, parse_verifying_key,
};
use serde_json::Value;

use crate::input::read_input;
use crate::safe_output::{SafeWriter, json_text, quote};

/// Exit code: the trail is intact (for `verify`), or the command did what it was asked.
pub const OK: u8 = 0;
/// Exit code: the trail is broken (for `verify`: a finding, or an unsigned tail with
/// `--strict`; for `show`: a line that is not a record was skipped).
pub const BROKEN: u8 = 1;
/// Exit code: a file could not be read or written, or an argument is wrong.
pub const UNREADABLE: u8 = 2;

/// The longest trail line read whole; longer lines are cut there and reported as malformed.
pub const MAX_LINE_BYTES: u64 = 16 * 1024 * 1024;

/// Writes a new signing key to `PREFIX.key` (readable by its owner only, on Unix) and its
/// public half to `PREFIX.pub`, from a seed the operating system provides. Neither file may
/// exist yet: a key is never overwritten.
pub fn keygen(out_prefix: &str, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    let mut err = SafeWriter::text(err);
    let mut seed = [0_u8; 32];
    if let Err(error) = getrandom::fill(&mut seed) {
        let _ = writeln!(
            err,
            "keygen: no randomness from the operating system: {error}"
        );
        return UNREADABLE;
    }
    let (private, public) = keygen_text(seed);
    let key_path = format!("{out_prefix}.key");
    let pub_path = format!("{out_prefix}.pub");
    for (path, text, private) in [(&key_path, &private, true), (&pub_path, &public, false)] {
        if let Err(error) = create_new(path, text, private) {
            let _ = writeln!(err, "keygen: {}: {error}", quote(path));
            return UNREADABLE;
        }
    }
    let mut out = SafeWriter::text(out);
    let _ = writeln!(
        out,
        "wrote {} (private: keep it secret) and {}\n{public}",
        quote(&key_path),
        quote(&pub_path)
    );
    OK
}

fn create_new(path: &str, text: &str, private: bool) -> io::Result<()> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(if private { 0o600 } else { 0o644 });
    }
    #[cfg(not(unix))]
    let _ = private;
    let mut file = options.open(path)?;
    file.write_all(text.as_bytes())?;
    file.write_all(b"\n")?;
    file.sync_all()
}

/// Verifies the trail in `file`, with the public key in `pubkey_file` pinned when given: one
/// line per finding (`FILE:LINE: kind: message`), then a summary; with `json`, the report as
/// one JSON object. Exits [`OK`] when intact, [`BROKEN`] when not (or, with `strict`, when
/// records after the last checkpoint are unsigned), [`UNREADABLE`] when a file cannot be read.
pub fn verify(
    file: &str,
    pubkey_file: Option<&str>,
    strict: bool,
    json: bool,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> u8 {
    let mut err = SafeWriter::text(err);
    let key = match pubkey_file.map(read_public_key).transpose() {
        Ok(key) => key,
        Err(message) => {
            let _ = writeln!(err, "verify: {message}");
            return UNREADABLE;
        }
    };
    let mut verifier = Verifier::new(key.as_ref());
    if let Err(error) = for_each_line(file, |line| verifier.push(line)) {
        let _ = writeln!(err, "verify: {}: {error}", quote(file));
        return UNREADABLE;
    }
    let report = verifier.finish();
    let passes = report.passes(strict);
    if json {
        let mut value = serde_json::to_value(&report).unwrap_or(Value::Null);
        if let Value::Object(map) = &mut value {
            map.insert("file".to_owned(), Value::from(file));
            map.insert("strict".to_owned(), Value::from(strict));
            map.insert("passes".to_owned(), Value::from(passes));
        }
        let text = serde_json::to_string_pretty(&value).unwrap_or_default();
        let _ = writeln!(SafeWriter::json(out), "{}", json_text(text));
    } else {
        let mut out = SafeWriter::text(out);
        let name = quote(file);
        for finding in report.findings() {
            let _ = writeln!(
                out,
                "{name}:{}: {}: {}",
                finding.line(),
                finding.kind(),
                quote(finding.message())
            );
        }
        let state = if !report.is_intact() {
            format!("broken ({} findings)", report.findings().len())
        } else if passes {
            "intact".to_owned()
        } else {
            "intact but incomplete (--strict)".to_owned()
        };
        let _ = writeln!(
            out,
            "{name}: {state}: {} records, {} checkpoints",
            report.records(),
            report.checkpoints()
        );
        if report.unsigned_records() > 0 {
            let _ = writeln!(
                out,
                "{name}: {} records after the last valid checkpoint are unsigned: records \
                 could have been cut off or appended there",
                report.unsigned_records()
            );
        }
        if !report.key_pinned() {
            let _ = writeln!(
                out,
                "{name}: key not pinned: checkpoints were checked against the key they carry \
                 ({}); pass --key to check who signed",
                report.public_key().unwrap_or("none")
            );
        }
    }
    if passes { OK } else { BROKEN }
}

fn read_public_key(path: &str) -> Result<mcp_policy::audit::VerifyingKey, String> {
    let bytes = read_input(path, 4096).map_err(|error| format!("{}: {error}", quote(path)))?;
    parse_verifying_key(&String::from_utf8_lossy(&bytes))
        .map_err(|error| format!("{}: {error}", quote(path)))
}

/// Calls `each` with every line of `path` (without its newline; invalid UTF-8 replaced, which
/// then fails verification as it should), reading in constant memory.
fn for_each_line(path: &str, mut each: impl FnMut(&str)) -> io::Result<()> {
    let mut reader = BufReader::new(File::open(path)?);
    let mut buffer = Vec::new();
    loop {
        buffer.clear();
        let read = (&mut reader)
            .take(MAX_LINE_BYTES)
            .read_until(b'\n', &mut buffer)?;
        if read == 0 {
            return Ok(());
        }
        if buffer.last() == Some(&b'\n') {
            buffer.pop();
        } else if u64::try_from(buffer.len()).is_ok_and(|len| len >= MAX_LINE_BYTES) {
            // Skip the rest of an overlong line; what was read stands for it.
            let mut rest = Vec::new();
            reader.read_until(b'\n', &mut rest)?;
        }
        each(&String::from_utf8_lossy(&buffer));
    }
}

/// Prints the records of the trail in `file` as an aligned table (or, with `json`, as JSON
/// lines), only those of `principal` and at or after `since` when given. Checkpoints are not
/// shown; lines that are not records are reported on `err` and make the exit code
/// [`BROKEN`]. `show` does not verify: run `verify` for that.
pub fn show(
    file: &str,
    principal: Option<&str>,
    since: Option<&Timestamp>,
    json: bool,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> u8 {
    let mut err = SafeWriter::text(err);
    let mut records = Vec::new();
    let mut skipped = false;
    let mut number = 0_usize;
    let read = for_each_line(file, |line| {
        number += 1;
        match record_of(line) {
            Shown::Record(record) => records.push(*record),
            Shown::Checkpoint => {}
            Shown::Neither => {
                skipped = true;
                let _ = writeln!(
                    err,
                    "show: {}:{number}: not a record line, skipped",
                    quote(file)
                );
            }
        }
    });
    if let Err(error) = read {
        let _ = writeln!(err, "show: {}: {error}", quote(file));
        return UNREADABLE;
    }
    records.retain(|record| {
        principal.is_none_or(|id| record.principal.id == id)
            && since.is_none_or(|since| record.time >= *since)
    });
    if json {
        let mut out = SafeWriter::json(out);
        for record in &records {
            let _ = writeln!(out, "{}", json_text(record.to_canonical_json()));
        }
    } else {
        print_table(&records, &mut SafeWriter::text(out));
    }
    if skipped { BROKEN } else { OK }
}

/// What a trail line holds, for `show`.
enum Shown {
    Record(Box<AuditRecord>),
    Checkpoint,
    Neither,
}

fn record_of(line: &str) -> Shown {
    let Ok(Value::Object(mut object)) = serde_json::from_str(line) else {
        return Shown::Neither;
    };
    if object.contains_key("checkpoint") {
        return Shown::Checkpoint;
    }
    object
        .remove("record")
        .and_then(|record| serde_json::from_value(record).ok())
        .map_or(Shown::Neither, |record| Shown::Record(Box::new(record)))
}

const HEADERS: [&str; 10] = [
    "TIME",
    "KIND",
    "PRINCIPAL",
    "ACTION",
    "SERVER",
    "TARGET",
    "EFFECT",
    "RULE",
    "OUTCOME",
    "MS",
];

fn print_table(records: &[AuditRecord], out: &mut dyn Write) {
    let rows: Vec<[String; 10]> = records.iter().map(row).collect();
    let mut widths = HEADERS.map(|header| header.chars().count());
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let headers = HEADERS.map(str::to_owned);
    for row in std::iter::once(&headers).chain(&rows) {
        let mut line = String::new();
        for (i, (cell, width)) in row.iter().zip(widths).enumerate() {
            if i > 0 {
                line.push_str("  ");
            }
            line.push_str(cell);
            if i + 1 < HEADERS.len() {
                line.extend(std::iter::repeat_n(' ', width - cell.chars().count()));
            }
        }
        let _ = writeln!(out, "{}", line.trim_end());
    }
}

fn row(record: &AuditRecord) -> [String; 10] {
    let target = record
        .tool
        .as_deref()
        .or(record.resource.as_deref())
        .or(record.prompt.as_deref())
        .unwrap_or("-");
    let effect = match record.approval {
        Some(approval) => format!("{}:{}", record.effect.as_str(), approval.as_str()),
        None => record.effect.as_str().to_owned(),
    };
    let outcome = match record.outcome {
        Some(CallOutcome::Ok) => "ok".to_owned(),
        Some(CallOutcome::Error { code }) => format!("error {code}"),
        _ => "-".to_owned(),
    };
    let cell = |text: &str| quote(text).into_owned();
    [
        cell(record.time.as_str()),
        record.kind.as_str().to_owned(),
        cell(&record.principal.id),
        cell(record.action.as_str()),
        cell(&record.server),
        cell(target),
        effect,
        cell(record.rule.as_deref().unwrap_or("(default)")),
        outcome,
        record
            .duration_ms
            .map_or_else(|| "-".to_owned(), |ms| ms.to_string()),
    ]
}
