//! The `mcp-registry` command-line tool's commands, kept in a library so tests can drive them.
//!
//! [`cli`] declares the command line with `clap`; each command is `run(&args, out, err) -> exit
//! code`, taking its parsed arguments and writing to the streams it is given, so the binary is
//! a thin dispatcher ([`cli::run`]) and the tests capture everything (`sync` also takes how to
//! show progress, and `serve` runs until Ctrl-C). Every file a command reads goes through
//! [`input`] (a size cap, byte order marks named), except catalog snapshots, which the client
//! crate's `FileStore` reads within its own size cap and checks against their SHA-256
//! ([`snapshot_file`]); everything a command prints goes through [`safe_output`] (no terminal
//! escapes, bidi or invisible characters from input).
//!
//! | command | module |
//! |---|---|
//! | `validate` | [`validate`] |
//! | `search`, `show`, `versions` (a registry, or a snapshot offline) | [`registry_cmds`] |
//! | `sync` (registries into a snapshot) | [`sync`] |
//! | `serve` (a snapshot as a registry over HTTP) | [`serve`] |
//! | `check` | [`check`] |
//! | `config` (an entry as a host's configuration) | [`config`] |
//! | `doctor` (host config files checked against a catalog) | [`doctor`] |
//! | `gateway` (policy and an audit trail in front of a host's MCP servers) | [`gateway`] |
//! | `completions` (a shell completion script) | [`cli`] |
#![forbid(unsafe_code)]

pub mod audit;
pub mod bundled;
pub mod check;
pub mod cli;
pub mod config;
pub mod doctor;
pub mod gateway;
pub mod input;
pub mod registry_cmds;
pub mod safe_output;
pub mod serve;
pub mod snapshot_file;
pub mod sync;
pub mod validate;
