//! Replays every fuzz corpus file and saved crash (`fuzz/corpus/<target>/`,
//! `fuzz/regressions/<target>/`) through the checks the fuzz targets run, so that a stable
//! `cargo test` catches a regression the fuzzer once found.

#[expect(
    clippy::unwrap_used,
    reason = "shared with the fuzz crate, where a panic is how a check fails"
)]
#[path = "../../fuzz/common/replay.rs"]
mod replay;

use replay::{replay, structured};

use mcp_policy::fuzzing::{check_host_settings, check_policy_document, check_url_pattern};

// The fuzz target's input type, shared so that bytes decode here exactly as they did there.
#[expect(
    unreachable_pub,
    reason = "the module is shared with the fuzz crate, which exports it"
)]
#[expect(
    clippy::indexing_slicing,
    clippy::panic,
    reason = "shared with the fuzz crate, where a panic is how a check fails"
)]
#[path = "../../fuzz/common/policy_input.rs"]
mod policy_input;

#[test]
fn policy_document() {
    replay("policy_document", |bytes| {
        check_policy_document(bytes).unwrap();
    });
}

#[test]
fn policy_differential() {
    replay("policy_differential", |bytes| {
        if let Some(input) = structured::<policy_input::PolicyInput>(bytes) {
            input.check();
        }
    });
}

#[test]
fn host_settings() {
    replay("host_settings", |bytes| {
        check_host_settings(bytes).unwrap();
    });
}

#[test]
fn url_pattern() {
    replay("url_pattern", |bytes| {
        check_url_pattern(bytes).unwrap();
    });
}
