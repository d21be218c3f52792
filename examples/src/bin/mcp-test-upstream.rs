//! `mcp-test-upstream`: a tiny MCP server over stdio, the upstream the gateway's tests put
//! behind [`mcp_registry_examples::gateway::Gateway`].
//!
//! It offers two tools:
//!
//! - `echo` (read-only, not destructive): answers `echo: TEXT` for the argument `text`;
//! - `delete_all` (destructive): answers `deleted everything`, and deletes nothing.
//!
//! Every answer names the tool and the process, so a test can tell which upstream answered.

use std::process::ExitCode;
use std::sync::Arc;

use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ContentBlock, ErrorCode, JsonObject,
    ListToolsResult, PaginatedRequestParams, ServerCapabilities, ServerConfig, Tool,
    ToolAnnotations,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData, RoleServer, ServerHandler, ServiceExt as _};

/// The test server: stateless.
#[derive(Clone, Copy, Debug, Default)]
struct TestUpstream;

fn schema(properties: serde_json::Value) -> Arc<JsonObject> {
    let mut object = JsonObject::new();
    object.insert("type".to_owned(), serde_json::Value::from("object"));
    object.insert("properties".to_owned(), properties);
    Arc::new(object)
}

fn tools() -> Vec<Tool> {
    vec![
        Tool::new(
            "echo",
            "Repeats its `text` argument.",
            schema(serde_json::json!({ "text": { "type": "string" } })),
        )
        .with_annotations(ToolAnnotations::new().read_only(true).destructive(false)),
        Tool::new(
            "delete_all",
            "Pretends to delete everything.",
            schema(serde_json::json!({})),
        )
        .with_annotations(ToolAnnotations::new().read_only(false).destructive(true)),
    ]
}

impl ServerHandler for TestUpstream {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        Ok(ListToolsResult::with_all_items(tools()))
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let text = match request.name.as_ref() {
            "echo" => {
                let said = request
                    .arguments
                    .as_ref()
                    .and_then(|arguments| arguments.get("text"))
                    .and_then(serde_json::Value::as_str)
                    .unwrap_or_default();
                format!("echo: {said}")
            }
            "delete_all" => "deleted everything".to_owned(),
            other => {
                return Err(ErrorData::new(
                    ErrorCode::INVALID_PARAMS,
                    format!("no tool named {other}"),
                    None,
                ));
            }
        };
        Ok(CallToolResult::success(vec![ContentBlock::text(text)]).into())
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let service = match TestUpstream.serve(rmcp::transport::stdio()).await {
        Ok(service) => service,
        Err(error) => {
            eprintln!("mcp-test-upstream: {error}");
            return ExitCode::FAILURE;
        }
    };
    match service.waiting().await {
        Ok(_) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("mcp-test-upstream: {error}");
            ExitCode::FAILURE
        }
    }
}
