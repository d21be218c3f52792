//! OCI image references, parsed as the registry's Go library (`go-containerregistry`'s
//! `name.ParseReference`, default options) parses them.

use std::borrow::Cow;

use crate::vocab::go_url;

/// The registry Docker Hub references resolve to.
const DEFAULT_REGISTRY: &str = "index.docker.io";

/// A parsed image reference: the registry the rules check, and the repository a digest
/// reference is re-read from. Tags and digests are validated, not kept. Parts borrow from the
/// identifier where they can: validation parses every OCI identifier.
#[derive(Clone, Debug, Eq, PartialEq)]
pub(crate) struct OciReference<'a> {
    registry: Cow<'a, str>,
    repository: Cow<'a, str>,
}

impl OciReference<'_> {
    /// The registry host, `index.docker.io` when the reference names none.
    pub(crate) fn registry(&self) -> &str {
        &self.registry
    }
}

const TAG_CHARS: &str = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.";
const REPOSITORY_CHARS: &str = "abcdefghijklmnopqrstuvwxyz0123456789_-./";

fn tag_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.')
}

fn repository_byte(b: u8) -> bool {
    b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'_' | b'-' | b'.' | b'/')
}

/// `name.ParseReference`: a tag reference if that parses, else a digest reference.
pub(crate) fn parse_reference(text: &str) -> Result<OciReference<'_>, String> {
    match parse_tag(text) {
        Ok(reference) => Ok(reference),
        Err(_) => parse_digest(text).map_err(|_| {
            "write `registry/namespace/image:tag` or `registry/namespace/image@sha256:…`".to_owned()
        }),
    }
}

/// `name.NewTag`: the part after the last `:` is the tag unless it holds a `/` (then the
/// colon belonged to a registry port).
fn parse_tag(text: &str) -> Result<OciReference<'_>, String> {
    let (base, tag) = match text.rsplit_once(':') {
        Some((base, tag)) if !tag.contains('/') => (base, tag),
        _ => (text, ""),
    };
    if !tag.is_empty() {
        check_element("tag", tag, tag_byte, TAG_CHARS, 1, 128)?;
    }
    let (registry, repository) = parse_repository(base)?;
    Ok(OciReference {
        registry,
        repository: Cow::Borrowed(repository),
    })
}

fn parse_digest(text: &str) -> Result<OciReference<'static>, String> {
    let parts: Vec<&str> = text.split('@').collect();
    let [base, digest] = parts.as_slice() else {
        return Err("a digest reference has exactly one `@`".to_owned());
    };
    let hex = digest
        .strip_prefix("sha256:")
        .ok_or("unsupported digest algorithm")?;
    if hex.len() != 64 || !hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        return Err("a sha256 digest is 64 lower-case hex digits".to_owned());
    }
    let repository_text = match parse_tag(base) {
        Ok(tagged) => format!("{}/{}", tagged.registry, tagged.repository),
        Err(_) => (*base).to_owned(),
    };
    let (registry, repository) = parse_repository(&repository_text)?;
    Ok(OciReference {
        registry: Cow::Owned(registry.into_owned()),
        repository: Cow::Owned(repository.to_owned()),
    })
}

/// `name.NewRepository`: the first component is a registry if it holds `.` or `:`.
fn parse_repository(name: &str) -> Result<(Cow<'_, str>, &str), String> {
    if name.is_empty() {
        return Err("a repository name must be specified".to_owned());
    }
    let (mut registry, mut repository) = ("", name);
    if let Some((first, rest)) = name.split_once('/')
        && first.contains(['.', ':'])
    {
        registry = first;
        repository = rest;
    }
    check_element(
        "repository",
        repository,
        repository_byte,
        REPOSITORY_CHARS,
        2,
        255,
    )?;
    if registry.is_empty() || registry == "docker.io" {
        return Ok((Cow::Borrowed(DEFAULT_REGISTRY), repository));
    }
    check_registry(registry)?;
    Ok((Cow::Borrowed(registry), repository))
}

/// `checkRegistry`: `//registry` parses as a URL whose host is exactly the registry.
fn check_registry(registry: &str) -> Result<(), String> {
    // A plain host name (`quay.io`, `ghcr.io`) is its own authority: only `:`, `@`, `/`, `?`,
    // `#`, `%`, brackets and bytes Go refuses can make the two differ (a test holds this).
    if registry
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-'))
    {
        return Ok(());
    }
    let authority = format!("//{registry}");
    match go_url::parse(&authority) {
        Ok(url) if url.host == registry => Ok(()),
        _ => Err(format!(
            "registries must be valid URI authorities: {registry}"
        )),
    }
}

fn check_element(
    what: &str,
    element: &str,
    allowed: fn(u8) -> bool,
    allowed_text: &str,
    min: usize,
    max: usize,
) -> Result<(), String> {
    // A character is 1 to 4 bytes: the byte length settles the common case without counting.
    let bytes = element.len();
    let chars = if bytes < min.saturating_mul(4) || bytes > max {
        element.chars().count()
    } else {
        min
    };
    if chars < min || chars > max {
        return Err(format!(
            "{what} must be between {min} and {max} characters long"
        ));
    }
    if !element.bytes().all(allowed) {
        return Err(format!("{what} holds characters outside `{allowed_text}`"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn registry(text: &str) -> String {
        parse_reference(text).unwrap().registry().to_owned()
    }

    #[test]
    fn registries_resolve_like_go_containerregistry() {
        assert_eq!(registry("docker.io/acme/server:1.0.0"), "index.docker.io");
        assert_eq!(registry("acme/server:1.0.0"), "index.docker.io");
        assert_eq!(registry("server"), "index.docker.io");
        assert_eq!(registry("ghcr.io/acme/server:1.0.0"), "ghcr.io");
        assert_eq!(registry("localhost:5000/acme/server"), "localhost:5000");
        let digest = format!("quay.io/acme/server@sha256:{}", "a".repeat(64));
        assert_eq!(registry(&digest), "quay.io");
        let both = format!("ghcr.io/acme/server:1.0@sha256:{}", "b".repeat(64));
        assert_eq!(registry(&both), "ghcr.io");
    }

    #[test]
    fn length_is_counted_in_characters() {
        assert_eq!(
            parse_repository("é").unwrap_err(),
            "repository must be between 2 and 255 characters long"
        );
        assert_eq!(
            parse_repository("aé").unwrap_err(),
            "repository holds characters outside `abcdefghijklmnopqrstuvwxyz0123456789_-./`"
        );
    }

    #[test]
    fn bad_references_fail() {
        for bad in [
            "",
            "ghcr.io/Acme/Server:1.0",
            "ghcr.io/acme/server:bad tag",
            "a",
            "ghcr.io/acme/server@sha256:abc",
        ] {
            assert!(parse_reference(bad).is_err(), "{bad:?}");
        }
    }

    proptest::proptest! {
        /// Why `check_registry` may accept plain host names without parsing them.
        #[test]
        fn a_plain_host_name_is_its_own_authority(registry in "[a-zA-Z0-9.-]{1,30}") {
            let authority = format!("//{registry}");
            let parsed = go_url::parse(&authority);
            proptest::prop_assert!(parsed.is_ok_and(|url| url.host == registry), "{}", registry);
        }
    }
}
