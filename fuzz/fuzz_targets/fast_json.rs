//! JSON bytes: the fast path refuses them or reads exactly what serde_json reads.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| mcp_registry_types::fuzzing::check_fast_json(data));
