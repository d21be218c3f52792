//! JSON Schema generation, kept in step with the official schema.
//!
//! Required fields are `Option`s with `#[serde(default)]` in Rust so that parsing stays
//! lenient, which schemars reads as "optional"; these transforms restore the official
//! `required` lists in the published schema.

use schemars::Schema;

fn require(schema: &mut Schema, keys: &[&str]) {
    schema.insert("required".to_owned(), serde_json::json!(keys));
}

pub(crate) fn server(schema: &mut Schema) {
    require(schema, &["name", "description", "version"]);
}

pub(crate) fn repository(schema: &mut Schema) {
    require(schema, &["url", "source"]);
}

pub(crate) fn icon(schema: &mut Schema) {
    require(schema, &["src"]);
}

pub(crate) fn package(schema: &mut Schema) {
    require(schema, &["registryType", "identifier", "transport"]);
}

pub(crate) fn named(schema: &mut Schema) {
    require(schema, &["name"]);
}

pub(crate) fn typed(schema: &mut Schema) {
    require(schema, &["type"]);
}
