//! `mcp-test-upstream`: a tiny MCP server over stdio, the upstream the gateway's tests put
//! behind [`mcp_registry_examples::gateway::Gateway`].
//!
//! It offers two tools:
//!
//! - `echo` (read-only, not destructive): answers `echo: TEXT` for the argument `text`;
//! - `delete_all` (destructive): answers `deleted everything`, and deletes nothing.
//!
//! It also serves one resource, `note://readme` (`hello from the notes`), and one prompt,
//! `greet` (argument `name`), so resources and prompts can be tried through the gateway.
//!
//! It speaks MCP over stdio, or with `--listen ADDR` over streamable HTTP at `/mcp`; then its
//! first line on standard output is `listening on ADDR` with the port it bound (`:0` picks one).

use std::process::ExitCode;
use std::sync::Arc;

use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ContentBlock, ErrorCode,
    GetPromptRequestParams, GetPromptResponse, GetPromptResult, JsonObject, ListPromptsResult,
    ListResourcesResult, ListToolsResult, PaginatedRequestParams, Prompt, PromptArgument,
    PromptMessage, ReadResourceRequestParams, ReadResourceResponse, ReadResourceResult, Resource,
    ResourceContents, Role, ServerCapabilities, ServerConfig, Tool, ToolAnnotations,
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
        ServerConfig::new(
            ServerCapabilities::builder()
                .enable_tools()
                .enable_resources()
                .enable_prompts()
                .build(),
        )
    }

    async fn list_resources(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListResourcesResult, ErrorData> {
        Ok(ListResourcesResult::with_all_items(vec![Resource::new(
            README, "readme",
        )]))
    }

    async fn read_resource(
        &self,
        request: ReadResourceRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<ReadResourceResponse, ErrorData> {
        if request.uri != README {
            return Err(ErrorData::resource_not_found(
                format!("no resource {}", request.uri),
                None,
            ));
        }
        Ok(
            ReadResourceResult::new(vec![ResourceContents::text("hello from the notes", README)])
                .into(),
        )
    }

    async fn list_prompts(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListPromptsResult, ErrorData> {
        Ok(ListPromptsResult::with_all_items(vec![Prompt::new(
            "greet",
            Some("Greets someone."),
            Some(vec![PromptArgument::new("name")]),
        )]))
    }

    async fn get_prompt(
        &self,
        request: GetPromptRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<GetPromptResponse, ErrorData> {
        let name = request
            .arguments
            .as_ref()
            .and_then(|arguments| arguments.get("name"))
            .and_then(serde_json::Value::as_str)
            .unwrap_or("you");
        Ok(GetPromptResult::new(vec![PromptMessage::new_text(
            Role::User,
            format!("Say hello to {name}."),
        )])
        .into())
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

const README: &str = "note://readme";

/// Serves streamable HTTP at `/mcp` on `addr` until killed.
async fn serve_http(addr: &str) -> Result<(), String> {
    use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
    use rmcp::transport::streamable_http_server::{
        StreamableHttpServerConfig, StreamableHttpService,
    };
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|error| format!("cannot listen on {addr}: {error}"))?;
    let bound = listener.local_addr().map_err(|error| error.to_string())?;
    let service = StreamableHttpService::new(
        || Ok(TestUpstream),
        std::sync::Arc::new(LocalSessionManager::default()),
        StreamableHttpServerConfig::default(),
    );
    let app = axum::Router::new().route_service("/mcp", service);
    println!("listening on {bound}");
    let listener = axum::serve::ListenerExt::tap_io(listener, |stream| {
        // Answers are streamed in several writes; without it a kept connection stalls.
        let _nodelay = stream.set_nodelay(true);
    });
    axum::serve(listener, app)
        .await
        .map_err(|error| error.to_string())
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let [flag, addr] = args.as_slice()
        && flag == "--listen"
    {
        return match serve_http(addr).await {
            Ok(()) => ExitCode::SUCCESS,
            Err(error) => {
                eprintln!("mcp-test-upstream: {error}");
                ExitCode::FAILURE
            }
        };
    }
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
