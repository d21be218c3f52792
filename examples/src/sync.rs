//! `mcp-registry sync`: fill a catalog snapshot from one or more registries.
//!
//! ```text
//! mcp-registry sync [--registry URL]... --snapshot FILE [--full] [--json]
//!                   [--timeout SECS] [--retries N] [--keep-tombstones DAYS|forever]
//! ```
//!
//! [`SyncArgs`] declares the flags; `mcp-registry sync --help` lists them with their defaults.
//!
//! The snapshot is read if it exists; the registries are added as sources in the order given,
//! the first ranking highest where two hold the same server (a snapshot's sources keep the
//! order they have, new ones come below them). Without `--registry`, every source the
//! snapshot already has is synced. Each registry is synced page by page
//! ([`SyncRun`]), and the snapshot is saved after every page, atomically, so a run that is
//! interrupted (Ctrl-C, a lost connection) continues where it stopped the next time. The first
//! run of a source reads everything; later runs ask only for what changed since the last one
//! (`--full` reads everything again, and removes what the registry no longer lists).
//!
//! A version the registry deletes stays in the catalog as a tombstone, so hosts learn it is
//! gone, for `--keep-tombstones` days after its deletion (30 by default; `forever` keeps
//! them).
//!
//! Progress goes to standard error: a spinner on a terminal, otherwise one line per page
//! (`sync URL: page N, M items`). At the end, one line per source on standard output: the
//! changes by kind, then pages, items and bytes fetched; `--json` prints one JSON report
//! instead.
//!
//! A registry that cannot be read is reported on standard error, with how old the snapshot's
//! copy of it is; the other registries are still synced, and the exit status is 1. A snapshot
//! that cannot be read is never overwritten: the command stops with exit status 1.

use std::io::{IsTerminal as _, Write};
use std::time::{Duration, Instant};

use indicatif::{HumanBytes, ProgressBar, ProgressDrawTarget, ProgressStyle};
use mcp_registry_client::RegistryClient;
use mcp_registry_client::catalog::{
    Catalog, CatalogStore as _, FileStore, SourceState, SyncMode, SyncOptions, SyncReport, SyncRun,
};
use serde_json::{Value, json};

use crate::cli;
use crate::registry_cmds::{FAILED, NetworkArgs, OK, current_thread_runtime};
use crate::safe_output::{json_text, quote};
use crate::snapshot_file;

/// How progress is shown on standard error.
#[derive(Clone, Copy, Debug, Eq, PartialEq)]
pub enum Progress {
    /// One plain line per page, written to the command's error stream.
    Lines,
    /// A spinner drawn on the process's standard error, which is a terminal.
    Bar,
}

impl Progress {
    /// [`Progress::Bar`] when the process's standard error is a terminal, else
    /// [`Progress::Lines`].
    pub fn for_stderr() -> Self {
        if std::io::stderr().is_terminal() {
            Self::Bar
        } else {
            Self::Lines
        }
    }
}

/// `mcp-registry sync`'s arguments.
#[derive(Clone, Debug, clap::Args)]
#[command(
    after_help = "Example:\n  mcp-registry sync --registry https://registry.modelcontextprotocol.io \\\n      \
                  --snapshot catalog.snapshot"
)]
pub struct SyncArgs {
    /// A registry to sync, ranked by the order given (repeatable; default: every source the
    /// snapshot has)
    #[arg(long = "registry", value_name = "URL")]
    pub registries: Vec<String>,
    /// The catalog snapshot to read and save
    #[arg(long, value_name = "FILE")]
    pub snapshot: String,
    /// Read everything again, and drop what a registry no longer lists
    #[arg(long)]
    pub full: bool,
    /// Print one JSON report instead of text
    #[arg(long)]
    pub json: bool,
    /// How the client talks to the registries.
    #[command(flatten)]
    pub network: NetworkArgs,
    /// How long a deleted version stays in the catalog as a tombstone: days, or `forever`
    #[arg(long, value_name = "DAYS|forever", default_value = "30")]
    pub keep_tombstones: Retention,
}

/// How long `--keep-tombstones` keeps a tombstone.
#[derive(Clone, Copy, Debug, Eq, PartialEq)]
pub enum Retention {
    /// This many days after the deletion.
    Days(u64),
    /// For ever.
    Forever,
}

impl Retention {
    /// How long a tombstone is kept; `None` for ever.
    pub fn duration(self) -> Option<Duration> {
        match self {
            Self::Days(days) => Some(Duration::from_hours(days.saturating_mul(24))),
            Self::Forever => None,
        }
    }
}

impl std::str::FromStr for Retention {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        match text {
            "forever" => Ok(Self::Forever),
            days => days
                .parse()
                .map(Self::Days)
                .map_err(|_| "expected a number of days or `forever`".to_owned()),
        }
    }
}

impl SyncArgs {
    /// The sources to sync, by name, each with its client (or why it has none), in the order
    /// given: the registries named, or else every source the snapshot has.
    ///
    /// # Errors
    /// A registry named that is not one: nothing is synced or saved then.
    fn targets(&self, catalog: &Catalog) -> Result<Vec<Target>, String> {
        let mut targets: Vec<Target> = Vec::new();
        for url in &self.registries {
            let client = self.client(url)?;
            let name = client.base_url().to_string();
            if targets.iter().all(|(known, _)| *known != name) {
                targets.push((name, Ok(client)));
            }
        }
        if targets.is_empty() {
            for source in catalog.sources() {
                targets.push((source.name().to_owned(), self.client(source.name())));
            }
        }
        Ok(targets)
    }

    fn client(&self, url: &str) -> Result<RegistryClient, String> {
        self.network
            .client(url)
            .map_err(|error| quote(&error.to_string()).into_owned())
    }
}

/// A source to sync: its name, and its client or why it has none.
type Target = (String, Result<RegistryClient, String>);

/// What happened to one source.
struct Outcome {
    source: String,
    /// What the run did, up to where it stopped.
    report: Option<SyncReport>,
    /// Why it stopped early, as printed.
    error: Option<String>,
    /// How many times the snapshot was saved for it.
    saves: usize,
}

/// `sync`: see the module docs. `progress` says how to show progress; the binary passes
/// [`Progress::for_stderr`].
pub fn run(options: &SyncArgs, out: &mut dyn Write, err: &mut dyn Write, progress: Progress) -> u8 {
    let store = FileStore::new(&options.snapshot);
    let (mut catalog, existed) = match snapshot_file::load(&store) {
        Ok(Some(catalog)) => (catalog, true),
        Ok(None) => (Catalog::new(), false),
        Err(message) => {
            let _ = writeln!(
                err,
                "mcp-registry sync: {message}; nothing was synced and the file is left as it is"
            );
            return FAILED;
        }
    };
    let runtime = match current_thread_runtime() {
        Ok(runtime) => runtime,
        Err(message) => {
            let _ = writeln!(err, "mcp-registry sync: {message}");
            return FAILED;
        }
    };
    // The transport and clock may want a runtime about when they are built.
    let _context = runtime.enter();
    let targets = match options.targets(&catalog) {
        Ok(targets) if targets.is_empty() => {
            let message = "missing --registry URL (the snapshot has no sources yet)";
            return cli::usage_error("sync", message, err);
        }
        Ok(targets) => targets,
        Err(message) => {
            let _ = writeln!(err, "mcp-registry sync: {message}");
            return FAILED;
        }
    };
    for (name, _) in &targets {
        catalog.add_source(name);
    }

    let mode = if options.full {
        SyncMode::Full
    } else {
        SyncMode::Incremental
    };
    let mut outcomes = Vec::new();
    for (source, client) in &targets {
        let outcome = match client {
            Ok(client) => {
                let job = Job {
                    runtime: &runtime,
                    client,
                    store: &store,
                    source,
                    mode,
                    options: SyncOptions::new()
                        .with_tombstone_retention(options.keep_tombstones.duration()),
                    progress,
                };
                match job.run(&mut catalog, err) {
                    Ok(outcome) => outcome,
                    Err(message) => {
                        let _ = writeln!(err, "mcp-registry sync: {message}");
                        return FAILED;
                    }
                }
            }
            Err(message) => {
                let message = format!("{}: cannot sync: {message}", quote(source));
                let _ = writeln!(err, "mcp-registry sync: {message}");
                Outcome {
                    source: source.clone(),
                    report: None,
                    error: Some(message),
                    saves: 0,
                }
            }
        };
        outcomes.push(outcome);
    }

    let saved = existed || outcomes.iter().any(|outcome| outcome.saves > 0);
    if options.json {
        print_json(out, &options.snapshot, &catalog, &outcomes, saved);
    } else {
        print_text(out, &options.snapshot, &catalog, &outcomes, saved);
    }
    if outcomes.iter().any(|outcome| outcome.error.is_some()) {
        FAILED
    } else {
        OK
    }
}

/// How often a running sync writes its checkpoint to the snapshot.
const CHECKPOINT_EVERY: Duration = Duration::from_secs(5);

/// One source's sync run.
struct Job<'a> {
    runtime: &'a tokio::runtime::Runtime,
    client: &'a RegistryClient,
    store: &'a FileStore,
    source: &'a str,
    mode: SyncMode,
    options: SyncOptions,
    progress: Progress,
}

impl Job<'_> {
    /// Syncs the source page by page, checkpointing the snapshot as it goes. `Err` only when the
    /// snapshot cannot be saved, which stops the whole command.
    fn run(&self, catalog: &mut Catalog, err: &mut dyn Write) -> Result<Outcome, String> {
        let source = self.source;
        let mut run = SyncRun::start(catalog, source, self.mode, self.options.clone())
            .map_err(|error| quote(&error.to_string()).into_owned())?;
        let since = catalog.source(source).and_then(SourceState::watermark);
        let how = match (run.report().resumed, run.report().mode, since) {
            (true, _, _) => "continuing an interrupted run".to_owned(),
            (false, SyncMode::Incremental, Some(since)) => {
                format!("reading changes since {since}")
            }
            _ => "reading everything".to_owned(),
        };
        let meter = Meter::start(self.progress, source, &how, err);
        let mut saves = 0;
        let mut last_save = Instant::now();
        let mut unsaved = false;
        loop {
            // One page at a time: the runtime runs the fetch, and the blocking save happens
            // between pages, never inside a task. Saving re-encodes the whole catalog, so a
            // checkpoint is written every few seconds rather than after every page, and always
            // at the end and when a page fails.
            let step = self.runtime.block_on(run.next_page(self.client, catalog));
            if step.is_err() && unsaved && self.store.save(catalog).is_ok() {
                saves += 1;
            }
            match step {
                Ok(Some(_)) => {
                    unsaved = true;
                    if run.is_done() || last_save.elapsed() >= CHECKPOINT_EVERY {
                        self.store.save(catalog).map_err(|error| {
                            meter.finish();
                            format!(
                                "cannot save the snapshot: {}; the one saved before is kept",
                                snapshot_file::store_error(&error)
                            )
                        })?;
                        saves += 1;
                        unsaved = false;
                        last_save = Instant::now();
                    }
                    meter.page(source, run.report(), err);
                    if run.is_done() {
                        break;
                    }
                }
                Ok(None) => break,
                Err(error) => {
                    meter.finish();
                    let message = format!("{}: {}", quote(source), quote(&error.to_string()));
                    let _ = writeln!(err, "mcp-registry sync: {message}");
                    let _ = writeln!(
                        err,
                        "mcp-registry sync: {}: {}",
                        quote(source),
                        kept(catalog, source, saves)
                    );
                    return Ok(Outcome {
                        source: source.to_owned(),
                        report: Some(run.into_report()),
                        error: Some(message),
                        saves,
                    });
                }
            }
        }
        meter.finish();
        Ok(Outcome {
            source: source.to_owned(),
            report: Some(run.into_report()),
            error: None,
            saves,
        })
    }
}

/// What a failed source leaves: how old the snapshot's copy of it is, and whether the pages
/// this run fetched were kept (`saves`: one per page).
fn kept(catalog: &Catalog, source: &str, saves: usize) -> String {
    use std::fmt::Write as _;
    let now = snapshot_file::now();
    let mut text = match catalog.source(source) {
        Some(state) if state.last_success().is_some() => format!(
            "the snapshot is kept; its copy of this registry is {}",
            snapshot_file::staleness(state, now)
        ),
        _ => "the snapshot holds nothing complete from this registry yet (never synced)".to_owned(),
    };
    if saves > 0 {
        let _ = write!(
            text,
            "; the {saves} page(s) this run fetched are saved and the next sync continues from there"
        );
    }
    text
}

/// Progress on standard error.
enum Meter {
    Lines,
    Bar(ProgressBar),
}

impl Meter {
    fn start(progress: Progress, source: &str, how: &str, err: &mut dyn Write) -> Self {
        match progress {
            Progress::Lines => {
                let _ = writeln!(err, "sync {}: {how}", quote(source));
                Self::Lines
            }
            Progress::Bar => {
                let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
                let style = ProgressStyle::with_template("{spinner} {prefix} {msg} [{elapsed}]")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner());
                bar.set_style(style);
                bar.set_prefix(format!("sync {}:", quote(source)));
                bar.set_message(how.to_owned());
                bar.enable_steady_tick(Duration::from_millis(120));
                Self::Bar(bar)
            }
        }
    }

    fn page(&self, source: &str, report: &SyncReport, err: &mut dyn Write) {
        match self {
            Self::Lines => {
                let _ = writeln!(
                    err,
                    "sync {}: page {}, {} items",
                    quote(source),
                    report.pages,
                    report.items
                );
            }
            Self::Bar(bar) => bar.set_message(format!(
                "page {}, {} items, {}",
                report.pages,
                report.items,
                HumanBytes(report.bytes)
            )),
        }
    }

    fn finish(&self) {
        if let Self::Bar(bar) = self {
            bar.finish_and_clear();
        }
    }
}

fn mode_name(report: &SyncReport) -> &'static str {
    match report.mode {
        SyncMode::Incremental => "incremental",
        _ => "full",
    }
}

fn print_text(
    out: &mut dyn Write,
    snapshot: &str,
    catalog: &Catalog,
    outcomes: &[Outcome],
    saved: bool,
) {
    for outcome in outcomes {
        let source = quote(&outcome.source);
        let Some(report) = &outcome.report else {
            let _ = writeln!(out, "{source}: failed before its first page");
            continue;
        };
        let mut how = vec![mode_name(report)];
        if report.resumed {
            how.push("resumed");
        }
        if report.reconciled {
            how.push("reconciled");
        }
        if outcome.error.is_some() {
            how.push("failed");
        }
        let _ = writeln!(
            out,
            "{source}: {}; {} page(s), {} item(s), {} bytes ({})",
            report.counts(),
            report.pages,
            report.items,
            report.bytes,
            how.join(", ")
        );
    }
    if saved {
        let _ = writeln!(
            out,
            "{}: {} servers, {} versions",
            quote(snapshot),
            catalog.server_count(),
            catalog.version_count()
        );
    }
}

fn print_json(
    out: &mut dyn Write,
    snapshot: &str,
    catalog: &Catalog,
    outcomes: &[Outcome],
    saved: bool,
) {
    let now = snapshot_file::now();
    let sources: Vec<Value> = outcomes
        .iter()
        .map(|outcome| {
            let state = catalog.source(&outcome.source);
            let mut entry = json!({
                "source": outcome.source,
                "ok": outcome.error.is_none(),
                "lastSuccess": state.and_then(SourceState::last_success).map(|t| t.to_string()),
                "ageSeconds": state.and_then(|s| s.age(now)).map(|age| age.as_secs()),
            });
            if let (Some(report), Value::Object(map)) = (&outcome.report, &mut entry) {
                let counts = report.counts();
                map.insert("mode".to_owned(), mode_name(report).into());
                map.insert("resumed".to_owned(), report.resumed.into());
                map.insert("reconciled".to_owned(), report.reconciled.into());
                map.insert("pages".to_owned(), report.pages.into());
                map.insert("items".to_owned(), report.items.into());
                map.insert("bytes".to_owned(), report.bytes.into());
                map.insert(
                    "watermark".to_owned(),
                    report.watermark.map(|t| t.to_string()).into(),
                );
                map.insert(
                    "changes".to_owned(),
                    json!({
                        "added": counts.added,
                        "updated": counts.updated,
                        "deprecated": counts.deprecated,
                        "deleted": counts.deleted,
                        "restored": counts.restored,
                        "latestChanged": counts.latest_changed,
                        "removed": counts.removed,
                        "purged": counts.purged,
                        "total": counts.total(),
                    }),
                );
            }
            if let (Some(error), Value::Object(map)) = (&outcome.error, &mut entry) {
                map.insert("error".to_owned(), error.clone().into());
            }
            entry
        })
        .collect();
    let report = json!({
        "snapshot": snapshot,
        "saved": saved,
        "servers": catalog.server_count(),
        "versions": catalog.version_count(),
        "sources": sources,
    });
    let text = serde_json::to_string_pretty(&report).unwrap_or_default();
    let _ = writeln!(out, "{}", json_text(text));
}

#[cfg(test)]
mod tests {
    use clap::Parser as _;

    use super::*;
    use crate::cli::{Cli, Command};

    fn parse(args: &[&str]) -> Result<SyncArgs, clap::Error> {
        let line = ["mcp-registry", "sync"].iter().chain(args);
        Cli::try_parse_from(line).map(|cli| match cli.command {
            Command::Sync(args) => args,
            other => panic!("{other:?}"),
        })
    }

    #[test]
    fn registries_keep_their_order_and_the_snapshot_is_required() {
        let options = parse(&[
            "--registry",
            "http://a/",
            "--snapshot",
            "s",
            "--registry",
            "http://b/",
        ])
        .unwrap();
        assert_eq!(options.registries, ["http://a/", "http://b/"]);
        let missing = parse(&["--registry", "http://a/"]).unwrap_err();
        assert_eq!(
            missing.kind(),
            clap::error::ErrorKind::MissingRequiredArgument
        );
        assert!(
            missing.to_string().contains("--snapshot <FILE>"),
            "{missing}"
        );
        let extra = parse(&["--snapshot", "s", "extra"]).unwrap_err();
        assert_eq!(extra.kind(), clap::error::ErrorKind::UnknownArgument);
        let help = parse(&["--help"]).unwrap_err();
        assert_eq!(help.kind(), clap::error::ErrorKind::DisplayHelp);
    }

    #[test]
    fn tombstones_are_kept_thirty_days_unless_told() {
        let keep = |extra: &[&str]| {
            let mut args = vec!["--snapshot", "s"];
            args.extend_from_slice(extra);
            parse(&args).map(|options| options.keep_tombstones.duration())
        };
        assert_eq!(keep(&[]).unwrap(), Some(Duration::from_hours(30 * 24)));
        assert_eq!(
            keep(&["--keep-tombstones", "7"]).unwrap(),
            Some(Duration::from_hours(7 * 24))
        );
        assert_eq!(keep(&["--keep-tombstones", "forever"]).unwrap(), None);
        let error = keep(&["--keep-tombstones", "a week"]).unwrap_err();
        assert_eq!(error.kind(), clap::error::ErrorKind::ValueValidation);
        assert!(
            error.to_string().starts_with(
                "error: invalid value 'a week' for '--keep-tombstones <DAYS|forever>': \
                 expected a number of days or `forever`"
            ),
            "{error}"
        );
    }
}
