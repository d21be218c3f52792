//! Registry API payloads: one server version, a page of them, and the official metadata.

use crate::vocab::extra::Extra;
use crate::vocab::small_text::SmallText;
use serde_json::{Map, Value};

use crate::model::server::ServerJson;
use crate::vocab::kinds::Status;

/// One server version as the registry serves it (`ServerResponse`): `{server, _meta}`.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq)]
pub struct ServerResponse {
    pub(crate) server: ServerJson,
    pub(crate) meta: Option<ResponseMeta>,
    pub(crate) extra: Extra,
}

impl ServerResponse {
    /// Wraps a document with the registry's metadata.
    pub fn new(server: ServerJson, official: Option<OfficialMeta>) -> Self {
        let meta = official.map(|official| ResponseMeta {
            official: Some(official),
            extra: Extra::default(),
        });
        Self {
            server,
            meta,
            extra: Extra::default(),
        }
    }

    /// The `server.json` document.
    pub fn server(&self) -> &ServerJson {
        &self.server
    }

    /// Takes the document out.
    pub fn into_server(self) -> ServerJson {
        self.server
    }

    /// The response-level `_meta` (sub-registries may omit it).
    pub fn meta(&self) -> Option<&ResponseMeta> {
        self.meta.as_ref()
    }

    /// The official registry's block, if present.
    pub fn official(&self) -> Option<&OfficialMeta> {
        self.meta.as_ref()?.official.as_ref()
    }

    /// The version's status; `active` when the registry says nothing, as the API defines.
    pub fn status(&self) -> Status {
        self.official()
            .and_then(|o| o.status.clone())
            .unwrap_or(Status::Active)
    }

    /// Fields this crate does not know, kept verbatim.
    pub fn extra(&self) -> &Map<String, Value> {
        &self.extra
    }
}

/// The response-level `_meta`: the official block plus any sub-registry's keys, verbatim.
#[non_exhaustive]
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ResponseMeta {
    pub(crate) official: Option<OfficialMeta>,
    pub(crate) extra: Extra,
}

impl ResponseMeta {
    /// The official registry's block.
    pub fn official(&self) -> Option<&OfficialMeta> {
        self.official.as_ref()
    }

    /// Other namespaces (e.g. a sub-registry's `com.example.subregistry/custom`), verbatim.
    pub fn extra(&self) -> &Map<String, Value> {
        &self.extra
    }
}

/// The official registry's metadata about one version
/// (`_meta["io.modelcontextprotocol.registry/official"]`).
///
/// Timestamps are kept as the RFC 3339 text the registry sent; parse them with
/// [`Timestamp`](crate::Timestamp) to compare.
#[non_exhaustive]
#[derive(Clone, Debug, Default, PartialEq)]
pub struct OfficialMeta {
    pub(crate) status: Option<Status>,
    pub(crate) status_changed_at: Option<SmallText>,
    pub(crate) status_message: Option<SmallText>,
    pub(crate) published_at: Option<SmallText>,
    pub(crate) updated_at: Option<SmallText>,
    pub(crate) is_latest: Option<bool>,
    pub(crate) extra: Extra,
}

impl OfficialMeta {
    /// Metadata for a version published at `published_at` (RFC 3339), active, latest as given.
    pub fn new(published_at: impl Into<String>, is_latest: bool) -> Self {
        let published_at = published_at.into();
        Self {
            status: Some(Status::Active),
            status_changed_at: Some(SmallText::from_string(published_at.clone())),
            updated_at: Some(SmallText::from_string(published_at.clone())),
            published_at: Some(SmallText::from_string(published_at)),
            is_latest: Some(is_latest),
            ..Self::default()
        }
    }

    /// `active`, `deprecated` or `deleted`.
    pub fn status(&self) -> Option<&Status> {
        self.status.as_ref()
    }

    /// When the status last changed.
    pub fn status_changed_at(&self) -> Option<&str> {
        self.status_changed_at.as_deref()
    }

    /// Why the status changed.
    pub fn status_message(&self) -> Option<&str> {
        self.status_message.as_deref()
    }

    /// When the version was published.
    pub fn published_at(&self) -> Option<&str> {
        self.published_at.as_deref()
    }

    /// When the row last changed (publish, edit or status change; not a latest flip).
    pub fn updated_at(&self) -> Option<&str> {
        self.updated_at.as_deref()
    }

    /// Whether this is the server's latest version.
    pub fn is_latest(&self) -> bool {
        self.is_latest.unwrap_or(false)
    }

    /// Sets the status, with an optional message.
    pub fn with_status(mut self, status: Status, message: Option<String>) -> Self {
        self.status = Some(status);
        self.status_message = message.map(SmallText::from);
        self
    }

    /// Sets when the row last changed.
    pub fn with_updated_at(mut self, updated_at: impl Into<String>) -> Self {
        self.updated_at = Some(SmallText::from_string(updated_at));
        self
    }
}

/// A page of server versions (`ServerList`): `{servers, metadata: {nextCursor, count}}`.
#[non_exhaustive]
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ServerList {
    pub(crate) servers: Vec<ServerResponse>,
    pub(crate) metadata: Option<ListMetadata>,
    pub(crate) extra: Extra,
}

impl ServerList {
    /// A page holding `servers`, with the cursor of the next page if there is one.
    pub fn new(servers: Vec<ServerResponse>, next_cursor: Option<String>) -> Self {
        let count = Some(servers.len() as u64);
        Self {
            servers,
            metadata: Some(ListMetadata {
                next_cursor: next_cursor.map(SmallText::from),
                count,
                extra: Extra::default(),
            }),
            extra: Extra::default(),
        }
    }

    /// The server versions on this page.
    pub fn servers(&self) -> &[ServerResponse] {
        &self.servers
    }

    /// Takes the server versions out.
    pub fn into_servers(self) -> Vec<ServerResponse> {
        self.servers
    }

    /// The page metadata.
    pub fn metadata(&self) -> Option<&ListMetadata> {
        self.metadata.as_ref()
    }

    /// The cursor of the next page; `None` when absent or empty, which ends the listing.
    pub fn next_cursor(&self) -> Option<&str> {
        self.metadata
            .as_ref()?
            .next_cursor
            .as_deref()
            .filter(|c| !c.is_empty())
    }

    /// Fields this crate does not know, kept verbatim.
    pub fn extra(&self) -> &Map<String, Value> {
        &self.extra
    }
}

/// Page metadata. `next_cursor` from old mirrors is read and written back as `nextCursor`.
#[non_exhaustive]
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ListMetadata {
    pub(crate) next_cursor: Option<SmallText>,
    pub(crate) count: Option<u64>,
    pub(crate) extra: Extra,
}

impl ListMetadata {
    /// The raw cursor as sent (possibly empty).
    pub fn next_cursor(&self) -> Option<&str> {
        self.next_cursor.as_deref()
    }

    /// The number of items on this page (not a total).
    pub fn count(&self) -> Option<u64> {
        self.count
    }
}

/// The answer to a bulk status change (`AllVersionsStatusResponse`).
#[non_exhaustive]
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StatusUpdateResponse {
    pub(crate) updated_count: u64,
    pub(crate) servers: Vec<ServerResponse>,
    pub(crate) extra: Extra,
}

impl StatusUpdateResponse {
    /// How many versions changed.
    pub fn updated_count(&self) -> u64 {
        self.updated_count
    }

    /// The versions after the change.
    pub fn servers(&self) -> &[ServerResponse] {
        &self.servers
    }
}
