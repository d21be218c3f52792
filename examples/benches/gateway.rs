//! What the gateway adds to one `tools/call`, beside the same call made straight to the
//! upstream, everything on loopback streamable HTTP with the policy and the audit trail on
//! (`--fsync grouped`).
//!
//! The gateway (`mcp-registry gateway`) and the upstream run as processes of their own, so
//! `taskset` and the resident set apply to each alone; this process is the host, a set of
//! `rmcp` streamable-HTTP clients. Beside them runs a third server, a *bare proxy*: this
//! program re-run as an `rmcp` server that forwards `tools/list` and `tools/call` to the
//! upstream through an `rmcp` client and does nothing else (no authentication, policy, audit
//! or renaming). It shows what the extra HTTP hop costs by itself, so the gateway's own work is
//! gateway − bare proxy.
//!
//! The upstream is `mcp-test-upstream --listen`, which sets `TCP_NODELAY`. (An `rmcp` server
//! writes a response's SSE priming event and its result in two writes; without `TCP_NODELAY`
//! the second waits for the ACK of the first, which a client on a reused connection delays by
//! up to 40 ms. The gateway's measured before and after is in docs/BENCHMARKS.md.)
//!
//! Three modes, chosen by `GATEWAY_BENCH`:
//!
//! - `latency` (the default): one client on each server calls `echo` in turn, the order
//!   rotating every round, so all see the same machine noise; after `GATEWAY_BENCH_WARMUP`
//!   rounds (1,000), `GATEWAY_BENCH_SAMPLES` calls each (5,000). Prints p50, p90, p99, p99.9
//!   and the mean of each and of the differences at each, then runs criterion's
//!   `gateway/tools_call_direct`, `gateway/tools_call_through_bare_proxy` and
//!   `gateway/tools_call_through_gateway`.
//! - `throughput`: the server under test alone on core 0 (`taskset -c 0`), the upstream (when
//!   it is not the server under test) and this process on core 1; `GATEWAY_BENCH_SESSIONS`
//!   sessions (32) call as fast as they are answered for `GATEWAY_BENCH_SECONDS` (10), after
//!   one second of the same to warm up. `GATEWAY_BENCH_ROUNDS` rounds (2) of the upstream
//!   alone, the bare proxy and the gateway. Prints calls per second and the CPU each process
//!   used, so a run whose load side was the bottleneck shows as one.
//! - `memory`: the resident set (`VmRSS`) of the server before and after
//!   `GATEWAY_BENCH_MEMORY_SESSIONS` sessions (500) are opened and have each made one call,
//!   and after they are closed; the upstream alone, the bare proxy, then the gateway.
//!
//! After each run the gateway is stopped with `SIGTERM` (it writes its last checkpoint) and
//! its trail must pass `mcp-registry audit verify --strict`: a check, not a timing.
//!
//! Run: `cargo bench -p mcp-registry-examples --bench gateway` (latency),
//! `GATEWAY_BENCH=throughput cargo bench -p mcp-registry-examples --bench gateway`,
//! `GATEWAY_BENCH=memory cargo bench -p mcp-registry-examples --bench gateway`.
#![expect(
    clippy::cast_precision_loss,
    clippy::expect_used,
    clippy::panic,
    reason = "a benchmark fails loudly when its processes do not start or answer, and reports \
              counts far below 2^52 as floats"
)]

use std::fmt::Write as _;
use std::io::{BufRead as _, BufReader};
use std::path::PathBuf;
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::serve::ListenerExt as _;
use criterion::{Criterion, SamplingMode};
use futures::StreamExt as _;
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, ContentBlock, JsonObject, ListToolsResult,
    PaginatedRequestParams, ServerCapabilities, ServerConfig,
};
use rmcp::service::{RequestContext, RunningService};
use rmcp::transport::StreamableHttpClientTransport;
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};
use rmcp::{ErrorData, Peer, RoleClient, RoleServer, ServerHandler, ServiceError, ServiceExt as _};
use tokio::runtime::Runtime;

const GATEWAY: &str = env!("CARGO_BIN_EXE_mcp-registry");
const UPSTREAM: &str = env!("CARGO_BIN_EXE_mcp-test-upstream");
const TOKEN: &str = "bench-token";
/// Lists for everyone, calls `echo` for everyone: a decision that allows after matching rules.
const POLICY: &str = r#"{"rules":[
    {"id":"list","effect":"allow","match":{"action":["listTools"]}},
    {"id":"echo","effect":"allow","match":{"action":["callTool"],"tool":["echo"]}}
]}"#;
const PRINCIPALS: &str = r#"{"tokens":{"bench-token":{"id":"bench"}}}"#;
/// The argument of every call: a short sentence, as a tool call's arguments often are.
const TEXT: &str = "the quick brown fox jumps over the lazy dog";

/// The environment variable that makes this program a server: `proxy`.
const ROLE: &str = "GATEWAY_BENCH_ROLE";
/// The bare proxy's upstream URL.
const PROXY_TO: &str = "GATEWAY_BENCH_PROXY_TO";

type Client = RunningService<RoleClient, ()>;

fn main() {
    if std::env::var(ROLE).as_deref() == Ok("proxy") {
        return serve_bare_proxy();
    }
    // `cargo bench` passes `--bench`; without it (`cargo test --benches`) this is a smoke run.
    let full = std::env::args().any(|arg| arg == "--bench");
    let mode = std::env::var("GATEWAY_BENCH").unwrap_or_else(|_| "latency".to_owned());
    match mode.as_str() {
        "latency" => latency(full),
        "throughput" => throughput(full),
        "memory" => memory(full),
        other => panic!("GATEWAY_BENCH={other}: expected latency, throughput or memory"),
    }
}

/// A number from the environment, or `default` (`smoke` when this is not a full run).
fn setting(name: &str, default: u64, smoke: u64, full: bool) -> u64 {
    match std::env::var(name) {
        Ok(value) => value
            .parse()
            .unwrap_or_else(|_| panic!("{name}={value}: not a number")),
        Err(_) if full => default,
        Err(_) => smoke,
    }
}

/// The host's runtime, and the upstream's (as `mcp-test-upstream`'s).
fn runtime() -> Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime")
}

// ------------------------------------------------------------------------------------------
// The processes
// ------------------------------------------------------------------------------------------

/// A child process, killed when dropped (a panic must not leave servers behind).
struct Process {
    child: Child,
}

impl Process {
    fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `program`, under `taskset -c CORE` when a core is given.
fn command(program: impl AsRef<std::ffi::OsStr>, core: Option<u32>) -> Command {
    match core {
        Some(core) => {
            let mut command = Command::new("taskset");
            command.arg("-c").arg(core.to_string()).arg(program);
            command
        }
        None => Command::new(program),
    }
}

/// This program as a server (`GATEWAY_BENCH_ROLE=role`).
fn this_program(role: &str, core: Option<u32>) -> Command {
    let mut command = command(std::env::current_exe().expect("this program"), core);
    command.env(ROLE, role);
    command
}

/// A server on loopback whose first line of output is `listening on ADDR`.
struct Server {
    process: Process,
    url: String,
    // Kept open: the server's standard output stays a pipe with a reader.
    _stdout: BufReader<ChildStdout>,
}

impl Server {
    fn start(mut command: Command) -> Self {
        let mut child = command
            .stdout(Stdio::piped())
            .spawn()
            .unwrap_or_else(|error| panic!("start {command:?}: {error}"));
        let mut stdout = BufReader::new(child.stdout.take().expect("the server's stdout"));
        let process = Process { child };
        let mut line = String::new();
        stdout
            .read_line(&mut line)
            .expect("the server's first line");
        let addr = line
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("{command:?} said {line:?}"));
        Self {
            process,
            url: format!("http://{addr}/mcp"),
            _stdout: stdout,
        }
    }

    /// The upstream: `mcp-test-upstream --listen 127.0.0.1:0`.
    fn upstream(core: Option<u32>) -> Self {
        let mut command = command(UPSTREAM, core);
        command.args(["--listen", "127.0.0.1:0"]);
        Self::start(command)
    }

    /// The bare proxy in front of `upstream`.
    fn bare_proxy(upstream: &Server, core: Option<u32>) -> Self {
        let mut command = this_program("proxy", core);
        command.env(PROXY_TO, &upstream.url);
        Self::start(command)
    }

    fn target(&self, name: &'static str, tool: &'static str) -> Target {
        Target {
            name,
            pid: self.process.pid(),
            url: self.url.clone(),
            tool,
        }
    }
}

/// A server the host calls: which process answers, where, and the name `echo` has there.
#[derive(Clone, Debug)]
struct Target {
    name: &'static str,
    pid: u32,
    url: String,
    tool: &'static str,
}

/// `mcp-registry gateway` in front of one upstream (`up`), with its files in a directory of
/// its own.
struct Gateway {
    process: Process,
    url: String,
    dir: PathBuf,
}

impl Gateway {
    fn start(upstream: &Server, core: Option<u32>) -> Self {
        let dir = std::env::temp_dir().join(format!(
            "mcp-gateway-bench-{}-{}",
            std::process::id(),
            upstream.process.pid()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("bench directory");
        let keygen = Command::new(GATEWAY)
            .args(["audit", "keygen", "--out"])
            .arg(dir.join("audit"))
            .output()
            .expect("run mcp-registry audit keygen");
        assert!(keygen.status.success(), "audit keygen: {keygen:?}");
        let upstreams = serde_json::json!({
            "mcpServers": { "up": { "type": "http", "url": upstream.url } }
        });
        std::fs::write(dir.join("mcp.json"), upstreams.to_string()).expect("write .mcp.json");
        std::fs::write(dir.join("policy.json"), POLICY).expect("write the policy");
        std::fs::write(dir.join("principals.json"), PRINCIPALS).expect("write the principals");
        let delay = std::env::var("GATEWAY_BENCH_FSYNC_DELAY_MS").unwrap_or_else(|_| "50".into());

        let mut child = command(GATEWAY, core)
            .arg("gateway")
            .arg("--upstreams")
            .arg(dir.join("mcp.json"))
            .arg("--policy")
            .arg(dir.join("policy.json"))
            .arg("--audit")
            .arg(dir.join("trail.jsonl"))
            .arg("--audit-key")
            .arg(dir.join("audit.key"))
            .arg("--principals")
            .arg(dir.join("principals.json"))
            .args(["--listen", "127.0.0.1:0", "--fsync", "grouped"])
            .args(["--fsync-delay-ms", &delay])
            .stderr(Stdio::piped())
            .spawn()
            .expect("start mcp-registry gateway");
        let stderr = child.stderr.take().expect("gateway stderr");
        let process = Process { child };
        let mut lines = BufReader::new(stderr).lines();
        let url = loop {
            let line = lines
                .next()
                .expect("the gateway stopped before serving")
                .expect("gateway stderr");
            if let Some(rest) = line.strip_prefix("mcp-registry gateway: serving ") {
                let url = rest.split(' ').next().unwrap_or_default().to_owned();
                break url;
            }
            eprintln!("{line}");
        };
        // Anything it says later goes to ours (and a full pipe never stalls it).
        std::thread::spawn(move || {
            for line in lines.map_while(Result::ok) {
                eprintln!("{line}");
            }
        });
        Self { process, url, dir }
    }

    fn target(&self) -> Target {
        Target {
            name: "gateway",
            pid: self.process.pid(),
            url: self.url.clone(),
            tool: "up__echo",
        }
    }

    /// Stops the gateway with `SIGTERM`, waits for it, and checks its trail with
    /// `mcp-registry audit verify --strict`.
    fn stop_and_verify(mut self) {
        let pid = self.process.pid().to_string();
        let status = Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .expect("run kill");
        assert!(status.success(), "kill -TERM {pid}: {status}");
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            match self.process.child.try_wait().expect("wait for the gateway") {
                Some(status) => {
                    assert!(status.success(), "the gateway exited with {status}");
                    break;
                }
                None if Instant::now() > deadline => panic!("the gateway ignored SIGTERM"),
                None => std::thread::sleep(Duration::from_millis(20)),
            }
        }
        let trail = self.dir.join("trail.jsonl");
        let verify = Command::new(GATEWAY)
            .args(["audit", "verify", "--strict", "--key"])
            .arg(self.dir.join("audit.pub"))
            .arg(&trail)
            .output()
            .expect("run mcp-registry audit verify");
        assert!(
            verify.status.success(),
            "audit verify failed: {}{}",
            String::from_utf8_lossy(&verify.stdout),
            String::from_utf8_lossy(&verify.stderr)
        );
        let lines = std::fs::read_to_string(&trail)
            .expect("read the trail")
            .lines()
            .count();
        let _ = std::fs::remove_dir_all(&self.dir);
        println!("audit verify --strict: passed ({lines} lines)");
    }
}

// ------------------------------------------------------------------------------------------
// The host side
// ------------------------------------------------------------------------------------------

async fn connect(url: &str) -> Client {
    let config = StreamableHttpClientTransportConfig::with_uri(url).auth_header(TOKEN);
    ().serve(StreamableHttpClientTransport::from_config(config))
        .await
        .unwrap_or_else(|error| panic!("connect to {url}: {error}"))
}

fn arguments() -> JsonObject {
    let mut arguments = JsonObject::new();
    arguments.insert("text".to_owned(), TEXT.into());
    arguments
}

/// One `tools/call` of `tool`; panics unless the answer is the echo.
async fn echo(client: &Client, tool: &str) {
    let result = client
        .call_tool(CallToolRequestParams::new(tool.to_owned()).with_arguments(arguments()))
        .await
        .unwrap_or_else(|error| panic!("{tool}: {error}"));
    let answered = result.content.first().is_some_and(
        |block| matches!(block, ContentBlock::Text(text) if text.text.starts_with("echo: ")),
    );
    assert!(answered, "{tool}: unexpected answer {result:?}");
}

/// Opens `count` sessions on `url`, `parallel` at a time, each making one call of `tool`.
async fn sessions(url: &str, tool: &str, count: u64, parallel: usize) -> Vec<Client> {
    futures::stream::iter(0..count)
        .map(|_| async move {
            let client = connect(url).await;
            echo(&client, tool).await;
            client
        })
        .buffer_unordered(parallel)
        .collect()
        .await
}

async fn close(clients: Vec<Client>) {
    futures::stream::iter(clients)
        .for_each_concurrent(32, |client| async move {
            let _ = client.cancel().await;
        })
        .await;
}

// ------------------------------------------------------------------------------------------
// /proc
// ------------------------------------------------------------------------------------------

/// A `kB` line of `/proc/PID/status`, in bytes.
fn status_bytes(pid: u32, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("/proc/PID/status");
    status
        .lines()
        .find_map(|line| line.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|value| value.trim().strip_suffix(" kB")?.trim().parse::<u64>().ok())
        .map_or_else(
            || panic!("no {field} in /proc/{pid}/status"),
            |kib| kib * 1024,
        )
}

/// User plus system CPU time a process has used (all its threads).
fn cpu_time(pid: u32, ticks_per_second: u64) -> Duration {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).expect("/proc/PID/stat");
    // Fields after the command name, which is in parentheses and may hold spaces: state is
    // field 3, utime 14 and stime 15.
    let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let ticks: u64 = after
        .split_whitespace()
        .skip(11)
        .take(2)
        .map(|field| field.parse::<u64>().unwrap_or(0))
        .sum();
    Duration::from_secs_f64(ticks as f64 / ticks_per_second.max(1) as f64)
}

fn clock_ticks() -> u64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|out| String::from_utf8_lossy(&out.stdout).trim().parse().ok())
        .unwrap_or(100)
}

fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|text| text.trim().to_owned())
        .unwrap_or_default()
}

fn machine() {
    let cores = std::thread::available_parallelism().map_or(0, std::num::NonZero::get);
    println!(
        "machine: {cores} cores available, /proc/loadavg {}",
        loadavg()
    );
    println!("upstream: mcp-test-upstream --listen");
}

// ------------------------------------------------------------------------------------------
// Latency
// ------------------------------------------------------------------------------------------

/// The `per_mille`/1000 quantile of sorted nanoseconds (nearest rank).
fn quantile(sorted: &[u64], per_mille: usize) -> u64 {
    let rank = (sorted.len() * per_mille).div_ceil(1000).max(1);
    sorted.get(rank - 1).copied().unwrap_or(0)
}

fn micros(nanos: f64) -> String {
    format!("{:.1} µs", nanos / 1_000.0)
}

fn elapsed_nanos(started: Instant) -> u64 {
    u64::try_from(started.elapsed().as_nanos()).unwrap_or(u64::MAX)
}

fn latency(full: bool) {
    let samples = setting("GATEWAY_BENCH_SAMPLES", 5_000, 50, full);
    let warmup = setting("GATEWAY_BENCH_WARMUP", 1_000, 10, full);
    machine();
    let upstream = Server::upstream(None);
    let proxy = Server::bare_proxy(&upstream, None);
    let gateway = Gateway::start(&upstream, None);
    let targets = [
        upstream.target("direct", "echo"),
        proxy.target("bare proxy", "echo"),
        gateway.target(),
    ];
    let runtime = runtime();
    let clients: Vec<Client> = runtime.block_on(async {
        let mut clients = Vec::new();
        for target in &targets {
            clients.push(connect(&target.url).await);
        }
        clients
    });
    let sides: Vec<(&Client, &Target)> = clients.iter().zip(&targets).collect();

    let capacity = usize::try_from(samples).unwrap_or(0);
    let mut times: Vec<Vec<u64>> = vec![Vec::with_capacity(capacity); sides.len()];
    runtime.block_on(async {
        for _ in 0..warmup {
            for (client, target) in &sides {
                echo(client, target.tool).await;
            }
        }
        for round in 0..capacity {
            // Rotate who goes first, so none always follows another.
            for k in 0..sides.len() {
                let side = (round + k) % sides.len();
                let (Some((client, target)), Some(times)) = (sides.get(side), times.get_mut(side))
                else {
                    continue;
                };
                let started = Instant::now();
                echo(client, target.tool).await;
                times.push(elapsed_nanos(started));
            }
        }
    });
    for times in &mut times {
        times.sort_unstable();
    }
    println!("{}", latency_table(&times, samples, warmup));

    let mut criterion = Criterion::default().configure_from_args();
    let mut group = criterion.benchmark_group("gateway");
    // Each iteration is a loopback round trip or two (and 40 ms where a delayed ACK holds
    // up an answer): flat sampling keeps the iteration count within reach.
    group.sampling_mode(SamplingMode::Flat);
    for ((client, target), id) in sides.iter().zip([
        "tools_call_direct",
        "tools_call_through_bare_proxy",
        "tools_call_through_gateway",
    ]) {
        group.bench_function(id, |b| {
            b.to_async(&runtime).iter(|| echo(client, target.tool));
        });
    }
    group.finish();

    drop(sides);
    runtime.block_on(close(clients));
    gateway.stop_and_verify();
    criterion.final_summary();
}

/// The table of the latency pass: `times` are sorted nanoseconds of direct, bare proxy and
/// gateway calls.
fn latency_table(times: &[Vec<u64>], samples: u64, warmup: u64) -> String {
    let empty = Vec::new();
    let [direct, proxy, gateway] =
        [0, 1, 2].map(|side| times.get(side).unwrap_or(&empty).as_slice());
    let mut table = String::new();
    let _ = writeln!(
        table,
        "\n`tools/call echo`, {samples} calls each, in turn (after {warmup} each to warm up)\n"
    );
    let _ = writeln!(
        table,
        "| | direct | bare proxy | gateway | overhead (gateway − direct) | the hop (proxy − \
         direct) | the gateway's own (gateway − proxy) |"
    );
    let _ = writeln!(table, "|---|---|---|---|---|---|---|");
    let row = |table: &mut String, name: &str, [d, p, g]: [f64; 3]| {
        let _ = writeln!(
            table,
            "| {name} | {} | {} | {} | **{}** | {} | {} |",
            micros(d),
            micros(p),
            micros(g),
            micros(g - d),
            micros(p - d),
            micros(g - p)
        );
    };
    for (name, per_mille) in [("p50", 500), ("p90", 900), ("p99", 990), ("p99.9", 999)] {
        let at = [direct, proxy, gateway].map(|times| quantile(times, per_mille) as f64);
        row(&mut table, name, at);
    }
    let mean = [direct, proxy, gateway]
        .map(|times| times.iter().sum::<u64>() as f64 / times.len().max(1) as f64);
    row(&mut table, "mean", mean);
    let [d, p, g] = [direct, proxy, gateway].map(|times| times.last().copied().unwrap_or(0));
    let _ = writeln!(
        table,
        "| max | {} | {} | {} | | | |",
        micros(d as f64),
        micros(p as f64),
        micros(g as f64)
    );
    table
}

// ------------------------------------------------------------------------------------------
// Throughput
// ------------------------------------------------------------------------------------------

fn have_taskset() -> bool {
    Command::new("taskset")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success())
}

/// What one timed window of load measured.
struct Window {
    calls: u64,
    elapsed: Duration,
    /// CPU time of the server under test, on core 0.
    server_cpu: Duration,
    /// CPU time of the upstream on core 1, when it is not the server under test.
    upstream_cpu: Option<Duration>,
    /// CPU time of this process (the load) on core 1.
    load_cpu: Duration,
}

/// `sessions_n` sessions calling `target` for `seconds`, after a second of the same.
fn hammer(
    runtime: &Runtime,
    target: &Target,
    upstream: Option<u32>,
    sessions_n: u64,
    seconds: u64,
) -> Window {
    let ticks = clock_ticks();
    let me = std::process::id();
    let clients = runtime.block_on(sessions(&target.url, target.tool, sessions_n, 8));
    // A second of load before the window: connections, caches and allocators settle.
    runtime.block_on(run_for(&clients, target.tool, Duration::from_secs(1)));
    let before = (
        cpu_time(target.pid, ticks),
        upstream.map(|pid| cpu_time(pid, ticks)),
        cpu_time(me, ticks),
    );
    let started = Instant::now();
    let calls = runtime.block_on(run_for(&clients, target.tool, Duration::from_secs(seconds)));
    let elapsed = started.elapsed();
    let window = Window {
        calls,
        elapsed,
        server_cpu: cpu_time(target.pid, ticks).saturating_sub(before.0),
        upstream_cpu: upstream
            .map(|pid| cpu_time(pid, ticks))
            .zip(before.1)
            .map(|(after, before)| after.saturating_sub(before)),
        load_cpu: cpu_time(me, ticks).saturating_sub(before.2),
    };
    runtime.block_on(close(clients));
    window
}

/// Every client calls `tool` back to back until `length` has passed; the calls made.
async fn run_for(clients: &[Client], tool: &str, length: Duration) -> u64 {
    let deadline = Instant::now() + length;
    let counts = futures::future::join_all(clients.iter().map(|client| async move {
        let mut calls = 0_u64;
        while Instant::now() < deadline {
            echo(client, tool).await;
            calls += 1;
        }
        calls
    }))
    .await;
    counts.iter().sum()
}

fn percent(cpu: Duration, elapsed: Duration) -> String {
    format!("{:.0}%", 100.0 * cpu.as_secs_f64() / elapsed.as_secs_f64())
}

fn throughput(full: bool) {
    let sessions_n = setting("GATEWAY_BENCH_SESSIONS", 32, 4, full);
    let seconds = setting("GATEWAY_BENCH_SECONDS", 10, 1, full);
    let rounds = setting("GATEWAY_BENCH_ROUNDS", 2, 1, full);
    if !have_taskset() {
        println!("throughput: skipped, `taskset` (util-linux) is not installed");
        return;
    }
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    if cores < 2 {
        println!("throughput: skipped, it needs two cores and this process may use {cores}");
        return;
    }
    machine();
    // This process (the load) goes to core 1 before it starts any other thread.
    let me = std::process::id().to_string();
    let pinned = Command::new("taskset")
        .args(["-a", "-p", "-c", "1", &me])
        .output()
        .expect("run taskset -p");
    assert!(pinned.status.success(), "taskset -p: {pinned:?}");
    let runtime = runtime();

    let mut rows = String::new();
    let _ = writeln!(
        rows,
        "\n{sessions_n} sessions calling `echo` back to back, {seconds} s a window\n"
    );
    let _ = writeln!(
        rows,
        "| round | on core 0 | calls/s | core 0 busy | calls per core-0 CPU-second | core 1: \
         upstream + load |"
    );
    let _ = writeln!(rows, "|---|---|---|---|---|---|");
    for round in 1..=rounds {
        // The peer: the upstream alone on core 0.
        let upstream = Server::upstream(Some(0));
        let target = upstream.target("upstream alone", "echo");
        let window = hammer(&runtime, &target, None, sessions_n, seconds);
        row(&mut rows, round, &target, &window);
        drop(upstream);

        // The bare proxy on core 0, its upstream on core 1 beside the load.
        let upstream = Server::upstream(Some(1));
        let beside = Some(upstream.process.pid());
        let proxy = Server::bare_proxy(&upstream, Some(0));
        let target = proxy.target("bare proxy", "echo");
        let window = hammer(&runtime, &target, beside, sessions_n, seconds);
        row(&mut rows, round, &target, &window);
        drop(proxy);

        // The gateway on core 0, the same way.
        let gateway = Gateway::start(&upstream, Some(0));
        let target = gateway.target();
        let window = hammer(&runtime, &target, beside, sessions_n, seconds);
        row(&mut rows, round, &target, &window);
        gateway.stop_and_verify();
    }
    println!("{rows}");
    println!("/proc/loadavg after: {}", loadavg());
}

fn row(rows: &mut String, round: u64, target: &Target, window: &Window) {
    let name = target.name;
    let core1 = match window.upstream_cpu {
        Some(upstream) => format!(
            "{} + {}",
            percent(upstream, window.elapsed),
            percent(window.load_cpu, window.elapsed)
        ),
        None => format!("{} (load)", percent(window.load_cpu, window.elapsed)),
    };
    let rate = window.calls as f64 / window.elapsed.as_secs_f64();
    let per_cpu_second = window.calls as f64 / window.server_cpu.as_secs_f64().max(1e-9);
    let _ = writeln!(
        rows,
        "| {round} | {name} | {rate:.0} | {} | {per_cpu_second:.0} | {core1} |",
        percent(window.server_cpu, window.elapsed),
    );
    println!(
        "round {round}, {name}: {rate:.0} calls/s ({} calls in {:.2} s)",
        window.calls,
        window.elapsed.as_secs_f64()
    );
}

// ------------------------------------------------------------------------------------------
// Memory
// ------------------------------------------------------------------------------------------

/// Resident set of the target before and after `count` sessions, and after they are closed.
fn resident(runtime: &Runtime, target: &Target, count: u64) -> [u64; 3] {
    let settle = || std::thread::sleep(Duration::from_millis(500));
    // One session first, so what every first session allocates once is not counted.
    let warm = runtime.block_on(sessions(&target.url, target.tool, 1, 1));
    settle();
    let before = status_bytes(target.pid, "VmRSS");
    let clients = runtime.block_on(sessions(&target.url, target.tool, count, 16));
    settle();
    let open = status_bytes(target.pid, "VmRSS");
    runtime.block_on(close(clients));
    runtime.block_on(close(warm));
    settle();
    let closed = status_bytes(target.pid, "VmRSS");
    [before, open, closed]
}

fn memory(full: bool) {
    let count = setting("GATEWAY_BENCH_MEMORY_SESSIONS", 500, 20, full);
    machine();
    let runtime = runtime();
    let upstream = Server::upstream(None);
    let direct = upstream.target("upstream alone", "echo");
    let mut rows = vec![(direct.name, resident(&runtime, &direct, count))];
    let proxy = Server::bare_proxy(&upstream, None);
    let proxied = proxy.target("bare proxy", "echo");
    rows.push((proxied.name, resident(&runtime, &proxied, count)));
    drop(proxy);
    let gateway = Gateway::start(&upstream, None);
    let through = gateway.target();
    rows.push((through.name, resident(&runtime, &through, count)));

    let mib = |bytes: u64| format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0));
    let mut table = String::new();
    let _ = writeln!(
        table,
        "\nresident set (VmRSS) with {count} sessions open, each initialized and after one call\n"
    );
    let _ = writeln!(
        table,
        "| server | before | {count} sessions open | per session | after closing them |"
    );
    let _ = writeln!(table, "|---|---|---|---|---|");
    for (name, [before, open, closed]) in rows {
        let _ = writeln!(
            table,
            "| {name} | {} | {} | {:.1} KiB | {} |",
            mib(before),
            mib(open),
            open.saturating_sub(before) as f64 / count as f64 / 1024.0,
            mib(closed)
        );
    }
    println!("{table}");
    gateway.stop_and_verify();
}

// ------------------------------------------------------------------------------------------
// The servers this program can be
// ------------------------------------------------------------------------------------------

/// Forwards `tools/list` and `tools/call` to the upstream as they come: the HTTP hop a gateway
/// makes, without the gateway.
#[derive(Clone, Debug)]
struct BareProxy {
    upstream: Peer<RoleClient>,
}

fn upstream_error(error: ServiceError) -> ErrorData {
    match error {
        ServiceError::McpError(error) => error,
        other => ErrorData::internal_error(format!("upstream: {other}"), None),
    }
}

impl ServerHandler for BareProxy {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
    }

    async fn list_tools(
        &self,
        request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        self.upstream
            .list_tools(request)
            .await
            .map_err(upstream_error)
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        self.upstream
            .call_tool_once(request)
            .await
            .map_err(upstream_error)
    }
}

/// Serves [`BareProxy`] in front of `GATEWAY_BENCH_PROXY_TO` until killed, as the gateway
/// serves and reaches a remote upstream: a multi-threaded runtime, `axum::serve` with
/// `TCP_NODELAY`, one `rmcp` client on a `reqwest` client built as the gateway builds it.
fn serve_bare_proxy() {
    let to = std::env::var(PROXY_TO).expect("GATEWAY_BENCH_PROXY_TO: the upstream's URL");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    runtime.block_on(async {
        // The HTTP client the gateway builds for a remote upstream (`upstream.rs`): redirects
        // off, no idle connections kept, as rmcp's own default client.
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .pool_max_idle_per_host(0)
            .build()
            .expect("the HTTP client");
        let config = StreamableHttpClientTransportConfig::with_uri(to.as_str());
        let upstream = ()
            .serve(StreamableHttpClientTransport::with_client(http, config))
            .await
            .unwrap_or_else(|error| panic!("connect to {to}: {error}"));
        let peer = upstream.peer().clone();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the proxy");
        let bound = listener.local_addr().expect("the proxy's address");
        let service = StreamableHttpService::new(
            move || {
                Ok(BareProxy {
                    upstream: peer.clone(),
                })
            },
            Arc::new(LocalSessionManager::default()),
            StreamableHttpServerConfig::default(),
        );
        let app = axum::Router::new().route_service("/mcp", service);
        println!("listening on {bound}");
        let listener = listener.tap_io(|tcp| {
            // As the gateway's front end (`http.rs`).
            let _ = tcp.set_nodelay(true);
        });
        axum::serve(listener, app).await.expect("serve the proxy");
        drop(upstream);
    });
}
