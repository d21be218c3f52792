//! A private registry of your own: a catalog of servers from one or more registries.
//!
//! A [`Catalog`] holds every version of every server it was given, each with its
//! [`Provenance`] (which registry, when synced) and status, decides itself which version is
//! latest, and reports each change as a [`Change`] a host can log or act on. Sources are
//! ranked: when two registries hold the same server name, the higher one stands for it and the
//! other stays visible with its provenance.

mod admission;
mod change;
mod entry;
mod memory;
mod search;
mod serve;
mod snapshot;
mod source;
mod store;
mod sync;

pub use admission::Admission;
pub use change::{Change, ChangeCounts, ChangeKind};
pub use entry::{CatalogEntry, Provenance};
pub use memory::{Catalog, SearchHit};
pub use serve::{CATALOG_META, RegistryHandler};
pub use snapshot::{
    DecodeOptions, SNAPSHOT_FORMAT, SNAPSHOT_VERSION, SnapshotError, decode, decode_with, encode,
};
pub use source::{CatalogError, SourceState};
pub use store::{CatalogStore, DEFAULT_MAX_SNAPSHOT_BYTES, FileStore, StoreError};
pub use sync::{SyncError, SyncMode, SyncOptions, SyncReport, SyncRun, sync_source};

#[cfg(test)]
mod sync_tests;
#[cfg(test)]
mod tests;
