//! Server names: `namespace/name`, checked exactly as the official registry checks them.

use crate::vocab::validated::validated_string;

/// The most characters a server name may have (schema `maxLength`).
pub const MAX_NAME_CHARS: usize = 200;

/// A valid server name: a reverse-DNS namespace, one `/`, and a name, e.g.
/// `io.github.acme/weather`.
///
/// Both parts start and end with an ASCII letter or digit; the namespace may hold `.` and `-`
/// inside, the name also `_`. Case is kept and significant.
///
/// ```
/// # fn main() -> Result<(), mcp_registry_types::NameError> {
/// use mcp_registry_types::ServerName;
///
/// let name = ServerName::new("io.github.acme/weather")?;
/// assert_eq!((name.namespace(), name.local_name()), ("io.github.acme", "weather"));
/// assert!(ServerName::new("acme").is_err());
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Debug, Eq, Hash, Ord, PartialEq, PartialOrd)]
pub struct ServerName {
    text: String,
    slash: usize,
}

/// Why a string is not a [`ServerName`].
#[derive(Clone, Debug, Eq, PartialEq, thiserror::Error)]
#[error("invalid server name `{value}`: {}", self.kind.describe())]
pub struct NameError {
    value: String,
    kind: NameErrorKind,
}

/// The rule a server name breaks.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, Eq, PartialEq)]
pub enum NameErrorKind {
    /// The name is empty.
    Empty,
    /// There is no `/`.
    MissingSlash,
    /// There is more than one `/`.
    MultipleSlashes,
    /// One side of the `/` is empty.
    EmptyPart,
    /// The namespace has a character or an end that is not allowed.
    InvalidNamespace,
    /// The name part has a character or an end that is not allowed.
    InvalidName,
    /// More than 200 characters.
    TooLong,
}

impl NameErrorKind {
    fn describe(self) -> &'static str {
        match self {
            Self::Empty => "write a name such as `com.example/server`",
            Self::MissingSlash => {
                "write `namespace/name` with one `/`, such as `com.example.api/server`"
            }
            Self::MultipleSlashes => "use exactly one `/` between namespace and name",
            Self::EmptyPart => {
                "both the namespace and the name before and after `/` must be non-empty"
            }
            Self::InvalidNamespace => {
                "the namespace must be at least two characters that start and end with a letter or digit and hold only letters, digits, `.` and `-`"
            }
            Self::InvalidName => {
                "the name must be at least two characters that start and end with a letter or digit and hold only letters, digits, `.`, `_` and `-`"
            }
            Self::TooLong => "use at most 200 characters",
        }
    }

    /// The official registry's reference code for the rule.
    pub fn code(self) -> &'static str {
        match self {
            Self::TooLong => "name-too-long",
            _ => "invalid-server-name",
        }
    }
}

impl NameError {
    pub(crate) fn new(value: &str, kind: NameErrorKind) -> Self {
        Self {
            value: value.to_owned(),
            kind,
        }
    }

    /// The rejected text.
    pub fn value(&self) -> &str {
        &self.value
    }

    /// The rule it breaks.
    pub fn kind(&self) -> NameErrorKind {
        self.kind
    }

    /// How to fix it, without the value.
    pub fn hint(&self) -> &'static str {
        self.kind.describe()
    }
}

impl ServerName {
    /// Checks `text` against the registry's rules.
    ///
    /// # Errors
    /// [`NameError`] naming the first rule broken, in the registry's order.
    pub fn new(text: &str) -> Result<Self, NameError> {
        let slash = check(text).map_err(|kind| NameError::new(text, kind))?;
        Ok(Self {
            text: text.to_owned(),
            slash,
        })
    }

    /// The whole name.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The reverse-DNS namespace before the `/`.
    pub fn namespace(&self) -> &str {
        self.text.get(..self.slash).unwrap_or_default()
    }

    /// The part after the `/`.
    pub fn local_name(&self) -> &str {
        self.text.get(self.slash + 1..).unwrap_or_default()
    }

    /// Takes the text out.
    pub fn into_string(self) -> String {
        self.text
    }
}

/// The registry's name rules, in its order; `Ok` is the index of the `/`. Validation calls
/// this directly so that a valid name costs no allocation.
pub(crate) fn check(text: &str) -> Result<usize, NameErrorKind> {
    // Byte loops rather than `str` searches: names are short. A valid name (the common case)
    // passes every rule at once: one slash, then parts of allowed bytes, tested without
    // early exits; anything else takes the rules in the registry's order to name the first
    // it breaks.
    let bytes = text.as_bytes();
    if let Some(slash) = bytes.iter().position(|&b| b == b'/')
        && bytes.len() <= MAX_NAME_CHARS
        && let (namespace, [_, name @ ..]) = bytes.split_at(slash)
        && valid_part(namespace, NAMESPACE_BYTE)
        && valid_part(name, NAME_BYTE)
    {
        return Ok(slash);
    }
    ordered_check(text)
}

/// [`check`], rule by rule.
fn ordered_check(text: &str) -> Result<usize, NameErrorKind> {
    let bytes = text.as_bytes();
    if bytes.is_empty() {
        return Err(NameErrorKind::Empty);
    }
    let Some(slash) = bytes.iter().position(|&b| b == b'/') else {
        return Err(NameErrorKind::MissingSlash);
    };
    let (namespace, name) = bytes.split_at(slash);
    let name = name.get(1..).unwrap_or_default();
    if name.contains(&b'/') {
        return Err(NameErrorKind::MultipleSlashes);
    }
    if namespace.is_empty() || name.is_empty() {
        return Err(NameErrorKind::EmptyPart);
    }
    if !valid_part(namespace, NAMESPACE_BYTE) {
        return Err(NameErrorKind::InvalidNamespace);
    }
    if !valid_part(name, NAME_BYTE) {
        return Err(NameErrorKind::InvalidName);
    }
    if text.len() > MAX_NAME_CHARS && text.chars().count() > MAX_NAME_CHARS {
        return Err(NameErrorKind::TooLong);
    }
    Ok(slash)
}

/// `[A-Za-z0-9]` at both ends, `[A-Za-z0-9]`, `.`, `-` (and `_` in the name) in between, at
/// least two characters: the part regexes of the official validator.
fn valid_part(part: &[u8], inner: u8) -> bool {
    let [first, .., last] = part else {
        return false;
    };
    byte_class(*first) & byte_class(*last) & ALNUM_BYTE != 0 && all_bytes_in(part, inner)
}

/// `[A-Za-z0-9]`.
pub(crate) const ALNUM_BYTE: u8 = 1;
/// `[A-Za-z0-9.-]`: a namespace character.
pub(crate) const NAMESPACE_BYTE: u8 = 2;
/// `[A-Za-z0-9._-]`: a name character.
pub(crate) const NAME_BYTE: u8 = 4;

/// Whether every byte of `bytes` has `class`: the classes are AND-ed without an early exit,
/// a branch-free loop (names are short, and valid ones are the common case).
pub(crate) fn all_bytes_in(bytes: &[u8], class: u8) -> bool {
    bytes.iter().fold(u8::MAX, |all, &b| all & byte_class(b)) & class != 0
}

/// The classes of a byte, as a bit set of the constants above: one load per byte in the
/// loops that check names.
pub(crate) fn byte_class(b: u8) -> u8 {
    BYTE_CLASSES.get(usize::from(b)).copied().unwrap_or(0)
}

static BYTE_CLASSES: [u8; 256] = {
    let mut table = [0; 256];
    let mut i = 0;
    while i < 256 {
        #[expect(clippy::cast_possible_truncation, reason = "i < 256")]
        let b = i as u8;
        let alnum = b.is_ascii_alphanumeric();
        let mut class = 0;
        if alnum {
            class |= ALNUM_BYTE;
        }
        if alnum || b == b'.' || b == b'-' {
            class |= NAMESPACE_BYTE;
        }
        if alnum || b == b'.' || b == b'-' || b == b'_' {
            class |= NAME_BYTE;
        }
        #[expect(clippy::indexing_slicing, reason = "i < 256, checked at compile time")]
        let slot = &mut table[i];
        *slot = class;
        i += 1;
    }
    table
};

validated_string!(ServerName, NameError);

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(text: &str) -> Option<NameErrorKind> {
        ServerName::new(text).err().map(|e| e.kind())
    }

    #[test]
    fn accepts_registry_examples() {
        for ok in [
            "io.github.user/weather",
            "com.example/a_b-c.d",
            "A1/b2",
            "io.github.21st-dev/magic-mcp",
        ] {
            assert!(ServerName::new(ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn rules_apply_in_the_registry_order() {
        assert_eq!(kind(""), Some(NameErrorKind::Empty));
        assert_eq!(kind("nouslash"), Some(NameErrorKind::MissingSlash));
        assert_eq!(kind("a/b/c"), Some(NameErrorKind::MultipleSlashes));
        assert_eq!(kind("/name"), Some(NameErrorKind::EmptyPart));
        assert_eq!(kind("com.example/"), Some(NameErrorKind::EmptyPart));
        assert_eq!(
            kind("com_example/name"),
            Some(NameErrorKind::InvalidNamespace)
        );
        assert_eq!(
            kind("-com.example/name"),
            Some(NameErrorKind::InvalidNamespace)
        );
        assert_eq!(kind("a/name"), Some(NameErrorKind::InvalidNamespace));
        assert_eq!(kind("com.example/n"), Some(NameErrorKind::InvalidName));
        assert_eq!(kind("com.example/name_"), Some(NameErrorKind::InvalidName));
        assert_eq!(kind("com.example/näme"), Some(NameErrorKind::InvalidName));
        assert_eq!(
            kind(&format!("com.example/{}", "a".repeat(200))),
            Some(NameErrorKind::TooLong)
        );
    }

    #[test]
    fn error_text_names_value_and_fix() {
        let error = ServerName::new("weather").unwrap_err();
        assert_eq!(
            error.to_string(),
            "invalid server name `weather`: write `namespace/name` with one `/`, such as `com.example.api/server`"
        );
    }

    #[test]
    fn parts_split_at_the_slash() {
        let name: ServerName = "io.github.acme/weather".parse().unwrap();
        assert_eq!(name.namespace(), "io.github.acme");
        assert_eq!(name.local_name(), "weather");
        let json = serde_json::to_string(&name).unwrap();
        assert_eq!(serde_json::from_str::<ServerName>(&json).unwrap(), name);
        assert!(serde_json::from_str::<ServerName>("\"bad\"").is_err());
    }

    proptest::proptest! {
        /// The all-at-once path agrees with the rules taken one by one.
        #[test]
        fn the_fast_path_agrees_with_the_ordered_rules(
            name in "[a-zA-Z0-9._/é-]{0,10}|[a-z0-9.-]{1,110}/[a-zA-Z0-9._-]{1,110}|.{0,6}"
        ) {
            proptest::prop_assert_eq!(check(&name), ordered_check(&name), "{}", name);
        }
    }
}
