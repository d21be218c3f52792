//! The string type of document fields: short strings inline, long ones in one allocation.
//!
//! A `server.json` holds dozens of short strings (versions, flags, environment variable
//! names, choices); as `String`s each costs a heap allocation and a free, which was the
//! largest single cost of parsing. [`SmallText`] keeps up to 23 bytes inline, as
//! [`SmolStr`] does, and is the size of a `String`, so `Option<SmallText>` is too.

use std::borrow::Borrow;
#[cfg(feature = "schema")]
use std::borrow::Cow;
use std::fmt;
use std::ops::Deref;

#[cfg(feature = "schema")]
use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use smol_str::SmolStr;

use crate::vocab::registry::CURRENT_SCHEMA_URL;

/// A document string: compares, hashes, orders, prints and serializes as the `str` it holds.
#[derive(Clone, Default)]
pub(crate) struct SmallText(Repr);

#[derive(Clone)]
enum Repr {
    /// Up to 23 bytes inline, or a static string: no allocation.
    Small(SmolStr),
    /// Longer text in an allocation of its own. `SmolStr` shares long text behind a
    /// reference count, whose atomic update on every drop cost more than the sharing saved:
    /// documents are cloned rarely and dropped always.
    Heap(Box<str>),
}

impl Default for Repr {
    fn default() -> Self {
        Self::Small(SmolStr::default())
    }
}

impl SmallText {
    /// The text.
    pub(crate) fn as_str(&self) -> &str {
        match &self.0 {
            Repr::Small(text) => text.as_str(),
            Repr::Heap(text) => text,
        }
    }

    /// From any owned or borrowed string (builders take `impl Into<String>`).
    pub(crate) fn from_string(text: impl Into<String>) -> Self {
        Self::from(text.into())
    }

    fn new(text: &str) -> Self {
        if text.len() <= INLINE {
            return Self(Repr::Small(SmolStr::new(text)));
        }
        // Every current document names this long URL; a static string costs no allocation.
        if text == CURRENT_SCHEMA_URL {
            return Self(Repr::Small(SmolStr::new_static(CURRENT_SCHEMA_URL)));
        }
        Self(Repr::Heap(Box::from(text)))
    }
}

/// The most bytes kept inline.
const INLINE: usize = 23;

impl PartialEq for SmallText {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for SmallText {}

impl PartialOrd for SmallText {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for SmallText {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl std::hash::Hash for SmallText {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

impl Deref for SmallText {
    type Target = str;

    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for SmallText {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl Borrow<str> for SmallText {
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

impl PartialEq<str> for SmallText {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for SmallText {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl From<&str> for SmallText {
    fn from(text: &str) -> Self {
        Self::new(text)
    }
}

impl From<String> for SmallText {
    fn from(text: String) -> Self {
        if text.len() <= INLINE || text == CURRENT_SCHEMA_URL {
            Self::new(&text)
        } else {
            Self(Repr::Heap(text.into_boxed_str()))
        }
    }
}

impl From<SmallText> for String {
    fn from(text: SmallText) -> Self {
        match text.0 {
            Repr::Small(text) => text.into(),
            Repr::Heap(text) => text.into_string(),
        }
    }
}

impl fmt::Debug for SmallText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for SmallText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for SmallText {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for SmallText {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct TextVisitor;

        impl Visitor<'_> for TextVisitor {
            type Value = SmallText;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }

            fn visit_str<E: de::Error>(self, text: &str) -> Result<SmallText, E> {
                Ok(SmallText::new(text))
            }
        }

        deserializer.deserialize_str(TextVisitor)
    }
}

#[cfg(feature = "schema")]
impl JsonSchema for SmallText {
    fn inline_schema() -> bool {
        true
    }

    fn schema_name() -> Cow<'static, str> {
        String::schema_name()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        String::json_schema(generator)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn behaves_as_the_string_it_holds() {
        let short: SmallText = serde_json::from_str(r#""--port""#).unwrap();
        let long: SmallText =
            serde_json::from_str(r#""a description longer than twenty-three bytes""#).unwrap();
        let escaped: SmallText = serde_json::from_str(r#""tab\there""#).unwrap();
        assert_eq!(short, "--port");
        assert_eq!(&*long, "a description longer than twenty-three bytes");
        assert_eq!(escaped.as_str(), "tab\there");
        assert_eq!(format!("{short:?} {short}"), r#""--port" --port"#);
        assert_eq!(serde_json::to_string(&escaped).unwrap(), r#""tab\there""#);
        assert!(serde_json::from_str::<SmallText>("5").is_err());
        let current = SmallText::from(CURRENT_SCHEMA_URL);
        assert_eq!(current, CURRENT_SCHEMA_URL);
        // What the type is for: no allocation for short strings or the current schema URL.
        let heap = |text: &SmallText| match &text.0 {
            Repr::Small(small) => small.is_heap_allocated(),
            Repr::Heap(_) => true,
        };
        assert!(!heap(&short) && !heap(&current));
        assert!(heap(&long));
        assert_eq!(
            std::mem::size_of::<Option<SmallText>>(),
            std::mem::size_of::<String>()
        );
        assert_eq!(String::from(current), CURRENT_SCHEMA_URL);
    }
}
