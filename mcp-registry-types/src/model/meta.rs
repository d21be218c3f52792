//! The document-level `_meta` object, kept as the JSON text it was read from.
//!
//! Building a `Value` tree for `_meta` (an ordered hash map, an allocation per key and string)
//! cost about 15% of parsing a list page, and most readers never look inside it. Keeping the
//! text costs one allocation; the tree is built the first time someone asks for it, and
//! validation reads what it needs from the text in one streaming pass ([`Summary`]).

use std::fmt;
use std::sync::OnceLock;

use serde_json::value::RawValue;
use serde_json::{Map, Value};

use crate::vocab::registry::PUBLISHER_PROVIDED_META;

/// A `_meta` object: its JSON text, and the parsed object once it is asked for.
#[derive(Clone)]
pub(crate) struct Meta {
    /// The object as the document wrote it (white space and repeated keys included); `None`
    /// when the object was built in code rather than read.
    raw: Option<Box<RawValue>>,
    /// The object: parsed from `raw` on first use, or the one it was built from.
    parsed: OnceLock<Map<String, Value>>,
    /// What validation needs: read with the text (that pass is also the parse check), or from
    /// the object when it is built in code; shared by every layer and run.
    summary: Summary,
}

impl Meta {
    /// The object, parsed on first use.
    pub(crate) fn map(&self) -> &Map<String, Value> {
        self.parsed.get_or_init(|| parse(self.raw.as_deref()))
    }

    /// A `_meta` read as `raw`, with the summary the reading pass took.
    pub(crate) fn read(raw: Box<RawValue>, summary: Summary) -> Self {
        Self {
            raw: Some(raw),
            parsed: OnceLock::new(),
            summary,
        }
    }

    /// A `_meta` built in code, with its summary.
    pub(crate) fn built(map: Map<String, Value>, summary: Summary) -> Self {
        Self {
            raw: None,
            parsed: OnceLock::from(map),
            summary,
        }
    }

    /// The text the object was read from; `None` when it was built in code.
    #[cfg(test)]
    pub(crate) fn raw(&self) -> Option<&RawValue> {
        self.raw.as_deref()
    }

    /// Whether the object has been parsed from its text yet.
    #[cfg(test)]
    pub(crate) fn is_parsed(&self) -> bool {
        self.parsed.get().is_some()
    }

    /// What validation needs to know, from one pass over the text (not the parsed object).
    pub(crate) fn summary(&self) -> &Summary {
        &self.summary
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

/// The facts about a `_meta` object that validation judges.
///
/// A repeated key counts once, at its first position and with its last value: how `serde_json`'s
/// map (and so [`ServerJson::meta`](crate::ServerJson::meta)) and the registry's Go code read it.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Summary {
    /// Every key but the publisher-provided one, in order, with whether its value is an object.
    pub(crate) others: Vec<(String, bool)>,
    /// The publisher-provided value: whether it is an object, and its size.
    pub(crate) provided: Option<(bool, GoSize)>,
}

/// The size of the publisher-provided value as Go's `json.Marshal` writes it.
#[derive(Clone, Copy, Debug, Eq, PartialEq)]
pub(crate) enum GoSize {
    /// Counted.
    Exact(usize),
    /// Not counted, and at most this: text too short to break the registry's limit
    /// (see the reader in `wire::meta`).
    AtMost(usize),
}

impl Summary {
    /// Whether the value under `key` is an object; `None` when there is no such key.
    pub(crate) fn is_object(&self, key: &str) -> Option<bool> {
        if key == PUBLISHER_PROVIDED_META {
            return self.provided.map(|(object, _)| object);
        }
        self.others
            .iter()
            .find(|(other, _)| other == key)
            .map(|(_, object)| *object)
    }

    /// The keys other than the publisher-provided one, in order of first appearance.
    pub(crate) fn other_keys(&self) -> impl Iterator<Item = &str> {
        self.others.iter().map(|(key, _)| key.as_str())
    }

    /// The size of the publisher-provided value as Go's `json.Marshal` writes it.
    pub(crate) fn publisher_provided_size(&self) -> Option<GoSize> {
        self.provided.map(|(_, size)| size)
    }
}
