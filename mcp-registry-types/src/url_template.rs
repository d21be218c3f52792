//! Transport URL templates: `https://{host}/mcp` style URLs with `{variables}`.

use std::borrow::Cow;
use std::sync::LazyLock;

use regex::Regex;

use crate::go_url;
use crate::regexes::constant_regex;
use crate::validated::validated_string;

/// A transport URL that may hold `{variable}` placeholders and is a valid `http(s)` URL once
/// they are filled in, by the official registry's test (`IsValidURL` after its placeholder
/// substitution).
///
/// ```
/// # fn main() -> Result<(), mcp_registry_types::UrlTemplateError> {
/// use mcp_registry_types::UrlTemplate;
///
/// let url = UrlTemplate::new("https://{tenant}.example.com:{port}/mcp")?;
/// assert_eq!(url.variables().collect::<Vec<_>>(), ["tenant", "port"]);
/// assert!(UrlTemplate::new("ftp://example.com").is_err());
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Debug, Eq, Hash, Ord, PartialEq, PartialOrd)]
pub struct UrlTemplate(String);

/// Why a string is not a [`UrlTemplate`].
#[derive(Clone, Debug, Eq, PartialEq, thiserror::Error)]
#[error("invalid url template `{value}`: {reason}")]
pub struct UrlTemplateError {
    value: String,
    reason: String,
}

impl UrlTemplateError {
    /// The rejected text.
    pub fn value(&self) -> &str {
        &self.value
    }

    /// Why it was rejected.
    pub fn reason(&self) -> &str {
        &self.reason
    }
}

impl UrlTemplate {
    /// Checks that `text` is an `http` or `https` URL with a host once its placeholders are
    /// filled in.
    ///
    /// # Errors
    /// [`UrlTemplateError`] with the reason.
    pub fn new(text: &str) -> Result<Self, UrlTemplateError> {
        check_url(text).map_err(|reason| UrlTemplateError {
            value: text.to_owned(),
            reason,
        })?;
        Ok(Self(text.to_owned()))
    }

    /// The template text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Takes the text out.
    pub fn into_string(self) -> String {
        self.0
    }

    /// The `{variable}` names, in order of appearance.
    pub fn variables(&self) -> impl Iterator<Item = &str> {
        variables(&self.0)
    }

    /// Fills the placeholders from `lookup`; a name it does not know is left verbatim, as the
    /// registry specifies.
    pub fn expand<'a>(&self, lookup: impl Fn(&str) -> Option<&'a str>) -> String {
        PLACEHOLDER
            .replace_all(&self.0, |caps: &regex::Captures<'_>| {
                let name = caps.get(1).map_or("", |m| m.as_str());
                lookup(name).map_or_else(
                    || caps.get(0).map_or("", |m| m.as_str()).to_owned(),
                    str::to_owned,
                )
            })
            .into_owned()
    }
}

static PLACEHOLDER: LazyLock<Regex> = LazyLock::new(|| constant_regex(r"\{([^}]+)\}"));
static PORT_PLACEHOLDER: LazyLock<Regex> = LazyLock::new(|| constant_regex(r":(\{[^}]+\})(/|$)"));

/// `{name}` placeholders in `text`, in order.
pub(crate) fn variables(text: &str) -> impl Iterator<Item = &str> {
    PLACEHOLDER
        .captures_iter(text)
        .filter_map(|c| c.get(1))
        .map(|m| m.as_str())
}

/// The registry's `replaceTemplateVariables`: well-known names get typical values, a
/// placeholder in port position becomes `8080`, anything else `placeholder`.
pub(crate) fn fill_placeholders(text: &str) -> Cow<'_, str> {
    if !text.contains('{') {
        return Cow::Borrowed(text);
    }
    let mut out = text
        .replace("{host}", "example.com")
        .replace("{port}", "8080")
        .replace("{path}", "api")
        .replace("{protocol}", "http")
        .replace("{scheme}", "http");
    out = PORT_PLACEHOLDER.replace_all(&out, ":8080$2").into_owned();
    Cow::Owned(PLACEHOLDER.replace_all(&out, "placeholder").into_owned())
}

/// The registry's `IsValidURL`: after filling placeholders, Go parses it, the scheme is `http`
/// or `https` and there is a host.
pub(crate) fn check_url(text: &str) -> Result<(), String> {
    let filled = fill_placeholders(text);
    checked_url(&filled).map(|_| ())
}

fn checked_url(filled: &str) -> Result<go_url::GoUrl<'_>, String> {
    let url = go_url::parse(filled).map_err(|e| e.0)?;
    if url.scheme != "http" && url.scheme != "https" {
        return Err("the scheme must be `http` or `https`".to_owned());
    }
    if url.host.is_empty() {
        return Err("the url must name a host".to_owned());
    }
    Ok(url)
}

/// The registry's `IsValidRemoteURL`: [`check_url`], then `https` and not a localhost name.
pub(crate) fn check_remote_url(text: &str) -> Result<(), String> {
    let filled = fill_placeholders(text);
    let url = checked_url(&filled)?;
    if url.scheme != "https" {
        return Err("remotes must use `https`".to_owned());
    }
    let host = url.hostname();
    if host == "localhost" || host == "127.0.0.1" || host.ends_with(".localhost") {
        return Err(format!("remotes must not point at `{host}`"));
    }
    Ok(())
}

validated_string!(UrlTemplate, UrlTemplateError);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_filled_like_the_registry() {
        assert_eq!(
            fill_placeholders("{protocol}://{host}:{port}/{path}"),
            "http://example.com:8080/api"
        );
        assert_eq!(
            fill_placeholders("https://x.com:{p}/mcp"),
            "https://x.com:8080/mcp"
        );
        assert_eq!(
            fill_placeholders("https://{tenant}.x.com/{a}"),
            "https://placeholder.x.com/placeholder"
        );
    }

    #[test]
    fn templates_must_be_http_urls_with_hosts() {
        assert!(UrlTemplate::new("http://localhost:{port}/mcp").is_ok());
        assert!(UrlTemplate::new("https://{host}/mcp").is_ok());
        let error = UrlTemplate::new("{baseUrl}/mcp").unwrap_err();
        assert_eq!(
            error.to_string(),
            "invalid url template `{baseUrl}/mcp`: the scheme must be `http` or `https`"
        );
        assert!(UrlTemplate::new("https:///path").is_err());
    }

    #[test]
    fn remote_rules_refuse_plain_http_and_localhost() {
        assert!(check_remote_url("https://api.example.com/mcp").is_ok());
        assert!(check_remote_url("http://api.example.com/mcp").is_err());
        assert!(check_remote_url("https://localhost/mcp").is_err());
        assert!(check_remote_url("https://a.localhost:8443/mcp").is_err());
        assert!(check_remote_url("https://127.0.0.1/mcp").is_err());
        // The official check lets these through; gateways should go further (mcp-policy does).
        assert!(check_remote_url("https://10.0.0.1/mcp").is_ok());
        assert!(check_remote_url("https://[::1]/mcp").is_ok());
    }

    #[test]
    fn expand_leaves_unknown_names() {
        let url = UrlTemplate::new("https://{tenant}.example.com/{other}").unwrap();
        assert_eq!(
            url.expand(|n| (n == "tenant").then_some("acme")),
            "https://acme.example.com/{other}"
        );
    }
}
