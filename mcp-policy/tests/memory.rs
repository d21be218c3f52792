//! Compiling a policy uses memory linear in its size with a small constant (issue 12, §4).
//!
//! A 0.8 MB `serverName` once cost 36–39 MB of peak heap (45–48 times the policy), nearly all
//! in the glob tokenizer's one token per character. A compiled glob now keeps one string no
//! longer than its pattern, and `Policy::compile` borrows the document instead of cloning it.
//! What remains: the parsed document, the rule kept for explanations, the compiled glob and the
//! index key (4 times the policy for a literal name), and for prefix patterns the literal prefix
//! the index takes.
//!
//! The heap is measured with `dhat`, which replaces the global allocator of this test binary
//! only; that is why this is a file of its own, with one test.
#![expect(
    clippy::unwrap_used,
    reason = "tests fail by panicking; clippy.toml's test allowances reach only #[test] functions"
)]

use std::fmt::Write as _;

use mcp_policy::Policy;

#[global_allocator]
static ALLOC: dhat::Alloc = dhat::Alloc;

const SIZE: usize = 800_000;

/// The peak heap, in bytes, of parsing and compiling `policy`, counted from just before.
fn peak_of_compiling(policy: &[u8]) -> u64 {
    let profiler = dhat::Profiler::builder().testing().build();
    let compiled = Policy::from_json(policy).and_then(|p| p.compile());
    let peak = dhat::HeapStats::get().max_bytes;
    drop(compiled);
    drop(profiler);
    u64::try_from(peak).unwrap()
}

fn policy_with_server_name(name: &str) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({
        "rules": [{"id": "big", "effect": "allow", "match": {"serverName": [name]}}]
    }))
    .unwrap()
}

#[test]
fn compiling_a_large_server_name_costs_a_small_multiple_of_its_size() {
    let shapes = [
        ("literal", "a".repeat(SIZE)),
        ("prefix", format!("{}*", "a".repeat(SIZE))),
        (
            "literal with a wildcard",
            format!("io.github.{}?x*", "a".repeat(SIZE)),
        ),
        ("one wildcard in two", "a?".repeat(SIZE / 2)),
        ("one star in two", "a*".repeat(SIZE / 2)),
        ("classes", "[a-z]".repeat(SIZE / 5)),
        ("escapes", "\\*".repeat(SIZE / 2)),
    ];
    let mut report = String::new();
    let mut worst = 0.0f64;
    for (shape, name) in &shapes {
        let policy = policy_with_server_name(name);
        let peak = peak_of_compiling(&policy);
        #[expect(clippy::cast_precision_loss, reason = "a ratio for a report")]
        let ratio = peak as f64 / policy.len() as f64;
        worst = worst.max(ratio);
        let _ = writeln!(
            report,
            "{shape}: {} bytes of policy, peak heap {peak} bytes ({ratio:.1}x)",
            policy.len()
        );
    }
    println!("{report}");
    assert!(worst < 6.0, "{report}");
}
