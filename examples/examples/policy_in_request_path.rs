//! Put a governance policy in a host's request path: compile once, decide every call.
//!
//! Loads an `mcp-policy` document and one request (what `mcp-registry check` does), prints the
//! decision and its explanation, then decides a few tool calls by different people the way a
//! gateway would on each `tools/call`. Evaluation is pure: no I/O, the caller passes the time.
//!
//! ```text
//! cargo run -p mcp-registry-examples --example policy_in_request_path
//! cargo run -p mcp-registry-examples --example policy_in_request_path -- POLICY.json REQUEST.json
//! ```

use std::error::Error;
use std::process::ExitCode;
use std::sync::Arc;

use mcp_policy::{
    Action, Effect, Policy, PolicyError, Principal, Request, ToolAnnotations, ToolFacts, Usage,
};
use mcp_registry_examples::input::{DEFAULT_MAX_INPUT_BYTES, read_input};
use mcp_registry_types::sanitize_text;

const POLICY: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/data/policy.json");
const REQUEST: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/data/request.json");

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!(
                "policy_in_request_path: {}",
                sanitize_text(&error.to_string())
            );
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), Box<dyn Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (policy_file, request_file) = match args.as_slice() {
        [] => (POLICY, REQUEST),
        [policy, request] => (policy.as_str(), request.as_str()),
        _ => return Err("expected no arguments, or POLICY.json REQUEST.json".into()),
    };

    // Compile once at start-up; an invalid policy is an error here, never a silent allow. The
    // compiled policy is immutable: share it between request handlers as `Arc<CompiledPolicy>`.
    let policy = load(policy_file, Policy::from_json)?;
    let policy = Arc::new(
        policy
            .compile()
            .map_err(|e| format!("{policy_file}: {e}"))?,
    );
    for warning in policy.warnings() {
        eprintln!("warning: {}", sanitize_text(&warning.to_string()));
    }

    // The facts: who asks, for what, on which server and tool, at what time. A host builds
    // these from its session and the registry entry; here they come from a file.
    let request = load(request_file, Request::from_json)?;
    let decision = policy.evaluate(&request);
    println!("decision: {}", decision.effect());
    // The audit record to log: effect, deciding rule, reasons, obligations, policy hash.
    println!("audit record: {}", sanitize_text(&decision.to_json()));
    // Every rule's outcome, and for a deny the smallest change that would allow.
    println!("explanation:");
    for line in policy.explain(&request).to_string().lines() {
        println!("  {}", sanitize_text(line));
    }

    // A few tool calls on the same server, as a gateway sees them on each `tools/call`.
    let alice = Principal::new("alice@example.com").with_group("engineering");
    let root = Principal::new("root@example.com").with_group("platform");
    let mallory = Principal::new("mallory@example.net");
    // MCP assumes the worst of a tool that says nothing: destructive unless it says otherwise.
    let read_only = ToolAnnotations::default()
        .with_read_only(true)
        .with_destructive(false);
    let destructive = ToolAnnotations::default().with_destructive(true);
    // (who, tool, its annotations, searches this principal made in the current hour)
    let calls = [
        (&alice, "get_issue", read_only, 0),
        (&alice, "delete_repo", destructive, 0),
        (&root, "delete_repo", destructive, 0),
        (&alice, "search_code", read_only, 12),
        (&alice, "search_code", read_only, 500),
        (&mallory, "get_issue", read_only, 0),
    ];
    let now = request.time.unwrap_or_default();
    println!("\ntool calls on {}:", sanitize_text(&request.server.name));
    for (principal, tool, annotations, searches) in calls {
        // The gateway keeps the usage counters and the clock; the policy only reads them.
        let usage = Usage::new(searches).with_window_start(now.saturating_sub(600));
        let call = Request::new(principal.clone(), Action::CallTool, request.server.clone())
            .with_tool(ToolFacts::new(tool).with_annotations(annotations))
            .with_time(now)
            .with_usage("search-per-user", usage);
        let decision = policy.evaluate(&call);
        // Log `decision.to_json()` whatever the effect: it is the audit record.
        let next = match decision.effect() {
            Effect::Allow => "forward the call to the server",
            // Honour `decision.obligations()`: `bindArgumentsDigest` means the approval covers
            // these exact arguments only.
            Effect::Ask => "show a person the call and its arguments; forward once approved",
            Effect::Deny => "answer with an MCP error",
        };
        println!(
            "  {:<5} {} calls {tool}: {}\n        -> {next}",
            decision.effect().as_str(),
            sanitize_text(&principal.id),
            sanitize_text(&decision.reasons().join("; "))
        );
    }
    Ok(())
}

/// Reads a file within a size cap and parses it, naming the file in any error.
fn load<T>(path: &str, parse: fn(&[u8]) -> Result<T, PolicyError>) -> Result<T, String> {
    let bytes = read_input(path, DEFAULT_MAX_INPUT_BYTES).map_err(|e| format!("{path}: {e}"))?;
    parse(&bytes).map_err(|e| format!("{path}: {e}"))
}
