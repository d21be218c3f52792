//! Replays every fuzz corpus file and saved crash (`fuzz/corpus/<target>/`,
//! `fuzz/regressions/<target>/`) through the checks the fuzz targets run, so that a stable
//! `cargo test` catches a regression the fuzzer once found.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use arbitrary::{Arbitrary, Unstructured};
use mcp_registry_types::fuzzing::{
    check_server_json, check_server_list, check_server_response, check_version_order,
};

/// Runs `check` on every input of `target`, then fails naming each file that panicked.
#[track_caller]
fn replay(target: &str, check: impl Fn(&[u8])) {
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz");
    let corpus = fuzz.join("corpus").join(target);
    assert!(corpus.is_dir(), "missing corpus {}", corpus.display());
    let mut files: Vec<PathBuf> = [corpus, fuzz.join("regressions").join(target)]
        .iter()
        .filter_map(|dir| std::fs::read_dir(dir).ok())
        .flatten()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.is_file())
        .filter(|path| {
            !matches!(
                path.file_name().and_then(|n| n.to_str()),
                Some("README.md" | ".gitkeep")
            )
        })
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no inputs for `{target}`");
    let failed: Vec<String> = files
        .iter()
        .filter_map(|path| {
            let bytes = std::fs::read(path).unwrap();
            catch_unwind(AssertUnwindSafe(|| check(&bytes)))
                .err()
                .map(|_| path.display().to_string())
        })
        .collect();
    assert!(failed.is_empty(), "`{target}` fails on {failed:#?}");
}

/// Decodes bytes the way `libfuzzer_sys::fuzz_target!` does for a typed input.
fn structured<'a, T: Arbitrary<'a>>(bytes: &'a [u8]) -> Option<T> {
    if bytes.len() < T::size_hint(0).0 {
        return None;
    }
    T::arbitrary_take_rest(Unstructured::new(bytes)).ok()
}

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

#[test]
fn version_order() {
    replay("version_order", |bytes| {
        if let Some(items) = structured::<[(String, Option<String>); 3]>(bytes) {
            check_version_order(&items);
        }
    });
}
