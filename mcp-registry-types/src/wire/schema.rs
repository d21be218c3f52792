//! JSON Schema from the wire tables (the `schema` feature), kept in step with the official
//! schema: properties keyed by wire name, the official `required` lists, and the older
//! spellings left out.
//!
//! Required fields are `Option`s in Rust so that reading stays lenient; the table's `required`
//! role puts them back in the schema's `required` list, with the schema of the value itself (a
//! required `name` is a `string`, not a `string` or `null`), as `#[schemars(required)]` did.

use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde_json::{Map, Value};

/// A table type's properties, written into its object schema.
pub(crate) trait WireSchema {
    /// Adds the type's properties (and those of its inner type) to `object`.
    fn properties(generator: &mut SchemaGenerator, object: &mut ObjectSchema);
}

/// An object schema being built: its properties in table order, and the required keys.
#[derive(Default)]
pub(crate) struct ObjectSchema {
    properties: Map<String, Value>,
    required: Vec<&'static str>,
}

impl ObjectSchema {
    /// An optional property.
    pub(crate) fn optional(&mut self, key: &'static str, schema: Schema) {
        self.properties.insert(key.to_owned(), schema.to_value());
    }

    /// A property the object must have.
    pub(crate) fn required(&mut self, key: &'static str, schema: Schema) {
        self.optional(key, schema);
        self.required.push(key);
    }
}

/// The schema of a table type: an object with its properties, any other key allowed (unknown
/// fields are kept), and its required keys; `about` is the title and description.
pub(crate) fn object_schema<T: WireSchema>(
    generator: &mut SchemaGenerator,
    about: Option<(&str, &str)>,
) -> Schema {
    let mut object = ObjectSchema::default();
    T::properties(generator, &mut object);
    let mut schema = Map::new();
    if let Some((title, description)) = about {
        schema.insert("title".to_owned(), Value::from(title));
        schema.insert("description".to_owned(), Value::from(description));
    }
    schema.insert("type".to_owned(), Value::from("object"));
    schema.insert("properties".to_owned(), Value::Object(object.properties));
    schema.insert("additionalProperties".to_owned(), Value::Bool(true));
    if !object.required.is_empty() {
        schema.insert("required".to_owned(), Value::from(object.required));
    }
    Schema::from(schema)
}

/// The property of an optional entry.
pub(crate) trait OptionalSchema {
    /// The property's schema.
    fn optional_schema(generator: &mut SchemaGenerator) -> Schema;
}

impl<T: JsonSchema> OptionalSchema for Option<T> {
    fn optional_schema(generator: &mut SchemaGenerator) -> Schema {
        generator.subschema_for::<Self>()
    }
}

/// A field that is not an `Option` reads as its default when absent, and says so.
impl<T: JsonSchema> OptionalSchema for Vec<T> {
    fn optional_schema(generator: &mut SchemaGenerator) -> Schema {
        with_default(generator.subschema_for::<Self>(), Value::Array(Vec::new()))
    }
}

impl OptionalSchema for u64 {
    fn optional_schema(generator: &mut SchemaGenerator) -> Schema {
        with_default(generator.subschema_for::<Self>(), Value::from(0))
    }
}

fn with_default(mut schema: Schema, default: Value) -> Schema {
    schema.insert("default".to_owned(), default);
    schema
}

/// The property of a `required` entry: an `Option` the reader leaves empty when the key is
/// absent, described by the schema of its value.
pub(crate) trait RequiredSchema {
    /// The property's schema.
    fn required_schema(generator: &mut SchemaGenerator) -> Schema;
}

impl<T: JsonSchema> RequiredSchema for Option<T> {
    fn required_schema(generator: &mut SchemaGenerator) -> Schema {
        T::json_schema(generator)
    }
}

/// One entry's property, by its role: `legacy` entries are left out.
macro_rules! property {
    ([] $generator:ident, $object:ident, $key:literal, $fty:ty) => {
        $object.optional(
            $key,
            <$fty as $crate::wire::schema::OptionalSchema>::optional_schema($generator),
        )
    };
    ([required] $generator:ident, $object:ident, $key:literal, $fty:ty) => {
        $object.required(
            $key,
            <$fty as $crate::wire::schema::RequiredSchema>::required_schema($generator),
        )
    };
    ([strict] $generator:ident, $object:ident, $key:literal, $fty:ty) => {
        $object.required($key, $generator.subschema_for::<$fty>())
    };
    ([legacy] $generator:ident, $object:ident, $key:literal, $fty:ty) => {};
}

pub(crate) use property;
