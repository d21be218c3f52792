//! `server.json` bytes: parse, validate, serialize, parse again; equal, and no panic.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| mcp_registry_types::fuzzing::check_server_json(data));
