//! The `mcp-registry` command-line tool's commands, kept in a library so tests can drive them.
//!
//! Each command is `run(args, out, err) -> exit code`, writing to the streams it is given,
//! so the binary is a thin dispatcher and the tests capture everything. Every file a command
//! reads goes through [`input`] (a size cap, byte order marks named), and everything it prints
//! through [`safe_output`] (no terminal escapes, bidi or invisible characters from input).

pub mod check;
pub mod input;
pub mod registry_cmds;
pub mod safe_output;
pub mod validate;
