//! Paging through the fake registry.

use futures::{StreamExt as _, TryStreamExt as _};
use mcp_registry_client::test_util::{FakeRegistry, Quirk, fixtures};
use mcp_registry_client::{Limits, ListQuery};

use crate::util::{builder, client, drain};

const ALL_BUT_DELETED: [&str; 12] = [
    "com.example/build-meta@1.0.0+20130313144700",
    "com.example/remote-open@0.3.1",
    "com.example/remote-search@2.0.0",
    "io.github.acme/crab@0.2.0",
    "io.github.acme/hybrid@1.0.0",
    "io.github.acme/legacy-tool@0.9.0",
    "io.github.acme/notes@3.1.4",
    "io.github.acme/stale-schema@0.1.0",
    "io.github.acme/too-wordy@1.0.0",
    "io.github.acme/weather@1.0.0",
    "io.github.acme/weather@1.2.0",
    "org.subregistry/no-meta@1.0.0",
];

#[tokio::test]
async fn streams_every_page_in_order() {
    let registry = FakeRegistry::builder()
        .with_servers(fixtures::sample())
        .start()
        .unwrap();
    let (client, _) = client(registry.url());
    let (names, error) = drain(client.stream(ListQuery::new().with_limit(5))).await;
    assert!(error.is_none(), "{error:?}");
    assert_eq!(names, ALL_BUT_DELETED);
    // 12 items at 5 a page: 5, 5, 2; the short page has no cursor.
    assert_eq!(registry.requests().len(), 3);
}

#[tokio::test]
async fn stream_is_lazy() {
    let registry = FakeRegistry::builder()
        .with_servers(fixtures::sample())
        .start()
        .unwrap();
    let (client, _) = client(registry.url());
    let mut stream = client.stream(ListQuery::new().with_limit(2));
    assert!(registry.requests().is_empty());
    stream.next().await.unwrap().unwrap();
    stream.next().await.unwrap().unwrap();
    assert_eq!(registry.requests().len(), 1);
    stream.next().await.unwrap().unwrap();
    assert_eq!(registry.requests().len(), 2);
}

#[tokio::test]
async fn final_empty_page_ends_the_stream_cleanly() {
    let registry = FakeRegistry::builder()
        .with_servers(fixtures::sample())
        .start()
        .unwrap();
    let (client, _) = client(registry.url());
    // 13 rows with tombstones at 13 a page: a full page, so a cursor to an empty page.
    let query = ListQuery::new().with_limit(13).with_include_deleted(true);
    let servers: Vec<_> = client.stream(query).try_collect().await.unwrap();
    assert_eq!(servers.len(), 13);
    let requests = registry.requests();
    assert_eq!(requests.len(), 2);
    assert_eq!(
        requests[1].target(),
        "/v0.1/servers?cursor=org.subregistry%2Fno-meta%3A1.0.0&limit=13&include_deleted=true"
    );
}

#[tokio::test]
async fn snake_case_cursor_pages_on() {
    let registry = FakeRegistry::builder()
        .with_servers(fixtures::sample())
        .with_quirk(Quirk::SnakeCaseCursor)
        .start()
        .unwrap();
    let (client, _) = client(registry.url());
    let (names, error) = drain(client.stream(ListQuery::new().with_limit(4))).await;
    assert!(error.is_none(), "{error:?}");
    assert_eq!(names, ALL_BUT_DELETED);
}

#[tokio::test]
async fn repeated_cursor_is_an_error_not_a_silent_end() {
    let registry = FakeRegistry::builder()
        .with_servers(fixtures::sample())
        .with_quirk(Quirk::RepeatCursor)
        .start()
        .unwrap();
    let (client, _) = client(registry.url());
    let (names, error) = drain(client.stream(ListQuery::new().with_limit(3))).await;
    // Page 1, then page 2 (whose items are yielded) came back with page 2's own cursor.
    assert_eq!(names, ALL_BUT_DELETED[..6]);
    assert_eq!(
        error.unwrap().to_string(),
        format!(
            "registry repeated cursor `com.example/remote-search:2.0.0`: \
             `{}v0.1/servers?cursor=com.example%2Fremote-search%3A2.0.0&limit=3`",
            registry.url()
        )
    );
    assert_eq!(registry.requests().len(), 2);
}

#[tokio::test]
async fn page_and_item_limits_bound_the_stream() {
    let registry = FakeRegistry::builder()
        .with_servers(fixtures::sample())
        .start()
        .unwrap();
    let clock = std::sync::Arc::new(mcp_registry_client::test_util::ManualClock::new());
    let pages = builder(registry.url(), &clock)
        .with_limits(Limits::new().with_max_pages(2))
        .build()
        .unwrap();
    let (names, error) = drain(pages.stream(ListQuery::new().with_limit(3))).await;
    assert_eq!(names.len(), 6);
    assert_eq!(
        error.unwrap().to_string(),
        format!(
            "stream exceeds the limit of 2 pages: `{}v0.1/servers?cursor=com.example%2Fremote-search%3A2.0.0&limit=3`",
            registry.url()
        )
    );

    let items = builder(registry.url(), &clock)
        .with_limits(Limits::new().with_max_items(4))
        .build()
        .unwrap();
    let (names, error) = drain(items.stream(ListQuery::new().with_limit(3))).await;
    assert_eq!(names.len(), 4);
    assert_eq!(
        error.unwrap().to_string(),
        format!(
            "stream exceeds the limit of 4 items: `{}v0.1/servers?cursor=com.example%2Fremote-search%3A2.0.0&limit=3`",
            registry.url()
        )
    );

    // Exactly at the limit is fine.
    let exact = builder(registry.url(), &clock)
        .with_limits(Limits::new().with_max_items(12))
        .build()
        .unwrap();
    let (names, error) = drain(exact.stream(ListQuery::new())).await;
    assert_eq!((names.len(), error.is_none()), (12, true));
}

#[tokio::test]
async fn stream_starts_from_a_given_cursor_and_searches() {
    let registry = FakeRegistry::builder()
        .with_servers(fixtures::sample())
        .start()
        .unwrap();
    let (client, _) = client(registry.url());
    let query = ListQuery::new()
        .with_cursor("io.github.acme/stale-schema:0.1.0")
        .with_limit(2);
    let (names, _) = drain(client.stream(query)).await;
    assert_eq!(names, ALL_BUT_DELETED[8..]);
    let (names, _) = drain(client.stream(ListQuery::new().with_search("remote"))).await;
    assert_eq!(names, ALL_BUT_DELETED[1..3]);
}

#[tokio::test]
async fn ten_thousand_servers_stream_in_one_hundred_pages() {
    let registry = FakeRegistry::builder()
        .with_servers(fixtures::generated(10_000))
        .start()
        .unwrap();
    let (client, _) = client(registry.url());
    let count = client
        .stream(ListQuery::new().with_limit(100))
        .try_fold(0usize, |n, _| async move { Ok(n + 1) })
        .await;
    assert_eq!(count.unwrap(), 10_000);
    // 100 full pages, then the empty page the last full one points to.
    assert_eq!(registry.requests().len(), 101);
}
