//! A fake registry on loopback, and a manual clock, for tests (feature `test-util`).
//!
//! [`FakeRegistry`] is a real HTTP/1.1 server on `127.0.0.1` that serves registry JSON you give
//! it (see [`fixtures`]) with the official API's paging, filtering and error shapes, and can
//! replay the [`Quirk`]s real registries have shown. Downstream crates can test their own code
//! against the same quirks:
//!
#![cfg_attr(
    feature = "reqwest",
    doc = r#"
```
use mcp_registry_client::test_util::{FakeRegistry, Quirk, fixtures};
use mcp_registry_client::{ListQuery, RegistryClient};
use futures::TryStreamExt as _;

# #[tokio::main(flavor = "current_thread")]
# async fn main() -> Result<(), Box<dyn std::error::Error>> {
let registry = FakeRegistry::builder()
    .with_servers(fixtures::sample())
    .with_quirk(Quirk::SnakeCaseCursor)
    .start()?;
let client = RegistryClient::builder()
    .with_base_url(registry.url())
    .with_rate_limit(None)
    .build()?;
let servers: Vec<_> = client.stream(ListQuery::new().with_limit(5)).try_collect().await?;
assert_eq!(servers.len(), 12); // the deleted version is hidden by default
# Ok(())
# }
```
"#
)]
//! Nothing here touches any network but loopback.

pub mod fixtures;
mod server;

use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use async_trait::async_trait;

use crate::clock::Clock;

pub use server::{FakeRegistry, FakeRegistryBuilder, Quirk, RecordedRequest};

/// A [`Clock`] whose sleeps return at once and move its time forward, recording each wait.
///
/// Backoff and rate-limit tests become exact and instant. Request timeouts
/// ([`Clock::deadline`]) still run on real time, so a stalled response is detected.
#[derive(Debug)]
pub struct ManualClock {
    start: Instant,
    state: Mutex<(Duration, Vec<Duration>)>,
}

impl ManualClock {
    /// A clock starting now.
    pub fn new() -> Self {
        Self {
            start: Instant::now(),
            state: Mutex::new((Duration::ZERO, Vec::new())),
        }
    }

    /// Every sleep so far, in order.
    pub fn sleeps(&self) -> Vec<Duration> {
        self.state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .1
            .clone()
    }

    /// The total time slept.
    pub fn elapsed(&self) -> Duration {
        self.state.lock().unwrap_or_else(PoisonError::into_inner).0
    }
}

impl Default for ManualClock {
    fn default() -> Self {
        Self::new()
    }
}

#[async_trait]
impl Clock for ManualClock {
    fn now(&self) -> Instant {
        self.start + self.elapsed()
    }

    async fn sleep(&self, duration: Duration) {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        state.0 += duration;
        state.1.push(duration);
    }

    async fn deadline(&self, after: Duration) {
        tokio::time::sleep(after).await;
    }
}
