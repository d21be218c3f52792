//! Refusing the `_meta` text that parsing it as a `Map` would refuse, without building one.
//!
//! `serde_json` captures raw text with a syntax-only scan that, unlike a parse, accepts numbers
//! beyond `f64` (`1e400`) and unpaired UTF-16 surrogates (`"\ud800"`). Accepting them would
//! lose data later, when the object is parsed on first use; so the text is walked once more,
//! through the parser. That walk is the [`Summary`](crate::model::meta::Summary) pass, which reads every
//! value with [`Any`] where it keeps nothing; [`object`] is the plain check it must equal.

use std::fmt;

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

/// Whether `text` parses as a JSON object, with the error a `Map` would have given: the oracle
/// the summary pass is held to.
#[cfg(test)]
pub(super) fn object(text: &str) -> Result<(), serde_json::Error> {
    // `deserialize_map` refuses a first byte other than `{` (after white space) before reading
    // further, naming what it found and, via `Object::expecting`, what a `Map` expects.
    serde_json::Deserializer::from_str(text).deserialize_map(Object)
}

/// The `_meta` object itself.
#[cfg(test)]
struct Object;

#[cfg(test)]
impl<'de> Visitor<'de> for Object {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // serde_json's `Map` says this; the parse error then reads as it always did.
        f.write_str("a map")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while map.next_entry::<Any, Any>()?.is_some() {}
        Ok(())
    }
}

/// Any value, parsed and dropped: strings stay borrowed, numbers are converted (which is where
/// out-of-range ones fail), and nothing is allocated.
pub(super) struct Any;

impl<'de> Deserialize<'de> for Any {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // Not `deserialize_ignored_any`: serde_json skips those with the lenient scan.
        deserializer.deserialize_any(Any)
    }
}

impl<'de> Visitor<'de> for Any {
    type Value = Any;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<Any, E> {
        Ok(Any)
    }

    fn visit_i64<E>(self, _: i64) -> Result<Any, E> {
        Ok(Any)
    }

    fn visit_u64<E>(self, _: u64) -> Result<Any, E> {
        Ok(Any)
    }

    fn visit_f64<E>(self, _: f64) -> Result<Any, E> {
        Ok(Any)
    }

    fn visit_str<E>(self, _: &str) -> Result<Any, E> {
        Ok(Any)
    }

    fn visit_unit<E>(self) -> Result<Any, E> {
        Ok(Any)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Any, A::Error> {
        while seq.next_element::<Any>()?.is_some() {}
        Ok(Any)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Any, A::Error> {
        while map.next_entry::<Any, Any>()?.is_some() {}
        Ok(Any)
    }
}

#[cfg(test)]
mod tests {
    use super::object;

    #[test]
    fn objects_pass_and_everything_a_map_refuses_fails() {
        assert!(
            object(r#"{"a": [1, -2, 0.5, "\u00e9\ud83d\ude00", {"b": null}], "a": true}"#).is_ok()
        );
        assert!(object("{}").is_ok());
        for (text, message) in [
            (
                "[]",
                "invalid type: sequence, expected a map at line 1 column 0",
            ),
            (
                "5",
                "invalid type: integer `5`, expected a map at line 1 column 1",
            ),
            (r#"{"a": 1e309}"#, "number out of range at line 1 column 11"),
            (
                &format!(r#"{{"a": {}}}"#, "9".repeat(400)),
                "number out of range at line 1 column 406",
            ),
            (
                r#"{"a": "\udfff"}"#,
                "lone leading surrogate in hex escape at line 1 column 13",
            ),
        ] {
            assert_eq!(object(text).unwrap_err().to_string(), message, "{text}");
            // The summary pass, which does the check when a document is read, agrees.
            let summary =
                crate::model::meta::Summary::read(&mut serde_json::Deserializer::from_str(text));
            assert_eq!(summary.unwrap_err().to_string(), message, "{text}");
        }
        for nested in [
            r#"{"x": {"a": 1e309}}"#,
            r#"{"x": [[1e309]]}"#,
            r#"{"x": {"\udfff": 1}}"#,
            r#"{"io.modelcontextprotocol.registry/publisher-provided": {"a": [1e309]}}"#,
        ] {
            let expected = object(nested).unwrap_err().to_string();
            let summary =
                crate::model::meta::Summary::read(&mut serde_json::Deserializer::from_str(nested));
            assert_eq!(summary.unwrap_err().to_string(), expected, "{nested}");
        }
    }
}
