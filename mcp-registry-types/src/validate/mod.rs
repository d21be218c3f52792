//! Validation: every rule the official registry applies, as a library.
//!
//! A private module: its public items have one path, the crate root. The rule table is in the
//! docs of [`validate()`] and the layer table in those of [`ValidationLayer`], where the
//! crate's readers find them.

mod json_schema;
pub(crate) mod packages;
mod publish;
mod schema_version;
mod semantic;
mod shared;

use std::collections::HashSet;
use std::fmt;

use serde::Serialize;

use crate::model::server::ServerJson;
use crate::vocab::go_url::{self, GoUrl, GoUrlError};
use crate::vocab::name::NameErrorKind;
use crate::vocab::severity::Severity;

pub use schema_version::SchemaVersion;

/// A validation layer: a group of rules, as the official registry groups them.
///
/// [`Validator::with_layers`] picks the layers a run applies; every [`Finding`] names its own.
///
/// | layer | what the official registry calls it |
/// |---|---|
/// | [`ValidationLayer::SchemaVersion`] | the `$schema` check (`schema.go`) |
/// | [`ValidationLayer::JsonSchema`] | the JSON Schema named by `$schema`, run by `POST /validate` |
/// | [`ValidationLayer::Semantic`] | the semantic rules (`validators.go`), run on publish and validate |
/// | [`ValidationLayer::Publish`] | the publish endpoint's request validation and size limits |
/// | [`ValidationLayer::Packages`] | the offline part of the per-registry-type package rules |
#[non_exhaustive]
#[derive(Clone, Copy, Debug, Eq, Hash, Ord, PartialEq, PartialOrd, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ValidationLayer {
    /// The `$schema` check: present, recognised, current.
    SchemaVersion,
    /// The JSON Schema that `$schema` names.
    JsonSchema,
    /// The registry's semantic rules.
    Semantic,
    /// The publish endpoint's request rules: required fields, lengths, patterns, unknown
    /// properties, `_meta` limits.
    Publish,
    /// The offline per-registry-type package rules.
    Packages,
}

impl ValidationLayer {
    /// Every layer, in the order they run.
    pub const ALL: [ValidationLayer; 5] = [
        Self::SchemaVersion,
        Self::JsonSchema,
        Self::Semantic,
        Self::Publish,
        Self::Packages,
    ];

    /// The layer's name as in JSON output.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SchemaVersion => "schema-version",
            Self::JsonSchema => "json-schema",
            Self::Semantic => "semantic",
            Self::Publish => "publish",
            Self::Packages => "packages",
        }
    }
}

/// How a known but non-current `$schema` version is judged (the registry's own policy
/// choices).
#[non_exhaustive]
#[derive(Clone, Copy, Debug, Default, Eq, PartialEq)]
pub enum SchemaVersionPolicy {
    /// Say nothing.
    Allow,
    /// A warning: what the official registry does on publish and validate today.
    #[default]
    Warn,
    /// An error.
    Error,
}

/// One problem found in a document.
#[derive(Clone, Debug, Eq, Hash, PartialEq, Serialize)]
pub struct Finding {
    path: String,
    code: &'static str,
    severity: Severity,
    message: String,
    layer: ValidationLayer,
}

impl Finding {
    /// The JSON Pointer of the offending value (empty for the whole document).
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The stable machine code: the official reference code where one exists.
    pub fn code(&self) -> &'static str {
        self.code
    }

    /// Error or warning.
    pub fn severity(&self) -> Severity {
        self.severity
    }

    /// What is wrong and what to write instead.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The layer that found it.
    pub fn layer(&self) -> ValidationLayer {
        self.layer
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

/// Everything validation found.
#[derive(Clone, Debug, Default, Eq, PartialEq, Serialize)]
pub struct Report {
    findings: Vec<Finding>,
    #[serde(skip)]
    schema_version: Option<SchemaVersion>,
}

impl Report {
    /// All findings, in the order the layers ran.
    pub fn findings(&self) -> &[Finding] {
        &self.findings
    }

    /// Whether no finding is an error (warnings allowed), as the registry defines `valid`.
    pub fn is_valid(&self) -> bool {
        !self.findings.iter().any(|f| f.severity.is_error())
    }

    /// The error findings.
    pub fn errors(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| f.severity.is_error())
    }

    /// The warning findings.
    pub fn warnings(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| !f.severity.is_error())
    }

    /// The schema version the document was checked against: the one `$schema` names, or the
    /// current one when it names none the crate knows.
    pub fn schema_version(&self) -> Option<SchemaVersion> {
        self.schema_version
    }

    /// Takes the findings out.
    pub fn into_findings(self) -> Vec<Finding> {
        self.findings
    }
}

/// Validates with every layer on and a non-current `$schema` as a warning.
///
/// Returns a [`Report`] of *all* findings, each with a JSON Pointer, a stable code, a severity
/// and a message that says what to write instead. A [`Validator`] selects the layers
/// ([`ValidationLayer`]) and how a non-current `$schema` is judged.
///
/// ```
/// # fn main() -> Result<(), mcp_registry_types::ParseError> {
/// use mcp_registry_types::{validate, ServerJson};
///
/// let doc: ServerJson = r#"{"name": "acme", "description": "d", "version": "^1.0"}"#.parse()?;
/// let report = validate(&doc);
/// assert!(!report.is_valid());
/// for finding in report.findings() {
///     println!("{} [{}] {}", finding.severity(), finding.code(), finding);
/// }
/// # Ok(())
/// # }
/// ```
///
/// # Rules
///
/// Each code below is asserted, with its path and full message, by the test of the same name
/// (dashes as underscores; `enum` is `r#enum`) in `mcp-registry-types/tests/rules.rs`.
///
/// | code | layer | severity | rule |
/// |---|---|---|---|
/// | `schema-field-required` | schema version | error | `$schema` is present and non-empty |
/// | `schema-version-extraction-error` | schema version | error | `$schema` names `/schemas/<version>/server.schema.json` |
/// | `schema-version-not-available` | schema version | error | the version is one the registry embeds (2025-07-09 … 2025-12-11) |
/// | `schema-version-not-current` | schema version | warning (configurable) | the version is the current one, 2025-12-11 |
/// | `required` | JSON Schema, publish | error | a required property is present |
/// | `min-length`, `max-length` | JSON Schema, publish | error | string lengths, counted in characters |
/// | `pattern` | JSON Schema, publish | error | name, `fileSha256`, icon sizes, transport URL patterns |
/// | `enum` | JSON Schema, publish | error | status, input format, icon MIME type and theme, transport and argument types |
/// | `format` | JSON Schema, publish | error | `uri` properties: absolute for JSON Schema, parseable for publish |
/// | `not-latest` | JSON Schema | error | a package version is not `latest` |
/// | `additional-property` | JSON Schema | error | no unknown property in a closed `Package` (2025-07-09 … 2025-09-29) |
/// | `unknown-property` | publish | error | no property the publish API does not know, at any level |
/// | `meta-key-not-allowed` | publish | error | `_meta` holds only `io.modelcontextprotocol.registry/publisher-provided` |
/// | `publisher-meta-too-large` | publish | error | that object is at most 4096 bytes of JSON |
/// | `invalid-server-name` | semantic | error | `namespace/name` with the registry's character rules |
/// | `reserved-version-string` | semantic | error | a version is not `latest` |
/// | `version-looks-like-range` | semantic | error | a version is not a range (`^1.2`, `1.x`, `>=1`, `1 - 2`, `1 \|\| 2`) |
/// | `invalid-repository-url` | semantic | error | a GitHub or GitLab repository URL matching its source |
/// | `invalid-subfolder-path` | semantic | error | a clean relative subfolder path |
/// | `invalid-website-url`, `website-url-must-be-absolute`, `website-url-invalid-scheme`, `website-url-invalid-characters` | semantic | error | an absolute `https` website URL without quotes, angle brackets or white space |
/// | `title-whitespace-only` | semantic | error | a title is not only white space |
/// | `icon-src-invalid-url`, `icon-src-not-absolute`, `icon-src-invalid-scheme` | semantic | error | icons are absolute `https` URLs |
/// | `package-name-has-spaces` | semantic | error | package identifiers have no spaces |
/// | `named-argument-name-required`, `invalid-named-argument-name` | semantic | error | named arguments have a name without `<`, `>`, `$` or spaces |
/// | `argument-value-starts-with-name`, `argument-default-starts-with-name` | semantic | error | a named argument's value does not repeat its flag |
/// | `stdio-transport-url-not-empty`, `streamable-transport-url-required`, `unsupported-transport-type` | semantic | error | package transports |
/// | `invalid-templated-url` | semantic | error | transport URLs are `http(s)` URLs whose `{variables}` are defined |
/// | `unsupported-remote-transport-type`, `remote-transport-url-required`, `invalid-remote-url` | semantic | error | remotes are `https`, not localhost |
/// | `unsupported-registry-type` | packages | error | `registryType` is npm, pypi, oci, nuget, mcpb or cargo |
/// | `package-identifier-required`, `package-version-required` | packages | error | per registry type |
/// | `registry-base-url-mismatch`, `registry-base-url-forbidden` | packages | error | base URLs pinned per registry type |
/// | `file-sha256-forbidden`, `file-sha256-required`, `package-version-forbidden` | packages | error | per registry type |
/// | `invalid-oci-reference`, `unsupported-oci-registry` | packages | error | OCI references parse and name an allowed registry |
/// | `mcpb-invalid-url`, `mcpb-unsupported-host`, `mcpb-invalid-path`, `mcpb-url-must-be-https`, `mcpb-url-must-contain-mcp` | packages | error | MCPB downloads are GitHub or GitLab release assets over https |
pub fn validate(document: &ServerJson) -> Report {
    Validator::new().validate(document)
}

/// A configured validation run: which layers, and how a non-current `$schema` is judged.
///
/// The rules it applies are listed in [`validate()`'s rule table](validate()#rules).
#[derive(Clone, Debug)]
pub struct Validator {
    layers: [bool; 5],
    schema_version_policy: SchemaVersionPolicy,
    rules_version: Option<SchemaVersion>,
}

impl Default for Validator {
    fn default() -> Self {
        Self::new()
    }
}

impl Validator {
    /// Every layer on; a non-current `$schema` is a warning.
    pub fn new() -> Self {
        Self {
            layers: [true; 5],
            schema_version_policy: SchemaVersionPolicy::Warn,
            rules_version: None,
        }
    }

    /// Applies the JSON Schema rules of `version` whatever `$schema` says (the `$schema`
    /// check itself still reports what the document declares).
    pub fn with_json_schema_version(mut self, version: SchemaVersion) -> Self {
        self.rules_version = Some(version);
        self
    }

    /// Runs only `layers`.
    pub fn with_layers(mut self, layers: &[ValidationLayer]) -> Self {
        self.layers = ValidationLayer::ALL.map(|layer| layers.contains(&layer));
        self
    }

    /// Judges a known but non-current `$schema` by `policy`.
    pub fn with_schema_version_policy(mut self, policy: SchemaVersionPolicy) -> Self {
        self.schema_version_policy = policy;
        self
    }

    fn runs(&self, layer: ValidationLayer) -> bool {
        ValidationLayer::ALL
            .iter()
            .zip(self.layers)
            .any(|(l, on)| *l == layer && on)
    }

    /// Validates `document`.
    pub fn validate(&self, document: &ServerJson) -> Report {
        let mut sink = Sink::default();
        let version = schema_version::check(
            document,
            self.schema_version_policy,
            &mut sink.layer(ValidationLayer::SchemaVersion),
            self.runs(ValidationLayer::SchemaVersion),
        );
        let rules_version = self
            .rules_version
            .or(version)
            .unwrap_or(SchemaVersion::CURRENT);
        if self.runs(ValidationLayer::JsonSchema) {
            json_schema::check(
                document,
                rules_version,
                &mut sink.layer(ValidationLayer::JsonSchema),
            );
        }
        if self.runs(ValidationLayer::Semantic) {
            semantic::check(document, &mut sink.layer(ValidationLayer::Semantic));
        }
        if self.runs(ValidationLayer::Publish) {
            publish::check(document, &mut sink.layer(ValidationLayer::Publish));
        }
        if self.runs(ValidationLayer::Packages) {
            packages::check(document, &mut sink.layer(ValidationLayer::Packages));
        }
        Report {
            findings: sink.finish(),
            schema_version: Some(rules_version),
        }
    }
}

/// Collects findings; one finding per path and code, so that a rule two layers share (a
/// length the JSON Schema and the publish API both check) is reported once.
///
/// It also remembers how Go parsed each URL of the document: three layers judge the same
/// URL fields, and parsing is the most expensive step of validation.
#[derive(Default)]
struct Sink<'d> {
    findings: Vec<Finding>,
    /// Keyed by the document string itself (address and length): `'d` guarantees it lives,
    /// unchanged, for the whole run, so no other string can share the key. A fixed array:
    /// documents have a handful of URLs, and a heap allocation would cost more than the
    /// parse it saves; URLs beyond it are parsed each time.
    urls: [Option<(&'d str, Result<GoUrl<'d>, GoUrlError>)>; URL_CACHE],
    /// Whether the name rule both schema layers state has run (see `first_name_rule`).
    name_rule_done: bool,
    /// The semantic name check of the document's name, keyed like `urls`: the schema layers
    /// read their verdict from it too (see `shared::name`).
    name: Option<(&'d str, Result<usize, NameErrorKind>)>,
}

/// How many distinct URLs of a document the sink remembers.
const URL_CACHE: usize = 8;

impl<'d> Sink<'d> {
    fn layer(&mut self, layer: ValidationLayer) -> LayerSink<'_, 'd> {
        LayerSink { sink: self, layer }
    }

    /// The findings, one per path and code. Takes only the findings: moving the whole sink
    /// (its URL cache) into a call cost a 640-byte copy per validation.
    fn finish(&mut self) -> Vec<Finding> {
        let mut findings = std::mem::take(&mut self.findings);
        // Documents have few findings: a scan beats hashing them; a hostile document with
        // thousands gets the hash set.
        if findings.len() <= 32 {
            let mut kept: Vec<Finding> = Vec::with_capacity(findings.len());
            for finding in findings {
                if !kept
                    .iter()
                    .any(|k| k.code == finding.code && k.path == finding.path)
                {
                    kept.push(finding);
                }
            }
            return kept;
        }
        let mut seen = HashSet::new();
        findings.retain(|f| seen.insert((f.path.clone(), f.code)));
        findings
    }
}

/// The sink as one layer sees it.
pub(crate) struct LayerSink<'a, 'd> {
    sink: &'a mut Sink<'d>,
    layer: ValidationLayer,
}

impl<'d> LayerSink<'_, 'd> {
    /// Whether the name rule has not run yet in this validation (and marks it run): the JSON
    /// Schema and the publish API state it alike, so the second layer to reach it skips it,
    /// since its findings would be the first's again.
    pub(crate) fn first_name_rule(&mut self) -> bool {
        !std::mem::replace(&mut self.sink.name_rule_done, true)
    }

    /// [`crate::vocab::name::check`] of a name of the document, checked once per run.
    pub(crate) fn name(&mut self, text: &'d str) -> Result<usize, NameErrorKind> {
        match self.sink.name {
            Some((known, verdict)) if std::ptr::eq(known, text) => verdict,
            _ => {
                let verdict = crate::vocab::name::check(text);
                self.sink.name = Some((text, verdict));
                verdict
            }
        }
    }

    /// Go's `url.Parse(text)` for a string of the document, parsed once per run.
    pub(crate) fn url(&mut self, text: &'d str) -> Result<GoUrl<'d>, GoUrlError> {
        for slot in &mut self.sink.urls {
            match slot {
                Some((known, parsed)) if std::ptr::eq(*known, text) => return parsed.clone(),
                Some(_) => {}
                None => {
                    let parsed = go_url::parse(text);
                    *slot = Some((text, parsed.clone()));
                    return parsed;
                }
            }
        }
        go_url::parse(text)
    }

    pub(crate) fn error(
        &mut self,
        path: impl crate::vocab::pointer::Pointer,
        code: &'static str,
        message: impl Into<String>,
    ) {
        self.push(path.render(), code, Severity::Error, message.into());
    }

    pub(crate) fn warning(
        &mut self,
        path: impl crate::vocab::pointer::Pointer,
        code: &'static str,
        message: impl Into<String>,
    ) {
        self.push(path.render(), code, Severity::Warning, message.into());
    }

    fn push(&mut self, path: String, code: &'static str, severity: Severity, mut message: String) {
        // Messages quote document values: keep each finding on one line.
        if let std::borrow::Cow::Owned(escaped) = crate::vocab::text::escape_controls(&message) {
            message = escaped;
        }
        self.sink.findings.push(Finding {
            path,
            code,
            severity,
            message,
            layer: self.layer,
        });
    }
}
