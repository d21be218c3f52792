//! Each quirk of real registries, replayed by the fake registry, with its documented outcome.

use std::fmt::Debug;
use std::pin::{Pin, pin};
use std::sync::Arc;
use std::time::Duration;

use futures::{TryStreamExt as _, poll};
use mcp_registry_client::test_util::{FakeRegistry, ManualClock, Quirk, fixtures};
use mcp_registry_client::{
    Clock as _, ErrorKind, Limit, Limits, ListQuery, RetryPolicy, StaticToken,
};

use crate::util::{assert_error, builder, client, fast_retries};

fn with_quirk(quirk: Quirk) -> FakeRegistry {
    FakeRegistry::builder()
        .with_servers(fixtures::sample())
        .with_quirk(quirk)
        .start()
        .unwrap()
}

/// Drives `request` until `registry` has received `requests` requests, the last of which then
/// stalls, and returns the time left on the client's timeout. Panics if the request ends first.
async fn until_stalled<F: Future<Output: Debug>>(
    request: &mut Pin<&mut F>,
    registry: &FakeRegistry,
    clock: &ManualClock,
    requests: usize,
) -> Duration {
    let arrived = async {
        while registry.requests().len() < requests {
            tokio::task::yield_now().await;
        }
    };
    tokio::select! {
        outcome = &mut *request => panic!("ended before its timeout: {outcome:?}"),
        () = arrived => {}
    }
    tokio::select! {
        outcome = request => panic!("ended before its timeout: {outcome:?}"),
        left = clock.next_deadline() => left,
    }
}

#[tokio::test]
async fn stale_schema_and_schema_invalid_entries_are_delivered_verbatim() {
    // Parsing never enforces rules: validation is the types crate's job, so a host can always
    // show what the registry served.
    let registry = FakeRegistry::builder()
        .with_servers(fixtures::sample())
        .start()
        .unwrap();
    let (client, _) = client(registry.url());
    let stale = client
        .latest_version("io.github.acme/stale-schema")
        .await
        .unwrap();
    assert_eq!(
        stale.server().schema(),
        Some("https://static.modelcontextprotocol.io/schemas/2025-07-09/server.schema.json")
    );
    let wordy = client
        .latest_version("io.github.acme/too-wordy")
        .await
        .unwrap();
    assert!(wordy.server().description().chars().count() > 100);
}

#[tokio::test]
async fn rate_limit_with_retry_after_seconds_is_honoured() {
    let registry = with_quirk(Quirk::RateLimit {
        times: 2,
        retry_after: Some("7".into()),
    });
    let (client, clock) = client(registry.url());
    client.latest_version("io.github.acme/crab").await.unwrap();
    assert_eq!(
        clock.sleeps(),
        [Duration::from_secs(7), Duration::from_secs(7)]
    );
    assert_eq!(registry.requests().len(), 3);
}

#[tokio::test]
async fn rate_limit_with_an_http_date_is_honoured() {
    let clock = Arc::new(ManualClock::new());
    // HTTP dates are in whole seconds: the wait rounds down to just over 89 s.
    let at = httpdate::fmt_http_date(clock.system_time() + Duration::from_secs(90));
    let registry = with_quirk(Quirk::RateLimit {
        times: 1,
        retry_after: Some(at),
    });
    let client = builder(registry.url(), &clock).build().unwrap();
    client.latest_version("io.github.acme/crab").await.unwrap();
    let slept = clock.sleeps()[0];
    assert!(
        slept > Duration::from_secs(89) && slept <= Duration::from_secs(90),
        "{slept:?}"
    );
}

#[tokio::test]
async fn rate_limit_without_retry_after_waits_politely_then_gives_up() {
    // The official registry sends no Retry-After.
    let registry = with_quirk(Quirk::RateLimit {
        times: 100,
        retry_after: None,
    });
    let (client, clock) = client(registry.url());
    let base = registry.url();
    let error = assert_error(
        client.latest_version("io.github.acme/crab").await,
        &format!("rate limited (429): `{base}v0.1/servers/io.github.acme%2Fcrab/versions/latest`"),
    );
    assert_eq!(error.status().map(|s| s.as_u16()), Some(429));
    // The polite default (5 ms in these tests) beats the 1, 2, 4 ms backoff.
    assert_eq!(
        clock.sleeps(),
        [
            Duration::from_millis(5),
            Duration::from_millis(5),
            Duration::from_millis(5)
        ]
    );
    assert_eq!(registry.requests().len(), 4);
}

#[tokio::test]
async fn retry_after_is_capped() {
    let registry = with_quirk(Quirk::RateLimit {
        times: 1,
        retry_after: Some("86400".into()),
    });
    let clock = Arc::new(ManualClock::new());
    let client = builder(registry.url(), &clock)
        .with_retry_policy(fast_retries(1).with_max_wait(Duration::from_mins(1)))
        .build()
        .unwrap();
    client.latest_version("io.github.acme/crab").await.unwrap();
    assert_eq!(clock.sleeps(), [Duration::from_mins(1)]);
}

#[tokio::test]
async fn server_error_then_success_is_retried_with_backoff() {
    let registry = with_quirk(Quirk::ServerError { times: 2 });
    let (client, clock) = client(registry.url());
    let servers: Vec<_> = client.stream(ListQuery::new()).try_collect().await.unwrap();
    assert_eq!(servers.len(), 12);
    assert_eq!(
        clock.sleeps(),
        [Duration::from_millis(1), Duration::from_millis(2)]
    );
}

#[tokio::test]
async fn server_error_after_retries_carries_the_problem() {
    let registry = with_quirk(Quirk::ServerError { times: 100 });
    let (client, _) = client(registry.url());
    assert_error(
        client.list(&ListQuery::new()).await,
        &format!(
            "server error (500): `{}v0.1/servers`: `Failed to get registry list`",
            registry.url()
        ),
    );
    assert_eq!(registry.requests().len(), 4);
}

#[tokio::test]
async fn html_bad_gateway_is_retried_then_reported_as_not_json() {
    let registry = with_quirk(Quirk::HtmlBadGateway { times: 100 });
    let (client, _) = client(registry.url());
    let error = assert_error(
        client.list(&ListQuery::new()).await,
        &format!(
            "expected json but got `text/html` with status 502: `{}v0.1/servers`",
            registry.url()
        ),
    );
    let ErrorKind::NotJson { excerpt, .. } = error.kind() else {
        panic!("{error:?}")
    };
    assert!(excerpt.starts_with("<html>  <head><title>502 Bad Gateway</title>"));
    assert_eq!(registry.requests().len(), 4);

    let once = with_quirk(Quirk::HtmlBadGateway { times: 1 });
    let (retrying, _) = crate::util::client(once.url());
    assert_eq!(
        retrying
            .list(&ListQuery::new())
            .await
            .unwrap()
            .servers()
            .len(),
        12
    );
}

#[tokio::test]
async fn oversized_body_is_refused_without_reading_it_all() {
    const TOTAL: u64 = 256 << 20;
    let registry = with_quirk(Quirk::OversizeBody { bytes: TOTAL });
    let clock = Arc::new(ManualClock::new());
    let client = builder(registry.url(), &clock)
        .with_limits(Limits::new().with_max_body_bytes(64 * 1024))
        .build()
        .unwrap();
    let error = assert_error(
        client.list(&ListQuery::new()).await,
        &format!(
            "response body exceeds the limit of 65536 bytes: `{}v0.1/servers`",
            registry.url()
        ),
    );
    assert!(matches!(
        error.kind(),
        ErrorKind::LimitExceeded(Limit::BodyBytes(65_536))
    ));
    // Not retried, and the server could push only what the socket buffers held.
    assert_eq!(registry.requests().len(), 1);
    assert!(
        registry.oversize_bytes_sent() < TOTAL / 4,
        "{}",
        registry.oversize_bytes_sent()
    );
}

#[tokio::test]
async fn response_that_never_finishes_times_out() {
    let registry = with_quirk(Quirk::Stall);
    let clock = Arc::new(ManualClock::new());
    let client = builder(registry.url(), &clock)
        .with_timeout(Duration::from_millis(100))
        .with_retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let query = ListQuery::new();
    let mut request = pin!(client.list(&query));
    let left = until_stalled(&mut request, &registry, &clock, 1).await;
    assert_eq!(left, Duration::from_millis(100));
    // Only the timeout can end it: the response stalls mid-body.
    clock.advance(Duration::from_millis(99));
    assert!(poll!(&mut request).is_pending(), "done before its timeout");
    clock.advance(Duration::from_millis(1));
    assert_error(
        request.await,
        &format!("timed out after 100ms: `{}v0.1/servers`", registry.url()),
    );
}

#[tokio::test]
async fn timeouts_are_retried() {
    let registry = with_quirk(Quirk::Stall);
    let clock = Arc::new(ManualClock::new());
    let client = builder(registry.url(), &clock)
        .with_timeout(Duration::from_millis(20))
        .build()
        .unwrap();
    let query = ListQuery::new();
    let mut request = pin!(client.list(&query));
    for attempt in 1..=4 {
        let left = until_stalled(&mut request, &registry, &clock, attempt).await;
        assert_eq!(left, Duration::from_millis(20));
        clock.advance(left);
    }
    let error = request.await.unwrap_err();
    assert!(
        matches!(error.kind(), ErrorKind::Timeout { .. }),
        "{error:?}"
    );
    assert_eq!(registry.requests().len(), 4);
    assert_eq!(
        clock.sleeps(),
        [1, 2, 4].map(Duration::from_millis),
        "backoff between attempts"
    );
}

#[tokio::test]
async fn redirects_are_not_followed_by_default() {
    let other = FakeRegistry::builder()
        .with_servers(fixtures::sample())
        .start()
        .unwrap();
    let registry = with_quirk(Quirk::RedirectTo {
        target: other.url(),
    });
    let (client, _) = client(registry.url());
    assert_error(
        client.list(&ListQuery::new()).await,
        &format!(
            "redirect not followed (307) to `{}v0.1/servers`: `{}v0.1/servers`",
            other.url(),
            registry.url()
        ),
    );
    assert!(other.requests().is_empty());
}

#[tokio::test]
async fn redirect_to_another_origin_drops_credentials() {
    let other = FakeRegistry::builder()
        .with_servers(fixtures::sample())
        .start()
        .unwrap();
    let registry = with_quirk(Quirk::RedirectTo {
        target: other.url(),
    });
    let clock = Arc::new(ManualClock::new());
    let client = builder(registry.url(), &clock)
        .with_token_provider(StaticToken::new("s3cret"))
        .with_max_redirects(3)
        .build()
        .unwrap();
    let page = client.list(&ListQuery::new()).await.unwrap();
    assert_eq!(page.servers().len(), 12);
    assert_eq!(
        registry.requests()[0].header("authorization"),
        Some("Bearer s3cret")
    );
    assert_eq!(other.requests().len(), 1);
    assert_eq!(other.requests()[0].header("authorization"), None);
}

#[tokio::test]
async fn redirect_chains_stop_at_the_limit() {
    let last = FakeRegistry::builder()
        .with_servers(fixtures::sample())
        .start()
        .unwrap();
    let middle = with_quirk(Quirk::RedirectTo { target: last.url() });
    let first = with_quirk(Quirk::RedirectTo {
        target: middle.url(),
    });
    let clock = Arc::new(ManualClock::new());
    let client = builder(first.url(), &clock)
        .with_max_redirects(1)
        .build()
        .unwrap();
    assert_error(
        client.list(&ListQuery::new()).await,
        &format!(
            "too many redirects (307) to `{}v0.1/servers`: `{}v0.1/servers`",
            last.url(),
            middle.url()
        ),
    );
    assert!(last.requests().is_empty());
}

#[tokio::test]
async fn missing_and_wrong_tokens_are_unauthorized_and_forbidden() {
    let registry = with_quirk(Quirk::RequireToken {
        token: "good".into(),
    });
    let base = registry.url();
    let (anonymous, _) = client(registry.url());
    assert_error(
        anonymous.list(&ListQuery::new()).await,
        &format!(
            "unauthorized (401): `{base}v0.1/servers`: `Invalid or missing authentication token`"
        ),
    );
    let clock = Arc::new(ManualClock::new());
    let wrong = builder(registry.url(), &clock)
        .with_token_provider(StaticToken::new("bad"))
        .build()
        .unwrap();
    assert_error(
        wrong.list(&ListQuery::new()).await,
        &format!(
            "forbidden (403): `{base}v0.1/servers`: `You do not have permission to read this registry`"
        ),
    );
    let right = builder(registry.url(), &clock)
        .with_token_provider(StaticToken::new("good"))
        .build()
        .unwrap();
    assert_eq!(
        right.list(&ListQuery::new()).await.unwrap().servers().len(),
        12
    );
    // 4xx other than 429 are never retried.
    assert_eq!(registry.requests().len(), 3);
}
