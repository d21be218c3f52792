//! Registry version ordering on three `(version, publishedAt)` pairs: reflexive, antisymmetric,
//! transitive.
#![no_main]

libfuzzer_sys::fuzz_target!(|items: [(String, Option<String>); 3]| {
    mcp_registry_types::fuzzing::check_version_order(&items);
});
