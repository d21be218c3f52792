//! Constraints the JSON Schema and the publish API both state, written once.
//!
//! The two layers judge a few things differently (what a `uri` is, unknown properties), so
//! each passes its own URI check; everything else here is the same rule in both.

use super::LayerSink;
use crate::model::server::Icon;
use crate::vocab::pointer::{At, Pointer};

/// The MIME types an icon may declare.
const ICON_MIME_TYPES: [&str; 5] = [
    "image/png",
    "image/jpeg",
    "image/jpg",
    "image/svg+xml",
    "image/webp",
];

/// A URI check: absolute (JSON Schema) or merely parseable (publish API).
pub(super) type UriCheck<'d> = fn(&mut LayerSink<'_, 'd>, At<'_>, &'d str);

/// A required property is missing.
pub(super) fn required(sink: &mut LayerSink<'_, '_>, parent: At<'_>, key: &str) {
    sink.error(parent.key(key), "required", format!("`{key}` is required"));
}

/// `enum`: `value` is one of `allowed`.
pub(super) fn one_of(
    sink: &mut LayerSink<'_, '_>,
    path: impl Pointer,
    value: &str,
    allowed: &[&str],
) {
    if allowed.contains(&value) {
        return;
    }
    let list = allowed
        .iter()
        .map(|a| format!("`{a}`"))
        .collect::<Vec<_>>()
        .join(", ");
    sink.error(
        path,
        "enum",
        format!("`{value}` is not allowed: write one of {list}"),
    );
}

/// `minLength`/`maxLength`, counted in characters as JSON Schema counts them.
#[inline]
pub(super) fn check_length(
    sink: &mut LayerSink<'_, '_>,
    path: impl Pointer,
    text: &str,
    min: usize,
    max: Option<usize>,
) {
    // A character is 1 to 4 bytes: the byte length settles most checks without counting,
    // and this test is inlined so that they cost a few instructions.
    let bytes = text.len();
    if bytes >= min.saturating_mul(4) && max.is_none_or(|max| bytes <= max) {
        return;
    }
    count_length(sink, path, text, min, max);
}

fn count_length(
    sink: &mut LayerSink<'_, '_>,
    path: impl Pointer,
    text: &str,
    min: usize,
    max: Option<usize>,
) {
    let bytes = text.len();
    let too_short = bytes < min || (bytes < min.saturating_mul(4) && text.chars().count() < min);
    let too_long = max.filter(|max| bytes > *max && text.chars().count() > *max);
    if too_short {
        let message = if min == 1 {
            "must not be empty".to_owned()
        } else {
            format!("`{text}` is too short: write at least {min} characters")
        };
        sink.error(&path, "min-length", message);
    }
    if let Some(max) = too_long {
        let chars = text.chars().count();
        sink.error(
            &path,
            "max-length",
            format!("is {chars} characters long: shorten it to at most {max}"),
        );
    }
}

/// The server name's length and pattern.
pub(super) fn name<'d>(sink: &mut LayerSink<'_, 'd>, name: &'d str) {
    if !sink.first_name_rule() {
        return;
    }
    // A name the semantic rules accept has the pattern and length too (a property test
    // holds this), and the semantic layer checks it anyway.
    if sink.name(name).is_ok() {
        return;
    }
    let at = At::Root;
    let path = at.key("name");
    check_length(sink, path, name, 3, Some(200));
    if !name_pattern(name) {
        sink.error(
            path,
            "pattern",
            format!(
                "`{name}` does not match `^[a-zA-Z0-9.-]+/[a-zA-Z0-9._-]+$`: write `namespace/name`"
            ),
        );
    }
}

/// An icon's `src`, `mimeType`, `sizes` and `theme`.
pub(super) fn icon<'d>(
    sink: &mut LayerSink<'_, 'd>,
    path: At<'_>,
    icon: &'d Icon,
    uri: UriCheck<'d>,
) {
    match icon.src.as_deref() {
        None => required(sink, path, "src"),
        Some(src) => {
            check_length(sink, path.key("src"), src, 0, Some(255));
            uri(sink, path.key("src"), src);
        }
    }
    if let Some(mime) = icon.mime_type.as_deref() {
        one_of(sink, path.key("mimeType"), mime, &ICON_MIME_TYPES);
    }
    for (i, size) in icon.sizes.iter().flatten().enumerate() {
        if !size_pattern(size) {
            let message =
                format!("`{size}` is not a size: write `WIDTHxHEIGHT` such as `48x48`, or `any`");
            sink.error(path.key("sizes").index(i), "pattern", message);
        }
    }
    if let Some(theme) = icon.theme.as_deref() {
        one_of(sink, path.key("theme"), theme, &["light", "dark"]);
    }
}

/// A `fileSha256` value.
pub(super) fn sha256(sink: &mut LayerSink<'_, '_>, path: At<'_>, sha: &str) {
    if !sha256_pattern(sha) {
        sink.error(
            path,
            "pattern",
            format!("`{sha}` is not a SHA-256: write 64 lower-case hex digits"),
        );
    }
}

/// `^[a-zA-Z0-9.-]+/[a-zA-Z0-9._-]+$`.
pub(super) fn name_pattern(name: &str) -> bool {
    use crate::vocab::name::{NAME_BYTE, NAMESPACE_BYTE, all_bytes_in};
    let bytes = name.as_bytes();
    let Some(slash) = bytes.iter().position(|&b| b == b'/') else {
        return false;
    };
    let (namespace, local) = bytes.split_at(slash);
    let local = local.get(1..).unwrap_or_default();
    !namespace.is_empty()
        && !local.is_empty()
        && all_bytes_in(namespace, NAMESPACE_BYTE)
        && all_bytes_in(local, NAME_BYTE)
}

/// `^[a-f0-9]{64}$`.
pub(super) fn sha256_pattern(text: &str) -> bool {
    // Arithmetic with no early exit, so the loop vectorises.
    let outside = text.bytes().fold(0u8, |outside, b| {
        outside | (u8::from(b.wrapping_sub(b'0') > 9) & u8::from(b.wrapping_sub(b'a') > 5))
    });
    text.len() == 64 && outside == 0
}

/// `^(\d+x\d+|any)$`.
pub(super) fn size_pattern(text: &str) -> bool {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    text == "any"
        || text
            .split_once('x')
            .is_some_and(|(w, h)| digits(w) && digits(h))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_match_the_schema_regexes() {
        assert!(name_pattern("a.b-c/d_e.f") && !name_pattern("a/b/c") && !name_pattern("a_b/c"));
        assert!(sha256_pattern(&"ab".repeat(32)) && !sha256_pattern(&"AB".repeat(32)));
        assert!(
            size_pattern("48x48")
                && size_pattern("any")
                && !size_pattern("48")
                && !size_pattern("x48")
        );
    }

    proptest::proptest! {
        /// Why `name` may skip its checks for a name the semantic rules accept.
        #[test]
        fn a_semantically_valid_name_has_the_schema_pattern_and_length(
            name in "[a-zA-Z0-9._/-]{0,8}|[a-z0-9.-]{1,120}/[a-z0-9._-]{1,120}|[a-zé/]{1,6}"
        ) {
            if crate::vocab::name::check(&name).is_ok() {
                let chars = name.chars().count();
                proptest::prop_assert!(name_pattern(&name) && (3..=200).contains(&chars), "{}", name);
            }
        }
    }
}
