//! A source of the catalog and where its sync stands.

use std::sync::Arc;

use mcp_registry_types::Timestamp;

/// One registry the catalog is filled from, and the state of its sync: what a later run needs
/// to fetch only what changed, or to continue one that was interrupted.
#[derive(Clone, Debug, Eq, PartialEq)]
pub struct SourceState {
    name: Arc<str>,
    watermark: Option<Timestamp>,
    cursor: Option<String>,
    cursor_since: Option<Timestamp>,
    pending_watermark: Option<Timestamp>,
    last_success: Option<Timestamp>,
}

impl SourceState {
    pub(super) fn new(name: &str) -> Self {
        Self {
            name: name.into(),
            watermark: None,
            cursor: None,
            cursor_since: None,
            pending_watermark: None,
            last_success: None,
        }
    }

    /// The source's name (its base URL, or the label it was added with).
    pub fn name(&self) -> &str {
        &self.name
    }

    pub(super) fn name_arc(&self) -> &Arc<str> {
        &self.name
    }

    /// The registry time up to which every change is in the catalog: the next sync asks for
    /// rows updated after it. `None` before the first complete sync.
    pub fn watermark(&self) -> Option<Timestamp> {
        self.watermark
    }

    /// Where an interrupted sync stopped: the cursor of the next page to fetch.
    pub fn cursor(&self) -> Option<&str> {
        self.cursor.as_deref()
    }

    /// The `updated_since` the interrupted sync was paging with (`None` for a full one).
    pub fn cursor_since(&self) -> Option<Timestamp> {
        self.cursor_since
    }

    /// The watermark the interrupted sync will set when it completes.
    pub fn pending_watermark(&self) -> Option<Timestamp> {
        self.pending_watermark
    }

    /// When the last sync completed (by the registry's clock).
    pub fn last_success(&self) -> Option<Timestamp> {
        self.last_success
    }

    /// How old the catalog's copy of this source is at `now`: the time since the last
    /// completed sync. A host serving the catalog while the registry is unreachable shows it
    /// as stale with this age. `None` before the first completed sync.
    pub fn age(&self, now: Timestamp) -> Option<std::time::Duration> {
        let last = self.last_success?;
        let seconds = now.unix_seconds().saturating_sub(last.unix_seconds());
        Some(std::time::Duration::from_secs(
            u64::try_from(seconds).unwrap_or(0),
        ))
    }

    /// Records a checkpoint: the sync paging with `since` will continue at `cursor`, and will
    /// set `watermark` when it completes.
    pub fn checkpoint(
        &mut self,
        since: Option<Timestamp>,
        cursor: impl Into<String>,
        watermark: Timestamp,
    ) {
        self.cursor = Some(cursor.into());
        self.cursor_since = since;
        self.pending_watermark = Some(watermark);
    }

    /// Records a completed sync: the watermark moves, the checkpoint is cleared.
    pub fn complete(&mut self, watermark: Timestamp, at: Timestamp) {
        self.watermark = Some(watermark);
        self.last_success = Some(at);
        self.cursor = None;
        self.cursor_since = None;
        self.pending_watermark = None;
    }

    /// Restores a state read from a snapshot.
    pub fn restore(
        &mut self,
        watermark: Option<Timestamp>,
        cursor: Option<(Option<Timestamp>, String, Timestamp)>,
        last_success: Option<Timestamp>,
    ) {
        self.watermark = watermark;
        self.last_success = last_success;
        self.cursor = None;
        self.cursor_since = None;
        self.pending_watermark = None;
        if let Some((since, cursor, pending)) = cursor {
            self.checkpoint(since, cursor, pending);
        }
    }
}

/// Why the catalog refused a change.
#[non_exhaustive]
#[derive(Clone, Debug, Eq, PartialEq, thiserror::Error)]
pub enum CatalogError {
    /// A source name the catalog was never given.
    #[error("unknown catalog source `{name}`: add it with Catalog::add_source first")]
    UnknownSource {
        /// The name that was not found.
        name: String,
    },
    /// A response that could not be written as JSON text, which is how the catalog keeps it.
    #[error("cannot store {name}@{version}: {message}")]
    Unstorable {
        /// The server's name.
        name: String,
        /// The version.
        version: String,
        /// What serialization said.
        message: String,
    },
}

impl CatalogError {
    pub(super) fn unknown_source(name: &str) -> Self {
        Self::UnknownSource {
            name: name.to_owned(),
        }
    }
}
