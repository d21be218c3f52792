//! `mcp-registry config`: turn a registry entry into a host's configuration.
//!
//! ```text
//! mcp-registry config (NAME[@VERSION] | --file SERVER.json | --from HOST-FILE [--entry KEY])
//!                     --host HOST [--package N | --remote N]
//!                     [--set KEY=VALUE]... [--key KEY] [--registry URL | --snapshot FILE]
//!                     [--write FILE] [--dry-run] [--no-input] [--stdio-bridge] [--placeholder-secrets]
//! ```
//!
//! The entry comes from the registry, a snapshot, the bundled sample (the default), a local
//! `server.json` (`--file`, one not yet published, say), or another host's config file
//! (`--from FILE [--entry KEY]`: moving a setup from one host to another, its references
//! carried over as the new host's own). `--package N` or `--remote N` picks how
//! to run it (counting from 0; the first package by default, else the first remote). The
//! inputs come from `--set KEY=VALUE` (a repeated input takes the flag once per value); on a
//! terminal, the others are asked for (a pick list for choices) unless `--no-input`. Secrets
//! are never asked for and never written: the host file gets a reference in its own syntax
//! (`${GITHUB_TOKEN}`, `${input:…}`, `env_vars`), and the command says on standard error what
//! to set.
//!
//! It prints the smallest complete host file holding just this entry on standard output, under
//! KEY (`--key`, by default the part of the name after `/`). `--write FILE` merges the entry
//! into that file instead (every other entry and, where the format allows, the formatting and
//! comments kept), atomically, with the old file kept as `FILE.bak`. `--dry-run` prints the
//! exact launch (program and each argument, secrets as `<secret KEY>`) and connection instead.
//!
//! A refusal (a required input missing, all of them listed; a value not among the choices; a
//! remote for a host that only launches processes; a transport the host lacks; an MCP bundle,
//! which no host file can reference) prints one line per reason on standard error, nothing on
//! standard output, and exits 1. Usage errors exit 2.

mod prompt;
mod write;

use std::io::{IsTerminal as _, Write};
use std::path::Path;

use mcp_registry_client::types::host::{self, ExportOptions, Host, ImportedServer, ReferenceKind};
use mcp_registry_client::types::plan::{
    self, Answers, Connect, Launch, Plan, PlanError, Question, Target,
};
use mcp_registry_client::types::{ServerJson, sanitize_text};

pub use prompt::{Prompter, Terminal, collect};

use crate::input::InputArgs;
use crate::registry_cmds::{FAILED, OK, RegistryArgs};
use crate::safe_output::quote;

/// `mcp-registry config`'s arguments.
#[derive(Clone, Debug, clap::Args)]
#[expect(
    clippy::struct_excessive_bools,
    reason = "each is a command-line switch, read once"
)]
#[command(
    after_help = "Example:\n  mcp-registry config io.github.octo-tools/github --host claude-code\n  \
                        mcp-registry config --file server.json --host vscode --set region=eu --write .vscode/mcp.json"
)]
pub struct ConfigArgs {
    /// The server's name, and the version after an `@` (the latest when none is given)
    #[arg(
        value_name = "NAME[@VERSION]",
        required_unless_present_any = ["file", "from"],
        conflicts_with_all = ["file", "from"]
    )]
    pub target: Option<String>,
    /// Read the entry from this server.json instead of a registry
    #[arg(long, value_name = "SERVER.json", conflicts_with = "from")]
    pub file: Option<String>,
    /// Move an entry from another host's config file (its host from the file's name or shape)
    #[arg(
        long,
        value_name = "HOST-FILE",
        conflicts_with_all = ["package", "remote", "set"]
    )]
    pub from: Option<String>,
    /// With --from: the entry to move (needed when the file has several)
    #[arg(long, value_name = "KEY", requires = "from")]
    pub entry: Option<String>,
    /// The host to write for: claude-desktop, claude-code, vscode, cursor, gemini or codex
    #[arg(long, value_name = "HOST", value_parser = parse_host)]
    pub host: Host,
    /// Run the entry's Nth package (from 0)
    #[arg(long, value_name = "N", conflicts_with = "remote")]
    pub package: Option<usize>,
    /// Connect to the entry's Nth remote (from 0)
    #[arg(long, value_name = "N")]
    pub remote: Option<usize>,
    /// An input's value (its key is an environment variable, header, argument or variable name)
    #[arg(long = "set", value_name = "KEY=VALUE", value_parser = parse_set, allow_hyphen_values = true)]
    pub set: Vec<(String, String)>,
    /// The entry's key in the host file (default: the part of the name after `/`)
    #[arg(long, value_name = "KEY")]
    pub key: Option<String>,
    /// Merge the entry into this host file (a backup is kept as FILE.bak)
    #[arg(long, value_name = "FILE")]
    pub write: Option<String>,
    /// Print the exact launch and connection instead of a host file
    #[arg(long)]
    pub dry_run: bool,
    /// Never ask: take only what --set gives
    #[arg(long)]
    pub no_input: bool,
    /// Claude Desktop only: reach a remote through the `mcp-remote` stdio bridge
    #[arg(long)]
    pub stdio_bridge: bool,
    /// Claude Desktop only (it expands no variables): write `<set NAME>` where a secret goes,
    /// for you to fill in by hand
    #[arg(long)]
    pub placeholder_secrets: bool,
    /// Where to find NAME.
    #[command(flatten)]
    pub source: RegistryArgs,
    /// How much of --file to read.
    #[command(flatten)]
    pub input: InputArgs,
}

fn parse_host(text: &str) -> Result<Host, String> {
    text.parse::<Host>().map_err(|error| error.to_string())
}

fn parse_set(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((key, value)) if !key.is_empty() => Ok((key.to_owned(), value.to_owned())),
        _ => Err("expected KEY=VALUE".to_owned()),
    }
}

/// Runs `config`, asking on the terminal when standard input and error are one and
/// `--no-input` is not given.
pub fn run(args: &ConfigArgs, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    let interactive =
        !args.no_input && std::io::stdin().is_terminal() && std::io::stderr().is_terminal();
    let mut terminal = Terminal;
    let prompter: Option<&mut dyn Prompter> = if interactive {
        Some(&mut terminal)
    } else {
        None
    };
    run_with(args, prompter, out, err)
}

/// [`run`] with the prompter given (`None`: never ask).
pub fn run_with(
    args: &ConfigArgs,
    prompter: Option<&mut dyn Prompter>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> u8 {
    match configure(args, prompter, err) {
        Ok(Done::Wrote {
            file,
            backup,
            secrets,
        }) => {
            let _ = writeln!(
                err,
                "mcp-registry config: wrote {}{}",
                quote(&file),
                backup.map_or_else(String::new, |b| format!(" (the old file is {})", quote(&b)))
            );
            secrets_note(&secrets, err);
            OK
        }
        Ok(Done::Show(text, secrets)) => {
            let _ = out.write_all(text.as_bytes());
            secrets_note(&secrets, err);
            OK
        }
        Err(reasons) => {
            for reason in reasons {
                let _ = writeln!(err, "mcp-registry config: {}", sanitize_text(&reason));
            }
            FAILED
        }
    }
}

/// What a successful run produced.
enum Done {
    /// A host file (or a dry run) for standard output, and what to do about its secrets.
    Show(String, Vec<String>),
    /// A file was written.
    Wrote {
        file: String,
        backup: Option<String>,
        secrets: Vec<String>,
    },
}

fn secrets_note(secrets: &[String], err: &mut dyn Write) {
    for line in secrets {
        let _ = writeln!(err, "mcp-registry config: {}", sanitize_text(line));
    }
}

/// What the person must do for each secret the entry `key` of a host file references, read
/// back from the file as the host will read it: set an environment variable, answer the host's prompt, or fill
/// in a placeholder.
fn secret_hints(host: Host, text: &str, key: &str) -> Vec<String> {
    let Ok(servers) = host::import(host, text) else {
        return Vec::new();
    };
    let mut hints: Vec<String> = servers
        .iter()
        .filter(|server| server.key() == key)
        .flat_map(ImportedServer::references)
        .map(|reference| match reference.kind() {
            ReferenceKind::Input => format!(
                "{host} asks for `{}` when it starts the server (a secret: not in the file)",
                reference.name()
            ),
            ReferenceKind::Placeholder => format!(
                "replace `<set {}>` in the file with the secret before use",
                reference.name()
            ),
            _ => format!(
                "set {} in the environment {host} runs in (a secret: the file only names it)",
                reference.name()
            ),
        })
        .collect();
    hints.sort();
    hints.dedup();
    hints
}

/// The whole command, as reasons to refuse or what to print.
fn configure(
    args: &ConfigArgs,
    prompter: Option<&mut dyn Prompter>,
    err: &mut dyn Write,
) -> Result<Done, Vec<String>> {
    let (plan, key) = match &args.from {
        Some(file) => moved(args, file).map_err(|reason| vec![reason])?,
        None => planned(args, prompter, err)?,
    };
    if args.dry_run {
        return Ok(Done::Show(dry_run(&plan), Vec::new()));
    }
    write_out(args, &plan, &key)
}

/// The plan of an entry read from another host's file (`--from`), and its key there.
fn moved(args: &ConfigArgs, file: &str) -> Result<(Plan, String), String> {
    let bytes = crate::input::read_input(file, args.input.max_input_bytes)
        .map_err(|error| format!("cannot read {}: {error}", quote(file)))?;
    let text = String::from_utf8(bytes).map_err(|_| format!("{}: not UTF-8 text", quote(file)))?;
    let from = Host::from_path_hint(file)
        .or_else(|| host::detect(&text))
        .ok_or_else(|| format!("{}: cannot tell which host's file this is", quote(file)))?;
    let servers = host::import(from, &text)
        .map_err(|error| format!("{}: not a {from} config: {error}", quote(file)))?;
    let keys = || {
        servers
            .iter()
            .map(ImportedServer::key)
            .collect::<Vec<_>>()
            .join(", ")
    };
    let server = match &args.entry {
        Some(key) => servers.iter().find(|s| s.key() == key).ok_or_else(|| {
            format!(
                "{} has no entry `{}` (it has: {})",
                quote(file),
                quote(key),
                keys()
            )
        })?,
        None if servers.len() == 1 => servers.first().ok_or_else(String::new)?,
        None => {
            return Err(format!(
                "{} has {} entries: name one with --entry (it has: {})",
                quote(file),
                servers.len(),
                keys()
            ));
        }
    };
    let key = args.key.clone().unwrap_or_else(|| server.key().to_owned());
    Ok((server.to_plan(), key))
}

/// The plan of a registry entry (or `--file`) with the answers given or asked for, and the
/// key it goes under.
fn planned(
    args: &ConfigArgs,
    prompter: Option<&mut dyn Prompter>,
    err: &mut dyn Write,
) -> Result<(Plan, String), Vec<String>> {
    let one = |reason: String| vec![reason];
    let server = entry(args, err).map_err(one)?;
    let target = match (args.package, args.remote) {
        (Some(n), _) => Target::Package(n),
        (None, Some(n)) => Target::Remote(n),
        (None, None) if !server.packages().is_empty() => Target::Package(0),
        (None, None) => Target::Remote(0),
    };
    let questions = plan::questions(&server, target).map_err(|e| one(e.to_string()))?;
    let mut answers = Answers::new();
    for (key, value) in &args.set {
        if !questions.iter().any(|q| q.key() == key) {
            let known: Vec<&str> = questions.iter().map(Question::key).collect();
            return Err(one(format!(
                "--set {}: {} takes no such input (it takes: {})",
                quote(key),
                quote(server.name()),
                if known.is_empty() {
                    "none".to_owned()
                } else {
                    known.join(", ")
                }
            )));
        }
        answers.push(key.clone(), value.clone());
    }
    if let Some(prompter) = prompter {
        collect(&questions, &mut answers, prompter).map_err(one)?;
    }
    let plan = plan::plan_for_export(&server, target, &answers).map_err(refusals)?;
    let key = args.key.clone().unwrap_or_else(|| {
        let name = server.name();
        name.rsplit_once('/')
            .map_or(name, |(_, key)| key)
            .to_owned()
    });
    Ok((plan, key))
}

/// The host file for `plan` under `key`: printed, or merged into `--write FILE`.
fn write_out(args: &ConfigArgs, plan: &Plan, key: &str) -> Result<Done, Vec<String>> {
    let one = |reason: String| vec![reason];
    let (plan, key) = (plan, key.to_owned());
    let options = ExportOptions::new()
        .with_stdio_bridge(args.stdio_bridge)
        .with_placeholder_secrets(args.placeholder_secrets);
    match &args.write {
        None => {
            let text =
                host::export(args.host, &key, plan, &options).map_err(|e| one(e.to_string()))?;
            let hints = secret_hints(args.host, &text, &key);
            Ok(Done::Show(text, hints))
        }
        Some(file) => {
            let path = Path::new(file);
            let existing = match std::fs::read_to_string(path) {
                Ok(text) => Some(text),
                Err(error) if error.kind() == std::io::ErrorKind::NotFound => None,
                Err(error) => return Err(one(format!("cannot read {}: {error}", quote(file)))),
            };
            let text = host::merge(
                args.host,
                existing.as_deref().unwrap_or_default(),
                &key,
                plan,
                &options,
            )
            .map_err(|e| one(format!("{}: {e}", quote(file))))?;
            let backup = write::replace(path, &text).map_err(one)?;
            Ok(Done::Wrote {
                file: file.clone(),
                backup: backup.map(|b| b.display().to_string()),
                secrets: secret_hints(args.host, &text, &key),
            })
        }
    }
}

/// Every reason a plan was refused: each missing input on its own line.
fn refusals(error: PlanError) -> Vec<String> {
    match error {
        PlanError::Missing(missing) => {
            let mut reasons = vec![format!(
                "{} required input(s) missing; give each with --set KEY=VALUE:",
                missing.len()
            )];
            reasons.extend(missing.iter().map(|q| {
                format!(
                    "  {} ({}){}",
                    q.key(),
                    q.path(),
                    q.description()
                        .map_or_else(String::new, |d| format!(": {d}"))
                )
            }));
            reasons
        }
        other => vec![other.to_string()],
    }
}

/// The entry to configure: from `--file`, else NAME[@VERSION] from the source.
fn entry(args: &ConfigArgs, err: &mut dyn Write) -> Result<ServerJson, String> {
    if let Some(file) = &args.file {
        let bytes = crate::input::read_input(file, args.input.max_input_bytes)
            .map_err(|error| format!("cannot read {}: {error}", quote(file)))?;
        return ServerJson::from_slice(&bytes)
            .map_err(|error| format!("{}: not a server.json: {error}", quote(file)));
    }
    let (name, version) =
        crate::registry_cmds::split_target(args.target.as_deref().unwrap_or_default());
    crate::registry_cmds::fetch_server(&args.source, name, version, err)
}

/// The exact launch and connection, one item per line, secrets as references; every item
/// made safe for the terminal.
fn dry_run(plan: &Plan) -> String {
    use std::fmt::Write as _;
    let safe = |text: &dyn std::fmt::Display| sanitize_text(&text.to_string()).into_owned();
    let mut text = String::new();
    let _ = writeln!(
        text,
        "server:  {} {}",
        safe(&plan.server_name()),
        safe(&plan.version())
    );
    match plan.launch() {
        Some(Launch::Process {
            command, args, env, ..
        }) => {
            let _ = writeln!(text, "program: {}", safe(command));
            for (i, arg) in args.iter().enumerate() {
                let _ = writeln!(text, "argv[{}]: {}", i + 1, safe(arg));
            }
            for (name, value) in env {
                let _ = writeln!(text, "env:     {}={}", safe(name), safe(value));
            }
        }
        Some(Launch::Bundle { url, sha256, .. }) => {
            let _ = writeln!(text, "bundle:  {}", safe(url));
            let _ = writeln!(text, "sha256:  {}", safe(sha256));
        }
        Some(_) | None => {}
    }
    match plan.connect() {
        Connect::Stdio => {
            let _ = writeln!(text, "connect: stdio");
        }
        Connect::Http {
            transport,
            url,
            headers,
            ..
        } => {
            let _ = writeln!(text, "connect: {} {}", safe(transport), safe(url));
            for (name, value) in headers {
                let _ = writeln!(text, "header:  {}: {}", safe(name), safe(value));
            }
        }
        _ => {}
    }
    text
}
