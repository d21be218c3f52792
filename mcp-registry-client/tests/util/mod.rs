//! Helpers shared by the integration tests.
#![expect(
    clippy::panic,
    reason = "tests fail by panicking; clippy.toml's test allowances reach only #[test] functions"
)]

use std::fmt::Debug;
use std::sync::Arc;
use std::time::Duration;

use mcp_registry_client::test_util::ManualClock;
use mcp_registry_client::{
    ClientError, RegistryClient, RegistryClientBuilder, RetryPolicy, url::Url,
};

/// A retry policy for tests: millisecond backoff, no jitter, so waits are exact and fast.
pub(crate) fn fast_retries(max_retries: u32) -> RetryPolicy {
    RetryPolicy::new()
        .with_max_retries(max_retries)
        .with_initial_backoff(Duration::from_millis(1))
        .with_max_backoff(Duration::from_millis(8))
        .with_rate_limit_wait(Duration::from_millis(5))
        .with_max_wait(Duration::from_mins(2))
        .with_jitter(|d| d)
}

/// A builder aimed at `base`, with no rate limit, fast retries, a manual clock and a 2 s timeout
/// on it (which fires only when a test advances the clock, so a loaded machine cannot).
pub(crate) fn builder(base: Url, clock: &Arc<ManualClock>) -> RegistryClientBuilder {
    RegistryClient::builder()
        .with_base_url(base)
        .with_rate_limit(None)
        .with_retry_policy(fast_retries(3))
        .with_clock(Arc::clone(clock))
        .with_timeout(Duration::from_secs(2))
}

/// A client aimed at `base` with the test defaults.
#[cfg(feature = "reqwest")]
#[track_caller]
#[expect(
    clippy::unwrap_used,
    reason = "tests fail by panicking; clippy.toml's test allowances reach only #[test] functions"
)]
pub(crate) fn client(base: Url) -> (RegistryClient, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::new());
    let client = builder(base, &clock).build().unwrap();
    (client, clock)
}

/// Asserts that `result` failed with exactly `message`.
#[track_caller]
pub(crate) fn assert_error<T: Debug>(result: Result<T, ClientError>, message: &str) -> ClientError {
    match result {
        Ok(value) => panic!("expected error `{message}`, got {value:?}"),
        Err(error) => {
            assert_eq!(error.to_string(), message);
            error
        }
    }
}

#[cfg(feature = "reqwest")]
/// Drains a stream into the names@versions it yielded and the error that ended it, if any.
pub(crate) async fn drain(
    mut stream: mcp_registry_client::ServerStream,
) -> (Vec<String>, Option<ClientError>) {
    use futures::StreamExt as _;

    let mut names = Vec::new();
    while let Some(item) = stream.next().await {
        match item {
            Ok(server) => names.push(format!(
                "{}@{}",
                server.server().name(),
                server.server().version()
            )),
            Err(error) => {
                assert!(
                    stream.next().await.is_none(),
                    "stream must end after an error"
                );
                return (names, Some(error));
            }
        }
    }
    (names, None)
}
