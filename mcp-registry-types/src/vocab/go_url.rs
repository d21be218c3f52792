//! Go's `net/url.Parse`, reproduced for the registry's URL checks.
//!
//! The official validator decides URL rules with Go's parser, whose answers differ from the
//! WHATWG parser in the `url` crate (it accepts relative references, rejects a colon in a first
//! path segment, checks host characters but not paths). Matching it exactly is what makes
//! "the registry accepts it" and "we accept it" the same statement.

use std::borrow::Cow;

/// The parts of a URL the registry's rules look at.
#[derive(Clone, Debug, Default, Eq, PartialEq)]
pub(crate) struct GoUrl<'a> {
    /// Lower-cased scheme; empty for a relative reference.
    pub(crate) scheme: Cow<'a, str>,
    /// `host[:port]` as written (after the `//`), empty when absent.
    pub(crate) host: &'a str,
    /// [`GoUrl::hostname`], found while parsing the host.
    hostname: &'a str,
    /// The path as written.
    pub(crate) path: &'a str,
}

impl GoUrl<'_> {
    /// `url.Hostname()`: the host without port and IPv6 brackets.
    pub(crate) fn hostname(&self) -> &str {
        self.hostname
    }
}

/// `url.Hostname()` of a host Go accepted.
fn hostname_of(host: &str) -> &str {
    if let Some(rest) = host.strip_prefix('[') {
        let end = rest.bytes().position(|b| b == b']').unwrap_or(rest.len());
        return rest.get(..end).unwrap_or(rest);
    }
    let end = host.bytes().rposition(|b| b == b':').unwrap_or(host.len());
    host.get(..end).unwrap_or(host)
}

/// Why Go's parser refuses a URL, in Go's own words.
#[derive(Clone, Debug, Eq, PartialEq)]
pub(crate) struct GoUrlError(pub(crate) String);

/// `url.Parse(raw)`.
pub(crate) fn parse(raw: &str) -> Result<GoUrl<'_>, GoUrlError> {
    simple(raw).map_or_else(|| parse_general(raw), Ok)
}

/// The common case: `scheme://host[:port][/path]` with a lower-case scheme and no fragment,
/// query, user info, escape, bracket, or character Go refuses in a host (anywhere after the
/// scheme, which keeps the test one table lookup per byte). Anything else is `None`, for
/// [`parse_general`]; where both answer, they agree (a property test holds them).
fn simple(raw: &str) -> Option<GoUrl<'_>> {
    let (scheme, after) = split_scheme(raw)?;
    // OR-ing table entries has no early exit, so the loop stays branch-free.
    let class = after.bytes().fold(0u8, |found, b| {
        found | SIMPLE_CLASS.get(usize::from(b)).copied().unwrap_or(SPECIAL)
    });
    if class & SPECIAL != 0 {
        return None;
    }
    let (host, path) = after.split_at(find_slash(after).unwrap_or(after.len()));
    let mut hostname = host;
    if class & COLON != 0
        && let Some(colon) = find(host, b':')
    {
        // At most one `:`, followed by digits only: a second colon is not a digit.
        let (name, port) = host.split_at(colon);
        if !port.bytes().skip(1).all(|b| b.is_ascii_digit()) {
            return None;
        }
        hostname = name;
    }
    Some(GoUrl {
        scheme: Cow::Borrowed(scheme),
        host,
        hostname,
        path,
    })
}

/// A lower-case `scheme://`: the scheme, and what follows the `//`.
fn split_scheme(raw: &str) -> Option<(&str, &str)> {
    // Nearly every URL in the registry is https.
    if let Some(after) = raw.strip_prefix("https://") {
        return Some(("https", after));
    }
    let end = raw.bytes().position(|b| {
        !(b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'+' | b'-' | b'.'))
    })?;
    let (scheme, rest) = raw.split_at(end);
    if !scheme
        .as_bytes()
        .first()
        .is_some_and(u8::is_ascii_lowercase)
    {
        return None;
    }
    Some((scheme, rest.strip_prefix("://")?))
}

/// The first `/` in `text`, eight bytes at a time: a host is a few words long, shorter than
/// what a `memchr` call costs to set up.
fn find_slash(text: &str) -> Option<usize> {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);
    const SLASHES: u64 = u64::from_ne_bytes([b'/'; 8]);
    let mut words = text.as_bytes().chunks_exact(8);
    let mut at = 0;
    for word in &mut words {
        // A zero byte marks a `/`. The classic zero-byte test flags it, and flags nothing
        // below the first one (only a zero byte borrows), so the lowest flag is exact.
        let x = u64::from_le_bytes(word.try_into().ok()?) ^ SLASHES;
        let zeros = x.wrapping_sub(ONES) & !x & HIGHS;
        if zeros != 0 {
            return Some(at + zeros.trailing_zeros() as usize / 8);
        }
        at += 8;
    }
    let rest = words.remainder().iter().position(|&b| b == b'/')?;
    Some(at + rest)
}

/// [`SIMPLE_CLASS`] bit of bytes that take a URL off [`simple`]'s path: controls, `#`, `?`,
/// `@`, `%`, brackets, and every ASCII byte Go would refuse in a host except `/`.
const SPECIAL: u8 = 1;
/// [`SIMPLE_CLASS`] bit of `:`, which may start a port.
const COLON: u8 = 2;

static SIMPLE_CLASS: [u8; 256] = {
    let mut table = [0; 256];
    let mut b = 0;
    while b < 256 {
        #[expect(clippy::indexing_slicing, reason = "b < 256, checked at compile time")]
        let special = !HOST_SAFE[b] || b == b'[' as usize || b == b']' as usize;
        #[expect(clippy::indexing_slicing, reason = "b < 256, checked at compile time")]
        let slot = &mut table[b];
        *slot = if b == b':' as usize {
            COLON
        } else if special && b != b'/' as usize {
            SPECIAL
        } else {
            0
        };
        b += 1;
    }
    table
};

/// `url.Parse(raw)`, every case.
fn parse_general(raw: &str) -> Result<GoUrl<'_>, GoUrlError> {
    let hash = find(raw, b'#').unwrap_or(raw.len());
    let rest = raw.get(..hash).unwrap_or_default();
    // A count has no early exit, so the loop vectorises.
    let control = rest.bytes().filter(|&b| b < b' ' || b == 0x7f).count();
    if control > 0 {
        return Err(GoUrlError(
            "net/url: invalid control character in URL".to_owned(),
        ));
    }
    let fragment = raw.get(hash + 1..);
    if rest == "*" {
        return Ok(GoUrl {
            path: "*",
            ..GoUrl::default()
        });
    }
    let (scheme, rest) = scheme(rest)?;
    let rest = rest
        .get(..find(rest, b'?').unwrap_or(rest.len()))
        .unwrap_or_default();
    if !rest.starts_with('/') {
        if !scheme.is_empty() {
            // Opaque URL such as `mailto:x` or `data:…`: no host, no path checks.
            check_fragment(fragment)?;
            return Ok(GoUrl {
                scheme,
                ..GoUrl::default()
            });
        }
        let first_segment = rest
            .get(..find(rest, b'/').unwrap_or(rest.len()))
            .unwrap_or_default();
        if find(first_segment, b':').is_some() {
            return Err(GoUrlError(
                "first path segment in URL cannot contain colon".to_owned(),
            ));
        }
    }
    let mut url = GoUrl {
        scheme,
        ..GoUrl::default()
    };
    let mut path = rest;
    if let Some(after) = rest
        .strip_prefix("//")
        .filter(|_| !url.scheme.is_empty() || !rest.starts_with("///"))
    {
        let (authority, tail) = after.split_at(find(after, b'/').unwrap_or(after.len()));
        url.host = authority_host(authority)?;
        url.hostname = hostname_of(url.host);
        path = tail;
    }
    unescape_check(path, Mode::Path)?;
    url.path = path;
    check_fragment(fragment)?;
    Ok(url)
}

/// The first `byte` in `text` (ASCII, so the index is a char boundary).
fn find(text: &str, byte: u8) -> Option<usize> {
    memchr::memchr(byte, text.as_bytes())
}

/// The last `byte` in `text`.
fn rfind(text: &str, byte: u8) -> Option<usize> {
    memchr::memrchr(byte, text.as_bytes())
}

fn check_fragment(fragment: Option<&str>) -> Result<(), GoUrlError> {
    fragment.map_or(Ok(()), |f| unescape_check(f, Mode::Fragment))
}

/// `getScheme`: letters first, then letters, digits, `+`, `-`, `.` up to a `:`.
fn scheme(raw: &str) -> Result<(Cow<'_, str>, &str), GoUrlError> {
    for (i, c) in raw.bytes().enumerate() {
        match c {
            b'a'..=b'z' | b'A'..=b'Z' => {}
            b'0'..=b'9' | b'+' | b'-' | b'.' if i > 0 => {}
            b':' if i == 0 => return Err(GoUrlError("missing protocol scheme".to_owned())),
            b':' => {
                let (scheme, rest) = raw.split_at(i);
                let scheme = if scheme.bytes().any(|b| b.is_ascii_uppercase()) {
                    Cow::Owned(scheme.to_ascii_lowercase())
                } else {
                    Cow::Borrowed(scheme)
                };
                return Ok((scheme, rest.get(1..).unwrap_or_default()));
            }
            _ => return Ok((Cow::Borrowed(""), raw)),
        }
    }
    Ok((Cow::Borrowed(""), raw))
}

/// `parseAuthority`: optional `userinfo@`, then the host.
fn authority_host(authority: &str) -> Result<&str, GoUrlError> {
    let (userinfo, host) = match rfind(authority, b'@') {
        Some(at) => {
            let (user, host) = authority.split_at(at);
            (Some(user), host.get(1..).unwrap_or_default())
        }
        None => (None, authority),
    };
    check_host(host)?;
    if let Some(userinfo) = userinfo {
        let valid = userinfo
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._:~!$&'()*+,;=%@".contains(&b));
        if !valid {
            return Err(GoUrlError("net/url: invalid userinfo".to_owned()));
        }
        unescape_check(userinfo, Mode::UserPassword)?;
    }
    Ok(host)
}

/// `parseHost`: bracketed IPv6 with an optional port, or a name with at most one `:port`
/// (Go 1.25 rejects further colons), and only host-safe characters.
fn check_host(host: &str) -> Result<(), GoUrlError> {
    if let Some(inner) = host.strip_prefix('[') {
        let Some(close) = rfind(inner, b']') else {
            return Err(GoUrlError("missing ']' in host".to_owned()));
        };
        let port = inner.get(close + 1..).unwrap_or_default();
        if !valid_optional_port(port) {
            return Err(GoUrlError(format!("invalid port {port:?} after host")));
        }
    } else if let Some(colon) = rfind(host, b':') {
        let port = host.get(colon..).unwrap_or_default();
        if !valid_optional_port(port) {
            return Err(GoUrlError(format!("invalid port {port:?} after host")));
        }
        if host
            .get(..colon)
            .is_some_and(|name| find(name, b':').is_some())
        {
            return Err(GoUrlError(format!(
                "invalid host {host:?}: too many colons"
            )));
        }
    }
    unescape_check(host, Mode::Host)
}

fn valid_optional_port(port: &str) -> bool {
    match port.strip_prefix(':') {
        Some(digits) => digits.bytes().all(|b| b.is_ascii_digit()),
        None => port.is_empty(),
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Host,
    Path,
    UserPassword,
    Fragment,
}

/// `unescape`'s error checks: every `%` starts two hex digits; in a host, `%XX` only escapes
/// non-ASCII bytes (or is `%25`), and ASCII characters Go would escape are refused.
fn unescape_check(text: &str, mode: Mode) -> Result<(), GoUrlError> {
    if find(text, b'%').is_none() {
        if mode != Mode::Host {
            return Ok(());
        }
        // Without escapes a host only needs every ASCII byte host-safe; the full loop below
        // finds which one is not.
        let unsafe_bytes = text.bytes().filter(|&b| !host_safe(b)).count();
        if unsafe_bytes == 0 {
            return Ok(());
        }
    }
    let bytes = text.as_bytes();
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%' {
            let hex = (bytes.get(i + 1).copied(), bytes.get(i + 2).copied());
            let (Some(h1), Some(h2)) = hex else {
                return Err(escape_error(text, i));
            };
            if !h1.is_ascii_hexdigit() || !h2.is_ascii_hexdigit() {
                return Err(escape_error(text, i));
            }
            if mode == Mode::Host && hex_value(h1) < 8 && !(h1 == b'2' && h2 == b'5') {
                return Err(escape_error(text, i));
            }
            i += 3;
        } else {
            if mode == Mode::Host && !host_safe(b) {
                return Err(GoUrlError(format!(
                    "invalid character {:?} in host name",
                    char::from(b)
                )));
            }
            i += 1;
        }
    }
    Ok(())
}

fn escape_error(text: &str, at: usize) -> GoUrlError {
    let end = (at + 3).min(text.len());
    let shown = text.get(at..end).unwrap_or("%");
    GoUrlError(format!("invalid URL escape {shown:?}"))
}

fn hex_value(digit: u8) -> u8 {
    match digit {
        b'0'..=b'9' => digit - b'0',
        b'a'..=b'f' => digit - b'a' + 10,
        _ => digit
            .to_ascii_lowercase()
            .wrapping_sub(b'a')
            .wrapping_add(10),
    }
}

/// `!shouldEscape(c, encodeHost)` for ASCII; bytes of non-ASCII characters pass.
fn host_safe(b: u8) -> bool {
    // A `u8` index is always in bounds: the check compiles away.
    HOST_SAFE.get(usize::from(b)).copied().unwrap_or(true)
}

static HOST_SAFE: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        #[expect(clippy::cast_possible_truncation, reason = "b < 256")]
        let byte = b as u8;
        #[expect(clippy::indexing_slicing, reason = "b < 256, checked at compile time")]
        let slot = &mut table[b];
        *slot = byte >= 0x80
            || matches!(
                byte,
                b'a'..=b'z'
                    | b'A'..=b'Z'
                    | b'0'..=b'9'
                    | b'-'
                    | b'_'
                    | b'.'
                    | b'~'
                    | b'!'
                    | b'$'
                    | b'&'
                    | b'\''
                    | b'('
                    | b')'
                    | b'*'
                    | b'+'
                    | b','
                    | b';'
                    | b'='
                    | b':'
                    | b'['
                    | b']'
                    | b'<'
                    | b'>'
                    | b'"'
            );
        b += 1;
    }
    table
};

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(raw: &str) -> GoUrl<'_> {
        let url = parse_general(raw).unwrap_or_else(|e| panic!("{raw}: {}", e.0));
        assert_eq!(parse(raw), Ok(url.clone()), "{raw}");
        url
    }

    fn err(raw: &str) -> String {
        parse(raw).expect_err(raw).0
    }

    #[test]
    fn absolute_urls_split_like_go() {
        let url = ok("HTTPS://User@Example.com:8443/a b?q#f");
        assert_eq!(
            (&*url.scheme, url.host, url.path),
            ("https", "Example.com:8443", "/a b")
        );
        assert_eq!(url.hostname(), "Example.com");
        assert_eq!(ok("https://[::1]:80/").hostname(), "::1");
    }

    #[test]
    fn relative_references_parse_without_scheme() {
        assert_eq!(ok("example.com/path").scheme, "");
        assert_eq!(ok("//host/path").host, "host");
        assert_eq!(ok("data:image/png;base64,AAAA").scheme, "data");
    }

    #[test]
    fn go_rejections() {
        assert_eq!(
            err("ht tp://x"),
            "first path segment in URL cannot contain colon"
        );
        assert_eq!(err(":foo"), "missing protocol scheme");
        assert_eq!(
            err("https://exa mple.com"),
            "invalid character ' ' in host name"
        );
        assert_eq!(err("https://h:port/"), "invalid port \":port\" after host");
        assert_eq!(
            err("https://x.com/\u{7f}"),
            "net/url: invalid control character in URL"
        );
        assert_eq!(err("https://x.com/%zz"), "invalid URL escape \"%zz\"");
        assert_eq!(err("https://[::1/"), "missing ']' in host");
        assert_eq!(err("https://{host}/"), "invalid character '{' in host name");
        assert_eq!(
            err("http://localhost:80:80/"),
            "invalid host \"localhost:80:80\": too many colons"
        );
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(4000))]

        #[test]
        fn the_one_pass_case_agrees_with_the_general_parser(
            raw in r"(https?|HTTP|[a-z][a-z0-9+.-]{0,3}|1a|)(:)?(//)?([a-z0-9.:\[\]@%_ {}-]{0,8})(:[0-9a-z]{0,3})?(/[a-z %{}:.é]{0,4}){0,3}(\?[a-z=]{0,3})?(#[a-z%]{0,3})?"
        ) {
            if let Some(fast) = simple(&raw) {
                proptest::prop_assert_eq!(Ok(fast), parse_general(&raw));
            }
        }

        /// Shapes real URLs take: user info, IPv6, ports good and bad, escapes, queries.
        #[test]
        fn realistic_urls_agree_with_the_general_parser(
            raw in r"(https|https|http|HTTPS|ftp|git\+ssh|a1|)(://|://|://|:|//|:///)(|||[a-z]{1,3}(:[a-z]{0,2})?@)(\[[0-9a-f:]{0,6}\]|[a-z0-9-]{1,6}(\.[a-z0-9é_-]{1,6}){0,2}|[a-z0-9-]{1,6}(\.[a-z0-9é_-]{1,6}){0,2}|127\.0\.0\.1|localhost|)(|:[0-9]{0,5}|:[0-9]{0,5}|:[0-9]{1,2}:[0-9]|:x)(/[a-zA-Z0-9._~-]{0,8}|/[a-zA-Z0-9._~-]{0,8}|/[a-zA-Z0-9._~:@%{}é -]{0,8}){0,4}(|||\?[a-z=&%]{0,6})(|||#[a-z%/]{0,4})"
        ) {
            if let Some(fast) = simple(&raw) {
                proptest::prop_assert_eq!(Ok(fast), parse_general(&raw));
            }
            // `absolute` in the JSON Schema layer relies on this.
            if let Ok(url) = parse(&raw) {
                proptest::prop_assert!(url.host.starts_with('[') || !url.hostname().contains(':'));
            }
        }
    }

    #[test]
    fn common_urls_take_the_one_pass_case() {
        for raw in [
            "https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json",
            "https://example.com",
            "http://localhost:8080/mcp",
        ] {
            assert_eq!(simple(raw), Some(ok(raw)), "{raw}");
        }
        for raw in [
            "HTTPS://x.com",
            "https://u@x.com",
            "https://x.com/?q",
            "https://[::1]/",
        ] {
            assert_eq!(simple(raw), None, "{raw}");
        }
    }

    #[test]
    fn find_slash_finds_the_first() {
        let text = "ab\u{e9}cdefgh/ijklmnopq/rs/".repeat(2);
        for start in 0..text.len() {
            for end in start..=text.len() {
                if let Some(part) = text.get(start..end) {
                    assert_eq!(find_slash(part), find(part, b'/'), "{part}");
                }
            }
        }
    }

    #[test]
    fn spaces_in_paths_are_accepted_by_go() {
        assert_eq!(ok("https://example.com/a b").path, "/a b");
    }
}
