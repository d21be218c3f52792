//! A full crawl of 10,000 servers (100 pages of 100) from the loopback fake registry, through
//! the client's stream, beside a plain reqwest GET + `serde_json::Value` parse of the same pages.
//!
//! Run with `cargo bench -p mcp-registry-client --bench stream`.
#![expect(
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "a benchmark fails loudly on missing or malformed data"
)]

use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use futures::TryStreamExt as _;
use mcp_registry_client::test_util::{FakeRegistry, fixtures};
use mcp_registry_client::url::Url;
use mcp_registry_client::{ListQuery, RegistryClient};

const SERVERS: usize = 10_000;

fn stream(c: &mut Criterion) {
    // The registry runs on its own thread and runtime, so its work is not counted as ours.
    let registry = FakeRegistry::builder()
        .with_servers(fixtures::generated(SERVERS))
        .start_on_thread()
        .expect("start the fake registry");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let client = RegistryClient::builder()
        .with_base_url(registry.url())
        .with_rate_limit(None)
        .build()
        .expect("client");
    let plain = reqwest::Client::new();
    let base = registry.url();

    let mut group = c.benchmark_group("stream_10k");
    group.throughput(Throughput::Elements(SERVERS as u64));
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(10));
    group.bench_function("registry_client_stream", |b| {
        b.to_async(&runtime).iter(|| async {
            let query = ListQuery::new().with_limit(100);
            let count = client
                .stream(query)
                .try_fold(0usize, |n, _| async move { Ok(n + 1) })
                .await
                .expect("stream");
            assert_eq!(count, SERVERS);
        });
    });
    group.bench_function("reqwest_get_serde_json_value", |b| {
        b.to_async(&runtime).iter(|| async {
            let count = crawl_plain(&plain, &base).await;
            assert_eq!(count, SERVERS);
        });
    });
    group.finish();
}

/// The baseline: GET each page, parse it as a `Value`, follow `metadata.nextCursor`.
async fn crawl_plain(client: &reqwest::Client, base: &Url) -> usize {
    let mut count = 0;
    let mut cursor: Option<String> = None;
    loop {
        let mut url = base.join("v0.1/servers").expect("url");
        {
            let mut query = url.query_pairs_mut();
            if let Some(cursor) = &cursor {
                query.append_pair("cursor", cursor);
            }
            query.append_pair("limit", "100");
        }
        let body = client
            .get(url)
            .send()
            .await
            .expect("get")
            .bytes()
            .await
            .expect("body");
        let page: serde_json::Value = serde_json::from_slice(&body).expect("json");
        let servers = page["servers"].as_array().map_or(0, Vec::len);
        count += servers;
        match page["metadata"]["nextCursor"].as_str() {
            Some(next) if !next.is_empty() && servers > 0 => cursor = Some(next.to_owned()),
            _ => return count,
        }
    }
}

criterion_group!(benches, stream);
criterion_main!(benches);
