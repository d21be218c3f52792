//! The client, its builder, and the request loop (rate limit, timeout, redirects, retries).

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use futures::future::{Either, select};
use http::header::{
    ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderValue, LOCATION, RETRY_AFTER, USER_AGENT,
};
use http::{Method, StatusCode};
use mcp_registry_types::ProblemDetails;
use serde::de::DeserializeOwned;
use url::Url;

use crate::clock::Clock;
use crate::credentials::TokenProvider;
use crate::error::{ClientError, ErrorKind, Limit, excerpt};
use crate::limits::Limits;
use crate::query::{ApiVersion, endpoint};
use crate::rate_limit::{RateLimit, RateLimiter};
use crate::retry::{RetryPolicy, parse_retry_after};
use crate::transport::{HttpTransport, TransportErrorKind};

/// The official registry.
pub const OFFICIAL_REGISTRY: &str = "https://registry.modelcontextprotocol.io";

const ACCEPT_VALUE: &str = "application/json, application/problem+json;q=0.9";

/// A client for one registry. Cheap to clone: clones share the transport and rate limiter.
#[derive(Clone)]
pub struct RegistryClient {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    base: Url,
    api: ApiVersion,
    user_agent: HeaderValue,
    timeout: Duration,
    tokens: Option<Arc<dyn TokenProvider>>,
    pub(crate) limits: Limits,
    retry: RetryPolicy,
    limiter: Option<RateLimiter>,
    transport: Arc<dyn HttpTransport>,
    clock: Arc<dyn Clock>,
    max_redirects: u8,
}

impl RegistryClient {
    /// A builder with the defaults: the official registry, `/v0.1`, a 30 s timeout, no
    /// credentials, [`Limits::new`], [`RetryPolicy::new`], [`RateLimit::default`], redirects
    /// off.
    pub fn builder() -> RegistryClientBuilder {
        RegistryClientBuilder::new()
    }

    /// The registry's base URL.
    pub fn base_url(&self) -> &Url {
        &self.inner.base
    }

    /// The API version in use.
    pub fn api_version(&self) -> ApiVersion {
        self.inner.api
    }

    /// The limits in force.
    pub fn limits(&self) -> Limits {
        self.inner.limits
    }

    /// The URL of an endpoint under the API prefix; segments are percent-encoded.
    pub(crate) fn endpoint(&self, segments: &[&str]) -> Url {
        endpoint(&self.inner.base, self.inner.api, segments)
    }

    /// GETs `url` and decodes its JSON body into `T`.
    pub(crate) async fn get_json<T: DeserializeOwned>(&self, url: Url) -> Result<T, ClientError> {
        let (url, response) = self.get(url).await?;
        decode(&url, &response)
    }

    /// GETs `url` and decodes its JSON body into `T`; also returns the response's `Date`
    /// header (the registry's clock) and the body's size.
    pub(crate) async fn get_json_dated<T: DeserializeOwned>(
        &self,
        url: Url,
    ) -> Result<(T, Option<std::time::SystemTime>, usize), ClientError> {
        let (url, response) = self.get(url).await?;
        let date = response
            .headers()
            .get(http::header::DATE)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| httpdate::parse_http_date(value).ok());
        let bytes = response.body().len();
        decode(&url, &response).map(|value| (value, date, bytes))
    }

    /// GETs `url` with retries; returns the final URL and a 2xx response.
    async fn get(&self, url: Url) -> Result<(Url, http::Response<Bytes>), ClientError> {
        let policy = &self.inner.retry;
        let mut retry = 0;
        loop {
            let error = match self.attempt(&url).await {
                Ok(done) => return Ok(done),
                Err(error) => error,
            };
            if !error.is_retryable() || retry >= policy.max_retries() {
                return Err(error);
            }
            let (rate_limited, retry_after) = match error.kind() {
                ErrorKind::RateLimited { retry_after, .. } => (true, *retry_after),
                _ => (false, None),
            };
            let delay = policy.delay(retry, rate_limited, retry_after);
            #[cfg(feature = "tracing")]
            tracing::debug!(url = %url, retry, ?delay, error = %error, "retrying registry request");
            self.inner.clock.sleep(delay).await;
            retry += 1;
        }
    }

    /// One attempt, following redirects if enabled.
    async fn attempt(&self, url: &Url) -> Result<(Url, http::Response<Bytes>), ClientError> {
        let mut current = url.clone();
        let mut hops = 0u8;
        loop {
            let response = self.send_once(&current).await?;
            let status = response.status();
            if !status.is_redirection() {
                return check_status(current, response, self.inner.clock.system_time());
            }
            let location = response
                .headers()
                .get(LOCATION)
                .and_then(|value| value.to_str().ok())
                .map(str::to_owned);
            let followable = matches!(status.as_u16(), 301 | 302 | 303 | 307 | 308);
            let next = location.as_deref().and_then(|l| current.join(l).ok());
            match next {
                Some(next)
                    if followable
                        && hops < self.inner.max_redirects
                        && matches!(next.scheme(), "http" | "https") =>
                {
                    hops += 1;
                    current = next;
                }
                _ => {
                    let too_many = followable
                        && self.inner.max_redirects > 0
                        && hops >= self.inner.max_redirects;
                    let kind = ErrorKind::Redirect {
                        status,
                        location,
                        too_many,
                    };
                    return Err(ClientError::new(current, kind));
                }
            }
        }
    }

    /// One HTTP exchange: rate limit, credentials for our own origin only, timeout.
    async fn send_once(&self, url: &Url) -> Result<http::Response<Bytes>, ClientError> {
        let inner = &self.inner;
        if let Some(limiter) = &inner.limiter {
            limiter.acquire(inner.clock.as_ref()).await;
        }
        let request = self.request(url).await?;
        let send = inner.transport.send(request, inner.limits.max_body_bytes());
        #[cfg(feature = "tracing")]
        let send = {
            use tracing::Instrument as _;
            let span = tracing::info_span!("mcp_registry_request", method = "GET", url = %url);
            Box::pin(send.instrument(span))
        };
        let outcome = match select(send, inner.clock.deadline(inner.timeout)).await {
            Either::Left((outcome, _)) => outcome,
            Either::Right(((), _)) => {
                let kind = ErrorKind::Timeout {
                    after: inner.timeout,
                };
                return Err(ClientError::new(url.clone(), kind));
            }
        };
        #[cfg(feature = "tracing")]
        match &outcome {
            Ok(response) => {
                tracing::debug!(url = %url, status = response.status().as_u16(), "registry response");
            }
            Err(error) => {
                tracing::debug!(url = %url, error = %error, "registry request failed");
            }
        }
        let too_large = || {
            let limit = Limit::BodyBytes(inner.limits.max_body_bytes());
            ClientError::new(url.clone(), ErrorKind::LimitExceeded(limit))
        };
        let response = outcome.map_err(|error| match error.kind() {
            TransportErrorKind::BodyTooLarge => too_large(),
            _ => ClientError::new(url.clone(), ErrorKind::Transport(error)),
        })?;
        // Do not trust a transport to have enforced the limit.
        let length = u64::try_from(response.body().len()).unwrap_or(u64::MAX);
        if length > inner.limits.max_body_bytes() {
            return Err(too_large());
        }
        Ok(response)
    }

    async fn request(&self, url: &Url) -> Result<http::Request<Bytes>, ClientError> {
        let inner = &self.inner;
        let invalid = |message: String| {
            let error = crate::transport::TransportError::other(message);
            ClientError::new(url.clone(), ErrorKind::Transport(error))
        };
        let credentials =
            |message: String| ClientError::new(url.clone(), ErrorKind::Credentials { message });
        let uri: http::Uri = url
            .as_str()
            .parse()
            .map_err(|e: http::uri::InvalidUri| invalid(e.to_string()))?;
        let mut builder = http::Request::builder()
            .method(Method::GET)
            .uri(uri)
            .header(ACCEPT, HeaderValue::from_static(ACCEPT_VALUE))
            .header(USER_AGENT, inner.user_agent.clone());
        // Credentials go only to the origin they were configured for, whatever redirects say.
        if let Some(tokens) = &inner.tokens
            && url.origin() == inner.base.origin()
        {
            let token = tokens
                .token()
                .await
                .map_err(|e| credentials(e.to_string()))?;
            let mut value = HeaderValue::from_str(&format!("Bearer {token}"))
                .map_err(|_| credentials("token is not a valid header value".to_owned()))?;
            value.set_sensitive(true);
            builder = builder.header(AUTHORIZATION, value);
        }
        builder
            .body(Bytes::new())
            .map_err(|e| invalid(e.to_string()))
    }
}

impl fmt::Debug for RegistryClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = &self.inner;
        f.debug_struct("RegistryClient")
            .field("base", &inner.base.as_str())
            .field("api", &inner.api)
            .field("timeout", &inner.timeout)
            .field("credentials", &inner.tokens.is_some())
            .field("limits", &inner.limits)
            .field("retry", &inner.retry)
            .field("max_redirects", &inner.max_redirects)
            .finish_non_exhaustive()
    }
}

fn content_type(response: &http::Response<Bytes>) -> Option<String> {
    response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// Whether the body can be JSON: a JSON content type, or none and a body that starts like JSON.
fn looks_like_json(content_type: Option<&str>, body: &[u8]) -> bool {
    if let Some(content_type) = content_type {
        return content_type.to_ascii_lowercase().contains("json");
    }
    let first = body.iter().find(|b| !b.is_ascii_whitespace());
    matches!(first, Some(b'{' | b'[') | None)
}

fn check_status(
    url: Url,
    response: http::Response<Bytes>,
    now: std::time::SystemTime,
) -> Result<(Url, http::Response<Bytes>), ClientError> {
    let status = response.status();
    if status.is_success() {
        return Ok((url, response));
    }
    let content_type = content_type(&response);
    let body = response.body();
    let json = looks_like_json(content_type.as_deref(), body);
    let special = matches!(
        status,
        StatusCode::NOT_FOUND
            | StatusCode::UNAUTHORIZED
            | StatusCode::FORBIDDEN
            | StatusCode::TOO_MANY_REQUESTS
    );
    if !json && !special && !body.is_empty() {
        let kind = ErrorKind::NotJson {
            status,
            content_type,
            excerpt: excerpt(body),
        };
        return Err(ClientError::new(url, kind));
    }
    let retry_after = response
        .headers()
        .get(RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| parse_retry_after(v, now));
    let problem = if json {
        ProblemDetails::from_slice(body)
    } else {
        None
    };
    let kind = match status {
        StatusCode::NOT_FOUND => ErrorKind::NotFound { problem },
        StatusCode::UNAUTHORIZED => ErrorKind::Unauthorized { problem },
        StatusCode::FORBIDDEN => ErrorKind::Forbidden { problem },
        StatusCode::TOO_MANY_REQUESTS => ErrorKind::RateLimited {
            retry_after,
            problem,
        },
        s if s.is_server_error() => ErrorKind::Server {
            status,
            retry_after,
            problem,
        },
        _ => ErrorKind::Rejected { status, problem },
    };
    Err(ClientError::new(url, kind))
}

fn decode<T: DeserializeOwned>(
    url: &Url,
    response: &http::Response<Bytes>,
) -> Result<T, ClientError> {
    let status = response.status();
    let content_type = content_type(response);
    let body = response.body();
    if !looks_like_json(content_type.as_deref(), body) {
        let kind = ErrorKind::NotJson {
            status,
            content_type,
            excerpt: excerpt(body),
        };
        return Err(ClientError::new(url.clone(), kind));
    }
    let decode_error = |path: String, message: String| {
        let kind = ErrorKind::Decode {
            status,
            path,
            message,
            excerpt: excerpt(body),
        };
        ClientError::new(url.clone(), kind)
    };
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    let value = serde_path_to_error::deserialize(&mut deserializer)
        .map_err(|error| decode_error(error.path().to_string(), error.inner().to_string()))?;
    deserializer
        .end()
        .map_err(|error| decode_error(String::new(), error.to_string()))?;
    Ok(value)
}

/// Configures a [`RegistryClient`]; see [`RegistryClient::builder`].
pub struct RegistryClientBuilder {
    base: Result<Url, String>,
    api: ApiVersion,
    user_agent: String,
    timeout: Duration,
    tokens: Option<Arc<dyn TokenProvider>>,
    limits: Limits,
    retry: RetryPolicy,
    rate_limit: Option<RateLimit>,
    transport: Option<Arc<dyn HttpTransport>>,
    clock: Option<Arc<dyn Clock>>,
    max_redirects: u8,
}

impl RegistryClientBuilder {
    fn new() -> Self {
        Self {
            base: Url::parse(OFFICIAL_REGISTRY).map_err(|e| e.to_string()),
            api: ApiVersion::default(),
            user_agent: concat!("mcp-registry-client/", env!("CARGO_PKG_VERSION")).to_owned(),
            timeout: Duration::from_secs(30),
            tokens: None,
            limits: Limits::new(),
            retry: RetryPolicy::new(),
            rate_limit: Some(RateLimit::default()),
            transport: None,
            clock: None,
            max_redirects: 0,
        }
    }

    /// The registry's base URL (`http` or `https`); a path prefix is kept, so
    /// `https://example.com/mcp` serves `https://example.com/mcp/v0.1/servers`.
    pub fn with_base_url(mut self, base: Url) -> Self {
        self.base = Ok(base);
        self
    }

    /// Parses the base URL; a bad one is reported by [`build`](Self::build).
    pub fn with_base_url_str(mut self, base: &str) -> Self {
        self.base = Url::parse(base).map_err(|e| format!("`{base}`: {e}"));
        self
    }

    /// `/v0.1` (default) or `/v0`.
    pub fn with_api_version(mut self, api: ApiVersion) -> Self {
        self.api = api;
        self
    }

    /// The `User-Agent` header.
    pub fn with_user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// The deadline for each attempt, from sending to the last body byte (default 30 s).
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Bearer credentials, sent only to the base URL's origin.
    pub fn with_token_provider(mut self, provider: impl TokenProvider + 'static) -> Self {
        self.tokens = Some(Arc::new(provider));
        self
    }

    /// Response and stream limits.
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// The retry policy ([`RetryPolicy::none`] to turn retries off).
    pub fn with_retry_policy(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// The client-side rate limit, or `None` for none (for a registry you run yourself).
    pub fn with_rate_limit(mut self, rate_limit: Option<RateLimit>) -> Self {
        self.rate_limit = rate_limit;
        self
    }

    /// The HTTP stack. Defaults to [`ReqwestTransport`](crate::ReqwestTransport) under the
    /// `reqwest` feature; required without it.
    pub fn with_transport(mut self, transport: impl HttpTransport + 'static) -> Self {
        self.transport = Some(Arc::new(transport));
        self
    }

    /// The clock for timeouts, backoff and rate limiting. Defaults to
    /// [`TokioClock`](crate::TokioClock) under the `tokio` feature; required without it.
    pub fn with_clock(mut self, clock: impl Clock + 'static) -> Self {
        self.clock = Some(Arc::new(clock));
        self
    }

    /// Follows up to `max` redirects (default 0: a 3xx is an error). Credentials are sent only
    /// to the base URL's origin, so a redirect to another host never receives them.
    pub fn with_max_redirects(mut self, max: u8) -> Self {
        self.max_redirects = max;
        self
    }

    /// Builds the client.
    ///
    /// # Errors
    ///
    /// [`BuildError`] when the base URL or user agent is invalid, or no transport or clock is
    /// available (without the `reqwest`/`tokio` features, set them explicitly).
    pub fn build(self) -> Result<RegistryClient, BuildError> {
        let base = self.base.map_err(BuildError::InvalidBaseUrl)?;
        if !matches!(base.scheme(), "http" | "https") || base.cannot_be_a_base() {
            return Err(BuildError::InvalidBaseUrl(format!(
                "`{base}`: scheme must be http or https"
            )));
        }
        let user_agent = HeaderValue::from_str(&self.user_agent)
            .map_err(|_| BuildError::InvalidUserAgent(self.user_agent.clone()))?;
        let transport = match self.transport {
            Some(transport) => transport,
            None => default_transport()?,
        };
        let clock = match self.clock {
            Some(clock) => clock,
            None => default_clock()?,
        };
        Ok(RegistryClient {
            inner: Arc::new(Inner {
                base,
                api: self.api,
                user_agent,
                timeout: self.timeout,
                tokens: self.tokens,
                limits: self.limits,
                retry: self.retry,
                limiter: self.rate_limit.map(RateLimiter::new),
                transport,
                clock,
                max_redirects: self.max_redirects,
            }),
        })
    }
}

impl fmt::Debug for RegistryClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RegistryClientBuilder")
            .field("base", &self.base)
            .field("api", &self.api)
            .field("timeout", &self.timeout)
            .field("limits", &self.limits)
            .finish_non_exhaustive()
    }
}

#[cfg(feature = "reqwest")]
fn default_transport() -> Result<Arc<dyn HttpTransport>, BuildError> {
    let transport = crate::reqwest_transport::ReqwestTransport::new()
        .map_err(|e| BuildError::Transport(e.to_string()))?;
    Ok(Arc::new(transport))
}

#[cfg(not(feature = "reqwest"))]
fn default_transport() -> Result<Arc<dyn HttpTransport>, BuildError> {
    Err(BuildError::NoTransport)
}

#[cfg(feature = "tokio")]
#[expect(
    clippy::unnecessary_wraps,
    reason = "the signature is shared with the no-tokio build"
)]
fn default_clock() -> Result<Arc<dyn Clock>, BuildError> {
    Ok(Arc::new(crate::clock::TokioClock))
}

#[cfg(not(feature = "tokio"))]
fn default_clock() -> Result<Arc<dyn Clock>, BuildError> {
    Err(BuildError::NoClock)
}

/// Why a [`RegistryClientBuilder`] could not build.
#[non_exhaustive]
#[derive(Clone, Debug, Eq, PartialEq, thiserror::Error)]
pub enum BuildError {
    /// The base URL does not parse or is not http(s).
    #[error("invalid registry url: {0}")]
    InvalidBaseUrl(String),
    /// The user agent is not a valid header value.
    #[error("invalid user agent `{0}`")]
    InvalidUserAgent(String),
    /// No transport was given and the `reqwest` feature is off.
    #[error("no http transport: enable the `reqwest` feature or call `with_transport`")]
    NoTransport,
    /// No clock was given and the `tokio` feature is off.
    #[error("no clock: enable the `tokio` feature or call `with_clock`")]
    NoClock,
    /// The default transport could not be created.
    #[error("cannot create the http transport: {0}")]
    Transport(String),
}
