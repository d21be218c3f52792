//! Why a plan cannot be made: [`PlanError`].

use std::fmt;

use crate::model::transport::Transport;
use crate::plan::question::Question;
use crate::vocab::kinds::InputFormat;

/// Which way of running the server to plan: a package or a remote, by its index from 0.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, Eq, Hash, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Target {
    /// `packages[i]`: install and launch locally.
    Package(usize),
    /// `remotes[i]`: connect over HTTP.
    Remote(usize),
}

impl Target {
    /// The target's JSON Pointer in the document (`/packages/0`, `/remotes/1`).
    pub fn path(self) -> String {
        match self {
            Self::Package(i) => format!("/packages/{i}"),
            Self::Remote(i) => format!("/remotes/{i}"),
        }
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.path())
    }
}

/// Why a plan (or the list of questions) cannot be made.
///
/// Each message starts with the JSON Pointer of the offending field. A value is shown only when
/// its input is not secret.
#[non_exhaustive]
#[derive(Clone, Debug, Eq, PartialEq, thiserror::Error)]
pub enum PlanError {
    /// The document has no such package or remote.
    #[error("{target}: no such {kind}: the server has {count}", kind = kind(*.target))]
    #[non_exhaustive]
    NoSuchTarget {
        /// The target asked for.
        target: Target,
        /// How many packages (or remotes) the document has.
        count: usize,
    },
    /// No launch is defined for this registry type (`cargo`, or one this crate does not know).
    #[error(
        "{path}: cannot plan a launch for `{registry_type}` packages: no runner is defined for \
         this registry type"
    )]
    #[non_exhaustive]
    Unsupported {
        /// The `registryType` field's pointer.
        path: String,
        /// The registry type.
        registry_type: String,
    },
    /// The transport type is not one a plan can connect over.
    #[error("{path}: cannot connect over transport `{transport_type}`")]
    #[non_exhaustive]
    UnsupportedTransport {
        /// The transport `type` field's pointer.
        path: String,
        /// The transport type (empty when absent).
        transport_type: String,
    },
    /// A field the plan needs is absent, empty or unusable.
    #[error("{path}: {reason}")]
    #[non_exhaustive]
    Unusable {
        /// The field's pointer.
        path: String,
        /// What is wrong with it.
        reason: String,
    },
    /// Required inputs have no value: all of them, in document order.
    #[error("missing required values: {}", list(.0))]
    Missing(Vec<Question>),
    /// A value is not one of the input's `choices`.
    #[error(
        "{path}: `{key}`: {} is not one of {}",
        shown(value.as_deref()),
        choices.iter().map(|c| format!("`{c}`")).collect::<Vec<_>>().join(", ")
    )]
    #[non_exhaustive]
    InvalidChoice {
        /// The input's pointer.
        path: String,
        /// The input's key.
        key: String,
        /// The value, `None` when the input is secret.
        value: Option<String>,
        /// The allowed values.
        choices: Vec<String>,
    },
    /// A value does not have the input's `format`.
    #[error("{path}: `{key}`: {} is not a {format}", shown(value.as_deref()))]
    #[non_exhaustive]
    InvalidFormat {
        /// The input's pointer.
        path: String,
        /// The input's key.
        key: String,
        /// The value, `None` when the input is secret.
        value: Option<String>,
        /// The format the value breaks.
        format: InputFormat,
    },
    /// Several values were given for an input that takes one.
    #[error("{path}: `{key}` takes one value, got {count}")]
    #[non_exhaustive]
    NotRepeatable {
        /// The input's pointer.
        path: String,
        /// The input's key.
        key: String,
        /// How many values were given.
        count: usize,
    },
}

fn kind(target: Target) -> &'static str {
    match target {
        Target::Package(_) => "package",
        Target::Remote(_) => "remote",
    }
}

fn shown(value: Option<&str>) -> String {
    value.map_or_else(|| "the secret value".to_owned(), |v| format!("`{v}`"))
}

fn list(missing: &[Question]) -> String {
    missing
        .iter()
        .map(|q| format!("`{}` ({})", q.key(), q.path()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The transport type as written, for messages.
pub(crate) fn transport_type_text(transport: &Transport) -> String {
    transport
        .transport_type()
        .map(|t| t.as_str().to_owned())
        .unwrap_or_default()
}
