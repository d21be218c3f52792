//! One server version in the catalog, with where it came from.

use std::sync::Arc;

use mcp_registry_types::{ServerJson, ServerResponse, Status, Timestamp};

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

/// One server version as the catalog holds it: the registry's response, its provenance, and
/// whether the catalog judges it the server's latest version in its source.
///
/// The registry's own `isLatest` flag is kept in [`response`](Self::response) as it was
/// served, but never trusted: a delta sync does not see a version lose the flag, so the
/// catalog decides [`is_latest`](Self::is_latest) itself with the registry's ordering.
#[derive(Clone, Debug, PartialEq)]
pub struct CatalogEntry {
    response: ServerResponse,
    provenance: Provenance,
    updated_at: Option<Timestamp>,
    latest: bool,
}

impl CatalogEntry {
    pub(super) fn new(response: ServerResponse, provenance: Provenance) -> Self {
        let updated_at = response
            .official()
            .and_then(|official| official.updated_at())
            .and_then(|text| text.parse().ok());
        Self {
            response,
            provenance,
            updated_at,
            latest: false,
        }
    }

    /// The registry's response, as it was served.
    pub fn response(&self) -> &ServerResponse {
        &self.response
    }

    /// The `server.json` document.
    pub fn server(&self) -> &ServerJson {
        self.response.server()
    }

    /// The server's name.
    pub fn name(&self) -> &str {
        self.response.server().name()
    }

    /// The version string.
    pub fn version(&self) -> &str {
        self.response.server().version()
    }

    /// The lifecycle status (`active` when the registry sent none).
    pub fn status(&self) -> Status {
        self.response.status()
    }

    /// Whether this is a tombstone: a version the registry marked `deleted`.
    pub fn is_tombstone(&self) -> bool {
        self.status() == Status::Deleted
    }

    /// When the registry last changed the row (`updatedAt`), if it said and it parses.
    pub fn updated_at(&self) -> Option<Timestamp> {
        self.updated_at
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

    /// Whether `other` is the same row as the registry last served it: same document, status
    /// and `updatedAt`. A sync that pages over an overlap sees such rows twice.
    pub(super) fn same_row(&self, other: &ServerResponse) -> bool {
        self.response == *other
    }
}
