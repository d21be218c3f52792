//! A small glob dialect for names: `*`, `?`, `[a-z]`, `[!a-z]` and `\` escapes.
//!
//! Written here rather than taken from a crate so that compile errors read in the house style and
//! so that the literal prefix, which the index groups patterns by, is available.

use std::fmt;

/// One compiled glob pattern.
///
/// It holds one string no longer than the pattern, so compiling costs memory linear in the
/// pattern with a constant of one: a literal or `literal*` pattern keeps its literal text, and
/// anything else keeps the checked pattern itself, which the matcher reads as it goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Glob {
    kind: Kind,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Kind {
    /// No metacharacters: compare for equality. Escapes are resolved.
    Exact(Box<str>),
    /// `literal*`: a prefix test. Escapes are resolved.
    Prefix(Box<str>),
    /// Anything else: the pattern, checked, with runs of stars collapsed (they mean the same
    /// and would slow matching).
    Pattern { dialect: Dialect, pattern: Box<str> },
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

/// Why a glob did not compile. The message is the tail of a diagnostic.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum GlobError {
    UnclosedClass,
    EmptyClass,
    BadRange(char, char),
    DanglingEscape,
}

impl fmt::Display for GlobError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnclosedClass => f.write_str("unclosed character class"),
            Self::EmptyClass => f.write_str("empty character class"),
            Self::BadRange(a, b) => write!(f, "character range `{a}-{b}` is out of order"),
            Self::DanglingEscape => f.write_str("trailing backslash escapes nothing"),
        }
    }
}

/// Which metacharacters a pattern understands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Dialect {
    /// `*`, `?`, classes and escapes.
    Full,
    /// Only `*`, as in host managed settings (`serverUrl`, tool permission rules).
    StarOnly,
}

/// What a whole pattern turned out to be, from the first pass over it.
enum Shape {
    Exact,
    Prefix,
    Pattern,
}

impl Glob {
    /// Compiles `pattern` in the given dialect.
    ///
    /// Two passes: the first checks the pattern and finds its shape without allocating, the
    /// second copies only the one string that shape needs.
    pub(crate) fn new(pattern: &str, dialect: Dialect) -> Result<Self, GlobError> {
        // Most patterns are a name or a name and a star: no need to walk their elements.
        let meta: &[char] = match dialect {
            Dialect::Full => &['*', '?', '[', ']', '\\'],
            Dialect::StarOnly => &['*'],
        };
        match pattern.find(meta) {
            None => {
                return Ok(Self {
                    kind: Kind::Exact(pattern.into()),
                });
            }
            Some(at) if at + 1 == pattern.len() && pattern.ends_with('*') => {
                return Ok(Self {
                    kind: Kind::Prefix(pattern.get(..at).unwrap_or_default().into()),
                });
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
        let literal = |pattern: &str| -> Box<str> {
            Elements::new(pattern, dialect)
                .map_while(|item| match item {
                    Ok((Element::Literal(c), _)) => Some(c),
                    _ => None,
                })
                .collect::<String>()
                .into_boxed_str()
        };
        let kind = match shape {
            Shape::Exact => Kind::Exact(literal(pattern)),
            Shape::Prefix => Kind::Prefix(literal(pattern)),
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
        };
        Ok(Self { kind })
    }

    /// The literal text every match starts with.
    pub(crate) fn literal_prefix(&self) -> String {
        match &self.kind {
            Kind::Exact(s) | Kind::Prefix(s) => s.to_string(),
            Kind::Pattern { dialect, pattern } => Elements::new(pattern, *dialect)
                .map_while(|item| match item {
                    Ok((Element::Literal(c), _)) => Some(c),
                    _ => None,
                })
                .collect(),
        }
    }

    /// The exact string this pattern matches, if it has no metacharacters.
    pub(crate) fn exact(&self) -> Option<&str> {
        match &self.kind {
            Kind::Exact(s) => Some(s),
            _ => None,
        }
    }

    /// Whether the pattern matches every string.
    pub(crate) fn is_match_all(&self) -> bool {
        matches!(&self.kind, Kind::Prefix(p) if p.is_empty())
    }

    /// Whether `text` matches the whole pattern.
    pub(crate) fn is_match(&self, text: &str) -> bool {
        match &self.kind {
            Kind::Exact(s) => **s == *text,
            Kind::Prefix(p) => text.starts_with(&**p),
            Kind::Pattern { dialect, pattern } => match_pattern(pattern, *dialect, text),
        }
    }

    /// Whether every string `other` matches is also matched by `self` (conservative: may say no).
    pub(crate) fn subsumes(&self, other: &Glob) -> bool {
        if self.is_match_all() || self == other {
            return true;
        }
        match other.exact() {
            Some(text) => self.is_match(text),
            None => match (&self.kind, &other.kind) {
                (Kind::Prefix(a), Kind::Prefix(b)) => b.starts_with(&**a),
                _ => false,
            },
        }
    }
}

/// The elements of a pattern, each with the text it was read from.
struct Elements<'a> {
    rest: &'a str,
    dialect: Dialect,
}

impl<'a> Elements<'a> {
    fn new(pattern: &'a str, dialect: Dialect) -> Self {
        Self {
            rest: pattern,
            dialect,
        }
    }
}

impl<'a> Iterator for Elements<'a> {
    type Item = Result<(Element, &'a str), GlobError>;

    fn next(&mut self) -> Option<Self::Item> {
        match element(self.rest, self.dialect, None) {
            Ok(Some((element, len))) => {
                let (text, rest) = self.rest.split_at_checked(len)?;
                self.rest = rest;
                Some(Ok((element, text)))
            }
            Ok(None) => None,
            Err(err) => {
                self.rest = "";
                Some(Err(err))
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
) -> Result<Option<(Element, usize)>, GlobError> {
    let mut chars = rest.chars();
    let Some(c) = chars.next() else {
        return Ok(None);
    };
    let element = match (dialect, c) {
        (_, '*') => Element::Star,
        (Dialect::Full, '?') => Element::Any,
        (Dialect::Full, '\\') => Element::Literal(chars.next().ok_or(GlobError::DanglingEscape)?),
        (Dialect::Full, '[') => Element::Class(class(&mut chars, probe)?),
        (_, c) => Element::Literal(c),
    };
    Ok(Some((element, rest.len() - chars.as_str().len())))
}

/// Reads a class after its `[` up to and including its `]`, and says whether it admits
/// `probe`.
fn class(chars: &mut std::str::Chars<'_>, probe: Option<char>) -> Result<bool, GlobError> {
    let mut negated = false;
    let mut empty = true;
    let mut admits = false;
    let mut first = true;
    let mut range = |lo: char, hi: char| {
        empty = false;
        admits |= probe.is_some_and(|p| (lo..=hi).contains(&p));
    };
    loop {
        let c = chars.next().ok_or(GlobError::UnclosedClass)?;
        match c {
            '!' | '^' if first && !negated => {
                negated = true;
                continue;
            }
            ']' => break,
            '\\' => {
                let c = chars.next().ok_or(GlobError::UnclosedClass)?;
                range(c, c);
            }
            c => {
                // A `-` between two characters makes a range; elsewhere it is literal.
                let mut lookahead = chars.clone();
                if lookahead.next() == Some('-') {
                    match lookahead.next() {
                        Some(']') | None => range(c, c),
                        Some(end) => {
                            if end < c {
                                return Err(GlobError::BadRange(c, end));
                            }
                            *chars = lookahead;
                            range(c, end);
                        }
                    }
                } else {
                    range(c, c);
                }
            }
        }
        first = false;
    }
    if empty {
        return Err(GlobError::EmptyClass);
    }
    Ok(admits != negated)
}

/// Linear-time wildcard matching with one backtrack point, which is exact when `*` is the only
/// variable-length element. The pattern is read in place, so nothing is allocated; positions
/// are byte offsets. ASCII literals, `*` and `?` are compared byte by byte; the rest (classes,
/// escapes, other literals) goes through [`element`].
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
        Glob::new(p, Dialect::Full).unwrap()
    }

    #[test]
    fn matches_common_shapes() {
        assert!(full("io.github.*").is_match("io.github.acme/server"));
        assert!(!full("io.github.*").is_match("io.gitlab.acme/server"));
        assert!(full("*/server-?").is_match("com.acme/server-a"));
        assert!(full("a*b*c").is_match("aXXbYYc"));
        assert!(!full("a*b*c").is_match("aXXbYY"));
        assert!(full("[a-c]x").is_match("bx"));
        assert!(!full("[!a-c]x").is_match("bx"));
        assert!(full(r"a\*").is_match("a*"));
        assert!(!full(r"a\*").is_match("ab"));
        assert!(full("*").is_match(""));
        assert!(full("é*").is_match("été"));
    }

    #[test]
    fn literal_prefixes() {
        assert_eq!(full("io.github.*/x").literal_prefix(), "io.github.");
        assert_eq!(full("exact").exact(), Some("exact"));
        assert_eq!(full("?x").literal_prefix(), "");
    }

    #[test]
    fn errors_read_well() {
        let err = |p: &str| Glob::new(p, Dialect::Full).unwrap_err().to_string();
        assert_eq!(err("[a"), "unclosed character class");
        assert_eq!(err("[]"), "empty character class");
        assert_eq!(err("[z-a]"), "character range `z-a` is out of order");
        assert_eq!(err("a\\"), "trailing backslash escapes nothing");
    }

    #[test]
    fn classes_escapes_and_wide_characters() {
        assert!(full("[a-]").is_match("-") && full("[a-]").is_match("a"));
        assert!(!full("[a-]").is_match("b"));
        assert!(full("[!!]").is_match("a") && !full("[!!]").is_match("!"));
        assert!(full("[--0]").is_match("/") && !full("[--0]").is_match("1"));
        assert!(full(r"[\]]").is_match("]"));
        assert!(full("[é-ê]x").is_match("êx"));
        assert!(full("?é?").is_match("日é本") && !full("?é?").is_match("日e本"));
        assert!(full("*本").is_match("日本") && !full("*本").is_match("日"));
        assert!(full(r"\?\[*").is_match("?[anything"));
        assert!(!full(r"\?x*").is_match("ax"));
        assert!(full("a**b***").is_match("ab") && full("a**b***").is_match("aXbY"));
        assert!(!full("a*b").is_match("ab/"));
    }

    #[test]
    fn escapes_resolve_in_exact_and_prefix_patterns() {
        assert_eq!(full(r"a\*").exact(), Some("a*"));
        assert_eq!(full(r"a\**").literal_prefix(), "a*");
        assert!(full(r"a\**").is_match("a*b") && !full(r"a\**").is_match("ab"));
        assert!(full("**").is_match_all());
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
    fn star_only_dialect_treats_brackets_literally() {
        let g = Glob::new("https://[::1]/*", Dialect::StarOnly).unwrap();
        assert!(g.is_match("https://[::1]/mcp"));
    }

    #[test]
    fn subsumption_is_conservative() {
        assert!(full("*").subsumes(&full("a?")));
        assert!(full("io.*").subsumes(&full("io.github.*")));
        assert!(full("io.*").subsumes(&full("io.x")));
        assert!(!full("io.github.*").subsumes(&full("io.*")));
    }
}
