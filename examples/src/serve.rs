//! `mcp-registry serve`: serve a catalog snapshot as a registry over HTTP.
//!
//! ```text
//! mcp-registry serve --snapshot FILE [--addr IP:PORT]
//! ```
//!
//! [`ServeArgs`] declares the flags; `mcp-registry serve --help` lists them with their defaults.
//!
//! Answers the registry API's read endpoints (`/v0.1` and `/v0`: the server list with its
//! paging and filters, a server's versions, one version) from the snapshot, through the
//! client crate's [`RegistryHandler`], so any registry client, `mcp-registry` included, can
//! read it, and `mcp-registry sync` can fill another catalog from it. Each entry carries the
//! catalog's own `isLatest` and where it came from. `--addr` defaults to `127.0.0.1:8080`;
//! port 0 takes a free port. The first line on standard output is `listening on
//! http://ADDR`, with the port actually bound.
//!
//! Every response carries an `Age` header: the seconds since the oldest source's last
//! completed sync (sources never synced aside), so a client can tell how stale the copy is.
//! Request bodies are never read (the read endpoints take none); a request that announces one
//! is answered `413`. Ctrl-C (or SIGTERM) stops accepting connections and lets open requests
//! finish, for at most ten seconds. A missing or unreadable snapshot is refused with one line
//! and exit status 1. The snapshot is read once, at start: restart the server to serve a
//! newer one.

use std::io::Write;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use mcp_registry_client::bytes::Bytes;
use mcp_registry_client::catalog::{Catalog, RegistryHandler};
use mcp_registry_client::types::Timestamp;

use crate::registry_cmds::{FAILED, OK, current_thread_runtime};
use crate::safe_output::quote;
use crate::snapshot_file;

/// Where the server listens by default: this machine only.
pub const DEFAULT_ADDR: SocketAddr = SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 8080);
/// How long open requests may run on after Ctrl-C.
const GRACE: Duration = Duration::from_secs(10);

/// `mcp-registry serve --snapshot FILE [--addr IP:PORT]`.
#[derive(Clone, Debug, clap::Args)]
#[command(
    after_help = "Example:\n  mcp-registry serve --snapshot catalog.snapshot --addr 127.0.0.1:8080"
)]
pub struct ServeArgs {
    /// The catalog snapshot to serve (made by `mcp-registry sync`)
    #[arg(long, value_name = "FILE")]
    pub snapshot: String,
    /// Where to listen; port 0 takes a free port
    #[arg(long, value_name = "IP:PORT", default_value_t = DEFAULT_ADDR, value_parser = parse_addr)]
    pub addr: SocketAddr,
}

fn parse_addr(text: &str) -> Result<SocketAddr, String> {
    text.parse()
        .map_err(|_| format!("expected IP:PORT, such as {DEFAULT_ADDR}"))
}

/// What the server answers from.
struct Served {
    catalog: Catalog,
    handler: RegistryHandler,
    /// The oldest last completed sync among the sources, for the `Age` header.
    oldest: Option<Timestamp>,
}

impl Served {
    fn age_seconds(&self) -> Option<u64> {
        let oldest = self.oldest?;
        let seconds = snapshot_file::now()
            .unix_seconds()
            .saturating_sub(oldest.unix_seconds());
        Some(u64::try_from(seconds).unwrap_or(0))
    }
}

/// How the server stopped.
enum Ended {
    /// Every open request finished.
    Drained,
    /// Requests were still open when the grace period ran out.
    Cut,
}

/// `serve`: see the module docs. Runs until Ctrl-C.
pub fn run(options: &ServeArgs, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    let catalog = match snapshot_file::load_existing(&options.snapshot) {
        Ok(catalog) => catalog,
        Err(message) => {
            let _ = writeln!(err, "mcp-registry serve: {message}");
            return FAILED;
        }
    };
    let runtime = match current_thread_runtime() {
        Ok(runtime) => runtime,
        Err(message) => {
            let _ = writeln!(err, "mcp-registry serve: {message}");
            return FAILED;
        }
    };
    let listener = match runtime.block_on(tokio::net::TcpListener::bind(options.addr)) {
        Ok(listener) => listener,
        Err(error) => {
            let _ = writeln!(
                err,
                "mcp-registry serve: cannot listen on {}: {error}",
                options.addr
            );
            return FAILED;
        }
    };
    let bound = listener.local_addr().unwrap_or(options.addr);
    // Tests and scripts read this line to learn the port: flush it now.
    let _ = writeln!(out, "listening on http://{bound}");
    let _ = out.flush();

    let oldest = snapshot_file::oldest_success(&catalog);
    let served = Served {
        handler: RegistryHandler::new(),
        oldest,
        catalog,
    };
    let synced = match served.age_seconds() {
        Some(age) => format!(
            "its oldest source was synced {} ago",
            snapshot_file::age_text(Duration::from_secs(age))
        ),
        None => "no source has completed a sync".to_owned(),
    };
    let _ = writeln!(
        err,
        "mcp-registry serve: {} servers, {} versions from {}; {synced}",
        served.catalog.server_count(),
        served.catalog.version_count(),
        quote(&options.snapshot)
    );
    let app = Router::new().fallback(answer).with_state(Arc::new(served));
    match runtime.block_on(serve(listener, app)) {
        Ok(Ended::Drained) => OK,
        Ok(Ended::Cut) => {
            let _ = writeln!(
                err,
                "mcp-registry serve: requests still open after {}s were cut off",
                GRACE.as_secs()
            );
            OK
        }
        Err(error) => {
            let _ = writeln!(err, "mcp-registry serve: {error}");
            FAILED
        }
    }
}

/// Serves until a shutdown signal, then lets open requests finish within [`GRACE`].
async fn serve(listener: tokio::net::TcpListener, app: Router) -> std::io::Result<Ended> {
    let server = axum::serve(listener, app).with_graceful_shutdown(shutdown_signal());
    let mut server = std::pin::pin!(server.into_future());
    tokio::select! {
        result = &mut server => result.map(|()| Ended::Drained),
        () = shutdown_signal() => match tokio::time::timeout(GRACE, &mut server).await {
            Ok(result) => result.map(|()| Ended::Drained),
            Err(_) => Ok(Ended::Cut),
        },
    }
}

/// Completes on Ctrl-C, or on Unix SIGTERM: when a server should drain and stop. Never, when
/// neither handler can be installed.
pub async fn shutdown_signal() {
    let interrupt = async {
        if tokio::signal::ctrl_c().await.is_err() {
            // No handler could be installed: never shut down by signal.
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
}

/// Answers every request with the registry handler, plus the `Age` header.
async fn answer(State(served): State<Arc<Served>>, request: Request) -> Response {
    // The body is dropped unread: the read endpoints take none, so none is ever buffered.
    let (parts, _body) = request.into_parts();
    let request = axum::http::Request::from_parts(parts, ());
    let mut response = if announces_body(&request) {
        payload_too_large()
    } else {
        served.handler.handle(&served.catalog, &request)
    };
    if let Some(age) = served.age_seconds() {
        response
            .headers_mut()
            .insert(header::AGE, HeaderValue::from(age));
    }
    response.map(Body::from)
}

/// Whether the request says it carries a body: a non-zero `Content-Length`, or any
/// `Transfer-Encoding`.
fn announces_body(request: &axum::http::Request<()>) -> bool {
    let headers = request.headers();
    headers.contains_key(header::TRANSFER_ENCODING)
        || headers
            .get(header::CONTENT_LENGTH)
            .is_some_and(|length| length.to_str().map_or(true, |text| text.trim() != "0"))
}

fn payload_too_large() -> axum::http::Response<Bytes> {
    let detail = "request bodies are not accepted: the registry's read endpoints take none";
    let body = serde_json::json!({
        "title": "Payload Too Large",
        "status": 413,
        "detail": detail,
        "error": detail,
    });
    let mut response =
        axum::http::Response::new(Bytes::from(serde_json::to_vec(&body).unwrap_or_default()));
    *response.status_mut() = StatusCode::PAYLOAD_TOO_LARGE;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/problem+json"),
    );
    response
}
