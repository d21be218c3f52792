//! One unit of work per run, for counting instructions under callgrind (repeatable whatever
//! the machine's load, unlike wall-clock time):
//!
//! ```sh
//! cargo build --release -p mcp-registry-types --example instruction_counts
//! valgrind --tool=callgrind target/release/examples/instruction_counts typed-validate legacy
//! ```
//!
//! Modes: `baseline` (setup only), `typed`, `typed-validate`, the same two with `serde_json`
//! alone (`typed-serde`, `typed-validate-serde`: what a build without the `fast-json` feature
//! does), `value`, `jsonschema` (parse + every error), `jsonschema-valid` (parse + `is_valid`,
//! which may stop at the first error); inputs: `legacy` (the first 100 seed entries, mostly
//! invalid today), `valid` (the valid examples and current seed, cycled to 100), or a single
//! example document by its number (`10`, `24`). Subtract `baseline` and divide by the 20
//! repetitions (pages) or 2,000 (single documents). Reads `$MCP_REGISTRY_SPEC_DIR` (default
//! `../shared/registry-spec`).
#![expect(
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "a benchmark fails loudly on missing or malformed data"
)]

use std::hint::black_box;
use std::path::Path;

use mcp_registry_types::fuzzing::parse_with_serde_json;
use mcp_registry_types::{ServerJson, ServerList, validate};
use serde_json::{Value, json};

fn main() {
    let dir = std::env::var_os("MCP_REGISTRY_SPEC_DIR")
        .unwrap_or_else(|| "../shared/registry-spec".into());
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(dir);
    let read = |p: &Path| -> Value {
        serde_json::from_slice(&std::fs::read(p).expect("spec file")).expect("json")
    };
    let mut args = std::env::args().skip(1);
    let mode = args.next().unwrap_or_default();
    let which = args.next().unwrap_or_else(|| "legacy".to_owned());

    let schema = read(&dir.join("schemas/2025-12-11.json"));
    let official = jsonschema::options()
        .with_draft(jsonschema::Draft::Draft7)
        .should_validate_formats(true)
        .build(&schema)
        .expect("schema");
    if which.bytes().all(|b| b.is_ascii_digit()) {
        single(&dir, &which, &mode, &official);
        return;
    }

    let current: Vec<Value> = serde_json::from_value(read(&dir.join("seed.json"))).expect("array");
    let documents: Vec<Value> = if which == "valid" {
        let mut paths: Vec<_> = std::fs::read_dir(dir.join("examples"))
            .expect("examples")
            .map(|e| e.expect("entry").path())
            .filter(|p| {
                p.file_name()
                    .is_some_and(|n| n.to_string_lossy().as_ref() < "31")
            })
            .collect();
        paths.sort();
        let mut docs: Vec<Value> = paths.iter().map(|p| read(p)).collect();
        docs.extend(current);
        docs.into_iter().cycle().take(100).collect()
    } else {
        let legacy: Vec<Value> =
            serde_json::from_value(read(&dir.join("seed.b21c6f5.json"))).expect("array");
        current.into_iter().chain(legacy).take(100).collect()
    };
    let servers: Vec<Value> = documents
        .into_iter()
        .map(|s| {
            json!({"server": s, "_meta": {"io.modelcontextprotocol.registry/official": {
            "status": "active", "publishedAt": "2025-12-12T10:00:00.123456Z", "isLatest": true}}})
        })
        .collect();
    let page = serde_json::to_vec(&json!({"servers": servers})).expect("page");

    for _ in 0..20 {
        match mode.as_str() {
            "typed" => {
                black_box(ServerList::from_slice(&page).expect("page"));
            }
            "typed-validate" => {
                let list = ServerList::from_slice(&page).expect("page");
                black_box(
                    list.servers()
                        .iter()
                        .map(|r| validate(r.server()).findings().len())
                        .sum::<usize>(),
                );
            }
            "typed-serde" => {
                black_box(parse_with_serde_json::<ServerList>(&page).expect("page"));
            }
            "typed-validate-serde" => {
                let list: ServerList = parse_with_serde_json(&page).expect("page");
                black_box(
                    list.servers()
                        .iter()
                        .map(|r| validate(r.server()).findings().len())
                        .sum::<usize>(),
                );
            }
            "value" => {
                black_box(serde_json::from_slice::<Value>(&page).expect("page"));
            }
            "jsonschema" => {
                let value: Value = serde_json::from_slice(&page).expect("page");
                let servers = value["servers"].as_array().expect("servers");
                black_box(
                    servers
                        .iter()
                        .map(|r| official.iter_errors(&r["server"]).count())
                        .sum::<usize>(),
                );
            }
            "jsonschema-valid" => {
                let value: Value = serde_json::from_slice(&page).expect("page");
                let servers = value["servers"].as_array().expect("servers");
                black_box(
                    servers
                        .iter()
                        .filter(|r| official.is_valid(&r["server"]))
                        .count(),
                );
            }
            _ => {}
        }
    }
}

/// 2,000 parses (and validations) of one example document.
fn single(dir: &Path, number: &str, mode: &str, official: &jsonschema::Validator) {
    let path = std::fs::read_dir(dir.join("examples"))
        .expect("examples")
        .map(|e| e.expect("entry").path())
        .find(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with(number))
        })
        .expect("example");
    let bytes = std::fs::read(path).expect("example");
    for _ in 0..2000 {
        match mode {
            "typed" => {
                black_box(ServerJson::from_slice(&bytes).expect("document"));
            }
            "typed-validate" => {
                let document = ServerJson::from_slice(&bytes).expect("document");
                black_box(validate(&document).findings().len());
            }
            "typed-serde" => {
                black_box(parse_with_serde_json::<ServerJson>(&bytes).expect("document"));
            }
            "typed-validate-serde" => {
                let document: ServerJson = parse_with_serde_json(&bytes).expect("document");
                black_box(validate(&document).findings().len());
            }
            "value" => {
                black_box(serde_json::from_slice::<Value>(&bytes).expect("document"));
            }
            "jsonschema" => {
                let value: Value = serde_json::from_slice(&bytes).expect("document");
                black_box(official.iter_errors(&value).count());
            }
            "jsonschema-valid" => {
                let value: Value = serde_json::from_slice(&bytes).expect("document");
                black_box(official.is_valid(&value));
            }
            _ => {}
        }
    }
}
