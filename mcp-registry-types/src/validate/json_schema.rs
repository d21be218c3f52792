//! The JSON Schema layer: each published schema version's constraints, as code.
//!
//! The official schemas are small and fixed, so their rules are written out here rather than
//! interpreted from the schema files at run time;
//! `json_schema_layer_matches_the_official_schemas` in `tests/conformance.rs` holds this layer
//! against the official files through the `jsonschema` crate.

use super::shared;
use super::{LayerSink, SchemaVersion};
use crate::model::input::{Argument, Input, KeyValueInput};
use crate::model::package::Package;
use crate::model::server::ServerJson;
use crate::model::transport::Transport;
use crate::vocab::go_url;
use crate::vocab::kinds::{ArgumentType, InputFormat, Status, TransportType};
use crate::vocab::pointer::{At, Pointer};
use crate::vocab::registry::{OFFICIAL_META, PUBLISHER_PROVIDED_META};

pub(super) fn check<'d>(
    document: &'d ServerJson,
    version: SchemaVersion,
    sink: &mut LayerSink<'_, 'd>,
) {
    let mut c = Checker { version, sink };
    c.server(document);
}

struct Checker<'a, 'b, 'd> {
    version: SchemaVersion,
    sink: &'a mut LayerSink<'b, 'd>,
}

/// The property a version spells a field with, and the value under that spelling.
fn spelled<'a, T>(
    snake: bool,
    camel_key: &'static str,
    camel: Option<&'a T>,
    snake_key: &'static str,
    snaked: Option<&'a T>,
) -> (&'static str, Option<&'a T>) {
    if snake {
        (snake_key, snaked)
    } else {
        (camel_key, camel)
    }
}

impl<'d> Checker<'_, '_, 'd> {
    fn server(&mut self, d: &'d ServerJson) {
        let snake = self.version.snake_case();
        if let Some(schema) = d.schema.as_deref() {
            self.uri("/$schema", schema);
        }
        match d.name.as_deref() {
            None => self.required(At::Root, "name"),
            Some(name) => shared::name(self.sink, name),
        }
        match d.description.as_deref() {
            None => self.required(At::Root, "description"),
            Some(text) => self.length("/description", text, 1, Some(100)),
        }
        match d.version.as_deref() {
            None => self.required(At::Root, "version"),
            Some(text) => self.length("/version", text, 0, Some(255)),
        }
        if self.version.has_icons_and_title()
            && let Some(title) = d.title.as_deref()
        {
            self.length("/title", title, 1, Some(100));
        }
        if let Some(repository) = &d.repository {
            match repository.url.as_deref() {
                None => self.required(At::Root.key("repository"), "url"),
                Some(url) => self.uri("/repository/url", url),
            }
            if repository.source.is_none() {
                self.required(At::Root.key("repository"), "source");
            }
        }
        let (key, website) = spelled(
            snake,
            "websiteUrl",
            d.website_url.as_ref(),
            "website_url",
            d.website_url_snake.as_ref(),
        );
        if let Some(url) = website {
            self.uri(At::Root.key(key), url);
        }
        if self.version.status_in_document()
            && let Some(status @ Status::Unknown(_)) = &d.status
        {
            self.one_of(
                "/status",
                status.as_str(),
                &["active", "deprecated", "deleted"],
            );
        }
        if self.version.has_icons_and_title() {
            for (i, icon) in d.icons.iter().flatten().enumerate() {
                self.icon(At::Root.key("icons").index(i), icon);
            }
        }
        if let Some(meta) = &d.meta {
            let meta = meta.summary();
            let mut objects = vec![PUBLISHER_PROVIDED_META];
            if self.version.status_in_document() {
                objects.push(OFFICIAL_META);
            }
            for key in objects {
                if meta.is_object(key) == Some(false) {
                    self.sink.error(
                        At::Root.key("_meta").key(key),
                        "type",
                        format!("`{key}` must be an object"),
                    );
                }
            }
        }
        for (i, package) in d.packages.iter().flatten().enumerate() {
            self.package(At::Root.key("packages").index(i), package);
        }
        for (i, remote) in d.remotes.iter().flatten().enumerate() {
            self.transport(At::Root.key("remotes").index(i), remote, true);
        }
    }

    fn icon(&mut self, path: At<'_>, icon: &'d crate::model::server::Icon) {
        shared::icon(self.sink, path, icon, |sink, at, value| {
            absolute_uri(sink, at, value);
        });
    }

    fn package(&mut self, path: At<'_>, p: &'d Package) {
        let snake = self.version.snake_case();
        if self.version.closed_package() {
            self.closed_package(path, p);
        }
        let (key, registry_type) = spelled(
            snake,
            "registryType",
            p.registry_type.as_ref(),
            "registry_type",
            p.registry_type_snake.as_ref(),
        );
        if registry_type.is_none() {
            self.required(path, key);
        }
        if p.identifier.is_none() {
            self.required(path, "identifier");
        }
        match p.version.as_deref() {
            None if self.version.closed_package() => self.required(path, "version"),
            None => {}
            Some(version) => {
                let at = path.key("version");
                let max = self.version.split_transports().then_some(255);
                self.length(at, version, 1, max);
                if version == "latest" {
                    self.sink.error(at, "not-latest", "a package version must not be `latest`: write the specific version such as `1.0.0`");
                }
            }
        }
        let (key, sha) = spelled(
            snake,
            "fileSha256",
            p.file_sha256.as_ref(),
            "file_sha256",
            p.file_sha256_snake.as_ref(),
        );
        if let Some(sha) = sha {
            shared::sha256(self.sink, path.key(key), sha);
        }
        let (key, base) = spelled(
            snake,
            "registryBaseUrl",
            p.registry_base_url.as_ref(),
            "registry_base_url",
            p.registry_base_url_snake.as_ref(),
        );
        if let Some(base) = base {
            self.uri(path.key(key), base);
        }
        match &p.transport {
            None => self.required(path, "transport"),
            Some(transport) => self.transport(path.key("transport"), transport, false),
        }
        let lists = [
            spelled(
                snake,
                "runtimeArguments",
                p.runtime_arguments.as_ref(),
                "runtime_arguments",
                p.runtime_arguments_snake.as_ref(),
            ),
            spelled(
                snake,
                "packageArguments",
                p.package_arguments.as_ref(),
                "package_arguments",
                p.package_arguments_snake.as_ref(),
            ),
        ];
        for (key, arguments) in lists {
            for (i, argument) in arguments.into_iter().flatten().enumerate() {
                self.argument(path.key(key).index(i), argument);
            }
        }
        let (key, variables) = spelled(
            snake,
            "environmentVariables",
            p.environment_variables.as_ref(),
            "environment_variables",
            p.environment_variables_snake.as_ref(),
        );
        for (i, variable) in variables.into_iter().flatten().enumerate() {
            self.key_value(path.key(key).index(i), variable);
        }
    }

    /// `additionalProperties: false` on `Package` up to 2025-09-29.
    fn closed_package(&mut self, path: At<'_>, p: &Package) {
        let snake = self.version.snake_case();
        let other_spelling: [(&str, bool); 7] = if snake {
            [
                ("registryType", p.registry_type.is_some()),
                ("registryBaseUrl", p.registry_base_url.is_some()),
                ("fileSha256", p.file_sha256.is_some()),
                ("runtimeHint", p.runtime_hint.is_some()),
                ("runtimeArguments", p.runtime_arguments.is_some()),
                ("packageArguments", p.package_arguments.is_some()),
                ("environmentVariables", p.environment_variables.is_some()),
            ]
        } else {
            [
                ("registry_type", p.registry_type_snake.is_some()),
                ("registry_base_url", p.registry_base_url_snake.is_some()),
                ("file_sha256", p.file_sha256_snake.is_some()),
                ("runtime_hint", p.runtime_hint_snake.is_some()),
                ("runtime_arguments", p.runtime_arguments_snake.is_some()),
                ("package_arguments", p.package_arguments_snake.is_some()),
                (
                    "environment_variables",
                    p.environment_variables_snake.is_some(),
                ),
            ]
        };
        let unknown = other_spelling
            .iter()
            .filter(|(_, present)| *present)
            .map(|(key, _)| *key);
        for key in unknown.chain(p.extra.keys().map(String::as_str)) {
            self.sink.error(
                path.key(key),
                "additional-property",
                format!(
                    "`{key}` is not a package property in schema {}: remove it",
                    self.version
                ),
            );
        }
    }

    fn transport(&mut self, path: At<'_>, t: &'d Transport, remote: bool) {
        let allowed: &[&str] = if remote {
            &["streamable-http", "sse"]
        } else {
            &["stdio", "streamable-http", "sse"]
        };
        match &t.kind {
            None => self.required(path, "type"),
            Some(TransportType::Stdio) if !remote => {}
            Some(kind @ (TransportType::StreamableHttp | TransportType::Sse)) => {
                match t.url.as_deref() {
                    None => self.required(path, "url"),
                    Some(url) => self.transport_url(path.key("url"), url, kind),
                }
                for (i, header) in t.headers.iter().flatten().enumerate() {
                    self.key_value(path.key("headers").index(i), header);
                }
            }
            Some(other) => self.one_of(path.key("type"), other.as_str(), allowed),
        }
        if remote && self.version.split_transports() {
            for (name, input) in t.variables.iter().flatten() {
                self.input(path.key("variables").key(name), input);
            }
        }
    }

    fn transport_url(&mut self, path: At<'_>, url: &'d str, kind: &TransportType) {
        match self.version {
            SchemaVersion::Draft => {
                if !http_url_pattern(url) && !leading_variable_pattern(url) {
                    self.sink.error(path, "pattern", format!("`{url}` must start with `http://`, `https://` or a `{{variable}}` and hold no white space"));
                }
            }
            v if v.split_transports() => {
                if !http_url_pattern(url) {
                    self.sink.error(path, "pattern", format!("`{url}` must start with `http://` or `https://` and hold no white space"));
                }
            }
            _ => {
                if *kind == TransportType::Sse {
                    self.uri(path, url);
                }
            }
        }
    }

    fn argument(&mut self, path: At<'_>, a: &Argument) {
        let snake = self.version.snake_case();
        match &a.kind {
            None => self.required(path, "type"),
            Some(ArgumentType::Positional) => {
                let (hint_key, hint) = spelled(
                    snake,
                    "valueHint",
                    a.value_hint.as_ref(),
                    "value_hint",
                    a.value_hint_snake.as_ref(),
                );
                if hint.is_none() && a.input.value.is_none() {
                    self.sink.error(
                        path.key(hint_key),
                        "required",
                        format!("a positional argument needs `{hint_key}` or `value`: add `\"{hint_key}\": \"label\"`"),
                    );
                }
            }
            Some(ArgumentType::Named) => {
                if a.name.is_none() {
                    self.required(path, "name");
                }
            }
            Some(other) => self.one_of(path.key("type"), other.as_str(), &["positional", "named"]),
        }
        self.input_with_variables(path, &a.input);
    }

    fn key_value(&mut self, path: At<'_>, kv: &KeyValueInput) {
        if kv.name.is_none() {
            self.required(path, "name");
        }
        self.input_with_variables(path, &kv.input);
    }

    fn input_with_variables(&mut self, path: At<'_>, input: &Input) {
        self.input(path, input);
        for (name, variable) in input.variables.iter().flatten() {
            self.input(path.key("variables").key(name), variable);
        }
    }

    fn input(&mut self, path: At<'_>, input: &Input) {
        if let Some(format @ InputFormat::Unknown(_)) = &input.format {
            self.one_of(
                path.key("format"),
                format.as_str(),
                &["string", "number", "boolean", "filepath"],
            );
        }
    }

    fn required(&mut self, parent: At<'_>, key: &str) {
        shared::required(self.sink, parent, key);
    }

    fn length(&mut self, path: impl Pointer, text: &str, min: usize, max: Option<usize>) {
        shared::check_length(self.sink, path, text, min, max);
    }

    fn one_of(&mut self, path: impl Pointer, value: &str, allowed: &[&str]) {
        shared::one_of(self.sink, path, value, allowed);
    }

    fn uri(&mut self, path: impl Pointer, value: &'d str) {
        absolute_uri(self.sink, path, value);
    }
}

/// The JSON Schema's `format: uri` check.
fn absolute_uri<'d>(sink: &mut LayerSink<'_, 'd>, path: impl Pointer, value: &'d str) {
    // Nearly every document names the current schema, a known absolute URL.
    if value == crate::vocab::registry::CURRENT_SCHEMA_URL {
        return;
    }
    if !absolute(sink.url(value).as_ref()) {
        sink.error(
            path,
            "format",
            format!(
                "`{value}` is not an absolute URI: write a full URL such as `https://example.com/`"
            ),
        );
    }
}

#[cfg(test)]
fn is_absolute_uri(value: &str) -> bool {
    absolute(go_url::parse(value).as_ref())
}

/// `format: uri` as the registry's JSON Schema library decides it, from Go's parse of the
/// value: Go parses it, it has a scheme, and a host with a colon is a bracketed IPv6 address.
fn absolute(parsed: Result<&go_url::GoUrl<'_>, &go_url::GoUrlError>) -> bool {
    let Ok(url) = parsed else {
        return false;
    };
    if url.scheme.is_empty() {
        return false;
    }
    // Go refuses a second colon outside brackets, so only a bracketed host name holds one.
    let host = url.hostname();
    if url.host.starts_with('[') && host.contains(':') {
        return host.parse::<std::net::Ipv6Addr>().is_ok();
    }
    true
}

/// Whether `text` holds a Go `\s` byte, in a loop without early exit (it vectorises).
fn has_go_space(text: &str) -> bool {
    text.bytes()
        .filter(|&b| matches!(b, b'\t' | b'\n' | 0x0c | b'\r' | b' '))
        .count()
        > 0
}

/// `^https?://[^\s]+$`.
fn http_url_pattern(url: &str) -> bool {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    rest.is_some_and(|rest| !rest.is_empty() && !has_go_space(rest))
}

/// `^\{[a-zA-Z_][a-zA-Z0-9_]*\}[^\s]*$`.
fn leading_variable_pattern(url: &str) -> bool {
    let Some(rest) = url.strip_prefix('{') else {
        return false;
    };
    let Some((name, tail)) = rest.split_once('}') else {
        return false;
    };
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !has_go_space(tail)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uri_format_needs_a_scheme() {
        assert!(is_absolute_uri("https://example.com"));
        assert!(is_absolute_uri("mailto:someone@example.com"));
        assert!(!is_absolute_uri("example.com/path"));
        assert!(!is_absolute_uri("https://exa mple.com"));
        assert!(is_absolute_uri("https://[::1]:8080/"));
        // `absolute_uri` (and the publish layer) take this on trust, skipping the parse.
        assert!(is_absolute_uri(crate::vocab::registry::CURRENT_SCHEMA_URL));
    }
}
