//! Each model type's wire names, in one table per type: the keys the reader fills, the writer
//! writes and the JSON Schema lists, and where each value goes (the syntax is in
//! [`table`](super::table)).

use std::collections::BTreeMap;

use serde_json::Value;

use super::table::wire_fields;
use super::{FillValue, fill_fields};
use crate::model::input::{Argument, Input, KeyValueInput};
use crate::model::meta::Meta;
use crate::model::package::Package;
use crate::model::problem::{ProblemDetails, ProblemError};
use crate::model::response::{
    ListMetadata, OfficialMeta, ResponseMeta, ServerList, ServerResponse, StatusUpdateResponse,
};
use crate::model::server::{Icon, Repository, ServerJson};
use crate::model::transport::Transport;
use crate::vocab::extra::Extra;
use crate::vocab::kinds::{ArgumentType, InputFormat, RegistryType, Status, TransportType};
use crate::vocab::small_text::SmallText;

wire_fields!(Input {
    "description" => description: Option<SmallText> [text],
    "isRequired" => is_required: Option<bool>,
    legacy "is_required" => is_required_snake: Option<bool>,
    "format" => format: Option<InputFormat> [text],
    "value" => value: Option<SmallText> [text],
    "isSecret" => is_secret: Option<bool>,
    legacy "is_secret" => is_secret_snake: Option<bool>,
    "default" => default: Option<SmallText> [text],
    "placeholder" => placeholder: Option<SmallText> [text],
    "choices" => choices: Option<Vec<SmallText>>,
    "variables" => variables: Option<BTreeMap<String, Input>>,
} extra = extra);

wire_fields!(KeyValueInput {
    required "name" => name: Option<SmallText> [text],
} inner = input: Input);

wire_fields!(Argument {
    required "type" => kind: Option<ArgumentType> [text],
    "name" => name: Option<SmallText> [text],
    "valueHint" => value_hint: Option<SmallText> [text],
    legacy "value_hint" => value_hint_snake: Option<SmallText> [text],
    "isRepeated" => is_repeated: Option<bool>,
    legacy "is_repeated" => is_repeated_snake: Option<bool>,
} inner = input: Input);

wire_fields!(Package {
    required "registryType" => registry_type: Option<RegistryType> [text],
    legacy "registry_type" => registry_type_snake: Option<RegistryType> [text],
    "registryBaseUrl" => registry_base_url: Option<SmallText> [text],
    legacy "registry_base_url" => registry_base_url_snake: Option<SmallText> [text],
    required "identifier" => identifier: Option<SmallText> [text],
    "version" => version: Option<SmallText> [text],
    "fileSha256" => file_sha256: Option<SmallText> [text],
    legacy "file_sha256" => file_sha256_snake: Option<SmallText> [text],
    "runtimeHint" => runtime_hint: Option<SmallText> [text],
    legacy "runtime_hint" => runtime_hint_snake: Option<SmallText> [text],
    required "transport" => transport: Option<Transport> [fill],
    "runtimeArguments" => runtime_arguments: Option<Vec<Argument>> [fill],
    legacy "runtime_arguments" => runtime_arguments_snake: Option<Vec<Argument>> [fill],
    "packageArguments" => package_arguments: Option<Vec<Argument>> [fill],
    legacy "package_arguments" => package_arguments_snake: Option<Vec<Argument>> [fill],
    "environmentVariables" => environment_variables: Option<Vec<KeyValueInput>> [fill],
    legacy "environment_variables" => environment_variables_snake: Option<Vec<KeyValueInput>> [fill],
} extra = extra);

wire_fields!(ProblemDetails {
    "type" => kind: Option<String>,
    "title" => title: Option<String>,
    "status" => status: Option<u16>,
    "detail" => detail: Option<String>,
    "instance" => instance: Option<String>,
    "errors" => errors: Option<Vec<ProblemError>>,
    "error" => error: Option<String>,
} extra = extra);

wire_fields!(ProblemError {
    "message" => message: Option<String>,
    "location" => location: Option<String>,
    "value" => value: Option<Value>,
} extra = extra);

wire_fields!(Transport {
    required "type" => kind: Option<TransportType> [text],
    "url" => url: Option<SmallText> [text],
    "headers" => headers: Option<Vec<KeyValueInput>> [fill],
    "variables" => variables: Option<BTreeMap<String, Input>>,
} extra = extra);

wire_fields!(ServerJson {
    "$schema" => schema: Option<SmallText> [text],
    required "name" => name: Option<SmallText> [text],
    required "description" => description: Option<SmallText> [text],
    "title" => title: Option<SmallText> [text],
    "repository" => repository: Option<Repository> [fill],
    required "version" => version: Option<SmallText> [text],
    "websiteUrl" => website_url: Option<SmallText> [text],
    legacy "website_url" => website_url_snake: Option<SmallText> [text],
    "icons" => icons: Option<Vec<Icon>> [fill],
    "packages" => packages: Option<Vec<Package>> [fill],
    "remotes" => remotes: Option<Vec<Transport>> [fill],
    // Only the 2025-07-09 and 2025-09-16 schemas carried `status` in the document.
    legacy "status" => status: Option<Status> [text],
    "_meta" => meta: Option<Box<Meta>>,
} extra = extra,
    title = "server.json defining a Model Context Protocol (MCP) server",
    description = "A static representation of an MCP server: what it is and how to install or \
        reach it.");

wire_fields!(Repository {
    required "url" => url: Option<SmallText> [text],
    required "source" => source: Option<SmallText> [text],
    "id" => id: Option<SmallText> [text],
    "subfolder" => subfolder: Option<SmallText> [text],
} extra = extra);

wire_fields!(Icon {
    required "src" => src: Option<SmallText> [text],
    "mimeType" => mime_type: Option<SmallText> [text],
    "sizes" => sizes: Option<Vec<SmallText>>,
    "theme" => theme: Option<SmallText> [text],
} extra = extra);

wire_fields!(ServerResponse {
    strict "server" => server: ServerJson,
    "_meta" => meta: Option<ResponseMeta> [fill],
} extra = extra);

wire_fields!(ResponseMeta {
    "io.modelcontextprotocol.registry/official" => official: Option<OfficialMeta> [fill],
} extra = extra);

wire_fields!(OfficialMeta {
    "status" => status: Option<Status> [text],
    "statusChangedAt" => status_changed_at: Option<SmallText> [text],
    "statusMessage" => status_message: Option<SmallText> [text],
    "publishedAt" => published_at: Option<SmallText> [text],
    "updatedAt" => updated_at: Option<SmallText> [text],
    "isLatest" => is_latest: Option<bool>,
} extra = extra);

wire_fields!(ServerList {
    strict "servers" => servers: Vec<ServerResponse>,
    "metadata" => metadata: Option<ListMetadata> [fill],
} extra = extra);

wire_fields!(ListMetadata {
    "nextCursor" => next_cursor: Option<SmallText> [text],
    "count" => count: Option<u64>,
} aliases {
    "next_cursor" => next_cursor [text],
} extra = extra);

wire_fields!(StatusUpdateResponse {
    "updatedCount" => updated_count: u64,
    "servers" => servers: Vec<ServerResponse>,
} extra = extra);

impl FillValue for ServerResponse {
    fn empty() -> Self {
        // No `Default`: a response without its document is not one.
        Self {
            server: ServerJson::default(),
            meta: None,
            extra: Extra::default(),
        }
    }

    fn fill_value<'de, D: serde::Deserializer<'de>>(
        &mut self,
        deserializer: D,
    ) -> Result<(), D::Error> {
        fill_fields(self, deserializer)
    }
}

#[cfg(test)]
mod tests {
    use std::fmt::Debug;

    use serde::Serialize;
    use serde::de::DeserializeOwned;
    use serde_json::{Map, Value};

    use super::*;
    use crate::wire::WireFields;
    use crate::wire::error::{parse_slice, parse_slice_with_serde_json};
    use crate::wire::table::Role;
    use crate::wire::table::samples::{Sample, Samples};

    /// Every key the writer writes, the reader reads back into the same field: a fully
    /// populated value (every field set, the older spellings and unknown fields too) comes back
    /// equal through each reader, written in table order; and each alias reads into the field
    /// it shares. The values all differ, and the flags follow six patterns, so a key read into
    /// another field of its type shows.
    fn round_trips<T>()
    where
        T: Sample + WireFields + FillValue + Serialize + DeserializeOwned + PartialEq + Debug,
    {
        let mut expected = Vec::new();
        T::written_keys(&mut expected);
        for pattern in 0..6 {
            // Bit `i` of the mask is bit `pattern` of `i`: any two flags differ in some run.
            let mask = (0..64u64).fold(0, |mask, i| mask | ((i >> pattern) & 1) << i);
            let value = T::sample(3, &mut Samples::new(mask));
            let text = serde_json::to_string(&value).unwrap();
            let Value::Object(written) = serde_json::from_str(&text).unwrap() else {
                panic!("{text} is not an object");
            };
            let keys: Vec<&str> = written.keys().map(String::as_str).collect();
            assert_eq!(keys, expected, "{}", std::any::type_name::<T>());

            let fast: T = parse_slice(text.as_bytes()).unwrap();
            assert_eq!(fast, value, "{text}");
            let slow: T = parse_slice_with_serde_json(text.as_bytes()).unwrap();
            assert_eq!(slow, value, "{text}");
            let pretty = serde_json::to_string_pretty(&value).unwrap();
            assert_eq!(parse_slice::<T>(pretty.as_bytes()).unwrap(), value);
            let from_value: T = serde_json::from_value(Value::Object(written.clone())).unwrap();
            assert_eq!(from_value, value, "{text}");

            for alias in T::ENTRIES.iter().filter(|e| e.role == Role::Alias) {
                let shared = T::ENTRIES
                    .iter()
                    .find(|e| e.role != Role::Alias && e.field == alias.field)
                    .unwrap();
                let renamed: Map<String, Value> = written
                    .iter()
                    .map(|(key, v)| {
                        let key = if key == shared.key { alias.key } else { key };
                        (key.to_owned(), v.clone())
                    })
                    .collect();
                let text = serde_json::to_string(&renamed).unwrap();
                assert_eq!(parse_slice::<T>(text.as_bytes()).unwrap(), value, "{text}");
                assert_eq!(
                    parse_slice_with_serde_json::<T>(text.as_bytes()).unwrap(),
                    value
                );
                // Written back under the entry's own key.
                let again = serde_json::to_string(&parse_slice::<T>(text.as_bytes()).unwrap());
                assert_eq!(again.unwrap(), serde_json::to_string(&value).unwrap());
            }
        }
    }

    #[test]
    fn every_key_written_is_read_back_into_its_field() {
        round_trips::<Input>();
        round_trips::<KeyValueInput>();
        round_trips::<Argument>();
        round_trips::<Package>();
        round_trips::<ProblemDetails>();
        round_trips::<ProblemError>();
        round_trips::<Transport>();
        round_trips::<ServerJson>();
        round_trips::<Repository>();
        round_trips::<Icon>();
        round_trips::<ServerResponse>();
        round_trips::<ResponseMeta>();
        round_trips::<OfficialMeta>();
        round_trips::<ServerList>();
        round_trips::<ListMetadata>();
        round_trips::<StatusUpdateResponse>();
        // Every table in this file is above.
        let tables = include_str!("records.rs")
            .matches("\nwire_fields!(")
            .count();
        let tested = include_str!("records.rs")
            .matches("\n        round_trips::<")
            .count();
        assert_eq!(tables, tested);
    }

    /// The schema's properties are the written keys but the older spellings, in table order
    /// (an inner type's after), and its required list is the `required` and `strict` entries.
    #[cfg(feature = "schema")]
    #[test]
    fn the_schema_lists_the_table_but_the_older_spellings() {
        fn keys<T: schemars::JsonSchema>() -> (Vec<String>, Value) {
            let schema = schemars::schema_for!(T).to_value();
            let properties = schema["properties"].as_object().unwrap().keys().cloned();
            (properties.collect(), schema["required"].clone())
        }
        let (properties, required) = keys::<Package>();
        assert_eq!(
            properties,
            [
                "registryType",
                "registryBaseUrl",
                "identifier",
                "version",
                "fileSha256",
                "runtimeHint",
                "transport",
                "runtimeArguments",
                "packageArguments",
                "environmentVariables"
            ]
        );
        assert_eq!(
            required,
            serde_json::json!(["registryType", "identifier", "transport"])
        );
        let (properties, required) = keys::<Argument>();
        assert_eq!(
            properties[..5],
            ["type", "name", "valueHint", "isRepeated", "description"]
        );
        assert!(
            !properties.iter().any(|key| key.contains('_')),
            "{properties:?}"
        );
        assert_eq!(required, serde_json::json!(["type"]));
        let (properties, required) = keys::<ListMetadata>();
        assert_eq!(
            (properties, required),
            (
                vec!["nextCursor".to_owned(), "count".to_owned()],
                Value::Null
            )
        );
        let (properties, required) = keys::<ServerResponse>();
        assert_eq!(properties, ["server", "_meta"]);
        assert_eq!(required, serde_json::json!(["server"]));
        let (properties, _) = keys::<ServerJson>();
        assert!(
            !properties
                .iter()
                .any(|key| key == "status" || key == "website_url")
        );
    }

    #[test]
    fn a_missing_strict_key_is_refused_after_the_object() {
        // Reported where it always was: once the object is read, outside serde_json's map, so
        // at no position at the top and just after the object inside an array.
        let error = ServerResponse::from_slice(b"{\"_meta\": {}}\n").unwrap_err();
        assert_eq!(
            (error.message(), error.line(), error.column()),
            ("missing field `server`", 0, 1)
        );
        let error = crate::ServerList::from_slice(br#"{"metadata": {}, "servers": [{"x": 1}]}"#)
            .unwrap_err();
        assert_eq!((error.path(), error.column()), ("/servers/0", 38));
    }
}
