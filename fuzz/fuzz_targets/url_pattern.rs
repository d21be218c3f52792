//! `pattern\nurl`: the URL pattern and glob matchers agree with a dynamic-programming oracle.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    mcp_policy::fuzzing::check_url_pattern(data).unwrap();
});
