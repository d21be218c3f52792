//! Managed-settings bytes: import never panics, the policy compiles, an invalid allowlist denies.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    mcp_policy::fuzzing::check_host_settings(data).unwrap();
});
