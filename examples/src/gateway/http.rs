//! The HTTP front end: the [`Gateway`] as an MCP streamable-HTTP endpoint at `/mcp`, mounted in
//! `axum`, behind bearer authentication.
//!
//! What reaches the gateway has passed, in order:
//!
//! 1. **Authentication** ([`Identities`]): a request without a known bearer token or a valid
//!    JWT gets `401` with `WWW-Authenticate: Bearer`, unless it carries no token at all and an
//!    anonymous principal is configured. The principal goes into the request, where the
//!    gateway reads it for every decision.
//! 2. **Session binding**: a session belongs to the principal that opened it; a request on
//!    someone else's session gets `403`. Without this, a second user holding a session id
//!    could open its event stream and answer the first user's approval questions.
//! 3. **DNS-rebinding protection**, by `rmcp`: the `Host` must be one of
//!    [`HttpOptions::allowed_hosts`] (the loopback names and the listening address by
//!    default), and a request with an `Origin` must come from one of
//!    [`HttpOptions::allowed_origins`] (none by default, so browsers are refused).
//! 4. **A body cap** ([`HttpOptions::max_body_bytes`], 4 MiB by default): a larger body gets
//!    `413` before it is read; and a cap on open sessions ([`HttpOptions::max_sessions`]):
//!    a request that would open one more gets `503`.
//!
//! [`serve_http`] stops accepting connections when its shutdown future completes, ends the
//! open sessions and lets requests in flight finish; the caller then
//! [closes](Gateway::close) the gateway, which signs the trail's last checkpoint.

use std::collections::HashMap;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse as _, Response};
use axum::serve::ListenerExt as _;
use mcp_policy::Principal;
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};
use tokio::net::TcpListener;

use super::handler::{Gateway, GatewayError};
use super::identity::{Identities, Unauthorized};

/// The path the MCP endpoint is served at.
pub const MCP_PATH: &str = "/mcp";

/// The default request body cap: 4 MiB.
pub const DEFAULT_MAX_BODY_BYTES: usize = 4 * 1024 * 1024;

/// The default cap on open sessions.
pub const DEFAULT_MAX_SESSIONS: usize = 10_000;

/// How long a session may go unused before, with the front end full, it is forgotten (and
/// answered `404`, so its client opens a new one). Longer than `rmcp`'s own idle limit.
pub(super) const SESSION_IDLE: Duration = Duration::from_hours(1);

/// How the HTTP front end checks requests.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct HttpOptions {
    /// `Host` values accepted (`name` or `name:port`).
    pub allowed_hosts: Vec<String>,
    /// `Origin` values accepted (`scheme://host[:port]`, `:*` for any port); empty refuses
    /// every request that carries an `Origin`.
    pub allowed_origins: Vec<String>,
    /// The largest request body read.
    pub max_body_bytes: usize,
    /// The principal of a request with no `Authorization` header; `None` refuses them.
    pub anonymous: Option<Principal>,
    /// The most sessions open at once; a request to open one more gets `503`.
    pub max_sessions: usize,
}

impl HttpOptions {
    /// Loopback hosts and `listen` itself, no origins, a 4 MiB cap, no anonymous access.
    pub fn new(listen: SocketAddr) -> Self {
        Self {
            allowed_hosts: vec![
                "localhost".to_owned(),
                "127.0.0.1".to_owned(),
                "::1".to_owned(),
                listen.to_string(),
            ],
            allowed_origins: Vec::new(),
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            anonymous: None,
            max_sessions: DEFAULT_MAX_SESSIONS,
        }
    }
}

struct Front {
    identities: Arc<Identities>,
    anonymous: Option<Principal>,
    /// Session id → the id of the principal that opened it, and when it was last used.
    sessions: Mutex<HashMap<String, (String, Instant)>>,
    max_sessions: usize,
}

/// Serves `gateway` on `listener` until `shutdown` completes, then drains.
///
/// # Errors
///
/// When the server fails to accept connections.
pub async fn serve_http(
    gateway: Gateway,
    identities: Arc<Identities>,
    listener: TcpListener,
    options: HttpOptions,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), GatewayError> {
    let mut config = StreamableHttpServerConfig::default()
        .with_allowed_hosts(options.allowed_hosts)
        .with_allowed_origins(options.allowed_origins.clone());
    if options.allowed_origins.is_empty() {
        config = config.enforce_origin_validation();
    }
    config.max_request_body_bytes = options.max_body_bytes;
    let sessions_end = config.cancellation_token.clone();
    let service = StreamableHttpService::new(
        move || Ok(gateway.clone()),
        Arc::new(LocalSessionManager::default()),
        config,
    );
    let front = Arc::new(Front {
        identities,
        anonymous: options.anonymous,
        sessions: Mutex::new(HashMap::new()),
        max_sessions: options.max_sessions,
    });
    let app = Router::new()
        .route_service(MCP_PATH, service)
        .layer(middleware::from_fn_with_state(front, authenticate));
    // An answer streamed as server-sent events goes out in several writes; with Nagle on, a
    // host that keeps its connection would wait up to 40 ms (delayed ACK) for each answer.
    let listener = listener.tap_io(|stream| {
        // Without it only latency suffers; the connection is served either way.
        let _nodelay = stream.set_nodelay(true);
    });
    axum::serve(listener, app)
        .with_graceful_shutdown(async move {
            shutdown.await;
            sessions_end.cancel();
        })
        .await
        .map_err(|error| GatewayError::Serve(error.to_string()))
}

/// Authenticates the request and checks its session belongs to the same principal.
async fn authenticate(
    State(front): State<Arc<Front>>,
    mut request: Request,
    next: Next,
) -> Response {
    let authorization = match request
        .headers()
        .get(header::AUTHORIZATION)
        .map(HeaderValue::to_str)
    {
        None => None,
        Some(Ok(value)) => Some(value),
        // A header that is not visible ASCII cannot be a token we issued.
        Some(Err(_)) => return unauthorized(&Unauthorized::Unknown),
    };
    let principal = match (
        front.identities.authenticate(authorization),
        &front.anonymous,
    ) {
        (Ok(principal), _) => principal,
        (Err(Unauthorized::Missing), Some(anonymous)) if authorization.is_none() => {
            anonymous.clone()
        }
        (Err(why), _) => return unauthorized(&why),
    };
    let session = request
        .headers()
        .get("mcp-session-id")
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    if let Some(session) = &session {
        let owner = front.sessions.lock().ok().and_then(|mut sessions| {
            let (owner, used) = sessions.get_mut(session)?;
            *used = Instant::now();
            Some(owner.clone())
        });
        match owner {
            Some(owner) if owner == principal.id => {}
            Some(_) => {
                return (
                    StatusCode::FORBIDDEN,
                    "this session belongs to another principal",
                )
                    .into_response();
            }
            // Every session this front end let open is known: one it does not know is over
            // (or never was), as the protocol's 404 tells the client.
            None => return (StatusCode::NOT_FOUND, "no such session").into_response(),
        }
    } else {
        let full = front.sessions.lock().map_or(true, |mut sessions| {
            if sessions.len() >= front.max_sessions {
                sessions.retain(|_, (_, used)| used.elapsed() < SESSION_IDLE);
            }
            sessions.len() >= front.max_sessions
        });
        if full {
            return (
                StatusCode::SERVICE_UNAVAILABLE,
                "too many open sessions; close one (DELETE) first",
            )
                .into_response();
        }
    }
    let id = principal.id.clone();
    let closing = request.method() == Method::DELETE;
    request.extensions_mut().insert(principal);
    let response = next.run(request).await;
    if let Ok(mut sessions) = front.sessions.lock() {
        match (&session, response.headers().get("mcp-session-id")) {
            (None, Some(opened)) => {
                if let Ok(opened) = opened.to_str() {
                    sessions.insert(opened.to_owned(), (id, Instant::now()));
                }
            }
            (Some(session), _) if closing && response.status().is_success() => {
                sessions.remove(session);
            }
            _ => {}
        }
    }
    response
}

fn unauthorized(why: &Unauthorized) -> Response {
    let challenge = match why {
        Unauthorized::Missing => HeaderValue::from_static("Bearer"),
        _ => HeaderValue::from_static("Bearer error=\"invalid_token\""),
    };
    (
        StatusCode::UNAUTHORIZED,
        [(header::WWW_AUTHENTICATE, challenge)],
        why.to_string(),
    )
        .into_response()
}
