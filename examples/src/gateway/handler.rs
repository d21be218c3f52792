//! [`Gateway`]: the MCP server half, deciding and recording every request.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use mcp_policy::audit::{Approval, AuditRecord, CallOutcome, RecordKind, Timestamp};
use mcp_policy::{
    Action, CompiledPolicy, Decision, Effect, Obligation, Principal, Request, ToolFacts,
};
use mcp_registry_types::host::ImportedServer;
use rmcp::model::{
    CallToolRequest, CallToolRequestParams, CallToolResponse, CallToolResult, ClientRequest,
    ErrorCode, GetPromptRequest, GetPromptRequestParams, GetPromptResponse, Implementation,
    ListPromptsResult, ListResourceTemplatesResult, ListResourcesResult, ListToolsResult,
    PaginatedRequestParams, ReadResourceRequest, ReadResourceRequestParams, ReadResourceResponse,
    ServerCapabilities, ServerConfig, ServerResult, Tool,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData, RoleServer, ServerHandler, ServiceError, ServiceExt as _};
use serde_json::{Value, json};

use super::approval::{Approver, PendingCall, RefuseAll};
use super::elicit;
use super::quota::{CounterStore, MemoryCounters};
use super::upstream::{SEPARATOR, Upstream, UpstreamError};
use crate::audit::writer::{AuditWriter, PendingSync, SyncDone, WriterError};

/// The JSON-RPC error code of a request the policy denies (a server-defined code).
pub const DENIED: ErrorCode = ErrorCode(-32001);
/// The JSON-RPC error code of a call that needed approval and did not get it.
pub const NOT_APPROVED: ErrorCode = ErrorCode(-32003);
/// What `tools/list` puts before the description of a tool whose calls need approval.
pub const NEEDS_APPROVAL: &str = "[needs approval] ";

/// Why the gateway could not start or stop cleanly.
#[non_exhaustive]
#[derive(Debug, thiserror::Error)]
pub enum GatewayError {
    /// An upstream could not be started.
    #[error(transparent)]
    Upstream(UpstreamError),
    /// The audit trail could not be written or closed.
    #[error("audit trail: {0}")]
    Audit(WriterError),
    /// The audit writer was lost: a thread panicked while holding it, or it is closed.
    #[error("audit trail: the writer is closed")]
    AuditUnavailable,
    /// Serving the host failed.
    #[error("serving the host: {0}")]
    Serve(String),
}

/// How a [`Gateway`] behaves beyond its upstreams, policy and trail.
#[derive(Clone)]
pub struct GatewayOptions {
    principal: Option<Principal>,
    approver: Arc<dyn Approver>,
    counters: Arc<dyn CounterStore>,
    elicitation: bool,
    flat: bool,
    arguments: Option<Vec<String>>,
}

impl fmt::Debug for GatewayOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GatewayOptions")
            .field("principal", &self.principal)
            .field("elicitation", &self.elicitation)
            .field("flat", &self.flat)
            .field("arguments", &self.arguments)
            .finish_non_exhaustive()
    }
}

impl Default for GatewayOptions {
    fn default() -> Self {
        Self {
            principal: None,
            approver: Arc::new(RefuseAll),
            counters: Arc::new(MemoryCounters::new()),
            elicitation: true,
            flat: false,
            arguments: None,
        }
    }
}

impl GatewayOptions {
    /// No fixed principal, [`RefuseAll`], in-memory counters, elicitation on, names prefixed,
    /// arguments not recorded.
    pub fn new() -> Self {
        Self::default()
    }

    /// The principal of a request that carries none: the stdio session's user. Without one,
    /// such requests are refused. HTTP requests always carry the principal the front end
    /// authenticated, which wins.
    pub fn with_principal(mut self, principal: Principal) -> Self {
        self.principal = Some(principal);
        self
    }

    /// Who answers `ask` calls when the host cannot be asked by elicitation.
    pub fn with_approver(mut self, approver: Arc<dyn Approver>) -> Self {
        self.approver = approver;
        self
    }

    /// Where quota counters are kept.
    pub fn with_counters(mut self, counters: Arc<dyn CounterStore>) -> Self {
        self.counters = counters;
        self
    }

    /// Whether to ask the host's user by MCP elicitation when the host supports it (on by
    /// default); when off, or unsupported, the [approver](Self::with_approver) answers.
    pub fn with_elicitation(mut self, on: bool) -> Self {
        self.elicitation = on;
        self
    }

    /// Keep the upstreams' tool and prompt names instead of `KEY__NAME`. A name two upstreams
    /// share is then hidden from lists and refused in calls, never routed by guess.
    pub fn with_flat_names(mut self, on: bool) -> Self {
        self.flat = on;
        self
    }

    /// Record each call's arguments in the trail, with the value of every member named in
    /// `redact` replaced (the digest is always recorded).
    pub fn with_recorded_arguments(mut self, redact: Vec<String>) -> Self {
        self.arguments = Some(redact);
        self
    }
}

/// The gateway: an `rmcp` [`ServerHandler`]. Cloning is cheap and shares everything, so a
/// caller keeps a clone to [`Gateway::close`] it after serving, and the HTTP front end hands
/// each session a clone.
#[derive(Clone)]
pub struct Gateway {
    inner: Arc<Inner>,
}

struct Inner {
    upstreams: Vec<Upstream>,
    policy: Arc<CompiledPolicy>,
    options: GatewayOptions,
    /// Each counter the policy's quotas read, with the shortest window any rule gives it.
    quotas: Vec<(String, u64)>,
    /// Held from reading the counters to counting the call, so two calls cannot both spend
    /// the last unit of a quota.
    quota_turn: Mutex<()>,
    audit: Mutex<Trail>,
    session: String,
    next_id: AtomicU64,
}

impl fmt::Debug for Gateway {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Gateway")
            .field("upstreams", &self.inner.upstreams)
            .field("options", &self.inner.options)
            .field("session", &self.inner.session)
            .finish_non_exhaustive()
    }
}

/// The audit trail as the gateway holds it.
#[expect(
    clippy::large_enum_variant,
    reason = "one per gateway, open nearly all its life: boxing would only add a hop per record"
)]
enum Trail {
    Open(AuditWriter),
    Closed,
    /// A write or sync failed: the chain cannot go on, and every later request fails with why.
    Failed(String),
}

impl Trail {
    fn writer(&mut self) -> Result<&mut AuditWriter, String> {
        match self {
            Self::Open(writer) => Ok(writer),
            Self::Closed => Err("the gateway is closed".to_owned()),
            Self::Failed(why) => Err(why.clone()),
        }
    }
}

/// Who is asking, for one request.
struct Caller {
    principal: Principal,
    client: Option<String>,
    session: String,
}

/// What a request is about, besides the upstream.
enum Subject<'a> {
    Tool(&'a Tool),
    Resource(&'a str),
    Prompt(&'a str),
}

impl Gateway {
    /// Connects to every server in `servers` (see [`Upstream::start`]) and returns the
    /// gateway that serves them, deciding with `policy` and recording through `audit`.
    ///
    /// # Errors
    ///
    /// When two servers share a key or one cannot be reached; those already started are
    /// stopped.
    pub async fn start(
        servers: &[ImportedServer],
        policy: Arc<CompiledPolicy>,
        audit: AuditWriter,
        options: GatewayOptions,
    ) -> Result<Self, GatewayError> {
        let mut upstreams: Vec<Upstream> = Vec::with_capacity(servers.len());
        for server in servers {
            let started = if upstreams.iter().any(|up| up.key() == server.key()) {
                Err(UpstreamError::Duplicate(server.key().to_owned()))
            } else {
                Upstream::start(server).await
            };
            match started {
                Ok(upstream) => upstreams.push(upstream),
                Err(error) => {
                    for upstream in &upstreams {
                        upstream.close().await;
                    }
                    return Err(GatewayError::Upstream(error));
                }
            }
        }
        let mut quotas: Vec<(String, u64)> = Vec::new();
        for quota in policy.quotas() {
            match quotas
                .iter_mut()
                .find(|(counter, _)| *counter == quota.counter)
            {
                Some((_, window)) => *window = (*window).min(quota.window_seconds),
                None => quotas.push((quota.counter.clone(), quota.window_seconds)),
            }
        }
        let started = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |elapsed| elapsed.as_nanos());
        Ok(Self {
            inner: Arc::new(Inner {
                upstreams,
                policy,
                options,
                quotas,
                quota_turn: Mutex::new(()),
                audit: Mutex::new(Trail::Open(audit)),
                session: format!("gw-{}-{started}", std::process::id()),
                next_id: AtomicU64::new(1),
            }),
        })
    }

    /// The upstreams, in file order.
    pub fn upstreams(&self) -> &[Upstream] {
        &self.inner.upstreams
    }

    /// The gateway's own session name: the session of stdio requests, and the prefix of
    /// record identifiers.
    pub fn session(&self) -> &str {
        &self.inner.session
    }

    /// Serves the host on this process's stdin and stdout until it disconnects, then
    /// [closes](Gateway::close) the gateway.
    ///
    /// # Errors
    ///
    /// When the MCP handshake with the host fails, or closing fails.
    pub async fn serve_stdio(self) -> Result<(), GatewayError> {
        let running = match self.clone().serve(rmcp::transport::stdio()).await {
            Ok(running) => running,
            Err(error) => {
                // A host that leaves before the handshake still gets a signed, closed trail.
                let _closed = self.close().await;
                return Err(GatewayError::Serve(error.to_string()));
            }
        };
        let quit = running.waiting().await;
        let closed = self.close().await;
        quit.map_err(|error| GatewayError::Serve(error.to_string()))?;
        closed
    }

    /// Stops the upstreams and closes the audit trail with a signed checkpoint. Requests that
    /// arrive afterwards fail, since nothing can be recorded.
    ///
    /// # Errors
    ///
    /// When the final checkpoint cannot be written, or the trail was already closed.
    pub async fn close(&self) -> Result<(), GatewayError> {
        for upstream in &self.inner.upstreams {
            upstream.close().await;
        }
        let trail = self
            .inner
            .audit
            .lock()
            .map(|mut guard| std::mem::replace(&mut *guard, Trail::Closed))
            .map_err(|_| GatewayError::AuditUnavailable)?;
        match trail {
            Trail::Open(writer) => writer.close().map_err(GatewayError::Audit),
            Trail::Closed | Trail::Failed(_) => Err(GatewayError::AuditUnavailable),
        }
    }

    /// Syncs every record written so far to disk, on a blocking thread and without holding
    /// the trail, so requests go on being recorded meanwhile; with grouped syncs, the command
    /// calls it on a timer so a quiet gateway's last records are durable too. When a sync is
    /// already running, this leaves the records after it to the next call.
    ///
    /// # Errors
    ///
    /// When syncing fails (the trail is then failed for every later request), or the trail is
    /// closed.
    pub async fn sync_audit(&self) -> Result<(), GatewayError> {
        let pending = {
            let mut guard = self
                .inner
                .audit
                .lock()
                .map_err(|_| GatewayError::AuditUnavailable)?;
            let writer = guard.writer().map_err(|_| GatewayError::AuditUnavailable)?;
            writer.take_sync()
        };
        let Some(pending) = pending else {
            return Ok(());
        };
        self.spawn_sync(pending)
            .await
            .map_err(|_| GatewayError::AuditUnavailable)?
            .map_err(GatewayError::Audit)
    }

    /// Gives a sync's result back to the writer; a failed sync fails the trail.
    fn finish_sync(&self, done: Result<SyncDone, WriterError>) -> Result<(), WriterError> {
        // Poisoning only means a request panicked holding the trail; the writer is whole.
        let mut guard = self
            .inner
            .audit
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let Trail::Open(writer) = &mut *guard else {
            // Closed meanwhile: closing synced everything itself.
            return Ok(());
        };
        writer.finish_sync(done).inspect_err(|error| {
            *guard = Trail::Failed(error.to_string());
        })
    }

    /// Runs `pending` on a blocking thread and gives its result back to the writer, so neither
    /// the caller nor the trail waits for the disk unless it awaits the handle. A failure is
    /// kept in the trail too: every later request fails with it.
    fn spawn_sync(&self, pending: PendingSync) -> tokio::task::JoinHandle<Result<(), WriterError>> {
        let gateway = self.clone();
        tokio::task::spawn_blocking(move || gateway.finish_sync(pending.run()))
    }

    /// The caller of one request: the principal the HTTP front end put in the request, or
    /// else the gateway's fixed one; an HTTP request without one is refused (fail closed).
    fn caller(&self, context: &RequestContext<RoleServer>) -> Result<Caller, ErrorData> {
        let parts = context.extensions.get::<axum::http::request::Parts>();
        let principal = match parts {
            Some(parts) => parts.extensions.get::<Principal>().cloned(),
            None => self.inner.options.principal.clone(),
        }
        .ok_or_else(|| {
            ErrorData::invalid_request("no principal: the request is not authenticated", None)
        })?;
        let session = parts
            .and_then(|parts| parts.headers.get("mcp-session-id"))
            .and_then(|value| value.to_str().ok())
            .map_or_else(
                || self.inner.session.clone(),
                |id| format!("{}/{id}", self.inner.session),
            );
        let client = context
            .peer
            .peer_info()
            .map(|info| info.client_info.name.clone());
        Ok(Caller {
            principal,
            client,
            session,
        })
    }

    fn upstream(&self, key: &str) -> Option<&Upstream> {
        self.inner.upstreams.iter().find(|up| up.key() == key)
    }

    /// A request of `caller` about `upstream` at the current time, with the remote and its
    /// resolved addresses when the upstream is one.
    fn request(caller: &Caller, action: Action, upstream: &Upstream) -> Request {
        let mut request = Request::new(caller.principal.clone(), action, upstream.facts().clone())
            .with_time(unix_seconds());
        if let Some(remote) = upstream.remote() {
            request = request.with_remote_in_use(remote.remote.clone());
            for address in &remote.resolved {
                request = request.with_resolved_address(*address);
            }
        }
        request
    }

    /// A fresh record identifier: the gateway's session and a counter.
    fn next_id(&self) -> String {
        let n = self.inner.next_id.fetch_add(1, Ordering::Relaxed);
        format!("{}-{n}", self.inner.session)
    }

    /// The decision record of `request`.
    fn decision_record(
        &self,
        caller: &Caller,
        request: &Request,
        decision: &Decision,
    ) -> Result<AuditRecord, ErrorData> {
        let mut record = AuditRecord::from_decision(self.next_id(), now()?, request, decision)
            .with_session(caller.session.clone());
        if let Some(client) = &caller.client {
            record = record.with_client(client);
        }
        Ok(record)
    }

    /// Writes `record`, or fails the request: nothing goes ahead unrecorded.
    fn audit(&self, record: &AuditRecord) -> Result<(), ErrorData> {
        let unavailable = |detail: String| {
            ErrorData::internal_error(format!("audit trail unavailable: {detail}"), None)
        };
        let pending = {
            let mut guard = self
                .inner
                .audit
                .lock()
                .map_err(|_| unavailable("a writer thread panicked".to_owned()))?;
            let writer = guard.writer().map_err(unavailable)?;
            writer.write_deferred(record).map_err(|error| {
                // The writer cannot go on after a failed write (its chain has moved past a
                // line that may not be in the file); fail it so every later request fails too.
                let detail = error.to_string();
                *guard = Trail::Failed(detail.clone());
                unavailable(detail)
            })?
        };
        if let Some(pending) = pending {
            // Not awaited: the request goes on while the group is synced.
            drop(self.spawn_sync(pending));
        }
        Ok(())
    }

    /// Decides `request` for `caller` with the caller's quota counters, counting the request
    /// when the decision allows it (an `ask` is counted once approved, by [`Self::count`]).
    fn decide(&self, caller: &Caller, mut request: Request) -> (Request, Decision) {
        if self.inner.quotas.is_empty() {
            let decision = self.inner.policy.evaluate(&request);
            return (request, decision);
        }
        // Poisoning only means another request panicked mid-count; the counters are whole.
        let _turn = self
            .inner
            .quota_turn
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let counters: Vec<&str> = self.inner.quotas.iter().map(|(c, _)| c.as_str()).collect();
        request.usage = self
            .inner
            .options
            .counters
            .usage(&caller.principal.id, &counters);
        let decision = self.inner.policy.evaluate(&request);
        if decision.effect() == Effect::Allow {
            self.count(caller, &request, &decision);
        }
        (request, decision)
    }

    /// Counts a request against every counter its decision names.
    fn count(&self, caller: &Caller, request: &Request, decision: &Decision) {
        let now = request.time.unwrap_or_else(unix_seconds);
        for obligation in decision.obligations() {
            if let Obligation::CountUsage { counter } = obligation {
                let window = self
                    .inner
                    .quotas
                    .iter()
                    .find(|(name, _)| name == counter)
                    .map_or(u64::MAX, |(_, window)| *window);
                self.inner
                    .options
                    .counters
                    .count(&caller.principal.id, counter, window, now);
            }
        }
    }

    /// The name the host sees for `name` on `upstream`.
    fn public_name(&self, upstream: &Upstream, name: &str) -> String {
        if self.inner.options.flat {
            name.to_owned()
        } else {
            format!("{}{SEPARATOR}{name}", upstream.key())
        }
    }

    async fn list_tools_for(&self, caller: &Caller) -> Result<Vec<Tool>, ErrorData> {
        let mut listed: Vec<(Tool, String)> = Vec::new();
        for upstream in &self.inner.upstreams {
            let request = Self::request(caller, Action::ListTools, upstream);
            let decision = self.inner.policy.evaluate(&request);
            self.audit(&self.decision_record(caller, &request, &decision)?)?;
            if decision.effect() == Effect::Deny {
                continue;
            }
            let tools = upstream
                .tools()
                .await
                .map_err(|error| upstream_error(upstream.key(), &error))?;
            for tool in tools.iter() {
                let call =
                    Self::request(caller, Action::CallTool, upstream).with_tool(tool_facts(tool));
                let mut tool = tool.clone();
                match self.inner.policy.evaluate(&call).effect() {
                    Effect::Deny => continue,
                    Effect::Ask => {
                        let description = tool.description.as_deref().unwrap_or_default();
                        tool.description = Some(format!("{NEEDS_APPROVAL}{description}").into());
                    }
                    Effect::Allow => {}
                }
                tool.name = self.public_name(upstream, &tool.name).into();
                listed.push((tool, upstream.key().to_owned()));
            }
        }
        Ok(without_shared_names(listed, |tool| tool.name.as_ref()))
    }

    /// The upstream and its current definition of the tool the host calls `name`.
    async fn resolve_tool(&self, name: &str) -> Result<(&Upstream, Tool), ErrorData> {
        if !self.inner.options.flat {
            let (key, tool_name) = name.split_once(SEPARATOR).ok_or_else(|| {
                ErrorData::invalid_params(
                    format!("no tool named {name}: gateway tools are KEY{SEPARATOR}TOOL"),
                    None,
                )
            })?;
            let upstream = self.upstream(key).ok_or_else(|| {
                ErrorData::invalid_params(format!("no upstream named {key}"), None)
            })?;
            // Decide from the upstream's definition now, not from what was listed earlier.
            let tool = upstream
                .tools()
                .await
                .map_err(|error| upstream_error(key, &error))?
                .iter()
                .find(|tool| tool.name == tool_name)
                .cloned()
                .ok_or_else(|| {
                    ErrorData::invalid_params(
                        format!("upstream {key} has no tool {tool_name}"),
                        None,
                    )
                })?;
            return Ok((upstream, tool));
        }
        let mut found = None;
        for upstream in &self.inner.upstreams {
            let tools = upstream
                .tools()
                .await
                .map_err(|error| upstream_error(upstream.key(), &error))?;
            if let Some(tool) = tools.iter().find(|tool| tool.name == name) {
                if found.is_some() {
                    return Err(ErrorData::invalid_params(
                        format!("more than one upstream has a tool named {name}"),
                        None,
                    ));
                }
                found = Some((upstream, tool.clone()));
            }
        }
        found.ok_or_else(|| ErrorData::invalid_params(format!("no tool named {name}"), None))
    }

    /// Decides a request about `subject` on `upstream` and records the decision; an ask goes
    /// to a person. Returns the request, the decision record and the approval on the way to
    /// forwarding, or the error the host gets.
    async fn admit(
        &self,
        caller: &Caller,
        context: &RequestContext<RoleServer>,
        action: Action,
        upstream: &Upstream,
        subject: Subject<'_>,
        arguments: Option<&Value>,
    ) -> Result<(AuditRecord, Option<Approval>), ErrorData> {
        let mut request = Self::request(caller, action, upstream);
        let shown = match subject {
            Subject::Tool(tool) => {
                request = request.with_tool(tool_facts(tool));
                tool.name.to_string()
            }
            Subject::Resource(name) | Subject::Prompt(name) => name.to_owned(),
        };
        let (request, decision) = self.decide(caller, request);
        let mut record = self.decision_record(caller, &request, &decision)?;
        match subject {
            Subject::Resource(uri) => record = record.with_resource(uri),
            Subject::Prompt(name) => record = record.with_prompt(name),
            Subject::Tool(_) => {}
        }
        if let Some(arguments) = arguments {
            record = match &self.inner.options.arguments {
                Some(redact) => {
                    let keys: Vec<&str> = redact.iter().map(String::as_str).collect();
                    record.with_arguments(arguments.clone()).redact(&keys)
                }
                None => record.with_arguments_digest(arguments),
            };
        }
        match decision.effect() {
            Effect::Deny => {
                self.audit(&record)?;
                Err(self.denied(&request, &decision))
            }
            Effect::Allow => {
                self.audit(&record)?;
                Ok((record, None))
            }
            Effect::Ask => {
                let pending = PendingCall::new(
                    caller.principal.clone(),
                    upstream.key(),
                    shown,
                    arguments.cloned().unwrap_or_else(|| json!({})),
                )
                .with_reasons(
                    decision.decided_by().map(|by| by.rule().to_owned()),
                    decision.reasons().iter().map(ToString::to_string).collect(),
                );
                let approved = self.ask(context, &pending).await;
                let approval = if approved {
                    Approval::Approved
                } else {
                    Approval::Rejected
                };
                let record = record.with_approval(approval);
                if approved && !self.inner.quotas.is_empty() {
                    let _turn = self
                        .inner
                        .quota_turn
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner);
                    self.count(caller, &request, &decision);
                }
                self.audit(&record)?;
                if approved {
                    Ok((record, Some(approval)))
                } else {
                    Err(not_approved(&pending))
                }
            }
        }
    }

    /// Asks the host's user by elicitation when it can, else the approver on a blocking
    /// thread (it may wait for a person). Anything but a clear yes refuses.
    async fn ask(&self, context: &RequestContext<RoleServer>, pending: &PendingCall) -> bool {
        if self.inner.options.elicitation
            && let Some(answer) = elicit::ask(&context.peer, pending).await
        {
            return answer;
        }
        let hook = Arc::clone(&self.inner.options.approver);
        let question = pending.clone();
        tokio::task::spawn_blocking(move || hook.approve(&question))
            .await
            .unwrap_or(false)
    }

    /// The record of a completed request, after its decision record.
    fn completion(
        &self,
        decision: &AuditRecord,
        approval: Option<Approval>,
        started: Instant,
        answer: Result<usize, i64>,
    ) -> Result<AuditRecord, ErrorData> {
        let mut done = decision.clone();
        done.id = self.next_id();
        done.time = now()?;
        done.kind = RecordKind::Call;
        done.approval = approval;
        done.duration_ms = Some(u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX));
        Ok(match answer {
            Ok(bytes) => done
                .with_outcome(CallOutcome::Ok)
                .with_response_bytes(u64::try_from(bytes).unwrap_or(u64::MAX)),
            Err(code) => done.with_outcome(CallOutcome::Error { code }),
        })
    }

    async fn call(
        &self,
        params: CallToolRequestParams,
        caller: &Caller,
        context: &RequestContext<RoleServer>,
    ) -> Result<CallToolResult, ErrorData> {
        let started = Instant::now();
        let (upstream, tool) = self.resolve_tool(&params.name).await?;
        let arguments = Value::Object(params.arguments.unwrap_or_default());
        let (record, approval) = self
            .admit(
                caller,
                context,
                Action::CallTool,
                upstream,
                Subject::Tool(&tool),
                Some(&arguments),
            )
            .await?;
        // Bound to the digest: the arguments forwarded are the ones decided (and approved).
        let mut forward = CallToolRequestParams::new(tool.name.to_string());
        if let Value::Object(object) = arguments {
            forward = forward.with_arguments(object);
        }
        let progress = context
            .meta
            .get_progress_token()
            .map(|token| (context.peer.clone(), token));
        let answer = match upstream
            .send(
                ClientRequest::CallToolRequest(CallToolRequest::new(forward)),
                progress,
            )
            .await
        {
            Ok(ServerResult::CallToolResult(result)) => Ok(result),
            Ok(_) => Err(ErrorData::internal_error(
                format!(
                    "upstream {}: unexpected answer to tools/call",
                    upstream.key()
                ),
                None,
            )),
            Err(error) => Err(upstream_error(upstream.key(), &error)),
        };
        let size = answer.as_ref().map(json_size);
        let done = self.completion(&record, approval, started, size_or_code(&answer, size))?;
        self.audit(&done)?;
        answer
    }

    async fn read(
        &self,
        params: ReadResourceRequestParams,
        caller: &Caller,
        context: &RequestContext<RoleServer>,
    ) -> Result<ReadResourceResponse, ErrorData> {
        let started = Instant::now();
        let upstream = self.resource_owner(&params.uri).await?;
        let uri = params.uri.clone();
        let (record, approval) = self
            .admit(
                caller,
                context,
                Action::ReadResource,
                upstream,
                Subject::Resource(&uri),
                None,
            )
            .await?;
        // Sent as a plain request: rmcp's client cache on this connection is shared by every
        // principal, so a read is never answered from it.
        let answer = match upstream
            .peer()
            .send_request(ClientRequest::ReadResourceRequest(
                ReadResourceRequest::new(params),
            ))
            .await
        {
            Ok(ServerResult::ReadResourceResult(result)) => {
                Ok(ReadResourceResponse::Complete(result))
            }
            Ok(ServerResult::InputRequiredResult(result)) => {
                Ok(ReadResourceResponse::InputRequired(result))
            }
            Ok(_) => Err(ErrorData::internal_error(
                format!(
                    "upstream {}: unexpected answer to resources/read",
                    upstream.key()
                ),
                None,
            )),
            Err(error) => Err(upstream_error(upstream.key(), &error)),
        };
        let size = answer.as_ref().map(|response| match response {
            ReadResourceResponse::Complete(result) => json_size(result),
            ReadResourceResponse::InputRequired(result) => json_size(result),
            _ => 0,
        });
        let done = self.completion(&record, approval, started, size_or_code(&answer, size))?;
        self.audit(&done)?;
        answer
    }

    async fn prompt(
        &self,
        params: GetPromptRequestParams,
        caller: &Caller,
        context: &RequestContext<RoleServer>,
    ) -> Result<GetPromptResponse, ErrorData> {
        let started = Instant::now();
        let (upstream, name) = self.resolve_prompt(&params.name).await?;
        let arguments = Value::Object(params.arguments.clone().unwrap_or_default());
        let (record, approval) = self
            .admit(
                caller,
                context,
                Action::GetPrompt,
                upstream,
                Subject::Prompt(&name),
                Some(&arguments),
            )
            .await?;
        let mut forward = params;
        forward.name = name;
        let answer = match upstream
            .peer()
            .send_request(ClientRequest::GetPromptRequest(GetPromptRequest::new(
                forward,
            )))
            .await
        {
            Ok(ServerResult::GetPromptResult(result)) => Ok(GetPromptResponse::Complete(result)),
            Ok(ServerResult::InputRequiredResult(result)) => {
                Ok(GetPromptResponse::InputRequired(result))
            }
            Ok(_) => Err(ErrorData::internal_error(
                format!(
                    "upstream {}: unexpected answer to prompts/get",
                    upstream.key()
                ),
                None,
            )),
            Err(error) => Err(upstream_error(upstream.key(), &error)),
        };
        let size = answer.as_ref().map(|response| match response {
            GetPromptResponse::Complete(result) => json_size(result),
            GetPromptResponse::InputRequired(result) => json_size(result),
            _ => 0,
        });
        let done = self.completion(&record, approval, started, size_or_code(&answer, size))?;
        self.audit(&done)?;
        answer
    }

    /// The upstream that serves `uri`: the one that lists it, or else the only upstream that
    /// serves resources at all (a URI from a template). Never a guess between two.
    async fn resource_owner(&self, uri: &str) -> Result<&Upstream, ErrorData> {
        let mut listing = Vec::new();
        let mut serving = Vec::new();
        for upstream in &self.inner.upstreams {
            let offers = upstream
                .peer()
                .peer_info()
                .is_some_and(|info| info.capabilities.resources.is_some());
            if !offers {
                continue;
            }
            serving.push(upstream);
            let resources = upstream
                .peer()
                .list_all_resources()
                .await
                .map_err(|error| upstream_error(upstream.key(), &error))?;
            if resources.iter().any(|resource| resource.uri == uri) {
                listing.push(upstream);
            }
        }
        match (listing.as_slice(), serving.as_slice()) {
            ([one], _) | ([], [one]) => Ok(one),
            ([], _) => Err(ErrorData::resource_not_found(
                format!("no upstream lists the resource {uri}"),
                None,
            )),
            _ => Err(ErrorData::invalid_params(
                format!("more than one upstream lists the resource {uri}"),
                None,
            )),
        }
    }

    /// The upstream and its own name for the prompt the host calls `name`.
    async fn resolve_prompt(&self, name: &str) -> Result<(&Upstream, String), ErrorData> {
        if !self.inner.options.flat {
            let (key, prompt) = name.split_once(SEPARATOR).ok_or_else(|| {
                ErrorData::invalid_params(
                    format!("no prompt named {name}: gateway prompts are KEY{SEPARATOR}PROMPT"),
                    None,
                )
            })?;
            let upstream = self.upstream(key).ok_or_else(|| {
                ErrorData::invalid_params(format!("no upstream named {key}"), None)
            })?;
            return Ok((upstream, prompt.to_owned()));
        }
        let mut found = None;
        for upstream in self.offering(|caps| caps.prompts.is_some()) {
            let prompts = upstream
                .peer()
                .list_all_prompts()
                .await
                .map_err(|error| upstream_error(upstream.key(), &error))?;
            if prompts.iter().any(|prompt| prompt.name == name) {
                if found.is_some() {
                    return Err(ErrorData::invalid_params(
                        format!("more than one upstream has a prompt named {name}"),
                        None,
                    ));
                }
                found = Some((upstream, name.to_owned()));
            }
        }
        found.ok_or_else(|| ErrorData::invalid_params(format!("no prompt named {name}"), None))
    }

    /// The upstreams whose declared capabilities pass `offers`.
    fn offering(
        &self,
        offers: impl Fn(&ServerCapabilities) -> bool,
    ) -> impl Iterator<Item = &Upstream> {
        self.inner.upstreams.iter().filter(move |upstream| {
            upstream
                .peer()
                .peer_info()
                .is_some_and(|info| offers(&info.capabilities))
        })
    }

    /// Whether to list `upstream`'s resources or prompts to `caller`: not when the policy
    /// denies every `action` of the caller there. A courtesy like the tool list, so it is not
    /// recorded; each read or get is decided and recorded when it comes.
    fn may_list(&self, caller: &Caller, action: Action, upstream: &Upstream) -> bool {
        let request = Self::request(caller, action, upstream);
        self.inner.policy.evaluate(&request).effect() != Effect::Deny
    }

    /// The MCP error of a deny: rule, reasons and what would allow it in the message, the
    /// whole explanation in the data.
    fn denied(&self, request: &Request, decision: &Decision) -> ErrorData {
        let explanation = self.inner.policy.explain(request);
        let mut message = match decision.decided_by() {
            Some(by) => format!(
                "denied by policy: rule `{}` in layer `{}`",
                by.rule(),
                by.layer()
            ),
            None => "denied by policy: no rule allows this call (default deny)".to_owned(),
        };
        if !decision.reasons().is_empty() {
            let reasons: Vec<&str> = decision.reasons().iter().map(AsRef::as_ref).collect();
            message.push_str(": ");
            message.push_str(&reasons.join("; "));
        }
        let suggestions: Vec<&str> = explanation
            .suggestions()
            .iter()
            .map(mcp_policy::Suggestion::change)
            .collect();
        if !suggestions.is_empty() {
            message.push_str("; to allow: ");
            message.push_str(&suggestions.join("; "));
        }
        let data = json!({
            "effect": decision.effect().as_str(),
            "rule": decision.decided_by().map(mcp_policy::DecidedBy::rule),
            "layer": decision.decided_by().map(mcp_policy::DecidedBy::layer),
            "reasons": decision.reasons().iter().map(AsRef::as_ref).collect::<Vec<&str>>(),
            "toAllow": suggestions,
            "policyHash": decision.policy_hash(),
            "explanation": explanation.to_string(),
        });
        ErrorData::new(DENIED, message, Some(data))
    }
}

impl ServerHandler for Gateway {
    fn get_info(&self) -> ServerConfig {
        let capabilities = ServerCapabilities::builder()
            .enable_tools()
            .enable_resources()
            .enable_prompts()
            .build();
        let mut info = ServerConfig::new(capabilities);
        info.server_info = Implementation::new("mcp-registry-gateway", env!("CARGO_PKG_VERSION"));
        info
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        let caller = self.caller(&context)?;
        Ok(ListToolsResult::with_all_items(
            self.list_tools_for(&caller).await?,
        ))
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let caller = self.caller(&context)?;
        Ok(self.call(request, &caller, &context).await?.into())
    }

    async fn list_resources(
        &self,
        _request: Option<PaginatedRequestParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<ListResourcesResult, ErrorData> {
        let caller = self.caller(&context)?;
        let mut all = Vec::new();
        for upstream in self.offering(|caps| caps.resources.is_some()) {
            if !self.may_list(&caller, Action::ReadResource, upstream) {
                continue;
            }
            let resources = upstream
                .peer()
                .list_all_resources()
                .await
                .map_err(|error| upstream_error(upstream.key(), &error))?;
            all.extend(resources);
        }
        Ok(ListResourcesResult::with_all_items(all))
    }

    async fn list_resource_templates(
        &self,
        _request: Option<PaginatedRequestParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<ListResourceTemplatesResult, ErrorData> {
        let caller = self.caller(&context)?;
        let mut all = Vec::new();
        for upstream in self.offering(|caps| caps.resources.is_some()) {
            if !self.may_list(&caller, Action::ReadResource, upstream) {
                continue;
            }
            let templates = upstream
                .peer()
                .list_all_resource_templates()
                .await
                .map_err(|error| upstream_error(upstream.key(), &error))?;
            all.extend(templates);
        }
        Ok(ListResourceTemplatesResult::with_all_items(all))
    }

    async fn read_resource(
        &self,
        request: ReadResourceRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<ReadResourceResponse, ErrorData> {
        let caller = self.caller(&context)?;
        self.read(request, &caller, &context).await
    }

    async fn list_prompts(
        &self,
        _request: Option<PaginatedRequestParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<ListPromptsResult, ErrorData> {
        let caller = self.caller(&context)?;
        let mut listed = Vec::new();
        for upstream in self.offering(|caps| caps.prompts.is_some()) {
            if !self.may_list(&caller, Action::GetPrompt, upstream) {
                continue;
            }
            let prompts = upstream
                .peer()
                .list_all_prompts()
                .await
                .map_err(|error| upstream_error(upstream.key(), &error))?;
            for mut prompt in prompts {
                prompt.name = self.public_name(upstream, &prompt.name);
                listed.push((prompt, upstream.key().to_owned()));
            }
        }
        Ok(ListPromptsResult::with_all_items(without_shared_names(
            listed,
            |prompt| prompt.name.as_str(),
        )))
    }

    async fn get_prompt(
        &self,
        request: GetPromptRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<GetPromptResponse, ErrorData> {
        let caller = self.caller(&context)?;
        self.prompt(request, &caller, &context).await
    }
}

/// Drops every item whose name two upstreams share (only possible with flat names), so the
/// host is never offered a name the gateway would refuse to route.
fn without_shared_names<T>(items: Vec<(T, String)>, name: impl Fn(&T) -> &str) -> Vec<T> {
    let shared = |item: &T, owner: &str| {
        items
            .iter()
            .any(|(other, key)| key != owner && name(other) == name(item))
    };
    let keep: Vec<bool> = items.iter().map(|(item, key)| !shared(item, key)).collect();
    items
        .into_iter()
        .zip(keep)
        .filter_map(|((item, _), keep)| keep.then_some(item))
        .collect()
}

/// The policy's view of an upstream tool: its name on the upstream and its annotations.
fn tool_facts(tool: &Tool) -> ToolFacts {
    let mut annotations = mcp_policy::ToolAnnotations::default();
    if let Some(given) = &tool.annotations {
        annotations.read_only_hint = given.read_only_hint;
        annotations.destructive_hint = given.destructive_hint;
        annotations.idempotent_hint = given.idempotent_hint;
        annotations.open_world_hint = given.open_world_hint;
    }
    ToolFacts::new(tool.name.as_ref()).with_annotations(annotations)
}

/// The error of a refused approval.
fn not_approved(pending: &PendingCall) -> ErrorData {
    ErrorData::new(
        NOT_APPROVED,
        format!("not approved: {pending}"),
        Some(json!({
            "effect": "ask",
            "rule": pending.rule,
            "reasons": pending.reasons,
            "argumentsDigest": pending.arguments_digest,
        })),
    )
}

/// An upstream's failure as the host sees it: its own MCP error when it sent one.
fn upstream_error(key: &str, error: &ServiceError) -> ErrorData {
    match error {
        ServiceError::McpError(error) => error.clone(),
        other => ErrorData::internal_error(format!("upstream {key}: {other}"), None),
    }
}

fn json_size<T: serde::Serialize>(value: &T) -> usize {
    serde_json::to_vec(value).map_or(0, |bytes| bytes.len())
}

/// The response size of an answer, or its error code.
fn size_or_code<T>(
    answer: &Result<T, ErrorData>,
    size: Result<usize, &ErrorData>,
) -> Result<usize, i64> {
    match (answer, size) {
        (Ok(_), Ok(size)) => Ok(size),
        (Err(error), _) | (_, Err(error)) => Err(i64::from(error.code.0)),
    }
}

fn unix_seconds() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs())
}

/// The time now, as an audit record's UTC timestamp.
fn now() -> Result<Timestamp, ErrorData> {
    let seconds = i64::try_from(unix_seconds()).unwrap_or(i64::MAX);
    let text = mcp_registry_types::Timestamp::from_unix_seconds(seconds).to_string();
    Timestamp::new(&text)
        .map_err(|error| ErrorData::internal_error(format!("the clock: {error}"), None))
}
