//! Helpers for the tests that talk MCP through the gateway: a call with JSON arguments, the
//! text of an answer, and the MCP error of a failed request. Included with
//! `#[path = "util/mcp.rs"] mod mcp;` by the tests that need it.
#![expect(
    clippy::panic,
    reason = "tests fail by panicking; clippy.toml's test allowances reach only #[test] functions"
)]
#![allow(dead_code, reason = "each test binary uses a different subset")]

use rmcp::model::{CallToolRequestParams, CallToolResult, ContentBlock};
use rmcp::service::RunningService;
use rmcp::{ErrorData, RoleClient, Service, ServiceError};
use serde_json::Value;

/// `tools/call` of `tool` with `arguments`, a JSON object.
pub(crate) async fn call<S: Service<RoleClient>>(
    client: &RunningService<RoleClient, S>,
    tool: &str,
    arguments: Value,
) -> Result<CallToolResult, ServiceError> {
    let Value::Object(arguments) = arguments else {
        panic!("arguments must be a JSON object")
    };
    client
        .call_tool(CallToolRequestParams::new(tool.to_owned()).with_arguments(arguments))
        .await
}

/// The text blocks of an answer, one line each.
pub(crate) fn text(result: &CallToolResult) -> String {
    result
        .content
        .iter()
        .filter_map(|block| match block {
            ContentBlock::Text(text) => Some(text.text.clone()),
            _ => None,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The MCP error a request failed with; panics on anything else.
pub(crate) fn mcp_error<T: std::fmt::Debug>(result: Result<T, ServiceError>) -> ErrorData {
    match result {
        Err(ServiceError::McpError(error)) => error,
        other => panic!("expected an MCP error, got {other:?}"),
    }
}
