//! Memory per server of a catalog, its search index included: heap bytes counted by `dhat`
//! before and after loading a snapshot of 1k, 10k and 100k generated servers (the generator of
//! the `catalog` bench), then after the first search builds the index.
//!
//! Run: `cargo bench -p mcp-registry-client --features catalog --bench catalog_memory`.
#![expect(
    clippy::unwrap_used,
    reason = "a benchmark: a panic is a failed run, not a user's crash"
)]
#![expect(
    clippy::cast_precision_loss,
    reason = "printed figures need no more than f64's precision"
)]

#[expect(
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::string_slice,
    reason = "a benchmark's generator: a panic is a failed run, not a user's crash"
)]
#[path = "common/catalog_docs.rs"]
mod docs;

use std::hint::black_box;

use mcp_registry_client::catalog::{decode, encode};

#[global_allocator]
static ALLOC: dhat::Alloc = dhat::Alloc;

fn main() {
    // Criterion's flags are not ours; `--bench` and filters are ignored.
    let _profiler = dhat::Profiler::builder().testing().build();
    println!(
        "| servers | JSON per entry | catalog per server | index per server | total per server |"
    );
    println!("|---|---|---|---|---|");
    for size in [1_000, 10_000, 100_000] {
        let docs = docs::generate(size, 0x00C0_FFEE);
        let json: usize = docs.iter().map(String::len).sum();
        let snapshot = encode(&docs::catalog(&docs)).unwrap();
        drop(docs);
        let before = dhat::HeapStats::get().curr_bytes;
        let catalog = decode(&snapshot, u64::MAX).unwrap();
        let loaded = dhat::HeapStats::get().curr_bytes;
        black_box(catalog.search("weather", Some(10)).len());
        let indexed = dhat::HeapStats::get().curr_bytes;
        let per = |bytes: usize| bytes as f64 / size as f64;
        println!(
            "| {size} | {:.0} B | {:.0} B | {:.0} B | {:.0} B ({:.2} KiB) |",
            per(json),
            per(loaded - before),
            per(indexed - loaded),
            per(indexed - before),
            per(indexed - before) / 1024.0
        );
        drop(catalog);
    }
}
