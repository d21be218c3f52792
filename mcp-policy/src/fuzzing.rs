//! Property checks shared by the fuzz targets and the test suite, so that a stable `cargo test`
//! replays the same code a fuzzer runs. Not part of the stable API.

use crate::compile::CompiledPolicy;
use crate::diagnostic::PolicyError;
use crate::document::{Effect, Policy};
use crate::eval::Applied;
use crate::host::{HostSettings, MANAGED_SCOPE};
use crate::matcher::Context;
use crate::request::{Action, Principal, Request, ServerFacts, TransportKind};

/// The reference evaluator: a plain loop over every rule in rank order, without the index.
/// Returns the effect and the deciding `(rule, layer)`, `None` for the default.
pub fn reference_evaluate(
    policy: &CompiledPolicy,
    request: &Request,
) -> (Effect, Option<(String, String)>) {
    let cx = Context::new(request, &policy.roles);
    // The highest-ranked layer that locks its allowlist; allow and ask rules below it are void.
    let lock = policy.layers.iter().position(|l| l.locks_allowlist);
    let mut best: Option<(Effect, String, String)> = None;
    for rule in &policy.rules {
        let below_lock = lock.is_some_and(|l| rule.layer as usize > l);
        if below_lock && rule.effect != Effect::Deny {
            continue;
        }
        let effect = match rule.apply(&cx) {
            Applied::Yes { effect, .. } => effect,
            Applied::No(_) => continue,
            Applied::Unknown(..) => Effect::Deny,
        };
        let stronger = match &best {
            None => true,
            Some((current, ..)) => strength(effect) > strength(*current),
        };
        if stronger {
            best = Some((
                effect,
                rule.id.to_string(),
                policy.layer_name(rule.layer).to_string(),
            ));
        }
    }
    match best {
        Some((effect, rule, layer)) => (effect, Some((rule, layer))),
        None => (policy.default_effect, None),
    }
}

fn strength(effect: Effect) -> u8 {
    match effect {
        Effect::Allow => 0,
        Effect::Ask => 1,
        Effect::Deny => 2,
    }
}

/// Checks that the compiled evaluator agrees with [`reference_evaluate`] on `request`.
///
/// # Errors
///
/// Describes the disagreement.
pub fn check_differential_values(policy: &CompiledPolicy, request: &Request) -> Result<(), String> {
    let decision = policy.evaluate(request);
    let (effect, decided_by) = reference_evaluate(policy, request);
    let fast_by = decision
        .decided_by()
        .map(|d| (d.rule().to_owned(), d.layer().to_owned()));
    if decision.effect() != effect || fast_by != decided_by {
        return Err(format!(
            "compiled evaluator gave {} by {fast_by:?}, reference gave {effect} by {decided_by:?}",
            decision.effect()
        ));
    }
    let explanation = policy.explain(request);
    if explanation.decision() != &decision {
        return Err("explain disagrees with evaluate".into());
    }
    Ok(())
}

/// Parses a policy and a request from JSON; when both are valid, checks the compiled evaluator
/// against the reference.
///
/// # Errors
///
/// Describes the disagreement.
pub fn check_differential(policy: &[u8], request: &[u8]) -> Result<(), String> {
    let (Ok(policy), Ok(request)) = (Policy::from_json(policy), Request::from_json(request)) else {
        return Ok(());
    };
    let Ok(compiled) = policy.compile() else {
        return Ok(());
    };
    check_differential_values(&compiled, &request)
}

/// Parses and compiles arbitrary bytes as a policy: it must never panic, and every diagnostic
/// must carry a JSON Pointer path and a message in the house style.
///
/// # Errors
///
/// Describes the malformed diagnostic.
pub fn check_policy_document(bytes: &[u8]) -> Result<(), String> {
    let check = |err: &PolicyError| -> Result<(), String> {
        for d in err.diagnostics() {
            if !(d.path().is_empty() || d.path().starts_with('/')) {
                return Err(format!(
                    "diagnostic path `{}` is not a json pointer",
                    d.path()
                ));
            }
            let message = d.message();
            if message.is_empty() || message.ends_with('.') || message.contains('\n') {
                return Err(format!(
                    "diagnostic message `{message}` breaks the house style"
                ));
            }
            if message.chars().next().is_some_and(char::is_uppercase) {
                return Err(format!("diagnostic message `{message}` is capitalised"));
            }
        }
        if err.diagnostics().errors().next().is_none() {
            return Err("an invalid policy carries no error".into());
        }
        Ok(())
    };
    let policy = match Policy::from_json(bytes) {
        Ok(policy) => policy,
        Err(err) => return check(&err),
    };
    match policy.compile() {
        Ok(compiled) => {
            let again = policy.compile().map_err(|e| e.to_string())?;
            if compiled.hash() != again.hash() {
                return Err("the policy hash is not stable".into());
            }
            let _ = compiled.explain(&sample_request(Action::CallTool));
            Ok(())
        }
        Err(err) => check(&err),
    }
}

/// Imports arbitrary bytes as host managed settings: it must never panic, the generated policy
/// must compile, and an `allowedMcpServers` that is not an array must deny every server outside
/// the managed scope.
///
/// # Errors
///
/// Describes the broken property.
pub fn check_host_settings(bytes: &[u8]) -> Result<(), String> {
    let Ok(settings) = HostSettings::from_json(bytes) else {
        return Ok(());
    };
    let compiled = settings
        .to_policy()
        .compile()
        .map_err(|e| format!("imported settings do not compile: {e}"))?;
    let invalid_allowlist = serde_json::from_slice::<serde_json::Value>(bytes)
        .ok()
        .and_then(|v| v.get("allowedMcpServers").map(|a| !a.is_array()))
        .unwrap_or(false);
    if invalid_allowlist {
        for action in [Action::Connect, Action::CallTool] {
            let request = sample_request(action);
            let decision = compiled.evaluate(&request);
            if decision.effect() != Effect::Deny {
                return Err(format!(
                    "an invalid allowlist gave {} for {action}, not deny",
                    decision.effect()
                ));
            }
        }
    }
    for action in Action::ALL {
        check_differential_values(&compiled, &sample_request(action).with_scope(MANAGED_SCOPE))?;
        check_differential_values(&compiled, &sample_request(action))?;
    }
    Ok(())
}

fn sample_request(action: Action) -> Request {
    let server = ServerFacts::new("io.github.acme/weather")
        .with_label("weather")
        .with_version("1.0.0")
        .with_remote(TransportKind::StreamableHttp, "https://mcp.example.com/mcp");
    let mut request = Request::new(Principal::new("fuzz"), action, server).with_time(0);
    if action == Action::CallTool {
        request = request.with_tool(crate::request::ToolFacts::new("forecast"));
    }
    request
}
