//! The length of Go's `json.Marshal` output for a value, counted while reading the value.
//!
//! The registry limits publisher metadata by the size of the JSON Go writes back out, which is
//! not the size of the text it read: Go writes compact JSON, escapes `<`, `>`, `&`, U+2028 and
//! U+2029 as `\uXXXX`, writes every number as the shortest form of a `float64` (`1.0` is `1`,
//! `1e21` is `1e+21`), and keeps only the last value of a repeated key. [`GoLen`] counts that
//! in the same pass that reads the value, allocating only to spot repeated keys.

use std::borrow::Cow;
use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::Number;

use crate::wire::Key;

/// One value as Go would write it.
#[derive(Clone, Copy, Debug, Eq, PartialEq)]
pub(super) struct GoValue {
    /// Bytes of Go's `json.Marshal` output.
    pub(super) len: usize,
    /// Whether the value is an object.
    pub(super) object: bool,
}

/// An object member already read: what its key and value add once repeats are dropped.
pub(super) struct Member<'de> {
    key: Cow<'de, str>,
    /// Reading order, so that the last of a repeated key can be found after sorting.
    order: usize,
    len: usize,
}

/// Reads one value and returns its [`GoValue`].
///
/// `members` is scratch space shared by the whole pass: each object being read keeps its
/// members at the end of it, so nesting costs no allocation of its own.
pub(super) struct GoLen<'s, 'de> {
    pub(super) members: &'s mut Vec<Member<'de>>,
}

impl<'de> DeserializeSeed<'de> for GoLen<'_, 'de> {
    type Value = GoValue;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<GoValue, D::Error> {
        deserializer.deserialize_any(self)
    }
}

fn scalar(len: usize) -> GoValue {
    GoValue { len, object: false }
}

impl<'de> Visitor<'de> for GoLen<'_, 'de> {
    type Value = GoValue;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_unit<E>(self) -> Result<GoValue, E> {
        Ok(scalar("null".len()))
    }

    fn visit_bool<E>(self, value: bool) -> Result<GoValue, E> {
        Ok(scalar(if value { "true".len() } else { "false".len() }))
    }

    fn visit_u64<E>(self, value: u64) -> Result<GoValue, E> {
        Ok(scalar(go_number_len(&Number::from(value))))
    }

    fn visit_i64<E>(self, value: i64) -> Result<GoValue, E> {
        Ok(scalar(go_number_len(&Number::from(value))))
    }

    fn visit_f64<E>(self, value: f64) -> Result<GoValue, E> {
        // serde_json's `Value` holds a non-finite float as null (its parser never yields one).
        Ok(scalar(
            Number::from_f64(value).map_or("null".len(), |n| go_number_len(&n)),
        ))
    }

    fn visit_str<E>(self, value: &str) -> Result<GoValue, E> {
        Ok(scalar(go_string_len(value)))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<GoValue, A::Error> {
        let mut items: usize = 0;
        let mut total = 0;
        while let Some(item) = seq.next_element_seed(GoLen {
            members: &mut *self.members,
        })? {
            items += 1;
            total += item.len;
        }
        Ok(scalar(2 + items.saturating_sub(1) + total))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<GoValue, A::Error> {
        let members = self.members;
        let start = members.len();
        while let Some(Key(key)) = map.next_key()? {
            let value = map.next_value_seed(GoLen {
                members: &mut *members,
            })?;
            let order = members.len();
            members.push(Member {
                key,
                order,
                len: value.len,
            });
        }
        let len = object_len(members.get_mut(start..).unwrap_or_default());
        members.truncate(start);
        Ok(GoValue { len, object: true })
    }
}

/// Objects with at most this many members are scanned for repeated keys; larger ones sorted.
const SCAN_MAX: usize = 16;

/// `{"key":value,…}` over an object's `members`, a repeated key counted once with its last
/// value, as both `serde_json`'s map and Go's keep it.
fn object_len(members: &mut [Member<'_>]) -> usize {
    // A member counts unless a later one has its key. Small objects (nearly all) just look at
    // every later member. Larger ones are sorted by key, then reading order, so that only the
    // next member can share a key: in place, no allocation, and n log n where the scan would be
    // n² on a hostile object with many keys.
    let look_ahead = if members.len() <= SCAN_MAX {
        members.len()
    } else {
        members.sort_unstable_by(|a, b| a.key.cmp(&b.key).then(a.order.cmp(&b.order)));
        1
    };
    let mut kept: usize = 0;
    let mut total = 0;
    for (i, member) in members.iter().enumerate() {
        let later = members.get(i + 1..).unwrap_or_default();
        if later
            .iter()
            .take(look_ahead)
            .any(|other| other.key == member.key)
        {
            continue;
        }
        kept += 1;
        total += go_string_len(&member.key) + 1 + member.len;
    }
    2 + kept.saturating_sub(1) + total
}

/// Go decodes every JSON number as a `float64` and writes that back.
fn go_number_len(n: &Number) -> usize {
    n.as_f64().map_or_else(|| n.to_string().len(), go_float_len)
}

/// A string as Go's encoder writes it: quotes, then each byte of its UTF-8, escaped where Go
/// escapes (`"`, `\\`, control characters, `<`, `>`, `&`, U+2028, U+2029).
fn go_string_len(text: &str) -> usize {
    let bytes = text.as_bytes();
    let escapes: usize = bytes
        .iter()
        .map(|&byte| usize::from(GO_ESCAPE_LEN.get(usize::from(byte)).copied().unwrap_or(0)))
        .sum();
    // U+2028 and U+2029 are three bytes (E2 80 A8, E2 80 A9) that Go writes as six.
    let separators = if bytes.is_ascii() {
        0
    } else {
        memchr::memchr_iter(0xE2, bytes)
            .filter(|&i| matches!(bytes.get(i + 1..i + 3), Some([0x80, 0xA8 | 0xA9])))
            .count()
    };
    2 + bytes.len() + escapes + 3 * separators
}

/// The bytes Go adds when it writes each byte of a string: a backslash before `"` and `\\`, a
/// short escape for `\n`, `\r` and `\t`, `\u00XX` for other control characters and for `<`,
/// `>` and `&`. A table, because one load per byte beats a chain of comparisons.
static GO_ESCAPE_LEN: [u8; 256] = go_escape_table();

#[expect(
    clippy::indexing_slicing,
    reason = "a const fn over a fixed-size table: an index out of bounds fails the build"
)]
const fn go_escape_table() -> [u8; 256] {
    let mut table = [0; 256];
    let mut byte = 0;
    while byte < 0x20 {
        table[byte] = 5;
        byte += 1;
    }
    table[b'\n' as usize] = 1;
    table[b'\r' as usize] = 1;
    table[b'\t' as usize] = 1;
    table[b'"' as usize] = 1;
    table[b'\\' as usize] = 1;
    table[b'<' as usize] = 5;
    table[b'>' as usize] = 5;
    table[b'&' as usize] = 5;
    table
}

/// Go's `float64` encoding: shortest digits, `'f'` form in [1e-6, 1e21), else `'e'` form with a
/// signed two-digit-minimum exponent trimmed to at least one digit (`1e-07` becomes `1e-7`).
fn go_float_len(f: f64) -> usize {
    let abs = f.abs();
    if abs == 0.0 || (1e-6..1e21).contains(&abs) {
        display_len(format_args!("{f}"))
    } else {
        // Rust writes `1e21` and `1e-7`, Go `1e+21` and `1e-7`: Go adds a sign to positive
        // exponents, which in this branch means magnitudes of 1e21 and up.
        display_len(format_args!("{f:e}")) + usize::from(abs >= 1.0)
    }
}

/// The length of formatted text, counted rather than written to a `String`.
fn display_len(args: fmt::Arguments<'_>) -> usize {
    struct Counter(usize);

    impl fmt::Write for Counter {
        fn write_str(&mut self, text: &str) -> fmt::Result {
            self.0 += text.len();
            Ok(())
        }
    }

    let mut counter = Counter(0);
    // Counting cannot fail.
    let _ = fmt::Write::write_fmt(&mut counter, args);
    counter.0
}

/// The counts this module replaced, kept for tests to hold the streaming ones to.
#[cfg(test)]
pub(super) mod oracle {
    use serde_json::Value;

    /// The length of Go's `json.Marshal` of a parsed `value`: the tree-walking original that
    /// the streaming count replaced, kept as its oracle.
    pub(in crate::wire::meta) fn go_json_len(value: &Value) -> usize {
        match value {
            Value::Null => 4,
            Value::Bool(b) => {
                if *b {
                    4
                } else {
                    5
                }
            }
            Value::Number(n) => n
                .as_f64()
                .map_or_else(|| n.to_string().len(), oracle_float_len),
            Value::String(s) => oracle_string_len(s),
            Value::Array(items) => {
                2 + items.len().saturating_sub(1) + items.iter().map(go_json_len).sum::<usize>()
            }
            Value::Object(map) => {
                let entries: usize = map
                    .iter()
                    .map(|(k, v)| oracle_string_len(k) + 1 + go_json_len(v))
                    .sum();
                2 + map.len().saturating_sub(1) + entries
            }
        }
    }

    /// The original per-character count that `go_string_len` replaced.
    pub(super) fn oracle_string_len(text: &str) -> usize {
        2 + text
            .chars()
            .map(|c| match c {
                '"' | '\\' | '\n' | '\r' | '\t' => 2,
                '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => 6,
                c if u32::from(c) < 0x20 => 6,
                c => c.len_utf8(),
            })
            .sum::<usize>()
    }

    /// The original formatting count that `go_float_len` replaced.
    pub(super) fn oracle_float_len(f: f64) -> usize {
        let abs = f.abs();
        if abs == 0.0 || (1e-6..1e21).contains(&abs) {
            format!("{f}").len()
        } else {
            let text = format!("{f:e}");
            let sign_added = usize::from(!text.contains("e-"));
            text.len() + sign_added
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use serde::de::DeserializeSeed;
    use serde_json::{Value, json};

    use super::oracle::{go_json_len, oracle_float_len, oracle_string_len};
    use super::*;

    /// The streaming count over JSON text.
    fn streamed(text: &str) -> GoValue {
        let mut members = Vec::new();
        let value = GoLen {
            members: &mut members,
        }
        .deserialize(&mut serde_json::Deserializer::from_str(text))
        .unwrap();
        assert!(members.is_empty(), "every object gives its scratch back");
        // Where the fast reader takes the text (parsing `_meta` tries it first), it agrees,
        // and Go writes at most six bytes for each byte of it (so parsing may skip the count).
        #[cfg(feature = "fast-json")]
        if let Ok(fast) = crate::wire::fast_json::read_with(text, |reader| {
            GoLen {
                members: &mut members,
            }
            .deserialize(reader)
        }) {
            assert_eq!(fast, value, "{text}");
            assert!(
                value.len <= crate::wire::meta::GO_BYTES_PER_FAST_BYTE * text.len(),
                "{text}"
            );
        }
        value
    }

    /// The streaming count over a parsed value (what documents built in code go through).
    fn streamed_value(value: &Value) -> GoValue {
        GoLen {
            members: &mut Vec::new(),
        }
        .deserialize(value)
        .unwrap()
    }

    /// Both counts of `text`, which must agree with the oracle over `serde_json`'s parse.
    fn assert_counts_agree(text: &str) -> usize {
        let parsed: Value = serde_json::from_str(text).unwrap();
        let expected = go_json_len(&parsed);
        assert_eq!(streamed(text).len, expected, "{text}");
        assert_eq!(streamed_value(&parsed).len, expected, "{text}");
        expected
    }

    #[test]
    fn go_escapes_html_characters() {
        let text = r#"{"a": "<&>"}"#;
        assert_eq!(
            assert_counts_agree(text),
            r#"{"a":"\u003c\u0026\u003e"}"#.len()
        );
    }

    #[test]
    fn go_writes_numbers_as_shortest_float64() {
        for (text, go) in [
            ("1", "1"),
            ("1.0", "1"),
            ("-0", "-0"),
            ("-0.0", "-0"),
            ("0.1", "0.1"),
            ("-12.5", "-12.5"),
            ("1e21", "1e+21"),
            ("1e20", "100000000000000000000"),
            ("1e-7", "1e-7"),
            ("0.000001", "0.000001"),
            ("18446744073709551615", "18446744073709552000"),
            ("-9223372036854775808", "-9223372036854776000"),
            ("123456789012345678901234", "1.2345678901234568e+23"),
        ] {
            assert_eq!(streamed(text).len, go.len(), "{text}");
            assert_eq!(assert_counts_agree(text), go.len(), "{text}");
        }
    }

    #[test]
    fn repeated_keys_count_once_with_their_last_value() {
        // The oracle runs over serde_json's parse, which keeps each key once, last value.
        let nested = r#"{"a": 1, "b": {"x": "<", "y": [1, {"z": 1, "z": 22222}], "x": "longer"},
            "a": "last", "c": {}, "c": []}"#;
        let len = assert_counts_agree(nested);
        assert_eq!(
            len,
            r#"{"a":"last","b":{"x":"longer","y":[1,{"z":22222}]},"c":[]}"#.len()
        );
        // A key escaped differently is still the same key.
        assert_eq!(
            assert_counts_agree(r#"{"a": 1, "\u0061": true}"#),
            r#"{"a":true}"#.len()
        );
        // Many repeats, out of order.
        let many: Vec<String> = (0..100).map(|i| format!(r#""k{}": {i}"#, i % 7)).collect();
        assert_counts_agree(&format!("{{{}}}", many.join(",")));
    }

    #[test]
    fn white_space_and_escapes_in_the_text_do_not_count() {
        let compact = assert_counts_agree(r#"{"a":["\u00e9\/",{"b":null}]}"#);
        let pretty = assert_counts_agree("{\n  \"a\": [\n    \"é/\",\n    { \"b\": null }\n  ]\n}");
        assert_eq!(compact, pretty);
        assert!(streamed("{}").object);
        assert!(!streamed("[]").object);
    }

    /// Strings mixing what Go escapes, what it does not, and multi-byte characters.
    fn text() -> impl Strategy<Value = String> {
        prop::collection::vec(
            prop_oneof![
                prop::sample::select(vec![
                    '<', '>', '&', '"', '\\', '/', '\n', '\r', '\t', '\u{0}', '\u{1f}', '\u{7f}',
                    '\u{2028}', '\u{2029}', 'é', '€', '😀', 'a', ' ',
                ]),
                any::<char>(),
            ],
            0..12,
        )
        .prop_map(|chars| chars.into_iter().collect())
    }

    fn number() -> impl Strategy<Value = Value> {
        prop_oneof![
            any::<i64>().prop_map(Value::from),
            any::<u64>().prop_map(Value::from),
            any::<f64>().prop_filter_map("finite", |f| Number::from_f64(f).map(Value::Number)),
            prop::sample::select(vec![
                1e21,
                1e20,
                1e-7,
                1e-6,
                0.1,
                -0.0,
                0.5,
                5e-324,
                f64::MAX,
                -1e21,
                123_456_789.0,
                1e100,
            ])
            .prop_map(Value::from),
        ]
    }

    fn value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            number(),
            text().prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 48, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                prop::collection::vec((text(), inner), 0..6)
                    .prop_map(|members| Value::Object(members.into_iter().collect())),
            ]
        })
    }

    /// Up to 24 members, so that both ways of finding repeated keys run.
    fn object() -> impl Strategy<Value = Value> {
        prop::collection::vec((text(), value()), 0..24)
            .prop_map(|members| Value::Object(members.into_iter().collect()))
    }

    proptest! {
        #[test]
        fn string_and_float_counts_equal_the_originals(
            chosen in text(),
            arbitrary in any::<String>(),
            f in any::<f64>(),
        ) {
            prop_assert_eq!(go_string_len(&chosen), oracle_string_len(&chosen));
            prop_assert_eq!(go_string_len(&arbitrary), oracle_string_len(&arbitrary));
            if f.is_finite() {
                prop_assert_eq!(go_float_len(f), oracle_float_len(f));
            }
        }

        /// Text the fast reader takes: escapes Go adds (`<`, U+2028) and long integers.
        #[test]
        fn fast_text_counts_the_same_and_within_six_bytes_a_byte(
            items in prop::collection::vec(
                prop_oneof![
                    "[a-z<>&\u{2028}é]{0,8}".prop_map(|s| format!("\"{s}\"")),
                    (-999_999_999_999_999_999_i64..999_999_999_999_999_999).prop_map(|n| n.to_string()),
                    Just("99999999999999999".to_owned()),
                    Just("[1, {\"<\": [true, null]}]".to_owned()),
                ],
                0..6,
            ),
            pretty in any::<bool>(),
        ) {
            let gap = if pretty { "\n  " } else { "" };
            let members: Vec<String> =
                items.iter().enumerate().map(|(i, v)| format!("{gap}\"k{}\":{v}", i % 3)).collect();
            let text = format!("{{{}{gap}}}", members.join(","));
            let value: Value = serde_json::from_str(&text).unwrap();
            prop_assert_eq!(streamed(&text).len, go_json_len(&value));
        }

        #[test]
        fn streaming_count_equals_the_oracle(value in object(), pretty in any::<bool>()) {
            let text = if pretty {
                serde_json::to_string_pretty(&value).unwrap()
            } else {
                serde_json::to_string(&value).unwrap()
            };
            let expected = go_json_len(&value);
            prop_assert_eq!(streamed(&text), GoValue { len: expected, object: true });
            prop_assert_eq!(streamed_value(&value).len, expected);
        }
    }

    #[test]
    fn the_oracle_matches_go_on_known_output() {
        // Go: json.Marshal(map[string]any{"a": []any{1.5, "<\u2028>", nil, false, 1e-7}})
        let value = json!({"a": [1.5, "<\u{2028}>", null, false, 1e-7]});
        assert_eq!(
            go_json_len(&value),
            r#"{"a":[1.5,"\u003c\u2028\u003e",null,false,1e-7]}"#.len()
        );
    }
}
