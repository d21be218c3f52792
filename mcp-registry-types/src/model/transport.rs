//! How a client reaches a server: a package's local transport or a remote endpoint.

use std::collections::BTreeMap;

use crate::vocab::extra::Extra;
use crate::vocab::small_text::SmallText;
use serde_json::{Map, Value};

use crate::model::input::{Input, KeyValueInput};
use crate::vocab::kinds::TransportType;
use crate::vocab::url_template::UrlTemplate;

/// A transport: `stdio`, or `streamable-http`/`sse` with a URL template, headers and, for
/// remotes, URL variables.
///
/// One struct serves packages (`LocalTransport`) and remotes (`RemoteTransport`), as in the
/// registry's own model, so that any document the registry serves parses.
#[non_exhaustive]
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Transport {
    pub(crate) kind: Option<TransportType>,
    pub(crate) url: Option<SmallText>,
    pub(crate) headers: Option<Vec<KeyValueInput>>,
    pub(crate) variables: Option<BTreeMap<String, Input>>,
    pub(crate) extra: Extra,
}

impl Transport {
    /// A `stdio` transport.
    pub fn stdio() -> Self {
        Self {
            kind: Some(TransportType::Stdio),
            ..Self::default()
        }
    }

    /// A `streamable-http` transport at `url`.
    pub fn streamable_http(url: UrlTemplate) -> Self {
        Self {
            kind: Some(TransportType::StreamableHttp),
            url: Some(SmallText::from_string(url.into_string())),
            ..Self::default()
        }
    }

    /// An `sse` transport at `url`.
    pub fn sse(url: UrlTemplate) -> Self {
        Self {
            kind: Some(TransportType::Sse),
            url: Some(SmallText::from_string(url.into_string())),
            ..Self::default()
        }
    }

    /// The transport type (`type`).
    pub fn transport_type(&self) -> Option<&TransportType> {
        self.kind.as_ref()
    }

    /// The URL template, for HTTP transports.
    pub fn url(&self) -> Option<&str> {
        self.url.as_deref()
    }

    /// HTTP headers the client sends.
    pub fn headers(&self) -> &[KeyValueInput] {
        self.headers.as_deref().unwrap_or_default()
    }

    /// Variables for `{name}` in a remote's URL.
    pub fn variables(&self) -> Option<&BTreeMap<String, Input>> {
        self.variables.as_ref()
    }

    /// Fields this crate does not know, kept verbatim.
    pub fn extra(&self) -> &Map<String, Value> {
        &self.extra
    }

    /// Adds an HTTP header.
    pub fn with_header(mut self, header: KeyValueInput) -> Self {
        self.headers.get_or_insert_with(Vec::new).push(header);
        self
    }

    /// Adds a URL variable.
    pub fn with_variable(mut self, name: impl Into<String>, input: Input) -> Self {
        self.variables
            .get_or_insert_with(BTreeMap::new)
            .insert(name.into(), input);
        self
    }

    /// Whether the client needs something from the user to connect: a required header or
    /// variable with neither a fixed nor a default value.
    pub fn needs_configuration(&self) -> bool {
        self.headers().iter().any(|h| h.input().needs_value())
            || self
                .variables()
                .is_some_and(|vars| vars.values().any(Input::needs_value))
    }
}
