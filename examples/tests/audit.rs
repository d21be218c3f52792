//! The audit trail on disk: the writer's crash repair and durability, and the `keygen`,
//! `verify` and `show` commands.
#![expect(
    clippy::unwrap_used,
    reason = "tests fail by panicking; clippy.toml's test allowances reach only #[test] functions"
)]

use std::num::NonZeroU64;
use std::path::{Path, PathBuf};
use std::time::Duration;

use mcp_policy::Effect;
use mcp_policy::audit::{
    Approval, AuditAction, AuditPrincipal, AuditRecord, CallOutcome, RecordKind, SigningKey,
    Timestamp, parse_verifying_key, verify as verify_lines,
};
use mcp_registry_examples::audit::commands::{self, BROKEN, OK, UNREADABLE};
use mcp_registry_examples::audit::writer::{AuditWriter, FsyncPolicy, WriterConfig, WriterError};

fn dir(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mcp-audit-{test}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn record(n: u64, principal: &str) -> AuditRecord {
    AuditRecord::new(
        format!("r{n}"),
        Timestamp::new(&format!("2026-12-03T10:{:02}:{:02}Z", n / 60 % 60, n % 60)).unwrap(),
        RecordKind::Call,
        AuditPrincipal::new(principal),
        "io.github.acme/weather",
        AuditAction::ToolsCall,
        Effect::Allow,
    )
    .with_tool("forecast")
    .with_rule("weather-for-all", "policy")
    .with_policy_hash("sha256:00")
    .with_outcome(CallOutcome::Ok)
    .with_duration_ms(n)
}

fn key() -> SigningKey {
    SigningKey::from_bytes(&[3; 32])
}

fn lines(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect()
}

fn check(path: &Path) -> mcp_policy::audit::Report {
    let lines = lines(path);
    let key = key().verifying_key();
    verify_lines(lines.iter().map(String::as_str), Some(&key))
}

fn every(n: u64) -> Option<NonZeroU64> {
    NonZeroU64::new(n)
}

#[test]
fn a_closed_trail_verifies_strictly() {
    let path = dir("closed").join("trail.jsonl");
    let config = WriterConfig::new().with_checkpoint_every(every(4));
    let (mut writer, repair) = AuditWriter::open_with_key(&path, key(), config).unwrap();
    assert_eq!(repair, None);
    for n in 1..=10 {
        writer.write(&record(n, "alice")).unwrap();
    }
    writer.close().unwrap();
    let report = check(&path);
    assert!(report.passes(true), "{report:?}");
    assert_eq!((report.records(), report.checkpoints()), (10, 3));
}

// A crash under `EveryRecord` (the writer dropped, never closed) loses no written record: all
// are in the file and the chain verifies; only the tail after the last checkpoint is
// unsigned. Reopening and closing signs it.
#[test]
fn every_record_written_survives_a_crash() {
    let path = dir("crash").join("trail.jsonl");
    let config = WriterConfig::new().with_checkpoint_every(every(5));
    let (mut writer, _) = AuditWriter::open_with_key(&path, key(), config).unwrap();
    for n in 1..=12 {
        writer.write(&record(n, "alice")).unwrap();
    }
    drop(writer);
    let report = check(&path);
    assert!(report.is_intact(), "{report:?}");
    assert_eq!(report.records(), 12);
    assert_eq!(report.unsigned_records(), 2);
    assert!(!report.passes(true));

    let (mut writer, repair) = AuditWriter::open_with_key(&path, key(), config).unwrap();
    assert_eq!(repair, None);
    assert_eq!(writer.records(), 12);
    writer.write(&record(13, "bob")).unwrap();
    writer.close().unwrap();
    let report = check(&path);
    assert!(report.passes(true), "{report:?}");
    assert_eq!(report.records(), 13);
}

// A crash mid-write leaves half a line; opening the trail cuts it off, says what it removed,
// and the chain goes on from the last complete line.
#[test]
fn a_torn_line_is_repaired_on_open() {
    let path = dir("torn").join("trail.jsonl");
    let config = WriterConfig::new();
    let (mut writer, _) = AuditWriter::open_with_key(&path, key(), config).unwrap();
    for n in 1..=3 {
        writer.write(&record(n, "alice")).unwrap();
    }
    drop(writer);
    let whole = std::fs::read(&path).unwrap();
    let mut chain = mcp_policy::audit::Chain::resume(lines(&path).last().unwrap()).unwrap();
    let next = chain.append(&record(4, "alice"));
    let half = &next.as_bytes()[..next.len() / 2];
    std::fs::write(&path, [whole.as_slice(), half].concat()).unwrap();
    assert_eq!(
        check(&path).first().unwrap().kind(),
        mcp_policy::audit::FindingKind::Truncated
    );

    let (mut writer, repair) = AuditWriter::open_with_key(&path, key(), config).unwrap();
    let repair = repair.unwrap();
    assert_eq!(repair.removed(), half);
    assert_eq!(repair.offset(), whole.len() as u64);
    assert_eq!(
        repair.to_string(),
        format!(
            "removed a torn last line of {} bytes at offset {}",
            half.len(),
            whole.len()
        )
    );
    writer.write(&record(4, "alice")).unwrap();
    writer.close().unwrap();
    let report = check(&path);
    assert!(report.passes(true), "{report:?}");
    assert_eq!(report.records(), 4);
}

// A file that is nothing but a torn line (the first write crashed) starts again empty; lines
// longer than the 64 KiB the tail is read in are found whole.
#[test]
fn repair_handles_a_lone_torn_line_and_long_lines() {
    let path = dir("lone").join("trail.jsonl");
    std::fs::write(&path, b"{\"prev\":\"00").unwrap();
    let (mut writer, repair) =
        AuditWriter::open_with_key(&path, key(), WriterConfig::new()).unwrap();
    assert_eq!(repair.unwrap().offset(), 0);
    let big = serde_json::json!({ "text": "x".repeat(200_000) });
    writer
        .write(&record(1, "alice").with_arguments(big.clone()))
        .unwrap();
    writer
        .write(&record(2, "alice").with_arguments(big))
        .unwrap();
    drop(writer);
    let (writer, repair) = AuditWriter::open_with_key(&path, key(), WriterConfig::new()).unwrap();
    assert_eq!(repair, None);
    assert_eq!(writer.records(), 2);
    writer.close().unwrap();
    assert!(check(&path).passes(true));
}

// Under `Grouped`, every written line is in the file (the operating system has it) even before
// the group is synced, so a process crash loses nothing either.
#[test]
fn grouped_sync_writes_every_line_at_once() {
    let path = dir("grouped").join("trail.jsonl");
    let config = WriterConfig::new()
        .with_fsync(FsyncPolicy::Grouped {
            max_records: NonZeroU64::new(8).unwrap(),
            max_delay: Duration::from_hours(1),
        })
        .with_checkpoint_every(None);
    let (mut writer, _) = AuditWriter::open_with_key(&path, key(), config).unwrap();
    for n in 1..=5 {
        writer.write(&record(n, "alice")).unwrap();
        assert_eq!(lines(&path).len() as u64, n);
    }
    writer.sync().unwrap();
    drop(writer);
    let report = check(&path);
    assert!(report.is_intact());
    assert_eq!((report.records(), report.checkpoints()), (5, 0));
}

// `write_deferred` hands a due grouped sync out instead of running it, at most one at a time;
// records written while it is out wait for the next, and a failed sync is given back.
#[test]
fn a_deferred_sync_is_handed_out_once_and_taken_back() {
    let path = dir("deferred").join("trail.jsonl");
    let config = WriterConfig::new()
        .with_fsync(FsyncPolicy::Grouped {
            max_records: NonZeroU64::new(3).unwrap(),
            max_delay: Duration::from_hours(1),
        })
        .with_checkpoint_every(None);
    let (mut writer, _) = AuditWriter::open_with_key(&path, key(), config).unwrap();
    assert!(
        writer.take_sync().is_none(),
        "nothing written, nothing to sync"
    );
    assert!(
        writer
            .write_deferred(&record(1, "alice"))
            .unwrap()
            .is_none()
    );
    assert!(
        writer
            .write_deferred(&record(2, "alice"))
            .unwrap()
            .is_none()
    );
    let first = writer.write_deferred(&record(3, "alice")).unwrap().unwrap();
    // While it is out, a full group hands out nothing more, and neither does the timer's call.
    for n in 4..=7 {
        assert!(
            writer
                .write_deferred(&record(n, "alice"))
                .unwrap()
                .is_none()
        );
    }
    assert!(writer.take_sync().is_none());
    assert_eq!(
        lines(&path).len(),
        7,
        "every line is written before its sync"
    );
    writer.finish_sync(first.run()).unwrap();
    // Four lines came after the first sync was taken: the next write finds the group full.
    let second = writer.write_deferred(&record(8, "alice")).unwrap().unwrap();
    writer.finish_sync(second.run()).unwrap();
    assert!(writer.take_sync().is_none(), "all eight are synced");
    assert!(
        writer
            .write_deferred(&record(9, "alice"))
            .unwrap()
            .is_none()
    );
    let timer = writer.take_sync().unwrap();
    let error = WriterError::Io(path.clone(), std::io::Error::other("disk gone"));
    let given_back = writer.finish_sync(timer.run().and(Err(error))).unwrap_err();
    assert!(
        given_back.to_string().ends_with("disk gone"),
        "{given_back}"
    );
    // The failed sync is no longer out: the next can be taken.
    assert!(
        writer
            .take_sync()
            .is_some_and(|pending| pending.run().is_ok())
    );
    drop(writer);
    let report = check(&path);
    assert!(report.is_intact());
    assert_eq!(report.records(), 9);
}

// Under `EveryRecord`, `write_deferred` syncs in place, as `write` does: nothing is handed out.
#[test]
fn every_record_syncs_in_place_even_when_deferred() {
    let path = dir("deferred-every").join("trail.jsonl");
    let (mut writer, _) = AuditWriter::open_with_key(&path, key(), WriterConfig::new()).unwrap();
    for n in 1..=3 {
        assert!(
            writer
                .write_deferred(&record(n, "alice"))
                .unwrap()
                .is_none()
        );
        assert!(writer.take_sync().is_none(), "record {n} is synced already");
    }
    writer.close().unwrap();
    assert!(check(&path).passes(true));
}

#[test]
fn one_writer_per_trail() {
    let path = dir("lock").join("trail.jsonl");
    let (_writer, _) = AuditWriter::open_with_key(&path, key(), WriterConfig::new()).unwrap();
    let second = AuditWriter::open_with_key(&path, key(), WriterConfig::new()).unwrap_err();
    assert!(matches!(second, WriterError::Locked(_)), "{second}");
    assert!(
        second
            .to_string()
            .ends_with("trail.jsonl: another writer has the trail open")
    );
}

#[test]
fn a_trail_whose_last_line_is_not_a_trail_line_is_not_continued() {
    let path = dir("garbage").join("trail.jsonl");
    std::fs::write(&path, "hello\n").unwrap();
    let error = AuditWriter::open_with_key(&path, key(), WriterConfig::new()).unwrap_err();
    assert!(
        error.to_string().ends_with(
            "trail.jsonl: cannot resume the trail: not json: expected value at line 1 column 1"
        ),
        "{error}"
    );
}

fn run(command: impl FnOnce(&mut Vec<u8>, &mut Vec<u8>) -> u8) -> (u8, String, String) {
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = command(&mut out, &mut err);
    (
        code,
        String::from_utf8(out).unwrap(),
        String::from_utf8(err).unwrap(),
    )
}

/// A key pair from `keygen` and a closed trail of `records` records signed with it.
fn keyed_trail(test: &str, records: u64) -> (PathBuf, String, String) {
    let dir = dir(test);
    let prefix = dir.join("audit").display().to_string();
    let (code, out, err) = run(|out, err| commands::keygen(&prefix, out, err));
    assert_eq!((code, err.as_str()), (OK, ""));
    assert!(out.contains("audit.key (private: keep it secret)"), "{out}");
    let trail = dir.join("trail.jsonl");
    let config = WriterConfig::new().with_checkpoint_every(every(3));
    let (mut writer, _) =
        AuditWriter::open(&trail, Path::new(&format!("{prefix}.key")), config).unwrap();
    for n in 1..=records {
        writer
            .write(&record(n, if n % 2 == 0 { "bob" } else { "alice" }))
            .unwrap();
    }
    writer.close().unwrap();
    (trail, format!("{prefix}.key"), format!("{prefix}.pub"))
}

#[test]
fn keygen_writes_an_owner_only_key_and_never_overwrites() {
    let (_, private, public) = keyed_trail("keygen", 0);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&private).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    parse_verifying_key(&std::fs::read_to_string(&public).unwrap()).unwrap();
    let prefix = private.trim_end_matches(".key").to_owned();
    let (code, out, err) = run(|out, err| commands::keygen(&prefix, out, err));
    assert_eq!((code, out.as_str()), (UNREADABLE, ""));
    assert!(
        err.starts_with("keygen: ") && err.ends_with("audit.key: File exists (os error 17)\n"),
        "{err}"
    );
}

#[test]
fn verify_passes_an_intact_trail_with_its_key() {
    let (trail, _, public) = keyed_trail("verify-ok", 7);
    let file = trail.display().to_string();
    let (code, out, err) =
        run(|out, err| commands::verify(&file, Some(&public), true, false, out, err));
    assert_eq!((code, err.as_str()), (OK, ""));
    assert_eq!(out, format!("{file}: intact: 7 records, 3 checkpoints\n"));

    let (code, out, _) = run(|out, err| commands::verify(&file, None, false, false, out, err));
    assert_eq!(code, OK);
    assert!(
        out.contains(": key not pinned: checkpoints were checked against the key they carry ("),
        "{out}"
    );

    let (code, out, _) =
        run(|out, err| commands::verify(&file, Some(&public), true, true, out, err));
    assert_eq!(code, OK);
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["passes"], true);
    assert_eq!(json["records"], 7);
    assert_eq!(json["keyPinned"], true);
    assert_eq!(json["findings"], serde_json::json!([]));
}

#[test]
fn verify_names_the_first_wrong_line() {
    let (trail, _, public) = keyed_trail("verify-broken", 5);
    let mut text = lines(&trail);
    text[1] = text[1].replace("\"bob\"", "\"mallory\"");
    std::fs::write(&trail, text.join("\n") + "\n").unwrap();
    let file = trail.display().to_string();
    let (code, out, _) =
        run(|out, err| commands::verify(&file, Some(&public), false, false, out, err));
    assert_eq!(code, BROKEN);
    assert_eq!(
        out.lines().next().unwrap(),
        format!(
            "{file}:3: brokenLink: `prev` is not the hash of line 2: that line was changed, a \
             line is missing, or this line was forged"
        )
    );
    assert!(
        out.contains(": broken (1 findings): 5 records, 2 checkpoints"),
        "{out}"
    );
}

#[test]
fn verify_strict_refuses_an_unsigned_tail() {
    let (trail, _, public) = keyed_trail("verify-tail", 4);
    let mut text = lines(&trail);
    text.pop();
    std::fs::write(&trail, text.join("\n") + "\n").unwrap();
    let file = trail.display().to_string();
    let lax = run(|out, err| commands::verify(&file, Some(&public), false, false, out, err));
    let strict = run(|out, err| commands::verify(&file, Some(&public), true, false, out, err));
    assert_eq!((lax.0, strict.0), (OK, BROKEN));
    assert_eq!(
        strict.1,
        format!(
            "{file}: intact but incomplete (--strict): 4 records, 1 checkpoints\n\
             {file}: 1 records after the last valid checkpoint are unsigned: records could \
             have been cut off or appended there\n"
        )
    );
}

#[test]
fn verify_with_another_key_or_no_file_fails() {
    let (trail, _, _) = keyed_trail("verify-key", 3);
    let (_, _, other) = keyed_trail("verify-key-other", 0);
    let file = trail.display().to_string();
    let (code, out, _) =
        run(|out, err| commands::verify(&file, Some(&other), false, false, out, err));
    assert_eq!(code, BROKEN);
    assert!(
        out.contains(":4: wrongKey: checkpoint signed by `"),
        "{out}"
    );
    let (code, out, err) =
        run(|out, err| commands::verify("/nonexistent/trail", None, false, false, out, err));
    assert_eq!((code, out.as_str()), (UNREADABLE, ""));
    assert_eq!(
        err,
        "verify: /nonexistent/trail: No such file or directory (os error 2)\n"
    );
    let (code, _, err) =
        run(|out, err| commands::verify(&file, Some(&file), false, false, out, err));
    assert_eq!(code, UNREADABLE);
    assert!(
        err.contains("invalid key: public key: the file does not start with"),
        "{err}"
    );
}

#[test]
fn show_prints_an_aligned_table_and_filters() {
    let (trail, _, _) = keyed_trail("show", 3);
    let file = trail.display().to_string();
    let (code, out, err) = run(|out, err| commands::show(&file, None, None, false, out, err));
    assert_eq!((code, err.as_str()), (OK, ""));
    assert_eq!(
        out,
        "TIME                  KIND  PRINCIPAL  ACTION      SERVER                  TARGET    EFFECT  RULE             OUTCOME  MS\n\
         2026-12-03T10:00:01Z  call  alice      tools/call  io.github.acme/weather  forecast  allow   weather-for-all  ok       1\n\
         2026-12-03T10:00:02Z  call  bob        tools/call  io.github.acme/weather  forecast  allow   weather-for-all  ok       2\n\
         2026-12-03T10:00:03Z  call  alice      tools/call  io.github.acme/weather  forecast  allow   weather-for-all  ok       3\n"
    );
    let since = Timestamp::new("2026-12-03T10:00:02Z").unwrap();
    let (_, out, _) =
        run(|out, err| commands::show(&file, Some("alice"), Some(&since), false, out, err));
    assert_eq!(out.lines().count(), 2, "{out}");
    assert!(out.contains("10:00:03Z"), "{out}");
    let (_, out, _) = run(|out, err| commands::show(&file, Some("bob"), None, true, out, err));
    let record: AuditRecord = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(record.principal.id, "bob");
}

// Principals and tool names come from callers: a terminal escape in one is shown, not obeyed.
#[test]
fn show_and_verify_are_terminal_safe() {
    let path = dir("safe").join("trail.jsonl");
    let (mut writer, _) = AuditWriter::open_with_key(&path, key(), WriterConfig::new()).unwrap();
    writer
        .write(
            &record(1, "eve\u{1b}]0;pwned\u{7}\nforged")
                .with_tool("t\u{202e}xt")
                .with_approval(Approval::Approved),
        )
        .unwrap();
    writer.close().unwrap();
    let file = path.display().to_string();
    let (code, out, _) = run(|out, err| commands::show(&file, None, None, false, out, err));
    assert_eq!(code, OK);
    assert!(
        !out.contains('\u{1b}') && !out.contains('\u{202e}'),
        "{out:?}"
    );
    assert!(out.contains("eve\\u{1b}]0;pwned\\u{7}\\nforged"), "{out}");
    assert_eq!(out.lines().count(), 2);
    let (_, out, _) = run(|out, err| commands::show(&file, None, None, true, out, err));
    assert!(!out.contains('\u{1b}'), "{out:?}");
}

#[test]
fn show_reports_lines_that_are_not_records() {
    let (trail, _, _) = keyed_trail("show-bad", 2);
    let mut text = std::fs::read_to_string(&trail).unwrap();
    text.push_str("{\"half");
    std::fs::write(&trail, text).unwrap();
    let file = trail.display().to_string();
    let (code, out, err) = run(|out, err| commands::show(&file, None, None, false, out, err));
    assert_eq!(code, BROKEN);
    assert_eq!(out.lines().count(), 3);
    assert_eq!(err, format!("show: {file}:4: not a record line, skipped\n"));
}

/// The same commands through the real binary: `audit keygen`, `audit verify` (intact, then
/// with one record edited), `audit show`.
#[test]
fn the_audit_subcommands_run_from_the_command_line() {
    let (trail, _, public) = keyed_trail("cli", 4);
    let file = trail.display().to_string();
    let binary = env!("CARGO_BIN_EXE_mcp-registry");
    let run = |args: &[&str]| {
        std::process::Command::new(binary)
            .args(args)
            .output()
            .unwrap()
    };
    let verified = run(&["audit", "verify", &file, "--key", &public, "--strict"]);
    assert_eq!(verified.status.code(), Some(0));
    let shown = run(&["audit", "show", &file, "--principal", "bob"]);
    assert_eq!(shown.status.code(), Some(0));
    assert_eq!(
        String::from_utf8(shown.stdout)
            .unwrap()
            .matches("bob")
            .count(),
        2
    );
    let edited = std::fs::read_to_string(&trail)
        .unwrap()
        .replacen("forecast", "forecasT", 1);
    std::fs::write(&trail, edited).unwrap();
    let broken = run(&["audit", "verify", &file, "--key", &public]);
    assert_eq!(broken.status.code(), Some(1));
    // Record 1 still reads; the next line no longer chains to it.
    assert!(String::from_utf8(broken.stdout).unwrap().contains(":2: "));
    let prefix = trail.with_file_name("fresh").display().to_string();
    let keygen = run(&["audit", "keygen", "--out", &prefix]);
    assert_eq!(keygen.status.code(), Some(0));
    assert!(Path::new(&format!("{prefix}.pub")).exists());
}
