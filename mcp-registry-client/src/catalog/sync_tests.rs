//! Sync against a registry served by [`RegistryHandler`] from an "upstream" catalog, through
//! the real client, with the registry's clock and mid-sync changes under the test's control.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, UNIX_EPOCH};

use bytes::Bytes;
use mcp_registry_types::{OfficialMeta, ServerJson, ServerResponse, Status, Timestamp};

use super::*;
use crate::{RegistryClient, RetryPolicy, TransportError};

type Hook = Box<dyn FnMut(usize, &mut Catalog) + Send>;

/// The upstream registry: its catalog, its clock, and what happens as pages are requested.
struct Upstream {
    catalog: Mutex<Catalog>,
    /// The registry's clock, in seconds since the epoch.
    now: Mutex<i64>,
    requests: AtomicUsize,
    /// Called before answering request N (1-based) with the upstream catalog.
    hook: Mutex<Option<Hook>>,
    /// Requests from this one on fail at the transport.
    fail_from: Mutex<Option<usize>>,
}

const START: i64 = 1_750_000_000;

fn stamp(seconds: i64) -> String {
    Timestamp::from_unix_seconds(seconds).to_string()
}

fn doc(name: &str, version: &str, published: i64, updated: i64, status: Status) -> ServerResponse {
    let server: ServerJson =
        format!(r#"{{"name": "{name}", "description": "Server {name}", "version": "{version}"}}"#)
            .parse()
            .unwrap();
    let official = OfficialMeta::new(stamp(published), false)
        .with_status(status, None)
        .with_updated_at(stamp(updated));
    ServerResponse::new(server, Some(official))
}

impl Upstream {
    fn new(rows: usize) -> Arc<Self> {
        let mut catalog = Catalog::new();
        catalog.add_source("origin");
        for i in 0..rows {
            let name = format!("io.github.org{:03}/server", i / 2);
            let version = format!("1.{}.0", i % 2);
            let at = START - 10_000 + i64::try_from(i).unwrap();
            catalog
                .upsert(
                    "origin",
                    &doc(&name, &version, at, at, Status::Active),
                    ts(at),
                )
                .unwrap();
        }
        Arc::new(Self {
            catalog: Mutex::new(catalog),
            now: Mutex::new(START),
            requests: AtomicUsize::new(0),
            hook: Mutex::new(None),
            fail_from: Mutex::new(None),
        })
    }

    fn set(&self, row: &ServerResponse) {
        self.catalog
            .lock()
            .unwrap()
            .upsert("origin", row, ts(*self.now.lock().unwrap()))
            .unwrap();
    }

    fn tick(&self, seconds: i64) -> i64 {
        let mut now = self.now.lock().unwrap();
        *now += seconds;
        *now
    }

    fn client(self: &Arc<Self>) -> RegistryClient {
        let upstream = Arc::clone(self);
        let transport = move |request: http::Request<Bytes>, _max: u64| {
            let upstream = Arc::clone(&upstream);
            async move {
                let n = upstream.requests.fetch_add(1, Ordering::SeqCst) + 1;
                if upstream
                    .fail_from
                    .lock()
                    .unwrap()
                    .is_some_and(|from| n >= from)
                {
                    return Err(TransportError::connect("connection refused"));
                }
                let mut catalog = upstream.catalog.lock().unwrap();
                if let Some(hook) = upstream.hook.lock().unwrap().as_mut() {
                    hook(n, &mut catalog);
                }
                let mut response = RegistryHandler::new().handle(&catalog, &request);
                let now = *upstream.now.lock().unwrap();
                let date = UNIX_EPOCH + Duration::from_secs(u64::try_from(now).unwrap());
                response.headers_mut().insert(
                    http::header::DATE,
                    httpdate::fmt_http_date(date).parse().unwrap(),
                );
                Ok::<_, TransportError>(response)
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
}

fn ts(seconds: i64) -> Timestamp {
    Timestamp::from_unix_seconds(seconds)
}

fn downstream() -> Catalog {
    let mut catalog = Catalog::new();
    catalog.add_source("mirror");
    catalog
}

/// What two catalogs must agree on: each version's document, status, `updatedAt` and latest
/// mark (provenance differs by design).
fn content(
    catalog: &Catalog,
) -> Vec<(String, String, Status, Option<Timestamp>, bool, ServerJson)> {
    catalog
        .iter()
        .map(|e| {
            (
                e.name().to_owned(),
                e.version().to_owned(),
                e.status(),
                e.updated_at(),
                e.is_latest(),
                e.server().unwrap(),
            )
        })
        .collect()
}

fn options() -> SyncOptions {
    SyncOptions::new().with_page_size(100)
}

/// An incremental run of the mirror's one source that must succeed.
async fn incremental(client: &RegistryClient, mirror: &mut Catalog) -> SyncReport {
    sync_source(client, mirror, "mirror", SyncMode::Incremental, options())
        .await
        .unwrap()
}

#[tokio::test]
async fn a_full_sync_mirrors_the_registry_and_a_second_fetches_only_changes() {
    let upstream = Upstream::new(250);
    let client = upstream.client();
    let mut mirror = downstream();
    let report = incremental(&client, &mut mirror).await;
    assert_eq!(
        (report.mode, report.pages, report.items),
        (SyncMode::Full, 3, 250)
    );
    assert!(report.reconciled);
    assert_eq!(report.counts().added, 250);
    assert_eq!(report.watermark, Some(ts(START - 60)));
    assert_eq!(content(&mirror), content(&upstream.catalog.lock().unwrap()));

    // Three rows change upstream; the next run reads those and no more.
    let now = upstream.tick(3600);
    upstream.set(&doc(
        "io.github.org001/server",
        "1.0.0",
        START,
        now,
        Status::Deprecated,
    ));
    upstream.set(&doc(
        "io.github.org050/server",
        "1.1.0",
        START,
        now,
        Status::Deleted,
    ));
    upstream.set(&doc(
        "io.github.org124/server",
        "2.0.0",
        now,
        now,
        Status::Active,
    ));
    let report = incremental(&client, &mut mirror).await;
    assert_eq!(
        (report.mode, report.pages, report.items),
        (SyncMode::Incremental, 1, 3)
    );
    let counts = report.counts();
    assert_eq!(
        (
            counts.deprecated,
            counts.deleted,
            counts.added,
            counts.latest_changed
        ),
        (1, 1, 1, 2)
    );
    assert_eq!(content(&mirror), content(&upstream.catalog.lock().unwrap()));
    assert!(mirror.source("mirror").unwrap().age(ts(now)).is_some());
}

#[tokio::test]
async fn a_row_updated_behind_the_cursor_during_a_sync_is_caught_by_the_next() {
    let upstream = Upstream::new(250);
    let client = upstream.client();
    let mut mirror = downstream();
    // While page 2 is requested, a row of page 1 changes, in the same second as the start.
    let changed = doc(
        "io.github.org003/server",
        "1.0.0",
        START,
        START,
        Status::Deprecated,
    );
    let row = changed.clone();
    *upstream.hook.lock().unwrap() = Some(Box::new(move |n, catalog: &mut Catalog| {
        if n == 2 {
            catalog.upsert("origin", &row.clone(), ts(START)).unwrap();
        }
    }));
    incremental(&client, &mut mirror).await;
    let seen = mirror.version("io.github.org003/server", "1.0.0").unwrap();
    assert_eq!(seen.status(), Status::Active, "the first run paged past it");
    *upstream.hook.lock().unwrap() = None;
    upstream.tick(5);
    let report = incremental(&client, &mut mirror).await;
    assert_eq!(report.counts().deprecated, 1);
    assert_eq!(content(&mirror), content(&upstream.catalog.lock().unwrap()));
}

#[tokio::test]
async fn a_tie_at_the_watermark_is_fetched_again_and_changes_nothing_twice() {
    let upstream = Upstream::new(10);
    let client = upstream.client();
    let mut mirror = downstream();
    // A row updated at exactly the registry time the run starts at.
    upstream.set(&doc(
        "io.github.org000/server",
        "1.0.0",
        START,
        START,
        Status::Deprecated,
    ));
    let first = incremental(&client, &mut mirror).await;
    assert_eq!(
        first.counts().deprecated,
        0,
        "a new row is added, not deprecated"
    );
    // The margin brings the boundary row back; it is recognised and changes nothing.
    let second = incremental(&client, &mut mirror).await;
    assert_eq!(second.items, 1);
    assert!(second.changes.is_empty(), "{:?}", second.changes);
    // A row changed at the boundary second after it was served is not missed either.
    let boundary = first.watermark.unwrap().unix_seconds() + 60;
    upstream.set(&doc(
        "io.github.org001/server",
        "1.0.0",
        START,
        boundary,
        Status::Deleted,
    ));
    let third = incremental(&client, &mut mirror).await;
    assert_eq!(third.counts().deleted, 1);
    assert_eq!(content(&mirror), content(&upstream.catalog.lock().unwrap()));
}

#[tokio::test]
async fn latest_moves_though_the_old_row_is_not_sent_again() {
    let upstream = Upstream::new(2);
    let client = upstream.client();
    let mut mirror = downstream();
    incremental(&client, &mut mirror).await;
    assert_eq!(
        mirror.get("io.github.org000/server").unwrap().version(),
        "1.1.0"
    );
    let now = upstream.tick(100);
    upstream.set(&doc(
        "io.github.org000/server",
        "1.2.0",
        now,
        now,
        Status::Active,
    ));
    let report = incremental(&client, &mut mirror).await;
    assert_eq!(report.items, 1, "only the new version is sent");
    assert_eq!(
        mirror.get("io.github.org000/server").unwrap().version(),
        "1.2.0"
    );
    assert!(
        !mirror
            .version("io.github.org000/server", "1.1.0")
            .unwrap()
            .is_latest()
    );
}

#[tokio::test]
async fn an_interrupted_sync_resumes_from_its_saved_checkpoint() {
    let upstream = Upstream::new(250);
    let client = upstream.client();
    let mut mirror = downstream();
    *upstream.fail_from.lock().unwrap() = Some(3);
    let error = sync_source(
        &client,
        &mut mirror,
        "mirror",
        SyncMode::Incremental,
        options(),
    )
    .await
    .unwrap_err();
    assert!(matches!(error, SyncError::Client(_)), "{error}");
    assert_eq!(mirror.version_count(), 200);
    let state = mirror.source("mirror").unwrap();
    assert_eq!(state.cursor(), Some("io.github.org099/server:1.1.0"));
    assert_eq!(state.watermark(), None);
    // The process ends; its snapshot is read back by the next one.
    let mut mirror = decode(&encode(&mirror).unwrap(), u64::MAX).unwrap();
    *upstream.fail_from.lock().unwrap() = None;
    let before = upstream.requests.load(Ordering::SeqCst);
    let report = incremental(&client, &mut mirror).await;
    assert!(report.resumed && !report.reconciled);
    assert_eq!(upstream.requests.load(Ordering::SeqCst) - before, 1);
    assert_eq!(report.watermark, Some(ts(START - 60)));
    assert_eq!(content(&mirror), content(&upstream.catalog.lock().unwrap()));
    assert_eq!(mirror.source("mirror").unwrap().cursor(), None);
}

#[tokio::test]
async fn a_full_run_removes_what_vanished_without_a_tombstone() {
    let upstream = Upstream::new(6);
    let client = upstream.client();
    let mut mirror = downstream();
    incremental(&client, &mut mirror).await;
    upstream
        .catalog
        .lock()
        .unwrap()
        .remove("origin", "io.github.org001/server", "1.0.0")
        .unwrap();
    let quiet = incremental(&client, &mut mirror).await;
    assert!(quiet.changes.is_empty());
    let full = sync_source(&client, &mut mirror, "mirror", SyncMode::Full, options())
        .await
        .unwrap();
    assert_eq!(full.counts().removed, 1);
    assert_eq!(content(&mirror), content(&upstream.catalog.lock().unwrap()));
}

#[tokio::test]
async fn caps_stop_a_run_and_keep_its_checkpoint() {
    let upstream = Upstream::new(250);
    let client = upstream.client();
    let mut mirror = downstream();
    let error = sync_source(
        &client,
        &mut mirror,
        "mirror",
        SyncMode::Incremental,
        options().with_max_pages(2),
    )
    .await
    .unwrap_err();
    assert_eq!(
        error.to_string(),
        "sync of `mirror` stopped at the limit of 2 pages"
    );
    assert!(mirror.source("mirror").unwrap().cursor().is_some());
    let error = sync_source(
        &client,
        &mut mirror,
        "mirror",
        SyncMode::Incremental,
        options().with_max_items(10),
    )
    .await
    .unwrap_err();
    assert!(error.to_string().contains("limit of 10 items"), "{error}");
}

#[tokio::test]
async fn two_registries_federate_by_precedence() {
    let private = Upstream::new(4);
    let public = Upstream::new(8);
    let mut catalog = Catalog::new();
    catalog.add_source("private");
    catalog.add_source("public");
    sync_source(
        &public.client(),
        &mut catalog,
        "public",
        SyncMode::Full,
        options(),
    )
    .await
    .unwrap();
    sync_source(
        &private.client(),
        &mut catalog,
        "private",
        SyncMode::Full,
        options(),
    )
    .await
    .unwrap();
    assert_eq!(catalog.server_count(), 4);
    let shared = catalog.get("io.github.org000/server").unwrap();
    assert_eq!(shared.provenance().source(), "private");
    let hidden: Vec<_> = catalog
        .alternatives("io.github.org000/server")
        .map(|e| e.provenance().source().to_owned())
        .collect();
    assert_eq!(hidden, ["public"]);
    assert_eq!(
        catalog
            .get("io.github.org003/server")
            .unwrap()
            .provenance()
            .source(),
        "public"
    );
}
