//! The `mcp-registry` command-line tool's commands, kept in a library so tests can drive them.
#![forbid(unsafe_code)]
