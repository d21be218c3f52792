//! A single server response: the same round trip.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    mcp_registry_types::fuzzing::check_server_response(data);
});
