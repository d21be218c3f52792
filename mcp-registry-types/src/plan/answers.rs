//! The user's values, by key.

use std::collections::BTreeMap;
use std::fmt;

/// The user's values, by key.
///
/// A key is an environment variable's `name`, a header's `name`, a named argument's `name`
/// (`--port`), a positional argument's `valueHint` or a `{variable}` name: the
/// [`key`](crate::plan::Question::key) of a [`Question`](crate::plan::Question). A repeated
/// argument takes several values ([`with_many`](Self::with_many)); every other input takes one.
///
/// Answers may hold secrets, so `Debug` prints the keys only.
///
/// ```
/// use mcp_registry_types::plan::Answers;
///
/// let answers = Answers::new()
///     .with("API_KEY", "sk-123")
///     .with_many("--tag", ["a", "b"]);
/// assert_eq!(answers.get("API_KEY"), Some("sk-123"));
/// assert_eq!(answers.get_all("--tag"), ["a", "b"]);
/// assert!(!format!("{answers:?}").contains("sk-123"));
/// ```
#[derive(Clone, Default, Eq, PartialEq)]
pub struct Answers {
    values: BTreeMap<String, Vec<String>>,
}

impl Answers {
    /// No answers.
    pub fn new() -> Self {
        Self::default()
    }

    /// With `key` answered `value` (replacing any earlier answer).
    pub fn with(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.insert(key, value);
        self
    }

    /// With `key` answered by each of `values`, in order (a repeated argument).
    pub fn with_many<I, S>(mut self, key: impl Into<String>, values: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.values
            .insert(key.into(), values.into_iter().map(Into::into).collect());
        self
    }

    /// Answers `key` with `value`, replacing any earlier answer.
    pub fn insert(&mut self, key: impl Into<String>, value: impl Into<String>) {
        self.values.insert(key.into(), vec![value.into()]);
    }

    /// Adds `value` to the answers for `key` (a repeated argument).
    pub fn push(&mut self, key: impl Into<String>, value: impl Into<String>) {
        self.values
            .entry(key.into())
            .or_default()
            .push(value.into());
    }

    /// Removes the answers for `key`.
    pub fn remove(&mut self, key: &str) {
        self.values.remove(key);
    }

    /// The (first) answer for `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.get_all(key).first().map(String::as_str)
    }

    /// Every answer for `key`, in order; empty when there is none.
    pub fn get_all(&self, key: &str) -> &[String] {
        self.values.get(key).map_or(&[], Vec::as_slice)
    }

    /// The answered keys, sorted.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.values.keys().map(String::as_str)
    }
}

impl fmt::Debug for Answers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Answers")
            .field("keys", &self.values.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plan_answers_replace_push_and_remove() {
        let mut a = Answers::new().with("k", "1").with("k", "2");
        assert_eq!(a.get_all("k"), ["2"]);
        a.push("k", "3");
        assert_eq!(a.get_all("k"), ["2", "3"]);
        a.push("new", "x");
        assert_eq!(a.keys().collect::<Vec<_>>(), ["k", "new"]);
        a.remove("k");
        assert_eq!(a.get("k"), None);
        assert!(a.get_all("k").is_empty());
        assert_eq!(format!("{a:?}"), r#"Answers { keys: ["new"], .. }"#);
    }
}
