//! Floor 3, reading and writing: registry objects from JSON in one pass, keeping unknown
//! fields, and whole payloads from bytes ([`ServerJson::from_slice`](crate::ServerJson::from_slice)).
//!
//! Each model type's wire names are declared once, in its table in `records` (the
//! [`wire_fields!`](table) macro): the reader, the writer and the JSON Schema all come from it.
//!
//! `#[serde(flatten)]` would keep unknown fields too, but it buffers every object into an
//! intermediate tree first, which doubled parse time. Here each type names its known keys and
//! a single map visitor fills them, sending anything else to the type's verbatim `extra` map.
//! Fields marked `[fill]` or `[text]` are written where they live rather than returned up
//! through serde's layers: large structs were copied at every layer, and small values written
//! and read back at different widths stalled the processor (see [`Fill`] and [`TextSlot`]).

pub(crate) mod error;
#[cfg(feature = "fast-json")]
pub(crate) mod fast_json;
mod meta;
mod payload;
mod records;
#[cfg(feature = "schema")]
pub(crate) mod schema;
pub(crate) mod table;

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use table::{Entry, Role};

/// A type read field by field from a JSON object.
pub(crate) trait WireFields {
    /// What the type is, for error messages ("an object" reads best in JSON terms).
    const EXPECTING: &'static str = "an object";

    /// The type's table: every key, the field it fills and its role, in the order written.
    const ENTRIES: &'static [Entry];

    /// The strict entries (bit `i` for `ENTRIES[i]`): keys an object is refused without.
    const STRICT: u64 = table::strict_bits(Self::ENTRIES);

    /// Reads the value of `key` if the type knows it; `false` leaves it to [`extra`].
    fn field<'de, A: MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<bool, A::Error>;

    /// As [`field`](Self::field), and sets the bit of a strict entry in `seen`: asked only of
    /// types with strict entries, so that the others never pay for the marking.
    fn field_seen<'de, A: MapAccess<'de>>(
        &mut self,
        key: &str,
        map: &mut A,
        seen: &mut u64,
    ) -> Result<bool, A::Error> {
        let _ = seen;
        self.field(key, map)
    }

    /// Where unknown fields go, verbatim.
    fn extra(&mut self) -> &mut crate::vocab::extra::Extra;
}

/// Refuses an object that lacks one of `T`'s strict entries (`seen` holds those it had), in
/// serde's words.
fn check_strict<T: WireFields, E: de::Error>(seen: u64) -> Result<(), E> {
    if seen & T::STRICT == T::STRICT {
        return Ok(());
    }
    let mut bit = 1u64;
    for entry in T::ENTRIES {
        if entry.role == Role::Strict && seen & bit == 0 {
            return Err(E::missing_field(entry.key));
        }
        bit = bit.wrapping_shl(1);
    }
    Ok(())
}

/// A map key, borrowed from the input when it has no escapes.
pub(crate) struct Key<'de>(pub(crate) Cow<'de, str>);

impl<'de> de::Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;

        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string key")
            }

            fn visit_borrowed_str<E: de::Error>(self, value: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(value)))
            }

            fn visit_str<E: de::Error>(self, value: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(value.to_owned())))
            }

            fn visit_string<E: de::Error>(self, value: String) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(value)))
            }
        }

        deserializer.deserialize_str(KeyVisitor)
    }
}

/// Reads a map key into a slot, borrowed from the input when it has no escapes.
struct KeySlot<'a, 'de>(&'a mut Cow<'de, str>);

impl<'de> DeserializeSeed<'de> for KeySlot<'_, 'de> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeySlot<'_, 'de> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string key")
    }

    fn visit_borrowed_str<E: de::Error>(self, value: &'de str) -> Result<(), E> {
        *self.0 = Cow::Borrowed(value);
        Ok(())
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<(), E> {
        *self.0 = Cow::Owned(value.to_owned());
        Ok(())
    }

    fn visit_string<E: de::Error>(self, value: String) -> Result<(), E> {
        *self.0 = Cow::Owned(value);
        Ok(())
    }
}

/// Reads any [`WireFields`] type from a JSON object.
pub(crate) fn deserialize<'de, D: Deserializer<'de>, T: FillValue>(
    deserializer: D,
) -> Result<T, D::Error> {
    let mut out = T::empty();
    out.fill_value(deserializer)?;
    Ok(out)
}

/// Reads a JSON object into a value in place, field by field.
///
/// Nested objects are filled where they will live (see [`FillField`]) rather than built on the
/// stack and moved out through each serde layer: those moves of 300- to 500-byte structs were
/// about a tenth of parse time.
pub(crate) struct Fill<'a, T>(pub(crate) &'a mut T);

impl<'de, T: WireFields> DeserializeSeed<'de> for Fill<'_, T> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de, T: WireFields> Visitor<'de> for Fill<'_, T> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(T::EXPECTING)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        // The key is written into this slot rather than returned: a returned `Cow` went
        // through memory in pieces and was read back whole, stalling every key.
        let mut key: Cow<'de, str> = Cow::Borrowed("");
        while map.next_key_seed(KeySlot(&mut key))?.is_some() {
            if !self.0.field(&key, &mut map)? {
                let value: Value = map.next_value()?;
                self.0
                    .extra()
                    .insert(std::mem::take(&mut key).into_owned(), value);
            }
        }
        Ok(())
    }
}

/// A value with strict entries being read: the value, and the bits of those it has had.
struct Seen<'a, T> {
    value: &'a mut T,
    seen: u64,
}

impl<T: WireFields> WireFields for Seen<'_, T> {
    const EXPECTING: &'static str = T::EXPECTING;
    // A reading aid, not a table.
    const ENTRIES: &'static [Entry] = &[];

    fn field<'de, A: MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<bool, A::Error> {
        self.value.field_seen(key, map, &mut self.seen)
    }

    fn extra(&mut self) -> &mut crate::vocab::extra::Extra {
        self.value.extra()
    }
}

/// Reads a JSON object into a [`WireFields`] value in place. A value with strict entries is
/// read through [`Seen`], and refused without one once the whole object is read, outside the
/// deserializer's map (so the error has the position it always had); the others go straight
/// to [`Fill`].
pub(crate) fn fill_fields<'de, T: WireFields, D: Deserializer<'de>>(
    value: &mut T,
    deserializer: D,
) -> Result<(), D::Error> {
    // A constant: almost every type takes the first branch.
    if T::STRICT == 0 {
        return Fill(value).deserialize(deserializer);
    }
    let mut reading = Seen { value, seen: 0 };
    Fill(&mut reading).deserialize(deserializer)?;
    check_strict::<T, D::Error>(reading.seen)
}

/// A field read in place: `"key" => field: Type [fill]` in a wire table. A repeated key replaces
/// the earlier value, as a plain field does.
pub(crate) trait FillField {
    /// Replaces `self` with the value `deserializer` holds.
    fn fill<'de, D: Deserializer<'de>>(&mut self, deserializer: D) -> Result<(), D::Error>;
}

/// The seed that reads a [`FillField`] from a map value.
pub(crate) struct Slot<'a, F>(pub(crate) &'a mut F);

impl<'de, F: FillField> DeserializeSeed<'de> for Slot<'_, F> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        self.0.fill(deserializer)
    }
}

/// A value read in place: a [`WireFields`] object, an array of them, or a type with its own
/// reading (a response, which requires its `server`).
pub(crate) trait FillValue: Sized {
    /// The value before anything is read.
    fn empty() -> Self;

    /// Reads into `self`, which is [`empty`](Self::empty).
    fn fill_value<'de, D: Deserializer<'de>>(&mut self, deserializer: D) -> Result<(), D::Error>;
}

impl<T: WireFields + Default> FillValue for T {
    fn empty() -> Self {
        T::default()
    }

    fn fill_value<'de, D: Deserializer<'de>>(&mut self, deserializer: D) -> Result<(), D::Error> {
        fill_fields(self, deserializer)
    }
}

impl<T: FillValue> FillValue for Vec<T> {
    fn empty() -> Self {
        Vec::new()
    }

    fn fill_value<'de, D: Deserializer<'de>>(&mut self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(Elements(self))
    }
}

/// `null` or absent is `None`, as serde's `Option` reads it.
impl<T: FillValue> FillField for Option<T> {
    fn fill<'de, D: Deserializer<'de>>(&mut self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_option(OptionSlot(self))
    }
}

struct OptionSlot<'a, T>(&'a mut Option<T>);

impl<'de, T: FillValue> Visitor<'de> for OptionSlot<'_, T> {
    type Value = ();

    // serde's own `Option` visitor says the same, so errors read as before.
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("option")
    }

    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        *self.0 = None;
        Ok(())
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        *self.0 = None;
        Ok(())
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        self.0.insert(T::empty()).fill_value(deserializer)
    }
}

/// The elements of an array, each filled in place at the end of the vector.
struct Elements<'a, T>(&'a mut Vec<T>);

impl<'de, T: FillValue> Visitor<'de> for Elements<'_, T> {
    type Value = ();

    // serde's `Vec` visitor's wording.
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a sequence")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element_seed(Push(&mut *self.0))?.is_some() {}
        Ok(())
    }
}

/// Appends one element, read in place; only called when the array has another element.
struct Push<'a, T>(&'a mut Vec<T>);

impl<'de, T: FillValue> DeserializeSeed<'de> for Push<'_, T> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        self.0.push_mut(T::empty()).fill_value(deserializer)
    }
}

/// The seed that reads a required [`FillValue`] field where it lies, replacing what it held
/// (as a repeated key replaces any field).
pub(crate) struct Replace<'a, T>(pub(crate) &'a mut T);

impl<'de, T: FillValue> DeserializeSeed<'de> for Replace<'_, T> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        *self.0 = T::empty();
        self.0.fill_value(deserializer)
    }
}

/// An optional string field (text or an open enum) read in place: `[text]` in a wire table.
///
/// Returned through serde's `Result<Option<T>, E>`, the value was written to the stack a byte
/// and a few words at a time and read back 16 bytes at a time from an odd offset: a
/// store-forwarding stall on every string field, the costliest step of reading one.
pub(crate) struct TextSlot<'a, T>(pub(crate) &'a mut Option<T>);

impl<'de, T: for<'t> From<&'t str> + From<String>> DeserializeSeed<'de> for TextSlot<'_, T> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_option(self)
    }
}

impl<'de, T: for<'t> From<&'t str> + From<String>> Visitor<'de> for TextSlot<'_, T> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("option")
    }

    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        *self.0 = None;
        Ok(())
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        *self.0 = None;
        Ok(())
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_str(TextInto(self.0))
    }
}

/// The string itself, as the types' own `Deserialize` reads it.
struct TextInto<'a, T>(&'a mut Option<T>);

impl<T: for<'t> From<&'t str> + From<String>> Visitor<'_> for TextInto<'_, T> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<(), E> {
        *self.0 = Some(T::from(text));
        Ok(())
    }

    fn visit_string<E: de::Error>(self, text: String) -> Result<(), E> {
        *self.0 = Some(T::from(text));
        Ok(())
    }
}

/// One field's read in a wire table: moved in, or read in place (`[fill]`, `[text]`).
macro_rules! read_field {
    ($map:ident, $place:expr) => {
        $place = $map.next_value()?
    };
    ($map:ident, $place:expr, fill) => {
        $map.next_value_seed($crate::wire::Slot(&mut $place))?
    };
    ($map:ident, $place:expr, text) => {
        $map.next_value_seed($crate::wire::TextSlot(&mut $place))?
    };
}

pub(crate) use read_field;

#[cfg(test)]
mod tests {
    use crate::ServerJson;

    fn read(text: &str) -> ServerJson {
        ServerJson::from_slice(text.as_bytes()).unwrap()
    }

    #[test]
    fn a_repeated_key_replaces_the_value_filled_in_place() {
        // The later object replaces the earlier one whole: no field of the first survives.
        let server = read(
            r#"{"repository": {"url": "https://a", "id": "x"}, "repository": {"url": "https://b"}}"#,
        );
        let repository = server.repository().unwrap();
        assert_eq!(repository.url(), Some("https://b"));
        assert_eq!(repository.id(), None);
        let server =
            read(r#"{"remotes": [{"url": "a"}, {"url": "b"}], "remotes": [{"url": "c"}]}"#);
        assert_eq!(server.remotes().len(), 1);
        assert_eq!(server.remotes()[0].url(), Some("c"));
    }

    #[test]
    fn null_reads_as_absent_for_filled_fields() {
        let server =
            read(r#"{"repository": {"url": "https://a"}, "repository": null, "packages": null}"#);
        assert!(server.repository().is_none());
        assert!(server.packages().is_empty());
        assert_eq!(read(r#"{"packages": []}"#).packages().len(), 0);
    }

    #[test]
    fn filled_fields_report_shape_errors_as_before() {
        for (text, path, message) in [
            (
                r#"{"packages": "npm"}"#,
                "/packages",
                r#"invalid type: string "npm", expected an array"#,
            ),
            (
                r#"{"repository": 3}"#,
                "/repository",
                "invalid type: integer `3`, expected an object",
            ),
            (
                r#"{"packages": [{}, {"runtimeArguments": [{"type": "named"}, true]}]}"#,
                "/packages/1/runtimeArguments/1",
                "invalid type: boolean `true`, expected an object",
            ),
        ] {
            let error = ServerJson::from_slice(text.as_bytes()).unwrap_err();
            assert_eq!(error.path(), path, "{text}");
            assert_eq!(error.message(), message, "{text}");
        }
    }

    #[test]
    fn responses_and_pages_require_their_server_and_servers() {
        use crate::{ServerList, ServerResponse};
        let error = ServerResponse::from_slice(br#"{"_meta": {}}"#).unwrap_err();
        assert_eq!(
            (error.path(), error.message()),
            ("", "missing field `server`")
        );
        let error = ServerList::from_slice(br#"{"metadata": {"count": 0}}"#).unwrap_err();
        assert_eq!(
            (error.path(), error.message()),
            ("", "missing field `servers`")
        );
        // Escapes send the text to serde_json; both readers must agree.
        for text in [
            r#"{"servers": [{"server": {}}, {"_meta": {}}]}"#,
            r#"{"servers": [{"server": {"name": "a\u0041"}}, {"_meta": {}}]}"#,
        ] {
            let error = ServerList::from_slice(text.as_bytes()).unwrap_err();
            assert_eq!(
                (error.path(), error.message()),
                ("/servers/1", "missing field `server`"),
                "{text}"
            );
        }
        let list = ServerList::from_slice(
            br#"{"servers": [{"server": {"name": "a"}}], "servers": [{"server": {}, "server": {"name": "b"}}]}"#,
        )
        .unwrap();
        assert_eq!(list.servers().len(), 1);
        assert_eq!(list.servers()[0].server().name(), "b");
    }

    #[test]
    fn text_fields_read_in_place_as_their_types_read_them() {
        let server = read(
            r#"{"title": "a", "title": null, "version": "1", "version": "2",
                "description": "tab\there", "packages": [{"registryType": "npm"},
                {"registryType": "cargo-\u0078", "transport": {"type": "sse"}}]}"#,
        );
        assert_eq!(server.title(), None);
        assert_eq!(server.version(), "2");
        assert_eq!(server.description(), "tab\there");
        let kinds: Vec<_> = server
            .packages()
            .iter()
            .map(|p| {
                p.registry_type()
                    .map(|t| (t.as_str().to_owned(), t.is_known()))
            })
            .collect();
        assert_eq!(
            kinds,
            [
                Some(("npm".to_owned(), true)),
                Some(("cargo-x".to_owned(), false))
            ]
        );
        for (text, path) in [
            (r#"{"name": 5}"#, "/name"),
            (
                r#"{"packages": [{"registryType": ["npm"]}]}"#,
                "/packages/0/registryType",
            ),
            (
                r#"{"remotes": [{"type": "sse", "url": {}}]}"#,
                "/remotes/0/url",
            ),
        ] {
            let error = ServerJson::from_slice(text.as_bytes()).unwrap_err();
            assert_eq!(error.path(), path, "{text}");
            assert!(error.message().ends_with("expected a string"), "{error}");
        }
    }

    #[test]
    fn escaped_keys_are_the_keys_they_spell() {
        let server = read(r#"{"n\u0061me": "a.b/c", "x-\u0076endor": 1, "plain": 2}"#);
        assert_eq!(server.name(), "a.b/c");
        let written = serde_json::to_value(&server).unwrap();
        assert_eq!(written["x-vendor"], 1);
        assert_eq!(written["plain"], 2);
    }
}
