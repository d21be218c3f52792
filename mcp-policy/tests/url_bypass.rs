//! Every class of URL a policy could be talked into misreading, judged through the public API:
//! the host a client connects to decides, and a URL whose readings disagree fails closed.

mod util;

use std::net::IpAddr;

use mcp_policy::{
    Action, CompiledPolicy, Decision, Effect, HostSettings, Principal, RemoteFacts, Request,
    ServerFacts,
};
use mcp_registry_types::TransportType;
use util::compile;

/// Allows `good.example` (and any subdomain of `vendor.example`), denies private targets.
fn policy() -> CompiledPolicy {
    compile(
        r#"{"rules": [
            {"id": "good", "effect": "allow",
             "match": {"remoteUrl": ["https://good.example/*", "https://*.vendor.example/*"]}},
            {"id": "no-private", "effect": "deny", "match": {"privateNetwork": true}}
        ]}"#,
    )
}

fn connect(urls: &[&str]) -> Request {
    let mut server = ServerFacts::new("io.github.acme/remote");
    for url in urls {
        server = server.with_remote(RemoteFacts::new(TransportType::StreamableHttp, *url));
    }
    Request::new(Principal::new("alice"), Action::Connect, server)
}

fn decide(policy: &CompiledPolicy, url: &str) -> Decision {
    policy.evaluate(&connect(&[url]))
}

#[track_caller]
fn assert_not_allowed(policy: &CompiledPolicy, url: &str) -> Decision {
    let decision = decide(policy, url);
    assert_ne!(decision.effect(), Effect::Allow, "{url:?} was allowed");
    decision
}

#[track_caller]
fn assert_allowed(policy: &CompiledPolicy, url: &str) {
    let decision = decide(policy, url);
    assert_eq!(decision.effect(), Effect::Allow, "{url:?}: {decision:?}");
}

/// The reasons of a decision that failed closed name the URL that could not be judged.
#[track_caller]
fn assert_fails_closed(policy: &CompiledPolicy, url: &str) {
    let decision = assert_not_allowed(policy, url);
    assert_eq!(decision.effect(), Effect::Deny, "{url:?}");
    assert!(
        decision
            .reasons()
            .iter()
            .any(|r| r.contains("cannot be judged")),
        "{url:?}: {:?}",
        decision.reasons()
    );
}

#[test]
fn a_backslash_is_a_path_separator_not_userinfo() {
    let policy = policy();
    // A client connects to `evil.example`; as text the URL ends with `@good.example/mcp`.
    assert_fails_closed(&policy, r"https://evil.example\@good.example/mcp");
    assert_fails_closed(&policy, r"https://good.example\@evil.example/mcp");
    // The shipped managed settings allow `https://api.githubcopilot.com/*` only.
    let settings = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../examples/data/managed-settings.json"),
    )
    .unwrap();
    let managed = HostSettings::compile_json(&settings).unwrap();
    let spoof = connect(&[r"https://evil.example\@api.githubcopilot.com/mcp"]);
    assert_eq!(managed.evaluate(&spoof).effect(), Effect::Deny);
    let real = connect(&["https://api.githubcopilot.com/mcp"]);
    assert_eq!(managed.evaluate(&real).effect(), Effect::Allow);
}

#[test]
fn a_backslash_cannot_hide_a_private_address() {
    let policy = compile(
        r#"{"defaultEffect": "allow", "rules": [
            {"id": "no-private", "effect": "deny", "match": {"privateNetwork": true}}
        ]}"#,
    );
    let decision = decide(&policy, r"http://169.254.169.254\@example.com/");
    assert_eq!(decision.effect(), Effect::Deny);
    assert_eq!(decision.decided_by().unwrap().rule(), "no-private");
    assert_eq!(
        decide(&policy, "http://169.254.169.254/latest").effect(),
        Effect::Deny
    );
}

#[test]
fn userinfo_never_names_the_host() {
    let policy = policy();
    assert_not_allowed(&policy, "https://good.example@evil.example/mcp");
    assert_not_allowed(&policy, "https://good.example:443@evil.example/mcp");
    assert_allowed(&policy, "https://user:secret@good.example/mcp");
}

#[test]
fn missing_slashes_fail_closed() {
    let policy = policy();
    // A client reads `https:host` and `https:/host` as `https://host`; Go reads no host.
    assert_fails_closed(&policy, "https:good.example/mcp");
    assert_fails_closed(&policy, "https:/good.example/mcp");
}

#[test]
fn spaces_controls_tabs_and_newlines() {
    let policy = policy();
    // A client strips these and connects to `good.example`; Go refuses them.
    for url in [
        " https://good.example/mcp",
        "\u{0}https://good.example/mcp",
        "\u{1f}https://evil.example/mcp",
        "https://go\tod.example/mcp",
        "https://good.exa\nmple/mcp",
        "https://evil.example\r/mcp",
    ] {
        assert_fails_closed(&policy, url);
    }
    // Trailing spaces: both readings agree on the host.
    assert_allowed(&policy, "https://good.example/mcp ");
}

#[test]
fn default_ports_are_the_same_endpoint() {
    let policy = policy();
    assert_allowed(&policy, "https://good.example:443/mcp");
    assert_allowed(&policy, "https://good.example:0443/mcp");
    assert_allowed(&policy, "https://good.example:/mcp");
    assert_not_allowed(&policy, "https://good.example:8443/mcp");
    // A port that is not a number: no client connects, and nothing is allowed.
    assert_fails_closed(&policy, "https://good.example:x/mcp");
    assert_fails_closed(&policy, "https://good.example:65536/mcp");
}

#[test]
fn empty_paths_and_dot_segments() {
    let policy = compile(
        r#"{"rules": [
            {"id": "public", "effect": "allow", "match": {"remoteUrl": ["https://good.example/public/*"]}},
            {"id": "root", "effect": "allow", "match": {"remoteUrl": ["https://root.example/"]}}
        ]}"#,
    );
    assert_allowed(&policy, "https://good.example/public/mcp");
    assert_not_allowed(&policy, "https://good.example/public/../admin");
    assert_not_allowed(&policy, "https://good.example/public/%2e%2e/admin");
    assert_not_allowed(&policy, "https://good.example/public/.%2E/admin");
    // `https://root.example?x` has the path `/`.
    assert_allowed(&policy, "https://root.example");
    assert_allowed(&policy, "https://root.example#top");
    assert_not_allowed(&policy, "https://root.example?x");
}

#[test]
fn percent_encoded_host_bytes_fail_closed() {
    let policy = policy();
    // A client decodes `%2E`; Go refuses escaped ASCII in a host.
    assert_fails_closed(&policy, "https://good%2Eexample/mcp");
    assert_fails_closed(&policy, "https://%67ood.example/mcp");
}

#[test]
fn uts46_mapping_and_punycode() {
    let policy = policy();
    // Fullwidth letters, the ideographic full stop, a soft hyphen: clients map them to
    // `good.example`, and Go keeps the Unicode text, which maps the same way.
    assert_allowed(
        &policy,
        "https://\u{ff47}\u{ff4f}\u{ff4f}\u{ff44}.example/mcp",
    );
    assert_allowed(&policy, "https://good\u{3002}example/mcp");
    assert_allowed(&policy, "https://go\u{ad}od.example/mcp");
    assert_allowed(&policy, "https://GOOD.example/mcp");
    assert_allowed(&policy, "https://a.\u{ff56}endor.example/mcp");
    // Punycode and Unicode forms are the same host, on either side.
    let idn = compile(
        r#"{"rules": [{"id": "idn", "effect": "allow", "match": {"remoteUrl": ["https://bücher.example/*"]}}]}"#,
    );
    assert_allowed(&idn, "https://xn--bcher-kva.example/mcp");
    assert_allowed(&idn, "https://b\u{fc}cher.example/mcp");
    assert_not_allowed(&idn, "https://bucher.example/mcp");
}

#[test]
fn ipv4_number_forms() {
    let policy = compile(
        r#"{"defaultEffect": "allow", "rules": [
            {"id": "no-private", "effect": "deny", "match": {"privateNetwork": true}}
        ]}"#,
    );
    for url in [
        "http://2130706433/",
        "http://0x7f.1/",
        "http://0177.0.0.1/",
        "http://127.1/",
        "http://0x7f000001/",
        "http://[::ffff:127.0.0.1]/",
        "http://[::ffff:7f00:1]/",
    ] {
        assert_eq!(decide(&policy, url).effect(), Effect::Deny, "{url}");
    }
}

#[test]
fn ipv6_zone_ids_fail_closed() {
    assert_fails_closed(&policy(), "http://[fe80::1%25eth0]/mcp");
    assert_fails_closed(&policy(), "http://[fe80::1%eth0]/mcp");
}

#[test]
fn trailing_dot_hosts_are_the_same_host() {
    let policy = policy();
    assert_allowed(&policy, "https://good.example./mcp");
    assert_allowed(&policy, "https://a.vendor.example./mcp");
    assert_not_allowed(&policy, "https://good.example../mcp");
}

#[test]
fn a_star_stays_inside_the_host() {
    let policy = policy();
    assert_allowed(&policy, "https://a.b.vendor.example/mcp");
    for url in [
        "https://evil.test/.vendor.example/mcp",
        "https://evil.test?.vendor.example/",
        "https://evil.test#.vendor.example/",
        "https://vendor.example.evil.test/",
        "https://evilvendor.example/",
    ] {
        assert_not_allowed(&policy, url);
    }
}

#[test]
fn templates_in_the_host_fail_closed() {
    assert_fails_closed(&policy(), "https://{tenant}.vendor.example/mcp");
}

#[test]
fn every_remote_counts_unless_one_is_named() {
    let policy = policy();
    let both = connect(&["https://good.example/mcp", "https://evil.example/mcp"]);
    let decision = policy.evaluate(&both);
    assert_eq!(decision.effect(), Effect::Deny);
    assert!(
        decision
            .reasons()
            .iter()
            .any(|r| r.contains("judged on remote `https://evil.example/mcp`")),
        "{:?}",
        decision.reasons()
    );
    let named = both.clone().with_remote_in_use(RemoteFacts::new(
        TransportType::StreamableHttp,
        "https://good.example/mcp",
    ));
    assert_eq!(policy.evaluate(&named).effect(), Effect::Allow);
    let evil = both.with_remote_in_use(RemoteFacts::new(
        TransportType::StreamableHttp,
        "https://evil.example/mcp",
    ));
    assert_eq!(policy.evaluate(&evil).effect(), Effect::Deny);
    // Two allowed remotes are allowed, and explain agrees with evaluate.
    let good = connect(&["https://good.example/a", "https://x.vendor.example/b"]);
    assert_eq!(policy.evaluate(&good).effect(), Effect::Allow);
    let bad = connect(&["https://good.example/a", "http://10.0.0.1/b"]);
    assert_eq!(policy.explain(&bad).decision(), &policy.evaluate(&bad));
    assert_eq!(
        policy.evaluate(&bad).decided_by().unwrap().rule(),
        "no-private"
    );
}

#[test]
fn resolved_addresses_defend_against_dns_rebinding() {
    let policy = policy();
    let public: IpAddr = "93.184.216.34".parse().unwrap();
    let rebound: IpAddr = "10.0.0.7".parse().unwrap();
    let request = connect(&["https://good.example/mcp"]);
    assert_eq!(policy.evaluate(&request).effect(), Effect::Allow);
    let resolved = request.clone().with_resolved_address(public);
    assert_eq!(policy.evaluate(&resolved).effect(), Effect::Allow);
    // One private address among several is enough to deny.
    let rebinding = resolved.with_resolved_address(rebound);
    let decision = policy.evaluate(&rebinding);
    assert_eq!(decision.effect(), Effect::Deny);
    assert_eq!(decision.decided_by().unwrap().rule(), "no-private");
    for ip in [
        "::ffff:10.0.0.1",
        "64:ff9b::a9fe:a9fe",
        "100.64.1.1",
        "198.18.0.1",
        "224.0.0.251",
    ] {
        let request =
            connect(&["https://good.example/mcp"]).with_resolved_address(ip.parse().unwrap());
        assert_eq!(policy.evaluate(&request).effect(), Effect::Deny, "{ip}");
    }
    // The fact round-trips through JSON.
    let json = serde_json::json!({
        "principal": {"id": "a"}, "action": "connect",
        "server": {"name": "a/b", "remotes": [{"type": "streamable-http", "url": "https://good.example/"}]},
        "resolvedAddresses": ["10.0.0.7"],
        "remote": {"type": "streamable-http", "url": "https://good.example/"}
    });
    let request = Request::from_json(json.to_string().as_bytes()).unwrap();
    assert_eq!(request.resolved_addresses, [rebound]);
    assert_eq!(policy.evaluate(&request).effect(), Effect::Deny);
}

#[test]
fn https_only_judges_the_url_a_client_reads() {
    let policy = compile(
        r#"{"defaultEffect": "allow", "rules": [
            {"id": "https-only", "effect": "deny", "match": {"httpsOnly": false}}
        ]}"#,
    );
    assert_eq!(
        decide(&policy, "HTTPS://good.example/").effect(),
        Effect::Allow
    );
    assert_eq!(
        decide(&policy, "http://good.example/").effect(),
        Effect::Deny
    );
    // Not readable: denied, with the reason.
    let decision = decide(&policy, "https:good.example/");
    assert_eq!(decision.effect(), Effect::Deny);
    assert!(
        decision
            .reasons()
            .iter()
            .any(|r| r.contains("cannot be judged"))
    );
}

#[test]
fn deny_patterns_catch_unreadable_urls() {
    let policy = compile(
        r#"{"defaultEffect": "allow", "rules": [
            {"id": "block-vendor", "effect": "deny", "match": {"remoteUrl": ["https://*.untrusted.example/*"]}}
        ]}"#,
    );
    assert_eq!(
        decide(&policy, "https://a.untrusted.example/").effect(),
        Effect::Deny
    );
    assert_eq!(
        decide(&policy, "https://trusted.example/").effect(),
        Effect::Allow
    );
    let decision = decide(&policy, r"https://a.untrusted.example\@trusted.example/");
    assert_eq!(decision.effect(), Effect::Deny);
    assert_eq!(decision.decided_by().unwrap().rule(), "block-vendor");
}

#[test]
fn facts_keep_their_reading_until_the_url_changes() {
    let policy = policy();
    let server = ServerFacts::new("io.github.acme/remote")
        .with_remote(RemoteFacts::new(
            TransportType::StreamableHttp,
            "https://good.example/mcp",
        ))
        .prepared();
    let mut request = Request::new(Principal::new("alice"), Action::Connect, server);
    assert_eq!(policy.evaluate(&request).effect(), Effect::Allow);
    assert_eq!(policy.evaluate(&request.clone()).effect(), Effect::Allow);
    // The kept reading belongs to the old text; the new text is read afresh.
    request.server.remotes[0].url = r"https://evil.example\@good.example/mcp".into();
    assert_eq!(policy.evaluate(&request).effect(), Effect::Deny);
    request.server.remotes[0].url = "https://good.example/other".into();
    assert_eq!(policy.evaluate(&request).effect(), Effect::Allow);
    // Facts compare and serialize as plain data.
    let fresh = ServerFacts::new("io.github.acme/remote").with_remote(RemoteFacts::new(
        TransportType::StreamableHttp,
        "https://good.example/other",
    ));
    assert_eq!(request.server, fresh);
    assert_eq!(
        serde_json::to_value(&request.server).unwrap(),
        serde_json::to_value(&fresh).unwrap()
    );
}
