//! Discover servers in a catalog snapshot: a ranked full-text search, then client-side filters.
//!
//! Reads the sample catalog built into this crate (offline), or a snapshot file written by
//! `mcp-registry sync`. Everything the registry wrote (names, descriptions) is untrusted text,
//! so it goes through `sanitize_text` before it reaches the terminal.
//!
//! ```text
//! cargo run -p mcp-registry-examples --example discover
//! cargo run -p mcp-registry-examples --example discover -- database
//! cargo run -p mcp-registry-examples --example discover -- --snapshot catalog.snapshot github
//! ```

use std::error::Error;
use std::io::{self, Write};
use std::process::ExitCode;

use mcp_registry_client::catalog::{CatalogEntry, CatalogStore as _, FileStore};
use mcp_registry_types::{RegistryType, ServerFilter, sanitize_text};

/// What to search for when no query is given.
const DEFAULT_QUERY: &str = "issues";

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            // Error messages can quote file names and file contents: sanitise them too.
            eprintln!("discover: {}", sanitize_text(&error.to_string()));
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), Box<dyn Error>> {
    let mut args = std::env::args().skip(1);
    let mut snapshot = None;
    let mut query = None;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--snapshot" => {
                snapshot = Some(args.next().ok_or("--snapshot needs a FILE argument")?);
            }
            _ if query.is_none() => query = Some(arg),
            _ => return Err(format!("unexpected argument `{arg}`").into()),
        }
    }
    let query = query.unwrap_or_else(|| DEFAULT_QUERY.to_owned());

    let catalog = match snapshot {
        // `FileStore` checks the snapshot's size cap and SHA-256 before decoding it. Its
        // methods block, so call them from a thread (or `spawn_blocking`) in async code.
        Some(path) => FileStore::new(&path)
            .load()?
            .ok_or_else(|| format!("{path}: no catalog snapshot there"))?,
        None => mcp_registry_examples::bundled::catalog()?,
    };
    // `writeln!` instead of `println!`: a closed pipe (`| head`) is an error, not a panic.
    let mut out = io::stdout().lock();
    writeln!(
        out,
        "catalog: {} servers, {} versions",
        catalog.server_count(),
        catalog.version_count()
    )?;

    // 1. Ranked search over the latest version of each server: name, title and description,
    //    best match first. Tombstones (deleted versions) are never returned.
    writeln!(out, "\nsearch {:?} (top 5):", sanitize_text(&query))?;
    for hit in catalog.search(&query, Some(5)) {
        write!(out, "  {:>6.2} ", hit.score())?;
        print_entry(&mut out, hit.entry())?;
    }

    // 2. Filters: facts the registry API cannot filter on, checked against each version.
    //    A new filter already drops deleted versions; criteria combine with AND.
    let filters = [
        (
            "remote-only, latest",
            ServerFilter::new().with_remote_only().with_latest_only(),
        ),
        (
            "npm packages, latest, no configuration needed",
            ServerFilter::new()
                .with_registry_type(RegistryType::Npm)
                .with_latest_only()
                .with_zero_config(),
        ),
        (
            "name glob io.github.translate-hub/*, every version",
            // A glob is compiled up front, so a bad pattern is an error here, not a panic.
            ServerFilter::new().try_with_name_glob("io.github.translate-hub/*")?,
        ),
    ];
    for (label, filter) in &filters {
        writeln!(out, "\nfilter: {label}")?;
        for entry in catalog.filtered(filter) {
            write!(out, "  ")?;
            print_entry(&mut out, entry)?;
        }
    }
    Ok(())
}

/// One line per server: name, version and description, each made terminal-safe.
fn print_entry(out: &mut impl Write, entry: &CatalogEntry) -> io::Result<()> {
    writeln!(
        out,
        "{} {}: {}",
        sanitize_text(entry.name()),
        sanitize_text(entry.version()),
        sanitize_text(entry.description())
    )
}
