//! [`Gateway`]: the MCP server half, deciding and recording every request.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use mcp_policy::audit::{Approval, AuditRecord, CallOutcome, RecordKind, Timestamp};
use mcp_policy::{Action, CompiledPolicy, Decision, Effect, Principal, Request, ToolFacts};
use mcp_registry_types::host::ImportedServer;
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ErrorCode, Implementation,
    ListToolsResult, PaginatedRequestParams, ServerCapabilities, ServerConfig, Tool,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData, RoleServer, ServerHandler, ServiceError, ServiceExt as _};
use serde_json::{Value, json};

use super::approval::{Approver, PendingCall};
use super::upstream::{SEPARATOR, Upstream, UpstreamError};
use crate::audit::writer::{AuditWriter, WriterError};

/// The JSON-RPC error code of a call the policy denies (a server-defined code).
pub const DENIED: ErrorCode = ErrorCode(-32001);
/// The JSON-RPC error code of a call that needed approval and did not get it.
pub const NOT_APPROVED: ErrorCode = ErrorCode(-32003);
/// What `tools/list` puts before the description of a tool whose calls need approval.
pub const NEEDS_APPROVAL: &str = "[needs approval] ";

/// Why the gateway could not start or stop cleanly.
#[non_exhaustive]
#[derive(Debug)]
pub enum GatewayError {
    /// An upstream could not be started.
    Upstream(UpstreamError),
    /// The audit trail could not be written or closed.
    Audit(WriterError),
    /// The audit writer was lost: a thread panicked while holding it, or it is closed.
    AuditUnavailable,
    /// Serving the host failed.
    Serve(String),
}

impl fmt::Display for GatewayError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Upstream(error) => error.fmt(f),
            Self::Audit(error) => write!(f, "audit trail: {error}"),
            Self::AuditUnavailable => f.write_str("audit trail: the writer is closed"),
            Self::Serve(error) => write!(f, "serving the host: {error}"),
        }
    }
}

impl std::error::Error for GatewayError {}

/// The gateway: an `rmcp` [`ServerHandler`]. Cloning is cheap and shares everything, so a
/// caller keeps a clone to [`Gateway::close`] it after serving.
#[derive(Clone)]
pub struct Gateway {
    inner: Arc<Inner>,
}

struct Inner {
    upstreams: Vec<Upstream>,
    policy: Arc<CompiledPolicy>,
    principal: Principal,
    approver: Arc<dyn Approver>,
    audit: Mutex<Option<AuditWriter>>,
    session: String,
    next_id: AtomicU64,
}

impl fmt::Debug for Gateway {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Gateway")
            .field("upstreams", &self.inner.upstreams)
            .field("principal", &self.inner.principal)
            .field("session", &self.inner.session)
            .finish_non_exhaustive()
    }
}

impl Gateway {
    /// Starts every server in `servers` (see [`Upstream::start`]) and returns the gateway that
    /// serves them to `principal`, deciding with `policy`, asking `approver` about `ask`
    /// calls and recording through `audit`.
    ///
    /// # Errors
    ///
    /// When two servers share a key or one cannot be started; those already started are
    /// stopped.
    pub async fn start(
        servers: &[ImportedServer],
        policy: Arc<CompiledPolicy>,
        principal: Principal,
        approver: Arc<dyn Approver>,
        audit: AuditWriter,
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
        let started = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |elapsed| elapsed.as_nanos());
        Ok(Self {
            inner: Arc::new(Inner {
                upstreams,
                policy,
                principal,
                approver,
                audit: Mutex::new(Some(audit)),
                session: format!("stdio-{}-{started}", std::process::id()),
                next_id: AtomicU64::new(1),
            }),
        })
    }

    /// The upstreams, in file order.
    pub fn upstreams(&self) -> &[Upstream] {
        &self.inner.upstreams
    }

    /// The session name written in every record.
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
        let running = self
            .clone()
            .serve(rmcp::transport::stdio())
            .await
            .map_err(|error| GatewayError::Serve(error.to_string()))?;
        let quit = running.waiting().await;
        let closed = self.close().await;
        quit.map_err(|error| GatewayError::Serve(error.to_string()))?;
        closed
    }

    /// Stops the upstreams and closes the audit trail with a signed checkpoint. Calls that
    /// arrive afterwards fail, since nothing can be recorded.
    ///
    /// # Errors
    ///
    /// When the final checkpoint cannot be written, or the trail was already closed.
    pub async fn close(&self) -> Result<(), GatewayError> {
        for upstream in &self.inner.upstreams {
            upstream.close().await;
        }
        let writer = self
            .inner
            .audit
            .lock()
            .ok()
            .and_then(|mut guard| guard.take())
            .ok_or(GatewayError::AuditUnavailable)?;
        writer.close().map_err(GatewayError::Audit)
    }

    fn upstream(&self, key: &str) -> Option<&Upstream> {
        self.inner.upstreams.iter().find(|up| up.key() == key)
    }

    /// A request of the calling principal about `upstream`, at the current time.
    fn request(&self, action: Action, upstream: &Upstream) -> Request {
        Request::new(
            self.inner.principal.clone(),
            action,
            upstream.facts().clone(),
        )
        .with_time(unix_seconds())
    }

    /// A fresh record identifier: the session and a counter.
    fn next_id(&self) -> String {
        let n = self.inner.next_id.fetch_add(1, Ordering::Relaxed);
        format!("{}-{n}", self.inner.session)
    }

    /// The decision record of `request`.
    fn decision_record(
        &self,
        request: &Request,
        decision: &Decision,
        client: Option<&str>,
    ) -> Result<AuditRecord, ErrorData> {
        let mut record = AuditRecord::from_decision(self.next_id(), now()?, request, decision)
            .with_session(self.inner.session.clone());
        if let Some(client) = client {
            record = record.with_client(client);
        }
        Ok(record)
    }

    /// Writes `record`, or fails the request: nothing goes ahead unrecorded.
    fn audit(&self, record: &AuditRecord) -> Result<(), ErrorData> {
        let unavailable = |detail: String| {
            ErrorData::internal_error(format!("audit trail unavailable: {detail}"), None)
        };
        let mut guard = self
            .inner
            .audit
            .lock()
            .map_err(|_| unavailable("a writer thread panicked".to_owned()))?;
        let writer = guard
            .as_mut()
            .ok_or_else(|| unavailable("the gateway is closed".to_owned()))?;
        writer.write(record).map_err(|error| {
            // The writer cannot go on after a failed write (its chain has moved past a line
            // that may not be in the file); drop it so every later request fails too.
            let detail = error.to_string();
            *guard = None;
            unavailable(detail)
        })
    }

    async fn list(&self, client: Option<&str>) -> Result<Vec<Tool>, ErrorData> {
        let mut listed = Vec::new();
        for upstream in &self.inner.upstreams {
            let request = self.request(Action::ListTools, upstream);
            let decision = self.inner.policy.evaluate(&request);
            self.audit(&self.decision_record(&request, &decision, client)?)?;
            if decision.effect() == Effect::Deny {
                continue;
            }
            let tools = upstream
                .tools()
                .await
                .map_err(|error| upstream_error(upstream.key(), &error))?;
            for mut tool in tools {
                let call = self
                    .request(Action::CallTool, upstream)
                    .with_tool(tool_facts(&tool));
                match self.inner.policy.evaluate(&call).effect() {
                    Effect::Deny => continue,
                    Effect::Ask => {
                        let description = tool.description.as_deref().unwrap_or_default();
                        tool.description = Some(format!("{NEEDS_APPROVAL}{description}").into());
                    }
                    Effect::Allow => {}
                }
                tool.name = format!("{}{SEPARATOR}{}", upstream.key(), tool.name).into();
                listed.push(tool);
            }
        }
        Ok(listed)
    }

    async fn call(
        &self,
        params: CallToolRequestParams,
        client: Option<&str>,
    ) -> Result<CallToolResult, ErrorData> {
        let started = Instant::now();
        let (key, tool_name) = params.name.split_once(SEPARATOR).ok_or_else(|| {
            ErrorData::invalid_params(
                format!(
                    "no tool named {}: gateway tools are KEY{SEPARATOR}TOOL",
                    params.name
                ),
                None,
            )
        })?;
        let upstream = self
            .upstream(key)
            .ok_or_else(|| ErrorData::invalid_params(format!("no upstream named {key}"), None))?;
        // Decide from the upstream's definition now, not from what was listed earlier.
        let tool = upstream
            .tools()
            .await
            .map_err(|error| upstream_error(key, &error))?
            .into_iter()
            .find(|tool| tool.name == tool_name)
            .ok_or_else(|| {
                ErrorData::invalid_params(format!("upstream {key} has no tool {tool_name}"), None)
            })?;
        let arguments = Value::Object(params.arguments.unwrap_or_default());
        let request = self
            .request(Action::CallTool, upstream)
            .with_tool(tool_facts(&tool));
        let decision = self.inner.policy.evaluate(&request);
        let record = self
            .decision_record(&request, &decision, client)?
            .with_arguments_digest(&arguments);

        let (arguments, approval) = match decision.effect() {
            Effect::Deny => {
                self.audit(&record)?;
                return Err(self.denied(&request, &decision));
            }
            Effect::Ask => {
                let pending =
                    PendingCall::new(self.inner.principal.clone(), key, tool_name, arguments)
                        .with_reasons(
                            decision.decided_by().map(|by| by.rule().to_owned()),
                            decision.reasons().iter().map(ToString::to_string).collect(),
                        );
                let (approved, pending) = self.ask(pending).await;
                let approval = if approved {
                    Approval::Approved
                } else {
                    Approval::Rejected
                };
                self.audit(&record.clone().with_approval(approval))?;
                if !approved {
                    return Err(not_approved(&pending));
                }
                // Bound to the digest: the arguments forwarded are the ones approved.
                (pending.arguments, Some(approval))
            }
            Effect::Allow => {
                self.audit(&record)?;
                (arguments, None)
            }
        };

        let mut forward = CallToolRequestParams::new(tool_name.to_owned());
        if let Value::Object(object) = &arguments {
            forward = forward.with_arguments(object.clone());
        }
        let answer = upstream.peer().call_tool(forward).await;

        let mut done = record.clone();
        done.id = self.next_id();
        done.time = now()?;
        done.kind = RecordKind::Call;
        done.approval = approval;
        done.duration_ms = Some(u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX));
        let answer = match answer {
            Ok(result) => {
                let bytes = serde_json::to_vec(&result).map_or(0, |bytes| bytes.len());
                done = done
                    .with_outcome(CallOutcome::Ok)
                    .with_response_bytes(u64::try_from(bytes).unwrap_or(u64::MAX));
                Ok(result)
            }
            Err(error) => {
                let error = upstream_error(key, &error);
                done = done.with_outcome(CallOutcome::Error {
                    code: i64::from(error.code.0),
                });
                Err(error)
            }
        };
        self.audit(&done)?;
        answer
    }

    /// Runs the approver on a blocking thread (it may wait for a person). A panicking
    /// approver refuses.
    async fn ask(&self, pending: PendingCall) -> (bool, PendingCall) {
        let hook = Arc::clone(&self.inner.approver);
        let question = pending.clone();
        let answer = tokio::task::spawn_blocking(move || hook.approve(&question))
            .await
            .unwrap_or(false);
        (answer, pending)
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
        let mut info = ServerConfig::new(ServerCapabilities::builder().enable_tools().build());
        info.server_info = Implementation::new("mcp-registry-gateway", env!("CARGO_PKG_VERSION"));
        info
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        let client = client_name(&context);
        Ok(ListToolsResult::with_all_items(
            self.list(client.as_deref()).await?,
        ))
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let client = client_name(&context);
        Ok(self.call(request, client.as_deref()).await?.into())
    }
}

/// The host application's name, from its `initialize` request.
fn client_name(context: &RequestContext<RoleServer>) -> Option<String> {
    context
        .peer
        .peer_info()
        .map(|info| info.client_info.name.clone())
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
