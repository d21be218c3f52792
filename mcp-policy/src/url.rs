//! Remote URLs as the connecting client reads them, URL patterns, and network facts.
//!
//! Every URL in a request is read with [`ClientUrl`]: the WHATWG parser that hosts, SDKs and
//! browsers use, cross-checked with Go's `net/url` that the registry uses. A URL either reading
//! refuses, or that the two read differently, is [`Target::Unreadable`]: URL conditions on it
//! cannot be judged, so the rule that asks is treated as unevaluable and denies, with the reason
//! in the decision. Patterns are normalised the same way when the policy is compiled, so a
//! pattern and a URL are compared host to host, port to port and path to path, never as text.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use mcp_registry_types::client_url::ClientUrl;
use mcp_registry_types::glob::Glob;
use mcp_registry_types::url::{Host, Url};

/// One remote as the policy sees it.
#[derive(Clone, Debug)]
pub(crate) enum Target {
    /// Read the same way by clients and by the registry.
    Read(ClientUrl),
    /// Not judged: why, in words, naming the URL.
    Unreadable(String),
}

impl Target {
    pub(crate) fn read(url: &str) -> Self {
        match ClientUrl::parse(url) {
            Ok(read) => Self::Read(read),
            Err(why) => Self::Unreadable(format!(
                "remote url `{}` cannot be judged: {why}",
                url.escape_debug()
            )),
        }
    }
}

/// Why a URL pattern does not compile, in words: the tail of a diagnostic. (Its parts are
/// star-only globs, which never fail.)
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct PatternError(String);

impl std::fmt::Display for PatternError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Which ports a pattern accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum PortPattern {
    /// None written: the scheme's default port only.
    Default,
    /// `:*`, or an authority that ends in `*`: any port.
    Any,
    /// This port, explicit or as the scheme's default.
    Number(u16),
}

/// A host managed-settings style URL pattern (`https://*.example.com/*`, `http://localhost:*/*`,
/// `*://*.untrusted.example/*`): `*` matches any run of characters within the part it stands in
/// (scheme, host, port or path), hosts compare in the normal form clients use, and no path
/// means any path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct UrlPattern {
    scheme: Part,
    host: Part,
    /// A domain suffix every host the pattern matches ends with at a label boundary, for the
    /// index of wildcard hosts.
    host_suffix: Option<Box<str>>,
    port: PortPattern,
    path: Option<Glob>,
}

/// The schemes the WHATWG standard treats as special, with their default ports.
fn default_port(scheme: &str) -> Option<u16> {
    match scheme {
        "http" | "ws" => Some(80),
        "https" | "wss" => Some(443),
        "ftp" => Some(21),
        _ => None,
    }
}

fn invalid(why: impl Into<String>) -> PatternError {
    PatternError(why.into())
}

impl UrlPattern {
    pub(crate) fn new(pattern: &str) -> Result<Self, PatternError> {
        let (scheme, rest) = match pattern.split_once("://") {
            Some((scheme, rest)) => (scheme.to_ascii_lowercase(), rest),
            None => ("*".to_owned(), pattern),
        };
        let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let (authority, path) = rest.split_at_checked(end).unwrap_or((rest, ""));
        if authority.contains(['@', '\\']) {
            return Err(invalid(
                "a url pattern's host may not hold `@` or `\\`: write the host alone",
            ));
        }
        let (host, port) = split_port(authority);
        let port = match port {
            None if host.ends_with('*') => PortPattern::Any,
            None | Some("") => PortPattern::Default,
            Some("*") => PortPattern::Any,
            Some(digits) => {
                let number = digits
                    .parse::<u16>()
                    .ok()
                    .filter(|_| digits.bytes().all(|b| b.is_ascii_digit()))
                    .ok_or_else(|| invalid(format!("port `{digits}` is not a number or `*`")))?;
                if default_port(&scheme) == Some(number) {
                    PortPattern::Default
                } else {
                    PortPattern::Number(number)
                }
            }
        };
        let host = normalize_host_pattern(host, &scheme)?;
        let path = if path.is_empty() {
            None
        } else {
            Some(Glob::star_only(&normalize_path_pattern(path, &scheme)?))
        };
        Ok(Self {
            scheme: Part::new(&scheme),
            host: Part::new(&host),
            host_suffix: domain_suffix(&host).map(Into::into),
            port,
            path,
        })
    }

    /// The host when it has no wildcard, for the index.
    pub(crate) fn literal_host(&self) -> Option<&str> {
        match &self.host {
            Part::Exact(host) => Some(host),
            _ => None,
        }
    }

    /// For a wildcard host, a domain suffix every matching host ends with at a label boundary
    /// (`vendor.example` for `*.vendor.example`), for the index.
    pub(crate) fn host_suffix(&self) -> Option<&str> {
        self.host_suffix.as_deref()
    }

    pub(crate) fn is_match(&self, url: &ClientUrl) -> bool {
        let port = match self.port {
            PortPattern::Any => true,
            PortPattern::Default => url.port().is_none(),
            PortPattern::Number(n) => url.port_or_default() == Some(n),
        };
        port && self.scheme.is_match(url.scheme())
            && self.host.is_match(url.host())
            && self
                .path
                .as_ref()
                .is_none_or(|p| p.matches(url.path_and_query()))
    }

    /// Whether the pattern can only match `http` URLs.
    pub(crate) fn is_plain_http(&self) -> bool {
        matches!(&self.scheme, Part::Exact(s) if &**s == "http")
    }

    /// Conservative: equal patterns, or `self` matches anything.
    pub(crate) fn subsumes(&self, other: &Self) -> bool {
        (self.scheme == other.scheme
            && self.host == other.host
            && self.port == other.port
            && self.path == other.path)
            || (self.scheme == Part::Any
                && self.host == Part::Any
                && self.port == PortPattern::Any
                && self.path.is_none())
    }
}

/// For a wildcard host pattern, the labels after the first `.` that follows its last `*`
/// (`vendor.example` for `*.vendor.example` and `mcp-*.vendor.example`).
fn domain_suffix(host: &str) -> Option<&str> {
    let (_, tail) = host.rsplit_once('*')?;
    let (_, suffix) = tail.split_once('.')?;
    (!suffix.is_empty()).then_some(suffix)
}

/// A star-only pattern for a scheme or host, with the shapes patterns take in practice
/// (`https`, `*`, `*.vendor.example`) tested without the general matcher.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Part {
    Any,
    Exact(Box<str>),
    /// `*` then literal text.
    Suffix(Box<str>),
    Glob(Glob),
}

impl Part {
    fn new(pattern: &str) -> Self {
        match pattern.strip_prefix('*') {
            Some("") => Self::Any,
            Some(rest) if !rest.contains('*') => Self::Suffix(rest.into()),
            _ if !pattern.contains('*') => Self::Exact(pattern.into()),
            _ => Self::Glob(Glob::star_only(pattern)),
        }
    }

    fn is_match(&self, text: &str) -> bool {
        match self {
            Self::Any => true,
            Self::Exact(exact) => **exact == *text,
            Self::Suffix(suffix) => text.ends_with(&**suffix),
            Self::Glob(glob) => glob.matches(text),
        }
    }
}

/// `host` and the text after its port colon, if any (`[v6]:port` aware).
fn split_port(authority: &str) -> (&str, Option<&str>) {
    if authority.starts_with('[') {
        return match authority.rsplit_once("]:") {
            Some((host, port)) => (authority.get(..=host.len()).unwrap_or(host), Some(port)),
            None => (authority, None),
        };
    }
    match authority.rsplit_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (authority, None),
    }
}

/// The host part of a pattern in the form [`ClientUrl::host`] gives: literal parts mapped as
/// clients map hosts (case, percent-decoding, UTS #46, IPv4 number forms), one trailing dot
/// dropped.
fn normalize_host_pattern(host: &str, scheme: &str) -> Result<String, PatternError> {
    if host.is_empty() {
        return Err(invalid("a url pattern needs a host (`*` for any)"));
    }
    let host = host.strip_suffix('.').unwrap_or(host);
    if plain_domain(host) {
        return Ok(host.to_owned());
    }
    if !host.contains('*') {
        let special = scheme == "*" || default_port(scheme).is_some() || scheme == "file";
        let parsed = if special {
            Host::parse(host)
        } else {
            Host::parse_opaque(host)
        };
        return match parsed {
            Ok(Host::Domain(d)) => Ok(d.strip_suffix('.').unwrap_or(&d).to_ascii_lowercase()),
            Ok(Host::Ipv4(v4)) => Ok(v4.to_string()),
            Ok(Host::Ipv6(v6)) => Ok(format!("[{v6}]")),
            Err(e) => Err(invalid(format!("host `{host}` is not a host: {e}"))),
        };
    }
    // Around each `*`, literal text; text clients would map must be whole labels to be mapped.
    let pieces: Vec<&str> = host.split('*').collect();
    let last = pieces.len() - 1;
    let mut out = String::with_capacity(host.len());
    for (i, piece) in pieces.into_iter().enumerate() {
        if i > 0 {
            out.push('*');
        }
        if piece.is_ascii() && !piece.contains('%') {
            out.push_str(&piece.to_ascii_lowercase());
            continue;
        }
        let whole_labels =
            (i == 0 || piece.starts_with('.')) && (i == last || piece.ends_with('.'));
        let mapped = match Host::parse(piece.trim_matches('.')) {
            Ok(Host::Domain(d)) if whole_labels => d,
            _ => {
                return Err(invalid(format!(
                    "`{piece}` beside a `*` must be whole labels of plain ASCII, or of a name \
                     clients can map"
                )));
            }
        };
        if piece.starts_with('.') {
            out.push('.');
        }
        out.push_str(&mapped);
        if piece.ends_with('.') && i != last {
            out.push('.');
        }
    }
    Ok(out)
}

/// The path part of a pattern as a client serializes it (`.` and `..` resolved, the characters
/// clients percent-encode encoded), with `*` kept; the fragment dropped.
fn normalize_path_pattern(path: &str, scheme: &str) -> Result<String, PatternError> {
    if plain_path(path) {
        return Ok(path.to_owned());
    }
    let base = if default_port(scheme).is_some() {
        scheme
    } else {
        "https"
    };
    let url = Url::parse(&format!("{base}://pattern.invalid{path}"))
        .map_err(|e| invalid(format!("path `{path}` does not parse: {e}")))?;
    Ok(match url.query() {
        Some(q) => format!("{}?{q}", url.path()),
        None => url.path().to_owned(),
    })
}

/// A host the client's host parser returns unchanged: lower-case ASCII letters, digits, `-`
/// and `.`, no punycode label to check, and a last label that cannot make it an IPv4 address.
/// Compiling thousands of URL patterns takes this path (a test holds it to the parser).
fn plain_domain(host: &str) -> bool {
    !host.is_empty()
        && host
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.')
        && !host.split('.').any(|label| label.starts_with("xn--"))
        && !host
            .rsplit('.')
            .next()
            .is_some_and(|last| last.starts_with(|c: char| c.is_ascii_digit()))
}

/// A path a client serializes unchanged: it starts with `/`, holds only unreserved and
/// sub-delimiter characters, `:`, `@` and `/`, and no `.` or `..` segment.
fn plain_path(path: &str) -> bool {
    path.starts_with('/')
        && path
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@/".contains(&b))
        && !path
            .split('/')
            .any(|segment| segment == "." || segment == "..")
}

/// Whether a remote's host is loopback, private, link-local, unspecified, shared (CGNAT),
/// benchmarking, multicast or reserved, a cloud metadata name, or a name only the local
/// machine resolves.
pub(crate) fn is_private_url(url: &ClientUrl) -> bool {
    match url.ip() {
        Some(ip) => is_private_ip(ip),
        None => is_private_name(url.host()),
    }
}

fn is_private_name(host: &str) -> bool {
    host == "localhost"
        || host.ends_with(".localhost")
        || host == "metadata.google.internal"
        // A bare number that some resolvers read as an address (opaque hosts of other schemes).
        || host.split('.').all(|label| {
            !label.is_empty()
                && (label.bytes().all(|b| b.is_ascii_digit())
                    || label
                        .strip_prefix("0x")
                        .is_some_and(|h| h.bytes().all(|b| b.is_ascii_hexdigit())))
        })
}

/// Whether an address is anything but a globally routed unicast address.
pub(crate) fn is_private_ip(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_private_v4(v4),
        IpAddr::V6(v6) => is_private_v6(v6),
    }
}

fn is_private_v4(v4: Ipv4Addr) -> bool {
    let [a, b, c, _] = v4.octets();
    a == 0                                   // "this network", 0.0.0.0/8
        || a == 10                           // private
        || (a == 100 && (64..128).contains(&b)) // shared address space (CGNAT), 100.64.0.0/10
        || a == 127                          // loopback
        || (a == 169 && b == 254)            // link-local, cloud metadata
        || (a == 172 && (16..32).contains(&b)) // private
        || (a == 192 && b == 0 && c == 0)    // IETF protocol assignments, 192.0.0.0/24
        || (a == 192 && b == 168)            // private
        || (a == 198 && (b == 18 || b == 19)) // benchmarking, 198.18.0.0/15
        || a >= 224 // multicast 224.0.0.0/4, reserved 240.0.0.0/4, broadcast
}

fn is_private_v6(v6: Ipv6Addr) -> bool {
    let s = v6.segments();
    let embedded = |hi: u16, lo: u16| {
        let [h1, h2] = hi.to_be_bytes();
        let [l1, l2] = lo.to_be_bytes();
        Ipv4Addr::new(h1, h2, l1, l2)
    };
    match s {
        // Unspecified, loopback, and IPv4-compatible `::a.b.c.d` (deprecated, still routed by
        // some stacks to the IPv4 address).
        [0, 0, 0, 0, 0, 0, hi, lo] => {
            v6.is_unspecified() || v6.is_loopback() || is_private_v4(embedded(hi, lo))
        }
        // IPv4-mapped `::ffff:a.b.c.d`, NAT64's well-known prefix 64:ff9b::/96, and 6to4
        // 2002:a.b.c.d::/48, which carries the IPv4 address of its gateway.
        [0, 0, 0, 0, 0, 0xffff, hi, lo]
        | [0x64, 0xff9b, 0, 0, 0, 0, hi, lo]
        | [0x2002, hi, lo, ..] => is_private_v4(embedded(hi, lo)),
        // Local-use NAT64 64:ff9b:1::/48, discard-only 100::/64.
        [0x64, 0xff9b, 1, ..] | [0x100, 0, 0, 0, ..] => true,
        // Teredo 2001:0::/32: the client's IPv4 address, inverted, in the last 32 bits.
        [0x2001, 0, _, _, _, _, hi, lo] => is_private_v4(embedded(!hi, !lo)),
        // Unique local fc00::/7, link-local fe80::/10, site-local fec0::/10, multicast ff00::/8.
        [first, ..] => {
            (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
                || (first & 0xffc0) == 0xfec0
                || (first & 0xff00) == 0xff00
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pat(p: &str) -> UrlPattern {
        UrlPattern::new(p).unwrap()
    }

    fn matches(pattern: &str, url: &str) -> bool {
        match Target::read(url) {
            Target::Read(u) => pat(pattern).is_match(&u),
            Target::Unreadable(_) => false,
        }
    }

    #[test]
    fn hosts_compare_in_normal_form() {
        assert!(matches(
            "https://MCP.example.com/*",
            "https://mcp.EXAMPLE.com./x"
        ));
        assert!(matches(
            "https://mcp.example.com./*",
            "https://mcp.example.com/x"
        ));
        assert!(matches(
            "https://xn--bcher-kva.example/*",
            "https://b\u{fc}cher.example/x"
        ));
        assert!(matches(
            "https://b\u{fc}cher.example/*",
            "https://xn--bcher-kva.example/x"
        ));
        assert!(matches(
            "https://*.b\u{fc}cher.example/*",
            "https://a.xn--bcher-kva.example/"
        ));
        assert!(matches("http://127.0.0.1/*", "http://2130706433/"));
        assert!(matches("http://0x7f.1/*", "http://127.0.0.1/"));
        assert!(matches("http://[0::1]:8080/*", "http://[::1]:8080/x"));
        assert!(UrlPattern::new("https://*b\u{fc}cher.example/*").is_err());
    }

    #[test]
    fn ports_compare_as_numbers() {
        assert!(matches("https://h.example/*", "https://h.example:443/"));
        assert!(matches("https://h.example:443/*", "https://h.example/"));
        assert!(matches("https://h.example:0443/*", "https://h.example/"));
        assert!(!matches("https://h.example/*", "https://h.example:8443/"));
        assert!(matches("http://localhost:*/*", "http://localhost:3000/mcp"));
        assert!(matches("http://localhost:*/*", "http://localhost/mcp"));
        assert!(matches("*://h.example:443/*", "https://h.example/"));
        assert!(matches("*", "https://h.example:8443/x"));
        assert!(matches("https://*", "https://h.example:8443/x"));
        assert!(UrlPattern::new("https://h.example:x/").is_err());
        assert!(UrlPattern::new("https://h.example:99999/").is_err());
    }

    #[test]
    fn a_star_stays_inside_its_part() {
        // As text, `https://*.example.com/*` would match these; as parts it does not.
        for url in [
            "https://evil.test/.example.com/x",
            "https://evil.test:1/.example.com/",
            "https://evil.test?.example.com/",
            "https://evil.test#.example.com/",
        ] {
            assert!(!matches("https://*.example.com/*", url), "{url}");
        }
        assert!(matches(
            "https://*.example.com/*",
            "https://a.b.example.com/x"
        ));
    }

    #[test]
    fn paths_compare_after_dot_segments_resolve() {
        assert!(!matches(
            "https://h.example/public/*",
            "https://h.example/public/../admin"
        ));
        assert!(!matches(
            "https://h.example/public/*",
            "https://h.example/public/%2e%2e/admin"
        ));
        assert!(matches(
            "https://h.example/a b/*",
            "https://h.example/a%20b/x"
        ));
        assert!(matches(
            "https://h.example/mcp",
            "https://h.example/mcp#frag"
        ));
        assert!(!matches(
            "https://h.example/mcp",
            "https://h.example/mcp?x=1"
        ));
    }

    #[test]
    fn patterns_refuse_userinfo_and_backslashes() {
        assert!(UrlPattern::new("https://good.example@evil.test/*").is_err());
        assert!(UrlPattern::new(r"https://good.example\x/*").is_err());
        assert!(UrlPattern::new("https:///x").is_err());
    }

    #[test]
    fn plain_hosts_and_paths_are_what_the_parser_gives() {
        let hosts = [
            "mcp.example.com",
            "a-b.c",
            "x.y.z1",
            "a..b",
            "1a.example",
            "-a.example",
            "xn--bcher-kva.example",
            "a.1",
            "a.0x1",
            "Mcp.example",
            "a_b.example",
            "例.jp",
        ];
        for host in hosts {
            let parsed = match Host::parse(host) {
                Ok(Host::Domain(d)) => Some(d),
                _ => None,
            };
            if plain_domain(host) {
                assert_eq!(parsed.as_deref(), Some(host), "{host}");
            }
        }
        assert!(plain_domain("mcp.example.com") && !plain_domain("a.1"));
        for path in [
            "/",
            "/*",
            "/a/b*",
            "/a/./b",
            "/a/../b",
            "/a b",
            "/%2e%2e/x",
            "/a:b@c",
        ] {
            let url = Url::parse(&format!("https://h{path}")).unwrap();
            if plain_path(path) {
                assert_eq!(url.path(), path, "{path}");
            }
        }
        assert!(plain_path("/a/b*") && !plain_path("/a/../b") && !plain_path("/a b"));
    }

    #[test]
    fn index_keys() {
        assert_eq!(pat("https://H.example/*").literal_host(), Some("h.example"));
        assert_eq!(
            pat("https://*.vendor.example/*").host_suffix(),
            Some("vendor.example")
        );
        assert_eq!(
            pat("https://mcp-*.vendor.example/*").host_suffix(),
            Some("vendor.example")
        );
        assert_eq!(
            pat("https://*vendor.example/*").host_suffix(),
            Some("example")
        );
        assert_eq!(pat("https://*/*").host_suffix(), None);
        assert_eq!(pat("https://mcp.*/*").host_suffix(), None);
    }

    #[test]
    fn private_addresses() {
        let private = [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "198.18.0.1",
            "224.0.0.1",
            "239.255.255.250",
            "255.255.255.255",
            "240.0.0.1",
            "192.0.0.8",
            "::1",
            "::",
            "fe80::1",
            "fd00:ec2::254",
            "fc00::1",
            "fec0::1",
            "ff02::1",
            "::ffff:127.0.0.1",
            "::127.0.0.1",
            "::10.0.0.1",
            "64:ff9b::169.254.169.254",
            "64:ff9b:1::1",
            "2002:a9fe:a9fe::1",
            "2001:0:4136:e378:8000:63bf:3f57:fefe",
            "100::1",
        ];
        for ip in private {
            assert!(is_private_ip(ip.parse().unwrap()), "{ip}");
        }
        let public = [
            "8.8.8.8",
            "1.1.1.1",
            "100.128.0.1",
            "198.20.0.1",
            "2001:db8::1",
            "2606:4700::1111",
            "::ffff:8.8.8.8",
            "64:ff9b::8.8.8.8",
            "2002:808:808::1",
        ];
        for ip in public {
            assert!(!is_private_ip(ip.parse().unwrap()), "{ip}");
        }
        for host in ["localhost", "a.localhost", "metadata.google.internal"] {
            assert!(is_private_name(host), "{host}");
        }
        assert!(!is_private_name("mcp.example.com"));
    }
}
