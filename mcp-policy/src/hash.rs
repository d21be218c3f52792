//! The policy hash audit records carry: SHA-256 over canonical JSON (object keys sorted, no
//! insignificant whitespace), so that reformatting a document does not change it.

use std::fmt::Write as _;

use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::compile::Layer;

/// `sha256:<hex>` of the canonical JSON of the layers, in rank order.
pub(crate) fn policy_hash(layers: &[Layer]) -> String {
    let doc: Vec<Value> = layers
        .iter()
        .map(|l| {
            let mut policy = serde_json::to_value(&l.policy).unwrap_or(Value::Null);
            // `$schema` is a hint for editors, not policy.
            if let Value::Object(map) = &mut policy {
                map.remove("$schema");
            }
            serde_json::json!({ "layer": l.name, "policy": policy })
        })
        .collect();
    let mut canonical = String::new();
    write_canonical(&Value::Array(doc), &mut canonical);
    let digest = Sha256::digest(canonical.as_bytes());
    let mut out = String::from("sha256:");
    for byte in digest {
        let _ = write!(out, "{byte:02x}");
    }
    out
}

fn write_canonical(value: &Value, out: &mut String) {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (i, key) in keys.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String((*key).clone()).to_string());
                out.push(':');
                if let Some(v) = map.get(*key) {
                    write_canonical(v, out);
                }
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(item, out);
            }
            out.push(']');
        }
        scalar => out.push_str(&scalar.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::Policy;

    #[test]
    fn key_order_and_whitespace_do_not_change_the_hash() {
        let a =
            Policy::from_json(br#"{"defaultEffect":"allow","rules":[{"id":"a","effect":"deny"}]}"#)
                .unwrap();
        let b = Policy::from_json(
            br#"{ "rules": [ { "effect": "deny", "id": "a" } ], "defaultEffect": "allow" }"#,
        )
        .unwrap();
        let hash = |p: Policy| policy_hash(&[Layer::new("policy", p)]);
        assert_eq!(hash(a.clone()), hash(b));
        assert_ne!(
            hash(a.clone()),
            hash(a.with_default_effect(crate::Effect::Deny))
        );
    }
}
