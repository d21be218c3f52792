//! The published JSON Schema must match the types.

use std::path::Path;

#[test]
fn published_schema_is_current() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("policy.schema.json");
    let generated = mcp_policy::Policy::json_schema();
    if std::env::var_os("UPDATE_SCHEMA").is_some() {
        std::fs::write(&path, &generated).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "mcp-policy/policy.schema.json is out of date; regenerate it with \
         `UPDATE_SCHEMA=1 cargo test -p mcp-policy --test schema` and commit the result"
    );
}

#[test]
fn the_schema_refuses_unknown_fields() {
    let schema: serde_json::Value =
        serde_json::from_str(&mcp_policy::Policy::json_schema()).unwrap();
    assert_eq!(schema["additionalProperties"], serde_json::json!(false));
    assert_eq!(
        schema["$defs"]["Rule"]["additionalProperties"],
        serde_json::json!(false)
    );
    assert_eq!(
        schema["$defs"]["Match"]["additionalProperties"],
        serde_json::json!(false)
    );
}
