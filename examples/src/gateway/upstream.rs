//! The gateway's upstreams: one MCP client per server of a host config file, a child process
//! over stdio or a remote over streamable HTTP.

use std::collections::HashMap;
use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use mcp_policy::{RemoteFacts, ServerFacts};
use mcp_registry_types::TransportType;
use mcp_registry_types::host::{Endpoint, ExpandError, ImportedServer};
use rmcp::model::{
    ClientCapabilities, ClientConfig, ClientRequest, ElicitRequestParams, ElicitResult,
    ElicitationCreateRequestMethod, Implementation, JsonRpcMessage, ProgressToken,
    ServerNotification, ServerResult, Tool,
};
use rmcp::service::{NotificationContext, PeerRequestOptions, RequestContext, RunningService};
use rmcp::service::{RxJsonRpcMessage, TxJsonRpcMessage};
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
use rmcp::transport::{IntoTransport, StreamableHttpClientTransport, TokioChildProcess, Transport};
use rmcp::{ClientHandler, ErrorData, Peer, RoleClient, RoleServer, ServiceError, ServiceExt as _};
use url::{Host, Url};

/// The separator between an upstream's key and its tool's name on the gateway: `KEY__TOOL`.
pub const SEPARATOR: &str = "__";

/// How long an upstream's tool definitions are reused before they are listed again; a
/// `notifications/tools/list_changed` from the upstream drops them at once.
pub const TOOLS_MAX_AGE: Duration = Duration::from_secs(5);

/// Why an upstream could not be started.
#[non_exhaustive]
#[derive(Debug, thiserror::Error)]
pub enum UpstreamError {
    /// The key contains the `__` separator, which would make tool names ambiguous.
    #[error(
        "upstream `{0}`: a key must not contain `{SEPARATOR}` (tools are named KEY{SEPARATOR}TOOL)"
    )]
    BadKey(String),
    /// A variable reference could not be filled in.
    #[error("upstream: {0}")]
    Variables(#[from] ExpandError),
    /// Two entries have the same key.
    #[error("upstream `{0}` appears twice")]
    Duplicate(String),
    /// The remote's URL cannot be used: not an absolute `http`/`https` URL with a host, or
    /// an SSE endpoint (only streamable HTTP is reached).
    #[error("upstream `{0}`: {1}")]
    Url(String, String),
    /// A header cannot be sent.
    #[error("upstream `{0}`: header `{1}` cannot be sent: {2}")]
    Header(String, String, String),
    /// The remote's host name did not resolve.
    #[error("upstream `{0}`: cannot resolve {1}: {2}")]
    Resolve(String, String, String),
    /// The process could not be started.
    #[error("upstream `{0}`: cannot start: {1}")]
    Spawn(String, std::io::Error),
    /// The MCP handshake with the server failed.
    #[error("upstream `{0}`: MCP initialization failed: {1}")]
    Handshake(String, String),
}

/// The remote an upstream is reached at, as the policy judges it.
#[derive(Clone, Debug)]
pub struct RemoteInUse {
    /// The endpoint.
    pub remote: RemoteFacts,
    /// The addresses its host name resolved to at start; the HTTP client connects to these
    /// and no others, so the addresses judged are the addresses used.
    pub resolved: Vec<IpAddr>,
}

/// The upstream's tool definitions, reused for [`TOOLS_MAX_AGE`].
#[derive(Debug, Default)]
struct ToolCache {
    tools: Mutex<Option<(Instant, Arc<[Tool]>)>>,
}

impl ToolCache {
    fn fresh(&self) -> Option<Arc<[Tool]>> {
        let guard = self.tools.lock().ok()?;
        let (at, tools) = guard.as_ref()?;
        (at.elapsed() < TOOLS_MAX_AGE).then(|| Arc::clone(tools))
    }

    fn store(&self, tools: Arc<[Tool]>) {
        if let Ok(mut guard) = self.tools.lock() {
            *guard = Some((Instant::now(), tools));
        }
    }

    fn drop_all(&self) {
        if let Ok(mut guard) = self.tools.lock() {
            *guard = None;
        }
    }
}

/// Progress of calls in flight: the token the gateway sent the upstream → the host's peer and
/// the token the host sent the gateway.
type Relays = Mutex<HashMap<ProgressToken, (Peer<RoleServer>, ProgressToken)>>;

/// Ends a progress relay when dropped.
struct RelayGuard<'a> {
    relays: &'a Relays,
    token: ProgressToken,
}

impl Drop for RelayGuard<'_> {
    fn drop(&mut self) {
        if let Ok(mut relays) = self.relays.lock() {
            relays.remove(&self.token);
        }
    }
}

/// The gateway's client side of one upstream: it introduces itself and drops the cached tool
/// definitions when the upstream says they changed.
#[derive(Clone, Debug)]
struct Listener {
    tools: Arc<ToolCache>,
}

/// An upstream's transport that passes progress of a relayed call on to its host as the
/// notification is read: before `rmcp` sees the answer that follows it (it runs notification
/// handlers as tasks of their own, which could run after the answer was delivered).
struct Relaying<T> {
    inner: T,
    relays: Arc<Relays>,
}

impl<T: Transport<RoleClient>> Transport<RoleClient> for Relaying<T> {
    type Error = T::Error;

    fn send(
        &mut self,
        item: TxJsonRpcMessage<RoleClient>,
    ) -> impl Future<Output = Result<(), Self::Error>> + Send + 'static {
        self.inner.send(item)
    }

    async fn receive(&mut self) -> Option<RxJsonRpcMessage<RoleClient>> {
        let message = self.inner.receive().await?;
        if let JsonRpcMessage::Notification(notification) = &message
            && let ServerNotification::ProgressNotification(progress) = &notification.notification
        {
            let relay = self
                .relays
                .lock()
                .ok()
                .and_then(|relays| relays.get(&progress.params.progress_token).cloned());
            if let Some((host, token)) = relay {
                let mut params = progress.params.clone();
                params.progress_token = token;
                // Progress is advisory: a host that has gone away misses nothing it needs.
                let _sent = host.notify_progress(params).await;
            }
        }
        Some(message)
    }

    fn close(&mut self) -> impl Future<Output = Result<(), Self::Error>> + Send {
        self.inner.close()
    }
}

/// `transport` with progress relayed through `relays`.
fn relaying<T, E, A>(
    transport: T,
    relays: &Arc<Relays>,
) -> Relaying<impl Transport<RoleClient, Error = E> + 'static>
where
    T: IntoTransport<RoleClient, E, A>,
    E: std::error::Error + Send + Sync + 'static,
{
    Relaying {
        inner: transport.into_transport(),
        relays: Arc::clone(relays),
    }
}

impl ClientHandler for Listener {
    async fn on_tool_list_changed(&self, _context: NotificationContext<RoleClient>) {
        self.tools.drop_all();
    }

    async fn create_elicitation(
        &self,
        _request: ElicitRequestParams,
        _context: RequestContext<RoleClient>,
    ) -> Result<ElicitResult, ErrorData> {
        // Not offered (see `get_info`); an upstream that asks anyway gets an error, not a
        // silent decline it could read as the person's answer.
        Err(ErrorData::method_not_found::<ElicitationCreateRequestMethod>())
    }

    fn get_info(&self) -> ClientConfig {
        // No sampling, roots or elicitation for upstreams: a request from an upstream to the
        // host would reach a person with no policy decision in between.
        ClientConfig::new(
            ClientCapabilities::default(),
            Implementation::new("mcp-registry-gateway", env!("CARGO_PKG_VERSION")),
        )
    }
}

/// One upstream server: its key, the facts the policy sees, and the MCP client connected to it.
pub struct Upstream {
    key: String,
    facts: ServerFacts,
    remote: Option<RemoteInUse>,
    peer: Peer<RoleClient>,
    tools: Arc<ToolCache>,
    relays: Arc<Relays>,
    service: Mutex<Option<RunningService<RoleClient, Listener>>>,
}

impl fmt::Debug for Upstream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Upstream")
            .field("key", &self.key)
            .field("remote", &self.remote)
            .finish_non_exhaustive()
    }
}

impl Upstream {
    /// Connects to `server` after filling in its `${VAR}` references from this process's
    /// environment: a stdio entry's program is started with its arguments and environment (no
    /// shell; the child's stderr goes to ours), a remote is reached over streamable HTTP at the
    /// addresses its host name resolves to now. Then the MCP handshake.
    ///
    /// # Errors
    ///
    /// When the entry cannot be used ([`UpstreamError`]), the process does not start, the host
    /// name does not resolve, or the handshake fails.
    pub async fn start(server: &ImportedServer) -> Result<Self, UpstreamError> {
        let key = server.key().to_owned();
        if key.contains(SEPARATOR) {
            return Err(UpstreamError::BadKey(key));
        }
        let server = server.expand(|name| std::env::var(name).ok())?;
        let tools = Arc::new(ToolCache::default());
        let relays = Arc::new(Relays::default());
        let listener = Listener {
            tools: Arc::clone(&tools),
        };
        let facts = ServerFacts::new(key.clone()).with_label(key.clone());
        let (facts, remote, service) = match server.endpoint() {
            Endpoint::Launch {
                command, args, env, ..
            } => {
                let mut facts = facts.with_command(std::iter::once(command).chain(args));
                for (name, value) in env {
                    facts = facts.with_env(name.clone(), value.clone());
                }
                let mut process = tokio::process::Command::new(command);
                process
                    .args(args)
                    .envs(env.iter().map(|(name, value)| (name, value)))
                    .kill_on_drop(true);
                let (transport, _stderr) = TokioChildProcess::builder(process)
                    .stderr(Stdio::inherit())
                    .spawn()
                    .map_err(|error| UpstreamError::Spawn(key.clone(), error))?;
                let service = listener
                    .serve(relaying(transport, &relays))
                    .await
                    .map_err(|error| UpstreamError::Handshake(key.clone(), error.to_string()))?;
                (facts, None, service)
            }
            Endpoint::Connect {
                transport,
                url,
                headers,
                ..
            } => {
                let (remote, transport) = connect(&key, transport, url, headers).await?;
                let mut facts = facts.with_remote(remote.remote.clone());
                for (name, value) in headers {
                    facts = facts.with_header(name.clone(), value.clone());
                }
                let service = listener
                    .serve(relaying(transport, &relays))
                    .await
                    .map_err(|error| UpstreamError::Handshake(key.clone(), error.to_string()))?;
                (facts, Some(remote), service)
            }
            _ => {
                return Err(UpstreamError::Url(
                    key,
                    "an entry of a kind this gateway cannot reach".to_owned(),
                ));
            }
        };
        Ok(Self {
            key,
            facts,
            remote,
            peer: service.peer().clone(),
            tools,
            relays,
            service: Mutex::new(Some(service)),
        })
    }

    /// The key in the upstreams file.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// The server facts the policy sees: the key as name and label; the command line and the
    /// environment of a stdio entry, or the remote and its headers.
    pub fn facts(&self) -> &ServerFacts {
        &self.facts
    }

    /// For a remote, the endpoint in use and the addresses it resolved to.
    pub fn remote(&self) -> Option<&RemoteInUse> {
        self.remote.as_ref()
    }

    /// The MCP client connected to the upstream.
    pub fn peer(&self) -> &Peer<RoleClient> {
        &self.peer
    }

    /// The upstream's tools: listed again when older than [`TOOLS_MAX_AGE`] or changed.
    ///
    /// # Errors
    ///
    /// When the upstream does not answer `tools/list`.
    pub async fn tools(&self) -> Result<Arc<[Tool]>, ServiceError> {
        if let Some(tools) = self.tools.fresh() {
            return Ok(tools);
        }
        let tools: Arc<[Tool]> = self.peer.list_all_tools().await?.into();
        self.tools.store(Arc::clone(&tools));
        Ok(tools)
    }

    /// Sends `request` and waits for the answer, passing the upstream's progress notifications
    /// for it on to `host` under the host's own token, when the host asked for progress.
    ///
    /// # Errors
    ///
    /// When the upstream cannot be reached or answers with an error.
    pub async fn send(
        &self,
        request: ClientRequest,
        host: Option<(Peer<RoleServer>, ProgressToken)>,
    ) -> Result<ServerResult, ServiceError> {
        let handle = self
            .peer
            .send_request_with_option(request, PeerRequestOptions::no_options())
            .await?;
        let relay = host.and_then(|host| {
            let token = handle.progress_token.clone();
            let mut relays = self.relays.lock().ok()?;
            relays.insert(token.clone(), host);
            Some(RelayGuard {
                relays: &self.relays,
                token,
            })
        });
        // The guard ends the relay however this future ends: answered, failed or dropped
        // because the host cancelled. Progress read before the answer has been passed on
        // by then (`Relaying`).
        let answer = handle.await_response().await;
        drop(relay);
        answer
    }

    /// Closes the connection; a child process is killed when its transport is dropped.
    pub async fn close(&self) {
        let service = self.service.lock().ok().and_then(|mut guard| guard.take());
        if let Some(service) = service {
            // The upstream is going away either way; how it quit is of no further use.
            let _quit = service.cancel().await;
        }
    }
}

/// The streamable HTTP transport to a remote, pinned to the addresses its host resolves to now.
async fn connect(
    key: &str,
    transport: &TransportType,
    url: &str,
    headers: &[(String, String)],
) -> Result<(RemoteInUse, StreamableHttpClientTransport<reqwest::Client>), UpstreamError> {
    let bad_url = |why: String| UpstreamError::Url(key.to_owned(), why);
    if *transport != TransportType::StreamableHttp {
        return Err(bad_url(format!(
            "{transport} is not supported: the gateway reaches remotes over streamable-http"
        )));
    }
    // Judged as the HTTP client will read it: WHATWG parsing, as reqwest does.
    let parsed = Url::parse(url).map_err(|error| bad_url(format!("{url}: {error}")))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(bad_url(format!("{url}: only http and https are reached")));
    }
    let port = parsed
        .port_or_known_default()
        .ok_or_else(|| bad_url(format!("{url}: no port")))?;
    // No idle connections kept: an rmcp server streams a call's answer in two writes, and on a
    // reused connection the second waits up to 40 ms for the delayed ACK of the first unless
    // the server set TCP_NODELAY (measured: docs/BENCHMARKS.md). rmcp's own client does the
    // same, for the same reason.
    let mut client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(0);
    let resolved: Vec<IpAddr> = match parsed.host() {
        Some(Host::Ipv4(ip)) => vec![IpAddr::V4(ip)],
        Some(Host::Ipv6(ip)) => vec![IpAddr::V6(ip)],
        Some(Host::Domain(domain)) => {
            let resolve_error =
                |why: String| UpstreamError::Resolve(key.to_owned(), domain.to_owned(), why);
            let addresses: Vec<SocketAddr> = tokio::net::lookup_host((domain, port))
                .await
                .map_err(|error| resolve_error(error.to_string()))?
                .collect();
            if addresses.is_empty() {
                return Err(resolve_error("no addresses".to_owned()));
            }
            client = client.resolve_to_addrs(domain, &addresses);
            let mut ips: Vec<IpAddr> = addresses.iter().map(SocketAddr::ip).collect();
            ips.dedup();
            ips
        }
        None => return Err(bad_url(format!("{url}: no host"))),
    };
    let client = client
        .build()
        .map_err(|error| bad_url(format!("the HTTP client: {error}")))?;

    let mut config = StreamableHttpClientTransportConfig::with_uri(parsed.as_str());
    let mut custom = HashMap::new();
    for (name, value) in headers {
        let bad = |why: String| UpstreamError::Header(key.to_owned(), name.clone(), why);
        if name.eq_ignore_ascii_case("authorization") {
            let token = value
                .strip_prefix("Bearer ")
                .ok_or_else(|| bad("only `Bearer TOKEN` is supported".to_owned()))?;
            config = config.auth_header(token);
            continue;
        }
        let header_name = reqwest::header::HeaderName::from_bytes(name.as_bytes())
            .map_err(|error| bad(error.to_string()))?;
        let header_value = reqwest::header::HeaderValue::from_str(value)
            .map_err(|error| bad(error.to_string()))?;
        custom.insert(header_name, header_value);
    }
    let config = config.custom_headers(custom);
    let remote = RemoteInUse {
        remote: RemoteFacts::new(TransportType::StreamableHttp, parsed.as_str()),
        resolved,
    };
    Ok((
        remote,
        StreamableHttpClientTransport::with_client(client, config),
    ))
}
