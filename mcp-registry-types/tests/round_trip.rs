//! Lossless round trips: any document shape we accept comes back as the same JSON value, with
//! unknown fields and `_meta` namespaces at every level kept verbatim.
#![expect(
    clippy::indexing_slicing,
    reason = "tests fail by panicking; clippy.toml's test allowances reach only #[test] functions"
)]

use mcp_registry_types::{ServerJson, ServerList, ServerResponse};
use proptest::prelude::*;
use serde_json::{Map, Value, json};

/// Arbitrary JSON for unknown fields: scalars, arrays and objects, a few levels deep.
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        (-1e9f64..1e9).prop_map(Value::from),
        "[a-z\\u{e9}\\u{1F600} \"\\\\]{0,8}".prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            prop::collection::btree_map("[a-z_/.]{1,6}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Unknown keys: never one of the type's own field names.
fn extras() -> impl Strategy<Value = Map<String, Value>> {
    prop::collection::btree_map("x-[a-z]{1,6}", any_json(), 0..3)
        .prop_map(|m| m.into_iter().collect())
}

fn text() -> impl Strategy<Value = String> {
    "[ -~\\u{e9}]{0,12}"
}

fn merge(mut base: Value, extra: Map<String, Value>) -> Value {
    if let Value::Object(map) = &mut base {
        map.extend(extra);
    }
    base
}

fn input() -> impl Strategy<Value = Value> {
    (
        text(),
        any::<bool>(),
        prop::option::of(prop_oneof!["string", "number", "filepath", "weird"]),
        extras(),
    )
        .prop_map(|(description, required, format, extra)| {
            let mut v = json!({"description": description, "isRequired": required});
            if let Some(format) = format {
                v["format"] = Value::from(format);
            }
            merge(v, extra)
        })
}

fn transport() -> impl Strategy<Value = Value> {
    (
        prop_oneof!["stdio", "streamable-http", "sse", "websocket"],
        text(),
        input(),
        extras(),
    )
        .prop_map(|(kind, url, header, extra)| {
            let mut v = json!({"type": kind});
            if kind != "stdio" {
                v["url"] = Value::from(format!("https://{url}"));
                v["headers"] = json!([merge(
                    header,
                    Map::from_iter([("name".to_owned(), Value::from("H"))])
                )]);
            }
            merge(v, extra)
        })
}

fn package() -> impl Strategy<Value = Value> {
    (prop_oneof!["npm", "oci", "maven"], text(), transport(), input(), any::<bool>(), extras()).prop_map(
        |(kind, id, transport, arg_input, snake, extra)| {
            let argument = merge(json!({"type": "named", "name": "--x"}), arg_input.as_object().cloned().unwrap_or_default());
            let v = if snake {
                json!({"registry_type": kind, "identifier": id, "transport": transport, "package_arguments": [argument]})
            } else {
                json!({"registryType": kind, "identifier": id, "transport": transport, "packageArguments": [argument]})
            };
            merge(v, extra)
        },
    )
}

fn server() -> impl Strategy<Value = Value> {
    (
        text(),
        text(),
        prop::collection::vec(package(), 0..3),
        prop::collection::vec(transport(), 0..2),
        extras(),
        extras(),
    )
        .prop_map(|(name, version, packages, remotes, meta, extra)| {
            let mut v = json!({"name": name, "description": "d", "version": version,
                "packages": packages, "remotes": remotes,
                "repository": merge(json!({"url": "https://github.com/a/b", "source": "github"}), extra.clone())});
            let mut meta_map = meta;
            meta_map.insert("io.modelcontextprotocol.registry/publisher-provided".to_owned(), json!({"k": [1, 2.5, null]}));
            v["_meta"] = Value::Object(meta_map);
            merge(v, extra)
        })
}

proptest! {
    #[test]
    fn server_json_round_trips(value in server()) {
        let document: ServerJson = serde_json::from_value(value.clone()).unwrap();
        prop_assert_eq!(serde_json::to_value(&document).unwrap(), value.clone());
        let bytes = serde_json::to_vec(&value).unwrap();
        prop_assert_eq!(ServerJson::from_slice(&bytes).unwrap(), document);
    }

    #[test]
    fn api_payloads_round_trip(servers in prop::collection::vec(server(), 0..3), cursor in prop::option::of(text()), extra in extras()) {
        let items: Vec<Value> = servers.into_iter().map(|s| json!({"server": s, "_meta": {
            "io.modelcontextprotocol.registry/official": {"status": "deprecated", "isLatest": false, "x-new": 1},
            "com.example/sub": {"stars": 3}}})).collect();
        let mut page = merge(json!({"servers": items}), extra);
        if let Some(cursor) = cursor {
            page["metadata"] = json!({"nextCursor": cursor, "count": 2});
        }
        let list: ServerList = serde_json::from_value(page.clone()).unwrap();
        prop_assert_eq!(serde_json::to_value(&list).unwrap(), page.clone());
        for item in page["servers"].as_array().unwrap() {
            let response: ServerResponse = serde_json::from_value(item.clone()).unwrap();
            prop_assert_eq!(&serde_json::to_value(&response).unwrap(), item);
        }
    }
}

#[test]
fn next_cursor_from_old_mirrors_is_written_as_next_cursor() {
    let list: ServerList =
        serde_json::from_value(json!({"servers": [], "metadata": {"next_cursor": "a:1"}})).unwrap();
    assert_eq!(list.next_cursor(), Some("a:1"));
    assert_eq!(
        serde_json::to_value(&list).unwrap(),
        json!({"servers": [], "metadata": {"nextCursor": "a:1"}})
    );
}

#[test]
fn shape_errors_are_errors_not_losses() {
    for bad in [
        json!({"servers": "no"}),
        json!({"metadata": {}}),
        json!([1]),
    ] {
        assert!(serde_json::from_value::<ServerList>(bad).is_err());
    }
    assert!(serde_json::from_value::<ServerResponse>(json!({"_meta": {}})).is_err());
}
