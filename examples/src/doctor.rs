//! `mcp-registry doctor`: check the MCP servers in host config files against a catalog.
//!
//! ```text
//! mcp-registry doctor [FILE...] [--host HOST] [--snapshot FILE] [--json]
//! ```
//!
//! Each file (by default, every host config file found in its usual place under the current
//! directory and the home directory) is read as its host writes it ([`host::import`]; the host
//! comes from `--host`, the file's name, or its shape). Each server in it is matched with the
//! catalog (`--snapshot FILE`, by default the bundled sample) by the package it launches
//! (`npx -y id@version`, `uvx id==version`, `docker run … image:tag`, `dnx id@version`) or
//! the URL it connects to, and checked for drift:
//!
//! - a pinned version behind the catalog's latest;
//! - a version, or a server, the registry deprecated or deleted;
//! - a package the server's latest version no longer lists;
//! - a secret written in clear text: an environment variable or header the registry entry
//!   marks secret (or, for a server the catalog does not know, one whose name says it is a
//!   token, key or password) holding a value rather than a reference.
//!
//! It prints one aligned line per finding (`--json`: an array), and exits 1 when anything
//! needs action or a file cannot be read, 0 otherwise. Values are never printed: a finding
//! names where a secret is, not what it is.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};

use mcp_registry_client::catalog::Catalog;
use mcp_registry_client::types::host::{self, Host, ImportedServer};
use mcp_registry_client::types::{
    Input, ServerJson, Status, Transport, compare_versions, sanitize_text,
};
use serde_json::json;

use crate::input::InputArgs;
use crate::registry_cmds::{FAILED, OK};
use crate::safe_output::json_text;

/// `mcp-registry doctor`'s arguments.
#[derive(Clone, Debug, clap::Args)]
#[command(after_help = "Example:\n  mcp-registry doctor\n  \
                        mcp-registry doctor --snapshot catalog.snapshot .vscode/mcp.json ~/.codex/config.toml")]
pub struct DoctorArgs {
    /// Host config files to check (default: every one found in its usual place)
    #[arg(value_name = "FILE")]
    pub files: Vec<String>,
    /// Read every FILE as this host's format (default: from each file's name or shape)
    #[arg(long, value_name = "HOST", value_parser = parse_host)]
    pub host: Option<Host>,
    /// Compare with this catalog snapshot (default: the bundled sample)
    #[arg(long, value_name = "FILE")]
    pub snapshot: Option<String>,
    /// Print the findings as JSON
    #[arg(long)]
    pub json: bool,
    /// How much of each file to read.
    #[command(flatten)]
    pub input: InputArgs,
}

fn parse_host(text: &str) -> Result<Host, String> {
    text.parse::<Host>().map_err(|error| error.to_string())
}

/// Where hosts keep their files: relative to the current directory, then to the home one.
const PROJECT_FILES: [&str; 5] = [
    ".mcp.json",
    ".vscode/mcp.json",
    ".cursor/mcp.json",
    ".gemini/settings.json",
    ".codex/config.toml",
];
const HOME_FILES: [&str; 6] = [
    ".claude.json",
    ".cursor/mcp.json",
    ".gemini/settings.json",
    ".codex/config.toml",
    ".config/Claude/claude_desktop_config.json",
    "Library/Application Support/Claude/claude_desktop_config.json",
];

/// One thing found in one file.
struct Finding {
    file: String,
    key: String,
    /// Whether someone should act on it.
    action: bool,
    kind: &'static str,
    message: String,
}

/// Runs `doctor`.
pub fn run(args: &DoctorArgs, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    let catalog = if let Some(path) = &args.snapshot {
        crate::snapshot_file::load_existing(path)
    } else {
        let _ = writeln!(
            err,
            "mcp-registry doctor: comparing with the bundled sample catalog; give --snapshot FILE for a synced one"
        );
        crate::bundled::catalog()
    };
    let catalog = match catalog {
        Ok(catalog) => catalog,
        Err(message) => {
            let _ = writeln!(err, "mcp-registry doctor: {}", sanitize_text(&message));
            return FAILED;
        }
    };
    let files: Vec<PathBuf> = if args.files.is_empty() {
        let found = usual_files();
        if found.is_empty() {
            let _ = writeln!(
                err,
                "mcp-registry doctor: no host config file found here or in the home directory; name files to check"
            );
            return OK;
        }
        found
    } else {
        args.files.iter().map(PathBuf::from).collect()
    };
    let index = Index::new(&catalog);
    let mut findings = Vec::new();
    for file in &files {
        findings.extend(check_file(file, args, &catalog, &index));
    }
    if args.json {
        let array: Vec<_> = findings
            .iter()
            .map(|f| json!({"file": f.file, "key": f.key, "kind": f.kind, "action": f.action, "message": f.message}))
            .collect();
        let text = serde_json::to_string_pretty(&array).unwrap_or_default();
        let _ = writeln!(out, "{}", json_text(text));
    } else if findings.is_empty() {
        let _ = writeln!(out, "{} file(s) checked: nothing to do", files.len());
    } else {
        let rows: Vec<[String; 4]> = findings
            .iter()
            .map(|f| {
                [
                    sanitize_text(&f.file).into_owned(),
                    sanitize_text(&f.key).into_owned(),
                    if f.action { "action" } else { "note" }.to_owned(),
                    sanitize_text(&f.message).into_owned(),
                ]
            })
            .collect();
        crate::safe_output::table(out, &rows);
    }
    if findings.iter().any(|f| f.action) {
        FAILED
    } else {
        OK
    }
}

/// The host config files that exist in their usual places.
fn usual_files() -> Vec<PathBuf> {
    let home = std::env::var_os("HOME").map(PathBuf::from);
    let project = PROJECT_FILES.iter().map(PathBuf::from);
    let home_files = HOME_FILES
        .iter()
        .filter_map(|file| home.as_ref().map(|home| home.join(file)));
    let mut seen = BTreeSet::new();
    project
        .chain(home_files)
        .filter(|path| path.is_file())
        .filter(|path| seen.insert(path.canonicalize().unwrap_or_else(|_| path.clone())))
        .collect()
}

fn check_file(path: &Path, args: &DoctorArgs, catalog: &Catalog, index: &Index) -> Vec<Finding> {
    let file = path.display().to_string();
    let problem = |message: String| {
        vec![Finding {
            file: file.clone(),
            key: "-".to_owned(),
            action: true,
            kind: "unreadable",
            message,
        }]
    };
    let bytes = match crate::input::read_input(&file, args.input.max_input_bytes) {
        Ok(bytes) => bytes,
        Err(error) => return problem(error.to_string()),
    };
    let Ok(text) = String::from_utf8(bytes) else {
        return problem("not UTF-8 text".to_owned());
    };
    let Some(host) = args
        .host
        .or_else(|| Host::from_path_hint(&file))
        .or_else(|| host::detect(&text))
    else {
        return problem("cannot tell which host's file this is: give --host".to_owned());
    };
    let servers = match host::import(host, &text) {
        Ok(servers) => servers,
        Err(error) => return problem(format!("not a {host} config: {error}")),
    };
    let mut findings = Vec::new();
    for server in &servers {
        for (action, kind, message) in check_server(server, catalog, index) {
            findings.push(Finding {
                file: file.clone(),
                key: server.key().to_owned(),
                action,
                kind,
                message,
            });
        }
    }
    findings
}

/// One version of a server in the catalog, as the index records it.
struct Seen {
    name: String,
    version: String,
    /// The package's own version (an image's tag), when the document gives one.
    package_version: Option<String>,
    status: Status,
}

/// Where each package and remote URL appears in the catalog.
struct Index {
    /// (registry type, identifier without an image tag) → the versions that list it.
    packages: Vec<((String, String), Seen)>,
    /// URL template → the versions that list it.
    remotes: Vec<(String, Seen)>,
}

impl Index {
    fn new(catalog: &Catalog) -> Self {
        let mut index = Self {
            packages: Vec::new(),
            remotes: Vec::new(),
        };
        for entry in catalog.iter() {
            let Ok(server) = entry.server() else {
                continue;
            };
            let seen = |package_version: Option<String>| Seen {
                name: entry.name().to_owned(),
                version: entry.version().to_owned(),
                package_version,
                status: entry.status(),
            };
            for package in server.packages() {
                let kind = package
                    .registry_type()
                    .map(ToString::to_string)
                    .unwrap_or_default();
                let (identifier, tag) = split_tag(&kind, package.identifier());
                let version = tag.or(package.version()).map(str::to_owned);
                index
                    .packages
                    .push(((kind, identifier.to_owned()), seen(version)));
            }
            for remote in server.remotes() {
                if let Some(url) = remote.url() {
                    index.remotes.push((url.to_owned(), seen(None)));
                }
            }
        }
        index
    }
}

/// An OCI reference split into the image and its tag or digest; other identifiers whole.
fn split_tag<'a>(kind: &str, identifier: &'a str) -> (&'a str, Option<&'a str>) {
    if kind != "oci" {
        return (identifier, None);
    }
    if let Some((image, digest)) = identifier.split_once('@') {
        return (image, Some(digest));
    }
    let slash = identifier.rfind('/').map_or(0, |at| at + 1);
    match identifier.rfind(':') {
        Some(colon) if colon > slash => (
            identifier.get(..colon).unwrap_or(identifier),
            identifier.get(colon + 1..),
        ),
        _ => (identifier, None),
    }
}

/// Whether `url` is what `template` gives with its `{variables}` filled.
fn url_matches(template: &str, url: &str) -> bool {
    let mut pieces = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest.get(open..).and_then(|tail| tail.find('}')) else {
            break;
        };
        pieces.push(rest.get(..open).unwrap_or_default());
        rest = rest.get(open + close + 1..).unwrap_or_default();
    }
    pieces.push(rest);
    let (Some(first), Some(last)) = (pieces.first(), pieces.last()) else {
        return false;
    };
    if pieces.len() == 1 {
        return template == url;
    }
    let Some(mut tail) = url.strip_prefix(first) else {
        return false;
    };
    for piece in pieces.iter().skip(1).take(pieces.len() - 2) {
        match tail.find(piece) {
            Some(at) if at > 0 => tail = tail.get(at + piece.len()..).unwrap_or_default(),
            _ => return false,
        }
    }
    tail.len() > last.len() && tail.ends_with(last)
}

type Check = (bool, &'static str, String);

/// The findings for one server of a host file.
fn check_server(server: &ImportedServer, catalog: &Catalog, index: &Index) -> Vec<Check> {
    let mut findings = Vec::new();
    let matched: Vec<&Seen> = if let Some(package) = server.package() {
        let kind = package.registry_type().to_string();
        index
            .packages
            .iter()
            .filter(|((k, id), _)| *k == kind && id == package.identifier())
            .map(|(_, seen)| seen)
            .collect()
    } else if let Some(url) = server.remote_url() {
        index
            .remotes
            .iter()
            .filter(|(template, _)| url_matches(template, url))
            .map(|(_, seen)| seen)
            .collect()
    } else {
        Vec::new()
    };
    let Some(name) = matched.iter().map(|seen| seen.name.as_str()).min() else {
        return unknown(server);
    };
    let versions: Vec<&Seen> = matched
        .into_iter()
        .filter(|seen| seen.name == name)
        .collect();
    let latest = catalog.get(name);
    let package = server.package();
    // The version the file uses: the one whose package version it pins, else the latest.
    let used = package
        .as_ref()
        .and_then(|package| package.version())
        .and_then(|pin| {
            versions
                .iter()
                .find(|seen| seen.package_version.as_deref() == Some(pin))
        });
    if let (Some(package), Some(latest)) = (&package, latest) {
        let latest_pin = versions
            .iter()
            .find(|seen| seen.version == latest.version())
            .map(|seen| seen.package_version.clone());
        match latest_pin {
            None => findings.push((
                true,
                "package-gone",
                format!(
                    "{} {} is no longer in {name}'s latest version ({})",
                    package.registry_type(),
                    package.identifier(),
                    latest.version()
                ),
            )),
            Some(Some(newest)) => {
                if let Some(pin) = package.version()
                    && compare_versions(pin, None, &newest, None) == std::cmp::Ordering::Less
                {
                    findings.push((
                        true,
                        "behind",
                        format!("pins {pin}; {name}'s latest version uses {newest}"),
                    ));
                }
            }
            Some(None) => {}
        }
    }
    let status_of = used
        .map(|seen| (seen.version.clone(), seen.status.clone()))
        .or_else(|| latest.map(|latest| (latest.version().to_owned(), latest.status())));
    if let Some((version, status)) = status_of
        && (status == Status::Deprecated || status == Status::Deleted)
    {
        findings.push((
            true,
            "status",
            format!("{name} {version} is {status} in the registry"),
        ));
    }
    // Secrets: what the entry (the version used, else the latest) marks secret.
    let version = used.map_or_else(
        || latest.map(|l| l.version().to_owned()),
        |seen| Some(seen.version.clone()),
    );
    findings.extend(clear_secrets(server, catalog, name, version));
    findings
}

/// A server the catalog does not know: a note, and any value whose name says it is a secret.
fn unknown(server: &ImportedServer) -> Vec<Check> {
    let mut findings = vec![(
        false,
        "unknown",
        "not in the catalog: drift cannot be checked".to_owned(),
    )];
    for clear in server.suspected_clear_text_secrets() {
        findings.push((
            true,
            "clear-text-secret",
            format!(
                "{} looks like a secret written in clear text: use a reference",
                clear.field()
            ),
        ));
    }
    findings
}

/// The values written in clear that `name`'s entry (at `version`) marks secret.
fn clear_secrets(
    server: &ImportedServer,
    catalog: &Catalog,
    name: &str,
    version: Option<String>,
) -> Vec<Check> {
    let secret_names: BTreeSet<String> = version
        .and_then(|version| catalog.version(name, &version))
        .and_then(|entry| entry.server().ok())
        .map(|doc| secret_names(&doc))
        .unwrap_or_default();
    server
        .clear_text_secrets(|name| secret_names.contains(name))
        .into_iter()
        .map(|clear| {
            (
                true,
                "clear-text-secret",
                format!(
                    "{} is a secret in the registry entry but is written in clear text: use a \
                     reference",
                    clear.field()
                ),
            )
        })
        .collect()
}

/// The environment variables and headers the document marks secret.
fn secret_names(doc: &ServerJson) -> BTreeSet<String> {
    let packages = doc.packages().iter().flat_map(|p| {
        p.environment_variables()
            .iter()
            .chain(p.transport().map(Transport::headers).unwrap_or_default())
    });
    let remotes = doc.remotes().iter().flat_map(Transport::headers);
    packages
        .chain(remotes)
        // Secret itself, or filled from a secret variable (`Bearer {token}`).
        .filter(|input| {
            input.input().is_secret()
                || input
                    .input()
                    .variables()
                    .is_some_and(|variables| variables.values().any(Input::is_secret))
        })
        .map(|input| input.name().to_owned())
        .collect()
}
