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

#[cfg(feature = "fast-json")]
use mcp_registry_types::fuzzing::check_fast_json;
use mcp_registry_types::fuzzing::{
    check_host_config, check_server_json, check_server_list, check_server_response,
    check_version_order,
};

#[test]
fn server_json() {
    replay("server_json", check_server_json);
}

#[test]
fn server_list() {
    replay("server_list", check_server_list);
}

#[test]
fn server_response() {
    replay("server_response", check_server_response);
}

// The fast reader exists only with its feature; the fuzz crate builds with it.
#[cfg(feature = "fast-json")]
#[test]
fn fast_json() {
    replay("fast_json", check_fast_json);
}

#[test]
fn version_order() {
    replay("version_order", |bytes| {
        if let Some(items) = structured::<[(String, Option<String>); 3]>(bytes) {
            check_version_order(&items);
        }
    });
}

#[test]
fn host_config() {
    replay("host_config", check_host_config);
}
