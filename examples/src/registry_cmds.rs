//! `mcp-registry search|show|versions`: read the MCP registry, or a catalog snapshot, from the
//! command line.
//!
//! ```text
//! mcp-registry search [--registry URL | --snapshot FILE] [--json] [--limit N | --all]
//!                     [--timeout SECS] [--retries N] QUERY
//! mcp-registry show [--registry URL | --snapshot FILE] [--json] [--timeout SECS] [--retries N]
//!                   NAME[@VERSION]
//! mcp-registry versions [--registry URL | --snapshot FILE] [--json] [--timeout SECS]
//!                       [--retries N] NAME
//! ```
//!
//! [`SearchArgs`], [`ShowArgs`] and [`VersionsArgs`] declare the flags, sharing [`RegistryArgs`].
//!
//! With `--registry URL` the commands ask a registry (`--registry official` names the official
//! one). With `--snapshot FILE` they work offline, from a catalog that [`crate::sync`] filled;
//! with neither, from the sample catalog built into the tool ([`crate::bundled`]), saying so
//! on standard error. Offline, `search` ranks the catalog's servers
//! by name, title and description ([`Catalog::search`]) instead of the registry's substring
//! match on names; `show` and `versions` answer through the same [`RegistryHandler`] that
//! `mcp-registry serve` mounts, so they print what that server would send (the catalog's own
//! `isLatest`, and where each version came from). `--limit 0` or `--all` lists every match
//! (the default is 30).
//!
//! Network and registry failures, and a missing or unreadable snapshot, print one line to
//! standard error and exit 1; bad arguments exit 2 ([`crate::cli::USAGE_ERROR`]). Text from
//! the registry is sanitised before it reaches the terminal ([`sanitize_text`]), and `--json`
//! output writes control, bidi and invisible characters as `\uXXXX` escapes
//! ([`crate::safe_output::json_text`]).

use std::io::Write;
use std::time::Duration;

use futures::{StreamExt as _, TryStreamExt as _};
use mcp_registry_client::bytes::Bytes;
use mcp_registry_client::catalog::{CATALOG_META, Catalog, RegistryHandler};
use mcp_registry_client::http::{Request, Response, StatusCode};
use mcp_registry_client::types::{OfficialMeta, ServerList, ServerResponse, sanitize_text};
use mcp_registry_client::{
    BuildError, ClientError, ListQuery, OFFICIAL_REGISTRY, RegistryClient, RetryPolicy,
};

use crate::safe_output::quote;
use crate::snapshot_file;

/// Exit code: success.
pub const OK: u8 = 0;
/// Exit code: the registry could not be reached or answered with an error.
pub const FAILED: u8 = 1;

/// `--registry URL | --snapshot FILE`, `--timeout SECS` and `--retries N`: where the
/// commands read from.
#[derive(Clone, Debug, clap::Args)]
pub struct RegistryArgs {
    /// The registry to ask (`official` for the official registry); without it or --snapshot,
    /// the bundled sample catalog is read offline
    #[arg(long, value_name = "URL", conflicts_with = "snapshot")]
    pub registry: Option<String>,
    /// Read this catalog snapshot (made by `mcp-registry sync`) offline instead of a registry
    #[arg(long, value_name = "FILE")]
    pub snapshot: Option<String>,
    /// How the client talks to the registry.
    #[command(flatten)]
    pub network: NetworkArgs,
}

/// `--timeout SECS` and `--retries N`, for every command that talks to a registry.
#[derive(Clone, Debug, clap::Args)]
pub struct NetworkArgs {
    /// Give up on a request after SECS seconds
    #[arg(long, value_name = "SECS", default_value_t = 30)]
    pub timeout: u64,
    /// Retry a failed request up to N times
    #[arg(long, value_name = "N", default_value_t = RetryPolicy::new().max_retries())]
    pub retries: u32,
}

impl NetworkArgs {
    /// A client for the registry at `url`, with this timeout and retry count.
    ///
    /// # Errors
    /// `url` is not a registry URL the client accepts.
    pub(crate) fn client(&self, url: &str) -> Result<RegistryClient, BuildError> {
        RegistryClient::builder()
            .with_base_url_str(url)
            .with_user_agent(concat!("mcp-registry-cli/", env!("CARGO_PKG_VERSION")))
            .with_timeout(Duration::from_secs(self.timeout))
            .with_retry_policy(RetryPolicy::new().with_max_retries(self.retries))
            .build()
    }
}

/// Where a command reads from, once its flags are read.
pub(crate) enum Source<'a> {
    /// A registry, by base URL.
    Registry(&'a str),
    /// A catalog snapshot file.
    Snapshot(&'a str),
    /// The sample catalog built into the tool.
    Bundled,
}

impl RegistryArgs {
    /// Where to read: the registry or snapshot given, else the bundled sample.
    pub(crate) fn source(&self) -> Source<'_> {
        match (&self.registry, &self.snapshot) {
            (Some(url), _) if url == "official" => Source::Registry(OFFICIAL_REGISTRY),
            (Some(url), _) => Source::Registry(url),
            (None, Some(path)) => Source::Snapshot(path),
            (None, None) => Source::Bundled,
        }
    }

    /// The catalog an offline command reads (saying on `err` when it is the bundled sample),
    /// or `None` when the command asks a registry.
    pub(crate) fn offline(&self, err: &mut dyn Write) -> Result<Option<(Catalog, String)>, String> {
        match self.source() {
            Source::Registry(_) => Ok(None),
            Source::Snapshot(path) => {
                snapshot_file::load_existing(path).map(|catalog| Some((catalog, path.to_owned())))
            }
            Source::Bundled => {
                let _ = writeln!(err, "mcp-registry: {}", crate::bundled::NOTICE);
                crate::bundled::catalog()
                    .map(|catalog| Some((catalog, "the bundled sample catalog".to_owned())))
            }
        }
    }
}

/// `mcp-registry search [--registry URL | --snapshot FILE] [--json] [--limit N | --all] QUERY`.
#[derive(Clone, Debug, clap::Args)]
#[command(after_help = "Example:\n  mcp-registry search --limit 5 weather\n  \
                        mcp-registry search --snapshot catalog.snapshot weather")]
pub struct SearchArgs {
    /// Where to search.
    #[command(flatten)]
    pub source: RegistryArgs,
    /// Print the registry's documents as JSON
    #[arg(long)]
    pub json: bool,
    /// List at most N matches (0: every match)
    #[arg(long, value_name = "N", default_value_t = 30, conflicts_with = "all")]
    pub limit: usize,
    /// List every match
    #[arg(long)]
    pub all: bool,
    /// Part of a server name (with --snapshot: words to rank names, titles and descriptions by)
    #[arg(value_name = "QUERY")]
    pub query: String,
}

impl SearchArgs {
    /// How many matches to list; `None` for every one.
    fn limit(&self) -> Option<usize> {
        (!self.all && self.limit > 0).then_some(self.limit)
    }
}

/// `mcp-registry show [--registry URL | --snapshot FILE] [--json] NAME[@VERSION]`.
#[derive(Clone, Debug, clap::Args)]
#[command(after_help = "Example:\n  mcp-registry show io.github.acme/weather@1.2.0")]
pub struct ShowArgs {
    /// Where to look.
    #[command(flatten)]
    pub source: RegistryArgs,
    /// Print the registry's document as JSON
    #[arg(long)]
    pub json: bool,
    /// The server's name, and the version after an `@` (the latest when none is given)
    #[arg(value_name = "NAME[@VERSION]")]
    pub target: String,
}

/// `mcp-registry versions [--registry URL | --snapshot FILE] [--json] NAME`.
#[derive(Clone, Debug, clap::Args)]
#[command(after_help = "Example:\n  mcp-registry versions io.github.acme/weather")]
pub struct VersionsArgs {
    /// Where to look.
    #[command(flatten)]
    pub source: RegistryArgs,
    /// Print the registry's documents as JSON
    #[arg(long)]
    pub json: bool,
    /// The server's name
    #[arg(value_name = "NAME")]
    pub name: String,
}

/// `search QUERY`: the latest version of every server whose name contains `QUERY` (the
/// registry searches names only), up to `--limit` results (default 30; `--limit 0` or `--all`
/// for every match). With `--snapshot`, the catalog's ranked search instead, best match first.
pub fn search(args: &SearchArgs, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    let result = match args.source.offline(err) {
        Err(message) => Err(Failure::Message(message)),
        Ok(Some((catalog, _))) => offline_search(&catalog, &args.query, args.limit()),
        Ok(None) => {
            let limit = args.limit().unwrap_or(usize::MAX);
            let query = ListQuery::new()
                .with_search(args.query.clone())
                .with_latest_only()
                .with_limit(100);
            run(&args.source, |client| async move {
                client
                    .stream(query)
                    .take(limit)
                    .try_collect::<Vec<_>>()
                    .await
            })
        }
    };
    match result {
        Ok(servers) if args.json => print_json(out, err, "search", &servers),
        Ok(servers) => {
            if servers.is_empty() {
                let _ = writeln!(out, "no servers match `{}`", sanitize_text(&args.query));
            }
            let rows: Vec<[String; 3]> = servers
                .iter()
                .map(|server| {
                    let doc = server.server();
                    [doc.name(), doc.version(), doc.description()]
                        .map(|text| sanitize_text(text).into_owned())
                })
                .collect();
            crate::safe_output::table(out, &rows);
            OK
        }
        Err(failure) => failure.report("search", err),
    }
}

/// `show NAME[@VERSION]`: one version of a server (the latest when no version is given).
pub fn show(args: &ShowArgs, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    let (name, version) = split_target(&args.target);
    let result = fetch(&args.source, name, version, err);
    match result {
        Ok(server) if args.json => print_json(out, err, "show", &server),
        Ok(server) => {
            print_server(out, &server);
            OK
        }
        Err(failure) => failure.report("show", err),
    }
}

/// `versions NAME`: every version of a server, newest first, with status and latest marker.
pub fn versions(args: &VersionsArgs, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    let name = args.name.clone();
    let result = match args.source.offline(err) {
        Err(message) => Err(Failure::Message(message)),
        Ok(Some((catalog, label))) => offline_versions(&catalog, &label, &name),
        Ok(None) => run(&args.source, |client| async move {
            client.versions(&name).await
        }),
    };
    match result {
        Ok(list) if args.json => print_json(out, err, "versions", list.servers()),
        Ok(list) => {
            let rows: Vec<[String; 4]> = list
                .servers()
                .iter()
                .map(|server| {
                    let official = server.official();
                    [
                        server.server().version(),
                        server.status().as_str(),
                        official.and_then(|o| o.published_at()).unwrap_or("-"),
                        if official.is_some_and(OfficialMeta::is_latest) {
                            "latest"
                        } else {
                            ""
                        },
                    ]
                    .map(|text| sanitize_text(text).into_owned())
                })
                .collect();
            crate::safe_output::table(out, &rows);
            OK
        }
        Err(failure) => failure.report("versions", err),
    }
}

/// One version of a server's document (`latest` for the latest) from where `source` says,
/// for commands that work on an entry (`config`).
///
/// # Errors
/// The one-line message to print: not found, unreachable, unreadable.
pub(crate) fn fetch_server(
    source: &RegistryArgs,
    name: &str,
    version: &str,
    err: &mut dyn Write,
) -> Result<mcp_registry_client::types::ServerJson, String> {
    fetch(source, name, version, err)
        .map(ServerResponse::into_server)
        .map_err(|failure| match failure {
            Failure::Message(message) => message,
            Failure::Client(error) => error.to_string(),
        })
}

/// `NAME[@VERSION]` split at the last `@` (names contain none); `latest` without a version.
pub(crate) fn split_target(target: &str) -> (&str, &str) {
    match target.rsplit_once('@') {
        Some((name, version)) if !name.is_empty() && !version.is_empty() => (name, version),
        _ => (target, "latest"),
    }
}

/// One version's response from where `source` says: `show`, and [`fetch_server`].
fn fetch(
    source: &RegistryArgs,
    name: &str,
    version: &str,
    err: &mut dyn Write,
) -> Result<ServerResponse, Failure> {
    match source.offline(err) {
        Err(message) => Err(Failure::Message(message)),
        Ok(Some((catalog, label))) => offline_show(&catalog, &label, name, version),
        Ok(None) => {
            let (name, version) = (name.to_owned(), version.to_owned());
            run(source, |client| async move {
                client.server_version(&name, &version).await
            })
        }
    }
}

/// Why a command failed after its arguments parsed.
enum Failure {
    /// A message ready to print.
    Message(String),
    Client(ClientError),
}

impl Failure {
    fn report(self, command: &str, err: &mut dyn Write) -> u8 {
        let message = match self {
            Self::Message(message) => message,
            Self::Client(error) => error.to_string(),
        };
        // Error text can carry registry-controlled strings; keep it one safe line.
        let _ = writeln!(err, "mcp-registry {command}: {}", sanitize_text(&message));
        FAILED
    }
}

/// Builds a client and a single-threaded runtime, and runs `task` to completion.
fn run<T, F, Fut>(source: &RegistryArgs, task: F) -> Result<T, Failure>
where
    F: FnOnce(RegistryClient) -> Fut,
    Fut: std::future::Future<Output = Result<T, ClientError>>,
{
    let runtime = current_thread_runtime().map_err(Failure::Message)?;
    let url = match source.source() {
        Source::Registry(url) => url,
        Source::Snapshot(_) | Source::Bundled => OFFICIAL_REGISTRY,
    };
    runtime.block_on(async {
        let client = source
            .network
            .client(url)
            .map_err(|e| Failure::Message(e.to_string()))?;
        task(client).await.map_err(Failure::Client)
    })
}

/// `search` offline: the catalog's ranked search, each hit as `serve` would send it.
fn offline_search(
    catalog: &Catalog,
    query: &str,
    limit: Option<usize>,
) -> Result<Vec<ServerResponse>, Failure> {
    let mut servers = Vec::new();
    for hit in catalog.search(query, limit) {
        let entry = hit.entry();
        let target = version_path(entry.name(), entry.version());
        if let Some(body) = ask(catalog, &target)? {
            servers.push(parse(&body, ServerResponse::from_slice)?);
        }
    }
    Ok(servers)
}

/// `show` offline, from the catalog `label` names in messages.
fn offline_show(
    catalog: &Catalog,
    label: &str,
    name: &str,
    version: &str,
) -> Result<ServerResponse, Failure> {
    match ask(catalog, &version_path(name, version))? {
        Some(body) => parse(&body, ServerResponse::from_slice),
        None => Err(Failure::Message(format!(
            "not found in {}: `{}` version `{}`",
            quote(label),
            quote(name),
            quote(version)
        ))),
    }
}

/// `versions` offline.
fn offline_versions(catalog: &Catalog, label: &str, name: &str) -> Result<ServerList, Failure> {
    let target = format!("/v0.1/servers/{}/versions", segment(name));
    match ask(catalog, &target)? {
        Some(body) => parse(&body, ServerList::from_slice),
        None => Err(Failure::Message(format!(
            "not found in {}: `{}`",
            quote(label),
            quote(name)
        ))),
    }
}

fn version_path(name: &str, version: &str) -> String {
    format!(
        "/v0.1/servers/{}/versions/{}",
        segment(name),
        segment(version)
    )
}

/// Asks the catalog what `mcp-registry serve` would answer to `GET target`: the body of a
/// `200`, `None` for a `404`. Going through the handler keeps one definition of a served
/// entry (the catalog's `isLatest`, its provenance) for the server and the offline commands.
fn ask(catalog: &Catalog, target: &str) -> Result<Option<Bytes>, Failure> {
    let request = Request::get(target).body(()).map_err(|error| {
        Failure::Message(format!(
            "cannot ask the catalog for `{}`: {error}",
            quote(target)
        ))
    })?;
    let response: Response<Bytes> = RegistryHandler::new().handle(catalog, &request);
    match response.status() {
        StatusCode::OK => Ok(Some(response.into_body())),
        StatusCode::NOT_FOUND => Ok(None),
        status => Err(Failure::Message(format!(
            "the catalog answered `{}` with status {status}: `{}`",
            quote(target),
            quote(&String::from_utf8_lossy(response.body()))
        ))),
    }
}

fn parse<T, E: std::fmt::Display>(
    body: &[u8],
    read: impl FnOnce(&[u8]) -> Result<T, E>,
) -> Result<T, Failure> {
    read(body)
        .map_err(|error| Failure::Message(format!("cannot read the catalog's answer: {error}")))
}

/// A path segment, percent-encoded as the registry's paths want (`/` and `+` included).
fn segment(text: &str) -> String {
    use std::fmt::Write as _;
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(char::from(byte));
        } else {
            let _ = write!(out, "%{byte:02X}");
        }
    }
    out
}

/// The single-threaded runtime every networked command runs on.
///
/// # Errors
/// The message to print when it cannot be started.
pub(crate) fn current_thread_runtime() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|error| format!("cannot start the async runtime: {error}"))
}

fn print_json<T: serde::Serialize + ?Sized>(
    out: &mut dyn Write,
    err: &mut dyn Write,
    command: &str,
    value: &T,
) -> u8 {
    match serde_json::to_string_pretty(value) {
        Ok(json) => {
            let _ = writeln!(out, "{}", crate::safe_output::json_text(json));
            OK
        }
        Err(error) => {
            let _ = writeln!(err, "mcp-registry {command}: cannot write output: {error}");
            FAILED
        }
    }
}

fn print_server(out: &mut dyn Write, response: &ServerResponse) {
    let server = response.server();
    let _ = writeln!(
        out,
        "{} {}",
        sanitize_text(server.name()),
        sanitize_text(server.version())
    );
    if let Some(title) = server.title() {
        let _ = writeln!(out, "  title:       {}", sanitize_text(title));
    }
    let _ = writeln!(
        out,
        "  description: {}",
        sanitize_text(server.description())
    );
    let _ = writeln!(
        out,
        "  status:      {}",
        sanitize_text(response.status().as_str())
    );
    if let Some(official) = response.official() {
        if let Some(published) = official.published_at() {
            let _ = writeln!(out, "  published:   {}", sanitize_text(published));
        }
        let _ = writeln!(
            out,
            "  latest:      {}",
            if official.is_latest() { "yes" } else { "no" }
        );
    }
    // A catalog (offline, or `mcp-registry serve`) says where the version came from.
    if let Some(provenance) = response
        .meta()
        .and_then(|meta| meta.extra().get(CATALOG_META))
    {
        let text = |key: &str| provenance.get(key).and_then(|v| v.as_str()).unwrap_or("-");
        let _ = writeln!(
            out,
            "  source:      {} (synced {})",
            sanitize_text(text("source")),
            sanitize_text(text("syncedAt"))
        );
    }
    if let Some(url) = server.repository().and_then(|r| r.url()) {
        let _ = writeln!(out, "  repository:  {}", sanitize_text(url));
    }
    for package in server.packages() {
        let registry = package.registry_type().map_or("?", |t| t.as_str());
        let transport = package
            .transport()
            .and_then(|t| t.transport_type())
            .map_or("?", |t| t.as_str());
        let config = if package.needs_configuration() {
            "  (needs configuration)"
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "  package:     {} {} ({}){config}",
            sanitize_text(registry),
            sanitize_text(package.identifier()),
            sanitize_text(transport)
        );
    }
    for remote in server.remotes() {
        let kind = remote.transport_type().map_or("?", |t| t.as_str());
        let config = if remote.needs_configuration() {
            "  (needs configuration)"
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "  remote:      {} {}{config}",
            sanitize_text(kind),
            sanitize_text(remote.url().unwrap_or("-"))
        );
    }
}
