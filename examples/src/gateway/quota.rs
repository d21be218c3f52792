//! Usage counters behind the policy's quotas: [`CounterStore`] and its in-memory
//! [`MemoryCounters`].
//!
//! The policy is pure: it reads each counter from the request ([`mcp_policy::Request::usage`])
//! and, when a quota rule allows a call, asks for it to be counted
//! ([`mcp_policy::Obligation::CountUsage`]). The gateway keeps the counters here, one set per
//! principal, reads them before deciding and counts after an allow (or an approved ask), under
//! one lock so two concurrent calls cannot both spend the last unit.

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;

use mcp_policy::Usage;

/// Where the gateway keeps usage counters. Implement it over a shared store (Redis, a
/// database) to make quotas hold across gateway instances; the gateway serializes its own
/// read-decide-count sequence, so an implementation needs no transaction of its own for one
/// instance.
pub trait CounterStore: Send + Sync + 'static {
    /// The principal's current usage of each of `counters` that it has used (a counter never
    /// used may be left out: the policy reads it as zero).
    fn usage(&self, principal: &str, counters: &[&str]) -> BTreeMap<String, Usage>;

    /// Counts one call on `counter` at `now` (Unix seconds). The window is `window_seconds`
    /// long from its first call; a call at or after its end starts a new window.
    fn count(&self, principal: &str, counter: &str, window_seconds: u64, now: u64);
}

/// Counters in this process's memory: lost on restart, exact within one gateway.
#[derive(Debug, Default)]
pub struct MemoryCounters {
    counters: Mutex<HashMap<(String, String), Usage>>,
}

impl MemoryCounters {
    /// No counter used yet.
    pub fn new() -> Self {
        Self::default()
    }
}

impl CounterStore for MemoryCounters {
    fn usage(&self, principal: &str, counters: &[&str]) -> BTreeMap<String, Usage> {
        let Ok(map) = self.counters.lock() else {
            return BTreeMap::new();
        };
        counters
            .iter()
            .filter_map(|&counter| {
                map.get(&(principal.to_owned(), counter.to_owned()))
                    .map(|usage| (counter.to_owned(), *usage))
            })
            .collect()
    }

    fn count(&self, principal: &str, counter: &str, window_seconds: u64, now: u64) {
        let Ok(mut map) = self.counters.lock() else {
            return;
        };
        let usage = map
            .entry((principal.to_owned(), counter.to_owned()))
            .or_insert_with(|| Usage::new(0).with_window_start(now));
        let start = usage.window_start.unwrap_or(now);
        if now >= start.saturating_add(window_seconds) {
            *usage = Usage::new(0).with_window_start(now);
        }
        usage.count = usage.count.saturating_add(1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_window_counts_from_its_first_call_and_restarts_after_it_ends() {
        let store = MemoryCounters::new();
        assert!(store.usage("alice", &["calls"]).is_empty());
        store.count("alice", "calls", 60, 1_000);
        store.count("alice", "calls", 60, 1_059);
        assert_eq!(
            store.usage("alice", &["calls", "other"]),
            BTreeMap::from([("calls".to_owned(), Usage::new(2).with_window_start(1_000))])
        );
        store.count("alice", "calls", 60, 1_060);
        assert_eq!(
            store.usage("alice", &["calls"]),
            BTreeMap::from([("calls".to_owned(), Usage::new(1).with_window_start(1_060))])
        );
        assert!(store.usage("bob", &["calls"]).is_empty(), "per principal");
    }
}
