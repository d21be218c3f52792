//! Reading whole payloads from bytes and text.

use std::str::FromStr;

use super::error::{ParseError, parse_slice};
use crate::model::response::{ServerList, ServerResponse};
use crate::model::server::ServerJson;

/// `from_slice` and `FromStr` for a payload, with what the payload is in its docs.
macro_rules! payload {
    ($ty:ident, $what:literal) => {
        impl $ty {
            #[doc = concat!("Parses ", $what, " from JSON bytes.")]
            ///
            /// # Errors
            /// [`ParseError`] when the bytes are not JSON or a value has the wrong shape (a
            /// string where an object must be); the error names the JSON path. Rule violations
            /// are not parse errors.
            pub fn from_slice(bytes: &[u8]) -> Result<Self, ParseError> {
                parse_slice(bytes)
            }
        }

        impl FromStr for $ty {
            type Err = ParseError;

            fn from_str(text: &str) -> Result<Self, Self::Err> {
                Self::from_slice(text.as_bytes())
            }
        }
    };
}

payload!(ServerJson, "a `server.json` document");
payload!(
    ServerResponse,
    "one server version as the registry serves it"
);
payload!(ServerList, "a page of the list endpoint");
