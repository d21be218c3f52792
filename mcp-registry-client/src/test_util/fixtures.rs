//! Registry data for tests, in the shape the official registry serves.

use serde_json::{Value, json};

/// Thirteen server versions (`ServerResponse` JSON) chosen to exercise filters and quirks:
///
/// | name | what it shows |
/// |---|---|
/// | `io.github.acme/weather` 1.0.0, 1.2.0 | two versions, only 1.2.0 `isLatest`; npm, no config |
/// | `com.example/build-meta` `1.0.0+20130313144700` | a `+` that must be encoded as `%2B` |
/// | `com.example/remote-search` | remote only, a required secret header |
/// | `com.example/remote-open` | remote only (SSE), nothing to configure |
/// | `io.github.acme/notes` | npm and OCI packages that need a secret env var |
/// | `io.github.acme/hybrid` | a `PyPI` package (optional env var) and a remote |
/// | `io.github.acme/crab` | a `cargo` package, a registry type the spec does not list |
/// | `io.github.acme/legacy-tool` | status `deprecated` |
/// | `io.github.acme/removed-tool` | status `deleted` (a tombstone) |
/// | `io.github.acme/stale-schema` | a stale `$schema` (2025-07-09) |
/// | `io.github.acme/too-wordy` | invalid against its own schema (description over 100 chars) |
/// | `org.subregistry/no-meta` | no `_meta`, as sub-registries may serve |
///
/// Sorted by name then version, as the registry orders them.
pub fn sample() -> Vec<Value> {
    // The file is part of the crate and checked by its tests; an empty list is the only
    // non-panicking answer if it were ever broken.
    serde_json::from_str::<Vec<Value>>(include_str!("fixtures.json")).unwrap_or_default()
}

/// `count` distinct active servers, one version each, named `io.github.bench/server-NNNNNN`,
/// each with an npm package and a remote, about 1 KB of JSON apiece.
pub fn generated(count: usize) -> Vec<Value> {
    (0..count)
        .map(|i| {
            let name = format!("io.github.bench/server-{i:06}");
            let published = format!("2025-10-{:02}T{:02}:{:02}:00.000000Z", 1 + i % 28, i / 60 % 24, i % 60);
            json!({
                "server": {
                    "$schema": "https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json",
                    "name": name,
                    "description": format!("Generated benchmark server number {i}."),
                    "repository": { "url": format!("https://github.com/bench/server-{i}"), "source": "github" },
                    "version": "1.0.0",
                    "packages": [{
                        "registryType": "npm",
                        "identifier": format!("@bench/server-{i}"),
                        "version": "1.0.0",
                        "runtimeHint": "npx",
                        "transport": { "type": "stdio" },
                        "environmentVariables": [{
                            "name": "BENCH_TOKEN",
                            "description": "Token for the benchmark service.",
                            "isRequired": i % 2 == 0,
                            "isSecret": true
                        }]
                    }],
                    "remotes": [{ "type": "streamable-http", "url": format!("https://bench.example.com/{i}/mcp") }]
                },
                "_meta": {
                    "io.modelcontextprotocol.registry/official": {
                        "status": "active",
                        "statusChangedAt": published,
                        "publishedAt": published,
                        "updatedAt": published,
                        "isLatest": true
                    }
                }
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sample_parses_and_is_sorted() {
        let servers = sample();
        assert_eq!(servers.len(), 13);
        let keys: Vec<(String, String)> = servers
            .iter()
            .map(|s| {
                (
                    s["server"]["name"].as_str().unwrap().to_owned(),
                    s["server"]["version"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        let mut sorted = keys.clone();
        sorted.sort();
        assert_eq!(keys, sorted);
    }

    #[test]
    fn generated_servers_are_distinct() {
        let servers = generated(3);
        assert_eq!(
            servers[2]["server"]["name"],
            "io.github.bench/server-000002"
        );
    }
}
