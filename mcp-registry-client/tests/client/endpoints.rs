//! The single-request endpoints against the fake registry.

use mcp_registry_client::test_util::{FakeRegistry, fixtures};
use mcp_registry_client::{ApiVersion, ListQuery};

use crate::util::{assert_error, builder, client};

fn registry() -> FakeRegistry {
    FakeRegistry::builder()
        .with_servers(fixtures::sample())
        .start()
        .unwrap()
}

#[tokio::test]
async fn list_returns_one_page_with_a_cursor() {
    let registry = registry();
    let (client, _) = client(registry.url());
    let page = client.list(&ListQuery::new().with_limit(3)).await.unwrap();
    let names: Vec<_> = page.servers().iter().map(|s| s.server().name()).collect();
    assert_eq!(
        names,
        [
            "com.example/build-meta",
            "com.example/remote-open",
            "com.example/remote-search"
        ]
    );
    assert_eq!(page.next_cursor(), Some("com.example/remote-search:2.0.0"));
    let next = client
        .list(
            &ListQuery::new()
                .with_limit(3)
                .with_cursor("com.example/remote-search:2.0.0"),
        )
        .await
        .unwrap();
    assert_eq!(next.servers()[0].server().name(), "io.github.acme/crab");
    let requests = registry.requests();
    assert_eq!(requests[0].target(), "/v0.1/servers?limit=3");
    assert_eq!(
        requests[1].target(),
        "/v0.1/servers?cursor=com.example%2Fremote-search%3A2.0.0&limit=3"
    );
    assert_eq!(
        requests[0].header("accept"),
        Some("application/json, application/problem+json;q=0.9")
    );
    assert!(
        requests[0]
            .header("user-agent")
            .unwrap()
            .starts_with("mcp-registry-client/")
    );
    assert_eq!(requests[0].header("authorization"), None);
}

#[tokio::test]
async fn list_passes_search_version_and_incremental_parameters() {
    let registry = registry();
    let (client, _) = client(registry.url());
    let page = client
        .list(&ListQuery::new().with_search("WEATHER").with_latest_only())
        .await
        .unwrap();
    let versions: Vec<_> = page
        .servers()
        .iter()
        .map(|s| s.server().version())
        .collect();
    assert_eq!(versions, ["1.2.0"]);
    // updated_since always brings tombstones and never sends include_deleted=false.
    let since = client
        .list(
            &ListQuery::new()
                .with_updated_since("2025-11-02T00:00:00Z")
                .with_include_deleted(false),
        )
        .await
        .unwrap();
    let names: Vec<_> = since.servers().iter().map(|s| s.server().name()).collect();
    assert_eq!(
        names,
        [
            "io.github.acme/crab",
            "io.github.acme/hybrid",
            "io.github.acme/notes",
            "io.github.acme/removed-tool",
            "io.github.acme/weather"
        ]
    );
    assert_eq!(
        registry.requests()[1].target(),
        "/v0.1/servers?updated_since=2025-11-02T00%3A00%3A00Z"
    );
}

#[tokio::test]
async fn server_version_encodes_slash_and_plus() {
    let registry = registry();
    let (client, _) = client(registry.url());
    let server = client
        .server_version("com.example/build-meta", "1.0.0+20130313144700")
        .await
        .unwrap();
    assert_eq!(server.server().version(), "1.0.0+20130313144700");
    assert_eq!(
        registry.requests()[0].target(),
        "/v0.1/servers/com.example%2Fbuild-meta/versions/1.0.0%2B20130313144700"
    );
}

#[tokio::test]
async fn latest_version_and_versions() {
    let registry = registry();
    let (client, _) = client(registry.url());
    let latest = client
        .latest_version("io.github.acme/weather")
        .await
        .unwrap();
    assert_eq!(latest.server().version(), "1.2.0");
    assert!(latest.official().unwrap().is_latest());
    let versions = client.versions("io.github.acme/weather").await.unwrap();
    let listed: Vec<_> = versions
        .servers()
        .iter()
        .map(|s| s.server().version())
        .collect();
    assert_eq!(listed, ["1.2.0", "1.0.0"]);
    assert_eq!(
        registry.requests()[0].target(),
        "/v0.1/servers/io.github.acme%2Fweather/versions/latest"
    );
}

#[tokio::test]
async fn sub_registry_entry_without_meta_is_served() {
    let registry = registry();
    let (client, _) = client(registry.url());
    let server = client
        .latest_version("org.subregistry/no-meta")
        .await
        .unwrap();
    assert!(server.official().is_none());
}

#[tokio::test]
async fn missing_and_deleted_servers_are_not_found() {
    let registry = registry();
    let (client, _) = client(registry.url());
    let base = registry.url();
    assert_error(
        client.latest_version("io.github.acme/nothing").await,
        &format!(
            "not found: `{base}v0.1/servers/io.github.acme%2Fnothing/versions/latest`: `Server not found`"
        ),
    );
    assert_error(
        client.versions("io.github.acme/removed-tool").await,
        &format!(
            "not found: `{base}v0.1/servers/io.github.acme%2Fremoved-tool/versions`: `Server not found`"
        ),
    );
}

#[tokio::test]
async fn v0_is_selectable_and_a_base_path_is_kept() {
    let registry = registry();
    let clock = std::sync::Arc::new(mcp_registry_client::test_util::ManualClock::new());
    let client = builder(registry.url(), &clock)
        .with_api_version(ApiVersion::V0)
        .build()
        .unwrap();
    client.latest_version("io.github.acme/crab").await.unwrap();
    assert_eq!(
        registry.requests()[0].target(),
        "/v0/servers/io.github.acme%2Fcrab/versions/latest"
    );

    let prefixed = builder(registry.url().join("mirror/").unwrap(), &clock)
        .build()
        .unwrap();
    assert_error(
        prefixed.list(&ListQuery::new()).await,
        &format!(
            "not found: `{}mirror/v0.1/servers`: `Endpoint not found`",
            registry.url()
        ),
    );
}
