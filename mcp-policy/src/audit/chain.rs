//! The hash chain, its signed checkpoints and the key files.

use ed25519_dalek::{Signer as _, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{AuditError, AuditRecord, GENESIS, canonical, hex, parse_hex, sha256_hex};

/// The header that opens a private key file's one line (see [`keygen`]).
pub const PRIVATE_KEY_HEADER: &str = "mcp-registry-audit-ed25519-private v1";
/// The header that opens a public key file's one line (see [`keygen`]).
pub const PUBLIC_KEY_HEADER: &str = "mcp-registry-audit-ed25519-public v1";

/// The state of a trail being written: the next record's `seq`, the hash of the last line, and
/// what the next checkpoint will cover.
///
/// `append` and `checkpoint` return the line to write (without its newline) and advance the
/// state; the caller writes the line. Lose a line after it was returned and the trail breaks
/// there, which is what a verifier should see.
#[derive(Clone, Debug, Eq, PartialEq)]
pub struct Chain {
    // INVARIANT: the number of record lines so far; the next record's `seq` is `count + 1`.
    count: u64,
    // Hash of the last line of any kind (the next line's `prev`).
    prev: String,
    // Hash of the last record line (a checkpoint's `head`).
    head: String,
}

impl Chain {
    /// The state of an empty trail.
    pub fn new() -> Self {
        Self {
            count: 0,
            prev: GENESIS.to_owned(),
            head: GENESIS.to_owned(),
        }
    }

    /// Continues the trail whose last line is `last_line` (without its newline).
    ///
    /// # Errors
    ///
    /// When `last_line` is not a record or checkpoint line in canonical form. Resuming trusts
    /// the line: verify the trail first when that matters.
    pub fn resume(last_line: &str) -> Result<Self, AuditError> {
        match Line::parse(last_line) {
            Ok(Line {
                seq,
                body: Body::Record,
                ..
            }) => Ok(Self {
                count: seq,
                prev: sha256_hex(last_line.as_bytes()),
                head: sha256_hex(last_line.as_bytes()),
            }),
            Ok(Line {
                body: Body::Checkpoint(checkpoint),
                ..
            }) => Ok(Self {
                count: checkpoint.count,
                prev: sha256_hex(last_line.as_bytes()),
                head: checkpoint.head,
            }),
            Err(problem) => Err(AuditError::resume(problem.message())),
        }
    }

    /// The line for `record`, to be written next.
    pub fn append(&mut self, record: &AuditRecord) -> String {
        self.count += 1;
        let line = canonical(&RecordLine {
            seq: self.count,
            prev: &self.prev,
            record,
        });
        let hash = sha256_hex(line.as_bytes());
        self.prev.clone_from(&hash);
        self.head = hash;
        line
    }

    /// A checkpoint line covering every record so far, signed with `key`.
    pub fn checkpoint(&mut self, key: &SigningKey) -> String {
        let unsigned = CheckpointBody {
            count: self.count,
            head: self.head.clone(),
            public_key: hex(key.verifying_key().as_bytes()),
            signature: None,
        };
        let signature = key.sign(canonical(&unsigned).as_bytes());
        let line = canonical(&CheckpointLine {
            seq: self.count,
            prev: &self.prev,
            checkpoint: CheckpointBody {
                signature: Some(hex(&signature.to_bytes())),
                ..unsigned
            },
        });
        self.prev = sha256_hex(line.as_bytes());
        line
    }

    /// How many records the trail holds.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// The hash of the last line (hex), which the next line names as `prev`.
    pub fn last_hash(&self) -> &str {
        &self.prev
    }
}

impl Default for Chain {
    fn default() -> Self {
        Self::new()
    }
}

#[derive(Serialize)]
struct RecordLine<'a> {
    seq: u64,
    prev: &'a str,
    record: &'a AuditRecord,
}

#[derive(Serialize)]
struct CheckpointLine<'a> {
    seq: u64,
    prev: &'a str,
    checkpoint: CheckpointBody,
}

/// A checkpoint as it appears in a line; without `signature` it is what is signed.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(crate) struct CheckpointBody {
    pub(crate) count: u64,
    pub(crate) head: String,
    pub(crate) public_key: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) signature: Option<String>,
}

impl CheckpointBody {
    /// The bytes the signature covers: the canonical JSON of the checkpoint without it.
    pub(crate) fn signed_bytes(&self) -> String {
        canonical(&Self {
            signature: None,
            ..self.clone()
        })
    }
}

/// A parsed trail line.
pub(crate) struct Line {
    pub(crate) seq: u64,
    pub(crate) prev: String,
    pub(crate) body: Body,
}

pub(crate) enum Body {
    Record,
    Checkpoint(CheckpointBody),
}

/// Why a line is not a trail line.
pub(crate) enum LineProblem {
    /// Not JSON at all (or not all of it).
    NotJson(String),
    /// JSON, but not the shape of a line.
    Shape(String),
    /// The right shape, but not the canonical bytes.
    NotCanonical,
}

impl LineProblem {
    pub(crate) fn message(&self) -> String {
        match self {
            Self::NotJson(why) => format!("not json: {why}"),
            Self::Shape(why) => why.clone(),
            Self::NotCanonical => {
                "not in canonical form (RFC 8785): the bytes were rewritten".to_owned()
            }
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLine {
    seq: u64,
    prev: String,
    #[serde(default)]
    record: Option<Value>,
    #[serde(default)]
    checkpoint: Option<Value>,
}

impl Line {
    pub(crate) fn parse(text: &str) -> Result<Self, LineProblem> {
        let value: Value = serde_json::from_str(text)
            .map_err(|err| LineProblem::NotJson(super::lowercase_first(&err.to_string())))?;
        if !value.is_object() {
            return Err(LineProblem::Shape("not a json object".to_owned()));
        }
        let raw: RawLine = serde_json::from_value(value.clone())
            .map_err(|err| LineProblem::Shape(super::lowercase_first(&err.to_string())))?;
        if !is_hash(&raw.prev) {
            return Err(LineProblem::Shape(format!(
                "`prev` is not a sha-256 in lowercase hex: `{}`",
                raw.prev
            )));
        }
        let body = match (raw.record, raw.checkpoint) {
            (Some(Value::Object(_)), None) => Body::Record,
            (Some(_), None) => return Err(LineProblem::Shape("`record` is not an object".into())),
            (None, Some(checkpoint)) => {
                Body::Checkpoint(serde_json::from_value(checkpoint).map_err(|err| {
                    LineProblem::Shape(format!(
                        "checkpoint: {}",
                        super::lowercase_first(&err.to_string())
                    ))
                })?)
            }
            (Some(_), Some(_)) => {
                return Err(LineProblem::Shape(
                    "both `record` and `checkpoint`".to_owned(),
                ));
            }
            (None, None) => {
                return Err(LineProblem::Shape(
                    "neither `record` nor `checkpoint`".to_owned(),
                ));
            }
        };
        // Canonical form is checked on the whole line as it was read, so that a rewritten
        // line (spaces, escapes, key order, `1.0` for `1`) is caught even where it parses
        // to the same values.
        if canonical(&value) != text {
            return Err(LineProblem::NotCanonical);
        }
        Ok(Self {
            seq: raw.seq,
            prev: raw.prev,
            body,
        })
    }
}

pub(crate) fn is_hash(text: &str) -> bool {
    text.len() == 64 && text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// A new key pair from a 32-byte seed, as the text of a private and a public key file.
///
/// Each is one line (no newline), a header and the key in lowercase hex:
///
/// ```text
/// mcp-registry-audit-ed25519-private v1 <64 hex digits: the Ed25519 seed>
/// mcp-registry-audit-ed25519-public v1 <64 hex digits: the Ed25519 public key>
/// ```
///
/// The seed is the private key: take it from the operating system's random source, and keep
/// the private file readable by its owner only.
pub fn keygen(seed: [u8; 32]) -> (String, String) {
    let key = SigningKey::from_bytes(&seed);
    (
        format!("{PRIVATE_KEY_HEADER} {}", hex(&seed)),
        public_key_text(&key.verifying_key()),
    )
}

/// The public key file's text for `key` (see [`keygen`]).
pub fn public_key_text(key: &VerifyingKey) -> String {
    format!("{PUBLIC_KEY_HEADER} {}", hex(key.as_bytes()))
}

/// Parses a private key file's text (see [`keygen`]); surrounding whitespace is ignored.
///
/// # Errors
///
/// When the header or the hex is wrong.
pub fn parse_signing_key(text: &str) -> Result<SigningKey, AuditError> {
    let seed = key_bytes(text, PRIVATE_KEY_HEADER, "private")?;
    Ok(SigningKey::from_bytes(&seed))
}

/// Parses a public key file's text (see [`keygen`]); surrounding whitespace is ignored.
///
/// # Errors
///
/// When the header or the hex is wrong, or the bytes are not an Ed25519 public key.
pub fn parse_verifying_key(text: &str) -> Result<VerifyingKey, AuditError> {
    let bytes = key_bytes(text, PUBLIC_KEY_HEADER, "public")?;
    VerifyingKey::from_bytes(&bytes)
        .map_err(|_| AuditError::key("public key: not a point on the Ed25519 curve".to_owned()))
}

fn key_bytes(text: &str, header: &str, which: &str) -> Result<[u8; 32], AuditError> {
    let text = text.trim();
    let Some(rest) = text.strip_prefix(header).and_then(|r| r.strip_prefix(' ')) else {
        return Err(AuditError::key(format!(
            "{which} key: the file does not start with `{header}`"
        )));
    };
    parse_hex(rest)
        .and_then(|bytes| <[u8; 32]>::try_from(bytes).ok())
        .ok_or_else(|| AuditError::key(format!("{which} key: expected 64 hex digits")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::{AuditAction, AuditPrincipal, RecordKind, Timestamp};
    use crate::document::Effect;

    fn record(id: &str) -> AuditRecord {
        AuditRecord::new(
            id,
            Timestamp::new("2026-12-03T10:00:00Z").unwrap(),
            RecordKind::Decision,
            AuditPrincipal::new("alice"),
            "io.github.acme/weather",
            AuditAction::ToolsList,
            Effect::Allow,
        )
        .with_policy_hash("sha256:00")
    }

    #[test]
    fn resume_continues_the_same_chain() {
        let key = SigningKey::from_bytes(&[7; 32]);
        let mut whole = Chain::new();
        let mut lines = vec![whole.append(&record("1")), whole.append(&record("2"))];
        let mut resumed = Chain::resume(lines.last().unwrap()).unwrap();
        assert_eq!(resumed, whole);
        lines.push(whole.checkpoint(&key));
        resumed.checkpoint(&key);
        let mut again = Chain::resume(lines.last().unwrap()).unwrap();
        assert_eq!(again, whole);
        assert_eq!(again.append(&record("3")), whole.append(&record("3")));
        assert_eq!(
            Chain::resume("{\"seq\":1}").unwrap_err().to_string(),
            "cannot resume the trail: missing field `prev`"
        );
    }

    #[test]
    fn keys_round_trip_through_their_text() {
        let (private, public) = keygen([1; 32]);
        assert!(private.starts_with("mcp-registry-audit-ed25519-private v1 0101"));
        let key = parse_signing_key(&format!("{private}\n")).unwrap();
        assert_eq!(
            public_key_text(&key.verifying_key()),
            public,
            "the public file is the private key's public half"
        );
        assert_eq!(parse_verifying_key(&public).unwrap(), key.verifying_key());
        assert_eq!(
            parse_verifying_key(&private).unwrap_err().to_string(),
            "invalid key: public key: the file does not start with \
             `mcp-registry-audit-ed25519-public v1`"
        );
        assert_eq!(
            parse_signing_key("mcp-registry-audit-ed25519-private v1 abc")
                .unwrap_err()
                .to_string(),
            "invalid key: private key: expected 64 hex digits"
        );
    }
}
