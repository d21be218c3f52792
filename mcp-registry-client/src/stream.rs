//! Endpoints that return servers, and the paging stream over `GET /servers`.

use std::collections::HashSet;
use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures::stream::{self, BoxStream, Stream, StreamExt as _};
use mcp_registry_types::{ServerFilter, ServerList, ServerResponse};
use url::Url;

use crate::client::RegistryClient;
use crate::error::{ClientError, ErrorKind, Limit};
use crate::query::ListQuery;

impl RegistryClient {
    /// Fetches one page of `GET /servers`.
    ///
    /// Items are server *versions*, ordered by name then version string; the page's
    /// [`next_cursor`](ServerList::next_cursor) continues the listing.
    ///
    /// # Errors
    ///
    /// Any [`ClientError`] except the stream-only [`ErrorKind::RepeatedCursor`] and page/item
    /// limits.
    pub async fn list(&self, query: &ListQuery) -> Result<ServerList, ClientError> {
        self.get_json(self.list_url(query, None)).await
    }

    /// Fetches one page of `GET /servers` with what a sync needs beside it: the registry's
    /// clock (its `Date` header) and the size of the body.
    ///
    /// # Errors
    ///
    /// As for [`list`](Self::list).
    pub async fn list_page(&self, query: &ListQuery) -> Result<ListPage, ClientError> {
        let (page, date, bytes) = self.get_json_dated(self.list_url(query, None)).await?;
        Ok(ListPage { page, date, bytes })
    }

    /// Fetches one version of a server; `version` may be `latest`.
    ///
    /// # Errors
    ///
    /// A [`ClientError`] of kind [`ErrorKind::NotFound`] when the server or version does not
    /// exist (or is deleted), and any other [`ClientError`].
    pub async fn server_version(
        &self,
        name: &str,
        version: &str,
    ) -> Result<ServerResponse, ClientError> {
        self.get_json(self.endpoint(&["servers", name, "versions", version]))
            .await
    }

    /// Fetches the latest version of a server.
    ///
    /// # Errors
    ///
    /// As for [`server_version`](Self::server_version).
    pub async fn latest_version(&self, name: &str) -> Result<ServerResponse, ClientError> {
        self.server_version(name, "latest").await
    }

    /// Fetches every version of a server, newest `publishedAt` first (not paginated).
    ///
    /// # Errors
    ///
    /// A [`ClientError`] of kind [`ErrorKind::NotFound`] for an unknown server, and any other
    /// [`ClientError`].
    pub async fn versions(&self, name: &str) -> Result<ServerList, ClientError> {
        self.get_json(self.endpoint(&["servers", name, "versions"]))
            .await
    }

    /// Streams every server version matching `query`, page by page, lazily: a page is fetched
    /// only when the previous one has been consumed.
    ///
    /// Paging stops when `nextCursor` is absent or empty, or a page is empty (a registry sends
    /// a cursor after every full page, so a final empty page is normal). The stream ends after
    /// its first error. It yields [`ErrorKind::RepeatedCursor`] when the registry hands back
    /// a cursor it already gave (after the items of that page), and
    /// [`ErrorKind::LimitExceeded`] past [`Limits::max_pages`](crate::Limits::max_pages) or
    /// [`Limits::max_items`](crate::Limits::max_items).
    pub fn stream(&self, query: ListQuery) -> ServerStream {
        let mut seen = HashSet::new();
        if let Some(cursor) = query.cursor() {
            seen.insert(cursor.to_owned());
        }
        let state = Paging {
            client: self.clone(),
            cursor: query.cursor().map(str::to_owned),
            query,
            seen,
            pages: 0,
            items: 0,
            buffer: Vec::new().into_iter(),
            last_url: None,
            more_pages: true,
            pending: None,
            done: false,
        };
        ServerStream {
            inner: stream::unfold(state, Paging::next).boxed(),
        }
    }

    fn list_url(&self, query: &ListQuery, cursor: Option<&str>) -> Url {
        let mut url = self.endpoint(&["servers"]);
        query.apply(&mut url, cursor);
        url
    }
}

/// One page of `GET /servers`, from [`RegistryClient::list_page`].
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct ListPage {
    /// The page.
    pub page: ServerList,
    /// The response's `Date` header: the registry's clock when it answered, if it said.
    pub date: Option<std::time::SystemTime>,
    /// The size of the response body, in bytes.
    pub bytes: usize,
}

/// A lazy stream of server versions from [`RegistryClient::stream`].
///
/// It is `Send + 'static`, so it can be moved into a task.
pub struct ServerStream {
    inner: BoxStream<'static, Result<ServerResponse, ClientError>>,
}

impl ServerStream {
    /// Keeps only the servers `filter` accepts; errors pass through.
    pub fn filtered(self, filter: ServerFilter) -> Self {
        let inner = self
            .inner
            .filter(move |item| {
                std::future::ready(item.as_ref().map_or(true, |server| filter.matches(server)))
            })
            .boxed();
        Self { inner }
    }
}

impl Stream for ServerStream {
    type Item = Result<ServerResponse, ClientError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.inner.poll_next_unpin(cx)
    }
}

impl fmt::Debug for ServerStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServerStream").finish_non_exhaustive()
    }
}

struct Paging {
    client: RegistryClient,
    query: ListQuery,
    cursor: Option<String>,
    seen: HashSet<String>,
    pages: u64,
    items: u64,
    buffer: std::vec::IntoIter<ServerResponse>,
    last_url: Option<Url>,
    more_pages: bool,
    /// An error to yield once the current page's items are out.
    pending: Option<ClientError>,
    done: bool,
}

impl Paging {
    async fn next(mut self) -> Option<(Result<ServerResponse, ClientError>, Self)> {
        loop {
            if self.done {
                return None;
            }
            if let Some(server) = self.buffer.next() {
                let limits = self.client.inner.limits;
                if self.items >= limits.max_items() {
                    return Some(self.fail(Limit::Items(limits.max_items())));
                }
                self.items += 1;
                return Some((Ok(server), self));
            }
            if let Some(error) = self.pending.take() {
                self.done = true;
                return Some((Err(error), self));
            }
            if !self.more_pages {
                return None;
            }
            let limits = self.client.inner.limits;
            if self.pages >= limits.max_pages() {
                return Some(self.fail(Limit::Pages(limits.max_pages())));
            }
            let url = self.client.list_url(&self.query, self.cursor.as_deref());
            self.pages += 1;
            let page: ServerList = match self.client.get_json(url.clone()).await {
                Ok(page) => page,
                Err(error) => {
                    self.done = true;
                    return Some((Err(error), self));
                }
            };
            let next = page.next_cursor().map(str::to_owned);
            let servers = page.into_servers();
            match next {
                Some(cursor) if !servers.is_empty() => {
                    if self.seen.insert(cursor.clone()) {
                        self.cursor = Some(cursor);
                    } else {
                        self.more_pages = false;
                        let kind = ErrorKind::RepeatedCursor { cursor };
                        self.pending = Some(ClientError::new(url.clone(), kind));
                    }
                }
                _ => self.more_pages = false,
            }
            self.buffer = servers.into_iter();
            self.last_url = Some(url);
        }
    }

    fn fail(mut self, limit: Limit) -> (Result<ServerResponse, ClientError>, Self) {
        self.done = true;
        let url = self
            .last_url
            .clone()
            .unwrap_or_else(|| self.client.list_url(&self.query, self.cursor.as_deref()));
        (
            Err(ClientError::new(url, ErrorKind::LimitExceeded(limit))),
            self,
        )
    }
}
