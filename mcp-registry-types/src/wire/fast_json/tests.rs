//! Unit tests: what the fast path accepts, what it refuses, and that the public parse still
//! gives `serde_json`'s value or error either way.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde::de::{DeserializeOwned, IgnoredAny};
use serde_json::Value;
use serde_json::value::RawValue;

use super::{MAX_DEPTH, RAW_VALUE_TOKEN, Refused, from_str};
use crate::wire::error::parse_slice_with_serde_json;
use crate::{ServerJson, ServerList, ServerResponse};

/// The fast path accepts `text` and agrees with `serde_json`.
#[track_caller]
fn accepted<T: DeserializeOwned + PartialEq + std::fmt::Debug>(text: &str) -> T {
    let fast: T = from_str(text).unwrap_or_else(|_| panic!("refused {text:?}"));
    let slow: T = serde_json::from_str(text).unwrap();
    assert_eq!(fast, slow, "{text:?}");
    fast
}

/// The fast path refuses `text`, and the public parse still gives `serde_json`'s answer: the
/// same value, or an error at the same place with the same message.
#[track_caller]
fn refused_as<T: DeserializeOwned + PartialEq + std::fmt::Debug>(text: &str) {
    assert_eq!(
        from_str::<T>(text).err(),
        Some(Refused),
        "accepted {text:?}"
    );
    // The fast path refused, so this is what the public parse does next.
    let public = parse_slice_with_serde_json::<T>(text.as_bytes());
    match (public, serde_json::from_str::<T>(text)) {
        (Ok(ours), Ok(theirs)) => assert_eq!(ours, theirs, "{text:?}"),
        (Err(ours), Err(theirs)) => {
            // Syntax errors are named by a `Value` read of the bytes (see `parse_slice`), which
            // can word them better than a typed read skipping an unknown field does.
            let theirs = match serde_json::from_str::<Value>(text) {
                Err(syntax) if ours.is_syntax() => syntax,
                _ => theirs,
            };
            assert_eq!(
                (ours.line(), ours.column()),
                // Our columns are 1-based where serde_json says 0 before a line's first byte.
                (theirs.line(), theirs.column().max(1)),
                "{text:?}"
            );
            let theirs = theirs.to_string();
            let words = ours.message().split(' ').next().unwrap_or_default();
            assert!(theirs.starts_with(words), "{ours} vs {theirs}");
        }
        (ours, theirs) => panic!("{text:?}: we say {ours:?}, serde_json says {theirs:?}"),
    }
}

#[track_caller]
fn refused(text: &str) {
    refused_as::<Value>(text);
}

#[test]
fn accepts_the_subset() {
    let value: Value = accepted(
        " {\"a\": [1, -2, 0, true, false, null, \"é ✓\", {}, []],\r\n\t\"b\" : {\"c\":\"\"}} ",
    );
    assert_eq!(value["a"][1], -2);
    accepted::<Value>("0");
    accepted::<Value>("\"\"");
    accepted::<Value>("999999999999999999");
    accepted::<Value>("-999999999999999999");
    // Duplicate keys: the last value wins, in the first key's place, as serde_json has it.
    let value: Value = accepted(r#"{"a": 1, "b": 2, "a": 3}"#);
    assert_eq!(value.to_string(), r#"{"a":3,"b":2}"#);
}

#[test]
fn long_indentation_and_strings_cross_word_boundaries() {
    for width in 0..20 {
        let pad = " ".repeat(width);
        let text = format!("{{\n{pad}\"{pad}k\":\n{pad}[\"{pad}x{pad}\",{pad}1]{pad}}}{pad}");
        let value: Value = accepted(&text);
        assert_eq!(value.as_object().map(serde_json::Map::len), Some(1));
    }
}

#[test]
fn refuses_whitespace_serde_json_does_not_know() {
    refused("[1,\u{0c}2]");
    refused("[1,\u{0b}2]");
    refused("[1,\u{a0}2]");
    refused("");
    refused("  \n ");
}

#[test]
fn refuses_escapes_but_the_public_parse_reads_them() {
    refused(r#""a\nb""#);
    refused(r#""\u00e9""#);
    refused(r#"{"k\"ey": 1}"#);
    refused(r#"["x", "long string with an escape far from the start \/"]"#);
    refused("\"tab\tinside\"");
    refused("\"nul\u{0}\"");
    refused("\"unterminated");
    refused("\"unterminated but longer than a word");
}

/// The eight-byte string scan: every ASCII byte at every offset of the first and second word
/// and of the unaligned tail, after plain and after multi-byte characters.
#[test]
fn string_scan_stops_exactly_where_serde_json_would() {
    for prefix in [
        "",
        "a",
        "abcdefg",
        "abcdefgh",
        "é",
        "✓✓",
        "😀",
        "abcdefghijklmno",
    ] {
        for byte in 0..0x80_u8 {
            let stop = byte == b'"' || byte == b'\\' || byte < 0x20;
            for suffix in ["", "z", "zzzzzzzzzzz"] {
                let text = format!("\"{prefix}{}{suffix}\"", char::from(byte));
                let fast = from_str::<Value>(&text);
                if stop {
                    // A quote ends the string early (the rest is trailing text), the others are
                    // refused; either way the public parse is serde_json's.
                    assert!(fast.is_err(), "accepted {text:?}");
                    refused(&text);
                } else {
                    assert_eq!(fast.ok(), serde_json::from_str(&text).ok(), "{text:?}");
                }
            }
        }
        // A stop byte inside a multi-byte character cannot exist in UTF-8: only ASCII stops.
        let text = format!("[\"{prefix}\", \"{prefix}\u{80}\u{7ff}\u{ffff}\"]");
        accepted::<Value>(&text);
    }
}

#[test]
fn refuses_numbers_outside_the_subset() {
    for text in [
        "1.5",
        "1e3",
        "1E3",
        "-1.0",
        "01",
        "-01",
        "00",
        "-0",
        "-",
        "+1",
        ".5",
        "1234567890123456789",
        "18446744073709551616",
        "-1234567890123456789",
        "[1.0]",
        "{\"a\": 2e1}",
    ] {
        refused(text);
    }
}

#[test]
fn refuses_bad_literals() {
    for text in [
        "tru",
        "nul",
        "True",
        "nulll",
        "falsey",
        "nan",
        "[true false]",
    ] {
        refused(text);
    }
}

#[test]
fn refuses_bad_structure() {
    for text in [
        "[1,]",
        "{\"a\":1,}",
        "[1 2]",
        "{\"a\" 1}",
        "{\"a\":1 \"b\":2}",
        "[1",
        "{\"a\":1",
        "{",
        "[",
        "1 x",
        "{} {}",
        "{1:2}",
        "{,}",
        "[,]",
        "[,1]",
        "]",
        "{\"a\"}",
    ] {
        refused(text);
    }
}

#[test]
fn refuses_deep_nesting() {
    let nested = |depth: usize| format!("{}{}", "[".repeat(depth), "]".repeat(depth));
    accepted::<Value>(&nested(MAX_DEPTH as usize));
    refused(&nested(MAX_DEPTH as usize + 1));
    // Past serde_json's own limit: its error comes through.
    refused(&nested(200));
    let skipped = format!("{{\"a\": 1, \"z\": {}}}", nested(MAX_DEPTH as usize + 1));
    refused_as::<Small>(&skipped);
}

#[derive(Debug, Deserialize, PartialEq)]
struct Small {
    a: u8,
    b: Option<String>,
}

#[test]
fn skips_unknown_fields_with_the_same_rules() {
    let small: Small =
        accepted(r#"{"x": [1, {"y": [null, true, "s"]}, -3], "a": 7, "b": null, "z": {}}"#);
    assert_eq!(small, Small { a: 7, b: None });
    refused_as::<Small>(r#"{"a": 7, "x": "esc\n"}"#);
    refused_as::<Small>(r#"{"a": 7, "x": 1.5}"#);
    refused_as::<Small>(r#"{"a": 7, "x": [1,]}"#);
    refused_as::<Small>(r#"{"a": 7, "x": {"k" 1}}"#);
}

#[test]
fn structs_read_from_arrays_too() {
    assert_eq!(accepted::<Small>(r#"[1, "b"]"#).b.as_deref(), Some("b"));
    // Extra elements are an error for serde_json, and so a refusal here.
    refused_as::<Small>(r#"[1, "b", 3]"#);
}

#[test]
fn visitor_errors_refuse_and_serde_json_words_them() {
    refused_as::<Small>(r#"{"a": 300}"#);
    refused_as::<Small>(r#"{"a": -1}"#);
    refused_as::<Small>(r#"{"a": "1"}"#);
    refused_as::<Small>(r#"{"b": "x"}"#);
    refused_as::<ServerJson>(r#"{"packages": [{"transport": "stdio"}]}"#);
    refused_as::<ServerList>(r#"{"servers": {}}"#);
}

#[test]
fn numbers_visit_by_their_text_whatever_was_asked() {
    assert_eq!(accepted::<f64>("12").to_bits(), 12.0_f64.to_bits());
    assert_eq!(accepted::<f32>("-12").to_bits(), (-12.0_f32).to_bits());
    assert_eq!(accepted::<i8>("-128"), -128);
    assert_eq!(
        accepted::<u64>("999999999999999999"),
        999_999_999_999_999_999
    );
    assert_eq!(accepted::<Option<u16>>("null"), None);
    assert_eq!(accepted::<Option<u16>>(" 7"), Some(7));
    accepted::<()>("null");
    refused_as::<()>("0");
    refused_as::<bool>("1");
}

#[derive(Debug, Deserialize, PartialEq)]
enum Kind {
    Plain,
}

#[test]
fn refuses_types_outside_the_subset() {
    refused_as::<Kind>(r#""Plain""#);
    refused_as::<char>(r#""c""#);
    refused_as::<i128>("5");
    refused_as::<u128>("5");
    refused_as::<BTreeMap<u32, u8>>(r#"{"1": 2}"#);
    refused_as::<BTreeMap<bool, u8>>(r#"{"true": 2}"#);
    assert!(from_str::<serde_bytes_like::Bytes>(r#""abc""#).is_err());
}

/// A type that asks for bytes, as `serde_bytes` would.
mod serde_bytes_like {
    pub(super) struct Bytes;

    impl<'de> serde::Deserialize<'de> for Bytes {
        fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            struct Visitor;
            impl serde::de::Visitor<'_> for Visitor {
                type Value = Bytes;
                fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                    f.write_str("bytes")
                }
                fn visit_bytes<E>(self, _: &[u8]) -> Result<Bytes, E> {
                    Ok(Bytes)
                }
                fn visit_str<E>(self, _: &str) -> Result<Bytes, E> {
                    Ok(Bytes)
                }
            }
            deserializer.deserialize_bytes(Visitor)
        }
    }
}

#[test]
fn map_keys_are_strings_only() {
    let map: BTreeMap<String, Skipped> = accepted(r#"{"k": [1, "x"], "l": null}"#);
    assert_eq!(map.len(), 2);
}

/// A value read with `deserialize_ignored_any`, comparable so that both paths can be checked.
#[derive(Debug, PartialEq)]
struct Skipped(bool);

impl<'de> Deserialize<'de> for Skipped {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        IgnoredAny::deserialize(deserializer).map(|_| Skipped(true))
    }
}

#[derive(Debug, Deserialize)]
struct WithRaw<'a> {
    boxed: Box<RawValue>,
    #[serde(borrow)]
    borrowed: &'a RawValue,
    other: u8,
}

#[test]
fn raw_values_keep_their_exact_text() {
    let text = "{\"boxed\":  { \"a\" : [1, 2] }\n, \"borrowed\": \n\t\"s\" , \"other\": 1}";
    let fast: WithRaw<'_> = from_str(text).unwrap();
    let slow: WithRaw<'_> = serde_json::from_str(text).unwrap();
    assert_eq!(fast.boxed.get(), "{ \"a\" : [1, 2] }");
    assert_eq!(fast.boxed.get(), slow.boxed.get());
    assert_eq!(fast.borrowed.get(), "\"s\"");
    assert_eq!(fast.borrowed.get(), slow.borrowed.get());
    assert_eq!(fast.other, slow.other);

    let top: Box<RawValue> = from_str("  [null, {}]  ").unwrap();
    assert_eq!(top.get(), "[null, {}]");
    assert!(from_str::<Box<RawValue>>(r#"{"a": "\n"}"#).is_err());
    assert!(from_str::<Box<RawValue>>(r#"{"a": 1.5}"#).is_err());
    assert!(from_str::<Box<RawValue>>("[1,]").is_err());
    assert!(from_str::<Box<RawValue>>("   ").is_err());
}

/// What to do when `serde_json` reads a `RawValue` in a way the fast reader does not answer.
const RAW_VALUE_DRIFT: &str = "\
serde_json (the version in Cargo.lock) no longer reads a `RawValue` by the private protocol \
the fast JSON reader answers: a newtype struct named RAW_VALUE_TOKEN, then a one-entry map \
keyed by the same name whose value is the raw text. Parsing stays correct, but every payload \
with `_meta` would now be refused by the fast reader and re-read by serde_json alone. \
Read serde_json's src/raw.rs (`TOKEN`, `Deserialize for Box<RawValue>`, `RawKey`) and \
`deserialize_raw_value` in src/de.rs, then update RAW_VALUE_TOKEN in \
mcp-registry-types/src/wire/fast_json/mod.rs and `RawValueAccess` in fast_json/access.rs to \
match; until then keep the previous serde_json (`cargo update -p serde_json --precise <old>`).";

/// A deserializer that records what a `Deserialize` impl asks it for, and answers a newtype
/// request as the fast reader answers a `RawValue`: through [`RawValueAccess`].
struct Recorder<'a, 'de> {
    asked: &'a std::cell::RefCell<Vec<String>>,
    text: &'de str,
}

impl<'de> serde::Deserializer<'de> for Recorder<'_, 'de> {
    type Error = serde::de::value::Error;

    fn deserialize_newtype_struct<V: serde::de::Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        self.asked
            .borrow_mut()
            .push(format!("deserialize_newtype_struct({name:?})"));
        visitor
            .visit_map(super::access::RawValueAccess::new(self.text))
            .map_err(|Refused| {
                serde::de::Error::custom("refused the map the fast reader hands a RawValue")
            })
    }

    fn deserialize_any<V: serde::de::Visitor<'de>>(self, _: V) -> Result<V::Value, Self::Error> {
        self.asked
            .borrow_mut()
            .push("a method other than deserialize_newtype_struct".to_owned());
        Err(serde::de::Error::custom("not a newtype struct request"))
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct seq tuple tuple_struct map struct enum identifier ignored_any
    }
}

/// A `serde_json` upgrade that changes how a `RawValue` is read fails here rather than slowing
/// parsing down unseen (why a test and not a run-time check: see [`RAW_VALUE_TOKEN`]).
#[test]
fn serde_json_still_asks_for_raw_value_by_our_token() {
    let text = r#"[1, {"a": null}]"#;
    let asked = std::cell::RefCell::new(Vec::new());
    let boxed = Box::<RawValue>::deserialize(Recorder {
        asked: &asked,
        text,
    });
    let borrowed = <&RawValue>::deserialize(Recorder {
        asked: &asked,
        text,
    });
    let expected = format!("deserialize_newtype_struct({RAW_VALUE_TOKEN:?})");
    assert_eq!(
        asked.into_inner(),
        [expected.clone(), expected],
        "left: what serde_json asked for; right: what the fast reader answers.\n{RAW_VALUE_DRIFT}"
    );
    let boxed = boxed.unwrap_or_else(|e| panic!("Box<RawValue>: {e}.\n{RAW_VALUE_DRIFT}"));
    let borrowed = borrowed.unwrap_or_else(|e| panic!("&RawValue: {e}.\n{RAW_VALUE_DRIFT}"));
    assert_eq!(
        (boxed.get(), borrowed.get()),
        (text, text),
        "{RAW_VALUE_DRIFT}"
    );
}

#[test]
fn registry_payloads_take_the_fast_path() {
    let document = r#"{
      "name": "io.github.acme/weather",
      "description": "Forecasts",
      "version": "1.0.0",
      "packages": [{"registryType": "npm", "identifier": "w", "version": "1.0.0",
                    "transport": {"type": "stdio"}, "x-extra": [1, {"deep": null}]}],
      "_meta": {"io.modelcontextprotocol.registry/publisher-provided": {"n": -5}}
    }"#;
    let server: ServerJson = accepted(document);
    assert_eq!(server.packages().len(), 1);
    let response = format!(
        r#"{{"server": {document}, "_meta": {{"io.modelcontextprotocol.registry/official": {{"status": "active", "isLatest": true}}}}}}"#
    );
    accepted::<ServerResponse>(&response);
    accepted::<ServerList>(&format!(
        r#"{{"servers": [{response}, {response}], "metadata": {{"count": 2, "nextCursor": "c"}}}}"#
    ));
}

fn has_float(value: &Value) -> bool {
    match value {
        Value::Number(n) => n.is_f64(),
        Value::Array(items) => items.iter().any(has_float),
        Value::Object(map) => map.values().any(has_float),
        _ => false,
    }
}

#[test]
fn spec_examples_take_the_fast_path() {
    let Some(dir) = std::env::var_os("MCP_REGISTRY_SPEC_DIR") else {
        eprintln!("MCP_REGISTRY_SPEC_DIR is not set: spec examples not checked");
        return;
    };
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(dir)
        .join("examples");
    let mut fast = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        let value: Value = serde_json::from_str(&text).unwrap();
        // Only an escape or a float sends a registry document to serde_json.
        let ours = !text.contains('\\') && !has_float(&value);
        match from_str::<ServerJson>(&text) {
            Ok(document) => {
                assert_eq!(document, serde_json::from_str::<ServerJson>(&text).unwrap());
                fast += 1;
            }
            Err(Refused) => assert!(!ours, "refused {text}"),
        }
    }
    assert!(fast > 20, "only {fast} examples took the fast path");
}
