//! The audit trail: records of decisions and calls, in a hash chain with signed checkpoints,
//! and its verification.
//!
//! Everything here is pure: the caller passes the time, the record identifiers and the key
//! material in, and writes the lines this module returns. (The `examples` crate's
//! `audit::AuditWriter` writes them durably.)
//!
//! # The trail format
//!
//! A trail is a UTF-8 text file of lines, each ending in `\n`. Every line is the RFC 8785
//! canonical JSON (JSON Canonicalization Scheme: members sorted by UTF-16 code units, no
//! whitespace, ECMAScript number form, minimal string escapes) of one object:
//!
//! - a **record line** `{"prev":P,"record":R,"seq":N}`: `R` is an [`AuditRecord`], `N` the
//!   record's number (1 for the first record, then 2, 3, …);
//! - a **checkpoint line** `{"checkpoint":C,"prev":P,"seq":N}`, where `N` is the number of
//!   records so far and `C` is `{"count":N,"head":H,"publicKey":K,"signature":S}`: `H` is the
//!   hash of the last record line (or the genesis value for none), `K` the signer's Ed25519
//!   public key in hex, and `S` the hex Ed25519 signature over the canonical JSON of `C`
//!   without `signature`, `{"count":N,"head":H,"publicKey":K}`.
//!
//! `P` is the lowercase hex SHA-256 of the previous line's bytes (without its newline); the
//! first line's `prev` is [`GENESIS`], 64 zeros. A line that is not in canonical form is
//! itself a finding, so the hashed bytes are the only representation.
//!
//! A record line, as [`Chain::append`] writes it (one line in the file):
//!
//! ```
//! use mcp_policy::Effect;
//! use mcp_policy::audit::{
//!     AuditAction, AuditPrincipal, AuditRecord, CallOutcome, Chain, RecordKind, Timestamp,
//! };
//!
//! # fn main() -> Result<(), mcp_policy::audit::AuditError> {
//! let record = AuditRecord::new(
//!     "1",
//!     Timestamp::new("2026-12-03T10:00:00Z")?,
//!     RecordKind::Call,
//!     AuditPrincipal::new("alice"),
//!     "io.github.acme/weather",
//!     AuditAction::ToolsCall,
//!     Effect::Allow,
//! )
//! .with_tool("forecast")
//! .with_rule("weather-for-all", "policy")
//! .with_policy_hash("sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08")
//! .with_arguments_digest(&serde_json::json!({ "city": "Oslo" }))
//! .with_outcome(CallOutcome::Ok)
//! .with_duration_ms(42)
//! .with_response_bytes(512);
//! let line = Chain::new().append(&record);
//! assert_eq!(line, concat!(
//!     r#"{"prev":"0000000000000000000000000000000000000000000000000000000000000000","#,
//!     r#""record":{"action":"tools/call","#,
//!     r#""argumentsDigest":"sha256:99a8fa9e4312f0bfd68a60a3ca5a7fd7fad321910c43c41afc6702c0697920a4","#,
//!     r#""durationMs":42,"effect":"allow","id":"1","kind":"call","layer":"policy","#,
//!     r#""outcome":{"status":"ok"},"#,
//!     r#""policyHash":"sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08","#,
//!     r#""principal":{"id":"alice"},"responseBytes":512,"rule":"weather-for-all","#,
//!     r#""server":"io.github.acme/weather","time":"2026-12-03T10:00:00Z","tool":"forecast"},"#,
//!     r#""seq":1}"#,
//! ));
//! # Ok(())
//! # }
//! ```
//!
//! # Why checkpoints
//!
//! The chain shows any change, deletion, reordering or insertion *between* lines, but anyone
//! can cut lines off its end, or append lines with correct hashes. A checkpoint, signed with
//! a key the writer holds, fixes how many records there were and the hash of the last one.
//! [`verify`] with the public key pinned accepts a trail as complete only when it ends with a
//! valid checkpoint covering its last record, and otherwise counts the unsigned records after
//! the last one ([`Report::unsigned_records`]).

use std::fmt::Write as _;

use serde::Serialize;
use sha2::{Digest as _, Sha256};

mod chain;
mod record;
mod verify;

// Public API
pub use chain::{
    Chain, PRIVATE_KEY_HEADER, PUBLIC_KEY_HEADER, keygen, parse_signing_key, parse_verifying_key,
    public_key_text,
};
pub use ed25519_dalek;
pub use ed25519_dalek::{SigningKey, VerifyingKey};
pub use record::{
    Approval, AuditAction, AuditPrincipal, AuditRecord, CallOutcome, REDACTED, RecordKind,
    Timestamp, arguments_digest,
};
pub use verify::{Finding, FindingKind, Report, Verifier, verify};

/// The `prev` of a trail's first line, and the `head` of a checkpoint that covers no record:
/// 64 zeros.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// An error from the audit module: a key, a time or a trail line that cannot be used.
#[non_exhaustive]
#[derive(Clone, Debug, Eq, PartialEq, thiserror::Error)]
pub enum AuditError {
    /// A key file's text is not a key.
    #[error("invalid key: {0}")]
    Key(Detail),
    /// A time is not an RFC 3339 UTC time.
    #[error("invalid time: {0}")]
    Time(Detail),
    /// The line a trail would be resumed from is not a trail line.
    #[error("cannot resume the trail: {0}")]
    Resume(Detail),
}

impl AuditError {
    pub(crate) fn key(message: String) -> Self {
        Self::Key(Detail { message })
    }

    pub(crate) fn time(message: String) -> Self {
        Self::Time(Detail { message })
    }

    pub(crate) fn resume(message: String) -> Self {
        Self::Resume(Detail { message })
    }
}

/// What was wrong, in words.
#[derive(Clone, Debug, Eq, PartialEq)]
pub struct Detail {
    message: String,
}

impl Detail {
    /// The message.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl std::fmt::Display for Detail {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// The RFC 8785 canonical JSON of `value`: the form every trail line takes, and the form
/// [`arguments_digest`] hashes.
pub fn canonical_json(value: &serde_json::Value) -> String {
    canonical(value)
}

/// RFC 8785 canonical JSON of `value`.
pub(crate) fn canonical<T: Serialize>(value: &T) -> String {
    // INVARIANT: the canonicalizer fails only on non-string map keys, duplicate keys, raw
    // values and non-finite floats; the types serialized here have none of those (every map
    // is a `serde_json::Map`, whose numbers are finite), so the default is never taken.
    serde_json_canonicalizer::to_string(value).unwrap_or_default()
}

/// Lowercase hex SHA-256 of `bytes`.
pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        let _ = write!(out, "{byte:02x}");
    }
    out
}

/// Lowercase (or uppercase) hex to bytes; `None` for odd length or a non-hex digit.
pub(crate) fn parse_hex(text: &str) -> Option<Vec<u8>> {
    let digits = text.as_bytes();
    if !digits.len().is_multiple_of(2) {
        return None;
    }
    digits
        .chunks_exact(2)
        .map(|pair| {
            let high = char::from(*pair.first()?).to_digit(16)?;
            let low = char::from(*pair.get(1)?).to_digit(16)?;
            u8::try_from(high * 16 + low).ok()
        })
        .collect()
}

pub(crate) fn lowercase_first(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_lowercase().chain(chars).collect()
    })
}
