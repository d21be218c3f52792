//! The sample catalog built into the tool agrees with the entries it is made from
//! (`examples/data/catalog/servers.json`), and covers what it claims to.
//!
//! `UPDATE_SNAPSHOT=1 cargo test -p mcp-registry-examples --test bundled_catalog` rebuilds
//! `bundled.snapshot` after an edit of `servers.json`.

#![expect(
    clippy::unwrap_used,
    clippy::string_slice,
    reason = "tests fail by panicking; clippy.toml's test allowances reach only #[test] functions"
)]

use std::collections::BTreeSet;
use std::path::Path;

mod util;

use mcp_registry_client::catalog::{Catalog, encode};
use mcp_registry_client::types::{ServerResponse, Status, Timestamp, TransportType};
use mcp_registry_examples::bundled;

/// When the sample was "synced": fixed, so the snapshot is the same on every machine.
const SYNCED_AT: &str = "2025-12-01T00:00:00Z";

fn data() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/data/catalog"))
}

fn entries() -> Vec<ServerResponse> {
    let text = std::fs::read(data().join("servers.json")).unwrap();
    serde_json::from_slice(&text).unwrap()
}

/// The catalog `servers.json` makes.
fn built() -> Catalog {
    let at: Timestamp = SYNCED_AT.parse().unwrap();
    let mut catalog = Catalog::new();
    catalog.add_source(bundled::SOURCE);
    for entry in entries() {
        catalog.upsert(bundled::SOURCE, &entry, at).unwrap();
    }
    catalog
        .source_mut(bundled::SOURCE)
        .unwrap()
        .complete(at, at);
    catalog
}

#[test]
fn the_shipped_snapshot_is_what_servers_json_makes() {
    let expected = built();
    if std::env::var_os("UPDATE_SNAPSHOT").is_some() {
        std::fs::write(data().join("bundled.snapshot"), encode(&expected).unwrap()).unwrap();
    }
    let shipped = bundled::catalog().unwrap();
    assert!(
        shipped == expected,
        "bundled.snapshot is stale: rerun with UPDATE_SNAPSHOT=1"
    );
}

#[test]
fn every_entry_is_valid_as_the_official_registry_judges() {
    for entry in entries() {
        let report = mcp_registry_client::types::validate(entry.server());
        assert!(
            report.is_valid(),
            "{}: {:?}",
            entry.server().name(),
            report.findings()
        );
    }
}

#[test]
fn the_sample_covers_every_package_type_transport_status_and_input_kind() {
    let entries = entries();
    let packages: Vec<_> = entries
        .iter()
        .flat_map(|entry| entry.server().packages())
        .collect();
    let types: BTreeSet<String> = packages
        .iter()
        .filter_map(|package| package.registry_type().map(ToString::to_string))
        .collect();
    assert_eq!(
        types,
        ["cargo", "mcpb", "npm", "nuget", "oci", "pypi"]
            .map(str::to_owned)
            .into()
    );
    let transports: BTreeSet<String> = packages
        .iter()
        .filter_map(|package| package.transport())
        .chain(entries.iter().flat_map(|entry| entry.server().remotes()))
        .filter_map(|transport| transport.transport_type().map(TransportType::to_string))
        .collect();
    assert_eq!(
        transports,
        ["sse", "stdio", "streamable-http"]
            .map(str::to_owned)
            .into()
    );
    let statuses: BTreeSet<String> = entries
        .iter()
        .map(|entry| entry.status().to_string())
        .collect();
    assert_eq!(
        statuses,
        [Status::Active, Status::Deleted, Status::Deprecated]
            .map(|status| status.to_string())
            .into()
    );
    let text = std::fs::read_to_string(data().join("servers.json")).unwrap();
    for kind in [
        "\"isSecret\"",
        "\"choices\"",
        "\"format\": \"number\"",
        "\"format\": \"boolean\"",
        "\"format\": \"filepath\"",
        "\"isRepeated\"",
        "\"variables\"",
        "\"headers\"",
        "\"type\": \"positional\"",
        "\"type\": \"named\"",
        "\"runtimeArguments\"",
        "\"default\"",
    ] {
        assert!(text.contains(kind), "no input uses {kind}");
    }
}

/// Without `--registry` or `--snapshot`, the registry commands read the bundled sample
/// offline, and say so on standard error.
#[test]
fn registry_commands_read_the_sample_when_given_no_source() {
    let (code, out, err) = util::run_cli(&["search", "github"]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains(bundled::NOTICE), "{err}");
    let first = out.lines().next().unwrap();
    assert!(first.starts_with("io.github.octo-tools/github  "), "{out}");
    // An aligned table: every row's second column starts at the same place.
    let starts: BTreeSet<usize> = out
        .lines()
        .map(|line| {
            line.find("  ").unwrap() + line[line.find("  ").unwrap()..].find(|c| c != ' ').unwrap()
        })
        .collect();
    assert_eq!(starts.len(), 1, "{out}");

    let (code, out, err) = util::run_cli(&["versions", "io.github.translate-hub/translator"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.lines().count(), 3, "{out}");
    assert!(out.lines().next().unwrap().ends_with("latest"), "{out}");

    let (code, out, err) = util::run_cli(&["show", "io.github.nope/missing"]);
    assert_eq!((code, out.as_str()), (1, ""));
    assert!(
        err.contains("not found in the bundled sample catalog"),
        "{err}"
    );
}
