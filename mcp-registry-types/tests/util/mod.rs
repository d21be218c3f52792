//! Helpers for the rule tests: a valid base document, JSON Pointer edits and assertions on
//! findings that report the caller's line.
#![expect(
    clippy::indexing_slicing,
    clippy::panic,
    clippy::unwrap_used,
    reason = "tests fail by panicking; clippy.toml's test allowances reach only #[test] functions"
)]

use std::fmt::Write as _;

use mcp_registry_types::{Finding, Report, ServerJson, Severity, Validator, validate};
use serde_json::{Value, json};

/// The current `$schema` URL.
pub(crate) const CURRENT: &str =
    "https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json";

/// A lower-case SHA-256 in hex.
pub(crate) const SHA: &str = "fe3306ac5d8f0e8f30ad1d7b06b4ff5c6bbf9fd4e0e0a3c12a37d0c2d6f0c9a1";

/// The `$schema` URL of `version`.
pub(crate) fn schema_url(version: &str) -> String {
    format!("https://static.modelcontextprotocol.io/schemas/{version}/server.schema.json")
}

/// A current document that every layer accepts without a finding.
pub(crate) fn base() -> Value {
    json!({
        "$schema": CURRENT,
        "name": "io.github.acme/weather",
        "description": "Weather forecasts for any city",
        "version": "1.0.0",
        "packages": [{
            "registryType": "npm",
            "identifier": "@acme/weather-mcp",
            "version": "1.0.0",
            "transport": {"type": "stdio"}
        }]
    })
}

/// `base()` with the value at `pointer` set to `value`.
#[track_caller]
pub(crate) fn base_with(pointer: &str, value: Value) -> Value {
    let mut doc = base();
    set(&mut doc, pointer, value);
    doc
}

/// `base()` with `package` as its only package.
pub(crate) fn with_package(package: Value) -> Value {
    base_with("/packages", Value::Array(vec![package]))
}

/// `base()` with `remote` as its only remote.
pub(crate) fn with_remote(remote: Value) -> Value {
    base_with("/remotes", Value::Array(vec![remote]))
}

/// An OCI package for `identifier`.
pub(crate) fn oci(identifier: &str) -> Value {
    json!({"registryType": "oci", "identifier": identifier, "transport": {"type": "stdio"}})
}

/// An MCPB package downloaded from `identifier`, with its hash.
pub(crate) fn mcpb(identifier: &str) -> Value {
    json!({
        "registryType": "mcpb",
        "identifier": identifier,
        "fileSha256": SHA,
        "transport": {"type": "stdio"}
    })
}

/// Splits a JSON Pointer into its parent pointer and its unescaped last token.
#[track_caller]
fn split(pointer: &str) -> (&str, String) {
    let (parent, token) = pointer
        .rsplit_once('/')
        .unwrap_or_else(|| panic!("bad pointer {pointer:?}"));
    (parent, token.replace("~1", "/").replace("~0", "~"))
}

/// Sets the value at `pointer`, adding the last object key or array element if missing.
#[track_caller]
pub(crate) fn set(doc: &mut Value, pointer: &str, value: Value) {
    let (parent, token) = split(pointer);
    let target = doc
        .pointer_mut(parent)
        .unwrap_or_else(|| panic!("no parent for {pointer:?}"));
    match target {
        Value::Object(map) => {
            map.insert(token, value);
        }
        Value::Array(items) => {
            let index: usize = token
                .parse()
                .unwrap_or_else(|_| panic!("bad index in {pointer:?}"));
            if index == items.len() {
                items.push(value);
            } else {
                items[index] = value;
            }
        }
        other => panic!("cannot set {pointer:?} inside {other}"),
    }
}

/// Removes the value at `pointer`, which must exist.
#[track_caller]
pub(crate) fn remove(doc: &mut Value, pointer: &str) {
    let (parent, token) = split(pointer);
    let target = doc
        .pointer_mut(parent)
        .unwrap_or_else(|| panic!("no parent for {pointer:?}"));
    let removed = match target {
        Value::Object(map) => map.remove(&token),
        Value::Array(items) => Some(items.remove(token.parse().unwrap())),
        other => panic!("cannot remove {pointer:?} from {other}"),
    };
    assert!(removed.is_some(), "nothing at {pointer:?}");
}

/// Parses `doc` through the public text parser.
#[track_caller]
pub(crate) fn parse(doc: &Value) -> ServerJson {
    doc.to_string()
        .parse()
        .unwrap_or_else(|e| panic!("{doc} does not parse: {e}"))
}

/// Validates `doc` with every layer and the default policy.
#[track_caller]
pub(crate) fn validated(doc: &Value) -> Report {
    validate(&parse(doc))
}

/// Validates `doc` with `validator`.
#[track_caller]
pub(crate) fn report_with(validator: &Validator, doc: &Value) -> Report {
    validator.validate(&parse(doc))
}

/// Every finding as `path [code] severity: message`, for failure output.
pub(crate) fn describe(report: &Report) -> String {
    let mut out = String::new();
    for f in report.findings() {
        write!(
            out,
            "\n  {} [{}] {}: {}",
            f.path(),
            f.code(),
            f.severity(),
            f.message()
        )
        .unwrap();
    }
    out
}

/// Asserts that `finding` is exactly this one.
#[track_caller]
pub(crate) fn assert_finding(
    finding: &Finding,
    path: &str,
    code: &str,
    severity: Severity,
    message: &str,
) {
    assert_eq!(finding.path(), path, "path of {finding:?}");
    assert_eq!(finding.code(), code, "code of {finding:?}");
    assert_eq!(finding.severity(), severity, "severity of {finding:?}");
    assert_eq!(finding.message(), message, "message of {finding:?}");
}

/// Asserts that `report` has exactly one finding, this one, and returns it.
#[track_caller]
pub(crate) fn assert_sole_in(
    report: &Report,
    path: &str,
    code: &str,
    severity: Severity,
    message: &str,
) -> Finding {
    let [finding] = report.findings() else {
        panic!("expected only {path} [{code}], got:{}", describe(report));
    };
    assert_finding(finding, path, code, severity, message);
    finding.clone()
}

/// Asserts that `doc` has exactly one finding, the error given, and returns it.
#[track_caller]
pub(crate) fn assert_sole(doc: &Value, path: &str, code: &str, message: &str) -> Finding {
    assert_sole_in(&validated(doc), path, code, Severity::Error, message)
}

/// Asserts that `report` has a finding at `path` with `code`, with this severity and
/// message, and returns it.
#[track_caller]
pub(crate) fn assert_has_in(
    report: &Report,
    path: &str,
    code: &str,
    severity: Severity,
    message: &str,
) -> Finding {
    let found = report
        .findings()
        .iter()
        .find(|f| f.path() == path && f.code() == code);
    let Some(finding) = found else {
        panic!("expected {path} [{code}], got:{}", describe(report));
    };
    assert_finding(finding, path, code, severity, message);
    finding.clone()
}

/// Asserts that `doc` has the error given (among others) and returns it.
#[track_caller]
pub(crate) fn assert_error(doc: &Value, path: &str, code: &str, message: &str) -> Finding {
    assert_has_in(&validated(doc), path, code, Severity::Error, message)
}

/// Asserts that the findings of `report` are exactly these `(path, code)` pairs, in order.
#[track_caller]
pub(crate) fn assert_codes_in(report: &Report, expected: &[(&str, &str)]) {
    let actual: Vec<(&str, &str)> = report
        .findings()
        .iter()
        .map(|f| (f.path(), f.code()))
        .collect();
    assert_eq!(actual, expected, "findings:{}", describe(report));
}

/// Asserts that the findings of `doc` are exactly these `(path, code)` pairs, in order.
#[track_caller]
pub(crate) fn assert_codes(doc: &Value, expected: &[(&str, &str)]) {
    assert_codes_in(&validated(doc), expected);
}

/// Asserts that `doc` has no finding at all.
#[track_caller]
pub(crate) fn assert_clean(doc: &Value) {
    let report = validated(doc);
    assert!(
        report.findings().is_empty(),
        "{doc}\nunexpected findings:{}",
        describe(&report)
    );
}

/// Asserts that `doc` has no error (warnings allowed), as the registry defines valid.
#[track_caller]
pub(crate) fn assert_no_errors(doc: &Value) {
    let report = validated(doc);
    assert!(
        report.is_valid(),
        "{doc}\nunexpected errors:{}",
        describe(&report)
    );
    assert_eq!(report.errors().count(), 0);
}

/// Asserts that `doc` has no finding with `code`.
#[track_caller]
pub(crate) fn assert_lacks(doc: &Value, code: &str) {
    let report = validated(doc);
    assert!(
        report.findings().iter().all(|f| f.code() != code),
        "{doc}\nunexpected [{code}]:{}",
        describe(&report)
    );
}
