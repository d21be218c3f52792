//! `mcp-registry search|show|versions`: read the MCP registry from the command line.
//!
//! ```text
//! mcp-registry search [--registry URL] [--json] [--limit N] [--timeout SECS] [--retries N] QUERY
//! mcp-registry show [--registry URL] [--json] [--timeout SECS] [--retries N] NAME[@VERSION]
//! mcp-registry versions [--registry URL] [--json] [--timeout SECS] [--retries N] NAME
//! ```
//!
//! `--registry` defaults to the official registry. Network and registry failures print one line
//! to standard error and exit 1; bad arguments exit 2. Text from the registry is sanitised
//! before it reaches the terminal ([`sanitize_text`]), and `--json` output writes control,
//! bidi and invisible characters as `\uXXXX` escapes ([`crate::safe_output::json_text`]).

use std::io::Write;
use std::time::Duration;

use futures::{StreamExt as _, TryStreamExt as _};
use mcp_registry_client::types::{OfficialMeta, ServerResponse, sanitize_text};
use mcp_registry_client::{ClientError, ListQuery, OFFICIAL_REGISTRY, RegistryClient, RetryPolicy};

/// Exit code: success.
pub const OK: u8 = 0;
/// Exit code: the registry could not be reached or answered with an error.
pub const FAILED: u8 = 1;
/// Exit code: the arguments are wrong.
pub const USAGE_ERROR: u8 = 2;

const SEARCH_USAGE: &str = "usage: mcp-registry search [--registry URL] [--json] [--limit N] [--timeout SECS] [--retries N] QUERY";
const SHOW_USAGE: &str = "usage: mcp-registry show [--registry URL] [--json] [--timeout SECS] [--retries N] NAME[@VERSION]";
const VERSIONS_USAGE: &str =
    "usage: mcp-registry versions [--registry URL] [--json] [--timeout SECS] [--retries N] NAME";

/// `search QUERY`: the latest version of every server whose name contains `QUERY` (the
/// registry searches names only), up to `--limit` results (default 30).
pub fn search(args: &[String], out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    let options = match Options::parse("search", args, true) {
        Ok(options) => options,
        Err(code) => return report_usage(code, "search", SEARCH_USAGE, out, err),
    };
    let limit = options.limit;
    let query = ListQuery::new()
        .with_search(options.target.clone())
        .with_latest_only()
        .with_limit(100);
    let result = run(&options, |client| async move {
        client
            .stream(query)
            .take(limit)
            .try_collect::<Vec<_>>()
            .await
    });
    match result {
        Ok(servers) if options.json => print_json(out, err, "search", &servers),
        Ok(servers) => {
            if servers.is_empty() {
                let _ = writeln!(out, "no servers match `{}`", sanitize_text(&options.target));
            }
            for server in &servers {
                let doc = server.server();
                let _ = writeln!(
                    out,
                    "{}  {}  {}",
                    sanitize_text(doc.name()),
                    sanitize_text(doc.version()),
                    sanitize_text(doc.description())
                );
            }
            OK
        }
        Err(failure) => failure.report("search", err),
    }
}

/// `show NAME[@VERSION]`: one version of a server (the latest when no version is given).
pub fn show(args: &[String], out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    let options = match Options::parse("show", args, false) {
        Ok(options) => options,
        Err(code) => return report_usage(code, "show", SHOW_USAGE, out, err),
    };
    // Names contain no `@`, so the last one separates the version.
    let (name, version) = match options.target.rsplit_once('@') {
        Some((name, version)) if !name.is_empty() && !version.is_empty() => {
            (name.to_owned(), version.to_owned())
        }
        _ => (options.target.clone(), "latest".to_owned()),
    };
    let result = run(&options, |client| async move {
        client.server_version(&name, &version).await
    });
    match result {
        Ok(server) if options.json => print_json(out, err, "show", &server),
        Ok(server) => {
            print_server(out, &server);
            OK
        }
        Err(failure) => failure.report("show", err),
    }
}

/// `versions NAME`: every version of a server, newest first, with status and latest marker.
pub fn versions(args: &[String], out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    let options = match Options::parse("versions", args, false) {
        Ok(options) => options,
        Err(code) => return report_usage(code, "versions", VERSIONS_USAGE, out, err),
    };
    let name = options.target.clone();
    let result = run(
        &options,
        |client| async move { client.versions(&name).await },
    );
    match result {
        Ok(list) if options.json => print_json(out, err, "versions", list.servers()),
        Ok(list) => {
            for server in list.servers() {
                let official = server.official();
                let _ = writeln!(
                    out,
                    "{}  {}  {}{}",
                    sanitize_text(server.server().version()),
                    sanitize_text(server.status().as_str()),
                    sanitize_text(official.and_then(|o| o.published_at()).unwrap_or("-")),
                    if official.is_some_and(OfficialMeta::is_latest) {
                        "  latest"
                    } else {
                        ""
                    }
                );
            }
            OK
        }
        Err(failure) => failure.report("versions", err),
    }
}

/// Parsed command-line options shared by the three commands.
struct Options {
    registry: String,
    json: bool,
    limit: usize,
    timeout: Duration,
    retries: u32,
    target: String,
}

/// Why parsing stopped: help was asked for, or the arguments are wrong.
enum Stop {
    Help,
    Usage(String),
}

impl Options {
    fn parse(command: &str, args: &[String], with_limit: bool) -> Result<Self, Stop> {
        let mut options = Self {
            registry: OFFICIAL_REGISTRY.to_owned(),
            json: false,
            limit: 30,
            timeout: Duration::from_secs(30),
            retries: RetryPolicy::new().max_retries(),
            target: String::new(),
        };
        let mut target = None;
        let mut args = args.iter();
        while let Some(arg) = args.next() {
            let mut value = |flag: &str| {
                args.next()
                    .cloned()
                    .ok_or_else(|| Stop::Usage(format!("`{flag}` needs a value")))
            };
            match arg.as_str() {
                "-h" | "--help" => return Err(Stop::Help),
                "--json" => options.json = true,
                "--registry" => options.registry = value("--registry")?,
                "--timeout" => {
                    let seconds = number(&value("--timeout")?, "--timeout")?;
                    options.timeout = Duration::from_secs(seconds);
                }
                "--retries" => options.retries = number(&value("--retries")?, "--retries")?,
                "--limit" if with_limit => options.limit = number(&value("--limit")?, "--limit")?,
                flag if flag.starts_with("--") => {
                    return Err(Stop::Usage(format!(
                        "unknown option `{}`",
                        sanitize_text(flag)
                    )));
                }
                positional if target.is_none() => target = Some(positional.to_owned()),
                extra => {
                    return Err(Stop::Usage(format!(
                        "unexpected argument `{}`",
                        sanitize_text(extra)
                    )));
                }
            }
        }
        options.target = target.ok_or_else(|| {
            Stop::Usage(if command == "search" {
                "missing QUERY".to_owned()
            } else {
                "missing NAME".to_owned()
            })
        })?;
        Ok(options)
    }
}

fn number<T: std::str::FromStr>(text: &str, flag: &str) -> Result<T, Stop> {
    text.parse().map_err(|_| {
        Stop::Usage(format!(
            "`{flag}` needs a number, not `{}`",
            sanitize_text(text)
        ))
    })
}

fn report_usage(
    stop: Stop,
    command: &str,
    usage: &str,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> u8 {
    match stop {
        Stop::Help => {
            let _ = writeln!(out, "{usage}");
            OK
        }
        Stop::Usage(message) => {
            let _ = writeln!(err, "mcp-registry {command}: {message}\n{usage}");
            USAGE_ERROR
        }
    }
}

/// Why a command failed after its arguments parsed.
enum Failure {
    Setup(String),
    Client(ClientError),
}

impl Failure {
    fn report(self, command: &str, err: &mut dyn Write) -> u8 {
        let message = match self {
            Self::Setup(message) => message,
            Self::Client(error) => error.to_string(),
        };
        // Error text can carry registry-controlled strings; keep it one safe line.
        let _ = writeln!(err, "mcp-registry {command}: {}", sanitize_text(&message));
        FAILED
    }
}

/// Builds a client and a single-threaded runtime, and runs `task` to completion.
fn run<T, F, Fut>(options: &Options, task: F) -> Result<T, Failure>
where
    F: FnOnce(RegistryClient) -> Fut,
    Fut: std::future::Future<Output = Result<T, ClientError>>,
{
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::Setup(format!("cannot start the async runtime: {e}")))?;
    runtime.block_on(async {
        let client = RegistryClient::builder()
            .with_base_url_str(&options.registry)
            .with_user_agent(concat!("mcp-registry-cli/", env!("CARGO_PKG_VERSION")))
            .with_timeout(options.timeout)
            .with_retry_policy(RetryPolicy::new().with_max_retries(options.retries))
            .build()
            .map_err(|e| Failure::Setup(e.to_string()))?;
        task(client).await.map_err(Failure::Client)
    })
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
