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
    let mut best: Option<&ServerResponse> = None;
    for candidate in versions {
        best = match best {
            None => Some(candidate),
            Some(current) => {
                let deleted = |r: &ServerResponse| r.status() == Status::Deleted;
                let better = match (deleted(candidate), deleted(current)) {
                    (false, true) => true,
                    (true, false) => false,
                    _ => compare_responses(candidate, current) == Ordering::Greater,
                };
                Some(if better { candidate } else { current })
            }
        };
    }
    best
}

fn compare_responses(a: &ServerResponse, b: &ServerResponse) -> Ordering {
    let published = |r: &ServerResponse| {
        r.official()
            .and_then(|o| o.published_at().map(str::to_owned))
    };
    compare_versions(
        a.server().version(),
        published(a).as_deref(),
        b.server().version(),
        published(b).as_deref(),
    )
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
