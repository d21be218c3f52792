//! The audit trail on disk: [`writer::AuditWriter`] appends records durably (the gateway's
//! half), and [`commands`] holds `keygen`, `verify` and `show` for people and scripts.
//!
//! The format, the hash chain and the checkpoints are [`mcp_policy::audit`]'s; this module only
//! adds files.

pub mod commands;
pub mod writer;
