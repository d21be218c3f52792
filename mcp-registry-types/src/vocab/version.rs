//! Version strings: specific versions, never ranges, never `latest`.

use std::sync::LazyLock;

use regex::Regex;

use crate::vocab::regexes::constant_regex;
use crate::vocab::validated::validated_string;

/// The most characters a version may have (schema `maxLength`).
pub const MAX_VERSION_CHARS: usize = 255;

/// A specific version of a server or package, as the registry accepts it.
///
/// Strict SemVer is not required (`2025.06.18` and `snapshot` are fine), but a range
/// (`^1.2.3`, `1.x`, `>=1.0`) and the reserved `latest` are refused.
///
/// ```
/// use mcp_registry_types::ServerVersion;
///
/// assert!(ServerVersion::new("1.0.0").is_ok());
/// assert!(ServerVersion::new("^1.0.0").is_err());
/// ```
#[derive(Clone, Debug, Eq, Hash, Ord, PartialEq, PartialOrd)]
pub struct ServerVersion(String);

/// Why a string is not a [`ServerVersion`].
#[derive(Clone, Debug, Eq, PartialEq, thiserror::Error)]
#[error("invalid version `{value}`: {}", self.kind.describe())]
pub struct VersionError {
    value: String,
    kind: VersionErrorKind,
}

/// The rule a version breaks.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, Eq, PartialEq)]
pub enum VersionErrorKind {
    /// The version is empty.
    Empty,
    /// More than 255 characters.
    TooLong,
    /// The reserved word `latest`.
    Reserved,
    /// A range such as `^1.2.3` rather than one version.
    Range,
}

impl VersionErrorKind {
    fn describe(self) -> &'static str {
        match self {
            Self::Empty => "write a specific version such as `1.0.0`",
            Self::TooLong => "use at most 255 characters",
            Self::Reserved => "`latest` is reserved; write the specific version such as `1.0.0`",
            Self::Range => "write one specific version such as `1.2.3`, not a range",
        }
    }

    /// The official registry's reference code for the rule.
    pub fn code(self) -> &'static str {
        match self {
            Self::Empty => "version-required",
            Self::TooLong => "version-too-long",
            Self::Reserved => "reserved-version-string",
            Self::Range => "version-looks-like-range",
        }
    }
}

impl VersionError {
    /// The rejected text.
    pub fn value(&self) -> &str {
        &self.value
    }

    /// The rule it breaks.
    pub fn kind(&self) -> VersionErrorKind {
        self.kind
    }

    /// How to fix it, without the value.
    pub fn hint(&self) -> &'static str {
        self.kind.describe()
    }
}

impl ServerVersion {
    /// Checks `text` against the registry's version rules.
    ///
    /// # Errors
    /// [`VersionError`] when it is empty, too long, `latest` or a range.
    pub fn new(text: &str) -> Result<Self, VersionError> {
        let fail = |kind| {
            Err(VersionError {
                value: text.to_owned(),
                kind,
            })
        };
        if text.is_empty() {
            return fail(VersionErrorKind::Empty);
        }
        if text.chars().count() > MAX_VERSION_CHARS {
            return fail(VersionErrorKind::TooLong);
        }
        if let Some(kind) = rule_violation(text) {
            return fail(kind);
        }
        Ok(Self(text.to_owned()))
    }

    /// The version text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Takes the text out.
    pub fn into_string(self) -> String {
        self.0
    }
}

/// The registry's semantic version rules (`validateVersion`): reserved word, then range.
pub(crate) fn rule_violation(text: &str) -> Option<VersionErrorKind> {
    if text == "latest" {
        Some(VersionErrorKind::Reserved)
    } else if looks_like_range(text) {
        Some(VersionErrorKind::Range)
    } else {
        None
    }
}

// The official regexes with Go's ASCII `\s` (`[\t\n\f\r ]`) and `\d` spelled out, because the
// `regex` crate's classes are wider.
const WS: &str = r"[\t\n\f\r ]";
const VER: &str = r"v?[0-9]+(?:\.[0-9]+){0,3}(?:-[0-9A-Za-z.-]+)?";

static RANGE_PATTERNS: LazyLock<[Regex; 3]> = LazyLock::new(|| {
    [
        constant_regex(&format!(r"^{WS}*(?:\^|~|>=|<=|>|<|=){WS}*{VER}{WS}*$")),
        constant_regex(&format!(r"^{WS}*{VER}{WS}-{WS}*{VER}{WS}*$")),
        constant_regex(&format!(r"^{WS}*(?:{VER}{WS}*)(?:\|\|{WS}*{VER}{WS}*)+$")),
    ]
});

static WILDCARD: LazyLock<Regex> = LazyLock::new(|| {
    constant_regex(&format!(
        r"^{WS}*(?:v?[0-9]+|x|X|\*)(?:\.(?:[0-9]+|x|X|\*)){{1,2}}(?:-[0-9A-Za-z.-]+)?{WS}*$"
    ))
});

/// Whether `text` is a version range by the registry's `looksLikeVersionRange`: trimmed as Go's
/// `strings.TrimSpace` does, then a comparator, hyphen or `||` range, or a dotted wildcard that
/// really holds `x`, `X` or `*`.
pub fn looks_like_range(text: &str) -> bool {
    let trimmed = text.trim();
    // Every pattern needs one of these bytes: a comparator, the white space before a hyphen
    // range's `-`, `||`, or a wildcard. Most versions hold none, and skip the regexes.
    let needed = |b: u8| {
        matches!(
            b,
            b'^' | b'~'
                | b'>'
                | b'<'
                | b'='
                | b'|'
                | b'x'
                | b'X'
                | b'*'
                | b'\t'
                | b'\n'
                | b'\x0c'
                | b'\r'
                | b' '
        )
    };
    if !trimmed.bytes().any(needed) {
        return false;
    }
    if RANGE_PATTERNS.iter().any(|re| re.is_match(trimmed)) {
        return true;
    }
    trimmed.contains(['x', 'X', '*']) && WILDCARD.is_match(trimmed)
}

validated_string!(ServerVersion, VersionError);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_accepted_examples() {
        for ok in [
            "1.0.0",
            "2.1.3-alpha",
            "2025.06.18",
            "2025-06-18",
            "v1.0",
            "snapshot",
            "snapshot - 2025.09",
            "1.0.0+build.5",
            "xenial",
        ] {
            assert!(ServerVersion::new(ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn reference_rejected_ranges() {
        for range in [
            "^1.2.3",
            "~1.2.3",
            ">=1.2.3",
            ">= 1.2.3",
            "<=1.2.3",
            ">1.2.3",
            "<1.2.3",
            "=1.0.0",
            "1.x",
            "1.*",
            "1.2.*",
            "1 - 2",
            "1.2.3 - 2.0.0",
            "1.2 || 1.3",
            " ^1.0 ",
        ] {
            let error = ServerVersion::new(range).unwrap_err();
            assert_eq!(error.kind(), VersionErrorKind::Range, "{range}");
        }
    }

    #[test]
    fn wildcard_needs_a_wildcard_character() {
        // Shapes the dotted-wildcard regex matches but without x/X/*: plain versions.
        assert!(!looks_like_range("1.2"));
        assert!(!looks_like_range("v1.2.3"));
        assert!(looks_like_range("X.1"));
    }

    #[test]
    fn vertical_tab_is_not_go_whitespace_inside_patterns() {
        // Go's \s excludes \v, so ">=\u{b}1.0" is not a comparator range there either.
        assert!(!looks_like_range(">=\u{b}1.0"));
        assert!(looks_like_range(">=\t1.0"));
    }

    #[test]
    fn latest_is_reserved() {
        let error = ServerVersion::new("latest").unwrap_err();
        assert_eq!(error.kind().code(), "reserved-version-string");
        assert_eq!(
            error.to_string(),
            "invalid version `latest`: `latest` is reserved; write the specific version such as `1.0.0`"
        );
        assert!(ServerVersion::new("Latest").is_ok());
    }
}
