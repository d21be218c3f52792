//! Discovery client for the MCP registry REST API.
#![forbid(unsafe_code)]
// Library code must not panic on registry input: these are errors in review, allowed in tests
// through clippy.toml.
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::string_slice
)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod client;
mod clock;
mod credentials;
mod error;
mod limits;
mod query;
mod rate_limit;
#[cfg(feature = "reqwest")]
mod reqwest_transport;
mod retry;
#[cfg(feature = "test-util")]
#[cfg_attr(docsrs, doc(cfg(feature = "test-util")))]
pub mod test_util;
mod transport;

// Public API
pub use client::{BuildError, OFFICIAL_REGISTRY, RegistryClient, RegistryClientBuilder};
#[cfg(feature = "tokio")]
pub use clock::TokioClock;
pub use clock::{Clock, Jitter, RandomJitter};
pub use credentials::{StaticToken, TokenProvider};
pub use error::{
    ClientError, CredentialsError, CursorError, DecodeError, Limit, LimitError, NotJsonError,
    Problem, ProblemItem, RedirectError, StatusError, TimeoutError, TransportFailure,
};
pub use limits::Limits;
pub use query::{ApiVersion, ListQuery};
pub use rate_limit::RateLimit;
#[cfg(feature = "reqwest")]
pub use reqwest_transport::ReqwestTransport;
pub use retry::RetryPolicy;
pub use transport::{HttpTransport, LimitedBody, TransportError, TransportErrorKind};
pub use {bytes, http, url};
