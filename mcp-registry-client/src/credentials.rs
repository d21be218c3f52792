//! Bearer credentials for private registries.

use std::error::Error as StdError;
use std::fmt;

use async_trait::async_trait;

/// Supplies a bearer token for each request to the registry's own origin.
///
/// Called once per attempt, so a provider can refresh short-lived tokens. The token is never
/// sent to any other origin, not even after a redirect.
#[async_trait]
pub trait TokenProvider: Send + Sync {
    /// The token to send as `Authorization: Bearer <token>`.
    ///
    /// # Errors
    ///
    /// Any error the provider meets; the request fails with
    /// [`ErrorKind::Credentials`](crate::ErrorKind::Credentials).
    async fn token(&self) -> Result<String, Box<dyn StdError + Send + Sync>>;
}

/// A fixed token. Its `Debug` output does not show the token.
#[derive(Clone)]
pub struct StaticToken(String);

impl StaticToken {
    /// Wraps a token.
    pub fn new(token: impl Into<String>) -> Self {
        Self(token.into())
    }
}

impl fmt::Debug for StaticToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("StaticToken(<redacted>)")
    }
}

#[async_trait]
impl TokenProvider for StaticToken {
    async fn token(&self) -> Result<String, Box<dyn StdError + Send + Sync>> {
        Ok(self.0.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn static_token_debug_is_redacted() {
        assert_eq!(
            format!("{:?}", StaticToken::new("s3cret")),
            "StaticToken(<redacted>)"
        );
    }
}
