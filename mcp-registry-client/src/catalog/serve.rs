//! Serving a catalog as a registry: the read endpoints of the registry API, framework-agnostic.
//!
//! [`RegistryHandler::handle`] takes an `http::Request` and returns an `http::Response`, so
//! any server (hyper, axum, a test) can mount it. It answers under `/v0.1` and `/v0`:
//!
//! - `GET /servers` with `cursor`, `limit` (1–100, default 30), `search` (case-insensitive
//!   substring of the name, as the official registry), `updated_since` (strictly after, RFC
//!   3339; implies deleted rows), `version` (`latest` or an exact version) and
//!   `include_deleted`, in `(name, version)` order, with `nextCursor` only when a page is full;
//! - `GET /servers/{name}/versions`, newest publication first;
//! - `GET /servers/{name}/versions/{version}`, `latest` included.
//!
//! Each entry keeps the registry's `_meta` with `isLatest` set to the catalog's own judgement,
//! and adds [`CATALOG_META`] with its provenance. Responses carry a strong `ETag` and answer
//! `If-None-Match` with `304`. Errors are RFC 9457 problem details, with the generic spec's
//! `error` member beside them so clients of either shape read them.

use std::cmp::Ordering;

use bytes::Bytes;
use http::header::{self, HeaderValue};
use http::{Method, Request, Response, StatusCode};
use std::borrow::Cow;

use mcp_registry_types::{OFFICIAL_META, Timestamp, compare_versions};
use serde::de::{Deserializer, MapAccess, Visitor};
use serde::ser::{Error as _, SerializeMap, Serializer};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use super::entry::CatalogEntry;
use super::memory::Catalog;

/// The `_meta` key under which a served entry carries its provenance:
/// `{"source": "…", "syncedAt": "…"}`.
pub const CATALOG_META: &str = "io.github.mcp-registry-rs/catalog";

/// The default and largest page sizes of `GET /servers`, as the official registry.
const DEFAULT_LIMIT: usize = 30;
const MAX_LIMIT: usize = 100;

/// Answers the registry API's read endpoints from a catalog.
#[derive(Clone, Debug, Default)]
pub struct RegistryHandler {
    _private: (),
}

impl RegistryHandler {
    /// A handler.
    pub fn new() -> Self {
        Self::default()
    }

    /// Answers `request` from `catalog`.
    pub fn handle<B>(&self, catalog: &Catalog, request: &Request<B>) -> Response<Bytes> {
        self.handle_visible(catalog, request, |_| true)
    }

    /// Answers `request` from the entries of `catalog` that `visible` accepts: what a caller
    /// may not discover (by its principal's policy, say) is absent, as if it did not exist.
    pub fn handle_visible<B>(
        &self,
        catalog: &Catalog,
        request: &Request<B>,
        visible: impl Fn(&CatalogEntry) -> bool,
    ) -> Response<Bytes> {
        let reply = route(catalog, request, &visible);
        let if_none_match = request
            .headers()
            .get(header::IF_NONE_MATCH)
            .and_then(|value| value.to_str().ok());
        finish(reply, if_none_match, request.method() == Method::HEAD)
    }
}

/// What a route produced, before caching headers.
enum Reply {
    Json(Vec<u8>),
    Problem(StatusCode, String),
    Redirect(String),
    MethodNotAllowed,
}

fn route<B>(
    catalog: &Catalog,
    request: &Request<B>,
    visible: &dyn Fn(&CatalogEntry) -> bool,
) -> Reply {
    let uri = request.uri();
    let path = uri.path();
    let query = uri.query().unwrap_or("");
    if path.contains("%00") || query.contains("%00") || path.contains('\0') || query.contains('\0')
    {
        return Reply::Problem(
            StatusCode::BAD_REQUEST,
            "Invalid request: path or query contains null bytes".to_owned(),
        );
    }
    if path.len() > 1 && path.ends_with('/') {
        let cleaned = path.trim_end_matches('/');
        let target = if query.is_empty() {
            cleaned.to_owned()
        } else {
            format!("{cleaned}?{query}")
        };
        return Reply::Redirect(target);
    }
    if request.method() != Method::GET && request.method() != Method::HEAD {
        return Reply::MethodNotAllowed;
    }
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let params = match Params::parse(query) {
        Ok(params) => params,
        Err(problem) => return problem,
    };
    match segments.as_slice() {
        ["v0" | "v0.1", "servers"] => list(catalog, &params, visible),
        ["v0" | "v0.1", "servers", name, "versions"] => match unescape(name) {
            Some(name) => versions(catalog, &name, &params, visible),
            None => bad_request("Invalid server name encoding"),
        },
        ["v0" | "v0.1", "servers", name, "versions", version] => {
            match (unescape(name), unescape(version)) {
                (Some(name), Some(version)) => one(catalog, &name, &version, &params, visible),
                (None, _) => bad_request("Invalid server name encoding"),
                (_, None) => bad_request("Invalid version encoding"),
            }
        }
        _ => Reply::Problem(StatusCode::NOT_FOUND, "Not Found".to_owned()),
    }
}

fn bad_request(detail: &str) -> Reply {
    Reply::Problem(StatusCode::BAD_REQUEST, detail.to_owned())
}

/// Go's `url.PathUnescape`: `%XX` escapes decoded, a malformed escape refused.
fn unescape(segment: &str) -> Option<String> {
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&byte) = bytes.get(i) {
        if byte == b'%' {
            let high = bytes.get(i + 1).and_then(|b| (*b as char).to_digit(16))?;
            let low = bytes.get(i + 2).and_then(|b| (*b as char).to_digit(16))?;
            out.push(u8::try_from(high * 16 + low).ok()?);
            i += 3;
        } else {
            out.push(byte);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// The query parameters the read endpoints take.
#[derive(Default)]
struct Params {
    cursor: Option<String>,
    limit: Option<String>,
    search: Option<String>,
    updated_since: Option<String>,
    version: Option<String>,
    include_deleted: Option<String>,
}

impl Params {
    fn parse(query: &str) -> Result<Self, Reply> {
        let mut params = Self::default();
        for pair in query.split('&').filter(|pair| !pair.is_empty()) {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            // `+` is a space in a query string; decode it before the escapes.
            let value = unescape(&value.replace('+', " ")).ok_or_else(|| {
                bad_request(&format!(
                    "Invalid encoding of query parameter {}",
                    sanitize(key)
                ))
            })?;
            let slot = match key {
                "cursor" => &mut params.cursor,
                "limit" => &mut params.limit,
                "search" => &mut params.search,
                "updated_since" => &mut params.updated_since,
                "version" => &mut params.version,
                "include_deleted" => &mut params.include_deleted,
                // Unknown parameters are ignored, as the official registry ignores them.
                _ => continue,
            };
            *slot = Some(value);
        }
        Ok(params)
    }

    /// `include_deleted`, as Go's `strconv.ParseBool` reads it.
    fn include_deleted(&self) -> Result<Option<bool>, Reply> {
        match self.include_deleted.as_deref() {
            None => Ok(None),
            Some("1" | "t" | "T" | "true" | "TRUE" | "True") => Ok(Some(true)),
            Some("0" | "f" | "F" | "false" | "FALSE" | "False") => Ok(Some(false)),
            Some(other) => Err(Reply::Problem(
                StatusCode::UNPROCESSABLE_ENTITY,
                format!(
                    "validation failed: include_deleted `{}` is not a boolean",
                    sanitize(other)
                ),
            )),
        }
    }
}

/// Input echoed in an error, made safe.
fn sanitize(text: &str) -> String {
    let short: String = text.chars().take(200).collect();
    mcp_registry_types::escape_controls(&short).into_owned()
}

fn list(catalog: &Catalog, params: &Params, visible: &dyn Fn(&CatalogEntry) -> bool) -> Reply {
    let limit = match params.limit.as_deref() {
        None => DEFAULT_LIMIT,
        Some(text) => match text.parse::<usize>() {
            Ok(limit) if (1..=MAX_LIMIT).contains(&limit) => limit,
            _ => {
                return Reply::Problem(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    format!(
                        "validation failed: limit must be an integer from 1 to {MAX_LIMIT}, not `{}`",
                        sanitize(text)
                    ),
                );
            }
        },
    };
    let since = match params.updated_since.as_deref() {
        None => None,
        Some(text) => match text.parse::<Timestamp>() {
            Ok(since) => Some(since),
            Err(_) => {
                return bad_request(
                    "Invalid updated_since format: expected RFC3339 timestamp (e.g., 2025-08-07T13:15:04.280Z)",
                );
            }
        },
    };
    let include_deleted = match params.include_deleted() {
        Ok(value) => value,
        Err(problem) => return problem,
    };
    if since.is_some() && include_deleted == Some(false) {
        return bad_request(
            "Cannot set include_deleted=false when using updated_since (incremental sync requires deleted servers)",
        );
    }
    let include_deleted = since.is_some() || include_deleted == Some(true);
    let search = params
        .search
        .as_deref()
        .filter(|s| !s.is_empty())
        .map(str::to_lowercase);
    // A cursor is `name:version`, the last item of the previous page; without `:` it is a
    // lower bound on the name alone.
    let after = params
        .cursor
        .as_deref()
        .filter(|c| !c.is_empty())
        .map(|cursor| match cursor.split_once(':') {
            Some((name, version)) => (name, Some(version)),
            None => (cursor, None),
        });
    let mut page: Vec<&CatalogEntry> = Vec::with_capacity(limit);
    for entry in catalog.iter_from(after.map_or("", |(name, _)| name)) {
        if let Some((name, version)) = after {
            let past = match version {
                Some(version) => (entry.name(), entry.version()) > (name, version),
                None => entry.name() > name,
            };
            if !past {
                continue;
            }
        }
        if !include_deleted && entry.is_tombstone() {
            continue;
        }
        if let Some(since) = since
            && entry.updated_at().is_none_or(|updated| updated <= since)
        {
            continue;
        }
        if let Some(search) = &search
            && !entry.name().to_lowercase().contains(search.as_str())
        {
            continue;
        }
        match params.version.as_deref() {
            Some("latest") if !entry.is_latest() => continue,
            Some(version) if version != "latest" && entry.version() != version => continue,
            _ => {}
        }
        if !visible(entry) {
            continue;
        }
        page.push(entry);
        if page.len() == limit {
            break;
        }
    }
    let next = (page.len() == limit)
        .then(|| page.last().map(|e| format!("{}:{}", e.name(), e.version())))
        .flatten();
    json(&ServedList {
        servers: &page,
        next_cursor: next.as_deref(),
    })
}

fn versions(
    catalog: &Catalog,
    name: &str,
    params: &Params,
    visible: &dyn Fn(&CatalogEntry) -> bool,
) -> Reply {
    let include_deleted = match params.include_deleted() {
        Ok(value) => value.unwrap_or(false),
        Err(problem) => return problem,
    };
    let mut found: Vec<&CatalogEntry> = catalog
        .versions(name)
        .filter(|entry| (include_deleted || !entry.is_tombstone()) && visible(entry))
        .collect();
    if found.is_empty() {
        return not_found();
    }
    // Newest publication first, as the official registry orders this endpoint.
    found.sort_by(|a, b| newest_first(a, b));
    json(&ServedList {
        servers: &found,
        next_cursor: None,
    })
}

fn newest_first(a: &CatalogEntry, b: &CatalogEntry) -> Ordering {
    let published = |e: &CatalogEntry| e.published_at().and_then(|t| t.parse::<Timestamp>().ok());
    published(b)
        .cmp(&published(a))
        .then_with(|| compare_versions(b.version(), None, a.version(), None))
}

fn one(
    catalog: &Catalog,
    name: &str,
    version: &str,
    params: &Params,
    visible: &dyn Fn(&CatalogEntry) -> bool,
) -> Reply {
    let include_deleted = match params.include_deleted() {
        Ok(value) => value.unwrap_or(false),
        Err(problem) => return problem,
    };
    match catalog.version(name, version) {
        Some(entry) if (include_deleted || !entry.is_tombstone()) && visible(entry) => {
            json(&Served(entry))
        }
        _ => not_found(),
    }
}

fn not_found() -> Reply {
    Reply::Problem(StatusCode::NOT_FOUND, "Server not found".to_owned())
}

fn json(value: &impl Serialize) -> Reply {
    match serde_json::to_vec(value) {
        Ok(body) => Reply::Json(body),
        Err(_) => Reply::Problem(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Failed to get registry list".to_owned(),
        ),
    }
}

/// A page as the registry writes it.
struct ServedList<'a> {
    servers: &'a [&'a CatalogEntry],
    next_cursor: Option<&'a str>,
}

impl Serialize for ServedList<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        struct Servers<'a>(&'a [&'a CatalogEntry]);
        impl Serialize for Servers<'_> {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_seq(self.0.iter().map(|entry| Served(entry)))
            }
        }
        struct Metadata<'a>(Option<&'a str>, usize);
        impl Serialize for Metadata<'_> {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                let mut map = serializer.serialize_map(None)?;
                if let Some(cursor) = self.0 {
                    map.serialize_entry("nextCursor", cursor)?;
                }
                map.serialize_entry("count", &self.1)?;
                map.end()
            }
        }
        let mut map = serializer.serialize_map(Some(2))?;
        map.serialize_entry("servers", &Servers(self.servers))?;
        map.serialize_entry("metadata", &Metadata(self.next_cursor, self.servers.len()))?;
        map.end()
    }
}

/// One entry as served: the document, the registry's `_meta` with the catalog's `isLatest`,
/// and the catalog's provenance. Written from the entry's text: the document and every member
/// but the official block are copied as they are, without a parse into a tree.
struct Served<'a>(&'a CatalogEntry);

impl Serialize for Served<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let entry = self.0;
        let body: RawObject<'_> = serde_json::from_str(entry.json()).map_err(|error| {
            S::Error::custom(format!(
                "{}@{} is not a response: {error}",
                entry.name(),
                entry.version()
            ))
        })?;
        let mut map = serializer.serialize_map(None)?;
        if let Some(server) = body.get("server") {
            map.serialize_entry("server", server)?;
        }
        map.serialize_entry("_meta", &ServedMeta(entry, body.get("_meta")))?;
        for (key, value) in body.members() {
            if key != "server" && key != "_meta" {
                map.serialize_entry(key, value)?;
            }
        }
        map.end()
    }
}

struct ServedMeta<'a>(&'a CatalogEntry, Option<&'a RawValue>);

impl Serialize for ServedMeta<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let ServedMeta(entry, meta) = *self;
        let meta: RawObject<'_> = match meta {
            Some(meta) => serde_json::from_str(meta.get()).map_err(S::Error::custom)?,
            None => RawObject::default(),
        };
        let mut map = serializer.serialize_map(None)?;
        if let Some(official) = meta.get(OFFICIAL_META) {
            // Parsed: the official block is small, and `isLatest` must be the catalog's
            // judgement, not the flag the source served.
            let mut official: Map<String, Value> =
                serde_json::from_str(official.get()).map_err(S::Error::custom)?;
            official.insert("isLatest".to_owned(), Value::Bool(entry.is_latest()));
            map.serialize_entry(OFFICIAL_META, &official)?;
        }
        for (key, value) in meta.members() {
            if key != OFFICIAL_META && key != CATALOG_META {
                map.serialize_entry(key, value)?;
            }
        }
        let provenance = entry.provenance();
        let mut ours = Map::new();
        ours.insert("source".to_owned(), Value::from(provenance.source()));
        ours.insert(
            "syncedAt".to_owned(),
            Value::from(provenance.synced_at().to_string()),
        );
        map.serialize_entry(CATALOG_META, &ours)?;
        map.end()
    }
}

/// A JSON object's members in document order, each value kept as its text.
#[derive(Default)]
struct RawObject<'a>(Vec<(Cow<'a, str>, &'a RawValue)>);

impl<'a> RawObject<'a> {
    /// The last value of `key` (a repeated key keeps its last value, as `serde_json` does).
    fn get(&self, key: &str) -> Option<&'a RawValue> {
        self.0.iter().rev().find(|(k, _)| k == key).map(|(_, v)| *v)
    }

    /// The members in document order.
    fn members(&self) -> impl Iterator<Item = (&str, &'a RawValue)> + '_ {
        self.0.iter().map(|(key, value)| (key.as_ref(), *value))
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for RawObject<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visit<'a>(std::marker::PhantomData<&'a ()>);
        #[derive(Deserialize)]
        struct Key<'a>(#[serde(borrow)] Cow<'a, str>);
        impl<'de> Visitor<'de> for Visit<'de> {
            type Value = RawObject<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<M: MapAccess<'de>>(self, mut access: M) -> Result<Self::Value, M::Error> {
                let mut members = Vec::new();
                while let Some(Key(key)) = access.next_key()? {
                    let value: &'de RawValue = access.next_value()?;
                    members.push((key, value));
                }
                Ok(RawObject(members))
            }
        }
        deserializer.deserialize_map(Visit(std::marker::PhantomData))
    }
}

/// A strong entity tag for `body`.
fn etag(body: &[u8]) -> String {
    use std::fmt::Write as _;
    let digest = Sha256::digest(body);
    let mut tag = String::from("\"");
    for byte in digest.iter().take(16) {
        let _ = write!(tag, "{byte:02x}");
    }
    tag.push('"');
    tag
}

/// Whether `If-None-Match` names `tag` (weak comparison, as RFC 9110 asks for this header).
fn none_match(header: &str, tag: &str) -> bool {
    header.trim() == "*"
        || header
            .split(',')
            .map(|candidate| candidate.trim().trim_start_matches("W/"))
            .any(|candidate| candidate == tag)
}

fn finish(reply: Reply, if_none_match: Option<&str>, head: bool) -> Response<Bytes> {
    let (status, content_type, body) = match reply {
        Reply::Json(body) => {
            let tag = etag(&body);
            if if_none_match.is_some_and(|header| none_match(header, &tag)) {
                return response(
                    StatusCode::NOT_MODIFIED,
                    &[(header::ETAG, &tag)],
                    Bytes::new(),
                );
            }
            let body = if head {
                Bytes::new()
            } else {
                Bytes::from(body)
            };
            return response(
                StatusCode::OK,
                &[
                    (header::CONTENT_TYPE, "application/json"),
                    (header::ETAG, &tag),
                ],
                body,
            );
        }
        Reply::Problem(status, detail) => (status, "application/problem+json", detail),
        Reply::Redirect(location) => {
            return response(
                StatusCode::PERMANENT_REDIRECT,
                &[(header::LOCATION, &location)],
                Bytes::new(),
            );
        }
        Reply::MethodNotAllowed => (
            StatusCode::METHOD_NOT_ALLOWED,
            "application/problem+json",
            "Method Not Allowed".to_owned(),
        ),
    };
    let title = status.canonical_reason().unwrap_or("Error");
    let problem = serde_json::json!({
        "title": title,
        "status": status.as_u16(),
        "detail": body,
        "error": body,
    });
    let body = serde_json::to_vec(&problem).unwrap_or_default();
    let mut headers = vec![(header::CONTENT_TYPE, content_type)];
    if status == StatusCode::METHOD_NOT_ALLOWED {
        headers.push((header::ALLOW, "GET, HEAD"));
    }
    response(
        status,
        &headers,
        if head {
            Bytes::new()
        } else {
            Bytes::from(body)
        },
    )
}

fn response(
    status: StatusCode,
    headers: &[(header::HeaderName, &str)],
    body: Bytes,
) -> Response<Bytes> {
    let mut response = Response::new(body);
    *response.status_mut() = status;
    for (name, value) in headers {
        if let Ok(value) = HeaderValue::from_str(value) {
            response.headers_mut().insert(name.clone(), value);
        }
    }
    response
}
