//! What the catalog commands (`sync`, `serve`, and `search`, `show`, `versions` with
//! `--snapshot`) share: reading a snapshot file, and saying how old a source's copy is.
//!
//! Every message here is ready to print: file names and source names are quoted with
//! [`quote`], so a hostile snapshot or path cannot reach the terminal raw.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use mcp_registry_client::catalog::{
    Catalog, CatalogStore as _, FileStore, SourceState, StoreError,
};
use mcp_registry_client::types::Timestamp;

use crate::safe_output::quote;

/// Reads the snapshot in `store`: `None` when there is no file.
///
/// # Errors
/// The message to print when the file cannot be read or is not a sound snapshot (the file is
/// left as it is).
pub fn load(store: &FileStore) -> Result<Option<Catalog>, String> {
    store.load().map_err(|error| store_error(&error))
}

/// Reads the snapshot at `path`, which must exist.
///
/// # Errors
/// The message to print when there is no file, or it cannot be read.
pub fn load_existing(path: &str) -> Result<Catalog, String> {
    match load(&FileStore::new(path))? {
        Some(catalog) => Ok(catalog),
        None => Err(format!(
            "{}: no snapshot there; make one with `mcp-registry sync --registry URL --snapshot {}`",
            quote(path),
            quote(path)
        )),
    }
}

/// A store error as one safe line: the file's name quoted, then what went wrong.
pub fn store_error(error: &StoreError) -> String {
    match error {
        StoreError::Io { path, source } => {
            format!(
                "{}: {}",
                quote(&path.display().to_string()),
                quote(&source.to_string())
            )
        }
        StoreError::Snapshot { path, source } => {
            format!(
                "{}: {}",
                quote(&path.display().to_string()),
                quote(&source.to_string())
            )
        }
        other => quote(&other.to_string()).into_owned(),
    }
}

/// The time now, to the second.
pub fn now() -> Timestamp {
    let seconds = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| {
            i64::try_from(elapsed.as_secs()).unwrap_or(i64::MAX)
        });
    Timestamp::from_unix_seconds(seconds)
}

/// A duration the way a person reads it: the two largest units, `3d 4h`, `2h 5m`, `5m 3s`,
/// `42s`.
pub fn age_text(age: Duration) -> String {
    let seconds = age.as_secs();
    let (days, hours, minutes) = (seconds / 86_400, seconds / 3_600 % 24, seconds / 60 % 60);
    match (days, hours, minutes) {
        (0, 0, 0) => format!("{seconds}s"),
        (0, 0, _) => format!("{minutes}m {}s", seconds % 60),
        (0, _, _) => format!("{hours}h {minutes}m"),
        _ => format!("{days}d {hours}h"),
    }
}

/// How stale a source's copy is at `now`: `3m 2s old (last synced 2025-06-01T10:00:00Z)`, or
/// `never synced` before its first completed sync.
pub fn staleness(state: &SourceState, now: Timestamp) -> String {
    match (state.age(now), state.last_success()) {
        (Some(age), Some(last)) => format!("{} old (last synced {last})", age_text(age)),
        _ => "never synced".to_owned(),
    }
}

/// The oldest last successful sync among the catalog's sources (those never synced aside).
pub fn oldest_success(catalog: &Catalog) -> Option<Timestamp> {
    catalog
        .sources()
        .iter()
        .filter_map(SourceState::last_success)
        .min()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_read_in_two_units() {
        let cases = [
            (0, "0s"),
            (42, "42s"),
            (60, "1m 0s"),
            (303, "5m 3s"),
            (7_500, "2h 5m"),
            (273_600, "3d 4h"),
        ];
        for (seconds, text) in cases {
            assert_eq!(age_text(Duration::from_secs(seconds)), text);
        }
    }
}
