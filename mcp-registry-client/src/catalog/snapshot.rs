//! The catalog snapshot format: a manifest line, then the entries as compressed JSON lines.
//!
//! ```text
//! {"format":"mcp-registry-catalog","version":1,"compression":"zstd","entries":N,
//!  "contentBytes":M,"inflatedBytes":I,"chunks":[[C,J,K],…],
//!  "sha256":"<hex of the M bytes that follow>","sources":[…]}\n
//! <M bytes: zstd frames of one JSON object per line: {"source":RANK,"syncedAt":"…","response":{…}}>
//! ```
//!
//! Each entry line is written exactly in that layout: those three members, in that order,
//! with no white space outside the response. A reader relies on it: it reads the line once
//! (which checks all of it is JSON, and takes the name, version, status, times, title and
//! description), then keeps the response as the text between `"response":` and the closing
//! brace, with no second pass. A line in another layout is refused, naming the line.
//!
//! The content is a run of zstd frames, each closed after about 4 MiB of lines (a line never
//! crosses frames), and `chunks` lists them in order: each frame's compressed bytes `C`, the
//! bytes `J` it inflates to, and the entries `K` it holds. A reader inflates and parses the
//! chunks on several threads, each into its own buffer, and adds their entries in file order.
//! The chunks must add up to `contentBytes`, `inflatedBytes` and `entries`, and each must
//! inflate to exactly its `J` and hold its `K`; every chunk but the last ends with a newline.
//! `chunks` is optional, so the format is still version 1: a file written before it was added
//! (one frame) is read whole on one thread, into a buffer of `inflatedBytes` when the manifest
//! has it, or streamed; and a reader from before it reads a chunked file's frames one after
//! the other as a single content, which is what they are.
//!
//! The manifest is one line of JSON, so a reader learns the format version, the sources and
//! their watermarks and checkpoints, and what the content must hash to, before it reads the
//! content. Sources are listed in precedence order; an entry names its source by position. A
//! reader refuses a newer format version, a truncated or corrupt file (length or SHA-256
//! mismatch, covering the whole content), content that inflates past its limit, and any line
//! that does not parse, naming where: the 1-based line of the whole content, whatever chunk
//! it is in.

use std::borrow::Cow;
use std::io::Read;
use std::num::NonZeroUsize;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;

use mcp_registry_types::{Status, Timestamp};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::entry::{Body, Head};
use super::memory::{Catalog, Loading};

/// The `format` every snapshot's manifest names.
pub const SNAPSHOT_FORMAT: &str = "mcp-registry-catalog";
/// The format version this crate writes, and the newest it reads.
pub const SNAPSHOT_VERSION: u32 = 1;
/// The longest manifest line a reader accepts.
const MAX_MANIFEST_BYTES: usize = 1 << 20;
/// zstd's level: its default, which favours speed over the last few percent of ratio.
const ZSTD_LEVEL: i32 = 3;
/// The inflated text after which the writer closes a frame: small enough that a 100,000-server
/// catalog (about 130 MB) splits into a few dozen chunks for the reader's threads, large
/// enough that the ratio barely moves.
const CHUNK_BYTES: usize = 4 << 20;
/// The most threads a reader starts.
const MAX_THREADS: usize = 8;

/// How [`decode_with`] reads a snapshot.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, Eq, PartialEq)]
pub struct DecodeOptions {
    /// The most threads that inflate and parse chunks at once, the calling thread included
    /// (never more than the chunks, nor than 8); 1 (or 0) reads everything on the calling
    /// thread. The default is the machine's available parallelism.
    pub threads: usize,
}

impl Default for DecodeOptions {
    fn default() -> Self {
        Self::with_threads(std::thread::available_parallelism().map_or(1, NonZeroUsize::get))
    }
}

impl DecodeOptions {
    /// Options reading on at most `threads` threads.
    pub fn with_threads(threads: usize) -> Self {
        Self {
            threads: threads.min(MAX_THREADS),
        }
    }
}

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
    /// The content's zstd frames in order: compressed bytes, inflated bytes, entries. Absent
    /// in files written before it was added; the reader then reads one frame.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    chunks: Option<Vec<[u64; 3]>>,
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
    encode_chunked(catalog, CHUNK_BYTES)
}

/// The content being written: frames closed so far, and the lines of the open one.
struct Frames {
    compressor: zstd::bulk::Compressor<'static>,
    content: Vec<u8>,
    chunks: Vec<[u64; 3]>,
    text: String,
    entries: u64,
}

impl Frames {
    /// Closes the open frame, if it holds a line or no frame was closed yet (so even an empty
    /// catalog's content is one frame, as readers without `chunks` expect).
    fn close(&mut self) -> Result<(), SnapshotError> {
        if self.text.is_empty() && !self.chunks.is_empty() {
            return Ok(());
        }
        let frame = self.compressor.compress(self.text.as_bytes())?;
        self.chunks
            .push([frame.len() as u64, self.text.len() as u64, self.entries]);
        self.content.extend_from_slice(&frame);
        self.text.clear();
        self.entries = 0;
        Ok(())
    }
}

/// [`encode`], closing a frame once it holds `chunk_bytes` of lines.
pub(super) fn encode_chunked(
    catalog: &Catalog,
    chunk_bytes: usize,
) -> Result<Vec<u8>, SnapshotError> {
    let mut frames = Frames {
        compressor: zstd::bulk::Compressor::new(ZSTD_LEVEL)?,
        content: Vec::new(),
        chunks: Vec::new(),
        text: String::with_capacity(
            chunk_bytes
                .saturating_add(chunk_bytes / 4)
                .min(CHUNK_BYTES * 2),
        ),
        entries: 0,
    };
    let mut inflated = 0u64;
    let mut entries = 0u64;
    for (rank, entry) in catalog.all_entries() {
        use std::fmt::Write as _;
        let before = frames.text.len();
        // The layout `decode` relies on; the response is the text the entry keeps.
        let _ = writeln!(
            frames.text,
            "{{\"source\":{rank},\"syncedAt\":\"{}\",\"response\":{}}}",
            entry.provenance().synced_at(),
            entry.json()
        );
        inflated += (frames.text.len() - before) as u64;
        entries += 1;
        frames.entries += 1;
        if frames.text.len() >= chunk_bytes {
            frames.close()?;
        }
    }
    frames.close()?;
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
    let content = frames.content;
    let manifest = Manifest {
        format: SNAPSHOT_FORMAT.to_owned(),
        version: SNAPSHOT_VERSION,
        compression: "zstd".to_owned(),
        entries,
        content_bytes: content.len() as u64,
        inflated_bytes: Some(inflated),
        chunks: Some(frames.chunks),
        sha256: hex(&Sha256::digest(&content)),
        sources,
    };
    let mut out = serde_json::to_vec(&manifest).map_err(std::io::Error::from)?;
    out.push(b'\n');
    out.extend_from_slice(&content);
    Ok(out)
}

/// Reads a snapshot, inflating at most `max_content_bytes` of entries, on as many threads as
/// the machine offers ([`DecodeOptions::default`]).
///
/// # Errors
/// A [`SnapshotError`] naming what is wrong and where; nothing is returned in part.
pub fn decode(bytes: &[u8], max_content_bytes: u64) -> Result<Catalog, SnapshotError> {
    decode_with(bytes, max_content_bytes, DecodeOptions::default())
}

/// [`decode`] with `options`. The catalog, and the error when there is one, are the same
/// whatever the number of threads.
///
/// # Errors
/// A [`SnapshotError`] naming what is wrong and where; nothing is returned in part.
pub fn decode_with(
    bytes: &[u8],
    max_content_bytes: u64,
    options: DecodeOptions,
) -> Result<Catalog, SnapshotError> {
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
    let chunks = chunks(&manifest, content, max_content_bytes)?;
    let mut load = Load {
        catalog: Loading::new(sources(&manifest)?),
        lines: 0,
        count: 0,
    };
    let threads = options.threads.min(MAX_THREADS).min(chunks.len());
    if threads <= 1 {
        for chunk in &chunks {
            load.add(chunk, parse_chunk(chunk, max_content_bytes))?;
        }
    } else {
        parallel(&chunks, threads, max_content_bytes, &mut load)?;
    }
    if load.count != manifest.entries {
        return Err(SnapshotError::Count {
            expected: manifest.entries,
            found: load.count,
        });
    }
    Ok(load.catalog.finish())
}

/// One zstd frame of the content, as the manifest describes it.
struct Chunk<'a> {
    /// Its place, from 0.
    index: usize,
    compressed: &'a [u8],
    /// The bytes it inflates to, if the manifest says.
    inflated: Option<u64>,
    /// The entries it holds, if the manifest says (a file without `chunks` says only the
    /// total, which the caller checks).
    entries: Option<u64>,
    /// Whether it is the content's last: every other one ends with a newline.
    last: bool,
}

impl Chunk<'_> {
    /// What an error calls the frame.
    fn what(&self) -> String {
        match self.entries {
            Some(_) => format!("chunk {} of the content", self.index + 1),
            None => "the content".to_owned(),
        }
    }
}

/// The content's frames: those `chunks` lists, once they are checked against the rest of the
/// manifest, or the whole content as one.
fn chunks<'a>(
    manifest: &Manifest,
    content: &'a [u8],
    limit: u64,
) -> Result<Vec<Chunk<'a>>, SnapshotError> {
    let Some(listed) = &manifest.chunks else {
        return Ok(vec![Chunk {
            index: 0,
            compressed: content,
            inflated: manifest.inflated_bytes,
            entries: None,
            last: true,
        }]);
    };
    let refuse = |what: &str, sum: u64, said: u64| {
        SnapshotError::NotASnapshot(format!(
            "the manifest's chunks add up to {sum} {what}, it says {said}"
        ))
    };
    let overflow = || SnapshotError::NotASnapshot("the manifest's chunks overflow".to_owned());
    let mut sums = [0u64; 3];
    for chunk in listed {
        for (sum, part) in sums.iter_mut().zip(chunk) {
            *sum = sum.checked_add(*part).ok_or_else(overflow)?;
        }
    }
    let [compressed, inflated, entries] = sums;
    if compressed != manifest.content_bytes {
        return Err(refuse(
            "bytes of content",
            compressed,
            manifest.content_bytes,
        ));
    }
    if let Some(said) = manifest.inflated_bytes
        && inflated != said
    {
        return Err(refuse("inflated bytes", inflated, said));
    }
    if entries != manifest.entries {
        return Err(refuse("entries", entries, manifest.entries));
    }
    if inflated > limit {
        return Err(SnapshotError::TooLarge { limit });
    }
    let mut rest = content;
    let mut out = Vec::with_capacity(listed.len());
    for (index, &[compressed, inflated, entries]) in listed.iter().enumerate() {
        let (frame, after) = usize::try_from(compressed)
            .ok()
            .and_then(|len| rest.split_at_checked(len))
            .ok_or_else(overflow)?;
        rest = after;
        out.push(Chunk {
            index,
            compressed: frame,
            inflated: Some(inflated),
            entries: Some(entries),
            last: index + 1 == listed.len(),
        });
    }
    Ok(out)
}

/// An entry as a reading thread hands it over: its line in the chunk (1-based), its source,
/// what the catalog keeps of it, and when it was synced.
struct Row {
    line: usize,
    rank: usize,
    head: Head,
    body: Body,
    synced_at: Timestamp,
}

/// A chunk as read: its entries up to the first thing wrong with it, if anything is (with
/// line numbers of the chunk), and how many newlines it holds.
struct Parsed {
    rows: Vec<Row>,
    newlines: usize,
    error: Option<SnapshotError>,
}

impl Parsed {
    fn failed(error: SnapshotError) -> Self {
        Self {
            rows: Vec::new(),
            newlines: 0,
            error: Some(error),
        }
    }
}

/// Inflates a chunk into a buffer of its own, and reads each of its lines.
fn parse_chunk(chunk: &Chunk<'_>, limit: u64) -> Parsed {
    let text = match inflate(chunk.compressed, chunk.inflated, limit, &chunk.what()) {
        Ok(text) => text,
        Err(error) => return Parsed::failed(error),
    };
    // One buffer for every entry's text, not copied again: entries hold ranges of it.
    let text: Arc<String> = match String::from_utf8(text) {
        Ok(text) => text.into(),
        Err(error) => {
            return Parsed::failed(SnapshotError::Entry {
                line: 1 + error
                    .as_bytes()
                    .iter()
                    .take(error.utf8_error().valid_up_to())
                    .filter(|&&b| b == b'\n')
                    .count(),
                message: "not UTF-8".to_owned(),
            });
        }
    };
    if !chunk.last && !text.is_empty() && !text.ends_with('\n') {
        return Parsed::failed(SnapshotError::NotASnapshot(format!(
            "{} ends inside a line",
            chunk.what()
        )));
    }
    // A hint only: the manifest is not trusted with an allocation, and a line is never short.
    let hint = chunk
        .entries
        .and_then(|entries| usize::try_from(entries).ok())
        .unwrap_or(0)
        .min(text.len() / 64);
    let mut rows = Vec::with_capacity(hint);
    let mut start = 0;
    let mut newlines = 0;
    for (index, line) in text.split('\n').enumerate() {
        newlines = index;
        let line_start = start;
        start += line.len() + 1;
        if line.is_empty() {
            continue;
        }
        match parse_line(&text, line, line_start) {
            Ok((rank, head, body, synced_at)) => rows.push(Row {
                line: index + 1,
                rank,
                head,
                body,
                synced_at,
            }),
            Err(message) => {
                return Parsed {
                    rows,
                    newlines,
                    error: Some(SnapshotError::Entry {
                        line: index + 1,
                        message,
                    }),
                };
            }
        }
    }
    Parsed {
        rows,
        newlines,
        error: None,
    }
}

/// Reads the entry `line`, which starts at `line_start` of `text`.
fn parse_line(
    text: &Arc<String>,
    line: &str,
    line_start: usize,
) -> Result<(usize, Head, Body, Timestamp), String> {
    let entry: EntryIn<'_> = serde_json::from_str(line).map_err(|error| error.to_string())?;
    let body = response_start(line)
        .filter(|_| line.ends_with('}'))
        .and_then(|from| Body::shared(text, line_start + from, line_start + line.len() - 1))
        .ok_or_else(|| {
            "not in the snapshot's layout: {\"source\":N,\"syncedAt\":\"…\",\"response\":{…}}"
                .to_owned()
        })?;
    let synced_at: Timestamp = entry
        .synced_at
        .parse()
        .map_err(|error: mcp_registry_types::TimestampError| error.to_string())?;
    Ok((entry.source, entry.response.head(), body, synced_at))
}

/// The catalog being loaded, chunk after chunk in file order.
struct Load {
    catalog: Loading,
    /// The lines of the chunks added so far: where the next one's lines start.
    lines: usize,
    /// The entries added so far.
    count: u64,
}

impl Load {
    /// Adds a chunk's entries in order, then returns what was wrong with it, if anything,
    /// naming lines of the whole content.
    fn add(&mut self, chunk: &Chunk<'_>, parsed: Parsed) -> Result<(), SnapshotError> {
        let found = parsed.rows.len() as u64;
        for row in parsed.rows {
            self.catalog
                .insert(row.rank, row.head, row.body, row.synced_at)
                .map_err(|message| SnapshotError::Entry {
                    line: self.lines + row.line,
                    message,
                })?;
        }
        if let Some(error) = parsed.error {
            return Err(match error {
                SnapshotError::Entry { line, message } => SnapshotError::Entry {
                    line: self.lines + line,
                    message,
                },
                other => other,
            });
        }
        if let Some(said) = chunk.entries
            && said != found
        {
            return Err(SnapshotError::NotASnapshot(format!(
                "{} holds {found} entries, the manifest says {said}",
                chunk.what()
            )));
        }
        self.lines += parsed.newlines;
        self.count += found;
        Ok(())
    }
}

/// Reads `chunks` on `threads` threads, this one and scoped ones, each taking the next chunk
/// not yet taken, while this thread adds them to `load` in file order. Stops at the first
/// error in file order.
fn parallel(
    chunks: &[Chunk<'_>],
    threads: usize,
    limit: u64,
    load: &mut Load,
) -> Result<(), SnapshotError> {
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let take = || {
        if stop.load(Ordering::Relaxed) {
            return None;
        }
        chunks.get(next.fetch_add(1, Ordering::Relaxed))
    };
    std::thread::scope(|scope| {
        let (sender, receiver) = mpsc::channel::<(usize, Parsed)>();
        let workers: Vec<_> = (1..threads)
            .map(|_| {
                let sender = sender.clone();
                let take = &take;
                scope.spawn(move || {
                    while let Some(chunk) = take() {
                        if sender
                            .send((chunk.index, parse_chunk(chunk, limit)))
                            .is_err()
                        {
                            break;
                        }
                    }
                })
            })
            .collect();
        drop(sender);
        let added = add_in_order(chunks, &receiver, &take, limit, load);
        stop.store(true, Ordering::Relaxed);
        // Threads still reading see the channel closed when they send, and stop.
        drop(receiver);
        let mut failed = false;
        for worker in workers {
            failed |= worker.join().is_err();
        }
        added?;
        if failed {
            return Err(thread_failed());
        }
        Ok(())
    })
}

/// Adds `chunks` to `load` in file order: those the other threads deliver through
/// `receiver`, held back when they arrive early, and those this thread takes itself while
/// the next one is not ready.
fn add_in_order<'a, 'b>(
    chunks: &'a [Chunk<'b>],
    receiver: &mpsc::Receiver<(usize, Parsed)>,
    take: &dyn Fn() -> Option<&'a Chunk<'b>>,
    limit: u64,
    load: &mut Load,
) -> Result<(), SnapshotError> {
    let mut early: Vec<Option<Parsed>> = chunks.iter().map(|_| None).collect();
    for chunk in chunks {
        let parsed = loop {
            if let Some(parsed) = early.get_mut(chunk.index).and_then(Option::take) {
                break parsed;
            }
            let (index, parsed) = if let Ok(delivered) = receiver.try_recv() {
                delivered
            } else if let Some(own) = take() {
                (own.index, parse_chunk(own, limit))
            } else {
                // Every chunk taken, this one by a thread not done with it (or gone: failed).
                receiver.recv().map_err(|_| thread_failed())?
            };
            if let Some(slot) = early.get_mut(index) {
                *slot = Some(parsed);
            }
        };
        load.add(chunk, parsed)?;
    }
    Ok(())
}

fn thread_failed() -> SnapshotError {
    SnapshotError::Io(std::io::Error::other(
        "a thread reading the snapshot failed",
    ))
}

/// A frame inflated, within `limit` bytes: in one call into a buffer of the size the
/// manifest declares, or streamed when it declares none. `what` names the frame in errors.
fn inflate(
    content: &[u8],
    declared: Option<u64>,
    limit: u64,
    what: &str,
) -> Result<Vec<u8>, SnapshotError> {
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
            "the manifest says {what} inflates to {declared} bytes, {found}"
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
