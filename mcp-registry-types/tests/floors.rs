//! The crate's floors only look down: no module names an item from a floor above its own.
//!
//! The floors are listed in the module docs of `lib.rs`. This test reads the source text (it
//! shares nothing with the crate) and follows every `crate::` path and every `super::` path
//! that leaves its folder, outside test modules and comments.
#![expect(
    clippy::string_slice,
    clippy::unwrap_used,
    reason = "tests fail by panicking; clippy.toml's test allowances reach only #[test] functions"
)]

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

/// The floor of each top-level module, bottom to top.
const FLOORS: &[(&str, u8)] = &[
    ("vocab", 1),
    ("model", 2),
    ("wire", 3),
    ("validate", 4),
    ("plan", 4),
    ("builder", 5),
    ("error", 5),
    ("host", 5),
];

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn floor_of(module: &str) -> Option<u8> {
    FLOORS
        .iter()
        .find(|(name, _)| *name == module)
        .map(|(_, floor)| *floor)
}

/// Every `.rs` file under `dir`, with its module path below the crate root.
fn files(dir: &Path, prefix: &[String], out: &mut Vec<(Vec<String>, PathBuf)>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let stem = path.file_stem().unwrap().to_str().unwrap().to_owned();
        if path.is_dir() {
            let mut next = prefix.to_vec();
            next.push(stem);
            files(&path, &next, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let mut module = prefix.to_vec();
            if stem != "mod" {
                module.push(stem);
            }
            out.push((module, path));
        }
    }
}

/// The code of a file without comments and without its `#[cfg(test)]` modules.
fn code(text: &str) -> String {
    let mut out = String::new();
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("#[cfg(test)]")
            && lines
                .peek()
                .is_some_and(|next| next.trim_start().starts_with("mod "))
        {
            // Skip the module: count braces from its opening line to its close.
            let (mut opens, mut closes) = (0usize, 0usize);
            for inner in lines.by_ref() {
                opens += inner.matches('{').count();
                closes += inner.matches('}').count();
                if opens > 0 && closes >= opens {
                    break;
                }
            }
            continue;
        }
        let without_comment = match line.find("//") {
            Some(at) => &line[..at],
            None => line,
        };
        out.push_str(without_comment);
        out.push('\n');
    }
    out
}

/// The first segment after each `crate::` in `code`, including each branch of `crate::{…}`.
fn crate_paths(code: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = code;
    while let Some(at) = rest.find("crate::") {
        // `$crate::` in a macro is the same crate.
        rest = &rest[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let end = group.find('}').unwrap_or(group.len());
            for branch in group[..end].split(',') {
                let first = branch.trim().split("::").next().unwrap_or("").trim();
                if !first.is_empty() {
                    out.push(first.to_owned());
                }
            }
        } else {
            let end = rest
                .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                .unwrap_or(rest.len());
            out.push(rest[..end].to_owned());
        }
    }
    out
}

/// The floor of each name `lib.rs` re-exports, from its `pub use floor::…` lines.
fn root_names(lib: &str) -> BTreeMap<String, u8> {
    let mut names = BTreeMap::new();
    for statement in code(lib).split(';') {
        let statement = statement.trim();
        let Some(path) = statement.strip_prefix("pub use ") else {
            continue;
        };
        let module = path.split("::").next().unwrap_or("");
        let Some(floor) = floor_of(module) else {
            continue;
        };
        let tail = path.rsplit("::").next().unwrap_or("");
        let inner = path
            .find('{')
            .map_or(tail, |at| path[at + 1..].trim_end_matches('}'));
        for name in inner.split(',') {
            let name = name.trim();
            if !name.is_empty() {
                names.insert(name.to_owned(), floor);
            }
        }
    }
    names
}

#[test]
fn no_module_imports_from_a_floor_above_its_own() {
    let root = src();
    let names = root_names(&fs::read_to_string(root.join("lib.rs")).unwrap());
    assert!(names.contains_key("ServerJson") && names.contains_key("ServerName"));
    let mut all = Vec::new();
    files(&root, &[], &mut all);
    let mut checked = 0;
    let mut upward = Vec::new();
    for (module, path) in &all {
        // `lib.rs` wires the floors together; `fuzzing` is test support above them all.
        if *module == ["lib"] || *module == ["fuzzing"] {
            continue;
        }
        let Some(own) = module.first().and_then(|top| floor_of(top)) else {
            upward.push(format!(
                "{} is on no floor: put it in a floor's folder or list it in FLOORS",
                path.strip_prefix(&root).unwrap().display()
            ));
            continue;
        };
        checked += 1;
        let text = code(&fs::read_to_string(path).unwrap());
        for first in crate_paths(&text) {
            let floor = floor_of(&first).or_else(|| names.get(&first).copied());
            match floor {
                Some(floor) if floor > own => upward.push(format!(
                    "{} (floor {own}) uses crate::{first} (floor {floor})",
                    path.strip_prefix(&root).unwrap().display()
                )),
                Some(_) => {}
                None => upward.push(format!(
                    "{} uses crate::{first}, which is on no floor",
                    path.strip_prefix(&root).unwrap().display()
                )),
            }
        }
        // A `super::` path from a floor's top file would leave the floor for the root.
        if module.len() == 1 && text.contains("super::") && own != 5 {
            upward.push(format!(
                "{} reaches the crate root through super::",
                path.strip_prefix(&root).unwrap().display()
            ));
        }
    }
    assert!(checked > 40, "only {checked} files were checked");
    assert!(
        upward.is_empty(),
        "imports that look up:\n{}",
        upward.join("\n")
    );
}

#[test]
fn the_reader_of_this_test_sees_paths() {
    // The test's own reader, checked on the shapes the crate uses.
    let text = code(
        "use crate::vocab::name::ServerName; // crate::wire in a comment\n\
         use crate::{model::server::ServerJson, vocab::kinds::Status};\n\
         fn f() { $crate::wire::deserialize(d) }\n\
         #[cfg(test)]\nmod tests {\n    use crate::builder::X;\n}\n",
    );
    assert_eq!(crate_paths(&text), ["vocab", "model", "vocab", "wire"]);
    let names =
        root_names("pub use model::server::{Icon, ServerJson};\npub use vocab::client_url;\n");
    assert_eq!(names.get("ServerJson"), Some(&2));
    assert_eq!(names.get("client_url"), Some(&1));
}
