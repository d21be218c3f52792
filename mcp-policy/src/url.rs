//! Remote URL patterns and network facts, without a URL crate: the evaluator only needs the
//! scheme, the host and the path, and must split them the same way an attacker's URL is split.

use std::borrow::Cow;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use crate::glob::{Dialect, Glob, GlobError};

/// A URL split into the parts that patterns compare. Borrows from the URL unless normalizing
/// (lowercasing, dropping a trailing dot) changes something.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct UrlParts<'a> {
    pub(crate) scheme: Cow<'a, str>,
    /// Lowercased host with any trailing dot removed, plus `:port` when present.
    pub(crate) authority: Cow<'a, str>,
    /// The host alone, lowercased, without brackets or trailing dot.
    pub(crate) host: Cow<'a, str>,
    /// Path, query and fragment as written; `/` when absent.
    pub(crate) path: &'a str,
}

impl UrlParts<'_> {
    pub(crate) fn is_https(&self) -> bool {
        self.scheme == "https"
    }
}

fn lower(s: &str) -> Cow<'_, str> {
    if s.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Owned(s.to_ascii_lowercase())
    } else {
        Cow::Borrowed(s)
    }
}

/// Splits `url` into scheme, authority (without userinfo) and path.
pub(crate) fn split_url(url: &str) -> Option<UrlParts<'_>> {
    let (scheme, rest) = url.split_once("://")?;
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, path) = rest.split_at_checked(end)?;
    // INVARIANT: userinfo never takes part in matching; `https://good.example@evil.example/` goes
    // to `evil.example`.
    let authority = authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host);
    let (raw_host, port) = split_port(authority);
    let (authority, host) =
        if raw_host.ends_with('.') || raw_host.bytes().any(|b| b.is_ascii_uppercase()) {
            let host = raw_host.trim_end_matches('.').to_ascii_lowercase();
            let authority = match port {
                Some(port) => format!("{host}:{port}"),
                None => host.clone(),
            };
            (Cow::Owned(authority), Cow::Owned(host))
        } else {
            (Cow::Borrowed(authority), Cow::Borrowed(raw_host))
        };
    let host = match host {
        Cow::Borrowed(h) => Cow::Borrowed(h.trim_start_matches('[').trim_end_matches(']')),
        Cow::Owned(h) => Cow::Owned(h.trim_start_matches('[').trim_end_matches(']').to_owned()),
    };
    Some(UrlParts {
        scheme: lower(scheme),
        authority,
        host,
        path: if path.is_empty() { "/" } else { path },
    })
}

fn split_port(authority: &str) -> (&str, Option<&str>) {
    if authority.starts_with('[') {
        // IPv6 literal: the port, if any, follows the closing bracket.
        return match authority.rsplit_once("]:") {
            Some((host, port)) => (authority.get(..host.len() + 1).unwrap_or(host), Some(port)),
            None => (authority, None),
        };
    }
    match authority.rsplit_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (authority, None),
    }
}

/// A host managed-settings style URL pattern: `*` anywhere, host compared case-insensitively with
/// a trailing dot ignored, paths case-sensitive, and no path meaning any path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct UrlPattern {
    source: String,
    scheme: Glob,
    authority: Glob,
    path: Option<Glob>,
}

impl UrlPattern {
    pub(crate) fn new(pattern: &str) -> Result<Self, GlobError> {
        let (scheme, rest) = pattern.split_once("://").unwrap_or(("*", pattern));
        let (authority, path) = match rest.find('/') {
            Some(at) => rest
                .split_at_checked(at)
                .map_or((rest, None), |(a, p)| (a, Some(p))),
            None => (rest, None),
        };
        let authority = normalize_authority(authority);
        Ok(Self {
            source: pattern.to_owned(),
            scheme: Glob::new(&scheme.to_ascii_lowercase(), Dialect::StarOnly)?,
            authority: Glob::new(&authority, Dialect::StarOnly)?,
            path: path.map(|p| Glob::new(p, Dialect::StarOnly)).transpose()?,
        })
    }

    pub(crate) fn as_str(&self) -> &str {
        &self.source
    }

    /// The host when it has no wildcard, for the index.
    pub(crate) fn literal_host(&self) -> Option<String> {
        let exact = self.authority.exact()?;
        Some(
            split_port(exact)
                .0
                .trim_start_matches('[')
                .trim_end_matches(']')
                .to_owned(),
        )
    }

    #[cfg(test)]
    pub(crate) fn is_match(&self, url: &str) -> bool {
        split_url(url).is_some_and(|parts| self.is_match_parts(&parts))
    }

    pub(crate) fn is_match_parts(&self, parts: &UrlParts<'_>) -> bool {
        self.scheme.is_match(&parts.scheme)
            && self.authority.is_match(&parts.authority)
            && self.path.as_ref().is_none_or(|p| p.is_match(parts.path))
    }

    /// Conservative: equal patterns, or `self` matches anything.
    pub(crate) fn subsumes(&self, other: &Self) -> bool {
        self == other
            || (self.scheme.is_match_all() && self.authority.is_match_all() && self.path.is_none())
    }
}

fn normalize_authority(authority: &str) -> String {
    let (host, port) = split_port(authority);
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    match port {
        Some(port) => format!("{host}:{port}"),
        None => host,
    }
}

/// Whether the URL's host is loopback, private, link-local, unspecified, a cloud metadata
/// address, or a bare number that some resolvers read as an address. Unparseable URLs count as
/// private, so that a rule denying private targets fails closed.
#[cfg(test)]
pub(crate) fn is_private_target(url: &str) -> bool {
    split_url(url).is_none_or(|parts| is_private_host(&parts.host))
}

/// As [`is_private_target`], for a host already split out.
pub(crate) fn is_private_host(host: &str) -> bool {
    if host == "localhost" || host.ends_with(".localhost") || host == "metadata.google.internal" {
        return true;
    }
    if let Ok(ip) = host.parse::<IpAddr>() {
        return is_private_ip(ip);
    }
    // `http://2130706433/`, `http://0x7f.1/`: numeric forms outside dotted-quad.
    host.split('.').all(|label| {
        !label.is_empty()
            && (label.chars().all(|c| c.is_ascii_digit())
                || label
                    .strip_prefix("0x")
                    .is_some_and(|h| h.chars().all(|c| c.is_ascii_hexdigit())))
    })
}

fn is_private_ip(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_private_v4(v4),
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_private_v4(v4);
            }
            let first = v6.segments().first().copied().unwrap_or(0);
            v6.is_loopback()
                || v6.is_unspecified()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
                || v6 == Ipv6Addr::new(0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254)
        }
    }
}

fn is_private_v4(v4: Ipv4Addr) -> bool {
    let [a, b, ..] = v4.octets();
    v4.is_loopback()
        || v4.is_private()
        || v4.is_link_local()
        || v4.is_unspecified()
        || v4.is_broadcast()
        || a == 0
        || (a == 100 && (64..128).contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pat(p: &str) -> UrlPattern {
        UrlPattern::new(p).unwrap()
    }

    #[test]
    fn splits_urls() {
        let parts = split_url("https://user@Mcp.Example.com.:8443/a/B?q=1").unwrap();
        assert_eq!(parts.scheme, "https");
        assert_eq!(parts.authority, "mcp.example.com:8443");
        assert_eq!(parts.host, "mcp.example.com");
        assert_eq!(parts.path, "/a/B?q=1");
        assert_eq!(split_url("https://[::1]:3000/x").unwrap().host, "::1");
        assert_eq!(split_url("https://example.com").unwrap().path, "/");
    }

    #[test]
    fn userinfo_cannot_spoof_a_host() {
        assert!(!pat("https://mcp.example.com/*").is_match("https://mcp.example.com@evil.test/x"));
    }

    #[test]
    fn private_targets() {
        for url in [
            "http://127.0.0.1/",
            "http://localhost:8080/",
            "http://10.1.2.3/",
            "http://172.16.0.1/",
            "http://192.168.1.1/",
            "http://169.254.169.254/latest/meta-data",
            "http://[::1]/",
            "http://[fe80::1]/",
            "http://[fd00:ec2::254]/",
            "http://[::ffff:127.0.0.1]/",
            "http://2130706433/",
            "http://0x7f.1/",
            "http://0.0.0.0/",
            "not a url",
        ] {
            assert!(is_private_target(url), "{url}");
        }
        for url in [
            "https://mcp.example.com/",
            "https://8.8.8.8/",
            "https://[2001:db8::1]/",
        ] {
            assert!(!is_private_target(url), "{url}");
        }
    }
}
