//! `search`, `show` and `versions` against the loopback fake registry. No outside network.
#![expect(
    clippy::unwrap_used,
    reason = "tests fail by panicking; clippy.toml's test allowances reach only #[test] functions"
)]

mod util;

use mcp_registry_client::test_util::{FakeRegistry, Quirk, fixtures};
use mcp_registry_examples::registry_cmds::{FAILED, OK};

fn registry() -> FakeRegistry {
    FakeRegistry::builder()
        .with_servers(fixtures::sample())
        .start_on_thread()
        .unwrap()
}

/// Runs a command in process; returns the exit code, standard output and standard error.
#[track_caller]
fn run(command: &str, args: &[&str]) -> (u8, String, String) {
    util::run_command(command, args)
}

#[test]
fn search_lists_latest_versions_matching_the_name() {
    let registry = registry();
    let url = registry.url().to_string();
    let (code, out, err) = run("search", &["--registry", &url, "weather"]);
    assert_eq!((code, err.as_str()), (OK, ""));
    assert_eq!(
        out,
        "io.github.acme/weather  1.2.0  Weather forecasts and alerts for any city.\n"
    );
    let (code, out, _) = run("search", &["--registry", &url, "--limit", "1", "remote"]);
    assert_eq!(code, OK);
    assert_eq!(out.lines().count(), 1);
    let (code, out, _) = run("search", &["--registry", &url, "nothing-like-this"]);
    assert_eq!(
        (code, out.as_str()),
        (OK, "no servers match `nothing-like-this`\n")
    );
}

#[test]
fn search_all_lists_every_match() {
    let registry = registry();
    let url = registry.url().to_string();
    let (code, all, _) = run("search", &["--registry", &url, "--all", "acme"]);
    assert_eq!(code, OK);
    assert_eq!(all.lines().count(), 7, "{all}");
    let (code, unlimited, _) = run("search", &["--registry", &url, "--limit", "0", "acme"]);
    assert_eq!((code, unlimited), (OK, all));
    let (_, three, _) = run("search", &["--registry", &url, "--limit", "3", "acme"]);
    assert_eq!(three.lines().count(), 3);
}

#[test]
fn search_json_is_the_registry_documents() {
    let registry = registry();
    let (code, out, _) = run(
        "search",
        &["--json", "--registry", registry.url().as_str(), "acme"],
    );
    assert_eq!(code, OK);
    let value: serde_json::Value = serde_json::from_str(&out).unwrap();
    let names: Vec<_> = value
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["server"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(names.len(), 7);
    assert!(names.contains(&"io.github.acme/weather"));
    assert!(!names.contains(&"io.github.acme/removed-tool"));
}

#[test]
fn show_prints_a_version_or_the_latest() {
    let registry = registry();
    let url = registry.url().to_string();
    let (code, out, _) = run(
        "show",
        &["--registry", &url, "io.github.acme/weather@1.0.0"],
    );
    assert_eq!(code, OK);
    assert!(out.starts_with("io.github.acme/weather 1.0.0\n"), "{out}");
    assert!(out.contains("  latest:      no\n"), "{out}");
    let (code, out, _) = run("show", &["--registry", &url, "com.example/remote-search"]);
    assert_eq!(code, OK);
    assert_eq!(
        out,
        "com.example/remote-search 2.0.0\n  title:       Remote Search\n  \
         description: Hosted web search over streamable HTTP.\n  status:      active\n  \
         published:   2025-10-21T09:15:00Z\n  latest:      yes\n  \
         remote:      streamable-http https://search.example.com/mcp  (needs configuration)\n"
    );
    let (code, out, _) = run(
        "show",
        &[
            "--json",
            "--registry",
            &url,
            "com.example/build-meta@1.0.0+20130313144700",
        ],
    );
    assert_eq!(code, OK);
    let value: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(value["server"]["version"], "1.0.0+20130313144700");
}

#[test]
fn versions_lists_newest_first() {
    let registry = registry();
    let (code, out, _) = run(
        "versions",
        &[
            "--registry",
            registry.url().as_str(),
            "io.github.acme/weather",
        ],
    );
    assert_eq!(code, OK);
    assert_eq!(
        out,
        "1.2.0  active  2025-11-02T08:30:00.123456Z  latest\n1.0.0  active  2025-09-30T10:00:00.000000Z\n"
    );
}

#[test]
fn registry_errors_are_one_line_and_exit_1() {
    let registry = registry();
    let url = registry.url().to_string();
    let (code, out, err) = run("show", &["--registry", &url, "io.github.acme/missing"]);
    assert_eq!((code, out.as_str()), (FAILED, ""));
    assert_eq!(
        err,
        format!(
            "mcp-registry show: not found: `{url}v0.1/servers/io.github.acme%2Fmissing/versions/latest`: `Server not found`\n"
        )
    );

    let broken = FakeRegistry::builder()
        .with_quirk(Quirk::HtmlBadGateway { times: 100 })
        .start_on_thread()
        .unwrap();
    let broken_url = broken.url().to_string();
    let (code, _, err) = run(
        "versions",
        &["--registry", &broken_url, "--retries", "0", "a/b"],
    );
    assert_eq!(code, FAILED);
    assert_eq!(
        err,
        format!(
            "mcp-registry versions: expected json but got `text/html` with status 502: `{broken_url}v0.1/servers/a%2Fb/versions`\n"
        )
    );
}

#[test]
fn unreachable_registry_is_one_line_and_exit_1() {
    // A port that was just free: nothing listens there now.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}/");
    let (code, _, err) = run("search", &["--registry", &url, "--retries", "0", "x"]);
    assert_eq!(code, FAILED);
    assert!(
        err.starts_with(&format!(
            "mcp-registry search: request failed: `{url}v0.1/servers?"
        )),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");

    let (code, _, err) = run("search", &["--registry", "ftp://example.invalid", "x"]);
    assert_eq!(code, FAILED);
    assert_eq!(
        err,
        "mcp-registry search: invalid registry url: `ftp://example.invalid/`: scheme must be http or https\n"
    );
}

#[test]
fn bad_arguments_exit_2_with_one_error_line() {
    let (code, out, err) = run("show", &[]);
    util::assert_usage_error(code, &out, &err, "required arguments were not provided");
    assert!(err.contains("<NAME[@VERSION]>"), "{err}");
    let (code, out, err) = run("search", &["--limit", "many", "x"]);
    util::assert_usage_error(code, &out, &err, "invalid value 'many' for '--limit <N>'");
    let (code, out, err) = run("search", &["--limit", "3", "--all", "x"]);
    util::assert_usage_error(
        code,
        &out,
        &err,
        "'--limit <N>' cannot be used with '--all'",
    );
    let (code, out, err) = run("versions", &["--registry"]);
    util::assert_usage_error(code, &out, &err, "'--registry <URL>'");
    let (code, out, err) = run("versions", &["--limit", "3", "a/b"]);
    util::assert_usage_error(code, &out, &err, "'--limit'");
    let (code, out, err) = run("show", &["a/b", "c/d"]);
    util::assert_usage_error(code, &out, &err, "'c/d'");
    let (code, out, err) = run("versions", &["--help"]);
    assert_eq!((code, err.as_str()), (OK, ""));
    assert!(
        out.contains("Usage: mcp-registry versions [OPTIONS] <NAME>"),
        "{out}"
    );
}

#[test]
fn issue_12_registry_text_cannot_attack_the_terminal_in_text_or_json() {
    let attack = "\u{1b}]0;title\u{7}\u{1b}[2J\u{9b}\u{7f}\u{202e}\u{200b}\u{e0041}\r\n";
    let mut servers = fixtures::sample();
    let hostile = servers
        .iter_mut()
        .find(|s| s["server"]["name"] == "com.example/remote-search")
        .unwrap();
    hostile["server"]["description"] = format!("Search{attack}").into();
    hostile["server"]["title"] = format!("Title{attack}").into();
    hostile["server"][format!("k{attack}")] = attack.into();
    let registry = FakeRegistry::builder()
        .with_servers(servers)
        .start_on_thread()
        .unwrap();
    let url = registry.url().to_string();
    let raw = |text: &str| {
        attack
            .chars()
            .filter(|&c| c != '\n' && !c.is_ascii_graphic())
            .find(|&c| text.contains(c))
    };

    let (code, out, _) = run("show", &["--registry", &url, "com.example/remote-search"]);
    assert_eq!(code, OK);
    assert_eq!(raw(&out), None, "{out:?}");
    assert!(out.contains("  title:       Title]0;title[2J \n"), "{out}");

    let (code, out, _) = run(
        "show",
        &["--json", "--registry", &url, "com.example/remote-search"],
    );
    assert_eq!(code, OK);
    assert_eq!(raw(&out), None, "{out:?}");
    assert!(out.is_ascii());
    let value: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(value["server"]["description"], format!("Search{attack}"));
    assert_eq!(value["server"][format!("k{attack}")], attack);

    let (code, out, _) = run("search", &["--json", "--registry", &url, "remote"]);
    assert_eq!(code, OK);
    assert_eq!(raw(&out), None, "{out:?}");
}
