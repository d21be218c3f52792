//! `mcp-conformance-upstream`: an MCP server holding the fixtures that the MCP conformance
//! suite's server scenarios (`@modelcontextprotocol/conformance`, pinned in
//! `scripts/conformance.sh`) look for, so that the suite can be run against the gateway with
//! this server behind it, and directly against this server as a baseline.
//!
//! It serves over standard input and output by default, the way the gateway starts an upstream,
//! and over streamable HTTP at `http://ADDR/mcp` with `--listen ADDR`, the way the suite reaches
//! a server. It is written with rmcp's hand-written [`ServerHandler`], like `mcp-test-upstream`,
//! and offers what the suite's reference "everything server" offers:
//!
//! - tools `test_simple_text`, `test_image_content`, `test_audio_content`,
//!   `test_embedded_resource`, `test_multiple_content_types`, `test_tool_with_logging` (three
//!   log messages), `test_tool_with_progress` (three progress notifications),
//!   `test_error_handling` (a result with `isError`), `test_reconnection`, `test_sampling` (asks
//!   the client for a completion), `test_elicitation`, `test_elicitation_sep1034_defaults` and
//!   `test_elicitation_sep1330_enums` (ask the client for input), and `json_schema_2020_12_tool`
//!   (an input schema with `$schema`, `$defs` and `additionalProperties`);
//! - resources `test://static-text`, `test://static-binary`, `test://watched-resource` and the
//!   template `test://template/{id}/data`, with subscribe and unsubscribe accepted;
//! - prompts `test_simple_prompt`, `test_prompt_with_arguments`,
//!   `test_prompt_with_embedded_resource` and `test_prompt_with_image`;
//! - `logging/setLevel` (later log messages below the level are dropped) and
//!   `completion/complete`.
//!
//! `test_sampling` and the elicitation tools answer with `isError` when the client declared no
//! `sampling` or `elicitation` capability, as the scenarios ask. What rmcp's handler cannot do,
//! it does not pretend to: `test_reconnection` answers without closing its SSE stream first (a
//! handler cannot reach its own request's stream), and no `notifications/resources/updated` are
//! sent to subscribers (nothing here ever changes).

use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};
use std::time::Duration;

use clap::Parser;
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ClientCapabilities,
    CompleteRequestParams, CompleteResult, CompletionInfo, ContentBlock, ElicitRequestParams,
    ErrorCode, GetPromptRequestParams, GetPromptResponse, GetPromptResult, Implementation,
    JsonObject, ListPromptsResult, ListResourceTemplatesResult, ListResourcesResult,
    ListToolsResult, PaginatedRequestParams, ProgressNotificationParam, Prompt, PromptArgument,
    PromptMessage, ReadResourceRequestParams, ReadResourceResponse, ReadResourceResult, Reference,
    Resource, ResourceContents, ResourceTemplate, Role, ServerCapabilities, ServerConfig,
    SubscribeRequestParams, Tool, UnsubscribeRequestParams,
};
#[expect(
    deprecated,
    reason = "the suite still tests logging and sampling (SEP-2577)"
)]
use rmcp::model::{
    CreateMessageRequestParams, LoggingLevel, LoggingMessageNotificationParam, SamplingMessage,
    SetLevelRequestParams,
};
use rmcp::service::RequestContext;
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};
use rmcp::{ErrorData, Peer, RoleServer, ServerHandler, ServiceExt as _};
use serde_json::{Value, json};

/// A 1×1 red PNG, as in the suite's reference server.
const TEST_IMAGE_BASE64: &str = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==";
/// A WAV file with one silent sample, as in the suite's reference server.
const TEST_AUDIO_BASE64: &str = "UklGRiYAAABXQVZFZm10IBAAAAABAAEAQB8AAAB9AAACABAAZGF0YQIAAAA=";
/// The logger name on every log message.
const LOGGER: &str = "mcp-conformance-upstream";
/// The pause between two steps of the logging and progress tools.
const STEP: Duration = Duration::from_millis(50);

/// Serve the MCP conformance suite's server fixtures, over stdio unless `--listen` is given.
#[derive(Debug, Parser)]
#[command(name = "mcp-conformance-upstream", version)]
struct Args {
    /// Serve streamable HTTP on ADDR (for example 127.0.0.1:3000), path /mcp, instead of stdio.
    #[arg(long, value_name = "ADDR")]
    listen: Option<SocketAddr>,
}

/// One session's server: its only state is the log level the client last set.
#[derive(Clone, Debug, Default)]
struct ConformanceUpstream {
    /// The rank (see [`rank`]) below which log messages are dropped; 0, debug, until set.
    min_log_rank: Arc<AtomicU8>,
}

/// Log levels in order of severity, from 0 for debug to 7 for emergency.
#[expect(
    deprecated,
    reason = "the suite still tests logging, deprecated by SEP-2577"
)]
fn rank(level: LoggingLevel) -> u8 {
    match level {
        LoggingLevel::Debug => 0,
        LoggingLevel::Info => 1,
        LoggingLevel::Notice => 2,
        LoggingLevel::Warning => 3,
        LoggingLevel::Error => 4,
        LoggingLevel::Critical => 5,
        LoggingLevel::Alert => 6,
        LoggingLevel::Emergency => 7,
    }
}

impl ConformanceUpstream {
    /// Sends an info log message unless the client asked for a higher level.
    #[expect(
        deprecated,
        reason = "the suite still tests logging, deprecated by SEP-2577"
    )]
    async fn log_info(&self, peer: &Peer<RoleServer>, text: &str) {
        if rank(LoggingLevel::Info) < self.min_log_rank.load(Ordering::Relaxed) {
            return;
        }
        let message = LoggingMessageNotificationParam::new(LoggingLevel::Info, Value::from(text))
            .with_logger(LOGGER);
        if let Err(error) = peer.notify_logging_message(message).await {
            eprintln!("{LOGGER}: log message not sent: {error}");
        }
    }

    async fn tool_with_logging(&self, context: &RequestContext<RoleServer>) -> CallToolResult {
        self.log_info(&context.peer, "Tool execution started").await;
        tokio::time::sleep(STEP).await;
        self.log_info(&context.peer, "Tool processing data").await;
        tokio::time::sleep(STEP).await;
        self.log_info(&context.peer, "Tool execution completed")
            .await;
        CallToolResult::success(vec![ContentBlock::text(
            "Tool with logging executed successfully",
        )])
    }
}

/// An object schema with these properties, of which these are required.
fn object_schema(properties: Value, required: &[&str]) -> Arc<JsonObject> {
    let mut object = JsonObject::new();
    object.insert("type".to_owned(), Value::from("object"));
    object.insert("properties".to_owned(), properties);
    if !required.is_empty() {
        object.insert("required".to_owned(), Value::from(required.to_vec()));
    }
    Arc::new(object)
}

/// A schema whose keywords must reach the client unchanged (SEP-1613).
fn json_schema_2020_12() -> Arc<JsonObject> {
    let schema = json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "$defs": {
            "address": {
                "type": "object",
                "properties": { "street": { "type": "string" }, "city": { "type": "string" } }
            }
        },
        "properties": { "name": { "type": "string" }, "address": { "$ref": "#/$defs/address" } },
        "additionalProperties": false
    });
    match schema {
        Value::Object(object) => Arc::new(object),
        _ => object_schema(json!({}), &[]),
    }
}

fn tools() -> Vec<Tool> {
    let none = || object_schema(json!({}), &[]);
    let string = |description: &str| json!({ "type": "string", "description": description });
    vec![
        Tool::new(
            "test_simple_text",
            "Tests simple text content response",
            none(),
        ),
        Tool::new("test_image_content", "Tests image content response", none()),
        Tool::new("test_audio_content", "Tests audio content response", none()),
        Tool::new(
            "test_embedded_resource",
            "Tests embedded resource content response",
            none(),
        ),
        Tool::new(
            "test_multiple_content_types",
            "Tests response with multiple content types (text, image, resource)",
            none(),
        ),
        Tool::new(
            "test_tool_with_logging",
            "Tests tool that emits log messages during execution",
            none(),
        ),
        Tool::new(
            "test_tool_with_progress",
            "Tests tool that reports progress notifications",
            none(),
        ),
        Tool::new(
            "test_error_handling",
            "Tests error response handling",
            none(),
        ),
        Tool::new(
            "test_reconnection",
            "Tests SSE stream disconnection and client reconnection (SEP-1699); this server \
             answers without closing the stream",
            none(),
        ),
        Tool::new(
            "test_sampling",
            "Tests server-initiated sampling (LLM completion request)",
            object_schema(
                json!({ "prompt": string("The prompt to send to the LLM") }),
                &["prompt"],
            ),
        ),
        Tool::new(
            "test_elicitation",
            "Tests server-initiated elicitation (user input request)",
            object_schema(
                json!({ "message": string("The message to show the user") }),
                &["message"],
            ),
        ),
        Tool::new(
            "test_elicitation_sep1034_defaults",
            "Tests elicitation with default values per SEP-1034",
            none(),
        ),
        Tool::new(
            "test_elicitation_sep1330_enums",
            "Tests elicitation with enum schema improvements per SEP-1330",
            none(),
        ),
        Tool::new(
            "json_schema_2020_12_tool",
            "Tool with JSON Schema 2020-12 features for conformance testing (SEP-1613)",
            json_schema_2020_12(),
        ),
    ]
}

/// The string argument `name`, or an empty string.
fn string_argument<'a>(request: &'a CallToolRequestParams, name: &str) -> &'a str {
    request
        .arguments
        .as_ref()
        .and_then(|arguments| arguments.get(name))
        .and_then(Value::as_str)
        .unwrap_or_default()
}

fn text_result(text: impl Into<String>) -> CallToolResult {
    CallToolResult::success(vec![ContentBlock::text(text)])
}

fn embedded(uri: &str, mime_type: &str, text: impl Into<String>) -> ContentBlock {
    ContentBlock::resource(ResourceContents::text(text, uri).with_mime_type(mime_type))
}

/// Sends progress 0, 50 and 100 of 100 when the request carries a progress token.
async fn tool_with_progress(context: &RequestContext<RoleServer>) -> CallToolResult {
    let token = context.meta.get_progress_token();
    for (step, progress) in [0.0, 50.0, 100.0].into_iter().enumerate() {
        if step > 0 {
            tokio::time::sleep(STEP).await;
        }
        let Some(token) = &token else { continue };
        let notification = ProgressNotificationParam::new(token.clone(), progress)
            .with_total(100.0)
            .with_message(format!("Completed step {progress} of 100"));
        if let Err(error) = context.peer.notify_progress(notification).await {
            eprintln!("{LOGGER}: progress not sent: {error}");
        }
    }
    match token {
        Some(token) => text_result(serde_json::to_string(&token).unwrap_or_default()),
        None => text_result("no progress token"),
    }
}

/// Whether the client declared this capability when it initialized (true when unknown).
fn client_declares(
    context: &RequestContext<RoleServer>,
    declared: impl Fn(&ClientCapabilities) -> bool,
) -> bool {
    context
        .peer
        .peer_info()
        .is_none_or(|info| declared(&info.capabilities))
}

fn tool_error(text: impl Into<String>) -> CallToolResult {
    CallToolResult::error(vec![ContentBlock::text(text)])
}

/// Asks the client for a completion of `prompt`.
#[expect(
    deprecated,
    reason = "the suite still tests sampling, deprecated by SEP-2577"
)]
async fn sampling(context: &RequestContext<RoleServer>, prompt: &str) -> CallToolResult {
    if !client_declares(context, |capabilities| capabilities.sampling.is_some()) {
        return tool_error("the client does not support sampling");
    }
    let params =
        CreateMessageRequestParams::new(vec![SamplingMessage::user_text(prompt.to_owned())], 100);
    match context.peer.create_message(params).await {
        Ok(result) => {
            let message = serde_json::to_value(&result.message).unwrap_or_default();
            let text = message
                .pointer("/content/text")
                .and_then(Value::as_str)
                .unwrap_or("(no text)");
            text_result(format!("LLM response: {text}"))
        }
        Err(error) => tool_error(format!("sampling failed: {error}")),
    }
}

/// Asks the client to fill in a form with this schema.
async fn elicit(
    context: &RequestContext<RoleServer>,
    message: &str,
    schema: Value,
    label: &str,
) -> CallToolResult {
    if !client_declares(context, |capabilities| capabilities.elicitation.is_some()) {
        return tool_error("the client does not support elicitation");
    }
    let params = json!({ "mode": "form", "message": message, "requestedSchema": schema });
    let params: ElicitRequestParams = match serde_json::from_value(params) {
        Ok(params) => params,
        Err(error) => {
            return tool_error(format!("the elicitation schema does not parse: {error}"));
        }
    };
    match context.peer.create_elicitation(params).await {
        Ok(result) => {
            let action = serde_json::to_value(result.action).unwrap_or_default();
            let fields = result.content.unwrap_or_else(|| json!({}));
            text_result(format!(
                "{label}: action={}, content={fields}",
                action.as_str().unwrap_or_default()
            ))
        }
        Err(error) => tool_error(format!("elicitation failed: {error}")),
    }
}

fn elicitation_schema() -> Value {
    json!({
        "type": "object",
        "properties": {
            "username": { "type": "string", "description": "User's response" },
            "email": { "type": "string", "description": "User's email address" }
        },
        "required": ["username", "email"]
    })
}

/// SEP-1034: a default for every primitive type.
fn defaults_schema() -> Value {
    json!({
        "type": "object",
        "properties": {
            "name": { "type": "string", "description": "User name", "default": "John Doe" },
            "age": { "type": "integer", "description": "User age", "default": 30 },
            "score": { "type": "number", "description": "User score", "default": 95.5 },
            "status": {
                "type": "string",
                "description": "User status",
                "enum": ["active", "inactive", "pending"],
                "default": "active"
            },
            "verified": { "type": "boolean", "description": "Verification status", "default": true }
        },
        "required": []
    })
}

/// SEP-1330: the five ways to write an enum.
fn enums_schema() -> Value {
    let titled = |label: &str| {
        json!([
            { "const": "value1", "title": format!("First {label}") },
            { "const": "value2", "title": format!("Second {label}") },
            { "const": "value3", "title": format!("Third {label}") }
        ])
    };
    json!({
        "type": "object",
        "properties": {
            "untitledSingle": {
                "type": "string",
                "description": "Select one option",
                "enum": ["option1", "option2", "option3"]
            },
            "titledSingle": {
                "type": "string",
                "description": "Select one option with titles",
                "oneOf": titled("Option")
            },
            "legacyEnum": {
                "type": "string",
                "description": "Select one option (legacy)",
                "enum": ["opt1", "opt2", "opt3"],
                "enumNames": ["Option One", "Option Two", "Option Three"]
            },
            "untitledMulti": {
                "type": "array",
                "description": "Select multiple options",
                "minItems": 1,
                "maxItems": 3,
                "items": { "type": "string", "enum": ["option1", "option2", "option3"] }
            },
            "titledMulti": {
                "type": "array",
                "description": "Select multiple options with titles",
                "minItems": 1,
                "maxItems": 3,
                "items": { "anyOf": titled("Choice") }
            }
        },
        "required": []
    })
}

fn resources() -> Vec<Resource> {
    vec![
        Resource::new("test://static-text", "static-text")
            .with_title("Static Text Resource")
            .with_description("A static text resource for testing")
            .with_mime_type("text/plain"),
        Resource::new("test://static-binary", "static-binary")
            .with_title("Static Binary Resource")
            .with_description("A static binary resource (image) for testing")
            .with_mime_type("image/png"),
        Resource::new("test://watched-resource", "watched-resource")
            .with_title("Watched Resource")
            .with_description("A resource that can be subscribed to")
            .with_mime_type("text/plain"),
    ]
}

fn read(uri: &str) -> Option<ResourceContents> {
    let contents = match uri {
        "test://static-text" => {
            ResourceContents::text("This is the content of the static text resource.", uri)
        }
        "test://static-binary" => {
            ResourceContents::blob(TEST_IMAGE_BASE64, uri).with_mime_type("image/png")
        }
        "test://watched-resource" => ResourceContents::text("Watched resource content", uri),
        _ => {
            let id = uri
                .strip_prefix("test://template/")?
                .strip_suffix("/data")
                .filter(|id| !id.is_empty() && !id.contains('/'))?;
            let text =
                json!({ "id": id, "templateTest": true, "data": format!("Data for ID: {id}") });
            ResourceContents::text(text.to_string(), uri).with_mime_type("application/json")
        }
    };
    Some(contents)
}

fn prompts() -> Vec<Prompt> {
    let argument = |name: &str, description: &str| {
        PromptArgument::new(name)
            .with_description(description)
            .with_required(true)
    };
    vec![
        Prompt::new(
            "test_simple_prompt",
            Some("A simple prompt without arguments"),
            None,
        )
        .with_title("Simple Test Prompt"),
        Prompt::new(
            "test_prompt_with_arguments",
            Some("A prompt with required arguments"),
            Some(vec![
                argument("arg1", "First test argument"),
                argument("arg2", "Second test argument"),
            ]),
        )
        .with_title("Prompt With Arguments"),
        Prompt::new(
            "test_prompt_with_embedded_resource",
            Some("A prompt that includes an embedded resource"),
            Some(vec![argument(
                "resourceUri",
                "URI of the resource to embed",
            )]),
        )
        .with_title("Prompt With Embedded Resource"),
        Prompt::new(
            "test_prompt_with_image",
            Some("A prompt that includes image content"),
            None,
        )
        .with_title("Prompt With Image"),
    ]
}

/// The prompt argument `name`, or an empty string.
fn prompt_argument<'a>(request: &'a GetPromptRequestParams, name: &str) -> &'a str {
    request
        .arguments
        .as_ref()
        .and_then(|arguments| arguments.get(name))
        .and_then(Value::as_str)
        .unwrap_or_default()
}

fn prompt_messages(request: &GetPromptRequestParams) -> Option<Vec<PromptMessage>> {
    let messages = match request.name.as_str() {
        "test_simple_prompt" => vec![PromptMessage::new_text(
            Role::User,
            "This is a simple prompt for testing.",
        )],
        "test_prompt_with_arguments" => vec![PromptMessage::new_text(
            Role::User,
            format!(
                "Prompt with arguments: arg1='{}', arg2='{}'",
                prompt_argument(request, "arg1"),
                prompt_argument(request, "arg2")
            ),
        )],
        "test_prompt_with_embedded_resource" => vec![
            PromptMessage::new(
                Role::User,
                embedded(
                    prompt_argument(request, "resourceUri"),
                    "text/plain",
                    "Embedded resource content for testing.",
                ),
            ),
            PromptMessage::new_text(Role::User, "Please process the embedded resource above."),
        ],
        "test_prompt_with_image" => vec![
            PromptMessage::new(
                Role::User,
                ContentBlock::image(TEST_IMAGE_BASE64, "image/png"),
            ),
            PromptMessage::new_text(Role::User, "Please analyze the image above."),
        ],
        _ => return None,
    };
    Some(messages)
}

impl ServerHandler for ConformanceUpstream {
    #[expect(
        deprecated,
        reason = "the suite still tests logging, deprecated by SEP-2577"
    )]
    fn get_info(&self) -> ServerConfig {
        let capabilities = ServerCapabilities::builder()
            .enable_logging()
            .enable_completions()
            .enable_prompts()
            .enable_resources()
            .enable_resources_subscribe()
            .enable_tools()
            .build();
        ServerConfig::new(capabilities).with_server_info(Implementation::new(
            "mcp-conformance-upstream",
            env!("CARGO_PKG_VERSION"),
        ))
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
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let image = || ContentBlock::image(TEST_IMAGE_BASE64, "image/png");
        let result = match request.name.as_ref() {
            "test_simple_text" => text_result("This is a simple text response for testing."),
            "test_image_content" => CallToolResult::success(vec![image()]),
            "test_audio_content" => {
                CallToolResult::success(vec![ContentBlock::audio(TEST_AUDIO_BASE64, "audio/wav")])
            }
            "test_embedded_resource" => CallToolResult::success(vec![embedded(
                "test://embedded-resource",
                "text/plain",
                "This is an embedded resource content.",
            )]),
            "test_multiple_content_types" => CallToolResult::success(vec![
                ContentBlock::text("Multiple content types test:"),
                image(),
                embedded(
                    "test://mixed-content-resource",
                    "application/json",
                    json!({ "test": "data", "value": 123 }).to_string(),
                ),
            ]),
            "test_tool_with_logging" => self.tool_with_logging(&context).await,
            "test_tool_with_progress" => tool_with_progress(&context).await,
            "test_error_handling" => {
                tool_error("This tool intentionally returns an error for testing")
            }
            "test_reconnection" => {
                tokio::time::sleep(Duration::from_millis(100)).await;
                text_result(
                    "Reconnection test completed (this server does not close the stream first).",
                )
            }
            "test_sampling" => sampling(&context, string_argument(&request, "prompt")).await,
            "test_elicitation" => {
                let message = string_argument(&request, "message");
                elicit(&context, message, elicitation_schema(), "User response").await
            }
            "test_elicitation_sep1034_defaults" => {
                let message = "Please review and update the form fields with defaults";
                elicit(
                    &context,
                    message,
                    defaults_schema(),
                    "Elicitation completed",
                )
                .await
            }
            "test_elicitation_sep1330_enums" => {
                let message = "Please select options from the enum fields";
                elicit(&context, message, enums_schema(), "Elicitation completed").await
            }
            "json_schema_2020_12_tool" => text_result(format!(
                "JSON Schema 2020-12 tool called with: {}",
                Value::Object(request.arguments.clone().unwrap_or_default())
            )),
            other => {
                return Err(ErrorData::new(
                    ErrorCode::INVALID_PARAMS,
                    format!("no tool named {other}"),
                    None,
                ));
            }
        };
        Ok(result.into())
    }

    async fn list_resources(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListResourcesResult, ErrorData> {
        Ok(ListResourcesResult::with_all_items(resources()))
    }

    async fn list_resource_templates(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListResourceTemplatesResult, ErrorData> {
        let template = ResourceTemplate::new("test://template/{id}/data", "template")
            .with_title("Resource Template")
            .with_description("A resource template with parameter substitution")
            .with_mime_type("application/json");
        Ok(ListResourceTemplatesResult::with_all_items(vec![template]))
    }

    async fn read_resource(
        &self,
        request: ReadResourceRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<ReadResourceResponse, ErrorData> {
        match read(&request.uri) {
            Some(contents) => Ok(ReadResourceResult::new(vec![contents]).into()),
            None => Err(ErrorData::resource_not_found(
                format!("no resource at {}", request.uri),
                None,
            )),
        }
    }

    async fn subscribe(
        &self,
        request: SubscribeRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<(), ErrorData> {
        // Nothing here changes, so a subscription never has anything to report.
        match read(&request.uri) {
            Some(_) => Ok(()),
            None => Err(ErrorData::resource_not_found(
                format!("no resource at {}", request.uri),
                None,
            )),
        }
    }

    async fn unsubscribe(
        &self,
        _request: UnsubscribeRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<(), ErrorData> {
        Ok(())
    }

    async fn list_prompts(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListPromptsResult, ErrorData> {
        Ok(ListPromptsResult::with_all_items(prompts()))
    }

    async fn get_prompt(
        &self,
        request: GetPromptRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<GetPromptResponse, ErrorData> {
        match prompt_messages(&request) {
            Some(messages) => Ok(GetPromptResult::new(messages).into()),
            None => Err(ErrorData::invalid_params(
                format!("no prompt named {}", request.name),
                None,
            )),
        }
    }

    async fn complete(
        &self,
        request: CompleteRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<CompleteResult, ErrorData> {
        // Suggestions for the arguments of `test_prompt_with_arguments`; none for anything else.
        let candidates: &[&str] = match &request.r#ref {
            Reference::Prompt(prompt) if prompt.name == "test_prompt_with_arguments" => {
                &["paris", "park", "party", "test", "testValue1", "testValue2"]
            }
            _ => &[],
        };
        let values = candidates
            .iter()
            .filter(|value| value.starts_with(request.argument.value.as_str()))
            .map(|value| (*value).to_owned())
            .collect();
        let completion = CompletionInfo::with_all_values(values)
            .map_err(|error| ErrorData::internal_error(error, None))?;
        Ok(CompleteResult::new(completion))
    }

    #[expect(
        deprecated,
        reason = "the suite still tests logging, deprecated by SEP-2577"
    )]
    async fn set_level(
        &self,
        request: SetLevelRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<(), ErrorData> {
        self.min_log_rank
            .store(rank(request.level), Ordering::Relaxed);
        Ok(())
    }
}

/// Serves streamable HTTP at `/mcp`, one session per client, loopback `Host` headers only.
async fn serve_http(addr: SocketAddr) -> std::io::Result<()> {
    let service = StreamableHttpService::new(
        || Ok(ConformanceUpstream::default()),
        Arc::new(LocalSessionManager::default()),
        StreamableHttpServerConfig::default(),
    );
    let app = axum::Router::new().route_service("/mcp", service);
    let listener = tokio::net::TcpListener::bind(addr).await?;
    eprintln!(
        "{LOGGER}: serving MCP at http://{}/mcp",
        listener.local_addr()?
    );
    let listener = axum::serve::ListenerExt::tap_io(listener, |stream| {
        // Answers are streamed in several writes; without it a kept connection stalls.
        let _nodelay = stream.set_nodelay(true);
    });
    axum::serve(listener, app)
        .with_graceful_shutdown(mcp_registry_examples::serve::shutdown_signal())
        .await
}

async fn serve_stdio() -> Result<(), String> {
    let service = ConformanceUpstream::default()
        .serve(rmcp::transport::stdio())
        .await
        .map_err(|error| error.to_string())?;
    service
        .waiting()
        .await
        .map(|_| ())
        .map_err(|error| error.to_string())
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let args = Args::parse();
    let result = match args.listen {
        Some(addr) => serve_http(addr).await.map_err(|error| error.to_string()),
        None => serve_stdio().await,
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("{LOGGER}: {error}");
            ExitCode::FAILURE
        }
    }
}
