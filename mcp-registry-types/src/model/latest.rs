//! Which version of a server the registry marks latest.

use std::cmp::Ordering;

use crate::model::response::ServerResponse;
use crate::vocab::kinds::Status;
use crate::vocab::ordering::compare_versions;

/// Picks the version the registry would mark latest among `versions` of one server: the
/// highest non-deleted one by [`compare_versions`], or the highest deleted one if all are
/// deleted.
pub fn latest_version<'a, I>(versions: I) -> Option<&'a ServerResponse>
where
    I: IntoIterator<Item = &'a ServerResponse>,
{
    latest_version_by(versions, |response| VersionFacts {
        version: response.server().version(),
        published_at: response.official().and_then(|o| o.published_at()),
        deleted: response.status() == Status::Deleted,
    })
}

/// What [`latest_version_by`] needs to know of one version.
#[derive(Clone, Copy, Debug)]
pub struct VersionFacts<'a> {
    /// The version string.
    pub version: &'a str,
    /// When the registry published it (RFC 3339 text), if it said.
    pub published_at: Option<&'a str>,
    /// Whether the registry marked it deleted.
    pub deleted: bool,
}

/// [`latest_version`] over any record of a version, read through `facts`: for callers that
/// keep versions in their own shape (a catalog that stores each response as text, say) and
/// must judge latest exactly as the registry does.
pub fn latest_version_by<'a, T, I, F>(versions: I, facts: F) -> Option<&'a T>
where
    T: 'a + ?Sized,
    I: IntoIterator<Item = &'a T>,
    F: Fn(&'a T) -> VersionFacts<'a>,
{
    let mut best: Option<(&T, VersionFacts<'a>)> = None;
    for candidate in versions {
        let new = facts(candidate);
        best = match best {
            None => Some((candidate, new)),
            Some((current, old)) => {
                let better = match (new.deleted, old.deleted) {
                    (false, true) => true,
                    (true, false) => false,
                    _ => {
                        compare_versions(
                            new.version,
                            new.published_at,
                            old.version,
                            old.published_at,
                        ) == Ordering::Greater
                    }
                };
                Some(if better {
                    (candidate, new)
                } else {
                    (current, old)
                })
            }
        };
    }
    best.map(|(version, _)| version)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(version: &str, published_at: &str, status: Status) -> ServerResponse {
        let server: crate::ServerJson = serde_json::from_value(
            serde_json::json!({"name": "io.github.a/bb", "version": version}),
        )
        .unwrap();
        let official = crate::OfficialMeta::new(published_at, false).with_status(status, None);
        ServerResponse::new(server, Some(official))
    }

    #[test]
    fn latest_is_the_highest_non_deleted_version() {
        let versions = [
            response("1.0.0", "2025-01-01T00:00:00Z", Status::Active),
            response("2.0.0", "2025-02-01T00:00:00Z", Status::Deleted),
            response("1.5.0", "2025-03-01T00:00:00Z", Status::Deprecated),
            response("snapshot", "2025-04-01T00:00:00Z", Status::Active),
        ];
        assert_eq!(
            latest_version(&versions).unwrap().server().version(),
            "1.5.0"
        );
    }

    #[test]
    fn when_all_are_deleted_the_highest_deleted_keeps_the_flag() {
        let versions = [
            response("1.0.0", "2025-01-01T00:00:00Z", Status::Deleted),
            response("1.1.0", "2025-01-02T00:00:00Z", Status::Deleted),
        ];
        assert_eq!(
            latest_version(&versions).unwrap().server().version(),
            "1.1.0"
        );
        assert!(latest_version(&[]).is_none());
    }

    #[test]
    fn without_semver_the_newest_publication_wins() {
        let versions = [
            response("b-build", "2025-05-01T00:00:00Z", Status::Active),
            response("a-build", "2025-06-01T00:00:00Z", Status::Active),
        ];
        assert_eq!(
            latest_version(&versions).unwrap().server().version(),
            "a-build"
        );
    }
}
