//! A host config file (JSON or Codex TOML): import never panics; what is read exports to every
//! host as a file that reads back as that entry and writes the same file again.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| mcp_registry_types::fuzzing::check_host_config(data));
