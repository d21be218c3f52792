//! One test per code of the rule table in the docs of `mcp_registry_types::validate()`, named
//! after the code, each asserting the path, code, severity and full message of the finding;
//! plus the official registry's edge cases (REFERENCE §5) and documents it accepts, which must
//! get no error.

mod util;

use mcp_registry_types::{
    Finding, SchemaVersion, SchemaVersionPolicy, Severity, ValidationLayer, Validator,
};
use serde_json::json;
use util::{
    CURRENT, SHA, assert_clean, assert_codes, assert_codes_in, assert_error, assert_has_in,
    assert_lacks, assert_no_errors, assert_sole, assert_sole_in, base, base_with, mcpb, oci,
    remove, report_with, schema_url, set, validated, with_package, with_remote,
};

#[test]
fn valid_base_document_has_no_findings() {
    let report = validated(&base());
    assert!(report.findings().is_empty(), "{:?}", report.findings());
    assert!(report.is_valid());
    assert_eq!(report.schema_version(), Some(SchemaVersion::V2025_12_11));
}

// ---------------------------------------------------------------------------------------------
// Schema version layer (REFERENCE §5.2)
// ---------------------------------------------------------------------------------------------

#[test]
fn schema_field_required() {
    let mut doc = base();
    remove(&mut doc, "/$schema");
    let message = format!("`$schema` is required: write `{CURRENT}`");
    // The publish API requires the property too, under the same code: one finding.
    let finding = assert_sole(&doc, "/$schema", "schema-field-required", &message);
    assert_eq!(finding.layer(), ValidationLayer::SchemaVersion);
    let publish = Validator::new().with_layers(&[ValidationLayer::Publish]);
    let finding = assert_sole_in(
        &report_with(&publish, &doc),
        "/$schema",
        "schema-field-required",
        Severity::Error,
        &message,
    );
    assert_eq!(finding.layer(), ValidationLayer::Publish);

    // Empty counts as missing.
    assert_error(
        &base_with("/$schema", json!("")),
        "/$schema",
        "schema-field-required",
        &message,
    );
}

#[test]
fn schema_version_extraction_error() {
    let url = "https://example.com/server.json";
    assert_sole(
        &base_with("/$schema", json!(url)),
        "/$schema",
        "schema-version-extraction-error",
        &format!("cannot find a schema version in `{url}`: write `{CURRENT}`"),
    );
    // The draft's published URL has no `/schemas/<version>/` part: the registry refuses it.
    let draft = SchemaVersion::Draft.url();
    assert_sole(
        &base_with("/$schema", json!(draft)),
        "/$schema",
        "schema-version-extraction-error",
        &format!("cannot find a schema version in `{draft}`: write `{CURRENT}`"),
    );
}

#[test]
fn schema_version_not_available() {
    for version in ["2024-01-01", "draft", "2025-12-12"] {
        assert_sole(
            &base_with("/$schema", json!(schema_url(version))),
            "/$schema",
            "schema-version-not-available",
            &format!(
                "schema version `{version}` is not available in the registry: write `{CURRENT}`"
            ),
        );
    }
}

#[test]
fn schema_version_not_current() {
    // The base document is valid under each of these camelCase versions.
    for version in ["2025-09-16", "2025-09-29", "2025-10-11", "2025-10-17"] {
        let doc = base_with("/$schema", json!(schema_url(version)));
        let report = validated(&doc);
        assert_sole_in(
            &report,
            "/$schema",
            "schema-version-not-current",
            Severity::Warning,
            &format!(
                "schema version `{version}` is not the current version `2025-12-11`: update `$schema` to `{CURRENT}`"
            ),
        );
        assert!(report.is_valid(), "a warning leaves the document valid");
        assert_eq!(
            report.schema_version().map(SchemaVersion::id),
            Some(version)
        );
    }
}

#[test]
fn schema_version_policy_allow_warn_error() {
    assert_eq!(SchemaVersionPolicy::default(), SchemaVersionPolicy::Warn);
    let doc = base_with("/$schema", json!(schema_url("2025-10-17")));
    let message = format!(
        "schema version `2025-10-17` is not the current version `2025-12-11`: update `$schema` to `{CURRENT}`"
    );
    let validator = |policy| Validator::new().with_schema_version_policy(policy);

    let allowed = report_with(&validator(SchemaVersionPolicy::Allow), &doc);
    assert!(allowed.findings().is_empty(), "{:?}", allowed.findings());

    let warned = report_with(&validator(SchemaVersionPolicy::Warn), &doc);
    assert_sole_in(
        &warned,
        "/$schema",
        "schema-version-not-current",
        Severity::Warning,
        &message,
    );
    assert!(warned.is_valid());
    assert_eq!(warned.warnings().count(), 1);
    assert_eq!(
        validated(&doc),
        warned,
        "`validate` warns, as the registry does"
    );

    let refused = report_with(&validator(SchemaVersionPolicy::Error), &doc);
    assert_sole_in(
        &refused,
        "/$schema",
        "schema-version-not-current",
        Severity::Error,
        &message,
    );
    assert!(!refused.is_valid());

    // The policy is only about known versions: the current one is never judged, an unknown
    // one is always an error.
    for policy in [SchemaVersionPolicy::Allow, SchemaVersionPolicy::Error] {
        assert!(
            report_with(&validator(policy), &base())
                .findings()
                .is_empty()
        );
        let unknown = base_with("/$schema", json!(schema_url("2024-01-01")));
        let report = report_with(&validator(policy), &unknown);
        assert_eq!(report.findings()[0].code(), "schema-version-not-available");
        assert!(!report.is_valid());
    }
}

#[test]
fn schema_version_not_current_compares_the_whole_url() {
    for url in [
        "http://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json",
        "https://example.com/schemas/2025-12-11/server.schema.json",
    ] {
        let report = validated(&base_with("/$schema", json!(url)));
        let [finding] = report.findings() else {
            panic!(
                "expected one warning for {url}, got {:?}",
                report.findings()
            );
        };
        assert_eq!(finding.path(), "/$schema");
        assert_eq!(finding.code(), "schema-version-not-current");
        assert_eq!(finding.severity(), Severity::Warning);
    }
}

// ---------------------------------------------------------------------------------------------
// JSON Schema and publish request layers (REFERENCE §1, §5.1, §5.4)
// ---------------------------------------------------------------------------------------------

#[test]
fn required() {
    let mut doc = base();
    remove(&mut doc, "/description");
    let finding = assert_sole(
        &doc,
        "/description",
        "required",
        "`description` is required",
    );
    assert_eq!(
        finding.layer(),
        ValidationLayer::JsonSchema,
        "reported once, by the first layer"
    );

    let mut doc = base();
    remove(&mut doc, "/packages/0/transport");
    assert_sole(
        &doc,
        "/packages/0/transport",
        "required",
        "`transport` is required",
    );

    // A positional argument needs `valueHint` or `value`.
    let doc = base_with(
        "/packages/0/packageArguments",
        json!([{"type": "positional", "description": "the city"}]),
    );
    assert_sole(
        &doc,
        "/packages/0/packageArguments/0/valueHint",
        "required",
        r#"a positional argument needs `valueHint` or `value`: add `"valueHint": "label"`"#,
    );
    for ok in [
        json!({"type": "positional", "valueHint": "city"}),
        json!({"type": "positional", "value": "paris"}),
    ] {
        assert_clean(&base_with("/packages/0/packageArguments", json!([ok])));
    }
}

#[test]
fn min_length() {
    assert_sole(
        &base_with("/description", json!("")),
        "/description",
        "min-length",
        "must not be empty",
    );
    assert_error(
        &base_with("/name", json!("ab")),
        "/name",
        "min-length",
        "`ab` is too short: write at least 3 characters",
    );
    // The schema sets no minimum on the server version, the publish API sets 1.
    let finding = assert_sole(
        &base_with("/version", json!("")),
        "/version",
        "min-length",
        "must not be empty",
    );
    assert_eq!(finding.layer(), ValidationLayer::Publish);
}

#[test]
fn max_length() {
    // Lengths count characters, not bytes: 100 two-byte characters are fine.
    assert_clean(&base_with("/description", json!("é".repeat(100))));
    let finding = assert_sole(
        &base_with("/description", json!("é".repeat(101))),
        "/description",
        "max-length",
        "is 101 characters long: shorten it to at most 100",
    );
    assert_eq!(finding.layer(), ValidationLayer::JsonSchema);

    let name = format!("io.github.acme/{}", "a".repeat(186));
    assert_sole(
        &base_with("/name", json!(name)),
        "/name",
        "max-length",
        "is 201 characters long: shorten it to at most 200",
    );
    assert_sole(
        &base_with(
            "/packages/0/version",
            json!(format!("1{}", "a".repeat(255))),
        ),
        "/packages/0/version",
        "max-length",
        "is 256 characters long: shorten it to at most 255",
    );
    assert_sole(
        &base_with("/title", json!("t".repeat(101))),
        "/title",
        "max-length",
        "is 101 characters long: shorten it to at most 100",
    );
}

#[test]
fn pattern() {
    let icon = json!([{"src": "https://example.com/icon.png", "sizes": ["48x48", "48"]}]);
    assert_sole(
        &base_with("/icons", icon),
        "/icons/0/sizes/1",
        "pattern",
        "`48` is not a size: write `WIDTHxHEIGHT` such as `48x48`, or `any`",
    );

    let mut package = mcpb("https://github.com/acme/weather/releases/download/v1.0.0/weather.mcpb");
    set(&mut package, "/fileSha256", json!(SHA.to_uppercase()));
    assert_sole(
        &with_package(package),
        "/packages/0/fileSha256",
        "pattern",
        &format!(
            "`{}` is not a SHA-256: write 64 lower-case hex digits",
            SHA.to_uppercase()
        ),
    );

    // 2025-12-11 transport URLs: `^https?://[^\s]+$`; Go's parser accepts the space in a path.
    let url = "https://api.example.com/ mcp";
    assert_sole(
        &with_remote(json!({"type": "streamable-http", "url": url})),
        "/remotes/0/url",
        "pattern",
        &format!("`{url}` must start with `http://` or `https://` and hold no white space"),
    );

    let doc = base_with("/name", json!("acme_corp/weather"));
    let message = "`acme_corp/weather` does not match `^[a-zA-Z0-9.-]+/[a-zA-Z0-9._-]+$`: write `namespace/name`";
    assert_error(&doc, "/name", "pattern", message);
    // The JSON Schema and the publish API state the rule alike: whichever layers run, it is
    // reported once, by the first of them.
    for (layers, by) in [
        (
            &[ValidationLayer::JsonSchema, ValidationLayer::Publish][..],
            ValidationLayer::JsonSchema,
        ),
        (
            &[ValidationLayer::JsonSchema][..],
            ValidationLayer::JsonSchema,
        ),
        (&[ValidationLayer::Publish][..], ValidationLayer::Publish),
    ] {
        let report = report_with(&Validator::new().with_layers(layers), &doc);
        let found: Vec<_> = report
            .findings()
            .iter()
            .filter(|f| f.code() == "pattern" && f.path() == "/name")
            .collect();
        assert_eq!(found.len(), 1, "{layers:?}");
        assert_eq!((found[0].layer(), found[0].message()), (by, message));
    }
}

#[test]
fn r#enum() {
    let icon = |field: &str, value: &str| {
        let mut icon = json!({"src": "https://example.com/icon.png"});
        set(&mut icon, &format!("/{field}"), json!(value));
        base_with("/icons", json!([icon]))
    };
    assert_sole(
        &icon("mimeType", "image/gif"),
        "/icons/0/mimeType",
        "enum",
        "`image/gif` is not allowed: write one of `image/png`, `image/jpeg`, `image/jpg`, `image/svg+xml`, `image/webp`",
    );
    assert_sole(
        &icon("theme", "blue"),
        "/icons/0/theme",
        "enum",
        "`blue` is not allowed: write one of `light`, `dark`",
    );
    assert_sole(
        &base_with(
            "/packages/0/environmentVariables",
            json!([{"name": "API_KEY", "format": "text"}]),
        ),
        "/packages/0/environmentVariables/0/format",
        "enum",
        "`text` is not allowed: write one of `string`, `number`, `boolean`, `filepath`",
    );
    assert_sole(
        &base_with(
            "/packages/0/packageArguments",
            json!([{"type": "flag", "name": "--verbose"}]),
        ),
        "/packages/0/packageArguments/0/type",
        "enum",
        "`flag` is not allowed: write one of `positional`, `named`",
    );
    assert_error(
        &base_with("/packages/0/transport/type", json!("websocket")),
        "/packages/0/transport/type",
        "enum",
        "`websocket` is not allowed: write one of `stdio`, `streamable-http`, `sse`",
    );
    assert_error(
        &with_remote(json!({"type": "stdio"})),
        "/remotes/0/type",
        "enum",
        "`stdio` is not allowed: write one of `streamable-http`, `sse`",
    );

    // `status` was a document property up to 2025-09-16.
    let mut doc = base_with("/$schema", json!(schema_url("2025-09-16")));
    set(&mut doc, "/status", json!("archived"));
    assert_error(
        &doc,
        "/status",
        "enum",
        "`archived` is not allowed: write one of `active`, `deprecated`, `deleted`",
    );
}

#[test]
fn format() {
    // The JSON Schema of `/validate` wants absolute URIs ...
    let doc = base_with("/websiteUrl", json!("example.com"));
    let finding = assert_error(
        &doc,
        "/websiteUrl",
        "format",
        "`example.com` is not an absolute URI: write a full URL such as `https://example.com/`",
    );
    assert_eq!(finding.layer(), ValidationLayer::JsonSchema);
    assert_codes(
        &doc,
        &[
            ("/websiteUrl", "format"),
            ("/websiteUrl", "website-url-must-be-absolute"),
            ("/websiteUrl", "website-url-invalid-scheme"),
        ],
    );

    // ... the publish API only that Go parses them: a relative reference passes there.
    let publish = Validator::new().with_layers(&[ValidationLayer::Publish]);
    assert!(report_with(&publish, &doc).findings().is_empty());
    let url = "https://registry.npmjs.org/%zz";
    let doc = base_with("/packages/0/registryBaseUrl", json!(url));
    let finding = assert_sole_in(
        &report_with(&publish, &doc),
        "/packages/0/registryBaseUrl",
        "format",
        Severity::Error,
        r#"`https://registry.npmjs.org/%zz` is not a URI: invalid URL escape "%zz""#,
    );
    assert_eq!(finding.layer(), ValidationLayer::Publish);
    assert_codes(
        &doc,
        &[
            ("/packages/0/registryBaseUrl", "format"),
            ("/packages/0/registryBaseUrl", "registry-base-url-mismatch"),
        ],
    );
}

#[test]
fn not_latest() {
    let doc = base_with("/packages/0/version", json!("latest"));
    let finding = assert_error(
        &doc,
        "/packages/0/version",
        "not-latest",
        "a package version must not be `latest`: write the specific version such as `1.0.0`",
    );
    assert_eq!(finding.layer(), ValidationLayer::JsonSchema);
    assert_codes(
        &doc,
        &[
            ("/packages/0/version", "not-latest"),
            ("/packages/0/version", "reserved-version-string"),
        ],
    );
}

#[test]
fn additional_property() {
    for version in ["2025-09-16", "2025-09-29"] {
        let mut doc = base_with("/$schema", json!(schema_url(version)));
        set(&mut doc, "/packages/0/postInstall", json!("npm run setup"));
        let finding = assert_error(
            &doc,
            "/packages/0/postInstall",
            "additional-property",
            &format!("`postInstall` is not a package property in schema {version}: remove it"),
        );
        assert_eq!(finding.layer(), ValidationLayer::JsonSchema);
        assert_codes(
            &doc,
            &[
                ("/$schema", "schema-version-not-current"),
                ("/packages/0/postInstall", "additional-property"),
                ("/packages/0/postInstall", "unknown-property"),
            ],
        );
    }
    // From 2025-10-11 `Package` is open: only the publish API refuses the property.
    let mut doc = base_with("/$schema", json!(schema_url("2025-10-11")));
    set(&mut doc, "/packages/0/postInstall", json!("npm run setup"));
    assert_lacks(&doc, "additional-property");
    assert_lacks(
        &base_with("/packages/0/postInstall", json!("npm run setup")),
        "additional-property",
    );
}

#[test]
fn unknown_property() {
    let finding = assert_sole(
        &base_with("/tools", json!([])),
        "/tools",
        "unknown-property",
        "the registry does not accept property `tools`: remove it",
    );
    assert_eq!(finding.layer(), ValidationLayer::Publish);

    // Every level: repository, package, nested inputs.
    assert_sole(
        &base_with(
            "/repository",
            json!({"url": "https://github.com/acme/weather", "source": "github", "branch": "main"}),
        ),
        "/repository/branch",
        "unknown-property",
        "the registry does not accept property `branch`: remove it",
    );
    assert_sole(
        &base_with("/packages/0/runtime_hint", json!("npx")),
        "/packages/0/runtime_hint",
        "unknown-property",
        "the registry does not accept property `runtime_hint`: write `runtimeHint` instead",
    );
    let remote = json!({
        "type": "streamable-http",
        "url": "https://{tenant}.example.com/mcp",
        "variables": {"tenant": {"description": "tenant", "variables": {"x": {}}}}
    });
    assert_sole(
        &with_remote(remote),
        "/remotes/0/variables/tenant/variables",
        "unknown-property",
        "the registry does not accept property `variables`: remove it",
    );
}

#[test]
fn meta_key_not_allowed() {
    let finding = assert_sole(
        &base_with("/_meta", json!({"tools": {"count": 3}})),
        "/_meta/tools",
        "meta-key-not-allowed",
        "`_meta` key `tools` is not accepted: put publisher metadata under `io.modelcontextprotocol.registry/publisher-provided`",
    );
    assert_eq!(finding.layer(), ValidationLayer::Publish);
    // Keys are escaped as JSON Pointer tokens.
    assert_sole(
        &base_with(
            "/_meta",
            json!({"io.modelcontextprotocol.registry/official": {}}),
        ),
        "/_meta/io.modelcontextprotocol.registry~1official",
        "meta-key-not-allowed",
        "`_meta` key `io.modelcontextprotocol.registry/official` is not accepted: put publisher metadata under `io.modelcontextprotocol.registry/publisher-provided`",
    );
}

/// `_meta` holding `{"a": text}` as publisher-provided metadata: `8 + len(text)` bytes of JSON.
fn publisher_meta(text: &str) -> serde_json::Value {
    base_with(
        "/_meta",
        json!({"io.modelcontextprotocol.registry/publisher-provided": {"a": text}}),
    )
}

#[test]
fn publisher_meta_too_large() {
    assert_eq!(mcp_registry_types::MAX_PUBLISHER_META_BYTES, 4096);
    assert_clean(&publisher_meta(&"x".repeat(4088)));
    let path = "/_meta/io.modelcontextprotocol.registry~1publisher-provided";
    let finding = assert_sole(
        &publisher_meta(&"x".repeat(4089)),
        path,
        "publisher-meta-too-large",
        "publisher-provided metadata is 4097 bytes of JSON: keep it to at most 4096",
    );
    assert_eq!(finding.layer(), ValidationLayer::Publish);
    // Go's encoder writes `<` as `\u003c`: six bytes.
    assert_sole(
        &publisher_meta(&format!("<{}", "x".repeat(4087))),
        path,
        "publisher-meta-too-large",
        "publisher-provided metadata is 4101 bytes of JSON: keep it to at most 4096",
    );
}

#[test]
fn publisher_meta_size_is_go_json_size() {
    // Go: {"a":"x…x","b":1} = 14 + 4082 = 4096 bytes.
    let doc = base_with(
        "/_meta",
        json!({"io.modelcontextprotocol.registry/publisher-provided": {"a": "x".repeat(4082), "b": 1.0}}),
    );
    assert_clean(&doc);
}

// ---------------------------------------------------------------------------------------------
// Semantic layer (REFERENCE §5.3)
// ---------------------------------------------------------------------------------------------

#[test]
fn invalid_server_name() {
    let namespace = "the namespace must be at least two characters that start and end with a letter or digit and hold only letters, digits, `.` and `-`";
    let name = "the name must be at least two characters that start and end with a letter or digit and hold only letters, digits, `.`, `_` and `-`";
    let cases = [
        (
            "weather",
            "write `namespace/name` with one `/`, such as `com.example.api/server`",
        ),
        (
            "io.github/acme/weather",
            "use exactly one `/` between namespace and name",
        ),
        (
            "/weather",
            "both the namespace and the name before and after `/` must be non-empty",
        ),
        (
            "io.github.acme/",
            "both the namespace and the name before and after `/` must be non-empty",
        ),
        ("-acme.io/weather", namespace),
        ("acme_io/weather", namespace),
        ("io.acme./weather", namespace),
        ("io.acme/weather-", name),
        ("io.acme/_weather", name),
        // The schema pattern allows one-character parts; the semantic rule does not.
        ("io.acme/w", name),
        ("a/weather", namespace),
    ];
    for (text, hint) in cases {
        let finding = assert_error(
            &base_with("/name", json!(text)),
            "/name",
            "invalid-server-name",
            &format!("invalid server name `{text}`: {hint}"),
        );
        assert_eq!(finding.layer(), ValidationLayer::Semantic);
    }
    assert_sole(
        &base_with("/name", json!("io.acme/w")),
        "/name",
        "invalid-server-name",
        &format!("invalid server name `io.acme/w`: {name}"),
    );
    assert_error(
        &base_with("/name", json!("")),
        "/name",
        "invalid-server-name",
        "invalid server name ``: write a name such as `com.example/server`",
    );
}

#[test]
fn reserved_version_string() {
    assert_sole(
        &base_with("/version", json!("latest")),
        "/version",
        "reserved-version-string",
        "`latest` is reserved: write the specific version such as `1.0.0`",
    );
    // Only the exact word.
    for ok in ["Latest", "latest-1", "LATEST"] {
        assert_clean(&base_with("/version", json!(ok)));
    }
}

#[test]
fn version_looks_like_range() {
    let rejected = [
        "^1.2.3",
        "~1.2.3",
        ">=1.2.3",
        ">= 1.2.3",
        "<=1.2.3",
        ">1.2.3",
        "<1.2.3",
        "=1.0.0",
        "1.x",
        "1.*",
        "1.2.*",
        "1 - 2",
        "1.2.3 - 2.0.0",
        "1.2 || 1.3",
        " ^1.0 ",
        "1.2.X",
        "x.1",
        // A pre-release holding an `x` matches the dotted-wildcard pattern too.
        "1.0.0-x.1",
    ];
    for range in rejected {
        let finding = assert_sole(
            &base_with("/version", json!(range)),
            "/version",
            "version-looks-like-range",
            &format!("`{range}` is a range: write one specific version such as `1.2.3`"),
        );
        assert_eq!(finding.layer(), ValidationLayer::Semantic);
    }
    // Package versions too.
    assert_sole(
        &base_with("/packages/0/version", json!("^1.0.0")),
        "/packages/0/version",
        "version-looks-like-range",
        "`^1.0.0` is a range: write one specific version such as `1.2.3`",
    );
    // Accepted by the registry (REFERENCE §5.3 #2): strict SemVer is not required.
    let accepted = [
        "1.0.0",
        "2.1.3-alpha",
        "2025.06.18",
        "2025-06-18",
        "v1.0",
        "snapshot",
        "snapshot - 2025.09",
        "1.0.0+build.5",
        "1.2",
        "xenial",
        "1.0.0-rc.1",
    ];
    for version in accepted {
        assert_clean(&base_with("/version", json!(version)));
        assert_clean(&base_with("/packages/0/version", json!(version)));
    }
}

#[test]
fn invalid_repository_url() {
    let repository =
        |source: &str, url: &str| base_with("/repository", json!({"url": url, "source": source}));
    for url in [
        "https://gitlab.com/acme/weather",
        "https://github.com/acme",
        "https://github.com/acme/weather/tree/main",
        "https://github.com/acme/weather?tab=readme",
        "git@github.com:acme/weather.git",
        "https://api.github.com/acme/weather",
    ] {
        let finding = assert_error(
            &repository("github", url),
            "/repository/url",
            "invalid-repository-url",
            &format!(
                "`{url}` is not a github repository URL: write `https://github.com/OWNER/REPO`"
            ),
        );
        assert_eq!(finding.layer(), ValidationLayer::Semantic);
    }
    assert_sole(
        &repository("gitlab", "https://github.com/acme/weather"),
        "/repository/url",
        "invalid-repository-url",
        "`https://github.com/acme/weather` is not a gitlab repository URL: write `https://gitlab.com/OWNER/REPO`",
    );
    // Only GitHub and GitLab are known sources, and they are case-sensitive.
    for source in ["bitbucket", "GitHub"] {
        let url = "https://github.com/acme/weather";
        assert_sole(
            &repository(source, url),
            "/repository/url",
            "invalid-repository-url",
            &format!(
                "repository source `{source}` is not supported: write `github` or `gitlab` with the matching repository URL `{url}`"
            ),
        );
    }
    // Accepted: `http://`, `www.`, a trailing slash, a `.git` suffix.
    for url in [
        "https://github.com/acme/weather",
        "http://github.com/acme/weather",
        "https://www.github.com/acme/weather/",
        "https://github.com/acme/weather.git",
        "https://github.com/Acme_Corp/weather.mcp-server",
    ] {
        assert_clean(&repository("github", url));
    }
    assert_clean(&repository("gitlab", "https://gitlab.com/acme/weather"));
    // `{url: "", source: ""}` counts as no repository for the semantic rules.
    assert_lacks(&repository("", ""), "invalid-repository-url");
}

#[test]
fn invalid_subfolder_path() {
    let subfolder = |path: &str| {
        base_with(
            "/repository",
            json!({"url": "https://github.com/acme/weather", "source": "github", "subfolder": path}),
        )
    };
    for path in [
        "/servers/weather",
        "servers/weather/",
        "servers//weather",
        "servers/../weather",
        "./weather",
        "servers/.",
        "servers/weather map",
        "servers\\weather",
    ] {
        assert_sole(
            &subfolder(path),
            "/repository/subfolder",
            "invalid-subfolder-path",
            &format!(
                "`{path}` is not a clean relative path: write a path such as `servers/weather` without leading, trailing or doubled `/`, `.` or `..`"
            ),
        );
    }
    for path in [
        "servers/weather",
        "weather",
        "src/my_server-1.0",
        "a/.hidden/b",
        "..x/y",
    ] {
        assert_clean(&subfolder(path));
    }
}

#[test]
fn invalid_website_url() {
    let url = "ht tp://example.com";
    let finding = assert_error(
        &base_with("/websiteUrl", json!(url)),
        "/websiteUrl",
        "invalid-website-url",
        "`ht tp://example.com` is not a URL: first path segment in URL cannot contain colon",
    );
    assert_eq!(finding.layer(), ValidationLayer::Semantic);
    // Control characters make Go's parser fail before the character check.
    assert_error(
        &base_with("/websiteUrl", json!("https://example.com/\tdocs")),
        "/websiteUrl",
        "invalid-website-url",
        "`https://example.com/\\tdocs` is not a URL: net/url: invalid control character in URL",
    );
}

#[test]
fn website_url_must_be_absolute() {
    assert_error(
        &base_with("/websiteUrl", json!("example.com/docs")),
        "/websiteUrl",
        "website-url-must-be-absolute",
        "`example.com/docs` is not absolute: write the full URL such as `https://example.com/docs`",
    );
}

#[test]
fn website_url_invalid_scheme() {
    for url in ["http://example.com", "ftp://example.com/docs"] {
        assert_sole(
            &base_with("/websiteUrl", json!(url)),
            "/websiteUrl",
            "website-url-invalid-scheme",
            &format!("`{url}` must use https: write `https://…`"),
        );
    }
    // Go lower-cases the scheme.
    assert_clean(&base_with("/websiteUrl", json!("HTTPS://example.com")));
}

#[test]
fn website_url_invalid_characters() {
    let cases = [
        ("https://example.com/a b", "' '", 21),
        ("https://example.com/\"docs\"", "'\"'", 20),
        ("https://example.com/it's", "'\\''", 22),
        ("https://example.com/<docs>", "'<'", 20),
        // The position is a byte offset, as Go's `range` over a string gives it.
        ("https://example.com/é>", "'>'", 22),
    ];
    for (url, shown, position) in cases {
        assert_sole(
            &base_with("/websiteUrl", json!(url)),
            "/websiteUrl",
            "website-url-invalid-characters",
            &format!("`{url}` holds {shown} at position {position}: percent-encode it"),
        );
    }
    // Percent-encoded equivalents are fine; the domain need not match the namespace.
    assert_clean(&base_with(
        "/websiteUrl",
        json!("https://docs.other.org/a%20b%3Cc%3E"),
    ));
}

#[test]
fn title_whitespace_only() {
    for title in ["   ", "\t\n", "\u{a0}"] {
        let finding = assert_sole(
            &base_with("/title", json!(title)),
            "/title",
            "title-whitespace-only",
            "the title is only white space: write a title or remove it",
        );
        assert_eq!(finding.layer(), ValidationLayer::Semantic);
    }
    assert_sole(
        &base_with("/title", json!("")),
        "/title",
        "min-length",
        "must not be empty",
    );
    assert_clean(&base_with("/title", json!("Weather MCP")));
}

#[test]
fn icon_src_invalid_url() {
    let src = "https://exa mple.com/icon.png";
    let finding = assert_error(
        &base_with("/icons", json!([{"src": src}])),
        "/icons/0/src",
        "icon-src-invalid-url",
        "`https://exa mple.com/icon.png` is not a URL: invalid character ' ' in host name",
    );
    assert_eq!(finding.layer(), ValidationLayer::Semantic);
}

#[test]
fn icon_src_not_absolute() {
    assert_error(
        &base_with("/icons", json!([{"src": "/static/icon.png"}])),
        "/icons/0/src",
        "icon-src-not-absolute",
        "`/static/icon.png` is not absolute: write the full `https://` URL of the icon",
    );
}

#[test]
fn icon_src_invalid_scheme() {
    assert_sole(
        &base_with("/icons", json!([{"src": "http://example.com/icon.png"}])),
        "/icons/0/src",
        "icon-src-invalid-scheme",
        "icon `http://example.com/icon.png` uses `http`: serve it over `https://`",
    );
    let data = "data:image/png;base64,iVBORw0KGgo=";
    assert_sole(
        &base_with(
            "/icons",
            json!([{"src": "https://example.com/a.png"}, {"src": data}]),
        ),
        "/icons/1/src",
        "icon-src-invalid-scheme",
        &format!("icon `{data}` uses `data`: serve it over `https://`"),
    );
}

#[test]
fn package_name_has_spaces() {
    let finding = assert_sole(
        &base_with("/packages/0/identifier", json!("@acme/weather mcp")),
        "/packages/0/identifier",
        "package-name-has-spaces",
        "package identifier `@acme/weather mcp` holds a space: remove it",
    );
    assert_eq!(finding.layer(), ValidationLayer::Semantic);
}

/// `base()` whose package has these package arguments.
fn arguments(list: serde_json::Value) -> serde_json::Value {
    base_with("/packages/0/packageArguments", list)
}

#[test]
fn named_argument_name_required() {
    assert_sole(
        &arguments(json!([{"type": "named", "name": ""}])),
        "/packages/0/packageArguments/0/name",
        "named-argument-name-required",
        "a named argument needs a `name` such as `--port`",
    );
    // Missing altogether, the JSON Schema also requires it.
    let mut doc = base_with(
        "/packages/0/runtimeArguments",
        json!([{"type": "named", "value": "8080"}]),
    );
    assert_error(
        &doc,
        "/packages/0/runtimeArguments/0/name",
        "named-argument-name-required",
        "a named argument needs a `name` such as `--port`",
    );
    assert_error(
        &doc,
        "/packages/0/runtimeArguments/0/name",
        "required",
        "`name` is required",
    );
    set(
        &mut doc,
        "/packages/0/runtimeArguments/0/type",
        json!("positional"),
    );
    assert_clean(&doc);
}

#[test]
fn invalid_named_argument_name() {
    for name in [
        "--port <n>",
        "--dir=<path>",
        "--token $TOKEN",
        "$HOME",
        "-v verbose",
        "--a>b",
    ] {
        assert_sole(
            &arguments(json!([{"type": "named", "name": name}])),
            "/packages/0/packageArguments/0/name",
            "invalid-named-argument-name",
            &format!(
                "argument name `{name}` holds `<`, `>`, `$` or a space: write the bare flag such as `--port`"
            ),
        );
    }
    // No dash prefix is required.
    for name in ["--port", "-v", "config", "verbose", "--dir=x"] {
        assert_clean(&arguments(json!([{"type": "named", "name": name}])));
    }
}

#[test]
fn argument_value_starts_with_name() {
    for value in ["--port=8080", "--port 8080", "--port", "--portal"] {
        assert_sole(
            &arguments(json!([{"type": "named", "name": "--port", "value": value}])),
            "/packages/0/packageArguments/0/value",
            "argument-value-starts-with-name",
            "the value of `--port` repeats the flag: write only the value",
        );
    }
    // A prefix, not a substring; empty values are not checked.
    for value in ["8080", "x--port", ""] {
        assert_clean(&arguments(
            json!([{"type": "named", "name": "--port", "value": value}]),
        ));
    }
}

#[test]
fn argument_default_starts_with_name() {
    let doc = base_with(
        "/packages/0/runtimeArguments",
        json!([{"type": "named", "name": "--mode", "default": "--mode=local"}]),
    );
    assert_sole(
        &doc,
        "/packages/0/runtimeArguments/0/default",
        "argument-default-starts-with-name",
        "the default of `--mode` repeats the flag: write only the value",
    );
    assert_clean(&arguments(
        json!([{"type": "named", "name": "--mode", "default": "local"}]),
    ));
}

#[test]
fn named_argument_checks_are_independent() {
    let doc = arguments(json!([{"type": "named", "name": "", "value": "8080"}]));
    let report = validated(&doc);
    let path = "/packages/0/packageArguments/0/value";
    assert!(
        report
            .findings()
            .iter()
            .any(|f| f.path() == path && f.code() == "argument-value-starts-with-name")
    );

    let doc = arguments(json!([{"type": "named", "name": "--port <n>", "value": "--port <n> 1"}]));
    let report = validated(&doc);
    let codes: Vec<&str> = report.findings().iter().map(Finding::code).collect();
    assert_eq!(
        codes,
        [
            "invalid-named-argument-name",
            "argument-value-starts-with-name"
        ]
    );
}

#[test]
fn stdio_transport_url_not_empty() {
    let finding = assert_sole(
        &base_with(
            "/packages/0/transport/url",
            json!("http://localhost:8080/mcp"),
        ),
        "/packages/0/transport/url",
        "stdio-transport-url-not-empty",
        "a stdio transport has no url, but `http://localhost:8080/mcp` is given: remove it",
    );
    assert_eq!(finding.layer(), ValidationLayer::Semantic);
    assert_clean(&base_with("/packages/0/transport/url", json!("")));
}

#[test]
fn streamable_transport_url_required() {
    for kind in ["streamable-http", "sse"] {
        let doc = base_with("/packages/0/transport", json!({"type": kind}));
        assert_error(
            &doc,
            "/packages/0/transport/url",
            "streamable-transport-url-required",
            &format!(
                "{} {kind} transport needs a `url` such as `http://localhost:{{port}}/mcp`",
                if kind == "sse" { "an" } else { "a" }
            ),
        );
        assert_codes(
            &doc,
            &[
                ("/packages/0/transport/url", "required"),
                (
                    "/packages/0/transport/url",
                    "streamable-transport-url-required",
                ),
            ],
        );
    }
}

#[test]
fn unsupported_transport_type() {
    let doc = base_with("/packages/0/transport/type", json!("websocket"));
    assert_error(
        &doc,
        "/packages/0/transport/type",
        "unsupported-transport-type",
        "transport type `websocket` is not supported: write `stdio`, `streamable-http` or `sse`",
    );
    assert_codes(
        &doc,
        &[
            ("/packages/0/transport/type", "enum"),
            ("/packages/0/transport/type", "unsupported-transport-type"),
        ],
    );
}

#[test]
fn invalid_templated_url() {
    let transport = |url: &str| json!({"type": "streamable-http", "url": url});
    let url = "http://localhost:{port}/mcp";
    assert_sole(
        &base_with("/packages/0/transport", transport(url)),
        "/packages/0/transport/url",
        "invalid-templated-url",
        "`http://localhost:{port}/mcp` uses `{port}`, which is not defined: name it as an environment variable, argument name or value hint",
    );
    assert_error(
        &base_with("/packages/0/transport", transport("ftp://localhost/mcp")),
        "/packages/0/transport/url",
        "invalid-templated-url",
        "`ftp://localhost/mcp` is not a valid URL template: the scheme must be `http` or `https`",
    );
    // A package's variables: environment variable names, argument names and value hints.
    let mut doc = base_with("/packages/0/transport", transport(url));
    set(
        &mut doc,
        "/packages/0/environmentVariables",
        json!([{"name": "port"}]),
    );
    assert_clean(&doc);
    let mut doc = base_with(
        "/packages/0/transport",
        transport("http://localhost:{--port}/{db}"),
    );
    set(
        &mut doc,
        "/packages/0/packageArguments",
        json!([{"type": "named", "name": "--port"}, {"type": "positional", "valueHint": "db"}]),
    );
    assert_clean(&doc);

    // A remote's variables are the keys of `variables`.
    let remote = |variables| json!({"type": "sse", "url": "https://{tenant}.example.com/sse", "variables": variables});
    assert_sole(
        &with_remote(remote(json!({"region": {}}))),
        "/remotes/0/url",
        "invalid-templated-url",
        "`https://{tenant}.example.com/sse` uses `{tenant}`, which is not defined: name it as a key of `variables`",
    );
    assert_clean(&with_remote(remote(
        json!({"tenant": {"description": "tenant id"}, "unused": {}}),
    )));
}

#[test]
fn unsupported_remote_transport_type() {
    let doc = with_remote(json!({"type": "stdio"}));
    let finding = assert_error(
        &doc,
        "/remotes/0/type",
        "unsupported-remote-transport-type",
        "remote transport type `stdio` is not supported: write `streamable-http` or `sse`",
    );
    assert_eq!(finding.layer(), ValidationLayer::Semantic);
    assert_codes(
        &doc,
        &[
            ("/remotes/0/type", "enum"),
            ("/remotes/0/type", "unsupported-remote-transport-type"),
        ],
    );
}

#[test]
fn remote_transport_url_required() {
    let doc = with_remote(json!({"type": "streamable-http"}));
    assert_error(
        &doc,
        "/remotes/0/url",
        "remote-transport-url-required",
        "a remote needs a `url` such as `https://api.example.com/mcp`",
    );
    assert_codes(
        &doc,
        &[
            ("/remotes/0/url", "required"),
            ("/remotes/0/url", "remote-transport-url-required"),
            ("/remotes/0/url", "invalid-templated-url"),
        ],
    );
}

#[test]
fn invalid_remote_url() {
    let cases = [
        ("http://api.example.com/mcp", "remotes must use `https`"),
        (
            "https://localhost/mcp",
            "remotes must not point at `localhost`",
        ),
        (
            "https://localhost:8443/mcp",
            "remotes must not point at `localhost`",
        ),
        (
            "https://127.0.0.1:8443/mcp",
            "remotes must not point at `127.0.0.1`",
        ),
        (
            "https://mcp.localhost/mcp",
            "remotes must not point at `mcp.localhost`",
        ),
    ];
    for (url, reason) in cases {
        let finding = assert_sole(
            &with_remote(json!({"type": "streamable-http", "url": url})),
            "/remotes/0/url",
            "invalid-remote-url",
            &format!("`{url}` is not a valid remote URL: {reason}"),
        );
        assert_eq!(finding.layer(), ValidationLayer::Semantic);
    }
    // A URL that is no http(s) URL once filled in fails both remote checks.
    let doc = with_remote(json!({"type": "sse", "url": "https:///sse"}));
    assert_error(
        &doc,
        "/remotes/0/url",
        "invalid-remote-url",
        "`https:///sse` is not a valid remote URL: the url must name a host",
    );
    assert_error(
        &doc,
        "/remotes/0/url",
        "invalid-templated-url",
        "`https:///sse` is not a valid URL template: the url must name a host",
    );
    // Private and unspecified addresses pass the official check.
    for url in [
        "https://10.0.0.1/mcp",
        "https://192.168.1.10:8443/mcp",
        "https://[::1]/mcp",
        "https://0.0.0.0/mcp",
    ] {
        assert_clean(&with_remote(json!({"type": "streamable-http", "url": url})));
    }
}

#[test]
fn remote_templated_url_check_is_independent() {
    let report = validated(&with_remote(json!({"type": "streamable-http", "url": ""})));
    let codes: Vec<&str> = report
        .findings()
        .iter()
        .filter(|f| f.path() == "/remotes/0/url")
        .map(Finding::code)
        .collect();
    assert!(
        codes.contains(&"remote-transport-url-required"),
        "{codes:?}"
    );
    assert!(codes.contains(&"invalid-templated-url"), "{codes:?}");
}

#[test]
fn relative_urls_also_fail_the_scheme_check() {
    let doc = base_with("/websiteUrl", json!("example.com"));
    let report = validated(&doc);
    assert!(
        report
            .findings()
            .iter()
            .any(|f| f.code() == "website-url-invalid-scheme")
    );
    let doc = base_with("/icons", json!([{"src": "/icon.png"}]));
    let report = validated(&doc);
    assert!(
        report
            .findings()
            .iter()
            .any(|f| f.code() == "icon-src-invalid-scheme")
    );
}

// ---------------------------------------------------------------------------------------------
// Per-registry-type package rules (REFERENCE §5.5)
// ---------------------------------------------------------------------------------------------

#[test]
fn unsupported_registry_type() {
    let finding = assert_sole(
        &base_with("/packages/0/registryType", json!("crates")),
        "/packages/0/registryType",
        "unsupported-registry-type",
        "registry type `crates` is not supported: write one of `npm`, `pypi`, `oci`, `nuget`, `mcpb`, `cargo`",
    );
    assert_eq!(finding.layer(), ValidationLayer::Packages);
    let mut doc = base();
    remove(&mut doc, "/packages/0/registryType");
    assert_error(
        &doc,
        "/packages/0/registryType",
        "unsupported-registry-type",
        "`registryType` is missing: write one of `npm`, `pypi`, `oci`, `nuget`, `mcpb`, `cargo`",
    );
    assert_codes(
        &doc,
        &[
            ("/packages/0/registryType", "required"),
            ("/packages/0/registryType", "unsupported-registry-type"),
        ],
    );
}

#[test]
fn package_identifier_required() {
    let doc = base_with("/packages/0/identifier", json!(""));
    let finding = assert_error(
        &doc,
        "/packages/0/identifier",
        "package-identifier-required",
        "the package needs an `identifier`",
    );
    assert_eq!(finding.layer(), ValidationLayer::Packages);
    assert_codes(
        &doc,
        &[
            ("/packages/0/identifier", "min-length"),
            ("/packages/0/identifier", "package-identifier-required"),
        ],
    );
}

#[test]
fn package_version_required() {
    for (kind, identifier) in [
        ("npm", "@acme/weather-mcp"),
        ("pypi", "weather-mcp"),
        ("nuget", "Acme.Weather"),
        ("cargo", "weather-mcp"),
    ] {
        let package =
            json!({"registryType": kind, "identifier": identifier, "transport": {"type": "stdio"}});
        assert_sole(
            &with_package(package),
            "/packages/0/version",
            "package-version-required",
            &format!(
                "{kind} packages need a `version`: write the published version such as `1.0.0`"
            ),
        );
    }
    // Optional for MCPB.
    let mut package = mcpb("https://github.com/acme/weather/releases/download/v1.0.0/weather.mcpb");
    assert_clean(&with_package(package.clone()));
    set(&mut package, "/version", json!("1.0.0"));
    assert_clean(&with_package(package));
}

#[test]
fn registry_base_url_mismatch() {
    let cases = [
        (
            "npm",
            "@acme/weather-mcp",
            "https://registry.yarnpkg.com",
            "https://registry.npmjs.org",
        ),
        (
            "npm",
            "@acme/weather-mcp",
            "https://registry.npmjs.org/",
            "https://registry.npmjs.org",
        ),
        (
            "pypi",
            "weather-mcp",
            "https://pypi.org/simple",
            "https://pypi.org",
        ),
        (
            "nuget",
            "Acme.Weather",
            "https://api.nuget.org/v3",
            "https://api.nuget.org/v3/index.json",
        ),
        (
            "cargo",
            "weather-mcp",
            "https://crates.io/",
            "https://crates.io",
        ),
    ];
    for (kind, identifier, given, expected) in cases {
        let package = json!({
            "registryType": kind, "identifier": identifier, "version": "1.0.0",
            "registryBaseUrl": given, "transport": {"type": "stdio"}
        });
        let finding = assert_sole(
            &with_package(package.clone()),
            "/packages/0/registryBaseUrl",
            "registry-base-url-mismatch",
            &format!(
                "{kind} packages must use `{expected}`, not `{given}`: write `{expected}` or remove `registryBaseUrl`"
            ),
        );
        assert_eq!(finding.layer(), ValidationLayer::Packages);
        let mut exact = package;
        set(&mut exact, "/registryBaseUrl", json!(expected));
        assert_clean(&with_package(exact));
    }
}

#[test]
fn registry_base_url_forbidden() {
    let mut package = oci("ghcr.io/acme/weather:1.0.0");
    set(&mut package, "/registryBaseUrl", json!("https://ghcr.io"));
    assert_sole(
        &with_package(package),
        "/packages/0/registryBaseUrl",
        "registry-base-url-forbidden",
        "oci packages must not set `registryBaseUrl`: put the registry in the identifier, such as `ghcr.io/acme/server:1.0.0`",
    );
    let mut package = mcpb("https://github.com/acme/weather/releases/download/v1.0.0/weather.mcpb");
    set(
        &mut package,
        "/registryBaseUrl",
        json!("https://github.com"),
    );
    assert_sole(
        &with_package(package),
        "/packages/0/registryBaseUrl",
        "registry-base-url-forbidden",
        "mcpb packages must not set `registryBaseUrl`: the identifier is the download URL",
    );
}

#[test]
fn file_sha256_forbidden() {
    assert_sole(
        &base_with("/packages/0/fileSha256", json!(SHA)),
        "/packages/0/fileSha256",
        "file-sha256-forbidden",
        "npm packages must not set `fileSha256`: remove it",
    );
    let mut package = oci("ghcr.io/acme/weather:1.0.0");
    set(&mut package, "/fileSha256", json!(SHA));
    assert_sole(
        &with_package(package),
        "/packages/0/fileSha256",
        "file-sha256-forbidden",
        "oci packages must not set `fileSha256`: remove it",
    );
}

#[test]
fn file_sha256_required() {
    let mut package = mcpb("https://github.com/acme/weather/releases/download/v1.0.0/weather.mcpb");
    remove(&mut package, "/fileSha256");
    let finding = assert_sole(
        &with_package(package.clone()),
        "/packages/0/fileSha256",
        "file-sha256-required",
        "mcpb packages need `fileSha256`: write the SHA-256 of the bundle as 64 lower-case hex digits",
    );
    assert_eq!(finding.layer(), ValidationLayer::Packages);
    // Checked first: before the identifier.
    set(&mut package, "/identifier", json!(""));
    let doc = with_package(package);
    assert_error(
        &doc,
        "/packages/0/fileSha256",
        "file-sha256-required",
        "mcpb packages need `fileSha256`: write the SHA-256 of the bundle as 64 lower-case hex digits",
    );
    assert_lacks(&doc, "package-identifier-required");
}

#[test]
fn package_version_forbidden() {
    let mut package = oci("ghcr.io/acme/weather:1.0.0");
    set(&mut package, "/version", json!("1.0.0"));
    assert_sole(
        &with_package(package),
        "/packages/0/version",
        "package-version-forbidden",
        "oci packages must not set `version`: put the tag in the identifier, such as `ghcr.io/acme/server:1.0.0`",
    );
}

#[test]
fn per_type_checks_run_in_the_registry_order() {
    // npm: version before fileSha256 before the base URL.
    let package = json!({
        "registryType": "npm", "identifier": "@acme/weather-mcp", "fileSha256": SHA,
        "registryBaseUrl": "https://registry.yarnpkg.com", "transport": {"type": "stdio"}
    });
    assert_codes(
        &with_package(package.clone()),
        &[("/packages/0/version", "package-version-required")],
    );
    // NuGet: fileSha256, then the base URL, and the version last.
    let mut nuget = package;
    set(&mut nuget, "/registryType", json!("nuget"));
    set(&mut nuget, "/identifier", json!("Acme.Weather"));
    assert_codes(
        &with_package(nuget.clone()),
        &[("/packages/0/fileSha256", "file-sha256-forbidden")],
    );
    remove(&mut nuget, "/fileSha256");
    assert_sole(
        &with_package(nuget.clone()),
        "/packages/0/registryBaseUrl",
        "registry-base-url-mismatch",
        "nuget packages must use `https://api.nuget.org/v3/index.json`, not `https://registry.yarnpkg.com`: write `https://api.nuget.org/v3/index.json` or remove `registryBaseUrl`",
    );
    remove(&mut nuget, "/registryBaseUrl");
    assert_codes(
        &with_package(nuget),
        &[("/packages/0/version", "package-version-required")],
    );
    // OCI: the base URL before the version.
    let mut image = oci("ghcr.io/acme/weather:1.0.0");
    set(&mut image, "/registryBaseUrl", json!("https://ghcr.io"));
    set(&mut image, "/version", json!("1.0.0"));
    assert_codes(
        &with_package(image),
        &[("/packages/0/registryBaseUrl", "registry-base-url-forbidden")],
    );
    // Every package is checked, each stopping at its first failure.
    let doc = base_with(
        "/packages",
        json!([oci("registry.gitlab.com/acme/weather:1.0.0"), {"registryType": "pypi", "identifier": "weather", "transport": {"type": "stdio"}}]),
    );
    assert_codes(
        &doc,
        &[
            ("/packages/0/identifier", "unsupported-oci-registry"),
            ("/packages/1/version", "package-version-required"),
        ],
    );
}

#[test]
fn invalid_oci_reference() {
    for identifier in [
        "ghcr.io/Acme/Weather:1.0.0",
        "ghcr.io/acme/weather:1.0.0:extra",
        "ghcr.io/acme/weather@sha256:abc",
        "a",
    ] {
        let finding = assert_sole(
            &with_package(oci(identifier)),
            "/packages/0/identifier",
            "invalid-oci-reference",
            &format!(
                "`{identifier}` is not an OCI reference: write `registry/namespace/image:tag` or `registry/namespace/image@sha256:…`"
            ),
        );
        assert_eq!(finding.layer(), ValidationLayer::Packages);
    }
}

#[test]
fn unsupported_oci_registry() {
    for (identifier, registry) in [
        (
            "registry.gitlab.com/acme/weather:1.0.0",
            "registry.gitlab.com",
        ),
        ("localhost:5000/acme/weather:1.0.0", "localhost:5000"),
        ("public.ecr.aws/acme/weather:1.0.0", "public.ecr.aws"),
        (
            "pkg.dev.example.com/acme/weather:1.0.0",
            "pkg.dev.example.com",
        ),
    ] {
        assert_sole(
            &with_package(oci(identifier)),
            "/packages/0/identifier",
            "unsupported-oci-registry",
            &format!(
                "OCI registry `{registry}` is not supported: publish to Docker Hub, GHCR, Quay, MCR, Google Artifact Registry or Azure Container Registry"
            ),
        );
    }
}

const RELEASE: &str = "https://github.com/acme/weather/releases/download/v1.0.0/weather.mcpb";

#[test]
fn mcpb_invalid_url() {
    let url = "https://github.com/acme/weather/releases/download/v1.0.0/%zz.mcpb";
    let finding = assert_sole(
        &with_package(mcpb(url)),
        "/packages/0/identifier",
        "mcpb-invalid-url",
        &format!(r#"`{url}` is not a URL: invalid URL escape "%zz""#),
    );
    assert_eq!(finding.layer(), ValidationLayer::Packages);
}

#[test]
fn mcpb_unsupported_host() {
    for url in [
        "https://example.com/acme/weather/releases/download/v1.0.0/weather.mcpb",
        "https://api.github.com/acme/weather/releases/download/v1.0.0/weather.mcpb",
        "https://objects.githubusercontent.com/acme/weather-mcp.mcpb",
        "weather.mcpb",
    ] {
        assert_sole(
            &with_package(mcpb(url)),
            "/packages/0/identifier",
            "mcpb-unsupported-host",
            &format!(
                "`{url}` is not on github.com or gitlab.com: publish the bundle as a release asset there"
            ),
        );
    }
}

#[test]
fn mcpb_invalid_path() {
    for url in [
        "https://github.com/acme/weather/blob/main/weather.mcpb",
        "https://github.com/acme/weather/releases/download/v1.0.0/dir/weather.mcpb",
        "https://github.com/-acme/weather/releases/download/v1.0.0/weather.mcpb",
        "https://gitlab.com/acme/weather/-/raw/main/weather.mcpb",
        "https://gitlab.com/acme/weather-mcp/-/package_files/abc/download",
    ] {
        assert_sole(
            &with_package(mcpb(url)),
            "/packages/0/identifier",
            "mcpb-invalid-path",
            &format!(
                "`{url}` is not a release download URL: write `https://github.com/OWNER/REPO/releases/download/TAG/FILE.mcpb`"
            ),
        );
    }
}

#[test]
fn mcpb_url_must_be_https() {
    let url = "http://github.com/acme/weather/releases/download/v1.0.0/weather.mcpb";
    assert_sole(
        &with_package(mcpb(url)),
        "/packages/0/identifier",
        "mcpb-url-must-be-https",
        &format!("`{url}` must use https"),
    );
}

#[test]
fn mcpb_url_must_contain_mcp() {
    let url = "https://github.com/acme/weather/releases/download/v1.0.0/weather.zip";
    assert_sole(
        &with_package(mcpb(url)),
        "/packages/0/identifier",
        "mcpb-url-must-contain-mcp",
        &format!("`{url}` must contain `mcp`: name the bundle file `….mcpb`"),
    );
}

// ---------------------------------------------------------------------------------------------
// Legacy documents and layer selection
// ---------------------------------------------------------------------------------------------

/// A 2025-07-09 document: snake-case names and `status` in the document.
fn legacy_document() -> serde_json::Value {
    json!({
        "$schema": schema_url("2025-07-09"),
        "name": "io.github.acme/weather",
        "description": "Weather forecasts for any city",
        "version": "1.0.0",
        "status": "active",
        "website_url": "https://example.com/weather",
        "packages": [{
            "registry_type": "npm",
            "identifier": "@acme/weather-mcp",
            "version": "1.0.0",
            "runtime_hint": "npx",
            "transport": {"type": "stdio"},
            "package_arguments": [{"type": "positional", "value_hint": "city", "is_repeated": false}],
            "environment_variables": [{"name": "API_KEY", "is_required": true, "is_secret": true}]
        }]
    })
}

#[test]
fn legacy_2025_07_09_document() {
    let doc = legacy_document();
    let warning = format!(
        "schema version `2025-07-09` is not the current version `2025-12-11`: update `$schema` to `{CURRENT}`"
    );
    // Valid under its own schema and the semantic rules: only the version warning.
    let own = Validator::new().with_layers(&[
        ValidationLayer::SchemaVersion,
        ValidationLayer::JsonSchema,
        ValidationLayer::Semantic,
        ValidationLayer::Packages,
    ]);
    let report = report_with(&own, &doc);
    assert_sole_in(
        &report,
        "/$schema",
        "schema-version-not-current",
        Severity::Warning,
        &warning,
    );
    assert_eq!(report.schema_version(), Some(SchemaVersion::V2025_07_09));

    // The publish API reads only camelCase names, so it refuses the document.
    let report = validated(&doc);
    assert_codes_in(
        &report,
        &[
            ("/$schema", "schema-version-not-current"),
            ("/website_url", "unknown-property"),
            ("/status", "unknown-property"),
            ("/packages/0/registryType", "required"),
            ("/packages/0/registry_type", "unknown-property"),
            ("/packages/0/runtime_hint", "unknown-property"),
            ("/packages/0/package_arguments", "unknown-property"),
            ("/packages/0/environment_variables", "unknown-property"),
        ],
    );
    assert!(
        report.findings()[1..]
            .iter()
            .all(|f| f.layer() == ValidationLayer::Publish && f.severity() == Severity::Error)
    );
    assert_has_in(
        &report,
        "/website_url",
        "unknown-property",
        Severity::Error,
        "the registry does not accept property `website_url`: write `websiteUrl` instead",
    );
    assert_has_in(
        &report,
        "/status",
        "unknown-property",
        Severity::Error,
        "the registry does not accept property `status`: remove it",
    );
    assert_has_in(
        &report,
        "/packages/0/environment_variables",
        "unknown-property",
        Severity::Error,
        "the registry does not accept property `environment_variables`: write `environmentVariables` instead",
    );
    assert_has_in(
        &report,
        "/packages/0/registryType",
        "required",
        Severity::Error,
        "`registryType` is required",
    );

    // Semantic findings point at the spelling the document uses.
    let mut doc = legacy_document();
    set(
        &mut doc,
        "/packages/0/package_arguments/1",
        json!({"type": "named", "name": "--units", "value": "--units=metric"}),
    );
    let semantic = Validator::new().with_layers(&[ValidationLayer::Semantic]);
    assert_sole_in(
        &report_with(&semantic, &doc),
        "/packages/0/package_arguments/1/value",
        "argument-value-starts-with-name",
        Severity::Error,
        "the value of `--units` repeats the flag: write only the value",
    );

    // The snake-case schema requires the snake-case package fields.
    let mut doc = legacy_document();
    remove(&mut doc, "/packages/0/registry_type");
    set(&mut doc, "/packages/0/registryType", json!("npm"));
    let report = report_with(
        &Validator::new().with_layers(&[ValidationLayer::JsonSchema]),
        &doc,
    );
    assert_codes_in(
        &report,
        &[
            ("/packages/0/registryType", "additional-property"),
            ("/packages/0/registry_type", "required"),
        ],
    );
}

#[test]
fn with_layers_selects_layers() {
    let mut doc = base_with("/$schema", json!(schema_url("2025-10-17")));
    set(&mut doc, "/description", json!(""));
    set(&mut doc, "/version", json!("^1.0"));
    set(&mut doc, "/tools", json!([]));
    set(
        &mut doc,
        "/packages/0/registryBaseUrl",
        json!("https://registry.yarnpkg.com"),
    );
    let cases: [(ValidationLayer, &[(&str, &str)]); 5] = [
        (
            ValidationLayer::SchemaVersion,
            &[("/$schema", "schema-version-not-current")],
        ),
        (
            ValidationLayer::JsonSchema,
            &[("/description", "min-length")],
        ),
        (
            ValidationLayer::Semantic,
            &[("/version", "version-looks-like-range")],
        ),
        (
            ValidationLayer::Publish,
            &[
                ("/description", "min-length"),
                ("/tools", "unknown-property"),
            ],
        ),
        (
            ValidationLayer::Packages,
            &[("/packages/0/registryBaseUrl", "registry-base-url-mismatch")],
        ),
    ];
    for (layer, expected) in cases {
        let report = report_with(&Validator::new().with_layers(&[layer]), &doc);
        assert_codes_in(&report, expected);
        assert!(
            report.findings().iter().all(|f| f.layer() == layer),
            "{layer:?}"
        );
    }
    // All layers: a rule two layers share is reported once, by the first.
    let all = validated(&doc);
    assert_codes_in(
        &all,
        &[
            ("/$schema", "schema-version-not-current"),
            ("/description", "min-length"),
            ("/version", "version-looks-like-range"),
            ("/tools", "unknown-property"),
            ("/packages/0/registryBaseUrl", "registry-base-url-mismatch"),
        ],
    );
    assert_eq!(all.findings()[1].layer(), ValidationLayer::JsonSchema);
    assert_eq!(
        report_with(&Validator::new().with_layers(&ValidationLayer::ALL), &doc),
        all
    );
    assert!(
        report_with(&Validator::new().with_layers(&[]), &doc)
            .findings()
            .is_empty()
    );

    // Without the schema-version layer, `$schema` still picks the JSON Schema rules.
    let mut doc = base_with("/$schema", json!(schema_url("2025-09-29")));
    set(&mut doc, "/packages/0/postInstall", json!(true));
    let report = report_with(
        &Validator::new().with_layers(&[ValidationLayer::JsonSchema]),
        &doc,
    );
    assert_codes_in(
        &report,
        &[("/packages/0/postInstall", "additional-property")],
    );
}

// ---------------------------------------------------------------------------------------------
// Documents the official registry accepts get no error
// ---------------------------------------------------------------------------------------------

#[test]
fn accepted_names_versions_and_text() {
    for name in [
        "io.github.acme/weather",
        "com.example.api/server_v2",
        "a1/b2",
        "Io.GitHub.Acme/Weather.Server",
        "io.modelcontextprotocol.anonymous/hybrid-mcp",
    ] {
        assert_clean(&base_with("/name", json!(name)));
    }
    let mut doc = base();
    set(&mut doc, "/title", json!("MCP Weather"));
    set(&mut doc, "/description", json!("d"));
    set(&mut doc, "/version", json!("2025.06.18"));
    assert_clean(&doc);
    // Zero packages and zero remotes, with only a website.
    let mut doc = base_with(
        "/websiteUrl",
        json!("https://docs.example.com/install#custom"),
    );
    remove(&mut doc, "/packages");
    assert_clean(&doc);
    // Publisher metadata within the limit.
    assert_clean(&base_with(
        "/_meta",
        json!({"io.modelcontextprotocol.registry/publisher-provided": {"tool": "ci", "nested": {"a": [1, 2]}}}),
    ));
}

#[test]
fn accepted_urls_and_icons() {
    let icons = json!([
        {"src": "https://example.com/icon.png", "mimeType": "image/png", "sizes": ["48x48", "any"], "theme": "light"},
        {"src": "https://example.com/icon.svg", "mimeType": "image/svg+xml", "theme": "dark"},
        {"src": "https://example.com/icon.webp", "mimeType": "image/jpg"}
    ]);
    let mut doc = base_with("/icons", icons);
    set(
        &mut doc,
        "/websiteUrl",
        json!("https://example.com/docs?x=1#top"),
    );
    set(
        &mut doc,
        "/repository",
        json!({"url": "https://gitlab.com/acme/weather", "source": "gitlab", "id": "123", "subfolder": "servers/weather"}),
    );
    assert_clean(&doc);
}

#[test]
fn accepted_packages() {
    let stdio = json!({"type": "stdio"});
    let packages = json!([
        {"registryType": "npm", "registryBaseUrl": "https://registry.npmjs.org", "identifier": "@acme/weather-mcp", "version": "1.0.0", "runtimeHint": "npx", "transport": stdio},
        {"registryType": "pypi", "identifier": "weather-mcp", "version": "1.0.0", "runtimeHint": "uvx", "transport": stdio},
        {"registryType": "nuget", "registryBaseUrl": "https://api.nuget.org/v3/index.json", "identifier": "Acme.Weather", "version": "1.0.0-beta", "transport": stdio},
        {"registryType": "cargo", "registryBaseUrl": "https://crates.io", "identifier": "weather-mcp", "version": "0.1.0", "transport": stdio},
        {
            "registryType": "npm", "identifier": "@acme/weather-http", "version": "1.0.0",
            "transport": {"type": "streamable-http", "url": "http://localhost:{port}/mcp"},
            "runtimeArguments": [{"type": "named", "name": "--inspect", "isRepeated": true}],
            "packageArguments": [{"type": "named", "name": "--port", "valueHint": "port", "default": "8080", "format": "number"}],
            "environmentVariables": [{"name": "API_KEY", "isRequired": true, "isSecret": true, "format": "string"}]
        },
        {
            "registryType": "pypi", "identifier": "weather-sse", "version": "1.0.0",
            "transport": {"type": "sse", "url": "http://{host}:{PORT}/sse", "headers": [{"name": "X-Key", "isSecret": true}]},
            "environmentVariables": [{"name": "PORT"}, {"name": "host"}]
        }
    ]);
    assert_clean(&base_with("/packages", packages));
}

#[test]
fn accepted_oci_images() {
    let digest = format!("ghcr.io/acme/weather@sha256:{}", "ab".repeat(32));
    for identifier in [
        "docker.io/acme/weather:1.0.0",
        "acme/weather:1.0.0",
        "acme/weather",
        "registry-1.docker.io/acme/weather:1.0.0",
        "index.docker.io/acme/weather:1.0.0",
        "ghcr.io/acme/weather:1.0.0",
        "quay.io/acme/weather:v1",
        "mcr.microsoft.com/acme/weather:1.0.0",
        "us-docker.pkg.dev/acme-project/images/weather:1.0.0",
        "acme.azurecr.io/weather:1.0.0",
        &digest,
    ] {
        assert_clean(&with_package(oci(identifier)));
    }
}

#[test]
fn accepted_mcpb_bundles() {
    for url in [
        RELEASE,
        "https://www.github.com/acme/weather/releases/download/v1.0.0/weather.mcpb",
        "https://github.com/acme-co/weather.server/releases/download/2025.06.18/Weather-MCP.zip",
        "https://gitlab.com/acme/weather/-/releases/v1.0.0/downloads/weather.mcpb",
        "https://gitlab.com/acme/tools/weather/-/releases/v1.0.0/downloads/weather.mcpb",
        "https://www.gitlab.com/acme/weather-mcp/-/package_files/42/download",
    ] {
        assert_clean(&with_package(mcpb(url)));
    }
}

#[test]
fn accepted_remotes() {
    let remotes = json!([
        {"type": "streamable-http", "url": "https://mcp.example.com/http", "headers": [{"name": "Authorization", "isRequired": true, "isSecret": true}]},
        {"type": "sse", "url": "https://mcp.example.com/sse"},
        {
            "type": "streamable-http",
            "url": "https://{tenant}.example.com:{port}/mcp",
            "variables": {"tenant": {"description": "tenant", "isRequired": true, "choices": ["a", "b"]}, "port": {"default": "443"}}
        },
        {"type": "streamable-http", "url": "https://10.0.0.1/mcp"}
    ]);
    let doc = base_with("/remotes", remotes);
    assert_clean(&doc);
    // Non-current but known schemas are only a warning.
    let mut older = doc;
    set(&mut older, "/$schema", json!(schema_url("2025-10-17")));
    assert_no_errors(&older);
}

#[test]
fn messages_stay_on_one_line_whatever_the_document_holds() {
    let doc = base_with("/websiteUrl", json!("http://example.com/\n\u{1b}[2Jevil"));
    let report = validated(&doc);
    let finding = report
        .findings()
        .iter()
        .find(|f| f.code() == "invalid-website-url")
        .expect("the url finding");
    assert_eq!(
        finding.message(),
        "`http://example.com/\\n\\u{1b}[2Jevil` is not a URL: net/url: invalid control character in URL"
    );
    assert!(
        report
            .findings()
            .iter()
            .all(|f| !f.message().contains(['\n', '\u{1b}']))
    );
}
