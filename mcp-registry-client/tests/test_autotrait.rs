//! Public types can cross threads and live in shared state.

use mcp_registry_client::{bytes, http};

fn assert_send_sync<T: Send + Sync>() {}
fn assert_send<T: Send>() {}

#[test]
fn public_types_are_send_and_sync() {
    use mcp_registry_client::*;

    assert_send_sync::<RegistryClient>();
    assert_send_sync::<RegistryClientBuilder>();
    assert_send_sync::<ClientError>();
    assert_send_sync::<BuildError>();
    assert_send_sync::<TransportError>();
    assert_send_sync::<ListQuery>();
    assert_send_sync::<Limits>();
    assert_send_sync::<RetryPolicy>();
    assert_send_sync::<RateLimit>();
    assert_send_sync::<StaticToken>();
    assert_send_sync::<test_util::FakeRegistry>();
    assert_send_sync::<test_util::ManualClock>();
    assert_send::<ServerStream>();
    #[cfg(feature = "reqwest")]
    assert_send_sync::<ReqwestTransport>();
}

#[test]
fn client_futures_are_send() {
    fn future_is_send<F: std::future::Future + Send>(_: F) {}
    let client = mcp_registry_client::RegistryClient::builder()
        .with_transport(|_: http::Request<bytes::Bytes>, _: u64| async {
            Ok::<_, mcp_registry_client::TransportError>(http::Response::new(bytes::Bytes::new()))
        })
        .with_clock(mcp_registry_client::test_util::ManualClock::new())
        .build()
        .unwrap();
    future_is_send(client.list(&mcp_registry_client::ListQuery::new()));
    future_is_send(client.latest_version("a/b"));
}
