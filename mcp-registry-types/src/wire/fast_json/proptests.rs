//! Differential property tests: whenever the fast path accepts a text, it gives what
//! `serde_json::from_str` gives, for every payload type; and on the plain documents registries
//! serve it does accept.

use proptest::collection::vec;
use proptest::prelude::*;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::ser::{PrettyFormatter, Serializer};
use serde_json::value::RawValue;
use serde_json::{Value, json};

use super::from_str;
use crate::{ServerJson, ServerList, ServerResponse};

/// The fast path's answer for `T`, checked against `serde_json`'s; `true` if it accepted.
fn agrees<T: DeserializeOwned + PartialEq + std::fmt::Debug>(text: &str) -> bool {
    match from_str::<T>(text) {
        Ok(fast) => {
            let slow = serde_json::from_str::<T>(text);
            assert!(
                slow.as_ref().is_ok_and(|slow| *slow == fast),
                "fast {fast:?}, serde_json {slow:?} for {text:?}"
            );
            true
        }
        Err(_) => false,
    }
}

/// Every type, plus `Box<RawValue>` compared by its text. Returns what took the fast path.
fn all_agree(text: &str) -> [bool; 5] {
    let raw = match from_str::<Box<RawValue>>(text) {
        Ok(fast) => {
            let slow: Box<RawValue> = serde_json::from_str(text).unwrap();
            assert_eq!(fast.get(), slow.get(), "{text:?}");
            true
        }
        Err(_) => false,
    };
    [
        agrees::<Value>(text),
        agrees::<ServerJson>(text),
        agrees::<ServerList>(text),
        agrees::<ServerResponse>(text),
        raw,
    ]
}

fn whitespace() -> impl Strategy<Value = String> {
    prop_oneof![
        8 => Just(String::new()),
        4 => Just(" ".to_owned()),
        2 => Just("\n".to_owned()),
        2 => Just("\n            ".to_owned()),
        2 => "[ \t\r\n]{0,12}",
        1 => "[ \t\r\n\u{0b}\u{0c}\u{a0}]{0,3}",
    ]
}

/// Numbers, mostly in the subset; the rest are the kinds it must refuse.
fn number() -> impl Strategy<Value = String> {
    prop_oneof![
        8 => (-1000_i64..1000).prop_map(|n| n.to_string()),
        2 => (-999_999_999_999_999_999_i64..=999_999_999_999_999_999).prop_map(|n| n.to_string()),
        1 => any::<u64>().prop_map(|n| n.to_string()),
        1 => any::<i64>().prop_map(|n| n.to_string()),
        1 => any::<f64>().prop_map(|f| serde_json::to_string(&f).unwrap()),
        1 => "-?[0-9]{1,22}",
        1 => "-?[0-9]{1,3}(\\.[0-9]{0,3})?([eE][+-]?[0-9]{0,3})?",
        1 => Just("-0".to_owned()),
    ]
}

/// Strings, mostly plain; the rest have escapes, raw control bytes or any unicode.
fn string() -> impl Strategy<Value = String> {
    prop_oneof![
        12 => "[a-zA-Z0-9 _./:@-]{0,30}".prop_map(|s| format!("\"{s}\"")),
        2 => any::<String>().prop_map(|s| serde_json::to_string(&s).unwrap()),
        1 => "[^\"\\\\]{0,20}".prop_map(|s| format!("\"{s}\"")),
        1 => "(\\\\[\"\\\\/bfnrt]|\\\\u00[0-9a-f]{2}|\\\\ud83d\\\\ude00|[a-zé✓])*"
            .prop_map(|s| format!("\"{s}\"")),
    ]
}

/// A key, often from a few names so that duplicates and known fields come up.
fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => prop::sample::select(vec![
            "a", "name", "version", "description", "packages", "remotes", "_meta", "server",
            "servers", "metadata", "transport", "type", "url", "count", "nextCursor",
        ])
        .prop_map(|k| format!("\"{k}\"")),
        1 => string(),
    ]
}

/// JSON text, mostly valid, with every construct the fast path must refuse or get right.
fn json_text() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        Just("null".to_owned()),
        Just("true".to_owned()),
        Just("false".to_owned()),
        number(),
        string(),
    ];
    leaf.prop_recursive(6, 96, 8, |inner| {
        let item = (whitespace(), inner.clone(), whitespace());
        let entry = (
            whitespace(),
            key(),
            whitespace(),
            whitespace(),
            inner,
            whitespace(),
        );
        prop_oneof![
            (vec(item, 0..6), 0..24_u8).prop_map(|(items, defect)| {
                let items: Vec<String> = items.into_iter().map(|(a, v, b)| a + &v + &b).collect();
                container('[', &items, ']', defect)
            }),
            (vec(entry, 0..6), 0..24_u8).prop_map(|(entries, defect)| {
                // Defect 5: a missing colon.
                let colon = if defect == 5 { " " } else { ":" };
                let entries: Vec<String> = entries
                    .into_iter()
                    .map(|(a, k, b, c, v, d)| format!("{a}{k}{b}{colon}{c}{v}{d}"))
                    .collect();
                container('{', &entries, '}', defect)
            }),
        ]
    })
}

/// Joins the parts of an array or object; a small `defect` breaks it the way hand-written
/// JSON breaks: a trailing, leading or missing comma, or no closing bracket.
fn container(open: char, parts: &[String], close: char, defect: u8) -> String {
    let separator = if defect == 1 { " " } else { "," };
    let body = parts.join(separator);
    match defect {
        0 => format!("{open}{body},{close}"),
        2 => format!("{open},{body}{close}"),
        3 => format!("{open}{body}"),
        4 => format!("{open}{body}{close}{close}"),
        _ => format!("{open}{body}{close}"),
    }
}

/// Sometimes breaks the text: a byte inserted or removed.
fn mutated(text: String, edit: Option<(prop::sample::Index, u8, bool)>) -> Option<String> {
    let Some((at, byte, insert)) = edit else {
        return Some(text);
    };
    let mut bytes = text.into_bytes();
    let at = at.index(bytes.len() + 1);
    if insert {
        bytes.insert(at, byte);
    } else if at < bytes.len() {
        bytes.remove(at);
    }
    String::from_utf8(bytes).ok()
}

fn edit() -> impl Strategy<Value = Option<(prop::sample::Index, u8, bool)>> {
    let byte = prop::sample::select(b",:[]{}\"\\0.e- \n\x0c".to_vec());
    prop::option::weighted(0.3, (any::<prop::sample::Index>(), byte, any::<bool>()))
}

/// A float, or an integer of more than 18 digits: numbers the fast path leaves to `serde_json`.
fn has_big_number(value: &Value) -> bool {
    const LIMIT: u64 = 1_000_000_000_000_000_000;
    match value {
        Value::Number(n) => n.is_f64() || n.as_i64().is_none_or(|n| n.unsigned_abs() >= LIMIT),
        Value::Array(items) => items.iter().any(has_big_number),
        Value::Object(map) => map.values().any(has_big_number),
        _ => false,
    }
}

/// A string field value: mostly plain, sometimes escaped, unicode, or not a string at all.
fn field() -> impl Strategy<Value = Value> {
    prop_oneof![
        6 => "[a-zA-Z0-9 ._/:@-]{0,40}".prop_map(Value::from),
        1 => any::<String>().prop_map(Value::from),
        1 => any::<i64>().prop_map(Value::from),
        1 => Just(Value::Null),
    ]
}

/// Any small JSON value, for `_meta` and unknown fields.
fn loose() -> impl Strategy<Value = Value> {
    json_text().prop_filter_map("invalid", |text| serde_json::from_str(&text).ok())
}

prop_compose! {
    fn argument()(kind in prop::sample::select(vec!["positional", "named"]), name in field(),
                  value in field(), required in any::<bool>(), repeated in any::<bool>())
                  -> Value {
        json!({"type": kind, "name": name, "value": value, "isRequired": required,
               "isRepeated": repeated})
    }
}

prop_compose! {
    fn package()(kind in prop::sample::select(vec!["npm", "pypi", "oci", "nuget", "mcpb"]),
                 identifier in field(), version in field(), url in field(),
                 arguments in vec(argument(), 0..3), env in vec((field(), field(), any::<bool>()), 0..3),
                 extra in loose()) -> Value {
        let env: Vec<Value> = env.into_iter()
            .map(|(name, default, secret)| json!({"name": name, "default": default, "isSecret": secret}))
            .collect();
        json!({"registryType": kind, "identifier": identifier, "version": version,
               "transport": {"type": "stdio", "url": url}, "packageArguments": arguments,
               "environmentVariables": env, "x-extra": extra})
    }
}

prop_compose! {
    fn server()(name in field(), description in field(), version in field(),
                repository in (field(), field()), packages in vec(package(), 0..3),
                remotes in vec((field(), field()), 0..2), meta in loose(),
                count in any::<u32>()) -> Value {
        let remotes: Vec<Value> = remotes.into_iter()
            .map(|(kind, url)| json!({"type": kind, "url": url, "headers": [{"name": "X", "isSecret": true}]}))
            .collect();
        json!({"$schema": "https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json",
               "name": name, "description": description, "version": version,
               "repository": {"url": repository.0, "source": repository.1},
               "packages": packages, "remotes": remotes, "websiteUrl": "https://example.com",
               "_meta": {"io.modelcontextprotocol.registry/publisher-provided": meta, "n": count}})
    }
}

prop_compose! {
    fn response()(server in server(), latest in any::<bool>(), status in field()) -> Value {
        json!({"server": server, "_meta": {"io.modelcontextprotocol.registry/official": {
            "status": status, "publishedAt": "2025-12-12T10:00:00Z", "isLatest": latest}}})
    }
}

/// Compact, or pretty with one of a few indentations.
fn render(value: &Value, style: u8) -> String {
    let indent: &[u8] = match style % 4 {
        0 => return value.to_string(),
        1 => b"  ",
        2 => b"\t",
        _ => b"        ",
    };
    let mut out = Vec::new();
    let mut serializer = Serializer::with_formatter(&mut out, PrettyFormatter::with_indent(indent));
    value.serialize(&mut serializer).unwrap();
    String::from_utf8(out).unwrap()
}

/// A payload in the subset (no escape, no float) must take the fast path for `T`.
fn plain_is_fast<T: DeserializeOwned + PartialEq + std::fmt::Debug>(value: &Value, text: &str) {
    let plain = !text.contains('\\') && !has_big_number(value);
    let valid = serde_json::from_str::<T>(text).is_ok();
    assert_eq!(agrees::<T>(text), plain && valid, "{text}");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_json_agrees(text in json_text(), edit in edit(), pad in whitespace()) {
        if let Some(text) = mutated(pad.clone() + &text + &pad, edit) {
            all_agree(&text);
            // Any value in the subset, re-rendered, is always accepted.
            if let Ok(value) = serde_json::from_str::<Value>(&text) {
                for style in 0..4 {
                    plain_is_fast::<Value>(&value, &render(&value, style));
                }
            }
        }
    }

    #[test]
    fn server_json_documents_agree(document in server(), style in any::<u8>()) {
        let text = render(&document, style);
        all_agree(&text);
        plain_is_fast::<ServerJson>(&document, &text);
        plain_is_fast::<Value>(&document, &text);
    }

    #[test]
    fn responses_and_lists_agree(responses in vec(response(), 0..3), style in any::<u8>(),
                                 cursor in field()) {
        let first = responses.first().cloned().unwrap_or(Value::Null);
        let text = render(&first, style);
        all_agree(&text);
        plain_is_fast::<ServerResponse>(&first, &text);
        let count = responses.len();
        let list = json!({"servers": responses, "metadata": {"nextCursor": cursor, "count": count}});
        let text = render(&list, style);
        all_agree(&text);
        plain_is_fast::<ServerList>(&list, &text);
    }
}
