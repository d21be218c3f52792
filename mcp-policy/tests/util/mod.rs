//! Helpers shared by the integration tests.
#![expect(
    clippy::panic,
    reason = "tests fail by panicking; clippy.toml's test allowances reach only #[test] functions"
)]
#![expect(
    dead_code,
    reason = "each test binary uses a different subset; every binary leaves some unused"
)]

use mcp_policy::{
    Action, CompiledPolicy, Effect, Policy, Principal, Request, ServerFacts, ToolFacts,
};

/// Parses and compiles a policy, panicking with every diagnostic on failure.
#[track_caller]
pub(crate) fn compile(json: &str) -> CompiledPolicy {
    let policy = Policy::from_json(json.as_bytes()).unwrap_or_else(|e| panic!("parse: {e}"));
    policy.compile().unwrap_or_else(|e| panic!("compile: {e}"))
}

/// Every diagnostic line of a policy that must fail to parse or compile.
#[track_caller]
pub(crate) fn diagnostics(json: &str) -> Vec<String> {
    let err = match Policy::from_json(json.as_bytes()) {
        Ok(policy) => match policy.compile() {
            Ok(_) => panic!("the policy compiled"),
            Err(err) => err,
        },
        Err(err) => err,
    };
    err.diagnostics().iter().map(ToString::to_string).collect()
}

/// Warnings of a policy that compiles.
#[track_caller]
pub(crate) fn warnings(json: &str) -> Vec<String> {
    compile(json)
        .warnings()
        .iter()
        .map(ToString::to_string)
        .collect()
}

/// A tool call by `user` on `server`.
pub(crate) fn call(user: &str, server: &str, tool: &str) -> Request {
    Request::new(
        Principal::new(user),
        Action::CallTool,
        ServerFacts::new(server),
    )
    .with_tool(ToolFacts::new(tool))
}

/// A connection by `user` to `server`.
pub(crate) fn connect(user: &str, server: &str) -> Request {
    Request::new(
        Principal::new(user),
        Action::Connect,
        ServerFacts::new(server),
    )
}

/// The effect of `request`.
pub(crate) fn effect(policy: &CompiledPolicy, request: &Request) -> Effect {
    policy.evaluate(request).effect()
}
