//! Deserialising registry objects in one pass while keeping unknown fields.
//!
//! `#[serde(flatten)]` would keep unknown fields too, but it buffers every object into an
//! intermediate tree first, which doubled parse time. Here each type names its known keys and
//! a single map visitor fills them, sending anything else to the type's verbatim `extra` map.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde_json::Value;

/// A type read field by field from a JSON object.
pub(crate) trait WireFields: Default {
    /// What the type is, for error messages ("an object" reads best in JSON terms).
    const EXPECTING: &'static str = "an object";

    /// Reads the value of `key` if the type knows it; `false` leaves it to [`extra`].
    fn field<'de, A: MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<bool, A::Error>;

    /// Where unknown fields go, verbatim.
    fn extra(&mut self) -> &mut crate::extra::Extra;
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

/// Reads any [`WireFields`] type from a JSON object.
pub(crate) fn deserialize<'de, D: Deserializer<'de>, T: WireFields>(
    deserializer: D,
) -> Result<T, D::Error> {
    struct MapVisitor<T>(PhantomData<T>);

    impl<'de, T: WireFields> Visitor<'de> for MapVisitor<T> {
        type Value = T;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(T::EXPECTING)
        }

        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<T, A::Error> {
            let mut out = T::default();
            while let Some(Key(key)) = map.next_key::<Key<'de>>()? {
                if !out.field(&key, &mut map)? {
                    let value: Value = map.next_value()?;
                    out.extra().insert(key.into_owned(), value);
                }
            }
            Ok(out)
        }
    }

    deserializer.deserialize_map(MapVisitor(PhantomData))
}

/// Implements [`WireFields`] and `Deserialize` for a struct from its key → field table.
///
/// `extra = field` names the verbatim map; `inner = field` instead hands unknown keys to a
/// nested [`WireFields`] value (the schema's `allOf` of `Input` and more fields).
macro_rules! wire_fields {
    ($ty:ident { $($key:literal => $field:ident),* $(,)? } extra = $extra:ident) => {
        impl $crate::wire::WireFields for $ty {
            fn field<'de, A: serde::de::MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<bool, A::Error> {
                match key {
                    $($key => self.$field = map.next_value()?,)*
                    _ => return Ok(false),
                }
                Ok(true)
            }

            fn extra(&mut self) -> &mut $crate::extra::Extra {
                &mut self.$extra
            }
        }

        $crate::wire::wire_fields!(@deserialize $ty);
    };
    ($ty:ident { $($key:literal => $field:ident),* $(,)? } inner = $inner:ident) => {
        impl $crate::wire::WireFields for $ty {
            fn field<'de, A: serde::de::MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<bool, A::Error> {
                match key {
                    $($key => self.$field = map.next_value()?,)*
                    _ => return self.$inner.field(key, map),
                }
                Ok(true)
            }

            fn extra(&mut self) -> &mut $crate::extra::Extra {
                $crate::wire::WireFields::extra(&mut self.$inner)
            }
        }

        $crate::wire::wire_fields!(@deserialize $ty);
    };
    (@deserialize $ty:ident) => {
        impl<'de> serde::Deserialize<'de> for $ty {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                $crate::wire::deserialize(deserializer)
            }
        }
    };
}

pub(crate) use wire_fields;
