//! Property checks shared by the fuzz targets and the test suite, so that a stable `cargo test`
//! replays the same code a fuzzer runs. Not part of the stable API.

use crate::compile::CompiledPolicy;
use crate::diagnostic::PolicyError;
use crate::document::{Effect, Policy};
use crate::eval::Applied;
use crate::glob::{Dialect, Glob};
use crate::host::{HostSettings, MANAGED_SCOPE};
use crate::matcher::Context;
use crate::request::{Action, Principal, Request, ServerFacts, TransportKind};
use crate::url::{UrlPattern, split_url};

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

/// Matches a URL against a host managed-settings URL pattern (`serverUrl`) with the matcher and
/// with a plain oracle, and checks that they agree. The input is the pattern, a newline, then
/// the URL; without a newline the text is both.
///
/// The oracle splits both sides the way the pattern format is documented (scheme before
/// `://`, authority without userinfo, host compared case-insensitively with trailing dots
/// dropped, path case-sensitive, no path meaning any path) and compares each part with a
/// quadratic dynamic-programming wildcard matcher. The same text is also checked as a bare
/// glob in both dialects, so the fast matcher meets the oracle on strings the URL split never
/// produces.
///
/// # Errors
///
/// Describes the disagreement.
pub fn check_url_pattern(bytes: &[u8]) -> Result<(), String> {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return Ok(());
    };
    let (pattern, url) = text.split_once('\n').unwrap_or((text, text));
    check_glob(pattern, url)?;
    let Ok(compiled) = UrlPattern::new(pattern) else {
        return Ok(());
    };
    let matched = split_url(url).is_some_and(|parts| compiled.is_match_parts(&parts));
    let expected = oracle_url_match(pattern, url);
    if matched != expected {
        return Err(format!(
            "url pattern `{pattern}` on `{url}`: matcher says {matched}, oracle says {expected}"
        ));
    }
    Ok(())
}

/// The glob dialects against the oracle: `*`-only, and `*` with `?` when the pattern has no
/// class or escape (the oracle does not model those).
fn check_glob(pattern: &str, text: &str) -> Result<(), String> {
    if let Ok(glob) = Glob::new(pattern, Dialect::StarOnly) {
        let (fast, slow) = (glob.is_match(text), wildcard(pattern, text, false));
        if fast != slow {
            return Err(format!(
                "star-only glob `{pattern}` on `{text}`: matcher says {fast}, oracle says {slow}"
            ));
        }
    }
    if let Ok(glob) = Glob::new(pattern, Dialect::Full) {
        let matched = glob.is_match(text);
        if !pattern.contains(['[', '\\']) {
            let slow = wildcard(pattern, text, true);
            if matched != slow {
                return Err(format!(
                    "glob `{pattern}` on `{text}`: matcher says {matched}, oracle says {slow}"
                ));
            }
        }
        if matched && !text.starts_with(glob.literal_prefix().as_str()) {
            return Err(format!(
                "glob `{pattern}` matched `{text}` without its literal prefix"
            ));
        }
        if let Some(exact) = glob.exact()
            && !glob.is_match(exact)
        {
            return Err(format!("glob `{pattern}` does not match its own text"));
        }
    }
    Ok(())
}

/// Whether `text` matches `pattern`, where `*` is any run of characters and, when `question`
/// is set, `?` is any one character. `row[j]` says whether the pattern read so far matches the
/// first `j` characters of the text.
fn wildcard(pattern: &str, text: &str, question: bool) -> bool {
    let text: Vec<char> = text.chars().collect();
    let mut row: Vec<bool> = std::iter::once(true)
        .chain(text.iter().map(|_| false))
        .collect();
    for p in pattern.chars() {
        row = if p == '*' {
            let mut reached = false;
            row.iter()
                .map(|&r| {
                    reached |= r;
                    reached
                })
                .collect()
        } else {
            std::iter::once(false)
                .chain(
                    row.iter()
                        .zip(&text)
                        .map(|(&r, &c)| r && (c == p || (question && p == '?'))),
                )
                .collect()
        };
    }
    row.last().copied().unwrap_or(false)
}

/// The oracle's view of a URL pattern: scheme, authority, optional path.
fn oracle_url_match(pattern: &str, url: &str) -> bool {
    let (scheme_pattern, rest) = pattern.split_once("://").unwrap_or(("*", pattern));
    let (authority_pattern, path_pattern) = match rest.char_indices().find(|&(_, c)| c == '/') {
        Some((at, _)) => (rest.get(..at).unwrap_or(rest), rest.get(at..)),
        None => (rest, None),
    };
    let Some((scheme, rest)) = url.split_once("://") else {
        return false;
    };
    let end = rest
        .char_indices()
        .find(|&(_, c)| matches!(c, '/' | '?' | '#'))
        .map_or(rest.len(), |(at, _)| at);
    let (authority, path) = (
        rest.get(..end).unwrap_or(rest),
        rest.get(end..).unwrap_or(""),
    );
    let authority = match authority.rfind('@') {
        Some(at) => authority.get(at + 1..).unwrap_or(""),
        None => authority,
    };
    let path = if path.is_empty() { "/" } else { path };
    wildcard(
        &scheme_pattern.to_ascii_lowercase(),
        &scheme.to_ascii_lowercase(),
        false,
    ) && wildcard(
        &oracle_authority(authority_pattern),
        &oracle_authority(authority),
        false,
    ) && path_pattern.is_none_or(|p| wildcard(p, path, false))
}

/// Lowercases the host and drops its trailing dots; the port (after the last `:`, or after
/// `]:` for a bracketed IPv6 literal) stays as written.
fn oracle_authority(authority: &str) -> String {
    let split = if authority.starts_with('[') {
        authority.rfind("]:").map(|at| at + 1)
    } else {
        authority.rfind(':')
    };
    let (host, port) = match split {
        Some(at) => (
            authority.get(..at).unwrap_or(authority),
            authority.get(at..),
        ),
        None => (authority, None),
    };
    let mut out = host.trim_end_matches('.').to_ascii_lowercase();
    out.push_str(port.unwrap_or(""));
    out
}
