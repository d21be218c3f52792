//! `serde::Deserializer`, method by method as `serde_json`'s (`de.rs`), for the subset only.

use serde::de::{self, Visitor};

use super::access::{MapAccess, RawValueAccess, SeqAccess};
use super::scan::Number;
use super::{Deserializer, RAW_VALUE_TOKEN, Refused};

type Result<T> = std::result::Result<T, Refused>;

impl<'de> Deserializer<'de> {
    /// `serde_json`'s `deserialize_number`: it visits by what the text is, not by what was asked.
    fn number_value<V: Visitor<'de>>(&mut self, visitor: V) -> Result<V::Value> {
        match self.skip_whitespace() {
            Some(b'-' | b'0'..=b'9') => match self.number()? {
                Number::Positive(n) => visitor.visit_u64(n),
                Number::Negative(n) => visitor.visit_i64(n),
            },
            _ => Err(Refused),
        }
    }

    /// An array whose `[` is at `pos`: visit its elements, then require its `]`.
    fn seq<V: Visitor<'de>>(&mut self, visitor: V) -> Result<V::Value> {
        self.enter()?;
        let value = visitor.visit_seq(SeqAccess::new(self))?;
        self.depth += 1;
        self.expect(b']')?;
        Ok(value)
    }

    /// An object whose `{` is at `pos`: visit its entries, then require its `}`.
    fn map<V: Visitor<'de>>(&mut self, visitor: V) -> Result<V::Value> {
        self.enter()?;
        let value = visitor.visit_map(MapAccess::new(self))?;
        self.depth += 1;
        self.expect(b'}')?;
        Ok(value)
    }

    /// A string whose `"` is at `pos`, handed over borrowed like `serde_json`'s unescaped ones.
    #[inline]
    pub(super) fn str_value<V: Visitor<'de>>(&mut self, visitor: V) -> Result<V::Value> {
        let text = self.string()?;
        visitor.visit_borrowed_str(text)
    }
}

macro_rules! numbers {
    ($($method:ident)*) => {
        $(fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
            self.number_value(visitor)
        })*
    };
}

impl<'de> de::Deserializer<'de> for &mut Deserializer<'de> {
    type Error = Refused;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.skip_whitespace() {
            Some(b'"') => self.str_value(visitor),
            Some(b'{') => self.map(visitor),
            Some(b'[') => self.seq(visitor),
            Some(b'-' | b'0'..=b'9') => self.number_value(visitor),
            Some(b't') => {
                self.literal(b"true")?;
                visitor.visit_bool(true)
            }
            Some(b'f') => {
                self.literal(b"false")?;
                visitor.visit_bool(false)
            }
            Some(b'n') => {
                self.literal(b"null")?;
                visitor.visit_unit()
            }
            _ => Err(Refused),
        }
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.skip_whitespace() {
            Some(b't') => {
                self.literal(b"true")?;
                visitor.visit_bool(true)
            }
            Some(b'f') => {
                self.literal(b"false")?;
                visitor.visit_bool(false)
            }
            _ => Err(Refused),
        }
    }

    numbers!(deserialize_i8 deserialize_i16 deserialize_i32 deserialize_i64);
    numbers!(deserialize_u8 deserialize_u16 deserialize_u32 deserialize_u64);
    numbers!(deserialize_f32 deserialize_f64);
    // serde_json reads these through a string buffer and visits them as 128-bit: not ours.
    refuse!(deserialize_i128 deserialize_u128);
    // Unused by the registry types; refusing costs nothing and keeps the subset small.
    refuse!(deserialize_char deserialize_bytes deserialize_byte_buf);

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.skip_whitespace() {
            Some(b'"') => self.str_value(visitor),
            _ => Err(Refused),
        }
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.deserialize_str(visitor)
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.deserialize_str(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        if self.skip_whitespace() == Some(b'n') {
            self.literal(b"null")?;
            visitor.visit_none()
        } else {
            visitor.visit_some(self)
        }
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.skip_whitespace() {
            Some(b'n') => {
                self.literal(b"null")?;
                visitor.visit_unit()
            }
            _ => Err(Refused),
        }
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value> {
        self.deserialize_unit(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value> {
        if name == RAW_VALUE_TOKEN {
            // serde_json's `deserialize_raw_value`: the value's text, without the whitespace
            // around it, as a one-entry map keyed by the token.
            self.skip_whitespace();
            let start = self.pos;
            self.skip_value()?;
            let raw = self.text.get(start..self.pos).ok_or(Refused)?;
            return visitor.visit_map(RawValueAccess::new(raw));
        }
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.skip_whitespace() {
            Some(b'[') => self.seq(visitor),
            _ => Err(Refused),
        }
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.skip_whitespace() {
            Some(b'{') => self.map(visitor),
            _ => Err(Refused),
        }
    }

    // Like serde_json, a struct may also be written as an array of its fields.
    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        match self.skip_whitespace() {
            Some(b'{') => self.map(visitor),
            Some(b'[') => self.seq(visitor),
            _ => Err(Refused),
        }
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        _visitor: V,
    ) -> Result<V::Value> {
        Err(Refused)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.skip_value()?;
        visitor.visit_unit()
    }
}
