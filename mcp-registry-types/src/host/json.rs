//! The JSON hosts' files: every host but Codex.

use serde_json::{Map, Value};

use crate::host::Host;
use crate::host::error::ExportError;
use crate::host::export::{ExportOptions, References, Shape};
use crate::host::import::json_error;
use crate::vocab::kinds::TransportType;

/// The top-level key of the server table.
pub(crate) fn servers_key(host: Host) -> &'static str {
    if host == Host::VsCode {
        "servers"
    } else {
        "mcpServers"
    }
}

/// `existing` with the entry for `shape` under `key`.
pub(crate) fn merge(
    host: Host,
    existing: &str,
    key: &str,
    shape: &Shape,
    options: &ExportOptions,
) -> Result<String, ExportError> {
    let mut references = References::new(host, key, options);
    let entry = entry(host, shape, &mut references);
    let inputs = references.finish(if host == Host::ClaudeDesktop {
        "it expands no variables in its config file; export with placeholders and fill them \
         in, or use another host"
    } else {
        "not expressible in this host's file"
    })?;

    let mut root: Value = serde_json::from_str(existing).map_err(|e| {
        let (message, line, column) = json_error(&e);
        ExportError::Json {
            message,
            line,
            column,
        }
    })?;
    let Value::Object(root_map) = &mut root else {
        return Err(ExportError::NotAnObject {
            pointer: String::new(),
        });
    };
    let table = servers_key(host);
    let servers = root_map
        .entry(table)
        .or_insert_with(|| Value::Object(Map::new()));
    let Value::Object(servers) = servers else {
        return Err(ExportError::NotAnObject {
            pointer: format!("/{table}"),
        });
    };
    servers.insert(key.to_owned(), Value::Object(entry));
    if !inputs.is_empty() {
        let list = root_map
            .entry("inputs")
            .or_insert_with(|| Value::Array(Vec::new()));
        let Value::Array(list) = list else {
            return Err(ExportError::NotAnObject {
                pointer: "/inputs".to_owned(),
            });
        };
        for (id, description) in inputs {
            let input = serde_json::json!({
                "type": "promptString",
                "id": id,
                "description": description,
                "password": true,
            });
            let same = list
                .iter_mut()
                .find(|old| old.get("id").and_then(Value::as_str) == Some(id.as_str()));
            match same {
                Some(old) => *old = input,
                None => list.push(input),
            }
        }
    }
    let mut text = serde_json::to_string_pretty(&root).map_err(|e| ExportError::Json {
        message: e.to_string(),
        line: 0,
        column: 0,
    })?;
    text.push('\n');
    Ok(text)
}

/// The server entry.
fn entry(host: Host, shape: &Shape, references: &mut References<'_>) -> Map<String, Value> {
    let mut out = Map::new();
    let typed = matches!(host, Host::ClaudeCode | Host::VsCode);
    match shape {
        Shape::Stdio { command, args, env } => {
            if typed {
                out.insert("type".to_owned(), "stdio".into());
            }
            out.insert("command".to_owned(), command.as_str().into());
            if !args.is_empty() {
                let args = args.iter().map(|a| references.render(a).into()).collect();
                out.insert("args".to_owned(), Value::Array(args));
            }
            if !env.is_empty() {
                out.insert("env".to_owned(), pairs(env, references));
            }
        }
        Shape::Http {
            transport,
            url,
            headers,
        } => {
            let sse = *transport == TransportType::Sse;
            if typed {
                out.insert("type".to_owned(), if sse { "sse" } else { "http" }.into());
            }
            let url_key = if host == Host::Gemini && !sse {
                "httpUrl"
            } else {
                "url"
            };
            out.insert(url_key.to_owned(), references.render(url).into());
            if !headers.is_empty() {
                out.insert("headers".to_owned(), pairs(headers, references));
            }
        }
    }
    out
}

fn pairs(pairs: &[(String, crate::plan::Template)], references: &mut References<'_>) -> Value {
    Value::Object(
        pairs
            .iter()
            .map(|(name, value)| (name.clone(), references.render(value).into()))
            .collect(),
    )
}
