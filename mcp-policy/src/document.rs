//! The policy document: our own JSON format, so every type refuses unknown fields.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::diagnostic::{Diagnostic, Diagnostics, PolicyError, from_value, parse_value};
use mcp_registry_types::TransportType;

use crate::request::{Action, transport_serde};

/// The outcome a rule asks for, and the outcome of a decision.
///
/// Deliberately exhaustive: a caller that matches on it should break if an outcome is added.
#[derive(
    Clone, Copy, Debug, Deserialize, Eq, Hash, JsonSchema, Ord, PartialEq, PartialOrd, Serialize,
)]
#[serde(rename_all = "camelCase")]
pub enum Effect {
    /// Go ahead.
    Allow,
    /// Go ahead only after a person approves.
    Ask,
    /// Refuse.
    Deny,
}

impl Effect {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Allow => "allow",
            Self::Ask => "ask",
            Self::Deny => "deny",
        }
    }
}

impl std::fmt::Display for Effect {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A policy document: rules, roles and defaults for one layer.
///
/// A host that layers several documents (managed, project, user, ...) passes them to
/// `CompiledPolicy::compile_layers` in its own ranking.
#[non_exhaustive]
#[derive(Clone, Debug, Default, Deserialize, JsonSchema, PartialEq, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Policy {
    /// The schema the document claims to follow; ignored by the evaluator.
    #[serde(rename = "$schema", default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// The effect when no rule applies. Deny unless set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_effect: Option<Effect>,
    /// When true, allow and ask rules in lower-ranked layers are ignored: lower layers can only
    /// add denies, never widen this layer's allowlist.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub lock_allowlist: bool,
    /// When set, the layer's rules apply only to principals of this tenant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant: Option<String>,
    /// Role definitions, by name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub roles: BTreeMap<String, RoleSpec>,
    /// Directory groups, each granting roles.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub groups: BTreeMap<String, Vec<String>>,
    /// The rules. Their order only decides which rule is named when several give the same
    /// effect.
    #[serde(default)]
    pub rules: Vec<Rule>,
}

impl Policy {
    /// An empty policy: everything is denied.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a rule.
    pub fn with_rule(mut self, rule: Rule) -> Self {
        self.rules.push(rule);
        self
    }

    /// Sets the default effect.
    pub fn with_default_effect(mut self, effect: Effect) -> Self {
        self.default_effect = Some(effect);
        self
    }

    /// Parses a policy document, reporting every rule that fails to parse.
    ///
    /// # Errors
    ///
    /// Returns [`PolicyError::Invalid`] with one diagnostic per malformed rule, role or field,
    /// each with its JSON path.
    pub fn from_json(bytes: &[u8]) -> Result<Self, PolicyError> {
        let value = parse_value(bytes).map_err(PolicyError::single)?;
        Self::from_value(&value)
    }

    /// Like [`Policy::from_json`], from a parsed value.
    ///
    /// # Errors
    ///
    /// As [`Policy::from_json`].
    pub fn from_value(value: &serde_json::Value) -> Result<Self, PolicyError> {
        match from_value::<Self>(value, "") {
            Ok(policy) => Ok(policy),
            Err(first) => Err(PolicyError::Invalid(Diagnostics::new(
                collect_parse_errors(value, first),
            ))),
        }
    }

    /// Everything but the rules, which the hash streams one by one.
    pub(crate) fn clone_without_rules(&self) -> Self {
        Self {
            schema: self.schema.clone(),
            default_effect: self.default_effect,
            lock_allowlist: self.lock_allowlist,
            tenant: self.tenant.clone(),
            roles: self.roles.clone(),
            groups: self.groups.clone(),
            rules: Vec::new(),
        }
    }

    /// Serializes the policy as pretty JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// The JSON Schema of policy documents, as published in `policy.schema.json`.
    pub fn json_schema() -> String {
        let schema = schemars::schema_for!(Policy);
        let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
        text.push('\n');
        text
    }
}

/// serde stops at the first error; to report them all, parse each rule and role on its own, then
/// the rest of the document with those parts emptied. The parts that did parse are then compiled,
/// with placeholders keeping every rule at its index, so that a bad glob in one rule is reported
/// alongside a typo in another.
fn collect_parse_errors(value: &serde_json::Value, first: Diagnostic) -> Vec<Diagnostic> {
    let Some(object) = value.as_object() else {
        return vec![first];
    };
    let mut errors = Vec::new();
    let mut rest = object.clone();
    let mut rules = Vec::new();
    if let Some(items) = object.get("rules").and_then(|r| r.as_array()) {
        for (i, rule) in items.iter().enumerate() {
            match from_value::<Rule>(rule, &format!("/rules/{i}")) {
                Ok(rule) => rules.push(rule),
                Err(err) => {
                    errors.push(err);
                    rules.push(Rule::new(format!("\u{0}unparsed-{i}"), Effect::Deny));
                }
            }
        }
        rest.insert("rules".into(), serde_json::Value::Array(Vec::new()));
    }
    let mut role_specs = BTreeMap::new();
    if let Some(items) = object.get("roles").and_then(|r| r.as_object()) {
        for (name, role) in items {
            let base = format!("/roles/{}", crate::diagnostic::escape_pointer(name));
            match from_value::<RoleSpec>(role, &base) {
                Ok(role) => role_specs.insert(name.clone(), role),
                Err(err) => {
                    errors.push(err);
                    role_specs.insert(name.clone(), RoleSpec::default())
                }
            };
        }
        rest.insert(
            "roles".into(),
            serde_json::Value::Object(serde_json::Map::new()),
        );
    }
    match from_value::<Policy>(&serde_json::Value::Object(rest), "") {
        Ok(mut partial) => {
            partial.rules = rules;
            partial.roles = role_specs;
            if let Err(PolicyError::Invalid(found)) = partial.compile() {
                errors.extend(found.errors().cloned());
            }
        }
        Err(err) => errors.push(err),
    }
    if errors.is_empty() {
        errors.push(first);
    }
    errors
}

/// A role: a name rules can grant to, which may inherit other roles.
#[non_exhaustive]
#[derive(Clone, Debug, Default, Deserialize, JsonSchema, PartialEq, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RoleSpec {
    /// Roles whose grants this role also receives. A cycle is a compile error.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub inherits: Vec<String>,
    /// What the role is for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

impl RoleSpec {
    /// A role inheriting the given roles.
    pub fn inheriting<I: IntoIterator<Item = S>, S: Into<String>>(roles: I) -> Self {
        Self {
            inherits: roles.into_iter().map(Into::into).collect(),
            description: None,
        }
    }
}

/// One rule: when every clause of `match` holds, at least one `anyOf` entry holds (if any are
/// given), and no `except` entry holds, the rule applies with its effect.
#[non_exhaustive]
#[derive(Clone, Debug, Deserialize, JsonSchema, PartialEq, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Rule {
    /// A name for audit records, unique in its layer.
    pub id: String,
    /// What the rule decides.
    pub effect: Effect,
    /// Why, in words for the person refused or asked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Conditions that must all hold.
    #[serde(rename = "match", default)]
    pub conditions: Match,
    /// Alternatives, of which one must hold when any are given.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub any_of: Vec<Match>,
    /// Exceptions: the rule does not apply when any of them holds.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub except: Vec<Match>,
    /// What the host must do when this rule decides.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub obligations: Vec<Obligation>,
    /// A call budget; once spent, the rule denies instead.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quota: Option<Quota>,
}

impl Rule {
    /// A rule that applies to every request.
    pub fn new(id: impl Into<String>, effect: Effect) -> Self {
        Self {
            id: id.into(),
            effect,
            reason: None,
            conditions: Match::default(),
            any_of: Vec::new(),
            except: Vec::new(),
            obligations: Vec::new(),
            quota: None,
        }
    }

    /// Sets the conditions.
    pub fn with_match(mut self, conditions: Match) -> Self {
        self.conditions = conditions;
        self
    }

    /// Sets the reason.
    pub fn with_reason(mut self, reason: impl Into<String>) -> Self {
        self.reason = Some(reason.into());
        self
    }

    /// Adds an alternative.
    pub fn with_any_of(mut self, alternative: Match) -> Self {
        self.any_of.push(alternative);
        self
    }

    /// Adds an exception.
    pub fn with_except(mut self, exception: Match) -> Self {
        self.except.push(exception);
        self
    }

    /// Adds an obligation.
    pub fn with_obligation(mut self, obligation: Obligation) -> Self {
        self.obligations.push(obligation);
        self
    }

    /// Sets a quota.
    pub fn with_quota(mut self, quota: Quota) -> Self {
        self.quota = Some(quota);
        self
    }
}

/// Conditions on a request. Every clause that is present must hold; an absent clause matches
/// anything. List clauses hold when any listed value matches.
#[non_exhaustive]
#[derive(Clone, Debug, Default, Deserialize, JsonSchema, PartialEq, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Match {
    /// Actions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<Vec<Action>>,
    /// Registry names, exact or glob (`io.github.acme/*`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_name: Option<Vec<String>>,
    /// The host's label for the server, exact or glob; falls back to the registry name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_label: Option<Vec<String>>,
    /// Namespaces (the part of the name before `/`), exact or glob.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<Vec<String>>,
    /// A semver requirement on the server version (`>=1.2, <2`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Registry statuses.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<Vec<String>>,
    /// Registry base URLs the entry may come from, compared as a client reads them (case,
    /// default port, trailing slashes and dot segments do not matter); a request whose registry
    /// URL cannot be read does not satisfy the clause's rule, which denies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registry: Option<Vec<String>>,
    /// Package registry types (`npm`, `pypi`, `oci`, `nuget`, `mcpb`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registry_type: Option<Vec<String>>,
    /// Package identifiers, exact or glob.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub package_identifier: Option<Vec<String>>,
    /// Transports (`stdio`, `streamable-http`, `sse`; `http`, hosts' word, is `streamable-http`).
    #[serde(
        default,
        deserialize_with = "transport_serde::list",
        skip_serializing_if = "Option::is_none"
    )]
    pub transport: Option<Vec<TransportType>>,
    /// Remote URL patterns with `*` wildcards (`https://*.example.com/*`,
    /// `http://localhost:*/*`). A pattern is compared part by part with the URL a client reads:
    /// `*` matches within the scheme, host, port or path it stands in, hosts compare in the
    /// client's normal form (case, punycode, IPv4 number forms, a trailing dot), a pattern without
    /// a port means the scheme's default and one without a path any path. A remote URL that a
    /// client and the registry's Go parser read differently cannot be judged, and the rule
    /// denies. A server with several remotes is judged on each.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remote_url: Option<Vec<String>>,
    /// Exact stdio command lines, program first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command: Option<Vec<Vec<String>>>,
    /// Tool names, exact or glob.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool: Option<Vec<String>>,
    /// Tool annotations, read with the protocol's conservative defaults.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool_annotations: Option<AnnotationMatch>,
    /// Pinned tool-definition digests.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool_digest: Option<Vec<String>>,
    /// Principal identifiers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub users: Option<Vec<String>>,
    /// Principal groups.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub groups: Option<Vec<String>>,
    /// Roles, held directly, through a group, or by inheritance.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub roles: Option<Vec<String>>,
    /// Principal tenants.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant: Option<Vec<String>>,
    /// Configuration scopes the server came from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<Vec<String>>,
    /// Principal attributes: each key must be present with one of the listed values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attributes: Option<BTreeMap<String, Vec<String>>>,
    /// Whether validation found no errors in the entry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub validation_clean: Option<bool>,
    /// Whether every package pins an exact version (and MCPB files a `fileSha256`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub package_pinned: Option<bool>,
    /// Whether the remote URL uses `https`, as a client reads it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub https_only: Option<bool>,
    /// Whether the remote targets a private network: a loopback, private, link-local, shared
    /// (CGNAT), benchmarking, multicast, reserved or unspecified address (IPv4 embedded in IPv6
    /// included), `localhost`, a cloud metadata name, or a host whose resolved addresses (the
    /// request's `resolvedAddresses`) include any of those.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub private_network: Option<bool>,
    /// Whether the server's command, arguments, `env` values, remote URLs or header values hold
    /// an environment variable reference (`${VAR}`, `$VAR`) that the host expands.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variable_reference: Option<bool>,
    /// A time window, judged from the request's time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time: Option<TimeWindow>,
}

/// Builder methods for the list clauses: each sets the clause to the values given.
macro_rules! list_clauses {
    ($($method:ident => $field:ident: $item:ty, $wire:literal;)*) => {
        $(
            #[doc = concat!("Sets `", $wire, "`.")]
            pub fn $method<I, T>(mut self, values: I) -> Self
            where
                I: IntoIterator<Item = T>,
                T: Into<$item>,
            {
                self.$field = Some(values.into_iter().map(Into::into).collect());
                self
            }
        )*
    };
}

/// Builder methods for the yes-or-no clauses.
macro_rules! flag_clauses {
    ($($method:ident => $field:ident, $wire:literal;)*) => {
        $(
            #[doc = concat!("Sets `", $wire, "`.")]
            pub fn $method(mut self, value: bool) -> Self {
                self.$field = Some(value);
                self
            }
        )*
    };
}

/// Conditions built in code, clause by clause:
///
/// ```
/// use mcp_policy::{Action, Effect, Match, Policy, Rule};
///
/// let rule = Rule::new("vendor-remotes", Effect::Allow).with_match(
///     Match::new()
///         .with_action([Action::Connect, Action::CallTool])
///         .with_remote_url(["https://*.vendor.example/*"])
///         .with_roles(["developer"])
///         .with_https_only(true),
/// );
/// let mut policy = Policy::new().with_rule(rule);
/// policy.roles.insert("developer".into(), Default::default());
/// assert!(policy.compile().is_ok());
/// ```
impl Match {
    /// No conditions: matches every request.
    pub fn new() -> Self {
        Self::default()
    }

    list_clauses! {
        with_action => action: Action, "action";
        with_server_name => server_name: String, "serverName";
        with_server_label => server_label: String, "serverLabel";
        with_namespace => namespace: String, "namespace";
        with_status => status: String, "status";
        with_registry => registry: String, "registry";
        with_registry_type => registry_type: String, "registryType";
        with_package_identifier => package_identifier: String, "packageIdentifier";
        with_transport => transport: TransportType, "transport";
        with_remote_url => remote_url: String, "remoteUrl";
        with_tool => tool: String, "tool";
        with_tool_digest => tool_digest: String, "toolDigest";
        with_users => users: String, "users";
        with_groups => groups: String, "groups";
        with_roles => roles: String, "roles";
        with_tenant => tenant: String, "tenant";
        with_scope => scope: String, "scope";
    }

    flag_clauses! {
        with_validation_clean => validation_clean, "validationClean";
        with_package_pinned => package_pinned, "packagePinned";
        with_https_only => https_only, "httpsOnly";
        with_private_network => private_network, "privateNetwork";
        with_variable_reference => variable_reference, "variableReference";
    }

    /// Sets `version`, a semver requirement such as `>=1.2, <2`.
    pub fn with_version(mut self, requirement: impl Into<String>) -> Self {
        self.version = Some(requirement.into());
        self
    }

    /// Adds a command line to `command`, program first.
    pub fn with_command<I, S>(mut self, argv: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.command
            .get_or_insert_with(Vec::new)
            .push(argv.into_iter().map(Into::into).collect());
        self
    }

    /// Sets `toolAnnotations`.
    pub fn with_tool_annotations(mut self, annotations: AnnotationMatch) -> Self {
        self.tool_annotations = Some(annotations);
        self
    }

    /// Requires the principal attribute `key` to hold one of `values`.
    pub fn with_attribute<I, S>(mut self, key: impl Into<String>, values: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.attributes
            .get_or_insert_with(BTreeMap::new)
            .insert(key.into(), values.into_iter().map(Into::into).collect());
        self
    }

    /// Sets `time`.
    pub fn with_time(mut self, window: TimeWindow) -> Self {
        self.time = Some(window);
        self
    }
}

/// Conditions on tool annotations; absent hints take their conservative defaults.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, Default, Deserialize, Eq, JsonSchema, PartialEq, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AnnotationMatch {
    /// `readOnlyHint`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_only: Option<bool>,
    /// `destructiveHint`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destructive: Option<bool>,
    /// `idempotentHint`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idempotent: Option<bool>,
    /// `openWorldHint`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub open_world: Option<bool>,
}

/// A window of time, in seconds since the Unix epoch; both ends inclusive.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, Default, Deserialize, Eq, JsonSchema, PartialEq, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TimeWindow {
    /// The first second the window holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_before: Option<u64>,
    /// The last second the window holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_after: Option<u64>,
}

/// N calls per window, judged from the caller's usage counter.
#[non_exhaustive]
#[derive(Clone, Debug, Deserialize, Eq, JsonSchema, PartialEq, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Quota {
    /// The usage counter to read from the request.
    pub counter: String,
    /// Calls allowed per window.
    pub limit: u64,
    /// The window length in seconds.
    pub window_seconds: u64,
}

impl Quota {
    /// A quota of `limit` calls per `window_seconds` on `counter`.
    pub fn new(counter: impl Into<String>, limit: u64, window_seconds: u64) -> Self {
        Self {
            counter: counter.into(),
            limit,
            window_seconds,
        }
    }
}

/// Something the host must do when it acts on a decision.
#[non_exhaustive]
#[derive(Clone, Debug, Deserialize, Eq, Hash, JsonSchema, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "camelCase", deny_unknown_fields)]
pub enum Obligation {
    /// Bind the approval to a digest of the call's arguments, so it cannot be replayed with other
    /// arguments.
    BindArgumentsDigest,
    /// Ask the person for a written justification.
    RequireJustification,
    /// Record the call in the host's audit log.
    Audit,
    /// Tell someone.
    #[serde(rename_all = "camelCase")]
    Notify {
        /// Where to send the notice, in the host's vocabulary.
        channel: String,
    },
    /// Count this call against a usage counter.
    #[serde(rename_all = "camelCase")]
    CountUsage {
        /// The counter name.
        counter: String,
    },
}
