//! Connection plans through the public API: one golden plan per registry type and transport,
//! the argument rules, the errors with their full text, secrecy, a real process receiving shell
//! metacharacters unchanged, and every entry of the shared registry data.
#![expect(
    clippy::panic,
    clippy::unwrap_used,
    reason = "tests fail by panicking; clippy.toml's test allowances reach only #[test] functions"
)]

#[path = "common/spec_dir.rs"]
mod spec_dir;

use std::path::{Path, PathBuf};

use mcp_registry_types::plan::{
    self, Answers, Connect, Feeds, Launch, Part, Plan, PlanError, Question, Target, Template,
};
use mcp_registry_types::{InputFormat, ServerJson, TransportType};
use proptest::prelude::*;
use serde_json::{Value, json};

fn server(packages: Value, remotes: Value) -> ServerJson {
    let mut doc = json!({
        "$schema": "https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json",
        "name": "io.github.acme/weather",
        "description": "Weather",
        "version": "1.0.0",
    });
    let fields = doc.as_object_mut().unwrap();
    fields.insert("packages".to_owned(), packages);
    fields.insert("remotes".to_owned(), remotes);
    serde_json::to_string(&doc).unwrap().parse().unwrap()
}

fn package(package: Value) -> ServerJson {
    server(Value::Array(vec![package]), Value::Array(Vec::new()))
}

fn remote(remote: Value) -> ServerJson {
    server(Value::Array(Vec::new()), Value::Array(vec![remote]))
}

/// Each template shown for review (secrets as `<secret KEY>`).
fn shown(templates: &[Template]) -> Vec<String> {
    templates.iter().map(ToString::to_string).collect()
}

fn shown_pairs(pairs: &[(String, Template)]) -> Vec<String> {
    pairs.iter().map(|(k, v)| format!("{k}={v}")).collect()
}

/// The program, its arguments and its environment, for review.
#[track_caller]
fn process(plan: &Plan) -> (String, Vec<String>, Vec<String>) {
    match plan.launch() {
        Some(Launch::Process {
            command, args, env, ..
        }) => (command.clone(), shown(args), shown_pairs(env)),
        other => panic!("not a process: {other:?}"),
    }
}

#[track_caller]
fn plan_ok(server: &ServerJson, target: Target, answers: &Answers) -> Plan {
    plan::plan(server, target, answers).unwrap_or_else(|e| panic!("{e}"))
}

#[track_caller]
fn plan_err(server: &ServerJson, target: Target, answers: &Answers) -> PlanError {
    match plan::plan(server, target, answers) {
        Ok(plan) => panic!("planned: {plan:?}"),
        Err(e) => e,
    }
}

const P0: Target = Target::Package(0);
const R0: Target = Target::Remote(0);

#[test]
fn npm_runtime_arguments_go_before_the_package_and_package_arguments_after() {
    let doc = package(json!({
        "registryType": "npm", "identifier": "@acme/weather", "version": "1.2.3",
        "transport": {"type": "stdio"},
        "runtimeArguments": [{"type": "named", "name": "--node-options", "value": "--max-old-space-size=512"}],
        "packageArguments": [
            {"type": "positional", "valueHint": "city", "isRequired": true},
            {"type": "named", "name": "--units", "default": "metric", "choices": ["metric", "imperial"]}
        ],
        "environmentVariables": [{"name": "WEATHER_KEY", "isRequired": true, "isSecret": true}]
    }));
    let answers = Answers::new()
        .with("city", "Paris")
        .with("WEATHER_KEY", "sk-npm");
    let plan = plan_ok(&doc, P0, &answers);
    assert_eq!(
        process(&plan),
        (
            "npx".to_owned(),
            vec![
                "-y".to_owned(),
                "--node-options".to_owned(),
                "--max-old-space-size=512".to_owned(),
                "@acme/weather@1.2.3".to_owned(),
                "Paris".to_owned(),
                "--units".to_owned(),
                "metric".to_owned(),
            ],
            vec!["WEATHER_KEY=<secret WEATHER_KEY>".to_owned()],
        )
    );
    assert_eq!(plan.connect(), &Connect::Stdio);
    assert_eq!(plan.server_name(), "io.github.acme/weather");
    assert_eq!(plan.version(), "1.0.0");
    assert_eq!(plan.target(), P0);
    let command = plan.command().unwrap();
    assert_eq!(command.get_program(), "npx");
    let envs: Vec<_> = command.get_envs().collect();
    assert_eq!(envs.len(), 1);
    assert_eq!(envs[0].1.unwrap(), "sk-npm");
}

#[test]
fn pypi_uses_uvx_and_a_pinned_requirement() {
    let doc = package(json!({
        "registryType": "pypi", "identifier": "weather-mcp", "version": "0.4.1",
        "transport": {"type": "stdio"},
        "runtimeArguments": [{"type": "named", "name": "--python", "value": "3.12"}],
        "packageArguments": [{"type": "named", "name": "--verbose", "format": "boolean", "default": "true"}]
    }));
    let (command, args, env) = process(&plan_ok(&doc, P0, &Answers::new()));
    assert_eq!(command, "uvx");
    assert_eq!(
        args,
        [
            "--python",
            "3.12",
            "weather-mcp==0.4.1",
            "--verbose",
            "true"
        ]
    );
    assert!(env.is_empty());
}

#[test]
fn oci_passes_variables_by_name_and_their_values_through_the_environment() {
    let doc = package(json!({
        "registryType": "oci", "identifier": "docker.io/acme/db:3.1.0",
        "transport": {"type": "stdio"},
        "runtimeArguments": [
            {"type": "named", "name": "--network", "value": "host"},
            {"type": "named", "name": "-e", "value": "DB_TYPE={db_type}", "isRepeated": true,
             "variables": {"db_type": {"choices": ["postgres", "mysql"], "isRequired": true}}}
        ],
        "packageArguments": [
            {"type": "named", "name": "--host", "default": "localhost", "isRequired": true},
            {"type": "named", "name": "--port", "format": "number"},
            {"type": "positional", "valueHint": "database_name", "isRequired": true}
        ],
        "environmentVariables": [
            {"name": "DB_USERNAME", "isRequired": true},
            {"name": "DB_PASSWORD", "isRequired": true, "isSecret": true},
            {"name": "SSL_MODE", "default": "prefer", "choices": ["disable", "prefer", "require"]},
            {"name": "OPTIONAL_UNSET"}
        ]
    }));
    let answers = Answers::new()
        .with("db_type", "postgres")
        .with("database_name", "orders")
        .with("DB_USERNAME", "admin")
        .with("DB_PASSWORD", "pa55; rm -rf /");
    let plan = plan_ok(&doc, P0, &answers);
    let (command, args, env) = process(&plan);
    assert_eq!(command, "docker");
    assert_eq!(
        args,
        [
            "run",
            "-i",
            "--rm",
            "-e",
            "DB_USERNAME",
            "-e",
            "DB_PASSWORD",
            "-e",
            "SSL_MODE",
            "--network",
            "host",
            "-e",
            "DB_TYPE=postgres",
            "docker.io/acme/db:3.1.0",
            "--host",
            "localhost",
            "orders"
        ]
    );
    assert_eq!(
        env,
        [
            "DB_USERNAME=admin",
            "DB_PASSWORD=<secret DB_PASSWORD>",
            "SSL_MODE=prefer"
        ]
    );
    let command = plan.command().unwrap();
    assert!(
        command
            .get_args()
            .all(|a| !a.to_string_lossy().contains("pa55"))
    );
}

#[test]
fn nuget_uses_dnx_with_yes_and_a_separator() {
    let doc = package(json!({
        "registryType": "nuget", "identifier": "Knapcode.SampleMcpServer", "version": "0.4.0-beta",
        "transport": {"type": "stdio"},
        "packageArguments": [{"type": "positional", "value": "mcp"}, {"type": "positional", "value": "start"}]
    }));
    let (command, args, _) = process(&plan_ok(&doc, P0, &Answers::new()));
    assert_eq!(command, "dnx");
    assert_eq!(
        args,
        [
            "Knapcode.SampleMcpServer@0.4.0-beta",
            "--yes",
            "--",
            "mcp",
            "start"
        ]
    );
}

#[test]
fn mcpb_is_a_bundle_to_download_and_verify() {
    let sha = "fe333e598595000ae021bd27117db32ec69af6987f507ba7a63c90638ff633ce";
    let url = "https://github.com/acme/weather/releases/download/v1.0.0/weather.mcpb";
    let doc = package(json!({
        "registryType": "mcpb", "identifier": url, "fileSha256": sha, "transport": {"type": "stdio"},
        "environmentVariables": [{"name": "TOKEN", "isSecret": true, "isRequired": true}]
    }));
    let plan = plan_ok(&doc, P0, &Answers::new().with("TOKEN", "t0k"));
    let Some(Launch::Bundle {
        url: got,
        sha256,
        args,
        env,
        ..
    }) = plan.launch()
    else {
        panic!("not a bundle: {plan:?}");
    };
    assert_eq!((got.as_str(), sha256.as_str()), (url, sha));
    assert!(args.is_empty());
    assert_eq!(shown_pairs(env), ["TOKEN=<secret TOKEN>"]);
    assert!(plan.command().is_none());

    let no_hash =
        package(json!({"registryType": "mcpb", "identifier": url, "transport": {"type": "stdio"}}));
    assert_eq!(
        plan_err(&no_hash, P0, &Answers::new()).to_string(),
        "/packages/0/fileSha256: an mcpb bundle needs its SHA-256 (64 lower-case hex digits) to be verified"
    );
}

#[test]
fn cargo_and_unknown_registry_types_are_unsupported_never_guessed() {
    for kind in ["cargo", "crates", ""] {
        let doc = package(json!({
            "registryType": kind, "identifier": "widget-mcp", "version": "0.3.0",
            "runtimeHint": "cargo", "transport": {"type": "stdio"}
        }));
        let err = plan_err(&doc, P0, &Answers::new());
        assert_eq!(
            err.to_string(),
            format!(
                "/packages/0/registryType: cannot plan a launch for `{kind}` packages: no runner is defined for this registry type"
            )
        );
        assert!(
            matches!(err, PlanError::Unsupported { ref registry_type, .. } if registry_type == kind)
        );
        // The questions are still listed.
        assert!(plan::questions(&doc, P0).unwrap().is_empty());
    }
}

#[test]
fn runtime_hint_replaces_the_default_command() {
    let npm = package(json!({
        "registryType": "npm", "identifier": "weather", "version": "1.0.0", "runtimeHint": "bunx",
        "transport": {"type": "stdio"},
        "runtimeArguments": [{"type": "positional", "value": "--bun"}]
    }));
    assert_eq!(
        process(&plan_ok(&npm, P0, &Answers::new())),
        (
            "bunx".to_owned(),
            vec!["--bun".to_owned(), "weather@1.0.0".to_owned()],
            vec![]
        )
    );
    let oci = package(json!({
        "registryType": "oci", "identifier": "ghcr.io/acme/w:1", "runtimeHint": "podman",
        "transport": {"type": "stdio"}, "environmentVariables": [{"name": "A", "value": "1"}]
    }));
    assert_eq!(
        process(&plan_ok(&oci, P0, &Answers::new())).1,
        ["run", "-i", "--rm", "-e", "A", "ghcr.io/acme/w:1"]
    );
    let hinted_npx = package(json!({
        "registryType": "npm", "identifier": "weather", "runtimeHint": "npx", "transport": {"type": "stdio"}
    }));
    assert_eq!(
        process(&plan_ok(&hinted_npx, P0, &Answers::new())).1,
        ["-y", "weather"]
    );
}

#[test]
fn a_hint_is_a_program_name_and_a_foreign_registry_is_refused() {
    let spaced = package(json!({
        "registryType": "npm", "identifier": "w", "runtimeHint": "npx -y", "transport": {"type": "stdio"}
    }));
    assert_eq!(
        plan_err(&spaced, P0, &Answers::new()).to_string(),
        "/packages/0/runtimeHint: `npx -y` is not a program name: a plan runs a program, never a command line"
    );
    // The one real entry with an unknown hint: used as written, for the user to review.
    let python = package(json!({
        "registryType": "pypi", "identifier": "time-mcp-pypi", "version": "1.0.6",
        "runtimeHint": "python", "transport": {"type": "stdio"}
    }));
    assert_eq!(
        process(&plan_ok(&python, P0, &Answers::new())),
        (
            "python".to_owned(),
            vec!["time-mcp-pypi==1.0.6".to_owned()],
            vec![]
        )
    );
    let foreign = package(json!({
        "registryType": "npm", "identifier": "w", "registryBaseUrl": "https://npm.evil.example",
        "transport": {"type": "stdio"}
    }));
    assert_eq!(
        plan_err(&foreign, P0, &Answers::new()).to_string(),
        "/packages/0/registryBaseUrl: `https://npm.evil.example` is not the registry the runner \
         installs from: the plan would fetch a package of the same name from elsewhere"
    );
    for (kind, identifier, url) in [
        ("npm", "w", "https://registry.npmjs.org/"),
        ("pypi", "w", "https://pypi.org"),
        ("nuget", "w", "https://api.nuget.org/v3/index.json"),
        ("oci", "w/x:1", "https://docker.io"),
        ("oci", "ghcr.io/w/x:1", "https://ghcr.io"),
    ] {
        let doc = package(json!({
            "registryType": kind, "identifier": identifier, "registryBaseUrl": url,
            "transport": {"type": "stdio"}
        }));
        plan_ok(&doc, P0, &Answers::new());
    }
    let legacy_quay = package(json!({
        "registryType": "oci", "identifier": "w/x", "version": "1", "registryBaseUrl": "https://quay.io",
        "transport": {"type": "stdio"}
    }));
    assert!(matches!(
        plan_err(&legacy_quay, P0, &Answers::new()),
        PlanError::Unusable { ref path, .. } if path == "/packages/0/registryBaseUrl"
    ));
}

#[test]
fn a_missing_version_takes_the_latest_where_the_runner_allows() {
    for (kind, command, reference) in [
        ("npm", "npx", "weather"),
        ("pypi", "uvx", "weather"),
        ("nuget", "dnx", "weather"),
    ] {
        let doc = package(
            json!({"registryType": kind, "identifier": "weather", "transport": {"type": "stdio"}}),
        );
        let (got, args, _) = process(&plan_ok(&doc, P0, &Answers::new()));
        assert_eq!(got, command);
        assert!(args.contains(&reference.to_owned()), "{args:?}");
    }
    // A legacy OCI document's version is the tag.
    let legacy = package(json!({
        "registryType": "oci", "identifier": "apache/iotdb", "version": "2.0.5",
        "registryBaseUrl": "https://docker.io", "transport": {"type": "stdio"}
    }));
    assert_eq!(
        process(&plan_ok(&legacy, P0, &Answers::new())).1,
        ["run", "-i", "--rm", "apache/iotdb:2.0.5"]
    );
}

#[test]
fn repeated_arguments_are_emitted_once_per_answer() {
    let doc = package(json!({
        "registryType": "npm", "identifier": "fs", "version": "1.0.0", "transport": {"type": "stdio"},
        "packageArguments": [
            {"type": "named", "name": "--allow", "isRepeated": true},
            {"type": "positional", "valueHint": "root", "isRepeated": true, "isRequired": true},
            {"type": "named", "name": "--mode"}
        ]
    }));
    let answers = Answers::new()
        .with_many("--allow", ["read", "write"])
        .with_many("root", ["/a", "/b", "/c"]);
    assert_eq!(
        process(&plan_ok(&doc, P0, &answers)).1,
        [
            "-y", "fs@1.0.0", "--allow", "read", "--allow", "write", "/a", "/b", "/c"
        ]
    );
    let twice = answers.with_many("--mode", ["x", "y"]);
    assert_eq!(
        plan_err(&doc, P0, &twice).to_string(),
        "/packages/0/packageArguments/2: `--mode` takes one value, got 2"
    );
}

#[test]
fn variables_are_filled_everywhere_and_unknown_ones_stay_literal() {
    let doc = package(json!({
        "registryType": "npm", "identifier": "gw", "version": "1.0.0",
        "transport": {
            "type": "streamable-http", "url": "http://localhost:{--port}/{unknown}/{TENANT}",
            "headers": [{"name": "Authorization", "value": "Bearer {token} {nope}",
                         "variables": {"token": {"isRequired": true, "isSecret": true}}}]
        },
        "packageArguments": [
            {"type": "named", "name": "--port", "default": "3000", "format": "number"},
            {"type": "named", "name": "--config", "value": "{dir}/config.json {other}",
             "variables": {"dir": {"default": "/etc/gw"}}}
        ],
        "environmentVariables": [{"name": "TENANT", "isRequired": true}]
    }));
    let answers = Answers::new()
        .with("TENANT", "acme")
        .with("token", "tok-123")
        .with("--config", "ignored: fixed values are never overridden");
    let plan = plan_ok(&doc, P0, &answers);
    let (_, args, env) = process(&plan);
    assert_eq!(
        args,
        [
            "-y",
            "gw@1.0.0",
            "--port",
            "3000",
            "--config",
            "/etc/gw/config.json {other}"
        ]
    );
    assert_eq!(env, ["TENANT=acme"]);
    let Connect::Http {
        transport,
        url,
        headers,
        ..
    } = plan.connect()
    else {
        panic!("{plan:?}");
    };
    assert_eq!(transport, &TransportType::StreamableHttp);
    assert_eq!(url.to_string(), "http://localhost:3000/{unknown}/acme");
    assert_eq!(
        shown_pairs(headers),
        ["Authorization=Bearer <secret token> {nope}"]
    );
    assert_eq!(headers[0].1.expose().unwrap(), "Bearer tok-123 {nope}");
    assert_eq!(
        headers[0]
            .1
            .render_with(|s| format!("${{input:{}}}", s.key())),
        "Bearer ${input:token} {nope}"
    );
}

#[test]
fn remotes_connect_over_http_with_variables_and_headers() {
    let doc = server(
        json!([]),
        json!([
            {"type": "streamable-http", "url": "https://api.example.com/{region}/mcp",
             "variables": {"region": {"isRequired": true, "choices": ["us-east-1", "eu-west-1"], "default": "us-east-1"}},
             "headers": [
                {"name": "X-API-Key", "isRequired": true, "isSecret": true},
                {"name": "X-Trace", "description": "optional, left out"}
             ]},
            {"type": "sse", "url": "https://api.example.com/sse"}
        ]),
    );
    let plan = plan_ok(&doc, R0, &Answers::new().with("X-API-Key", "key-9"));
    assert!(plan.launch().is_none());
    assert!(plan.command().is_none());
    let Connect::Http { url, headers, .. } = plan.connect() else {
        panic!("{plan:?}");
    };
    assert_eq!(url.to_string(), "https://api.example.com/us-east-1/mcp");
    assert_eq!(shown_pairs(headers), ["X-API-Key=<secret X-API-Key>"]);
    let sse = plan_ok(&doc, Target::Remote(1), &Answers::new());
    assert!(matches!(
        sse.connect(),
        Connect::Http { transport: TransportType::Sse, url, headers, .. }
            if url.to_string() == "https://api.example.com/sse" && headers.is_empty()
    ));
    let err = plan_err(&doc, Target::Remote(2), &Answers::new());
    assert_eq!(
        err.to_string(),
        "/remotes/2: no such remote: the server has 2"
    );
    let stdio_remote = remote(json!({"type": "stdio"}));
    assert_eq!(
        plan_err(&stdio_remote, R0, &Answers::new()).to_string(),
        "/remotes/0/type: cannot connect over transport `stdio`"
    );
}

#[test]
fn questions_list_every_input_in_document_order() {
    let doc = package(json!({
        "registryType": "oci", "identifier": "docker.io/acme/db:1",
        "transport": {"type": "streamable-http", "url": "http://localhost:{PORT}/mcp",
                      "headers": [{"name": "X-Key", "isSecret": true}]},
        "runtimeArguments": [{"type": "named", "name": "-e", "value": "DB={db}",
                              "variables": {"db": {"choices": ["pg", "my"], "isRequired": true}}}],
        "packageArguments": [
            {"type": "positional", "valueHint": "name", "isRequired": true, "placeholder": "orders"},
            {"type": "named", "name": "--tag", "isRepeated": true}
        ],
        "environmentVariables": [{"name": "PORT", "default": "8080", "format": "number", "description": "port"}]
    }));
    let questions = plan::questions(&doc, P0).unwrap();
    let summary: Vec<_> = questions
        .iter()
        .map(|q| (q.key(), q.path(), q.feeds().clone()))
        .collect();
    assert_eq!(
        summary,
        [
            (
                "db",
                "/packages/0/runtimeArguments/0/variables/db",
                Feeds::Variable {
                    of: "-e".to_owned()
                }
            ),
            (
                "name",
                "/packages/0/packageArguments/0",
                Feeds::PackageArgument
            ),
            (
                "--tag",
                "/packages/0/packageArguments/1",
                Feeds::PackageArgument
            ),
            (
                "PORT",
                "/packages/0/environmentVariables/0",
                Feeds::EnvironmentVariable
            ),
            ("X-Key", "/packages/0/transport/headers/0", Feeds::Header),
        ]
    );
    let db = &questions[0];
    assert!(db.is_required() && !db.is_secret());
    assert_eq!(db.choices(), ["pg", "my"]);
    assert_eq!(questions[1].placeholder(), Some("orders"));
    assert!(questions[2].is_repeated());
    assert_eq!(questions[3].format(), &InputFormat::Number);
    assert_eq!(questions[3].default_value(), Some("8080"));
    assert_eq!(questions[3].description(), Some("port"));
    assert!(questions[4].is_secret() && !questions[4].is_required());
    let json = serde_json::to_value(&questions[0]).unwrap();
    assert_eq!(json["feeds"], json!({"kind": "variable", "of": "-e"}));

    let remote_questions = plan::questions(
        &remote(json!({"type": "sse", "url": "https://x.example/{b}/{a}",
                        "variables": {"a": {}, "b": {}, "unused": {"isRequired": true}}})),
        R0,
    )
    .unwrap();
    assert_eq!(
        remote_questions
            .iter()
            .map(Question::key)
            .collect::<Vec<_>>(),
        ["b", "a"]
    );
    assert_eq!(remote_questions[0].feeds(), &Feeds::UrlVariable);
}

#[test]
fn choices_and_formats_are_checked_with_full_messages() {
    let doc = package(json!({
        "registryType": "npm", "identifier": "w", "version": "1.0.0", "transport": {"type": "stdio"},
        "packageArguments": [
            {"type": "named", "name": "--units", "choices": ["metric", "imperial"]},
            {"type": "named", "name": "--port", "format": "number"},
            {"type": "named", "name": "--debug", "format": "boolean"},
            {"type": "named", "name": "--file", "format": "filepath"},
            {"type": "named", "name": "--free", "format": "string"}
        ],
        "environmentVariables": [{"name": "KEY", "isSecret": true, "choices": ["a", "b"]}]
    }));
    let cases = [
        (
            "--units",
            "kelvin",
            "/packages/0/packageArguments/0: `--units`: `kelvin` is not one of `metric`, `imperial`",
        ),
        (
            "--port",
            "80a",
            "/packages/0/packageArguments/1: `--port`: `80a` is not a number",
        ),
        (
            "--port",
            "08",
            "/packages/0/packageArguments/1: `--port`: `08` is not a number",
        ),
        (
            "--debug",
            "yes",
            "/packages/0/packageArguments/2: `--debug`: `yes` is not a boolean",
        ),
        (
            "--file",
            "",
            "/packages/0/packageArguments/3: `--file`: `` is not a filepath",
        ),
        (
            "KEY",
            "s3cret",
            "/packages/0/environmentVariables/0: `KEY`: the secret value is not one of `a`, `b`",
        ),
    ];
    for (key, value, message) in cases {
        let err = plan_err(&doc, P0, &Answers::new().with(key, value));
        assert_eq!(err.to_string(), message);
        assert!(!format!("{err:?}").contains("s3cret"));
    }
    let fine = Answers::new()
        .with("--port", "-1.5e3")
        .with("--debug", "false")
        .with("--file", "/tmp/x")
        .with("--free", "");
    assert_eq!(
        process(&plan_ok(&doc, P0, &fine)).1,
        [
            "-y", "w@1.0.0", "--port", "-1.5e3", "--debug", "false", "--file", "/tmp/x", "--free",
            ""
        ]
    );
    // A default is checked too: it is a value the plan uses.
    let bad_default = package(json!({
        "registryType": "npm", "identifier": "w", "transport": {"type": "stdio"},
        "environmentVariables": [{"name": "N", "format": "number", "default": "many"}]
    }));
    assert_eq!(
        plan_err(&bad_default, P0, &Answers::new()).to_string(),
        "/packages/0/environmentVariables/0: `N`: `many` is not a number"
    );
}

#[test]
fn every_missing_required_input_is_listed_together() {
    let doc = package(json!({
        "registryType": "npm", "identifier": "w", "version": "1.0.0",
        "transport": {"type": "streamable-http", "url": "http://localhost:{PORT}/mcp",
                      "headers": [{"name": "Authorization", "isRequired": true, "isSecret": true}]},
        "runtimeArguments": [{"type": "named", "name": "-e", "value": "X={x}", "variables": {"x": {"isRequired": true}}}],
        "packageArguments": [
            {"type": "positional", "valueHint": "city", "isRequired": true},
            {"type": "named", "name": "--with-default", "isRequired": true, "default": "d"},
            {"type": "named", "name": "--optional"}
        ],
        "environmentVariables": [
            {"name": "PORT", "isRequired": true},
            {"name": "API_KEY", "isRequired": true, "isSecret": true}
        ]
    }));
    let err = plan_err(&doc, P0, &Answers::new());
    assert_eq!(
        err.to_string(),
        "missing required values: `x` (/packages/0/runtimeArguments/0/variables/x), \
         `city` (/packages/0/packageArguments/0), `PORT` (/packages/0/environmentVariables/0), \
         `API_KEY` (/packages/0/environmentVariables/1), `Authorization` (/packages/0/transport/headers/0)"
    );
    let PlanError::Missing(missing) = err else {
        panic!()
    };
    assert_eq!(missing.len(), 5);
    assert!(missing[3].is_secret());

    // For an export, only the secrets may be absent.
    let err = plan::plan_for_export(&doc, P0, &Answers::new()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "missing required values: `x` (/packages/0/runtimeArguments/0/variables/x), \
         `city` (/packages/0/packageArguments/0), `PORT` (/packages/0/environmentVariables/0)"
    );
    let answers = Answers::new()
        .with("x", "1")
        .with("city", "Oslo")
        .with("PORT", "9000");
    let export = plan::plan_for_export(&doc, P0, &answers).unwrap();
    let (_, args, env) = process(&export);
    assert_eq!(
        args,
        ["-y", "-e", "X=1", "w@1.0.0", "Oslo", "--with-default", "d"]
    );
    assert_eq!(env, ["PORT=9000", "API_KEY=<secret API_KEY>"]);
    let Some(Launch::Process { env, .. }) = export.launch() else {
        panic!()
    };
    assert_eq!(
        env[1].1.render_with(|s| format!("${{{}}}", s.key())),
        "${API_KEY}"
    );
    assert_eq!(env[1].1.expose(), None);
    assert!(export.command().is_none());
    let secrets: Vec<_> = export
        .secrets()
        .iter()
        .map(|s| s.key().to_owned())
        .collect();
    assert_eq!(secrets, ["API_KEY", "Authorization"]);
}

#[test]
fn secrets_never_appear_in_debug_or_serialized_output() {
    let doc = server(
        json!([{
            "registryType": "oci", "identifier": "docker.io/acme/x:1", "transport": {"type": "stdio"},
            "packageArguments": [{"type": "named", "name": "--token", "isSecret": true, "isRequired": true}],
            "environmentVariables": [{"name": "PASSWORD", "isSecret": true, "isRequired": true}]
        }]),
        json!([{"type": "streamable-http", "url": "https://x.example/{key}",
                "variables": {"key": {"isSecret": true, "isRequired": true}},
                "headers": [{"name": "X-Key", "isSecret": true, "isRequired": true}]}]),
    );
    let answers = Answers::new()
        .with("--token", "SECRET-ARG")
        .with("PASSWORD", "SECRET-ENV")
        .with("key", "SECRET-URL")
        .with("X-Key", "SECRET-HEADER");
    for target in [P0, R0] {
        let plan = plan_ok(&doc, target, &answers);
        let texts = [
            format!("{plan:?}"),
            format!("{plan:#?}"),
            serde_json::to_string(&plan).unwrap(),
            format!("{answers:?}"),
        ];
        for text in texts {
            assert!(!text.contains("SECRET-"), "{text}");
        }
        for secret in plan.secrets() {
            assert!(secret.value().unwrap().expose().starts_with("SECRET-"));
        }
    }
    let json = serde_json::to_value(plan_ok(&doc, P0, &answers)).unwrap();
    assert_eq!(json["target"], json!({"package": 0}));
    assert_eq!(json["launch"]["kind"], "process");
    assert_eq!(
        json["launch"]["env"][0],
        json!(["PASSWORD", [{"secret": {"key": "PASSWORD", "description": null, "provided": true}}]])
    );
    assert_eq!(json["connect"], json!({"kind": "stdio"}));
    // The secret argument reaches the process, but only through `command()`.
    let command = plan_ok(&doc, P0, &answers).command().unwrap();
    assert!(command.get_args().any(|a| a == "SECRET-ARG"));
}

#[test]
fn a_key_secret_anywhere_is_secret_everywhere() {
    let doc = package(json!({
        "registryType": "npm", "identifier": "w", "transport": {"type": "stdio"},
        "packageArguments": [{"type": "named", "name": "--token"}],
        "environmentVariables": [{"name": "--token", "isSecret": true}]
    }));
    let plan = plan_ok(&doc, P0, &Answers::new().with("--token", "SHARED-1"));
    assert!(!format!("{plan:?}").contains("SHARED-1"));
    assert_eq!(process(&plan).1, ["-y", "w", "--token", "<secret --token>"]);
    let questions = plan::questions(&doc, P0).unwrap();
    assert_eq!(questions.len(), 1);
    assert!(questions[0].is_secret());
}

const METACHARACTERS: &[&str] = &[
    ";", "rm -rf /", "$(x)", "`y`", "|", "&", ">", "<", "a b", "'quoted'", "\"dq\"", "$HOME", "*",
    "\\", "",
];

#[cfg(unix)]
#[test]
fn shell_metacharacters_reach_a_real_process_unchanged() {
    // `printf` is the runner (runtimeHint): its first argument, a fixed runtime argument, is the
    // format; every other argument is printed on its own line. No shell is involved.
    let doc = package(json!({
        "registryType": "npm", "identifier": "pkg;$(touch /tmp/pwned)", "version": "1.0.0|x",
        "runtimeHint": "printf", "transport": {"type": "stdio"},
        "runtimeArguments": [{"type": "positional", "value": "%s\\n"}],
        "packageArguments": [{"type": "positional", "valueHint": "arg", "isRepeated": true}]
    }));
    let answers = Answers::new().with_many("arg", METACHARACTERS.iter().copied());
    let plan = plan_ok(&doc, P0, &answers);
    let output = plan.command().unwrap().output().unwrap();
    assert!(output.status.success(), "{output:?}");
    let mut expected = String::from("pkg;$(touch /tmp/pwned)@1.0.0|x\n");
    for arg in METACHARACTERS {
        expected.push_str(arg);
        expected.push('\n');
    }
    assert_eq!(String::from_utf8(output.stdout).unwrap(), expected);
}

proptest! {
    #[test]
    fn any_value_reaches_argv_unchanged_and_a_secret_never_shows(value in "\\PC*", secret in "[a-z]{12}") {
        let doc = package(json!({
            "registryType": "pypi", "identifier": "p", "version": "1", "transport": {"type": "stdio"},
            "packageArguments": [{"type": "positional", "valueHint": "v"}],
            "environmentVariables": [{"name": "S", "isSecret": true, "isRequired": true}]
        }));
        let marked = format!("SECRET{secret}");
        let plan = plan::plan(&doc, P0, &Answers::new().with("v", value.clone()).with("S", marked.clone())).unwrap();
        let command = plan.command().unwrap();
        let args: Vec<_> = command.get_args().map(|a| a.to_str().unwrap().to_owned()).collect();
        prop_assert_eq!(args, vec!["p==1".to_owned(), value]);
        let debug = format!("{plan:?}");
        prop_assert!(!debug.contains(&marked));
        prop_assert!(!serde_json::to_string(&plan).unwrap().contains(&marked));
    }
}

#[test]
fn errors_convert_into_the_crate_error() {
    let err = plan_err(
        &package(
            json!({"registryType": "cargo", "identifier": "w", "transport": {"type": "stdio"}}),
        ),
        P0,
        &Answers::new(),
    );
    let crate_error = mcp_registry_types::Error::from(err.clone());
    assert_eq!(crate_error.to_string(), err.to_string());
    assert!(matches!(
        plan::plan(&package(json!({"registryType": "npm", "identifier": "w"})), P0, &Answers::new()),
        Err(PlanError::Unusable { ref path, .. }) if path == "/packages/0/transport"
    ));
    assert_eq!(
        plan_err(&package(json!({"registryType": "npm", "identifier": "w", "transport": {"type": "websocket"}})), P0, &Answers::new()).to_string(),
        "/packages/0/transport/type: cannot connect over transport `websocket`"
    );
    // The document's own problem comes before the missing answers: no answer could fix it.
    let no_identifier = package(json!({
        "registryType": "npm", "identifier": "", "transport": {"type": "stdio"},
        "environmentVariables": [{"name": "K", "isRequired": true}]
    }));
    assert_eq!(
        plan_err(&no_identifier, P0, &Answers::new()).to_string(),
        "/packages/0/identifier: missing `identifier`: nothing names the package"
    );
    assert_eq!(plan::questions(&no_identifier, P0).unwrap().len(), 1);
    // A part is either text or a secret reference.
    let t = Template::text("x");
    assert!(matches!(t.parts(), [Part::Text(s)] if s == "x"));
}

// ---------------------------------------------------------------------------------------------
// The shared registry data: every target of every real entry plans or fails with a typed error.

fn spec_dir() -> Option<PathBuf> {
    spec_dir::spec_dir("real entries not planned")
}

/// Every server document in the shared data, with where it came from.
fn documents(dir: &Path) -> Vec<(String, ServerJson)> {
    let mut out = Vec::new();
    let mut files: Vec<_> = std::fs::read_dir(dir.join("examples"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        out.push((name, text.parse().unwrap()));
    }
    for seed in ["seed.json", "seed.b21c6f5.json"] {
        let text = std::fs::read_to_string(dir.join(seed)).unwrap();
        let entries: Vec<Value> = serde_json::from_str(&text).unwrap();
        for (i, entry) in entries.into_iter().enumerate() {
            let entry = entry.get("server").cloned().unwrap_or(entry);
            let doc = serde_json::to_string(&entry).unwrap().parse().unwrap();
            out.push((format!("{seed}[{i}]"), doc));
        }
    }
    out
}

/// An answer that fits `question`: its first choice, else its default, else one of its format.
fn fitting(question: &Question) -> String {
    if let Some(choice) = question.choices().first() {
        return choice.clone();
    }
    if let Some(default) = question.default_value() {
        return default.to_owned();
    }
    match question.format() {
        InputFormat::Number => "1".to_owned(),
        InputFormat::Boolean => "true".to_owned(),
        _ => "value".to_owned(),
    }
}

#[test]
fn every_real_entry_plans_or_fails_with_a_typed_error() {
    let Some(dir) = spec_dir() else { return };
    let documents = documents(&dir);
    assert!(documents.len() > 350, "{}", documents.len());
    let (mut planned, mut unsupported, mut targets) = (0, 0, 0);
    let mut unusable = Vec::new();
    for (name, doc) in &documents {
        let all = (0..doc.packages().len())
            .map(Target::Package)
            .chain((0..doc.remotes().len()).map(Target::Remote));
        for target in all {
            targets += 1;
            // With no answers: a plan, or a typed error; never a panic.
            let _ = plan::plan(doc, target, &Answers::new());
            let _ = plan::plan_for_export(doc, target, &Answers::new());
            let questions = match plan::questions(doc, target) {
                Ok(questions) => questions,
                Err(e @ PlanError::Unusable { .. }) => {
                    unusable.push(format!("{name}: {e}"));
                    continue;
                }
                Err(e) => panic!("{name} {target}: {e}"),
            };
            let mut answers = Answers::new();
            for question in &questions {
                answers.insert(question.key(), fitting(question));
            }
            match plan::plan(doc, target, &answers) {
                Ok(plan) => {
                    planned += 1;
                    if let Some(Launch::Process { .. }) = plan.launch() {
                        assert!(plan.command().is_some(), "{name} {target}");
                    }
                    serde_json::to_string(&plan).unwrap();
                }
                Err(PlanError::Unsupported { registry_type, .. }) => {
                    assert_eq!(registry_type, "cargo", "{name} {target}");
                    unsupported += 1;
                }
                Err(e) => panic!("{name} {target}: {e}"),
            }
        }
    }
    // The two OpenAPI publish examples lack the required `transport` (REFERENCE.md §5.9 #6).
    assert_eq!(
        unusable,
        [
            "32-openapi-basic-server.json: /packages/0/transport: missing `transport`: a package must say how it is reached",
            "33-openapi-example-org-server.json: /packages/0/transport: missing `transport`: a package must say how it is reached",
        ]
    );
    eprintln!("{targets} targets: {planned} planned, {unsupported} cargo");
    assert!(planned > 350 && unsupported >= 2, "{planned} {unsupported}");
}

// ---------------------------------------------------------------------------------------------
// Any package or remote, any answers: a plan or a typed error, and no secret answer ever shows.

const KEYS: &[&str] = &["a", "b", "--port", "PORT", "X-Key"];

fn arb_text() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        "[a-z]{1,4}",
        Just("{a}".to_owned()),
        Just("x{b}y{unknown}".to_owned()),
        Just("{--port}".to_owned()),
        Just("1".to_owned()),
        Just("true".to_owned()),
    ]
}

fn arb_input() -> impl Strategy<Value = serde_json::Map<String, Value>> {
    (
        proptest::option::of(arb_text()),
        any::<bool>(),
        any::<bool>(),
        proptest::option::of(arb_text()),
        proptest::option::of(proptest::collection::vec("[a-z1]{1,3}", 0..3)),
        proptest::option::of(prop_oneof![
            Just("string"),
            Just("number"),
            Just("boolean"),
            Just("filepath"),
            Just("color")
        ]),
        proptest::option::of(proptest::collection::btree_map(
            proptest::sample::select(KEYS),
            (
                any::<bool>(),
                any::<bool>(),
                proptest::option::of(arb_text()),
            ),
            0..3,
        )),
    )
        .prop_map(
            |(value, required, secret, default, choices, format, variables)| {
                let mut input = serde_json::Map::new();
                if let Some(value) = value {
                    input.insert("value".into(), json!(value));
                }
                input.insert("isRequired".into(), json!(required));
                input.insert("isSecret".into(), json!(secret));
                if let Some(default) = default {
                    input.insert("default".into(), json!(default));
                }
                if let Some(choices) = choices {
                    input.insert("choices".into(), json!(choices));
                }
                if let Some(format) = format {
                    input.insert("format".into(), json!(format));
                }
                if let Some(variables) = variables {
                    let variables: serde_json::Map<String, Value> = variables
                        .into_iter()
                        .map(|(name, (required, secret, default))| {
                            let mut v = json!({"isRequired": required, "isSecret": secret});
                            if let Some(default) = default {
                                v.as_object_mut()
                                    .unwrap()
                                    .insert("default".into(), json!(default));
                            }
                            (name.to_owned(), v)
                        })
                        .collect();
                    input.insert("variables".into(), Value::Object(variables));
                }
                input
            },
        )
}

fn arb_argument() -> impl Strategy<Value = Value> {
    (
        arb_input(),
        prop_oneof![Just("named"), Just("positional"), Just("flag")],
        proptest::option::of(proptest::sample::select(KEYS)),
        any::<bool>(),
    )
        .prop_map(|(mut input, kind, key, repeated)| {
            input.insert("type".into(), json!(kind));
            if let Some(key) = key {
                let field = if kind == "named" { "name" } else { "valueHint" };
                input.insert(field.into(), json!(key));
            }
            input.insert("isRepeated".into(), json!(repeated));
            Value::Object(input)
        })
}

fn arb_key_value() -> impl Strategy<Value = Value> {
    (arb_input(), proptest::sample::select(KEYS)).prop_map(|(mut input, name)| {
        input.insert("name".into(), json!(name));
        Value::Object(input)
    })
}

fn arb_document() -> impl Strategy<Value = ServerJson> {
    let transport = (
        prop_oneof![
            Just("stdio"),
            Just("streamable-http"),
            Just("sse"),
            Just("ws")
        ],
        proptest::option::of(Just("http://localhost:{--port}/{a}/{PORT}")),
        proptest::collection::vec(arb_key_value(), 0..2),
    )
        .prop_map(|(kind, url, headers)| json!({"type": kind, "url": url, "headers": headers}));
    (
        prop_oneof![
            Just("npm"),
            Just("pypi"),
            Just("oci"),
            Just("nuget"),
            Just("mcpb"),
            Just("cargo"),
            Just("x")
        ],
        proptest::option::of(Just("1.0.0")),
        proptest::collection::vec(arb_argument(), 0..3),
        proptest::collection::vec(arb_argument(), 0..3),
        proptest::collection::vec(arb_key_value(), 0..3),
        transport,
    )
        .prop_map(|(kind, version, runtime, package_args, env, transport)| {
            let mut remote = transport.clone();
            remote.as_object_mut().unwrap().insert(
                "variables".into(),
                json!({"a": {"isSecret": true}, "PORT": {"isRequired": true}}),
            );
            server(
                json!([{
                    "registryType": kind,
                    "identifier": if kind == "mcpb" { "https://github.com/a/b/releases/download/v1/b.mcpb" } else { "pkg" },
                    "fileSha256": "fe333e598595000ae021bd27117db32ec69af6987f507ba7a63c90638ff633ce",
                    "version": version,
                    "runtimeArguments": runtime,
                    "packageArguments": package_args,
                    "environmentVariables": env,
                    "transport": transport,
                }]),
                json!([remote]),
            )
        })
}

proptest! {
    #[test]
    fn any_document_plans_or_fails_typed_and_hides_secret_answers(
        doc in arb_document(),
        given in proptest::collection::btree_map(
            proptest::sample::select(KEYS),
            proptest::collection::vec(prop_oneof![Just("1"), Just("true"), Just("a"), Just("")], 1..3),
            0..5,
        ),
    ) {
        let mut answers = Answers::new();
        for (i, (key, values)) in given.iter().enumerate() {
            // Each answer is marked, so that a leak is visible whatever the input's shape.
            let marked: Vec<String> = values.iter().map(|v| format!("{v}SECRET{i}")).collect();
            answers = answers.with_many(*key, marked);
        }
        for target in [P0, R0] {
            let secret_keys: Vec<String> = plan::questions(&doc, target)
                .map(|questions| {
                    questions.iter().filter(|q| q.is_secret()).map(|q| q.key().to_owned()).collect()
                })
                .unwrap_or_default();
            for result in [
                plan::plan(&doc, target, &answers),
                plan::plan_for_export(&doc, target, &answers),
                plan::plan(&doc, target, &Answers::new()),
            ] {
                match result {
                    Ok(plan) => {
                        let shown = format!("{plan:?} {}", serde_json::to_string(&plan).unwrap());
                        for (i, key) in given.keys().enumerate() {
                            if secret_keys.iter().any(|k| k == key) {
                                prop_assert!(!shown.contains(&format!("SECRET{i}")), "{key}: {shown}");
                            }
                        }
                        let _ = plan.command();
                    }
                    Err(e) => {
                        let shown = format!("{e} {e:?}");
                        for (i, key) in given.keys().enumerate() {
                            if secret_keys.iter().any(|k| k == key) {
                                prop_assert!(!shown.contains(&format!("SECRET{i}")), "{key}: {shown}");
                            }
                        }
                    }
                }
            }
        }
    }
}
