//! Reading whole payloads from bytes and text.

use std::str::FromStr;

use super::error::{ParseError, parse_slice};
use crate::model::response::{ServerList, ServerResponse};
use crate::model::server::ServerJson;

impl ServerJson {
    /// Parses a document from JSON bytes.
    ///
    /// # Errors
    /// [`ParseError`] when the bytes are not JSON or a value has the wrong shape (a string
    /// where an object must be); the error names the JSON path. Rule violations are not
    /// parse errors.
    pub fn from_slice(bytes: &[u8]) -> Result<Self, ParseError> {
        parse_slice(bytes)
    }
}

impl FromStr for ServerJson {
    type Err = ParseError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::from_slice(text.as_bytes())
    }
}

impl ServerResponse {
    /// Parses a response from JSON bytes.
    ///
    /// # Errors
    /// [`ParseError`] when the bytes are not JSON or do not have the shape of a response.
    pub fn from_slice(bytes: &[u8]) -> Result<Self, ParseError> {
        parse_slice(bytes)
    }
}

impl FromStr for ServerResponse {
    type Err = ParseError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::from_slice(text.as_bytes())
    }
}

impl ServerList {
    /// Parses a page from JSON bytes.
    ///
    /// # Errors
    /// [`ParseError`] when the bytes are not JSON or do not have the shape of a page.
    pub fn from_slice(bytes: &[u8]) -> Result<Self, ParseError> {
        parse_slice(bytes)
    }
}

impl FromStr for ServerList {
    type Err = ParseError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::from_slice(text.as_bytes())
    }
}
