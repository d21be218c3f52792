//! Host config files through the public API: one golden file per host and plan (refusals
//! recorded as `.err`), export → import round trips, merges that keep other entries and
//! comments, refusals with their full text, moving a setup between hosts, and a property test
//! that reading a file never panics.
//!
//! `UPDATE_GOLDEN=1 cargo test -p mcp-registry-types --test host` rewrites the golden files.
#![expect(
    clippy::panic,
    clippy::unwrap_used,
    reason = "tests fail by panicking; clippy.toml's test allowances reach only #[test] functions"
)]

use std::fs;
use std::path::{Path, PathBuf};

use mcp_registry_types::ServerJson;
use mcp_registry_types::fuzzing::check_host_config;
use mcp_registry_types::host::{
    self, Endpoint, ExpandError, ExportError, ExportOptions, Host, ImportError, ReferenceKind,
};
use mcp_registry_types::plan::{self, Answers, Plan, Target};
use proptest::prelude::*;
use serde_json::{Value, json};

const KEY: &str = "weather";
const SHA: &str = "fe3306ac5d8f0e8f30ad1d7b06b4ff5c6bbf9fd4e0e0a3c12a37d0c2d6f0c9a1";

fn server(packages: &Value, remotes: &Value) -> ServerJson {
    let doc = json!({
        "$schema": "https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json",
        "name": "io.github.acme/weather",
        "description": "Weather",
        "version": "1.0.0",
        "packages": packages,
        "remotes": remotes,
    });
    serde_json::to_string(&doc).unwrap().parse().unwrap()
}

/// The plans every host is tried on, by case name.
fn cases() -> Vec<(&'static str, Plan)> {
    let npm = server(
        &json!([{
            "registryType": "npm", "identifier": "@acme/weather", "version": "1.0.0",
            "transport": {"type": "stdio"},
            "packageArguments": [{"type": "named", "name": "--units", "default": "metric"}],
            "environmentVariables": [{
                "name": "API_KEY", "description": "Your Acme API key",
                "isRequired": true, "isSecret": true
            }]
        }]),
        &json!([]),
    );
    let remotes = server(
        &json!([]),
        &json!([
            {
                "type": "streamable-http", "url": "https://mcp.acme.dev/mcp",
                "headers": [
                    {
                        "name": "Authorization", "value": "Bearer {token}",
                        "variables": {"token": {
                            "description": "Your Acme token", "isRequired": true, "isSecret": true
                        }}
                    },
                    {"name": "X-Region", "value": "eu"}
                ]
            },
            {
                "type": "sse", "url": "https://mcp.acme.dev/sse",
                "headers": [{"name": "X-Api-Key", "isRequired": true, "isSecret": true}]
            }
        ]),
    );
    let oci = server(
        &json!([{
            "registryType": "oci", "identifier": "ghcr.io/acme/weather:1.0.0",
            "transport": {"type": "stdio"},
            "environmentVariables": [{"name": "LOG_LEVEL", "default": "info"}]
        }]),
        &json!([]),
    );
    let answers = Answers::new();
    vec![
        (
            "npm-secret",
            plan::plan_for_export(&npm, Target::Package(0), &answers).unwrap(),
        ),
        (
            "remote-http",
            plan::plan_for_export(&remotes, Target::Remote(0), &answers).unwrap(),
        ),
        (
            "remote-sse",
            plan::plan_for_export(&remotes, Target::Remote(1), &answers).unwrap(),
        ),
        (
            "oci-env",
            plan::plan_for_export(&oci, Target::Package(0), &answers).unwrap(),
        ),
    ]
}

fn plan_of(case: &str) -> Plan {
    cases()
        .into_iter()
        .find(|(name, _)| *name == case)
        .unwrap()
        .1
}

fn golden_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/host")
}

fn extension(host: Host) -> &'static str {
    if host == Host::Codex { "toml" } else { "json" }
}

/// Compares `actual` with the golden file `name`, or rewrites it under `UPDATE_GOLDEN=1`.
#[track_caller]
fn golden(name: &str, actual: &str) {
    let path = golden_dir().join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(&path, actual).unwrap();
        return;
    }
    let expected = fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (run with UPDATE_GOLDEN=1)", path.display()));
    assert_eq!(actual, expected, "{} differs", path.display());
}

/// The export of `case` for `host` with `options`, written to its golden file (`.err` with the
/// message for a refusal).
fn export_golden(host: Host, case: &str, suffix: &str, options: &ExportOptions) -> Option<String> {
    let result = host::export(host, KEY, &plan_of(case), options);
    match result {
        Ok(text) => {
            golden(&format!("{host}/{case}{suffix}.{}", extension(host)), &text);
            Some(text)
        }
        Err(e) => {
            golden(&format!("{host}/{case}{suffix}.err"), &format!("{e}\n"));
            None
        }
    }
}

#[test]
fn every_host_and_plan_matches_its_golden_file() {
    let mut written = 0;
    for host in Host::ALL {
        for (case, _) in cases() {
            written += usize::from(export_golden(host, case, "", &ExportOptions::new()).is_some());
        }
    }
    let lenient = ExportOptions::new()
        .with_placeholder_secrets(true)
        .with_stdio_bridge(true);
    for (case, _) in cases() {
        export_golden(Host::ClaudeDesktop, case, "-lenient", &lenient);
    }
    // Claude Desktop takes only the OCI plan without options, Codex refuses SSE.
    assert_eq!(written, 24 - 3 - 1);
}

/// The names each host writes for the secrets of each case.
fn expected_references(host: Host, case: &str) -> Vec<&'static str> {
    match (host, case) {
        (_, "oci-env") => vec![],
        (Host::VsCode, "npm-secret") => vec!["weather-api-key"],
        (Host::VsCode, "remote-http") => vec!["weather-token"],
        (Host::VsCode, "remote-sse") => vec!["weather-x-api-key"],
        (_, "npm-secret") => vec!["API_KEY"],
        (_, "remote-http") => vec!["TOKEN"],
        (_, "remote-sse") => vec!["X_API_KEY"],
        _ => unreachable!(),
    }
}

#[test]
fn export_then_import_gives_back_the_entry_with_its_references() {
    let lenient = ExportOptions::new()
        .with_placeholder_secrets(true)
        .with_stdio_bridge(true);
    let mut checked = 0;
    for host in Host::ALL {
        for (case, plan) in cases() {
            let Ok(text) = host::export(host, KEY, &plan, &lenient) else {
                continue;
            };
            let imported = host::import(host, &text).unwrap();
            assert_eq!(imported.len(), 1, "{host} {case}");
            let server = &imported[0];
            assert_eq!((server.key(), server.host()), (KEY, host));
            let names: Vec<_> = server
                .references()
                .iter()
                .map(|r| r.name().to_owned())
                .collect();
            assert_eq!(names, expected_references(host, case), "{host} {case}");
            let kinds: Vec<_> = server
                .references()
                .iter()
                .map(host::HostReference::kind)
                .collect();
            let kind = match host {
                Host::ClaudeDesktop => ReferenceKind::Placeholder,
                Host::VsCode => ReferenceKind::Input,
                _ => ReferenceKind::Env,
            };
            assert!(kinds.iter().all(|k| *k == kind), "{host} {case}: {kinds:?}");
            // What was read back writes the same file again.
            let again = host::export(host, KEY, &server.to_plan(), &lenient).unwrap();
            assert_eq!(again, text, "{host} {case}");
            // No secret is ever written in clear.
            assert!(
                server.suspected_clear_text_secrets().is_empty(),
                "{host} {case}"
            );
            checked += 1;
        }
    }
    assert_eq!(checked, 24 - 1);
}

#[test]
fn secret_values_given_by_the_user_are_never_written() {
    let npm = server(
        &json!([{
            "registryType": "npm", "identifier": "x", "version": "1.0.0",
            "transport": {"type": "stdio"},
            "environmentVariables": [{"name": "API_KEY", "isRequired": true, "isSecret": true}]
        }]),
        &json!([]),
    );
    let answers = Answers::new().with("API_KEY", "sk-live-123");
    let plan = plan::plan(&npm, Target::Package(0), &answers).unwrap();
    let lenient = ExportOptions::new().with_placeholder_secrets(true);
    for host in Host::ALL {
        let text = host::export(host, KEY, &plan, &lenient).unwrap();
        assert!(!text.contains("sk-live-123"), "{host}: {text}");
        let merged = host::merge(host, &text, "other", &plan, &lenient).unwrap();
        assert!(!merged.contains("sk-live-123"), "{host}: {merged}");
    }
}

#[test]
fn import_reads_packages_and_urls_back() {
    let text = host::export(
        Host::ClaudeCode,
        KEY,
        &plan_of("oci-env"),
        &ExportOptions::new(),
    )
    .unwrap();
    let server = &host::import(Host::ClaudeCode, &text).unwrap()[0];
    let package = server.package().unwrap();
    assert_eq!(
        (
            package.registry_type().as_str(),
            package.identifier(),
            package.version()
        ),
        ("oci", "ghcr.io/acme/weather", Some("1.0.0"))
    );
    let Endpoint::Launch { env, .. } = server.endpoint() else {
        panic!("not a launch")
    };
    assert_eq!(env, &[("LOG_LEVEL".to_owned(), "info".to_owned())]);

    let text = host::export(
        Host::Gemini,
        KEY,
        &plan_of("remote-sse"),
        &ExportOptions::new(),
    )
    .unwrap();
    let server = &host::import(Host::Gemini, &text).unwrap()[0];
    assert_eq!(server.remote_url(), Some("https://mcp.acme.dev/sse"));
    assert!(server.package().is_none());
    let Endpoint::Connect { transport, .. } = server.endpoint() else {
        panic!("not a connection")
    };
    assert_eq!(transport.as_str(), "sse");
}

#[test]
fn refusals_name_the_problem() {
    let options = ExportOptions::new();
    let refuse = |host: Host, case: &str| {
        host::export(host, KEY, &plan_of(case), &options)
            .unwrap_err()
            .to_string()
    };
    assert_eq!(
        refuse(Host::ClaudeDesktop, "remote-http"),
        "claude-desktop cannot connect to a remote server: it only launches local (stdio) \
         servers; export with the mcp-remote bridge, or choose a package"
    );
    assert_eq!(
        refuse(Host::Codex, "remote-sse"),
        "codex cannot connect over `sse`: only streamable-http is supported"
    );
    assert_eq!(
        refuse(Host::ClaudeDesktop, "npm-secret"),
        "claude-desktop cannot reference the secret `API_KEY`: it expands no variables in its \
         config file; export with placeholders and fill them in, or use another host"
    );

    let url = "https://github.com/acme/weather/releases/download/v1.0.0/weather.mcpb";
    let bundle = server(
        &json!([{
            "registryType": "mcpb", "identifier": url, "fileSha256": SHA,
            "transport": {"type": "stdio"}
        }]),
        &json!([]),
    );
    let plan = plan::plan_for_export(&bundle, Target::Package(0), &Answers::new()).unwrap();
    for host in Host::ALL {
        let error = host::export(host, KEY, &plan, &options).unwrap_err();
        assert!(matches!(error, ExportError::Bundle { .. }));
        assert_eq!(
            error.to_string(),
            format!(
                "cannot export an MCP bundle (`{url}`, sha256 `{SHA}`): no host config can \
                 reference a bundle; download and verify it, then install it in the host"
            )
        );
    }

    // Codex forwards whole variables only.
    let mixed = server(
        &json!([{
            "registryType": "npm", "identifier": "x", "version": "1.0.0",
            "transport": {"type": "stdio"},
            "packageArguments": [{
                "type": "named", "name": "--token", "isSecret": true, "isRequired": true
            }],
            "environmentVariables": [{
                "name": "DSN", "value": "postgres://app:{password}@db/app",
                "variables": {"password": {"isSecret": true, "isRequired": true}}
            }]
        }]),
        &json!([]),
    );
    let plan = plan::plan_for_export(&mixed, Target::Package(0), &Answers::new()).unwrap();
    assert_eq!(
        host::export(Host::Codex, KEY, &plan, &options)
            .unwrap_err()
            .to_string(),
        "codex cannot reference the secrets `--token`, `password`: codex forwards whole \
         environment variables by name: a secret must be an environment variable's or a \
         header's entire value, or the token of `Authorization: Bearer`"
    );

    // A package that serves HTTP cannot be both launched and connected to.
    let http_package = server(
        &json!([{
            "registryType": "npm", "identifier": "x", "version": "1.0.0",
            "transport": {"type": "streamable-http", "url": "http://localhost:8080/mcp"}
        }]),
        &json!([]),
    );
    let plan = plan::plan_for_export(&http_package, Target::Package(0), &Answers::new()).unwrap();
    assert_eq!(
        host::export(Host::ClaudeCode, KEY, &plan, &options)
            .unwrap_err()
            .to_string(),
        "the package serves `streamable-http` at `http://localhost:8080/mcp`: a host config \
         cannot both launch it and connect to it; start it yourself and add its URL as a remote"
    );
}

#[test]
fn merge_refuses_files_it_would_overwrite() {
    let plan = plan_of("oci-env");
    let options = ExportOptions::new();
    let merge = |host: Host, existing: &str| {
        host::merge(host, existing, KEY, &plan, &options)
            .unwrap_err()
            .to_string()
    };
    assert_eq!(
        merge(Host::Cursor, "[]"),
        "the file: not a JSON object; refusing to overwrite it"
    );
    assert_eq!(
        merge(Host::Gemini, r#"{"mcpServers": []}"#),
        "/mcpServers: not a JSON object; refusing to overwrite it"
    );
    assert_eq!(
        merge(Host::VsCode, "{\n  // comment\n}"),
        "not valid JSON (line 2, column 3): key must be a string; refusing to overwrite it"
    );
    assert_eq!(
        merge(Host::Codex, "a = \n"),
        "not valid TOML: line 1, column 5: string values must be quoted, expected literal \
         string; refusing to overwrite it"
    );
    assert_eq!(
        merge(Host::Codex, "mcp_servers = 3\n"),
        "mcp_servers: not a table; refusing to overwrite it"
    );
    // A blank file is an empty one.
    assert_eq!(
        host::merge(Host::Cursor, " \n", KEY, &plan, &options).unwrap(),
        host::export(Host::Cursor, KEY, &plan, &options).unwrap()
    );
}

#[test]
fn merge_keeps_codex_comments_and_other_servers() {
    let existing = r#"# My Codex config
model = "o3" # the model

# Docs, built locally
[mcp_servers.docs]
command = "docs-mcp" # local build
args = ["--stdio"]

# The old weather entry
[mcp_servers.weather]
command = "old"

[profiles.fast]
model = "o4-mini"
"#;
    let merged = host::merge(
        Host::Codex,
        existing,
        KEY,
        &plan_of("npm-secret"),
        &ExportOptions::new(),
    )
    .unwrap();
    assert_eq!(
        merged,
        r#"# My Codex config
model = "o3" # the model

# Docs, built locally
[mcp_servers.docs]
command = "docs-mcp" # local build
args = ["--stdio"]

# The old weather entry
[mcp_servers.weather]
command = "npx"
args = ["-y", "@acme/weather@1.0.0", "--units", "metric"]
env_vars = ["API_KEY"]

[profiles.fast]
model = "o4-mini"
"#
    );
    let added = host::merge(
        Host::Codex,
        existing,
        "acme",
        &plan_of("remote-http"),
        &ExportOptions::new(),
    )
    .unwrap();
    // A new key goes after the other servers.
    assert_eq!(
        added,
        existing.replace(
            "\n[profiles.fast]",
            "\n[mcp_servers.acme]\nurl = \"https://mcp.acme.dev/mcp\"\n\
             bearer_token_env_var = \"TOKEN\"\nhttp_headers = { X-Region = \"eu\" }\n\n\
             [profiles.fast]"
        )
    );
    let servers = host::import(Host::Codex, &added).unwrap();
    let keys: Vec<_> = servers.iter().map(host::ImportedServer::key).collect();
    assert_eq!(keys, ["docs", "weather", "acme"]);
}

#[test]
fn merge_keeps_vscode_inputs_and_other_servers() {
    let existing = r#"{
  "inputs": [
    {"type": "promptString", "id": "other-token", "description": "Other", "password": true},
    {"type": "promptString", "id": "weather-api-key", "description": "old"}
  ],
  "servers": {
    "other": {"type": "stdio", "command": "other", "env": {"T": "${input:other-token}"}},
    "weather": {"type": "stdio", "command": "old"}
  },
  "chat.mcp.discovery.enabled": true
}"#;
    let merged = host::merge(
        Host::VsCode,
        existing,
        KEY,
        &plan_of("npm-secret"),
        &ExportOptions::new(),
    )
    .unwrap();
    assert_eq!(
        merged,
        r#"{
  "inputs": [
    {
      "type": "promptString",
      "id": "other-token",
      "description": "Other",
      "password": true
    },
    {
      "type": "promptString",
      "id": "weather-api-key",
      "description": "Your Acme API key",
      "password": true
    }
  ],
  "servers": {
    "other": {
      "type": "stdio",
      "command": "other",
      "env": {
        "T": "${input:other-token}"
      }
    },
    "weather": {
      "type": "stdio",
      "command": "npx",
      "args": [
        "-y",
        "@acme/weather@1.0.0",
        "--units",
        "metric"
      ],
      "env": {
        "API_KEY": "${input:weather-api-key}"
      }
    }
  },
  "chat.mcp.discovery.enabled": true
}
"#
    );
}

#[test]
fn merge_keeps_other_settings_and_entries_of_json_hosts() {
    let existing = r#"{"globalShortcut": "Ctrl+Space", "mcpServers": {"a": {"command": "a"}}}"#;
    let merged = host::merge(
        Host::ClaudeDesktop,
        existing,
        KEY,
        &plan_of("oci-env"),
        &ExportOptions::new(),
    )
    .unwrap();
    let value: Value = serde_json::from_str(&merged).unwrap();
    let keys: Vec<_> = value["mcpServers"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    assert_eq!(keys, ["a", KEY]);
    assert_eq!(value["globalShortcut"], "Ctrl+Space");
    assert!(merged.starts_with("{\n  \"globalShortcut\""));
}

#[test]
fn moving_a_claude_code_setup_to_vscode_and_codex() {
    let claude = r#"{
  "mcpServers": {
    "github": {
      "type": "stdio",
      "command": "npx",
      "args": ["-y", "@modelcontextprotocol/server-github@2025.4.8"],
      "env": {"GITHUB_PERSONAL_ACCESS_TOKEN": "${GITHUB_TOKEN}", "LOG": "${LOG:-info}"}
    },
    "acme": {
      "type": "http",
      "url": "https://mcp.acme.dev/mcp",
      "headers": {"Authorization": "Bearer ${ACME_TOKEN}"}
    }
  }
}"#;
    assert_eq!(host::detect(claude), Some(Host::ClaudeCode));
    let servers = host::import(Host::ClaudeCode, claude).unwrap();
    let github = &servers[0];
    let refs: Vec<_> = github
        .references()
        .iter()
        .map(|r| format!("{} {} {:?}", r.field(), r.name(), r.default_value()))
        .collect();
    assert_eq!(
        refs,
        [
            "env.GITHUB_PERSONAL_ACCESS_TOKEN GITHUB_TOKEN None",
            "env.LOG LOG Some(\"info\")"
        ]
    );
    let package = github.package().unwrap();
    assert_eq!(
        (package.identifier(), package.version()),
        ("@modelcontextprotocol/server-github", Some("2025.4.8"))
    );

    let options = ExportOptions::new();
    let mut vscode = String::new();
    let mut codex = String::new();
    for server in &servers {
        vscode = host::merge(
            Host::VsCode,
            &vscode,
            server.key(),
            &server.to_plan(),
            &options,
        )
        .unwrap();
        codex = host::merge(
            Host::Codex,
            &codex,
            server.key(),
            &server.to_plan(),
            &options,
        )
        .unwrap();
    }
    golden("moved/vscode.json", &vscode);
    golden("moved/codex.toml", &codex);
    assert_eq!(
        codex,
        r#"[mcp_servers.github]
command = "npx"
args = ["-y", "@modelcontextprotocol/server-github@2025.4.8"]
env_vars = ["GITHUB_PERSONAL_ACCESS_TOKEN", "LOG"]

[mcp_servers.acme]
url = "https://mcp.acme.dev/mcp"
bearer_token_env_var = "ACME_TOKEN"
"#
    );
    let inputs: Vec<_> = serde_json::from_str::<Value>(&vscode).unwrap()["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(inputs, ["github-token", "github-log", "acme-token"]);
}

#[test]
fn moving_a_bridged_claude_desktop_remote_unbridges_it() {
    let lenient = ExportOptions::new()
        .with_placeholder_secrets(true)
        .with_stdio_bridge(true);
    let desktop =
        host::export(Host::ClaudeDesktop, KEY, &plan_of("remote-http"), &lenient).unwrap();
    let server = &host::import(Host::ClaudeDesktop, &desktop).unwrap()[0];
    assert_eq!(server.remote_url(), Some("https://mcp.acme.dev/mcp"));
    assert_eq!(
        host::export(Host::ClaudeCode, KEY, &server.to_plan(), &lenient).unwrap(),
        host::export(Host::ClaudeCode, KEY, &plan_of("remote-http"), &lenient).unwrap()
    );
    // A bridge with options of its own stays a process.
    let custom = r#"{"mcpServers": {"x": {"command": "npx",
        "args": ["mcp-remote", "https://a.dev/mcp", "--allow-http"]}}}"#;
    let server = &host::import(Host::ClaudeDesktop, custom).unwrap()[0];
    assert!(server.to_plan().launch().is_some());
    assert_eq!(server.remote_url(), Some("https://a.dev/mcp"));
}

#[test]
fn detect_never_names_the_wrong_host_of_a_golden_file() {
    let mut named = 0;
    for host in Host::ALL {
        for (case, _) in cases() {
            let path = golden_dir().join(format!("{host}/{case}.{}", extension(host)));
            let Ok(text) = fs::read_to_string(&path) else {
                continue;
            };
            let detected = host::detect(&text);
            assert!(
                detected.is_none() || detected == Some(host),
                "{}",
                path.display()
            );
            named += usize::from(detected.is_some());
        }
    }
    // Every VS Code, Codex and Claude Code file; Gemini's remote; Cursor's files with a secret.
    assert_eq!(named, 4 + 3 + 4 + 1 + 3);
}

#[test]
fn import_errors_point_at_the_bad_value() {
    let error = |host: Host, text: &str| host::import(host, text).unwrap_err().to_string();
    assert_eq!(
        error(
            Host::ClaudeCode,
            r#"{"mcpServers": {"a/b": {"command": "x", "args": ["ok", 1]}}}"#
        ),
        "/mcpServers/a~1b/args/1: expected a string"
    );
    assert_eq!(
        error(Host::VsCode, r#"{"servers": {"a": {"type": "stdio"}}}"#),
        "/servers/a: a server needs a `command` or a URL"
    );
    assert_eq!(
        error(
            Host::Cursor,
            r#"{"mcpServers": {"a": {"url": "u", "headers": []}}}"#
        ),
        "/mcpServers/a/headers: expected an object"
    );
    assert_eq!(
        error(Host::Gemini, "[1]"),
        "the file: expected a JSON object"
    );
    assert_eq!(
        error(Host::ClaudeDesktop, "{\"mcpServers\": {"),
        "not valid JSON (line 1, column 16): EOF while parsing an object"
    );
    assert_eq!(
        error(Host::Codex, "[mcp_servers.a]\ncommand = 1\n"),
        "mcp_servers.a.command: expected a string"
    );
    assert_eq!(
        error(
            Host::Codex,
            "[mcp_servers.\"a.b\"]\nenv = { K = 1 }\ncommand = \"x\"\n"
        ),
        "mcp_servers.\"a.b\".env.K: expected a string"
    );
    assert!(matches!(
        host::import(Host::Codex, "[mcp_servers\n"),
        Err(ImportError::Toml { .. })
    ));
    assert!(
        host::import(Host::Codex, "model = \"o3\"\n")
            .unwrap()
            .is_empty()
    );
}

/// Every golden file, by host.
fn golden_files() -> Vec<(Host, String)> {
    let mut out = Vec::new();
    for host in Host::ALL {
        let Ok(dir) = fs::read_dir(golden_dir().join(host.as_str())) else {
            continue;
        };
        for entry in dir {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e != "err") {
                out.push((host, fs::read_to_string(path).unwrap()));
            }
        }
    }
    out
}

#[derive(Clone, Debug)]
enum Edit {
    Delete(usize, usize),
    Insert(usize, char),
    Replace(usize, char),
}

fn apply(text: &str, edits: &[Edit]) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    for edit in edits {
        let len = chars.len().max(1);
        match *edit {
            Edit::Delete(at, n) => {
                let at = at % len;
                let end = (at + n).min(chars.len());
                if at < end {
                    chars.drain(at..end);
                }
            }
            Edit::Insert(at, c) => chars.insert((at % len).min(chars.len()), c),
            Edit::Replace(at, c) => {
                if let Some(slot) = chars.get_mut(at % len) {
                    *slot = c;
                }
            }
        }
    }
    chars.into_iter().collect()
}

fn edit() -> impl Strategy<Value = Edit> {
    let c = prop::sample::select(vec![
        '{', '}', '[', ']', '"', ',', ':', '=', '$', '\n', '#', '.', '1', 'x', '\\', 'é', '<',
    ]);
    prop_oneof![
        (any::<usize>(), 1..20usize).prop_map(|(a, n)| Edit::Delete(a, n)),
        (any::<usize>(), c.clone()).prop_map(|(a, c)| Edit::Insert(a, c)),
        (any::<usize>(), c).prop_map(|(a, c)| Edit::Replace(a, c)),
    ]
}

proptest! {
    #[test]
    fn import_never_panics_on_arbitrary_text(text in "\\PC{0,200}") {
        check_host_config(text.as_bytes());
    }

    #[test]
    fn import_never_panics_on_mutated_golden_files(
        pick in any::<usize>(),
        edits in prop::collection::vec(edit(), 1..6),
    ) {
        let files = golden_files();
        prop_assume!(!files.is_empty());
        let (_, text) = &files[pick % files.len()];
        check_host_config(apply(text, &edits).as_bytes());
    }
}

#[test]
fn expanding_fills_environment_references_as_the_host_would() {
    let file = r#"{"mcpServers": {
        "local": {"command": "${HOME}/bin/srv", "args": ["--token=${TOKEN}", "--region", "${REGION:-eu}"],
                  "env": {"KEY": "k-${TOKEN}", "PLAIN": "$"}},
        "remote": {"type": "http", "url": "https://${HOST}/mcp",
                   "headers": {"Authorization": "Bearer ${TOKEN}"}}
    }}"#;
    let servers = host::import(Host::ClaudeCode, file).unwrap();
    let vars = |name: &str| match name {
        "HOME" => Some("/home/a".to_owned()),
        "TOKEN" => Some("t0k".to_owned()),
        "HOST" => Some("mcp.example.com".to_owned()),
        _ => None,
    };
    let local = servers[0].expand(vars).unwrap();
    let Endpoint::Launch {
        command, args, env, ..
    } = local.endpoint()
    else {
        panic!("a launch");
    };
    assert_eq!(command, "/home/a/bin/srv");
    assert_eq!(args, &["--token=t0k", "--region", "eu"]);
    assert_eq!(
        env,
        &[
            ("KEY".to_owned(), "k-t0k".to_owned()),
            ("PLAIN".to_owned(), "$".to_owned())
        ]
    );
    assert!(local.references().is_empty());

    let remote = servers[1].expand(vars).unwrap();
    assert_eq!(remote.remote_url(), Some("https://mcp.example.com/mcp"));
    let Endpoint::Connect { headers, .. } = remote.endpoint() else {
        panic!("a remote");
    };
    assert_eq!(
        headers,
        &[("Authorization".to_owned(), "Bearer t0k".to_owned())]
    );

    let unset = servers[1].expand(|_| None).unwrap_err();
    assert!(
        matches!(&unset, ExpandError::Unset { key, field, name, .. }
            if key == "remote" && field == "url" && name == "HOST"),
        "{unset:?}"
    );
    assert_eq!(
        unset.to_string(),
        "server `remote`: url refers to ${HOST}, which is not set"
    );
}

#[test]
fn expanding_refuses_what_only_the_host_can_fill() {
    let file = r#"{"servers": {"s": {"type": "stdio", "command": "srv",
        "env": {"TOKEN": "${input:token}"}}},
        "inputs": [{"id": "token", "type": "promptString", "description": "Token", "password": true}]}"#;
    let servers = host::import(Host::VsCode, file).unwrap();
    let error = servers[0].expand(|_| Some("x".to_owned())).unwrap_err();
    assert!(
        matches!(&error, ExpandError::NotEnv { field, name, .. } if field == "env.TOKEN" && name == "token"),
        "{error:?}"
    );
}
