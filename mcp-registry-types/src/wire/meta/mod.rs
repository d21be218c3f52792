//! Reading and writing the document-level `_meta` object.
//!
//! The model keeps `_meta` as the text it was read from ([`Meta`]); reading captures that text
//! and takes, in the same pass, the [`Summary`] validation needs, so the object itself is only
//! built when someone asks for it.

mod check;
mod go_json;
mod summary;

use serde::de::{self, Deserialize, Deserializer};
use serde::{Serialize, Serializer};
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use crate::model::meta::{Meta, Summary};

/// The most bytes Go's `json.Marshal` writes for one byte of `_meta` text the fast reader
/// takes (a test holds this).
#[cfg(feature = "fast-json")]
const GO_BYTES_PER_FAST_BYTE: usize = 6;

impl From<Map<String, Value>> for Meta {
    fn from(map: Map<String, Value>) -> Self {
        // Summarised now, while the map is at hand: the summary of read text comes from the
        // read, and every `Meta` has one.
        let summary = Summary::read(&map).unwrap_or_default();
        Self::built(map, summary)
    }
}

impl<'de> Deserialize<'de> for Meta {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = Box::<RawValue>::deserialize(deserializer)?;
        // Capturing the text only checks JSON syntax; refuse here whatever a `Map` refused,
        // in its words, so the same documents parse as before. The pass that checks is the
        // one validation needs, so it runs once, here.
        #[cfg(feature = "fast-json")]
        if let Ok(summary) = summary_fast(raw.get()) {
            return Ok(Self::read(raw, summary));
        }
        let summary = Summary::read(&mut serde_json::Deserializer::from_str(raw.get()))
            .map_err(|error| de::Error::custom(super::error::without_position(&error)))?;
        Ok(Self::read(raw, summary))
    }
}

/// The summary of `text` by the fast reader, which makes `serde_json`'s visitor calls or
/// refuses; what it accepts (no escapes, integers of at most 18 digits) `serde_json` accepts
/// too. In that subset Go writes no byte as more than six (`<` as `\u003c`; an integer gains at
/// most a digit), so text within a sixth of the limit need not have its size counted.
#[cfg(feature = "fast-json")]
fn summary_fast(text: &str) -> Result<Summary, super::fast_json::Refused> {
    use crate::vocab::registry::MAX_PUBLISHER_META_BYTES;

    let bound = GO_BYTES_PER_FAST_BYTE.saturating_mul(text.len());
    if bound <= MAX_PUBLISHER_META_BYTES {
        super::fast_json::read_with(text, |reader| Summary::read_shapes(reader, bound))
    } else {
        super::fast_json::read_with(text, |reader| Summary::read(reader))
    }
}

impl Serialize for Meta {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        // Through the object, not the text: the text may be pretty-printed or repeat a key,
        // and the output must not depend on how the input was spelled.
        self.map().serialize(serializer)
    }
}

/// Described as the object it holds.
#[cfg(feature = "schema")]
impl schemars::JsonSchema for Meta {
    fn inline_schema() -> bool {
        <Map<String, Value>>::inline_schema()
    }

    fn schema_name() -> std::borrow::Cow<'static, str> {
        <Map<String, Value>>::schema_name()
    }

    fn schema_id() -> std::borrow::Cow<'static, str> {
        <Map<String, Value>>::schema_id()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        <Map<String, Value>>::json_schema(generator)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use serde_json::value::RawValue;

    use super::Meta;
    use crate::ServerJson;

    fn parse(text: &str) -> ServerJson {
        ServerJson::from_slice(text.as_bytes()).unwrap()
    }

    #[test]
    fn reading_does_not_parse_the_object_and_asking_does() {
        let doc = parse(r#"{"_meta": {"a": [1, {"b": "c"}]}}"#);
        let meta = doc.meta.as_ref().unwrap();
        let raw = meta.raw().map(RawValue::get);
        assert_eq!(raw, Some(r#"{"a": [1, {"b": "c"}]}"#));
        assert!(!meta.is_parsed());
        assert_eq!(doc.meta(), json!({"a": [1, {"b": "c"}]}).as_object());
        assert!(meta.is_parsed());
    }

    #[test]
    fn validating_reads_the_text_without_parsing_the_object() {
        // The escaped key is the publisher's; the repeated one is reported once.
        let doc = parse(
            r#"{"_meta": {"io.modelcontextprotocol.registry\/publisher-provided": {"a": 1},
                "tools": 2, "tools": {}}}"#,
        );
        let codes: Vec<_> = crate::validate(&doc)
            .findings()
            .iter()
            .map(|f| (f.path().to_owned(), f.code()))
            .filter(|(path, _)| path.starts_with("/_meta"))
            .collect();
        assert_eq!(codes, [("/_meta/tools".to_owned(), "meta-key-not-allowed")]);
        let meta = doc.meta.as_ref().unwrap();
        assert!(!meta.is_parsed());
    }

    #[test]
    fn small_text_is_not_counted_and_larger_text_is() {
        let small = parse(
            r#"{"_meta": {"io.modelcontextprotocol.registry/publisher-provided": {"a": "<"}}}"#,
        );
        let text_len =
            r#"{"io.modelcontextprotocol.registry/publisher-provided": {"a": "<"}}"#.len();
        // Only the fast reader skips the count; serde_json alone always counts.
        let expected = if cfg!(feature = "fast-json") {
            crate::model::meta::GoSize::AtMost(6 * text_len)
        } else {
            crate::model::meta::GoSize::Exact(r#"{"a":"\u003c"}"#.len())
        };
        assert_eq!(
            small
                .meta
                .as_ref()
                .unwrap()
                .summary()
                .publisher_provided_size(),
            Some(expected)
        );
        let long = "x".repeat(700);
        let large = parse(&format!(
            r#"{{"_meta": {{"io.modelcontextprotocol.registry/publisher-provided": {{"a": "{long}"}}}}}}"#
        ));
        assert_eq!(
            large
                .meta
                .as_ref()
                .unwrap()
                .summary()
                .publisher_provided_size(),
            Some(crate::model::meta::GoSize::Exact(r#"{"a":""}"#.len() + 700))
        );
    }

    #[test]
    fn built_objects_are_summarised_from_the_map() {
        let map = json!({"io.modelcontextprotocol.registry/publisher-provided": {"a": "<"}});
        let meta = Meta::from(map.as_object().cloned().unwrap());
        assert_eq!(
            meta.summary().publisher_provided_size(),
            Some(crate::model::meta::GoSize::Exact(r#"{"a":"\u003c"}"#.len()))
        );
    }

    #[test]
    fn null_meta_is_no_meta() {
        let doc = parse(r#"{"name": "a", "_meta": null}"#);
        assert!(doc.meta.is_none());
        assert_eq!(doc.meta(), None);
        assert_eq!(serde_json::to_string(&doc).unwrap(), r#"{"name":"a"}"#);
    }

    #[test]
    fn non_objects_are_shape_errors_at_meta() {
        for (text, message) in [
            (
                r#"{"_meta": []}"#,
                "invalid type: an array, expected an object",
            ),
            (
                r#"{"_meta": 5}"#,
                "invalid type: integer `5`, expected an object",
            ),
            (
                r#"{"_meta": -1.5}"#,
                "invalid type: floating point `-1.5`, expected an object",
            ),
            (
                r#"{"_meta": "x"}"#,
                r#"invalid type: string "x", expected an object"#,
            ),
            (
                r#"{"_meta": true}"#,
                "invalid type: boolean `true`, expected an object",
            ),
        ] {
            let error = ServerJson::from_slice(text.as_bytes()).unwrap_err();
            assert_eq!(error.path(), "/_meta", "{text}");
            assert_eq!(error.message(), message, "{text}");
            assert!(!error.is_syntax(), "{text}");
        }
        let error = crate::ServerList::from_slice(br#"{"servers": [{"server": {"_meta": [1]}}]}"#)
            .unwrap_err();
        assert_eq!(error.path(), "/servers/0/server/_meta");
        assert_eq!(
            error.message(),
            "invalid type: an array, expected an object"
        );
    }

    #[test]
    fn text_the_object_parser_refuses_is_still_refused() {
        // Capturing raw text only checks syntax: these passed it but never parsed as a map.
        for (text, message) in [
            (r#"{"_meta": {"a": 1e400}}"#, "number out of range"),
            (r#"{"_meta": {"a": [-1e400]}}"#, "number out of range"),
            (
                r#"{"_meta": {"a": "\ud800"}}"#,
                "unexpected end of hex escape",
            ),
            (
                r#"{"_meta": {"\udc00": 1}}"#,
                "lone leading surrogate in hex escape",
            ),
        ] {
            // Reported as the invalid JSON they are, where they are, as before `_meta` was
            // kept as text.
            let error = ServerJson::from_slice(text.as_bytes()).unwrap_err();
            assert_eq!(error.message(), message, "{text}");
            assert!(error.is_syntax(), "{text}");
            assert_eq!(error.path(), "", "{text}");
            let expected = serde_json::from_str::<serde_json::Value>(text).unwrap_err();
            assert_eq!(
                (error.line(), error.column()),
                (expected.line(), expected.column().max(1)),
                "{text}"
            );
        }
    }

    #[test]
    fn pretty_and_compact_input_serialize_the_same() {
        let compact = r#"{"name":"a","_meta":{"x":{"y":[1,2.5,"<&>"]},"z":null}}"#;
        let pretty = serde_json::to_string_pretty(
            &serde_json::from_str::<serde_json::Value>(compact).unwrap(),
        )
        .unwrap();
        assert!(pretty.contains('\n'));
        let from_pretty = serde_json::to_string(&parse(&pretty)).unwrap();
        assert_eq!(from_pretty, compact);
        assert_eq!(serde_json::to_string(&parse(compact)).unwrap(), compact);
        assert_eq!(parse(&pretty), parse(compact));
    }

    #[test]
    fn repeated_keys_keep_the_first_position_and_the_last_value() {
        let doc = parse(r#"{"_meta": {"a": 1, "b": 2, "a": {"c": 3}}}"#);
        assert_eq!(
            serde_json::to_string(&doc).unwrap(),
            r#"{"_meta":{"a":{"c":3},"b":2}}"#
        );
    }

    #[test]
    fn clones_debug_and_equality_see_the_object() {
        let doc = parse(r#"{"_meta": {"a": 1}}"#);
        let built = ServerJson {
            meta: Some(Box::new(
                json!({"a": 1}).as_object().cloned().unwrap().into(),
            )),
            ..ServerJson::default()
        };
        assert_eq!(doc, built);
        assert_eq!(doc.clone(), doc);
        assert_eq!(format!("{doc:?}"), format!("{built:?}"));
        assert!(format!("{doc:?}").contains(r#"meta: Some({"a": Number(1)})"#));
    }

    #[test]
    fn path_tracking_readers_keep_the_text() {
        // The client decodes every response through serde_path_to_error over a byte slice.
        let bytes = br#"{"servers": [{"server": {"_meta": {"a": [1, "\u00e9"]}}}]}"#;
        let mut deserializer = serde_json::Deserializer::from_slice(bytes);
        let list: crate::ServerList = serde_path_to_error::deserialize(&mut deserializer).unwrap();
        let meta = list.servers()[0].server().meta.as_ref().unwrap();
        let raw = meta.raw().map(RawValue::get);
        assert_eq!(raw, Some(r#"{"a": [1, "\u00e9"]}"#));
        assert_eq!(
            list.servers()[0].server().meta(),
            json!({"a": [1, "é"]}).as_object()
        );
    }

    #[test]
    fn documents_from_values_keep_their_meta() {
        let value = json!({"name": "a", "_meta": {"k": [true, null]}});
        let doc: ServerJson = serde_json::from_value(value.clone()).unwrap();
        assert_eq!(serde_json::to_value(&doc).unwrap(), value);
    }
}
