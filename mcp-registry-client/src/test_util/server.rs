//! The loopback HTTP/1.1 server behind [`FakeRegistry`].
//!
//! Hand-written rather than built on a server framework so that it can misbehave on purpose:
//! stall mid-body, stream an endless chunked body, answer with HTML.

use std::fmt::Write as _;
use std::io;
use std::net::{SocketAddr, TcpListener as StdListener};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;

use percent_encoding::percent_decode_str;
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use tokio::task::JoinSet;
use url::Url;

const OFFICIAL: &str = "io.modelcontextprotocol.registry/official";
const MAX_HEAD: usize = 64 * 1024;

/// A misbehaviour the fake registry can replay. Quirks with `times` apply to the first `times`
/// requests the registry receives, counting every request.
#[non_exhaustive]
#[derive(Clone, Debug, Eq, PartialEq)]
pub enum Quirk {
    /// Page metadata spells the cursor `next_cursor`, as some third-party mirrors do.
    /// Documented outcome: the client pages on normally.
    SnakeCaseCursor,
    /// A request with a cursor gets that same cursor back as `nextCursor`.
    /// Documented outcome: [`ErrorKind::RepeatedCursor`](crate::ErrorKind::RepeatedCursor).
    RepeatCursor,
    /// 429, with this `Retry-After` value (`None`: no header, as the official registry does).
    /// Documented outcome: retried after the `Retry-After` (or the policy's polite default).
    RateLimit {
        /// How many requests get it.
        times: u64,
        /// The header value, if any.
        retry_after: Option<String>,
    },
    /// 500 with a problem+json body. Documented outcome: retried with backoff.
    ServerError {
        /// How many requests get it.
        times: u64,
    },
    /// 502 with an HTML page, as a proxy in front of a registry sends.
    /// Documented outcome: retried, then [`ErrorKind::NotJson`](crate::ErrorKind::NotJson).
    HtmlBadGateway {
        /// How many requests get it.
        times: u64,
    },
    /// Every response is a chunked body of this many bytes with no `Content-Length`.
    /// Documented outcome: refused at the body limit without reading the rest
    /// ([`FakeRegistry::oversize_bytes_sent`] stays far below `bytes`).
    OversizeBody {
        /// The body size.
        bytes: u64,
    },
    /// Headers and the start of a body, then nothing, forever.
    /// Documented outcome: [`ErrorKind::Timeout`](crate::ErrorKind::Timeout).
    Stall,
    /// Every request is redirected (307) to the same path and query on `target`.
    /// Documented outcome: an error unless redirects are enabled; when followed to another
    /// origin, no `Authorization` header goes along.
    RedirectTo {
        /// The other registry's base URL.
        target: Url,
    },
    /// Requests need `Authorization: Bearer <token>`: 401 without one, 403 with another.
    RequireToken {
        /// The accepted token.
        token: String,
    },
}

/// A request the fake registry received.
#[derive(Clone, Debug, Eq, PartialEq)]
pub struct RecordedRequest {
    method: String,
    target: String,
    headers: Vec<(String, String)>,
}

impl RecordedRequest {
    /// `GET`.
    pub fn method(&self) -> &str {
        &self.method
    }

    /// The request target as sent: path and query, still percent-encoded.
    pub fn target(&self) -> &str {
        &self.target
    }

    /// A header's value; names match case-insensitively.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Configures a [`FakeRegistry`].
#[derive(Clone, Debug, Default)]
pub struct FakeRegistryBuilder {
    servers: Vec<Value>,
    quirks: Vec<Quirk>,
}

impl FakeRegistryBuilder {
    /// The server versions to serve (`ServerResponse` JSON: `{server, _meta}`), in any order.
    pub fn with_servers(mut self, servers: Vec<Value>) -> Self {
        self.servers = servers;
        self
    }

    /// Adds a quirk.
    pub fn with_quirk(mut self, quirk: Quirk) -> Self {
        self.quirks.push(quirk);
        self
    }

    /// Starts the registry as tasks on the current tokio runtime.
    ///
    /// # Errors
    ///
    /// When called outside a tokio runtime, or the loopback port cannot be bound.
    pub fn start(self) -> io::Result<FakeRegistry> {
        let handle = tokio::runtime::Handle::try_current().map_err(io::Error::other)?;
        let (listener, addr) = bind()?;
        let state = Arc::new(State::new(self));
        let (shutdown, stop) = oneshot::channel();
        let serving = Arc::clone(&state);
        handle.spawn(async move {
            if let Ok(listener) = TcpListener::from_std(listener) {
                serve(listener, serving, stop).await;
            }
        });
        Ok(FakeRegistry {
            addr,
            state,
            shutdown: Some(shutdown),
            thread: None,
        })
    }

    /// Starts the registry on its own thread with its own runtime, for synchronous tests
    /// (for example of code that builds its own runtime).
    ///
    /// # Errors
    ///
    /// When the thread, the runtime or the loopback port cannot be created.
    pub fn start_on_thread(self) -> io::Result<FakeRegistry> {
        let (listener, addr) = bind()?;
        let state = Arc::new(State::new(self));
        let (shutdown, stop) = oneshot::channel();
        let serving = Arc::clone(&state);
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let thread = std::thread::Builder::new()
            .name("fake-registry".into())
            .spawn(move || {
                runtime.block_on(async move {
                    if let Ok(listener) = TcpListener::from_std(listener) {
                        serve(listener, serving, stop).await;
                    }
                });
            })?;
        Ok(FakeRegistry {
            addr,
            state,
            shutdown: Some(shutdown),
            thread: Some(thread),
        })
    }
}

/// A registry on `127.0.0.1` serving fixtures, with optional [`Quirk`]s; stops when dropped.
#[derive(Debug)]
pub struct FakeRegistry {
    addr: SocketAddr,
    state: Arc<State>,
    shutdown: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl FakeRegistry {
    /// A builder with no servers and no quirks.
    pub fn builder() -> FakeRegistryBuilder {
        FakeRegistryBuilder::default()
    }

    /// The base URL, `http://127.0.0.1:<port>/`.
    ///
    /// # Panics
    ///
    /// Never: an IP address and a port always form a valid URL.
    #[expect(
        clippy::expect_used,
        reason = "an IP address and a port always form a valid URL"
    )]
    pub fn url(&self) -> Url {
        Url::parse(&format!("http://{}/", self.addr)).expect("loopback URL")
    }

    /// The socket address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Every request received so far, in order of arrival.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.state
            .requests
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// How many body bytes [`Quirk::OversizeBody`] managed to write before the client hung up.
    pub fn oversize_bytes_sent(&self) -> u64 {
        self.state.oversize_sent.load(Ordering::SeqCst)
    }
}

impl Drop for FakeRegistry {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            // The server may already be gone with its runtime; nothing to do then.
            let _ = shutdown.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn bind() -> io::Result<(StdListener, SocketAddr)> {
    let listener = StdListener::bind(("127.0.0.1", 0))?;
    listener.set_nonblocking(true)?;
    let addr = listener.local_addr()?;
    Ok((listener, addr))
}

#[derive(Debug)]
struct Entry {
    name: String,
    version: String,
    latest: bool,
    deleted: bool,
    published_at: String,
    updated_at: String,
    json: String,
}

#[derive(Debug)]
struct State {
    entries: Vec<Entry>,
    quirks: Vec<Quirk>,
    hits: AtomicU64,
    requests: Mutex<Vec<RecordedRequest>>,
    oversize_sent: AtomicU64,
}

impl State {
    fn new(builder: FakeRegistryBuilder) -> Self {
        let mut entries: Vec<Entry> = builder
            .servers
            .iter()
            .map(|value| {
                let field = |object: Option<&Value>, key: &str| {
                    object
                        .and_then(|o| o.get(key))
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_owned()
                };
                let server = value.get("server");
                let official = value.get("_meta").and_then(|m| m.get(OFFICIAL));
                Entry {
                    name: field(server, "name"),
                    version: field(server, "version"),
                    // Without `_meta` (sub-registries) every row counts as latest and active.
                    latest: official
                        .and_then(|o| o.get("isLatest"))
                        .and_then(Value::as_bool)
                        .unwrap_or(true),
                    deleted: field(official, "status") == "deleted",
                    published_at: field(official, "publishedAt"),
                    updated_at: field(official, "updatedAt"),
                    json: value.to_string(),
                }
            })
            .collect();
        entries.sort_by(|a, b| (&a.name, &a.version).cmp(&(&b.name, &b.version)));
        Self {
            entries,
            quirks: builder.quirks,
            hits: AtomicU64::new(0),
            requests: Mutex::new(Vec::new()),
            oversize_sent: AtomicU64::new(0),
        }
    }
}

async fn serve(listener: TcpListener, state: Arc<State>, mut stop: oneshot::Receiver<()>) {
    // Dropping the set when the loop ends aborts every connection, including stalled ones.
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            _ = &mut stop => break,
            accepted = listener.accept() => {
                if let Ok((stream, _)) = accepted {
                    connections.spawn(connection(stream, Arc::clone(&state)));
                }
            }
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
}

struct Request {
    method: String,
    target: String,
    headers: Vec<(String, String)>,
}

async fn connection(stream: TcpStream, state: Arc<State>) {
    let _ = stream.set_nodelay(true);
    let (read, mut write) = stream.into_split();
    let mut read = BufReader::new(read);
    while let Ok(Some(request)) = read_request(&mut read).await {
        let close = request
            .headers
            .iter()
            .any(|(n, v)| n.eq_ignore_ascii_case("connection") && v.eq_ignore_ascii_case("close"));
        let index = state.hits.fetch_add(1, Ordering::SeqCst);
        state
            .requests
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(RecordedRequest {
                method: request.method.clone(),
                target: request.target.clone(),
                headers: request.headers.clone(),
            });
        let keep_going = match respond(&state, &request, index) {
            Action::Reply(reply) => reply.write(&mut write, close).await.is_ok() && !close,
            Action::Oversize(bytes) => {
                oversize(&mut write, bytes, &state.oversize_sent).await;
                false
            }
            Action::Stall => {
                let head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 100000\r\n\r\n{\"servers\":[";
                let _ = write.write_all(head.as_bytes()).await;
                let _ = write.flush().await;
                std::future::pending::<()>().await;
                false
            }
        };
        if !keep_going {
            break;
        }
    }
}

async fn read_request<R: tokio::io::AsyncBufRead + Unpin>(
    read: &mut R,
) -> io::Result<Option<Request>> {
    let mut line = String::new();
    let mut total = 0;
    if read.read_line(&mut line).await? == 0 {
        return Ok(None);
    }
    let mut parts = line.split_whitespace();
    let (Some(method), Some(target)) = (parts.next(), parts.next()) else {
        return Ok(None);
    };
    let (method, target) = (method.to_owned(), target.to_owned());
    let mut headers = Vec::new();
    loop {
        line.clear();
        let read_now = read.read_line(&mut line).await?;
        total += read_now;
        if read_now == 0 || total > MAX_HEAD {
            return Ok(None);
        }
        let trimmed = line.trim_end();
        if trimmed.is_empty() {
            break;
        }
        if let Some((name, value)) = trimmed.split_once(':') {
            headers.push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
        }
    }
    let length = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .and_then(|(_, v)| v.parse::<u64>().ok())
        .unwrap_or(0);
    if length > 0 {
        let mut sink = Vec::new();
        read.take(length.min(MAX_HEAD as u64))
            .read_to_end(&mut sink)
            .await?;
    }
    Ok(Some(Request {
        method,
        target,
        headers,
    }))
}

enum Action {
    Reply(Reply),
    Oversize(u64),
    Stall,
}

struct Reply {
    status: u16,
    headers: Vec<(&'static str, String)>,
    body: Vec<u8>,
}

impl Reply {
    fn json(status: u16, body: String) -> Self {
        Self {
            status,
            headers: vec![("content-type", "application/json".into())],
            body: body.into_bytes(),
        }
    }

    fn problem(status: u16, title: &str, detail: &str) -> Self {
        let body = json!({ "title": title, "status": status, "detail": detail }).to_string();
        Self {
            status,
            headers: vec![("content-type", "application/problem+json".into())],
            body: body.into_bytes(),
        }
    }

    async fn write<W: AsyncWrite + Unpin>(self, write: &mut W, close: bool) -> io::Result<()> {
        let mut head = format!("HTTP/1.1 {} {}\r\n", self.status, reason(self.status));
        for (name, value) in &self.headers {
            let _ = write!(head, "{name}: {value}\r\n");
        }
        let connection = if close { "close" } else { "keep-alive" };
        let _ = write!(
            head,
            "content-length: {}\r\nconnection: {connection}\r\n\r\n",
            self.body.len()
        );
        let mut bytes = head.into_bytes();
        bytes.extend_from_slice(&self.body);
        write.write_all(&bytes).await?;
        write.flush().await
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        307 => "Temporary Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        422 => "Unprocessable Entity",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        _ => "Unknown",
    }
}

async fn oversize<W: AsyncWrite + Unpin>(write: &mut W, bytes: u64, sent: &AtomicU64) {
    let head =
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n";
    if write.write_all(head.as_bytes()).await.is_err() {
        return;
    }
    let chunk = vec![b' '; 64 * 1024];
    let mut remaining = bytes;
    while remaining > 0 {
        let size = remaining.min(chunk.len() as u64);
        let data = chunk
            .get(..usize::try_from(size).unwrap_or(0))
            .unwrap_or_default();
        let frame = [format!("{size:x}\r\n").as_bytes(), data, b"\r\n"].concat();
        if write.write_all(&frame).await.is_err() {
            return;
        }
        sent.fetch_add(size, Ordering::SeqCst);
        remaining -= size;
    }
    let _ = write.write_all(b"0\r\n\r\n").await;
}

fn respond(state: &State, request: &Request, index: u64) -> Action {
    for quirk in &state.quirks {
        match quirk {
            Quirk::RateLimit { times, retry_after } if index < *times => {
                let mut reply = Reply {
                    status: 429,
                    headers: Vec::new(),
                    body: b"Too Many Requests".to_vec(),
                };
                reply.headers.push(("content-type", "text/plain".into()));
                if let Some(after) = retry_after {
                    reply.headers.push(("retry-after", after.clone()));
                }
                return Action::Reply(reply);
            }
            Quirk::ServerError { times } if index < *times => {
                return Action::Reply(Reply::problem(
                    500,
                    "Internal Server Error",
                    "Failed to get registry list",
                ));
            }
            Quirk::HtmlBadGateway { times } if index < *times => {
                let body = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n";
                return Action::Reply(Reply {
                    status: 502,
                    headers: vec![("content-type", "text/html".into())],
                    body: body.as_bytes().to_vec(),
                });
            }
            Quirk::OversizeBody { bytes } => return Action::Oversize(*bytes),
            Quirk::Stall => return Action::Stall,
            Quirk::RedirectTo { target } => {
                let location = format!(
                    "{}{}",
                    target.as_str().trim_end_matches('/'),
                    request.target
                );
                return Action::Reply(Reply {
                    status: 307,
                    headers: vec![("location", location)],
                    body: Vec::new(),
                });
            }
            Quirk::RequireToken { token } => {
                let sent = request
                    .headers
                    .iter()
                    .find(|(n, _)| n == "authorization")
                    .map(|(_, v)| v.as_str());
                match sent {
                    None => {
                        return Action::Reply(Reply::problem(
                            401,
                            "Unauthorized",
                            "Invalid or missing authentication token",
                        ));
                    }
                    Some(value) if value != format!("Bearer {token}") => {
                        return Action::Reply(Reply::problem(
                            403,
                            "Forbidden",
                            "You do not have permission to read this registry",
                        ));
                    }
                    Some(_) => {}
                }
            }
            _ => {}
        }
    }
    Action::Reply(route(state, request))
}

fn route(state: &State, request: &Request) -> Reply {
    if request.method != "GET" {
        return Reply::problem(405, "Method Not Allowed", "Method not allowed");
    }
    let (path, query) = request
        .target
        .split_once('?')
        .unwrap_or((&request.target, ""));
    let segments: Vec<String> = path
        .split('/')
        .skip(1)
        .map(|s| percent_decode_str(s).decode_utf8_lossy().into_owned())
        .collect();
    let params = Params(
        url::form_urlencoded::parse(query.as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect(),
    );
    let include_deleted = params.get("include_deleted") == Some("true");
    let segments: Vec<&str> = segments.iter().map(String::as_str).collect();
    match segments.as_slice() {
        ["v0" | "v0.1", "servers"] => list(state, &params),
        ["v0" | "v0.1", "servers", name, "versions"] => versions(state, name, include_deleted),
        ["v0" | "v0.1", "servers", name, "versions", version] => {
            one(state, name, version, include_deleted)
        }
        _ => Reply::problem(404, "Not Found", "Endpoint not found"),
    }
}

struct Params(Vec<(String, String)>);

impl Params {
    fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

fn list(state: &State, params: &Params) -> Reply {
    let param = |name| params.get(name);
    let quirk = |quirk| state.quirks.contains(quirk);
    let limit = match param("limit").map(str::parse::<i64>) {
        None => 30,
        Some(Ok(limit)) if (1..=100).contains(&limit) => limit,
        Some(_) => {
            let value = param("limit").unwrap_or_default();
            let body = json!({
                "title": "Unprocessable Entity", "status": 422, "detail": "validation failed",
                "errors": [{ "message": "expected number between 1 and 100", "location": "query.limit", "value": value }]
            });
            return Reply {
                status: 422,
                headers: vec![("content-type", "application/problem+json".into())],
                body: body.to_string().into_bytes(),
            };
        }
    };
    let updated_since = param("updated_since");
    if updated_since.is_some() && param("include_deleted") == Some("false") {
        return Reply::problem(
            400,
            "Bad Request",
            "Cannot set include_deleted=false when using updated_since (incremental sync requires deleted servers)",
        );
    }
    let include_deleted = param("include_deleted") == Some("true") || updated_since.is_some();
    let search = param("search")
        .filter(|s| !s.is_empty())
        .map(str::to_lowercase);
    let version = param("version");
    let cursor = param("cursor").map(|c| match c.split_once(':') {
        Some((name, version)) => (name, version),
        None => (c, ""),
    });
    let page: Vec<&Entry> = state
        .entries
        .iter()
        .filter(|e| include_deleted || !e.deleted)
        .filter(|e| {
            search
                .as_ref()
                .is_none_or(|s| e.name.to_lowercase().contains(s))
        })
        .filter(|e| match version {
            Some("latest") => e.latest,
            Some(v) => e.version == v,
            None => true,
        })
        .filter(|e| updated_since.is_none_or(|since| e.updated_at.as_str() > since))
        .filter(|e| cursor.is_none_or(|(n, v)| (e.name.as_str(), e.version.as_str()) > (n, v)))
        .take(usize::try_from(limit).unwrap_or(30))
        .collect();
    let full = page.len() == usize::try_from(limit).unwrap_or(30);
    let next = if quirk(&Quirk::RepeatCursor) && param("cursor").is_some() {
        param("cursor").map(str::to_owned)
    } else {
        page.last()
            .filter(|_| full)
            .map(|e| format!("{}:{}", e.name, e.version))
    };
    let key = if quirk(&Quirk::SnakeCaseCursor) {
        "next_cursor"
    } else {
        "nextCursor"
    };
    page_body(&page, next.as_deref(), key)
}

fn page_body(page: &[&Entry], next: Option<&str>, key: &str) -> Reply {
    let mut body =
        String::with_capacity(page.iter().map(|e| e.json.len() + 1).sum::<usize>() + 100);
    body.push_str("{\"servers\":[");
    for (i, entry) in page.iter().enumerate() {
        if i > 0 {
            body.push(',');
        }
        body.push_str(&entry.json);
    }
    body.push_str("],\"metadata\":{");
    if let Some(next) = next {
        let _ = write!(body, "\"{key}\":{},", Value::from(next));
    }
    let _ = write!(body, "\"count\":{}}}}}", page.len());
    Reply::json(200, body)
}

fn versions(state: &State, name: &str, include_deleted: bool) -> Reply {
    let mut found: Vec<&Entry> = state
        .entries
        .iter()
        .filter(|e| e.name == name && (include_deleted || !e.deleted))
        .collect();
    if found.is_empty() {
        return Reply::problem(404, "Not Found", "Server not found");
    }
    // Newest publishedAt first, as the official registry orders them.
    found.sort_by(|a, b| b.published_at.cmp(&a.published_at));
    page_body(&found, None, "nextCursor")
}

fn one(state: &State, name: &str, version: &str, include_deleted: bool) -> Reply {
    let found = state.entries.iter().find(|e| {
        e.name == name
            && (if version == "latest" {
                e.latest
            } else {
                e.version == version
            })
            && (include_deleted || !e.deleted)
    });
    match found {
        Some(entry) => Reply::json(200, entry.json.clone()),
        None => Reply::problem(404, "Not Found", "Server not found"),
    }
}
