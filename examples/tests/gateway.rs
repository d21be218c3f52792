//! The gateway end to end: a real `rmcp` client → the gateway (over an in-process duplex) →
//! two real `rmcp` servers (`mcp-test-upstream`, started as child processes from a Claude Code
//! `.mcp.json`), with a policy deciding and the audit trail recording every step.
#![expect(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "tests fail by panicking; clippy.toml's test allowances reach only #[test] functions"
)]

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use mcp_policy::audit::{SigningKey, verify};
use mcp_policy::{Policy, Principal};
use mcp_registry_examples::audit::writer::{AuditWriter, FsyncPolicy, WriterConfig};
use mcp_registry_examples::gateway::{
    Approver, DENIED, Gateway, GatewayOptions, NEEDS_APPROVAL, NOT_APPROVED, PendingCall, RefuseAll,
};
use mcp_registry_types::host::{Host, import};
use rmcp::service::RunningService;
use rmcp::transport::TokioChildProcess;
use rmcp::{RoleClient, ServiceExt as _};
use serde_json::{Value, json};

#[path = "util/mcp.rs"]
mod mcp;
use mcp::{call, mcp_error, text};

const UPSTREAM: &str = env!("CARGO_BIN_EXE_mcp-test-upstream");

/// alice may list and call everything, destructive tools after approval, except that nothing
/// deletes the notes; bob may list but not call.
const POLICY: &str = r#"{
    "rules": [
        { "id": "list-for-all", "effect": "allow", "match": { "action": ["listTools"] } },
        { "id": "alice-calls", "effect": "allow",
          "match": { "action": ["callTool"], "users": ["alice"] } },
        { "id": "confirm-destructive", "effect": "ask",
          "reason": "destructive tools need a second look",
          "match": { "action": ["callTool"], "toolAnnotations": { "destructive": true } },
          "obligations": [{ "type": "bindArgumentsDigest" }] },
        { "id": "keep-the-notes", "effect": "deny", "reason": "the notes are never deleted",
          "match": { "action": ["callTool"], "serverLabel": ["notes"], "tool": ["delete_all"] } }
    ]
}"#;

fn dir(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mcp-gateway-{test}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn key() -> SigningKey {
    SigningKey::from_bytes(&[7; 32])
}

/// A scripted approver: answers from `answers` in turn (refusing when they run out) and keeps
/// every call it was asked about.
struct Scripted {
    answers: Mutex<Vec<bool>>,
    asked: Arc<Mutex<Vec<PendingCall>>>,
}

impl Approver for Scripted {
    fn approve(&self, call: &PendingCall) -> bool {
        self.asked.lock().unwrap().push(call.clone());
        let mut answers = self.answers.lock().unwrap();
        if answers.is_empty() {
            false
        } else {
            answers.remove(0)
        }
    }
}

struct Setup {
    gateway: Gateway,
    client: RunningService<RoleClient, ()>,
    trail: PathBuf,
}

/// Two upstreams, `files` and `notes`, both the test server; the gateway for `principal`
/// served to a client over a duplex pipe.
async fn start(test: &str, principal: &str, approver: Arc<dyn Approver>) -> Setup {
    start_with(test, principal, approver, WriterConfig::new()).await
}

/// [`start`], with the trail written as `config` says.
async fn start_with(
    test: &str,
    principal: &str,
    approver: Arc<dyn Approver>,
    config: WriterConfig,
) -> Setup {
    let dir = dir(test);
    let upstreams = json!({ "mcpServers": {
        "files": { "command": UPSTREAM, "args": [], "env": { "UPSTREAM_NAME": "files" } },
        "notes": { "command": UPSTREAM },
    }});
    let servers = import(Host::ClaudeCode, &upstreams.to_string()).unwrap();
    let policy = Arc::new(
        Policy::from_json(POLICY.as_bytes())
            .unwrap()
            .compile()
            .unwrap(),
    );
    let trail = dir.join("trail.jsonl");
    let (writer, repair) = AuditWriter::open_with_key(&trail, key(), config).unwrap();
    assert!(repair.is_none());
    let options = GatewayOptions::new()
        .with_principal(Principal::new(principal))
        .with_approver(approver);
    let gateway = Gateway::start(&servers, policy, writer, options)
        .await
        .unwrap();

    let (server_io, client_io) = tokio::io::duplex(64 * 1024);
    let serving = tokio::spawn({
        let gateway = gateway.clone();
        async move { gateway.serve(server_io).await.map(RunningService::waiting) }
    });
    let client = ().serve(client_io).await.unwrap();
    assert_eq!(
        client
            .peer_info()
            .unwrap()
            .server_info
            .as_ref()
            .map(|info| info.name.as_str()),
        Some("mcp-registry-gateway")
    );
    // The server side runs in the background once its handshake is done.
    let waiting = serving.await.unwrap().unwrap();
    tokio::spawn(waiting);
    Setup {
        gateway,
        client,
        trail,
    }
}

/// Stops the client and the gateway, checks the trail and returns its records.
async fn finish(setup: Setup) -> Vec<Value> {
    setup.client.cancel().await.unwrap();
    setup.gateway.close().await.unwrap();
    let records = finish_trail(&setup.trail);
    if let Some(dir) = setup.trail.parent() {
        std::fs::remove_dir_all(dir).unwrap();
    }
    records
}

/// Checks that the trail is intact and signed to its end, and returns its records.
fn finish_trail(trail: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(trail).unwrap();
    let key = key().verifying_key();
    let report = verify(text.lines(), Some(&key));
    assert!(report.is_intact(), "{:?}", report.findings());
    assert!(report.passes(true), "{:?}", report.findings());
    assert_eq!(report.unsigned_records(), 0);
    text.lines()
        .map(|line| serde_json::from_str::<Value>(line).unwrap())
        .filter_map(|line| line.get("record").cloned())
        .collect()
}

fn find<'a>(records: &'a [Value], kind: &str, server: &str, tool: &str) -> Vec<&'a Value> {
    records
        .iter()
        .filter(|r| r["kind"] == kind && r["server"] == server && r["tool"] == tool)
        .collect()
}

#[tokio::test]
async fn lists_decides_asks_and_records_every_step() {
    let asked = Arc::new(Mutex::new(Vec::new()));
    let approver = Scripted {
        answers: Mutex::new(vec![true, false]),
        asked: Arc::clone(&asked),
    };
    let setup = start("alice", "alice", Arc::new(approver)).await;

    // The listing: namespaced, the denied tool gone, the destructive one marked.
    let tools = setup.client.list_all_tools().await.unwrap();
    let mut names: Vec<&str> = tools.iter().map(|tool| tool.name.as_ref()).collect();
    names.sort_unstable();
    assert_eq!(names, ["files__delete_all", "files__echo", "notes__echo"]);
    let delete = tools
        .iter()
        .find(|t| t.name == "files__delete_all")
        .unwrap();
    assert!(
        delete
            .description
            .as_deref()
            .unwrap()
            .starts_with(NEEDS_APPROVAL)
    );
    let echo = tools.iter().find(|t| t.name == "files__echo").unwrap();
    assert!(
        !echo
            .description
            .as_deref()
            .unwrap()
            .starts_with(NEEDS_APPROVAL)
    );

    // An allowed call returns the upstream's answer.
    let answer = call(&setup.client, "notes__echo", json!({ "text": "hi" }))
        .await
        .unwrap();
    assert_eq!(text(&answer), "echo: hi");

    // A denied call, though unlisted, is decided when it arrives, and says why.
    let error = mcp_error(call(&setup.client, "notes__delete_all", json!({})).await);
    assert_eq!(error.code, DENIED);
    assert!(
        error.message.contains("keep-the-notes"),
        "{}",
        error.message
    );
    assert!(
        error.message.contains("the notes are never deleted"),
        "{}",
        error.message
    );
    let data = error.data.unwrap();
    assert_eq!(data["rule"], "keep-the-notes");
    assert!(
        data["explanation"]
            .as_str()
            .unwrap()
            .contains("keep-the-notes")
    );

    // An ask that is approved goes ahead; the next one is refused.
    let answer = call(
        &setup.client,
        "files__delete_all",
        json!({ "really": true }),
    )
    .await
    .unwrap();
    assert_eq!(text(&answer), "deleted everything");
    let error = mcp_error(call(&setup.client, "files__delete_all", json!({ "again": 1 })).await);
    assert_eq!(error.code, NOT_APPROVED);
    assert!(
        error.message.contains("confirm-destructive"),
        "{}",
        error.message
    );

    // The approver saw both calls, each bound to its arguments' digest.
    let asked = asked.lock().unwrap().clone();
    assert_eq!(asked.len(), 2);
    assert_eq!(asked[0].server, "files");
    assert_eq!(asked[0].tool, "delete_all");
    assert_eq!(asked[0].arguments, json!({ "really": true }));
    assert_eq!(
        asked[0].arguments_digest,
        mcp_policy::audit::arguments_digest(&json!({ "really": true }))
    );
    assert_ne!(asked[0].arguments_digest, asked[1].arguments_digest);

    check_alice_trail(&finish(setup).await);
}

/// The trail of `lists_decides_asks_and_records_every_step`: a record for each decision and
/// each completed call.
fn check_alice_trail(records: &[Value]) {
    // One listTools decision per upstream.
    let lists: Vec<&Value> = records
        .iter()
        .filter(|r| r["action"] == "tools/list")
        .collect();
    assert_eq!(lists.len(), 2);
    assert!(
        lists
            .iter()
            .all(|r| r["effect"] == "allow" && r["kind"] == "decision")
    );
    // The allowed call: its decision, then the completed call.
    let decided = find(records, "decision", "notes", "echo");
    assert_eq!(decided.len(), 1);
    assert_eq!(decided[0]["effect"], "allow");
    assert_eq!(decided[0]["rule"], "alice-calls");
    assert_eq!(decided[0]["principal"]["id"], "alice");
    assert_eq!(
        decided[0]["argumentsDigest"],
        mcp_policy::audit::arguments_digest(&json!({ "text": "hi" }))
    );
    let done = find(records, "call", "notes", "echo");
    assert_eq!(done.len(), 1);
    assert_eq!(done[0]["outcome"]["status"], "ok");
    assert!(done[0]["responseBytes"].as_u64().unwrap() > 0);
    // The denied call: a decision, no call.
    let denied = find(records, "decision", "notes", "delete_all");
    assert_eq!(denied.len(), 1);
    assert_eq!(denied[0]["effect"], "deny");
    assert_eq!(denied[0]["rule"], "keep-the-notes");
    assert!(find(records, "call", "notes", "delete_all").is_empty());
    // The asks: two decisions with the person's answers, one call.
    let asks = find(records, "decision", "files", "delete_all");
    assert_eq!(asks.len(), 2);
    assert_eq!(asks[0]["effect"], "ask");
    assert_eq!(asks[0]["approval"], "approved");
    assert_eq!(asks[1]["approval"], "rejected");
    let done = find(records, "call", "files", "delete_all");
    assert_eq!(done.len(), 1);
    assert_eq!(done[0]["approval"], "approved");
    assert_eq!(done[0]["argumentsDigest"], asks[0]["argumentsDigest"]);
    // Decision before call, for each call that ran.
    let position = |record: &Value| records.iter().position(|r| r == record).unwrap();
    assert!(position(asks[0]) < position(done[0]));
}

// With grouped syncs the gateway runs each due sync on a blocking thread while calls go on
// being recorded, and the timer's sync covers the rest; the chain stays whole and in order.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn grouped_syncs_run_beside_the_calls() {
    let config = WriterConfig::new().with_fsync(FsyncPolicy::Grouped {
        max_records: std::num::NonZeroU64::new(2).unwrap(),
        max_delay: std::time::Duration::from_hours(1),
    });
    let setup = start_with("grouped", "alice", Arc::new(RefuseAll), config).await;
    let client = &setup.client;
    let calls = (0..8).map(|n| {
        call(
            client,
            "files__echo",
            json!({ "text": format!("call {n}") }),
        )
    });
    for (n, answer) in futures::future::join_all(calls)
        .await
        .into_iter()
        .enumerate()
    {
        assert_eq!(text(&answer.unwrap()), format!("echo: call {n}"));
    }
    setup.gateway.sync_audit().await.unwrap();
    let records = finish(setup).await;
    assert_eq!(find(&records, "decision", "files", "echo").len(), 8);
    assert_eq!(find(&records, "call", "files", "echo").len(), 8);
}

#[tokio::test]
async fn another_principal_sees_and_calls_less() {
    let setup = start("bob", "bob", Arc::new(RefuseAll)).await;
    // No rule allows bob's calls: every tool vanishes but the one that asks; the ask is
    // refused by the default approver.
    let tools = setup.client.list_all_tools().await.unwrap();
    let names: Vec<&str> = tools.iter().map(|tool| tool.name.as_ref()).collect();
    assert_eq!(names, ["files__delete_all"]);
    let error = mcp_error(call(&setup.client, "files__echo", json!({ "text": "hi" })).await);
    assert_eq!(error.code, DENIED);
    assert!(error.message.contains("default deny"), "{}", error.message);
    let error = mcp_error(call(&setup.client, "files__delete_all", json!({})).await);
    assert_eq!(error.code, NOT_APPROVED);
    // An unknown tool is an error, and nothing runs.
    let error = mcp_error(call(&setup.client, "files__nothing", json!({})).await);
    assert_eq!(error.code, rmcp::model::ErrorCode::INVALID_PARAMS);

    let records = finish(setup).await;
    assert!(records.iter().all(|r| r["principal"]["id"] == "bob"));
    assert!(records.iter().all(|r| r["kind"] == "decision"));
    assert_eq!(
        find(&records, "decision", "files", "echo")[0]["effect"],
        "deny"
    );
    assert_eq!(
        find(&records, "decision", "files", "delete_all")[0]["approval"],
        "rejected"
    );
}

/// `mcp-registry gateway --stdio`: a host starts the gateway as its MCP server, the OS user
/// is the principal, and the trail is closed with a signed checkpoint when the host leaves.
#[tokio::test]
async fn the_command_serves_over_stdio() {
    let dir = dir("stdio");
    let upstreams = dir.join("mcp.json");
    let servers = json!({ "mcpServers": { "files": { "command": UPSTREAM } } });
    std::fs::write(&upstreams, servers.to_string()).unwrap();
    let policy = dir.join("policy.json");
    std::fs::write(&policy, POLICY).unwrap();
    let (private, _public) = mcp_policy::audit::keygen([7; 32]);
    let key_file = dir.join("audit.key");
    std::fs::write(&key_file, private).unwrap();
    let trail = dir.join("trail.jsonl");

    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_mcp-registry"));
    command
        .arg("gateway")
        .arg("--upstreams")
        .arg(&upstreams)
        .arg("--policy")
        .arg(&policy)
        .arg("--audit")
        .arg(&trail)
        .arg("--audit-key")
        .arg(&key_file)
        .arg("--stdio")
        .env("USER", "alice")
        .env_remove("USERNAME");
    let client = ().serve(TokioChildProcess::new(command).unwrap()).await.unwrap();

    let tools = client.list_all_tools().await.unwrap();
    let mut names: Vec<&str> = tools.iter().map(|tool| tool.name.as_ref()).collect();
    names.sort_unstable();
    assert_eq!(names, ["files__delete_all", "files__echo"]);
    let answer = call(&client, "files__echo", json!({ "text": "over stdio" }))
        .await
        .unwrap();
    assert_eq!(text(&answer), "echo: over stdio");
    // Nobody can be asked on stdio: the ask is refused.
    let error = mcp_error(call(&client, "files__delete_all", json!({})).await);
    assert_eq!(error.code, NOT_APPROVED);

    // Closing the host's side ends the gateway, which signs the end of the trail.
    client.cancel().await.unwrap();
    let records = finish_trail(&trail);
    assert!(records.iter().all(|r| r["principal"]["id"] == "alice"));
    assert_eq!(find(&records, "call", "files", "echo").len(), 1);
    assert_eq!(
        find(&records, "decision", "files", "delete_all")[0]["approval"],
        "rejected"
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn the_command_needs_a_front_end() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_mcp-registry"))
        .args([
            "gateway",
            "--upstreams",
            "u.json",
            "--policy",
            "p.json",
            "--audit",
            "t.jsonl",
            "--audit-key",
            "k",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let err = String::from_utf8(output.stderr).unwrap();
    assert!(err.contains("--stdio") && err.contains("--listen"), "{err}");
    assert!(output.stdout.is_empty());
}

/// Entries the gateway cannot serve are refused at start, naming the entry, before anything
/// is recorded.
#[tokio::test]
async fn refuses_upstreams_it_cannot_serve() {
    let dir = dir("refused");
    let policy = Arc::new(
        Policy::from_json(POLICY.as_bytes())
            .unwrap()
            .compile()
            .unwrap(),
    );
    for (file, expected) in [
        (
            json!({ "mcpServers": { "web": { "type": "sse", "url": "http://127.0.0.1:9/sse" } } }),
            "upstream `web`: sse is not supported",
        ),
        (
            json!({ "mcpServers": { "ftp": { "type": "http", "url": "ftp://127.0.0.1/mcp" } } }),
            "upstream `ftp`: ftp://127.0.0.1/mcp: only http and https",
        ),
        (
            json!({ "mcpServers": { "a__b": { "command": UPSTREAM } } }),
            "upstream `a__b`: a key must not contain `__`",
        ),
        (
            json!({ "mcpServers": { "gh": { "command": UPSTREAM,
                "env": { "T": "${MCP_GATEWAY_TEST_NEVER_SET}" } } } }),
            "upstream: server `gh`: env.T refers to ${MCP_GATEWAY_TEST_NEVER_SET}, which is not set",
        ),
    ] {
        let servers = import(Host::ClaudeCode, &file.to_string()).unwrap();
        let trail = dir.join("trail.jsonl");
        let (writer, _) = AuditWriter::open_with_key(&trail, key(), WriterConfig::new()).unwrap();
        let options = GatewayOptions::new().with_principal(Principal::new("alice"));
        let error = Gateway::start(&servers, Arc::clone(&policy), writer, options)
            .await
            .unwrap_err();
        assert!(error.to_string().starts_with(expected), "{error}");
        assert_eq!(std::fs::read_to_string(&trail).unwrap(), "");
    }
    std::fs::remove_dir_all(dir).unwrap();
}
