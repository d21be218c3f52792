//! A small glob dialect for names: `*`, `?`, `[a-z]`, `[!a-z]` and `\` escapes.
//!
//! Written here rather than taken from a crate so that compile errors read in the house style and
//! so that the literal prefix, which the index groups patterns by, is available.

use std::fmt;

/// One compiled glob pattern.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Glob {
    source: String,
    kind: Kind,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Kind {
    /// No metacharacters: compare for equality.
    Exact(String),
    /// `literal*`: a prefix test.
    Prefix(String),
    /// Anything else.
    Tokens(Vec<Token>),
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Token {
    Char(char),
    Any,
    Star,
    Class {
        negated: bool,
        ranges: Vec<(char, char)>,
    },
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

impl Glob {
    /// Compiles `pattern` in the given dialect.
    pub(crate) fn new(pattern: &str, dialect: Dialect) -> Result<Self, GlobError> {
        let tokens = tokenize(pattern, dialect)?;
        let kind = simplify(tokens);
        Ok(Self {
            source: pattern.to_owned(),
            kind,
        })
    }

    /// The literal text every match starts with.
    pub(crate) fn literal_prefix(&self) -> String {
        match &self.kind {
            Kind::Exact(s) | Kind::Prefix(s) => s.clone(),
            Kind::Tokens(tokens) => tokens
                .iter()
                .map_while(|t| match t {
                    Token::Char(c) => Some(*c),
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
            Kind::Exact(s) => s == text,
            Kind::Prefix(p) => text.starts_with(p.as_str()),
            Kind::Tokens(tokens) => match_tokens(tokens, text),
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
                (Kind::Prefix(a), Kind::Prefix(b)) => b.starts_with(a.as_str()),
                _ => false,
            },
        }
    }
}

fn tokenize(pattern: &str, dialect: Dialect) -> Result<Vec<Token>, GlobError> {
    let mut tokens = Vec::new();
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        let token = match (dialect, c) {
            (_, '*') => Token::Star,
            (Dialect::Full, '?') => Token::Any,
            (Dialect::Full, '\\') => Token::Char(chars.next().ok_or(GlobError::DanglingEscape)?),
            (Dialect::Full, '[') => class(&mut chars)?,
            (_, c) => Token::Char(c),
        };
        // Collapse runs of stars: they mean the same and would slow matching.
        if token == Token::Star && tokens.last() == Some(&Token::Star) {
            continue;
        }
        tokens.push(token);
    }
    Ok(tokens)
}

fn class(chars: &mut std::str::Chars<'_>) -> Result<Token, GlobError> {
    let mut negated = false;
    let mut ranges = Vec::new();
    let mut first = true;
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
                ranges.push((c, c));
            }
            c => {
                // A `-` between two characters makes a range; elsewhere it is literal.
                let mut lookahead = chars.clone();
                if lookahead.next() == Some('-') {
                    match lookahead.next() {
                        Some(']') | None => ranges.push((c, c)),
                        Some(end) => {
                            if end < c {
                                return Err(GlobError::BadRange(c, end));
                            }
                            *chars = lookahead;
                            ranges.push((c, end));
                        }
                    }
                } else {
                    ranges.push((c, c));
                }
            }
        }
        first = false;
    }
    if ranges.is_empty() {
        return Err(GlobError::EmptyClass);
    }
    Ok(Token::Class { negated, ranges })
}

fn simplify(tokens: Vec<Token>) -> Kind {
    let literal: Option<String> = tokens
        .iter()
        .map(|t| match t {
            Token::Char(c) => Some(*c),
            _ => None,
        })
        .collect();
    if let Some(exact) = literal {
        return Kind::Exact(exact);
    }
    if let Some((Token::Star, rest)) = tokens.split_last() {
        let prefix: Option<String> = rest
            .iter()
            .map(|t| match t {
                Token::Char(c) => Some(*c),
                _ => None,
            })
            .collect();
        if let Some(prefix) = prefix {
            return Kind::Prefix(prefix);
        }
    }
    Kind::Tokens(tokens)
}

fn token_matches(token: &Token, c: char) -> bool {
    match token {
        Token::Char(t) => *t == c,
        Token::Any => true,
        Token::Star => false,
        Token::Class { negated, ranges } => {
            ranges.iter().any(|(lo, hi)| (*lo..=*hi).contains(&c)) != *negated
        }
    }
}

/// Linear-time wildcard matching with one backtrack point, which is exact when `*` is the only
/// variable-length token. Positions in `text` are byte offsets, so nothing is allocated.
fn match_tokens(tokens: &[Token], text: &str) -> bool {
    let next_char = |at: usize| text.get(at..).and_then(|rest| rest.chars().next());
    let (mut t, mut s) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while let Some(c) = next_char(s) {
        match tokens.get(t) {
            Some(Token::Star) => {
                star = Some((t, s));
                t += 1;
            }
            Some(token) if token_matches(token, c) => {
                t += 1;
                s += c.len_utf8();
            }
            _ => match star {
                Some((star_t, star_s)) => {
                    let skipped = next_char(star_s).map_or(1, char::len_utf8);
                    t = star_t + 1;
                    s = star_s + skipped;
                    star = Some((star_t, s));
                }
                None => return false,
            },
        }
    }
    tokens
        .get(t..)
        .is_some_and(|rest| rest.iter().all(|t| *t == Token::Star))
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
