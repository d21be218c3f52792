//! What validation needs to know about `_meta`, read in one streaming pass.
//!
//! Two layers look at `_meta`: the JSON Schema layer (is the publisher-provided value an
//! object, and the official one?) and the publish layer (which other keys are there, and how
//! big is the publisher-provided value as Go writes it?). Neither needs the object itself, so
//! [`Summary`] reads those facts from the text without building it.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::check::Any;
use super::go_json::GoLen;
use crate::model::meta::{GoSize, Summary};
use crate::vocab::registry::PUBLISHER_PROVIDED_META;
use crate::wire::Key;

impl Summary {
    /// Reads the summary of the object `deserializer` holds, counting the publisher-provided
    /// value's size.
    pub(crate) fn read<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(TopLevel { bound: None })
    }

    /// Reads the same facts but the size, which is given as at most `bound`: counting Go's
    /// escapes and numbers is most of the work, and text Go cannot write longer than the limit
    /// does not need it. For the fast reader only, whose skips are strict (`serde_json`'s are
    /// lenient, and this pass is also the check that the text parses).
    #[cfg(feature = "fast-json")]
    pub(crate) fn read_shapes<'de, D: Deserializer<'de>>(
        deserializer: D,
        bound: usize,
    ) -> Result<Self, D::Error> {
        deserializer.deserialize_map(TopLevel { bound: Some(bound) })
    }
}

/// The `_meta` object; with a `bound`, sizes are not counted (see [`Summary::read_shapes`]).
struct TopLevel {
    bound: Option<usize>,
}

/// One appearance of a key other than the publisher-provided one.
struct Appearance<'de> {
    key: Cow<'de, str>,
    order: usize,
    object: bool,
}

impl<'de> Visitor<'de> for TopLevel {
    type Value = Summary;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // serde_json's `Map` says this: a `_meta` that is not an object reads as it always did.
        f.write_str("a map")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Summary, A::Error> {
        let mut members = Vec::new();
        let mut others: Vec<Appearance<'de>> = Vec::new();
        let mut provided = None;
        while let Some(Key(key)) = map.next_key()? {
            if key == PUBLISHER_PROVIDED_META {
                // A repeat replaces the earlier value.
                provided = Some(if let Some(bound) = self.bound {
                    let object = map.next_value::<Skipped>()?.0;
                    (object, GoSize::AtMost(bound))
                } else {
                    // Room for a typical object's members at once, rather than growing by
                    // doubling.
                    members.reserve(16);
                    let value = map.next_value_seed(GoLen {
                        members: &mut members,
                    })?;
                    (value.object, GoSize::Exact(value.len))
                });
            } else {
                let object = if self.bound.is_some() {
                    map.next_value::<Skipped>()?.0
                } else {
                    map.next_value::<Checked>()?.0
                };
                let order = others.len();
                others.push(Appearance { key, order, object });
            }
        }
        Ok(Summary {
            others: first_position_last_value(others),
            provided,
        })
    }
}

/// Each key once, where it first appeared, with the shape of its last value.
fn first_position_last_value(mut seen: Vec<Appearance<'_>>) -> Vec<(String, bool)> {
    if seen.len() > 1 {
        // Sorting, not a scan per key, so a hostile object with many keys stays n log n.
        seen.sort_unstable_by(|a, b| a.key.cmp(&b.key).then(a.order.cmp(&b.order)));
        seen.dedup_by(|later, first| {
            let same = later.key == first.key;
            if same {
                first.object = later.object;
            }
            same
        });
        seen.sort_unstable_by_key(|appearance| appearance.order);
    }
    seen.into_iter()
        .map(|appearance| (appearance.key.into_owned(), appearance.object))
        .collect()
}

/// Whether a value is an object, read without keeping any of it; `S` is how its parts are
/// skipped. [`Checked`] uses `Any`, not `IgnoredAny`: `serde_json` skips ignored values with
/// its lenient scan, and this pass is also the check that the text parses. [`Skipped`] uses
/// the reader's own skip, strict in the fast reader (see [`Summary::read_shapes`]).
struct IsObject<S>(bool, PhantomData<S>);

type Checked = IsObject<Any>;
type Skipped = IsObject<IgnoredAny>;

impl<'de, S: Deserialize<'de>> Deserialize<'de> for IsObject<S> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(IsObjectVisitor(PhantomData))
    }
}

struct IsObjectVisitor<S>(PhantomData<S>);

fn shape<S>(object: bool) -> IsObject<S> {
    IsObject(object, PhantomData)
}

impl<'de, S: Deserialize<'de>> Visitor<'de> for IsObjectVisitor<S> {
    type Value = IsObject<S>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<IsObject<S>, A::Error> {
        while map.next_entry::<Key<'de>, S>()?.is_some() {}
        Ok(shape(true))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<IsObject<S>, A::Error> {
        while seq.next_element::<S>()?.is_some() {}
        Ok(shape(false))
    }

    fn visit_bool<E>(self, _: bool) -> Result<IsObject<S>, E> {
        Ok(shape(false))
    }

    fn visit_i64<E>(self, _: i64) -> Result<IsObject<S>, E> {
        Ok(shape(false))
    }

    fn visit_u64<E>(self, _: u64) -> Result<IsObject<S>, E> {
        Ok(shape(false))
    }

    fn visit_f64<E>(self, _: f64) -> Result<IsObject<S>, E> {
        Ok(shape(false))
    }

    fn visit_str<E>(self, _: &str) -> Result<IsObject<S>, E> {
        Ok(shape(false))
    }

    fn visit_unit<E>(self) -> Result<IsObject<S>, E> {
        Ok(shape(false))
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Map, Value};

    use super::*;
    use crate::vocab::registry::OFFICIAL_META;
    use crate::wire::meta::go_json::oracle::go_json_len;

    fn summary(text: &str) -> Summary {
        let from_text = Summary::read(&mut serde_json::Deserializer::from_str(text)).unwrap();
        // Where the fast reader takes the text (parsing does that first), it agrees.
        #[cfg(feature = "fast-json")]
        if let Ok(fast) = crate::wire::fast_json::read_with(text, |reader| Summary::read(reader)) {
            assert_eq!(fast, from_text, "{text}");
            // Reading shapes only finds the same facts, the size aside.
            let shapes =
                crate::wire::fast_json::read_with(text, |reader| Summary::read_shapes(reader, 7))
                    .unwrap();
            assert_eq!(shapes.others, from_text.others, "{text}");
            assert_eq!(
                shapes
                    .provided
                    .map(|(object, _)| (object, GoSize::AtMost(7))),
                from_text
                    .provided
                    .map(|(object, _)| (object, GoSize::AtMost(7))),
                "{text}"
            );
        }
        // Objects built in code are summarised from the parsed map: same answer.
        let map: Map<String, Value> = serde_json::from_str(text).unwrap();
        assert_eq!(Summary::read(&map).unwrap(), from_text, "{text}");
        from_text
    }

    #[test]
    fn keys_come_in_first_appearance_order_once_each_with_the_last_shape() {
        let s = summary(
            r#"{"z": 1, "io.modelcontextprotocol.registry/official": {}, "a": [], "z": {"x": 1},
                "a": "s", "io.modelcontextprotocol.registry/official": 5}"#,
        );
        assert_eq!(
            s.other_keys().collect::<Vec<_>>(),
            ["z", OFFICIAL_META, "a"]
        );
        assert_eq!(s.is_object("z"), Some(true));
        assert_eq!(s.is_object("a"), Some(false));
        assert_eq!(s.is_object(OFFICIAL_META), Some(false));
        assert_eq!(s.is_object("missing"), None);
        assert_eq!(s.is_object(PUBLISHER_PROVIDED_META), None);
        assert_eq!(exact(&s), None);
    }

    fn exact(s: &Summary) -> Option<usize> {
        s.publisher_provided_size().map(|size| match size {
            GoSize::Exact(n) => n,
            GoSize::AtMost(bound) => panic!("not counted (at most {bound})"),
        })
    }

    /// The Go length of the publisher-provided value as `serde_json` parses the object (keeping
    /// each key's last value), by the original tree-walking count.
    fn oracle(text: &str) -> Option<usize> {
        let map: Map<String, Value> = serde_json::from_str(text).unwrap();
        map.get(PUBLISHER_PROVIDED_META).map(go_json_len)
    }

    #[test]
    fn repeated_keys_at_every_level_count_as_serde_json_reads_them() {
        let text = r#"{
            "io.modelcontextprotocol.registry/publisher-provided": {"a": "first", "n": [1, 2]},
            "tools": 1,
            "io.modelcontextprotocol.registry/publisher-provided": {
                "a": {"x": "<", "x": 1e21, "y": [{"z": true, "z": null}]},
                "b": "é\u2028",
                "a": {"x": 0.1, "w": -7}
            }
        }"#;
        let s = summary(text);
        assert_eq!(exact(&s), oracle(text));
        assert_eq!(
            exact(&s),
            Some(r#"{"a":{"w":-7,"x":0.1},"b":"é\u2028"}"#.len())
        );
        assert_eq!(s.other_keys().collect::<Vec<_>>(), ["tools"]);
    }

    #[test]
    fn the_publisher_value_is_its_last_one() {
        let text = r#"{"io.modelcontextprotocol.registry/publisher-provided": {"a": 1, "b": [true]},
            "io.modelcontextprotocol.registry/publisher-provided": "<x>"}"#;
        let s = summary(text);
        assert_eq!(s.other_keys().count(), 0);
        assert_eq!(s.is_object(PUBLISHER_PROVIDED_META), Some(false));
        assert_eq!(exact(&s), Some(r#""\u003cx\u003e""#.len()));
        assert_eq!(exact(&s), oracle(text));
    }

    #[test]
    fn an_escaped_key_is_the_key_it_spells() {
        let text = r#"{"io.modelcontextprotocol.registry\/publisher-provided": {"k": "v"},
            "\u0074ools": 1, "tools": {}}"#;
        let s = summary(text);
        assert_eq!(s.other_keys().collect::<Vec<_>>(), ["tools"]);
        assert_eq!(s.is_object("tools"), Some(true));
        assert_eq!(exact(&s), Some(r#"{"k":"v"}"#.len()));
        assert_eq!(exact(&s), oracle(text));
    }

    #[test]
    fn many_keys_keep_their_order() {
        let keys: Vec<String> = (0..200)
            .map(|i| format!(r#""k{}": {i}"#, (i * 37) % 101))
            .collect();
        let s = summary(&format!("{{{}}}", keys.join(", ")));
        let map: Map<String, Value> =
            serde_json::from_str(&format!("{{{}}}", keys.join(", "))).unwrap();
        assert!(s.other_keys().eq(map.keys().map(String::as_str)));
    }
}
