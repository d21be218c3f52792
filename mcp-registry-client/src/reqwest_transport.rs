//! [`HttpTransport`] over `reqwest`.

use async_trait::async_trait;
use bytes::Bytes;

use crate::transport::{HttpTransport, LimitedBody, TransportError};

/// A [`HttpTransport`] backed by a `reqwest::Client`.
///
/// [`ReqwestTransport::new`] turns redirects off, as the client requires: it follows them
/// itself when asked, so that credentials never reach another origin.
#[derive(Clone, Debug)]
pub struct ReqwestTransport {
    client: reqwest::Client,
}

impl ReqwestTransport {
    /// A transport with redirects off and the platform's proxy settings.
    ///
    /// # Errors
    ///
    /// Returns the error from `reqwest::ClientBuilder::build` (for example when the TLS backend
    /// cannot be initialised).
    pub fn new() -> Result<Self, TransportError> {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(TransportError::other)?;
        Ok(Self { client })
    }

    /// Wraps a client you configured yourself.
    ///
    /// Build it with `redirect(reqwest::redirect::Policy::none())`: a client that follows
    /// redirects on its own bypasses the registry client's origin check for credentials.
    pub fn from_client(client: reqwest::Client) -> Self {
        Self { client }
    }
}

#[async_trait]
impl HttpTransport for ReqwestTransport {
    async fn send(
        &self,
        request: http::Request<Bytes>,
        max_body: u64,
    ) -> Result<http::Response<Bytes>, TransportError> {
        let request = reqwest::Request::try_from(request).map_err(TransportError::other)?;
        let mut response = self.client.execute(request).await.map_err(classify)?;
        let mut body = LimitedBody::new(max_body, response.content_length())?;
        // Read chunk by chunk so an oversized body is refused before it is all in memory;
        // dropping `response` on the error path closes the connection.
        while let Some(chunk) = response.chunk().await.map_err(classify)? {
            body.push(&chunk)?;
        }
        let mut out = http::Response::new(body.finish());
        *out.status_mut() = response.status();
        *out.version_mut() = response.version();
        *out.headers_mut() = std::mem::take(response.headers_mut());
        Ok(out)
    }
}

fn classify(error: reqwest::Error) -> TransportError {
    if error.is_timeout() {
        TransportError::timeout(error)
    } else if error.is_connect() {
        TransportError::connect(error)
    } else {
        TransportError::other(error)
    }
}
