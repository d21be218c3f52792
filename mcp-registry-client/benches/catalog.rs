//! The catalog at 1k, 10k and 100k servers: snapshot load time and size, search latency beside
//! `tantivy` on the same documents, index build time, and sync throughput beside a plain fetch.
//!
//! Run: `cargo bench -p mcp-registry-client --features catalog --bench catalog -- --warm-up-time 0.5
//! --measurement-time 1`. Criterion times `decode` (on its default threads, and on one) and
//! each query; after its groups a pass prints search p50/p99 and index build times, and a sync
//! pass (10k servers served by
//! `RegistryHandler` through an in-process transport) prints full-sync time beside a plain
//! fetch of the same pages with a `serde_json::Value` parse, and the bytes an incremental sync
//! fetches after 1% of the entries change. Memory per server is the `catalog_memory` bench.
//! `CATALOG_BENCH=search` skips the snapshot and sync passes (with the criterion filter
//! `search`, only search is timed): `CATALOG_BENCH=search cargo bench ... -- ... search`.
//! `CATALOG_BENCH=load` runs the snapshot group alone (no search, percentile or sync pass):
//! `CATALOG_BENCH=load cargo bench ... -- ... snapshot_decode`.
//!
//! The documents come from a seeded generator (`common/catalog_docs.rs`): 1–3 KB of JSON each,
//! names, titles and descriptions from a skewed vocabulary of services, verbs and objects,
//! packages and remotes.
#![expect(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    reason = "a benchmark: a panic is a failed run, not a user's crash"
)]
#![expect(
    clippy::cast_precision_loss,
    clippy::too_many_lines,
    reason = "printed figures need no more than f64's precision; the sync pass reads top to bottom"
)]

#[expect(
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::string_slice,
    reason = "a benchmark's generator: a panic is a failed run, not a user's crash"
)]
#[path = "common/catalog_docs.rs"]
mod docs;

use std::hint::black_box;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, UNIX_EPOCH};

use bytes::Bytes;
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use mcp_registry_client::catalog::{
    Catalog, DecodeOptions, RegistryHandler, SyncMode, SyncOptions, decode, decode_with, encode,
    sync_source,
};
use mcp_registry_client::{RegistryClient, RetryPolicy, TransportError};
use mcp_registry_types::Timestamp;
use tantivy::collector::TopDocs;
use tantivy::query::{Query, QueryParser, RegexQuery};
use tantivy::schema::{Field, STORED, Schema, TEXT, Value as _};
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, doc};

const SIZES: [usize; 3] = [1_000, 10_000, 100_000];
const SEED: u64 = 0x00C0_FFEE;
const LIMIT: usize = 10;

/// The queries: one word, two words, a prefix being typed, a full name.
fn queries(catalog: &Catalog) -> Vec<(&'static str, String)> {
    let full = catalog
        .latest()
        .nth(catalog.server_count() / 2)
        .map(|entry| entry.name().to_owned())
        .unwrap_or_default();
    vec![
        ("one word", "weather".to_owned()),
        ("rare word", "clickhouse".to_owned()),
        ("two words", "postgres database".to_owned()),
        ("two words common", "github issues".to_owned()),
        ("prefix", "kube".to_owned()),
        ("full name", full),
    ]
}

/// The same documents in a `tantivy` index held in RAM: name, title and description, BM25,
/// the name boosted 3× and the title 2× as ours weighs them; one indexing thread, as ours.
struct Tantivy {
    name: Field,
    reader: IndexReader,
    parser: QueryParser,
}

impl Tantivy {
    fn build(catalog: &Catalog) -> Self {
        let mut schema = Schema::builder();
        let name = schema.add_text_field("name", TEXT | STORED);
        let title = schema.add_text_field("title", TEXT);
        let description = schema.add_text_field("description", TEXT);
        let index = Index::create_in_ram(schema.build());
        let mut writer: IndexWriter = index.writer_with_num_threads(1, 100_000_000).unwrap();
        for entry in catalog.latest() {
            writer
                .add_document(doc!(
                    name => entry.name(),
                    title => entry.title().unwrap_or_default(),
                    description => entry.description(),
                ))
                .unwrap();
        }
        writer.commit().unwrap();
        writer.wait_merging_threads().unwrap();
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .unwrap();
        let mut parser = QueryParser::for_index(&index, vec![name, title, description]);
        parser.set_field_boost(name, 3.0);
        parser.set_field_boost(title, 2.0);
        Self {
            name,
            reader,
            parser,
        }
    }

    /// The query as tantivy reads it: words as they are, a prefix as a regex over the name's
    /// terms (as ours expands prefixes over name parts), a full name as a phrase.
    fn query(&self, kind: &str, text: &str) -> Box<dyn Query> {
        match kind {
            "prefix" => {
                Box::new(RegexQuery::from_pattern(&format!("{text}.*"), self.name).unwrap())
            }
            "full name" => self.parser.parse_query(&format!("\"{text}\"")).unwrap(),
            _ => self.parser.parse_query(text).unwrap(),
        }
    }

    /// The names of the best `LIMIT` hits.
    fn search(&self, kind: &str, text: &str) -> Vec<String> {
        let query = self.query(kind, text);
        let searcher = self.reader.searcher();
        let top = searcher
            .search(&query, &TopDocs::with_limit(LIMIT))
            .unwrap();
        top.into_iter()
            .map(|(_, address)| {
                let doc: TantivyDocument = searcher.doc(address).unwrap();
                doc.get_first(self.name)
                    .and_then(|value| value.as_str())
                    .unwrap_or_default()
                    .to_owned()
            })
            .collect()
    }
}

fn ours(catalog: &Catalog, text: &str) -> Vec<String> {
    catalog
        .search(text, Some(LIMIT))
        .iter()
        .map(|hit| hit.entry().name().to_owned())
        .collect()
}

/// A catalog of `size` generated servers, its index built.
fn built(size: usize) -> (Vec<String>, Catalog) {
    let docs = docs::generate(size, SEED);
    let catalog = docs::catalog(&docs);
    black_box(catalog.search("warm", Some(1)).len());
    (docs, catalog)
}

/// Whether `CATALOG_BENCH=search` asked for the search passes alone.
fn search_only() -> bool {
    std::env::var("CATALOG_BENCH").is_ok_and(|only| only == "search")
}

/// Whether `CATALOG_BENCH=load` asked for the snapshot group alone.
fn load_only() -> bool {
    std::env::var("CATALOG_BENCH").is_ok_and(|only| only == "load")
}

fn snapshot_load(c: &mut Criterion) {
    if search_only() {
        return;
    }
    let mut group = c.benchmark_group("snapshot_decode");
    group.sample_size(10);
    println!("\nsnapshot sizes");
    println!("| servers | JSON (avg per entry) | snapshot | per server |");
    println!("|---|---|---|---|");
    for size in SIZES {
        let (docs, catalog) = built(size);
        let json: usize = docs.iter().map(String::len).sum();
        let bytes = encode(&catalog).unwrap();
        println!(
            "| {size} | {:.1} MB ({} B) | {:.2} MB | {} B |",
            json as f64 / 1e6,
            json / size,
            bytes.len() as f64 / 1e6,
            bytes.len() / size
        );
        group.bench_with_input(BenchmarkId::from_parameter(size), &bytes, |b, bytes| {
            b.iter(|| black_box(decode(black_box(bytes), u64::MAX).unwrap()));
        });
        // The same on the calling thread alone: the work the threads share.
        group.bench_with_input(BenchmarkId::new("one thread", size), &bytes, |b, bytes| {
            let one = DecodeOptions::with_threads(1);
            b.iter(|| black_box(decode_with(black_box(bytes), u64::MAX, one).unwrap()));
        });
    }
    group.finish();
}

fn search(c: &mut Criterion) {
    if load_only() {
        return;
    }
    for size in SIZES {
        let (_, catalog) = built(size);
        let tantivy = Tantivy::build(&catalog);
        let mut group = c.benchmark_group(format!("search/{size}"));
        for (kind, text) in queries(&catalog) {
            group.bench_with_input(BenchmarkId::new("ours", kind), &text, |b, text| {
                b.iter(|| black_box(ours(&catalog, black_box(text))));
            });
            group.bench_with_input(BenchmarkId::new("tantivy", kind), &text, |b, text| {
                b.iter(|| black_box(tantivy.search(kind, black_box(text))));
            });
        }
        group.finish();
    }
}

/// The median of `runs` timings of `f`, each on a fresh input from `setup` (not timed).
fn median_of<T, R>(
    runs: usize,
    mut setup: impl FnMut() -> T,
    mut f: impl FnMut(T) -> R,
) -> Duration {
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let input = setup();
            let start = Instant::now();
            let out = f(input);
            let elapsed = start.elapsed();
            drop(black_box(out));
            elapsed
        })
        .collect();
    times.sort_unstable();
    times[times.len() / 2]
}

/// p50 and p99 of single searches (at most 20,000 calls or one second per cell), and the
/// time to build each index.
fn percentiles(_: &mut Criterion) {
    fn sample(mut call: impl FnMut()) -> (Duration, Duration) {
        for _ in 0..200 {
            call();
        }
        let mut times = Vec::with_capacity(20_000);
        let budget = Instant::now();
        while times.len() < 20_000 && budget.elapsed() < Duration::from_secs(1) {
            let start = Instant::now();
            call();
            times.push(start.elapsed());
        }
        times.sort_unstable();
        let at = |q: usize| times[(times.len() - 1) * q / 100];
        (at(50), at(99))
    }
    if load_only() {
        return;
    }
    println!("\nindex build (median of 3)");
    println!("| servers | ours | tantivy |");
    println!("|---|---|---|");
    let mut rows = Vec::new();
    for size in SIZES {
        let (_, catalog) = built(size);
        let ours_build = median_of(
            3,
            || {
                let mut fresh = catalog.clone();
                // A change drops the index; the next search rebuilds it.
                let first = catalog.latest().next().unwrap().response().unwrap();
                fresh
                    .upsert(
                        docs::SOURCE,
                        &first,
                        Timestamp::from_unix_seconds(docs::START),
                    )
                    .unwrap();
                fresh
            },
            |fresh| {
                black_box(fresh.search("warm", Some(1)).len());
                fresh
            },
        );
        let tantivy_build = median_of(3, || (), |()| Tantivy::build(&catalog));
        println!("| {size} | {ours_build:.2?} | {tantivy_build:.2?} |");
        let tantivy = Tantivy::build(&catalog);
        for (kind, text) in queries(&catalog) {
            let top_ours = ours(&catalog, &text);
            let top_tantivy = tantivy.search(kind, &text);
            let (o50, o99) = sample(|| {
                black_box(ours(&catalog, black_box(&text)));
            });
            let (t50, t99) = sample(|| {
                black_box(tantivy.search(kind, black_box(&text)));
            });
            let overlap = top_ours.iter().filter(|n| top_tantivy.contains(n)).count();
            rows.push(format!(
                "| {size} | {kind} `{text}` | {o50:.2?} / {o99:.2?} | {t50:.2?} / {t99:.2?} | {} / {} | {overlap} |",
                top_ours.len(),
                top_tantivy.len()
            ));
        }
    }
    println!("\nsingle-search percentiles (p50 / p99), top {LIMIT}");
    println!("| servers | query | ours | tantivy | hits ours / tantivy | shared in top {LIMIT} |");
    println!("|---|---|---|---|---|---|");
    for row in rows {
        println!("{row}");
    }
}

/// An upstream registry: a catalog served by `RegistryHandler` through an in-process
/// transport, counting the bytes of the bodies it answers with.
struct Upstream {
    catalog: Mutex<Catalog>,
    now: Mutex<i64>,
    bytes: AtomicU64,
    uris: Mutex<Vec<String>>,
}

impl Upstream {
    fn answer(&self, request: &http::Request<Bytes>) -> http::Response<Bytes> {
        let catalog = self.catalog.lock().unwrap();
        let mut response = RegistryHandler::new().handle(&catalog, request);
        let now = *self.now.lock().unwrap();
        let date = UNIX_EPOCH + Duration::from_secs(u64::try_from(now).unwrap());
        response.headers_mut().insert(
            http::header::DATE,
            httpdate::fmt_http_date(date).parse().unwrap(),
        );
        self.bytes
            .fetch_add(response.body().len() as u64, Ordering::Relaxed);
        response
    }

    fn client(self: &Arc<Self>) -> RegistryClient {
        let upstream = Arc::clone(self);
        let transport = move |request: http::Request<Bytes>, _max: u64| {
            let upstream = Arc::clone(&upstream);
            async move {
                upstream
                    .uris
                    .lock()
                    .unwrap()
                    .push(request.uri().to_string());
                Ok::<_, TransportError>(upstream.answer(&request))
            }
        };
        RegistryClient::builder()
            .with_base_url_str("http://registry.test/")
            .with_transport(transport)
            .with_rate_limit(None)
            .with_retry_policy(RetryPolicy::none())
            .build()
            .unwrap()
    }

    fn take_bytes(&self) -> u64 {
        self.bytes.swap(0, Ordering::Relaxed)
    }
}

fn mirror() -> Catalog {
    let mut catalog = Catalog::new();
    catalog.add_source("mirror");
    catalog
}

/// Full sync throughput beside a plain fetch + `Value` parse of the same pages, and the bytes
/// of an incremental sync after 1% of the entries change.
fn sync(_: &mut Criterion) {
    const SIZE: usize = 10_000;
    if search_only() || load_only() {
        return;
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap();
    let docs = docs::generate(SIZE, SEED);
    let upstream = Arc::new(Upstream {
        catalog: Mutex::new(docs::catalog(&docs)),
        now: Mutex::new(docs::START),
        bytes: AtomicU64::new(0),
        uris: Mutex::new(Vec::new()),
    });
    let client = upstream.client();
    let options = || SyncOptions::new().with_page_size(100);

    // One full sync to learn the pages it fetches; then the timed runs.
    let mut synced = mirror();
    let report = runtime
        .block_on(sync_source(
            &client,
            &mut synced,
            "mirror",
            SyncMode::Full,
            options(),
        ))
        .unwrap();
    assert_eq!(report.items, SIZE);
    let full_bytes = upstream.take_bytes();
    let uris = std::mem::take(&mut *upstream.uris.lock().unwrap());

    let full = median_of(5, mirror, |mut catalog| {
        runtime
            .block_on(sync_source(
                &client,
                &mut catalog,
                "mirror",
                SyncMode::Full,
                options(),
            ))
            .unwrap();
        catalog
    });
    let full_run_bytes = upstream.take_bytes() / 5;
    let plain = median_of(
        5,
        || (),
        |()| {
            let mut items = 0;
            for uri in &uris {
                let request = http::Request::get(uri.as_str()).body(Bytes::new()).unwrap();
                let response = upstream.answer(&request);
                let page: serde_json::Value = serde_json::from_slice(response.body()).unwrap();
                items += page["servers"].as_array().map_or(0, Vec::len);
            }
            assert_eq!(items, SIZE);
        },
    );
    let plain_run_bytes = upstream.take_bytes() / 5;

    // 1% of the entries change upstream an hour later; an incremental sync follows.
    let changed: usize = {
        let mut catalog = upstream.catalog.lock().unwrap();
        let later = docs::START + 3_600;
        let mut changed = 0;
        for doc in docs.iter().step_by(100) {
            let mut edited: serde_json::Value = serde_json::from_str(doc).unwrap();
            let description = format!(
                "Updated: {}",
                edited["server"]["description"].as_str().unwrap()
            );
            edited["server"]["description"] = description.into();
            edited["_meta"]["io.modelcontextprotocol.registry/official"]["updatedAt"] =
                docs::stamp(later).into();
            let edited = edited.to_string();
            let response = docs::parse(&edited);
            catalog
                .upsert(docs::SOURCE, &response, Timestamp::from_unix_seconds(later))
                .unwrap();
            let name = docs::parse(doc).server().name().to_owned();
            let entry = catalog.get(&name).unwrap();
            assert_eq!(
                entry.updated_at(),
                Some(Timestamp::from_unix_seconds(later))
            );
            changed += entry.json().len();
        }
        changed
    };
    *upstream.now.lock().unwrap() = docs::START + 7_200;
    let report = runtime
        .block_on(sync_source(
            &client,
            &mut synced,
            "mirror",
            SyncMode::Incremental,
            options(),
        ))
        .unwrap();
    let incremental_bytes = upstream.take_bytes();
    let per_second = |d: Duration| SIZE as f64 / d.as_secs_f64();
    println!(
        "\nsync of {SIZE} servers in pages of 100 ({} requests)",
        uris.len()
    );
    println!("| run | time | servers/s | bytes fetched |");
    println!("|---|---|---|---|");
    println!(
        "| full `sync_source` | {full:.2?} | {:.0} | {:.2} MB (first run {:.2} MB) |",
        per_second(full),
        full_run_bytes as f64 / 1e6,
        full_bytes as f64 / 1e6
    );
    println!(
        "| plain fetch + `Value` parse | {plain:.2?} | {:.0} | {:.2} MB |",
        per_second(plain),
        plain_run_bytes as f64 / 1e6
    );
    println!(
        "| incremental after 1% change ({} items, {:?}) | | | {:.1} KB (changed entries: {:.1} KB, {:.2}×) |",
        report.items,
        report.mode,
        incremental_bytes as f64 / 1e3,
        changed as f64 / 1e3,
        incremental_bytes as f64 / changed as f64
    );
    println!(
        "full sync / plain: {:.2}×",
        full.as_secs_f64() / plain.as_secs_f64()
    );
}

criterion_group!(benches, snapshot_load, search, percentiles, sync);
criterion_main!(benches);
