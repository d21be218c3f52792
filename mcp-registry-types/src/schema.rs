//! JSON Schema generation for our types, kept in step with the official schema.

use schemars::Schema;

/// Marks the properties the official schema requires: ours are optional in Rust so that
/// parsing stays lenient, but the published schema must say what a valid document needs.
pub(crate) fn mark_server_required(schema: &mut Schema) {
    schema.insert("required".to_owned(), serde_json::json!(["name", "description", "version"]));
}
