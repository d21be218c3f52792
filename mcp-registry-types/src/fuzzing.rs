//! Property checks shared by the fuzz targets and the stable tests that replay their corpora,
//! and the plain `serde_json` reading path, for the crate's own tests and benchmarks.
//!
//! Each `check_` function takes arbitrary input, must never panic on it, and panics only when
//! the property it checks is broken, which is what a fuzzer reports.

// A fuzzer learns of a broken property through a panic: that is this module's whole job.
#![expect(
    clippy::panic,
    reason = "panicking is how a broken property reaches the fuzzer"
)]

use std::cmp::Ordering;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::wire::FillValue;
use crate::{ParseError, ServerJson, ServerList, ServerResponse, compare_versions, validate};

/// Parse → serialize → parse gives an equal value, for any payload type.
fn round_trip<T: DeserializeOwned + FillValue + Serialize + PartialEq + std::fmt::Debug>(
    bytes: &[u8],
) -> Option<T> {
    let first: T = crate::wire::error::parse_slice(bytes).ok()?;
    let written = serde_json::to_vec(&first)
        .unwrap_or_else(|e| panic!("serializing a parsed value failed: {e}"));
    let second: T = crate::wire::error::parse_slice(&written).unwrap_or_else(|e| {
        panic!(
            "re-parsing our own output failed: {e}: {}",
            String::from_utf8_lossy(&written)
        )
    });
    assert_eq!(first, second, "parse → serialize → parse changed the value");
    Some(first)
}

/// `server.json`: parse, validate (never panics), serialize, parse again: equal.
pub fn check_server_json(bytes: &[u8]) {
    if let Some(document) = round_trip::<ServerJson>(bytes) {
        let report = validate(&document);
        for finding in report.findings() {
            assert!(
                finding.path().is_empty() || finding.path().starts_with('/'),
                "bad pointer {finding:?}"
            );
            assert!(!finding.message().is_empty());
        }
    }
}

/// A list page: same round-trip property, and validation of every entry never panics.
pub fn check_server_list(bytes: &[u8]) {
    if let Some(list) = round_trip::<ServerList>(bytes) {
        for response in list.servers() {
            let _ = validate(response.server());
        }
    }
}

/// A single response: same round-trip property.
pub fn check_server_response(bytes: &[u8]) {
    if let Some(response) = round_trip::<ServerResponse>(bytes) {
        let _ = validate(response.server());
    }
}

/// The fast JSON path either refuses `bytes` or reads exactly what `serde_json` reads: the same
/// `Value`, document, page and response, and the same raw text for a `RawValue`.
#[cfg(feature = "fast-json")]
pub fn check_fast_json(bytes: &[u8]) {
    use serde_json::value::RawValue;

    let Ok(text) = std::str::from_utf8(bytes) else {
        return;
    };
    same_as_serde_json::<serde_json::Value>(text);
    same_as_serde_json::<ServerJson>(text);
    same_as_serde_json::<ServerList>(text);
    same_as_serde_json::<ServerResponse>(text);
    if let Ok(fast) = crate::wire::fast_json::from_str::<Box<RawValue>>(text) {
        let slow: Box<RawValue> = serde_json::from_str(text).unwrap_or_else(|e| {
            panic!("the fast path read a RawValue that serde_json rejects ({e}): {text:?}")
        });
        assert_eq!(fast.get(), slow.get(), "RawValue text differs for {text:?}");
    }
}

#[cfg(feature = "fast-json")]
fn same_as_serde_json<T: DeserializeOwned + PartialEq + std::fmt::Debug>(text: &str) {
    if let Ok(fast) = crate::wire::fast_json::from_str::<T>(text) {
        let slow: T = serde_json::from_str(text).unwrap_or_else(|e| {
            panic!("the fast path read what serde_json rejects ({e}): {text:?}")
        });
        assert_eq!(
            fast, slow,
            "the fast path read a different value from {text:?}"
        );
    }
}

/// [`compare_versions`] is a total preorder on `(version, published_at)` pairs: reflexive,
/// antisymmetric in sign, and transitive.
pub fn check_version_order(items: &[(String, Option<String>); 3]) {
    let cmp = |a: &(String, Option<String>), b: &(String, Option<String>)| {
        compare_versions(&a.0, a.1.as_deref(), &b.0, b.1.as_deref())
    };
    let [a, b, c] = items;
    for x in items {
        assert_eq!(cmp(x, x), Ordering::Equal, "not reflexive for {x:?}");
    }
    for (x, y) in [(a, b), (b, c), (a, c)] {
        assert_eq!(
            cmp(x, y),
            cmp(y, x).reverse(),
            "not antisymmetric for {x:?} {y:?}"
        );
    }
    for (x, y, z) in [
        (a, b, c),
        (a, c, b),
        (b, a, c),
        (b, c, a),
        (c, a, b),
        (c, b, a),
    ] {
        if cmp(x, y) != Ordering::Greater && cmp(y, z) != Ordering::Greater {
            assert_ne!(
                cmp(x, z),
                Ordering::Greater,
                "not transitive for {x:?} {y:?} {z:?}"
            );
        }
    }
}

/// What `from_slice` does without the `fast-json` feature: `serde_json` alone reads `bytes`
/// (for `ServerJson`, `ServerList`, `ServerResponse`). The conformance tests hold it to the
/// default path's results, and the parse benchmark times the two side by side.
///
/// # Errors
///
/// As `from_slice`: the bytes are not JSON, or not JSON of `T`'s shape.
pub fn parse_with_serde_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ParseError> {
    crate::wire::error::parse_slice_with_serde_json(bytes)
}

/// A host config file, read as each host's: reading never panics; every entry read exports
/// to every host as a file that reads back as that one entry; and a file written from our own
/// file is written again unchanged (one step may change it: a default dropped, or text the
/// target host reads as a reference, such as `${env:X}` read from a Claude Code file and
/// written for VS Code).
#[cfg(feature = "host-config")]
pub fn check_host_config(bytes: &[u8]) {
    use crate::host::{self, ExportOptions, Host};

    let options = ExportOptions::new()
        .with_placeholder_secrets(true)
        .with_stdio_bridge(true);
    // Our own file for `to`: reads back as the one entry `key`, and is written again.
    let again = |to: Host, key: &str, written: &str| -> String {
        let read = host::import(to, written)
            .unwrap_or_else(|e| panic!("{to}: our own file does not read: {e}\n{written}"));
        let [one] = read.as_slice() else {
            panic!("{to}: our own file holds {} entries\n{written}", read.len());
        };
        assert_eq!(one.key(), key, "{to}: key changed\n{written}");
        host::export(to, key, &one.to_plan(), &options)
            .unwrap_or_else(|e| panic!("{to}: our own entry does not export: {e}\n{written}"))
    };
    let text = String::from_utf8_lossy(bytes);
    let _ = host::detect(&text);
    for from in Host::ALL {
        let Ok(servers) = host::import(from, &text) else {
            continue;
        };
        for server in servers {
            let _ = (server.package(), server.remote_url());
            let _ = server.suspected_clear_text_secrets();
            for to in Host::ALL {
                let Ok(written) = host::export(to, server.key(), &server.to_plan(), &options)
                else {
                    continue;
                };
                let second = again(to, server.key(), &written);
                let third = again(to, server.key(), &second);
                assert_eq!(third, second, "{to}: export → import → export changed");
            }
        }
    }
}
