//! The audit trail on disk: [`writer::AuditWriter`] appends records durably (the gateway's
//! half), and [`commands`] holds `keygen`, `verify` and `show` for people and scripts.
//!
//! The format, the hash chain and the checkpoints are [`mcp_policy::audit`]'s; this module only
//! adds files.

pub mod commands;
pub mod writer;

use std::io::Write;

use mcp_policy::audit::Timestamp;

/// `mcp-registry audit`: the audit trail's keys, verification and reading.
#[derive(Clone, Debug, clap::Args)]
#[command(
    after_help = "Example:\n  mcp-registry audit keygen --out audit\n  mcp-registry audit verify trail.jsonl --key audit.pub"
)]
pub struct AuditArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: AuditCommand,
}

/// One `audit` subcommand.
#[derive(Clone, Debug, clap::Subcommand)]
pub enum AuditCommand {
    /// Write a new signing key to PREFIX.key (owner-only) and its public half to PREFIX.pub
    #[command(after_help = "Example:\n  mcp-registry audit keygen --out /etc/mcp/audit")]
    Keygen {
        /// The two files' common prefix
        #[arg(long, value_name = "PREFIX")]
        out: String,
    },
    /// Check a trail: every record chained, every checkpoint signed (exit 0 intact, 1 broken)
    #[command(
        after_help = "Example:\n  mcp-registry audit verify trail.jsonl --key audit.pub --strict"
    )]
    Verify {
        /// The trail file
        #[arg(value_name = "FILE")]
        file: String,
        /// Pin the signing key: its public half, as `keygen` wrote it
        #[arg(long, value_name = "PREFIX.pub")]
        key: Option<String>,
        /// Records after the last signed checkpoint count as broken
        #[arg(long)]
        strict: bool,
        /// Print the report as JSON
        #[arg(long)]
        json: bool,
    },
    /// Print a trail's records for people (it does not verify them)
    #[command(
        after_help = "Example:\n  mcp-registry audit show trail.jsonl --principal alice --since 2026-12-01T00:00:00Z"
    )]
    Show {
        /// The trail file
        #[arg(value_name = "FILE")]
        file: String,
        /// Only this principal's records
        #[arg(long, value_name = "ID")]
        principal: Option<String>,
        /// Only records at or after this time (RFC 3339, UTC)
        #[arg(long, value_name = "TIME", value_parser = parse_time)]
        since: Option<Timestamp>,
        /// Print JSON lines
        #[arg(long)]
        json: bool,
    },
}

fn parse_time(text: &str) -> Result<Timestamp, String> {
    text.parse::<Timestamp>().map_err(|error| error.to_string())
}

/// Runs an `audit` subcommand.
pub fn run(args: &AuditArgs, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    match &args.command {
        AuditCommand::Keygen { out: prefix } => commands::keygen(prefix, out, err),
        AuditCommand::Verify {
            file,
            key,
            strict,
            json,
        } => commands::verify(file, key.as_deref(), *strict, *json, out, err),
        AuditCommand::Show {
            file,
            principal,
            since,
            json,
        } => commands::show(file, principal.as_deref(), since.as_ref(), *json, out, err),
    }
}
