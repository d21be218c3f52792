//! Writing a host's config file in place: atomically, keeping a backup of what was there.

use std::fs::{self, File};
use std::io::Write as _;
use std::path::{Path, PathBuf};

/// Replaces `path` with `text`: the old file (if any) is copied to `PATH.bak` first, the new
/// content goes to a temporary file beside it, which is flushed to disk and renamed over
/// `path` (and the directory synced), so a crash leaves the old file or the new one, never a
/// torn one. Returns the backup's path when there was a file to back up.
///
/// # Errors
/// The I/O step that failed, naming the file.
pub(super) fn replace(path: &Path, text: &str) -> Result<Option<PathBuf>, String> {
    let shown = path.display();
    let directory = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .ok_or_else(|| format!("cannot write {shown}: not a file name"))?
        .to_string_lossy()
        .into_owned();
    let backup = if path.exists() {
        let backup = directory.join(format!("{name}.bak"));
        fs::copy(path, &backup)
            .map_err(|error| format!("cannot back up {shown} to {}: {error}", backup.display()))?;
        Some(backup)
    } else {
        None
    };
    let temporary = directory.join(format!(".{name}.{}.tmp", std::process::id()));
    let written = (|| {
        let mut file = File::create(&temporary)?;
        file.write_all(text.as_bytes())?;
        file.sync_all()?;
        if let Some(permissions) = path.metadata().ok().map(|m| m.permissions()) {
            // The new file keeps the old one's permissions (a config holding tokens may be 0600).
            fs::set_permissions(&temporary, permissions)?;
        }
        fs::rename(&temporary, path)?;
        // The rename is durable once the directory is (best effort: not every platform can
        // open a directory).
        if let Ok(directory) = File::open(&directory) {
            let _ = directory.sync_all();
        }
        Ok::<(), std::io::Error>(())
    })();
    written.map_err(|error| {
        let _ = fs::remove_file(&temporary);
        format!("cannot write {shown}: {error}")
    })?;
    Ok(backup)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_is_replaced_and_the_old_one_kept() {
        let dir = std::env::temp_dir().join(format!("mcp-registry-write-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let path = dir.join("settings.json");
        assert_eq!(replace(&path, "one").unwrap(), None);
        let backup = replace(&path, "two").unwrap().unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "two");
        assert_eq!(fs::read_to_string(&backup).unwrap(), "one");
        // Nothing is left behind beside them.
        let mut names: Vec<_> = fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        assert_eq!(names, ["settings.json", "settings.json.bak"]);
        fs::remove_dir_all(&dir).unwrap();
    }
}
