//! `mcp-registry gateway`: the [`Gateway`] on this process's stdio, or on HTTP.
//!
//! ```text
//! mcp-registry gateway --upstreams .mcp.json --policy policy.json \
//!     --audit trail.jsonl --audit-key audit.key --stdio
//! mcp-registry gateway --upstreams .mcp.json --policy policy.json \
//!     --audit trail.jsonl --audit-key audit.key --principals principals.json \
//!     --listen 127.0.0.1:8080
//! ```
//!
//! On stdio the principal is the operating-system user ([`super::os_user`]); standard output
//! carries MCP and nothing else, and calls the policy marks `ask` go to the host by elicitation
//! or are refused (standard input is the host's channel, so there is nobody else to ask). On
//! HTTP the principal comes from the bearer token ([`Identities`]); `--approve-in-terminal`
//! lets the person at the gateway's terminal answer when the host cannot be asked. `SIGINT` or
//! `SIGTERM` stops the HTTP server gracefully; either way the trail ends with a signed
//! checkpoint.

use std::io::Write;
use std::net::SocketAddr;
use std::num::NonZeroU64;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use mcp_policy::{Policy, Principal};
use mcp_registry_types::host::{Host, import};

use super::{
    Approver, Gateway, GatewayOptions, HttpOptions, Identities, RefuseAll, TerminalApprover,
    os_user, serve_http,
};
use crate::audit::writer::{AuditWriter, FsyncPolicy, WriterConfig};
use crate::input::{DEFAULT_MAX_INPUT_BYTES, read_input};
use crate::registry_cmds::{FAILED, OK};
use crate::safe_output::SafeWriter;

/// `mcp-registry gateway --upstreams FILE --policy FILE --audit FILE --audit-key FILE
/// (--stdio | --listen ADDR)`.
#[derive(Clone, Debug, clap::Args)]
#[expect(
    clippy::struct_excessive_bools,
    reason = "each is a command-line switch of its own"
)]
#[command(
    group(clap::ArgGroup::new("front").required(true).args(["stdio", "listen"])),
    after_help = "Examples:\n  mcp-registry gateway --upstreams .mcp.json --policy \
                  policy.json --audit trail.jsonl --audit-key audit.key --stdio\n  \
                  mcp-registry gateway --upstreams .mcp.json --policy policy.json --audit \
                  trail.jsonl --audit-key audit.key --principals principals.json --listen \
                  127.0.0.1:8080"
)]
pub struct GatewayArgs {
    /// The upstream servers: a Claude Code `.mcp.json` (stdio `command`/`args`/`env`, or
    /// `type: http` with `url`/`headers`; `${VAR}` references are filled from the environment)
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
    /// Serve the host over standard input and output
    #[arg(long)]
    pub stdio: bool,
    /// Serve MCP streamable HTTP at `http://ADDR/mcp`
    #[arg(long, value_name = "ADDR")]
    pub listen: Option<SocketAddr>,
    /// HTTP: bearer tokens (and JWT settings) mapped to principals
    #[arg(long, value_name = "FILE", requires = "listen")]
    pub principals: Option<String>,
    /// HTTP: the principal of requests without an Authorization header (default: refused)
    #[arg(long, value_name = "ID", requires = "listen")]
    pub anonymous: Option<String>,
    /// HTTP: another accepted Host header value (repeatable; loopback is always accepted)
    #[arg(long, value_name = "HOST", requires = "listen")]
    pub allow_host: Vec<String>,
    /// HTTP: an accepted Origin, like `https://app.example.com:443` (repeatable; default: none)
    #[arg(long, value_name = "ORIGIN", requires = "listen")]
    pub allow_origin: Vec<String>,
    /// HTTP: the largest request body accepted, in bytes
    #[arg(long, value_name = "BYTES", requires = "listen", default_value_t = super::DEFAULT_MAX_BODY_BYTES)]
    pub max_body: usize,
    /// HTTP: ask at this terminal about calls that need approval when the host cannot be asked
    #[arg(long, requires = "listen")]
    pub approve_in_terminal: bool,
    /// Keep the upstreams' tool and prompt names instead of `KEY__NAME`
    #[arg(long)]
    pub flat: bool,
    /// Record each call's arguments in the trail (not only their digest)
    #[arg(long)]
    pub record_arguments: bool,
    /// With --record-arguments: replace the value of this member wherever it appears (repeatable)
    #[arg(long, value_name = "KEY", requires = "record_arguments")]
    pub redact: Vec<String>,
    /// Sync the trail to disk after every record (default), or in groups
    #[arg(long, value_name = "MODE", default_value = "every", value_parser = ["every", "grouped"])]
    pub fsync: String,
    /// With --fsync grouped: the longest a record waits for its sync, in milliseconds
    #[arg(long, value_name = "MS", default_value_t = 50)]
    pub fsync_delay_ms: u64,
}

/// Runs the gateway until the host disconnects (stdio) or a signal stops it (HTTP); 0 when it
/// closed cleanly.
pub fn run(args: &GatewayArgs, _out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    match serve(args, err) {
        Ok(()) => OK,
        Err(message) => {
            let _ = writeln!(SafeWriter::text(err), "mcp-registry gateway: {message}");
            FAILED
        }
    }
}

fn serve(args: &GatewayArgs, err: &mut dyn Write) -> Result<(), String> {
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
    let identities = match (&args.listen, &args.principals) {
        (Some(_), Some(file)) => {
            let bytes = read_input(file, DEFAULT_MAX_INPUT_BYTES)
                .map_err(|error| format!("{file}: {error}"))?;
            Some(Identities::from_json(&bytes).map_err(|error| format!("{file}: {error}"))?)
        }
        (Some(_), None) if args.anonymous.is_some() => {
            Some(Identities::from_json(b"{}").map_err(|error| error.to_string())?)
        }
        (Some(_), None) => {
            return Err(
                "--listen needs --principals FILE (or --anonymous ID to let every request in as ID)"
                    .to_owned(),
            );
        }
        (None, _) => None,
    };

    let fsync = if args.fsync == "grouped" {
        FsyncPolicy::Grouped {
            max_records: NonZeroU64::MIN.saturating_add(255),
            max_delay: Duration::from_millis(args.fsync_delay_ms),
        }
    } else {
        FsyncPolicy::EveryRecord
    };
    let (writer, repair) = AuditWriter::open(
        Path::new(&args.audit),
        Path::new(&args.audit_key),
        WriterConfig::new().with_fsync(fsync),
    )
    .map_err(|error| error.to_string())?;
    if let Some(repair) = repair {
        let _ = writeln!(SafeWriter::text(err), "mcp-registry gateway: {repair}");
    }

    let mut options = GatewayOptions::new().with_flat_names(args.flat);
    if args.record_arguments {
        options = options.with_recorded_arguments(args.redact.clone());
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|error| format!("cannot start the async runtime: {error}"))?;
    runtime.block_on(async {
        if let (Some(listen), Some(identities)) = (args.listen, identities) {
            return serve_over_http(
                args, listen, identities, &servers, policy, writer, options, fsync, err,
            )
            .await;
        }
        let principal = os_user().ok_or("neither USER nor USERNAME is set: who is calling?")?;
        let options = options.with_principal(Principal::new(principal));
        let gateway = start(&servers, policy, writer, options).await?;
        let sync = keep_synced(&gateway, fsync);
        let served = gateway.serve_stdio().await;
        sync.abort();
        served.map_err(|error| error.to_string())
    })
}

/// `--listen`: serves until SIGINT or SIGTERM, then closes the gateway.
#[expect(
    clippy::too_many_arguments,
    reason = "the parts `serve` has read, handed on once"
)]
async fn serve_over_http(
    args: &GatewayArgs,
    listen: SocketAddr,
    identities: Identities,
    servers: &[mcp_registry_types::host::ImportedServer],
    policy: mcp_policy::CompiledPolicy,
    writer: AuditWriter,
    options: GatewayOptions,
    fsync: FsyncPolicy,
    err: &mut dyn Write,
) -> Result<(), String> {
    let approver: Arc<dyn Approver> = if args.approve_in_terminal {
        Arc::new(TerminalApprover::new())
    } else {
        Arc::new(RefuseAll)
    };
    let gateway = start(servers, policy, writer, options.with_approver(approver)).await?;
    let listener = match tokio::net::TcpListener::bind(listen).await {
        Ok(listener) => listener,
        Err(error) => {
            let _ = gateway.close().await;
            return Err(format!("cannot listen on {listen}: {error}"));
        }
    };
    let bound = listener.local_addr().map_err(|error| error.to_string())?;
    let mut http = HttpOptions::new(bound);
    http.allowed_hosts.extend(args.allow_host.iter().cloned());
    http.allowed_origins.clone_from(&args.allow_origin);
    http.max_body_bytes = args.max_body;
    http.anonymous = args.anonymous.clone().map(Principal::new);
    let _ = writeln!(
        SafeWriter::text(err),
        "mcp-registry gateway: serving http://{bound}{} ({} upstreams)",
        super::MCP_PATH,
        gateway.upstreams().len()
    );
    let sync = keep_synced(&gateway, fsync);
    let served = serve_http(
        gateway.clone(),
        Arc::new(identities),
        listener,
        http,
        crate::serve::shutdown_signal(),
    )
    .await;
    sync.abort();
    let closed = gateway.close().await;
    served.map_err(|error| error.to_string())?;
    closed.map_err(|error| error.to_string())
}

async fn start(
    servers: &[mcp_registry_types::host::ImportedServer],
    policy: mcp_policy::CompiledPolicy,
    writer: AuditWriter,
    options: GatewayOptions,
) -> Result<Gateway, String> {
    Gateway::start(servers, Arc::new(policy), writer, options)
        .await
        .map_err(|error| error.to_string())
}

/// With grouped syncs, syncs the trail every `max_delay`, so a quiet gateway's last records
/// reach the disk within that bound too.
fn keep_synced(gateway: &Gateway, fsync: FsyncPolicy) -> tokio::task::JoinHandle<()> {
    let gateway = gateway.clone();
    tokio::spawn(async move {
        let FsyncPolicy::Grouped { max_delay, .. } = fsync else {
            return;
        };
        let mut every = tokio::time::interval(max_delay.max(Duration::from_millis(1)));
        loop {
            every.tick().await;
            if gateway.sync_audit().await.is_err() {
                return;
            }
        }
    })
}
