//! A discovery client for the [MCP registry] REST API that survives the real registry.
//!
//! [`RegistryClient`] pages through thousands of servers without truncating or looping, backs
//! off politely, tells "not found" from "not allowed", and never lets a hostile or broken
//! registry hang it or eat its memory:
//!
//! - endpoints: [`list`](RegistryClient::list) one page, [`server_version`](RegistryClient::server_version)
//!   (`latest` included), [`versions`](RegistryClient::versions), and a lazy, bounded
//!   [`stream`](RegistryClient::stream) over every page;
//! - composable client-side [`ServerFilter`](types::ServerFilter)s (remote-only, package-only,
//!   registry type, transport, status, latest, zero-config, name glob) on the
//!   [`stream`](ServerStream::filtered);
//! - [`Limits`] on body bytes (enforced while reading), pages and items; a
//!   [`RetryPolicy`] with jittered exponential backoff that honours `Retry-After`; a
//!   client-side [`RateLimit`] under the official 180 requests a minute;
//! - one [`ClientError`]: the URL it concerns and an [`ErrorKind`] per outcome;
//! - any HTTP stack through [`HttpTransport`]; `reqwest` by default. Credentials go only to the
//!   registry's own origin, redirects are off unless enabled.
//!
//! # Example
//!
//! ```no_run
//! use futures::TryStreamExt as _;
//! use mcp_registry_client::types::{ServerFilter, TransportType};
//! use mcp_registry_client::{ErrorKind, ListQuery, RegistryClient};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let client = RegistryClient::builder().build()?; // the official registry, /v0.1
//!
//! // Every latest remote server that needs no configuration, across all pages.
//! let filter = ServerFilter::new().with_remote_only().with_zero_config();
//! let mut servers = client
//!     .stream(ListQuery::new().with_latest_only().with_limit(100))
//!     .filtered(filter.with_transport(TransportType::StreamableHttp));
//! while let Some(server) = servers.try_next().await? {
//!     println!("{} {}", server.server().name(), server.server().version());
//! }
//!
//! // One server; a missing one is a distinct error.
//! match client.latest_version("io.github.example/weather").await {
//!     Ok(server) => println!("{}", server.server().description()),
//!     Err(error) if matches!(error.kind(), ErrorKind::NotFound { .. }) => println!("no such server"),
//!     Err(error) => return Err(error.into()),
//! }
//! # Ok(())
//! # }
//! ```
//!
//! # Feature flags
//!
//! - `reqwest` *(default)*: [`ReqwestTransport`], the default transport; implies `tokio`.
//! - `rustls` *(default)*: TLS for `reqwest` through rustls.
//! - `native-tls`: TLS for `reqwest` through the platform's library.
//! - `tokio`: [`TokioClock`], the default clock for timeouts, backoff and rate limiting.
//! - `catalog`: [`catalog`], an offline catalog of servers from one or more registries, kept
//!   in a snapshot file, searched, synced incrementally and served as a registry.
//! - `tracing`: a span per request and events for responses and retries.
//! - `test-util`: `test_util::FakeRegistry`, a loopback registry with replayable quirks, and
//!   `test_util::ManualClock`, for testing code built on this crate. (Not linked here: the
//!   module exists only with the feature on.)
//! - `fuzzing`: the properties the fuzz targets check (`fuzzing`), for the fuzz crate and this
//!   crate's tests; not a stable API, and off in every other build.
//!
//! With `--no-default-features` the crate has no HTTP stack or runtime of its own: pass
//! [`with_transport`](RegistryClientBuilder::with_transport) and
//! [`with_clock`](RegistryClientBuilder::with_clock).
//!
//! [MCP registry]: https://registry.modelcontextprotocol.io
#![cfg_attr(docsrs, feature(doc_cfg))]

#[cfg(feature = "catalog")]
#[cfg_attr(docsrs, doc(cfg(feature = "catalog")))]
pub mod catalog;
mod client;
mod clock;
mod credentials;
mod error;
// The fuzz targets' properties: compiled only for the fuzz crate and this crate's tests.
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing;
mod limits;
mod query;
mod rate_limit;
#[cfg(feature = "reqwest")]
mod reqwest_transport;
mod retry;
mod stream;
#[cfg(feature = "test-util")]
#[cfg_attr(docsrs, doc(cfg(feature = "test-util")))]
pub mod test_util;
mod transport;

// Public API
pub use client::{BuildError, OFFICIAL_REGISTRY, RegistryClient, RegistryClientBuilder};
#[cfg(feature = "tokio")]
#[cfg_attr(docsrs, doc(cfg(feature = "tokio")))]
pub use clock::TokioClock;
pub use clock::{Clock, Jitter, RandomJitter};
pub use credentials::{StaticToken, TokenProvider};
pub use error::{ClientError, ErrorKind, Limit};
pub use limits::Limits;
pub use mcp_registry_types as types;
pub use query::{ApiVersion, ListQuery};
pub use rate_limit::RateLimit;
#[cfg(feature = "reqwest")]
#[cfg_attr(docsrs, doc(cfg(feature = "reqwest")))]
pub use reqwest_transport::ReqwestTransport;
pub use retry::RetryPolicy;
pub use stream::{ListPage, ServerStream};
pub use transport::{HttpTransport, LimitedBody, TransportError, TransportErrorKind};
pub use {bytes, http, url};
