//! Evaluation: the decision (an audit record), and explanations with the smallest change that
//! would allow.

use std::fmt;
use std::sync::Arc;

use serde::Serialize;

use crate::compile::{CompiledPolicy, CompiledRule};
use crate::document::{Effect, Obligation};
use crate::matcher::{Clause, Context, Truth};
use crate::request::Request;
use crate::url::Target;

/// The answer to a [`Request`]: the effect, what decided it, and everything an auditor needs.
/// Serializes as one audit record.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Decision {
    effect: Effect,
    decided_by: Option<DecidedBy>,
    matched: Vec<MatchedRule>,
    reasons: Vec<Arc<str>>,
    obligations: Vec<Obligation>,
    policy_hash: Arc<str>,
}

impl Decision {
    /// Allow, ask or deny.
    pub fn effect(&self) -> Effect {
        self.effect
    }

    /// The rule and layer that decided, or `None` when no rule applied and the default did.
    pub fn decided_by(&self) -> Option<&DecidedBy> {
        self.decided_by.as_ref()
    }

    /// Every rule that applied, in rank order, with the clauses that held.
    pub fn matched(&self) -> &[MatchedRule] {
        &self.matched
    }

    /// Why, in words, from the rules that gave the final effect.
    pub fn reasons(&self) -> &[Arc<str>] {
        &self.reasons
    }

    /// What the host must do if it proceeds.
    pub fn obligations(&self) -> &[Obligation] {
        &self.obligations
    }

    /// The hash of the policy that decided.
    pub fn policy_hash(&self) -> &str {
        &self.policy_hash
    }

    /// The audit record as JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// A rule and the layer it is in.
#[derive(Clone, Debug, Eq, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DecidedBy {
    rule: Arc<str>,
    layer: Arc<str>,
}

impl DecidedBy {
    /// The rule id.
    pub fn rule(&self) -> &str {
        &self.rule
    }

    /// The layer name.
    pub fn layer(&self) -> &str {
        &self.layer
    }
}

/// A rule that applied to the request.
#[derive(Clone, Debug, Eq, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MatchedRule {
    rule: Arc<str>,
    layer: Arc<str>,
    effect: Effect,
    clauses: Arc<[Clause]>,
}

impl MatchedRule {
    /// The rule id.
    pub fn rule(&self) -> &str {
        &self.rule
    }

    /// The layer name.
    pub fn layer(&self) -> &str {
        &self.layer
    }

    /// The effect the rule contributed: its own, or deny when its quota is spent or it could not
    /// be evaluated.
    pub fn effect(&self) -> Effect {
        self.effect
    }

    /// The clauses that held.
    pub fn clauses(&self) -> &[Clause] {
        &self.clauses
    }
}

/// How one rule relates to one request.
#[derive(Debug)]
pub(crate) enum Applied {
    Yes {
        effect: Effect,
        note: Option<String>,
    },
    No(Clause),
    Unknown(Clause, String),
}

impl CompiledRule {
    pub(crate) fn apply(&self, cx: &Context<'_>) -> Applied {
        let request = cx.request;
        if let Some(tenant) = &self.tenant
            && request.principal.tenant.as_ref() != Some(tenant)
        {
            return Applied::No(Clause::LayerTenant);
        }
        let mut unknown = match self.conditions.eval(cx) {
            Truth::Holds => None,
            Truth::Fails(clause) => return Applied::No(clause),
            Truth::Unknown(clause, why) => Some((clause, why)),
        };
        if !self.any_of.is_empty() {
            let mut alternative_unknown = None;
            let mut held = false;
            for alternative in &self.any_of {
                match alternative.eval(cx) {
                    Truth::Holds => {
                        held = true;
                        break;
                    }
                    Truth::Fails(_) => {}
                    Truth::Unknown(clause, why) => {
                        alternative_unknown.get_or_insert((clause, why));
                    }
                }
            }
            if !held {
                match alternative_unknown {
                    None => return Applied::No(Clause::AnyOf),
                    Some(u) => {
                        unknown.get_or_insert(u);
                    }
                }
            }
        }
        for exception in &self.except {
            match exception.eval(cx) {
                Truth::Holds => return Applied::No(Clause::Except),
                Truth::Fails(_) => {}
                Truth::Unknown(clause, why) => {
                    unknown.get_or_insert((clause, why));
                }
            }
        }
        if let Some((clause, why)) = unknown {
            return Applied::Unknown(clause, why);
        }
        if let Some(quota) = &self.quota {
            let used = match request.usage.get(&quota.counter) {
                None => 0,
                Some(usage) => match (usage.window_start, request.time) {
                    (None, _) => usage.count,
                    (Some(start), Some(now)) => {
                        if now >= start.saturating_add(quota.window_seconds) {
                            0
                        } else {
                            usage.count
                        }
                    }
                    (Some(_), None) => {
                        return Applied::Unknown(
                            Clause::Quota,
                            "the request has no time to judge the quota window".into(),
                        );
                    }
                },
            };
            if used >= quota.limit {
                return Applied::Yes {
                    effect: Effect::Deny,
                    note: Some(format!(
                        "quota `{}` is spent: {used} of {} calls in the {}-second window",
                        quota.counter, quota.limit, quota.window_seconds
                    )),
                };
            }
        }
        Applied::Yes {
            effect: self.effect,
            note: None,
        }
    }
}

fn rank(effect: Effect) -> u8 {
    match effect {
        Effect::Allow => 1,
        Effect::Ask => 2,
        Effect::Deny => 3,
    }
}

/// Candidate rule indices, on the stack while they fit, so a decision allocates less.
#[derive(Default)]
struct Candidates {
    inline: [u32; 32],
    len: usize,
    spill: Vec<u32>,
}

impl Candidates {
    fn extend(&mut self, rules: &[u32]) {
        if self.spill.is_empty() {
            let end = self.len + rules.len();
            if let Some(slot) = self.inline.get_mut(self.len..end) {
                slot.copy_from_slice(rules);
                self.len = end;
                return;
            }
            self.spill
                .extend_from_slice(self.inline.get(..self.len).unwrap_or_default());
        }
        self.spill.extend_from_slice(rules);
    }

    fn as_slice(&self) -> &[u32] {
        if self.spill.is_empty() {
            self.inline.get(..self.len).unwrap_or_default()
        } else {
            &self.spill
        }
    }

    fn sort(&mut self) {
        if self.spill.is_empty() {
            if let Some(slice) = self.inline.get_mut(..self.len) {
                slice.sort_unstable();
            }
        } else {
            self.spill.sort_unstable();
        }
    }
}

struct Hit {
    rule: u32,
    effect: Effect,
    note: Option<String>,
}

impl CompiledPolicy {
    /// Decides `request`. Pure: the same policy and request always give the same decision.
    ///
    /// A server with several remotes and no remote named in use is decided once per remote, and
    /// the strictest decision stands: a host may use any of them.
    pub fn evaluate(&self, request: &Request) -> Decision {
        self.evaluate_strictest(request).0
    }

    /// The strictest decision over the remotes in view, and the context that gave it.
    fn evaluate_strictest<'r>(&self, request: &'r Request) -> (Decision, Context<'r>) {
        let roles = self.roles.effective(request);
        let remotes = &request.server.remotes;
        let (first, others) = match (&request.remote, remotes.split_first()) {
            (None, Some((first, others))) if !others.is_empty() => (first, others),
            // One remote in view at most: the one named in use, or the server's only one.
            (named, _) => {
                let cx = Context::new(request, roles, named.as_ref().or(remotes.first()));
                return (self.evaluate_in(&cx), cx);
            }
        };
        let judge = |remote: &'r crate::request::RemoteFacts| {
            let cx = Context::new(request, roles.clone(), Some(remote));
            let mut decision = self.evaluate_in(&cx);
            if decision.effect != Effect::Allow {
                decision.reasons.push(Arc::from(format!(
                    "judged on remote `{}`: a server is allowed only when every remote it lists is",
                    remote.url.escape_debug()
                )));
            }
            (decision, cx)
        };
        others.iter().fold(judge(first), |strictest, remote| {
            let next = judge(remote);
            if rank(next.0.effect) > rank(strictest.0.effect) {
                next
            } else {
                strictest
            }
        })
    }

    fn evaluate_in(&self, cx: &Context<'_>) -> Decision {
        let mut candidates = Candidates::default();
        self.candidates(cx, &mut candidates);
        let mut hits = Vec::new();
        let mut previous = None;
        for &i in candidates.as_slice() {
            // Sorted, so a rule filed under two keys shows up twice in a row.
            if previous.replace(i) == Some(i) {
                continue;
            }
            let Some(rule) = self.rules.get(i as usize) else {
                continue;
            };
            match rule.apply(cx) {
                Applied::Yes { effect, note } => hits.push(Hit {
                    rule: i,
                    effect,
                    note,
                }),
                Applied::No(_) => {}
                Applied::Unknown(clause, why) => hits.push(Hit {
                    rule: i,
                    effect: Effect::Deny,
                    note: Some(format!(
                        "rule `{}` could not be evaluated: `{clause}`: {why}",
                        rule.id
                    )),
                }),
            }
        }
        self.decide(&hits)
    }

    /// Rule indices that might apply, ascending (which is rank order).
    /// Rule indices that might apply, ascending (which is rank order); may repeat an index.
    fn candidates(&self, cx: &Context<'_>, out: &mut Candidates) {
        let request = cx.request;
        let index = &self.index;
        out.extend(&index.always);
        let server = &request.server;
        let lookup = |map: &crate::compile::FastMap<Vec<u32>>, key: &str, out: &mut Candidates| {
            if let Some(rules) = map.get(key) {
                out.extend(rules);
            }
        };
        lookup(&index.by_name, &server.name, out);
        for (len, map) in &index.name_prefixes {
            if let Some(prefix) = server.name.get(..*len) {
                lookup(map, prefix, out);
            }
        }
        let label = server.label_or_name();
        lookup(&index.by_label, label, out);
        for (len, map) in &index.label_prefixes {
            if let Some(prefix) = label.get(..*len) {
                lookup(map, prefix, out);
            }
        }
        if !index.url_rules.is_empty() {
            match cx.target() {
                Some(Target::Read(url)) => {
                    let host = url.host();
                    lookup(&index.by_host, host, out);
                    if !index.by_host_suffix.is_empty() {
                        // `a.b.example` is filed under `b.example` and `example` too.
                        for (at, _) in host.match_indices('.') {
                            if let Some(suffix) = host.get(at + 1..) {
                                lookup(&index.by_host_suffix, suffix, out);
                            }
                        }
                    }
                }
                // A URL that cannot be read must meet every URL rule, to fail closed.
                Some(Target::Unreadable(_)) => out.extend(&index.url_rules),
                None => {}
            }
        }
        if let Some(tool) = &request.tool {
            lookup(&index.by_tool, &tool.name, out);
        }
        out.sort();
    }

    fn decide(&self, hits: &[Hit]) -> Decision {
        let winner = hits.iter().map(|h| rank(h.effect)).max();
        let Some(top) = winner else {
            return Decision {
                effect: self.default_effect,
                decided_by: None,
                matched: Vec::new(),
                reasons: vec![Arc::clone(&self.default_reason)],
                obligations: Vec::new(),
                policy_hash: Arc::clone(&self.hash),
            };
        };
        let mut decided_by = None;
        let mut reasons = Vec::new();
        let mut obligations: Vec<Obligation> = Vec::new();
        let mut matched = Vec::with_capacity(hits.len());
        for hit in hits {
            let Some(rule) = self.rules.get(hit.rule as usize) else {
                continue;
            };
            let layer = self.layer_name(rule.layer);
            if rank(hit.effect) == top {
                if decided_by.is_none() {
                    decided_by = Some(DecidedBy {
                        rule: Arc::clone(&rule.id),
                        layer: Arc::clone(&layer),
                    });
                }
                reasons.push(match &hit.note {
                    Some(note) => Arc::from(note.as_str()),
                    None => Arc::clone(&rule.reason),
                });
                // A spent quota or an unevaluable rule denies; its own obligations do not apply.
                if hit.effect == rule.effect {
                    for o in &rule.obligations {
                        if !obligations.contains(o) {
                            obligations.push(o.clone());
                        }
                    }
                }
            }
            matched.push(MatchedRule {
                rule: Arc::clone(&rule.id),
                layer,
                effect: hit.effect,
                clauses: Arc::clone(&rule.clauses),
            });
        }
        let effect = match top {
            3 => Effect::Deny,
            2 => Effect::Ask,
            _ => Effect::Allow,
        };
        Decision {
            effect,
            decided_by,
            matched,
            reasons,
            obligations,
            policy_hash: Arc::clone(&self.hash),
        }
    }

    /// Evaluates `request` and explains it: every rule considered and why it applied or not, and
    /// for a deny, the smallest changes that would allow.
    pub fn explain(&self, request: &Request) -> Explanation {
        let (decision, cx) = self.evaluate_strictest(request);
        let mut rules = Vec::with_capacity(self.rules.len());
        for rule in &self.rules {
            let outcome = if let Some(layer) = &rule.locked_out {
                Outcome::LockedOut {
                    layer: layer.to_string(),
                }
            } else {
                match rule.apply(&cx) {
                    Applied::Yes { effect, note } => Outcome::Applies { effect, note },
                    Applied::No(clause) => Outcome::NotApplicable {
                        clause,
                        failing: Self::failing(rule, &cx),
                    },
                    Applied::Unknown(clause, message) => Outcome::Unknown { clause, message },
                }
            };
            rules.push(RuleTrace {
                rule: rule.id.to_string(),
                layer: self.layer_name(rule.layer).to_string(),
                effect: rule.effect,
                outcome,
            });
        }
        let suggestions = if decision.effect == Effect::Deny {
            self.suggest(&decision, &rules)
        } else {
            Vec::new()
        };
        Explanation {
            decision,
            rules,
            suggestions,
        }
    }

    /// Every clause of `rule` that fails for the request, including `anyOf` and `except`.
    fn failing(rule: &CompiledRule, cx: &Context<'_>) -> Vec<Clause> {
        let mut failing = rule.conditions.failing_clauses(cx);
        if let Some(tenant) = &rule.tenant
            && cx.request.principal.tenant.as_ref() != Some(tenant)
        {
            failing.insert(0, Clause::LayerTenant);
        }
        if !rule.any_of.is_empty() && !rule.any_of.iter().any(|m| m.eval(cx) == Truth::Holds) {
            failing.push(Clause::AnyOf);
        }
        if rule.except.iter().any(|m| m.eval(cx) == Truth::Holds) {
            failing.push(Clause::Except);
        }
        failing
    }

    fn suggest(&self, decision: &Decision, traces: &[RuleTrace]) -> Vec<Suggestion> {
        let mut out = Vec::new();
        for (rule, trace) in self.rules.iter().zip(traces) {
            let change = match &trace.outcome {
                Outcome::Applies {
                    effect: Effect::Deny,
                    note: Some(note),
                } => {
                    format!("{note}; wait for the window to pass or raise the limit")
                }
                Outcome::Applies {
                    effect: Effect::Deny,
                    ..
                } => format!(
                    "deny rule `{}` matches on {}; remove it or narrow one of those clauses",
                    rule.id,
                    list_clauses(&rule.clauses)
                ),
                Outcome::Unknown { clause, message } => {
                    format!("make `{clause}` evaluable: {message}")
                }
                _ => continue,
            };
            out.push(Suggestion {
                rule: Some(rule.id.to_string()),
                layer: Some(trace.layer.clone()),
                clause: None,
                change,
            });
        }
        if !out.is_empty() || decision.decided_by.is_some() {
            return out;
        }
        // Denied by default: the allow rule that misses by the fewest clauses.
        let best = self
            .rules
            .iter()
            .zip(traces)
            .filter(|(rule, _)| rule.effect == Effect::Allow)
            .filter_map(|(rule, trace)| match &trace.outcome {
                Outcome::NotApplicable { failing, .. } if !failing.is_empty() => {
                    Some((failing.len(), rule, trace, failing))
                }
                _ => None,
            })
            .min_by_key(|(n, rule, ..)| (*n, rule.layer, rule.position));
        match best {
            Some((_, rule, trace, failing)) => {
                let expected = serde_json::to_value(&rule.source.conditions).unwrap_or_default();
                for clause in failing {
                    let wants = expected
                        .get(clause.as_str())
                        .map_or_else(String::new, |v| format!(" (it expects `{v}`)"));
                    out.push(Suggestion {
                        rule: Some(rule.id.to_string()),
                        layer: Some(trace.layer.clone()),
                        clause: Some(*clause),
                        change: format!(
                            "allow rule `{}` would apply if `{clause}` held{wants}",
                            rule.id
                        ),
                    });
                }
            }
            None => out.push(Suggestion {
                rule: None,
                layer: None,
                clause: None,
                change:
                    "no allow rule comes close; add one for this request or set `defaultEffect`"
                        .into(),
            }),
        }
        out
    }
}

fn list_clauses(clauses: &[Clause]) -> String {
    if clauses.is_empty() {
        return "every request (it has no conditions)".into();
    }
    clauses
        .iter()
        .map(|c| format!("`{c}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A decision with the reasoning behind it.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Explanation {
    decision: Decision,
    rules: Vec<RuleTrace>,
    suggestions: Vec<Suggestion>,
}

impl Explanation {
    /// The decision.
    pub fn decision(&self) -> &Decision {
        &self.decision
    }

    /// Every rule, in rank order, with how it related to the request.
    pub fn rules(&self) -> &[RuleTrace] {
        &self.rules
    }

    /// For a deny, the smallest changes that would allow; empty otherwise.
    pub fn suggestions(&self) -> &[Suggestion] {
        &self.suggestions
    }
}

impl fmt::Display for Explanation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.decision.decided_by {
            Some(by) => writeln!(
                f,
                "{} (rule `{}` in layer `{}`)",
                self.decision.effect, by.rule, by.layer
            )?,
            None => writeln!(f, "{} (default)", self.decision.effect)?,
        }
        for trace in &self.rules {
            write!(
                f,
                "  {} `{}` in `{}`: ",
                trace.effect, trace.rule, trace.layer
            )?;
            match &trace.outcome {
                Outcome::Applies { effect, note } => {
                    write!(f, "applies, gives {effect}")?;
                    if let Some(note) = note {
                        write!(f, " ({note})")?;
                    }
                }
                Outcome::NotApplicable { failing, .. } => {
                    write!(f, "does not apply: {} fails", list_clauses(failing))?;
                }
                Outcome::Unknown { clause, message } => {
                    write!(f, "cannot be evaluated: `{clause}`: {message}")?;
                }
                Outcome::LockedOut { layer } => {
                    write!(f, "ignored: layer `{layer}` locks its allowlist")?;
                }
            }
            writeln!(f)?;
        }
        for s in &self.suggestions {
            writeln!(f, "  to allow: {}", s.change)?;
        }
        Ok(())
    }
}

/// How one rule related to the request.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RuleTrace {
    rule: String,
    layer: String,
    effect: Effect,
    outcome: Outcome,
}

impl RuleTrace {
    /// The rule id.
    pub fn rule(&self) -> &str {
        &self.rule
    }

    /// The layer name.
    pub fn layer(&self) -> &str {
        &self.layer
    }

    /// The rule's own effect.
    pub fn effect(&self) -> Effect {
        self.effect
    }

    /// What happened.
    pub fn outcome(&self) -> &Outcome {
        &self.outcome
    }
}

/// What happened to one rule.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "outcome", rename_all = "camelCase")]
pub enum Outcome {
    /// The rule applied.
    Applies {
        /// The effect it contributed.
        effect: Effect,
        /// A note, such as a spent quota.
        #[serde(skip_serializing_if = "Option::is_none")]
        note: Option<String>,
    },
    /// The rule did not apply.
    NotApplicable {
        /// The first clause that failed.
        clause: Clause,
        /// Every clause that failed.
        failing: Vec<Clause>,
    },
    /// The rule could not be evaluated, which denies.
    Unknown {
        /// The clause that could not be judged.
        clause: Clause,
        /// Why.
        message: String,
    },
    /// An allow or ask rule below a layer that locks its allowlist.
    LockedOut {
        /// The locking layer.
        layer: String,
    },
}

/// One change that would move a deny towards allow.
#[derive(Clone, Debug, Eq, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Suggestion {
    #[serde(skip_serializing_if = "Option::is_none")]
    rule: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    layer: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    clause: Option<Clause>,
    change: String,
}

impl Suggestion {
    /// The rule to change, if any.
    pub fn rule(&self) -> Option<&str> {
        self.rule.as_deref()
    }

    /// The layer of that rule.
    pub fn layer(&self) -> Option<&str> {
        self.layer.as_deref()
    }

    /// The clause to change, if one.
    pub fn clause(&self) -> Option<Clause> {
        self.clause
    }

    /// The change, in words.
    pub fn change(&self) -> &str {
        &self.change
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn candidates_spill_to_the_heap_in_order() {
        let mut c = Candidates::default();
        c.extend(&(0..20).rev().collect::<Vec<u32>>());
        c.extend(&[5, 40]);
        assert!(c.spill.is_empty());
        c.extend(&(100..120).collect::<Vec<u32>>());
        assert!(!c.spill.is_empty());
        c.sort();
        let all = c.as_slice();
        assert_eq!(all.len(), 42);
        assert!(all.windows(2).all(|w| w[0] <= w[1]));
        assert_eq!(all.iter().filter(|&&i| i == 5).count(), 2);
    }

    #[test]
    fn many_matching_rules_are_all_reported_once() {
        let rules: Vec<serde_json::Value> = (0..50)
            .map(|i| {
                serde_json::json!({"id": format!("r{i}"), "effect": "allow",
                "match": {"serverName": ["a/b", "a/*"]}})
            })
            .collect();
        let policy = crate::Policy::from_value(&serde_json::json!({ "rules": rules }))
            .unwrap()
            .compile()
            .unwrap();
        let request = Request::new(
            crate::Principal::new("u"),
            crate::Action::Connect,
            crate::ServerFacts::new("a/b"),
        );
        let decision = policy.evaluate(&request);
        assert_eq!(decision.matched().len(), 50);
        assert_eq!(decision.decided_by().map(DecidedBy::rule), Some("r0"));
    }
}
