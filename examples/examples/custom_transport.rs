//! Plug a custom HTTP stack into the registry client: here an in-memory registry, no network.
//!
//! `HttpTransport` is the client's one seam to HTTP: implement it over your own stack (a proxy,
//! a test double, a gateway's pool) and pass it to `RegistryClient::builder().with_transport`;
//! the client still does URLs, paging, retries, limits and decoding. This one serves
//! `GET /v0.1/servers` pages from `examples/data/catalog/servers.json` and logs each request.
//!
//! ```text
//! cargo run -p mcp-registry-examples --example custom_transport
//! ```

use std::error::Error;

use futures::TryStreamExt as _;
use mcp_registry_client::bytes::Bytes;
use mcp_registry_client::http::{Request, Response, StatusCode, header};
use mcp_registry_client::url::form_urlencoded;
use mcp_registry_client::{HttpTransport, ListQuery, RegistryClient, TransportError};
use mcp_registry_types::{ServerFilter, sanitize_text};
use serde_json::{Value, json};

/// The registry's list entries: `[{"server": {...}, "_meta": {...}}, ...]`.
const ENTRIES: &str = include_str!("../data/catalog/servers.json");

/// A registry in memory: serves `GET /v0.1/servers` pages, with the offset as the cursor.
struct InMemoryRegistry {
    entries: Vec<Value>,
}

#[async_trait::async_trait]
impl HttpTransport for InMemoryRegistry {
    async fn send(
        &self,
        request: Request<Bytes>,
        max_body: u64,
    ) -> Result<Response<Bytes>, TransportError> {
        // Log the method and URL only: headers may carry the registry's bearer token.
        println!("  -> {} {}", request.method(), request.uri());
        let (status, body) = self.answer(&request);
        let body = Bytes::from(body.to_string());
        // A transport must refuse a body over `max_body`: that keeps a hostile registry from
        // exhausting memory (streaming stacks can use `LimitedBody` while reading).
        if u64::try_from(body.len()).map_or(true, |len| len > max_body) {
            return Err(TransportError::body_too_large(max_body));
        }
        println!("  <- {status}, {} bytes", body.len());
        // Redirects and errors are returned as they are; the client decides what they mean.
        Response::builder()
            .status(status)
            .header(header::CONTENT_TYPE, "application/json")
            .body(body)
            .map_err(TransportError::other)
    }
}

impl InMemoryRegistry {
    fn answer(&self, request: &Request<Bytes>) -> (StatusCode, Value) {
        if request.uri().path() != "/v0.1/servers" {
            return problem(StatusCode::NOT_FOUND, "no such endpoint");
        }
        let (mut offset, mut limit) = (0_usize, 30_usize);
        let query = request.uri().query().unwrap_or_default();
        for (key, value) in form_urlencoded::parse(query.as_bytes()) {
            let slot = match key.as_ref() {
                "cursor" => &mut offset,
                "limit" => &mut limit,
                _ => continue,
            };
            // Bad input gets the registry's answer, a 400 problem document, never a panic.
            let Ok(number) = value.parse() else {
                return problem(StatusCode::BAD_REQUEST, "expected a number");
            };
            *slot = number;
        }
        limit = limit.clamp(1, 100);
        let page: Vec<&Value> = self.entries.iter().skip(offset).take(limit).collect();
        let next = offset.saturating_add(page.len());
        // No cursor (`null`) on the last page: that is how the client knows to stop.
        let cursor = (next < self.entries.len()).then(|| next.to_string());
        let metadata = json!({ "count": page.len(), "nextCursor": cursor });
        let body = json!({ "servers": page, "metadata": metadata });
        (StatusCode::OK, body)
    }
}

fn problem(status: StatusCode, detail: &str) -> (StatusCode, Value) {
    let body = json!({ "status": status.as_u16(), "detail": detail });
    (status, body)
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn Error>> {
    let entries: Vec<Value> = serde_json::from_str(ENTRIES)?;
    let client = RegistryClient::builder()
        // Never resolved: every request goes to the transport, which ignores the host.
        .with_base_url_str("https://registry.invalid/")
        .with_transport(InMemoryRegistry { entries })
        // No need to pace requests to a registry in memory (the default is 180 a minute).
        .with_rate_limit(None)
        .build()?;

    // One page, and its cursor to the next.
    println!("one page of 5:");
    let page = client.list(&ListQuery::new().with_limit(5)).await?;
    for response in page.servers() {
        // Registry text is written by strangers: sanitise it before it reaches a terminal.
        let server = response.server();
        println!(
            "  {} {}",
            sanitize_text(server.name()),
            sanitize_text(server.version())
        );
    }
    println!("  next cursor: {:?}", page.next_cursor());

    // Every page, lazily: the stream fetches the next page only when it needs it, and stops
    // on the last one (no `nextCursor`), a repeated cursor, or the client's limits.
    println!("\nremote-only servers, pages of 10:");
    let mut servers = client
        .stream(ListQuery::new().with_limit(10))
        .filtered(ServerFilter::new().with_remote_only());
    while let Some(response) = servers.try_next().await? {
        println!("  {}", sanitize_text(response.server().name()));
    }
    Ok(())
}
