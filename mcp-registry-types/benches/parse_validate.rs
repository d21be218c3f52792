//! Typed parse + full validation, side by side with (a) a `serde_json::Value` parse of the same
//! bytes and (b) the `jsonschema` crate validating the same documents against the official
//! schema (parse included, so every column starts from bytes). Our own columns come twice: as
//! built (the default `fast-json` reader first) and with `serde_json` alone, which is what a
//! build without the feature does (through the crate's internal `fuzzing` module, which the
//! benchmark's dev-dependency on the crate switches on). List pages are also
//! written back to bytes, typed and as a `Value`.
//!
//! Reads the official data from `$MCP_REGISTRY_SPEC_DIR` (default `../shared/registry-spec`
//! from the workspace root): `cargo bench -p mcp-registry-types`.
#![expect(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    reason = "a benchmark fails loudly on missing or malformed data"
)]

use std::hint::black_box;
use std::path::{Path, PathBuf};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use mcp_registry_types::fuzzing::parse_with_serde_json;
use mcp_registry_types::{ServerJson, ServerList, validate};
use serde_json::{Value, json};

fn spec_dir() -> PathBuf {
    let dir = std::env::var_os("MCP_REGISTRY_SPEC_DIR")
        .unwrap_or_else(|| "../shared/registry-spec".into());
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(dir);
    assert!(
        dir.is_dir(),
        "set MCP_REGISTRY_SPEC_DIR to the registry-spec folder ({} is missing)",
        dir.display()
    );
    dir
}

fn read(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

/// A page of 100 real server versions (seed data, current and legacy) in the API's shape:
/// most of them break today's rules, so validation reports findings.
fn legacy_page(dir: &Path) -> Vec<u8> {
    let current: Vec<Value> = serde_json::from_value(read(&dir.join("seed.json"))).unwrap();
    let legacy: Vec<Value> = serde_json::from_value(read(&dir.join("seed.b21c6f5.json"))).unwrap();
    page(current.into_iter().chain(legacy).take(100))
}

/// A page of 100 valid documents: the official examples 01–30 and the current seed, cycled.
/// Nothing fails, so jsonschema cannot stop early.
fn valid_page(dir: &Path) -> Vec<u8> {
    let mut documents: Vec<Value> = valid_examples(dir)
        .iter()
        .map(|(_, bytes)| serde_json::from_slice(bytes).unwrap())
        .collect();
    let current: Vec<Value> = serde_json::from_value(read(&dir.join("seed.json"))).unwrap();
    documents.extend(current);
    page(documents.into_iter().cycle().take(100))
}

fn page(servers: impl Iterator<Item = Value>) -> Vec<u8> {
    let servers: Vec<Value> = servers
        .map(|server| {
            json!({"server": server, "_meta": {"io.modelcontextprotocol.registry/official": {
                "status": "active", "statusChangedAt": "2025-12-12T10:00:00.123456Z",
                "publishedAt": "2025-12-12T10:00:00.123456Z", "updatedAt": "2025-12-12T10:00:00.123456Z",
                "isLatest": true}}})
        })
        .collect();
    serde_json::to_vec(
        &json!({"servers": servers, "metadata": {"nextCursor": "x:1", "count": 100}}),
    )
    .unwrap()
}

/// Our columns with `serde_json` alone (what a build without `fast-json` does).
const SERDE_JSON_ONLY: &str = "mcp-registry-types, serde_json only";

fn bench(c: &mut Criterion) {
    if !cfg!(feature = "fast-json") {
        eprintln!("built without `fast-json`: both of our columns read with serde_json alone");
    }
    let dir = spec_dir();
    let schema = read(&dir.join("schemas/2025-12-11.json"));
    let official = jsonschema::options()
        .with_draft(jsonschema::Draft::Draft7)
        .should_validate_formats(true)
        .build(&schema)
        .unwrap();

    for (name, page) in [
        ("list page of 100 servers (legacy seed)", legacy_page(&dir)),
        (
            "list page of 100 servers (valid documents)",
            valid_page(&dir),
        ),
    ] {
        bench_page(c, &official, name, &page);
    }

    // Every valid official example, one document at a time: fixed costs weigh most here.
    for (number, bytes) in valid_examples(&dir) {
        let mut group = c.benchmark_group(format!("single document {number}"));
        group.throughput(Throughput::Bytes(bytes.len() as u64));
        group.bench_function("mcp-registry-types: typed parse + validate", |b| {
            b.iter(|| validate(&ServerJson::from_slice(black_box(&bytes)).unwrap()).is_valid());
        });
        group.bench_function(format!("{SERDE_JSON_ONLY}: typed parse + validate"), |b| {
            b.iter(|| {
                let document: ServerJson = parse_with_serde_json(black_box(&bytes)).unwrap();
                validate(&document).is_valid()
            });
        });
        group.bench_function("serde_json::Value parse", |b| {
            b.iter(|| serde_json::from_slice::<Value>(black_box(&bytes)).unwrap());
        });
        group.bench_function("jsonschema: Value parse + validate", |b| {
            b.iter(|| {
                official.is_valid(&serde_json::from_slice::<Value>(black_box(&bytes)).unwrap())
            });
        });
        group.finish();
    }
}

/// The official examples 01–30 (the valid ones), by number, as their bytes.
fn valid_examples(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut examples: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir.join("examples"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter_map(|path| {
            let name = path.file_name()?.to_string_lossy().into_owned();
            let number = name.get(..2)?.to_owned();
            (number.as_str() < "31").then(|| (number, std::fs::read(&path).unwrap()))
        })
        .collect();
    examples.sort();
    examples
}

/// One list page, side by side.
fn bench_page(c: &mut Criterion, official: &jsonschema::Validator, name: &str, page: &[u8]) {
    let mut group = c.benchmark_group(name);
    group.throughput(Throughput::Bytes(page.len() as u64));
    let findings = |list: ServerList| {
        list.servers()
            .iter()
            .map(|r| validate(r.server()).findings().len())
            .sum::<usize>()
    };
    group.bench_function("mcp-registry-types: typed parse + validate", |b| {
        b.iter(|| findings(ServerList::from_slice(black_box(page)).unwrap()));
    });
    group.bench_function(format!("{SERDE_JSON_ONLY}: typed parse + validate"), |b| {
        b.iter(|| findings(parse_with_serde_json(black_box(page)).unwrap()));
    });
    group.bench_function("mcp-registry-types: typed parse", |b| {
        b.iter(|| ServerList::from_slice(black_box(page)).unwrap());
    });
    group.bench_function(format!("{SERDE_JSON_ONLY}: typed parse"), |b| {
        b.iter(|| parse_with_serde_json::<ServerList>(black_box(page)).unwrap());
    });
    // Writing: the typed page back to bytes, beside the same for a `Value` tree.
    let list = ServerList::from_slice(page).unwrap();
    group.bench_function("mcp-registry-types: serialize", |b| {
        b.iter(|| serde_json::to_vec(black_box(&list)).unwrap());
    });
    let value: Value = serde_json::from_slice(page).unwrap();
    group.bench_function("serde_json::Value serialize", |b| {
        b.iter(|| serde_json::to_vec(black_box(&value)).unwrap());
    });
    group.bench_function("serde_json::Value parse", |b| {
        b.iter(|| serde_json::from_slice::<Value>(black_box(page)).unwrap());
    });
    group.bench_function("jsonschema: Value parse + validate", |b| {
        b.iter(|| {
            let value: Value = serde_json::from_slice(black_box(page)).unwrap();
            value["servers"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|r| official.is_valid(&r["server"]))
                .count()
        });
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
