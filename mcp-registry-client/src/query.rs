//! API versions, list queries and URL building.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use url::Url;

/// Which path prefix of the registry API to use.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, Default, Eq, Hash, PartialEq)]
pub enum ApiVersion {
    /// `/v0`: still evolving, additively.
    V0,
    /// `/v0.1`: frozen and additive-only since 2025-10-24; the default.
    #[default]
    V0_1,
}

impl ApiVersion {
    /// The path segment: `v0` or `v0.1`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::V0 => "v0",
            Self::V0_1 => "v0.1",
        }
    }
}

/// Parameters of `GET /servers`. Every field is optional; the default lists everything.
///
/// ```
/// use mcp_registry_client::ListQuery;
///
/// let query = ListQuery::new().with_search("weather").with_limit(100).with_latest_only();
/// assert_eq!(query.limit(), Some(100));
/// ```
#[derive(Clone, Debug, Default, Eq, PartialEq)]
pub struct ListQuery {
    cursor: Option<String>,
    limit: Option<u8>,
    search: Option<String>,
    updated_since: Option<String>,
    version: Option<String>,
    include_deleted: bool,
}

impl ListQuery {
    /// An empty query.
    pub fn new() -> Self {
        Self::default()
    }

    /// Starts after this opaque cursor (a previous page's `nextCursor`).
    pub fn with_cursor(mut self, cursor: impl Into<String>) -> Self {
        self.cursor = Some(cursor.into());
        self
    }

    /// Items per page, clamped to the API's range `1..=100` (the registry's default is 30).
    pub fn with_limit(mut self, limit: u8) -> Self {
        self.limit = Some(limit.clamp(1, 100));
        self
    }

    /// Case-insensitive substring of the server *name* (the API does not search descriptions).
    pub fn with_search(mut self, search: impl Into<String>) -> Self {
        self.search = Some(search.into());
        self
    }

    /// Only rows updated strictly after this RFC 3339 time. Deleted rows are then always
    /// included, as the API requires for incremental sync.
    pub fn with_updated_since(mut self, rfc3339: impl Into<String>) -> Self {
        self.updated_since = Some(rfc3339.into());
        self
    }

    /// Only this exact version string (`latest` selects each server's latest version).
    pub fn with_version(mut self, version: impl Into<String>) -> Self {
        self.version = Some(version.into());
        self
    }

    /// Only each server's latest version (`version=latest`), filtered by the registry.
    pub fn with_latest_only(self) -> Self {
        self.with_version("latest")
    }

    /// Includes deleted versions (tombstones).
    pub fn with_include_deleted(mut self, include: bool) -> Self {
        self.include_deleted = include;
        self
    }

    /// The starting cursor.
    pub fn cursor(&self) -> Option<&str> {
        self.cursor.as_deref()
    }

    /// The page size.
    pub fn limit(&self) -> Option<u8> {
        self.limit
    }

    /// The name search.
    pub fn search(&self) -> Option<&str> {
        self.search.as_deref()
    }

    /// The `updated_since` bound.
    pub fn updated_since(&self) -> Option<&str> {
        self.updated_since.as_deref()
    }

    /// The version filter.
    pub fn version(&self) -> Option<&str> {
        self.version.as_deref()
    }

    /// Whether deleted versions are asked for (always true with `updated_since`).
    pub fn include_deleted(&self) -> bool {
        self.include_deleted || self.updated_since.is_some()
    }

    /// Writes the query string onto `url`, with `cursor` replacing the starting cursor.
    pub(crate) fn apply(&self, url: &mut Url, cursor: Option<&str>) {
        let mut pairs = url.query_pairs_mut();
        // `form_urlencoded` escapes `/`, `:` and `+` in the cursor, which the API requires.
        if let Some(cursor) = cursor.or(self.cursor.as_deref()) {
            pairs.append_pair("cursor", cursor);
        }
        if let Some(limit) = self.limit {
            pairs.append_pair("limit", &limit.to_string());
        }
        if let Some(search) = &self.search {
            pairs.append_pair("search", search);
        }
        if let Some(updated_since) = &self.updated_since {
            pairs.append_pair("updated_since", updated_since);
        }
        if let Some(version) = &self.version {
            pairs.append_pair("version", version);
        }
        // The default is false, so only `true` is ever sent; that also avoids the 400 the
        // registry gives `include_deleted=false` next to `updated_since`.
        if self.include_deleted && self.updated_since.is_none() {
            pairs.append_pair("include_deleted", "true");
        }
        drop(pairs);
        if url.query() == Some("") {
            url.set_query(None);
        }
    }
}

/// Everything but RFC 3986 unreserved characters, so `/` becomes `%2F` and `+` becomes `%2B`.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// `base` + `/{api}/` + the percent-encoded `segments`, joined by `/`.
pub(crate) fn endpoint(base: &Url, api: ApiVersion, segments: &[&str]) -> Url {
    let mut path = base.path().trim_end_matches('/').to_owned();
    path.push('/');
    path.push_str(api.as_str());
    for segment in segments {
        path.push('/');
        path.extend(utf8_percent_encode(segment, SEGMENT));
    }
    let mut url = base.clone();
    url.set_path(&path);
    url.set_query(None);
    url.set_fragment(None);
    url
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> Url {
        Url::parse("https://registry.example/prefix/").unwrap()
    }

    #[test]
    fn path_segments_encode_slash_and_plus() {
        let url = endpoint(
            &base(),
            ApiVersion::V0_1,
            &[
                "servers",
                "io.github.user/weather",
                "versions",
                "1.0.0+20130313144700",
            ],
        );
        assert_eq!(
            url.as_str(),
            "https://registry.example/prefix/v0.1/servers/io.github.user%2Fweather/versions/1.0.0%2B20130313144700"
        );
        let v0 = endpoint(
            &Url::parse("http://h").unwrap(),
            ApiVersion::V0,
            &["servers"],
        );
        assert_eq!(v0.as_str(), "http://h/v0/servers");
    }

    #[test]
    fn query_encodes_cursor_and_never_sends_include_deleted_false() {
        let mut url = endpoint(&base(), ApiVersion::V0_1, &["servers"]);
        let query = ListQuery::new()
            .with_limit(0)
            .with_search("a b")
            .with_updated_since("2025-01-01T00:00:00Z")
            .with_include_deleted(false);
        query.apply(&mut url, Some("io.github.x/y:1.0.0+build"));
        assert_eq!(
            url.query(),
            Some(
                "cursor=io.github.x%2Fy%3A1.0.0%2Bbuild&limit=1&search=a+b&updated_since=2025-01-01T00%3A00%3A00Z"
            )
        );
        assert!(query.include_deleted());

        let mut url = endpoint(&base(), ApiVersion::V0_1, &["servers"]);
        ListQuery::new()
            .with_include_deleted(true)
            .with_limit(200)
            .apply(&mut url, None);
        assert_eq!(url.query(), Some("limit=100&include_deleted=true"));

        let mut url = endpoint(&base(), ApiVersion::V0_1, &["servers"]);
        ListQuery::new().apply(&mut url, None);
        assert_eq!(url.as_str(), "https://registry.example/prefix/v0.1/servers");
    }
}
