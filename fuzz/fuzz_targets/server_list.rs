//! A `GET /servers` page: the same round trip, and validation of every entry never panics.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| mcp_registry_types::fuzzing::check_server_list(data));
