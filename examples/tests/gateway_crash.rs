//! Crash safety of `mcp-registry gateway --stdio`: the gateway is killed with SIGKILL while it
//! answers calls (and writes their records) under load. Every call whose answer reached the
//! host must have its `call` record in the trail, and once a restarted gateway has reopened the
//! trail (repairing a torn last line) and closed it, `mcp-registry audit verify --strict`
//! passes.
//!
//! The oracle reads the trail with `serde_json` alone; the only code it shares with the gateway
//! is `mcp_policy::audit::arguments_digest`, pinned below to a digest computed with coreutils'
//! `sha256sum`.
#![cfg(unix)]
#![expect(
    clippy::unwrap_used,
    reason = "tests fail by panicking; clippy.toml's test allowances reach only #[test] functions"
)]

use std::collections::HashMap;
use std::os::unix::process::ExitStatusExt as _;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use mcp_policy::audit::arguments_digest;
use rmcp::model::CallToolRequestParams;
use rmcp::service::RunningService;
use rmcp::{RoleClient, ServiceExt as _};
use serde_json::{Value, json};
use tokio::io::AsyncReadExt as _;
use tokio::process::{Child, Command};
use tokio::sync::Notify;
use tokio::task::JoinHandle;

#[path = "util/mcp.rs"]
mod mcp;

const BINARY: &str = env!("CARGO_BIN_EXE_mcp-registry");
const UPSTREAM: &str = env!("CARGO_BIN_EXE_mcp-test-upstream");
const PRINCIPAL: &str = "crash-tester";

/// Everyone may list and call everything.
const POLICY: &str = r#"{
    "rules": [
        { "id": "list-for-all", "effect": "allow", "match": { "action": ["listTools"] } },
        { "id": "call-for-all", "effect": "allow", "match": { "action": ["callTool"] } }
    ]
}"#;

/// Concurrent callers, each calling `notes__echo` in a loop.
const CALLERS: usize = 8;
/// The gateway is killed once this many calls of a round have been answered.
const ANSWERED_BEFORE_KILL: usize = 200;
/// A bound on each caller's loop, far above what a round needs.
const MAX_CALLS_PER_CALLER: usize = 10_000;
/// Kill cycles, all appending to the same trail.
const ROUNDS: usize = 3;
/// A guard against a hang (a gateway that never answers, or never dies), not a timing check.
const HANG_GUARD: Duration = Duration::from_mins(2);

struct Files {
    dir: PathBuf,
    upstreams: PathBuf,
    policy: PathBuf,
    key: PathBuf,
    public: PathBuf,
    trail: PathBuf,
}

/// `mcp-registry gateway` over stdio on these files, the arguments every start gives.
fn gateway_args(files: &Files) -> [&std::ffi::OsStr; 10] {
    [
        "gateway".as_ref(),
        "--upstreams".as_ref(),
        files.upstreams.as_os_str(),
        "--policy".as_ref(),
        files.policy.as_os_str(),
        "--audit".as_ref(),
        files.trail.as_os_str(),
        "--audit-key".as_ref(),
        files.key.as_os_str(),
        "--stdio".as_ref(),
    ]
}

/// A scratch folder with a key pair from `audit keygen`, the upstreams file and the policy.
fn files() -> Files {
    let dir = std::env::temp_dir().join(format!("mcp-gateway-crash-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let prefix = dir.join("audit");
    let keygen = std::process::Command::new(BINARY)
        .args(["audit", "keygen", "--out"])
        .arg(&prefix)
        .output()
        .unwrap();
    assert!(keygen.status.success(), "keygen: {keygen:?}");
    let upstreams = dir.join(".mcp.json");
    let servers = json!({ "mcpServers": { "notes": { "command": UPSTREAM } } });
    std::fs::write(&upstreams, servers.to_string()).unwrap();
    let policy = dir.join("policy.json");
    std::fs::write(&policy, POLICY).unwrap();
    Files {
        upstreams,
        policy,
        key: dir.join("audit.key"),
        public: dir.join("audit.pub"),
        trail: dir.join("trail.jsonl"),
        dir,
    }
}

/// A gateway serving the host over its stdin and stdout, with a client connected to it.
struct Running {
    child: Child,
    client: RunningService<RoleClient, ()>,
}

/// Starts `mcp-registry gateway --stdio` on the trail and connects an `rmcp` client to it.
async fn start(files: &Files, stderr: Stdio) -> Running {
    let mut child = Command::new(BINARY)
        .args(gateway_args(files))
        .env("USER", PRINCIPAL)
        .env_remove("USERNAME")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(stderr)
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let stdin = child.stdin.take().unwrap();
    let stdout = child.stdout.take().unwrap();
    let client = ().serve((stdout, stdin)).await.unwrap();
    Running { child, client }
}

fn echo(text: &str) -> CallToolRequestParams {
    let Value::Object(arguments) = json!({ "text": text }) else {
        unreachable!("a JSON object literal")
    };
    CallToolRequestParams::new("notes__echo").with_arguments(arguments)
}

/// What the callers of one round saw.
struct Load {
    /// The text of every call whose answer arrived, in the order the answers came.
    answered: Vec<String>,
    /// The error of each caller's last call, the one in flight when the gateway died.
    in_flight: Vec<String>,
    /// Errors that came before the kill: each is a call the gateway failed on its own.
    before_kill: Vec<String>,
}

/// Runs `CALLERS` callers against the gateway, kills it with SIGKILL once
/// `ANSWERED_BEFORE_KILL` calls have been answered (the callers still calling), and returns
/// what the callers saw.
async fn load_and_kill(mut running: Running, round: usize) -> Load {
    let answered = Arc::new(Mutex::new(Vec::new()));
    let before_kill = Arc::new(Mutex::new(Vec::new()));
    let killed = Arc::new(AtomicBool::new(false));
    let finished = Arc::new(AtomicUsize::new(0));
    // Woken when enough calls are answered, or when every caller has stopped without that.
    let wake = Arc::new(Notify::new());
    let callers: Vec<JoinHandle<Option<String>>> = (0..CALLERS)
        .map(|caller| {
            let peer = running.client.peer().clone();
            let answered = Arc::clone(&answered);
            let before_kill = Arc::clone(&before_kill);
            let killed = Arc::clone(&killed);
            let finished = Arc::clone(&finished);
            let wake = Arc::clone(&wake);
            tokio::spawn(async move {
                let mut last_error = None;
                for n in 0..MAX_CALLS_PER_CALLER {
                    let text = format!("crash-r{round}-c{caller}-{n}");
                    match peer.call_tool(echo(&text)).await {
                        Ok(result) => {
                            assert_eq!(mcp::text(&result), format!("echo: {text}"));
                            let count = {
                                let mut answered = answered.lock().unwrap();
                                answered.push(text);
                                answered.len()
                            };
                            if count == ANSWERED_BEFORE_KILL {
                                wake.notify_one();
                            }
                        }
                        Err(error) if killed.load(Ordering::SeqCst) => {
                            last_error = Some(error.to_string());
                            break;
                        }
                        Err(error) => {
                            before_kill.lock().unwrap().push(format!("{text}: {error}"));
                            break;
                        }
                    }
                }
                if finished.fetch_add(1, Ordering::SeqCst) + 1 == CALLERS {
                    wake.notify_one();
                }
                last_error
            })
        })
        .collect();

    tokio::time::timeout(HANG_GUARD, wake.notified())
        .await
        .unwrap();
    // Callers run on this thread too: none is between its answer and its next call here.
    killed.store(true, Ordering::SeqCst);
    running.child.start_kill().unwrap();
    let status = tokio::time::timeout(HANG_GUARD, running.child.wait())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        status.signal(),
        Some(9),
        "the gateway was not killed: {status}"
    );

    let mut in_flight = Vec::new();
    for caller in callers {
        if let Some(error) = tokio::time::timeout(HANG_GUARD, caller)
            .await
            .unwrap()
            .unwrap()
        {
            in_flight.push(error);
        }
    }
    drop(running.client);
    let answered = answered.lock().unwrap().clone();
    let before_kill = before_kill.lock().unwrap().clone();
    Load {
        answered,
        in_flight,
        before_kill,
    }
}

/// The trail's complete lines, parsed (each must be JSON), and the torn end after its last
/// newline (empty when there is none).
fn read_trail(trail: &Path) -> (Vec<Value>, Vec<u8>) {
    let bytes = std::fs::read(trail).unwrap();
    let complete = bytes
        .iter()
        .rposition(|&byte| byte == b'\n')
        .map_or(0, |at| at + 1);
    let (whole, torn) = bytes.split_at(complete);
    let lines: Result<Vec<Value>, String> = whole
        .split(|&byte| byte == b'\n')
        .filter(|line| !line.is_empty())
        .enumerate()
        .map(|(n, line)| {
            serde_json::from_slice(line).map_err(|error| {
                format!(
                    "line {} of the trail is not JSON ({error}): {}",
                    n + 1,
                    String::from_utf8_lossy(line)
                )
            })
        })
        .collect();
    let lines = lines.unwrap();
    (lines, torn.to_vec())
}

/// Checks that every answered text has exactly one `call` record of `notes`/`echo` with
/// outcome ok, for the principal, preceded by its `allow` decision record.
fn check_answered(lines: &[Value], answered: &[String]) {
    // Position in the file of each record, by kind and arguments digest.
    let mut calls: HashMap<&str, Vec<(usize, &Value)>> = HashMap::new();
    let mut decisions: HashMap<&str, Vec<usize>> = HashMap::new();
    for (position, line) in lines.iter().enumerate() {
        let Some(record) = line.get("record") else {
            continue;
        };
        let is_echo = record.get("server") == Some(&json!("notes"))
            && record.get("tool") == Some(&json!("echo"));
        let Some(digest) = record.get("argumentsDigest").and_then(Value::as_str) else {
            continue;
        };
        if !is_echo {
            continue;
        }
        match record.get("kind").and_then(Value::as_str) {
            Some("call") => calls.entry(digest).or_default().push((position, record)),
            Some("decision") => decisions.entry(digest).or_default().push(position),
            _ => {}
        }
    }
    let mut missing = Vec::new();
    let mut wrong = Vec::new();
    for text in answered {
        let digest = arguments_digest(&json!({ "text": text }));
        let Some(found) = calls.get(digest.as_str()) else {
            missing.push(text.as_str());
            continue;
        };
        let ok = match found.as_slice() {
            [(position, record)] => {
                record.get("outcome") == Some(&json!({ "status": "ok" }))
                    && record.get("effect") == Some(&json!("allow"))
                    && record.pointer("/principal/id") == Some(&json!(PRINCIPAL))
                    && decisions
                        .get(digest.as_str())
                        .is_some_and(|at| at.iter().any(|decided| decided < position))
            }
            _ => false,
        };
        if !ok {
            wrong.push(format!("{text}: {found:?}"));
        }
    }
    assert!(
        missing.is_empty(),
        "{} of {} answered calls have no call record in the trail, e.g. {:?}",
        missing.len(),
        answered.len(),
        missing.iter().take(10).collect::<Vec<_>>()
    );
    assert!(
        wrong.is_empty(),
        "{} answered calls have a wrong or duplicated record, e.g. {:?}",
        wrong.len(),
        wrong.iter().take(5).collect::<Vec<_>>()
    );
}

/// `mcp-registry audit verify TRAIL --key PUB [--strict]`: exit code and standard output.
fn verify(files: &Files, strict: bool) -> (Option<i32>, String) {
    let mut command = std::process::Command::new(BINARY);
    command
        .args(["audit", "verify"])
        .arg(&files.trail)
        .arg("--key")
        .arg(&files.public);
    if strict {
        command.arg("--strict");
    }
    let output = command.output().unwrap();
    let out = String::from_utf8_lossy(&output.stdout).into_owned();
    let err = String::from_utf8_lossy(&output.stderr);
    (output.status.code(), format!("{out}{err}"))
}

/// Reopens the crashed trail the quickest way: a gateway whose host leaves at once (its stdin
/// is empty). Checks what it said about a torn last line and that it kept every complete line
/// as it was.
fn reopen(files: &Files) {
    let before = std::fs::read(&files.trail).unwrap();
    let complete = before
        .iter()
        .rposition(|&byte| byte == b'\n')
        .map_or(0, |at| at + 1);
    let torn = before.len() - complete;
    let output = std::process::Command::new(BINARY)
        .args(gateway_args(files))
        .env("USER", PRINCIPAL)
        .env_remove("USERNAME")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    // Its exit status is not checked: a host that leaves before `initialize` is not a clean
    // session (exit 1), and `restart` checks the clean one. It still closes the trail.
    let stderr = String::from_utf8_lossy(&output.stderr);
    if torn == 0 {
        assert!(!stderr.contains("torn"), "{stderr}");
    } else {
        assert!(
            stderr.contains(&format!(
                "mcp-registry gateway: removed a torn last line of {torn} bytes at offset \
                 {complete}\n"
            )),
            "{stderr}"
        );
    }
    let after = std::fs::read(&files.trail).unwrap();
    let kept = before.get(..complete).unwrap();
    assert!(
        after.starts_with(kept),
        "reopening must cut the torn end off and keep the rest"
    );
    // What closing added is checkpoints, never a record.
    let added = String::from_utf8(after.get(complete..).unwrap().to_vec()).unwrap();
    assert!(
        added.lines().all(|line| !line.contains("\"record\"")),
        "{added}"
    );
}

/// Restarts the gateway on the reopened trail, makes one call through it and closes it the way
/// a host does (closing its stdin), which signs the trail's end. Returns the text of the call.
async fn restart(files: &Files, round: usize) -> String {
    let before = std::fs::read(&files.trail).unwrap();
    let mut running = start(files, Stdio::piped()).await;
    let mut stderr = running.child.stderr.take().unwrap();
    let reading = tokio::spawn(async move {
        let mut text = String::new();
        stderr.read_to_string(&mut text).await.unwrap();
        text
    });
    let text = format!("crash-r{round}-after-restart");
    let result = running.client.call_tool(echo(&text)).await.unwrap();
    assert_eq!(mcp::text(&result), format!("echo: {text}"));
    running.client.cancel().await.unwrap();
    let status = tokio::time::timeout(HANG_GUARD, running.child.wait())
        .await
        .unwrap()
        .unwrap();
    let stderr = tokio::time::timeout(HANG_GUARD, reading)
        .await
        .unwrap()
        .unwrap();
    assert!(
        status.success(),
        "the restarted gateway: {status}: {stderr}"
    );
    assert!(!stderr.contains("torn"), "{stderr}");
    let after = std::fs::read(&files.trail).unwrap();
    assert!(
        after.starts_with(&before),
        "the restart changed the trail's lines"
    );
    text
}

/// The digest the oracle matches records by is SHA-256 of the arguments' canonical JSON, as
/// `printf '{"text":"crash-oracle"}' | sha256sum` computes it.
#[test]
fn the_digest_is_sha256_of_the_canonical_arguments() {
    assert_eq!(
        arguments_digest(&json!({ "text": "crash-oracle" })),
        "sha256:093b6112911edda7983b38f9f27e8a673817c3caff92b9d485386835d77d0246"
    );
}

#[tokio::test]
async fn answered_calls_survive_a_kill_and_the_trail_verifies_after_restart() {
    let files = files();
    let mut all_answered = Vec::new();
    for round in 0..ROUNDS {
        let running = start(&files, Stdio::inherit()).await;
        let load = load_and_kill(running, round).await;
        assert!(
            load.before_kill.is_empty(),
            "calls failed before the kill: {:?}",
            load.before_kill
        );
        assert!(
            load.answered.len() >= ANSWERED_BEFORE_KILL,
            "{} answered",
            load.answered.len()
        );
        // Every caller was still calling when the gateway died.
        assert_eq!(load.in_flight.len(), CALLERS, "{:?}", load.in_flight);

        let (lines, torn) = read_trail(&files.trail);
        all_answered.extend(load.answered);
        check_answered(&lines, &all_answered);
        if torn.is_empty() {
            // Before any repair: intact, though its tail is unsigned.
            let (code, out) = verify(&files, false);
            assert_eq!(code, Some(0), "{out}");
        }
        if round + 1 == ROUNDS && torn.is_empty() {
            // A crash inside the write of a line: its first half reached the file.
            let bytes = std::fs::read(&files.trail).unwrap();
            let last = bytes.trim_ascii_end().rsplit(|&byte| byte == b'\n').next();
            let half = last.and_then(|line| line.get(..line.len() / 2)).unwrap();
            std::fs::write(&files.trail, [bytes.as_slice(), half].concat()).unwrap();
        }

        reopen(&files);
        let (lines, torn) = read_trail(&files.trail);
        assert!(torn.is_empty(), "torn after reopening: {torn:?}");
        check_answered(&lines, &all_answered);
        let (code, out) = verify(&files, false);
        assert_eq!(code, Some(0), "audit verify after reopening: {out}");

        all_answered.push(restart(&files, round).await);
        let (lines, torn) = read_trail(&files.trail);
        assert!(torn.is_empty(), "torn after a clean close: {torn:?}");
        check_answered(&lines, &all_answered);
        let (code, out) = verify(&files, true);
        assert_eq!(code, Some(0), "audit verify --strict after restart: {out}");
    }
    std::fs::remove_dir_all(&files.dir).unwrap();
}
