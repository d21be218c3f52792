//! One server version in the catalog, with where it came from.
//!
//! An entry keeps the registry's response as compact JSON text, plus the few facts the catalog
//! reads on every lookup (name, version, status, times, title and description for search). A
//! typed document costs about eight times its JSON in memory (an allocation per string, wide
//! structs for every optional field), which made a 100,000-server catalog weigh over a
//! gigabyte and take seconds to load; the text costs its length, and is parsed on the rare
//! occasions someone wants the whole typed document ([`CatalogEntry::response`]). A catalog
//! read from a snapshot shares one buffer of text among its entries.

use std::sync::Arc;

use mcp_registry_types::{ParseError, ServerJson, ServerResponse, Status, Timestamp, VersionFacts};

/// Where a catalog entry came from: the registry (by the name its source was given) and when it
/// was last synced from there.
#[derive(Clone, Debug, Eq, Hash, PartialEq)]
pub struct Provenance {
    source: Arc<str>,
    synced_at: Timestamp,
}

impl Provenance {
    /// An entry from `source`, synced at `synced_at`.
    pub fn new(source: impl Into<Arc<str>>, synced_at: Timestamp) -> Self {
        Self {
            source: source.into(),
            synced_at,
        }
    }

    /// The source's name, as given to [`Catalog::add_source`](super::Catalog::add_source).
    pub fn source(&self) -> &str {
        &self.source
    }

    /// When the entry was last read from its source.
    pub fn synced_at(&self) -> Timestamp {
        self.synced_at
    }
}

/// A response's JSON text: a range of a buffer that may hold many (a loaded snapshot's) or
/// just this one (a synced row).
#[derive(Clone, Debug)]
pub(super) struct Body {
    /// A `String` behind the `Arc`, not a `str`: a loaded snapshot's buffer is shared as it
    /// was inflated, without a copy of it.
    text: Arc<String>,
    start: usize,
    end: usize,
}

impl Body {
    /// A body that owns its text.
    pub(super) fn own(text: String) -> Self {
        let end = text.len();
        Self {
            text: Arc::new(text),
            start: 0,
            end,
        }
    }

    /// The range `start..end` of a shared buffer; `None` when it is not a range of `text`
    /// on character boundaries.
    pub(super) fn shared(text: &Arc<String>, start: usize, end: usize) -> Option<Self> {
        text.get(start..end).map(|_| Self {
            text: Arc::clone(text),
            start,
            end,
        })
    }

    pub(super) fn as_str(&self) -> &str {
        self.text.get(self.start..self.end).unwrap_or_default()
    }
}

impl PartialEq for Body {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

/// What the catalog reads of a response without parsing it whole.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Head {
    pub(super) name: Arc<str>,
    pub(super) version: Box<str>,
    pub(super) title: Option<Box<str>>,
    pub(super) description: Box<str>,
    pub(super) status: Status,
    pub(super) updated_at: Option<Timestamp>,
    /// Kept as text: the registry's ordering compares it as sent.
    pub(super) published_at: Option<Box<str>>,
}

impl Head {
    /// The head of a typed response.
    pub(super) fn of(response: &ServerResponse, name: Arc<str>) -> Self {
        let server = response.server();
        let official = response.official();
        Self {
            name,
            version: server.version().into(),
            title: server.title().map(Into::into),
            description: server.description().into(),
            status: response.status(),
            updated_at: official
                .and_then(|official| official.updated_at())
                .and_then(|text| text.parse().ok()),
            published_at: official
                .and_then(|official| official.published_at())
                .map(Into::into),
        }
    }
}

/// One server version as the catalog holds it: the registry's response, its provenance, and
/// whether the catalog judges it the server's latest version in its source.
///
/// The registry's own `isLatest` flag is kept in the response as it was served, but never
/// trusted: a delta sync does not see a version lose the flag, so the catalog decides
/// [`is_latest`](Self::is_latest) itself with the registry's ordering.
#[derive(Clone, Debug, PartialEq)]
pub struct CatalogEntry {
    head: Head,
    body: Body,
    provenance: Provenance,
    latest: bool,
}

impl CatalogEntry {
    pub(super) fn new(head: Head, body: Body, provenance: Provenance) -> Self {
        Self {
            head,
            body,
            provenance,
            latest: false,
        }
    }

    /// The registry's response, as it was served, parsed from the catalog's copy of its text
    /// (a few microseconds a call; the catalog keeps text, not the typed document).
    ///
    /// # Errors
    /// A [`ParseError`] only if the text is not a response: never for what the catalog
    /// stored itself, but a snapshot can be edited by hand.
    pub fn response(&self) -> Result<ServerResponse, ParseError> {
        ServerResponse::from_slice(self.body.as_str().as_bytes())
    }

    /// The `server.json` document, parsed as [`response`](Self::response) is.
    ///
    /// # Errors
    /// As [`response`](Self::response).
    pub fn server(&self) -> Result<ServerJson, ParseError> {
        self.response().map(ServerResponse::into_server)
    }

    /// The response as compact JSON text, as the source served it.
    pub fn json(&self) -> &str {
        self.body.as_str()
    }

    /// The server's name.
    pub fn name(&self) -> &str {
        &self.head.name
    }

    /// The version string.
    pub fn version(&self) -> &str {
        &self.head.version
    }

    /// The document's title, if it has one.
    pub fn title(&self) -> Option<&str> {
        self.head.title.as_deref()
    }

    /// The document's one-line description (empty when it has none).
    pub fn description(&self) -> &str {
        &self.head.description
    }

    /// The lifecycle status (`active` when the registry sent none).
    pub fn status(&self) -> Status {
        self.head.status.clone()
    }

    /// Whether this is a tombstone: a version the registry marked `deleted`.
    pub fn is_tombstone(&self) -> bool {
        self.head.status == Status::Deleted
    }

    /// When the registry last changed the row (`updatedAt`), if it said and it parses.
    pub fn updated_at(&self) -> Option<Timestamp> {
        self.head.updated_at
    }

    /// When the registry published the version (`publishedAt`, as it sent the text).
    pub fn published_at(&self) -> Option<&str> {
        self.head.published_at.as_deref()
    }

    /// Whether the catalog judges this the latest version of the server in its source.
    pub fn is_latest(&self) -> bool {
        self.latest
    }

    /// Where the entry came from.
    pub fn provenance(&self) -> &Provenance {
        &self.provenance
    }

    pub(super) fn set_latest(&mut self, latest: bool) {
        self.latest = latest;
    }

    /// What the registry's ordering reads of this version.
    pub(super) fn version_facts(&self) -> VersionFacts<'_> {
        VersionFacts {
            version: self.version(),
            published_at: self.published_at(),
            deleted: self.is_tombstone(),
        }
    }

    /// Whether `json` is this row as the registry last served it: same document, status and
    /// `updatedAt`. A sync that pages over an overlap sees such rows twice.
    pub(super) fn same_row(&self, json: &str) -> bool {
        self.body.as_str() == json
    }

    /// The same row, synced again at `provenance`.
    pub(super) fn touch(&mut self, provenance: Provenance) {
        self.provenance = provenance;
    }
}
