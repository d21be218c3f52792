//! OCI image references, parsed as the registry's Go library (`go-containerregistry`'s
//! `name.ParseReference`, default options) parses them.

use crate::go_url;

/// The registry Docker Hub references resolve to.
const DEFAULT_REGISTRY: &str = "index.docker.io";

/// A parsed image reference: the registry the rules check, and the repository a digest
/// reference is re-read from. Tags and digests are validated, not kept.
#[derive(Clone, Debug, Eq, PartialEq)]
pub(crate) struct OciReference {
    registry: String,
    repository: String,
}

impl OciReference {
    /// The registry host, `index.docker.io` when the reference names none.
    pub(crate) fn registry(&self) -> &str {
        &self.registry
    }
}

const TAG_CHARS: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.";
const REPOSITORY_CHARS: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789_-./";

/// `name.ParseReference`: a tag reference if that parses, else a digest reference.
pub(crate) fn parse_reference(text: &str) -> Result<OciReference, String> {
    match parse_tag(text) {
        Ok(reference) => Ok(reference),
        Err(_) => parse_digest(text).map_err(|_| {
            "write `registry/namespace/image:tag` or `registry/namespace/image@sha256:…`".to_owned()
        }),
    }
}

fn parse_tag(text: &str) -> Result<OciReference, String> {
    let parts: Vec<&str> = text.split(':').collect();
    let (mut base, mut tag) = (text.to_owned(), String::new());
    if let Some(last) = parts
        .last()
        .filter(|last| parts.len() > 1 && !last.contains('/'))
    {
        (*last).clone_into(&mut tag);
        base = parts.get(..parts.len() - 1).unwrap_or_default().join(":");
    }
    if !tag.is_empty() {
        check_element("tag", &tag, TAG_CHARS, 1, 128)?;
    }
    let (registry, repository) = parse_repository(&base)?;
    Ok(OciReference {
        registry,
        repository,
    })
}

fn parse_digest(text: &str) -> Result<OciReference, String> {
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
        registry,
        repository,
    })
}

/// `name.NewRepository`: the first component is a registry if it holds `.` or `:`.
fn parse_repository(name: &str) -> Result<(String, String), String> {
    if name.is_empty() {
        return Err("a repository name must be specified".to_owned());
    }
    let (mut registry, mut repository) = (String::new(), name);
    if let Some((first, rest)) = name.split_once('/')
        && first.contains(['.', ':'])
    {
        first.clone_into(&mut registry);
        repository = rest;
    }
    check_element("repository", repository, REPOSITORY_CHARS, 2, 255)?;
    if registry.is_empty() || registry == "docker.io" {
        DEFAULT_REGISTRY.clone_into(&mut registry);
    } else {
        check_registry(&registry)?;
    }
    Ok((registry, repository.to_owned()))
}

/// `checkRegistry`: `//registry` parses as a URL whose host is exactly the registry.
fn check_registry(registry: &str) -> Result<(), String> {
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
    allowed: &[u8],
    min: usize,
    max: usize,
) -> Result<(), String> {
    let chars = element.chars().count();
    if chars < min || chars > max {
        return Err(format!(
            "{what} must be between {min} and {max} characters long"
        ));
    }
    if !element.bytes().all(|b| allowed.contains(&b)) {
        return Err(format!(
            "{what} holds characters outside `{}`",
            String::from_utf8_lossy(allowed)
        ));
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
}
