//! The catalog snapshot format: a manifest line, then the entries as compressed JSON lines.
//!
//! ```text
//! {"format":"mcp-registry-catalog","version":1,"compression":"zstd","entries":N,
//!  "contentBytes":M,"inflatedBytes":I,"sha256":"<hex of the M bytes that follow>","sources":[…]}\n
//! <M bytes: zstd of one JSON object per line: {"source":RANK,"syncedAt":"…","response":{…}}>
//! ```
//!
//! Each entry line is written exactly in that layout: those three members, in that order,
//! with no white space outside the response. A reader relies on it: it reads the line once
//! (which checks all of it is JSON, and takes the name, version, status, times, title and
//! description), then keeps the response as the text between `"response":` and the closing
//! brace, with no second pass. A line in another layout is refused, naming the line.
//!
//! The manifest is one line of JSON, so a reader learns the format version, the sources and
//! their watermarks and checkpoints, and what the content must hash to, before it reads the
//! content. Sources are listed in precedence order; an entry names its source by position. A
//! reader refuses a newer format version, a truncated or corrupt file (length or SHA-256
//! mismatch), content that inflates past its limit, and any line that does not parse, naming
//! where.

use std::borrow::Cow;
use std::io::{Read, Write};
use std::sync::Arc;

use mcp_registry_types::{Status, Timestamp};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::entry::{Body, Head};
use super::memory::Catalog;

/// The `format` every snapshot's manifest names.
pub const SNAPSHOT_FORMAT: &str = "mcp-registry-catalog";
/// The format version this crate writes, and the newest it reads.
pub const SNAPSHOT_VERSION: u32 = 1;
/// The longest manifest line a reader accepts.
const MAX_MANIFEST_BYTES: usize = 1 << 20;
/// zstd's level: its default, which favours speed over the last few percent of ratio.
const ZSTD_LEVEL: i32 = 3;

/// Why a snapshot could not be read.
#[non_exhaustive]
#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    /// The file does not start with a manifest line.
    #[error("not a catalog snapshot: {0}")]
    NotASnapshot(String),
    /// The manifest names a format version this crate does not read.
    #[error("snapshot format version {found} is newer than this reader's {SNAPSHOT_VERSION}")]
    UnsupportedVersion {
        /// The version the file declares.
        found: u32,
    },
    /// The content is shorter or longer than the manifest says: the file was cut or grew.
    #[error(
        "snapshot is truncated: the manifest promises {expected} bytes of content, the file has {found}"
    )]
    Truncated {
        /// The bytes the manifest declares.
        expected: u64,
        /// The bytes present.
        found: u64,
    },
    /// The content does not hash to the manifest's SHA-256.
    #[error("snapshot is corrupt: its content hashes to {found}, the manifest says {expected}")]
    Corrupt {
        /// The manifest's hash.
        expected: String,
        /// The content's hash.
        found: String,
    },
    /// The content inflates past the reader's limit.
    #[error("snapshot content inflates past the limit of {limit} bytes")]
    TooLarge {
        /// The limit.
        limit: u64,
    },
    /// An entry line does not parse.
    #[error("snapshot entry {line}: {message}")]
    Entry {
        /// The 1-based line of the content.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// The manifest says a number of entries the content does not hold.
    #[error("snapshot holds {found} entries, its manifest says {expected}")]
    Count {
        /// The manifest's count.
        expected: u64,
        /// The entries read.
        found: u64,
    },
    /// Decompression or another I/O step failed.
    #[error("snapshot content cannot be read: {0}")]
    Io(#[from] std::io::Error),
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Manifest {
    format: String,
    version: u32,
    compression: String,
    entries: u64,
    content_bytes: u64,
    /// The content's size once inflated: the reader allocates it at once, and inflates in
    /// one call. Absent in files written before it was added; the reader then streams.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    inflated_bytes: Option<u64>,
    sha256: String,
    sources: Vec<ManifestSource>,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ManifestSource {
    name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    watermark: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    last_success: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    checkpoint: Option<Checkpoint>,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Checkpoint {
    cursor: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    since: Option<String>,
    watermark: String,
}

/// An entry line as read: its source, when it was synced, and what the catalog keeps of the
/// response besides its text. Unknown members are refused, so the response is the last one.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct EntryIn<'a> {
    source: usize,
    #[serde(borrow)]
    synced_at: Cow<'a, str>,
    #[serde(borrow)]
    response: ResponseIn<'a>,
}

#[derive(Deserialize)]
struct ResponseIn<'a> {
    #[serde(borrow)]
    server: ServerIn<'a>,
    #[serde(borrow, rename = "_meta", default)]
    meta: Option<MetaIn<'a>>,
}

#[derive(Deserialize)]
struct ServerIn<'a> {
    #[serde(borrow, default)]
    name: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    version: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    title: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    description: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
struct MetaIn<'a> {
    #[serde(borrow, rename = "io.modelcontextprotocol.registry/official", default)]
    official: Option<OfficialIn<'a>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct OfficialIn<'a> {
    #[serde(borrow, default)]
    status: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    updated_at: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    published_at: Option<Cow<'a, str>>,
}

impl ResponseIn<'_> {
    /// What the catalog keeps of the response besides its text, as [`Head::of`] takes it
    /// from a typed response.
    fn head(self) -> Head {
        let official = self.meta.and_then(|meta| meta.official);
        let (status, updated_at, published_at) = match official {
            Some(official) => (official.status, official.updated_at, official.published_at),
            None => (None, None, None),
        };
        Head {
            name: self.server.name.as_deref().unwrap_or_default().into(),
            version: self.server.version.as_deref().unwrap_or_default().into(),
            title: self.server.title.as_deref().map(Into::into),
            description: self
                .server
                .description
                .as_deref()
                .unwrap_or_default()
                .into(),
            status: status.as_deref().map_or(Status::Active, Status::from),
            updated_at: updated_at.and_then(|text| text.parse().ok()),
            published_at: published_at.as_deref().map(Into::into),
        }
    }
}

/// Where the response's text starts in an entry line: after `{"source":N,"syncedAt":"…",
/// "response":`, which is how every line must start.
fn response_start(line: &str) -> Option<usize> {
    let rest = line.strip_prefix("{\"source\":")?;
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    let rest = rest.get(digits..)?.strip_prefix(",\"syncedAt\":\"")?;
    // A timestamp needs no escapes; a backslash would hide where the string ends.
    let quote = rest.find(['"', '\\'])?;
    let rest = rest.get(quote..)?.strip_prefix("\",\"response\":")?;
    (digits > 0).then(|| line.len() - rest.len())
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes.iter().fold(String::new(), |mut out, byte| {
        let _ = write!(out, "{byte:02x}");
        out
    })
}

fn time(text: Option<&String>) -> Result<Option<Timestamp>, SnapshotError> {
    text.map(|text| {
        text.parse::<Timestamp>()
            .map_err(|error| SnapshotError::NotASnapshot(error.to_string()))
    })
    .transpose()
}

/// Writes `catalog` as a snapshot.
///
/// # Errors
/// An I/O error from compression, or from serializing an entry.
pub fn encode(catalog: &Catalog) -> Result<Vec<u8>, SnapshotError> {
    let mut encoder = zstd::stream::Encoder::new(Vec::new(), ZSTD_LEVEL)?;
    let mut inflated = 0u64;
    let mut entries = 0u64;
    let mut line = String::new();
    for (rank, entry) in catalog.all_entries() {
        use std::fmt::Write as _;
        line.clear();
        // The layout `decode` relies on; the response is the text the entry keeps.
        let _ = writeln!(
            line,
            "{{\"source\":{rank},\"syncedAt\":\"{}\",\"response\":{}}}",
            entry.provenance().synced_at(),
            entry.json()
        );
        encoder.write_all(line.as_bytes())?;
        inflated += line.len() as u64;
        entries += 1;
    }
    let content = encoder.finish()?;
    let sources = catalog
        .sources()
        .iter()
        .map(|source| ManifestSource {
            name: source.name().to_owned(),
            watermark: source.watermark().map(|t| t.to_string()),
            last_success: source.last_success().map(|t| t.to_string()),
            checkpoint: source.cursor().and_then(|cursor| {
                source.pending_watermark().map(|watermark| Checkpoint {
                    cursor: cursor.to_owned(),
                    since: source.cursor_since().map(|t| t.to_string()),
                    watermark: watermark.to_string(),
                })
            }),
        })
        .collect();
    let manifest = Manifest {
        format: SNAPSHOT_FORMAT.to_owned(),
        version: SNAPSHOT_VERSION,
        compression: "zstd".to_owned(),
        entries,
        content_bytes: content.len() as u64,
        inflated_bytes: Some(inflated),
        sha256: hex(&Sha256::digest(&content)),
        sources,
    };
    let mut out = serde_json::to_vec(&manifest).map_err(std::io::Error::from)?;
    out.push(b'\n');
    out.extend_from_slice(&content);
    Ok(out)
}

/// Reads a snapshot, inflating at most `max_content_bytes` of entries.
///
/// # Errors
/// A [`SnapshotError`] naming what is wrong and where; nothing is returned in part.
pub fn decode(bytes: &[u8], max_content_bytes: u64) -> Result<Catalog, SnapshotError> {
    let newline = bytes
        .iter()
        .take(MAX_MANIFEST_BYTES)
        .position(|&b| b == b'\n')
        .ok_or_else(|| SnapshotError::NotASnapshot("no manifest line".to_owned()))?;
    let (head, rest) = bytes.split_at(newline);
    let content = rest.get(1..).unwrap_or_default();
    let manifest: Manifest = serde_json::from_slice(head)
        .map_err(|error| SnapshotError::NotASnapshot(format!("manifest: {error}")))?;
    if manifest.format != SNAPSHOT_FORMAT {
        return Err(SnapshotError::NotASnapshot(format!(
            "the manifest names format `{}`",
            mcp_registry_types::escape_controls(&manifest.format)
        )));
    }
    if manifest.version > SNAPSHOT_VERSION {
        return Err(SnapshotError::UnsupportedVersion {
            found: manifest.version,
        });
    }
    if manifest.compression != "zstd" {
        return Err(SnapshotError::NotASnapshot(format!(
            "unknown compression `{}`",
            mcp_registry_types::escape_controls(&manifest.compression)
        )));
    }
    if manifest.content_bytes != content.len() as u64 {
        return Err(SnapshotError::Truncated {
            expected: manifest.content_bytes,
            found: content.len() as u64,
        });
    }
    let found = hex(&Sha256::digest(content));
    if !found.eq_ignore_ascii_case(&manifest.sha256) {
        return Err(SnapshotError::Corrupt {
            expected: mcp_registry_types::escape_controls(&manifest.sha256).into_owned(),
            found,
        });
    }
    let text = inflate(content, manifest.inflated_bytes, max_content_bytes)?;
    // One buffer for every entry's text, not copied again: entries hold ranges of it.
    let text: Arc<String> = String::from_utf8(text)
        .map_err(|error| SnapshotError::Entry {
            line: 1 + error
                .as_bytes()
                .iter()
                .take(error.utf8_error().valid_up_to())
                .filter(|&&b| b == b'\n')
                .count(),
            message: "not UTF-8".to_owned(),
        })?
        .into();
    let mut catalog = sources(&manifest)?;
    let mut count = 0u64;
    let mut start = 0;
    for (index, line) in text.split('\n').enumerate() {
        let (line_start, line_end) = (start, start + line.len());
        start = line_end + 1;
        if line.is_empty() {
            continue;
        }
        let at = |message: String| SnapshotError::Entry {
            line: index + 1,
            message,
        };
        let entry: EntryIn<'_> =
            serde_json::from_str(line).map_err(|error| at(error.to_string()))?;
        let body = response_start(line)
            .filter(|_| line.ends_with('}'))
            .and_then(|from| Body::shared(&text, line_start + from, line_end - 1))
            .ok_or_else(|| {
                at("not in the snapshot's layout: {\"source\":N,\"syncedAt\":\"…\",\"response\":{…}}".to_owned())
            })?;
        let synced_at: Timestamp = entry
            .synced_at
            .parse()
            .map_err(|error: mcp_registry_types::TimestampError| at(error.to_string()))?;
        catalog
            .insert_loaded(entry.source, entry.response.head(), body, synced_at)
            .map_err(at)?;
        count += 1;
    }
    if count != manifest.entries {
        return Err(SnapshotError::Count {
            expected: manifest.entries,
            found: count,
        });
    }
    catalog.finish_load();
    Ok(catalog)
}

/// The content inflated, within `limit` bytes: in one call into a buffer of the size the
/// manifest declares, or streamed when it declares none.
fn inflate(content: &[u8], declared: Option<u64>, limit: u64) -> Result<Vec<u8>, SnapshotError> {
    let Some(declared) = declared else {
        let mut text = Vec::new();
        zstd::stream::Decoder::new(content)?
            .take(limit.saturating_add(1))
            .read_to_end(&mut text)?;
        if text.len() as u64 > limit {
            return Err(SnapshotError::TooLarge { limit });
        }
        return Ok(text);
    };
    if declared > limit {
        return Err(SnapshotError::TooLarge { limit });
    }
    let capacity = usize::try_from(declared).map_err(|_| SnapshotError::TooLarge { limit })?;
    let mut text = Vec::with_capacity(capacity);
    // The hash matched, so a size that disagrees with the content was written wrong: refused
    // either way, never trusted past the buffer.
    let wrong = |found: String| {
        SnapshotError::NotASnapshot(format!(
            "the manifest says the content inflates to {declared} bytes, {found}"
        ))
    };
    zstd::bulk::Decompressor::new()?
        .decompress_to_buffer(content, &mut text)
        .map_err(|error| wrong(format!("and it does not fit: {error}")))?;
    if text.len() != capacity {
        return Err(wrong(format!("it inflates to {}", text.len())));
    }
    Ok(text)
}

/// A catalog with the manifest's sources and their sync state, and no entries yet.
fn sources(manifest: &Manifest) -> Result<Catalog, SnapshotError> {
    let mut catalog = Catalog::new();
    for source in &manifest.sources {
        catalog.add_source(&source.name);
        let checkpoint = match &source.checkpoint {
            Some(checkpoint) => Some((
                time(checkpoint.since.as_ref())?,
                checkpoint.cursor.clone(),
                time(Some(&checkpoint.watermark))?.unwrap_or(Timestamp::from_unix_seconds(0)),
            )),
            None => None,
        };
        let watermark = time(source.watermark.as_ref())?;
        let last_success = time(source.last_success.as_ref())?;
        if let Some(state) = catalog.source_mut(&source.name) {
            state.restore(watermark, checkpoint, last_success);
        }
    }
    Ok(catalog)
}
