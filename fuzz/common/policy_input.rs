//! Structured input for the `policy_differential` target: up to three policy layers and one
//! request, drawn from small vocabularies so that rules and requests actually meet.
//!
//! Shared by `fuzz/fuzz_targets/policy_differential.rs` and `mcp-policy/tests/fuzz_replay.rs`
//! (both include this file with `#[path]`), so that a stable `cargo test` decodes a corpus file
//! exactly as the fuzzer did.

use arbitrary::Arbitrary;
use mcp_policy::fuzzing::check_differential_values;
use mcp_policy::{CompiledPolicy, Layer, Policy, Request};
use serde_json::{Map, Value, json};

const NAMES: &[&str] = &[
    "io.github.acme/weather",
    "io.github.acme/notes",
    "io.github.github/github-mcp-server",
    "com.example/weather",
    "com.example/build-meta",
    "",
];
const NAME_GLOBS: &[&str] = &[
    "io.github.*",
    "io.github.acme/*",
    "*",
    "io.github.acme/weather",
    "com.example/?eather",
    "[a-z]*",
    "*/weather",
    "*weather*",
    "[!i]*",
    "io.github.*/notes",
];
const NAMESPACES: &[&str] = &["io.github.acme", "io.github.*", "com.example", "*"];
const LABELS: &[&str] = &["weather", "notes", "github", "weath*", "*"];
const VERSIONS: &[&str] = &[
    "1.0.0",
    "0.9.1",
    "2.0.0-rc.1",
    "1.0.0+build",
    "latest",
    "v1",
];
const VERSION_REQS: &[&str] = &[
    ">=1",
    "<1.0.0",
    "^0.9",
    "=1.0.0",
    "*",
    ">=1, <2",
    "~2.0.0-rc.0",
];
const STATUSES: &[&str] = &["active", "deprecated", "deleted", "*"];
const REGISTRIES: &[&str] = &[
    "https://registry.modelcontextprotocol.io",
    "https://registry.example.com",
    "https://*",
];
const REGISTRY_TYPES: &[&str] = &["npm", "pypi", "oci", "nuget", "mcpb"];
const PACKAGES: &[&str] = &[
    "@acme/weather",
    "weather-mcp",
    "ghcr.io/acme/notes:1.0",
    "@acme/*",
];
const TRANSPORTS: &[&str] = &["stdio", "streamable-http", "sse", "websocket"];
const URLS: &[&str] = &[
    "https://mcp.example.com/mcp",
    "http://mcp.example.com/mcp",
    "https://Mcp.Example.com./mcp",
    "https://user@evil.test/mcp",
    "http://127.0.0.1:8080/",
    "http://169.254.169.254/latest",
    "https://[::1]/x",
    "https://api.githubcopilot.com/mcp/",
    "not a url",
    "https://evil.test\\@mcp.example.com/mcp",
    "http://169.254.169.254\\@mcp.example.com/",
    "https:mcp.example.com/mcp",
    " https://mcp.example.com/mcp",
    "https://mcp.exa\tmple.com/mcp",
    "https://mcp%2Eexample.com/",
    "https://\u{ff4d}cp.example.com/mcp",
    "https://a.b.vendor.example/mcp",
    "http://0x7f.1/",
    "http://[::ffff:10.0.0.1]/",
    "http://[fe80::1%25eth0]/",
    "https://mcp.example.com:0443/x/../mcp",
];
const URL_PATTERNS: &[&str] = &[
    "https://mcp.example.com/*",
    "https://*.example.com/*",
    "*://mcp.example.com",
    "https://api.githubcopilot.com/*",
    "http://*",
    "*",
    "https://*.vendor.example/*",
    "https://*.b.vendor.example/mcp",
    "http://localhost:*/*",
];
const COMMANDS: &[&str] = &["npx", "-y", "@acme/weather", "uvx", "*", "."];
const TOOLS: &[&str] = &[
    "forecast",
    "search_docs",
    "delete_repo",
    "get_issue",
    "search_*",
    "*",
];
const DIGESTS: &[&str] = &["sha256:aa", "sha256:bb"];
const USERS: &[&str] = &["alice", "bob", "ci-bot"];
const GROUPS: &[&str] = &["eng", "platform", "ops"];
const ROLES: &[&str] = &["developer", "admin", "auditor", "guest"];
const TENANTS: &[&str] = &["acme", "example"];
const SCOPES: &[&str] = &["managed", "project", "user", "local"];
const KEYS: &[&str] = &["department", "clearance"];
const VALUES: &[&str] = &["r&d", "secret", "*"];
const COUNTERS: &[&str] = &["calls", "search-per-user"];
const LAYERS: &[&str] = &["managed", "project", "user"];
const ACTIONS: &[&str] = &[
    "discover",
    "connect",
    "listTools",
    "callTool",
    "readResource",
    "getPrompt",
];
const EFFECTS: &[&str] = &["allow", "ask", "deny"];

/// A word from a vocabulary, or any string.
#[derive(Arbitrary, Debug)]
pub enum Word {
    Known(u8),
    Raw(String),
}

impl Word {
    fn pick(&self, vocabulary: &[&str]) -> Value {
        match self {
            Self::Known(i) => Value::from(vocabulary[usize::from(*i) % vocabulary.len()]),
            Self::Raw(s) => Value::from(s.as_str()),
        }
    }
}

fn words(list: &[Word], vocabulary: &[&str]) -> Value {
    list.iter().map(|w| w.pick(vocabulary)).collect()
}

fn pick(i: u8, vocabulary: &[&str]) -> Value {
    Value::from(vocabulary[usize::from(i) % vocabulary.len()])
}

/// Inserts `key` when the value is present.
fn put(object: &mut Map<String, Value>, key: &str, value: Option<Value>) {
    if let Some(value) = value {
        object.insert(key.to_owned(), value);
    }
}

#[derive(Arbitrary, Debug)]
pub struct PolicyInput {
    layers: Vec<LayerInput>,
    request: RequestInput,
}

#[derive(Arbitrary, Debug)]
struct LayerInput {
    default_effect: Option<u8>,
    lock_allowlist: bool,
    tenant: Option<Word>,
    roles: Vec<(u8, Vec<u8>)>,
    groups: Vec<(u8, Vec<u8>)>,
    rules: Vec<RuleInput>,
}

#[derive(Arbitrary, Debug)]
struct RuleInput {
    id: u8,
    effect: u8,
    conditions: MatchInput,
    any_of: Vec<MatchInput>,
    except: Vec<MatchInput>,
    quota: Option<(u8, u8, u16)>,
    obligations: Vec<(u8, u8)>,
}

#[derive(Arbitrary, Debug)]
struct MatchInput {
    action: Option<Vec<u8>>,
    server_name: Option<Vec<Word>>,
    server_label: Option<Vec<Word>>,
    namespace: Option<Vec<Word>>,
    version: Option<Word>,
    status: Option<Vec<Word>>,
    registry: Option<Vec<Word>>,
    registry_type: Option<Vec<Word>>,
    package_identifier: Option<Vec<Word>>,
    transport: Option<Vec<Word>>,
    remote_url: Option<Vec<Word>>,
    command: Option<Vec<Vec<Word>>>,
    tool: Option<Vec<Word>>,
    tool_annotations: Option<[Option<bool>; 4]>,
    tool_digest: Option<Vec<Word>>,
    users: Option<Vec<Word>>,
    groups: Option<Vec<Word>>,
    roles: Option<Vec<Word>>,
    tenant: Option<Vec<Word>>,
    scope: Option<Vec<Word>>,
    attributes: Option<Vec<(u8, Vec<Word>)>>,
    validation_clean: Option<bool>,
    package_pinned: Option<bool>,
    https_only: Option<bool>,
    private_network: Option<bool>,
    time: Option<(Option<u8>, Option<u8>)>,
}

#[derive(Arbitrary, Debug)]
struct RequestInput {
    user: Word,
    groups: Vec<Word>,
    roles: Vec<Word>,
    tenant: Option<Word>,
    attributes: Vec<(u8, Word)>,
    action: u8,
    name: Word,
    label: Option<Word>,
    version: Option<Word>,
    status: Option<Word>,
    registry: Option<Word>,
    packages: Vec<(Word, Word, Option<Word>, Option<Word>)>,
    remotes: Vec<(Word, Word)>,
    command: Option<Vec<Word>>,
    validation_clean: bool,
    tool: Option<(Word, [Option<bool>; 4], Option<Word>)>,
    scope: Option<Word>,
    time: Option<u8>,
    usage: Vec<(u8, u16, Option<u8>)>,
    remote_in_use: Option<(Word, Word)>,
    resolved: Vec<Word>,
}

const ADDRESSES: &[&str] = &[
    "93.184.216.34",
    "10.0.0.7",
    "::1",
    "64:ff9b::a9fe:a9fe",
    "2606:4700::1111",
];

/// Times are in steps of 600 s from this instant, so windows and quotas overlap often.
const EPOCH: u64 = 1_767_225_600;

fn time(step: u8) -> Value {
    Value::from(EPOCH + u64::from(step) * 600)
}

fn annotations(flags: [Option<bool>; 4], keys: [&str; 4]) -> Value {
    let mut object = Map::new();
    for (key, flag) in keys.iter().zip(flags) {
        put(&mut object, key, flag.map(Value::from));
    }
    Value::Object(object)
}

impl MatchInput {
    fn to_json(&self) -> Value {
        let mut m = Map::new();
        let list = |l: &Option<Vec<Word>>, v: &[&str]| l.as_ref().map(|l| words(l, v));
        put(
            &mut m,
            "action",
            self.action
                .as_ref()
                .map(|a| a.iter().map(|&i| pick(i, ACTIONS)).collect()),
        );
        put(&mut m, "serverName", list(&self.server_name, NAME_GLOBS));
        put(&mut m, "serverLabel", list(&self.server_label, LABELS));
        put(&mut m, "namespace", list(&self.namespace, NAMESPACES));
        put(
            &mut m,
            "version",
            self.version.as_ref().map(|w| w.pick(VERSION_REQS)),
        );
        put(&mut m, "status", list(&self.status, STATUSES));
        put(&mut m, "registry", list(&self.registry, REGISTRIES));
        put(
            &mut m,
            "registryType",
            list(&self.registry_type, REGISTRY_TYPES),
        );
        put(
            &mut m,
            "packageIdentifier",
            list(&self.package_identifier, PACKAGES),
        );
        put(&mut m, "transport", list(&self.transport, TRANSPORTS));
        put(&mut m, "remoteUrl", list(&self.remote_url, URL_PATTERNS));
        put(
            &mut m,
            "command",
            self.command
                .as_ref()
                .map(|c| c.iter().map(|argv| words(argv, COMMANDS)).collect()),
        );
        put(&mut m, "tool", list(&self.tool, TOOLS));
        put(
            &mut m,
            "toolAnnotations",
            self.tool_annotations
                .as_ref()
                .map(|a| annotations(*a, ["readOnly", "destructive", "idempotent", "openWorld"])),
        );
        put(&mut m, "toolDigest", list(&self.tool_digest, DIGESTS));
        put(&mut m, "users", list(&self.users, USERS));
        put(&mut m, "groups", list(&self.groups, GROUPS));
        put(&mut m, "roles", list(&self.roles, ROLES));
        put(&mut m, "tenant", list(&self.tenant, TENANTS));
        put(&mut m, "scope", list(&self.scope, SCOPES));
        put(
            &mut m,
            "attributes",
            self.attributes.as_ref().map(|a| {
                let map: Map<String, Value> = a
                    .iter()
                    .map(|(k, v)| {
                        (
                            KEYS[usize::from(*k) % KEYS.len()].to_owned(),
                            words(v, VALUES),
                        )
                    })
                    .collect();
                Value::Object(map)
            }),
        );
        put(
            &mut m,
            "validationClean",
            self.validation_clean.map(Value::from),
        );
        put(
            &mut m,
            "packagePinned",
            self.package_pinned.map(Value::from),
        );
        put(&mut m, "httpsOnly", self.https_only.map(Value::from));
        put(
            &mut m,
            "privateNetwork",
            self.private_network.map(Value::from),
        );
        put(
            &mut m,
            "time",
            self.time.map(|(from, to)| {
                let mut window = Map::new();
                put(&mut window, "notBefore", from.map(time));
                put(&mut window, "notAfter", to.map(time));
                Value::Object(window)
            }),
        );
        Value::Object(m)
    }
}

impl RuleInput {
    fn to_json(&self) -> Value {
        let mut rule = Map::new();
        rule.insert("id".into(), json!(format!("r{}", self.id % 16)));
        rule.insert("effect".into(), pick(self.effect, EFFECTS));
        rule.insert("match".into(), self.conditions.to_json());
        if !self.any_of.is_empty() {
            let any: Vec<Value> = self.any_of.iter().map(MatchInput::to_json).collect();
            rule.insert("anyOf".into(), any.into());
        }
        if !self.except.is_empty() {
            let except: Vec<Value> = self.except.iter().map(MatchInput::to_json).collect();
            rule.insert("except".into(), except.into());
        }
        if let Some((counter, limit, window)) = self.quota {
            rule.insert(
                "quota".into(),
                json!({
                    "counter": pick(counter, COUNTERS),
                    "limit": limit,
                    "windowSeconds": window,
                }),
            );
        }
        if !self.obligations.is_empty() {
            let obligations: Vec<Value> = self
                .obligations
                .iter()
                .map(|&(kind, arg)| match kind % 5 {
                    0 => json!({ "type": "bindArgumentsDigest" }),
                    1 => json!({ "type": "requireJustification" }),
                    2 => json!({ "type": "audit" }),
                    3 => json!({ "type": "notify", "channel": pick(arg, GROUPS) }),
                    _ => json!({ "type": "countUsage", "counter": pick(arg, COUNTERS) }),
                })
                .collect();
            rule.insert("obligations".into(), obligations.into());
        }
        Value::Object(rule)
    }
}

impl LayerInput {
    fn to_json(&self) -> Value {
        let mut layer = Map::new();
        put(
            &mut layer,
            "defaultEffect",
            self.default_effect.map(|e| pick(e, EFFECTS)),
        );
        if self.lock_allowlist {
            layer.insert("lockAllowlist".into(), true.into());
        }
        put(
            &mut layer,
            "tenant",
            self.tenant.as_ref().map(|t| t.pick(TENANTS)),
        );
        let role_specs: Map<String, Value> = self
            .roles
            .iter()
            .map(|(name, inherits)| {
                let inherits: Vec<Value> = inherits.iter().map(|&i| pick(i, ROLES)).collect();
                (
                    ROLES[usize::from(*name) % ROLES.len()].to_owned(),
                    json!({ "inherits": inherits }),
                )
            })
            .collect();
        layer.insert("roles".into(), role_specs.into());
        let groups: Map<String, Value> = self
            .groups
            .iter()
            .map(|(name, grants)| {
                let grants: Vec<Value> = grants.iter().map(|&i| pick(i, ROLES)).collect();
                (
                    GROUPS[usize::from(*name) % GROUPS.len()].to_owned(),
                    grants.into(),
                )
            })
            .collect();
        layer.insert("groups".into(), groups.into());
        let rule_list: Vec<Value> = self.rules.iter().map(RuleInput::to_json).collect();
        layer.insert("rules".into(), rule_list.into());
        Value::Object(layer)
    }
}

impl RequestInput {
    fn principal(&self) -> Value {
        let mut principal = Map::new();
        principal.insert("id".into(), self.user.pick(USERS));
        principal.insert("groups".into(), words(&self.groups, GROUPS));
        principal.insert("roles".into(), words(&self.roles, ROLES));
        put(
            &mut principal,
            "tenant",
            self.tenant.as_ref().map(|t| t.pick(TENANTS)),
        );
        let attributes: Map<String, Value> = self
            .attributes
            .iter()
            .map(|(k, v)| {
                (
                    KEYS[usize::from(*k) % KEYS.len()].to_owned(),
                    v.pick(VALUES),
                )
            })
            .collect();
        principal.insert("attributes".into(), attributes.into());
        Value::Object(principal)
    }

    fn server(&self) -> Value {
        let mut server = Map::new();
        server.insert("name".into(), self.name.pick(NAMES));
        put(
            &mut server,
            "label",
            self.label.as_ref().map(|w| w.pick(LABELS)),
        );
        put(
            &mut server,
            "version",
            self.version.as_ref().map(|w| w.pick(VERSIONS)),
        );
        put(
            &mut server,
            "status",
            self.status.as_ref().map(|w| w.pick(STATUSES)),
        );
        put(
            &mut server,
            "registry",
            self.registry.as_ref().map(|w| w.pick(REGISTRIES)),
        );
        let packages: Vec<Value> = self
            .packages
            .iter()
            .map(|(kind, identifier, version, transport)| {
                let mut package = Map::new();
                package.insert("registryType".into(), kind.pick(REGISTRY_TYPES));
                package.insert("identifier".into(), identifier.pick(PACKAGES));
                put(
                    &mut package,
                    "version",
                    version.as_ref().map(|w| w.pick(VERSIONS)),
                );
                put(
                    &mut package,
                    "transport",
                    transport.as_ref().map(|w| w.pick(TRANSPORTS)),
                );
                Value::Object(package)
            })
            .collect();
        server.insert("packages".into(), packages.into());
        let remotes: Vec<Value> = self
            .remotes
            .iter()
            .map(|(kind, url)| json!({ "type": kind.pick(TRANSPORTS), "url": url.pick(URLS) }))
            .collect();
        server.insert("remotes".into(), remotes.into());
        put(
            &mut server,
            "command",
            self.command.as_ref().map(|c| words(c, COMMANDS)),
        );
        server.insert("validationClean".into(), self.validation_clean.into());
        Value::Object(server)
    }

    fn to_json(&self) -> Value {
        let mut request = Map::new();
        request.insert("principal".into(), self.principal());
        request.insert("action".into(), pick(self.action, ACTIONS));
        request.insert("server".into(), self.server());
        put(
            &mut request,
            "tool",
            self.tool.as_ref().map(|(name, flags, digest)| {
                let mut tool = Map::new();
                tool.insert("name".into(), name.pick(TOOLS));
                tool.insert(
                    "annotations".into(),
                    annotations(
                        *flags,
                        [
                            "readOnlyHint",
                            "destructiveHint",
                            "idempotentHint",
                            "openWorldHint",
                        ],
                    ),
                );
                put(
                    &mut tool,
                    "digest",
                    digest.as_ref().map(|w| w.pick(DIGESTS)),
                );
                Value::Object(tool)
            }),
        );
        put(
            &mut request,
            "scope",
            self.scope.as_ref().map(|w| w.pick(SCOPES)),
        );
        put(&mut request, "time", self.time.map(time));
        let usage: Map<String, Value> = self
            .usage
            .iter()
            .map(|&(counter, count, start)| {
                let mut entry = Map::new();
                entry.insert("count".into(), count.into());
                put(&mut entry, "windowStart", start.map(time));
                (
                    COUNTERS[usize::from(counter) % COUNTERS.len()].to_owned(),
                    entry.into(),
                )
            })
            .collect();
        request.insert("usage".into(), usage.into());
        put(
            &mut request,
            "remote",
            self.remote_in_use
                .as_ref()
                .map(|(kind, url)| json!({ "type": kind.pick(TRANSPORTS), "url": url.pick(URLS) })),
        );
        let resolved: Vec<Value> = self.resolved.iter().map(|w| w.pick(ADDRESSES)).collect();
        request.insert("resolvedAddresses".into(), resolved.into());
        Value::Object(request)
    }
}

impl PolicyInput {
    /// The layers as policy documents, at most three, highest-ranked first.
    pub fn layers_json(&self) -> Vec<Value> {
        self.layers
            .iter()
            .take(3)
            .map(LayerInput::to_json)
            .collect()
    }

    /// The request document.
    pub fn request_json(&self) -> Value {
        self.request.to_json()
    }

    /// Compiles the layers and checks the compiled evaluator against the reference one. Inputs
    /// that do not parse or compile (a role cycle, a bad version range) are skipped: the
    /// `policy_document` target covers those paths.
    ///
    /// # Panics
    ///
    /// When the evaluators disagree, with both decisions, the policy and the request.
    pub fn check(&self) {
        let mut layers = Vec::new();
        for (name, document) in LAYERS.iter().zip(self.layers_json()) {
            let Ok(policy) = Policy::from_value(&document) else {
                return;
            };
            layers.push(Layer::new(*name, policy));
        }
        let Ok(compiled) = CompiledPolicy::compile_layers(&layers) else {
            return;
        };
        let request_json = self.request_json();
        let Ok(request) = Request::from_json(request_json.to_string().as_bytes()) else {
            return;
        };
        if let Err(disagreement) = check_differential_values(&compiled, &request) {
            panic!(
                "{disagreement}\nlayers: {}\nrequest: {request_json}",
                Value::from(self.layers_json())
            );
        }
    }
}
