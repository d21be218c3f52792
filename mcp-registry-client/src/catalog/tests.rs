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
            &row("io.github.a/x", "1.0.0", Status::Active, T0, true),
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
    catalog.upsert("up", &first.clone(), at(T0)).unwrap();
    let again = catalog
        .upsert("up", &first, at("2025-06-02T00:00:00Z"))
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
        .upsert("up", &row(name, "1.0.0", Status::Active, T0, true), at(T0))
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
                &row(name, "1.0.0", status.clone(), updated, true),
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
        .upsert("up", &row(name, "1.0.0", Status::Active, T0, true), at(T0))
        .unwrap();
    let changes = catalog
        .upsert(
            "up",
            &row(name, "1.1.0", Status::Active, "2025-06-02T00:00:00Z", true),
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
            &row(name, "0.9.0", Status::Active, "2025-06-03T00:00:00Z", true),
            at(T0),
        )
        .unwrap();
    assert_eq!(catalog.version(name, "latest").unwrap().version(), "1.1.0");
    // Deleting the latest moves the mark back.
    let changes = catalog
        .upsert(
            "up",
            &row(
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
            &row(name, "2.0.0", Status::Active, T0, true),
            at(T0),
        )
        .unwrap();
    assert_eq!(catalog.get(name).unwrap().provenance().source(), "official");
    catalog
        .upsert(
            "private",
            &row(name, "1.0.0", Status::Active, T0, true),
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
            &row(
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
        .upsert("up", &row(name, "1.0.0", Status::Active, T0, false), at(T0))
        .unwrap();
    catalog
        .upsert(
            "up",
            &row(
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
        .upsert("up", &row(name, "1.0.0", Status::Active, T0, true), at(T0))
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
        catalog.remove("nowhere", name, "1.0.0").unwrap_err(),
        CatalogError::UnknownSource {
            name: "nowhere".to_owned()
        }
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
                    &row("io.github.a/x", version, Status::Active, T0, true),
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
            .upsert("up", &described(name, title, description), at(T0))
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
    catalog.upsert("up", &gone, at(T0)).unwrap();
    assert!(catalog.search("notes", None).is_empty());
}

mod serving {
    use http::{Request, StatusCode};
    use serde_json::Value;

    use super::*;

    fn served() -> Catalog {
        let mut catalog = Catalog::new();
        catalog.add_source("up");
        let rows = [
            (
                "io.github.a/one",
                "1.0.0",
                Status::Active,
                "2025-06-01T00:00:00Z",
            ),
            (
                "io.github.a/one",
                "1.1.0",
                Status::Active,
                "2025-06-02T00:00:00Z",
            ),
            (
                "io.github.a/two",
                "0.1.0",
                Status::Deleted,
                "2025-06-03T00:00:00Z",
            ),
            (
                "io.github.b/three",
                "3.0.0",
                Status::Deprecated,
                "2025-06-04T00:00:00Z",
            ),
        ];
        for (name, version, status, updated) in rows {
            // The source marks every row latest; the catalog knows better.
            catalog
                .upsert("up", &row(name, version, status, updated, true), at(T0))
                .unwrap();
        }
        catalog
    }

    fn get(catalog: &Catalog, target: &str) -> (StatusCode, Value, http::HeaderMap) {
        let request = Request::get(target).body(()).unwrap();
        let response = RegistryHandler::new().handle(catalog, &request);
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.into_body();
        let value = if body.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&body).unwrap()
        };
        (status, value, headers)
    }

    fn listed(value: &Value) -> Vec<String> {
        value["servers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| {
                format!(
                    "{} {}",
                    s["server"]["name"].as_str().unwrap(),
                    s["server"]["version"].as_str().unwrap()
                )
            })
            .collect()
    }

    #[test]
    fn pages_carry_a_cursor_only_when_full() {
        let catalog = served();
        let (status, page, _) = get(&catalog, "/v0.1/servers?limit=2");
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            listed(&page),
            ["io.github.a/one 1.0.0", "io.github.a/one 1.1.0"]
        );
        assert_eq!(page["metadata"]["nextCursor"], "io.github.a/one:1.1.0");
        assert_eq!(page["metadata"]["count"], 2);
        let (_, page, _) = get(
            &catalog,
            "/v0.1/servers?limit=2&cursor=io.github.a%2Fone%3A1.1.0",
        );
        // The deleted row is hidden by default.
        assert_eq!(listed(&page), ["io.github.b/three 3.0.0"]);
        assert!(page["metadata"].get("nextCursor").is_none());
        let (_, page, _) = get(&catalog, "/v0/servers?include_deleted=true&search=TWO");
        assert_eq!(listed(&page), ["io.github.a/two 0.1.0"]);
    }

    #[test]
    fn entries_carry_the_catalogs_latest_and_provenance() {
        let catalog = served();
        let (_, page, _) = get(&catalog, "/v0.1/servers?version=latest");
        assert_eq!(
            listed(&page),
            ["io.github.a/one 1.1.0", "io.github.b/three 3.0.0"]
        );
        let (_, old, _) = get(&catalog, "/v0.1/servers/io.github.a%2Fone/versions/1.0.0");
        let meta = &old["_meta"];
        assert_eq!(meta[mcp_registry_types::OFFICIAL_META]["isLatest"], false);
        assert_eq!(meta[CATALOG_META]["source"], "up");
        assert_eq!(meta[CATALOG_META]["syncedAt"], "2025-06-01T00:00:00Z");
        let (_, latest, _) = get(&catalog, "/v0.1/servers/io.github.a%2Fone/versions/latest");
        assert_eq!(latest["server"]["version"], "1.1.0");
        assert_eq!(
            latest["_meta"][mcp_registry_types::OFFICIAL_META]["isLatest"],
            true
        );
    }

    #[test]
    fn updated_since_is_strict_and_brings_tombstones() {
        let catalog = served();
        let (_, page, _) = get(&catalog, "/v0.1/servers?updated_since=2025-06-02T00:00:00Z");
        assert_eq!(
            listed(&page),
            ["io.github.a/two 0.1.0", "io.github.b/three 3.0.0"]
        );
        let (status, problem, headers) = get(
            &catalog,
            "/v0.1/servers?updated_since=2025-06-02T00:00:00Z&include_deleted=false",
        );
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(
            problem["detail"]
                .as_str()
                .unwrap()
                .starts_with("Cannot set include_deleted=false")
        );
        assert_eq!(problem["error"], problem["detail"]);
        assert_eq!(headers["content-type"], "application/problem+json");
        let (status, problem, _) = get(&catalog, "/v0.1/servers?updated_since=yesterday");
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(problem["detail"].as_str().unwrap().contains("RFC3339"));
    }

    #[test]
    fn versions_and_errors_follow_the_registry() {
        let catalog = served();
        let (_, versions, _) = get(&catalog, "/v0.1/servers/io.github.a%2Fone/versions");
        assert_eq!(
            listed(&versions),
            ["io.github.a/one 1.1.0", "io.github.a/one 1.0.0"]
        );
        for (target, status) in [
            (
                "/v0.1/servers/io.github.a%2Ftwo/versions",
                StatusCode::NOT_FOUND,
            ),
            (
                "/v0.1/servers/io.github.a%2Fnone/versions/latest",
                StatusCode::NOT_FOUND,
            ),
            ("/v0.1/servers?limit=0", StatusCode::UNPROCESSABLE_ENTITY),
            ("/v0.1/servers?limit=101", StatusCode::UNPROCESSABLE_ENTITY),
            ("/v0.1/servers?limit=x", StatusCode::UNPROCESSABLE_ENTITY),
            (
                "/v0.1/servers/io.github.a%zzone/versions",
                StatusCode::BAD_REQUEST,
            ),
            ("/v0.1/servers?search=%00", StatusCode::BAD_REQUEST),
            ("/v0.1/servers/", StatusCode::PERMANENT_REDIRECT),
            ("/v2/servers", StatusCode::NOT_FOUND),
        ] {
            assert_eq!(get(&catalog, target).0, status, "{target}");
        }
        let (_, tomb, _) = get(
            &catalog,
            "/v0.1/servers/io.github.a%2Ftwo/versions/0.1.0?include_deleted=true",
        );
        assert_eq!(tomb["server"]["version"], "0.1.0");
        let request = Request::post("/v0.1/servers").body(()).unwrap();
        let response = RegistryHandler::new().handle(&catalog, &request);
        assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
    }

    #[test]
    fn etags_answer_if_none_match_with_304() {
        let catalog = served();
        let (_, _, headers) = get(&catalog, "/v0.1/servers");
        let tag = headers["etag"].to_str().unwrap().to_owned();
        let request = Request::get("/v0.1/servers")
            .header("if-none-match", format!("W/{tag}, \"other\""))
            .body(())
            .unwrap();
        let response = RegistryHandler::new().handle(&catalog, &request);
        assert_eq!(response.status(), StatusCode::NOT_MODIFIED);
        assert!(response.body().is_empty());
        let request = Request::get("/v0.1/servers?limit=1")
            .header("if-none-match", tag)
            .body(())
            .unwrap();
        assert_eq!(
            RegistryHandler::new().handle(&catalog, &request).status(),
            StatusCode::OK
        );
    }

    #[test]
    fn a_visibility_filter_hides_entries_everywhere() {
        let catalog = served();
        let hide_one = |entry: &CatalogEntry| entry.name() != "io.github.a/one";
        let handler = RegistryHandler::new();
        let list = handler.handle_visible(
            &catalog,
            &Request::get("/v0.1/servers").body(()).unwrap(),
            hide_one,
        );
        let value: Value = serde_json::from_slice(list.body()).unwrap();
        assert_eq!(listed(&value), ["io.github.b/three 3.0.0"]);
        let one = handler.handle_visible(
            &catalog,
            &Request::get("/v0.1/servers/io.github.a%2Fone/versions/latest")
                .body(())
                .unwrap(),
            hide_one,
        );
        assert_eq!(one.status(), StatusCode::NOT_FOUND);
    }
}

#[test]
fn admission_decides_what_enters_and_what_leaves() {
    use mcp_registry_types::glob::Glob;
    let admission = Admission::new()
        .with_name_glob(Glob::new("io.github.acme/*").unwrap())
        .with_filter(|source, response| source == "up" && response.server().version() != "6.6.6");
    let mut catalog = Catalog::new().with_admission(admission);
    catalog.add_source("up");
    let up = |catalog: &mut Catalog, name: &str, version: &str| {
        catalog
            .upsert("up", &row(name, version, Status::Active, T0, true), at(T0))
            .unwrap()
    };
    assert!(up(&mut catalog, "io.github.other/x", "1.0.0").is_empty());
    assert_eq!(up(&mut catalog, "io.github.acme/x", "1.0.0").len(), 2);
    assert!(up(&mut catalog, "io.github.acme/x", "6.6.6").is_empty());
    assert_eq!(catalog.server_count(), 1);
    // Refused later (say the policy changed): the version leaves.
    catalog.set_admission(Admission::new().with_filter(|_, _| false));
    let gone = up(&mut catalog, "io.github.acme/x", "1.0.0");
    assert_eq!(gone.first().unwrap().kind(), &ChangeKind::Removed);
    assert!(catalog.is_empty());
}

#[test]
fn filters_take_the_catalogs_latest_not_the_registrys_flag() {
    let mut catalog = Catalog::new();
    catalog.add_source("up");
    // The registry's flags are stale: it still marks 1.0.0 latest.
    catalog
        .upsert(
            "up",
            &row("io.github.a/x", "1.0.0", Status::Active, T0, true),
            at(T0),
        )
        .unwrap();
    catalog
        .upsert(
            "up",
            &row("io.github.a/x", "1.1.0", Status::Active, T0, false),
            at(T0),
        )
        .unwrap();
    let filter = mcp_registry_types::ServerFilter::new().with_latest_only();
    let latest: Vec<_> = catalog
        .filtered(&filter)
        .map(CatalogEntry::version)
        .collect();
    assert_eq!(latest, ["1.1.0"]);
}

/// A snapshot keeps each response as text and reads only a few facts of it: those facts must
/// be what the typed document says, whatever the text holds (escapes, missing blocks, other
/// statuses, other namespaces).
#[test]
fn loaded_entries_say_what_their_text_says() {
    let mut catalog = Catalog::new();
    catalog.add_source("up");
    catalog.add_source("mirror");
    let documents = [
        r#"{"name": "io.github.a/tab", "version": "1.0.0", "title": "Tab\t \"quoted\" é 🦀",
            "description": "line\u2028separator \\ backslash"}"#,
        r#"{"name": "io.github.a/tab", "version": "1.1.0-rc.1", "description": "",
            "x-vendor": {"kept": [1, 2]}}"#,
        r#"{"name": "io.github.b/untitled", "version": "2025.1", "description": "no title"}"#,
    ];
    let metas = [
        Some(
            OfficialMeta::new(T0, true)
                .with_status(Status::Deprecated, Some("old".to_owned()))
                .with_updated_at("2025-06-02T00:00:00.123456Z"),
        ),
        Some(
            OfficialMeta::new("2025-07-01T00:00:00Z", false)
                .with_status(Status::from("archived"), None),
        ),
        None,
    ];
    for (source, (document, meta)) in ["up", "up", "mirror"]
        .into_iter()
        .zip(documents.into_iter().zip(metas))
    {
        let server: ServerJson = document.parse().unwrap();
        catalog
            .upsert(source, &ServerResponse::new(server, meta), at(T0))
            .unwrap();
    }
    let loaded = decode(&encode(&catalog).unwrap(), u64::MAX).unwrap();
    assert_eq!(loaded, catalog);
    let entries: Vec<&CatalogEntry> = loaded.all_entries().map(|(_, entry)| entry).collect();
    assert_eq!(entries.len(), 3);
    for entry in entries {
        let response = entry.response().unwrap();
        let server = response.server();
        let official = response.official();
        assert_eq!(entry.name(), server.name());
        assert_eq!(entry.version(), server.version());
        assert_eq!(entry.title(), server.title());
        assert_eq!(entry.description(), server.description());
        assert_eq!(entry.status(), response.status());
        assert_eq!(
            entry.updated_at(),
            official.and_then(|o| o.updated_at()).map(at)
        );
        assert_eq!(
            entry.published_at(),
            official.and_then(|o| o.published_at())
        );
        assert_eq!(entry.json(), serde_json::to_string(&response).unwrap());
    }
    assert_eq!(
        loaded.version("io.github.a/tab", "1.0.0").unwrap().title(),
        Some("Tab\t \"quoted\" é 🦀")
    );
}

/// A snapshot whose content is exactly `lines`, with a valid manifest and hash (and no
/// `inflatedBytes`, as files written before it was added).
fn raw_snapshot(lines: &[String]) -> Vec<u8> {
    raw_snapshot_inflating(lines, None)
}

fn raw_snapshot_inflating(lines: &[String], inflated: Option<usize>) -> Vec<u8> {
    use sha2::{Digest, Sha256};
    let text = lines.join("\n") + "\n";
    let content = zstd::encode_all(text.as_bytes(), 3).unwrap();
    let sha = Sha256::digest(&content)
        .iter()
        .fold(String::new(), |hex, byte| hex + &format!("{byte:02x}"));
    let manifest = serde_json::json!({
        "format": "mcp-registry-catalog", "version": 1, "compression": "zstd",
        "entries": lines.len(), "contentBytes": content.len(), "sha256": sha,
        "sources": [{"name": "up"}],
    });
    let mut manifest = manifest;
    if let Some(inflated) = inflated {
        manifest["inflatedBytes"] = inflated.into();
    }
    let mut out = serde_json::to_vec(&manifest).unwrap();
    out.push(b'\n');
    out.extend_from_slice(&content);
    out
}

#[test]
fn an_entry_line_in_another_layout_is_refused() {
    let response = r#"{"server":{"name":"io.github.a/x","version":"1.0.0","description":"d"}}"#;
    let good = format!(r#"{{"source":0,"syncedAt":"{T0}","response":{response}}}"#);
    let loaded = decode(&raw_snapshot(std::slice::from_ref(&good)), u64::MAX).unwrap();
    assert_eq!(loaded.get("io.github.a/x").unwrap().json(), response);
    let bad = [
        // Members reordered, spaced, added, repeated; an escaped timestamp; a truncated line.
        format!(r#"{{"syncedAt":"{T0}","source":0,"response":{response}}}"#),
        format!(r#"{{"source": 0,"syncedAt":"{T0}","response":{response}}}"#),
        format!(r#"{{"source":0,"syncedAt":"{T0}","response":{response},"x":1}}"#),
        format!(r#"{{"source":0,"syncedAt":"{T0}","response":{response},"response":{response}}}"#),
        format!(r#"{{"source":0,"syncedAt":"2025-06-01T00:00:00\u005a","response":{response}}}"#),
        format!(r#"{{"source":0,"syncedAt":"{T0}","response":{response}"#),
        format!(r#"{{"source":,"syncedAt":"{T0}","response":{response}}}"#),
        format!(r#"{{"source":1,"syncedAt":"{T0}","response":{response}}}"#),
    ];
    for line in bad {
        let error = decode(&raw_snapshot(&[good.clone(), line.clone()]), u64::MAX).unwrap_err();
        assert!(
            matches!(error, snapshot::SnapshotError::Entry { line: 2, .. }),
            "{line}: {error}"
        );
    }
    // The same version twice is refused too, rather than one silently replacing the other.
    let error = decode(&raw_snapshot(&[good.clone(), good]), u64::MAX).unwrap_err();
    assert!(
        error.to_string().contains("repeats io.github.a/x@1.0.0"),
        "{error}"
    );
}

#[test]
fn the_declared_inflated_size_must_be_the_contents() {
    let response = r#"{"server":{"name":"io.github.a/x","version":"1.0.0","description":"d"}}"#;
    let line = format!(r#"{{"source":0,"syncedAt":"{T0}","response":{response}}}"#);
    let size = line.len() + 1;
    let lines = std::slice::from_ref(&line);
    assert!(decode(&raw_snapshot_inflating(lines, Some(size)), u64::MAX).is_ok());
    for wrong in [size - 1, size + 1, 0] {
        let error = decode(&raw_snapshot_inflating(lines, Some(wrong)), u64::MAX).unwrap_err();
        assert!(
            matches!(error, snapshot::SnapshotError::NotASnapshot(_)),
            "{wrong}: {error}"
        );
    }
    // A declared size past the reader's limit is refused before anything is allocated.
    let error = decode(&raw_snapshot_inflating(lines, Some(1 << 40)), 1 << 20).unwrap_err();
    assert!(
        matches!(error, snapshot::SnapshotError::TooLarge { .. }),
        "{error}"
    );
    // Without a declared size the stream is still held to the limit.
    let error = decode(&raw_snapshot(lines), 10).unwrap_err();
    assert!(
        matches!(error, snapshot::SnapshotError::TooLarge { .. }),
        "{error}"
    );
}

/// A catalog of `count` one-version servers, and a few with several versions.
fn many(count: usize) -> Catalog {
    let mut catalog = Catalog::new();
    catalog.add_source("up");
    catalog.add_source("mirror");
    for n in 0..count {
        let name = format!("io.github.a/server-{n:04}");
        let source = if n % 5 == 0 { "mirror" } else { "up" };
        let versions: &[&str] = if n % 7 == 0 {
            &["1.0.0", "1.2.0", "1.10.0"]
        } else {
            &["0.1.0"]
        };
        for version in versions {
            catalog
                .upsert(
                    source,
                    &row(&name, version, Status::Active, T0, false),
                    at(T0),
                )
                .unwrap();
        }
    }
    catalog
}

/// The manifest of a snapshot, as JSON.
fn manifest_of(bytes: &[u8]) -> serde_json::Value {
    let newline = bytes.iter().position(|&b| b == b'\n').unwrap();
    serde_json::from_slice(&bytes[..newline]).unwrap()
}

/// The snapshot with its manifest edited; the content (and so its hash) is untouched.
fn with_manifest(bytes: &[u8], edit: impl FnOnce(&mut serde_json::Value)) -> Vec<u8> {
    let newline = bytes.iter().position(|&b| b == b'\n').unwrap();
    let mut manifest = manifest_of(bytes);
    edit(&mut manifest);
    let mut out = serde_json::to_vec(&manifest).unwrap();
    out.extend_from_slice(&bytes[newline..]);
    out
}

/// A snapshot of source `up` whose chunks hold exactly `chunks`' lines, one frame each.
fn raw_chunked(chunks: &[Vec<String>]) -> Vec<u8> {
    let texts: Vec<(String, usize)> = chunks
        .iter()
        .map(|lines| (lines.join("\n") + "\n", lines.len()))
        .collect();
    raw_frames(&texts)
}

/// A snapshot of source `up` whose chunks are exactly `chunks`' texts, each said to hold its
/// number of entries.
fn raw_frames(chunks: &[(String, usize)]) -> Vec<u8> {
    use sha2::{Digest, Sha256};
    let mut content = Vec::new();
    let mut listed = Vec::new();
    for (text, entries) in chunks {
        let frame = zstd::encode_all(text.as_bytes(), 3).unwrap();
        listed.push(serde_json::json!([frame.len(), text.len(), entries]));
        content.extend_from_slice(&frame);
    }
    let sha = Sha256::digest(&content)
        .iter()
        .fold(String::new(), |hex, byte| hex + &format!("{byte:02x}"));
    let manifest = serde_json::json!({
        "format": "mcp-registry-catalog", "version": 1, "compression": "zstd",
        "entries": chunks.iter().map(|(_, entries)| entries).sum::<usize>(),
        "contentBytes": content.len(), "chunks": listed, "sha256": sha,
        "sources": [{"name": "up"}],
    });
    let mut out = serde_json::to_vec(&manifest).unwrap();
    out.push(b'\n');
    out.extend_from_slice(&content);
    out
}

/// An entry line of source `up`, its response as the catalog writes it.
fn line_of(name: &str, version: &str) -> String {
    format!(
        r#"{{"source":0,"syncedAt":"{T0}","response":{{"server":{{"name":"{name}","description":"d","version":"{version}"}}}}}}"#
    )
}

fn threads(count: usize) -> snapshot::DecodeOptions {
    snapshot::DecodeOptions::with_threads(count)
}

#[test]
fn a_chunked_snapshot_reads_the_same_on_any_number_of_threads() {
    let catalog = many(300);
    let bytes = snapshot::encode_chunked(&catalog, 2_000).unwrap();
    let manifest = manifest_of(&bytes);
    let chunks = manifest["chunks"].as_array().unwrap();
    assert!(chunks.len() > 10, "{}", chunks.len());
    let sum = |at: usize| chunks.iter().map(|c| c[at].as_u64().unwrap()).sum::<u64>();
    assert_eq!(sum(0), manifest["contentBytes"].as_u64().unwrap());
    assert_eq!(sum(1), manifest["inflatedBytes"].as_u64().unwrap());
    assert_eq!(sum(2), manifest["entries"].as_u64().unwrap());
    let one = decode_with(&bytes, u64::MAX, threads(1)).unwrap();
    assert_eq!(one, catalog);
    for count in [2, 3, 8, 64] {
        assert_eq!(decode_with(&bytes, u64::MAX, threads(count)).unwrap(), one);
    }
    assert_eq!(decode(&bytes, u64::MAX).unwrap(), one);
    assert_eq!(
        one.get("io.github.a/server-0007").unwrap().version(),
        "1.10.0"
    );
    // The default writer's chunks are larger: this catalog is one of them.
    let bytes = encode(&catalog).unwrap();
    assert_eq!(manifest_of(&bytes)["chunks"].as_array().unwrap().len(), 1);
    assert_eq!(decode(&bytes, u64::MAX).unwrap(), catalog);
    // An empty catalog is one empty frame.
    let empty = Catalog::new();
    let bytes = encode(&empty).unwrap();
    let chunks = manifest_of(&bytes)["chunks"].clone();
    assert_eq!(chunks.as_array().unwrap().len(), 1);
    assert_eq!((&chunks[0][1], &chunks[0][2]), (&0.into(), &0.into()));
    assert_eq!(decode(&bytes, u64::MAX).unwrap(), empty);
}

/// A reader from before `chunks` sees the frames as one content: so does this one without it.
#[test]
fn a_snapshot_without_chunks_reads_as_one_frame() {
    let catalog = many(120);
    let bytes = snapshot::encode_chunked(&catalog, 1_000).unwrap();
    let plain = with_manifest(&bytes, |manifest| {
        manifest.as_object_mut().unwrap().remove("chunks");
    });
    assert_eq!(decode(&plain, u64::MAX).unwrap(), catalog);
    let streamed = with_manifest(&plain, |manifest| {
        manifest.as_object_mut().unwrap().remove("inflatedBytes");
    });
    assert_eq!(decode(&streamed, u64::MAX).unwrap(), catalog);
    // And a file written by hand, one frame, no sizes at all.
    let lines = [
        line_of("io.github.a/x", "1.0.0"),
        line_of("io.github.a/y", "2.0.0"),
    ];
    let loaded = decode(&raw_snapshot(&lines), u64::MAX).unwrap();
    assert_eq!(loaded.version_count(), 2);
}

#[test]
fn errors_name_the_line_of_the_whole_content_in_file_order() {
    let chunk = |names: &[&str]| -> Vec<String> {
        names.iter().map(|name| line_of(name, "1.0.0")).collect()
    };
    let first = chunk(&["io.github.a/a", "io.github.a/b"]);
    let second = chunk(&["io.github.a/c", "io.github.a/d", "io.github.a/e"]);
    let good = raw_chunked(&[first.clone(), second.clone(), chunk(&["io.github.a/f"])]);
    for count in [1, 2, 4] {
        assert_eq!(
            decode_with(&good, u64::MAX, threads(count))
                .unwrap()
                .version_count(),
            6
        );
    }
    let cases = [
        // A line that does not parse: the second of chunk 3 is line 2 + 3 + 2.
        (
            vec![line_of("io.github.a/f", "1.0.0"), "{".to_owned()],
            7,
            "EOF",
        ),
        // A version chunk 1 holds already.
        (
            chunk(&["io.github.a/f", "io.github.a/a"]),
            7,
            "repeats io.github.a/a@1.0.0",
        ),
        // The repeat comes before the line that does not parse: it is the one named.
        (
            vec![line_of("io.github.a/b", "1.0.0"), "{".to_owned()],
            6,
            "repeats io.github.a/b@1.0.0",
        ),
    ];
    for (third, line, says) in cases {
        // A fourth chunk with a bad line of its own, read as early as the third.
        let bytes = raw_chunked(&[
            first.clone(),
            second.clone(),
            third,
            vec!["not json".to_owned()],
        ]);
        for count in [1, 2, 4] {
            let error = decode_with(&bytes, u64::MAX, threads(count)).unwrap_err();
            assert!(
                matches!(&error, snapshot::SnapshotError::Entry { line: l, .. } if *l == line),
                "{count}: {error}"
            );
            assert!(error.to_string().contains(says), "{count}: {error}");
        }
    }
    // Blank lines count: a chunk ending in one moves the next chunk's lines down.
    let bytes = raw_chunked(&[
        vec![line_of("io.github.a/a", "1.0.0"), String::new()],
        vec!["[]".to_owned()],
    ]);
    let bytes = with_manifest(&bytes, |manifest| {
        manifest["chunks"][0][2] = 1.into();
        manifest["chunks"][1][2] = 1.into();
        manifest["entries"] = 2.into();
    });
    let error = decode_with(&bytes, u64::MAX, threads(2)).unwrap_err();
    assert!(
        matches!(error, snapshot::SnapshotError::Entry { line: 3, .. }),
        "{error}"
    );
}

#[test]
fn chunks_that_disagree_with_the_manifest_are_refused() {
    let catalog = many(60);
    let bytes = snapshot::encode_chunked(&catalog, 1_000).unwrap();
    let chunks = manifest_of(&bytes)["chunks"].as_array().unwrap().len();
    assert!(chunks >= 3, "{chunks}");
    let refused = |what: &str, bytes: &[u8], says: &str| {
        for count in [1, 4] {
            let error = decode_with(bytes, u64::MAX, threads(count)).unwrap_err();
            assert!(
                matches!(error, snapshot::SnapshotError::NotASnapshot(_)),
                "{what}: {error}"
            );
            assert!(error.to_string().contains(says), "{what}: {error}");
        }
    };
    // Sums that disagree with the totals.
    for (at, says) in [
        (0, "bytes of content"),
        (1, "inflated bytes"),
        (2, "entries"),
    ] {
        let edited = with_manifest(&bytes, |manifest| {
            let cell = &mut manifest["chunks"][1][at];
            *cell = (cell.as_u64().unwrap() + 1).into();
        });
        refused(says, &edited, says);
    }
    let edited = with_manifest(&bytes, |manifest| {
        manifest["chunks"].as_array_mut().unwrap().pop();
    });
    refused("a chunk missing", &edited, "add up to");
    let edited = with_manifest(&bytes, |manifest| {
        manifest["chunks"][0][0] = u64::MAX.into();
    });
    refused("overflow", &edited, "overflow");
    // Sums that agree, chunks that do not: sizes or entries moved from one chunk to the next.
    for (at, says) in [
        (0, "chunk 2"),
        (1, "chunk 2"),
        (2, "chunk 2 of the content holds"),
    ] {
        let edited = with_manifest(&bytes, |manifest| {
            let from = manifest["chunks"][1][at].as_u64().unwrap();
            let to = manifest["chunks"][2][at].as_u64().unwrap();
            manifest["chunks"][1][at] = (from - 1).into();
            manifest["chunks"][2][at] = (to + 1).into();
        });
        refused(says, &edited, says);
    }
    // Chunks past the reader's limit are refused before any is read.
    let limit = manifest_of(&bytes)["inflatedBytes"].as_u64().unwrap() - 1;
    let error = decode(&bytes, limit).unwrap_err();
    assert!(
        matches!(error, snapshot::SnapshotError::TooLarge { .. }),
        "{error}"
    );
    // A chunk that ends inside a line, though the two halves would make one.
    let (whole, other) = (
        line_of("io.github.a/a", "1.0.0"),
        line_of("io.github.a/b", "1.0.0"),
    );
    let (head, tail) = other.split_at(20);
    let bytes = raw_frames(&[(format!("{whole}\n{head}"), 2), (format!("{tail}\n"), 0)]);
    refused(
        "a line across chunks",
        &bytes,
        "chunk 1 of the content ends inside a line",
    );
}

/// A snapshot written by hand may list names in any order: the catalog is the same.
#[test]
fn names_out_of_order_load_the_same() {
    let order = [
        ("io.github.a/m", "1.0.0"),
        ("io.github.a/c", "1.0.0"),
        ("io.github.a/m", "2.0.0"),
        ("io.github.a/x", "1.0.0"),
        ("io.github.a/c", "2.0.0"),
        ("io.github.a/a", "1.0.0"),
        ("io.github.a/x", "0.9.0"),
        ("io.github.a/z", "1.0.0"),
    ];
    let lines: Vec<String> = order.iter().map(|(n, v)| line_of(n, v)).collect();
    let mut expected = Catalog::new();
    expected.add_source("up");
    for line in &lines {
        let entry: serde_json::Value = serde_json::from_str(line).unwrap();
        let response: ServerResponse = serde_json::from_value(entry["response"].clone()).unwrap();
        expected.upsert("up", &response, at(T0)).unwrap();
    }
    for count in [1, 2] {
        let loaded = decode_with(
            &raw_chunked(&[lines[..3].to_vec(), lines[3..].to_vec()]),
            u64::MAX,
            threads(count),
        )
        .unwrap();
        assert_eq!(loaded, expected);
        assert_eq!(loaded.get("io.github.a/x").unwrap().version(), "1.0.0");
    }
    // A repeat is refused wherever the first copy went.
    for repeat in ["io.github.a/c", "io.github.a/m", "io.github.a/a"] {
        let mut with = lines.clone();
        with.push(line_of(repeat, "1.0.0"));
        let error = decode(&raw_snapshot(&with), u64::MAX).unwrap_err();
        assert!(
            matches!(&error, snapshot::SnapshotError::Entry { line: 9, .. }),
            "{repeat}: {error}"
        );
    }
}
