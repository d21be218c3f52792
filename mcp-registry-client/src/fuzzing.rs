//! Property checks for the `pagination` fuzz target, shared with the stable test that replays
//! its corpus. Not part of the stable API.
//!
//! A scripted registry answers every request of a [`RegistryClient::stream`] from a list of
//! fake responses (status, headers, body or transport failure), then, once the script runs
//! out, with an endless supply of fresh cursors. Everything runs without a network, a runtime
//! or real time: the transport and the clock complete at once, so the stream is polled with a
//! no-op waker and must never wait.
//!
//! The properties: the stream ends; it yields at most `max_items` servers and at most one
//! error, and nothing after the error; it sends at most `max_pages × (retries + 1)` requests;
//! no URL is answered with a success twice (no paging loop); every cursor it sends is the start
//! cursor or one the registry handed out; and it never sends an empty cursor the registry gave.

// A fuzzer learns of a broken property through a panic: that is this module's whole job.
#![expect(
    clippy::panic,
    reason = "panicking is how a broken property reaches the fuzzer"
)]

use std::collections::HashSet;
use std::future::Future;
use std::pin::pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant, SystemTime};

use async_trait::async_trait;
use bytes::Bytes;
use futures::StreamExt as _;
use serde_json::{Value, json};

use crate::RegistryClient;
use crate::clock::Clock;
use crate::error::ClientError;
use crate::limits::Limits;
use crate::query::ListQuery;
use crate::rate_limit::RateLimit;
use crate::retry::RetryPolicy;
use crate::transport::TransportError;

/// Statuses worth trying: successes, redirects, the client errors the client tells apart,
/// retryable server errors, and a few odd ones.
const STATUSES: &[u16] = &[
    200, 203, 204, 206, 301, 302, 304, 307, 400, 401, 403, 404, 408, 410, 429, 500, 502, 503, 504,
    599, 100, 199, 999,
];
const CONTENT_TYPES: &[&str] = &[
    "application/json",
    "application/problem+json",
    "application/json; charset=utf-8",
    "text/html",
    "text/plain",
    "",
];
const RETRY_AFTER: &[&str] = &[
    "0",
    "1",
    "120",
    "86400",
    "-1",
    "99999999999999999999",
    "Thu, 01 Jan 2026 00:00:10 GMT",
    "Wed, 21 Oct 2015 07:28:00 GMT",
    "soon",
];

/// The whole script: responses in order, the stream's start cursor, and the client's knobs.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Clone, Debug, Default)]
pub struct PaginationInput {
    /// One response per request, in order; after the last, endless fresh pages.
    pub responses: Vec<FakeResponse>,
    /// `ListQuery::with_cursor`.
    pub start_cursor: Option<String>,
    /// `Limits::with_max_pages`, modulo 33.
    pub max_pages: u8,
    /// `Limits::with_max_items`.
    pub max_items: u8,
    /// `Limits::with_max_body_bytes`, or the default.
    pub max_body_bytes: Option<u16>,
    /// `RetryPolicy::with_max_retries`, modulo 4.
    pub max_retries: u8,
    /// Whether the client-side rate limiter is on.
    pub rate_limit: bool,
}

/// One scripted answer.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Clone, Debug)]
pub enum FakeResponse {
    /// A well-formed page of `servers % 8` fixture servers with the given cursor.
    Page {
        /// How many fixture servers (modulo 8).
        servers: u8,
        /// The page's `metadata.nextCursor`.
        cursor: FakeCursor,
        /// An index into the status list; `None` is 200.
        status: Option<u8>,
    },
    /// Any bytes, with a status, content type and `Retry-After`.
    Raw {
        /// The body.
        body: Vec<u8>,
        /// An index into the status list; `None` is 200.
        status: Option<u8>,
        /// An index into the content-type list; `None` sends no header.
        content_type: Option<u8>,
        /// An index into the `Retry-After` list; `None` sends no header.
        retry_after: Option<u8>,
    },
    /// The transport fails: connect, timeout, body too large or other, by `kind % 4`.
    Fail {
        /// Which failure.
        kind: u8,
    },
}

/// A page's next cursor.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Clone, Debug)]
pub enum FakeCursor {
    /// No `nextCursor`: the last page.
    Absent,
    /// `""`, which also ends the listing.
    Empty,
    /// A cursor never handed out before.
    Fresh,
    /// One handed out before (modulo how many), or the start cursor: a loop.
    Repeat(u8),
    /// Any text.
    Text(String),
}

/// What the scripted registry saw and said.
#[derive(Default)]
struct Log {
    /// Every request URL, in order.
    requests: Vec<url::Url>,
    /// URLs that got a 2xx answer.
    answered: Vec<url::Url>,
    /// Every non-empty cursor put in a page.
    cursors: Vec<String>,
    /// Whether any raw body was sent, whose cursor the log cannot know.
    raw_sent: bool,
    /// Empty cursors put in a page.
    empty_sent: bool,
}

/// Runs the script through [`RegistryClient::stream`] and checks the properties in the module
/// docs.
///
/// # Panics
///
/// When a property is broken.
pub fn check_pagination(input: &PaginationInput) {
    let log = Arc::new(Mutex::new(Log::default()));
    let script = Arc::new(input.responses.clone());
    let transport = {
        let log = Arc::clone(&log);
        move |request: http::Request<Bytes>, _max_body: u64| {
            let response = answer(&script, &log, &request);
            std::future::ready(response)
        }
    };
    // Small page limits reach every branch; large ones only make each run slower.
    let max_pages = input.max_pages % 33;
    let mut limits = Limits::new()
        .with_max_pages(u64::from(max_pages))
        .with_max_items(u64::from(input.max_items));
    if let Some(bytes) = input.max_body_bytes {
        limits = limits.with_max_body_bytes(u64::from(bytes));
    }
    let retries = u32::from(input.max_retries % 4);
    let client = RegistryClient::builder()
        .with_base_url_str("https://registry.example.com")
        .with_transport(transport)
        .with_clock(InstantClock::default())
        .with_limits(limits)
        .with_retry_policy(
            RetryPolicy::new()
                .with_max_retries(retries)
                .with_jitter(|d: Duration| d),
        )
        .with_rate_limit(input.rate_limit.then(RateLimit::default))
        .build()
        .unwrap_or_else(|e| panic!("the client did not build: {e}"));
    let mut query = ListQuery::new();
    if let Some(cursor) = &input.start_cursor {
        query = query.with_cursor(cursor.clone());
    }
    let mut stream = client.stream(query);

    let (mut servers, mut errors) = (0u64, 0u64);
    let bound = u64::from(input.max_items) + 2;
    for _ in 0..bound {
        match now_or_never(stream.next()) {
            None => break,
            Some(Ok(_)) => servers += 1,
            Some(Err(error)) => {
                errors += 1;
                check_error(&error);
                if let Some(next) = now_or_never(stream.next()) {
                    panic!("the stream went on after `{error}` with {next:?}");
                }
                break;
            }
        }
    }
    assert!(
        servers <= u64::from(input.max_items),
        "yielded {servers} servers past max_items {}",
        input.max_items
    );
    assert!(
        servers + errors < bound,
        "the stream did not end within max_items + 1 results"
    );

    let log = log.lock().unwrap_or_else(PoisonError::into_inner);
    let sent = log.requests.len() as u64;
    let most = u64::from(max_pages) * (u64::from(retries) + 1);
    assert!(
        sent <= most,
        "sent {sent} requests, more than max_pages × attempts = {most}"
    );
    let mut answered = HashSet::new();
    for url in &log.answered {
        assert!(
            answered.insert(url.as_str()),
            "paging loop: `{url}` was answered twice"
        );
    }
    for url in &log.requests {
        let Some(cursor) = cursor_of(url) else {
            continue;
        };
        let from_start = input.start_cursor.as_deref() == Some(cursor.as_str());
        assert!(
            !(cursor.is_empty() && log.empty_sent && !from_start),
            "followed an empty cursor: `{url}`"
        );
        assert!(
            !(!from_start && !log.raw_sent && !log.cursors.contains(&cursor)),
            "sent a cursor the registry never gave: `{url}`"
        );
    }
}

/// The error names the registry's URL and has a message.
fn check_error(error: &ClientError) {
    assert!(
        error.url().host_str() == Some("registry.example.com"),
        "error `{error}` names another host"
    );
    assert!(
        !(error.to_string().is_empty()),
        "an error with no message: {error:?}"
    );
}

/// The scripted registry's answer to one request.
fn answer(
    script: &[FakeResponse],
    log: &Mutex<Log>,
    request: &http::Request<Bytes>,
) -> Result<http::Response<Bytes>, TransportError> {
    let mut log = log.lock().unwrap_or_else(PoisonError::into_inner);
    let index = log.requests.len();
    let Ok(url) = url::Url::parse(&request.uri().to_string()) else {
        panic!("the client sent an unparseable uri `{}`", request.uri());
    };
    log.requests.push(url.clone());
    let endless = FakeResponse::Page {
        servers: 1,
        cursor: FakeCursor::Fresh,
        status: None,
    };
    let step = script.get(index).unwrap_or(&endless);
    let (status, content_type, retry_after, body) = match step {
        FakeResponse::Fail { kind } => {
            return Err(match kind % 4 {
                0 => TransportError::connect("scripted connect failure"),
                1 => TransportError::timeout("scripted timeout"),
                2 => TransportError::body_too_large(1),
                _ => TransportError::other("scripted failure"),
            });
        }
        FakeResponse::Page {
            servers,
            cursor,
            status,
        } => {
            let cursor = match cursor {
                FakeCursor::Absent => None,
                FakeCursor::Empty => Some(String::new()),
                FakeCursor::Fresh => Some(format!("c{index}")),
                FakeCursor::Repeat(i) => {
                    let earlier = &log.cursors;
                    match earlier.len() {
                        0 => None,
                        n => earlier.get(usize::from(*i) % n).cloned(),
                    }
                }
                FakeCursor::Text(text) => Some(text.clone()),
            };
            match cursor.as_deref() {
                Some("") => log.empty_sent = true,
                Some(c) => log.cursors.push(c.to_owned()),
                None => {}
            }
            let fixtures = fixture_servers();
            let servers: Vec<Value> = fixtures
                .iter()
                .cycle()
                .take(if fixtures.is_empty() {
                    0
                } else {
                    usize::from(servers % 8)
                })
                .cloned()
                .collect();
            let count = servers.len();
            let mut metadata = json!({ "count": count });
            if let (Some(cursor), Some(object)) = (cursor, metadata.as_object_mut()) {
                object.insert("nextCursor".into(), cursor.into());
            }
            let body = json!({ "servers": servers, "metadata": metadata }).to_string();
            (
                status_at(*status),
                Some("application/json"),
                None,
                Bytes::from(body),
            )
        }
        FakeResponse::Raw {
            body,
            status,
            content_type,
            retry_after,
        } => {
            log.raw_sent = true;
            (
                status_at(*status),
                content_type.and_then(|i| pick(CONTENT_TYPES, i)),
                retry_after.and_then(|i| pick(RETRY_AFTER, i)),
                Bytes::from(body.clone()),
            )
        }
    };
    if (200..300).contains(&status) {
        log.answered.push(url);
    }
    let mut builder = http::Response::builder().status(status);
    if let Some(content_type) = content_type {
        builder = builder.header(http::header::CONTENT_TYPE, content_type);
    }
    if let Some(retry_after) = retry_after {
        builder = builder.header(http::header::RETRY_AFTER, retry_after);
    }
    Ok(builder
        .body(body)
        .unwrap_or_else(|e| panic!("the scripted response is not valid http: {e}")))
}

fn pick<'a>(list: &[&'a str], i: u8) -> Option<&'a str> {
    list.get(usize::from(i) % list.len()).copied()
}

fn status_at(i: Option<u8>) -> u16 {
    i.and_then(|i| STATUSES.get(usize::from(i) % STATUSES.len()))
        .copied()
        .unwrap_or(200)
}

/// The test-util fixtures: realistic entries, some of them quirky.
fn fixture_servers() -> &'static [Value] {
    static FIXTURES: std::sync::OnceLock<Vec<Value>> = std::sync::OnceLock::new();
    FIXTURES.get_or_init(|| {
        serde_json::from_str(include_str!("test_util/fixtures.json")).unwrap_or_default()
    })
}

fn cursor_of(url: &url::Url) -> Option<String> {
    url.query_pairs()
        .find(|(key, _)| key == "cursor")
        .map(|(_, value)| value.into_owned())
}

/// Polls a future that has nothing to wait for; a future that does not complete in a few
/// polls is waiting on something the scripted world will never provide.
fn now_or_never<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    for _ in 0..64 {
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return output;
        }
    }
    panic!("the stream waited although the transport and the clock never block");
}

/// A clock whose sleeps return at once and advance its time, and whose deadlines never come.
#[derive(Default)]
struct InstantClock {
    slept: Mutex<Duration>,
    start: std::sync::OnceLock<Instant>,
}

impl InstantClock {
    fn elapsed(&self) -> Duration {
        *self.slept.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[async_trait]
impl Clock for InstantClock {
    fn now(&self) -> Instant {
        *self.start.get_or_init(Instant::now) + self.elapsed()
    }

    fn system_time(&self) -> SystemTime {
        // 2026-01-01T00:00:00Z, so that `Retry-After` dates fall both sides of it.
        SystemTime::UNIX_EPOCH + Duration::from_hours(490_896) + self.elapsed()
    }

    async fn sleep(&self, duration: Duration) {
        let mut slept = self.slept.lock().unwrap_or_else(PoisonError::into_inner);
        *slept = slept.saturating_add(duration);
    }

    async fn deadline(&self, _after: Duration) {
        std::future::pending::<()>().await;
    }
}

impl std::fmt::Debug for InstantClock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InstantClock").finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endless_pages_stop_at_the_page_limit() {
        check_pagination(&PaginationInput {
            max_pages: 5,
            max_items: 200,
            ..PaginationInput::default()
        });
    }

    #[test]
    fn a_repeated_cursor_ends_the_stream() {
        let page = |cursor| FakeResponse::Page {
            servers: 2,
            cursor,
            status: None,
        };
        check_pagination(&PaginationInput {
            responses: vec![page(FakeCursor::Fresh), page(FakeCursor::Repeat(0))],
            max_pages: 10,
            max_items: 20,
            max_retries: 2,
            ..PaginationInput::default()
        });
    }
}
