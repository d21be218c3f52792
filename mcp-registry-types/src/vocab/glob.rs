//! Glob patterns for names: one small dialect, shared by the client's filters and the policy.
//!
//! ```
//! # fn main() -> Result<(), mcp_registry_types::glob::GlobError> {
//! use mcp_registry_types::glob::Glob;
//!
//! let glob = Glob::new("io.github.*/weather-?")?;
//! assert!(glob.matches("io.github.acme/weather-2"));
//! assert!(!glob.matches("io.github.acme/weather-22"));
//! assert_eq!(glob.literal_prefix(), "io.github.");
//!
//! let err = Glob::new("[z-a]*").unwrap_err();
//! assert_eq!(err.to_string(), "invalid glob `[z-a]*`: character range `z-a` is out of order");
//! assert_eq!(err.position(), 1);
//! # Ok(())
//! # }
//! ```
//!
//! # The dialect
//!
//! A pattern matches a whole string, never a part of one. Text is read as characters (Unicode
//! scalar values), not bytes, and compared exactly: case matters, nothing is normalised, and
//! `/` and `.` are ordinary characters.
//!
//! | Pattern | Matches |
//! |---|---|
//! | `*` | any run of characters, empty or not, `/` included; `**` means the same as `*` |
//! | `?` | exactly one character (one `é` or one `日`, whatever its length in bytes) |
//! | `[abc]`, `[a-z]` | one character in the class |
//! | `[!a-z]`, `[^a-z]` | one character not in the class |
//! | `\c` | the character `c` itself, for any `c`: `\*`, `\?`, `\[`, `\]`, `\\` |
//! | anything else | itself; `]`, `!`, `^` and `-` outside a class too |
//!
//! Inside a class:
//!
//! - a `!` or `^` right after the `[` negates the class; anywhere else it is a member;
//! - a member is a character or `\c`, which stands for `c` (so `[\]]` holds `]`, and `[\\]`
//!   holds `\`);
//! - a member, `-` and another member make an inclusive range by code point (`[a-z]`, `[\!-\~]`);
//!   every other `-` is a member itself: `[-a]`, `[a-]` and the second `-` of `[a-c-e]`;
//! - the first `]` that is not escaped closes the class, so `]` cannot be a member unescaped,
//!   and `[`, `*` and `?` are plain members.
//!
//! A pattern is refused ([`GlobError`]) when a class is not closed (`[a`), holds nothing (`[]`,
//! `[!]`), or has a range whose ends are out of order (`[z-a]`), or when the pattern ends with
//! a `\` that escapes nothing.
//!
//! # Star-only patterns
//!
//! [`Glob::star_only`] reads text where `*` is the only special character and every other
//! character, `?`, `[` and `\` included, stands for itself: the URL patterns of host managed
//! settings are written that way. Such a pattern is never refused.
//!
//! # Cost
//!
//! A compiled [`Glob`] holds one string no longer than its pattern. Patterns without
//! wildcards, and patterns whose only wildcard is a final `*`, are compared as plain text;
//! everything else is matched in place with one backtracking point, at the last `*`, without
//! allocating: in time proportional to the text for the common shapes, and to the text's
//! length times the pattern's at worst.

use std::borrow::Cow;
use std::str::{Chars, FromStr};

/// A compiled glob pattern. See the [module documentation](self) for the dialect.
///
/// Two globs are equal when they were compiled from the same pattern, up to escapes that make
/// no difference and runs of `*`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Glob {
    kind: Kind,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Kind {
    /// No wildcards: compare for equality. Escapes are resolved.
    Exact(Box<str>),
    /// `literal*`: a prefix test. Escapes are resolved.
    Prefix(Box<str>),
    /// Anything else: the pattern, checked, with runs of stars collapsed (they mean the same
    /// and would slow matching).
    Pattern { dialect: Dialect, pattern: Box<str> },
}

/// Which characters a pattern treats as special.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Dialect {
    /// `*`, `?`, classes and escapes.
    Full,
    /// Only `*`.
    StarOnly,
}

/// One element of a pattern, as [`element`] reads it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Element {
    Literal(char),
    Any,
    Star,
    /// A character class, and whether it admits the character it was asked about.
    Class(bool),
}

/// Why a pattern is not a [`Glob`].
///
/// Every variant carries the pattern and the byte offset in it of what is wrong, also
/// available as [`pattern`](Self::pattern) and [`position`](Self::position). The message names
/// the pattern: `` invalid glob `[a`: unclosed character class ``.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum GlobError {
    /// A `[` that no `]` closes.
    #[non_exhaustive]
    #[error("invalid glob `{pattern}`: unclosed character class")]
    UnclosedClass {
        /// The pattern.
        pattern: String,
        /// The byte offset of the `[`.
        at: usize,
    },
    /// A class with no members: `[]` or `[!]`.
    #[non_exhaustive]
    #[error("invalid glob `{pattern}`: empty character class")]
    EmptyClass {
        /// The pattern.
        pattern: String,
        /// The byte offset of the `[`.
        at: usize,
    },
    /// A range whose end comes before its start, such as `z-a`.
    #[non_exhaustive]
    #[error("invalid glob `{pattern}`: character range `{start}-{end}` is out of order")]
    BadRange {
        /// The pattern.
        pattern: String,
        /// The byte offset of the range's first member.
        at: usize,
        /// The range's first character.
        start: char,
        /// The range's last character, which is less than `start`.
        end: char,
    },
    /// A `\` at the end of the pattern.
    #[non_exhaustive]
    #[error("invalid glob `{pattern}`: trailing backslash escapes nothing")]
    DanglingEscape {
        /// The pattern.
        pattern: String,
        /// The byte offset of the `\`.
        at: usize,
    },
}

impl GlobError {
    /// The refused pattern.
    pub fn pattern(&self) -> &str {
        match self {
            Self::UnclosedClass { pattern, .. }
            | Self::EmptyClass { pattern, .. }
            | Self::BadRange { pattern, .. }
            | Self::DanglingEscape { pattern, .. } => pattern,
        }
    }

    /// The byte offset in the pattern of what is wrong: the `[` of a bad class, the first
    /// member of a bad range, the dangling `\`.
    pub fn position(&self) -> usize {
        match self {
            Self::UnclosedClass { at, .. }
            | Self::EmptyClass { at, .. }
            | Self::BadRange { at, .. }
            | Self::DanglingEscape { at, .. } => *at,
        }
    }
}

/// What is wrong with a pattern, before the pattern is attached.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Fault {
    UnclosedClass,
    EmptyClass,
    BadRange(char, char),
    DanglingEscape,
}

/// A [`Fault`] and its byte offset, from the start of the element while an element is read and
/// from the start of the pattern after that.
type Located = (Fault, usize);

impl Fault {
    fn into_error(self, pattern: &str, at: usize) -> GlobError {
        let pattern = pattern.to_owned();
        match self {
            Self::UnclosedClass => GlobError::UnclosedClass { pattern, at },
            Self::EmptyClass => GlobError::EmptyClass { pattern, at },
            Self::BadRange(start, end) => GlobError::BadRange {
                pattern,
                at,
                start,
                end,
            },
            Self::DanglingEscape => GlobError::DanglingEscape { pattern, at },
        }
    }
}

/// What a whole pattern turned out to be, from the first pass over it.
enum Shape {
    Exact,
    Prefix,
    Pattern,
}

impl Glob {
    /// Compiles `pattern` in the glob dialect of the [module documentation](self).
    ///
    /// # Errors
    ///
    /// [`GlobError`] when a class is unclosed, empty or has a range out of order, or when the
    /// pattern ends with a `\`.
    pub fn new(pattern: &str) -> Result<Self, GlobError> {
        compile(pattern, Dialect::Full)
            .map(|kind| Self { kind })
            .map_err(|(fault, at)| fault.into_error(pattern, at))
    }

    /// Compiles `pattern` with `*` as its only special character: `?`, `[`, `]` and `\` stand
    /// for themselves.
    pub fn star_only(pattern: &str) -> Self {
        // A star is always well formed and nothing else is read, so this cannot fail; the
        // fallback, the pattern as plain text, is never taken.
        let kind =
            compile(pattern, Dialect::StarOnly).unwrap_or_else(|_| Kind::Exact(pattern.into()));
        Self { kind }
    }

    /// Whether `text` matches the whole pattern. Allocates nothing.
    pub fn matches(&self, text: &str) -> bool {
        match &self.kind {
            Kind::Exact(s) => **s == *text,
            Kind::Prefix(p) => text.starts_with(&**p),
            Kind::Pattern { dialect, pattern } => match_pattern(pattern, *dialect, text),
        }
    }

    /// The literal text every match starts with, escapes resolved: `io.github.` for
    /// `io.github.*`, the whole text for a pattern without wildcards, empty for `?x`.
    ///
    /// Borrowed for a pattern without wildcards or with a final `*` only.
    pub fn literal_prefix(&self) -> Cow<'_, str> {
        match &self.kind {
            Kind::Exact(s) | Kind::Prefix(s) => Cow::Borrowed(s),
            Kind::Pattern { dialect, pattern } => Cow::Owned(literal_run(pattern, *dialect)),
        }
    }

    /// The one string the pattern matches, escapes resolved, when it has no wildcards.
    pub fn literal(&self) -> Option<&str> {
        match &self.kind {
            Kind::Exact(s) => Some(s),
            _ => None,
        }
    }

    /// Whether the pattern matches every string (`*`, `**`).
    pub fn matches_everything(&self) -> bool {
        matches!(&self.kind, Kind::Prefix(p) if p.is_empty())
    }

    /// Whether every string `other` matches is also matched by `self`.
    ///
    /// Conservative: `true` is certain, `false` may be wrong. It is certain for equal patterns,
    /// a `self` that matches everything, an `other` without wildcards, and two patterns whose
    /// only wildcard is a final `*`.
    pub fn subsumes(&self, other: &Self) -> bool {
        if self.matches_everything() || self == other {
            return true;
        }
        match other.literal() {
            Some(text) => self.matches(text),
            None => match (&self.kind, &other.kind) {
                (Kind::Prefix(a), Kind::Prefix(b)) => b.starts_with(&**a),
                _ => false,
            },
        }
    }
}

impl FromStr for Glob {
    type Err = GlobError;

    /// The same as [`Glob::new`].
    fn from_str(pattern: &str) -> Result<Self, Self::Err> {
        Self::new(pattern)
    }
}

/// Checks `pattern` and compiles it to the shape it needs.
///
/// Two passes: the first checks the pattern and finds its shape without allocating, the second
/// copies only the one string that shape needs.
fn compile(pattern: &str, dialect: Dialect) -> Result<Kind, Located> {
    // Most patterns are a name or a name and a star: no need to walk their elements.
    let special: &[char] = match dialect {
        Dialect::Full => &['*', '?', '[', ']', '\\'],
        Dialect::StarOnly => &['*'],
    };
    match pattern.find(special) {
        None => return Ok(Kind::Exact(pattern.into())),
        Some(at) if at + 1 == pattern.len() && pattern.ends_with('*') => {
            return Ok(Kind::Prefix(pattern.get(..at).unwrap_or_default().into()));
        }
        Some(_) => {}
    }
    let mut shape = Shape::Exact;
    for item in Elements::new(pattern, dialect) {
        let (element, _) = item?;
        shape = match (shape, element) {
            (Shape::Exact, Element::Literal(_)) => Shape::Exact,
            (Shape::Exact | Shape::Prefix, Element::Star) => Shape::Prefix,
            _ => Shape::Pattern,
        };
    }
    Ok(match shape {
        Shape::Exact => Kind::Exact(literal_run(pattern, dialect).into_boxed_str()),
        Shape::Prefix => Kind::Prefix(literal_run(pattern, dialect).into_boxed_str()),
        Shape::Pattern => {
            let mut kept = String::with_capacity(pattern.len());
            let mut after_star = false;
            for item in Elements::new(pattern, dialect) {
                let (element, text) = item?;
                let star = element == Element::Star;
                if !(star && after_star) {
                    kept.push_str(text);
                }
                after_star = star;
            }
            Kind::Pattern {
                dialect,
                pattern: kept.into_boxed_str(),
            }
        }
    })
}

/// The literal characters a checked pattern starts with, escapes resolved.
fn literal_run(pattern: &str, dialect: Dialect) -> String {
    Elements::new(pattern, dialect)
        .map_while(|item| match item {
            Ok((Element::Literal(c), _)) => Some(c),
            _ => None,
        })
        .collect()
}

/// The elements of a pattern, each with the text it was read from.
struct Elements<'a> {
    rest: &'a str,
    /// How many bytes of the pattern come before `rest`.
    read: usize,
    dialect: Dialect,
}

impl<'a> Elements<'a> {
    fn new(pattern: &'a str, dialect: Dialect) -> Self {
        Self {
            rest: pattern,
            read: 0,
            dialect,
        }
    }
}

impl<'a> Iterator for Elements<'a> {
    type Item = Result<(Element, &'a str), Located>;

    fn next(&mut self) -> Option<Self::Item> {
        match element(self.rest, self.dialect, None) {
            Ok(Some((element, len))) => {
                let (text, rest) = self.rest.split_at_checked(len)?;
                self.rest = rest;
                self.read += len;
                Some(Ok((element, text)))
            }
            Ok(None) => None,
            Err((fault, at)) => {
                self.rest = "";
                Some(Err((fault, self.read + at)))
            }
        }
    }
}

/// Reads the element `rest` starts with, and its length in bytes; `None` at the end. A class
/// says whether it admits `probe`.
fn element(
    rest: &str,
    dialect: Dialect,
    probe: Option<char>,
) -> Result<Option<(Element, usize)>, Located> {
    let mut chars = rest.chars();
    let Some(c) = chars.next() else {
        return Ok(None);
    };
    let element = match (dialect, c) {
        (_, '*') => Element::Star,
        (Dialect::Full, '?') => Element::Any,
        (Dialect::Full, '\\') => Element::Literal(chars.next().ok_or((Fault::DanglingEscape, 0))?),
        (Dialect::Full, '[') => Element::Class(class(&mut chars, rest.len(), probe)?),
        (_, c) => Element::Literal(c),
    };
    Ok(Some((element, rest.len() - chars.as_str().len())))
}

/// Reads a class after its `[` up to and including its `]`, and says whether it admits
/// `probe`. `len` is the length of the text from the `[` on, for offsets.
fn class(chars: &mut Chars<'_>, len: usize, probe: Option<char>) -> Result<bool, Located> {
    let unclosed = (Fault::UnclosedClass, 0);
    let negated = matches!(chars.clone().next(), Some('!' | '^'));
    if negated {
        chars.next();
    }
    let mut empty = true;
    let mut admits = false;
    loop {
        let at = len - chars.as_str().len();
        let start = match chars.next().ok_or(unclosed)? {
            ']' => break,
            '\\' => chars.next().ok_or(unclosed)?,
            c => c,
        };
        // A `-` between two members makes a range; elsewhere it is a member.
        let mut lookahead = chars.clone();
        let end = if lookahead.next() == Some('-') {
            match lookahead.next() {
                Some(']') | None => None,
                Some('\\') => Some(lookahead.next().ok_or(unclosed)?),
                Some(end) => Some(end),
            }
        } else {
            None
        };
        let end = match end {
            Some(end) => {
                *chars = lookahead;
                end
            }
            None => start,
        };
        if end < start {
            return Err((Fault::BadRange(start, end), at));
        }
        empty = false;
        admits |= probe.is_some_and(|p| (start..=end).contains(&p));
    }
    if empty {
        return Err((Fault::EmptyClass, 0));
    }
    Ok(admits != negated)
}

/// Wildcard matching with one backtracking point, the last star, which is exact because `*`
/// is the only element of variable length. The pattern is read in place, so nothing is
/// allocated; positions are byte offsets. ASCII literals, `*` and `?` are compared byte by byte;
/// the rest (classes, escapes, other literals) goes through [`element`].
fn match_pattern(pattern: &str, dialect: Dialect, text: &str) -> bool {
    let (pattern_bytes, text_bytes) = (pattern.as_bytes(), text.as_bytes());
    let full = dialect == Dialect::Full;
    let (mut p, mut s) = (0usize, 0usize);
    // The pattern offset just after the last star, and the text offset it is tried at.
    let mut star: Option<(usize, usize)> = None;
    while let Some(&t) = text_bytes.get(s) {
        let advance = match pattern_bytes.get(p) {
            Some(b'*') => {
                p += 1;
                star = Some((p, s));
                continue;
            }
            Some(b'?') if full => Some((1, utf8_width(t))),
            Some(&b) if b.is_ascii() && !(full && matches!(b, b'[' | b'\\')) => {
                (b == t).then_some((1, 1))
            }
            Some(_) => {
                let c = text.get(s..).and_then(|rest| rest.chars().next());
                let rest = pattern.get(p..).unwrap_or_default();
                match (c, element(rest, dialect, c)) {
                    (Some(c), Ok(Some((Element::Literal(l), len)))) if l == c => {
                        Some((len, c.len_utf8()))
                    }
                    (Some(c), Ok(Some((Element::Any | Element::Class(true), len)))) => {
                        Some((len, c.len_utf8()))
                    }
                    _ => None,
                }
            }
            None => None,
        };
        match (advance, star) {
            (Some((in_pattern, in_text)), _) => {
                p += in_pattern;
                s += in_text;
            }
            (None, Some((after_star, star_s))) => {
                let skipped = text_bytes.get(star_s).map_or(1, |&b| utf8_width(b));
                p = after_star;
                s = star_s + skipped;
                star = Some((after_star, s));
            }
            (None, None) => return false,
        }
    }
    // What is left of the pattern must match the empty string: stars only.
    pattern_bytes
        .get(p..)
        .is_some_and(|rest| rest.iter().all(|&b| b == b'*'))
}

/// The length of the UTF-8 sequence `lead` starts.
fn utf8_width(lead: u8) -> usize {
    match lead {
        0..=0x7f => 1,
        0xc0..=0xdf => 2,
        0xe0..=0xef => 3,
        _ => 4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn full(p: &str) -> Glob {
        Glob::new(p).unwrap()
    }

    #[test]
    fn matches_common_shapes() {
        assert!(full("io.github.*").matches("io.github.acme/server"));
        assert!(!full("io.github.*").matches("io.gitlab.acme/server"));
        assert!(full("*/server-?").matches("com.acme/server-a"));
        assert!(full("a*b*c").matches("aXXbYYc"));
        assert!(!full("a*b*c").matches("aXXbYY"));
        assert!(full("[a-c]x").matches("bx"));
        assert!(!full("[!a-c]x").matches("bx"));
        assert!(full(r"a\*").matches("a*"));
        assert!(!full(r"a\*").matches("ab"));
        assert!(full("*").matches(""));
        assert!(full("é*").matches("été"));
    }

    /// The cases of the matcher `mcp-registry-client`'s filter had before it used this one.
    #[test]
    fn names_match_like_shell_wildcards() {
        assert!(full("io.github.*/weather").matches("io.github.acme/weather"));
        assert!(full("*weather*").matches("io.github.acme/weather-pro"));
        assert!(full("com.example/remote-????").matches("com.example/remote-open"));
        assert!(!full("com.example/remote-???").matches("com.example/remote-open"));
        assert!(!full("io.github.*/weather").matches("io.github.acme/Weather"));
        assert!(full("a*b*c").matches("aXbYbZc"));
        assert!(!full("a*b*c").matches("aXbYbZ"));
    }

    #[test]
    fn literal_prefixes() {
        assert_eq!(full("io.github.*/x").literal_prefix(), "io.github.");
        assert_eq!(full("exact").literal(), Some("exact"));
        assert_eq!(full("?x").literal_prefix(), "");
        assert!(matches!(
            full("io.*").literal_prefix(),
            Cow::Borrowed("io.")
        ));
    }

    #[test]
    fn errors_read_well() {
        let err = |p: &str| Glob::new(p).unwrap_err().to_string();
        assert_eq!(err("[a"), "invalid glob `[a`: unclosed character class");
        assert_eq!(err("[]"), "invalid glob `[]`: empty character class");
        assert_eq!(
            err("[z-a]"),
            "invalid glob `[z-a]`: character range `z-a` is out of order"
        );
        assert_eq!(
            err("a\\"),
            "invalid glob `a\\`: trailing backslash escapes nothing"
        );
    }

    #[test]
    fn errors_say_where() {
        let at = |p: &str| {
            let err = Glob::new(p).unwrap_err();
            assert_eq!(err.pattern(), p);
            err.position()
        };
        assert_eq!(at("ab[c"), 2);
        assert_eq!(at("é[!]"), 2);
        assert_eq!(at("x*[ab-cz-a]"), 7);
        assert_eq!(at(r"日[\!-\ ]"), 4);
        assert_eq!(at(r"[a]\"), 3);
        assert_eq!(at(r"[a\"), 0);
        assert!(matches!(
            Glob::new("[b-a]"),
            Err(GlobError::BadRange {
                start: 'b',
                end: 'a',
                ..
            })
        ));
        assert_eq!("[".parse::<Glob>(), Glob::new("["));
    }

    #[test]
    fn classes_escapes_and_wide_characters() {
        assert!(full("[a-]").matches("-") && full("[a-]").matches("a"));
        assert!(!full("[a-]").matches("b"));
        assert!(full("[!!]").matches("a") && !full("[!!]").matches("!"));
        assert!(full("[^a]").matches("b") && !full("[^a]").matches("a"));
        assert!(full("[--0]").matches("/") && !full("[--0]").matches("1"));
        assert!(full(r"[\]]").matches("]"));
        assert!(full("[é-ê]x").matches("êx"));
        assert!(full("?é?").matches("日é本") && !full("?é?").matches("日e本"));
        assert!(full("*本").matches("日本") && !full("*本").matches("日"));
        assert!(full(r"\?\[*").matches("?[anything"));
        assert!(!full(r"\?x*").matches("ax"));
        assert!(full("a**b***").matches("ab") && full("a**b***").matches("aXbY"));
        assert!(!full("a*b").matches("ab/"));
        assert!(full("a]").matches("a]") && full("[[]").matches("["));
    }

    #[test]
    fn an_escaped_member_can_end_or_start_a_range() {
        assert!(full(r"[+-\]]").matches("]") && full(r"[+-\]]").matches("A"));
        assert!(!full(r"[+-\]]").matches("a"));
        assert!(full(r"[\a-c]").matches("b") && !full(r"[\a-c]").matches("-"));
        assert!(full("[a-c-e]").matches("-") && !full("[a-c-e]").matches("d"));
    }

    #[test]
    fn escapes_resolve_in_exact_and_prefix_patterns() {
        assert_eq!(full(r"a\*").literal(), Some("a*"));
        assert_eq!(full(r"a\**").literal_prefix(), "a*");
        assert!(full(r"a\**").matches("a*b") && !full(r"a\**").matches("ab"));
        assert!(full("**").matches_everything());
        assert_eq!(full(r"x\[y?").literal_prefix(), "x[y");
    }

    #[test]
    fn a_compiled_pattern_keeps_one_string_no_longer_than_the_source() {
        let kept = |g: &Glob| match &g.kind {
            Kind::Exact(s) | Kind::Prefix(s) => s.len(),
            Kind::Pattern { pattern, .. } => pattern.len(),
        };
        for p in ["abc", r"a\*b", "ab*", "a**?*[x-z]", "***", r"\\[!a]*"] {
            assert!(kept(&full(p)) <= p.len(), "{p}");
        }
        assert!(
            matches!(&full("a**?**").kind, Kind::Pattern { pattern, .. } if &**pattern == "a*?*")
        );
    }

    #[test]
    fn star_only_patterns_take_everything_else_literally() {
        let g = Glob::star_only("https://[::1]/*");
        assert!(g.matches("https://[::1]/mcp"));
        assert!(Glob::star_only(r"a?\[").matches(r"a?\["));
        assert!(!Glob::star_only("a?").matches("ab"));
        assert!(Glob::star_only(r"*\").matches(r"x\"));
        assert_eq!(Glob::star_only("[x*").literal_prefix(), "[x");
    }

    #[test]
    fn subsumption_is_conservative() {
        assert!(full("*").subsumes(&full("a?")));
        assert!(full("io.*").subsumes(&full("io.github.*")));
        assert!(full("io.*").subsumes(&full("io.x")));
        assert!(!full("io.github.*").subsumes(&full("io.*")));
    }

    /// The matcher against an oracle that shares no code with it: the pattern is read by a
    /// separate parser and translated to a `regex` pattern, every member spelled as a code
    /// point, and the regex crate does the matching.
    mod oracle {
        use std::fmt::Write as _;

        use proptest::prelude::*;

        use super::super::{Glob, GlobError};

        /// What the oracle expects of a pattern: a regex, or the error and its offset.
        #[derive(Debug, PartialEq)]
        enum Expected {
            Regex(String),
            Refused(&'static str, usize),
        }

        fn code(out: &mut String, c: char) {
            let _ = write!(out, "\\x{{{:x}}}", u32::from(c));
        }

        /// Reads a glob the way the module documentation describes it.
        fn translate(pattern: &str) -> Expected {
            let chars: Vec<(usize, char)> = pattern.char_indices().collect();
            let mut out = String::from("(?s:");
            let mut i = 0;
            while i < chars.len() {
                let (at, c) = chars[i];
                i += 1;
                match c {
                    '*' => out.push_str(".*"),
                    '?' => out.push('.'),
                    '\\' => match chars.get(i) {
                        Some(&(_, e)) => {
                            i += 1;
                            code(&mut out, e);
                        }
                        None => return Expected::Refused("dangling", at),
                    },
                    '[' => {
                        let mut members: Vec<(char, char, usize)> = Vec::new();
                        let negated = matches!(chars.get(i), Some((_, '!' | '^')));
                        if negated {
                            i += 1;
                        }
                        // One member, escape resolved, and where it starts.
                        let member = |i: &mut usize| -> Option<(char, usize)> {
                            let &(at, c) = chars.get(*i)?;
                            *i += 1;
                            if c == '\\' {
                                let &(_, e) = chars.get(*i)?;
                                *i += 1;
                                Some((e, at))
                            } else {
                                Some((c, at))
                            }
                        };
                        loop {
                            let Some(&(_, next)) = chars.get(i) else {
                                return Expected::Refused("unclosed", at);
                            };
                            if next == ']' {
                                i += 1;
                                break;
                            }
                            let Some((lo, lo_at)) = member(&mut i) else {
                                return Expected::Refused("unclosed", at);
                            };
                            let dash = chars.get(i).map(|&(_, c)| c) == Some('-');
                            let after = chars.get(i + 1).map(|&(_, c)| c);
                            if dash && after.is_some_and(|c| c != ']') {
                                i += 1;
                                let Some((hi, _)) = member(&mut i) else {
                                    return Expected::Refused("unclosed", at);
                                };
                                if hi < lo {
                                    return Expected::Refused("range", lo_at);
                                }
                                members.push((lo, hi, lo_at));
                            } else {
                                members.push((lo, lo, lo_at));
                            }
                        }
                        if members.is_empty() {
                            return Expected::Refused("empty", at);
                        }
                        out.push_str(if negated { "[^" } else { "[" });
                        for (lo, hi, _) in members {
                            code(&mut out, lo);
                            out.push('-');
                            code(&mut out, hi);
                        }
                        out.push(']');
                    }
                    c => code(&mut out, c),
                }
            }
            out.push(')');
            Expected::Regex(out)
        }

        fn refused(err: &GlobError) -> Expected {
            let kind = match err {
                GlobError::UnclosedClass { .. } => "unclosed",
                GlobError::EmptyClass { .. } => "empty",
                GlobError::BadRange { .. } => "range",
                GlobError::DanglingEscape { .. } => "dangling",
            };
            Expected::Refused(kind, err.position())
        }

        /// Short strings over the characters that mean something in a pattern, and a few
        /// that do not, one of them wider than a byte.
        fn text() -> impl Strategy<Value = String> {
            prop::collection::vec(
                prop::sample::select(vec![
                    'a', 'b', 'c', 'é', '-', '!', '^', '*', '?', '[', ']', '\\',
                ]),
                0..10,
            )
            .prop_map(|chars| chars.into_iter().collect())
        }

        /// Patterns that are well formed more often than random text is.
        fn pattern() -> impl Strategy<Value = String> {
            let piece = prop_oneof![
                3 => prop::sample::select(vec!["a", "b", "é", "*", "?", "-", "]", "!"]).prop_map(String::from),
                1 => prop::sample::select(vec![r"\*", r"\?", r"\[", r"\]", r"\\", r"\a"]).prop_map(String::from),
                2 => (any::<bool>(), prop::collection::vec(
                        prop::sample::select(vec!["a", "b", "c", "é", "-", "!", "^", "[", r"\]", r"\-", "a-c", "b-a", r"\!-\]"]),
                        0..4,
                    ))
                    .prop_map(|(negated, members)| {
                        format!("[{}{}]", if negated { "!" } else { "" }, members.concat())
                    }),
            ];
            prop::collection::vec(piece, 0..6).prop_map(|pieces| pieces.concat())
        }

        /// Names for `pattern`: short strings, and strings the oracle's regex generates, which
        /// mostly match.
        fn with_names(
            pattern: impl Strategy<Value = String>,
        ) -> impl Strategy<Value = (String, Vec<String>)> {
            pattern.prop_flat_map(|pattern| {
                let generated = match translate(&pattern) {
                    Expected::Regex(regex) => proptest::string::string_regex(&regex)
                        .expect("proptest generates from the oracle's regexes")
                        .prop_map(|name| name.chars().take(12).collect())
                        .boxed(),
                    Expected::Refused(..) => text().boxed(),
                };
                let names = prop::collection::vec(prop_oneof![text(), generated], 1..8);
                (Just(pattern), names)
            })
        }

        fn agree(pattern: &str, names: &[String]) -> Result<(), TestCaseError> {
            let ours = Glob::new(pattern);
            match (translate(pattern), &ours) {
                (Expected::Regex(regex), Ok(glob)) => {
                    let regex = regex::Regex::new(&format!(r"\A{regex}\z"))
                        .map_err(|e| TestCaseError::fail(format!("oracle regex: {e}")))?;
                    for name in names {
                        prop_assert_eq!(
                            glob.matches(name),
                            regex.is_match(name),
                            "`{}` on `{}`",
                            pattern,
                            name
                        );
                        if glob.matches(name) {
                            prop_assert!(name.starts_with(&*glob.literal_prefix()));
                        }
                    }
                    if let Some(literal) = glob.literal() {
                        prop_assert!(regex.is_match(literal));
                    }
                }
                (Expected::Refused(kind, at), Err(err)) => {
                    prop_assert_eq!(Expected::Refused(kind, at), refused(err));
                    prop_assert_eq!(err.pattern(), pattern);
                }
                (expected, ours) => {
                    return Err(TestCaseError::fail(format!(
                        "`{pattern}`: oracle expects {expected:?}, glob gives {ours:?}"
                    )));
                }
            }
            let star_only = Glob::star_only(pattern);
            let mut regex = String::from(r"\A(?s:");
            for c in pattern.chars() {
                if c == '*' {
                    regex.push_str(".*");
                } else {
                    code(&mut regex, c);
                }
            }
            regex.push_str(r")\z");
            let regex = regex::Regex::new(&regex)
                .map_err(|e| TestCaseError::fail(format!("oracle regex: {e}")))?;
            for name in names {
                prop_assert_eq!(
                    star_only.matches(name),
                    regex.is_match(name),
                    "star-only `{}` on `{}`",
                    pattern,
                    name
                );
            }
            Ok(())
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(3000))]

            #[test]
            fn shaped_patterns_agree_with_the_regex_oracle(
                (pattern, names) in with_names(pattern()),
            ) {
                agree(&pattern, &names)?;
            }

            #[test]
            fn random_text_as_a_pattern_agrees_with_the_regex_oracle(
                (pattern, names) in with_names(text()),
            ) {
                agree(&pattern, &names)?;
            }
        }
    }
}
