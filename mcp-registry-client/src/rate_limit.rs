//! A client-side token bucket, so a full crawl stays under the registry's limit.

use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use crate::clock::Clock;

/// Requests per minute with a burst allowance.
///
/// The official registry allows 180 requests a minute per address (burst 540) and answers 429
/// beyond that; the default here, 150 a minute with a burst of 10, leaves headroom for other
/// clients behind the same address.
#[derive(Clone, Copy, Debug, Eq, PartialEq)]
pub struct RateLimit {
    per_minute: u32,
    burst: u32,
}

impl RateLimit {
    /// `per_minute` requests a minute (at least 1), with a burst of `per_minute / 15` (at
    /// least 1).
    pub fn per_minute(per_minute: u32) -> Self {
        let per_minute = per_minute.max(1);
        Self {
            per_minute,
            burst: (per_minute / 15).max(1),
        }
    }

    /// How many requests may go out back to back before pacing starts (at least 1).
    pub fn with_burst(mut self, burst: u32) -> Self {
        self.burst = burst.max(1);
        self
    }

    /// Requests per minute.
    pub fn requests_per_minute(&self) -> u32 {
        self.per_minute
    }

    /// The burst size.
    pub fn burst(&self) -> u32 {
        self.burst
    }
}

impl Default for RateLimit {
    fn default() -> Self {
        Self::per_minute(150)
    }
}

/// The shared bucket: tokens may go negative, each caller then waits out its own deficit, so
/// concurrent callers are spaced fairly without holding the lock across a sleep.
#[derive(Debug)]
pub(crate) struct RateLimiter {
    limit: RateLimit,
    state: Mutex<Option<(f64, Instant)>>,
}

impl RateLimiter {
    pub(crate) fn new(limit: RateLimit) -> Self {
        Self {
            limit,
            state: Mutex::new(None),
        }
    }

    /// How long the caller must wait before sending, having reserved its slot.
    pub(crate) fn reserve(&self, now: Instant) -> Duration {
        let rate = f64::from(self.limit.per_minute) / 60.0;
        let burst = f64::from(self.limit.burst);
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        let (tokens, last) = state.unwrap_or((burst, now));
        let elapsed = now.saturating_duration_since(last).as_secs_f64();
        let tokens = (tokens + elapsed * rate).min(burst) - 1.0;
        *state = Some((tokens, now.max(last)));
        if tokens >= 0.0 {
            Duration::ZERO
        } else {
            Duration::from_secs_f64(-tokens / rate)
        }
    }

    pub(crate) async fn acquire(&self, clock: &dyn Clock) {
        let wait = self.reserve(clock.now());
        if !wait.is_zero() {
            clock.sleep(wait).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn burst_then_paced_at_the_rate() {
        let limiter = RateLimiter::new(RateLimit::per_minute(60).with_burst(2));
        let start = Instant::now();
        assert_eq!(limiter.reserve(start), Duration::ZERO);
        assert_eq!(limiter.reserve(start), Duration::ZERO);
        let third = limiter.reserve(start);
        assert!((third.as_secs_f64() - 1.0).abs() < 1e-9, "{third:?}");
        let fourth = limiter.reserve(start);
        assert!((fourth.as_secs_f64() - 2.0).abs() < 1e-9, "{fourth:?}");
        // After a long pause the bucket is full again, but never above the burst.
        let later = start + Duration::from_secs(100);
        assert_eq!(limiter.reserve(later), Duration::ZERO);
        assert_eq!(limiter.reserve(later), Duration::ZERO);
        assert!(limiter.reserve(later) > Duration::ZERO);
    }

    #[test]
    fn default_stays_under_the_official_limit() {
        let limit = RateLimit::default();
        assert!(limit.requests_per_minute() < 180);
        assert_eq!(limit.burst(), 10);
        assert_eq!(RateLimit::per_minute(0).requests_per_minute(), 1);
    }
}
