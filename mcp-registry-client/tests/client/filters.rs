//! Client-side filters over the fake registry's sample.

use futures::TryStreamExt as _;
use mcp_registry_client::ListQuery;
use mcp_registry_client::test_util::{FakeRegistry, fixtures};
use mcp_registry_client::types::glob::Glob;
use mcp_registry_client::types::{RegistryType, ServerFilter, Status, TransportType};

use crate::util::client;

async fn names(filter: ServerFilter) -> Vec<String> {
    let registry = FakeRegistry::builder()
        .with_servers(fixtures::sample())
        .start()
        .unwrap();
    let (client, _) = client(registry.url());
    // Tombstones included, so that the status filter is what drops them.
    let stream = client
        .stream(ListQuery::new().with_include_deleted(true))
        .filtered(filter);
    stream
        .map_ok(|s| format!("{}@{}", s.server().name(), s.server().version()))
        .try_collect()
        .await
        .unwrap()
}

#[tokio::test]
async fn default_filter_drops_only_deleted() {
    let all = names(ServerFilter::new()).await;
    assert_eq!(all.len(), 12);
    assert!(
        !all.iter()
            .any(|n| n.starts_with("io.github.acme/removed-tool"))
    );
    assert_eq!(names(ServerFilter::new().with_any_status()).await.len(), 13);
    assert_eq!(
        names(ServerFilter::new().with_status(Status::Deprecated)).await,
        ["io.github.acme/legacy-tool@0.9.0"]
    );
    assert_eq!(
        names(
            ServerFilter::new()
                .with_status(Status::Deleted)
                .with_status(Status::Deprecated)
        )
        .await,
        [
            "io.github.acme/legacy-tool@0.9.0",
            "io.github.acme/removed-tool@1.0.0"
        ]
    );
}

#[tokio::test]
async fn remote_only_and_package_only() {
    assert_eq!(
        names(ServerFilter::new().with_remote_only()).await,
        [
            "com.example/remote-open@0.3.1",
            "com.example/remote-search@2.0.0"
        ]
    );
    let packages = names(ServerFilter::new().with_package_only()).await;
    assert_eq!(packages.len(), 9);
    assert!(
        !packages
            .iter()
            .any(|n| n.starts_with("io.github.acme/hybrid"))
    );
}

#[tokio::test]
async fn registry_type_and_transport() {
    assert_eq!(
        names(ServerFilter::new().with_registry_type(RegistryType::Oci)).await,
        ["io.github.acme/notes@3.1.4"]
    );
    assert_eq!(
        names(
            ServerFilter::new()
                .with_registry_type(RegistryType::Cargo)
                .with_registry_type(RegistryType::Nuget)
        )
        .await,
        ["io.github.acme/crab@0.2.0", "org.subregistry/no-meta@1.0.0"]
    );
    assert_eq!(
        names(ServerFilter::new().with_transport(TransportType::StreamableHttp)).await,
        [
            "com.example/remote-search@2.0.0",
            "io.github.acme/hybrid@1.0.0"
        ]
    );
    assert_eq!(
        names(ServerFilter::new().with_transport(TransportType::Sse)).await,
        ["com.example/remote-open@0.3.1"]
    );
}

#[tokio::test]
async fn latest_only_keeps_servers_without_metadata() {
    let latest = names(
        ServerFilter::new()
            .with_latest_only()
            .try_with_name_glob("*weather*")
            .unwrap(),
    )
    .await;
    assert_eq!(latest, ["io.github.acme/weather@1.2.0"]);
    assert_eq!(
        names(ServerFilter::new().with_latest_only()).await.len(),
        11
    );
}

#[tokio::test]
async fn zero_config_excludes_required_secrets_and_headers() {
    let zero = names(ServerFilter::new().with_zero_config()).await;
    assert!(!zero.iter().any(|n| n.starts_with("io.github.acme/notes")));
    assert!(
        !zero
            .iter()
            .any(|n| n.starts_with("com.example/remote-search"))
    );
    // An optional variable with a default does not count.
    assert!(zero.iter().any(|n| n.starts_with("io.github.acme/hybrid")));
    assert_eq!(zero.len(), 10);
}

#[tokio::test]
async fn filters_compose() {
    let filter = ServerFilter::new()
        .with_package_only()
        .with_registry_type(RegistryType::Npm)
        .with_zero_config()
        .with_latest_only()
        .with_status(Status::Active)
        .with_name_glob(Glob::new("io.github.acme/*").unwrap());
    assert_eq!(
        names(filter).await,
        [
            "io.github.acme/stale-schema@0.1.0",
            "io.github.acme/too-wordy@1.0.0",
            "io.github.acme/weather@1.2.0"
        ]
    );
}

#[tokio::test]
async fn name_globs_are_the_shared_dialect() {
    let err = ServerFilter::new()
        .try_with_name_glob("io.github.[acme/*")
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid glob `io.github.[acme/*`: unclosed character class"
    );
    let glob = "io.github.acme/[uvw]eathe?".parse::<Glob>().unwrap();
    assert_eq!(
        names(ServerFilter::new().with_name_glob(glob)).await,
        [
            "io.github.acme/weather@1.0.0",
            "io.github.acme/weather@1.2.0"
        ]
    );
}
