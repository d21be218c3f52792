//! Evaluation semantics through the public API.

mod util;

use mcp_policy::{
    Action, CompiledPolicy, Effect, Layer, Obligation, PackageFacts, Policy, Principal,
    RemoteFacts, Request, ServerFacts, ToolAnnotations, ToolFacts, Usage,
};
use mcp_registry_types::TransportType;
use util::{call, compile, connect, effect};

#[test]
fn nothing_applies_means_deny_unless_the_default_is_set() {
    let policy = compile(r#"{"rules": []}"#);
    let decision = policy.evaluate(&connect("alice", "a/b"));
    assert_eq!(decision.effect(), Effect::Deny);
    assert_eq!(decision.decided_by(), None);
    assert_eq!(
        decision.reasons(),
        ["no rule applies; the default effect is deny".into()]
    );

    let open = compile(r#"{"defaultEffect": "allow"}"#);
    assert_eq!(effect(&open, &connect("alice", "a/b")), Effect::Allow);
}

#[test]
fn deny_beats_ask_beats_allow_and_the_first_rule_is_named() {
    let policy = compile(
        r#"{"rules": [
            {"id": "allow-all", "effect": "allow"},
            {"id": "ask-tools", "effect": "ask", "match": {"action": ["callTool"]}},
            {"id": "deny-shell", "effect": "deny", "match": {"tool": ["shell"]}},
            {"id": "deny-shell-again", "effect": "deny", "match": {"tool": ["sh*"]}}
        ]}"#,
    );
    assert_eq!(effect(&policy, &connect("a", "x/y")), Effect::Allow);
    assert_eq!(effect(&policy, &call("a", "x/y", "ls")), Effect::Ask);
    let decision = policy.evaluate(&call("a", "x/y", "shell"));
    assert_eq!(decision.effect(), Effect::Deny);
    assert_eq!(
        decision.decided_by().map(|d| (d.rule(), d.layer())),
        Some(("deny-shell", "policy"))
    );
    let matched: Vec<&str> = decision
        .matched()
        .iter()
        .map(mcp_policy::MatchedRule::rule)
        .collect();
    assert_eq!(
        matched,
        ["allow-all", "ask-tools", "deny-shell", "deny-shell-again"]
    );
}

#[test]
fn roles_come_from_groups_and_inheritance() {
    let policy = compile(
        r#"{
            "roles": {"reader": {}, "writer": {"inherits": ["reader"]}, "admin": {"inherits": ["writer"]}},
            "groups": {"platform": ["admin"]},
            "rules": [
                {"id": "read", "effect": "allow", "match": {"roles": ["reader"], "action": ["listTools"]}},
                {"id": "write", "effect": "allow", "match": {"roles": ["writer"], "action": ["callTool"]}}
            ]
        }"#,
    );
    let list = |p: Principal| Request::new(p, Action::ListTools, ServerFacts::new("a/b"));
    assert_eq!(
        effect(&policy, &list(Principal::new("u").with_role("reader"))),
        Effect::Allow
    );
    assert_eq!(
        effect(&policy, &list(Principal::new("u").with_group("platform"))),
        Effect::Allow
    );
    assert_eq!(
        effect(&policy, &list(Principal::new("u").with_role("unknown"))),
        Effect::Deny
    );
    let call_by = |p: Principal| {
        Request::new(p, Action::CallTool, ServerFacts::new("a/b")).with_tool(ToolFacts::new("t"))
    };
    assert_eq!(
        effect(&policy, &call_by(Principal::new("u").with_role("reader"))),
        Effect::Deny
    );
    assert_eq!(
        effect(
            &policy,
            &call_by(Principal::new("u").with_group("platform"))
        ),
        Effect::Allow
    );
}

#[test]
fn tenants_are_isolated() {
    let acme = Policy::from_json(
        br#"{"tenant": "acme", "rules": [{"id": "acme-all", "effect": "allow"}]}"#,
    )
    .unwrap();
    let policy = CompiledPolicy::compile_layers(&[Layer::new("acme", acme)]).unwrap();
    let as_tenant = |t: &str| {
        Request::new(
            Principal::new("u").with_tenant(t),
            Action::Connect,
            ServerFacts::new("a/b"),
        )
    };
    assert_eq!(effect(&policy, &as_tenant("acme")), Effect::Allow);
    assert_eq!(effect(&policy, &as_tenant("globex")), Effect::Deny);
    assert_eq!(effect(&policy, &connect("no-tenant", "a/b")), Effect::Deny);
}

#[test]
fn layers_count_every_deny_and_a_lock_stops_widening() {
    let managed = Policy::from_json(
        br#"{"lockAllowlist": true, "rules": [
            {"id": "approved", "effect": "allow", "match": {"serverName": ["io.github.acme/*"]}}
        ]}"#,
    )
    .unwrap();
    let user = Policy::from_json(
        br#"{"rules": [
            {"id": "my-server", "effect": "allow", "match": {"serverName": ["com.example/mine"]}},
            {"id": "not-that-one", "effect": "deny", "match": {"serverName": ["io.github.acme/legacy"]}}
        ]}"#,
    )
    .unwrap();
    let policy = CompiledPolicy::compile_layers(&[
        Layer::new("managed", managed.clone()),
        Layer::new("user", user.clone()),
    ])
    .unwrap();
    let decision = policy.evaluate(&connect("u", "io.github.acme/weather"));
    assert_eq!(decision.effect(), Effect::Allow);
    assert_eq!(
        decision.decided_by().map(mcp_policy::DecidedBy::layer),
        Some("managed")
    );
    let decision = policy.evaluate(&connect("u", "io.github.acme/legacy"));
    assert_eq!(decision.effect(), Effect::Deny);
    assert_eq!(
        decision.decided_by().map(|d| (d.rule(), d.layer())),
        Some(("not-that-one", "user"))
    );
    assert_eq!(
        effect(&policy, &connect("u", "com.example/mine")),
        Effect::Deny
    );
    assert_eq!(
        policy
            .warnings()
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>(),
        [
            "layer `user`: /rules/0: allow rule `my-server` never applies: layer `managed` locks its allowlist"
        ]
    );

    // Without the lock, the user layer widens the allowlist.
    let mut soft = managed;
    soft.lock_allowlist = false;
    let policy =
        CompiledPolicy::compile_layers(&[Layer::new("managed", soft), Layer::new("user", user)])
            .unwrap();
    let decision = policy.evaluate(&connect("u", "com.example/mine"));
    assert_eq!(decision.effect(), Effect::Allow);
    assert_eq!(
        decision.decided_by().map(mcp_policy::DecidedBy::layer),
        Some("user")
    );
}

#[test]
fn quotas_judge_the_callers_counters() {
    let policy = compile(
        r#"{"rules": [{"id": "search", "effect": "allow", "match": {"tool": ["search"]},
            "quota": {"counter": "search-calls", "limit": 3, "windowSeconds": 60}}]}"#,
    );
    let quotas: Vec<_> = policy
        .quotas()
        .map(|quota| (quota.counter.as_str(), quota.limit, quota.window_seconds))
        .collect();
    assert_eq!(quotas, [("search-calls", 3, 60)]);
    let base = call("u", "a/b", "search").with_time(1_000);
    let decision = policy.evaluate(&base);
    assert_eq!(decision.effect(), Effect::Allow);
    assert_eq!(
        decision.obligations(),
        [Obligation::CountUsage {
            counter: "search-calls".into()
        }]
    );

    let spent = base
        .clone()
        .with_usage("search-calls", Usage::new(3).with_window_start(990));
    let decision = policy.evaluate(&spent);
    assert_eq!(decision.effect(), Effect::Deny);
    assert_eq!(
        decision.reasons(),
        ["quota `search-calls` is spent: 3 of 3 calls in the 60-second window".into()]
    );
    assert!(decision.obligations().is_empty());

    let next_window = base
        .clone()
        .with_usage("search-calls", Usage::new(3).with_window_start(940));
    assert_eq!(effect(&policy, &next_window), Effect::Allow);

    let mut no_time = spent;
    no_time.time = None;
    let decision = policy.evaluate(&no_time);
    assert_eq!(decision.effect(), Effect::Deny);
    assert_eq!(
        decision.reasons(),
        ["rule `search` could not be evaluated: `quota`: the request has no time to judge the quota window".into()]
    );
}

#[test]
fn a_rule_that_cannot_be_evaluated_denies() {
    let policy = compile(
        r#"{"rules": [{"id": "recent", "effect": "allow", "match": {"version": ">=1.0.0"}}]}"#,
    );
    let request = |v: &str| {
        Request::new(
            Principal::new("u"),
            Action::Connect,
            ServerFacts::new("a/b").with_version(v),
        )
    };
    assert_eq!(effect(&policy, &request("1.2.0")), Effect::Allow);
    assert_eq!(effect(&policy, &request("0.9.0")), Effect::Deny);
    let decision = policy.evaluate(&request("latest"));
    assert_eq!(decision.effect(), Effect::Deny);
    assert_eq!(
        decision.decided_by().map(mcp_policy::DecidedBy::rule),
        Some("recent")
    );
    assert_eq!(
        decision.reasons(),
        ["rule `recent` could not be evaluated: `version`: server version `latest` is not semver, so `>=1.0.0` cannot be judged".into()]
    );
    // A clause that plainly fails wins over one that cannot be judged.
    let scoped = compile(
        r#"{"defaultEffect": "allow", "rules": [{"id": "old", "effect": "allow",
            "match": {"serverName": ["other/x"], "version": ">=1.0.0"}}]}"#,
    );
    assert_eq!(effect(&scoped, &request("latest")), Effect::Allow);
}

#[test]
fn tool_annotations_take_conservative_defaults() {
    let policy = compile(
        r##"{"defaultEffect": "allow", "rules": [
            {"id": "confirm-destructive", "effect": "ask", "match": {"toolAnnotations": {"destructive": true}},
             "obligations": [{"type": "bindArgumentsDigest"}, {"type": "notify", "channel": "#sec"}]}
        ]}"##,
    );
    let with = |a: ToolAnnotations| {
        Request::new(
            Principal::new("u"),
            Action::CallTool,
            ServerFacts::new("a/b"),
        )
        .with_tool(ToolFacts::new("t").with_annotations(a))
    };
    let decision = policy.evaluate(&with(ToolAnnotations::default()));
    assert_eq!(decision.effect(), Effect::Ask);
    assert_eq!(
        decision.obligations(),
        [
            Obligation::BindArgumentsDigest,
            Obligation::Notify {
                channel: "#sec".into()
            }
        ]
    );
    assert_eq!(
        effect(
            &policy,
            &with(ToolAnnotations::default().with_destructive(false))
        ),
        Effect::Allow
    );
}

#[test]
fn tool_digests_can_be_pinned() {
    let policy = compile(
        r#"{"defaultEffect": "allow", "rules": [
            {"id": "pinned-tools", "effect": "deny", "match": {"tool": ["deploy"]},
             "except": [{"toolDigest": ["sha256:aaaa"]}]}
        ]}"#,
    );
    let with = |digest: &str| {
        Request::new(
            Principal::new("u"),
            Action::CallTool,
            ServerFacts::new("a/b"),
        )
        .with_tool(ToolFacts::new("deploy").with_digest(digest))
    };
    assert_eq!(effect(&policy, &with("sha256:aaaa")), Effect::Allow);
    assert_eq!(effect(&policy, &with("sha256:bbbb")), Effect::Deny);
}

#[test]
fn network_and_hygiene_rules() {
    let policy = compile(
        r#"{"defaultEffect": "allow", "rules": [
            {"id": "https-only", "effect": "deny", "match": {"httpsOnly": false}},
            {"id": "no-private", "effect": "deny", "match": {"privateNetwork": true}},
            {"id": "clean-only", "effect": "deny", "match": {"validationClean": false, "action": ["connect"]}},
            {"id": "pinned-only", "effect": "deny", "match": {"packagePinned": false, "action": ["connect"]}},
            {"id": "approved-registries", "effect": "deny", "match": {"action": ["connect"]},
             "except": [{"registry": ["https://registry.modelcontextprotocol.io/"]}]}
        ]}"#,
    );
    let good = ServerFacts::new("a/b")
        .with_validation_clean(true)
        .with_registry("https://registry.modelcontextprotocol.io")
        .with_remote(RemoteFacts::new(
            TransportType::StreamableHttp,
            "https://mcp.example.com/mcp",
        ))
        .with_package(
            PackageFacts::new("mcpb", "https://x/y.mcpb")
                .with_version("1.0.0")
                .with_file_sha256(true),
        );
    let decide =
        |s: ServerFacts| policy.evaluate(&Request::new(Principal::new("u"), Action::Connect, s));
    assert_eq!(decide(good.clone()).effect(), Effect::Allow);
    let rule_of = |s: ServerFacts| decide(s).decided_by().map(|d| d.rule().to_owned());
    assert_eq!(
        rule_of(good.clone().with_remote(RemoteFacts::new(
            TransportType::Sse,
            "http://mcp.example.com/sse"
        )))
        .as_deref(),
        Some("https-only")
    );
    assert_eq!(
        rule_of(good.clone().with_remote(RemoteFacts::new(
            TransportType::Sse,
            "https://169.254.169.254/"
        )))
        .as_deref(),
        Some("no-private")
    );
    assert_eq!(
        rule_of(good.clone().with_validation_clean(false)).as_deref(),
        Some("clean-only")
    );
    assert_eq!(
        rule_of(
            good.clone()
                .with_package(PackageFacts::new("npm", "x").with_version("^1"))
        )
        .as_deref(),
        Some("pinned-only")
    );
    assert_eq!(
        rule_of(good.with_registry("https://evil.example")).as_deref(),
        Some("approved-registries")
    );
}

#[test]
fn url_patterns_match_like_host_settings() {
    let policy = compile(
        r#"{"rules": [{"id": "example", "effect": "allow",
            "match": {"remoteUrl": ["https://*.example.com/*", "https://Mcp.Acme.com"]}}]}"#,
    );
    let at = |url: &str| {
        Request::new(
            Principal::new("u"),
            Action::Connect,
            ServerFacts::new("a/b")
                .with_remote(RemoteFacts::new(TransportType::StreamableHttp, url)),
        )
    };
    assert_eq!(
        effect(&policy, &at("https://api.example.com/mcp")),
        Effect::Allow
    );
    assert_eq!(
        effect(&policy, &at("https://mcp.acme.com./any/path")),
        Effect::Allow
    );
    assert_eq!(
        effect(&policy, &at("https://example.com/mcp")),
        Effect::Deny
    );
    assert_eq!(
        effect(&policy, &at("https://api.example.com@evil.test/mcp")),
        Effect::Deny
    );
    assert_eq!(
        effect(&policy, &at("http://api.example.com/mcp")),
        Effect::Deny
    );
}

#[test]
fn the_decision_is_one_audit_record() {
    let policy = compile(
        r#"{"rules": [{"id": "ok", "effect": "allow", "reason": "approved server",
            "match": {"serverName": ["a/b"], "action": ["connect"]}}]}"#,
    );
    let decision = policy.evaluate(&connect("u", "a/b"));
    let json: serde_json::Value = serde_json::from_str(&decision.to_json()).unwrap();
    assert_eq!(
        json,
        serde_json::json!({
            "effect": "allow",
            "decidedBy": {"rule": "ok", "layer": "policy"},
            "matched": [{"rule": "ok", "layer": "policy", "effect": "allow", "clauses": ["action", "serverName"]}],
            "reasons": ["approved server"],
            "obligations": [],
            "policyHash": policy.hash(),
        })
    );
    assert!(policy.hash().starts_with("sha256:") && policy.hash().len() == 71);
}

#[test]
fn explain_lists_every_rule_and_the_smallest_change() {
    let policy = compile(
        r#"{"rules": [
            {"id": "acme", "effect": "allow", "match": {"serverName": ["io.github.acme/*"], "action": ["connect"]}},
            {"id": "ops", "effect": "allow", "match": {"groups": ["ops"], "serverName": ["x/*"], "action": ["callTool"]}}
        ]}"#,
    );
    let explanation = policy.explain(&connect("u", "io.github.other/weather"));
    assert_eq!(explanation.decision().effect(), Effect::Deny);
    assert_eq!(
        explanation.to_string(),
        "deny (default)\n  \
         allow `acme` in `policy`: does not apply: `serverName` fails\n  \
         allow `ops` in `policy`: does not apply: `action`, `serverName`, `groups` fails\n  \
         to allow: allow rule `acme` would apply if `serverName` held (it expects `[\"io.github.acme/*\"]`)\n"
    );
    let suggestion = explanation.suggestions().first().unwrap();
    assert_eq!(
        (suggestion.rule(), suggestion.clause()),
        (Some("acme"), Some(mcp_policy::Clause::ServerName))
    );

    let denying = compile(
        r#"{"defaultEffect": "allow", "rules": [{"id": "no-shell", "effect": "deny", "match": {"tool": ["shell"]}}]}"#,
    );
    let explanation = denying.explain(&call("u", "a/b", "shell"));
    assert_eq!(
        explanation
            .suggestions()
            .iter()
            .map(mcp_policy::Suggestion::change)
            .collect::<Vec<_>>(),
        ["deny rule `no-shell` matches on `tool`; remove it or narrow one of those clauses"]
    );
}

#[test]
fn requests_parse_from_json() {
    let request = Request::from_json(
        br#"{"principal": {"id": "alice", "groups": ["eng"]}, "action": "install",
             "server": {"name": "a/b", "remotes": [{"type": "http", "url": "https://x/"}]}}"#,
    )
    .unwrap();
    assert_eq!(request.action, Action::Connect);
    assert_eq!(
        request.server.remotes.first().map(|r| &r.transport),
        Some(&TransportType::StreamableHttp)
    );
    let err = Request::from_json(
        br#"{"principal": {"id": "a"}, "action": "callTool", "server": {"nme": "x"}}"#,
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "/server/nme: unknown field `nme`, did you mean `name`"
    );
}

#[test]
fn hosts_http_reads_as_streamable_http() {
    // Hosts write `http` for streamable HTTP; policies and requests read it as the registry's word.
    let policy = |transport: &str| {
        Policy::from_json(
            format!(
                r#"{{"rules": [{{"id": "r", "effect": "allow", "match": {{"transport": ["{transport}"]}}}}]}}"#
            )
            .as_bytes(),
        )
        .unwrap()
        .compile()
        .unwrap()
    };
    let (http, streamable) = (policy("http"), policy("streamable-http"));
    assert_eq!(http.hash(), streamable.hash());
    let request = Request::from_json(
        br#"{"principal": {"id": "u"}, "action": "connect",
             "server": {"name": "a/b", "packages": [{"registryType": "npm", "identifier": "p",
                                                      "transport": "http"}]}}"#,
    )
    .unwrap();
    assert_eq!(
        request
            .server
            .packages
            .first()
            .and_then(|p| p.transport.clone()),
        Some(TransportType::StreamableHttp)
    );
    assert_eq!(http.evaluate(&request).effect(), Effect::Allow);
    assert!(
        serde_json::to_string(&request)
            .unwrap()
            .contains(r#""transport":"streamable-http""#)
    );
}

#[test]
fn variable_references_are_seen_in_every_configured_field() {
    let policy = compile(
        r#"{"defaultEffect": "allow", "rules": [
            {"id": "no-vars", "effect": "deny", "match": {"variableReference": true}}
        ]}"#,
    );
    let plain = ServerFacts::new("a/b")
        .with_command(["npx", "-y", "pkg@1.0.0", "--price=$5"])
        .with_env("TOKEN", "literal");
    let request = |server: ServerFacts| Request::new(Principal::new("u"), Action::Connect, server);
    assert_eq!(effect(&policy, &request(plain.clone())), Effect::Allow);
    for server in [
        plain.clone().with_command(["npx", "${PKG}"]),
        plain.clone().with_command(["run", "$HOME/bin"]),
        plain.clone().with_env("TOKEN", "${TOKEN:-x}"),
        plain.clone().with_remote(RemoteFacts::new(
            TransportType::StreamableHttp,
            "https://${HOST}/mcp",
        )),
        plain
            .clone()
            .with_header("Authorization", "Bearer ${API_KEY}"),
    ] {
        assert_eq!(
            effect(&policy, &request(server.clone())),
            Effect::Deny,
            "{server:?}"
        );
    }
    let in_use = request(plain).with_remote_in_use(mcp_policy::RemoteFacts::new(
        TransportType::Sse,
        "https://x.example/$PATH",
    ));
    assert_eq!(effect(&policy, &in_use), Effect::Deny);
}

#[test]
fn large_role_tables_hold_few_or_many_roles() {
    // 300 roles: past the inline bit set. `chain19` inherits 19 more roles, past the short list.
    let mut roles = serde_json::Map::new();
    for i in 0..280 {
        roles.insert(format!("r{i}"), serde_json::json!({}));
    }
    for i in 0..20 {
        let inherits = if i == 0 {
            vec![]
        } else {
            vec![format!("chain{}", i - 1)]
        };
        roles.insert(
            format!("chain{i}"),
            serde_json::json!({ "inherits": inherits }),
        );
    }
    let policy = serde_json::json!({
        "roles": roles,
        "groups": {"ops": ["r7", "r9"]},
        "rules": [
            {"id": "r9-only", "effect": "allow", "match": {"roles": ["r9"]}},
            {"id": "chain-root", "effect": "allow", "match": {"roles": ["chain0"], "action": ["callTool"]}}
        ]
    });
    let policy = compile(&policy.to_string());
    let with = |principal: Principal, action| {
        effect(
            &policy,
            &Request::new(principal, action, ServerFacts::new("a/b")),
        )
    };
    assert_eq!(
        with(Principal::new("u").with_role("r9"), Action::Connect),
        Effect::Allow
    );
    assert_eq!(
        with(Principal::new("u").with_role("r8"), Action::Connect),
        Effect::Deny
    );
    assert_eq!(
        with(Principal::new("u").with_group("ops"), Action::Connect),
        Effect::Allow
    );
    // Twenty roles through inheritance, with a direct role besides.
    let many = Principal::new("u").with_role("chain19").with_role("r1");
    assert_eq!(with(many.clone(), Action::CallTool), Effect::Allow);
    assert_eq!(with(many, Action::Connect), Effect::Deny);
    assert_eq!(
        with(
            Principal::new("u").with_role("chain19").with_role("r9"),
            Action::Connect
        ),
        Effect::Allow
    );
}

#[test]
fn registries_compare_as_clients_read_them() {
    let policy = compile(
        r#"{"defaultEffect": "allow", "rules": [
            {"id": "blocked-registry", "effect": "deny",
             "match": {"registry": ["https://evil-registry.example/"]}}
        ]}"#,
    );
    let from = |registry: &str| {
        effect(
            &policy,
            &Request::new(
                Principal::new("u"),
                Action::Connect,
                ServerFacts::new("a/b").with_registry(registry),
            ),
        )
    };
    for spelling in [
        "https://evil-registry.example",
        "HTTPS://EVIL-REGISTRY.EXAMPLE:443/",
        "https://evil-registry.example./",
        "https://evil-registry.example/v0/..//",
        // Unreadable: it could be anything, so the deny applies.
        r"https://good.example\@evil-registry.example/",
    ] {
        assert_eq!(from(spelling), Effect::Deny, "{spelling}");
    }
    assert_eq!(
        from("https://registry.modelcontextprotocol.io"),
        Effect::Allow
    );
    assert!(
        Policy::from_json(
            br#"{"rules": [{"id": "r", "effect": "deny", "match": {"registry": ["not a url"]}}]}"#
        )
        .unwrap()
        .compile()
        .is_err()
    );
}

#[test]
fn matches_built_in_code_equal_their_json() {
    let built = mcp_policy::Match::new()
        .with_action([Action::CallTool])
        .with_server_name(["io.github.acme/*"])
        .with_transport([TransportType::StreamableHttp])
        .with_remote_url(["https://*.acme.example/*"])
        .with_command(["npx", "-y", "pkg"])
        .with_attribute("department", ["eng"])
        .with_version(">=1")
        .with_private_network(false)
        .with_variable_reference(false);
    let json = serde_json::json!({
        "action": ["callTool"],
        "serverName": ["io.github.acme/*"],
        "transport": ["streamable-http"],
        "remoteUrl": ["https://*.acme.example/*"],
        "command": [["npx", "-y", "pkg"]],
        "attributes": {"department": ["eng"]},
        "version": ">=1",
        "privateNetwork": false,
        "variableReference": false
    });
    assert_eq!(serde_json::to_value(&built).unwrap(), json);
}
