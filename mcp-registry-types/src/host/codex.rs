//! Codex's `config.toml`, edited with `toml_edit` so that comments and layout survive.

use toml_edit::{Array, DocumentMut, InlineTable, Item, Table, TomlError, Value};

use crate::host::Host;
use crate::host::error::{ExportError, ImportError};
use crate::host::export::Shape;
use crate::host::import::{Endpoint, ImportedServer};
use crate::host::syntax::env_name;
use crate::plan::{Part, Template};
use crate::vocab::kinds::TransportType;

const REASON: &str = "codex forwards whole environment variables by name: a secret must be an \
                      environment variable's or a header's entire value, or the token of \
                      `Authorization: Bearer`";

/// `existing` with `[mcp_servers.KEY]` for `shape`.
pub(crate) fn merge(existing: &str, key: &str, shape: &Shape) -> Result<String, ExportError> {
    let mut table = entry(shape)?;
    let mut doc: DocumentMut = existing.parse().map_err(|e: TomlError| ExportError::Toml {
        message: format!("not valid TOML: {}", located(existing, &e)),
    })?;
    let servers = doc.entry("mcp_servers").or_insert_with(|| {
        let mut servers = Table::new();
        servers.set_implicit(true);
        Item::Table(servers)
    });
    match servers {
        Item::Table(servers) => {
            if let Some(old) = servers.get(key).and_then(Item::as_table) {
                table.set_position(old.position());
                *table.decor_mut() = old.decor().clone();
            }
            servers.insert(key, Item::Table(table));
        }
        Item::Value(Value::InlineTable(servers)) => {
            servers.insert(key, Value::InlineTable(table.into_inline_table()));
        }
        _ => {
            return Err(ExportError::Toml {
                message: "mcp_servers: not a table".to_owned(),
            });
        }
    }
    Ok(doc.to_string())
}

/// The `[mcp_servers.KEY]` table.
fn entry(shape: &Shape) -> Result<Table, ExportError> {
    let mut refused: Vec<String> = Vec::new();
    let mut refuse = |template: &Template| {
        for secret in template.secrets() {
            if !refused.iter().any(|k| k == secret.key()) {
                refused.push(secret.key().to_owned());
            }
        }
    };
    let mut table = Table::new();
    match shape {
        Shape::Stdio { command, args, env } => {
            table.insert("command", toml_edit::value(command.as_str()));
            if !args.is_empty() {
                let mut list = Array::new();
                for arg in args {
                    refuse(arg);
                    list.push(arg.to_string());
                }
                table.insert("args", toml_edit::value(list));
            }
            let mut literal = InlineTable::new();
            let mut forwarded = Array::new();
            for (name, value) in env {
                match value.parts() {
                    [Part::Secret(_)] => forwarded.push(name.as_str()),
                    _ if value.has_secret() => refuse(value),
                    _ => {
                        literal.insert(name, value.to_string().into());
                    }
                }
            }
            if !literal.is_empty() {
                table.insert("env", toml_edit::value(literal));
            }
            if !forwarded.is_empty() {
                table.insert("env_vars", toml_edit::value(forwarded));
            }
        }
        Shape::Http { url, headers, .. } => {
            refuse(url);
            table.insert("url", toml_edit::value(url.to_string()));
            let mut bearer = None;
            let mut literal = InlineTable::new();
            let mut from_env = InlineTable::new();
            for (name, value) in headers {
                match value.parts() {
                    [Part::Text(prefix), Part::Secret(secret)]
                        if name.eq_ignore_ascii_case("authorization")
                            && prefix == "Bearer "
                            && bearer.is_none() =>
                    {
                        bearer = Some(env_name(secret.key()));
                    }
                    [Part::Secret(secret)] => {
                        from_env.insert(name, env_name(secret.key()).into());
                    }
                    _ if value.has_secret() => refuse(value),
                    _ => {
                        literal.insert(name, value.to_string().into());
                    }
                }
            }
            if let Some(bearer) = bearer {
                table.insert("bearer_token_env_var", toml_edit::value(bearer));
            }
            if !literal.is_empty() {
                table.insert("http_headers", toml_edit::value(literal));
            }
            if !from_env.is_empty() {
                table.insert("env_http_headers", toml_edit::value(from_env));
            }
        }
    }
    if refused.is_empty() {
        Ok(table)
    } else {
        Err(ExportError::SecretNotExpressible {
            host: Host::Codex,
            keys: refused,
            reason: REASON.to_owned(),
        })
    }
}

/// The parser's message with the line and column it points at.
fn located(text: &str, error: &TomlError) -> String {
    let message = error.message().trim_end();
    let Some(at) = error.span().map(|span| span.start) else {
        return message.to_owned();
    };
    let before = text.get(..at).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    format!("line {line}, column {column}: {message}")
}

/// The servers of a Codex file.
pub(crate) fn import(text: &str) -> Result<Vec<ImportedServer>, ImportError> {
    let doc: DocumentMut = text.parse().map_err(|e: TomlError| ImportError::Toml {
        message: located(text, &e),
    })?;
    let Some(servers) = doc.get("mcp_servers") else {
        return Ok(Vec::new());
    };
    let servers = servers.as_table_like().ok_or(ImportError::WrongType {
        path: "mcp_servers".to_owned(),
        expected: "a table",
    })?;
    let mut out = Vec::new();
    for (key, item) in servers.iter() {
        let path = format!("mcp_servers.{}", toml_key(key));
        let entry = item.as_table_like().ok_or_else(|| ImportError::WrongType {
            path: path.clone(),
            expected: "a table",
        })?;
        let field = |name: &str| entry.get(name).filter(|item| !item.is_none());
        let endpoint = if let Some(command) = field("command") {
            Endpoint::Launch {
                command: string(command, &format!("{path}.command"))?,
                args: strings(field("args"), &format!("{path}.args"))?,
                env: pairs(field("env"), &format!("{path}.env"))?,
                env_vars: strings(field("env_vars"), &format!("{path}.env_vars"))?,
            }
        } else if let Some(url) = field("url") {
            let bearer = field("bearer_token_env_var")
                .map(|item| string(item, &format!("{path}.bearer_token_env_var")))
                .transpose()?;
            Endpoint::Connect {
                transport: TransportType::StreamableHttp,
                url: string(url, &format!("{path}.url"))?,
                headers: pairs(field("http_headers"), &format!("{path}.http_headers"))?,
                env_headers: pairs(
                    field("env_http_headers"),
                    &format!("{path}.env_http_headers"),
                )?,
                bearer_token_env_var: bearer,
            }
        } else {
            return Err(ImportError::NoCommandOrUrl { path });
        };
        out.push(ImportedServer::new(Host::Codex, key.to_owned(), endpoint));
    }
    Ok(out)
}

/// A key as written in a TOML path: bare when it can be.
fn toml_key(key: &str) -> String {
    if !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        key.to_owned()
    } else {
        format!("{key:?}")
    }
}

fn string(item: &Item, path: &str) -> Result<String, ImportError> {
    item.as_str()
        .map(str::to_owned)
        .ok_or(ImportError::WrongType {
            path: path.to_owned(),
            expected: "a string",
        })
}

fn strings(item: Option<&Item>, path: &str) -> Result<Vec<String>, ImportError> {
    let Some(item) = item else {
        return Ok(Vec::new());
    };
    let array = item.as_array().ok_or(ImportError::WrongType {
        path: path.to_owned(),
        expected: "an array of strings",
    })?;
    array
        .iter()
        .enumerate()
        .map(|(i, value)| {
            value
                .as_str()
                .map(str::to_owned)
                .ok_or(ImportError::WrongType {
                    path: format!("{path}[{i}]"),
                    expected: "a string",
                })
        })
        .collect()
}

fn pairs(item: Option<&Item>, path: &str) -> Result<Vec<(String, String)>, ImportError> {
    let Some(item) = item else {
        return Ok(Vec::new());
    };
    let table = item.as_table_like().ok_or(ImportError::WrongType {
        path: path.to_owned(),
        expected: "a table of strings",
    })?;
    table
        .iter()
        .map(|(name, value)| {
            let value = value.as_str().ok_or_else(|| ImportError::WrongType {
                path: format!("{path}.{}", toml_key(name)),
                expected: "a string",
            })?;
            Ok((name.to_owned(), value.to_owned()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape() -> Shape {
        Shape::Stdio {
            command: "npx".to_owned(),
            args: vec![Template::text("x")],
            env: Vec::new(),
        }
    }

    #[test]
    fn host_codex_merges_into_every_shape_of_mcp_servers() {
        let dotted = "mcp_servers.old.command = \"a\"\n";
        let merged = merge(dotted, "new", &shape()).unwrap();
        assert_eq!(
            merged,
            "mcp_servers.old.command = \"a\"\n\n[mcp_servers.new]\ncommand = \"npx\"\nargs = [\"x\"]\n"
        );
        let inline = "[mcp_servers]\nold = { command = \"a\" }\n";
        let merged2 = merge(inline, "new", &shape()).unwrap();
        assert!(merged2.starts_with(inline), "{merged2}");
        let inline_root = "mcp_servers = { old = { command = \"a\" } }\n";
        let merged3 = merge(inline_root, "new", &shape()).unwrap();
        assert_eq!(
            merged3,
            "mcp_servers = { old = { command = \"a\" } , new = { command = \"npx\", args = \
             [\"x\"] } }\n"
        );
        for text in [merged, merged2, merged3] {
            let keys: Vec<_> = import(&text)
                .unwrap()
                .iter()
                .map(|s| s.key().to_owned())
                .collect();
            assert_eq!(keys, ["old", "new"], "{text}");
        }
    }
}
