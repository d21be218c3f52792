//! Names and limits the official registry fixes: `_meta` keys, the current schema URL, size
//! limits. They are vocabulary, used by the model, the reader and validation alike.

/// The `_meta` key under which a publisher's own metadata travels.
pub const PUBLISHER_PROVIDED_META: &str = "io.modelcontextprotocol.registry/publisher-provided";

/// The `_meta` key of the official registry's block.
pub const OFFICIAL_META: &str = "io.modelcontextprotocol.registry/official";

/// The largest publisher-provided `_meta` object the registry stores, in bytes of JSON.
pub const MAX_PUBLISHER_META_BYTES: usize = 4096;

/// The published URL of the current schema version, which most documents name.
pub(crate) const CURRENT_SCHEMA_URL: &str =
    "https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json";
