//! The policy hash audit records carry: SHA-256 over canonical JSON (object keys sorted, no
//! insignificant whitespace), so that reformatting a document does not change it.

use std::fmt::Write as _;

use sha2::{Digest, Sha256};

use crate::compile::LayerRef;

/// `sha256:<hex>` of the canonical JSON of the layers, in rank order.
///
/// Canonical means the document as this crate serializes it after parsing: fields in declaration
/// order, maps sorted by key, no whitespace. Key order and formatting in the source therefore do
/// not matter, and the JSON is streamed into the hash without building a tree.
pub(crate) fn policy_hash(layers: &[LayerRef<'_>]) -> String {
    let mut hasher = HashWriter(Sha256::new());
    for layer in layers {
        let mut policy = layer.policy.clone_without_rules();
        // `$schema` is a hint for editors, not policy.
        policy.schema = None;
        let _ = serde_json::to_writer(&mut hasher, layer.name);
        let _ = serde_json::to_writer(&mut hasher, &policy);
        for rule in &layer.policy.rules {
            let _ = serde_json::to_writer(&mut hasher, rule);
        }
        hasher.0.update(b"\n");
    }
    let digest = hasher.0.finalize();
    let mut out = String::from("sha256:");
    for byte in digest {
        let _ = write!(out, "{byte:02x}");
    }
    out
}

struct HashWriter(Sha256);

impl std::io::Write for HashWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.update(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
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
        let hash = |p: Policy| {
            policy_hash(&[LayerRef {
                name: "policy",
                policy: &p,
            }])
        };
        assert_eq!(hash(a.clone()), hash(b));
        assert_ne!(
            hash(a.clone()),
            hash(a.with_default_effect(crate::Effect::Deny))
        );
    }
}
