//! Policy document bytes: parse and compile never panic; diagnostics carry a path.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    mcp_policy::fuzzing::check_policy_document(data).unwrap();
});
