//! The publish endpoint's request rules (REFERENCE §5.1, §5.4): what the registry's API checks
//! before any semantic rule, including the unknown properties it refuses at every level.
//!
//! The API reads only the camelCase spelling, so the 2025-07-09 snake-case fields count as
//! unknown here, as they do for the registry.

use serde_json::{Map, Value};

use super::LayerSink;
use super::shared;
use crate::model::input::{Argument, Input, KeyValueInput};
use crate::model::meta::{GoSize, Summary};
use crate::model::package::Package;
use crate::model::server::{Icon, ServerJson};
use crate::model::transport::Transport;
use crate::vocab::kinds::InputFormat;
use crate::vocab::pointer::{At, Pointer};
use crate::vocab::registry::{MAX_PUBLISHER_META_BYTES, PUBLISHER_PROVIDED_META};

pub(super) fn check<'d>(d: &'d ServerJson, sink: &mut LayerSink<'_, 'd>) {
    let mut c = Checker { sink };
    c.server(d);
}

struct Checker<'a, 'b, 'd> {
    sink: &'a mut LayerSink<'b, 'd>,
}

impl<'d> Checker<'_, '_, 'd> {
    fn server(&mut self, d: &'d ServerJson) {
        match d.schema.as_deref() {
            // The `$schema` check's own code, so the two layers report it once.
            None => self.sink.error(
                "/$schema",
                "schema-field-required",
                format!(
                    "`$schema` is required: write `{}`",
                    crate::SchemaVersion::CURRENT.url()
                ),
            ),
            Some(schema) => {
                self.length("/$schema", schema, 1, None);
                self.parseable("/$schema", schema);
            }
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
            Some(text) => self.length("/version", text, 1, Some(255)),
        }
        if let Some(title) = d.title.as_deref() {
            self.length("/title", title, 1, Some(100));
        }
        if let Some(url) = d.website_url.as_deref() {
            self.parseable("/websiteUrl", url);
        }
        if let Some(repository) = &d.repository {
            if let Some(url) = repository.url.as_deref() {
                self.parseable("/repository/url", url);
            }
            self.unknown(At::Root.key("repository"), &repository.extra, &[]);
        }
        let mut legacy = Vec::new();
        if d.website_url_snake.is_some() {
            legacy.push("website_url");
        }
        if d.status.is_some() {
            legacy.push("status");
        }
        self.unknown(At::Root, &d.extra, &legacy);
        for (i, icon) in d.icons.iter().flatten().enumerate() {
            self.icon(At::Root.key("icons").index(i), icon);
        }
        for (i, package) in d.packages.iter().flatten().enumerate() {
            self.package(At::Root.key("packages").index(i), package);
        }
        for (i, remote) in d.remotes.iter().flatten().enumerate() {
            self.transport(At::Root.key("remotes").index(i), remote);
        }
        if let Some(meta) = &d.meta {
            self.meta(meta.summary());
        }
    }

    /// `_meta` judged from its summary: reading the text once beats building the object.
    fn meta(&mut self, meta: &Summary) {
        for key in meta.other_keys() {
            self.sink.error(
                At::Root.key("_meta").key(key),
                "meta-key-not-allowed",
                format!("`_meta` key `{key}` is not accepted: put publisher metadata under `{PUBLISHER_PROVIDED_META}`"),
            );
        }
        // An uncounted size is one that cannot exceed the limit.
        if let Some(GoSize::Exact(size)) = meta.publisher_provided_size()
            && size > MAX_PUBLISHER_META_BYTES
        {
            self.sink.error(
                At::Root.key("_meta").key(PUBLISHER_PROVIDED_META),
                "publisher-meta-too-large",
                format!("publisher-provided metadata is {size} bytes of JSON: keep it to at most {MAX_PUBLISHER_META_BYTES}"),
            );
        }
    }

    fn icon(&mut self, path: At<'_>, icon: &'d Icon) {
        shared::icon(self.sink, path, icon, |sink, at, value| {
            parseable_uri(sink, at, value);
        });
        self.unknown(path, &icon.extra, &[]);
    }

    fn package(&mut self, path: At<'_>, p: &'d Package) {
        match &p.registry_type {
            None => self.required(path, "registryType"),
            Some(kind) => self.length(path.key("registryType"), kind.as_str(), 1, None),
        }
        match p.identifier.as_deref() {
            None => self.required(path, "identifier"),
            Some(identifier) => self.length(path.key("identifier"), identifier, 1, None),
        }
        if let Some(version) = p.version.as_deref() {
            self.length(path.key("version"), version, 1, Some(255));
        }
        if let Some(sha) = p.file_sha256.as_deref() {
            shared::sha256(self.sink, path.key("fileSha256"), sha);
        }
        if let Some(base) = p.registry_base_url.as_deref() {
            self.parseable(path.key("registryBaseUrl"), base);
        }
        match &p.transport {
            None => self.required(path, "transport"),
            Some(transport) => self.transport(path.key("transport"), transport),
        }
        for (key, arguments) in [
            ("runtimeArguments", &p.runtime_arguments),
            ("packageArguments", &p.package_arguments),
        ] {
            for (i, argument) in arguments.iter().flatten().enumerate() {
                self.argument(path.key(key).index(i), argument);
            }
        }
        for (i, variable) in p.environment_variables.iter().flatten().enumerate() {
            self.key_value(path.key("environmentVariables").index(i), variable);
        }
        let legacy: Vec<&str> = [
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
        .into_iter()
        .filter_map(|(key, present)| present.then_some(key))
        .collect();
        self.unknown(path, &p.extra, &legacy);
    }

    fn transport(&mut self, path: At<'_>, t: &'d Transport) {
        if t.kind.is_none() {
            self.required(path, "type");
        }
        for (i, header) in t.headers.iter().flatten().enumerate() {
            self.key_value(path.key("headers").index(i), header);
        }
        for (name, variable) in t.variables.iter().flatten() {
            self.plain_input(path.key("variables").key(name), variable);
        }
        self.unknown(path, &t.extra, &[]);
    }

    fn argument(&mut self, path: At<'_>, a: &Argument) {
        if a.kind.is_none() {
            self.required(path, "type");
        }
        let mut legacy = Vec::new();
        if a.value_hint_snake.is_some() {
            legacy.push("value_hint");
        }
        if a.is_repeated_snake.is_some() {
            legacy.push("is_repeated");
        }
        self.input_with_variables(path, &a.input, &legacy);
    }

    fn key_value(&mut self, path: At<'_>, kv: &KeyValueInput) {
        if kv.name.is_none() {
            self.required(path, "name");
        }
        self.input_with_variables(path, &kv.input, &[]);
    }

    fn input_with_variables(&mut self, path: At<'_>, input: &Input, legacy: &[&str]) {
        self.input_fields(path, input, legacy);
        for (name, variable) in input.variables.iter().flatten() {
            self.plain_input(path.key("variables").key(name), variable);
        }
    }

    /// An `Input` inside `variables`: the API's `Input` has no `variables` of its own.
    fn plain_input(&mut self, path: At<'_>, input: &Input) {
        let legacy: &[&str] = if input.variables.is_some() {
            &["variables"]
        } else {
            &[]
        };
        self.input_fields(path, input, legacy);
    }

    fn input_fields(&mut self, path: At<'_>, input: &Input, legacy: &[&str]) {
        if let Some(format @ InputFormat::Unknown(_)) = &input.format {
            self.one_of(
                path.key("format"),
                format.as_str(),
                &["string", "number", "boolean", "filepath"],
            );
        }
        let mut unknown: Vec<&str> = legacy.to_vec();
        if input.is_required_snake.is_some() {
            unknown.push("is_required");
        }
        if input.is_secret_snake.is_some() {
            unknown.push("is_secret");
        }
        self.unknown(path, &input.extra, &unknown);
    }

    fn unknown(&mut self, path: At<'_>, extra: &Map<String, Value>, legacy: &[&str]) {
        for key in legacy
            .iter()
            .copied()
            .chain(extra.keys().map(String::as_str))
        {
            let hint = camel_case(key).map_or_else(
                || "remove it".to_owned(),
                |camel| format!("write `{camel}` instead"),
            );
            self.sink.error(
                path.key(key),
                "unknown-property",
                format!("the registry does not accept property `{key}`: {hint}"),
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

    /// The API's `format: uri` is only "Go parses it"; relative references pass.
    fn parseable(&mut self, path: impl Pointer, value: &'d str) {
        parseable_uri(self.sink, path, value);
    }
}

/// The API's `format: uri` is only "Go parses it"; relative references pass.
fn parseable_uri<'d>(sink: &mut LayerSink<'_, 'd>, path: impl Pointer, value: &'d str) {
    // Nearly every document names the current schema: known to parse (it is even absolute,
    // which a test in the JSON Schema layer pins).
    if value == crate::vocab::registry::CURRENT_SCHEMA_URL {
        return;
    }
    if let Err(error) = sink.url(value) {
        sink.error(
            path,
            "format",
            format!("`{value}` is not a URI: {}", error.0),
        );
    }
}

/// The camelCase spelling of a 2025-07-09 field name, when it has one.
fn camel_case(key: &str) -> Option<String> {
    if !key.contains('_') || key.starts_with('_') {
        return None;
    }
    let mut out = String::with_capacity(key.len());
    let mut upper = false;
    for c in key.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legacy_names_map_to_camel_case() {
        assert_eq!(camel_case("registry_type").as_deref(), Some("registryType"));
        assert_eq!(camel_case("file_sha256").as_deref(), Some("fileSha256"));
        assert_eq!(camel_case("tools"), None);
    }
}
