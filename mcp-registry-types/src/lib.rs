//! Typed, lossless, validated MCP registry metadata.
//!
//! This crate reads and writes the official MCP registry's `server.json` documents and REST API
//! payloads, and checks documents exactly as the official registry does.
//!
//! - **Lenient read.** Every document whose JSON has the right shape parses, including the stale,
//!   half-empty and duplicated entries real registries serve, in every schema version from
//!   2025-07-09 to the draft (snake-case field names included). Rule violations are for
//!   [`validate()`], never the parser.
//! - **Lossless.** Unknown fields at every level and every `_meta` namespace are kept verbatim;
//!   serializing a parsed document gives back the same JSON value.
//! - **Exact validation.** [`validate()`] reports every finding of every layer the registry
//!   applies (schema version, JSON Schema, semantic rules, publish rules, per-registry-type
//!   package rules), each with a JSON Pointer, a stable code and a message that says what to write
//!   instead. The [rule table](fn@validate#rules) lists them.
//! - **Strict construction.** [`ServerName`], [`ServerVersion`] and [`UrlTemplate`] only hold
//!   valid strings, and [`ServerJson::builder`] only builds valid documents.
//!
//! ```
//! # fn main() -> Result<(), mcp_registry_types::ParseError> {
//! use mcp_registry_types::{validate, ServerJson};
//!
//! let doc: ServerJson = r#"{"name": "io.github.acme/weather", "description": "Forecasts", "version": "^1.0"}"#.parse()?;
//! for finding in validate(&doc).findings() {
//!     println!("{} {}: {}", finding.severity(), finding.path(), finding.message());
//! }
//! # Ok(())
//! # }
//! ```
//!
//! A page of the registry's list endpoint reads the same way, each entry with the registry's own
//! metadata beside the document:
//!
//! ```
//! # fn main() -> Result<(), mcp_registry_types::ParseError> {
//! use mcp_registry_types::{ServerList, Status, validate};
//!
//! let page: ServerList = r#"{
//!     "servers": [{
//!         "server": {
//!             "$schema": "https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json",
//!             "name": "io.github.acme/weather", "description": "Forecasts", "version": "1.0.0"},
//!         "_meta": {"io.modelcontextprotocol.registry/official": {
//!             "status": "active", "publishedAt": "2025-09-01T00:00:00Z", "isLatest": true}}
//!     }],
//!     "metadata": {"count": 1, "nextCursor": "io.github.acme/weather:1.0.0"}
//! }"#.parse()?;
//! for entry in page.servers() {
//!     let server = entry.server();
//!     assert_eq!(entry.status(), Status::Active);
//!     assert!(validate(server).is_valid());
//!     println!("{} {}", server.name(), server.version());
//! }
//! // Ask for the next page with this cursor.
//! assert_eq!(page.next_cursor(), Some("io.github.acme/weather:1.0.0"));
//! # Ok(())
//! # }
//! ```
//!
//! Also here: [`client_url::ClientUrl`], a remote URL read as the client that connects to it
//! reads it, cross-checked with the registry's Go reading; the registry's version ordering
//! ([`compare_versions`], [`latest_version`]), RFC 3339 [`Timestamp`]s, and [`sanitize_text`],
//! [`escape_controls`] and [`escape_json_output`] to show untrusted text safely.
//!
//! # Plans
//!
//! [`plan`] turns a document and the user's answers into a typed, reviewable connection plan:
//! [`plan::questions`] lists what a package or remote takes, [`plan::plan`] says what to launch
//! (`npx -y …`, `uvx …`, `docker run …`, `dnx …`, or an MCP bundle to download and verify) and
//! how to connect (stdio or HTTP with its URL and headers). Secret values never show in a plan's
//! `Debug` or serialized form, and [`plan::Plan::command`] builds the process without a shell.
//!
//! # Layout
//!
//! The crate is built in floors, and a module imports only from its own floor and the floors
//! below it, so each can be read without the ones above:
//!
//! | floor | modules | what it holds |
//! |---|---|---|
//! | 5 | `builder`, `error`, `host` | [`ServerJsonBuilder`]; [`Error`], which every fallible call converts into; *(feature `host-config`)* host config files: [`host::export`], [`host::merge`], [`host::import`] |
//! | 4 | `validate`, `plan` | the registry's rules: [`validate()`], [`Validator`], [`Report`]; connection plans: [`plan::plan`], [`plan::questions`] |
//! | 3 | `wire` | reading and writing: each type's wire names in one table (reader, writer, JSON Schema), the fast JSON reader, [`ParseError`] |
//! | 2 | `model` | the data model: [`ServerJson`], [`Package`], [`Transport`], [`ServerList`], …, and [`ServerFilter`], a predicate over it |
//! | 1 | `vocab` | vocabulary and small values: [`ServerName`], [`ServerVersion`], [`UrlTemplate`], [`client_url`], [`glob`], the open enums, text escaping, version order, the registry's `_meta` keys and limits |
//!
//! A constant lives on the floor of its meaning: [`MAX_PUBLISHER_META_BYTES`] is the registry's
//! word, so the reader (floor 3) and the publish rules (floor 4) both look down to it.
//!
//! # Feature flags
//!
//! The crate always builds with serde and the validation rules. Every feature is off by default.
//!
//! - `fast-json` *(default)*: payloads are read first by a reader for the common subset of JSON
//!   (no escapes, no floats), which makes the same visitor calls as `serde_json` and hands
//!   anything else to it; a fifth to a quarter of parse time. Without it, `serde_json` reads
//!   everything. Either way every document, error and report is the same.
//! - `schema`: `schemars::JsonSchema` for the document and payload types ([`ServerJson`],
//!   [`ServerResponse`], [`ServerList`], …) and the open enums, described by the same tables
//!   that read and write them; `schemars::schema_for!(ServerJson)` matches the official
//!   schema's properties, types and required lists.
//! - `host-config`: [`host`], a plan written into the config file of an MCP host (Claude
//!   Desktop, Claude Code, VS Code, Cursor, Gemini CLI, Codex) and such files read back;
//!   adds `toml_edit`, to edit Codex's `config.toml` without losing its comments.
//! - `fuzzing`: the properties the fuzz targets check (`mcp_registry_types::fuzzing`), for the
//!   fuzz crate and this crate's tests; not a stable API, and off in every other build.
#![cfg_attr(docsrs, feature(doc_cfg))]

// The floors, bottom to top; each module imports only from its own floor and those below
// (`tests/floors.rs` holds this).
mod builder;
mod error;
// Host config files (floor 5: above the plans it writes, beside `error`, which wraps its
// errors), behind `host-config`, which brings `toml_edit`.
#[cfg(feature = "host-config")]
#[cfg_attr(docsrs, doc(cfg(feature = "host-config")))]
pub mod host;
mod model;
// Connection plans (floor 4, beside `validate`): a module of its own, for its several types
// and its `plan` and `questions` functions.
pub mod plan;
mod validate;
mod vocab;
mod wire;

// The fuzz targets' properties: compiled only for the fuzz crate and this crate's tests.
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing;

// Public API
pub use builder::ServerJsonBuilder;
pub use error::Error;
pub use model::filter::ServerFilter;
pub use model::input::{Argument, Input, KeyValueInput};
pub use model::latest::{VersionFacts, latest_version, latest_version_by};
pub use model::package::Package;
pub use model::problem::{ProblemDetails, ProblemError};
pub use model::response::{
    ListMetadata, OfficialMeta, ResponseMeta, ServerList, ServerResponse, StatusUpdateResponse,
};
pub use model::server::{Icon, Repository, ServerJson};
pub use model::transport::Transport;
pub use validate::{
    Finding, Report, SchemaVersion, SchemaVersionPolicy, ValidationLayer, Validator, validate,
};
pub use vocab::client_url;
pub use vocab::glob;
pub use vocab::kinds::{ArgumentType, InputFormat, RegistryType, Status, TransportType};
pub use vocab::name::{MAX_NAME_CHARS, NameError, NameErrorKind, ServerName};
pub use vocab::ordering::{Timestamp, TimestampError, compare_versions, is_semantic_version};
pub use vocab::registry::{MAX_PUBLISHER_META_BYTES, OFFICIAL_META, PUBLISHER_PROVIDED_META};
pub use vocab::severity::Severity;
pub use vocab::text::{escape_controls, escape_json_output, sanitize_text};
pub use vocab::url_template::{UrlTemplate, UrlTemplateError};
pub use vocab::version::{
    MAX_VERSION_CHARS, ServerVersion, VersionError, VersionErrorKind, looks_like_range,
};
pub use wire::error::ParseError;

pub use semver;
pub use url;
