use mcp_registry_types::{OfficialMeta, ServerJson, ServerResponse, Status, Timestamp};

use super::*;

pub(crate) fn at(text: &str) -> Timestamp {
    text.parse().unwrap()
}

/// A row as the registry serves it; `is_latest` is the registry's flag, which the catalog
/// ignores.
pub(crate) fn row(
    name: &str,
    version: &str,
    status: Status,
    updated: &str,
    is_latest: bool,
) -> ServerResponse {
    let server: ServerJson =
        format!(r#"{{"name": "{name}", "description": "d", "version": "{version}"}}"#)
            .parse()
            .unwrap();
    let official = OfficialMeta::new("2025-01-01T00:00:00Z", is_latest)
        .with_status(status, None)
        .with_updated_at(updated);
    ServerResponse::new(server, Some(official))
}

fn kinds(changes: &[Change]) -> Vec<String> {
    changes.iter().map(ToString::to_string).collect()
}

const T0: &str = "2025-06-01T00:00:00Z";

#[test]
fn a_new_version_is_added_and_becomes_latest() {
    let mut catalog = Catalog::new();
    catalog.add_source("up");
    let changes = catalog
        .upsert(
            "up",
            row("io.github.a/x", "1.0.0", Status::Active, T0, true),
            at(T0),
        )
        .unwrap();
    assert_eq!(
        kinds(&changes),
        [
            "added io.github.a/x 1.0.0 from up",
            "latest-changed io.github.a/x 1.0.0 from up"
        ]
    );
    let entry = catalog.get("io.github.a/x").unwrap();
    assert!(entry.is_latest());
    assert_eq!(entry.provenance().source(), "up");
    assert_eq!(entry.provenance().synced_at(), at(T0));
}

#[test]
fn the_same_row_twice_changes_nothing() {
    let mut catalog = Catalog::new();
    catalog.add_source("up");
    let first = row("io.github.a/x", "1.0.0", Status::Active, T0, true);
    catalog.upsert("up", first.clone(), at(T0)).unwrap();
    let again = catalog
        .upsert("up", first, at("2025-06-02T00:00:00Z"))
        .unwrap();
    assert!(again.is_empty());
    // Seen again: the sync time moves, the latest mark stays.
    let entry = catalog.get("io.github.a/x").unwrap();
    assert_eq!(entry.provenance().synced_at(), at("2025-06-02T00:00:00Z"));
}

#[test]
fn status_changes_are_named() {
    let mut catalog = Catalog::new();
    catalog.add_source("up");
    let name = "io.github.a/x";
    catalog
        .upsert("up", row(name, "1.0.0", Status::Active, T0, true), at(T0))
        .unwrap();
    let steps = [
        (Status::Active, "2025-06-02T00:00:00Z", "updated"),
        (Status::Deprecated, "2025-06-03T00:00:00Z", "deprecated"),
        (Status::Deleted, "2025-06-04T00:00:00Z", "deleted"),
        (Status::Active, "2025-06-05T00:00:00Z", "restored"),
        (Status::Deleted, "2025-06-06T00:00:00Z", "deleted"),
        (Status::Deprecated, "2025-06-07T00:00:00Z", "restored"),
    ];
    for (status, updated, kind) in steps {
        let changes = catalog
            .upsert(
                "up",
                row(name, "1.0.0", status.clone(), updated, true),
                at(updated),
            )
            .unwrap();
        assert_eq!(changes.first().unwrap().kind().as_str(), kind, "{status}");
        assert_eq!(catalog.version(name, "1.0.0").unwrap().status(), status);
    }
}

#[test]
fn latest_moves_without_the_old_row_changing() {
    // The registry clears isLatest on 1.0.0 without touching its updatedAt, so a delta sync
    // only sees 1.1.0 arrive; the stale flag on 1.0.0 must not matter.
    let mut catalog = Catalog::new();
    catalog.add_source("up");
    let name = "io.github.a/x";
    catalog
        .upsert("up", row(name, "1.0.0", Status::Active, T0, true), at(T0))
        .unwrap();
    let changes = catalog
        .upsert(
            "up",
            row(name, "1.1.0", Status::Active, "2025-06-02T00:00:00Z", true),
            at(T0),
        )
        .unwrap();
    assert_eq!(
        kinds(&changes),
        [
            "added io.github.a/x 1.1.0 from up",
            "latest-changed io.github.a/x 1.1.0 (was 1.0.0) from up"
        ]
    );
    assert_eq!(catalog.get(name).unwrap().version(), "1.1.0");
    assert!(!catalog.version(name, "1.0.0").unwrap().is_latest());
    // An older version arriving with the registry's flag set does not take the mark.
    catalog
        .upsert(
            "up",
            row(name, "0.9.0", Status::Active, "2025-06-03T00:00:00Z", true),
            at(T0),
        )
        .unwrap();
    assert_eq!(catalog.version(name, "latest").unwrap().version(), "1.1.0");
    // Deleting the latest moves the mark back.
    let changes = catalog
        .upsert(
            "up",
            row(
                name,
                "1.1.0",
                Status::Deleted,
                "2025-06-04T00:00:00Z",
                false,
            ),
            at(T0),
        )
        .unwrap();
    assert_eq!(
        kinds(&changes),
        [
            "deleted io.github.a/x 1.1.0 from up",
            "latest-changed io.github.a/x 1.0.0 (was 1.1.0) from up"
        ]
    );
}

#[test]
fn precedence_decides_and_the_loser_stays_visible() {
    let mut catalog = Catalog::new();
    catalog.add_source("private");
    catalog.add_source("official");
    let name = "io.github.a/x";
    catalog
        .upsert(
            "official",
            row(name, "2.0.0", Status::Active, T0, true),
            at(T0),
        )
        .unwrap();
    assert_eq!(catalog.get(name).unwrap().provenance().source(), "official");
    catalog
        .upsert(
            "private",
            row(name, "1.0.0", Status::Active, T0, true),
            at(T0),
        )
        .unwrap();
    // The private registry ranks first, even with an older version.
    let winner = catalog.get(name).unwrap();
    assert_eq!(
        (winner.version(), winner.provenance().source()),
        ("1.0.0", "private")
    );
    let hidden: Vec<_> = catalog
        .alternatives(name)
        .map(|e| (e.version(), e.provenance().source()))
        .collect();
    assert_eq!(hidden, [("2.0.0", "official")]);
    assert_eq!(catalog.versions(name).count(), 1);
    assert_eq!(catalog.version_count(), 1);
    // All of the private source's versions deleted: the official one stands for the name.
    catalog
        .upsert(
            "private",
            row(
                name,
                "1.0.0",
                Status::Deleted,
                "2025-06-02T00:00:00Z",
                false,
            ),
            at(T0),
        )
        .unwrap();
    assert_eq!(catalog.get(name).unwrap().provenance().source(), "official");
}

#[test]
fn tombstones_are_purged_after_their_retention() {
    let mut catalog = Catalog::new();
    catalog.add_source("up");
    let name = "io.github.a/x";
    catalog
        .upsert("up", row(name, "1.0.0", Status::Active, T0, false), at(T0))
        .unwrap();
    catalog
        .upsert(
            "up",
            row(
                name,
                "2.0.0",
                Status::Deleted,
                "2025-06-02T00:00:00Z",
                false,
            ),
            at(T0),
        )
        .unwrap();
    assert!(
        catalog
            .purge_tombstones(at("2025-06-02T00:00:00Z"))
            .is_empty()
    );
    let purged = catalog.purge_tombstones(at("2025-06-03T00:00:00Z"));
    assert_eq!(kinds(&purged), ["purged io.github.a/x 2.0.0 from up"]);
    assert_eq!(catalog.versions(name).count(), 1);
}

#[test]
fn removing_the_last_version_forgets_the_name() {
    let mut catalog = Catalog::new();
    catalog.add_source("up");
    let name = "io.github.a/x";
    catalog
        .upsert("up", row(name, "1.0.0", Status::Active, T0, true), at(T0))
        .unwrap();
    assert_eq!(catalog.source_versions("up"), [(name, "1.0.0")]);
    let changes = catalog.remove("up", name, "1.0.0").unwrap();
    assert_eq!(
        kinds(&changes),
        [
            "removed io.github.a/x 1.0.0 from up",
            "latest-changed io.github.a/x (was 1.0.0) from up"
        ]
    );
    assert!(catalog.is_empty());
    assert!(catalog.remove("up", name, "1.0.0").unwrap().is_empty());
    assert_eq!(
        catalog.remove("nowhere", name, "1.0.0").unwrap_err().name(),
        "nowhere"
    );
}

#[test]
fn change_counts_add_up() {
    let mut catalog = Catalog::new();
    catalog.add_source("up");
    let mut all = Vec::new();
    for version in ["1.0.0", "1.1.0"] {
        all.extend(
            catalog
                .upsert(
                    "up",
                    row("io.github.a/x", version, Status::Active, T0, true),
                    at(T0),
                )
                .unwrap(),
        );
    }
    let counts = ChangeCounts::of(&all);
    assert_eq!(
        (counts.added, counts.latest_changed, counts.total()),
        (2, 2, 4)
    );
    assert!(counts.to_string().starts_with("2 added, 0 updated"));
}

fn described(name: &str, title: Option<&str>, description: &str) -> ServerResponse {
    let mut value =
        serde_json::json!({"name": name, "description": description, "version": "1.0.0"});
    if let Some(title) = title {
        value["title"] = title.into();
    }
    let server: ServerJson = serde_json::from_value(value).unwrap();
    ServerResponse::new(server, Some(OfficialMeta::new(T0, true)))
}

fn search_catalog() -> Catalog {
    let mut catalog = Catalog::new();
    catalog.add_source("up");
    for (name, title, description) in [
        (
            "io.github.acme/weather",
            Some("Weather"),
            "Forecasts and alerts",
        ),
        (
            "io.github.other/forecast-tools",
            None,
            "Weather forecasts for any city",
        ),
        (
            "io.github.acme/github-issues",
            Some("Issues"),
            "Read and file GitHub issues",
        ),
        ("com.example/notes", None, "Notes, with a weather widget"),
    ] {
        catalog
            .upsert("up", described(name, title, description), at(T0))
            .unwrap();
    }
    catalog
}

fn names(hits: &[SearchHit<'_>]) -> Vec<String> {
    hits.iter()
        .map(|hit| hit.entry().name().to_owned())
        .collect()
}

#[test]
fn search_ranks_name_matches_above_description_matches() {
    let catalog = search_catalog();
    let hits = catalog.search("weather", None);
    let mut found = names(&hits);
    assert_eq!(found[0], "io.github.acme/weather");
    assert!(hits[0].score() > hits[1].score());
    found.sort();
    assert_eq!(
        found,
        [
            "com.example/notes",
            "io.github.acme/weather",
            "io.github.other/forecast-tools"
        ]
    );
    assert_eq!(catalog.search("weather", Some(1)).len(), 1);
}

#[test]
fn search_matches_prefixes_of_name_parts_and_whole_names() {
    let catalog = search_catalog();
    assert_eq!(
        names(&catalog.search("forec", None)),
        ["io.github.other/forecast-tools"]
    );
    // A whole name puts its server first, whatever else matches.
    let hits = catalog.search("io.github.acme/github-issues", None);
    assert_eq!(names(&hits)[0], "io.github.acme/github-issues");
    assert!(catalog.search("nothing-like-this", None).is_empty());
}

#[test]
fn search_follows_changes_and_skips_tombstones() {
    let mut catalog = search_catalog();
    assert_eq!(catalog.search("notes", None).len(), 1);
    let mut gone = described("com.example/notes", None, "Notes, with a weather widget");
    gone = ServerResponse::new(
        gone.server().clone(),
        Some(
            OfficialMeta::new(T0, true)
                .with_status(Status::Deleted, None)
                .with_updated_at("2025-06-02T00:00:00Z"),
        ),
    );
    catalog.upsert("up", gone, at(T0)).unwrap();
    assert!(catalog.search("notes", None).is_empty());
}
