//! Time and randomness, injectable so that retries, timeouts and rate limits are testable.

use std::collections::hash_map::RandomState;
use std::fmt;
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime};

use async_trait::async_trait;

/// The client's source of time: reading it and waiting on it.
///
/// [`TokioClock`] is the default under the `tokio` feature. Tests use
/// `test_util::ManualClock` (feature `test-util`), whose sleeps return at
/// once and advance its time, and whose deadlines fire only when the test advances it, so
/// backoff, rate-limit and timeout tests are exact and instant.
#[async_trait]
pub trait Clock: Send + Sync {
    /// A monotonic reading, for rate limiting.
    fn now(&self) -> Instant;

    /// The wall clock, for `Retry-After` HTTP dates.
    fn system_time(&self) -> SystemTime {
        SystemTime::now()
    }

    /// Waits for `duration` (backoff and rate limiting).
    async fn sleep(&self, duration: Duration);

    /// Completes when a request started now has run out of time. Defaults to
    /// [`sleep`](Self::sleep); a test clock whose sleeps return at once overrides it.
    async fn deadline(&self, after: Duration) {
        self.sleep(after).await;
    }
}

#[async_trait]
impl<C: Clock + ?Sized> Clock for std::sync::Arc<C> {
    fn now(&self) -> Instant {
        self.as_ref().now()
    }

    fn system_time(&self) -> SystemTime {
        self.as_ref().system_time()
    }

    async fn sleep(&self, duration: Duration) {
        self.as_ref().sleep(duration).await;
    }

    async fn deadline(&self, after: Duration) {
        self.as_ref().deadline(after).await;
    }
}

/// The tokio timer (honours `tokio::time::pause`).
///
/// Requests must then run inside a tokio runtime with its time driver enabled, as `reqwest`
/// requires anyway.
#[cfg(feature = "tokio")]
#[cfg_attr(docsrs, doc(cfg(feature = "tokio")))]
#[derive(Clone, Copy, Debug, Default)]
pub struct TokioClock;

#[cfg(feature = "tokio")]
#[async_trait]
impl Clock for TokioClock {
    fn now(&self) -> Instant {
        tokio::time::Instant::now().into_std()
    }

    async fn sleep(&self, duration: Duration) {
        tokio::time::sleep(duration).await;
    }
}

/// Spreads retries out so that many clients do not retry in lock step.
///
/// Given the computed backoff, returns the delay to actually wait. Any
/// `Fn(Duration) -> Duration + Send + Sync` is a `Jitter`, so `|d| d` turns jitter off.
pub trait Jitter: Send + Sync {
    /// The delay to wait instead of `backoff`.
    fn apply(&self, backoff: Duration) -> Duration;
}

impl<F> Jitter for F
where
    F: Fn(Duration) -> Duration + Send + Sync,
{
    fn apply(&self, backoff: Duration) -> Duration {
        self(backoff)
    }
}

/// "Equal jitter": half the backoff plus a random part of the other half.
///
/// Randomness comes from the standard library's per-process hash keys, which is plenty for
/// spreading retries and avoids a dependency.
pub struct RandomJitter {
    state: RandomState,
    counter: AtomicU64,
}

impl RandomJitter {
    /// A jitter source seeded from the process's random hash keys.
    pub fn new() -> Self {
        Self {
            state: RandomState::new(),
            counter: AtomicU64::new(0),
        }
    }

    fn next_u64(&self) -> u64 {
        let mut hasher = self.state.build_hasher();
        hasher.write_u64(self.counter.fetch_add(1, Ordering::Relaxed));
        hasher.finish()
    }
}

impl Default for RandomJitter {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for RandomJitter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RandomJitter").finish_non_exhaustive()
    }
}

impl Jitter for RandomJitter {
    fn apply(&self, backoff: Duration) -> Duration {
        let half = backoff / 2;
        let nanos = u64::try_from(half.as_nanos()).unwrap_or(u64::MAX);
        let random = if nanos == 0 {
            0
        } else {
            self.next_u64() % nanos
        };
        half + Duration::from_nanos(random)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_jitter_stays_between_half_and_full_backoff() {
        let jitter = RandomJitter::new();
        for _ in 0..1000 {
            let delay = jitter.apply(Duration::from_millis(100));
            assert!(delay >= Duration::from_millis(50) && delay <= Duration::from_millis(100));
        }
        assert_eq!(jitter.apply(Duration::ZERO), Duration::ZERO);
    }

    #[test]
    fn closures_are_jitter() {
        let none = |d: Duration| d;
        assert_eq!(none.apply(Duration::from_secs(3)), Duration::from_secs(3));
    }
}
