//! Replays every fuzz corpus file and saved crash (`fuzz/corpus/<target>/`,
//! `fuzz/regressions/<target>/`) through the checks the fuzz targets run, so that a stable
//! `cargo test` catches a regression the fuzzer once found.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use arbitrary::{Arbitrary, Unstructured};
use mcp_policy::fuzzing::{check_host_settings, check_policy_document, check_url_pattern};

// The fuzz target's input type, shared so that bytes decode here exactly as they did there.
#[expect(
    unreachable_pub,
    reason = "the module is shared with the fuzz crate, which exports it"
)]
#[path = "../../fuzz/common/policy_input.rs"]
mod policy_input;

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
