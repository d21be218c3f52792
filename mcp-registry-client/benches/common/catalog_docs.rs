//! A deterministic generator of realistic registry entries for the catalog benchmarks: names,
//! titles and descriptions drawn from the vocabulary of the official registry (services,
//! verbs, objects), skewed so that a few services are common and most are rare, with packages
//! (npm, PyPI, OCI, NuGet), environment variables, arguments and remotes. 1–3 KB of JSON each.

#![expect(
    clippy::cast_possible_wrap,
    reason = "entry counts are far below i64::MAX"
)]

use std::collections::HashSet;

use mcp_registry_client::catalog::Catalog;
use mcp_registry_types::{ServerResponse, Timestamp};
use serde_json::{Value, json};

/// The registry's clock at the end of generation, in seconds since the epoch.
pub(crate) const START: i64 = 1_750_000_000;

/// The source the generated entries are upserted under.
pub(crate) const SOURCE: &str = "origin";

/// Services, most common first (drawn with a skew towards the front).
pub(crate) const TOPICS: &[&str] = &[
    "github",
    "filesystem",
    "weather",
    "postgres",
    "slack",
    "browser",
    "search",
    "notion",
    "kubernetes",
    "docker",
    "memory",
    "jira",
    "gitlab",
    "sqlite",
    "redis",
    "aws",
    "calendar",
    "gmail",
    "stripe",
    "linear",
    "discord",
    "figma",
    "sentry",
    "grafana",
    "mysql",
    "mongodb",
    "playwright",
    "youtube",
    "spotify",
    "confluence",
    "azure",
    "gcp",
    "terraform",
    "datadog",
    "prometheus",
    "supabase",
    "firebase",
    "vercel",
    "cloudflare",
    "obsidian",
    "todoist",
    "trello",
    "asana",
    "airtable",
    "excel",
    "pdf",
    "markdown",
    "maps",
    "translate",
    "finance",
    "crypto",
    "news",
    "rss",
    "reddit",
    "hackernews",
    "bluesky",
    "mastodon",
    "home",
    "mqtt",
    "bitbucket",
    "jenkins",
    "ansible",
    "salesforce",
    "hubspot",
    "zendesk",
    "twilio",
    "openapi",
    "graphql",
    "elasticsearch",
    "bigquery",
    "snowflake",
    "dbt",
    "airflow",
    "kafka",
    "rabbitmq",
    "vault",
    "okta",
    "ldap",
    "s3",
    "arxiv",
    "wikipedia",
    "shopify",
    "woocommerce",
    "zoom",
    "teams",
    "outlook",
    "dropbox",
    "box",
    "onedrive",
    "sharepoint",
    "pagerduty",
    "opsgenie",
    "newrelic",
    "splunk",
    "loki",
    "tempo",
    "jaeger",
    "neo4j",
    "clickhouse",
    "duckdb",
    "pinecone",
    "qdrant",
];
const KINDS: &[&str] = &[
    "mcp",
    "server",
    "mcp-server",
    "tools",
    "connector",
    "bridge",
    "integration",
    "api",
    "agent",
];
const VERBS: &[&str] = &[
    "query",
    "search",
    "manage",
    "create",
    "list",
    "read",
    "write",
    "update",
    "monitor",
    "analyze",
    "sync",
    "fetch",
    "browse",
    "automate",
    "inspect",
    "deploy",
    "schedule",
    "summarize",
    "track",
    "export",
];
const OBJECTS: &[&str] = &[
    "issues",
    "pull requests",
    "repositories",
    "tables",
    "records",
    "documents",
    "pages",
    "files",
    "messages",
    "channels",
    "events",
    "tickets",
    "dashboards",
    "alerts",
    "pipelines",
    "containers",
    "clusters",
    "buckets",
    "invoices",
    "customers",
    "forecasts",
    "notes",
    "tasks",
    "projects",
    "commits",
    "branches",
    "queries",
    "schemas",
    "metrics",
    "logs",
];
const ADJECTIVES: &[&str] = &[
    "Fast",
    "Secure",
    "Lightweight",
    "Unofficial",
    "Community",
    "Official",
    "Simple",
    "Local",
    "Remote",
    "Self-hosted",
    "Read-only",
    "Typed",
    "Minimal",
    "Full-featured",
    "Production-ready",
];
const SYLLABLES: &[&str] = &[
    "ka", "lo", "mi", "ra", "ten", "vo", "zu", "bri", "dan", "el", "fo", "gar", "hu", "is", "jo",
    "ke", "lin", "mar", "no", "pe", "qui", "ros", "sa", "tor", "ul", "ven", "wex", "yo", "zen",
];
const NAMESPACES: &[&str] = &[
    "io.github",
    "io.github",
    "io.github",
    "com",
    "ai",
    "dev",
    "io",
];

/// `SplitMix64`: a small, seeded, deterministic generator.
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub(crate) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n`.
    pub(crate) fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % n as u64).unwrap_or_default()
    }

    /// In `0..n`, skewed to the front (the square of a uniform draw).
    pub(crate) fn skewed(&mut self, n: usize) -> usize {
        let a = self.below(n);
        let b = self.below(n);
        a * b / n
    }

    pub(crate) fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }

    pub(crate) fn topic(&mut self) -> &'static str {
        TOPICS[self.skewed(TOPICS.len())]
    }
}

fn capitalise(word: &str) -> String {
    let mut chars = word.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

fn owner(rng: &mut Rng) -> String {
    let mut owner = String::new();
    for _ in 0..2 + rng.below(2) {
        owner.push_str(rng.pick(SYLLABLES));
    }
    if rng.below(3) == 0 {
        owner.push_str(&rng.below(100).to_string());
    }
    owner
}

/// Up to 100 characters (the registry's limit), cut at a word.
fn description(rng: &mut Rng, topic: &str, other: &str) -> String {
    let text = match rng.below(4) {
        0 => format!(
            "{} MCP server for {}: {} {} and {} {}.",
            rng.pick(ADJECTIVES),
            capitalise(topic),
            rng.pick(VERBS),
            rng.pick(OBJECTS),
            rng.pick(VERBS),
            rng.pick(OBJECTS)
        ),
        1 => format!(
            "Lets AI assistants {} {} in {} through the {} API.",
            rng.pick(VERBS),
            rng.pick(OBJECTS),
            capitalise(topic),
            capitalise(other)
        ),
        2 => format!(
            "{} {} {} with natural language; {} {} from {}.",
            capitalise(rng.pick(VERBS)),
            capitalise(topic),
            rng.pick(OBJECTS),
            rng.pick(VERBS),
            rng.pick(OBJECTS),
            capitalise(other)
        ),
        _ => format!(
            "Connect {} to {}: {} {}, {} {} and {} {}.",
            capitalise(topic),
            capitalise(other),
            rng.pick(VERBS),
            rng.pick(OBJECTS),
            rng.pick(VERBS),
            rng.pick(OBJECTS),
            rng.pick(VERBS),
            rng.pick(OBJECTS)
        ),
    };
    if text.len() <= 100 {
        return text;
    }
    let cut = text[..100].rfind(' ').unwrap_or(100);
    text[..cut].to_owned()
}

fn environment(rng: &mut Rng, topic: &str) -> Vec<Value> {
    let upper = topic.to_uppercase();
    let mut vars = vec![json!({
        "name": format!("{upper}_API_KEY"),
        "description": format!("API key for {}; create one in your account settings.", capitalise(topic)),
        "isRequired": true,
        "isSecret": true,
        "format": "string"
    })];
    if rng.below(2) == 0 {
        vars.push(json!({
            "name": format!("{upper}_BASE_URL"),
            "description": format!("Base URL of the {} API, for self-hosted instances.", capitalise(topic)),
            "default": format!("https://api.{topic}.com"),
            "format": "string"
        }));
    }
    if rng.below(3) == 0 {
        vars.push(json!({
            "name": "LOG_LEVEL",
            "description": "Logging verbosity.",
            "default": "info",
            "choices": ["debug", "info", "warn", "error"]
        }));
    }
    vars
}

fn package(rng: &mut Rng, owner: &str, repo: &str, topic: &str, version: &str) -> Value {
    let (registry, identifier, hint) = match rng.below(4) {
        0 | 1 => ("npm", format!("@{owner}/{repo}"), "npx"),
        2 => ("pypi", format!("{repo}-{owner}"), "uvx"),
        _ => ("oci", format!("ghcr.io/{owner}/{repo}:{version}"), "docker"),
    };
    let mut package = json!({
        "registryType": registry,
        "identifier": identifier,
        "runtimeHint": hint,
        "transport": { "type": "stdio" },
        "environmentVariables": environment(rng, topic),
    });
    if registry != "oci" {
        package["version"] = json!(version);
    }
    if rng.below(2) == 0 {
        package["packageArguments"] = json!([
            {"type": "named", "name": "--read-only", "description": "Refuse every write.", "isRequired": false, "format": "boolean"},
            {"type": "named", "name": "--timeout", "description": "Request timeout in seconds.", "default": "30", "format": "number"}
        ]);
    }
    package
}

fn remote(rng: &mut Rng, owner: &str, repo: &str, topic: &str) -> Value {
    let kind = if rng.below(3) == 0 {
        "sse"
    } else {
        "streamable-http"
    };
    let mut remote = json!({ "type": kind, "url": format!("https://mcp.{owner}.dev/{repo}/{}", if kind == "sse" { "sse" } else { "mcp" }) });
    if rng.below(2) == 0 {
        remote["headers"] = json!([{
            "name": "Authorization",
            "description": format!("Bearer token for {}.", capitalise(topic)),
            "isRequired": true,
            "isSecret": true
        }]);
    }
    remote
}

/// `count` registry entries (the API's response shape), one version per server, serialized.
/// Server `i` was last updated at `START - count + i`.
pub(crate) fn generate(count: usize, seed: u64) -> Vec<String> {
    let mut rng = Rng::new(seed);
    let mut names = HashSet::with_capacity(count);
    (0..count)
        .map(|i| {
            let topic = rng.topic();
            let other = rng.topic();
            let kind = rng.pick(KINDS);
            let owner = owner(&mut rng);
            let repo = if rng.below(3) == 0 {
                format!("{topic}-{other}-{kind}")
            } else {
                format!("{topic}-{kind}")
            };
            let namespace = rng.pick(NAMESPACES);
            let mut name = format!("{namespace}.{owner}/{repo}");
            let mut n = 2;
            while !names.insert(name.clone()) {
                name = format!("{namespace}.{owner}/{repo}-{n}");
                n += 1;
            }
            let version = format!("{}.{}.{}", rng.below(3), rng.below(20), rng.below(10));
            let mut server = json!({
                "$schema": "https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json",
                "name": name,
                "title": format!("{} {}", capitalise(topic), capitalise(kind)),
                "description": description(&mut rng, topic, other),
                "repository": { "url": format!("https://github.com/{owner}/{repo}"), "source": "github" },
                "websiteUrl": format!("https://{owner}.dev/{repo}"),
                "version": version,
            });
            let packages: Vec<Value> = (0..rng.below(3))
                .map(|_| package(&mut rng, &owner, &repo, topic, &version))
                .collect();
            let remotes: Vec<Value> = (0..usize::from(packages.is_empty()) + rng.below(2))
                .map(|_| remote(&mut rng, &owner, &repo, topic))
                .collect();
            if !packages.is_empty() {
                server["packages"] = Value::Array(packages);
            }
            if !remotes.is_empty() {
                server["remotes"] = Value::Array(remotes);
            }
            let updated = stamp(START - count as i64 + i as i64);
            let published = stamp(START - 2 * count as i64 + i as i64);
            json!({
                "server": server,
                "_meta": { "io.modelcontextprotocol.registry/official": {
                    "status": "active",
                    "statusChangedAt": published,
                    "publishedAt": published,
                    "updatedAt": updated,
                    "isLatest": true
                }}
            })
            .to_string()
        })
        .collect()
}

pub(crate) fn stamp(seconds: i64) -> String {
    Timestamp::from_unix_seconds(seconds).to_string()
}

pub(crate) fn parse(text: &str) -> ServerResponse {
    serde_json::from_str(text).expect("a generated entry parses")
}

/// A catalog of one source holding `docs`.
pub(crate) fn catalog(docs: &[String]) -> Catalog {
    let mut catalog = Catalog::new();
    catalog.add_source(SOURCE);
    let at = Timestamp::from_unix_seconds(START);
    for doc in docs {
        catalog
            .upsert(SOURCE, &parse(doc), at)
            .expect("the source exists");
    }
    catalog
}
