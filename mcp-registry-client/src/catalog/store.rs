//! Where a catalog is kept between runs: the [`CatalogStore`] trait, and a file store.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use super::memory::Catalog;
use super::snapshot::{SnapshotError, decode, encode};

/// Keeps a catalog between runs. Implement it to keep the catalog in the database a gateway
/// already runs; [`FileStore`] keeps it in one file.
///
/// The methods block: call them from a blocking context (a thread, or
/// `tokio::task::spawn_blocking`), not from an async task.
pub trait CatalogStore {
    /// What can go wrong.
    type Error: std::error::Error + Send + Sync + 'static;

    /// The stored catalog; `None` when nothing was stored yet.
    ///
    /// # Errors
    /// When the stored catalog cannot be read; what is stored is left as it was.
    fn load(&self) -> Result<Option<Catalog>, Self::Error>;

    /// Replaces the stored catalog with `catalog`, atomically: a reader sees the old catalog
    /// or the new one, never a mix.
    ///
    /// # Errors
    /// When the catalog cannot be stored; the old one is then still there.
    fn save(&self, catalog: &Catalog) -> Result<(), Self::Error>;
}

/// Why a [`FileStore`] could not load or save.
#[non_exhaustive]
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A file-system step failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or directory concerned.
        path: PathBuf,
        /// The failure.
        source: io::Error,
    },
    /// The file is not a readable snapshot; it was left untouched.
    #[error("{}: {source}", path.display())]
    Snapshot {
        /// The snapshot file.
        path: PathBuf,
        /// What is wrong with it.
        source: SnapshotError,
    },
}

/// A catalog kept in one snapshot file (format: see the `snapshot` module docs).
///
/// Saving writes a temporary file beside the snapshot, flushes it to disk, renames it over the
/// snapshot and flushes the directory, so a process killed at any moment leaves the old
/// snapshot or the new one. Loading checks the length and SHA-256 the manifest promises and
/// refuses a torn or corrupt file with an error, without touching it.
#[derive(Clone, Debug)]
pub struct FileStore {
    path: PathBuf,
    max_bytes: u64,
}

/// How old a temporary file beside the snapshot must be to count as a crashed save's leftover.
const LEFTOVER_AGE: std::time::Duration = std::time::Duration::from_mins(10);

/// The default limit on a snapshot's size, compressed and inflated: 1 GiB.
pub const DEFAULT_MAX_SNAPSHOT_BYTES: u64 = 1 << 30;

impl FileStore {
    /// A store at `path`.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self {
            path: path.into(),
            max_bytes: DEFAULT_MAX_SNAPSHOT_BYTES,
        }
    }

    /// Refuses snapshots larger than `max_bytes`, on disk or inflated.
    pub fn with_max_bytes(mut self, max_bytes: u64) -> Self {
        self.max_bytes = max_bytes;
        self
    }

    /// The snapshot's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn io(path: &Path) -> impl FnOnce(io::Error) -> StoreError {
        let path = path.to_path_buf();
        move |source| StoreError::Io { path, source }
    }

    /// Writes `bytes` to a new temporary file beside the snapshot and flushes it to disk.
    fn write_temporary(&self, bytes: &[u8]) -> Result<PathBuf, StoreError> {
        let directory = self.directory();
        let name = self
            .path
            .file_name()
            .map_or_else(|| "catalog".into(), |name| name.to_string_lossy());
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let temporary = directory.join(format!(".{name}.{}.{nanos}.tmp", std::process::id()));
        let written = (|| {
            let mut file = OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&temporary)?;
            file.write_all(bytes)?;
            file.sync_all()
        })();
        match written {
            Ok(()) => Ok(temporary),
            Err(source) => {
                let _ = fs::remove_file(&temporary);
                Err(StoreError::Io {
                    path: temporary,
                    source,
                })
            }
        }
    }

    /// Renames the temporary file over the snapshot and flushes the directory entry.
    fn commit(&self, temporary: &Path) -> Result<(), StoreError> {
        if let Err(source) = fs::rename(temporary, &self.path) {
            let _ = fs::remove_file(temporary);
            return Err(StoreError::Io {
                path: self.path.clone(),
                source,
            });
        }
        let directory = self.directory();
        // Flushing a directory is how POSIX makes a rename durable; other systems do not open
        // directories as files, and their rename is durable once it returns.
        if cfg!(unix) {
            File::open(&directory)
                .and_then(|dir| dir.sync_all())
                .map_err(Self::io(&directory))?;
        }
        Ok(())
    }

    /// Removes temporary files an interrupted save left beside the snapshot. Only files older
    /// than [`LEFTOVER_AGE`] go: a younger one may be another process's save in progress.
    fn remove_leftovers(&self) {
        let Some(name) = self
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
        else {
            return;
        };
        let prefix = format!(".{name}.");
        let Ok(entries) = fs::read_dir(self.directory()) else {
            return;
        };
        for entry in entries.flatten() {
            let file_name = entry.file_name();
            let file_name = file_name.to_string_lossy();
            if !(file_name.starts_with(&prefix) && file_name.ends_with(".tmp")) {
                continue;
            }
            let old = entry
                .metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|modified| modified.elapsed().ok())
                .is_some_and(|age| age >= LEFTOVER_AGE);
            if old {
                let _ = fs::remove_file(entry.path());
            }
        }
    }

    fn directory(&self) -> PathBuf {
        match self.path.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
            _ => PathBuf::from("."),
        }
    }
}

impl CatalogStore for FileStore {
    type Error = StoreError;

    fn load(&self) -> Result<Option<Catalog>, StoreError> {
        let file = match File::open(&self.path) {
            Ok(file) => file,
            Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(source) => {
                return Err(StoreError::Io {
                    path: self.path.clone(),
                    source,
                });
            }
        };
        let mut bytes = Vec::new();
        file.take(self.max_bytes.saturating_add(1))
            .read_to_end(&mut bytes)
            .map_err(Self::io(&self.path))?;
        if bytes.len() as u64 > self.max_bytes {
            return Err(StoreError::Snapshot {
                path: self.path.clone(),
                source: SnapshotError::TooLarge {
                    limit: self.max_bytes,
                },
            });
        }
        decode(&bytes, self.max_bytes)
            .map(Some)
            .map_err(|source| StoreError::Snapshot {
                path: self.path.clone(),
                source,
            })
    }

    fn save(&self, catalog: &Catalog) -> Result<(), StoreError> {
        let bytes = encode(catalog).map_err(|source| StoreError::Snapshot {
            path: self.path.clone(),
            source,
        })?;
        let temporary = self.write_temporary(&bytes)?;
        self.commit(&temporary)?;
        self.remove_leftovers();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::tests::{at, row};
    use mcp_registry_types::Status;

    fn catalog(versions: &[&str]) -> Catalog {
        let mut catalog = Catalog::new();
        catalog.add_source("up");
        for version in versions {
            catalog
                .upsert(
                    "up",
                    &row(
                        "io.github.a/x",
                        version,
                        Status::Active,
                        "2025-06-01T00:00:00Z",
                        true,
                    ),
                    at("2025-06-01T00:00:00Z"),
                )
                .unwrap();
        }
        catalog
    }

    fn store() -> (tempdir::Dir, FileStore) {
        let dir = tempdir::Dir::new();
        let store = FileStore::new(dir.path().join("catalog.snapshot"));
        (dir, store)
    }

    #[test]
    fn a_saved_catalog_loads_equal() {
        let (_dir, store) = store();
        assert!(store.load().unwrap().is_none());
        let mut original = catalog(&["1.0.0", "1.1.0"]);
        original
            .source_mut("up")
            .unwrap()
            .complete(at("2025-06-01T00:00:00Z"), at("2025-06-01T00:00:01Z"));
        store.save(&original).unwrap();
        let loaded = store.load().unwrap().unwrap();
        assert_eq!(loaded, original);
        assert_eq!(loaded.get("io.github.a/x").unwrap().version(), "1.1.0");
    }

    #[test]
    fn a_crash_between_write_and_rename_leaves_the_old_snapshot() {
        let (dir, store) = store();
        let old = catalog(&["1.0.0"]);
        store.save(&old).unwrap();
        let new = catalog(&["1.0.0", "2.0.0"]);
        // The process dies after the temporary file is written and before the rename.
        let temporary = store.write_temporary(&encode(&new).unwrap()).unwrap();
        assert!(temporary.exists());
        assert_eq!(store.load().unwrap().unwrap(), old);
        // The next save is not disturbed by the leftover file, and removes it once it is old
        // enough not to be another process's save in progress.
        store.save(&new).unwrap();
        assert_eq!(store.load().unwrap().unwrap(), new);
        assert!(temporary.exists());
        let an_hour_ago = SystemTime::now() - std::time::Duration::from_hours(1);
        File::options()
            .write(true)
            .open(&temporary)
            .unwrap()
            .set_modified(an_hour_ago)
            .unwrap();
        store.save(&new).unwrap();
        assert!(!temporary.exists());
        drop(dir);
    }

    #[test]
    fn torn_and_corrupt_files_are_refused_and_left_untouched() {
        let (_dir, store) = store();
        store.save(&catalog(&["1.0.0", "1.1.0"])).unwrap();
        let good = fs::read(store.path()).unwrap();
        let cases: Vec<(Vec<u8>, &str)> = vec![
            (good[..good.len() - 3].to_vec(), "truncated"),
            (
                {
                    let mut bytes = good.clone();
                    let last = bytes.len() - 1;
                    bytes[last] ^= 0x40;
                    bytes
                },
                "corrupt",
            ),
            (good[..20].to_vec(), "not a catalog snapshot"),
            (Vec::new(), "not a catalog snapshot"),
            (
                String::from_utf8_lossy(&good)
                    .replacen("\"version\":1", "\"version\":9", 1)
                    .into_bytes(),
                "newer",
            ),
        ];
        for (bytes, expected) in cases {
            fs::write(store.path(), &bytes).unwrap();
            let error = store.load().unwrap_err().to_string();
            assert!(error.contains(expected), "{error}");
            assert!(error.contains("catalog.snapshot"), "{error}");
            assert_eq!(
                fs::read(store.path()).unwrap(),
                bytes,
                "the file was touched"
            );
        }
    }

    #[test]
    fn a_snapshot_past_the_limit_is_refused() {
        let (_dir, store) = store();
        store.save(&catalog(&["1.0.0"])).unwrap();
        let small = store.clone().with_max_bytes(64);
        let error = small.load().unwrap_err().to_string();
        assert!(error.contains("limit of 64 bytes"), "{error}");
    }

    /// A temporary directory removed on drop (the crate has no dependency for it).
    mod tempdir {
        use std::path::{Path, PathBuf};

        pub(super) struct Dir(PathBuf);

        impl Dir {
            pub(super) fn new() -> Self {
                use std::sync::atomic::{AtomicUsize, Ordering};
                static NEXT: AtomicUsize = AtomicUsize::new(0);
                let path = std::env::temp_dir().join(format!(
                    "mcp-catalog-test-{}-{}",
                    std::process::id(),
                    NEXT.fetch_add(1, Ordering::Relaxed)
                ));
                std::fs::create_dir_all(&path).unwrap();
                Self(path)
            }

            pub(super) fn path(&self) -> &Path {
                &self.0
            }
        }

        impl Drop for Dir {
            fn drop(&mut self) {
                let _ = std::fs::remove_dir_all(&self.0);
            }
        }
    }
}
