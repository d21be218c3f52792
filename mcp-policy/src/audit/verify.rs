//! Verification: reads a trail and names the first line that is wrong, and why.

use std::fmt;

use ed25519_dalek::{Signature, VerifyingKey};
use serde::Serialize;

use super::chain::{Body, CheckpointBody, Line, LineProblem};
use super::{GENESIS, hex, parse_hex, sha256_hex};

/// What [`verify`] found wrong with a line.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, Eq, Hash, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum FindingKind {
    /// The last line is not a complete JSON object: a write was torn (a crash) or the file was
    /// cut mid-line.
    Truncated,
    /// A line that is not a trail line (not JSON, or not the shape of one).
    Malformed,
    /// A trail line whose bytes are not its RFC 8785 canonical form.
    NonCanonical,
    /// A `seq` out of order: a record was dropped, moved or repeated.
    Sequence,
    /// A `prev` that is not the hash of the line before: that line was changed, a line was
    /// dropped or inserted, or this line was forged.
    BrokenLink,
    /// A checkpoint whose `count` or `head` disagree with the records before it.
    CheckpointMismatch,
    /// A checkpoint signed by a key other than the pinned one (or, with no key pinned, than
    /// the trail's first checkpoint).
    WrongKey,
    /// A checkpoint whose signature does not verify.
    BadSignature,
}

impl FindingKind {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Truncated => "truncated",
            Self::Malformed => "malformed",
            Self::NonCanonical => "nonCanonical",
            Self::Sequence => "sequence",
            Self::BrokenLink => "brokenLink",
            Self::CheckpointMismatch => "checkpointMismatch",
            Self::WrongKey => "wrongKey",
            Self::BadSignature => "badSignature",
        }
    }
}

impl fmt::Display for FindingKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One problem, at a 1-based line number.
#[derive(Clone, Debug, Eq, PartialEq, Serialize)]
pub struct Finding {
    line: usize,
    kind: FindingKind,
    message: String,
}

impl Finding {
    /// The 1-based line number.
    pub fn line(&self) -> usize {
        self.line
    }

    /// What kind of problem.
    pub fn kind(&self) -> FindingKind {
        self.kind
    }

    /// Why, in words.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}: {}", self.line, self.kind, self.message)
    }
}

/// The result of [`verify`].
#[derive(Clone, Debug, Eq, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    lines: usize,
    records: u64,
    checkpoints: u64,
    signed_records: u64,
    unsigned_records: u64,
    key_pinned: bool,
    public_key: Option<String>,
    head: String,
    findings: Vec<Finding>,
}

impl Report {
    /// How many lines were read.
    pub fn lines(&self) -> usize {
        self.lines
    }

    /// How many record lines were read.
    pub fn records(&self) -> u64 {
        self.records
    }

    /// How many checkpoint lines were read.
    pub fn checkpoints(&self) -> u64 {
        self.checkpoints
    }

    /// The `count` of the last checkpoint that verified: how many records a signature covers.
    pub fn signed_records(&self) -> u64 {
        self.signed_records
    }

    /// How many records come after the last valid checkpoint. Nothing signs them, so they
    /// could have been appended, or records after them cut off, without a trace.
    pub fn unsigned_records(&self) -> u64 {
        self.unsigned_records
    }

    /// Whether a public key was given. When not, checkpoints were checked against the key they
    /// carry, which shows consistency but not who wrote the trail.
    pub fn key_pinned(&self) -> bool {
        self.key_pinned
    }

    /// The public key (hex) of the trail's first checkpoint, if any.
    pub fn public_key(&self) -> Option<&str> {
        self.public_key.as_deref()
    }

    /// The hash (hex) of the last record line; compare it with a head seen earlier to detect a
    /// trail cut back to an older checkpoint.
    pub fn head(&self) -> &str {
        &self.head
    }

    /// Every problem, in line order. Verification goes on after a problem, taking the wrong
    /// line as the new reference, so one edit gives one finding.
    pub fn findings(&self) -> &[Finding] {
        &self.findings
    }

    /// The first problem.
    pub fn first(&self) -> Option<&Finding> {
        self.findings.first()
    }

    /// Whether nothing is wrong with the lines that are there (an unsigned tail is allowed).
    pub fn is_intact(&self) -> bool {
        self.findings.is_empty()
    }

    /// Whether the trail passes: intact and, when `strict`, ending with a valid checkpoint
    /// that covers its last record.
    pub fn passes(&self, strict: bool) -> bool {
        self.is_intact() && (!strict || self.unsigned_records == 0)
    }
}

/// Checks a trail, line by line (each without its newline).
///
/// Finds edited, dropped, reordered and inserted lines (through `seq` and the `prev` hashes),
/// a torn last line, non-canonical lines, checkpoints whose `count` or `head` disagree with the
/// records, and bad signatures. With `key`, every checkpoint must be signed by it; without, a
/// checkpoint is checked against the key it carries, every checkpoint must carry the same key,
/// and [`Report::key_pinned`] is false.
///
/// A bare chain cannot show that records were cut off its end, or that forged ones were
/// appended: only a checkpoint can. [`Report::unsigned_records`] counts the records after the
/// last valid checkpoint (require none with [`Report::passes`]`(true)`). A trail cut back to
/// exactly an earlier checkpoint is still a valid trail; to catch that, keep the
/// [`Report::signed_records`] and [`Report::head`] of the last verification (or of the writer)
/// somewhere else, and compare.
///
/// [`Verifier`] does the same a line at a time, for a trail read as a stream.
pub fn verify<'a>(lines: impl IntoIterator<Item = &'a str>, key: Option<&VerifyingKey>) -> Report {
    let mut verifier = Verifier::new(key);
    for line in lines {
        verifier.push(line);
    }
    verifier.finish()
}

/// [`verify`], fed one line at a time, so that a trail of any size is checked in constant
/// memory.
#[derive(Debug)]
pub struct Verifier<'k> {
    report: Report,
    key: Option<&'k VerifyingKey>,
    // `None` after a line whose `seq` could not be read: the next one is taken as it is.
    expected_seq: Option<u64>,
    prev: String,
    // The finding for the line just read when it was not JSON: if it turns out to be the last
    // line, it is a torn write rather than a malformed line.
    unfinished: Option<usize>,
}

impl<'k> Verifier<'k> {
    /// A verifier for a trail signed by `key`, or by whichever key its first checkpoint names.
    pub fn new(key: Option<&'k VerifyingKey>) -> Self {
        Self {
            report: Report {
                lines: 0,
                records: 0,
                checkpoints: 0,
                signed_records: 0,
                unsigned_records: 0,
                key_pinned: key.is_some(),
                public_key: None,
                head: GENESIS.to_owned(),
                findings: Vec::new(),
            },
            key,
            expected_seq: Some(1),
            prev: GENESIS.to_owned(),
            unfinished: None,
        }
    }

    /// Checks the next line (without its newline).
    pub fn push(&mut self, line: &str) {
        self.unfinished = None;
        self.report.lines += 1;
        self.line(self.report.lines, line);
    }

    /// The report on every line pushed.
    pub fn finish(mut self) -> Report {
        if let Some(finding) = self
            .unfinished
            .and_then(|index| self.report.findings.get_mut(index))
        {
            finding.kind = FindingKind::Truncated;
            "the last line is not a complete json object (a torn write, or the file was cut)"
                .clone_into(&mut finding.message);
        }
        let mut report = self.report;
        report.unsigned_records = report.records.saturating_sub(report.signed_records);
        report
    }
}

impl Verifier<'_> {
    fn line(&mut self, number: usize, text: &str) {
        let hash = sha256_hex(text.as_bytes());
        let parsed = Line::parse(text);
        let line = match parsed {
            Ok(line) => line,
            Err(problem) => {
                let kind = match problem {
                    LineProblem::NotCanonical => FindingKind::NonCanonical,
                    LineProblem::NotJson(_) => {
                        self.unfinished = Some(self.report.findings.len());
                        FindingKind::Malformed
                    }
                    LineProblem::Shape(_) => FindingKind::Malformed,
                };
                self.find(number, kind, problem.message());
                self.expected_seq = None;
                self.prev = hash;
                return;
            }
        };
        let is_record = matches!(line.body, Body::Record);
        let expected = self.expected_seq.map(|seq| {
            if is_record {
                seq
            } else {
                seq.saturating_sub(1)
            }
        });
        if let Some(expected) = expected.filter(|&e| e != line.seq) {
            let what = if is_record { "record" } else { "checkpoint" };
            self.find(
                number,
                FindingKind::Sequence,
                format!(
                    "{what} `seq` is {} where {expected} was expected: a record was dropped, \
                     moved or repeated",
                    line.seq
                ),
            );
        } else if line.prev != self.prev {
            let before = if number > 1 {
                format!("line {}", number - 1)
            } else {
                "the start of the trail".to_owned()
            };
            self.find(
                number,
                FindingKind::BrokenLink,
                format!(
                    "`prev` is not the hash of {before}: that line was changed, a line is \
                     missing, or this line was forged"
                ),
            );
        }
        match line.body {
            Body::Record => {
                self.report.records += 1;
                self.report.head.clone_from(&hash);
                self.expected_seq = Some(line.seq.saturating_add(1));
            }
            Body::Checkpoint(checkpoint) => {
                self.report.checkpoints += 1;
                self.checkpoint(number, &checkpoint);
                self.expected_seq = Some(line.seq.saturating_add(1));
            }
        }
        self.prev = hash;
    }

    fn checkpoint(&mut self, number: usize, checkpoint: &CheckpointBody) {
        if checkpoint.count != self.report.records || checkpoint.head != self.report.head {
            let message = if checkpoint.count == self.report.records {
                "`head` is not the hash of the last record line".to_owned()
            } else {
                format!(
                    "`count` is {} but the trail holds {} records",
                    checkpoint.count, self.report.records
                )
            };
            self.find(number, FindingKind::CheckpointMismatch, message);
            return;
        }
        let carried = parse_hex(&checkpoint.public_key)
            .and_then(|bytes| <[u8; 32]>::try_from(bytes).ok())
            .and_then(|bytes| VerifyingKey::from_bytes(&bytes).ok());
        let Some(carried) = carried else {
            self.find(
                number,
                FindingKind::Malformed,
                format!(
                    "checkpoint `publicKey` is not an Ed25519 public key: `{}`",
                    checkpoint.public_key
                ),
            );
            return;
        };
        let first_key = self
            .report
            .public_key
            .get_or_insert_with(|| hex(carried.as_bytes()))
            .clone();
        let key = match self.key {
            Some(pinned) if *pinned != carried => {
                self.find(
                    number,
                    FindingKind::WrongKey,
                    format!(
                        "checkpoint signed by `{}`, not the pinned key",
                        checkpoint.public_key
                    ),
                );
                return;
            }
            Some(pinned) => pinned,
            None if first_key != checkpoint.public_key => {
                self.find(
                    number,
                    FindingKind::WrongKey,
                    format!(
                        "checkpoint signed by `{}`, not `{first_key}` as the first checkpoint",
                        checkpoint.public_key
                    ),
                );
                return;
            }
            None => &carried,
        };
        let signature = checkpoint
            .signature
            .as_deref()
            .filter(|s| s.len() == 128)
            .and_then(parse_hex)
            .and_then(|bytes| <[u8; 64]>::try_from(bytes).ok())
            .map(|bytes| Signature::from_bytes(&bytes));
        let valid = signature.is_some_and(|signature| {
            key.verify_strict(checkpoint.signed_bytes().as_bytes(), &signature)
                .is_ok()
        });
        if valid {
            self.report.signed_records = checkpoint.count;
        } else {
            self.find(
                number,
                FindingKind::BadSignature,
                "checkpoint signature does not verify".to_owned(),
            );
        }
    }

    fn find(&mut self, line: usize, kind: FindingKind, message: String) {
        self.report.findings.push(Finding {
            line,
            kind,
            message,
        });
    }
}
