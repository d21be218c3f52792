//! When and how long to retry.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use crate::clock::{Jitter, RandomJitter};

/// Exponential backoff with jitter for 429, 5xx, connect and timeout failures.
///
/// Attempt `n` (counting retries from 0) waits `min(initial_backoff * 2^n, max_backoff)`, passed
/// through the [`Jitter`]. A 429 waits at least its `Retry-After` (seconds or HTTP date), or
/// [`rate_limit_wait`](Self::with_rate_limit_wait) when the header is absent (the official
/// registry never sends it), and never longer than [`max_wait`](Self::with_max_wait). Other 4xx
/// responses are never retried.
#[derive(Clone)]
pub struct RetryPolicy {
    max_retries: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
    rate_limit_wait: Duration,
    max_wait: Duration,
    jitter: Arc<dyn Jitter>,
}

impl RetryPolicy {
    /// The default policy: 4 retries, backoff from 500 ms up to 30 s, 20 s after a 429 without
    /// `Retry-After` (a third of the official one-minute window), every wait capped at 60 s.
    pub fn new() -> Self {
        Self {
            max_retries: 4,
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(30),
            rate_limit_wait: Duration::from_secs(20),
            max_wait: Duration::from_mins(1),
            jitter: Arc::new(RandomJitter::new()),
        }
    }

    /// A policy that never retries.
    pub fn none() -> Self {
        Self::new().with_max_retries(0)
    }

    /// How many times a request is retried after its first attempt.
    pub fn with_max_retries(mut self, max_retries: u32) -> Self {
        self.max_retries = max_retries;
        self
    }

    /// The first backoff; it doubles on each retry.
    pub fn with_initial_backoff(mut self, backoff: Duration) -> Self {
        self.initial_backoff = backoff;
        self
    }

    /// The largest exponential backoff.
    pub fn with_max_backoff(mut self, backoff: Duration) -> Self {
        self.max_backoff = backoff;
        self
    }

    /// The wait after a 429 that carries no usable `Retry-After`.
    pub fn with_rate_limit_wait(mut self, wait: Duration) -> Self {
        self.rate_limit_wait = wait;
        self
    }

    /// The cap on any single wait, including one asked for by `Retry-After`.
    pub fn with_max_wait(mut self, wait: Duration) -> Self {
        self.max_wait = wait;
        self
    }

    /// The jitter applied to exponential backoff (not to `Retry-After`, which is honoured as
    /// sent). Pass `|d| d` for none.
    pub fn with_jitter(mut self, jitter: impl Jitter + 'static) -> Self {
        self.jitter = Arc::new(jitter);
        self
    }

    /// The number of retries allowed.
    pub fn max_retries(&self) -> u32 {
        self.max_retries
    }

    /// The wait before retry number `retry` (0-based), given the `Retry-After` of a 429 (or
    /// `None` for other failures), with the rate-limit flag telling whether it was a 429.
    pub(crate) fn delay(
        &self,
        retry: u32,
        rate_limited: bool,
        retry_after: Option<Duration>,
    ) -> Duration {
        let factor = 1u32.checked_shl(retry.min(31)).unwrap_or(u32::MAX);
        let backoff = self
            .initial_backoff
            .saturating_mul(factor)
            .min(self.max_backoff);
        let backoff = self.jitter.apply(backoff);
        let wait = if rate_limited {
            backoff.max(retry_after.unwrap_or(self.rate_limit_wait))
        } else {
            backoff
        };
        wait.min(self.max_wait)
    }
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for RetryPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RetryPolicy")
            .field("max_retries", &self.max_retries)
            .field("initial_backoff", &self.initial_backoff)
            .field("max_backoff", &self.max_backoff)
            .field("rate_limit_wait", &self.rate_limit_wait)
            .field("max_wait", &self.max_wait)
            .finish_non_exhaustive()
    }
}

/// Parses a `Retry-After` value: delay-seconds or an HTTP date (relative to `now`).
///
/// A date in the past means "now" (zero); anything unparsable is `None`.
pub(crate) fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let date = httpdate::parse_http_date(value).ok()?;
    Some(date.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_jitter() -> RetryPolicy {
        RetryPolicy::new()
            .with_initial_backoff(Duration::from_millis(100))
            .with_max_backoff(Duration::from_secs(1))
            .with_rate_limit_wait(Duration::from_secs(5))
            .with_max_wait(Duration::from_secs(10))
            .with_jitter(|d| d)
    }

    #[test]
    fn backoff_doubles_and_is_capped() {
        let policy = no_jitter();
        let delays: Vec<_> = (0..6).map(|n| policy.delay(n, false, None)).collect();
        let ms = |m| Duration::from_millis(m);
        assert_eq!(
            delays,
            [ms(100), ms(200), ms(400), ms(800), ms(1000), ms(1000)]
        );
        assert_eq!(policy.delay(u32::MAX, false, None), ms(1000));
    }

    #[test]
    fn rate_limit_honours_retry_after_with_polite_default_and_cap() {
        let policy = no_jitter();
        assert_eq!(policy.delay(0, true, None), Duration::from_secs(5));
        assert_eq!(
            policy.delay(0, true, Some(Duration::from_secs(7))),
            Duration::from_secs(7)
        );
        assert_eq!(
            policy.delay(0, true, Some(Duration::from_hours(1))),
            Duration::from_secs(10)
        );
        // Backoff wins when it is longer than the server's hint.
        assert_eq!(
            policy.delay(3, true, Some(Duration::ZERO)),
            Duration::from_millis(800)
        );
    }

    #[test]
    fn retry_after_parses_seconds_and_http_dates() {
        let now = httpdate::parse_http_date("Wed, 21 Oct 2015 07:28:00 GMT").unwrap();
        assert_eq!(
            parse_retry_after(" 120 ", now),
            Some(Duration::from_mins(2))
        );
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:30 GMT", now),
            Some(Duration::from_secs(30))
        );
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:27:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("-1", now), None);
    }
}
