//! The document-level `_meta` object, kept as the JSON text it was read from.
//!
//! Building a `Value` tree for `_meta` (an ordered hash map, an allocation per key and string)
//! cost about 15% of parsing a list page, and most readers never look inside it. Keeping the
//! text costs one allocation; the tree is built the first time someone asks for it, and
//! validation reads what it needs from the text in one streaming pass ([`Summary`]).

mod check;
mod go_json;
mod summary;

use std::fmt;
use std::sync::OnceLock;

use serde::de::{self, Deserialize, Deserializer};
use serde::{Serialize, Serializer};
use serde_json::value::RawValue;
use serde_json::{Map, Value};

pub(crate) use summary::{GoSize, Summary};

use crate::validate::MAX_PUBLISHER_META_BYTES;

/// The most bytes Go's `json.Marshal` writes for one byte of `_meta` text the fast reader
/// takes (a test holds this).
const GO_BYTES_PER_FAST_BYTE: usize = 6;

/// A `_meta` object: its JSON text, and the parsed object once it is asked for.
#[derive(Clone)]
pub(crate) struct Meta {
    /// The object as the document wrote it (white space and repeated keys included); `None`
    /// when the object was built in code rather than read.
    raw: Option<Box<RawValue>>,
    /// The object: parsed from `raw` on first use, or the one it was built from.
    parsed: OnceLock<Map<String, Value>>,
    /// What validation needs: read with the text (that pass is also the parse check), or on
    /// first use for an object built in code; shared by every layer and run.
    summary: OnceLock<Summary>,
}

impl Meta {
    /// The object, parsed on first use.
    pub(crate) fn map(&self) -> &Map<String, Value> {
        self.parsed.get_or_init(|| parse(self.raw.as_deref()))
    }

    /// What validation needs to know, from one pass over the text (not the parsed object).
    pub(crate) fn summary(&self) -> &Summary {
        // Read text has its summary from the read; an object built in code is summarised from
        // the map on first use.
        self.summary
            .get_or_init(|| Summary::read(self.map()).unwrap_or_default())
    }

    /// The object, by value (parsing the text if nobody has yet).
    pub(crate) fn into_map(self) -> Map<String, Value> {
        match self.parsed.into_inner() {
            Some(map) => map,
            None => parse(self.raw.as_deref()),
        }
    }
}

/// Parses text that the summary pass accepted when it was read.
fn parse(raw: Option<&RawValue>) -> Map<String, Value> {
    // The check ran the same parser over the same text, so this cannot fail; the empty object
    // only keeps library code free of panics.
    raw.and_then(|raw| serde_json::from_str(raw.get()).ok())
        .unwrap_or_default()
}

impl From<Map<String, Value>> for Meta {
    fn from(map: Map<String, Value>) -> Self {
        Self {
            raw: None,
            parsed: OnceLock::from(map),
            summary: OnceLock::new(),
        }
    }
}

impl<'de> Deserialize<'de> for Meta {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = Box::<RawValue>::deserialize(deserializer)?;
        // Capturing the text only checks JSON syntax; refuse here whatever a `Map` refused,
        // in its words, so the same documents parse as before. The pass that checks is the
        // one validation needs, so it runs once, here.
        // The fast reader makes serde_json's visitor calls or refuses, and what it accepts
        // (no escapes, integers of at most 18 digits) serde_json accepts too. In that subset
        // Go writes no byte as more than six (`<` as `\u003c`; an integer gains at most a
        // digit), so text within a sixth of the limit need not have its size counted.
        let text = raw.get();
        let bound = GO_BYTES_PER_FAST_BYTE.saturating_mul(text.len());
        let fast = if bound <= MAX_PUBLISHER_META_BYTES {
            crate::fast_json::read_with(text, |reader| Summary::read_shapes(reader, bound))
        } else {
            crate::fast_json::read_with(text, |reader| Summary::read(reader))
        };
        let summary = match fast {
            Ok(summary) => summary,
            Err(_) => Summary::read(&mut serde_json::Deserializer::from_str(raw.get()))
                .map_err(|error| de::Error::custom(crate::error::without_position(&error)))?,
        };
        Ok(Self {
            raw: Some(raw),
            parsed: OnceLock::new(),
            summary: OnceLock::from(summary),
        })
    }
}

impl Serialize for Meta {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        // Through the object, not the text: the text may be pretty-printed or repeat a key,
        // and the output must not depend on how the input was spelled.
        self.map().serialize(serializer)
    }
}

impl fmt::Debug for Meta {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.map(), f)
    }
}

impl PartialEq for Meta {
    fn eq(&self, other: &Self) -> bool {
        self.map() == other.map()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::ServerJson;

    fn parse(text: &str) -> ServerJson {
        ServerJson::from_slice(text.as_bytes()).unwrap()
    }

    #[test]
    fn reading_does_not_parse_the_object_and_asking_does() {
        let doc = parse(r#"{"_meta": {"a": [1, {"b": "c"}]}}"#);
        let meta = doc.meta.as_ref().unwrap();
        let raw = meta.raw.as_deref().map(serde_json::value::RawValue::get);
        assert_eq!(raw, Some(r#"{"a": [1, {"b": "c"}]}"#));
        assert!(meta.parsed.get().is_none());
        assert_eq!(doc.meta(), json!({"a": [1, {"b": "c"}]}).as_object());
        assert!(meta.parsed.get().is_some());
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
        assert!(meta.parsed.get().is_none());
        assert!(meta.summary.get().is_some());
    }

    #[test]
    fn small_text_is_not_counted_and_larger_text_is() {
        let small = parse(
            r#"{"_meta": {"io.modelcontextprotocol.registry/publisher-provided": {"a": "<"}}}"#,
        );
        let text_len =
            r#"{"io.modelcontextprotocol.registry/publisher-provided": {"a": "<"}}"#.len();
        assert_eq!(
            small
                .meta
                .as_ref()
                .unwrap()
                .summary()
                .publisher_provided_size(),
            Some(super::GoSize::AtMost(6 * text_len))
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
            Some(super::GoSize::Exact(r#"{"a":""}"#.len() + 700))
        );
    }

    #[test]
    fn built_objects_are_summarised_from_the_map() {
        let map = json!({"io.modelcontextprotocol.registry/publisher-provided": {"a": "<"}});
        let meta = super::Meta::from(map.as_object().cloned().unwrap());
        assert_eq!(
            meta.summary().publisher_provided_size(),
            Some(super::GoSize::Exact(r#"{"a":"\u003c"}"#.len()))
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
        let raw = meta.raw.as_deref().map(serde_json::value::RawValue::get);
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
