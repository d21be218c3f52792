//! User-supplied values: inputs, headers and environment variables, command-line arguments.

use std::collections::BTreeMap;

use crate::vocab::extra::Extra;
use crate::vocab::small_text::SmallText;
use serde_json::{Map, Value};

use crate::vocab::kinds::{ArgumentType, InputFormat};

/// A value the user or the client supplies (`Input` and `InputWithVariables` in the schema).
///
/// Fields spelled the 2025-07-09 way (`is_required`, `is_secret`) are read too and written back
/// as they came.
#[non_exhaustive]
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Input {
    pub(crate) description: Option<SmallText>,
    pub(crate) is_required: Option<bool>,
    pub(crate) is_required_snake: Option<bool>,
    pub(crate) format: Option<InputFormat>,
    pub(crate) value: Option<SmallText>,
    pub(crate) is_secret: Option<bool>,
    pub(crate) is_secret_snake: Option<bool>,
    pub(crate) default: Option<SmallText>,
    pub(crate) placeholder: Option<SmallText>,
    pub(crate) choices: Option<Vec<SmallText>>,
    pub(crate) variables: Option<BTreeMap<String, Input>>,
    pub(crate) extra: Extra,
}

impl Input {
    /// An empty input: optional, not secret, free text.
    pub fn new() -> Self {
        Self::default()
    }

    /// What the input is for.
    pub fn description(&self) -> Option<&str> {
        self.description.as_deref()
    }

    /// Whether a value must be supplied (`isRequired`, default `false`).
    pub fn is_required(&self) -> bool {
        self.is_required.or(self.is_required_snake).unwrap_or(false)
    }

    /// Whether the value is a secret to be stored and shown as such (`isSecret`, default `false`).
    pub fn is_secret(&self) -> bool {
        self.is_secret.or(self.is_secret_snake).unwrap_or(false)
    }

    /// The declared format; `None` means the schema default, `string`.
    pub fn format(&self) -> Option<&InputFormat> {
        self.format.as_ref()
    }

    /// A fixed value; when set the input is not user-configurable.
    pub fn value(&self) -> Option<&str> {
        self.value.as_deref()
    }

    /// The default value.
    pub fn default_value(&self) -> Option<&str> {
        self.default.as_deref()
    }

    /// An example shown to the user, never used as a value.
    pub fn placeholder(&self) -> Option<&str> {
        self.placeholder.as_deref()
    }

    /// The allowed values, if restricted (none when any value goes).
    pub fn choices(&self) -> impl ExactSizeIterator<Item = &str> + DoubleEndedIterator {
        let choices: &[SmallText] = self.choices.as_deref().unwrap_or_default();
        choices.iter().map(SmallText::as_str)
    }

    /// Variables substituted for `{name}` in [`value`](Self::value).
    pub fn variables(&self) -> Option<&BTreeMap<String, Input>> {
        self.variables.as_ref()
    }

    /// Fields this crate does not know, kept verbatim.
    pub fn extra(&self) -> &Map<String, Value> {
        &self.extra
    }

    /// Whether the user must supply a value: required, with neither a fixed nor a default one.
    pub fn needs_value(&self) -> bool {
        self.is_required() && self.value().is_none() && self.default_value().is_none()
    }

    /// Sets the description.
    pub fn with_description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(SmallText::from_string(description));
        self
    }

    /// Marks the input required.
    pub fn with_required(mut self, required: bool) -> Self {
        self.is_required = Some(required);
        self.is_required_snake = None;
        self
    }

    /// Marks the input secret.
    pub fn with_secret(mut self, secret: bool) -> Self {
        self.is_secret = Some(secret);
        self.is_secret_snake = None;
        self
    }

    /// Sets the format.
    pub fn with_format(mut self, format: InputFormat) -> Self {
        self.format = Some(format);
        self
    }

    /// Sets a fixed value.
    pub fn with_value(mut self, value: impl Into<String>) -> Self {
        self.value = Some(SmallText::from_string(value));
        self
    }

    /// Sets the default value.
    pub fn with_default(mut self, default: impl Into<String>) -> Self {
        self.default = Some(SmallText::from_string(default));
        self
    }

    /// Sets the placeholder.
    pub fn with_placeholder(mut self, placeholder: impl Into<String>) -> Self {
        self.placeholder = Some(SmallText::from_string(placeholder));
        self
    }

    /// Restricts the value to these choices.
    pub fn with_choices<I: IntoIterator<Item = S>, S: Into<String>>(mut self, choices: I) -> Self {
        self.choices = Some(choices.into_iter().map(SmallText::from_string).collect());
        self
    }

    /// Adds a variable for `{name}` substitution in the value.
    pub fn with_variable(mut self, name: impl Into<String>, input: Input) -> Self {
        self.variables
            .get_or_insert_with(BTreeMap::new)
            .insert(name.into(), input);
        self
    }
}

/// A named input: an HTTP header or an environment variable (`KeyValueInput`).
#[non_exhaustive]
#[derive(Clone, Debug, Default, PartialEq)]
pub struct KeyValueInput {
    pub(crate) name: Option<SmallText>,
    pub(crate) input: Input,
}

impl KeyValueInput {
    /// A header or environment variable called `name`.
    pub fn new(name: impl Into<String>, input: Input) -> Self {
        Self {
            name: Some(SmallText::from_string(name)),
            input,
        }
    }

    /// The header or variable name (empty when the document omits it).
    pub fn name(&self) -> &str {
        self.name.as_deref().unwrap_or_default()
    }

    /// The value's description, flags and constraints.
    pub fn input(&self) -> &Input {
        &self.input
    }
}

/// A command-line argument (`PositionalArgument` or `NamedArgument`).
///
/// One struct for both kinds, as the registry stores them, so a document with a kind this crate
/// does not know still parses.
#[non_exhaustive]
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Argument {
    pub(crate) kind: Option<ArgumentType>,
    pub(crate) name: Option<SmallText>,
    pub(crate) value_hint: Option<SmallText>,
    pub(crate) value_hint_snake: Option<SmallText>,
    pub(crate) is_repeated: Option<bool>,
    pub(crate) is_repeated_snake: Option<bool>,
    pub(crate) input: Input,
}

impl Argument {
    /// A `name value` flag such as `--port`.
    pub fn named(name: impl Into<String>, input: Input) -> Self {
        Self {
            kind: Some(ArgumentType::Named),
            name: Some(SmallText::from_string(name)),
            input,
            ..Self::default()
        }
    }

    /// A positional value labelled `value_hint`.
    pub fn positional(value_hint: impl Into<String>, input: Input) -> Self {
        Self {
            kind: Some(ArgumentType::Positional),
            value_hint: Some(SmallText::from_string(value_hint)),
            input,
            ..Self::default()
        }
    }

    /// Positional or named.
    pub fn kind(&self) -> Option<&ArgumentType> {
        self.kind.as_ref()
    }

    /// The flag, dashes included, for a named argument.
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    /// The label of a positional argument; also a URL template variable name.
    pub fn value_hint(&self) -> Option<&str> {
        self.value_hint
            .as_deref()
            .or(self.value_hint_snake.as_deref())
    }

    /// Whether the argument may be given more than once.
    pub fn is_repeated(&self) -> bool {
        self.is_repeated.or(self.is_repeated_snake).unwrap_or(false)
    }

    /// The value's description, flags and constraints.
    pub fn input(&self) -> &Input {
        &self.input
    }

    /// Marks the argument repeatable.
    pub fn with_repeated(mut self, repeated: bool) -> Self {
        self.is_repeated = Some(repeated);
        self.is_repeated_snake = None;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_is_needed_only_when_required_and_unfilled() {
        assert!(!Input::new().needs_value());
        assert!(Input::new().with_required(true).needs_value());
        assert!(
            !Input::new()
                .with_required(true)
                .with_default("eu")
                .needs_value()
        );
        assert!(
            !Input::new()
                .with_required(true)
                .with_value("fixed")
                .needs_value()
        );
        let header = KeyValueInput::new(
            "Authorization",
            Input::new().with_required(true).with_secret(true),
        );
        let remote = crate::Transport::default().with_header(header);
        assert!(remote.needs_configuration());
        assert!(!crate::Transport::stdio().needs_configuration());
    }

    #[test]
    fn choices_read_in_order() {
        let input: Input = serde_json::from_str(
            r#"{"choices": ["postgres", "a choice longer than twenty-three bytes"]}"#,
        )
        .unwrap();
        let choices = input.choices();
        assert_eq!(choices.len(), 2);
        assert_eq!(
            choices.rev().collect::<Vec<_>>(),
            ["a choice longer than twenty-three bytes", "postgres"]
        );
        assert_eq!(Input::new().choices().len(), 0);
        let built = Input::new().with_choices(["eu", "us"]);
        assert_eq!(built.choices().collect::<Vec<_>>(), ["eu", "us"]);
        let icon = crate::Icon::new("https://x.com/i.png")
            .with_size("48x48")
            .with_size("any");
        assert_eq!(icon.sizes().collect::<Vec<_>>(), ["48x48", "any"]);
    }
}
