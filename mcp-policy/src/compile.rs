//! Compiling policy documents: validation with every diagnostic, role closures, analysis
//! warnings, and the index that keeps evaluation cost flat.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use mcp_registry_types::glob::Glob;

use crate::diagnostic::{Diagnostic, Diagnostics, PolicyError, escape_pointer};
use crate::document::{Effect, Obligation, Policy, Quota};
use crate::hash::policy_hash;
use crate::matcher::{Clause, CompiledMatch, RoleTable, compile_match, unknown_role};

/// One layer of a layered policy: a name and a document. Pass layers highest rank first.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq)]
pub struct Layer {
    /// The name audit records use for the layer (`managed`, `project`, `user`, ...).
    pub name: String,
    /// The layer's document.
    pub policy: Policy,
}

impl Layer {
    /// A named layer.
    pub fn new(name: impl Into<String>, policy: Policy) -> Self {
        Self {
            name: name.into(),
            policy,
        }
    }
}

/// A layer borrowed for compiling.
pub(crate) struct LayerRef<'a> {
    pub(crate) name: &'a str,
    pub(crate) policy: &'a Policy,
}

#[derive(Debug)]
pub(crate) struct CompiledRule {
    pub(crate) id: Arc<str>,
    pub(crate) layer: u32,
    pub(crate) position: usize,
    pub(crate) effect: Effect,
    /// The rule's reason, or one naming the rule, made once here so decisions only clone it.
    pub(crate) reason: Arc<str>,
    pub(crate) conditions: CompiledMatch,
    pub(crate) any_of: Vec<CompiledMatch>,
    pub(crate) except: Vec<CompiledMatch>,
    pub(crate) obligations: Vec<Obligation>,
    pub(crate) quota: Option<Quota>,
    pub(crate) clauses: Arc<[Clause]>,
    /// A tenant the layer is restricted to.
    pub(crate) tenant: Option<String>,
    /// Allow and ask rules below a locked layer never apply.
    pub(crate) locked_out: Option<Arc<str>>,
    /// The source conditions, for explanations.
    pub(crate) source: crate::document::Rule,
}

#[derive(Debug)]
pub(crate) struct LayerInfo {
    pub(crate) name: Arc<str>,
    /// For the fuzz targets' reference evaluator, which applies the lock rule by rule itself.
    #[cfg_attr(
        not(feature = "fuzzing"),
        expect(dead_code, reason = "only the reference evaluator reads it")
    )]
    pub(crate) locks_allowlist: bool,
}

/// Candidate rules by the most selective attribute each rule pins down.
#[derive(Debug, Default)]
pub(crate) struct Index {
    pub(crate) by_name: FastMap<Vec<u32>>,
    pub(crate) name_prefixes: Vec<(usize, FastMap<Vec<u32>>)>,
    pub(crate) by_label: FastMap<Vec<u32>>,
    pub(crate) label_prefixes: Vec<(usize, FastMap<Vec<u32>>)>,
    pub(crate) by_host: FastMap<Vec<u32>>,
    /// Wildcard-host URL rules by a domain suffix every matching host has (`vendor.example`
    /// for `https://*.vendor.example/*`).
    pub(crate) by_host_suffix: FastMap<Vec<u32>>,
    /// Every rule filed by host, for a remote whose host cannot be read.
    pub(crate) url_rules: Vec<u32>,
    pub(crate) by_tool: FastMap<Vec<u32>>,
    pub(crate) always: Vec<u32>,
}

/// A policy ready to evaluate: validated, analysed and indexed. Share it as
/// `Arc<CompiledPolicy>`; evaluation takes `&self` and holds no state.
#[derive(Debug)]
pub struct CompiledPolicy {
    pub(crate) layers: Vec<LayerInfo>,
    pub(crate) rules: Vec<CompiledRule>,
    pub(crate) index: Index,
    pub(crate) roles: RoleTable,
    pub(crate) default_effect: Effect,
    pub(crate) default_reason: Arc<str>,
    pub(crate) hash: Arc<str>,
    pub(crate) warnings: Vec<Diagnostic>,
}

impl Policy {
    /// Compiles this document as a single layer named `policy`.
    ///
    /// # Errors
    ///
    /// Returns [`PolicyError::Invalid`] with every error and warning when any error is found.
    pub fn compile(&self) -> Result<CompiledPolicy, PolicyError> {
        // Borrowed, not cloned: compiling a large document costs no second copy of it.
        CompiledPolicy::compile_refs(&[LayerRef {
            name: "policy",
            policy: self,
        }])
    }
}

impl CompiledPolicy {
    /// Compiles layers given highest rank first. Denies from every layer count; a layer with
    /// `lockAllowlist` stops lower layers from adding allow or ask rules; the default effect is
    /// the highest-ranked layer's `defaultEffect`, or deny.
    ///
    /// # Errors
    ///
    /// Returns [`PolicyError::Invalid`] with every error and warning when any error is found.
    pub fn compile_layers(layers: &[Layer]) -> Result<Self, PolicyError> {
        let refs: Vec<LayerRef<'_>> = layers
            .iter()
            .map(|l| LayerRef {
                name: &l.name,
                policy: &l.policy,
            })
            .collect();
        Self::compile_refs(&refs)
    }

    #[expect(
        clippy::too_many_lines,
        reason = "one pass over the layers reads best in one place"
    )]
    fn compile_refs(layers: &[LayerRef<'_>]) -> Result<Self, PolicyError> {
        let mut diagnostics = Vec::new();
        let single = layers.len() == 1;
        let in_layer = |found: Vec<Diagnostic>, layer: &str, all: &mut Vec<Diagnostic>| {
            all.extend(found.into_iter().map(|d| d.in_layer(layer, single)));
        };

        // Layer names are how audit records point back; they must be unique.
        let mut seen_layers: HashMap<&str, usize> = HashMap::new();
        for (i, layer) in layers.iter().enumerate() {
            if seen_layers.insert(layer.name, i).is_some() {
                diagnostics.push(Diagnostic::error(
                    "",
                    format!("duplicate layer name `{}`", layer.name),
                ));
            }
        }

        let (role_table, role_diagnostics) = compile_roles(layers);
        for (layer, found) in role_diagnostics {
            let name = layers.get(layer).map_or("", |l| l.name);
            in_layer(found, name, &mut diagnostics);
        }

        let lock = layers.iter().position(|l| l.policy.lock_allowlist);
        let mut rules = Vec::new();
        for (layer_index, layer) in layers.iter().enumerate() {
            let mut found = Vec::new();
            let mut ids: HashMap<&str, usize> = HashMap::new();
            for (position, rule) in layer.policy.rules.iter().enumerate() {
                let path = format!("/rules/{position}");
                if rule.id.trim().is_empty() {
                    found.push(Diagnostic::error(
                        format!("{path}/id"),
                        "rule id must not be empty",
                    ));
                } else if let Some(first) = ids.insert(rule.id.as_str(), position) {
                    found.push(Diagnostic::error(
                        format!("{path}/id"),
                        format!("duplicate rule id `{}` (first at /rules/{first})", rule.id),
                    ));
                }
                let conditions = compile_match(
                    &rule.conditions,
                    &format!("{path}/match"),
                    &role_table.index,
                    &mut found,
                );
                let any_of = rule
                    .any_of
                    .iter()
                    .enumerate()
                    .map(|(i, m)| {
                        compile_match(
                            m,
                            &format!("{path}/anyOf/{i}"),
                            &role_table.index,
                            &mut found,
                        )
                    })
                    .collect();
                let except = rule
                    .except
                    .iter()
                    .enumerate()
                    .map(|(i, m)| {
                        compile_match(
                            m,
                            &format!("{path}/except/{i}"),
                            &role_table.index,
                            &mut found,
                        )
                    })
                    .collect();
                if let Some(quota) = &rule.quota {
                    if quota.window_seconds == 0 {
                        found.push(Diagnostic::error(
                            format!("{path}/quota/windowSeconds"),
                            "the window must be at least one second",
                        ));
                    }
                    if quota.counter.is_empty() {
                        found.push(Diagnostic::error(
                            format!("{path}/quota/counter"),
                            "the counter name must not be empty",
                        ));
                    }
                }
                let locked_out = match lock {
                    Some(l) if layer_index > l && rule.effect != Effect::Deny => {
                        layers.get(l).map(|locked| Arc::<str>::from(locked.name))
                    }
                    _ => None,
                };
                let mut obligations = rule.obligations.clone();
                if let Some(quota) = &rule.quota {
                    let count = Obligation::CountUsage {
                        counter: quota.counter.clone(),
                    };
                    if !obligations.contains(&count) {
                        obligations.push(count);
                    }
                }
                let clauses: Arc<[Clause]> = conditions
                    .clauses
                    .iter()
                    .copied()
                    .chain((!rule.any_of.is_empty()).then_some(Clause::AnyOf))
                    .chain(rule.quota.is_some().then_some(Clause::Quota))
                    .collect();
                rules.push(CompiledRule {
                    id: Arc::from(rule.id.as_str()),
                    layer: u32::try_from(layer_index).unwrap_or(u32::MAX),
                    position,
                    effect: rule.effect,
                    reason: Arc::from(
                        rule.reason
                            .clone()
                            .unwrap_or_else(|| format!("rule `{}` gives {}", rule.id, rule.effect)),
                    ),
                    conditions,
                    any_of,
                    except,
                    obligations,
                    quota: rule.quota.clone(),
                    clauses,
                    tenant: layer.policy.tenant.clone(),
                    locked_out,
                    source: rule.clone(),
                });
            }
            in_layer(found, layer.name, &mut diagnostics);
        }

        // Analysis reads compiled clauses, which errors may have left half-built.
        let has_errors = diagnostics.iter().any(|d| d.severity().is_error());
        let layer_names: Vec<&str> = layers.iter().map(|l| l.name).collect();
        let analysis = if has_errors {
            Vec::new()
        } else {
            analyse(&rules, &layer_names)
        };
        for (layer, found) in analysis {
            in_layer(
                found,
                layer_names.get(layer).copied().unwrap_or(""),
                &mut diagnostics,
            );
        }

        if diagnostics.iter().any(|d| d.severity().is_error()) {
            return Err(PolicyError::Invalid(Diagnostics::new(diagnostics)));
        }

        let default_effect = layers
            .iter()
            .find_map(|l| l.policy.default_effect)
            .unwrap_or(Effect::Deny);
        let index = build_index(&rules);
        Ok(Self {
            hash: Arc::from(policy_hash(layers)),
            layers: layers
                .iter()
                .map(|l| LayerInfo {
                    name: Arc::from(l.name),
                    locks_allowlist: l.policy.lock_allowlist,
                })
                .collect(),
            rules,
            index,
            roles: role_table,
            default_effect,
            default_reason: Arc::from(format!(
                "no rule applies; the default effect is {default_effect}"
            )),
            warnings: Diagnostics::new(diagnostics).iter().cloned().collect(),
        })
    }

    /// Warnings found while compiling: shadowed rules, allows a deny always overrides, rules that
    /// can never match.
    pub fn warnings(&self) -> &[Diagnostic] {
        &self.warnings
    }

    /// The stable hash of the canonical policy JSON that audit records carry (`sha256:…`).
    pub fn hash(&self) -> &str {
        &self.hash
    }

    /// The effect when no rule applies.
    pub fn default_effect(&self) -> Effect {
        self.default_effect
    }

    /// How many rules the policy has, across layers.
    pub fn rule_count(&self) -> usize {
        self.rules.len()
    }

    /// Every quota the policy's rules set, in rule order: the counters a caller keeps and
    /// passes in [`crate::Request::usage`], with each one's window. A decision that applies a
    /// quota rule carries [`crate::Obligation::CountUsage`] naming the counter to advance.
    pub fn quotas(&self) -> impl Iterator<Item = &Quota> {
        self.rules.iter().filter_map(|rule| rule.quota.as_ref())
    }

    pub(crate) fn layer_name(&self, layer: u32) -> Arc<str> {
        self.layers
            .get(layer as usize)
            .map_or_else(|| Arc::from(""), |l| Arc::clone(&l.name))
    }
}

type LayerDiagnostics = Vec<(usize, Vec<Diagnostic>)>;

/// Depth-first search with colours (0 new, 1 on the stack, 2 done), collecting cycles.
fn visit(
    node: u32,
    edges: &[Vec<u32>],
    state: &mut [u8],
    stack: &mut Vec<u32>,
    cycles: &mut Vec<Vec<u32>>,
) {
    let Some(s) = state.get_mut(node as usize) else {
        return;
    };
    match *s {
        1 => {
            if let Some(start) = stack.iter().position(|&n| n == node) {
                let mut cycle: Vec<u32> = stack.get(start..).unwrap_or_default().to_vec();
                cycle.push(node);
                cycles.push(cycle);
            }
            return;
        }
        2 => return,
        _ => *s = 1,
    }
    stack.push(node);
    for &next in edges
        .get(node as usize)
        .map(Vec::as_slice)
        .unwrap_or_default()
    {
        visit(next, edges, state, stack, cycles);
    }
    stack.pop();
    if let Some(s) = state.get_mut(node as usize) {
        *s = 2;
    }
}

#[expect(
    clippy::too_many_lines,
    reason = "merging, cycle search and closures share state"
)]
fn compile_roles(layers: &[LayerRef<'_>]) -> (RoleTable, LayerDiagnostics) {
    let mut out: LayerDiagnostics = Vec::new();
    let mut table = RoleTable::default();
    // Roles merge across layers: a name means one role everywhere.
    let mut inherits: BTreeMap<&str, Vec<(usize, &str)>> = BTreeMap::new();
    for (l, layer) in layers.iter().enumerate() {
        for (name, spec) in &layer.policy.roles {
            let entry = inherits.entry(name.as_str()).or_default();
            entry.extend(spec.inherits.iter().map(|p| (l, p.as_str())));
        }
    }
    for name in inherits.keys() {
        let id = u32::try_from(table.index.len()).unwrap_or(u32::MAX);
        table.index.insert((*name).to_owned(), id);
    }
    let mut edges: Vec<Vec<u32>> = vec![Vec::new(); table.index.len()];
    for (name, parents) in &inherits {
        let mut found = Vec::new();
        let Some(&id) = table.index.get(*name) else {
            continue;
        };
        for (l, parent) in parents {
            let path = format!("/roles/{}/inherits", escape_pointer(name));
            match table.index.get(*parent) {
                Some(&p) => {
                    if let Some(e) = edges.get_mut(id as usize) {
                        e.push(p);
                    }
                }
                None => found.push((*l, unknown_role(&path, parent, &table.index))),
            }
        }
        for (l, d) in found {
            out.push((l, vec![d]));
        }
    }
    // Cycles: depth-first search with colours, reporting each cycle once from its first role.
    let names: Vec<&str> = inherits.keys().copied().collect();
    let mut state = vec![0u8; names.len()];
    let mut stack: Vec<u32> = Vec::new();
    let mut cycles = Vec::new();
    for node in 0..names.len() {
        visit(
            u32::try_from(node).unwrap_or(u32::MAX),
            &edges,
            &mut state,
            &mut stack,
            &mut cycles,
        );
    }
    for cycle in cycles {
        let first = cycle
            .first()
            .and_then(|&n| names.get(n as usize))
            .copied()
            .unwrap_or("");
        let text: Vec<String> = cycle
            .iter()
            .filter_map(|&n| names.get(n as usize))
            .map(|n| format!("`{n}`"))
            .collect();
        let layer = layers
            .iter()
            .position(|l| l.policy.roles.contains_key(first))
            .unwrap_or(0);
        out.push((
            layer,
            vec![Diagnostic::error(
                format!("/roles/{}/inherits", escape_pointer(first)),
                format!("role inheritance cycle {}", text.join(" -> ")),
            )],
        ));
    }
    // Closures: each role holds itself and everything reachable (cycles already reported).
    let words = names.len().div_ceil(64);
    for start in 0..names.len() {
        let mut set = vec![0u64; words];
        let mut todo = vec![u32::try_from(start).unwrap_or(u32::MAX)];
        while let Some(n) = todo.pop() {
            let (w, b) = ((n / 64) as usize, n % 64);
            let Some(word) = set.get_mut(w) else { continue };
            if *word & (1 << b) != 0 {
                continue;
            }
            *word |= 1 << b;
            todo.extend(edges.get(n as usize).map(Vec::as_slice).unwrap_or_default());
        }
        // The set bits, word by word; only large tables read them (see `RoleTable::effective`).
        let mut members = Vec::new();
        if words <= 2 {
            table.closure.push(set);
            continue;
        }
        for (w, &word) in (0u32..).zip(&set) {
            let mut bits = word;
            while bits != 0 {
                members.push(w * 64 + bits.trailing_zeros());
                bits &= bits - 1;
            }
        }
        let members = members.into_boxed_slice();
        table.members.push(members);
        table.closure.push(set);
    }
    for (l, layer) in layers.iter().enumerate() {
        let mut found = Vec::new();
        for (group, roles) in &layer.policy.groups {
            let path = format!("/groups/{}", escape_pointer(group));
            for role in roles {
                match table.index.get(role) {
                    Some(&id) => table.groups.entry(group.clone()).or_default().push(id),
                    None => found.push(unknown_role(&path, role, &table.index)),
                }
            }
        }
        if !found.is_empty() {
            out.push((l, found));
        }
    }
    (table, out)
}

/// Analysis warnings: rules that can never match, rules shadowed by an earlier rule, and allows a
/// deny always overrides.
/// Rules that could cover (subsume) another, found without comparing every pair: a rule pinned to
/// exact server names can only cover rules with those names, one pinned to literal URL hosts only
/// rules with those hosts; everything else is compared with every rule.
struct Coverers<'a> {
    generic: Vec<usize>,
    by_name: HashMap<&'a str, Vec<usize>>,
    /// By [`host_keys`]: a literal host or a wildcard host's suffix.
    by_host: HashMap<(&'a str, bool), Vec<usize>>,
}

fn exact_names(m: &CompiledMatch) -> Option<Vec<&str>> {
    let names = m.server_name.as_ref().filter(|n| !n.is_empty())?;
    names.iter().map(Glob::literal).collect()
}

impl<'a> Coverers<'a> {
    fn new(rules: &'a [CompiledRule], plain: impl Fn(&CompiledRule) -> bool) -> Self {
        let mut out = Self {
            generic: Vec::new(),
            by_name: HashMap::new(),
            by_host: HashMap::new(),
        };
        for (j, rule) in rules.iter().enumerate().filter(|(_, r)| plain(r)) {
            if let Some(names) = exact_names(&rule.conditions) {
                for name in names {
                    out.by_name.entry(name).or_default().push(j);
                }
            } else if let Some(keys) = rule.conditions.remote_url.as_deref().and_then(host_keys) {
                for key in keys {
                    out.by_host.entry(key).or_default().push(j);
                }
            } else {
                out.generic.push(j);
            }
        }
        out
    }

    /// A superset of the rules that could subsume `m`, ascending.
    fn candidates(&self, m: &CompiledMatch) -> Vec<usize> {
        let mut out = self.generic.clone();
        if let Some(first) = exact_names(m).and_then(|n| n.first().copied()) {
            out.extend(
                self.by_name
                    .get(first)
                    .map(Vec::as_slice)
                    .unwrap_or_default(),
            );
        }
        let keys = m.remote_url.as_deref().and_then(host_keys);
        if let Some(first) = keys.and_then(|k| k.into_iter().next()) {
            out.extend(
                self.by_host
                    .get(&first)
                    .map(Vec::as_slice)
                    .unwrap_or_default(),
            );
        }
        out.sort_unstable();
        out.dedup();
        out
    }
}

fn analyse(rules: &[CompiledRule], layers: &[&str]) -> LayerDiagnostics {
    let mut out: LayerDiagnostics = Vec::new();
    let plain = |r: &CompiledRule| {
        r.any_of.is_empty() && r.except.is_empty() && r.quota.is_none() && r.locked_out.is_none()
    };
    let coverers = Coverers::new(rules, plain);
    for (i, rule) in rules.iter().enumerate() {
        let path = format!("/rules/{}", rule.position);
        let mut warn = |message: String| {
            out.push((
                rule.layer as usize,
                vec![Diagnostic::warning(&path, message)],
            ));
        };
        if let Some(locked) = &rule.locked_out {
            warn(format!(
                "{} rule `{}` never applies: layer `{locked}` locks its allowlist",
                rule.effect, rule.id
            ));
            continue;
        }
        if let Some((clause, why)) = rule.conditions.never_matches() {
            warn(format!(
                "rule `{}` can never match: `{clause}`: {why}",
                rule.id
            ));
            continue;
        }
        if rule.effect != Effect::Deny && rule.quota.as_ref().is_some_and(|q| q.limit == 0) {
            warn(format!(
                "rule `{}` never {}s: its quota limit is 0",
                rule.id, rule.effect
            ));
            continue;
        }
        let same_tenant =
            |other: &CompiledRule| other.tenant.is_none() || other.tenant == rule.tenant;
        let candidates = coverers.candidates(&rule.conditions);
        let covering = || {
            candidates
                .iter()
                .filter_map(|&j| rules.get(j).map(|r| (j, r)))
        };
        if let Some((_, shadow)) = covering().find(|(j, e)| {
            *j < i
                && e.layer == rule.layer
                && e.effect == rule.effect
                && e.conditions.subsumes(&rule.conditions)
        }) {
            warn(format!(
                "rule `{}` is shadowed by rule `{}` (/rules/{}), which applies whenever it does with \
                 the same effect",
                rule.id, shadow.id, shadow.position
            ));
            continue;
        }
        if rule.effect != Effect::Deny
            && let Some((_, deny)) = covering().find(|(_, d)| {
                d.effect == Effect::Deny
                    && same_tenant(d)
                    && d.conditions.subsumes(&rule.conditions)
            })
        {
            let layer = layers.get(deny.layer as usize).copied().unwrap_or("");
            let place = if deny.layer == rule.layer {
                format!("/rules/{}", deny.position)
            } else {
                format!("layer `{layer}` /rules/{}", deny.position)
            };
            warn(format!(
                "{} rule `{}` never takes effect: deny rule `{}` ({place}) applies whenever it does",
                rule.effect, rule.id, deny.id
            ));
        }
    }
    out
}

fn push_prefix(groups: &mut Vec<(usize, FastMap<Vec<u32>>)>, prefix: &str, rule: u32) {
    let len = prefix.len();
    if let Some((_, map)) = groups.iter_mut().find(|(l, _)| *l == len) {
        map.entry(prefix.to_owned()).or_default().push(rule);
    } else {
        let mut map = FastMap::default();
        map.insert(prefix.to_owned(), vec![rule]);
        groups.push((len, map));
    }
}

/// Glob lists the index can file by literal prefix: every pattern has one.
fn by_globs(globs: Option<&Vec<Glob>>) -> Option<&Vec<Glob>> {
    globs.filter(|g| g.iter().all(|g| !g.literal_prefix().is_empty()))
}

/// Where the index files a rule's URL patterns: each pattern's literal host (`true`) or the
/// domain suffix of its wildcard host (`false`); `None` when some pattern has neither.
fn host_keys(urls: &[crate::url::UrlPattern]) -> Option<Vec<(&str, bool)>> {
    let keys: Option<Vec<(&str, bool)>> = urls
        .iter()
        .map(|u| {
            u.literal_host()
                .map(|h| (h, true))
                .or_else(|| u.host_suffix().map(|s| (s, false)))
        })
        .collect();
    keys.filter(|k| !k.is_empty())
}

fn build_index(rules: &[CompiledRule]) -> Index {
    let mut index = Index::default();
    for (i, rule) in rules.iter().enumerate() {
        if rule.locked_out.is_some() {
            continue;
        }
        let id = u32::try_from(i).unwrap_or(u32::MAX);
        let c = &rule.conditions;
        if let Some(globs) = by_globs(c.server_name.as_ref()) {
            for g in globs {
                match g.literal() {
                    Some(name) => index.by_name.entry(name.to_owned()).or_default().push(id),
                    None => push_prefix(&mut index.name_prefixes, &g.literal_prefix(), id),
                }
            }
        } else if let Some(globs) = by_globs(c.server_label.as_ref()) {
            for g in globs {
                match g.literal() {
                    Some(name) => index.by_label.entry(name.to_owned()).or_default().push(id),
                    None => push_prefix(&mut index.label_prefixes, &g.literal_prefix(), id),
                }
            }
        } else if let Some(keys) = c.remote_url.as_ref().and_then(|urls| host_keys(urls)) {
            for (key, exact) in keys {
                let map = if exact {
                    &mut index.by_host
                } else {
                    &mut index.by_host_suffix
                };
                map.entry(key.to_owned()).or_default().push(id);
            }
            index.url_rules.push(id);
        } else if let Some(tools) = c
            .tool
            .as_ref()
            .and_then(|t| {
                t.iter()
                    .map(|g| g.literal().map(str::to_owned))
                    .collect::<Option<Vec<_>>>()
            })
            .filter(|t| !t.is_empty())
        {
            for tool in tools {
                index.by_tool.entry(tool).or_default().push(id);
            }
        } else {
            index.always.push(id);
        }
    }
    index
}

/// The index's hash map: keys are policy names and hosts, looked up once or twice per decision,
/// so a fast multiply-rotate hash (as in rustc's `FxHasher`) beats the default `SipHash`. The table
/// only holds keys the policy author wrote, so a request cannot lengthen its probe chains.
pub(crate) type FastMap<V> = HashMap<String, V, std::hash::BuildHasherDefault<FxHasher>>;

#[derive(Default)]
pub(crate) struct FxHasher(u64);

impl std::hash::Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word.iter_mut().zip(chunk).for_each(|(w, b)| *w = *b);
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(word)).wrapping_mul(SEED);
        }
    }

    fn write_u8(&mut self, byte: u8) {
        self.write(&[byte]);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}
