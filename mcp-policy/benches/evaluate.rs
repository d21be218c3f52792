//! Decision latency at 10 to 10,000 rules, side by side with Cedar evaluating an equivalent policy
//! set, plus compile time for 10,000 rules and the cost of building server facts.
//!
//! Run: `cargo bench -p mcp-policy -- --warm-up-time 1 --measurement-time 3`. After criterion's
//! groups, a percentile pass times single decisions and prints p50 and p99 for both engines.
//!
//! Two rule sets. `literal`: the shapes a gateway holds, per-server allows by role, per-server
//! denies of destructive tools, allows by remote URL pattern with a literal host, and three global
//! guards (destructive tools need an admin, https only, no private addresses). `wildcard`: the
//! same, but every URL pattern has a wildcard host (`https://*.vendorK.example/*`) and the
//! principal draws from 2,000 roles. Each size keeps the three guards and splits the rest evenly
//! between the per-server shapes.
//!
//! Our engine runs two ways. `mcp-policy`: the server facts are built once per server
//! ([`ServerFacts::prepared`], as a gateway holds them), so a decision reuses the remote URL as
//! read. `mcp-policy-read-url`: every decision reads the remote URL itself as a client does
//! (WHATWG, cross-checked with Go's reading), from facts that were never used before. Building
//! the facts from a registry entry is measured on its own.
#![expect(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    reason = "a benchmark fails loudly on missing or malformed data"
)]

use std::collections::{BTreeMap, HashSet};
use std::fmt::Write as _;
use std::hint::black_box;
use std::str::FromStr;
use std::time::{Duration, Instant};

use cedar_policy::{
    Authorizer, Context, Entities, Entity, EntityUid, PolicySet, Request as CedarRequest,
    RestrictedExpression,
};
use criterion::{BatchSize, BenchmarkId, Criterion, criterion_group, criterion_main};
use mcp_policy::{
    Action, CompiledPolicy, Layer, Policy, Principal, RemoteFacts, Request, RoleSpec, ServerFacts,
    ToolAnnotations, ToolFacts,
};
use mcp_registry_types::TransportType;

const SIZES: [usize; 4] = [10, 100, 1_000, 10_000];

/// A rule set's shape: literal or wildcard URL hosts, and how many roles it defines.
#[derive(Clone, Copy)]
struct Shape {
    name: &'static str,
    wildcard: bool,
    roles: usize,
}

const LITERAL: Shape = Shape {
    name: "literal",
    wildcard: false,
    roles: 20,
};
const WILDCARD: Shape = Shape {
    name: "wildcard",
    wildcard: true,
    roles: 2_000,
};

impl Shape {
    fn url_pattern(self, k: usize) -> String {
        if self.wildcard {
            format!("https://*.vendor{k}.example/*")
        } else {
            format!("https://mcp{k}.example.com/*")
        }
    }

    fn url(self, k: usize) -> String {
        if self.wildcard {
            format!("https://eu.mcp.vendor{k}.example/mcp")
        } else {
            format!("https://mcp{k}.example.com/mcp")
        }
    }
}

fn servers(size: usize) -> usize {
    (size.saturating_sub(3)).div_ceil(3).max(1)
}

fn our_policy(shape: Shape, size: usize) -> Policy {
    let mut rules = vec![
        serde_json::json!({"id": "destructive-needs-admin", "effect": "deny",
            "match": {"action": ["callTool"], "toolAnnotations": {"destructive": true}},
            "except": [{"roles": ["admin"]}]}),
        serde_json::json!({"id": "https-only", "effect": "deny", "match": {"httpsOnly": false}}),
        serde_json::json!({"id": "no-private", "effect": "deny", "match": {"privateNetwork": true}}),
    ];
    for i in 0..size.saturating_sub(3) {
        let k = i / 3;
        let role = format!("role{}", k % shape.roles);
        rules.push(match i % 3 {
            0 => serde_json::json!({"id": format!("allow-{i}"), "effect": "allow",
                "match": {"serverName": [format!("io.github.org{k}/server")], "roles": [role]}}),
            1 => serde_json::json!({"id": format!("deny-destructive-{i}"), "effect": "deny",
                "match": {"serverName": [format!("io.github.org{k}/server")], "tool": ["delete_*"]}}),
            _ => serde_json::json!({"id": format!("url-{i}"), "effect": "allow",
                "match": {"remoteUrl": [shape.url_pattern(k)], "roles": [role],
                          "action": ["connect", "listTools", "callTool"]}}),
        });
    }
    let mut policy = Policy::from_value(&serde_json::json!({ "rules": rules })).unwrap();
    policy.roles = (0..shape.roles)
        .map(|r| (format!("role{r}"), RoleSpec::default()))
        .chain([("admin".to_owned(), RoleSpec::default())])
        .collect::<BTreeMap<_, _>>();
    policy
}

fn cedar_policies(shape: Shape, size: usize) -> PolicySet {
    let mut text = String::from(
        r#"forbid(principal, action == Action::"callTool", resource) when { context.destructive } unless { principal in Role::"admin" };
forbid(principal, action, resource) when { !context.https };
forbid(principal, action, resource) when { context.private };
"#,
    );
    for i in 0..size.saturating_sub(3) {
        let k = i / 3;
        let r = k % shape.roles;
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
                "permit(principal in Role::\"role{r}\", action in [Action::\"connect\", Action::\"listTools\", Action::\"callTool\"], resource) when {{ context.url like \"{}\" }};",
                shape.url_pattern(k)
            ),
        };
    }
    PolicySet::from_str(&text).unwrap()
}

fn our_request(shape: Shape, size: usize) -> Request {
    let k = servers(size) / 2;
    Request::new(
        Principal::new("alice").with_role(format!("role{}", k % shape.roles)),
        Action::CallTool,
        // In the URL shape the server name matches no name rule, so the URL rule must allow.
        ServerFacts::new(format!("io.github.vendor{k}/server")).with_remote(RemoteFacts::new(
            TransportType::StreamableHttp,
            shape.url(k),
        )),
    )
    .with_tool(
        ToolFacts::new("list_issues").with_annotations(
            ToolAnnotations::default()
                .with_read_only(true)
                .with_destructive(false),
        ),
    )
}

fn cedar_request(shape: Shape, size: usize) -> (CedarRequest, Entities) {
    let k = servers(size) / 2;
    let uid = |s: &str| EntityUid::from_str(s).unwrap();
    let role = uid(&format!("Role::\"role{}\"", k % shape.roles));
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
            RestrictedExpression::new_string(shape.url(k)),
        ),
    ])
    .unwrap();
    let request = CedarRequest::new(
        uid("User::\"alice\""),
        uid("Action::\"callTool\""),
        uid(&format!("Server::\"io.github.vendor{k}/server\"")),
        context,
        None,
    )
    .unwrap();
    (request, entities)
}

/// Both engines for one shape and size, checked to allow before anything is timed.
struct Pair {
    ours: CompiledPolicy,
    /// Facts built once per server: their URL already read.
    request: Request,
    /// Facts never used: a clone of these reads the URL in its first decision.
    unread: Request,
    policies: PolicySet,
    cedar: CedarRequest,
    entities: Entities,
    authorizer: Authorizer,
}

impl Pair {
    fn new(shape: Shape, size: usize) -> Self {
        let ours = our_policy(shape, size).compile().unwrap();
        let unread = our_request(shape, size);
        let mut request = unread.clone();
        request.server = request.server.prepared();
        assert_eq!(ours.evaluate(&request).effect(), mcp_policy::Effect::Allow);
        assert_eq!(
            ours.evaluate(&unread.clone()).effect(),
            mcp_policy::Effect::Allow
        );
        let policies = cedar_policies(shape, size);
        let (cedar, entities) = cedar_request(shape, size);
        let authorizer = Authorizer::new();
        assert_eq!(
            authorizer
                .is_authorized(&cedar, &policies, &entities)
                .decision(),
            cedar_policy::Decision::Allow
        );
        Self {
            ours,
            request,
            unread,
            policies,
            cedar,
            entities,
            authorizer,
        }
    }

    fn ours(&self) -> mcp_policy::Decision {
        self.ours.evaluate(black_box(&self.request))
    }

    fn ours_reading(&self, fresh: &Request) -> mcp_policy::Decision {
        self.ours.evaluate(black_box(fresh))
    }

    fn cedar(&self) -> cedar_policy::Response {
        self.authorizer
            .is_authorized(black_box(&self.cedar), &self.policies, &self.entities)
    }
}

fn decision_latency(c: &mut Criterion) {
    for shape in [LITERAL, WILDCARD] {
        let mut group = c.benchmark_group(format!("decision/{}", shape.name));
        for size in SIZES {
            let pair = Pair::new(shape, size);
            group.bench_with_input(BenchmarkId::new("mcp-policy", size), &size, |b, _| {
                b.iter(|| black_box(pair.ours()));
            });
            group.bench_with_input(
                BenchmarkId::new("mcp-policy-read-url", size),
                &size,
                |b, _| {
                    b.iter_batched_ref(
                        || pair.unread.clone(),
                        |fresh| black_box(pair.ours_reading(fresh)),
                        BatchSize::SmallInput,
                    );
                },
            );
            group.bench_with_input(BenchmarkId::new("cedar", size), &size, |b, _| {
                b.iter(|| black_box(pair.cedar()));
            });
        }
        group.finish();
    }
}

fn compile_time(c: &mut Criterion) {
    let mut group = c.benchmark_group("compile");
    group.sample_size(10);
    for shape in [LITERAL, WILDCARD] {
        let layers = [Layer::new("policy", our_policy(shape, 10_000))];
        group.bench_function(format!("mcp-policy/{}/10000", shape.name), |b| {
            b.iter(|| black_box(CompiledPolicy::compile_layers(black_box(&layers)).unwrap()));
        });
    }
    group.finish();
}

/// Building server facts from a registry entry: once per server, not per decision. Reading
/// alone, and reading with the validation a caller records in the facts.
fn server_facts(c: &mut Criterion) {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../examples/data/servers/weather.json"
    );
    let doc: mcp_registry_types::ServerJson =
        std::fs::read_to_string(path).unwrap().parse().unwrap();
    let mut group = c.benchmark_group("server_facts");
    group.bench_function("from_server_json", |b| {
        b.iter(|| black_box(ServerFacts::from_server_json(black_box(&doc))));
    });
    group.bench_function("from_server_json+validate", |b| {
        b.iter(|| {
            let doc = black_box(&doc);
            let clean = mcp_registry_types::validate(doc).is_valid();
            black_box(ServerFacts::from_server_json(doc).with_validation_clean(clean))
        });
    });
    group.finish();
}

/// p50 and p99 of single decisions: each call timed on its own, for at most a second or
/// 100,000 calls per engine and size.
fn percentiles(_: &mut Criterion) {
    /// Times `call` on a fresh input from `setup` each time; the setup is not timed.
    fn sample<T>(mut setup: impl FnMut() -> T, mut call: impl FnMut(&T)) -> (Duration, Duration) {
        let mut times = Vec::with_capacity(100_000);
        let budget = Instant::now();
        while times.len() < 100_000 && budget.elapsed() < Duration::from_secs(1) {
            let input = setup();
            let start = Instant::now();
            call(&input);
            times.push(start.elapsed());
        }
        times.sort_unstable();
        let at = |q: usize| times[(times.len() - 1) * q / 100];
        (at(50), at(99))
    }
    println!("\nsingle-decision percentiles (p50 / p99)");
    println!("| set | rules | mcp-policy | mcp-policy, URL read in the decision | cedar |");
    println!("|---|---|---|---|---|");
    for shape in [LITERAL, WILDCARD] {
        for size in SIZES {
            let pair = Pair::new(shape, size);
            for _ in 0..1_000 {
                black_box(pair.ours());
            }
            let (o50, o99) = sample(
                || (),
                |()| {
                    black_box(pair.ours());
                },
            );
            let (r50, r99) = sample(
                || pair.unread.clone(),
                |fresh| {
                    black_box(pair.ours_reading(fresh));
                },
            );
            let (c50, c99) = sample(
                || (),
                |()| {
                    black_box(pair.cedar());
                },
            );
            println!(
                "| {} | {size} | {o50:.2?} / {o99:.2?} | {r50:.2?} / {r99:.2?} | {c50:.2?} / {c99:.2?} |",
                shape.name
            );
        }
    }
}

criterion_group!(
    benches,
    decision_latency,
    compile_time,
    server_facts,
    percentiles
);
criterion_main!(benches);
