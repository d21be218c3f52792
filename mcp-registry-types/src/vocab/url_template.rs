//! Transport URL templates: `https://{host}/mcp` style URLs with `{variables}`.

use std::borrow::Cow;

use crate::vocab::go_url;
use crate::vocab::validated::validated_string;

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
        replace_placeholders(&self.0, |whole, out| {
            let name = whole.get(1..whole.len() - 1).unwrap_or_default();
            out.push_str(lookup(name).unwrap_or(whole));
        })
    }
}

/// The `\{([^}]+)\}` matches in `text` as the registry's regex finds them (leftmost first, not
/// overlapping): each `{` up to the first `}` after it, with something in between. Yields
/// the byte range of the whole match.
fn placeholder_spans(text: &str) -> impl Iterator<Item = (usize, usize)> + '_ {
    let bytes = text.as_bytes();
    let mut from = 0;
    std::iter::from_fn(move || {
        loop {
            let open = from + bytes.get(from..)?.iter().position(|&b| b == b'{')?;
            if bytes.get(open + 1).is_none_or(|&b| b == b'}') {
                from = open + 1;
                continue;
            }
            // No `}` after this `{` means none after any later `{` either.
            let close = open + 1 + bytes.get(open + 1..)?.iter().position(|&b| b == b'}')?;
            from = close + 1;
            return Some((open, close + 1));
        }
    })
}

/// `{name}` placeholders in `text`, in order.
pub(crate) fn variables(text: &str) -> impl Iterator<Item = &str> {
    placeholder_spans(text).filter_map(|(start, end)| text.get(start + 1..end - 1))
}

/// Replaces every placeholder span of `text` with what `with` returns for its name.
fn replace_placeholders<'t>(text: &'t str, mut with: impl FnMut(&'t str, &mut String)) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    let mut done = 0;
    for (start, end) in placeholder_spans(text) {
        out.push_str(text.get(done..start).unwrap_or_default());
        with(text.get(start..end).unwrap_or_default(), &mut out);
        done = end;
    }
    out.push_str(text.get(done..).unwrap_or_default());
    out
}

/// The names the registry fills with typical values, in the order it replaces them.
const WELL_KNOWN: [(&str, &str); 5] = [
    ("{host}", "example.com"),
    ("{port}", "8080"),
    ("{path}", "api"),
    ("{protocol}", "http"),
    ("{scheme}", "http"),
];

/// The registry's `replaceTemplateVariables`: well-known names get typical values, a
/// placeholder in port position becomes `8080`, anything else `placeholder`.
///
/// The registry runs five `ReplaceAll`s, then two regex replacements. Here each step is one
/// pass: the five names are brace-delimited and their values hold no braces, so replacing
/// them in one left-to-right pass gives the same text as replacing them one after another.
pub(crate) fn fill_placeholders(text: &str) -> Cow<'_, str> {
    if memchr::memchr(b'{', text.as_bytes()).is_none() {
        return Cow::Borrowed(text);
    }
    let known = fill_well_known(text);
    let ported = fill_port_placeholders(&known);
    Cow::Owned(replace_placeholders(&ported, |_, out| {
        out.push_str("placeholder");
    }))
}

/// The five `ReplaceAll`s of the well-known names; borrowed when none appears (most templates
/// name their own variables).
fn fill_well_known(text: &str) -> Cow<'_, str> {
    let mut out: Option<String> = None;
    let mut done = 0;
    for open in memchr::memchr_iter(b'{', text.as_bytes()) {
        let at = text.get(open..).unwrap_or_default();
        if let Some((name, value)) = WELL_KNOWN.iter().find(|(name, _)| at.starts_with(name)) {
            let out = out.get_or_insert_with(|| String::with_capacity(text.len() + 16));
            out.push_str(text.get(done..open).unwrap_or_default());
            out.push_str(value);
            done = open + name.len();
        }
    }
    match out {
        None => Cow::Borrowed(text),
        Some(mut out) => {
            out.push_str(text.get(done..).unwrap_or_default());
            Cow::Owned(out)
        }
    }
}

/// `:(\{[^}]+\})(/|$)` replaced with `:8080$2`, leftmost first, not overlapping. Only a `{`
/// can start a match, so the scan jumps from one to the next.
fn fill_port_placeholders(text: &str) -> Cow<'_, str> {
    let bytes = text.as_bytes();
    let mut out = String::new();
    let mut done = 0;
    // Where the next match may start: after the last one, and its `/`.
    let mut next = 0;
    // The first `}` at or after some index; only moves forward, so the scan stays linear.
    let mut close: Option<usize> = None;
    for brace in memchr::memchr_iter(b'{', bytes) {
        let Some(colon) = brace.checked_sub(1) else {
            continue;
        };
        let candidate = colon >= next
            && bytes.get(colon) == Some(&b':')
            && bytes.get(brace + 1).is_some_and(|&b| b != b'}');
        if !candidate {
            continue;
        }
        if close.is_none_or(|c| c <= brace) {
            close = bytes
                .get(brace + 1..)
                .and_then(|tail| memchr::memchr(b'}', tail))
                .map(|at| at + brace + 1);
        }
        let Some(end) = close else { break };
        let after = bytes.get(end + 1).copied();
        if matches!(after, None | Some(b'/')) {
            out.push_str(text.get(done..colon).unwrap_or_default());
            out.push_str(":8080");
            done = end + 1;
            // The `/` is part of the match and written back by `$2`.
            next = done + usize::from(after.is_some());
        }
    }
    if done == 0 {
        return Cow::Borrowed(text);
    }
    out.push_str(text.get(done..).unwrap_or_default());
    Cow::Owned(out)
}

/// The registry's two URL tests on one transport URL, judged from a single parse.
pub(crate) struct UrlVerdicts {
    /// `IsValidURL`: after filling placeholders, Go parses it, the scheme is `http` or
    /// `https` and there is a host.
    pub(crate) url: Result<(), String>,
    /// `IsValidRemoteURL`: `IsValidURL`, then `https` and not a localhost name.
    pub(crate) remote: Result<(), String>,
}

/// Fills the placeholders of `text` and judges it; `parse` is Go's parser for the case where
/// filling changes nothing (validation passes its per-document cache).
pub(crate) fn judge<'t>(
    text: &'t str,
    parse: impl FnOnce(&'t str) -> Result<go_url::GoUrl<'t>, go_url::GoUrlError>,
) -> UrlVerdicts {
    match fill_placeholders(text) {
        Cow::Borrowed(same) => verdicts(parse(same)),
        Cow::Owned(filled) => verdicts(go_url::parse(&filled)),
    }
}

fn verdicts(parsed: Result<go_url::GoUrl<'_>, go_url::GoUrlError>) -> UrlVerdicts {
    let checked = parsed.map_err(|e| e.0).and_then(|url| {
        if url.scheme != "http" && url.scheme != "https" {
            return Err("the scheme must be `http` or `https`".to_owned());
        }
        if url.host.is_empty() {
            return Err("the url must name a host".to_owned());
        }
        Ok(url)
    });
    let remote = match &checked {
        Err(reason) => Err(reason.clone()),
        Ok(url) if url.scheme != "https" => Err("remotes must use `https`".to_owned()),
        Ok(url) => {
            let host = url.hostname();
            if host == "localhost" || host == "127.0.0.1" || host.ends_with(".localhost") {
                Err(format!("remotes must not point at `{host}`"))
            } else {
                Ok(())
            }
        }
    };
    UrlVerdicts {
        url: checked.map(|_| ()),
        remote,
    }
}

/// The registry's `IsValidURL`: after filling placeholders, Go parses it, the scheme is `http`
/// or `https` and there is a host.
pub(crate) fn check_url(text: &str) -> Result<(), String> {
    judge(text, go_url::parse).url
}

/// The registry's `IsValidRemoteURL`: [`check_url`], then `https` and not a localhost name.
#[cfg(test)]
fn check_remote_url(text: &str) -> Result<(), String> {
    judge(text, go_url::parse).remote
}

validated_string!(UrlTemplate, UrlTemplateError);

#[cfg(test)]
mod tests {
    use std::sync::LazyLock;

    use proptest::prelude::*;
    use regex::Regex;

    use super::*;

    // Built once: compiling them in every proptest case cost seconds per run.
    static PORT: LazyLock<Regex> = LazyLock::new(|| Regex::new(r":(\{[^}]+\})(/|$)").unwrap());
    static ANY: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\{([^}]+)\}").unwrap());

    /// The registry's implementation, step by step, as the oracle for the one-pass version.
    fn registry_fill(text: &str) -> String {
        let out = text
            .replace("{host}", "example.com")
            .replace("{port}", "8080")
            .replace("{path}", "api")
            .replace("{protocol}", "http")
            .replace("{scheme}", "http");
        let out = PORT.replace_all(&out, ":8080$2");
        ANY.replace_all(&out, "placeholder").into_owned()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn one_pass_filling_equals_the_registry_steps(
            text in r"([{}:/xé]|\{host\}|\{port\}|\{path\}|\{protocol\}|\{scheme\}|\{ho|st\}){0,12}"
        ) {
            prop_assert_eq!(fill_placeholders(&text).into_owned(), registry_fill(&text));
            let expected: Vec<&str> =
                ANY.captures_iter(&text).filter_map(|c| c.get(1)).map(|m| m.as_str()).collect();
            prop_assert_eq!(variables(&text).collect::<Vec<_>>(), expected);
        }
    }

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
