//! Conformance with the official registry's published data.
//!
//! Reads `$MCP_REGISTRY_SPEC_DIR` (CI sets it to `../shared/registry-spec`, relative to the
//! workspace root). Without the
//! variable the suite has nothing to read and passes vacuously, saying so; with it, a missing
//! folder or file fails.
#![expect(
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::string_slice,
    clippy::unwrap_used,
    reason = "tests fail by panicking; clippy.toml's test allowances reach only #[test] functions"
)]

#[path = "common/spec_dir.rs"]
mod spec_dir;

use std::path::{Path, PathBuf};

use mcp_registry_types::fuzzing::parse_with_serde_json;
use mcp_registry_types::{
    SchemaVersion, ServerJson, ServerList, ServerResponse, ValidationLayer, Validator, validate,
};
use serde_json::Value;

fn spec_dir() -> Option<PathBuf> {
    spec_dir::spec_dir("conformance data not checked")
}

fn read_json(path: &Path) -> Value {
    let text = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_slice(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn examples(dir: &Path) -> Vec<(String, Value)> {
    let mut files: Vec<_> = std::fs::read_dir(dir.join("examples"))
        .expect("examples folder")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    assert!(
        files.len() >= 33,
        "expected the 33 shared examples, found {}",
        files.len()
    );
    files
        .iter()
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                read_json(p),
            )
        })
        .collect()
}

fn seed(dir: &Path, file: &str) -> Vec<Value> {
    match read_json(&dir.join(file)) {
        Value::Array(items) => items,
        other => panic!("{file}: expected an array, got {other}"),
    }
}

/// Parses `value` as a document and checks that writing it back gives the same JSON value.
#[track_caller]
fn round_trip(label: &str, value: &Value) -> ServerJson {
    let bytes = serde_json::to_vec(value).unwrap();
    let document = ServerJson::from_slice(&bytes).unwrap_or_else(|e| panic!("{label}: {e}"));
    let written = serde_json::to_value(&document).unwrap();
    assert_eq!(&written, value, "{label}: round trip changed the document");
    document
}

#[test]
fn every_example_parses_round_trips_and_validates_as_the_registry_does() {
    let Some(dir) = spec_dir() else { return };
    for (file, value) in examples(&dir) {
        let document = round_trip(&file, &value);
        let report = validate(&document);
        let number: u32 = file[..2].parse().unwrap();
        if number <= 30 {
            assert!(
                report.findings().is_empty(),
                "{file}: {:#?}",
                report.findings()
            );
        } else if number == 31 {
            // An aggregator's view: its own `_meta` key passes the schema, semantic and
            // package rules, but the publish API refuses any key but publisher-provided.
            let codes: Vec<_> = report
                .findings()
                .iter()
                .map(|f| (f.path(), f.code()))
                .collect();
            assert_eq!(
                codes,
                [(
                    "/_meta/com.example.subregistry~1custom",
                    "meta-key-not-allowed"
                )]
            );
        } else {
            // The OpenAPI publish examples lack `$schema` and a package transport.
            let codes: Vec<_> = report.errors().map(|f| (f.path(), f.code())).collect();
            assert!(
                codes.contains(&("/$schema", "schema-field-required")),
                "{file}: {codes:?}"
            );
            assert!(
                codes.contains(&("/packages/0/transport", "required")),
                "{file}: {codes:?}"
            );
        }
    }
}

#[test]
fn current_seed_entries_are_valid() {
    let Some(dir) = spec_dir() else { return };
    let entries = seed(&dir, "seed.json");
    assert_eq!(entries.len(), 4);
    for (i, value) in entries.iter().enumerate() {
        let document = round_trip(&format!("seed.json[{i}]"), value);
        let report = validate(&document);
        assert!(
            report.findings().is_empty(),
            "seed.json[{i}]: {:#?}",
            report.findings()
        );
    }
}

#[test]
fn legacy_seed_round_trips_and_fails_todays_rules_for_the_known_reasons() {
    let Some(dir) = spec_dir() else { return };
    let entries = seed(&dir, "seed.b21c6f5.json");
    assert_eq!(entries.len(), 358);
    let count = |code: &str, path_suffix: &str, reports: &[mcp_registry_types::Report]| {
        reports
            .iter()
            .filter(|r| {
                r.findings()
                    .iter()
                    .any(|f| f.code() == code && f.path().ends_with(path_suffix))
            })
            .count()
    };
    let reports: Vec<_> = entries
        .iter()
        .enumerate()
        .map(|(i, value)| validate(&round_trip(&format!("seed.b21c6f5.json[{i}]"), value)))
        .collect();
    // No `$schema` anywhere: every entry is refused today.
    assert!(reports.iter().all(|r| !r.is_valid()));
    assert_eq!(count("schema-field-required", "/$schema", &reports), 358);
    // The figures SOURCES.md gives for this file.
    assert_eq!(count("max-length", "/description", &reports), 78);
    assert_eq!(count("min-length", "/description", &reports), 65);
    let oci_with_base_url = entries
        .iter()
        .flat_map(|e| e["packages"].as_array().into_iter().flatten())
        .filter(|p| p["registryType"] == "oci" && p.get("registryBaseUrl").is_some())
        .count();
    assert_eq!(oci_with_base_url, 88);
    let flagged: usize = reports
        .iter()
        .map(|r| {
            r.findings()
                .iter()
                .filter(|f| f.code() == "registry-base-url-forbidden")
                .count()
        })
        .sum();
    assert_eq!(flagged, 88);
}

#[test]
fn api_payloads_round_trip_with_official_metadata() {
    let Some(dir) = spec_dir() else { return };
    let servers: Vec<Value> = seed(&dir, "seed.json")
        .into_iter()
        .enumerate()
        .map(|(i, server)| {
            serde_json::json!({
                "server": server,
                "_meta": {
                    "io.modelcontextprotocol.registry/official": {
                        "status": "active",
                        "statusChangedAt": "2025-12-12T10:00:00.123456Z",
                        "publishedAt": "2025-12-12T10:00:00.123456Z",
                        "updatedAt": "2025-12-12T10:00:00.123456Z",
                        "isLatest": i != 0
                    },
                    "com.example.subregistry/custom": {"stars": 7}
                }
            })
        })
        .collect();
    let page = serde_json::json!({"servers": servers, "metadata": {"nextCursor": "io.github.x/y:1.0.0", "count": 4}});
    let list: ServerList = serde_json::from_value(page.clone()).unwrap();
    assert_eq!(serde_json::to_value(&list).unwrap(), page);
    assert_eq!(list.next_cursor(), Some("io.github.x/y:1.0.0"));
    let first: ServerResponse = serde_json::from_value(page["servers"][0].clone()).unwrap();
    assert!(!first.official().unwrap().is_latest());
}

/// The default reader (with the `fast-json` feature) and `serde_json` alone, which is the
/// reader without the feature, give the same documents and the same reports for every real
/// document, compact and pretty-printed, alone and in a list page with registry metadata.
#[test]
fn the_fast_reader_and_serde_json_alone_give_the_same_results() {
    let Some(dir) = spec_dir() else { return };
    let documents: Vec<Value> = examples(&dir)
        .into_iter()
        .map(|(_, value)| value)
        .chain(seed(&dir, "seed.json"))
        .chain(seed(&dir, "seed.b21c6f5.json"))
        .collect();
    for value in &documents {
        for bytes in [
            serde_json::to_vec(value).unwrap(),
            serde_json::to_vec_pretty(value).unwrap(),
        ] {
            let ours = ServerJson::from_slice(&bytes).unwrap();
            let plain: ServerJson = parse_with_serde_json(&bytes).unwrap();
            assert_eq!(ours, plain, "{value}");
            assert_eq!(validate(&ours), validate(&plain), "{value}");
        }
    }
    let servers: Vec<Value> = documents
        .iter()
        .map(|server| {
            serde_json::json!({"server": server, "_meta": {
                "io.modelcontextprotocol.registry/official": {
                    "status": "active", "publishedAt": "2025-12-12T10:00:00.123456Z", "isLatest": true},
                "io.modelcontextprotocol.registry/publisher-provided": {"tool": "<x>", "n": [1, -2]}}})
        })
        .collect();
    let page = serde_json::json!({"servers": servers, "metadata": {"count": documents.len()}});
    for bytes in [
        serde_json::to_vec(&page).unwrap(),
        serde_json::to_vec_pretty(&page).unwrap(),
    ] {
        let ours = ServerList::from_slice(&bytes).unwrap();
        let plain: ServerList = parse_with_serde_json(&bytes).unwrap();
        assert_eq!(ours, plain);
        let reports = |list: &ServerList| -> Vec<_> {
            list.servers()
                .iter()
                .map(|r| validate(r.server()))
                .collect()
        };
        assert_eq!(reports(&ours), reports(&plain));
    }
}

/// The JSON Schema layer agrees with the official schema files, run by the `jsonschema` crate,
/// on every real document, under every schema version.
#[test]
fn json_schema_layer_matches_the_official_schemas() {
    let Some(dir) = spec_dir() else { return };
    let mut documents: Vec<(String, Value)> = examples(&dir);
    documents.extend(
        seed(&dir, "seed.json")
            .into_iter()
            .enumerate()
            .map(|(i, v)| (format!("seed[{i}]"), v)),
    );
    documents.extend(
        seed(&dir, "seed.b21c6f5.json")
            .into_iter()
            .enumerate()
            .map(|(i, v)| (format!("legacy[{i}]"), v)),
    );
    for version in SchemaVersion::ALL {
        let file = match version {
            SchemaVersion::Draft => dir.join("schemas/draft/server.schema.json"),
            other => dir.join(format!("schemas/{}.json", other.id())),
        };
        let schema = read_json(&file);
        let official = jsonschema::options()
            .with_draft(jsonschema::Draft::Draft7)
            // `format: uri` differs on purpose: the registry decides it with Go's `url.Parse`
            // (which takes `{var}` in a path), the crate with RFC 3986; the unit tests of
            // `is_absolute_uri` pin the Go behaviour instead.
            .should_validate_formats(false)
            .build(&schema)
            .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let ours = Validator::new()
            .with_layers(&[ValidationLayer::JsonSchema])
            .with_json_schema_version(version);
        let mut disagreements = Vec::new();
        for (label, value) in &documents {
            let document: ServerJson = serde_json::from_value(value.clone()).unwrap();
            let report = ours.validate(&document);
            let our_valid = report.errors().all(|f| f.code() == "format");
            let official_valid = official.is_valid(value);
            if our_valid != official_valid {
                disagreements.push(format!(
                    "{label}: ours {:?}, official {:?}",
                    report.errors().map(ToString::to_string).collect::<Vec<_>>(),
                    official
                        .iter_errors(value)
                        .map(|e| e.to_string())
                        .collect::<Vec<_>>()
                ));
            }
        }
        assert!(
            disagreements.is_empty(),
            "schema {version}:\n{}",
            disagreements.join("\n")
        );
    }
}

/// The derived JSON Schema of `ServerJson` has the official schema's properties, types and
/// required lists.
#[test]
fn derived_schema_matches_the_official_schema() {
    let Some(dir) = spec_dir() else { return };
    let official = read_json(&dir.join("schemas/2025-12-11.json"));
    let ours = serde_json::to_value(schemars::schema_for!(ServerJson)).unwrap();
    let official_detail = &official["definitions"]["ServerDetail"];
    compare_object_schema("ServerDetail", official_detail, &ours, &official, &ours);
}

fn resolve<'a>(node: &'a Value, root: &'a Value) -> &'a Value {
    // Ours writes `Option<T>` as `anyOf: [T, null]`: look through it.
    if let Some(branches) = node.get("anyOf").and_then(Value::as_array) {
        let non_null: Vec<_> = branches
            .iter()
            .filter(|b| b.get("type") != Some(&Value::from("null")))
            .collect();
        if let [only] = non_null.as_slice()
            && non_null.len() < branches.len()
        {
            return resolve(only, root);
        }
    }
    match node.get("$ref").and_then(Value::as_str) {
        Some(reference) => {
            let pointer = reference.trim_start_matches('#');
            resolve(
                root.pointer(pointer)
                    .unwrap_or_else(|| panic!("unresolved {reference}")),
                root,
            )
        }
        None => node,
    }
}

/// Properties of an object schema, following `allOf` and (for ours) `$ref`.
fn properties(node: &Value, root: &Value) -> serde_json::Map<String, Value> {
    let node = resolve(node, root);
    let mut out = node
        .get("properties")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    for key in ["allOf", "anyOf"] {
        for part in node
            .get(key)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            out.extend(properties(part, root));
        }
    }
    out
}

fn required(node: &Value, root: &Value) -> Vec<String> {
    let node = resolve(node, root);
    let mut out: Vec<String> = node
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_str().map(str::to_owned))
        .collect();
    for part in node
        .get("allOf")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        out.extend(required(part, root));
    }
    // A property is required by `anyOf` when every branch requires it.
    if let Some(branches) = node.get("anyOf").and_then(Value::as_array) {
        let mut sets = branches.iter().map(|b| required(b, root));
        if let Some(first) = sets.next() {
            let common: Vec<String> = sets.fold(first, |acc, set| {
                acc.into_iter().filter(|k| set.contains(k)).collect()
            });
            out.extend(common);
        }
    }
    out.sort();
    out.dedup();
    out
}

fn schema_type(node: &Value, root: &Value) -> Option<String> {
    let node = resolve(node, root);
    match node.get("type") {
        Some(Value::String(t)) => Some(t.clone()),
        // Ours writes `Option<T>` as `["T", "null"]`.
        Some(Value::Array(types)) => types
            .iter()
            .filter_map(Value::as_str)
            .find(|t| *t != "null")
            .map(str::to_owned),
        _ => node
            .get("anyOf")
            .or(node.get("allOf"))
            .map(|_| "object".to_owned()),
    }
}

fn compare_object_schema(
    label: &str,
    official: &Value,
    ours: &Value,
    official_root: &Value,
    ours_root: &Value,
) {
    let theirs = properties(official, official_root);
    let mine = properties(ours, ours_root);
    let mut their_keys: Vec<_> = theirs.keys().collect();
    let mut my_keys: Vec<_> = mine.keys().collect();
    their_keys.sort();
    my_keys.sort();
    assert_eq!(my_keys, their_keys, "{label}: properties differ");
    assert_eq!(
        required(ours, ours_root),
        required(official, official_root),
        "{label}: required differs"
    );
    for (key, their_property) in &theirs {
        let my_property = &mine[key];
        if key == "transport" || key == "remotes" {
            // One `Transport` type serves both contexts, as in the registry's Go model: it
            // has the union of the local and remote properties and requires only `type`.
            let union = serde_json::json!({"anyOf": [
                {"$ref": "#/definitions/LocalTransport"},
                {"$ref": "#/definitions/RemoteTransport"}
            ]});
            let my_transport = if key == "remotes" {
                resolve(my_property, ours_root).get("items").unwrap()
            } else {
                my_property
            };
            compare_object_schema(
                &format!("{label}.{key}"),
                &union,
                my_transport,
                official_root,
                ours_root,
            );
            continue;
        }
        let their_type = schema_type(their_property, official_root);
        let my_type = schema_type(my_property, ours_root);
        assert_eq!(my_type, their_type, "{label}.{key}: type differs");
        if their_type.as_deref() == Some("array") {
            let their_items = &their_property["items"];
            let my_items = resolve(my_property, ours_root)
                .get("items")
                .unwrap_or(&Value::Null);
            if schema_type(their_items, official_root).as_deref() == Some("object") {
                compare_object_schema(
                    &format!("{label}.{key}[]"),
                    their_items,
                    my_items,
                    official_root,
                    ours_root,
                );
            }
        } else if their_type.as_deref() == Some("object") && key != "_meta" {
            compare_object_schema(
                &format!("{label}.{key}"),
                their_property,
                my_property,
                official_root,
                ours_root,
            );
        }
    }
}
