//! The in-memory catalog: every version of every server from every source, with provenance,
//! status and the catalog's own judgement of which version is latest.

use std::collections::BTreeMap;
use std::ops::Bound;
use std::sync::{Arc, OnceLock};

use mcp_registry_types::{ServerFilter, ServerResponse, Timestamp, latest_version_by};

use super::admission::Admission;
use super::change::{Change, ChangeKind};
use super::entry::{Body, CatalogEntry, Head, Provenance};
use super::search::{IndexedDoc, SearchIndex};
use super::source::{CatalogError, SourceState};

/// One source's versions of one server, sorted by version string.
///
/// A vector, not a map: a server has a handful of versions, and a map's node reserves room
/// for eleven entries, which for a one-version server weighed more than the entry itself.
#[derive(Clone, Debug, Default, PartialEq)]
struct Versions(Vec<CatalogEntry>);

impl Versions {
    fn find(&self, version: &str) -> Result<usize, usize> {
        self.0
            .binary_search_by(|entry| entry.version().cmp(version))
    }

    fn get(&self, version: &str) -> Option<&CatalogEntry> {
        self.find(version).ok().and_then(|at| self.0.get(at))
    }

    fn values(&self) -> std::slice::Iter<'_, CatalogEntry> {
        self.0.iter()
    }

    fn len(&self) -> usize {
        self.0.len()
    }

    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Every source's versions of one server, by the source's rank (0 ranks highest), sorted.
#[derive(Clone, Debug, Default, PartialEq)]
struct NameSlot {
    by_source: Vec<(usize, Versions)>,
}

impl NameSlot {
    /// The source whose versions stand for the server: the highest-ranked one with a version
    /// that is not a tombstone, or else the highest-ranked one holding any.
    fn winner(&self) -> Option<(usize, &Versions)> {
        self.by_source
            .iter()
            .find(|(_, versions)| versions.values().any(|entry| !entry.is_tombstone()))
            .or_else(|| self.by_source.first())
            .map(|(rank, versions)| (*rank, versions))
    }

    fn source(&self, rank: usize) -> Option<&Versions> {
        self.by_source
            .iter()
            .find(|(r, _)| *r == rank)
            .map(|(_, versions)| versions)
    }

    /// A source's versions, added empty when the source held none.
    fn source_mut(&mut self, rank: usize) -> &mut Versions {
        let at = match self.by_source.binary_search_by_key(&rank, |(r, _)| *r) {
            Ok(at) => at,
            Err(at) => {
                self.by_source.insert(at, (rank, Versions::default()));
                at
            }
        };
        match self.by_source.get_mut(at) {
            Some((_, versions)) => versions,
            None => unreachable!("the slot was just found or inserted"),
        }
    }

    fn remove_source(&mut self, rank: usize) {
        self.by_source.retain(|(r, _)| *r != rank);
    }
}

/// A catalog of MCP servers from one or more registries.
///
/// Sources are added in precedence order: when two registries hold the same server name, the
/// versions of the first-added one stand for it ([`get`](Self::get),
/// [`versions`](Self::versions), [`iter`](Self::iter)), and the other's stay visible through
/// [`alternatives`](Self::alternatives), each with its [`Provenance`]. A source whose versions
/// of a name are all tombstones gives way to the next source that has a live one.
///
/// The catalog decides which version is latest itself, with the registry's ordering
/// ([`latest_version`](mcp_registry_types::latest_version)), every time a source's versions of a server change.
#[derive(Clone, Debug, Default)]
pub struct Catalog {
    sources: Vec<SourceState>,
    names: BTreeMap<Arc<str>, NameSlot>,
    /// The search index of the latest versions: built on the first search after a change.
    index: OnceLock<SearchIndex>,
    /// What may enter.
    admission: Admission,
}

impl PartialEq for Catalog {
    fn eq(&self, other: &Self) -> bool {
        // The index is derived from the rest.
        self.sources == other.sources && self.names == other.names
    }
}

/// A search result: the server's latest version, and how well it matched.
#[derive(Clone, Copy, Debug)]
pub struct SearchHit<'a> {
    entry: &'a CatalogEntry,
    score: f32,
}

impl<'a> SearchHit<'a> {
    /// The server's latest version, from the source that stands for it.
    pub fn entry(&self) -> &'a CatalogEntry {
        self.entry
    }

    /// The relevance score: higher is better; only the order means anything.
    pub fn score(&self) -> f32 {
        self.score
    }
}

impl Catalog {
    /// An empty catalog with no sources.
    pub fn new() -> Self {
        Self::default()
    }

    /// The catalog, admitting only what `admission` accepts from now on.
    pub fn with_admission(mut self, admission: Admission) -> Self {
        self.admission = admission;
        self
    }

    /// Admits only what `admission` accepts from now on; what the catalog holds already stays
    /// until its source sends it again.
    pub fn set_admission(&mut self, admission: Admission) {
        self.admission = admission;
    }

    /// Adds a source below those already added, or returns the rank it already has. A source
    /// is named by its registry's base URL or any label the host prefers.
    pub fn add_source(&mut self, name: &str) -> usize {
        if let Some(rank) = self.rank(name) {
            return rank;
        }
        self.sources.push(SourceState::new(name));
        self.sources.len() - 1
    }

    /// The sources, highest precedence first.
    pub fn sources(&self) -> &[SourceState] {
        &self.sources
    }

    /// A source's sync state.
    pub fn source(&self, name: &str) -> Option<&SourceState> {
        self.sources.iter().find(|source| source.name() == name)
    }

    /// A source's sync state, to update after a sync.
    pub fn source_mut(&mut self, name: &str) -> Option<&mut SourceState> {
        self.sources.iter_mut().find(|source| source.name() == name)
    }

    fn rank(&self, name: &str) -> Option<usize> {
        self.sources.iter().position(|source| source.name() == name)
    }

    /// A source's rank and shared name.
    fn source_of(&self, source: &str) -> Result<(usize, Arc<str>), CatalogError> {
        self.sources
            .iter()
            .enumerate()
            .find(|(_, state)| state.name() == source)
            .map(|(rank, state)| (rank, Arc::clone(state.name_arc())))
            .ok_or_else(|| CatalogError::unknown_source(source))
    }

    fn source_arc(&self, rank: usize) -> Option<Arc<str>> {
        self.sources
            .get(rank)
            .map(|source| Arc::clone(source.name_arc()))
    }

    /// Records `response` as served by `source` at `synced_at`, and returns what changed.
    /// A version the catalog's [`Admission`] refuses is not recorded (and removed, if it was).
    ///
    /// The same row seen again (same document, status and `updatedAt`, as an overlapping sync
    /// sees it) changes nothing but the time it was last synced.
    ///
    /// # Errors
    /// [`CatalogError::UnknownSource`] when `source` was never added.
    pub fn upsert(
        &mut self,
        source: &str,
        response: &ServerResponse,
        synced_at: Timestamp,
    ) -> Result<Vec<Change>, CatalogError> {
        let (rank, source_name) = self.source_of(source)?;
        let (name, version) = (response.server().name(), response.server().version());
        if !self.admission.admits(source, response) {
            // Refused now: a version admitted before leaves the catalog.
            return Ok(self.remove_where(rank, &source_name, name, |entry| {
                (entry.version() == version).then_some(ChangeKind::Removed)
            }));
        }
        let json = serde_json::to_string(response).map_err(|error| CatalogError::Unstorable {
            name: name.to_owned(),
            version: version.to_owned(),
            message: error.to_string(),
        })?;
        let provenance = Provenance::new(Arc::clone(&source_name), synced_at);
        self.index = OnceLock::new();
        let slot = self.names.entry(Arc::from(name));
        let name = Arc::clone(slot.key());
        let slot = slot.or_default();
        let versions = slot.source_mut(rank);
        let before = latest_of(versions);
        let mut changes = Vec::new();
        let version = response.server().version();
        let kind = match versions.find(version) {
            Ok(at) => {
                let Some(entry) = versions.0.get_mut(at) else {
                    return Ok(changes);
                };
                if entry.same_row(&json) {
                    entry.touch(provenance);
                    return Ok(changes);
                }
                let head = Head::of(response, Arc::clone(&name));
                let kind = ChangeKind::between(&entry.status(), &head.status);
                let latest = entry.is_latest();
                *entry = CatalogEntry::new(head, Body::own(json), provenance);
                entry.set_latest(latest);
                kind
            }
            Err(at) => {
                let entry = CatalogEntry::new(
                    Head::of(response, Arc::clone(&name)),
                    Body::own(json),
                    provenance,
                );
                let kind = if entry.is_tombstone() {
                    ChangeKind::Deleted
                } else {
                    ChangeKind::Added
                };
                versions.0.insert(at, entry);
                kind
            }
        };
        changes.push(Change::new(&source_name, &name, Some(version), kind));
        if let Some(change) = relatest(versions, before, &source_name, &name) {
            changes.push(change);
        }
        Ok(changes)
    }

    /// Removes a version from a source: it vanished upstream without a tombstone, or is no
    /// longer admitted. Returns what changed (nothing when the catalog did not hold it).
    ///
    /// # Errors
    /// [`CatalogError::UnknownSource`] when `source` was never added.
    pub fn remove(
        &mut self,
        source: &str,
        name: &str,
        version: &str,
    ) -> Result<Vec<Change>, CatalogError> {
        let (rank, source_name) = self.source_of(source)?;
        Ok(self.remove_where(rank, &source_name, name, |entry| {
            (entry.version() == version).then_some(ChangeKind::Removed)
        }))
    }

    /// Drops the tombstones of every source last changed (or, without `updatedAt`, last
    /// synced) before `before`, and returns them as [`ChangeKind::Purged`] changes.
    pub fn purge_tombstones(&mut self, before: Timestamp) -> Vec<Change> {
        (0..self.sources.len())
            .flat_map(|rank| self.purge_rank(rank, before))
            .collect()
    }

    /// [`purge_tombstones`](Self::purge_tombstones) for one source.
    ///
    /// # Errors
    /// [`CatalogError::UnknownSource`] when `source` was never added.
    pub fn purge_source_tombstones(
        &mut self,
        source: &str,
        before: Timestamp,
    ) -> Result<Vec<Change>, CatalogError> {
        let rank = self
            .rank(source)
            .ok_or_else(|| CatalogError::unknown_source(source))?;
        Ok(self.purge_rank(rank, before))
    }

    fn purge_rank(&mut self, rank: usize, before: Timestamp) -> Vec<Change> {
        let Some(source_name) = self.source_arc(rank) else {
            return Vec::new();
        };
        let names: Vec<Arc<str>> = self
            .names
            .iter()
            .filter(|(_, slot)| {
                slot.source(rank)
                    .is_some_and(|versions| versions.values().any(CatalogEntry::is_tombstone))
            })
            .map(|(name, _)| Arc::clone(name))
            .collect();
        let mut changes = Vec::new();
        for name in names {
            changes.extend(self.remove_where(rank, &source_name, &name, |entry| {
                let last_change = entry
                    .updated_at()
                    .unwrap_or_else(|| entry.provenance().synced_at());
                (entry.is_tombstone() && last_change < before).then_some(ChangeKind::Purged)
            }));
        }
        changes
    }

    /// Removes the versions of `name` in source `rank` for which `judge` gives a kind.
    fn remove_where(
        &mut self,
        rank: usize,
        source_name: &Arc<str>,
        name: &str,
        judge: impl Fn(&CatalogEntry) -> Option<ChangeKind>,
    ) -> Vec<Change> {
        let mut changes = Vec::new();
        self.index = OnceLock::new();
        let Some(slot) = self.names.get_mut(name) else {
            return changes;
        };
        let Some((_, versions)) = slot.by_source.iter_mut().find(|(r, _)| *r == rank) else {
            return changes;
        };
        let before = latest_of(versions);
        versions.0.retain(|entry| match judge(entry) {
            Some(kind) => {
                changes.push(Change::new(source_name, name, Some(entry.version()), kind));
                false
            }
            None => true,
        });
        if changes.is_empty() {
            return changes;
        }
        if let Some(change) = relatest(versions, before, source_name, name) {
            changes.push(change);
        }
        if versions.is_empty() {
            slot.remove_source(rank);
        }
        if slot.by_source.is_empty() {
            self.names.remove(name);
        }
        changes
    }

    /// The versions a source holds, for a full reconcile to compare with what it serves.
    pub fn source_versions(&self, source: &str) -> Vec<(&str, &str)> {
        let Some(rank) = self.rank(source) else {
            return Vec::new();
        };
        self.names
            .iter()
            .filter_map(|(name, slot)| slot.source(rank).map(|v| (name, v)))
            .flat_map(|(name, versions)| {
                versions
                    .values()
                    .map(move |entry| (name.as_ref(), entry.version()))
            })
            .collect()
    }

    /// The latest version of a server, from the source that stands for it.
    pub fn get(&self, name: &str) -> Option<&CatalogEntry> {
        let (_, versions) = self.names.get(name)?.winner()?;
        versions.values().find(|entry| entry.is_latest())
    }

    /// One version of a server, from the source that stands for it; `latest` names the latest.
    pub fn version(&self, name: &str, version: &str) -> Option<&CatalogEntry> {
        if version == "latest" {
            return self.get(name);
        }
        let (_, versions) = self.names.get(name)?.winner()?;
        versions.get(version)
    }

    /// Every version of a server from the source that stands for it, tombstones included, in
    /// version-string order.
    pub fn versions(&self, name: &str) -> impl Iterator<Item = &CatalogEntry> {
        self.names
            .get(name)
            .and_then(NameSlot::winner)
            .into_iter()
            .flat_map(|(_, versions)| versions.values())
    }

    /// The latest version of a server in each source that holds it and does not stand for it,
    /// in precedence order: what precedence hid, with where it came from.
    pub fn alternatives(&self, name: &str) -> impl Iterator<Item = &CatalogEntry> {
        let slot = self.names.get(name);
        let winner = slot.and_then(NameSlot::winner).map(|(rank, _)| rank);
        slot.into_iter()
            .flat_map(|slot| slot.by_source.iter())
            .filter(move |(rank, _)| Some(*rank) != winner)
            .filter_map(|(_, versions)| versions.values().find(|entry| entry.is_latest()))
    }

    /// Every version the catalog serves, tombstones included: for each server name in order,
    /// the versions of the source that stands for it, in version-string order. This is the
    /// registry's list order.
    pub fn iter(&self) -> impl Iterator<Item = &CatalogEntry> {
        self.names
            .values()
            .filter_map(NameSlot::winner)
            .flat_map(|(_, versions)| versions.values())
    }

    /// What [`iter`](Self::iter) yields from the server name `name` on (`name` included).
    pub fn iter_from<'a>(&'a self, name: &str) -> impl Iterator<Item = &'a CatalogEntry> + 'a {
        self.names
            .range::<str, _>((Bound::Included(name), Bound::Unbounded))
            .filter_map(|(_, slot)| slot.winner())
            .flat_map(|(_, versions)| versions.values())
    }

    /// The latest version of every server, in name order.
    pub fn latest(&self) -> impl Iterator<Item = &CatalogEntry> {
        self.names
            .values()
            .filter_map(NameSlot::winner)
            .filter_map(|(_, versions)| versions.values().find(|entry| entry.is_latest()))
    }

    /// The versions [`iter`](Self::iter) yields that `filter` accepts. The filter reads the
    /// whole document, so each version is parsed ([`CatalogEntry::response`]); a version whose
    /// text does not parse is not yielded.
    pub fn filtered<'a>(
        &'a self,
        filter: &'a ServerFilter,
    ) -> impl Iterator<Item = &'a CatalogEntry> + 'a {
        self.iter().filter(move |entry| {
            entry
                .response()
                .is_ok_and(|response| filter.matches_with_latest(&response, entry.is_latest()))
        })
    }

    /// The servers whose latest version matches `query`, best first: ranked full-text search
    /// over name, title and description, with name matches weighing most and prefixes of
    /// name parts matching as typed (see the `search` module docs). Tombstones are not
    /// searched. Every match when `limit` is `None`.
    pub fn search(&self, query: &str, limit: Option<usize>) -> Vec<SearchHit<'_>> {
        let index =
            self.index.get_or_init(|| {
                SearchIndex::build(self.latest().filter(|entry| !entry.is_tombstone()).map(
                    |entry| IndexedDoc {
                        name: entry.name(),
                        title: entry.title(),
                        description: entry.description(),
                    },
                ))
            });
        index
            .search(query, limit)
            .into_iter()
            .filter_map(|(name, score)| self.get(&name).map(|entry| SearchHit { entry, score }))
            .collect()
    }

    /// How many server names the catalog holds.
    pub fn server_count(&self) -> usize {
        self.names.len()
    }

    /// How many versions [`iter`](Self::iter) yields.
    pub fn version_count(&self) -> usize {
        self.names
            .values()
            .filter_map(NameSlot::winner)
            .map(|(_, versions)| versions.len())
            .sum()
    }

    /// Whether the catalog holds nothing.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// Every entry of every source, for persistence: source rank, then the entry.
    pub(super) fn all_entries(&self) -> impl Iterator<Item = (usize, &CatalogEntry)> {
        self.names.values().flat_map(|slot| {
            slot.by_source
                .iter()
                .flat_map(|(rank, versions)| versions.values().map(move |entry| (*rank, entry)))
        })
    }
}

/// A catalog being read from a snapshot: entries arrive without change events, mostly in
/// name order (as [`Catalog::all_entries`] writes them), and latest is decided for every
/// server at once by [`finish`](Self::finish).
pub(super) struct Loading {
    catalog: Catalog,
    /// The names that arrived in ascending order, each added without a search of the map.
    sorted: Vec<(Arc<str>, NameSlot)>,
}

impl Loading {
    /// Loads entries into `catalog`, which holds sources and no entries.
    pub(super) fn new(catalog: Catalog) -> Self {
        Self {
            catalog,
            sorted: Vec::new(),
        }
    }

    /// Adds an entry. `head.name` is replaced by the catalog's shared copy when it holds the
    /// name already.
    pub(super) fn insert(
        &mut self,
        rank: usize,
        mut head: Head,
        body: Body,
        synced_at: Timestamp,
    ) -> Result<(), String> {
        let source_name = self
            .catalog
            .source_arc(rank)
            .ok_or_else(|| format!("names source {rank}, which the manifest lacks"))?;
        // The same name as the last, or the next in order: no search. A name out of order
        // (a snapshot written by hand) is looked for among those before, then in the map;
        // those added to the map are all below the sorted names that follow.
        let at = match self.sorted.last() {
            Some((last, _)) if **last == *head.name => Some(self.sorted.len() - 1),
            Some((last, _)) if **last > *head.name => self
                .sorted
                .binary_search_by(|(name, _)| (**name).cmp(&head.name))
                .ok(),
            _ => {
                self.sorted
                    .push((Arc::clone(&head.name), NameSlot::default()));
                Some(self.sorted.len() - 1)
            }
        };
        let slot = if let Some((name, slot)) = at.and_then(|at| self.sorted.get_mut(at)) {
            head.name = Arc::clone(name);
            slot
        } else {
            let slot = self.catalog.names.entry(Arc::clone(&head.name));
            head.name = Arc::clone(slot.key());
            slot.or_default()
        };
        let versions = slot.source_mut(rank);
        match versions.find(&head.version) {
            Ok(_) => Err(format!(
                "repeats {}@{} from source {rank}",
                mcp_registry_types::escape_controls(&head.name),
                mcp_registry_types::escape_controls(&head.version)
            )),
            Err(at) => {
                let entry = CatalogEntry::new(head, body, Provenance::new(source_name, synced_at));
                versions.0.insert(at, entry);
                Ok(())
            }
        }
    }

    /// The catalog, with the latest version of every server in every source decided.
    pub(super) fn finish(self) -> Catalog {
        let Self {
            mut catalog,
            sorted,
        } = self;
        let map = std::mem::take(&mut catalog.names);
        // Two sorted runs of distinct names: the map is built from them in linear time.
        catalog.names = map.into_iter().chain(sorted).collect();
        catalog.index = OnceLock::new();
        for slot in catalog.names.values_mut() {
            for (_, versions) in &mut slot.by_source {
                mark_latest(versions);
            }
        }
        catalog
    }
}

/// The version marked latest.
fn latest_of(versions: &Versions) -> Option<Arc<str>> {
    versions
        .values()
        .find(|entry| entry.is_latest())
        .map(|entry| Arc::from(entry.version()))
}

/// Decides which of `versions` is latest and marks it, as [`relatest`] does, without saying
/// what changed: for a load, where nothing was marked before.
fn mark_latest(versions: &mut Versions) {
    // Most servers have one version in a source: it is the latest, whatever its facts.
    if let [only] = versions.0.as_mut_slice() {
        only.set_latest(true);
        return;
    }
    let latest =
        latest_version_by(versions.values(), CatalogEntry::version_facts).and_then(|best| {
            versions
                .values()
                .position(|entry| std::ptr::eq(entry, best))
        });
    for (at, entry) in versions.0.iter_mut().enumerate() {
        entry.set_latest(latest == Some(at));
    }
}

/// Decides which of `versions` is latest and marks it; a change when the mark moved from
/// `before`.
fn relatest(
    versions: &mut Versions,
    before: Option<Arc<str>>,
    source: &Arc<str>,
    name: &str,
) -> Option<Change> {
    let after = latest_version_by(versions.values(), CatalogEntry::version_facts)
        .map(|entry| Arc::<str>::from(entry.version()));
    for entry in &mut versions.0 {
        let latest = after.as_deref() == Some(entry.version());
        entry.set_latest(latest);
    }
    if before == after {
        return None;
    }
    Some(Change::new(
        source,
        name,
        after.as_deref(),
        ChangeKind::LatestChanged { from: before },
    ))
}
