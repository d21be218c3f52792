//! What changed in a catalog: the events a host logs or acts on.

use std::fmt;
use std::sync::Arc;

use mcp_registry_types::Status;

/// What happened to a server version.
#[non_exhaustive]
#[derive(Clone, Debug, Eq, Hash, PartialEq)]
pub enum ChangeKind {
    /// A version the catalog did not hold.
    Added,
    /// A version whose document or metadata changed, status aside.
    Updated,
    /// A version that became `deprecated`.
    Deprecated,
    /// A version that became `deleted`: it is kept as a tombstone.
    Deleted,
    /// A `deleted` version that is `active` or `deprecated` again.
    Restored,
    /// The server's latest version moved: `from` lost the mark (if any version had it) and
    /// the change's version gained it (none when no version is left).
    LatestChanged {
        /// The version that was latest before.
        from: Option<Arc<str>>,
    },
    /// A version that vanished from its source without a tombstone (found by a full
    /// reconcile), or that admission now refuses; it is gone from the catalog.
    Removed,
    /// A tombstone kept past its retention, dropped.
    Purged,
}

impl ChangeKind {
    /// A short stable name: `added`, `updated`, `deprecated`, `deleted`, `restored`,
    /// `latest-changed`, `removed`, `purged`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Added => "added",
            Self::Updated => "updated",
            Self::Deprecated => "deprecated",
            Self::Deleted => "deleted",
            Self::Restored => "restored",
            Self::LatestChanged { .. } => "latest-changed",
            Self::Removed => "removed",
            Self::Purged => "purged",
        }
    }

    /// The kind of change from a row in `before` status to one in `after` status.
    pub(super) fn between(before: &Status, after: &Status) -> Self {
        match (before, after) {
            (Status::Deleted, Status::Deleted) | (Status::Deprecated, Status::Deprecated) => {
                Self::Updated
            }
            (Status::Deleted, _) => Self::Restored,
            (_, Status::Deleted) => Self::Deleted,
            (_, Status::Deprecated) => Self::Deprecated,
            _ => Self::Updated,
        }
    }
}

impl fmt::Display for ChangeKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One change to the catalog: which source, which server version, and what happened.
#[derive(Clone, Debug, Eq, Hash, PartialEq)]
pub struct Change {
    source: Arc<str>,
    name: Arc<str>,
    version: Option<Arc<str>>,
    kind: ChangeKind,
}

impl Change {
    pub(super) fn new(
        source: &Arc<str>,
        name: &str,
        version: Option<&str>,
        kind: ChangeKind,
    ) -> Self {
        Self {
            source: Arc::clone(source),
            name: name.into(),
            version: version.map(Into::into),
            kind,
        }
    }

    /// The source the change came from.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The server's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The version concerned; for [`ChangeKind::LatestChanged`], the new latest version (none
    /// when the server has no version left).
    pub fn version(&self) -> Option<&str> {
        self.version.as_deref()
    }

    /// What happened.
    pub fn kind(&self) -> &ChangeKind {
        &self.kind
    }
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.kind, self.name)?;
        if let Some(version) = &self.version {
            write!(f, " {version}")?;
        }
        if let ChangeKind::LatestChanged { from: Some(from) } = &self.kind {
            write!(f, " (was {from})")?;
        }
        write!(f, " from {}", self.source)
    }
}

/// How many changes of each kind a run made, for a summary line.
#[derive(Clone, Copy, Debug, Default, Eq, PartialEq)]
#[non_exhaustive]
pub struct ChangeCounts {
    /// [`ChangeKind::Added`].
    pub added: usize,
    /// [`ChangeKind::Updated`].
    pub updated: usize,
    /// [`ChangeKind::Deprecated`].
    pub deprecated: usize,
    /// [`ChangeKind::Deleted`].
    pub deleted: usize,
    /// [`ChangeKind::Restored`].
    pub restored: usize,
    /// [`ChangeKind::LatestChanged`].
    pub latest_changed: usize,
    /// [`ChangeKind::Removed`].
    pub removed: usize,
    /// [`ChangeKind::Purged`].
    pub purged: usize,
}

impl ChangeCounts {
    /// Counts `changes`.
    pub fn of<'a>(changes: impl IntoIterator<Item = &'a Change>) -> Self {
        let mut counts = Self::default();
        for change in changes {
            counts.add(change.kind());
        }
        counts
    }

    /// Counts one more change of `kind`.
    pub fn add(&mut self, kind: &ChangeKind) {
        let slot = match kind {
            ChangeKind::Added => &mut self.added,
            ChangeKind::Updated => &mut self.updated,
            ChangeKind::Deprecated => &mut self.deprecated,
            ChangeKind::Deleted => &mut self.deleted,
            ChangeKind::Restored => &mut self.restored,
            ChangeKind::LatestChanged { .. } => &mut self.latest_changed,
            ChangeKind::Removed => &mut self.removed,
            ChangeKind::Purged => &mut self.purged,
        };
        *slot += 1;
    }

    /// The number of changes counted.
    pub fn total(&self) -> usize {
        self.added
            + self.updated
            + self.deprecated
            + self.deleted
            + self.restored
            + self.latest_changed
            + self.removed
            + self.purged
    }
}

impl fmt::Display for ChangeCounts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} added, {} updated, {} deprecated, {} deleted, {} restored, {} latest changed, {} removed, {} purged",
            self.added,
            self.updated,
            self.deprecated,
            self.deleted,
            self.restored,
            self.latest_changed,
            self.removed,
            self.purged
        )
    }
}
