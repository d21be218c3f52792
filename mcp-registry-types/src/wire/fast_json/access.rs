//! Arrays, objects and map keys, as `serde_json`'s `SeqAccess`, `MapAccess` and `MapKey`; and the
//! one-entry map through which a `RawValue` receives its text.

use serde::de::value::BorrowedStrDeserializer;
use serde::de::{self, DeserializeSeed, Visitor};

use super::{Deserializer, RAW_VALUE_TOKEN, Refused};

type Result<T> = std::result::Result<T, Refused>;

/// The elements of an array whose `[` has been read. Size hints stay `None`, as `serde_json`'s.
pub(super) struct SeqAccess<'a, 'de> {
    de: &'a mut Deserializer<'de>,
    first: bool,
}

impl<'a, 'de> SeqAccess<'a, 'de> {
    pub(super) fn new(de: &'a mut Deserializer<'de>) -> Self {
        Self { de, first: true }
    }
}

impl<'de> de::SeqAccess<'de> for SeqAccess<'_, 'de> {
    type Error = Refused;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>> {
        match self.de.skip_whitespace() {
            Some(b']') => return Ok(None),
            Some(b',') if !self.first => {
                self.de.pos += 1;
                // A trailing comma is invalid JSON.
                if matches!(self.de.skip_whitespace(), Some(b']') | None) {
                    return Err(Refused);
                }
            }
            Some(_) if self.first => self.first = false,
            _ => return Err(Refused),
        }
        seed.deserialize(&mut *self.de).map(Some)
    }
}

/// The entries of an object whose `{` has been read.
pub(super) struct MapAccess<'a, 'de> {
    de: &'a mut Deserializer<'de>,
    first: bool,
}

impl<'a, 'de> MapAccess<'a, 'de> {
    pub(super) fn new(de: &'a mut Deserializer<'de>) -> Self {
        Self { de, first: true }
    }
}

impl<'de> de::MapAccess<'de> for MapAccess<'_, 'de> {
    type Error = Refused;

    #[inline]
    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>> {
        match self.de.skip_whitespace() {
            Some(b'}') => return Ok(None),
            Some(b',') if !self.first => {
                self.de.pos += 1;
                // After a comma only a key may come (a `}` would be a trailing comma).
                if self.de.skip_whitespace() != Some(b'"') {
                    return Err(Refused);
                }
            }
            Some(b'"') if self.first => self.first = false,
            _ => return Err(Refused),
        }
        seed.deserialize(MapKey { de: &mut *self.de }).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value> {
        self.de.expect(b':')?;
        seed.deserialize(&mut *self.de)
    }
}

/// A key whose `"` is at `pos`. Only string-like requests are served: `serde_json`'s numeric
/// and boolean keys (`"1"` read as a number) are refused.
struct MapKey<'a, 'de> {
    de: &'a mut Deserializer<'de>,
}

impl<'de> de::Deserializer<'de> for MapKey<'_, 'de> {
    type Error = Refused;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.de.str_value(visitor)
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.de.str_value(visitor)
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.de.str_value(visitor)
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.de.str_value(visitor)
    }

    refuse!(deserialize_bool deserialize_char deserialize_bytes deserialize_byte_buf);
    refuse!(deserialize_i8 deserialize_i16 deserialize_i32 deserialize_i64);
    refuse!(deserialize_u8 deserialize_u16 deserialize_u32 deserialize_u64);
    refuse!(deserialize_f32 deserialize_f64 deserialize_option deserialize_unit);
    refuse!(deserialize_seq deserialize_map deserialize_ignored_any);

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _visitor: V,
    ) -> Result<V::Value> {
        Err(Refused)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _visitor: V,
    ) -> Result<V::Value> {
        Err(Refused)
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, _len: usize, _visitor: V) -> Result<V::Value> {
        Err(Refused)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        _visitor: V,
    ) -> Result<V::Value> {
        Err(Refused)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        _visitor: V,
    ) -> Result<V::Value> {
        Err(Refused)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        _visitor: V,
    ) -> Result<V::Value> {
        Err(Refused)
    }
}

/// `serde_json`'s `BorrowedRawDeserializer`: one entry, key the token, value the raw text.
pub(super) struct RawValueAccess<'de> {
    raw: Option<&'de str>,
}

impl<'de> RawValueAccess<'de> {
    pub(super) fn new(raw: &'de str) -> Self {
        Self { raw: Some(raw) }
    }
}

impl<'de> de::MapAccess<'de> for RawValueAccess<'de> {
    type Error = Refused;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>> {
        if self.raw.is_none() {
            return Ok(None);
        }
        seed.deserialize(BorrowedStrDeserializer::new(RAW_VALUE_TOKEN))
            .map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value> {
        let raw = self.raw.take().ok_or(Refused)?;
        seed.deserialize(BorrowedStrDeserializer::new(raw))
    }
}
