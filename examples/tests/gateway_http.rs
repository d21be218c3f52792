//! The gateway's HTTP front end end to end, all on loopback: real `rmcp` clients over
//! streamable HTTP → the gateway (bearer tokens, JWTs, sessions, Host/Origin checks, body cap)
//! → `mcp-test-upstream`, started as a child process or reached over HTTP itself.
#![expect(
    clippy::unwrap_used,
    reason = "tests fail by panicking; clippy.toml's test allowances reach only #[test] functions"
)]

use std::io::BufRead as _;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use mcp_policy::Policy;
use mcp_policy::audit::{SigningKey, verify};
use mcp_registry_examples::audit::writer::{AuditWriter, WriterConfig};
use mcp_registry_examples::gateway::{
    DENIED, Gateway, GatewayError, GatewayOptions, HttpOptions, Identities, NOT_APPROVED,
    serve_http,
};
use mcp_registry_types::host::{Host, import};
use rmcp::model::{
    ClientCapabilities, ClientConfig, ElicitRequestParams, ElicitResult, ElicitationAction,
    ElicitationCapability, GetPromptRequestParams, Implementation, JsonObject,
    ReadResourceRequestParams, ResourceContents,
};
use rmcp::service::{RequestContext, RunningService};
use rmcp::transport::StreamableHttpClientTransport;
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
use rmcp::{ClientHandler, ErrorData, RoleClient, ServiceExt as _};
use serde_json::{Value, json};
use tokio::sync::oneshot;

#[path = "util/mcp.rs"]
mod mcp;
use mcp::{call, mcp_error, text};

const UPSTREAM: &str = env!("CARGO_BIN_EXE_mcp-test-upstream");
const SECRET: &str = "0123456789abcdef0123456789abcdef";

/// alice does everything (destructive calls after approval); readers may echo twice an hour;
/// bob lists and nothing else; remote destructive calls to a private address are refused.
const POLICY: &str = r#"{
    "rules": [
        { "id": "list-for-all", "effect": "allow", "match": { "action": ["listTools"] } },
        { "id": "alice-all", "effect": "allow",
          "match": { "action": ["callTool", "readResource", "getPrompt"], "users": ["alice"] } },
        { "id": "readers-echo", "effect": "allow",
          "match": { "action": ["callTool"], "groups": ["readers"], "tool": ["echo"] },
          "quota": { "counter": "echo-calls", "limit": 2, "windowSeconds": 3600 } },
        { "id": "confirm-destructive", "effect": "ask", "reason": "destructive tools need a yes",
          "match": { "action": ["callTool"], "users": ["alice"],
                     "toolAnnotations": { "destructive": true } } },
        { "id": "no-private-destructive", "effect": "deny",
          "reason": "destructive calls never go to a private network",
          "match": { "action": ["callTool"], "tool": ["delete_all"], "privateNetwork": true } }
    ]
}"#;

fn principals() -> Value {
    json!({
        "tokens": {
            "alice-token": { "id": "alice" },
            "bob-token": { "id": "bob" }
        },
        "jwt": { "algorithm": "HS256", "secret": SECRET, "audience": "gateway" }
    })
}

fn jwt(claims: &Value, secret: &str) -> String {
    encode(
        &Header::new(Algorithm::HS256),
        claims,
        &EncodingKey::from_secret(secret.as_bytes()),
    )
    .unwrap()
}

fn key() -> SigningKey {
    SigningKey::from_bytes(&[9; 32])
}

struct Front {
    url: String,
    gateway: Gateway,
    stop: oneshot::Sender<()>,
    served: tokio::task::JoinHandle<Result<(), GatewayError>>,
    trail: PathBuf,
    dir: PathBuf,
}

async fn front(test: &str, upstreams: &Value, options: GatewayOptions) -> Front {
    front_with(
        test,
        upstreams,
        options,
        mcp_registry_examples::gateway::DEFAULT_MAX_SESSIONS,
    )
    .await
}

async fn front_with(
    test: &str,
    upstreams: &Value,
    options: GatewayOptions,
    max_sessions: usize,
) -> Front {
    let dir = std::env::temp_dir().join(format!("mcp-gateway-http-{test}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let servers = import(Host::ClaudeCode, &upstreams.to_string()).unwrap();
    let policy = Arc::new(
        Policy::from_json(POLICY.as_bytes())
            .unwrap()
            .compile()
            .unwrap(),
    );
    let trail = dir.join("trail.jsonl");
    let (writer, _) = AuditWriter::open_with_key(&trail, key(), WriterConfig::new()).unwrap();
    let gateway = Gateway::start(&servers, policy, writer, options)
        .await
        .unwrap();
    let identities = Identities::from_json(principals().to_string().as_bytes()).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let mut http = HttpOptions::new(addr);
    http.max_body_bytes = 64 * 1024;
    http.max_sessions = max_sessions;
    let (stop, stopped) = oneshot::channel::<()>();
    let served = tokio::spawn(serve_http(
        gateway.clone(),
        Arc::new(identities),
        listener,
        http,
        async move {
            let _ = stopped.await;
        },
    ));
    Front {
        url: format!("http://{addr}/mcp"),
        gateway,
        stop,
        served,
        trail,
        dir,
    }
}

fn stdio_upstream() -> Value {
    json!({ "mcpServers": { "files": { "command": UPSTREAM } } })
}

/// Stops the server gracefully, closes the gateway, checks the trail and returns its records.
async fn finish(front: Front) -> Vec<Value> {
    front.stop.send(()).unwrap();
    front.served.await.unwrap().unwrap();
    front.gateway.close().await.unwrap();
    let text = std::fs::read_to_string(&front.trail).unwrap();
    let report = verify(text.lines(), Some(&key().verifying_key()));
    assert!(report.passes(true), "{:?}", report.findings());
    std::fs::remove_dir_all(&front.dir).unwrap();
    text.lines()
        .map(|line| serde_json::from_str::<Value>(line).unwrap())
        .filter_map(|line| line.get("record").cloned())
        .collect()
}

async fn client(url: &str, token: &str) -> RunningService<RoleClient, ()> {
    let config = StreamableHttpClientTransportConfig::with_uri(url).auth_header(token);
    ().serve(StreamableHttpClientTransport::from_config(config))
        .await
        .unwrap()
}

fn names(tools: &[rmcp::model::Tool]) -> Vec<String> {
    let mut names: Vec<String> = tools.iter().map(|tool| tool.name.to_string()).collect();
    names.sort_unstable();
    names
}

#[tokio::test]
async fn two_principals_see_and_do_different_things() {
    let front = front("two", &stdio_upstream(), GatewayOptions::new()).await;
    let alice = client(&front.url, "alice-token").await;
    let bob = client(&front.url, "bob-token").await;

    assert_eq!(
        names(&alice.list_all_tools().await.unwrap()),
        ["files__delete_all", "files__echo"]
    );
    assert!(
        bob.list_all_tools().await.unwrap().is_empty(),
        "bob may call nothing"
    );

    let answer = call(&alice, "files__echo", json!({ "text": "hi" }))
        .await
        .unwrap();
    assert_eq!(text(&answer), "echo: hi");
    // Hidden is not enforced: bob's call is decided when it comes, and denied.
    let error = mcp_error(call(&bob, "files__echo", json!({ "text": "hi" })).await);
    assert_eq!(error.code, DENIED);
    assert!(error.message.contains("default deny"), "{}", error.message);
    assert!(error.data.unwrap()["explanation"].is_string());

    alice.cancel().await.unwrap();
    bob.cancel().await.unwrap();
    let records = finish(front).await;
    let calls: Vec<(&str, &str, &str)> = records
        .iter()
        .filter(|r| r["action"] == "tools/call")
        .map(|r| {
            (
                r["principal"]["id"].as_str().unwrap(),
                r["kind"].as_str().unwrap(),
                r["effect"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        calls,
        [
            ("alice", "decision", "allow"),
            ("alice", "call", "allow"),
            ("bob", "decision", "deny")
        ]
    );
    // Each HTTP session is its own, under the gateway's.
    let sessions: std::collections::BTreeSet<&str> = records
        .iter()
        .filter_map(|r| r["session"].as_str())
        .collect();
    assert_eq!(sessions.len(), 2, "{sessions:?}");
    assert!(
        sessions
            .iter()
            .all(|s| s.starts_with(front_session_prefix()))
    );
}

fn front_session_prefix() -> &'static str {
    "gw-"
}

#[tokio::test]
async fn jwt_claims_name_the_principal_and_quotas_run_out() {
    let front = front("jwt", &stdio_upstream(), GatewayOptions::new()).await;
    let claims = json!({ "sub": "carol", "aud": "gateway", "exp": 4_000_000_000_u64,
                         "groups": ["readers"] });
    let carol = client(&front.url, &jwt(&claims, SECRET)).await;
    assert_eq!(
        names(&carol.list_all_tools().await.unwrap()),
        ["files__echo"]
    );
    for n in 0..2 {
        let answer = call(&carol, "files__echo", json!({ "text": n }))
            .await
            .unwrap();
        assert!(text(&answer).starts_with("echo"), "{answer:?}");
    }
    let error = mcp_error(call(&carol, "files__echo", json!({ "text": "3" })).await);
    assert_eq!(error.code, DENIED);
    assert!(
        error
            .message
            .contains("quota `echo-calls` is spent: 2 of 2 calls in the 3600-second window"),
        "{}",
        error.message
    );
    carol.cancel().await.unwrap();

    // A JWT signed with another key never gets in.
    let forged = jwt(&claims, "fedcba9876543210fedcba9876543210");
    let response = post_initialize(&front.url, Some(&forged), &[]).await;
    assert_eq!(response.status(), 401);
    assert_eq!(
        response.headers()["www-authenticate"],
        "Bearer error=\"invalid_token\""
    );
    assert!(response.text().await.unwrap().starts_with("invalid JWT"));

    let records = finish(front).await;
    let denied: Vec<&Value> = records
        .iter()
        .filter(|r| r["principal"]["id"] == "carol" && r["effect"] == "deny")
        .collect();
    assert_eq!(denied.len(), 1);
    assert_eq!(denied[0]["principal"]["groups"], json!(["readers"]));
    assert_eq!(denied[0]["rule"], "readers-echo");
}

async fn post_initialize(
    url: &str,
    token: Option<&str>,
    headers: &[(&str, &str)],
) -> reqwest::Response {
    let body = json!({ "jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": { "protocolVersion": "2025-06-18", "capabilities": {},
                    "clientInfo": { "name": "raw", "version": "1" } } });
    let mut request = reqwest::Client::new()
        .post(url)
        .header("accept", "application/json, text/event-stream")
        .header("content-type", "application/json")
        .body(body.to_string());
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request.send().await.unwrap()
}

#[tokio::test]
async fn refuses_what_it_must_before_the_gateway_sees_it() {
    let front = front("refuse", &stdio_upstream(), GatewayOptions::new()).await;
    let url = front.url.clone();

    let missing = post_initialize(&url, None, &[]).await;
    assert_eq!(missing.status(), 401);
    assert_eq!(missing.headers()["www-authenticate"], "Bearer");
    assert_eq!(
        post_initialize(&url, Some("guess"), &[]).await.status(),
        401
    );

    // DNS rebinding: a page on another name that resolves here, and a browser origin.
    let host = post_initialize(&url, Some("alice-token"), &[("host", "evil.example")]).await;
    assert_eq!(host.status(), 403);
    let origin = post_initialize(
        &url,
        Some("alice-token"),
        &[("origin", "http://evil.example")],
    )
    .await;
    assert_eq!(origin.status(), 403);

    let big = reqwest::Client::new()
        .post(&url)
        .bearer_auth("alice-token")
        .header("accept", "application/json, text/event-stream")
        .header("content-type", "application/json")
        .body(format!(r#"{{"pad":"{}"}}"#, "x".repeat(100 * 1024)))
        .send()
        .await
        .unwrap();
    assert_eq!(big.status(), 413);

    // A session answers only to the principal that opened it.
    let opened = post_initialize(&url, Some("alice-token"), &[]).await;
    assert_eq!(opened.status(), 200);
    let session = opened.headers()["mcp-session-id"]
        .to_str()
        .unwrap()
        .to_owned();
    let stolen = reqwest::Client::new()
        .get(&url)
        .bearer_auth("bob-token")
        .header("accept", "text/event-stream")
        .header("mcp-session-id", &session)
        .send()
        .await
        .unwrap();
    assert_eq!(stolen.status(), 403);

    let records = finish(front).await;
    assert!(
        records.is_empty(),
        "nothing reached a decision: {records:?}"
    );
}

/// A host that answers elicitation requests from a script, keeping the questions.
#[derive(Clone)]
struct Answering {
    answers: Arc<Mutex<Vec<bool>>>,
    asked: Arc<Mutex<Vec<String>>>,
}

impl ClientHandler for Answering {
    async fn create_elicitation(
        &self,
        request: ElicitRequestParams,
        _context: RequestContext<RoleClient>,
    ) -> Result<ElicitResult, ErrorData> {
        if let ElicitRequestParams::FormElicitationParams { message, .. } = request {
            self.asked.lock().unwrap().push(message);
        }
        let yes = {
            let mut answers = self.answers.lock().unwrap();
            if answers.is_empty() {
                false
            } else {
                answers.remove(0)
            }
        };
        Ok(if yes {
            ElicitResult::new(ElicitationAction::Accept).with_content(json!({ "approve": true }))
        } else {
            ElicitResult::new(ElicitationAction::Decline)
        })
    }

    fn get_info(&self) -> ClientConfig {
        let mut capabilities = ClientCapabilities::default();
        capabilities.elicitation = Some(ElicitationCapability::default());
        ClientConfig::new(capabilities, Implementation::new("answering-host", "1"))
    }
}

#[tokio::test]
async fn asks_the_hosts_user_by_elicitation() {
    let front = front("elicit", &stdio_upstream(), GatewayOptions::new()).await;
    let host = Answering {
        answers: Arc::new(Mutex::new(vec![true, false])),
        asked: Arc::new(Mutex::new(Vec::new())),
    };
    let config = StreamableHttpClientTransportConfig::with_uri(front.url.as_str())
        .auth_header("alice-token");
    let alice = host
        .clone()
        .serve(StreamableHttpClientTransport::from_config(config))
        .await
        .unwrap();
    let tools = alice.list_all_tools().await.unwrap();
    let delete = tools
        .iter()
        .find(|t| t.name == "files__delete_all")
        .unwrap();
    assert!(
        delete
            .description
            .as_deref()
            .unwrap()
            .starts_with("[needs approval] ")
    );

    let answer = call(&alice, "files__delete_all", json!({ "scope": "tmp" }))
        .await
        .unwrap();
    assert_eq!(text(&answer), "deleted everything");
    let error = mcp_error(call(&alice, "files__delete_all", json!({ "scope": "all" })).await);
    assert_eq!(error.code, NOT_APPROVED);

    let asked = host.asked.lock().unwrap().clone();
    assert_eq!(asked.len(), 2);
    assert!(
        asked[0].contains("alice calls delete_all on files"),
        "{}",
        asked[0]
    );
    assert!(
        asked[0].contains(r#"Arguments: {"scope":"tmp"}"#),
        "{}",
        asked[0]
    );
    alice.cancel().await.unwrap();

    let records = finish(front).await;
    let approvals: Vec<&Value> = records
        .iter()
        .filter(|r| r["kind"] == "decision" && r["tool"] == "delete_all")
        .map(|r| &r["approval"])
        .collect();
    assert_eq!(approvals, [&json!("approved"), &json!("rejected")]);
    assert_eq!(
        records
            .iter()
            .filter(|r| r["kind"] == "call" && r["tool"] == "delete_all")
            .count(),
        1
    );
}

#[tokio::test]
async fn resources_and_prompts_are_decided_too() {
    let front = front("resources", &stdio_upstream(), GatewayOptions::new()).await;
    let alice = client(&front.url, "alice-token").await;
    let bob = client(&front.url, "bob-token").await;

    let read = alice
        .read_resource(ReadResourceRequestParams::new("note://readme"))
        .await
        .unwrap();
    let ResourceContents::TextResourceContents { text, .. } = &read.contents[0] else {
        panic!("text contents");
    };
    assert_eq!(text, "hello from the notes");
    // Listing is a courtesy: bob sees nothing, and reading is decided anyway.
    assert!(bob.list_all_resources().await.unwrap().is_empty());
    let error = mcp_error(
        bob.read_resource(ReadResourceRequestParams::new("note://readme"))
            .await,
    );
    assert_eq!(error.code, DENIED);

    let prompts = alice.list_all_prompts().await.unwrap();
    assert_eq!(prompts[0].name, "files__greet");
    let mut arguments = JsonObject::new();
    arguments.insert("name".to_owned(), json!("Ada"));
    let prompt = alice
        .get_prompt(GetPromptRequestParams::new("files__greet").with_arguments(arguments))
        .await
        .unwrap();
    assert!(format!("{prompt:?}").contains("Say hello to Ada."));
    let error = mcp_error(
        bob.get_prompt(GetPromptRequestParams::new("files__greet"))
            .await,
    );
    assert_eq!(error.code, DENIED);

    alice.cancel().await.unwrap();
    bob.cancel().await.unwrap();
    let records = finish(front).await;
    let seen: Vec<(&str, &str, &str)> = records
        .iter()
        .filter(|r| r["kind"] == "decision" && r["action"] != "tools/list")
        .map(|r| {
            (
                r["principal"]["id"].as_str().unwrap(),
                r["action"].as_str().unwrap(),
                r["effect"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            ("alice", "resources/read", "allow"),
            ("bob", "resources/read", "deny"),
            ("alice", "prompts/get", "allow"),
            ("bob", "prompts/get", "deny"),
        ]
    );
    assert!(records.iter().any(|r| r["resource"] == "note://readme"));
    assert!(records.iter().any(|r| r["prompt"] == "greet"));
}

/// A remote upstream over streamable HTTP, named by a host name: the policy judges the
/// addresses the name resolved to, which are the ones the gateway connects to.
#[tokio::test]
async fn a_remote_upstream_is_judged_by_its_resolved_addresses() {
    let mut upstream = std::process::Command::new(UPSTREAM)
        .args(["--listen", "127.0.0.1:0"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufReader::new(upstream.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let port = line.trim().rsplit(':').next().unwrap().to_owned();
    // `${VAR:-default}` is filled as the host would: the variable is unset, so the default.
    let upstreams = json!({ "mcpServers": { "remote": {
        "type": "http",
        "url": format!("http://localhost:${{MCP_GATEWAY_TEST_NEVER_SET:-{port}}}/mcp"),
    } } });
    let front = front("remote", &upstreams, GatewayOptions::new()).await;
    let remote = &front.gateway.upstreams()[0];
    let used = remote.remote().unwrap();
    assert!(
        used.resolved.iter().all(std::net::IpAddr::is_loopback),
        "{used:?}"
    );
    assert!(!used.resolved.is_empty());

    let alice = client(&front.url, "alice-token").await;
    let answer = call(&alice, "remote__echo", json!({ "text": "far" }))
        .await
        .unwrap();
    assert_eq!(text(&answer), "echo: far");
    let error = mcp_error(call(&alice, "remote__delete_all", json!({})).await);
    assert_eq!(error.code, DENIED);
    assert!(
        error.message.contains("rule `no-private-destructive`"),
        "{}",
        error.message
    );
    alice.cancel().await.unwrap();
    let records = finish(front).await;
    upstream.kill().unwrap();
    upstream.wait().unwrap();
    assert!(
        records
            .iter()
            .any(|r| r["rule"] == "no-private-destructive")
    );
}

/// The command end to end: `--listen` on port 0, a bearer token from `--principals`, a call,
/// then SIGTERM: the server drains, the gateway signs the trail's end and exits 0.
#[cfg(unix)]
#[tokio::test]
async fn the_command_serves_http_until_sigterm() {
    use tokio::io::AsyncBufReadExt as _;

    let dir = std::env::temp_dir().join(format!("mcp-gateway-http-cmd-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let write = |name: &str, text: String| {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path
    };
    let upstreams = write("mcp.json", stdio_upstream().to_string());
    let policy = write("policy.json", POLICY.to_owned());
    let principals = write("principals.json", principals().to_string());
    let (private, public) = mcp_policy::audit::keygen([3; 32]);
    let key = write("audit.key", private);
    let trail = dir.join("trail.jsonl");

    let mut gateway = tokio::process::Command::new(env!("CARGO_BIN_EXE_mcp-registry"))
        .arg("gateway")
        .args(["--upstreams".as_ref(), upstreams.as_os_str()])
        .args(["--policy".as_ref(), policy.as_os_str()])
        .args(["--audit".as_ref(), trail.as_os_str()])
        .args(["--audit-key".as_ref(), key.as_os_str()])
        .args(["--principals".as_ref(), principals.as_os_str()])
        .args(["--listen", "127.0.0.1:0", "--fsync", "grouped"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut stderr = tokio::io::BufReader::new(gateway.stderr.take().unwrap()).lines();
    let line = stderr.next_line().await.unwrap().unwrap();
    let url = line
        .split_whitespace()
        .find(|word| word.starts_with("http://"))
        .unwrap_or_else(|| panic!("no URL in {line:?}"))
        .to_owned();

    let alice = client(&url, "alice-token").await;
    let answer = call(&alice, "files__echo", json!({ "text": "via the command" }))
        .await
        .unwrap();
    assert_eq!(text(&answer), "echo: via the command");
    assert_eq!(post_initialize(&url, None, &[]).await.status(), 401);

    let pid = gateway.id().unwrap().to_string();
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = gateway.wait().await.unwrap();
    assert_eq!(status.code(), Some(0), "exits cleanly on SIGTERM");
    drop(alice);

    let text = std::fs::read_to_string(&trail).unwrap();
    let public = mcp_policy::audit::parse_verifying_key(&public).unwrap();
    let report = verify(text.lines(), Some(&public));
    assert!(
        report.passes(true),
        "signed to the end: {:?}",
        report.findings()
    );
    assert!(text.contains("\"principal\":{\"id\":\"alice\"}"));
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The policy and principals files the README starts from load, and decide as they say.
#[test]
fn the_shipped_gateway_examples_load() {
    use mcp_policy::{
        Action, Effect, Principal, RemoteFacts, Request, ServerFacts, ToolAnnotations, ToolFacts,
    };

    let policy = Policy::from_json(include_bytes!("../data/gateway/policy.json"))
        .unwrap()
        .compile()
        .unwrap();
    assert!(policy.warnings().is_empty(), "{:?}", policy.warnings());
    let tool = |read_only: bool, destructive: bool| {
        let mut annotations = ToolAnnotations::default();
        annotations.read_only_hint = Some(read_only);
        annotations.destructive_hint = Some(destructive);
        ToolFacts::new("t").with_annotations(annotations)
    };
    let call = |server: ServerFacts, tool: ToolFacts| {
        Request::new(Principal::new("alice"), Action::CallTool, server).with_tool(tool)
    };
    let local = ServerFacts::new("files").with_label("files");
    assert_eq!(
        policy
            .evaluate(&call(local.clone(), tool(true, false)))
            .effect(),
        Effect::Allow
    );
    assert_eq!(
        policy.evaluate(&call(local, tool(false, true))).effect(),
        Effect::Ask
    );
    let remote = RemoteFacts::new(
        mcp_registry_types::TransportType::StreamableHttp,
        "http://intranet/mcp",
    );
    let private = call(
        ServerFacts::new("wiki").with_remote(remote.clone()),
        tool(false, true),
    )
    .with_remote_in_use(remote)
    .with_resolved_address("10.1.2.3".parse().unwrap());
    assert_eq!(policy.evaluate(&private).effect(), Effect::Deny);

    let identities =
        Identities::from_json(include_bytes!("../data/gateway/principals.json")).unwrap();
    assert_eq!(identities.token_count(), 2);
    assert_eq!(
        identities
            .authenticate(Some("Bearer change-me-alice-4b1f0c2e"))
            .unwrap()
            .id,
        "alice"
    );
}

/// Sessions are bounded, and one the front end did not open is unknown (404).
#[tokio::test]
async fn sessions_are_counted_and_known() {
    let front = front_with("sessions", &stdio_upstream(), GatewayOptions::new(), 1).await;
    let url = front.url.clone();
    let unknown = reqwest::Client::new()
        .get(&url)
        .bearer_auth("alice-token")
        .header("accept", "text/event-stream")
        .header("mcp-session-id", "made-up")
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 404);

    let first = post_initialize(&url, Some("alice-token"), &[]).await;
    assert_eq!(first.status(), 200);
    let session = first.headers()["mcp-session-id"]
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        post_initialize(&url, Some("bob-token"), &[]).await.status(),
        503
    );

    let closed = reqwest::Client::new()
        .delete(&url)
        .bearer_auth("alice-token")
        .header("mcp-session-id", &session)
        .send()
        .await
        .unwrap();
    assert!(closed.status().is_success(), "{}", closed.status());
    assert_eq!(
        post_initialize(&url, Some("bob-token"), &[]).await.status(),
        200
    );
    finish(front).await;
}
