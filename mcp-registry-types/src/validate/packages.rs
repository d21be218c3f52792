//! The offline part of the per-registry-type package rules (REFERENCE §5.5).
//!
//! The registry runs these checks in order and stops at the first failure of a package; we do
//! the same per package, and check every package. Ownership proofs need the network and are
//! not part of this crate.

use std::sync::LazyLock;

use regex::Regex;

use super::LayerSink;
use crate::model::package::Package;
use crate::model::server::ServerJson;
use crate::vocab::go_url;
use crate::vocab::kinds::RegistryType;
use crate::vocab::name::{NAME_BYTE, all_bytes_in};
use crate::vocab::pointer::At;
use crate::vocab::regexes::constant_regex;

mod oci;

use oci::parse_reference;

/// The base URL each registry type is pinned to.
pub(crate) fn default_base_url(kind: &RegistryType) -> Option<&'static str> {
    match kind {
        RegistryType::Npm => Some("https://registry.npmjs.org"),
        RegistryType::Pypi => Some("https://pypi.org"),
        RegistryType::Nuget => Some("https://api.nuget.org/v3/index.json"),
        RegistryType::Cargo => Some("https://crates.io"),
        _ => None,
    }
}

/// OCI registries the official registry pulls from.
const OCI_REGISTRIES: [&str; 6] = [
    "docker.io",
    "registry-1.docker.io",
    "index.docker.io",
    "ghcr.io",
    "quay.io",
    "mcr.microsoft.com",
];

/// Hosts MCPB downloads may come from.
const MCPB_HOSTS: [&str; 4] = [
    "github.com",
    "www.github.com",
    "gitlab.com",
    "www.gitlab.com",
];

/// The registry's GitHub release pattern,
/// `^/([a-zA-Z0-9]([a-zA-Z0-9\-]{0,37}[a-zA-Z0-9])?)/([a-zA-Z0-9._\-]+)/releases/download/([^/]+)/([^/]+)$`,
/// segment by segment (a property test holds it to the regex).
fn github_release_path(path: &str) -> bool {
    // A byte split: `str::split` calls `memchr` per segment, dearer than these short segments.
    let mut segments = path.as_bytes().split(|&b| b == b'/');
    let (
        Some([]),
        Some(owner),
        Some(repo),
        Some(b"releases"),
        Some(b"download"),
        Some(tag),
        Some(file),
        None,
    ) = (
        segments.next(),
        segments.next(),
        segments.next(),
        segments.next(),
        segments.next(),
        segments.next(),
        segments.next(),
        segments.next(),
    )
    else {
        return false;
    };
    let owner_ok = match owner {
        [first, .., last] => {
            owner.len() <= 39
                && first.is_ascii_alphanumeric()
                && last.is_ascii_alphanumeric()
                && owner
                    .iter()
                    .all(|b| b.is_ascii_alphanumeric() || *b == b'-')
        }
        [only] => only.is_ascii_alphanumeric(),
        [] => false,
    };
    owner_ok
        && !repo.is_empty()
        && all_bytes_in(repo, NAME_BYTE)
        && !tag.is_empty()
        && !file.is_empty()
}
static GITLAB_RELEASE: LazyLock<Regex> = LazyLock::new(|| {
    constant_regex(
        r"^/([a-zA-Z0-9._\-]+(?:/[a-zA-Z0-9._\-]+)*)/-/releases/([^/]+)/downloads/([^/]+)$",
    )
});
static GITLAB_PACKAGE_FILE: LazyLock<Regex> = LazyLock::new(|| {
    constant_regex(r"^/([a-zA-Z0-9._\-]+(?:/[a-zA-Z0-9._\-]+)*)/-/package_files/([0-9]+)/download$")
});

pub(super) fn check(d: &ServerJson, sink: &mut LayerSink<'_, '_>) {
    for (i, package) in d.packages().iter().enumerate() {
        if let Err((field, code, message)) = rules(package) {
            sink.error(At::Root.key("packages").index(i).key(field), code, message);
        }
    }
}

/// The field, code and message of the first rule a package breaks.
type Failure = (&'static str, &'static str, String);

/// Fails with `failure()` when `broken`.
fn ensure(broken: bool, failure: impl FnOnce() -> Failure) -> Result<(), Failure> {
    if broken { Err(failure()) } else { Ok(()) }
}

const KNOWN_TYPES: &str = "`npm`, `pypi`, `oci`, `nuget`, `mcpb`, `cargo`";

fn rules(p: &Package) -> Result<(), Failure> {
    let Some(kind) = p.registry_type() else {
        return Err((
            "registryType",
            "unsupported-registry-type",
            format!("`registryType` is missing: write one of {KNOWN_TYPES}"),
        ));
    };
    match kind {
        RegistryType::Npm | RegistryType::Pypi | RegistryType::Cargo => {
            identifier(p)?;
            version_required(p, kind)?;
            no_sha(p, kind)?;
            base_url(p, kind)
        }
        RegistryType::Nuget => {
            identifier(p)?;
            no_sha(p, kind)?;
            base_url(p, kind)?;
            version_required(p, kind)
        }
        RegistryType::Oci => oci_rules(p),
        RegistryType::Mcpb => mcpb_rules(p),
        other => Err((
            "registryType",
            "unsupported-registry-type",
            format!("registry type `{other}` is not supported: write one of {KNOWN_TYPES}"),
        )),
    }
}

fn identifier(p: &Package) -> Result<(), Failure> {
    ensure(p.identifier().is_empty(), || {
        (
            "identifier",
            "package-identifier-required",
            "the package needs an `identifier`".to_owned(),
        )
    })
}

fn version_required(p: &Package, kind: &RegistryType) -> Result<(), Failure> {
    ensure(p.version().unwrap_or_default().is_empty(), || {
        (
            "version",
            "package-version-required",
            format!(
                "{kind} packages need a `version`: write the published version such as `1.0.0`"
            ),
        )
    })
}

fn no_sha(p: &Package, kind: &RegistryType) -> Result<(), Failure> {
    ensure(p.file_sha256().is_some_and(|s| !s.is_empty()), || {
        (
            "fileSha256",
            "file-sha256-forbidden",
            format!("{kind} packages must not set `fileSha256`: remove it"),
        )
    })
}

fn base_url(p: &Package, kind: &RegistryType) -> Result<(), Failure> {
    let Some(expected) = default_base_url(kind) else {
        return Ok(());
    };
    let given = p
        .registry_base_url()
        .filter(|b| !b.is_empty())
        .unwrap_or(expected);
    ensure(given != expected, || {
        (
            "registryBaseUrl",
            "registry-base-url-mismatch",
            format!(
                "{kind} packages must use `{expected}`, not `{given}`: write `{expected}` or remove `registryBaseUrl`"
            ),
        )
    })
}

fn oci_rules(p: &Package) -> Result<(), Failure> {
    identifier(p)?;
    ensure(p.registry_base_url().is_some_and(|b| !b.is_empty()), || {
        ("registryBaseUrl", "registry-base-url-forbidden", "oci packages must not set `registryBaseUrl`: put the registry in the identifier, such as `ghcr.io/acme/server:1.0.0`".to_owned())
    })?;
    ensure(p.version().is_some_and(|v| !v.is_empty()), || {
        ("version", "package-version-forbidden", "oci packages must not set `version`: put the tag in the identifier, such as `ghcr.io/acme/server:1.0.0`".to_owned())
    })?;
    no_sha(p, &RegistryType::Oci)?;
    let id = p.identifier();
    let reference = parse_reference(id).map_err(|reason| {
        (
            "identifier",
            "invalid-oci-reference",
            format!("`{id}` is not an OCI reference: {reason}"),
        )
    })?;
    let registry = reference.registry();
    let allowed = OCI_REGISTRIES.contains(&registry)
        || registry.ends_with(".pkg.dev")
        || registry.ends_with(".azurecr.io");
    ensure(!allowed, || {
        (
            "identifier",
            "unsupported-oci-registry",
            format!(
                "OCI registry `{registry}` is not supported: publish to Docker Hub, GHCR, Quay, MCR, Google Artifact Registry or Azure Container Registry"
            ),
        )
    })
}

fn mcpb_rules(p: &Package) -> Result<(), Failure> {
    ensure(p.file_sha256().unwrap_or_default().is_empty(), || {
        ("fileSha256", "file-sha256-required", "mcpb packages need `fileSha256`: write the SHA-256 of the bundle as 64 lower-case hex digits".to_owned())
    })?;
    identifier(p)?;
    ensure(p.registry_base_url().is_some_and(|b| !b.is_empty()), || {
        (
            "registryBaseUrl",
            "registry-base-url-forbidden",
            "mcpb packages must not set `registryBaseUrl`: the identifier is the download URL"
                .to_owned(),
        )
    })?;
    let id = p.identifier();
    let url = go_url::parse(id).map_err(|error| {
        (
            "identifier",
            "mcpb-invalid-url",
            format!("`{id}` is not a URL: {}", error.0),
        )
    })?;
    ensure(!MCPB_HOSTS.contains(&url.host), || {
        (
            "identifier",
            "mcpb-unsupported-host",
            format!(
                "`{id}` is not on github.com or gitlab.com: publish the bundle as a release asset there"
            ),
        )
    })?;
    let path_ok = if url.host.ends_with("github.com") {
        github_release_path(url.path)
    } else {
        GITLAB_RELEASE.is_match(url.path) || GITLAB_PACKAGE_FILE.is_match(url.path)
    };
    ensure(!path_ok, || {
        (
            "identifier",
            "mcpb-invalid-path",
            format!(
                "`{id}` is not a release download URL: write `https://github.com/OWNER/REPO/releases/download/TAG/FILE.mcpb`"
            ),
        )
    })?;
    ensure(url.scheme != "https", || {
        (
            "identifier",
            "mcpb-url-must-be-https",
            format!("`{id}` must use https"),
        )
    })?;
    ensure(!contains_mcp(id), || {
        (
            "identifier",
            "mcpb-url-must-contain-mcp",
            format!("`{id}` must contain `mcp`: name the bundle file `….mcpb`"),
        )
    })
}

/// The registry's `strings.Contains(strings.ToLower(identifier), "mcp")`, without the
/// lower-cased copy: no character outside ASCII lower-cases to `m`, `c` or `p` (a test checks
/// every one), so an ASCII case-insensitive search finds the same.
fn contains_mcp(id: &str) -> bool {
    let bytes = id.as_bytes();
    memchr::memchr2_iter(b'm', b'M', bytes).any(|at| {
        bytes
            .get(at + 1..at + 3)
            .is_some_and(|rest| rest.eq_ignore_ascii_case(b"cp"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mcp_is_found_as_the_lower_cased_search_finds_it() {
        // Why an ASCII search is enough: no other character lower-cases to m, c or p.
        for c in (0x80..=0x10_FFFF).filter_map(char::from_u32) {
            assert!(
                !c.to_lowercase().any(|l| matches!(l, 'm' | 'c' | 'p')),
                "{c:?}"
            );
        }
        for (id, expected) in [
            ("https://github.com/a/b/releases/download/v1/x.mcpb", true),
            ("https://github.com/a/b/releases/download/v1/X.McPb", true),
            (
                "https://github.com/a/b/releases/download/v1/m-c-p.zip",
                false,
            ),
            ("mc", false),
            ("éMCP", true),
        ] {
            assert_eq!(contains_mcp(id), expected, "{id}");
            assert_eq!(id.to_lowercase().contains("mcp"), expected, "{id}");
        }
    }

    #[test]
    fn github_owners_are_one_to_39_characters_with_alphanumeric_ends() {
        let path = |owner: &str| format!("/{owner}/repo/releases/download/v1/x.mcpb");
        assert!(github_release_path(&path("a")));
        assert!(github_release_path(&path(&"a".repeat(39))));
        assert!(!github_release_path(&path(&"a".repeat(40))));
        assert!(github_release_path(&path("a-b")));
        assert!(!github_release_path(&path("-ab")) && !github_release_path(&path("ab-")));
        assert!(!github_release_path("/a/b/releases/download/v1/x/y"));
        assert!(!github_release_path("/a/b/releases/download//x"));
    }

    proptest::proptest! {
        #[test]
        fn github_release_paths_match_as_the_registry_regex_does(
            path in "(/([a-zA-Z0-9-]{0,41}|[a-z._]{0,3})){0,8}|/[a-z]{1,3}/[a-z.]{1,3}/releases/download/[^/]{0,3}/[^/]{0,3}(/[a-z]{0,2})?"
        ) {
            let regex = constant_regex(
                r"^/([a-zA-Z0-9]([a-zA-Z0-9\-]{0,37}[a-zA-Z0-9])?)/([a-zA-Z0-9._\-]+)/releases/download/([^/]+)/([^/]+)$",
            );
            proptest::prop_assert_eq!(github_release_path(&path), regex.is_match(&path), "{}", path);
        }
    }
}
