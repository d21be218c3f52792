//! The `$schema` check: which schema version a document declares.

use std::fmt;

use super::{LayerSink, SchemaVersionPolicy};
use crate::model::server::ServerJson;

/// A `server.json` schema version the registry serves.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, Eq, Hash, Ord, PartialEq, PartialOrd)]
pub enum SchemaVersion {
    /// 2025-07-09: snake-case field names, `status` in the document.
    V2025_07_09,
    /// 2025-09-16: the camelCase rename.
    V2025_09_16,
    /// 2025-09-29: `status` and the official `_meta` leave the document.
    V2025_09_29,
    /// 2025-10-11: title, icons, placeholders; open `Package`.
    V2025_10_11,
    /// 2025-10-17: same rules as 2025-10-11.
    V2025_10_17,
    /// 2025-12-11: local and remote transports split; URL patterns. The current version.
    V2025_12_11,
    /// The unreleased draft: URLs may start with a `{variable}`. Not accepted by the official
    /// registry yet.
    Draft,
}

impl SchemaVersion {
    /// The version the official registry calls current.
    pub const CURRENT: Self = Self::V2025_12_11;

    /// Every version, oldest first.
    pub const ALL: [Self; 7] = [
        Self::V2025_07_09,
        Self::V2025_09_16,
        Self::V2025_09_29,
        Self::V2025_10_11,
        Self::V2025_10_17,
        Self::V2025_12_11,
        Self::Draft,
    ];

    /// The identifier in the schema URL (`2025-12-11`, `draft`).
    pub fn id(self) -> &'static str {
        match self {
            Self::V2025_07_09 => "2025-07-09",
            Self::V2025_09_16 => "2025-09-16",
            Self::V2025_09_29 => "2025-09-29",
            Self::V2025_10_11 => "2025-10-11",
            Self::V2025_10_17 => "2025-10-17",
            Self::V2025_12_11 => "2025-12-11",
            Self::Draft => "draft",
        }
    }

    /// The published schema URL.
    pub fn url(self) -> String {
        if self == Self::CURRENT {
            return CURRENT_URL.to_owned();
        }
        match self {
            Self::Draft => "https://raw.githubusercontent.com/modelcontextprotocol/registry/main/docs/reference/server-json/draft/server.schema.json".to_owned(),
            other => format!("https://static.modelcontextprotocol.io/schemas/{}/server.schema.json", other.id()),
        }
    }

    /// The version a `$schema` URL names, by the registry's extraction pattern.
    pub fn from_url(url: &str) -> Option<Self> {
        if url.ends_with(DRAFT_SUFFIX) {
            return Some(Self::Draft);
        }
        let id = extract_id(url)?;
        Self::ALL.into_iter().find(|v| v.id() == id)
    }

    /// Whether the official registry embeds (accepts) this version.
    pub fn is_served_by_registry(self) -> bool {
        self != Self::Draft
    }

    // The rule switches the JSON Schema layer needs, one per change between versions.

    pub(crate) fn snake_case(self) -> bool {
        self == Self::V2025_07_09
    }

    pub(crate) fn closed_package(self) -> bool {
        self <= Self::V2025_09_29
    }

    pub(crate) fn status_in_document(self) -> bool {
        self <= Self::V2025_09_16
    }

    pub(crate) fn has_icons_and_title(self) -> bool {
        self >= Self::V2025_10_11
    }

    pub(crate) fn split_transports(self) -> bool {
        self >= Self::V2025_12_11
    }
}

impl fmt::Display for SchemaVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

use crate::vocab::registry::CURRENT_SCHEMA_URL as CURRENT_URL;

/// Where the draft schema is published; the registry's pattern does not read a version from
/// it, but its rules are known.
const DRAFT_SUFFIX: &str = "/docs/reference/server-json/draft/server.schema.json";

fn extract_id(url: &str) -> Option<&str> {
    // The registry's pattern `/schemas/([A-Za-z0-9_~.-]+)/server\.schema\.json`, leftmost
    // match first; the class has no `/`, so the greedy run is the only candidate.
    const MARKER: &str = "/schemas/";
    let mut rest = url;
    // A byte scan for `/` then a prefix test: cheaper than a substring searcher on short URLs.
    while let Some(at) = rest
        .bytes()
        .enumerate()
        .position(|(i, b)| b == b'/' && rest.get(i..).is_some_and(|r| r.starts_with(MARKER)))
    {
        let after = rest.get(at + MARKER.len()..).unwrap_or_default();
        let len = after
            .bytes()
            .take_while(|b| b.is_ascii_alphanumeric() || b"_~.-".contains(b))
            .count();
        let (id, tail) = after.split_at(len);
        if len > 0 && tail.starts_with("/server.schema.json") {
            return Some(id);
        }
        rest = rest.get(at + 1..).unwrap_or_default();
    }
    None
}

/// Runs the check (when `report` is set) and returns the version whose rules apply.
pub(super) fn check(
    document: &ServerJson,
    policy: SchemaVersionPolicy,
    sink: &mut LayerSink<'_, '_>,
    report: bool,
) -> Option<SchemaVersion> {
    let current = CURRENT_URL;
    let url = document.schema().unwrap_or_default();
    if url == CURRENT_URL {
        return Some(SchemaVersion::CURRENT);
    }
    if url.is_empty() {
        if report {
            sink.error(
                "/$schema",
                "schema-field-required",
                format!("`$schema` is required: write `{current}`"),
            );
        }
        return None;
    }
    let Some(id) = extract_id(url) else {
        if report {
            sink.error(
                "/$schema",
                "schema-version-extraction-error",
                format!("cannot find a schema version in `{url}`: write `{current}`"),
            );
        }
        return SchemaVersion::from_url(url);
    };
    let version = SchemaVersion::ALL.into_iter().find(|v| v.id() == id);
    match version {
        // The registry compares the whole URL, so the current version at another address is
        // "not current" too.
        Some(version) if version.is_served_by_registry() && url != current => {
            if report {
                let message = if version == SchemaVersion::CURRENT {
                    format!("`{url}` is not the current schema URL: write `{current}`")
                } else {
                    format!(
                        "schema version `{id}` is not the current version `{}`: update `$schema` to `{current}`",
                        SchemaVersion::CURRENT
                    )
                };
                match policy {
                    SchemaVersionPolicy::Allow => {}
                    SchemaVersionPolicy::Warn => {
                        sink.warning("/$schema", "schema-version-not-current", message);
                    }
                    SchemaVersionPolicy::Error => {
                        sink.error("/$schema", "schema-version-not-current", message);
                    }
                }
            }
        }
        Some(version) if version.is_served_by_registry() => {}
        _ => {
            if report {
                sink.error(
                    "/$schema",
                    "schema-version-not-available",
                    format!(
                        "schema version `{id}` is not available in the registry: write `{current}`"
                    ),
                );
            }
        }
    }
    version
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn current_url_is_the_current_versions_address() {
        assert_eq!(
            CURRENT_URL,
            format!(
                "https://static.modelcontextprotocol.io/schemas/{}/server.schema.json",
                SchemaVersion::CURRENT.id()
            )
        );
        assert_eq!(
            SchemaVersion::from_url(CURRENT_URL),
            Some(SchemaVersion::CURRENT)
        );
        assert_eq!(
            extract_id("https://x/a/schemas/schemas/v1/server.schema.json"),
            Some("v1")
        );
        assert_eq!(extract_id("https://x/schemas//server.schema.json"), None);
    }
}
