//! `mcp-registry gateway`: the [`Gateway`] on this process's stdin and stdout.
//!
//! ```text
//! mcp-registry gateway --upstreams .mcp.json --policy policy.json \
//!     --audit trail.jsonl --audit-key audit.key --stdio
//! ```
//!
//! The principal is the operating-system user ([`super::os_user`]). Standard output carries
//! MCP and nothing else; messages go to standard error. Calls the policy marks `ask` are
//! refused ([`RefuseAll`]): standard input is the host's channel, so there is nobody to ask.

use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use mcp_policy::{Policy, Principal};
use mcp_registry_types::host::{Host, import};

use super::{Gateway, RefuseAll, os_user};
use crate::audit::writer::{AuditWriter, WriterConfig};
use crate::cli;
use crate::input::{DEFAULT_MAX_INPUT_BYTES, read_input};
use crate::registry_cmds::{FAILED, OK, current_thread_runtime};
use crate::safe_output::SafeWriter;

/// `mcp-registry gateway --upstreams FILE --policy FILE --audit FILE --audit-key FILE --stdio`.
#[derive(Clone, Debug, clap::Args)]
#[command(
    after_help = "Example:\n  mcp-registry gateway --upstreams .mcp.json --policy \
                        policy.json --audit trail.jsonl --audit-key audit.key --stdio"
)]
pub struct GatewayArgs {
    /// The upstream servers: a Claude Code `.mcp.json` (stdio entries only, for now)
    #[arg(long, value_name = "FILE")]
    pub upstreams: String,
    /// The `mcp-policy` document deciding every call; each upstream's key is its label
    #[arg(long, value_name = "FILE")]
    pub policy: String,
    /// The audit trail to append to (created if missing; a torn last line is repaired)
    #[arg(long, value_name = "FILE")]
    pub audit: String,
    /// The private key that signs the trail's checkpoints (`mcp-registry audit keygen`)
    #[arg(long, value_name = "FILE")]
    pub audit_key: String,
    /// Serve the host over standard input and output (the only front end so far)
    #[arg(long)]
    pub stdio: bool,
}

/// Runs the gateway until the host disconnects; 0 when it closed cleanly.
pub fn run(args: &GatewayArgs, _out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    if !args.stdio {
        return cli::usage_error(
            "gateway",
            "--stdio is required: it is the only front end so far",
            err,
        );
    }
    match serve(args, err) {
        Ok(()) => OK,
        Err(message) => {
            let _ = writeln!(SafeWriter::text(err), "mcp-registry gateway: {message}");
            FAILED
        }
    }
}

fn serve(args: &GatewayArgs, err: &mut dyn Write) -> Result<(), String> {
    let principal = os_user().ok_or("neither USER nor USERNAME is set: who is calling?")?;
    let text = read_input(&args.upstreams, DEFAULT_MAX_INPUT_BYTES)
        .map_err(|error| format!("{}: {error}", args.upstreams))?;
    let servers = import(Host::ClaudeCode, &String::from_utf8_lossy(&text))
        .map_err(|error| format!("{}: {error}", args.upstreams))?;
    let bytes = read_input(&args.policy, DEFAULT_MAX_INPUT_BYTES)
        .map_err(|error| format!("{}: {error}", args.policy))?;
    let policy = Policy::from_json(&bytes)
        .and_then(|policy| policy.compile())
        .map_err(|error| format!("{}: {error}", args.policy))?;
    for warning in policy.warnings() {
        let _ = writeln!(
            SafeWriter::text(err),
            "mcp-registry gateway: {}: warning: {warning}",
            args.policy
        );
    }
    let (writer, repair) = AuditWriter::open(
        Path::new(&args.audit),
        Path::new(&args.audit_key),
        WriterConfig::new(),
    )
    .map_err(|error| error.to_string())?;
    if let Some(repair) = repair {
        let _ = writeln!(SafeWriter::text(err), "mcp-registry gateway: {repair}");
    }
    let runtime = current_thread_runtime()?;
    runtime.block_on(async {
        let gateway = Gateway::start(
            &servers,
            Arc::new(policy),
            Principal::new(principal),
            Arc::new(RefuseAll),
            writer,
        )
        .await
        .map_err(|error| error.to_string())?;
        gateway
            .serve_stdio()
            .await
            .map_err(|error| error.to_string())
    })
}
