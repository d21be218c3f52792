//! The wire tables: one per model type, naming each key once. From its table a type gets its
//! field-by-field reading ([`WireFields`] and `Deserialize`), its writing ([`WriteFields`] and
//! `Serialize`) and, with the `schema` feature, its `JsonSchema`.
//!
//! ```text
//! wire_fields!(Package {
//!     required "registryType" => registry_type: Option<RegistryType> [text],
//!     legacy "registry_type" => registry_type_snake: Option<RegistryType> [text],
//!     "version" => version: Option<SmallText> [text],
//!     required "transport" => transport: Option<Transport> [fill],
//!     …
//! } extra = extra);
//! ```
//!
//! Each entry is `role "key" => field: Type [how]`:
//!
//! - the role ([`Role`]): none (optional), `required`, `strict` or `legacy`;
//! - the field and its type: the writer names every field of the struct with the type the table
//!   gives it, so a field missing from the table, or of another type, does not compile;
//! - how the value is read: moved in (nothing), `[fill]` (read in place, see
//!   [`Fill`](super::Fill)) or `[text]` (an optional string read in place, see
//!   [`TextSlot`](super::TextSlot)). A `strict` entry is always read in place.
//!
//! Entries are written in table order, an `Option` only when it is `Some`, then the unknown
//! fields as they came. After the entries:
//!
//! - `aliases { "key" => field [how], … }`: more keys read into an entry's field, never
//!   written (`next_cursor`, which old mirrors sent, is written back as `nextCursor`);
//! - `extra = field`: the verbatim map of unknown fields; or `inner = field: Type`: a nested
//!   table type that takes the keys this one does not know (the schema's `allOf` of `Input` and
//!   more fields), written after this type's entries;
//! - optionally `, title = "…", description = "…"` for the JSON Schema.

use serde::ser::SerializeMap;

use crate::model::server::ServerJson;

/// What a table entry is to the reader, the writer and the schema.
#[derive(Clone, Copy, Debug, Eq, PartialEq)]
pub(crate) enum Role {
    /// Read when present, written when set, an optional property of the schema.
    Optional,
    /// Required by the schema; the reader takes objects without it, so that documents that
    /// break the rules still parse (validation reports them).
    Required,
    /// Required by the reader too: an object without it is refused (a response's `server`).
    Strict,
    /// An older spelling (the 2025-07-09 snake case, or a field only old schemas had): read and
    /// written back as it came, left out of the schema.
    Legacy,
    /// Another key for an entry's field: read, never written, not in the schema.
    Alias,
}

/// One key of a table.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Entry {
    /// The key on the wire.
    pub(crate) key: &'static str,
    /// The field it fills (for the test that aliases read into the field they share).
    #[cfg(test)]
    pub(crate) field: &'static str,
    /// What it is to the reader, the writer and the schema.
    pub(crate) role: Role,
}

/// The bits of the strict entries of `entries` (bit `i` for `entries[i]`).
pub(crate) const fn strict_bits(entries: &[Entry]) -> u64 {
    let mut bits = 0;
    let mut bit = 0;
    let mut rest = entries;
    while let [entry, tail @ ..] = rest {
        if matches!(entry.role, Role::Strict) {
            // Past 64 entries the shift overflows, which stops the build.
            bits |= 1 << bit;
        }
        bit += 1;
        rest = tail;
    }
    bits
}

/// The bit of `key` among the strict entries of `entries` (bit `i` for `entries[i]`), or 0.
pub(crate) const fn strict_bit(entries: &[Entry], key: &str) -> u64 {
    let mut bit = 1;
    let mut rest = entries;
    while let [entry, tail @ ..] = rest {
        if matches!(entry.role, Role::Strict) && same(entry.key.as_bytes(), key.as_bytes()) {
            return bit;
        }
        bit <<= 1;
        rest = tail;
    }
    0
}

/// Byte-wise equality, for constants.
const fn same(mut a: &[u8], mut b: &[u8]) -> bool {
    while let ([x, a_tail @ ..], [y, b_tail @ ..]) = (a, b) {
        if *x != *y {
            return false;
        }
        a = a_tail;
        b = b_tail;
    }
    a.is_empty() && b.is_empty()
}

/// A type written field by field into a JSON object.
pub(crate) trait WriteFields {
    /// Writes the type's entries, then its unknown fields, into `map`.
    fn write_fields<M: SerializeMap>(&self, map: &mut M) -> Result<(), M::Error>;
}

/// Whether the writer writes a field: an `Option` only when it is `Some`, as
/// `skip_serializing_if = "Option::is_none"` did; any other value always.
pub(crate) trait Present {
    /// Whether the field is written.
    fn is_present(&self) -> bool;
}

impl<T> Present for Option<T> {
    fn is_present(&self) -> bool {
        self.is_some()
    }
}

impl<T> Present for Vec<T> {
    fn is_present(&self) -> bool {
        true
    }
}

impl Present for u64 {
    fn is_present(&self) -> bool {
        true
    }
}

impl Present for ServerJson {
    fn is_present(&self) -> bool {
        true
    }
}

/// An entry's [`Role`] from the word before its key.
macro_rules! role {
    () => {
        $crate::wire::table::Role::Optional
    };
    (required) => {
        $crate::wire::table::Role::Required
    };
    (strict) => {
        $crate::wire::table::Role::Strict
    };
    (legacy) => {
        $crate::wire::table::Role::Legacy
    };
}

/// One entry's read: a strict entry in place, replacing what it held, and marked in `seen`
/// when one is given (its bit is a constant); any other as its `[how]` says
/// ([`read_field!`](super::read_field)).
macro_rules! read_entry {
    ([strict] [$seen:ident] $ty:ident, $key:literal, $map:ident, $place:expr) => {{
        $map.next_value_seed($crate::wire::Replace(&mut $place))?;
        *$seen |= const {
            $crate::wire::table::strict_bit(<$ty as $crate::wire::WireFields>::ENTRIES, $key)
        };
    }};
    ([strict] [] $ty:ident, $key:literal, $map:ident, $place:expr) => {
        $map.next_value_seed($crate::wire::Replace(&mut $place))?
    };
    ([strict] [$($seen:ident)?] $ty:ident, $key:literal, $map:ident, $place:expr, $how:ident) => {
        compile_error!(concat!("the strict entry ", $key, " is read in place: leave out its [how]"))
    };
    ([$($role:ident)?] [$($seen:ident)?] $ty:ident, $key:literal, $map:ident, $place:expr $(, $how:ident)?) => {
        $crate::wire::read_field!($map, $place $(, $how)?)
    };
}

/// Implements reading, writing and (with the `schema` feature) `JsonSchema` for a struct from
/// its table: see the [module](self) for the syntax.
macro_rules! wire_fields {
    (
        $ty:ident {
            $($($role:ident)? $key:literal => $field:ident : $fty:ty $([$how:ident])?),* $(,)?
        }
        $(aliases { $($akey:literal => $afield:ident $([$ahow:ident])?),* $(,)? })?
        extra = $extra:ident
        $(, title = $title:literal, description = $description:literal)?
    ) => {
        $crate::wire::table::wire_fields!(@impl $ty
            { $($($role)? $key => $field : $fty $([$how])?),* }
            { $($($akey => $afield $([$ahow])?),*)? }
            (extra $extra)
            { $(title = $title, description = $description)? });
    };
    (
        $ty:ident {
            $($($role:ident)? $key:literal => $field:ident : $fty:ty $([$how:ident])?),* $(,)?
        }
        $(aliases { $($akey:literal => $afield:ident $([$ahow:ident])?),* $(,)? })?
        inner = $inner:ident : $inner_ty:ty
        $(, title = $title:literal, description = $description:literal)?
    ) => {
        $crate::wire::table::wire_fields!(@impl $ty
            { $($($role)? $key => $field : $fty $([$how])?),* }
            { $($($akey => $afield $([$ahow])?),*)? }
            (inner $inner : $inner_ty)
            { $(title = $title, description = $description)? });
    };
    (@impl $ty:ident
        { $($($role:ident)? $key:literal => $field:ident : $fty:ty $([$how:ident])?),* }
        { $($akey:literal => $afield:ident $([$ahow:ident])?),* }
        ($kind:ident $tail_field:ident $($tail_type:tt)*)
        { $(title = $title:literal, description = $description:literal)? }
    ) => {
        impl $crate::wire::WireFields for $ty {
            const ENTRIES: &'static [$crate::wire::table::Entry] = &[
                $($crate::wire::table::Entry {
                    key: $key,
                    #[cfg(test)]
                    field: stringify!($field),
                    role: $crate::wire::table::role!($($role)?),
                },)*
                $($crate::wire::table::Entry {
                    key: $akey,
                    #[cfg(test)]
                    field: stringify!($afield),
                    role: $crate::wire::table::Role::Alias,
                },)*
            ];

            fn field<'de, A: serde::de::MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<bool, A::Error> {
                match key {
                    $($key => $crate::wire::table::read_entry!(
                        [$($role)?] [] $ty, $key, map, self.$field $(, $how)?
                    ),)*
                    $($akey => $crate::wire::read_field!(map, self.$afield $(, $ahow)?),)*
                    _ => return $crate::wire::table::wire_fields!(@unknown self, key, map, $kind $tail_field $($tail_type)*),
                }
                Ok(true)
            }

            fn field_seen<'de, A: serde::de::MapAccess<'de>>(
                &mut self,
                key: &str,
                map: &mut A,
                seen: &mut u64,
            ) -> Result<bool, A::Error> {
                match key {
                    $($key => $crate::wire::table::read_entry!(
                        [$($role)?] [seen] $ty, $key, map, self.$field $(, $how)?
                    ),)*
                    $($akey => $crate::wire::read_field!(map, self.$afield $(, $ahow)?),)*
                    _ => return $crate::wire::table::wire_fields!(@unknown self, key, map, $kind $tail_field $($tail_type)*),
                }
                // Used by strict entries only.
                let _ = seen;
                Ok(true)
            }

            fn extra(&mut self) -> &mut $crate::vocab::extra::Extra {
                $crate::wire::table::wire_fields!(@extra self, $kind $tail_field $($tail_type)*)
            }
        }

        impl<'de> serde::Deserialize<'de> for $ty {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                $crate::wire::deserialize(deserializer)
            }
        }

        impl $crate::wire::table::WriteFields for $ty {
            fn write_fields<M: serde::ser::SerializeMap>(&self, map: &mut M) -> Result<(), M::Error> {
                // Every field, with the table's type: a field the table misses ("pattern
                // requires `..`"), or gives another type ("mismatched types"), does not compile.
                let Self { $($field,)* $tail_field } = self;
                $(let $field: &$fty = $field;)*
                $(if $crate::wire::table::Present::is_present($field) {
                    map.serialize_entry($key, $field)?;
                })*
                $crate::wire::table::wire_fields!(@write map, $kind $tail_field $($tail_type)*);
                Ok(())
            }
        }

        impl serde::Serialize for $ty {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                // No length, as serde's `flatten` wrote it: the bytes stay as they were.
                let mut map = serializer.serialize_map(None)?;
                $crate::wire::table::WriteFields::write_fields(self, &mut map)?;
                serde::ser::SerializeMap::end(map)
            }
        }

        #[cfg(feature = "schema")]
        impl $crate::wire::schema::WireSchema for $ty {
            fn properties(
                generator: &mut schemars::SchemaGenerator,
                object: &mut $crate::wire::schema::ObjectSchema,
            ) {
                $($crate::wire::schema::property!([$($role)?] generator, object, $key, $fty);)*
                $crate::wire::table::wire_fields!(@schema generator, object, $kind $tail_field $($tail_type)*);
            }
        }

        #[cfg(feature = "schema")]
        #[cfg_attr(docsrs, doc(cfg(feature = "schema")))]
        impl schemars::JsonSchema for $ty {
            fn schema_name() -> std::borrow::Cow<'static, str> {
                std::borrow::Cow::Borrowed(stringify!($ty))
            }

            fn schema_id() -> std::borrow::Cow<'static, str> {
                std::borrow::Cow::Borrowed(concat!("mcp_registry_types::", stringify!($ty)))
            }

            fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
                let about = $crate::wire::table::wire_fields!(@about $($title, $description)?);
                $crate::wire::schema::object_schema::<Self>(generator, about)
            }
        }

        #[cfg(test)]
        impl $crate::wire::table::samples::Sample for $ty {
            fn sample(depth: u8, samples: &mut $crate::wire::table::samples::Samples) -> Self {
                let mut value = <Self as $crate::wire::FillValue>::empty();
                $(value.$field = $crate::wire::table::samples::Sample::sample(depth, samples);)*
                $crate::wire::table::wire_fields!(@sample value, depth, samples, $kind $tail_field $($tail_type)*);
                value
            }

            fn written_keys(keys: &mut Vec<&'static str>) {
                keys.extend(
                    <Self as $crate::wire::WireFields>::ENTRIES
                        .iter()
                        .filter(|entry| entry.role != $crate::wire::table::Role::Alias)
                        .map(|entry| entry.key),
                );
                $crate::wire::table::wire_fields!(@written_keys keys, $kind $tail_field $($tail_type)*);
            }
        }
    };

    (@about) => {
        None
    };
    (@about $title:literal, $description:literal) => {
        Some(($title, $description))
    };
    // The unknown fields: kept here, or handed to the inner type.
    (@unknown $self:ident, $key:ident, $map:ident, extra $extra:ident) => {
        Ok(false)
    };
    // An inner type's strict entries would have its own bits: it is read without them.
    (@unknown $self:ident, $key:ident, $map:ident, inner $inner:ident : $inner_ty:ty) => {
        $crate::wire::WireFields::field(&mut $self.$inner, $key, $map)
    };
    (@extra $self:ident, extra $extra:ident) => {
        &mut $self.$extra
    };
    (@extra $self:ident, inner $inner:ident : $inner_ty:ty) => {
        $crate::wire::WireFields::extra(&mut $self.$inner)
    };
    (@write $map:ident, extra $extra:ident) => {
        for (key, value) in $extra.iter() {
            $map.serialize_entry(key, value)?;
        }
    };
    (@write $map:ident, inner $inner:ident : $inner_ty:ty) => {
        let $inner: &$inner_ty = $inner;
        $crate::wire::table::WriteFields::write_fields($inner, $map)?;
    };
    (@schema $generator:ident, $object:ident, extra $extra:ident) => {};
    (@schema $generator:ident, $object:ident, inner $inner:ident : $inner_ty:ty) => {
        <$inner_ty as $crate::wire::schema::WireSchema>::properties($generator, $object)
    };
    (@sample $value:ident, $depth:ident, $samples:ident, extra $extra:ident) => {
        $value.$extra.insert(
            "x-unknown".to_owned(),
            serde_json::Value::from($samples.next()),
        );
    };
    (@sample $value:ident, $depth:ident, $samples:ident, inner $inner:ident : $inner_ty:ty) => {
        $value.$inner = $crate::wire::table::samples::Sample::sample($depth, $samples);
    };
    (@written_keys $keys:ident, extra $extra:ident) => {
        $keys.push("x-unknown")
    };
    (@written_keys $keys:ident, inner $inner:ident : $inner_ty:ty) => {
        <$inner_ty as $crate::wire::table::samples::Sample>::written_keys($keys)
    };
}

pub(crate) use {read_entry, role, wire_fields};

/// Fully populated values of every field type, for the test that every key the writer writes
/// the reader reads back.
#[cfg(test)]
pub(crate) mod samples {
    use std::collections::BTreeMap;

    use serde_json::{Map, Value};

    use crate::model::meta::Meta;
    use crate::vocab::kinds::{ArgumentType, InputFormat, RegistryType, Status, TransportType};
    use crate::vocab::small_text::SmallText;

    /// Where the samples are in their sequence: every value differs from the others, and the
    /// booleans follow a pattern (`mask`) so that two swapped flags show in some run.
    pub(crate) struct Samples {
        next: u64,
        mask: u64,
    }

    impl Samples {
        /// Samples whose `i`th boolean is bit `i % 64` of `mask`.
        pub(crate) fn new(mask: u64) -> Self {
            Self { next: 0, mask }
        }

        /// The next number of the sequence.
        pub(crate) fn next(&mut self) -> u64 {
            self.next += 1;
            self.next
        }
    }

    /// A type with a fully populated sample: every field set, nested to `depth`.
    pub(crate) trait Sample: Sized {
        fn sample(depth: u8, samples: &mut Samples) -> Self;

        /// The keys a sample is written with, in order (table types only).
        fn written_keys(_keys: &mut Vec<&'static str>) {}
    }

    impl<T: Sample> Sample for Option<T> {
        fn sample(depth: u8, samples: &mut Samples) -> Self {
            (depth > 0).then(|| T::sample(depth - 1, samples))
        }
    }

    impl<T: Sample> Sample for Vec<T> {
        fn sample(depth: u8, samples: &mut Samples) -> Self {
            (0..depth.min(2))
                .map(|_| T::sample(depth - 1, samples))
                .collect()
        }
    }

    impl<T: Sample> Sample for Box<T> {
        fn sample(depth: u8, samples: &mut Samples) -> Self {
            Box::new(T::sample(depth, samples))
        }
    }

    impl<T: Sample> Sample for BTreeMap<String, T> {
        fn sample(depth: u8, samples: &mut Samples) -> Self {
            (0..depth.min(2))
                .map(|_| {
                    (
                        format!("k{}", samples.next()),
                        T::sample(depth - 1, samples),
                    )
                })
                .collect()
        }
    }

    impl Sample for bool {
        fn sample(_: u8, samples: &mut Samples) -> Self {
            let n = samples.next();
            (samples.mask >> (n % 64)) & 1 == 1
        }
    }

    impl Sample for u64 {
        fn sample(_: u8, samples: &mut Samples) -> Self {
            samples.next()
        }
    }

    impl Sample for u16 {
        fn sample(_: u8, samples: &mut Samples) -> Self {
            u16::try_from(samples.next()).unwrap()
        }
    }

    impl Sample for String {
        fn sample(_: u8, samples: &mut Samples) -> Self {
            format!("text {}", samples.next())
        }
    }

    impl Sample for SmallText {
        fn sample(depth: u8, samples: &mut Samples) -> Self {
            SmallText::from(String::sample(depth, samples))
        }
    }

    impl Sample for Value {
        fn sample(_: u8, samples: &mut Samples) -> Self {
            serde_json::json!({"value": samples.next(), "list": [true, null]})
        }
    }

    impl Sample for Meta {
        fn sample(_: u8, samples: &mut Samples) -> Self {
            let mut map = Map::new();
            map.insert(format!("com.example/{}", samples.next()), Value::from(1));
            Meta::from(map)
        }
    }

    macro_rules! open_enum_samples {
        ($($ty:ident),*) => {
            $(impl Sample for $ty {
                fn sample(depth: u8, samples: &mut Samples) -> Self {
                    $ty::from(String::sample(depth, samples))
                }
            })*
        };
    }

    open_enum_samples!(
        ArgumentType,
        InputFormat,
        RegistryType,
        Status,
        TransportType
    );
}
