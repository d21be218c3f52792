//! Filling a catalog from a registry, correctly and cheaply.
//!
//! The registry's `updated_since` is strictly-after, always includes deleted rows, and orders
//! results by name and version, not by time; a row can change while a sync pages past it. So:
//!
//! - the **watermark** is the registry's own clock when the sync starts (the `Date` header of
//!   its first response) minus a skew margin, never the largest `updatedAt` seen, which would
//!   skip rows that changed behind the cursor during the sync (without a `Date` header, the
//!   largest `updatedAt` seen minus the margin is the fallback);
//! - rows the overlap brings back are recognised by (name, version, `updatedAt`) and change
//!   nothing;
//! - `isLatest` is decided by the catalog, because the registry moves it without touching the
//!   old row's `updatedAt`;
//! - after every page the source's cursor and pending watermark are **checkpointed** in the
//!   catalog, so a run that is interrupted (and its catalog saved) continues where it stopped;
//! - a **full** run that completes uninterrupted also reconciles: versions the source no longer
//!   lists, without a tombstone, are removed;
//! - pages and items are capped (by default as `ToolHive`: 1,000 pages, 100,000 servers), on
//!   top of the client's own limits and rate limiter.

use std::collections::HashSet;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use mcp_registry_types::Timestamp;

use super::change::{Change, ChangeCounts};
use super::memory::Catalog;
use super::source::CatalogError;
use crate::client::RegistryClient;
use crate::error::ClientError;
use crate::query::ListQuery;

/// How a sync run pages.
#[derive(Clone, Copy, Debug, Eq, PartialEq)]
#[non_exhaustive]
pub enum SyncMode {
    /// Only what changed since the source's watermark; a full run when it has none.
    Incremental,
    /// Everything, then remove what the source no longer lists.
    Full,
}

/// Limits and margins of a sync run.
#[derive(Clone, Debug)]
pub struct SyncOptions {
    skew: Duration,
    page_size: u8,
    max_pages: usize,
    max_items: usize,
    tombstone_retention: Option<Duration>,
}

impl Default for SyncOptions {
    fn default() -> Self {
        Self {
            skew: Duration::from_mins(1),
            page_size: 100,
            max_pages: 1_000,
            max_items: 100_000,
            tombstone_retention: Some(Duration::from_hours(30 * 24)),
        }
    }
}

impl SyncOptions {
    /// The defaults: a 60-second skew margin, pages of 100, at most 1,000 pages and 100,000
    /// items, tombstones kept 30 days.
    pub fn new() -> Self {
        Self::default()
    }

    /// How far before the registry's clock the watermark is set, to cover clock skew between
    /// the registry's front end and its database.
    pub fn with_skew(mut self, skew: Duration) -> Self {
        self.skew = skew;
        self
    }

    /// Items per page (1 to 100).
    pub fn with_page_size(mut self, size: u8) -> Self {
        self.page_size = size.clamp(1, 100);
        self
    }

    /// The most pages one run fetches.
    pub fn with_max_pages(mut self, pages: usize) -> Self {
        self.max_pages = pages;
        self
    }

    /// The most items one run reads.
    pub fn with_max_items(mut self, items: usize) -> Self {
        self.max_items = items;
        self
    }

    /// How long a tombstone is kept after its deletion; `None` keeps tombstones for ever.
    pub fn with_tombstone_retention(mut self, retention: Option<Duration>) -> Self {
        self.tombstone_retention = retention;
        self
    }
}

/// Why a sync run stopped.
#[non_exhaustive]
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// The catalog refused a change (no such source, say).
    #[error(transparent)]
    Catalog(#[from] CatalogError),
    /// The registry could not be read. The checkpoint holds where the run stopped.
    #[error(transparent)]
    Client(#[from] ClientError),
    /// The run reached a cap. The checkpoint holds where it stopped.
    #[error("sync of `{registry}` stopped at the limit of {limit} {what}")]
    Limit {
        /// The source's name.
        registry: String,
        /// `pages` or `items`.
        what: &'static str,
        /// The limit.
        limit: usize,
    },
    /// The registry handed back a cursor it had already given in this run.
    #[error("sync of `{registry}` stopped: the registry repeated the cursor `{cursor}`")]
    RepeatedCursor {
        /// The source's name.
        registry: String,
        /// The cursor, made safe to show.
        cursor: String,
    },
}

/// What a sync run did.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct SyncReport {
    /// The source.
    pub source: String,
    /// Whether the run paged through everything (`Full`) or what changed (`Incremental`).
    pub mode: SyncMode,
    /// Whether the run continued an interrupted one.
    pub resumed: bool,
    /// Whether the run removed what the source no longer lists (a full run that completed
    /// without interruption).
    pub reconciled: bool,
    /// Pages fetched.
    pub pages: usize,
    /// Items read.
    pub items: usize,
    /// Response body bytes fetched.
    pub bytes: u64,
    /// The watermark the next incremental run starts from.
    pub watermark: Option<Timestamp>,
    /// What changed, in order.
    pub changes: Vec<Change>,
}

impl SyncReport {
    /// The changes counted by kind.
    pub fn counts(&self) -> ChangeCounts {
        ChangeCounts::of(&self.changes)
    }
}

fn timestamp(time: SystemTime) -> Timestamp {
    let seconds = time
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
    Timestamp::from_unix_seconds(seconds)
}

fn minus(time: Timestamp, margin: Duration) -> Timestamp {
    let margin = i64::try_from(margin.as_secs()).unwrap_or(i64::MAX);
    Timestamp::from_unix_seconds(time.unix_seconds().saturating_sub(margin))
}

/// One sync run of one source, page by page.
///
/// [`next_page`](Self::next_page) fetches and applies one page and checkpoints the catalog;
/// save the catalog between pages (or whenever you like) and an interrupted run continues from
/// the last saved checkpoint. [`sync_source`] runs to the end.
#[derive(Debug)]
pub struct SyncRun {
    source: String,
    options: SyncOptions,
    since: Option<Timestamp>,
    cursor: Option<String>,
    watermark: Option<Timestamp>,
    largest_updated: Option<Timestamp>,
    seen_cursors: HashSet<String>,
    seen_rows: Option<HashSet<(String, String)>>,
    report: SyncReport,
    done: bool,
}

impl SyncRun {
    /// Prepares a run of `source`: it continues the source's checkpoint if there is one,
    /// otherwise it starts in `mode` (an incremental run without a watermark is full).
    ///
    /// # Errors
    /// [`SyncError::Catalog`] when the catalog has no such source.
    pub fn start(
        catalog: &Catalog,
        source: &str,
        mode: SyncMode,
        options: SyncOptions,
    ) -> Result<Self, SyncError> {
        let state = catalog
            .source(source)
            .ok_or_else(|| CatalogError::unknown_source(source))?;
        let resumed = state.cursor().is_some();
        let (since, cursor, watermark) = if let Some(cursor) = state.cursor() {
            (
                state.cursor_since(),
                Some(cursor.to_owned()),
                state.pending_watermark(),
            )
        } else {
            let since = state.watermark().filter(|_| mode == SyncMode::Incremental);
            (since, None, None)
        };
        let mode = if since.is_some() {
            SyncMode::Incremental
        } else {
            SyncMode::Full
        };
        let seen_rows = (mode == SyncMode::Full && !resumed).then(HashSet::new);
        Ok(Self {
            source: source.to_owned(),
            options,
            since,
            cursor,
            watermark,
            largest_updated: None,
            seen_cursors: HashSet::new(),
            seen_rows,
            report: SyncReport {
                source: source.to_owned(),
                mode,
                resumed,
                reconciled: false,
                pages: 0,
                items: 0,
                bytes: 0,
                watermark: None,
                changes: Vec::new(),
            },
            done: false,
        })
    }

    /// Whether the run has finished.
    pub fn is_done(&self) -> bool {
        self.done
    }

    /// What the run has done so far.
    pub fn report(&self) -> &SyncReport {
        &self.report
    }

    /// The report, when the run is over.
    pub fn into_report(self) -> SyncReport {
        self.report
    }

    /// Fetches the next page, applies it to `catalog` and checkpoints the source; after the
    /// last page, completes the run (reconcile, watermark, tombstone purge). Returns the
    /// changes this step made, or `None` when the run was already over.
    ///
    /// # Errors
    /// A [`SyncError`]; the catalog then holds every page applied before it, and its
    /// checkpoint says where to continue.
    pub async fn next_page(
        &mut self,
        client: &RegistryClient,
        catalog: &mut Catalog,
    ) -> Result<Option<Vec<Change>>, SyncError> {
        if self.done {
            return Ok(None);
        }
        if self.report.pages >= self.options.max_pages {
            return Err(self.limit("pages", self.options.max_pages));
        }
        let mut query = ListQuery::new().with_limit(self.options.page_size);
        query = match self.since {
            Some(since) => query.with_updated_since(since.to_string()),
            None => query.with_include_deleted(true),
        };
        if let Some(cursor) = &self.cursor {
            query = query.with_cursor(cursor.clone());
        }
        let page = client.list_page(&query).await?;
        self.report.pages += 1;
        self.report.bytes += page.bytes as u64;
        let date = page.date.map(timestamp);
        if self.watermark.is_none() {
            // The registry's clock at the start of the run, less the margin.
            self.watermark = date.map(|date| minus(date, self.options.skew));
        }
        let synced_at = date.unwrap_or_else(|| timestamp(SystemTime::now()));
        let next = page
            .page
            .next_cursor()
            .filter(|cursor| !cursor.is_empty() && !page.page.servers().is_empty())
            .map(str::to_owned);
        let mut changes = Vec::new();
        for response in page.page.into_servers() {
            if self.report.items >= self.options.max_items {
                return Err(self.limit("items", self.options.max_items));
            }
            self.report.items += 1;
            if let Some(updated) = response
                .official()
                .and_then(|o| o.updated_at())
                .and_then(|t| t.parse::<Timestamp>().ok())
            {
                self.largest_updated = self.largest_updated.max(Some(updated));
            }
            if let Some(seen) = &mut self.seen_rows {
                seen.insert((
                    response.server().name().to_owned(),
                    response.server().version().to_owned(),
                ));
            }
            changes.extend(catalog.upsert(&self.source, &response, synced_at)?);
        }
        match next {
            Some(cursor) => {
                if !self.seen_cursors.insert(cursor.clone()) {
                    return Err(SyncError::RepeatedCursor {
                        registry: self.source.clone(),
                        cursor: mcp_registry_types::escape_controls(&cursor).into_owned(),
                    });
                }
                let pending = self.pending_watermark();
                if let Some(state) = catalog.source_mut(&self.source) {
                    state.checkpoint(self.since, cursor.clone(), pending);
                }
                self.cursor = Some(cursor);
            }
            None => changes.extend(self.complete(catalog, synced_at)?),
        }
        self.report.changes.extend(changes.iter().cloned());
        Ok(Some(changes))
    }

    /// The watermark to record: the registry's clock at the start less the margin, or without
    /// a `Date` header the largest `updatedAt` seen less the margin, or the one the source had.
    fn pending_watermark(&self) -> Timestamp {
        self.watermark
            .or_else(|| {
                self.largest_updated
                    .map(|updated| minus(updated, self.options.skew))
            })
            .or(self.since)
            .unwrap_or_else(|| Timestamp::from_unix_seconds(0))
    }

    fn complete(
        &mut self,
        catalog: &mut Catalog,
        now: Timestamp,
    ) -> Result<Vec<Change>, SyncError> {
        let mut changes = Vec::new();
        if let Some(seen) = self.seen_rows.take() {
            let vanished: Vec<(String, String)> = catalog
                .source_versions(&self.source)
                .into_iter()
                .filter(|(name, version)| {
                    !seen.contains(&((*name).to_owned(), (*version).to_owned()))
                })
                .map(|(name, version)| (name.to_owned(), version.to_owned()))
                .collect();
            for (name, version) in vanished {
                changes.extend(catalog.remove(&self.source, &name, &version)?);
            }
            self.report.reconciled = true;
        }
        let watermark = self.pending_watermark();
        if let Some(retention) = self.options.tombstone_retention {
            changes.extend(catalog.purge_source_tombstones(&self.source, minus(now, retention))?);
        }
        if let Some(state) = catalog.source_mut(&self.source) {
            state.complete(watermark, now);
        }
        self.report.watermark = Some(watermark);
        self.done = true;
        Ok(changes)
    }

    fn limit(&self, what: &'static str, limit: usize) -> SyncError {
        SyncError::Limit {
            registry: self.source.clone(),
            what,
            limit,
        }
    }
}

/// Syncs `source` of `catalog` from `client` to the end, and reports what changed.
///
/// # Errors
/// A [`SyncError`]; the catalog then holds every page applied before it, and its checkpoint
/// says where the next run continues.
pub async fn sync_source(
    client: &RegistryClient,
    catalog: &mut Catalog,
    source: &str,
    mode: SyncMode,
    options: SyncOptions,
) -> Result<SyncReport, SyncError> {
    let mut run = SyncRun::start(catalog, source, mode, options)?;
    while run.next_page(client, catalog).await?.is_some() {}
    Ok(run.into_report())
}
