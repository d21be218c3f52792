//! Unknown fields, kept verbatim.
//!
//! Almost every object in a document has none, so the map is boxed on demand: an empty
//! [`Extra`] is one pointer instead of a 72-byte map in every struct, which keeps the structs
//! small enough that moving them while parsing stays cheap.

use std::fmt;
use std::ops::Deref;
use std::sync::LazyLock;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

/// The fields of an object this crate does not know, in document order.
#[derive(Clone, Default)]
pub(crate) struct Extra(Option<Box<Map<String, Value>>>);

impl Extra {
    /// Keeps an unknown field (a repeated key keeps its last value, as `serde_json` does).
    pub(crate) fn insert(&mut self, key: String, value: Value) {
        self.0.get_or_insert_default().insert(key, value);
    }

    /// The fields as a map (empty when there are none).
    pub(crate) fn map(&self) -> &Map<String, Value> {
        static EMPTY: LazyLock<Map<String, Value>> = LazyLock::new(Map::new);
        self.0.as_deref().unwrap_or(&EMPTY)
    }
}

impl Deref for Extra {
    type Target = Map<String, Value>;

    fn deref(&self) -> &Map<String, Value> {
        self.map()
    }
}

impl PartialEq for Extra {
    fn eq(&self, other: &Self) -> bool {
        self.map() == other.map()
    }
}

impl fmt::Debug for Extra {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.map(), f)
    }
}

impl Serialize for Extra {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.map().serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Extra {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let map = Map::deserialize(deserializer)?;
        Ok(Self((!map.is_empty()).then(|| Box::new(map))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_and_absent_are_the_same_map() {
        // One pointer, and nothing allocated while there are no unknown fields.
        assert_eq!(std::mem::size_of::<Extra>(), std::mem::size_of::<usize>());
        let mut extra = Extra::default();
        assert!(extra.is_empty() && extra.0.is_none());
        assert_eq!(extra, Extra(Some(Box::default())));
        extra.insert("x-a".to_owned(), Value::from(1));
        extra.insert("x-a".to_owned(), Value::from(2));
        assert_eq!(extra.get("x-a"), Some(&Value::from(2)));
        assert_eq!(format!("{extra:?}"), r#"{"x-a": Number(2)}"#);
        assert_eq!(serde_json::to_string(&extra).unwrap(), r#"{"x-a":2}"#);
    }
}
