//! `sync`, `serve`, and `search`, `show`, `versions` with `--snapshot`: a private registry of
//! your own, against the loopback fake registry and the real binary. No outside network.

#![expect(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "tests fail by panicking; clippy.toml's test allowances reach only #[test] functions"
)]

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};

mod util;

use mcp_registry_client::catalog::{Catalog, CatalogStore as _, FileStore};
use mcp_registry_client::test_util::{FakeRegistry, fixtures};
use mcp_registry_client::types::{ServerResponse, Timestamp};
use mcp_registry_examples::registry_cmds::{FAILED, OK};
use mcp_registry_examples::snapshot_file;
use serde_json::Value;

fn registry(servers: Vec<Value>) -> FakeRegistry {
    FakeRegistry::builder()
        .with_servers(servers)
        .start_on_thread()
        .unwrap()
}

/// A fresh path in this binary's scratch folder (the file does not exist).
fn snapshot_path(name: &str) -> String {
    let path = util::scratch_dir("catalog-cmds").join(name);
    let _ = std::fs::remove_file(&path);
    path.display().to_string()
}

/// Runs a command in process: exit code, standard output, standard error.
#[track_caller]
fn run(command: &str, args: &[&str]) -> (u8, String, String) {
    util::run_command(command, args)
}

/// Runs `sync` in process, with plain progress lines.
#[track_caller]
fn run_sync(args: &[&str]) -> (u8, String, String) {
    util::run_command("sync", args)
}

/// The fixtures, with the tombstone deleted just now: a sync purges tombstones older than 30
/// days, and the fixtures' own is older than that.
fn fixtures_with_fresh_tombstone() -> Vec<Value> {
    let mut servers = fixtures::sample();
    let tombstone = servers
        .iter_mut()
        .find(|s| s["server"]["name"] == "io.github.acme/removed-tool")
        .unwrap();
    tombstone["_meta"]["io.modelcontextprotocol.registry/official"]["updatedAt"] =
        snapshot_file::now().to_string().into();
    servers
}

/// Syncs the fixtures from a fresh fake registry into a new snapshot called `name`.
fn synced_snapshot(name: &str) -> String {
    let registry = registry(fixtures_with_fresh_tombstone());
    let path = snapshot_path(name);
    let (code, _, err) = run_sync(&["--registry", registry.url().as_str(), "--snapshot", &path]);
    assert_eq!(code, OK, "{err}");
    path
}

fn load(path: &str) -> Catalog {
    FileStore::new(path).load().unwrap().unwrap()
}

/// What must survive a trip through `serve` and `sync`: per version, the name, version,
/// status, `updatedAt`, the document and the catalog's latest mark.
fn content(catalog: &Catalog) -> Vec<(String, String, String, Option<Timestamp>, Value, bool)> {
    catalog
        .iter()
        .map(|entry| {
            (
                entry.name().to_owned(),
                entry.version().to_owned(),
                entry.status().as_str().to_owned(),
                entry.updated_at(),
                serde_json::to_value(entry.server().unwrap()).unwrap(),
                entry.is_latest(),
            )
        })
        .collect()
}

/// The real `mcp-registry serve`, stopped (SIGINT, then kill) when dropped.
struct Server {
    child: Child,
    port: u16,
}

impl Server {
    fn start(snapshot: &str) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_mcp-registry"))
            .args(["serve", "--snapshot", snapshot, "--addr", "127.0.0.1:0"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut first = String::new();
        BufReader::new(child.stdout.as_mut().unwrap())
            .read_line(&mut first)
            .unwrap();
        let port = first
            .trim_end()
            .strip_prefix("listening on http://127.0.0.1:")
            .unwrap_or_else(|| panic!("first line: {first:?}"))
            .parse()
            .unwrap();
        Self { child, port }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}/", self.port)
    }

    /// Sends a raw HTTP/1.1 request and returns the whole response, head and body.
    fn raw(&self, request: &str) -> String {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        stream.write_all(request.as_bytes()).unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        response
    }

    /// Ctrl-C, as a person would stop it; the exit status.
    fn interrupt(mut self) -> Option<i32> {
        let sent = Command::new("kill")
            .args(["-INT", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(sent.success());
        let status = self.child.wait().unwrap();
        status.code()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        // Already waited for after `interrupt`; otherwise (a failed assertion) make sure.
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

#[test]
fn a_snapshot_served_and_synced_again_holds_the_same_catalog() {
    let a = synced_snapshot("round-trip-a.snapshot");
    let server = Server::start(&a);

    let b = snapshot_path("round-trip-b.snapshot");
    let output = util::run_binary(&["sync", "--registry", &server.url(), "--snapshot", &b]);
    let (out, err) = (
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    );
    assert_eq!(output.status.code(), Some(0), "{out}{err}");
    assert!(
        out.starts_with(&format!(
            "{}: 12 added, 0 updated, 0 deprecated, 1 deleted, 0 restored, ",
            server.url()
        )),
        "{out}"
    );
    assert!(
        out.contains(" 0 removed, 0 purged; 1 page(s), 13 item(s), "),
        "{out}"
    );
    assert!(
        out.ends_with(&format!(
            " bytes (full, reconciled)\n{b}: 12 servers, 13 versions\n"
        )),
        "{out}"
    );

    let (original, copy) = (load(&a), load(&b));
    assert_eq!(content(&copy), content(&original));
    // Every fixture made the trip: deprecated, a tombstone, build metadata, no `_meta`.
    assert_eq!(content(&copy).len(), 13);
    let tombstone = copy
        .version("io.github.acme/removed-tool", "1.0.0")
        .unwrap();
    assert!(tombstone.is_tombstone());
    // The copy's provenance names the server it was synced from.
    let weather = copy.get("io.github.acme/weather").unwrap();
    assert_eq!(weather.provenance().source(), server.url());
    assert_eq!(weather.version(), "1.2.0");

    // Every response says how old the catalog is; request bodies are refused unread.
    let response =
        server.raw("GET /v0.1/servers?limit=1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    assert!(response.starts_with("HTTP/1.1 200 OK\r\n"), "{response}");
    let age: u64 = response
        .lines()
        .find_map(|line| line.strip_prefix("age: "))
        .unwrap_or_else(|| panic!("no Age header: {response}"))
        .parse()
        .unwrap();
    assert!(age < 3600, "{age}");
    let response = server.raw(
        "GET /v0.1/servers HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello",
    );
    assert!(
        response.starts_with("HTTP/1.1 413 Payload Too Large\r\n"),
        "{response}"
    );

    assert_eq!(server.interrupt(), Some(0));
}

#[test]
fn a_second_run_fetches_one_page_and_changes_nothing() {
    let registry = registry(fixtures::sample());
    let url = registry.url().to_string();
    let path = snapshot_path("second-run.snapshot");
    let (code, out, err) = run_sync(&["--json", "--registry", &url, "--snapshot", &path]);
    assert_eq!(code, OK, "{err}");
    let first: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(first["sources"][0]["mode"], "full");
    assert_eq!(first["sources"][0]["changes"]["added"], 12);
    assert_eq!(
        err,
        format!("sync {url}: reading everything\nsync {url}: page 1, 13 items\n")
    );

    let (code, out, err) = run_sync(&["--json", "--registry", &url, "--snapshot", &path]);
    assert_eq!(code, OK, "{err}");
    let second: Value = serde_json::from_str(&out).unwrap();
    let source = &second["sources"][0];
    assert_eq!(source["source"], url.as_str());
    assert_eq!(source["ok"], true);
    assert_eq!(source["mode"], "incremental");
    assert_eq!(source["pages"], 1);
    assert_eq!(source["changes"]["total"], 0, "{source}");
    for kind in [
        "added",
        "updated",
        "deprecated",
        "deleted",
        "restored",
        "latestChanged",
    ] {
        assert_eq!(source["changes"][kind], 0, "{kind}");
    }
    assert_eq!(second["servers"], first["servers"]);
    assert_eq!(second["versions"], first["versions"]);
    // The second run asked only for what changed since the first one's watermark.
    let requests = registry.requests();
    assert_eq!(requests.len(), 2);
    assert!(
        requests[1].target().contains("updated_since="),
        "{}",
        requests[1].target()
    );

    // In text: the counts by kind, then what was fetched.
    let (code, out, _) = run_sync(&["--registry", &url, "--snapshot", &path]);
    assert_eq!(code, OK);
    let first_line = out.lines().next().unwrap();
    assert!(
        first_line.starts_with(&format!(
            "{url}: 0 added, 0 updated, 0 deprecated, 0 deleted, 0 restored, 0 latest changed, \
             0 removed, 0 purged; 1 page(s), 1 item(s), "
        )),
        "{out}"
    );
    assert!(first_line.ends_with(" bytes (incremental)"), "{out}");

    // Without --registry, the snapshot's own sources are synced.
    let (code, out, _) = run_sync(&["--snapshot", &path]);
    assert_eq!(code, OK);
    assert!(out.starts_with(&format!("{url}: 0 added")), "{out}");
}

#[test]
fn offline_search_show_and_versions_read_the_snapshot() {
    let path = synced_snapshot("offline.snapshot");

    // Ranked search: the name matches, and words of the description too.
    let (code, out, err) = run("search", &["--snapshot", &path, "weather"]);
    assert_eq!((code, err.as_str()), (OK, ""));
    assert_eq!(
        out,
        "io.github.acme/weather  1.2.0  Weather forecasts and alerts for any city.\n"
    );
    let (code, out, _) = run("search", &["--snapshot", &path, "forecasts"]);
    assert_eq!(code, OK);
    assert!(out.starts_with("io.github.acme/weather  1.2.0  "), "{out}");
    // Tombstones are not found; deprecated servers are.
    let (_, out, _) = run("search", &["--snapshot", &path, "--all", "acme"]);
    let names: Vec<&str> = out.lines().map(|l| l.split("  ").next().unwrap()).collect();
    assert_eq!(names.len(), 7, "{out}");
    assert!(names.contains(&"io.github.acme/legacy-tool"), "{out}");
    assert!(!names.contains(&"io.github.acme/removed-tool"), "{out}");
    let (_, every, _) = run("search", &["--snapshot", &path, "--limit", "0", "acme"]);
    assert_eq!(every, out);
    let (_, one, _) = run("search", &["--snapshot", &path, "--limit", "1", "acme"]);
    assert_eq!(one.lines().count(), 1);
    let (code, out, _) = run("search", &["--snapshot", &path, "zzyzx-qqq"]);
    assert_eq!((code, out.as_str()), (OK, "no servers match `zzyzx-qqq`\n"));
    // JSON: the documents as `serve` would send them, best match first.
    let (code, out, _) = run("search", &["--json", "--snapshot", &path, "weather"]);
    assert_eq!(code, OK);
    let value: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(value[0]["server"]["name"], "io.github.acme/weather");
    assert_eq!(
        value[0]["_meta"]["io.modelcontextprotocol.registry/official"]["isLatest"],
        true
    );

    // Versions: newest first, with status and the catalog's latest mark, as online.
    let (code, out, _) = run("versions", &["--snapshot", &path, "io.github.acme/weather"]);
    assert_eq!(code, OK);
    assert_eq!(
        out,
        "1.2.0  active  2025-11-02T08:30:00.123456Z  latest\n1.0.0  active  2025-09-30T10:00:00.000000Z\n"
    );
    let (code, out, _) = run(
        "versions",
        &["--json", "--snapshot", &path, "io.github.acme/weather"],
    );
    assert_eq!(code, OK);
    let list: Vec<ServerResponse> = serde_json::from_str::<Vec<Value>>(&out)
        .unwrap()
        .into_iter()
        .map(|v| ServerResponse::from_slice(v.to_string().as_bytes()).unwrap())
        .collect();
    assert_eq!(list.len(), 2);

    // Show: the latest by default, any version by name, and where it came from.
    let (code, out, _) = run(
        "show",
        &["--snapshot", &path, "io.github.acme/weather@1.0.0"],
    );
    assert_eq!(code, OK);
    assert!(out.starts_with("io.github.acme/weather 1.0.0\n"), "{out}");
    assert!(out.contains("  latest:      no\n"), "{out}");
    assert!(out.contains("  source:      http://127.0.0.1:"), "{out}");
    let (code, out, _) = run("show", &["--snapshot", &path, "com.example/build-meta"]);
    assert_eq!(code, OK);
    assert!(
        out.starts_with("com.example/build-meta 1.0.0+20130313144700\n"),
        "{out}"
    );
    let (code, out, _) = run(
        "show",
        &["--json", "--snapshot", &path, "io.github.acme/legacy-tool"],
    );
    assert_eq!(code, OK);
    let value: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        value["_meta"]["io.modelcontextprotocol.registry/official"]["status"],
        "deprecated"
    );

    // Not there: one line, exit 1.
    let (code, out, err) = run("show", &["--snapshot", &path, "io.github.acme/missing"]);
    assert_eq!((code, out.as_str()), (FAILED, ""));
    assert_eq!(
        err,
        format!(
            "mcp-registry show: not found in {path}: `io.github.acme/missing` version `latest`\n"
        )
    );
    let (code, _, err) = run(
        "versions",
        &["--snapshot", &path, "io.github.acme/removed-tool"],
    );
    assert_eq!(code, FAILED);
    assert_eq!(
        err,
        format!("mcp-registry versions: not found in {path}: `io.github.acme/removed-tool`\n")
    );
}

#[test]
fn offline_commands_refuse_a_missing_snapshot_and_a_registry_beside_it() {
    let missing = snapshot_path("never-written.snapshot");
    let (code, out, err) = run("search", &["--snapshot", &missing, "x"]);
    assert_eq!((code, out.as_str()), (FAILED, ""));
    assert_eq!(
        err,
        format!(
            "mcp-registry search: {missing}: no snapshot there; make one with \
             `mcp-registry sync --registry URL --snapshot {missing}`\n"
        )
    );
    assert!(!Path::new(&missing).exists());
    let (code, out, err) = run(
        "show",
        &[
            "--registry",
            "http://127.0.0.1:1/",
            "--snapshot",
            &missing,
            "a/b",
        ],
    );
    util::assert_usage_error(code, &out, &err, "--registry <URL>");
    assert!(
        err.starts_with(
            "error: the argument '--registry <URL>' cannot be used with '--snapshot <FILE>'\n"
        ),
        "{err}"
    );
}

#[test]
fn an_unreachable_registry_keeps_the_snapshot_and_says_how_stale_it_is() {
    let gone = registry(fixtures::sample());
    let url = gone.url().to_string();
    let path = snapshot_path("unreachable.snapshot");
    let (code, _, _) = run_sync(&["--registry", &url, "--snapshot", &path]);
    assert_eq!(code, OK);
    drop(gone);
    let before = std::fs::read(&path).unwrap();

    let (code, out, err) = run_sync(&["--registry", &url, "--retries", "0", "--snapshot", &path]);
    assert_eq!(code, FAILED);
    assert_eq!(
        std::fs::read(&path).unwrap(),
        before,
        "the snapshot changed"
    );
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 3, "{err}");
    assert!(
        lines[0].starts_with(&format!("sync {url}: reading changes since ")),
        "{err}"
    );
    assert!(
        lines[1].starts_with(&format!(
            "mcp-registry sync: {url}: request failed: `{url}v0.1/servers?"
        )),
        "{err}"
    );
    assert!(
        lines[2].starts_with(&format!(
            "mcp-registry sync: {url}: the snapshot is kept; its copy of this registry is "
        )) && lines[2].contains("s old (last synced "),
        "{err}"
    );
    assert!(out.starts_with(&format!("{url}: 0 added")), "{out}");
    assert!(out.contains("(incremental, failed)\n"), "{out}");

    // The other registries are still synced, and the run still fails.
    let live = registry(fixtures::sample());
    let (code, out, err) = run_sync(&[
        "--registry",
        &url,
        "--registry",
        live.url().as_str(),
        "--retries",
        "0",
        "--snapshot",
        &path,
    ]);
    assert_eq!(code, FAILED, "{err}");
    assert!(out.contains(&format!("{}: 12 added", live.url())), "{out}");
    let catalog = load(&path);
    assert_eq!(catalog.sources().len(), 2);
    assert_eq!(catalog.sources()[0].name(), url);
}

#[test]
fn a_corrupt_snapshot_is_refused_by_serve_and_left_alone_by_sync() {
    let path = synced_snapshot("corrupt.snapshot");
    let mut bytes = std::fs::read(&path).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 0x40;
    std::fs::write(&path, &bytes).unwrap();

    let output = util::run_binary(&["serve", "--snapshot", &path, "--addr", "127.0.0.1:0"]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(String::from_utf8(output.stdout).unwrap(), "");
    let err = String::from_utf8(output.stderr).unwrap();
    assert!(
        err.starts_with(&format!(
            "mcp-registry serve: {path}: snapshot is corrupt: "
        )),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");

    let missing = snapshot_path("serve-missing.snapshot");
    let output = util::run_binary(&["serve", "--snapshot", &missing]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        String::from_utf8(output.stderr)
            .unwrap()
            .starts_with(&format!("mcp-registry serve: {missing}: no snapshot there")),
    );

    let registry = registry(fixtures::sample());
    let (code, out, err) = run_sync(&["--registry", registry.url().as_str(), "--snapshot", &path]);
    assert_eq!((code, out.as_str()), (FAILED, ""));
    assert!(
        err.ends_with("; nothing was synced and the file is left as it is\n"),
        "{err}"
    );
    assert_eq!(std::fs::read(&path).unwrap(), bytes);
    assert!(registry.requests().is_empty());
}

#[test]
fn bad_sync_and_serve_arguments_exit_2_with_one_error_line() {
    let (code, out, err) = run_sync(&["--registry", "http://127.0.0.1:1/"]);
    util::assert_usage_error(code, &out, &err, "required arguments were not provided");
    assert!(err.contains("\n  --snapshot <FILE>\n"), "{err}");
    let path = snapshot_path("no-sources.snapshot");
    let (code, out, err) = run_sync(&["--snapshot", &path]);
    util::assert_usage_error(code, &out, &err, "--registry URL");
    assert!(
        err.starts_with("error: missing --registry URL (the snapshot has no sources yet)\n"),
        "{err}"
    );
    let (code, _, err) = run_sync(&["--registry", "ftp://example.invalid", "--snapshot", &path]);
    assert_eq!(code, FAILED);
    assert_eq!(
        err,
        "mcp-registry sync: invalid registry url: `ftp://example.invalid/`: scheme must be http or https\n"
    );
    assert!(!Path::new(&path).exists());

    let output = util::run_binary(&["serve", "--snapshot", &path, "--addr", "localhost"]);
    util::assert_binary_usage_error(&output, "--addr");
    assert!(String::from_utf8(output.stderr).unwrap().starts_with(
        "error: invalid value 'localhost' for '--addr <IP:PORT>': expected IP:PORT, such as \
         127.0.0.1:8080\n"
    ));
}

/// Terminal escapes, a forged line, bidi and invisible characters, as in `terminal_safety.rs`.
const ATTACK: &str = "\u{1b}]0;title\u{7}\u{1b}[2J\u{9b}\u{7f}\u{202e}\u{200b}\u{e0041}\r\n";

/// The first character of the attack (a newline aside) that `text` holds raw.
fn raw(text: &str) -> Option<char> {
    ATTACK
        .chars()
        .filter(|&c| c != '\n' && !c.is_ascii_graphic())
        .find(|&c| text.contains(c))
}

#[test]
fn hostile_text_in_a_snapshot_cannot_attack_the_terminal() {
    let mut servers = fixtures::sample();
    let hostile = servers
        .iter_mut()
        .find(|s| s["server"]["name"] == "com.example/remote-search")
        .unwrap();
    hostile["server"]["description"] = format!("Search{ATTACK}").into();
    hostile["server"]["title"] = format!("Title{ATTACK}").into();
    hostile["server"][format!("k{ATTACK}")] = ATTACK.into();
    let registry = registry(servers);
    let path = snapshot_path("hostile.snapshot");
    let (code, _, _) = run_sync(&["--registry", registry.url().as_str(), "--snapshot", &path]);
    assert_eq!(code, OK);

    let name = "com.example/remote-search";
    let commands = [
        ("search", "remote", false),
        ("show", name, true),
        ("versions", name, false),
    ];
    for (command, target, one) in commands {
        let (code, out, err) = run(command, &["--snapshot", &path, target]);
        assert_eq!((code, err.as_str()), (OK, ""));
        assert_eq!(raw(&out), None, "{out:?}");
        let (code, out, _) = run(command, &["--json", "--snapshot", &path, target]);
        assert_eq!(code, OK);
        assert_eq!(raw(&out), None, "{out:?}");
        assert!(out.is_ascii(), "{out}");
        // The JSON keeps the value exactly.
        let value: Value = serde_json::from_str(&out).unwrap();
        let documents = if one {
            vec![&value["server"]]
        } else {
            value
                .as_array()
                .unwrap()
                .iter()
                .map(|v| &v["server"])
                .collect()
        };
        let document = documents.into_iter().find(|d| d["name"] == name).unwrap();
        assert_eq!(document[format!("k{ATTACK}")], ATTACK);
        assert_eq!(document["description"], format!("Search{ATTACK}"));
    }
    let (_, out, _) = run("show", &["--snapshot", &path, "com.example/remote-search"]);
    assert!(out.contains("  title:       Title]0;title[2J \n"), "{out}");

    // A snapshot whose source name is hostile (a library can name sources as it likes).
    let source = format!("evil{ATTACK}");
    let mut catalog = Catalog::new();
    catalog.add_source(&source);
    let response =
        ServerResponse::from_slice(fixtures::sample()[0].to_string().as_bytes()).unwrap();
    let at: Timestamp = "2025-06-01T00:00:00Z".parse().unwrap();
    catalog.upsert(&source, &response, at).unwrap();
    catalog.source_mut(&source).unwrap().complete(at, at);
    let evil = snapshot_path("hostile-source.snapshot");
    FileStore::new(&evil).save(&catalog).unwrap();
    let before = std::fs::read(&evil).unwrap();

    let (code, out, _) = run("show", &["--snapshot", &evil, "com.example/build-meta"]);
    assert_eq!(code, OK);
    assert_eq!(raw(&out), None, "{out:?}");
    assert!(
        out.contains("  source:      evil]0;title[2J  (synced 2025-06-01T00:00:00Z)\n"),
        "{out}"
    );
    // Syncing it fails (no registry there), naming the source with visible escapes.
    for json in [false, true] {
        let args: &[&str] = if json {
            &["--json", "--snapshot", &evil]
        } else {
            &["--snapshot", &evil]
        };
        let (code, out, err) = run_sync(args);
        assert_eq!(code, FAILED);
        assert_eq!(raw(&out), None, "{out:?}");
        assert_eq!(raw(&err), None, "{err:?}");
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(
            err.starts_with(
                "mcp-registry sync: evil\\u{1b}]0;title\\u{7}\\u{1b}[2J\\u{9b}\\u{7f}\\u{202e}\
                 \\u{200b}\\u{e0041}\\r\\n: cannot sync: invalid registry url: "
            ),
            "{err}"
        );
        if json {
            let report: Value = serde_json::from_str(&out).unwrap();
            assert_eq!(report["sources"][0]["source"], source.as_str());
        }
    }
    assert_eq!(std::fs::read(&evil).unwrap(), before);
}

/// The fixtures' own tombstone was deleted long ago: a sync drops it by default (30 days),
/// and keeps it when told to keep tombstones for ever.
#[test]
fn keep_tombstones_decides_how_long_a_deleted_version_stays() {
    let registry = registry(fixtures::sample());
    let gone = "io.github.acme/removed-tool";
    let default = snapshot_path("tombstones-default.snapshot");
    let (code, out, err) = run_sync(&[
        "--registry",
        registry.url().as_str(),
        "--snapshot",
        &default,
    ]);
    assert_eq!(code, OK, "{err}");
    assert!(out.contains(" 1 purged;"), "{out}");
    assert!(load(&default).versions(gone).next().is_none());

    let forever = snapshot_path("tombstones-forever.snapshot");
    let (code, out, err) = run_sync(&[
        "--registry",
        registry.url().as_str(),
        "--snapshot",
        &forever,
        "--keep-tombstones",
        "forever",
    ]);
    assert_eq!(code, OK, "{err}");
    assert!(out.contains(" 0 purged;"), "{out}");
    assert!(
        load(&forever)
            .versions(gone)
            .all(mcp_registry_client::catalog::CatalogEntry::is_tombstone)
    );
    assert_eq!(load(&forever).versions(gone).count(), 1);
}
