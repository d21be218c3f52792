//! The audit trail: RFC 8785 known answers, and every kind of tampering found at the right line.
#![cfg(feature = "audit")]
#![expect(
    clippy::panic,
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "tests fail by panicking; clippy.toml's test allowances reach only #[test] functions"
)]

use std::fmt::Write as _;

use mcp_policy::audit::ed25519_dalek::Signer as _;
use mcp_policy::audit::{
    Approval, AuditAction, AuditPrincipal, AuditRecord, CallOutcome, Chain, FindingKind, GENESIS,
    RecordKind, Report, SigningKey, Timestamp, arguments_digest, canonical_json, keygen,
    parse_signing_key, parse_verifying_key, verify,
};
use mcp_policy::{Action, Effect, Policy, Principal, Request, ServerFacts, ToolFacts};
use proptest::prelude::*;
use serde_json::{Value, json};
use sha2::{Digest as _, Sha256};

fn canonical(text: &str) -> String {
    canonical_json(&serde_json::from_str::<Value>(text).unwrap())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().fold(String::new(), |mut out, b| {
        let _ = write!(out, "{b:02x}");
        out
    })
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

// RFC 8785 section 3.2.2, the sample object.
#[test]
fn rfc8785_sample_object() {
    let input = r#"{
        "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
        "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
        "literals": [null, true, false]
    }"#;
    assert_eq!(
        canonical(input),
        r#"{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}"#
    );
}

// RFC 8785 section 3.2.3: members sort by UTF-16 code units, so the emoji (a surrogate pair,
// 0xD83D…) comes before U+FB33.
#[test]
fn rfc8785_key_order_is_by_utf16_code_units() {
    let input = r#"{
        "\u20ac": "Euro Sign",
        "\r": "Carriage Return",
        "\ufb33": "Hebrew Letter Dalet With Dagesh",
        "1": "One",
        "\ud83d\ude00": "Emoji: Grinning Face",
        "\u0080": "Control",
        "\u00f6": "Latin Small Letter O With Diaeresis"
    }"#;
    assert_eq!(
        canonical(input),
        "{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\u{80}\":\"Control\",\
         \"ö\":\"Latin Small Letter O With Diaeresis\",\"€\":\"Euro Sign\",\
         \"😀\":\"Emoji: Grinning Face\",\"\u{fb33}\":\"Hebrew Letter Dalet With Dagesh\"}"
    );
}

// RFC 8785 appendix B: IEEE 754 doubles and their ECMAScript form.
#[test]
fn rfc8785_numbers() {
    let cases: [(u64, &str); 10] = [
        (0x0000_0000_0000_0000, "0"),
        (0x8000_0000_0000_0000, "0"),
        (0x0000_0000_0000_0001, "5e-324"),
        (0x7fef_ffff_ffff_ffff, "1.7976931348623157e+308"),
        (0x4340_0000_0000_0000, "9007199254740992"),
        (0x4430_0000_0000_0000, "295147905179352830000"),
        (0x44b5_2d02_c7e1_4af6, "1e+23"),
        (0x3eb0_c6f7_a0b5_ed8d, "0.000001"),
        (0x3eb0_c6f7_a0b5_ed8c, "9.999999999999997e-7"),
        (0x41b3_de43_5555_5555, "333333333.3333333"),
    ];
    for (bits, expected) in cases {
        let value = json!([f64::from_bits(bits)]);
        assert_eq!(canonical_json(&value), format!("[{expected}]"), "{bits:#x}");
    }
}

fn time(text: &str) -> Timestamp {
    Timestamp::new(text).unwrap()
}

fn record(n: usize) -> AuditRecord {
    let base = AuditRecord::new(
        format!("r{n}"),
        time(&format!("2026-12-03T10:{:02}:{:02}Z", n / 60 % 60, n % 60)),
        if n.is_multiple_of(2) {
            RecordKind::Decision
        } else {
            RecordKind::Call
        },
        AuditPrincipal::new(["alice", "bob", "zoë"][n % 3]),
        "io.github.acme/weather",
        AuditAction::ToolsCall,
        [Effect::Allow, Effect::Ask, Effect::Deny][n % 3],
    )
    .with_tool("forecast")
    .with_policy_hash(format!("sha256:{GENESIS}"))
    .with_arguments_digest(&json!({ "city": "Oslo", "n": n }));
    if n % 2 == 1 {
        base.with_outcome(CallOutcome::Ok)
            .with_duration_ms(n as u64)
            .with_response_bytes(100)
    } else {
        base
    }
}

fn key_a() -> SigningKey {
    SigningKey::from_bytes(&[0xa; 32])
}

fn key_b() -> SigningKey {
    SigningKey::from_bytes(&[0xb; 32])
}

/// A trail of `records` records with a checkpoint after every `every` records and one at the
/// end when the last record is not covered yet.
fn trail(records: usize, every: usize) -> Vec<String> {
    let key = key_a();
    let mut chain = Chain::new();
    let mut lines = Vec::new();
    for n in 1..=records {
        lines.push(chain.append(&record(n)));
        if n % every == 0 {
            lines.push(chain.checkpoint(&key));
        }
    }
    if !records.is_multiple_of(every) || records == 0 {
        lines.push(chain.checkpoint(&key));
    }
    lines
}

fn check(lines: &[String], pinned: bool) -> Report {
    let key = key_a().verifying_key();
    verify(lines.iter().map(String::as_str), pinned.then_some(&key))
}

fn is_checkpoint(line: &str) -> bool {
    line.starts_with("{\"checkpoint\"")
}

#[track_caller]
fn assert_first(report: &Report, line: usize, kind: FindingKind) {
    let first = report
        .first()
        .unwrap_or_else(|| panic!("nothing found: {report:?}"));
    assert_eq!((first.line(), first.kind()), (line, kind), "{first}");
}

#[test]
fn an_untouched_trail_passes_strictly_with_and_without_the_key() {
    let lines = trail(7, 3);
    for pinned in [true, false] {
        let report = check(&lines, pinned);
        assert!(report.passes(true), "{report:?}");
        assert_eq!(report.records(), 7);
        assert_eq!(report.checkpoints(), 3);
        assert_eq!(report.signed_records(), 7);
        assert_eq!(report.key_pinned(), pinned);
    }
    let empty = verify(std::iter::empty(), None);
    assert!(empty.passes(false));
    assert_eq!(empty.records(), 0);
}

// Digests must not depend on the run: the same records and key give the same bytes (Ed25519
// signatures are deterministic).
#[test]
fn trail_bytes_are_stable_across_runs() {
    let text = trail(5, 2).join("\n");
    assert_eq!(
        sha256_hex(text.as_bytes()),
        "91358e433ab567d355ea99bab7b167c804bf94b4bd75a02c710151150c6d7a28",
        "the trail's bytes changed: {text}"
    );
    assert_eq!(
        arguments_digest(&json!({ "b": 1, "a": [true, null, "é"] })),
        format!(
            "sha256:{}",
            sha256_hex(r#"{"a":[true,null,"é"],"b":1}"#.as_bytes())
        )
    );
}

#[test]
fn redaction_keeps_the_digest_of_the_unredacted_arguments() {
    let arguments =
        json!({ "query": "x", "auth": { "token": "s3cret" }, "list": [{ "token": 1 }] });
    let record = record(1)
        .with_arguments(arguments.clone())
        .redact(&["token"]);
    assert_eq!(
        record.arguments_digest.as_deref(),
        Some(arguments_digest(&arguments).as_str())
    );
    let line = Chain::new().append(&record);
    assert!(!line.contains("s3cret"), "{line}");
    assert!(line.contains(r#""auth":{"token":"[redacted]"}"#), "{line}");
    assert!(check(&[line], true).is_intact());
}

#[test]
fn a_decision_becomes_a_record() {
    let policy = Policy::from_json(
        br#"{ "rules": [{ "id": "ask-delete", "effect": "ask", "match": { "tool": ["delete*"] } }] }"#,
    )
    .unwrap()
    .compile()
    .unwrap();
    let request = Request::new(
        Principal::new("alice")
            .with_group("eng")
            .with_tenant("acme"),
        Action::CallTool,
        ServerFacts::new("io.github.acme/files"),
    )
    .with_tool(ToolFacts::new("delete_file"));
    let decision = policy.evaluate(&request);
    let record = AuditRecord::from_decision("1", time("2026-12-03T10:00:00Z"), &request, &decision)
        .with_approval(Approval::Approved);
    assert_eq!(record.effect, Effect::Ask);
    assert_eq!(record.rule.as_deref(), Some("ask-delete"));
    assert_eq!(record.layer.as_deref(), Some("policy"));
    assert_eq!(record.tool.as_deref(), Some("delete_file"));
    assert_eq!(record.action, AuditAction::ToolsCall);
    assert_eq!(record.policy_hash, decision.policy_hash());
    assert_eq!(record.principal.tenant.as_deref(), Some("acme"));
    let json = record.to_canonical_json();
    let back: AuditRecord = serde_json::from_str(&json).unwrap();
    assert_eq!(back, record);
    assert!(json.contains(r#""approval":"approved""#), "{json}");
}

#[test]
fn keys_from_keygen_sign_and_verify() {
    let (private, public) = keygen([5; 32]);
    let signing = parse_signing_key(&private).unwrap();
    let verifying = parse_verifying_key(&public).unwrap();
    let mut chain = Chain::new();
    let lines = [chain.append(&record(1)), chain.checkpoint(&signing)];
    let report = verify(lines.iter().map(String::as_str), Some(&verifying));
    assert!(report.passes(true), "{report:?}");
}

#[test]
fn a_line_rewritten_in_another_json_form_is_non_canonical() {
    let mut lines = trail(3, 5);
    let value: Value = serde_json::from_str(&lines[1]).unwrap();
    lines[1] = serde_json::to_string_pretty(&value)
        .unwrap()
        .replace('\n', "");
    let report = check(&lines, true);
    assert_first(&report, 2, FindingKind::NonCanonical);
    assert_eq!(
        report.first().unwrap().message(),
        "not in canonical form (RFC 8785): the bytes were rewritten"
    );
}

#[test]
fn a_checkpoint_with_a_wrong_count_or_head_is_found_even_when_re_signed() {
    let lines = trail(4, 10);
    let last = lines.len() - 1;
    for (field, value) in [("count", json!(3)), ("head", json!(GENESIS))] {
        let mut forged = lines.clone();
        forged[last] = resign(&lines[last], &key_a(), |checkpoint| {
            checkpoint[field] = value.clone();
        });
        let report = check(&forged, true);
        assert_first(&report, last + 1, FindingKind::CheckpointMismatch);
    }
}

#[test]
fn a_forged_signature_is_bad() {
    let mut lines = trail(2, 10);
    let last = lines.len() - 1;
    let mut value: Value = serde_json::from_str(&lines[last]).unwrap();
    value["checkpoint"]["signature"] = json!("00".repeat(64));
    lines[last] = canonical_json(&value);
    for pinned in [true, false] {
        assert_first(&check(&lines, pinned), last + 1, FindingKind::BadSignature);
    }
}

/// The checkpoint line `line` with `change` applied and signed again with `key`.
fn resign(line: &str, key: &SigningKey, change: impl Fn(&mut Value)) -> String {
    let mut value: Value = serde_json::from_str(line).unwrap();
    let checkpoint = &mut value["checkpoint"];
    change(checkpoint);
    checkpoint["publicKey"] = json!(hex(key.verifying_key().as_bytes()));
    let mut unsigned = checkpoint.clone();
    unsigned.as_object_mut().unwrap().remove("signature");
    let signature = key.sign(canonical_json(&unsigned).as_bytes());
    checkpoint["signature"] = json!(hex(&signature.to_bytes()));
    canonical_json(&value)
}

/// A trail and an index into it, for the tamper properties.
fn trail_and_index() -> impl Strategy<Value = (Vec<String>, usize)> {
    (1_usize..20, 1_usize..6).prop_flat_map(|(records, every)| {
        let lines = trail(records, every);
        let len = lines.len();
        (Just(lines), 0..len)
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    // Change one field of one record, keeping the line canonical: the next line's `prev`
    // no longer matches.
    #[test]
    fn an_edited_record_is_found_at_the_next_line((mut lines, i) in trail_and_index()) {
        // The nearest record at or before `i` (the trail starts with one).
        let i = (0..=i).rev().find(|&j| !is_checkpoint(&lines[j])).unwrap();
        let value: Value = serde_json::from_str(&lines[i]).unwrap();
        let mut edited = value.clone();
        edited["record"]["principal"]["id"] = json!("mallory");
        lines[i] = canonical_json(&edited);
        for pinned in [true, false] {
            let report = check(&lines, pinned);
            // The trail always ends with a checkpoint, so a later line exists.
            assert_first(&report, i + 2, FindingKind::BrokenLink);
            prop_assert!(!report.passes(false));
        }
    }

    // Any one character changed anywhere in a signed trail is found, whatever it hits: a
    // value, a key, a hash, a signature, a bracket.
    #[test]
    fn any_changed_character_is_found(
        (mut lines, i) in trail_and_index(),
        at in any::<prop::sample::Index>(),
        with in 0x20_u8..0x7f,
    ) {
        let line = lines[i].clone().into_bytes();
        let at = at.index(line.len());
        prop_assume!(line[at].is_ascii() && line[at] != with);
        let mut changed = line;
        changed[at] = with;
        lines[i] = String::from_utf8(changed).unwrap();
        for pinned in [true, false] {
            let report = check(&lines, pinned);
            prop_assert!(!report.passes(pinned), "{:?}", report);
        }
    }

    // Drop one line: the line after it has the wrong `seq` or `prev`; dropping the final
    // checkpoint leaves an unsigned tail.
    #[test]
    fn a_dropped_line_is_found((mut lines, i) in trail_and_index()) {
        let last = i == lines.len() - 1;
        lines.remove(i);
        let report = check(&lines, true);
        if last {
            prop_assert!(report.is_intact());
            prop_assert!(report.unsigned_records() > 0);
        } else {
            let first = report.first().unwrap();
            prop_assert_eq!(first.line(), i + 1);
            prop_assert!(
                matches!(first.kind(), FindingKind::Sequence | FindingKind::BrokenLink),
                "{}", first
            );
        }
        prop_assert!(!report.passes(true));
    }

    // Swap two neighbouring lines: the first of them is now out of place.
    #[test]
    fn swapped_lines_are_found((mut lines, i) in trail_and_index()) {
        prop_assume!(i + 1 < lines.len());
        lines.swap(i, i + 1);
        let report = check(&lines, true);
        let first = report.first().unwrap();
        prop_assert_eq!(first.line(), i + 1);
        prop_assert!(
            matches!(first.kind(), FindingKind::Sequence | FindingKind::BrokenLink),
            "{}", first
        );
    }

    // Append a record with a correct link, as anyone can: the chain is intact, but the record
    // is unsigned, which strict verification refuses. With a wrong link, the link breaks.
    #[test]
    fn an_appended_forgery_is_unsigned_or_unlinked((lines, _) in trail_and_index(), linked: bool) {
        let mut forged = lines.clone();
        let mut chain = Chain::resume(lines.last().unwrap()).unwrap();
        let mut line = chain.append(&record(999));
        if !linked {
            line = line.replace(&sha256_hex(lines.last().unwrap().as_bytes()), &"1".repeat(64));
        }
        forged.push(line);
        let report = check(&forged, true);
        if linked {
            prop_assert!(report.is_intact());
            prop_assert_eq!(report.unsigned_records(), 1);
            prop_assert!(!report.passes(true));
        } else {
            assert_first(&report, forged.len(), FindingKind::BrokenLink);
        }
    }

    // Cut the file in the middle of a line (a torn write): the last line is incomplete.
    #[test]
    fn a_torn_last_line_is_truncated((mut lines, i) in trail_and_index(), cut in 1_usize..400) {
        lines.truncate(i + 1);
        let torn = &lines[i];
        let cut = cut % torn.len().max(2);
        let Some(part) = torn.get(..cut).filter(|part| !part.is_empty()) else {
            return Ok(());
        };
        lines[i] = part.to_owned();
        let report = check(&lines, true);
        assert_first(&report, i + 1, FindingKind::Truncated);
        prop_assert_eq!(report.findings().len(), 1);
    }

    // Cut whole lines off the end after a checkpoint: every line left is intact, and only the
    // records after the last checkpoint, unsigned, tell.
    #[test]
    fn a_tail_cut_after_a_checkpoint_shows_only_in_the_count((lines, i) in trail_and_index()) {
        let Some(checkpoint) = (0..=i).rev().find(|&j| is_checkpoint(&lines[j])) else {
            return Ok(());
        };
        prop_assume!(i + 1 < lines.len());
        let cut: Vec<String> = lines[..=i].to_vec();
        let report = check(&cut, true);
        prop_assert!(report.is_intact(), "{:?}", report.findings());
        let unsigned = cut[checkpoint + 1..].iter().filter(|l| !is_checkpoint(l)).count();
        prop_assert_eq!(report.unsigned_records(), unsigned as u64);
        prop_assert_eq!(unsigned == 0, report.passes(true));
        // Cut back to exactly a checkpoint, the trail is complete as far as it can tell; the
        // signed count, compared with one kept elsewhere, is what shows the loss.
        prop_assert!(report.signed_records() < check(&lines, true).signed_records());
    }

    // Re-sign a checkpoint with another key: refused when the key is pinned; without a pin,
    // refused when the trail changes key.
    #[test]
    fn a_checkpoint_re_signed_with_another_key_is_refused((mut lines, i) in trail_and_index()) {
        // The nearest checkpoint at or after `i` (the trail ends with one).
        let i = (i..lines.len()).find(|&j| is_checkpoint(&lines[j])).unwrap();
        lines[i] = resign(&lines[i], &key_b(), |_| {});
        // Re-signing changes the checkpoint line's bytes, so later lines are relinked too, as a
        // forger would.
        let mut chain = Chain::resume(&lines[i]).unwrap();
        for line in lines.iter_mut().skip(i + 1) {
            *line = if is_checkpoint(line) {
                chain.checkpoint(&key_b())
            } else {
                let value: Value = serde_json::from_str(line).unwrap();
                chain.append(&serde_json::from_value(value["record"].clone()).unwrap())
            };
        }
        assert_first(&check(&lines, true), i + 1, FindingKind::WrongKey);
        let unpinned = check(&lines, false);
        let first_checkpoint = lines.iter().position(|l| is_checkpoint(l)).unwrap();
        if first_checkpoint == i {
            prop_assert!(unpinned.passes(true), "{:?}", unpinned.findings());
            prop_assert!(!unpinned.key_pinned());
        } else {
            assert_first(&unpinned, i + 1, FindingKind::WrongKey);
        }
    }
}

#[test]
fn a_torn_line_in_the_middle_is_malformed_and_the_stream_api_agrees() {
    let mut lines = trail(3, 10);
    lines[1].truncate(20);
    let report = check(&lines, true);
    assert_first(&report, 2, FindingKind::Malformed);
    assert!(
        report.first().unwrap().message().starts_with("not json: "),
        "{report:?}"
    );
    let key = key_a().verifying_key();
    let mut verifier = mcp_policy::audit::Verifier::new(Some(&key));
    for line in &lines {
        verifier.push(line);
    }
    assert_eq!(verifier.finish(), report);
}
