//! Property tests: the compiled evaluator equals the reference loop, and the guarantees hold.
#![expect(
    clippy::panic,
    reason = "tests fail by panicking; clippy.toml's test allowances reach only #[test] functions"
)]

use std::collections::BTreeMap;

use mcp_policy::fuzzing::{check_differential_values, reference_evaluate};
use mcp_policy::{
    Action, AnnotationMatch, CompiledPolicy, Effect, Layer, Match, Policy, Principal, Quota,
    RemoteFacts, Request, RoleSpec, Rule, ServerFacts, ToolAnnotations, ToolFacts, Usage,
};
use mcp_registry_types::TransportType;
use proptest::prelude::*;
use proptest::sample::{select, subsequence};

const NAMES: [&str; 4] = ["io.github.a/x", "io.github.b/y", "com.acme/z", "com.acme/w"];
const NAME_PATTERNS: [&str; 8] = [
    "io.github.a/x",
    "io.github.b/y",
    "com.acme/z",
    "io.github.*",
    "com.acme/?",
    "*/z",
    "*",
    "[ic]o*",
];
const TOOLS: [&str; 4] = ["read", "write", "delete", "shell"];
const TOOL_PATTERNS: [&str; 6] = ["read", "write", "delete", "sh*", "*e*", "d?lete"];
const URLS: [&str; 4] = [
    "https://mcp.example.com/mcp",
    "https://eu.example.com/x",
    "http://127.0.0.1:8080/",
    "https://other.test/",
];
const URL_PATTERNS: [&str; 4] = [
    "https://mcp.example.com/*",
    "https://*.example.com",
    "*://127.0.0.1:*/*",
    "https://other.test",
];
const ROLES: [&str; 3] = ["r0", "r1", "r2"];

fn effect() -> impl Strategy<Value = Effect> {
    select(vec![Effect::Allow, Effect::Ask, Effect::Deny])
}

fn strings(pool: &'static [&'static str]) -> impl Strategy<Value = Vec<String>> {
    subsequence(pool.to_vec(), 1..=2).prop_map(|v| v.into_iter().map(String::from).collect())
}

fn conditions() -> impl Strategy<Value = Match> {
    (
        proptest::option::weighted(0.4, subsequence(Action::ALL.to_vec(), 1..=3)),
        proptest::option::weighted(0.5, strings(&NAME_PATTERNS)),
        proptest::option::weighted(0.3, strings(&TOOL_PATTERNS)),
        proptest::option::weighted(0.2, strings(&ROLES)),
        proptest::option::weighted(0.2, strings(&URL_PATTERNS)),
        proptest::option::weighted(0.15, select(vec![">=1.0.0", "<2", "^1.0"])),
        proptest::option::weighted(0.15, any::<(Option<bool>, Option<bool>)>()),
        proptest::option::weighted(0.1, strings(&["t1", "t2"])),
        proptest::option::weighted(0.1, any::<bool>()),
        proptest::option::weighted(0.1, strings(&["managed", "user"])),
    )
        .prop_map(
            |(action, names, tools, roles, urls, version, annotations, tenant, https, scope)| {
                let mut m = Match::default();
                m.action = action;
                m.server_name = names;
                m.tool = tools;
                m.roles = roles;
                m.remote_url = urls;
                m.version = version.map(String::from);
                m.tool_annotations = annotations.map(|(read_only, destructive)| {
                    let mut a = AnnotationMatch::default();
                    a.read_only = read_only;
                    a.destructive = destructive;
                    a
                });
                m.tenant = tenant;
                m.https_only = https;
                m.scope = scope;
                m
            },
        )
}

fn rule() -> impl Strategy<Value = Rule> {
    (
        effect(),
        conditions(),
        proptest::collection::vec(conditions(), 0..=2),
        proptest::collection::vec(conditions(), 0..=1),
        proptest::option::weighted(0.15, 0u64..4),
    )
        .prop_map(|(effect, conditions, any_of, except, quota)| {
            let mut rule = Rule::new("r", effect).with_match(conditions);
            rule.any_of = any_of;
            rule.except = except;
            rule.quota = quota.map(|limit| Quota::new("calls", limit, 60));
            rule
        })
}

fn policy() -> impl Strategy<Value = Policy> {
    (
        proptest::collection::vec(rule(), 0..10),
        proptest::option::weighted(0.3, effect()),
        proptest::bool::weighted(0.2),
    )
        .prop_map(|(rules, default_effect, lock)| {
            let mut policy = Policy::new();
            policy.rules = rules;
            for (i, rule) in policy.rules.iter_mut().enumerate() {
                rule.id = format!("rule-{i}");
            }
            policy.default_effect = default_effect;
            policy.lock_allowlist = lock;
            policy.roles = BTreeMap::from([
                ("r0".into(), RoleSpec::default()),
                ("r1".into(), RoleSpec::inheriting(["r0"])),
                ("r2".into(), RoleSpec::inheriting(["r1"])),
            ]);
            policy.groups = BTreeMap::from([("g0".into(), vec!["r1".into()])]);
            policy
        })
}

fn layers() -> impl Strategy<Value = Vec<Layer>> {
    proptest::collection::vec(policy(), 1..=3).prop_map(|policies| {
        policies
            .into_iter()
            .enumerate()
            .map(|(i, p)| Layer::new(format!("layer-{i}"), p))
            .collect()
    })
}

fn request() -> impl Strategy<Value = Request> {
    (
        select(Action::ALL.to_vec()),
        select(NAMES.to_vec()),
        proptest::option::of(select(TOOLS.to_vec())),
        subsequence(ROLES.to_vec(), 0..=1),
        proptest::bool::ANY,
        proptest::option::of(select(vec!["1.2.0", "2.0.0", "latest"])),
        subsequence(URLS.to_vec(), 0..=2),
        any::<(Option<bool>, Option<bool>)>(),
        proptest::option::of(select(vec!["t1", "t2"])),
        proptest::option::of(select(vec!["managed", "user"])),
        proptest::option::of(0u64..6),
        proptest::option::of(0u64..200),
    )
        .prop_map(
            |(
                action,
                name,
                tool,
                roles,
                in_group,
                version,
                urls,
                hints,
                tenant,
                scope,
                used,
                time,
            )| {
                let mut principal = Principal::new("p");
                for r in roles {
                    principal = principal.with_role(r);
                }
                if in_group {
                    principal = principal.with_group("g0");
                }
                principal.tenant = tenant.map(String::from);
                let mut server = ServerFacts::new(name);
                server.version = version.map(String::from);
                for url in urls {
                    server =
                        server.with_remote(RemoteFacts::new(TransportType::StreamableHttp, url));
                }
                let mut request = Request::new(principal, action, server);
                if let Some(t) = tool {
                    let mut annotations = ToolAnnotations::default();
                    annotations.read_only_hint = hints.0;
                    annotations.destructive_hint = hints.1;
                    request = request.with_tool(ToolFacts::new(t).with_annotations(annotations));
                }
                request.scope = scope.map(String::from);
                request.time = time;
                if let Some(count) = used {
                    request = request.with_usage("calls", Usage::new(count).with_window_start(100));
                }
                request
            },
        )
}

fn compile(layers: &[Layer]) -> CompiledPolicy {
    CompiledPolicy::compile_layers(layers).unwrap_or_else(|e| panic!("generated policy: {e}"))
}

fn rank(e: Effect) -> u8 {
    match e {
        Effect::Allow => 0,
        Effect::Ask => 1,
        Effect::Deny => 2,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn compiled_evaluator_equals_the_reference(layers in layers(), requests in proptest::collection::vec(request(), 1..8)) {
        let compiled = compile(&layers);
        for request in &requests {
            prop_assert_eq!(check_differential_values(&compiled, request), Ok(()));
        }
    }

    #[test]
    fn a_deny_anywhere_wins(mut layers in layers(), at in any::<prop::sample::Index>(), request in request()) {
        let i = at.index(layers.len());
        layers[i].policy.rules.push(Rule::new("deny-everything", Effect::Deny));
        prop_assert_eq!(compile(&layers).evaluate(&request).effect(), Effect::Deny);
    }

    #[test]
    fn the_default_is_deny(rules in proptest::collection::vec(rule(), 0..6), request in request()) {
        let mut policy = Policy::new();
        policy.roles = BTreeMap::from([
            ("r0".into(), RoleSpec::default()),
            ("r1".into(), RoleSpec::inheriting(["r0"])),
            ("r2".into(), RoleSpec::default()),
        ]);
        // Rules that cannot apply to any generated request: the server name is never used.
        for (i, mut rule) in rules.into_iter().enumerate() {
            rule.id = format!("r{i}");
            rule.conditions.server_name = Some(vec!["never.used/name".into()]);
            rule.conditions.roles = None;
            policy.rules.push(rule);
        }
        let decision = compile(&[Layer::new("policy", policy)]).evaluate(&request);
        prop_assert_eq!(decision.effect(), Effect::Deny);
        prop_assert!(decision.decided_by().is_none());
    }

    #[test]
    fn order_and_duplicates_do_not_change_the_effect(
        layers in layers(),
        request in request(),
        seed in any::<u64>(),
    ) {
        let before = compile(&layers).evaluate(&request).effect();
        let mut shuffled = layers.clone();
        for layer in &mut shuffled {
            let rules = &mut layer.policy.rules;
            let duplicates: Vec<Rule> = rules.iter().step_by(2).cloned().collect();
            for (i, mut d) in duplicates.into_iter().enumerate() {
                d.id = format!("dup-{i}");
                rules.push(d);
            }
            // A deterministic shuffle from the seed.
            let n = rules.len();
            let mut state = seed | 1;
            for i in (1..n).rev() {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                let j = usize::try_from(state % (u64::try_from(i).unwrap() + 1)).unwrap();
                rules.swap(i, j);
            }
        }
        prop_assert_eq!(compile(&shuffled).evaluate(&request).effect(), before);
    }

    #[test]
    fn adding_a_deny_never_loosens(mut layers in layers(), extra in conditions(), at in any::<prop::sample::Index>(), request in request()) {
        let before = compile(&layers).evaluate(&request).effect();
        let i = at.index(layers.len());
        layers[i].policy.rules.push(Rule::new("extra-deny", Effect::Deny).with_match(extra));
        let after = compile(&layers).evaluate(&request).effect();
        prop_assert!(after == before || after == Effect::Deny, "{before} became {after}");
        prop_assert!(rank(after) >= rank(before));
    }

    #[test]
    fn an_erroring_rule_never_allows(mut layers in layers(), request in request()) {
        layers[0].policy.rules.push(
            Rule::new("needs-semver", Effect::Allow).with_match({
                let mut m = Match::default();
                m.version = Some(">=0.0.0".into());
                m
            }),
        );
        let mut request = request;
        request.server.version = Some("latest".into());
        let compiled = compile(&layers);
        prop_assert_eq!(compiled.evaluate(&request).effect(), Effect::Deny);
        prop_assert_eq!(reference_evaluate(&compiled, &request).0, Effect::Deny);
    }
}
