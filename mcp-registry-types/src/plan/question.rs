//! What a target asks of the user: [`Question`] and [`Feeds`].

use serde::Serialize;

use crate::model::input::Input;
use crate::vocab::kinds::InputFormat;

/// What an answer feeds.
#[non_exhaustive]
#[derive(Clone, Debug, Eq, PartialEq, Serialize)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum Feeds {
    /// The environment variable named by the key.
    EnvironmentVariable,
    /// The HTTP header named by the key.
    Header,
    /// A runtime argument (before the package identifier).
    RuntimeArgument,
    /// A package argument (after the package identifier).
    PackageArgument,
    /// A `{variable}` in a remote's URL.
    UrlVariable,
    /// A `{variable}` in the fixed value of the input keyed `of`.
    Variable {
        /// The key of the input whose value holds the variable.
        of: String,
    },
}

/// One input a target can take: what a command-line tool prompts for.
#[non_exhaustive]
#[derive(Clone, Debug, Eq, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Question {
    key: String,
    path: String,
    description: Option<String>,
    is_required: bool,
    is_secret: bool,
    is_repeated: bool,
    format: InputFormat,
    choices: Vec<String>,
    default: Option<String>,
    placeholder: Option<String>,
    feeds: Feeds,
}

impl Question {
    /// The question for `input`, answered under `key`, found at JSON Pointer `path`.
    pub(crate) fn new(
        key: &str,
        path: String,
        input: &Input,
        feeds: Feeds,
        is_secret: bool,
        is_repeated: bool,
    ) -> Self {
        Self {
            key: key.to_owned(),
            path,
            description: input.description().map(str::to_owned),
            is_required: input.is_required(),
            is_secret,
            is_repeated,
            format: input.format().cloned().unwrap_or(InputFormat::String),
            choices: input.choices().map(str::to_owned).collect(),
            default: input.default_value().map(str::to_owned),
            placeholder: input.placeholder().map(str::to_owned),
            feeds,
        }
    }

    /// The key to answer under in [`Answers`](crate::plan::Answers).
    pub fn key(&self) -> &str {
        &self.key
    }

    /// Where the input is in the document, as a JSON Pointer
    /// (`/packages/0/environmentVariables/1`).
    pub fn path(&self) -> &str {
        &self.path
    }

    /// What the input is for.
    pub fn description(&self) -> Option<&str> {
        self.description.as_deref()
    }

    /// Whether the input must have a value (`isRequired`); a default counts as one.
    pub fn is_required(&self) -> bool {
        self.is_required
    }

    /// Whether the value is secret (`isSecret`, or a variable of a secret input).
    pub fn is_secret(&self) -> bool {
        self.is_secret
    }

    /// Whether the input takes several values (`isRepeated`).
    pub fn is_repeated(&self) -> bool {
        self.is_repeated
    }

    /// The value format; `string` when the document names none.
    pub fn format(&self) -> &InputFormat {
        &self.format
    }

    /// The allowed values; empty when any value goes.
    pub fn choices(&self) -> &[String] {
        &self.choices
    }

    /// The value used when the user gives none.
    pub fn default_value(&self) -> Option<&str> {
        self.default.as_deref()
    }

    /// An example to show, never a value.
    pub fn placeholder(&self) -> Option<&str> {
        self.placeholder.as_deref()
    }

    /// What the answer feeds.
    pub fn feeds(&self) -> &Feeds {
        &self.feeds
    }
}
