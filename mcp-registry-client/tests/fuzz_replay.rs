//! Replays every fuzz corpus file and saved crash (`fuzz/corpus/pagination/`,
//! `fuzz/regressions/pagination/`) through the check the fuzz target runs, so that a stable
//! `cargo test` catches a regression the fuzzer once found.

#[expect(
    clippy::unwrap_used,
    reason = "shared with the fuzz crate, where a panic is how a check fails"
)]
#[path = "../../fuzz/common/replay.rs"]
mod replay;

use replay::{replay, structured};

use mcp_registry_client::fuzzing::{PaginationInput, check_pagination};

#[test]
fn pagination() {
    replay("pagination", |bytes| {
        if let Some(input) = structured::<PaginationInput>(bytes) {
            check_pagination(&input);
        }
    });
}
