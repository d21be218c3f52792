//! Behaviour that needs no real HTTP, driven through closure transports. These run with
//! `--no-default-features` too.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::TryStreamExt as _;
use mcp_registry_client::bytes::Bytes;
use mcp_registry_client::http::{Request, Response, StatusCode};
use mcp_registry_client::test_util::ManualClock;
use mcp_registry_client::url::Url;
use mcp_registry_client::{
    ErrorKind, HttpTransport, ListQuery, RateLimit, RegistryClient, RetryPolicy, TransportError,
};

use crate::util::{assert_error, builder};

fn base() -> Url {
    Url::parse("https://registry.test/").unwrap()
}

fn response(status: u16, content_type: &str, body: &str) -> Response<Bytes> {
    Response::builder()
        .status(status)
        .header("content-type", content_type)
        .body(Bytes::from(body.to_owned()))
        .unwrap()
}

/// A transport that answers every request with `reply()` and counts the calls.
fn canned(
    reply: impl Fn() -> Result<Response<Bytes>, TransportError> + Send + Sync + 'static,
) -> (impl HttpTransport, Arc<AtomicUsize>) {
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&calls);
    let reply = Arc::new(reply);
    let transport = move |_: Request<Bytes>, _: u64| {
        counter.fetch_add(1, Ordering::SeqCst);
        let reply = Arc::clone(&reply);
        async move { reply() }
    };
    (transport, calls)
}

fn client_with(transport: impl HttpTransport + 'static) -> (RegistryClient, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::new());
    (
        builder(base(), &clock)
            .with_transport(transport)
            .build()
            .unwrap(),
        clock,
    )
}

#[tokio::test]
async fn validation_problem_is_rejected_with_its_details_and_not_retried() {
    let body = r#"{"title":"Unprocessable Entity","status":422,"detail":"validation failed",
        "errors":[{"message":"expected number <= 100","location":"query.limit","value":500}]}"#;
    let (transport, calls) = canned(move || Ok(response(422, "application/problem+json", body)));
    let (client, _) = client_with(transport);
    let error = assert_error(
        client.list(&ListQuery::new()).await,
        "request rejected (422): `https://registry.test/v0.1/servers`: \
         `validation failed`; `query.limit`: `expected number <= 100`",
    );
    let ErrorKind::Rejected {
        status, problem, ..
    } = error.kind()
    else {
        panic!("{error:?}")
    };
    assert_eq!(*status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error.kind().problem(), problem.as_ref());
    assert_eq!(
        problem.as_ref().unwrap().errors()[0].location(),
        Some("query.limit")
    );
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn generic_error_shape_is_understood() {
    let (transport, _) = canned(|| {
        Ok(response(
            400,
            "application/json",
            r#"{"error":"Invalid server name encoding"}"#,
        ))
    });
    let (client, _) = client_with(transport);
    assert_error(
        client.latest_version("bad%name").await,
        "request rejected (400): `https://registry.test/v0.1/servers/bad%25name/versions/latest`: \
         `Invalid server name encoding`",
    );
}

#[tokio::test]
async fn decode_error_names_the_json_path_and_keeps_an_excerpt() {
    let body = r#"{"servers":[{"server":{"name":"a/b","description":"d","version":"1"}},{"server":{"name":7}}]}"#;
    let (transport, _) = canned(move || Ok(response(200, "application/json", body)));
    let (client, _) = client_with(transport);
    let error = client.list(&ListQuery::new()).await.unwrap_err();
    let ErrorKind::Decode {
        path,
        message,
        excerpt,
        ..
    } = error.kind()
    else {
        panic!("{error:?}")
    };
    assert!(path.starts_with("servers[1].server"), "{path}");
    assert_eq!(excerpt, body);
    assert_eq!(
        error.to_string(),
        format!("cannot decode response: `https://registry.test/v0.1/servers`: {path}: {message}")
    );
}

#[tokio::test]
async fn truncated_json_is_a_decode_error() {
    let (transport, _) = canned(|| Ok(response(200, "application/json", r#"{"servers":["#)));
    let (client, _) = client_with(transport);
    assert_error(
        client.list(&ListQuery::new()).await,
        "cannot decode response: `https://registry.test/v0.1/servers`: servers: \
         EOF while parsing a list at line 1 column 12",
    );
}

#[tokio::test]
async fn html_with_success_status_is_not_json() {
    let (transport, calls) = canned(|| {
        Ok(response(
            200,
            "text/html; charset=utf-8",
            "<!doctype html><p>Sign in to Wi-Fi</p>",
        ))
    });
    let (client, _) = client_with(transport);
    let error = assert_error(
        client.list(&ListQuery::new()).await,
        "expected json but got `text/html; charset=utf-8` with status 200: `https://registry.test/v0.1/servers`",
    );
    let ErrorKind::NotJson { excerpt, .. } = error.kind() else {
        panic!("{error:?}")
    };
    assert_eq!(excerpt, "<!doctype html><p>Sign in to Wi-Fi</p>");
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn connect_errors_are_retried_then_reported() {
    let (transport, calls) = canned(|| {
        Err(TransportError::connect(std::io::Error::new(
            std::io::ErrorKind::ConnectionRefused,
            "connection refused",
        )))
    });
    let (client, clock) = client_with(transport);
    assert_error(
        client.list(&ListQuery::new()).await,
        "request failed: `https://registry.test/v0.1/servers`: cannot connect: connection refused",
    );
    assert_eq!(calls.load(Ordering::SeqCst), 4);
    assert_eq!(
        clock.sleeps(),
        [
            Duration::from_millis(1),
            Duration::from_millis(2),
            Duration::from_millis(4)
        ]
    );
}

#[tokio::test]
async fn other_transport_errors_are_not_retried() {
    let (transport, calls) = canned(|| Err(TransportError::other("connection reset")));
    let (client, _) = client_with(transport);
    assert_error(
        client.list(&ListQuery::new()).await,
        "request failed: `https://registry.test/v0.1/servers`: transport failed: connection reset",
    );
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_transport_that_ignores_the_body_limit_is_still_refused() {
    let (transport, _) = canned(|| Ok(response(200, "application/json", &" ".repeat(2048))));
    let clock = Arc::new(ManualClock::new());
    let client = builder(base(), &clock)
        .with_transport(transport)
        .with_limits(mcp_registry_client::Limits::new().with_max_body_bytes(1024))
        .build()
        .unwrap();
    assert_error(
        client.list(&ListQuery::new()).await,
        "response body exceeds the limit of 1024 bytes: `https://registry.test/v0.1/servers`",
    );
}

#[tokio::test]
async fn rate_limiter_paces_a_crawl_below_the_limit() {
    // Six pages of one server each, the last one short.
    let served = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&served);
    let transport = move |_: Request<Bytes>, _: u64| {
        let n = counter.fetch_add(1, Ordering::SeqCst);
        async move {
            let cursor = if n < 5 {
                format!(r#","metadata":{{"nextCursor":"s/{n}:1"}}"#)
            } else {
                String::new()
            };
            let body = format!(
                r#"{{"servers":[{{"server":{{"name":"s/{n}","description":"d","version":"1"}}}}]{cursor}}}"#
            );
            Ok(response(200, "application/json", &body))
        }
    };
    let clock = Arc::new(ManualClock::new());
    let client = builder(base(), &clock)
        .with_transport(transport)
        .with_rate_limit(Some(RateLimit::per_minute(60).with_burst(2)))
        .build()
        .unwrap();
    let servers: Vec<_> = client
        .stream(ListQuery::new().with_limit(1))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(servers.len(), 6);
    // Two in the burst, then one a second.
    assert_eq!(clock.sleeps(), [Duration::from_secs(1); 4]);
}

#[tokio::test]
async fn credentials_go_only_to_the_configured_origin() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&seen);
    let transport = move |request: Request<Bytes>, _: u64| {
        let auth = request
            .headers()
            .get("authorization")
            .map(|v| v.to_str().unwrap().to_owned());
        log.lock().unwrap().push((request.uri().to_string(), auth));
        async move {
            if request.uri().host() == Some("registry.test") {
                Ok(Response::builder()
                    .status(StatusCode::FOUND)
                    .header("location", "https://elsewhere.test/v0.1/servers")
                    .body(Bytes::new())
                    .unwrap())
            } else {
                Ok(response(200, "application/json", r#"{"servers":[]}"#))
            }
        }
    };
    let clock = Arc::new(ManualClock::new());
    let client = builder(base(), &clock)
        .with_transport(transport)
        .with_token_provider(mcp_registry_client::StaticToken::new("t0ken"))
        .with_max_redirects(2)
        .build()
        .unwrap();
    client.list(&ListQuery::new()).await.unwrap();
    let seen = seen.lock().unwrap().clone();
    assert_eq!(
        seen,
        [
            (
                "https://registry.test/v0.1/servers".to_owned(),
                Some("Bearer t0ken".to_owned())
            ),
            ("https://elsewhere.test/v0.1/servers".to_owned(), None),
        ]
    );
}

#[test]
fn build_errors_are_clear() {
    let error = RegistryClient::builder()
        .with_base_url_str("ftp://registry.test")
        .build()
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "invalid registry url: `ftp://registry.test/`: scheme must be http or https"
    );
    let error = RegistryClient::builder()
        .with_base_url_str("not a url")
        .build()
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "invalid registry url: `not a url`: relative URL without a base"
    );
    #[cfg(not(feature = "reqwest"))]
    assert_eq!(
        RegistryClient::builder().build().unwrap_err().to_string(),
        "no http transport: enable the `reqwest` feature or call `with_transport`"
    );
}

#[test]
fn retry_policy_none_never_retries() {
    assert_eq!(RetryPolicy::none().max_retries(), 0);
}
