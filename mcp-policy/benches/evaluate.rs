//! Decision latency at 10 to 10,000 rules, side by side with Cedar evaluating an equivalent policy
//! set, plus compile time for 10,000 rules.
//!
//! Run: `cargo bench -p mcp-policy -- --warm-up-time 1 --measurement-time 3`.
//!
//! The shapes are the ones a gateway holds: per-server allows by role, per-server denies of
//! destructive tools, allows by remote URL pattern, and three global guards (destructive tools
//! need an admin, https only, no private addresses). Each size keeps the three guards and splits
//! the rest evenly between the per-server shapes.

use std::collections::{BTreeMap, HashSet};
use std::fmt::Write as _;
use std::hint::black_box;
use std::str::FromStr;

use cedar_policy::{
    Authorizer, Context, Entities, Entity, EntityUid, PolicySet, Request as CedarRequest,
    RestrictedExpression,
};
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use mcp_policy::{
    Action, CompiledPolicy, Layer, Policy, Principal, Request, RoleSpec, ServerFacts,
    ToolAnnotations, ToolFacts, TransportKind,
};

const SIZES: [usize; 4] = [10, 100, 1_000, 10_000];
const ROLES: usize = 20;

fn servers(size: usize) -> usize {
    (size.saturating_sub(3)).div_ceil(3).max(1)
}

fn our_policy(size: usize) -> Policy {
    let mut rules = vec![
        serde_json::json!({"id": "destructive-needs-admin", "effect": "deny",
            "match": {"action": ["callTool"], "toolAnnotations": {"destructive": true}},
            "except": [{"roles": ["admin"]}]}),
        serde_json::json!({"id": "https-only", "effect": "deny", "match": {"httpsOnly": false}}),
        serde_json::json!({"id": "no-private", "effect": "deny", "match": {"privateNetwork": true}}),
    ];
    for i in 0..size.saturating_sub(3) {
        let k = i / 3;
        let role = format!("role{}", k % ROLES);
        rules.push(match i % 3 {
            0 => serde_json::json!({"id": format!("allow-{i}"), "effect": "allow",
                "match": {"serverName": [format!("io.github.org{k}/server")], "roles": [role]}}),
            1 => serde_json::json!({"id": format!("deny-destructive-{i}"), "effect": "deny",
                "match": {"serverName": [format!("io.github.org{k}/server")], "tool": ["delete_*"]}}),
            _ => serde_json::json!({"id": format!("url-{i}"), "effect": "allow",
                "match": {"remoteUrl": [format!("https://mcp{k}.example.com/*")], "roles": [role],
                          "action": ["connect", "listTools", "callTool"]}}),
        });
    }
    let mut policy = Policy::from_value(&serde_json::json!({ "rules": rules })).unwrap();
    policy.roles = (0..ROLES)
        .map(|r| (format!("role{r}"), RoleSpec::default()))
        .chain([("admin".to_owned(), RoleSpec::default())])
        .collect::<BTreeMap<_, _>>();
    policy
}

fn cedar_policies(size: usize) -> PolicySet {
    let mut text = String::from(
        r#"forbid(principal, action == Action::"callTool", resource) when { context.destructive } unless { principal in Role::"admin" };
forbid(principal, action, resource) when { !context.https };
forbid(principal, action, resource) when { context.private };
"#,
    );
    for i in 0..size.saturating_sub(3) {
        let k = i / 3;
        let r = k % ROLES;
        let _ = match i % 3 {
            0 => writeln!(
                text,
                "permit(principal in Role::\"role{r}\", action, resource == Server::\"io.github.org{k}/server\");"
            ),
            1 => writeln!(
                text,
                "forbid(principal, action == Action::\"callTool\", resource == Server::\"io.github.org{k}/server\") when {{ context.tool like \"delete_*\" }};"
            ),
            _ => writeln!(
                text,
                "permit(principal in Role::\"role{r}\", action in [Action::\"connect\", Action::\"listTools\", Action::\"callTool\"], resource) when {{ context.url like \"https://mcp{k}.example.com/*\" }};"
            ),
        };
    }
    PolicySet::from_str(&text).unwrap()
}

fn our_request(size: usize) -> Request {
    let k = servers(size) / 2;
    Request::new(
        Principal::new("alice").with_role(format!("role{}", k % ROLES)),
        Action::CallTool,
        ServerFacts::new(format!("io.github.org{k}/server")).with_remote(
            TransportKind::StreamableHttp,
            format!("https://mcp{k}.example.com/mcp"),
        ),
    )
    .with_tool(
        ToolFacts::new("list_issues").with_annotations(
            ToolAnnotations::default()
                .with_read_only(true)
                .with_destructive(false),
        ),
    )
}

fn cedar_request(size: usize) -> (CedarRequest, Entities) {
    let k = servers(size) / 2;
    let uid = |s: &str| EntityUid::from_str(s).unwrap();
    let role = uid(&format!("Role::\"role{}\"", k % ROLES));
    let user = Entity::new_no_attrs(uid("User::\"alice\""), HashSet::from([role.clone()]));
    let entities =
        Entities::from_entities([user, Entity::new_no_attrs(role, HashSet::new())], None).unwrap();
    let context = Context::from_pairs([
        (
            "destructive".to_owned(),
            RestrictedExpression::new_bool(false),
        ),
        ("https".to_owned(), RestrictedExpression::new_bool(true)),
        ("private".to_owned(), RestrictedExpression::new_bool(false)),
        (
            "tool".to_owned(),
            RestrictedExpression::new_string("list_issues".to_owned()),
        ),
        (
            "url".to_owned(),
            RestrictedExpression::new_string(format!("https://mcp{k}.example.com/mcp")),
        ),
    ])
    .unwrap();
    let request = CedarRequest::new(
        uid("User::\"alice\""),
        uid("Action::\"callTool\""),
        uid(&format!("Server::\"io.github.org{k}/server\"")),
        context,
        None,
    )
    .unwrap();
    (request, entities)
}

fn decision_latency(c: &mut Criterion) {
    let mut group = c.benchmark_group("decision");
    for size in SIZES {
        let compiled = our_policy(size).compile().unwrap();
        let request = our_request(size);
        assert_eq!(
            compiled.evaluate(&request).effect(),
            mcp_policy::Effect::Allow
        );
        group.bench_with_input(BenchmarkId::new("mcp-policy", size), &size, |b, _| {
            b.iter(|| black_box(compiled.evaluate(black_box(&request))));
        });

        let policies = cedar_policies(size);
        let (cedar, entities) = cedar_request(size);
        let authorizer = Authorizer::new();
        assert_eq!(
            authorizer
                .is_authorized(&cedar, &policies, &entities)
                .decision(),
            cedar_policy::Decision::Allow
        );
        group.bench_with_input(BenchmarkId::new("cedar", size), &size, |b, _| {
            b.iter(|| black_box(authorizer.is_authorized(black_box(&cedar), &policies, &entities)));
        });
    }
    group.finish();
}

fn compile_time(c: &mut Criterion) {
    let layers = [Layer::new("policy", our_policy(10_000))];
    let mut group = c.benchmark_group("compile");
    group.sample_size(10);
    group.bench_function("mcp-policy/10000", |b| {
        b.iter(|| black_box(CompiledPolicy::compile_layers(black_box(&layers)).unwrap()));
    });
    group.finish();
}

criterion_group!(benches, decision_latency, compile_time);
criterion_main!(benches);
