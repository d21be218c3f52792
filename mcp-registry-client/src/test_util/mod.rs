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

use std::collections::BTreeMap;
use std::pin::pin;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant, SystemTime};

use async_trait::async_trait;
use tokio::sync::Notify;

use crate::clock::Clock;

pub use server::{FakeRegistry, FakeRegistryBuilder, Quirk, RecordedRequest};

/// A [`Clock`] on virtual time: sleeps return at once and move it forward, recording each wait,
/// and request timeouts fire only when the test moves it past them.
///
/// Both its readings move with it: [`now`](Clock::now) and the wall clock
/// [`system_time`](Clock::system_time) (for `Retry-After` dates) start at the real time when it
/// is made and then move only with sleeps and [`advance`](Self::advance).
///
/// Backoff and rate-limit tests become exact and instant. A request's timeout
/// ([`Clock::deadline`]) fires when [`advance`](Self::advance) (or a sleep) takes the clock
/// past it, never on its own: a loaded machine cannot time a request out, and a timeout test
/// says exactly when the timeout fires. [`next_deadline`](Self::next_deadline) tells a test
/// when a request is waiting on one.
///
/// ```
/// # use std::time::Duration;
/// # use mcp_registry_client::Clock as _;
/// # use mcp_registry_client::test_util::ManualClock;
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let clock = ManualClock::new();
/// let deadline = clock.deadline(Duration::from_secs(2));
/// let mut deadline = std::pin::pin!(deadline);
/// tokio::select! {
///     () = &mut deadline => unreachable!("no time has passed"),
///     left = clock.next_deadline() => assert_eq!(left, Duration::from_secs(2)),
/// }
/// clock.advance(Duration::from_secs(2));
/// deadline.await;
/// # }
/// ```
#[derive(Debug)]
pub struct ManualClock {
    start: Instant,
    wall_start: SystemTime,
    state: Mutex<State>,
    /// Woken whenever time moves or a deadline is set.
    changed: Notify,
}

#[derive(Debug, Default)]
struct State {
    elapsed: Duration,
    sleeps: Vec<Duration>,
    /// When each pending deadline is due, by an id that its waiter removes when it ends.
    deadlines: BTreeMap<u64, Duration>,
    next_id: u64,
}

impl ManualClock {
    /// A clock starting now.
    pub fn new() -> Self {
        Self {
            start: Instant::now(),
            wall_start: SystemTime::now(),
            state: Mutex::new(State::default()),
            changed: Notify::new(),
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Every sleep so far, in order.
    pub fn sleeps(&self) -> Vec<Duration> {
        self.state().sleeps.clone()
    }

    /// The total time the clock has moved: every sleep and [`advance`](Self::advance).
    pub fn elapsed(&self) -> Duration {
        self.state().elapsed
    }

    /// Moves the clock forward by `by` (not recorded as a sleep); the deadlines it passes fire.
    pub fn advance(&self, by: Duration) {
        let mut state = self.state();
        state.elapsed = state.elapsed.saturating_add(by);
        drop(state);
        self.changed.notify_waiters();
    }

    /// Waits until something waits on a deadline that has not passed, such as a request in
    /// flight; returns the time left until the earliest one.
    pub async fn next_deadline(&self) -> Duration {
        loop {
            let mut changed = pin!(self.changed.notified());
            changed.as_mut().enable();
            {
                let state = self.state();
                let left = state
                    .deadlines
                    .values()
                    .filter_map(|due| due.checked_sub(state.elapsed))
                    .filter(|left| !left.is_zero())
                    .min();
                if let Some(left) = left {
                    return left;
                }
            }
            changed.await;
        }
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

    fn system_time(&self) -> SystemTime {
        self.wall_start + self.elapsed()
    }

    async fn sleep(&self, duration: Duration) {
        {
            let mut state = self.state();
            state.elapsed = state.elapsed.saturating_add(duration);
            state.sleeps.push(duration);
        }
        self.changed.notify_waiters();
    }

    async fn deadline(&self, after: Duration) {
        let pending = {
            let mut state = self.state();
            let id = state.next_id;
            state.next_id += 1;
            let due = state.elapsed.saturating_add(after);
            state.deadlines.insert(id, due);
            PendingDeadline {
                clock: self,
                id,
                due,
            }
        };
        self.changed.notify_waiters();
        loop {
            let mut changed = pin!(self.changed.notified());
            changed.as_mut().enable();
            if self.elapsed() >= pending.due {
                return;
            }
            changed.await;
        }
    }
}

/// A registered deadline; forgets it when its waiter ends or is dropped (the response came).
struct PendingDeadline<'a> {
    clock: &'a ManualClock,
    id: u64,
    due: Duration,
}

impl Drop for PendingDeadline<'_> {
    fn drop(&mut self) {
        self.clock.state().deadlines.remove(&self.id);
    }
}
