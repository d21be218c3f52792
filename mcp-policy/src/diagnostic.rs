//! Diagnostics with JSON Pointer paths, and the crate's error type.

use std::fmt;

use mcp_registry_types::{Severity, escape_controls};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// One finding about a policy document, located by a JSON Pointer.
#[derive(Clone, Debug, Eq, Hash, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Diagnostic {
    severity: Severity,
    #[serde(skip_serializing_if = "Option::is_none")]
    layer: Option<String>,
    path: String,
    message: String,
}

/// Keeps a message on one safe line: control, bidi and invisible characters quoted from a
/// policy (a newline inside an unknown value, say) become visible escapes, so no diagnostic
/// can forge a log line or reorder what a terminal shows.
fn one_line(message: String) -> String {
    match escape_controls(&message) {
        std::borrow::Cow::Borrowed(_) => message,
        std::borrow::Cow::Owned(escaped) => escaped,
    }
}

impl Diagnostic {
    pub(crate) fn error(path: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Error,
            layer: None,
            path: path.into(),
            message: one_line(message.into()),
        }
    }

    pub(crate) fn warning(path: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Warning,
            layer: None,
            path: path.into(),
            message: one_line(message.into()),
        }
    }

    pub(crate) fn in_layer(mut self, layer: &str, single: bool) -> Self {
        if !single {
            self.layer = Some(layer.to_owned());
        }
        self
    }

    /// Whether this is an error (the policy does not compile) or a warning (it compiles, but
    /// part of it probably does not do what its author meant).
    pub fn severity(&self) -> Severity {
        self.severity
    }

    /// The JSON Pointer of the offending value (`/rules/3/match/serverName`); empty for the root.
    ///
    /// This is the exact pointer, object keys as the document spells them, so it may hold any
    /// character; the `Display` form escapes the unsafe ones for printing.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The layer the finding is in, when the policy has more than one; exact, as
    /// [`path`](Self::path) is.
    pub fn layer(&self) -> Option<&str> {
        self.layer.as_deref()
    }

    /// The message, without the path. Unsafe characters quoted from the input are already
    /// written as visible escapes (`\u{1b}`).
    pub fn message(&self) -> &str {
        &self.message
    }
}

/// Shows the diagnostic as one safe line: `layer `NAME`: PATH: MESSAGE`. Object keys in the
/// path and the layer name come from input, so their control, bidi and invisible characters
/// are written as visible escapes, as the message's already are.
impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(layer) = &self.layer {
            write!(f, "layer `{}`: ", escape_controls(layer))?;
        }
        let path = if self.path.is_empty() {
            "/"
        } else {
            &self.path
        };
        write!(f, "{}: {}", escape_controls(path), self.message)
    }
}

/// Every diagnostic from parsing or compiling a policy, errors first.
#[derive(Clone, Debug, Default, Eq, PartialEq, Serialize)]
#[serde(transparent)]
pub struct Diagnostics(Vec<Diagnostic>);

impl Diagnostics {
    pub(crate) fn new(mut all: Vec<Diagnostic>) -> Self {
        // Stable: errors first, each severity in the order found.
        all.sort_by_key(|d| std::cmp::Reverse(d.severity));
        Self(all)
    }

    /// All diagnostics, errors first.
    pub fn iter(&self) -> std::slice::Iter<'_, Diagnostic> {
        self.0.iter()
    }

    /// The errors only.
    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.0.iter().filter(|d| d.severity == Severity::Error)
    }

    /// How many diagnostics there are.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut errors = self.errors();
        match errors.next() {
            Some(first) => {
                write!(f, "{first}")?;
                let more = errors.count();
                if more > 0 {
                    write!(
                        f,
                        " (and {more} more error{})",
                        if more == 1 { "" } else { "s" }
                    )?;
                }
                Ok(())
            }
            None => f.write_str("no errors"),
        }
    }
}

impl<'a> IntoIterator for &'a Diagnostics {
    type Item = &'a Diagnostic;
    type IntoIter = std::slice::Iter<'a, Diagnostic>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

/// Errors from this crate.
#[non_exhaustive]
#[derive(Debug, thiserror::Error)]
pub enum PolicyError {
    /// A policy, request or settings document is invalid; every diagnostic is attached.
    #[error("{0}")]
    Invalid(Diagnostics),
}

impl PolicyError {
    /// The diagnostics behind the error.
    pub fn diagnostics(&self) -> &Diagnostics {
        match self {
            Self::Invalid(all) => all,
        }
    }

    pub(crate) fn single(diagnostic: Diagnostic) -> Self {
        Self::Invalid(Diagnostics::new(vec![diagnostic]))
    }
}

/// Parses JSON bytes into a value, or a diagnostic locating the syntax error.
pub(crate) fn parse_value(bytes: &[u8]) -> Result<serde_json::Value, Diagnostic> {
    serde_json::from_slice(bytes).map_err(|err| {
        Diagnostic::error(
            "",
            format!("invalid json: {}", lowercase_first(&err.to_string())),
        )
    })
}

/// Parses a whole document, reporting the first problem with its JSON path.
pub(crate) fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, PolicyError> {
    let value = parse_value(bytes).map_err(PolicyError::single)?;
    from_value(&value, "").map_err(PolicyError::single)
}

/// Deserializes `value`, located at `base`, into `T`.
pub(crate) fn from_value<T: DeserializeOwned>(
    value: &serde_json::Value,
    base: &str,
) -> Result<T, Diagnostic> {
    serde_path_to_error::deserialize(value).map_err(|err| {
        let mut path = base.to_owned();
        for segment in err.path() {
            match segment {
                serde_path_to_error::Segment::Seq { index } => {
                    path.push('/');
                    path.push_str(&index.to_string());
                }
                serde_path_to_error::Segment::Map { key } => {
                    path.push('/');
                    path.push_str(&escape_pointer(key));
                }
                serde_path_to_error::Segment::Enum { .. }
                | serde_path_to_error::Segment::Unknown => {}
            }
        }
        let message = serde_message(&err.into_inner().to_string());
        Diagnostic::error(path, message)
    })
}

/// Escapes one JSON Pointer reference token.
pub(crate) fn escape_pointer(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// Rewrites a serde message in the house style, with a "did you mean" for unknown names.
fn serde_message(raw: &str) -> String {
    // serde_json appends a location that means nothing for an in-memory value.
    let raw = raw.split(" at line ").next().unwrap_or(raw);
    for kind in ["field", "variant"] {
        let Some(rest) = raw.strip_prefix(&format!("unknown {kind} `")) else {
            continue;
        };
        let Some((unknown, expected)) = rest.split_once('`') else {
            continue;
        };
        let candidates: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
        return match did_you_mean(unknown, candidates.iter().copied()) {
            Some(best) => format!("unknown {kind} `{unknown}`, did you mean `{best}`"),
            None if candidates.is_empty() => format!("unknown {kind} `{unknown}`"),
            None => format!(
                "unknown {kind} `{unknown}`, expected one of {}",
                candidates
                    .iter()
                    .map(|c| format!("`{c}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
    }
    lowercase_first(raw)
}

fn lowercase_first(s: &str) -> String {
    // serde_json spells the acronym in capitals, which lowercasing one letter would mangle.
    if let Some(rest) = s.strip_prefix("EOF") {
        return format!("end of input{rest}");
    }
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The closest candidate by edit distance, if it is close enough to be a plausible typo.
pub(crate) fn did_you_mean<'a>(
    unknown: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let limit = (unknown.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .map(|c| (edit_distance(&unknown.to_lowercase(), &c.to_lowercase()), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, c)| (*d, *c))
        .map(|(_, c)| c)
}

/// Optimal string alignment distance: edits plus adjacent transpositions, so `stdoi` is one
/// step from `stdio`.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let width = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * width];
    let at = |i: usize, j: usize| i * width + j;
    for i in 0..=a.len() {
        if let Some(cell) = d.get_mut(at(i, 0)) {
            *cell = i;
        }
    }
    for j in 0..=b.len() {
        if let Some(cell) = d.get_mut(at(0, j)) {
            *cell = j;
        }
    }
    let get = |d: &[usize], i: usize, j: usize| d.get(at(i, j)).copied().unwrap_or(usize::MAX / 2);
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let (ca, cb) = (a.get(i - 1), b.get(j - 1));
            let cost = usize::from(ca != cb);
            let mut best = (get(&d, i - 1, j) + 1)
                .min(get(&d, i, j - 1) + 1)
                .min(get(&d, i - 1, j - 1) + cost);
            if i > 1 && j > 1 && ca == b.get(j - 2) && a.get(i - 2) == cb {
                best = best.min(get(&d, i - 2, j - 2) + 1);
            }
            if let Some(cell) = d.get_mut(at(i, j)) {
                *cell = best;
            }
        }
    }
    get(&d, a.len(), b.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions() {
        assert_eq!(
            did_you_mean("sevrerName", ["serverName", "tool"]),
            Some("serverName")
        );
        assert_eq!(
            did_you_mean("developr", ["developer", "admin"]),
            Some("developer")
        );
        assert_eq!(did_you_mean("zzz", ["developer"]), None);
    }

    #[test]
    fn diagnostics_serialize_errors_first_with_lowercase_severities() {
        let all = Diagnostics::new(vec![
            Diagnostic::warning("/a", "first warning"),
            Diagnostic::error("/b", "an error"),
            Diagnostic::warning("/c", "second warning").in_layer("user", false),
        ]);
        assert_eq!(
            serde_json::to_string(&all).unwrap(),
            r#"[{"severity":"error","path":"/b","message":"an error"},"#.to_owned()
                + r#"{"severity":"warning","path":"/a","message":"first warning"},"#
                + r#"{"severity":"warning","layer":"user","path":"/c","message":"second warning"}]"#
        );
        assert_eq!(all.errors().count(), 1);
    }

    #[test]
    fn serde_messages_are_rewritten() {
        assert_eq!(
            serde_message("unknown field `efect`, expected one of `id`, `effect`"),
            "unknown field `efect`, did you mean `effect`"
        );
        assert_eq!(
            serde_message("unknown variant `permit`, expected one of `allow`, `ask`, `deny`"),
            "unknown variant `permit`, expected one of `allow`, `ask`, `deny`"
        );
        assert_eq!(
            serde_message("Missing field `id` at line 1 column 2"),
            "missing field `id`"
        );
    }
}
