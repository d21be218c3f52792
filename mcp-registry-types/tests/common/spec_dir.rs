//! Where the shared registry reference data is: `$MCP_REGISTRY_SPEC_DIR`, read from the
//! workspace root when relative (where the README's command runs). Shared by the test files
//! that read the real data.

use std::path::{Path, PathBuf};

/// The folder, or `None` (saying so, and what goes unchecked) when the variable is unset; a
/// variable naming no folder fails.
pub(crate) fn spec_dir(unchecked: &str) -> Option<PathBuf> {
    let Some(dir) = std::env::var_os("MCP_REGISTRY_SPEC_DIR") else {
        eprintln!("MCP_REGISTRY_SPEC_DIR is not set: {unchecked}");
        return None;
    };
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(dir);
    assert!(
        dir.is_dir(),
        "MCP_REGISTRY_SPEC_DIR={} is not a directory",
        dir.display()
    );
    Some(dir)
}
