//! Replaying fuzz inputs from a stable test: shared by each crate's `tests/fuzz_replay.rs`
//! (included by path, so it needs no crate of its own).

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use arbitrary::{Arbitrary, Unstructured};

/// Runs `check` on every input of `target`, then fails naming each file that panicked.
#[track_caller]
pub(crate) fn replay(target: &str, check: impl Fn(&[u8])) {
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
pub(crate) fn structured<'a, T: Arbitrary<'a>>(bytes: &'a [u8]) -> Option<T> {
    if bytes.len() < T::size_hint(0).0 {
        return None;
    }
    T::arbitrary_take_rest(Unstructured::new(bytes)).ok()
}
