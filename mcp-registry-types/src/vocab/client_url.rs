//! A remote URL read the way the client that connects to it reads it.
//!
//! Hosts (Claude Code, VS Code, the MCP TypeScript SDK, browsers, `reqwest`) parse URLs with the
//! WHATWG URL Standard, which the [`url`] crate implements. A decision about a URL is only sound
//! when it is made about the host those clients will connect to, so [`ClientUrl`] reads with
//! that parser. It also reads the URL with Go's `net/url`, which the official registry checks
//! remotes with, and refuses the URL when the two readings name a different host or port: such
//! a URL means one thing to whoever reviewed it and another to whoever connects, and a security
//! decision about it fails closed.
//!
//! ```
//! use mcp_registry_types::client_url::ClientUrl;
//!
//! let url = ClientUrl::parse("HTTPS://Mcp.Example.COM.:443/a/../b?x=1#top").unwrap();
//! assert_eq!(url.scheme(), "https");
//! assert_eq!(url.host(), "mcp.example.com");
//! assert_eq!(url.port(), None);
//! assert_eq!(url.path_and_query(), "/b?x=1");
//!
//! // A client reads `\` as `/` and connects to `evil.example`; Go refuses the URL.
//! assert!(ClientUrl::parse(r"https://evil.example\@good.example/mcp").is_err());
//! ```

use std::fmt;
use std::net::IpAddr;

use url::{Host, Position, Url};

use crate::vocab::go_url;

/// A URL as a WHATWG client reads it, confirmed to name the same host and port under Go's
/// `net/url`.
#[derive(Clone, Debug, Eq, PartialEq)]
pub struct ClientUrl {
    url: Url,
    /// The host for comparisons: lower case, one trailing dot removed, IPv6 in brackets.
    host: HostText,
    ip: Option<IpAddr>,
}

/// Why a URL cannot be judged.
#[non_exhaustive]
#[derive(Clone, Debug, Eq, PartialEq, thiserror::Error)]
pub enum ClientUrlError {
    /// The WHATWG parser, as clients use it, refuses the URL.
    #[error("a client cannot parse it: {reason}")]
    Client {
        /// The parser's reason.
        reason: String,
    },
    /// The URL parses but names no host to connect to.
    #[error("it names no host")]
    NoHost,
    /// Go's `net/url`, which the registry checks remotes with, refuses the URL.
    #[error("the registry's Go parser refuses it ({reason}), while a client reads host `{client}`")]
    Registry {
        /// Go's reason.
        reason: String,
        /// The host a client would connect to.
        client: String,
    },
    /// The two parsers read different hosts or ports.
    #[error("the registry's Go parser reads `{registry}` where a client connects to `{client}`")]
    Disagree {
        /// What Go reads, `host:port`.
        registry: String,
        /// What a client connects to, `host:port`.
        client: String,
    },
}

impl ClientUrl {
    /// Reads `raw` as a client does, and checks that Go's reading names the same host and port.
    ///
    /// # Errors
    ///
    /// Returns why the URL cannot be judged: the client's parser refuses it, it has no host, or
    /// Go refuses it or reads another host or port.
    pub fn parse(raw: &str) -> Result<Self, ClientUrlError> {
        let url = Url::parse(raw).map_err(|e| ClientUrlError::Client {
            reason: e.to_string(),
        })?;
        let ip = match url.host() {
            None | Some(Host::Domain("")) => return Err(ClientUrlError::NoHost),
            Some(Host::Domain(_)) => None,
            Some(Host::Ipv4(v4)) => Some(IpAddr::V4(v4)),
            Some(Host::Ipv6(v6)) => Some(IpAddr::V6(v6)),
        };
        let host = HostText::of(&url);
        let client = Self { url, host, ip };
        client.agree_with_go(raw)?;
        Ok(client)
    }

    /// The scheme, lower case.
    pub fn scheme(&self) -> &str {
        self.url.scheme()
    }

    /// The host a client connects to: a domain in lower-case ASCII (punycode for international
    /// names) without a trailing dot, an IPv4 address in dotted decimal, or an IPv6 address in
    /// brackets.
    pub fn host(&self) -> &str {
        match &self.host {
            HostText::In(start, end) => self.url.as_str().get(*start..*end).unwrap_or_default(),
            HostText::Owned(host) => host,
        }
    }

    /// The host as an address, when it is one.
    pub fn ip(&self) -> Option<IpAddr> {
        self.ip
    }

    /// The port when it is not the scheme's default.
    pub fn port(&self) -> Option<u16> {
        self.url.port()
    }

    /// The port the client connects to: the explicit one, or the scheme's default.
    pub fn port_or_default(&self) -> Option<u16> {
        self.url.port_or_known_default()
    }

    /// The path with `.` and `..` segments resolved, and the query after a `?` when present;
    /// never the fragment, which a client does not send.
    pub fn path_and_query(&self) -> &str {
        &self.url[Position::BeforePath..Position::AfterQuery]
    }

    /// The parsed URL.
    pub fn as_url(&self) -> &Url {
        &self.url
    }

    fn agree_with_go(&self, raw: &str) -> Result<(), ClientUrlError> {
        let client_authority = || match self.port_or_default() {
            Some(port) => format!("{}:{port}", self.host()),
            None => self.host().to_owned(),
        };
        let go = go_url::parse(raw).map_err(|e| ClientUrlError::Registry {
            reason: e.0,
            client: client_authority(),
        })?;
        let go_host = go.hostname();
        // Go keeps the host as written; most URLs already spell it the way a client does.
        let host = self.host();
        let same_host = go_host.eq_ignore_ascii_case(host)
            || go_host
                .strip_suffix('.')
                .is_some_and(|h| h.eq_ignore_ascii_case(host))
            || host
                .strip_prefix('[')
                .and_then(|h| h.strip_suffix(']'))
                .is_some_and(|h| h.eq_ignore_ascii_case(go_host))
            || self.reads_same_host(go_host);
        let go_port = go
            .host
            .strip_prefix('[')
            .map_or(go.host, |h| h.rsplit_once(']').map_or("", |(_, p)| p))
            .rsplit_once(':')
            .map(|(_, p)| p)
            .filter(|p| !p.is_empty());
        let same_port = match go_port {
            None => self.url.port().is_none(),
            Some(p) => p.parse::<u16>().ok() == self.port_or_default(),
        };
        if same_host && same_port && go.scheme == self.scheme() {
            return Ok(());
        }
        let registry = match go_port {
            Some(p) => format!("{}://{go_host}:{p}", go.scheme),
            None => format!("{}://{go_host}", go.scheme),
        };
        Err(ClientUrlError::Disagree {
            registry,
            client: format!("{}://{}", self.scheme(), client_authority()),
        })
    }

    /// Whether Go's host, run through the client's host parser (percent-decoding, UTS #46
    /// mapping, IPv4 number forms), is the client's host.
    fn reads_same_host(&self, go_host: &str) -> bool {
        let bracketed;
        let input = if go_host.contains(':') {
            bracketed = format!("[{go_host}]");
            bracketed.as_str()
        } else {
            go_host
        };
        let parsed = if self.url.is_special() {
            Host::parse(input)
        } else {
            Host::parse_opaque(input)
        };
        match parsed {
            Ok(Host::Domain(d)) => comparable_domain(&d) == self.host(),
            Ok(Host::Ipv4(v4)) => self.ip == Some(IpAddr::V4(v4)),
            Ok(Host::Ipv6(v6)) => self.ip == Some(IpAddr::V6(v6)),
            Err(_) => false,
        }
    }
}

impl fmt::Display for ClientUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.url.as_str())
    }
}

impl std::str::FromStr for ClientUrl {
    type Err = ClientUrlError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

/// Where [`ClientUrl::host`] is kept.
#[derive(Clone, Debug, Eq, PartialEq)]
enum HostText {
    /// A byte range of the serialization: the host as the parser wrote it was already in
    /// normal form (special schemes lower-case and map it), but for a trailing dot.
    In(usize, usize),
    /// A host of another scheme that needed lower-casing.
    Owned(Box<str>),
}

impl HostText {
    fn of(url: &Url) -> Self {
        let host = url.host_str().unwrap_or_default();
        if host.bytes().any(|b| b.is_ascii_uppercase()) {
            return Self::Owned(comparable_domain(host).into_boxed_str());
        }
        // `host_str` is the serialization just before `AfterHost`.
        let start = url[..Position::AfterHost].len() - host.len();
        Self::In(start, start + host.strip_suffix('.').unwrap_or(host).len())
    }
}

/// A domain as compared: lower case (opaque hosts of other schemes keep their case otherwise),
/// without the one trailing dot that names the same DNS root.
fn comparable_domain(domain: &str) -> String {
    domain
        .strip_suffix('.')
        .unwrap_or(domain)
        .to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn host(raw: &str) -> Result<String, ClientUrlError> {
        ClientUrl::parse(raw).map(|u| u.host().to_owned())
    }

    #[test]
    fn ordinary_urls_read_the_same_everywhere() {
        assert_eq!(
            host("https://mcp.example.com/mcp").unwrap(),
            "mcp.example.com"
        );
        assert_eq!(
            host("https://Mcp.Example.com./x").unwrap(),
            "mcp.example.com"
        );
        assert_eq!(host("http://[::1]:8080/").unwrap(), "[::1]");
        assert_eq!(
            host("https://user:pw@good.example/").unwrap(),
            "good.example"
        );
    }

    #[test]
    fn backslash_and_missing_slashes_fail() {
        assert!(matches!(
            host(r"https://evil.example\@good.example/mcp"),
            Err(ClientUrlError::Registry { client, .. }) if client == "evil.example:443"
        ));
        assert!(matches!(
            host("https:good.example/"),
            Err(ClientUrlError::Disagree { .. })
        ));
        assert!(matches!(
            host("https:/good.example/"),
            Err(ClientUrlError::Disagree { .. })
        ));
    }

    #[test]
    fn spaces_controls_tabs_and_newlines_fail() {
        for raw in [
            " https://good.example/",
            "\u{1}https://good.example/",
            "https://good\t.example/",
            "https://good.example/\n",
        ] {
            assert!(host(raw).is_err(), "{raw:?}");
        }
        // Both parsers read the host; the client drops the trailing space.
        let url = ClientUrl::parse("https://good.example/x ").unwrap();
        assert_eq!((url.host(), url.path_and_query()), ("good.example", "/x"));
    }

    #[test]
    fn default_ports_and_empty_paths() {
        for raw in [
            "https://good.example:443/",
            "https://good.example:0443/",
            "https://good.example:/",
        ] {
            let url = ClientUrl::parse(raw).unwrap();
            assert_eq!((url.host(), url.port()), ("good.example", None), "{raw}");
        }
        let url = ClientUrl::parse("https://good.example?x").unwrap();
        assert_eq!(url.path_and_query(), "/?x");
        let url = ClientUrl::parse("https://good.example#x").unwrap();
        assert_eq!(url.path_and_query(), "/");
        assert!(host("https://good.example:abc/").is_err());
        assert!(host("https://good.example:99999/").is_err());
    }

    #[test]
    fn dot_segments_resolve() {
        let url = ClientUrl::parse("https://good.example/allowed/%2e%2E/admin").unwrap();
        assert_eq!(url.path_and_query(), "/admin");
        let url = ClientUrl::parse("https://good.example/allowed/../admin").unwrap();
        assert_eq!(url.path_and_query(), "/admin");
    }

    #[test]
    fn hosts_are_mapped_as_clients_map_them() {
        // Percent-encoded ASCII in a host: the client decodes it, Go refuses it.
        assert!(host("https://good%2Eexample/").is_err());
        // Fullwidth letters, the ideographic full stop, a soft hyphen: UTS #46 mapping.
        assert_eq!(
            host("https://\u{ff47}\u{ff4f}\u{ff4f}\u{ff44}\u{3002}example/").unwrap(),
            "good.example"
        );
        assert_eq!(host("https://go\u{ad}od.example/").unwrap(), "good.example");
        // Punycode and Unicode name the same host.
        assert_eq!(
            host("https://b\u{fc}cher.example/").unwrap(),
            host("https://xn--bcher-kva.example/").unwrap()
        );
    }

    #[test]
    fn ipv4_number_forms_and_ipv6() {
        for raw in ["http://2130706433/", "http://0x7f.1/", "http://0177.0.0.1/"] {
            let url = ClientUrl::parse(raw).unwrap();
            assert_eq!(url.ip(), Some(IpAddr::from([127, 0, 0, 1])), "{raw}");
        }
        // Zone identifiers are not part of the WHATWG standard.
        assert!(host("http://[fe80::1%25eth0]/").is_err());
        assert_eq!(host("http://[0:0::1]/").unwrap(), "[::1]");
    }

    #[test]
    fn templates_in_the_host_fail() {
        assert!(host("https://{tenant}.example.com/mcp").is_err());
        assert_eq!(
            host("https://example.com/{tenant}/mcp").unwrap(),
            "example.com"
        );
    }
}
