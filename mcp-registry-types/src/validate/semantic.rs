//! The registry's semantic rules (REFERENCE §5.3), in the registry's order.

use super::LayerSink;
use crate::model::input::Argument;
use crate::model::package::Package;
use crate::model::server::ServerJson;
use crate::model::transport::Transport;
use crate::vocab::kinds::TransportType;
use crate::vocab::name::{NAME_BYTE, NameError, NameErrorKind, all_bytes_in};
use crate::vocab::pointer::{At, Pointer};
use crate::vocab::url_template::{judge, variables};
use crate::vocab::version::{VersionErrorKind, rule_violation};

pub(super) fn check<'d>(d: &'d ServerJson, sink: &mut LayerSink<'_, 'd>) {
    name(d.name(), sink);
    version(At::Root.key("version"), d.version(), sink);
    repository(d, sink);
    if let Some(url) = d.website_url().filter(|u| !u.is_empty()) {
        website_url(url, sink);
    }
    if let Some(title) = d.title()
        && !title.is_empty()
        && title.trim().is_empty()
    {
        sink.error(
            "/title",
            "title-whitespace-only",
            "the title is only white space: write a title or remove it",
        );
    }
    for (i, icon) in d.icons().iter().enumerate() {
        icon_src(At::Root.key("icons").index(i), icon.src(), sink);
    }
    for (i, package) in d.packages().iter().enumerate() {
        self::package(At::Root.key("packages").index(i), package, sink);
    }
    for (i, remote) in d.remotes().iter().enumerate() {
        self::remote(At::Root.key("remotes").index(i), remote, sink);
    }
}

fn name<'d>(text: &'d str, sink: &mut LayerSink<'_, 'd>) {
    // Length is the schema's rule, not a semantic one.
    if let Err(kind) = sink.name(text)
        && kind != NameErrorKind::TooLong
    {
        sink.error(
            "/name",
            "invalid-server-name",
            NameError::new(text, kind).to_string(),
        );
    }
}

fn version(path: impl Pointer, text: &str, sink: &mut LayerSink<'_, '_>) {
    match rule_violation(text) {
        Some(VersionErrorKind::Reserved) => sink.error(
            path,
            "reserved-version-string",
            "`latest` is reserved: write the specific version such as `1.0.0`",
        ),
        Some(_) => sink.error(
            path,
            "version-looks-like-range",
            format!("`{text}` is a range: write one specific version such as `1.2.3`"),
        ),
        None => {}
    }
}

/// `^https?://(www\.)?HOST/[0-9A-Za-z_.-]+/[0-9A-Za-z_.-]+/?$`, the registry's GitHub and
/// GitLab repository patterns (RE2's `\w` is ASCII), without a regex engine.
fn repository_url(url: &str, host: &str) -> bool {
    // `[0-9A-Za-z_.-]+` is the server name's byte class.
    let part = |s: &str| !s.is_empty() && all_bytes_in(s.as_bytes(), NAME_BYTE);
    let Some(rest) = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
    else {
        return false;
    };
    let rest = rest.strip_prefix("www.").unwrap_or(rest);
    let Some(rest) = rest.strip_prefix(host).and_then(|r| r.strip_prefix('/')) else {
        return false;
    };
    let rest = rest.strip_suffix('/').unwrap_or(rest);
    rest.split_once('/')
        .is_some_and(|(owner, repo)| part(owner) && part(repo))
}

fn repository(d: &ServerJson, sink: &mut LayerSink<'_, '_>) {
    let Some(repository) = d.repository().filter(|r| !r.is_empty()) else {
        return;
    };
    let url = repository.url().unwrap_or_default();
    let source = repository.source().unwrap_or_default();
    let valid = match source {
        "github" => repository_url(url, "github.com"),
        "gitlab" => repository_url(url, "gitlab.com"),
        _ => false,
    };
    if !valid {
        let message = match source {
            "github" | "gitlab" => format!(
                "`{url}` is not a {source} repository URL: write `https://{source}.com/OWNER/REPO`"
            ),
            _ => format!(
                "repository source `{source}` is not supported: write `github` or `gitlab` with the matching repository URL `{url}`"
            ),
        };
        sink.error("/repository/url", "invalid-repository-url", message);
    }
    if let Some(subfolder) = repository.subfolder().filter(|s| !s.is_empty())
        && !valid_subfolder(subfolder)
    {
        sink.error(
            "/repository/subfolder",
            "invalid-subfolder-path",
            format!("`{subfolder}` is not a clean relative path: write a path such as `servers/weather` without leading, trailing or doubled `/`, `.` or `..`"),
        );
    }
}

fn valid_subfolder(path: &str) -> bool {
    !path.starts_with('/')
        && !path.ends_with('/')
        && path
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_./".contains(&b))
        && path
            .split('/')
            .all(|segment| !matches!(segment, "" | "." | ".."))
}

fn website_url<'d>(url: &'d str, sink: &mut LayerSink<'_, 'd>) {
    let path = "/websiteUrl";
    let parsed = match sink.url(url) {
        Ok(parsed) => parsed,
        Err(error) => {
            sink.error(
                path,
                "invalid-website-url",
                format!("`{url}` is not a URL: {}", error.0),
            );
            return;
        }
    };
    // Each check stands alone, as in the registry: a relative URL also lacks `https`.
    if parsed.scheme.is_empty() {
        sink.error(
            path,
            "website-url-must-be-absolute",
            format!("`{url}` is not absolute: write the full URL such as `https://{url}`"),
        );
    }
    if parsed.scheme != "https" {
        sink.error(
            path,
            "website-url-invalid-scheme",
            format!("`{url}` must use https: write `https://…`"),
        );
    }
    if let Some((position, c)) = url
        .bytes()
        .enumerate()
        .find(|(_, b)| matches!(b, b'"' | b'\'' | b'<' | b'>' | b' ' | b'\t' | b'\n' | b'\r'))
        .map(|(i, b)| (i, char::from(b)))
    {
        sink.error(
            path,
            "website-url-invalid-characters",
            format!("`{url}` holds {c:?} at position {position}: percent-encode it"),
        );
    }
}

fn icon_src<'d>(path: At<'_>, src: &'d str, sink: &mut LayerSink<'_, 'd>) {
    let at = path.key("src");
    let url = match sink.url(src) {
        Ok(url) => url,
        Err(error) => {
            sink.error(
                at,
                "icon-src-invalid-url",
                format!("`{src}` is not a URL: {}", error.0),
            );
            return;
        }
    };
    if url.scheme.is_empty() {
        sink.error(
            at,
            "icon-src-not-absolute",
            format!("`{src}` is not absolute: write the full `https://` URL of the icon"),
        );
    }
    if url.scheme != "https" {
        let scheme = if url.scheme.is_empty() {
            "no scheme".to_owned()
        } else {
            format!("`{}`", url.scheme)
        };
        sink.error(
            at,
            "icon-src-invalid-scheme",
            format!("icon `{src}` uses {scheme}: serve it over `https://`"),
        );
    }
}

fn package<'d>(path: At<'_>, p: &'d Package, sink: &mut LayerSink<'_, 'd>) {
    if p.identifier().contains(' ') {
        sink.error(
            path.key("identifier"),
            "package-name-has-spaces",
            format!(
                "package identifier `{}` holds a space: remove it",
                p.identifier()
            ),
        );
    }
    if let Some(v) = p.version() {
        version(path.key("version"), v, sink);
    }
    let [runtime_key, package_key] = p.argument_keys();
    for (key, arguments) in [
        (runtime_key, p.runtime_arguments()),
        (package_key, p.package_arguments()),
    ] {
        for (i, argument) in arguments.iter().enumerate() {
            self::argument(path.key(key).index(i), argument, sink);
        }
    }
    if let Some(transport) = p.transport() {
        package_transport(path.key("transport"), p, transport, sink);
    }
}

fn argument(path: At<'_>, a: &Argument, sink: &mut LayerSink<'_, '_>) {
    if a.kind().map(crate::ArgumentType::as_str) != Some("named") {
        return;
    }
    // The registry collects every finding: the value checks run whatever the name is.
    let name = a.name().unwrap_or_default();
    if name.is_empty() {
        sink.error(
            path.key("name"),
            "named-argument-name-required",
            "a named argument needs a `name` such as `--port`",
        );
    } else if name.contains(['<', '>', ' ', '$']) {
        sink.error(
            path.key("name"),
            "invalid-named-argument-name",
            format!("argument name `{name}` holds `<`, `>`, `$` or a space: write the bare flag such as `--port`"),
        );
    }
    let input = a.input();
    if input
        .value()
        .is_some_and(|v| !v.is_empty() && v.starts_with(name))
    {
        sink.error(
            path.key("value"),
            "argument-value-starts-with-name",
            format!("the value of `{name}` repeats the flag: write only the value"),
        );
    }
    if input
        .default_value()
        .is_some_and(|v| !v.is_empty() && v.starts_with(name))
    {
        sink.error(
            path.key("default"),
            "argument-default-starts-with-name",
            format!("the default of `{name}` repeats the flag: write only the value"),
        );
    }
}

fn package_transport<'d>(
    path: At<'_>,
    p: &Package,
    t: &'d Transport,
    sink: &mut LayerSink<'_, 'd>,
) {
    let url = t.url().unwrap_or_default();
    let kind = t.transport_type().map_or("", |k| k.as_str());
    match t.transport_type() {
        Some(TransportType::Stdio) => {
            if !url.is_empty() {
                sink.error(
                    path.key("url"),
                    "stdio-transport-url-not-empty",
                    format!("a stdio transport has no url, but `{url}` is given: remove it"),
                );
            }
        }
        Some(TransportType::StreamableHttp | TransportType::Sse) => {
            if url.is_empty() {
                sink.error(
                    path.key("url"),
                    "streamable-transport-url-required",
                    format!("{} {kind} transport needs a `url` such as `http://localhost:{{port}}/mcp`", if kind == "sse" { "an" } else { "a" }),
                );
                return;
            }
            let known = |v: &str| {
                p.environment_variables().iter().any(|e| e.name() == v)
                    || p.runtime_arguments()
                        .iter()
                        .chain(p.package_arguments())
                        .any(|a| a.name() == Some(v) || a.value_hint() == Some(v))
            };
            let valid = judge(url, |u| sink.url(u)).url;
            templated_url(path.key("url"), url, valid, known, "an environment variable, argument name or value hint", sink);
        }
        _ => sink.error(
            path.key("type"),
            "unsupported-transport-type",
            format!("transport type `{kind}` is not supported: write `stdio`, `streamable-http` or `sse`"),
        ),
    }
}

fn remote<'d>(path: At<'_>, t: &'d Transport, sink: &mut LayerSink<'_, 'd>) {
    let kind = t.transport_type().map_or("", |k| k.as_str());
    if !matches!(
        t.transport_type(),
        Some(TransportType::StreamableHttp | TransportType::Sse)
    ) {
        sink.error(
            path.key("type"),
            "unsupported-remote-transport-type",
            format!(
                "remote transport type `{kind}` is not supported: write `streamable-http` or `sse`"
            ),
        );
        return;
    }
    let url = t.url().unwrap_or_default();
    let verdicts = judge(url, |u| sink.url(u));
    if url.is_empty() {
        sink.error(
            path.key("url"),
            "remote-transport-url-required",
            "a remote needs a `url` such as `https://api.example.com/mcp`",
        );
    } else if let Err(reason) = verdicts.remote {
        sink.error(
            path.key("url"),
            "invalid-remote-url",
            format!("`{url}` is not a valid remote URL: {reason}"),
        );
    }
    // The template check runs on its own, so an empty URL fails it too, as in the registry.
    let known = |v: &str| t.variables().is_some_and(|vars| vars.contains_key(v));
    templated_url(
        path.key("url"),
        url,
        verdicts.url,
        known,
        "a key of `variables`",
        sink,
    );
}

/// `IsValidTemplatedURL`: a valid URL once filled in, and every `{name}` defined.
fn templated_url(
    path: At<'_>,
    url: &str,
    valid: Result<(), String>,
    known: impl Fn(&str) -> bool,
    what: &str,
    sink: &mut LayerSink<'_, '_>,
) {
    if let Err(reason) = valid {
        sink.error(
            path,
            "invalid-templated-url",
            format!("`{url}` is not a valid URL template: {reason}"),
        );
        return;
    }
    if let Some(missing) = variables(url).find(|v| !known(v)) {
        sink.error(
            path,
            "invalid-templated-url",
            format!("`{url}` uses `{{{missing}}}`, which is not defined: name it as {what}"),
        );
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use regex::Regex;

    use super::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn repository_urls_match_the_registry_regexes(
            url in r"(https?://|http:/|ftp://)?(www\.|ww\.)?(github|gitlab)\.com(/[a-zA-Z0-9_.\-é ]{0,4}){0,3}/{0,2}"
        ) {
            for host in ["github", "gitlab"] {
                let pattern = format!(r"^https?://(www\.)?{host}\.com/[0-9A-Za-z_.-]+/[0-9A-Za-z_.-]+/?$");
                let expected = Regex::new(&pattern).unwrap().is_match(&url);
                prop_assert_eq!(repository_url(&url, &format!("{host}.com")), expected, "{}", url);
            }
        }
    }
}
