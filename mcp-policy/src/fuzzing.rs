//! Property checks shared by the fuzz targets and the test suite, so that a stable `cargo test`
//! replays the same code a fuzzer runs. Not part of the stable API.

use mcp_registry_types::TransportType;
use mcp_registry_types::glob::Glob;

use crate::compile::CompiledPolicy;
use crate::diagnostic::PolicyError;
use crate::document::{Effect, Policy};
use crate::eval::Applied;
use crate::host::{HostSettings, MANAGED_SCOPE};
use crate::matcher::Context;
use crate::request::{Action, Principal, RemoteFacts, Request, ServerFacts};
use crate::url::{Target, UrlPattern};

/// The reference evaluator: a plain loop over every rule in rank order, without the index.
/// Returns the effect and the deciding `(rule, layer)`, `None` for the default.
pub fn reference_evaluate(
    policy: &CompiledPolicy,
    request: &Request,
) -> (Effect, Option<(String, String)>) {
    // The remotes a host might use: the one named in use, else each listed, else none.
    let remotes: Vec<Option<&crate::request::RemoteFacts>> = match &request.remote {
        Some(named) => vec![Some(named)],
        None if request.server.remotes.is_empty() => vec![None],
        None => request.server.remotes.iter().map(Some).collect(),
    };
    let mut strictest: Option<(Effect, Option<(String, String)>)> = None;
    for remote in remotes {
        let cx = Context::new(request, policy.roles.effective(request), remote);
        let found = reference_in(policy, &cx);
        if strictest
            .as_ref()
            .is_none_or(|(effect, _)| strength(found.0) > strength(*effect))
        {
            strictest = Some(found);
        }
    }
    strictest.unwrap_or((policy.default_effect, None))
}

fn reference_in(policy: &CompiledPolicy, cx: &Context<'_>) -> (Effect, Option<(String, String)>) {
    // The highest-ranked layer that locks its allowlist; allow and ask rules below it are void.
    let lock = policy.layers.iter().position(|l| l.locks_allowlist);
    let mut best: Option<(Effect, String, String)> = None;
    for rule in &policy.rules {
        let below_lock = lock.is_some_and(|l| rule.layer as usize > l);
        if below_lock && rule.effect != Effect::Deny {
            continue;
        }
        let effect = match rule.apply(cx) {
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
        .with_remote(RemoteFacts::new(
            TransportType::StreamableHttp,
            "https://mcp.example.com/mcp",
        ));
    let mut request = Request::new(Principal::new("fuzz"), action, server).with_time(0);
    if action == Action::CallTool {
        request = request.with_tool(crate::request::ToolFacts::new("forecast"));
    }
    request
}

/// Judges a URL against a host managed-settings URL pattern (`serverUrl`, `remoteUrl`) and
/// checks the result against oracles that share no code with the matcher. The input is the
/// pattern, a newline, then the URL; without a newline the text is both.
///
/// - A URL the `url` crate (the WHATWG parser clients connect with) cannot parse, or reads with
///   no host, is never allowed by a `remoteUrl` rule, and always meets a `remoteUrl` deny.
/// - When the `url` crate reads host `H` and the pattern's host is plain ASCII, a rule allows
///   only if the pattern's host, as a quadratic dynamic-programming wildcard over the text, can
///   match `H`.
/// - When `H` is an address, `privateNetwork` agrees with a classification written from the
///   address ranges' registries with `std::net` and prefix masks.
///
/// The same text is also checked as a bare glob in both dialects, so the fast matcher meets the
/// wildcard oracle on strings the URL split never produces.
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
    check_private_network(url)?;
    if UrlPattern::new(pattern).is_err() {
        return Ok(());
    }
    let compile = |effect: &str| {
        let rule =
            serde_json::json!({"id": "r", "effect": effect, "match": {"remoteUrl": [pattern]}});
        let policy = serde_json::json!({"defaultEffect": if effect == "deny" { "allow" } else { "deny" }, "rules": [rule]});
        Policy::from_value(&policy).and_then(|p| p.compile())
    };
    let (Ok(allow), Ok(deny)) = (compile("allow"), compile("deny")) else {
        return Err(format!(
            "pattern `{pattern}` compiles alone but not in a rule"
        ));
    };
    let server = ServerFacts::new("io.github.acme/x")
        .with_remote(RemoteFacts::new(TransportType::StreamableHttp, url));
    let request = Request::new(Principal::new("fuzz"), Action::Connect, server);
    let allowed = allow.evaluate(&request).effect() == Effect::Allow;
    let denied = deny.evaluate(&request).effect() == Effect::Deny;
    let client_host = mcp_registry_types::url::Url::parse(url).ok().and_then(|u| {
        u.host_str()
            .filter(|h| !h.is_empty())
            .map(str::to_ascii_lowercase)
    });
    let Some(host) = client_host else {
        if allowed || !denied {
            return Err(format!(
                "`{url}` has no host a client reads, yet pattern `{pattern}` allowed it \
                 ({allowed}) or did not deny it ({denied})"
            ));
        }
        return Ok(());
    };
    let host = host.strip_suffix('.').unwrap_or(&host);
    if let Some(host_pattern) = oracle_host_pattern(pattern)
        && allowed
        && !wildcard(&host_pattern, host, false)
    {
        return Err(format!(
            "pattern `{pattern}` (host `{host_pattern}`) allowed `{url}`, whose host a client reads \
             as `{host}`"
        ));
    }
    Ok(())
}

/// The host part of a pattern, lowercased, when it is plain ASCII the oracle can compare as
/// text: after `://` (or from the start), up to the first `/`, `?` or `#`, without a `:port`.
fn oracle_host_pattern(pattern: &str) -> Option<String> {
    let rest = pattern.split_once("://").map_or(pattern, |(_, rest)| rest);
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = rest.get(..end)?;
    let host = if authority.starts_with('[') {
        authority.get(..=authority.find(']')?)?
    } else {
        authority
            .rsplit_once(':')
            .map_or(authority, |(host, _)| host)
    };
    if !host.is_ascii() || host.contains('%') || host.is_empty() {
        return None;
    }
    // A wildcard host that could also be read as an IPv4 number form is left to the matcher.
    let host = host.strip_suffix('.').unwrap_or(host).to_ascii_lowercase();
    if host.starts_with('[') || host.bytes().any(|b| b.is_ascii_digit()) && !host.contains('*') {
        return None;
    }
    Some(host)
}

/// `privateNetwork` on a URL whose host is an address, against [`oracle_private`].
fn check_private_network(url: &str) -> Result<(), String> {
    let Some(ip) = mcp_registry_types::url::Url::parse(url)
        .ok()
        .and_then(|u| match u.host() {
            Some(mcp_registry_types::url::Host::Ipv4(v4)) => Some(std::net::IpAddr::V4(v4)),
            Some(mcp_registry_types::url::Host::Ipv6(v6)) => Some(std::net::IpAddr::V6(v6)),
            _ => None,
        })
    else {
        return Ok(());
    };
    let Target::Read(read) = Target::read(url) else {
        return Ok(());
    };
    let ours = crate::url::is_private_url(&read);
    let expected = oracle_private(ip);
    if ours != expected {
        return Err(format!(
            "privateNetwork says {ours} for `{url}` ({ip}), the oracle says {expected}"
        ));
    }
    Ok(())
}

/// Private, shared, loopback, link-local, benchmarking, multicast, reserved and unspecified
/// space, as `std::net` and prefix masks over the IANA special-purpose registries describe it;
/// IPv6 forms that carry an IPv4 address are judged by that address.
pub fn oracle_private(ip: std::net::IpAddr) -> bool {
    fn v4(a: std::net::Ipv4Addr) -> bool {
        let n = u32::from(a);
        let within = |base: [u8; 4], bits: u32| (n ^ u32::from_be_bytes(base)) >> (32 - bits) == 0;
        a.is_private()
            || a.is_loopback()
            || a.is_link_local()
            || a.is_unspecified()
            || a.is_broadcast()
            || a.is_multicast()
            || within([0, 0, 0, 0], 8)
            || within([100, 64, 0, 0], 10)
            || within([192, 0, 0, 0], 24)
            || within([198, 18, 0, 0], 15)
            || within([240, 0, 0, 0], 4)
    }
    match ip {
        std::net::IpAddr::V4(a) => v4(a),
        std::net::IpAddr::V6(a) => {
            let n = u128::from(a);
            let within = |base: u128, bits: u32| (n ^ base) >> (128 - bits) == 0;
            // The low 32 bits (or bits 80..112 for 6to4) as an IPv4 address.
            let bits = |shift: u32| u32::try_from((n >> shift) & 0xffff_ffff).unwrap_or(0);
            let low = std::net::Ipv4Addr::from(bits(0));
            let six_to_four = std::net::Ipv4Addr::from(bits(80));
            if let Some(mapped) = a.to_ipv4_mapped() {
                return v4(mapped);
            }
            a.is_loopback()
                || a.is_unspecified()
                || a.is_multicast()
                || within(0xfc00 << 112, 7)
                || within(0xfe80 << 112, 10)
                || within(0xfec0 << 112, 10)
                || within(0x0064_ff9b_0001 << 80, 48)
                || within(0x0100 << 112, 64)
                || (within(0, 96) && v4(low))
                || (within(0x0064_ff9b << 96, 96) && v4(low))
                || (within(0x2002 << 112, 16) && v4(six_to_four))
                || (within(0x2001 << 112, 32) && v4(std::net::Ipv4Addr::from(!bits(0))))
        }
    }
}

/// The glob dialects against the oracle: `*`-only, and `*` with `?` when the pattern has no
/// class or escape (the oracle does not model those).
fn check_glob(pattern: &str, text: &str) -> Result<(), String> {
    let star_only = Glob::star_only(pattern);
    let (fast, slow) = (star_only.matches(text), wildcard(pattern, text, false));
    if fast != slow {
        return Err(format!(
            "star-only glob `{pattern}` on `{text}`: matcher says {fast}, oracle says {slow}"
        ));
    }
    if let Ok(glob) = Glob::new(pattern) {
        let matched = glob.matches(text);
        if !pattern.contains(['[', '\\']) {
            let slow = wildcard(pattern, text, true);
            if matched != slow {
                return Err(format!(
                    "glob `{pattern}` on `{text}`: matcher says {matched}, oracle says {slow}"
                ));
            }
        }
        if matched && !text.starts_with(&*glob.literal_prefix()) {
            return Err(format!(
                "glob `{pattern}` matched `{text}` without its literal prefix"
            ));
        }
        if let Some(exact) = glob.literal()
            && !glob.matches(exact)
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
