//! Every public type can cross threads and be shared, so hosts can validate in parallel.

fn assert_send_sync<T: Send + Sync>() {}

#[test]
fn public_types_are_send_and_sync() {
    use mcp_registry_types::*;
    assert_send_sync::<ServerJson>();
    assert_send_sync::<ServerResponse>();
    assert_send_sync::<ServerList>();
    assert_send_sync::<ProblemDetails>();
    assert_send_sync::<Report>();
    assert_send_sync::<Validator>();
    assert_send_sync::<Error>();
    assert_send_sync::<ServerName>();
    assert_send_sync::<ServerVersion>();
    assert_send_sync::<UrlTemplate>();
    assert_send_sync::<Timestamp>();
    assert_send_sync::<ServerFilter>();
    assert_send_sync::<glob::Glob>();
    assert_send_sync::<glob::GlobError>();
    assert_send_sync::<plan::Plan>();
    assert_send_sync::<plan::PlanError>();
    assert_send_sync::<plan::Answers>();
    assert_send_sync::<plan::Question>();
    assert_send_sync::<plan::Template>();
    assert_send_sync::<host::ExportError>();
    assert_send_sync::<host::ImportError>();
    assert_send_sync::<host::ImportedServer>();
    assert_send_sync::<host::ExportOptions>();
}
