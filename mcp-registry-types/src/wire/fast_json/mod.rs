//! A fast path for reading JSON: a `serde::Deserializer` over already-validated UTF-8 that
//! handles only the common subset of JSON and refuses everything else.
//!
//! Pretty-printed registry documents spend much of `serde_json`'s time in its byte-at-a-time
//! tokenizer. This one skips indentation and scans strings eight bytes at a time, and keeps no
//! position or error bookkeeping, because it never reports an error: on anything outside the
//! subset it returns [`Refused`], and the caller re-parses with `serde_json`, whose errors,
//! positions and paths the crate promises.
//!
//! The rule that makes this safe: for every input, either this path refuses, or it makes
//! exactly the visitor calls `serde_json`'s `from_str` would, and so builds the same value. The
//! subset, and what `serde_json` does for it:
//!
//! - whitespace is space, `\n`, `\t` and `\r`;
//! - strings have no backslash and no raw control byte, and are handed over borrowed
//!   (`visit_borrowed_str`);
//! - numbers are `-?(0|[1-9][0-9]{0,17})` with no fraction or exponent, and not `-0`: they fit
//!   `u64` (`visit_u64`) or `i64` (`visit_i64`) whatever type was asked for;
//! - `true`, `false`, `null`, arrays and objects nested at most [`MAX_DEPTH`] deep;
//! - `serde_json::value::RawValue`, through `serde_json`'s private newtype token.
//!
//! Enums, chars, bytes and 128-bit integers are refused: the registry types use none of them.

/// Deserializer methods that always refuse (`fn name(self, visitor)` ones).
macro_rules! refuse {
    ($($method:ident)*) => {
        $(fn $method<V: serde::de::Visitor<'de>>(self, _visitor: V) -> std::result::Result<V::Value, Refused> {
            Err(Refused)
        })*
    };
}

mod access;
mod de;
mod error;
#[cfg(test)]
mod proptests;
mod scan;
#[cfg(test)]
mod tests;

pub(crate) use error::Refused;

use crate::wire::FillValue;

/// Containers nested deeper than this are refused (`serde_json`'s own limit is 128).
const MAX_DEPTH: u32 = 100;

/// The newtype name by which `serde_json`'s `RawValue` asks its deserializer for raw text.
///
/// It is private to `serde_json`, and a release could change it. This reader would then not
/// recognise the request and would refuse every `RawValue` (so every `_meta`), and each such
/// payload would be re-read by `serde_json`: the same results, more slowly, with nothing to say
/// so. A check at run time could only choose between that silent fallback and a panic in a
/// user's program, so the check is a test instead
/// (`tests::serde_json_still_asks_for_raw_value_by_our_token`), which fails on the upgrade that
/// changes the token and says what to do. Refusing input outside the subset, and re-reading it
/// with `serde_json`, is by design and stays.
const RAW_VALUE_TOKEN: &str = "$serde_json::private::RawValue";

/// Reads `text` as `T` if it is within the subset, else [`Refused`].
#[cfg(any(test, feature = "fuzzing"))]
pub(crate) fn from_str<'de, T: serde::Deserialize<'de>>(text: &'de str) -> Result<T, Refused> {
    let mut deserializer = Deserializer::new(text);
    let value = T::deserialize(&mut deserializer)?;
    deserializer.end().map(|()| value)
}

/// Runs `read` over `text` if it is within the subset, else [`Refused`]: for visitors and
/// seeds that are not a `Deserialize` type (the `_meta` summary).
pub(crate) fn read_with<'de, T>(
    text: &'de str,
    read: impl FnOnce(&mut Deserializer<'de>) -> Result<T, Refused>,
) -> Result<T, Refused> {
    let mut deserializer = Deserializer::new(text);
    let value = read(&mut deserializer)?;
    deserializer.end().map(|()| value)
}

/// Reads `text` into `out` (which is [`FillValue::empty`]) if it is within the subset, else
/// [`Refused`], with `out` in an unspecified state.
pub(crate) fn fill<T: FillValue>(text: &str, out: &mut T) -> Result<(), Refused> {
    let mut deserializer = Deserializer::new(text);
    out.fill_value(&mut deserializer)?;
    deserializer.end()
}

/// The reader: the text and how far it has been read.
pub(crate) struct Deserializer<'de> {
    text: &'de str,
    /// Byte offset of the next unread byte.
    pos: usize,
    /// How many more containers may be opened.
    depth: u32,
}

impl<'de> Deserializer<'de> {
    fn new(text: &'de str) -> Self {
        Self {
            text,
            pos: 0,
            depth: MAX_DEPTH,
        }
    }

    /// Like `serde_json`'s `end`: only whitespace may follow the value.
    fn end(&mut self) -> Result<(), Refused> {
        match self.skip_whitespace() {
            None => Ok(()),
            Some(_) => Err(Refused),
        }
    }
}
