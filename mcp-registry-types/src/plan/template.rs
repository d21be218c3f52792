//! Values that may hold secrets: [`Template`], [`Part`], [`SecretRef`] and [`Secret`].

use std::fmt;

use serde::Serialize;
use serde::ser::SerializeStruct as _;

/// A secret value: an API key, a password, a token.
///
/// Its `Debug` and `Display` print `<secret>`, it has no `Serialize`, and the value is read only
/// through [`expose`](Self::expose), so a plan can be logged, printed or serialized without
/// leaking it.
#[derive(Clone, Eq, PartialEq)]
pub struct Secret(String);

impl Secret {
    /// Wraps `value`.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The value itself; call this only where the value must be used (launching, connecting).
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<secret>")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<secret>")
    }
}

/// A reference to a secret input: its key, its description and, when the user gave it, its value.
///
/// An exported plan ([`plan_for_export`](crate::plan::plan_for_export)) may hold references with
/// no value: the host that reads the export asks for them itself.
#[non_exhaustive]
#[derive(Clone, Debug, Eq, PartialEq)]
pub struct SecretRef {
    key: String,
    description: Option<String>,
    value: Option<Secret>,
}

impl SecretRef {
    /// A reference to the input `key`, holding `value` when known.
    pub fn new(key: impl Into<String>, description: Option<String>, value: Option<Secret>) -> Self {
        Self {
            key: key.into(),
            description,
            value,
        }
    }

    /// The answer key of the input (an environment variable, header or argument name, a
    /// `valueHint` or a `{variable}` name).
    pub fn key(&self) -> &str {
        &self.key
    }

    /// What the input is for, as the document describes it.
    pub fn description(&self) -> Option<&str> {
        self.description.as_deref()
    }

    /// The value, when the user gave one.
    pub fn value(&self) -> Option<&Secret> {
        self.value.as_ref()
    }
}

// By hand, so that the value can never be written: only the key, the description and whether a
// value is held.
impl Serialize for SecretRef {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut out = serializer.serialize_struct("SecretRef", 3)?;
        out.serialize_field("key", &self.key)?;
        out.serialize_field("description", &self.description)?;
        out.serialize_field("provided", &self.value.is_some())?;
        out.end()
    }
}

/// One piece of a [`Template`].
#[non_exhaustive]
#[derive(Clone, Debug, Eq, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Part {
    /// Text used as it is: the document's fixed text and non-secret answers.
    Text(String),
    /// A secret, used only through [`Template::expose`] or written as a reference by
    /// [`Template::render_with`].
    Secret(SecretRef),
}

/// A value made of text and secrets: an argument, an environment variable, a URL or a header.
///
/// Serialized as the list of its parts, secrets as references without their values.
#[derive(Clone, Debug, Default, Eq, PartialEq, Serialize)]
#[serde(transparent)]
pub struct Template {
    parts: Vec<Part>,
}

impl Template {
    /// An empty template.
    pub fn new() -> Self {
        Self::default()
    }

    /// A template of plain text.
    pub fn text(text: impl Into<String>) -> Self {
        let mut template = Self::new();
        template.push_text(text.into());
        template
    }

    /// A template of one secret.
    pub fn secret(secret: SecretRef) -> Self {
        Self {
            parts: vec![Part::Secret(secret)],
        }
    }

    /// The parts in order; adjacent text is always merged into one part.
    pub fn parts(&self) -> &[Part] {
        &self.parts
    }

    /// Whether some part is a secret.
    pub fn has_secret(&self) -> bool {
        self.secrets().next().is_some()
    }

    /// The secrets, in order.
    pub fn secrets(&self) -> impl Iterator<Item = &SecretRef> {
        self.parts.iter().filter_map(|part| match part {
            Part::Secret(secret) => Some(secret),
            Part::Text(_) => None,
        })
    }

    /// The text, with each secret written by `reference`: how a host exporter writes a
    /// reference in its own syntax (`${API_KEY}`, `${input:api_key}`, …).
    ///
    /// ```
    /// use mcp_registry_types::plan::{SecretRef, Template};
    ///
    /// let mut header = Template::text("Bearer ");
    /// header.push(Template::secret(SecretRef::new("TOKEN", None, None)));
    /// assert_eq!(header.render_with(|s| format!("${{{}}}", s.key())), "Bearer ${TOKEN}");
    /// ```
    pub fn render_with(&self, mut reference: impl FnMut(&SecretRef) -> String) -> String {
        let mut out = String::new();
        for part in &self.parts {
            match part {
                Part::Text(text) => out.push_str(text),
                Part::Secret(secret) => out.push_str(&reference(secret)),
            }
        }
        out
    }

    /// The text with every secret's value in place, or `None` when a secret has no value (an
    /// exported plan). Only for launching or connecting: never print the result.
    pub fn expose(&self) -> Option<String> {
        let mut out = String::new();
        for part in &self.parts {
            match part {
                Part::Text(text) => out.push_str(text),
                Part::Secret(secret) => out.push_str(secret.value()?.expose()),
            }
        }
        Some(out)
    }

    /// Appends `other`'s parts.
    pub fn push(&mut self, other: Self) {
        for part in other.parts {
            match part {
                Part::Text(text) => self.push_text(text),
                secret @ Part::Secret(_) => self.parts.push(secret),
            }
        }
    }

    /// Appends text, merged into a trailing text part.
    pub(crate) fn push_text(&mut self, text: String) {
        if text.is_empty() {
            return;
        }
        if let Some(Part::Text(last)) = self.parts.last_mut() {
            last.push_str(&text);
        } else {
            self.parts.push(Part::Text(text));
        }
    }
}

/// The text with each secret shown as `<secret KEY>`, for review.
impl fmt::Display for Template {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render_with(|secret| format!("<secret {}>", secret.key())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bearer() -> Template {
        let mut t = Template::text("Bearer ");
        t.push(Template::secret(SecretRef::new(
            "TOKEN",
            Some("the token".into()),
            Some(Secret::new("hunter2")),
        )));
        t.push(Template::text("!"));
        t
    }

    #[test]
    fn plan_template_hides_secrets_everywhere_but_expose() {
        let t = bearer();
        assert_eq!(t.expose().as_deref(), Some("Bearer hunter2!"));
        assert!(!format!("{t:?}").contains("hunter2"));
        assert_eq!(t.to_string(), "Bearer <secret TOKEN>!");
        let json = serde_json::to_string(&t).unwrap();
        assert!(!json.contains("hunter2"));
        assert_eq!(
            json,
            r#"[{"text":"Bearer "},{"secret":{"key":"TOKEN","description":"the token","provided":true}},{"text":"!"}]"#
        );
        assert_eq!(format!("{}", Secret::new("x")), "<secret>");
    }

    #[test]
    fn plan_template_merges_text_and_renders_references() {
        let mut t = Template::text("a");
        t.push(Template::text("b"));
        assert_eq!(t.parts(), [Part::Text("ab".into())]);
        let absent = Template::secret(SecretRef::new("K", None, None));
        assert_eq!(absent.expose(), None);
        assert_eq!(
            absent.render_with(|s| format!("${{input:{}}}", s.key())),
            "${input:K}"
        );
        assert!(absent.has_secret());
        assert!(!t.has_secret());
    }
}
