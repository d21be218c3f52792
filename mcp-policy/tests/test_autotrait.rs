//! The compiled policy is shared across threads as `Arc<CompiledPolicy>`.

fn assert_send_sync<T: Send + Sync>() {}

#[test]
fn public_types_are_send_and_sync() {
    assert_send_sync::<mcp_policy::CompiledPolicy>();
    assert_send_sync::<std::sync::Arc<mcp_policy::CompiledPolicy>>();
    assert_send_sync::<mcp_policy::Decision>();
    assert_send_sync::<mcp_policy::Explanation>();
    assert_send_sync::<mcp_policy::Policy>();
    assert_send_sync::<mcp_policy::Request>();
    assert_send_sync::<mcp_policy::PolicyError>();
    assert_send_sync::<mcp_policy::HostSettings>();
}

#[cfg(feature = "audit")]
#[test]
fn audit_types_are_send_and_sync() {
    assert_send_sync::<mcp_policy::audit::AuditRecord>();
    assert_send_sync::<mcp_policy::audit::Chain>();
    assert_send_sync::<mcp_policy::audit::Report>();
    assert_send_sync::<mcp_policy::audit::AuditError>();
}
