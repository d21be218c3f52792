//! The seam between the client and an HTTP stack.

use std::error::Error as StdError;
use std::fmt;
use std::future::Future;

use async_trait::async_trait;
use bytes::Bytes;

/// Sends one HTTP request and reads its response, body included.
///
/// The client never follows redirects through the transport: an implementation must return
/// 3xx responses as they are, so that the client can decide whether credentials may go along.
/// It must also refuse a body larger than `max_body` bytes *while* reading it, returning
/// [`TransportError::body_too_large`] without buffering the rest; that is what keeps a hostile
/// registry from exhausting memory. Timeouts are applied by the client around the whole call.
///
/// A closure `Fn(http::Request<Bytes>, u64) -> impl Future<Output = Result<…>>` is a transport,
/// which makes test doubles one line.
///
/// ```
/// use bytes::Bytes;
/// use mcp_registry_client::{HttpTransport, TransportError};
///
/// let transport = |_request: http::Request<Bytes>, _max_body: u64| async {
///     Ok::<_, TransportError>(http::Response::new(Bytes::from_static(b"{\"servers\":[]}")))
/// };
/// fn assert_transport(_: &impl HttpTransport) {}
/// assert_transport(&transport);
/// ```
#[async_trait]
pub trait HttpTransport: Send + Sync {
    /// Sends `request` and returns the status, headers and complete body.
    ///
    /// # Errors
    ///
    /// Returns a [`TransportError`] when the connection fails, the body exceeds `max_body`
    /// bytes, or the response cannot be read.
    async fn send(
        &self,
        request: http::Request<Bytes>,
        max_body: u64,
    ) -> Result<http::Response<Bytes>, TransportError>;
}

#[async_trait]
impl<F, Fut> HttpTransport for F
where
    F: Fn(http::Request<Bytes>, u64) -> Fut + Send + Sync,
    Fut: Future<Output = Result<http::Response<Bytes>, TransportError>> + Send,
{
    async fn send(
        &self,
        request: http::Request<Bytes>,
        max_body: u64,
    ) -> Result<http::Response<Bytes>, TransportError> {
        self(request, max_body).await
    }
}

/// What went wrong below HTTP.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, Eq, PartialEq)]
pub enum TransportErrorKind {
    /// The connection could not be established (refused, DNS, TLS handshake).
    Connect,
    /// The transport gave up waiting.
    Timeout,
    /// The response body was larger than the limit passed to [`HttpTransport::send`].
    BodyTooLarge,
    /// Anything else: a reset connection, a malformed response.
    Other,
}

/// An error from an [`HttpTransport`].
#[derive(Debug)]
pub struct TransportError {
    kind: TransportErrorKind,
    limit: Option<u64>,
    source: Option<Box<dyn StdError + Send + Sync>>,
}

impl TransportError {
    /// A connection that could not be established; the client retries these.
    pub fn connect(source: impl Into<Box<dyn StdError + Send + Sync>>) -> Self {
        Self {
            kind: TransportErrorKind::Connect,
            limit: None,
            source: Some(source.into()),
        }
    }

    /// A timeout inside the transport; the client retries these.
    pub fn timeout(source: impl Into<Box<dyn StdError + Send + Sync>>) -> Self {
        Self {
            kind: TransportErrorKind::Timeout,
            limit: None,
            source: Some(source.into()),
        }
    }

    /// A body that grew past `limit` bytes while it was read.
    pub fn body_too_large(limit: u64) -> Self {
        Self {
            kind: TransportErrorKind::BodyTooLarge,
            limit: Some(limit),
            source: None,
        }
    }

    /// Any other failure.
    pub fn other(source: impl Into<Box<dyn StdError + Send + Sync>>) -> Self {
        Self {
            kind: TransportErrorKind::Other,
            limit: None,
            source: Some(source.into()),
        }
    }

    /// The kind of failure.
    pub fn kind(&self) -> TransportErrorKind {
        self.kind
    }

    /// The body limit that was exceeded, for [`TransportErrorKind::BodyTooLarge`].
    pub fn limit(&self) -> Option<u64> {
        self.limit
    }

    /// Whether retrying the request may help.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self.kind,
            TransportErrorKind::Connect | TransportErrorKind::Timeout
        )
    }
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.kind {
            TransportErrorKind::Connect => "cannot connect",
            TransportErrorKind::Timeout => "timed out",
            TransportErrorKind::BodyTooLarge => "response body too large",
            TransportErrorKind::Other => "transport failed",
        };
        f.write_str(what)?;
        if let Some(limit) = self.limit {
            write!(f, " (limit {limit} bytes)")?;
        }
        if let Some(source) = &self.source {
            // Chain the causes on one line, as the house style asks.
            write!(f, ": {source}")?;
            let mut next = source.source();
            while let Some(cause) = next {
                write!(f, ": {cause}")?;
                next = cause.source();
            }
        }
        Ok(())
    }
}

impl StdError for TransportError {}

/// Reads a body chunk by chunk into memory, refusing it once it passes `max_body` bytes.
///
/// A helper for [`HttpTransport`] implementations over streaming HTTP stacks.
#[derive(Debug)]
pub struct LimitedBody {
    buffer: bytes::BytesMut,
    max_body: u64,
}

impl LimitedBody {
    /// Starts an empty body with the given limit; `size_hint` (for example `Content-Length`)
    /// is checked against the limit up front and used to preallocate.
    ///
    /// # Errors
    ///
    /// Returns [`TransportError::body_too_large`] if `size_hint` already exceeds the limit.
    pub fn new(max_body: u64, size_hint: Option<u64>) -> Result<Self, TransportError> {
        let hint = size_hint.unwrap_or(0);
        if hint > max_body {
            return Err(TransportError::body_too_large(max_body));
        }
        // Never trust a declared length for more than a modest preallocation.
        let capacity = usize::try_from(hint.min(1 << 20)).unwrap_or(0);
        Ok(Self {
            buffer: bytes::BytesMut::with_capacity(capacity),
            max_body,
        })
    }

    /// Appends a chunk.
    ///
    /// # Errors
    ///
    /// Returns [`TransportError::body_too_large`] once the body passes the limit.
    pub fn push(&mut self, chunk: &[u8]) -> Result<(), TransportError> {
        let total =
            u64::try_from(self.buffer.len().saturating_add(chunk.len())).unwrap_or(u64::MAX);
        if total > self.max_body {
            return Err(TransportError::body_too_large(self.max_body));
        }
        self.buffer.extend_from_slice(chunk);
        Ok(())
    }

    /// The complete body.
    pub fn finish(self) -> Bytes {
        self.buffer.freeze()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limited_body_refuses_declared_and_streamed_overflow() {
        assert_eq!(
            LimitedBody::new(4, Some(5)).unwrap_err().to_string(),
            "response body too large (limit 4 bytes)"
        );
        let mut body = LimitedBody::new(4, None).unwrap();
        body.push(b"abc").unwrap();
        assert_eq!(
            body.push(b"de").unwrap_err().kind(),
            TransportErrorKind::BodyTooLarge
        );
        body.push(b"d").unwrap();
        assert_eq!(body.finish(), Bytes::from_static(b"abcd"));
    }

    #[test]
    fn transport_error_chains_causes_on_one_line() {
        let io = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "connection refused");
        assert_eq!(
            TransportError::connect(io).to_string(),
            "cannot connect: connection refused"
        );
    }
}
