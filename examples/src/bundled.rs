//! The sample catalog this tool ships: a few dozen realistic servers, so every command works
//! offline on a fresh machine.
//!
//! The entries are written out in `examples/data/catalog/servers.json` (registry responses,
//! readable and reviewable); `bundled.snapshot` beside it is that file as a catalog snapshot,
//! built into the binary. A test checks that the two agree and rebuilds the snapshot when run
//! with `UPDATE_SNAPSHOT=1`. The servers are made up (their names, packages and URLs point
//! nowhere real) but shaped like the official registry's: every package type (npm, PyPI, OCI,
//! NuGet, MCPB, and a cargo one no host can launch), every transport, active, deprecated and
//! deleted versions, and every kind of input (secrets, choices, numbers, booleans, file paths,
//! repeated arguments, URL and header variables).

use mcp_registry_client::catalog::{Catalog, DEFAULT_MAX_SNAPSHOT_BYTES, decode};

/// The snapshot, as built into the binary.
pub const SNAPSHOT: &[u8] = include_bytes!("../data/catalog/bundled.snapshot");

/// The name of the catalog's one source.
pub const SOURCE: &str = "bundled sample catalog";

/// What a command says on standard error when it reads the sample because it was given
/// neither `--registry` nor `--snapshot`.
pub const NOTICE: &str = "reading the bundled sample catalog (offline); give --registry URL or --snapshot FILE for real data";

/// The sample catalog.
///
/// # Errors
/// Only if the snapshot built into the binary is broken, which a test rules out.
pub fn catalog() -> Result<Catalog, String> {
    decode(SNAPSHOT, DEFAULT_MAX_SNAPSHOT_BYTES)
        .map_err(|error| format!("the bundled sample catalog cannot be read: {error}"))
}
