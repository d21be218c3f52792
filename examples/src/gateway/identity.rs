//! Who is calling over HTTP: bearer tokens mapped to principals ([`Identities`]), read from the
//! `--principals` file.
//!
//! ```json
//! {
//!   "tokens": {
//!     "s3cr3t-alice": { "id": "alice", "groups": ["eng"], "roles": ["dev"], "tenant": "acme" }
//!   },
//!   "jwt": {
//!     "algorithm": "HS256",
//!     "secret": "shared-secret",
//!     "issuer": "https://idp.example.com",
//!     "audience": "mcp-gateway",
//!     "claims": { "principal": "sub", "groups": "groups", "roles": "roles", "tenant": "tid" }
//!   }
//! }
//! ```
//!
//! A static token is looked up by its SHA-256, so the lookup's timing says nothing about how
//! much of a guess matched. A token that is not one of them is tried as a JWT when `jwt` is
//! set: its signature (the one algorithm configured; `none` is never accepted), `exp` (always
//! required), `nbf`, and the issuer and audience when configured. Its claims then give the
//! principal: `claims.principal` (default `sub`) must be a non-empty string; groups and roles
//! (arrays of strings, or one space-separated string such as `scope`) and the tenant are
//! optional. Anything else is refused, and the HTTP front end answers 401.

use std::collections::HashMap;
use std::fmt;

use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use mcp_policy::Principal;
use serde::Deserialize;
use serde_json::Value;
use sha2::{Digest as _, Sha256};

/// The `--principals` file, parsed.
#[derive(Clone)]
pub struct Identities {
    /// SHA-256 of each static token → its principal.
    tokens: HashMap<[u8; 32], Principal>,
    jwt: Option<Jwt>,
}

impl fmt::Debug for Identities {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never the token digests or the JWT key.
        f.debug_struct("Identities")
            .field("tokens", &self.tokens.len())
            .field("jwt", &self.jwt.is_some())
            .finish()
    }
}

#[derive(Clone)]
struct Jwt {
    key: DecodingKey,
    validation: Validation,
    claims: ClaimNames,
}

/// Why a principals file could not be read.
#[non_exhaustive]
#[derive(Debug, thiserror::Error)]
pub enum IdentityError {
    /// The file is not a principals document.
    #[error("not a principals file: {0}")]
    Parse(String),
    /// A token is empty or maps to an empty principal id.
    #[error("tokens: {0}")]
    Token(String),
    /// The JWT settings cannot be used.
    #[error("jwt: {0}")]
    Jwt(String),
}

/// Why a request's credentials were refused; the HTTP front end answers 401 with this text.
#[non_exhaustive]
#[derive(Clone, Debug, Eq, PartialEq, thiserror::Error)]
pub enum Unauthorized {
    /// No `Authorization: Bearer …` header.
    #[error("no bearer token")]
    Missing,
    /// The token is neither a known token nor a valid JWT.
    #[error("unknown bearer token")]
    Unknown,
    /// The token is a JWT that failed verification.
    #[error("invalid JWT: {0}")]
    InvalidJwt(String),
    /// The JWT verified but its claims do not name a principal.
    #[error("JWT claims: {0}")]
    Claims(String),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    tokens: HashMap<String, Principal>,
    #[serde(default)]
    jwt: Option<JwtFile>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct JwtFile {
    algorithm: Algorithm,
    /// HS256/384/512: the shared secret.
    #[serde(default)]
    secret: Option<String>,
    /// `RS*`, `PS*`, `ES*`, `EdDSA`: the public key, PEM.
    #[serde(default)]
    public_key_pem: Option<String>,
    #[serde(default)]
    issuer: Option<String>,
    #[serde(default)]
    audience: Option<String>,
    #[serde(default)]
    leeway_seconds: Option<u64>,
    #[serde(default)]
    claims: ClaimNames,
}

/// Which claim carries what.
#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct ClaimNames {
    principal: String,
    groups: String,
    roles: String,
    tenant: String,
}

impl Default for ClaimNames {
    fn default() -> Self {
        Self {
            principal: "sub".to_owned(),
            groups: "groups".to_owned(),
            roles: "roles".to_owned(),
            tenant: "tenant".to_owned(),
        }
    }
}

impl Identities {
    /// Reads a principals file.
    ///
    /// # Errors
    ///
    /// When it is not JSON of the documented shape, a token or principal id is empty, or the
    /// JWT key does not suit the algorithm.
    pub fn from_json(bytes: &[u8]) -> Result<Self, IdentityError> {
        let file: File = serde_json::from_slice(bytes)
            .map_err(|error| IdentityError::Parse(error.to_string()))?;
        let mut tokens = HashMap::with_capacity(file.tokens.len());
        for (token, principal) in file.tokens {
            if token.is_empty() {
                return Err(IdentityError::Token("a token is empty".to_owned()));
            }
            if principal.id.is_empty() {
                return Err(IdentityError::Token(format!(
                    "the token for a principal with {} group(s) has an empty id",
                    principal.groups.len()
                )));
            }
            tokens.insert(digest(&token), principal);
        }
        let jwt = file.jwt.map(Jwt::new).transpose()?;
        Ok(Self { tokens, jwt })
    }

    /// How many static tokens there are.
    pub fn token_count(&self) -> usize {
        self.tokens.len()
    }

    /// The principal behind an `Authorization` header's value.
    ///
    /// # Errors
    ///
    /// [`Unauthorized`], saying why; the token itself is never in the message.
    pub fn authenticate(&self, authorization: Option<&str>) -> Result<Principal, Unauthorized> {
        let token = authorization
            .and_then(|value| {
                let (scheme, token) = value.split_once(' ')?;
                scheme
                    .eq_ignore_ascii_case("bearer")
                    .then_some(token.trim_start_matches(' '))
            })
            .filter(|token| !token.is_empty())
            .ok_or(Unauthorized::Missing)?;
        if let Some(principal) = self.tokens.get(&digest(token)) {
            return Ok(principal.clone());
        }
        match &self.jwt {
            Some(jwt) if token.bytes().filter(|&b| b == b'.').count() == 2 => jwt.principal(token),
            _ => Err(Unauthorized::Unknown),
        }
    }
}

impl Jwt {
    fn new(file: JwtFile) -> Result<Self, IdentityError> {
        use Algorithm::{
            ES256, ES384, EdDSA, HS256, HS384, HS512, PS256, PS384, PS512, RS256, RS384, RS512,
        };
        let bad = |why: &str| IdentityError::Jwt(why.to_owned());
        let key = match (file.algorithm, &file.secret, &file.public_key_pem) {
            (HS256 | HS384 | HS512, Some(secret), None) => {
                if secret.len() < 32 {
                    return Err(bad("an HMAC secret must be at least 32 bytes"));
                }
                DecodingKey::from_secret(secret.as_bytes())
            }
            (HS256 | HS384 | HS512, _, _) => {
                return Err(bad(
                    "an HMAC algorithm takes `secret` and no `publicKeyPem`",
                ));
            }
            (_, Some(_), _) | (_, None, None) => {
                return Err(bad(
                    "a public-key algorithm takes `publicKeyPem` and no `secret`",
                ));
            }
            (RS256 | RS384 | RS512 | PS256 | PS384 | PS512, None, Some(pem)) => {
                DecodingKey::from_rsa_pem(pem.as_bytes())
                    .map_err(|error| IdentityError::Jwt(format!("publicKeyPem: {error}")))?
            }
            (ES256 | ES384, None, Some(pem)) => DecodingKey::from_ec_pem(pem.as_bytes())
                .map_err(|error| IdentityError::Jwt(format!("publicKeyPem: {error}")))?,
            (EdDSA, None, Some(pem)) => DecodingKey::from_ed_pem(pem.as_bytes())
                .map_err(|error| IdentityError::Jwt(format!("publicKeyPem: {error}")))?,
            (other, None, Some(_)) => {
                return Err(IdentityError::Jwt(format!("{other:?} is not supported")));
            }
        };
        let mut validation = Validation::new(file.algorithm);
        validation.leeway = file.leeway_seconds.unwrap_or(30);
        validation.validate_nbf = true;
        if let Some(issuer) = &file.issuer {
            validation.set_issuer(&[issuer]);
            validation.required_spec_claims.insert("iss".to_owned());
        }
        match &file.audience {
            Some(audience) => {
                validation.set_audience(&[audience]);
                validation.required_spec_claims.insert("aud".to_owned());
            }
            None => validation.validate_aud = false,
        }
        Ok(Self {
            key,
            validation,
            claims: file.claims,
        })
    }

    fn principal(&self, token: &str) -> Result<Principal, Unauthorized> {
        let data = jsonwebtoken::decode::<serde_json::Map<String, Value>>(
            token,
            &self.key,
            &self.validation,
        )
        .map_err(|error| Unauthorized::InvalidJwt(error.to_string()))?;
        let claims = data.claims;
        let id = match claims.get(&self.claims.principal) {
            Some(Value::String(id)) if !id.is_empty() => id.clone(),
            _ => {
                return Err(Unauthorized::Claims(format!(
                    "`{}` is not a non-empty string",
                    self.claims.principal
                )));
            }
        };
        let mut principal = Principal::new(id);
        for group in strings(&claims, &self.claims.groups)? {
            principal = principal.with_group(group);
        }
        for role in strings(&claims, &self.claims.roles)? {
            principal = principal.with_role(role);
        }
        match claims.get(&self.claims.tenant) {
            None | Some(Value::Null) => {}
            Some(Value::String(tenant)) if !tenant.is_empty() => {
                principal = principal.with_tenant(tenant.clone());
            }
            Some(_) => {
                return Err(Unauthorized::Claims(format!(
                    "`{}` is not a non-empty string",
                    self.claims.tenant
                )));
            }
        }
        Ok(principal)
    }
}

/// A claim holding strings: absent, an array of strings, or one space-separated string.
fn strings(
    claims: &serde_json::Map<String, Value>,
    name: &str,
) -> Result<Vec<String>, Unauthorized> {
    match claims.get(name) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::String(text)) => Ok(text.split_whitespace().map(str::to_owned).collect()),
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| match item {
                Value::String(text) if !text.is_empty() => Ok(text.clone()),
                _ => Err(Unauthorized::Claims(format!(
                    "`{name}` holds something other than a non-empty string"
                ))),
            })
            .collect(),
        Some(_) => Err(Unauthorized::Claims(format!(
            "`{name}` is neither a string nor an array of strings"
        ))),
    }
}

fn digest(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

#[cfg(test)]
mod tests {
    use jsonwebtoken::{EncodingKey, Header, encode};
    use serde_json::json;

    use super::*;

    const SECRET: &str = "0123456789abcdef0123456789abcdef";

    fn identities() -> Identities {
        Identities::from_json(
            json!({
                "tokens": { "t-alice": { "id": "alice", "groups": ["eng"] } },
                "jwt": { "algorithm": "HS256", "secret": SECRET, "issuer": "idp",
                         "audience": "gw", "claims": { "tenant": "tid" } }
            })
            .to_string()
            .as_bytes(),
        )
        .unwrap()
    }

    fn jwt(claims: &Value, secret: &str) -> String {
        encode(
            &Header::new(Algorithm::HS256),
            claims,
            &EncodingKey::from_secret(secret.as_bytes()),
        )
        .unwrap()
    }

    const LATER: u64 = 4_000_000_000;

    #[test]
    fn static_tokens_and_jwts_name_principals() {
        let ids = identities();
        let alice = ids.authenticate(Some("Bearer t-alice")).unwrap();
        assert_eq!(
            (alice.id.as_str(), alice.groups.as_slice()),
            ("alice", &["eng".to_owned()][..])
        );
        assert_eq!(
            ids.authenticate(Some("bearer t-alice")).unwrap().id,
            "alice"
        );
        assert_eq!(ids.authenticate(None), Err(Unauthorized::Missing));
        assert_eq!(
            ids.authenticate(Some("Basic t-alice")),
            Err(Unauthorized::Missing)
        );
        assert_eq!(
            ids.authenticate(Some("Bearer t-alic")),
            Err(Unauthorized::Unknown)
        );

        let claims = json!({ "sub": "bob", "iss": "idp", "aud": "gw", "exp": LATER,
                             "groups": "ops admins", "roles": ["oncall"], "tid": "acme" });
        let bob = ids
            .authenticate(Some(&format!("Bearer {}", jwt(&claims, SECRET))))
            .unwrap();
        assert_eq!(bob.id, "bob");
        assert_eq!(bob.groups, ["ops", "admins"]);
        assert_eq!(bob.roles, ["oncall"]);
        assert_eq!(bob.tenant.as_deref(), Some("acme"));
    }

    #[test]
    fn bad_jwts_are_refused() {
        let ids = identities();
        let bearer = |claims: &Value, secret: &str| format!("Bearer {}", jwt(claims, secret));
        let good = json!({ "sub": "bob", "iss": "idp", "aud": "gw", "exp": LATER });
        let other_secret = "fedcba9876543210fedcba9876543210";
        assert!(matches!(
            ids.authenticate(Some(&bearer(&good, other_secret))),
            Err(Unauthorized::InvalidJwt(_))
        ));
        for (field, value) in [
            ("iss", json!("evil")),
            ("aud", json!("other")),
            ("exp", json!(1)),
        ] {
            let mut claims = good.clone();
            claims[field] = value;
            assert!(
                matches!(
                    ids.authenticate(Some(&bearer(&claims, SECRET))),
                    Err(Unauthorized::InvalidJwt(_))
                ),
                "{field}"
            );
        }
        let mut no_exp = good.clone();
        no_exp.as_object_mut().unwrap().remove("exp");
        assert!(matches!(
            ids.authenticate(Some(&bearer(&no_exp, SECRET))),
            Err(Unauthorized::InvalidJwt(_))
        ));
        let mut no_sub = good.clone();
        no_sub["sub"] = json!("");
        assert!(matches!(
            ids.authenticate(Some(&bearer(&no_sub, SECRET))),
            Err(Unauthorized::Claims(_))
        ));
        // `alg: none` with the signature stripped.
        let token = jwt(&good, SECRET);
        let unsigned = format!(
            "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.{}.",
            token.split('.').nth(1).unwrap()
        );
        assert!(matches!(
            ids.authenticate(Some(&format!("Bearer {unsigned}"))),
            Err(Unauthorized::InvalidJwt(_))
        ));
    }

    #[test]
    fn bad_files_are_refused_with_a_reason() {
        for (file, expected) in [
            (
                json!({ "tokens": { "": { "id": "a" } } }),
                "a token is empty",
            ),
            (json!({ "tokens": { "t": { "id": "" } } }), "empty id"),
            (
                json!({ "jwt": { "algorithm": "HS256", "secret": "short" } }),
                "at least 32 bytes",
            ),
            (
                json!({ "jwt": { "algorithm": "RS256", "secret": SECRET } }),
                "publicKeyPem",
            ),
            (
                json!({ "jwt": { "algorithm": "RS256", "publicKeyPem": "x" } }),
                "publicKeyPem:",
            ),
            (json!({ "token": {} }), "unknown field"),
        ] {
            let error = Identities::from_json(file.to_string().as_bytes()).unwrap_err();
            assert!(error.to_string().contains(expected), "{error}");
        }
    }
}
