//! Output that cannot attack the terminal reading it.
//!
//! File names, JSON paths, object keys, policy ids and registry text all come from input, and
//! a terminal obeys what they may hold: `ESC ]0;title BEL` retitles it, `ESC [2J` clears it,
//! a carriage return or newline forges a line, bidi overrides reorder what is shown and
//! zero-width characters hide text. The set is the one
//! [`mcp_registry_types::sanitize_text`] lists. Two layers keep it out:
//!
//! - **Values.** [`quote`] writes an identifier (file name, JSON path, key) for a line of text
//!   with those characters as visible escapes (`\u{1b}`, `\n`), so the reader can still find
//!   what is named; registry prose goes through [`mcp_registry_types::sanitize_text`].
//!   [`json_text`] rewrites serialized JSON with `\uXXXX` escapes, keeping its value.
//! - **Streams.** [`SafeWriter`] wraps a command's standard output or error, so that nothing
//!   written through it carries those characters, whatever code wrote it: in text mode they
//!   become visible escapes (except the newline, which ends the command's own lines: that is
//!   why values are quoted too), in JSON mode `\uXXXX` escapes.

use std::borrow::Cow;
use std::io::{self, Write};

use mcp_registry_types::{escape_controls, escape_json_output};

/// Writes an identifier from input (a file name, a JSON path, an object key) for a line of
/// text: every control, bidi and invisible character becomes a visible escape, newlines
/// included. Text that needs no change is not copied.
pub fn quote(text: &str) -> Cow<'_, str> {
    escape_controls(text)
}

/// Makes serialized JSON safe to print; the value is unchanged (see
/// [`mcp_registry_types::escape_json_output`]).
pub fn json_text(json: String) -> String {
    match escape_json_output(&json) {
        Cow::Borrowed(_) => json,
        Cow::Owned(escaped) => escaped,
    }
}

/// How a [`SafeWriter`] escapes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Lines of text: visible Rust-style escapes; newlines stay.
    Text,
    /// JSON text: `\uXXXX` escapes; the value is unchanged.
    Json,
}

/// A writer that escapes every unsafe character written through it before passing the text
/// on. Bytes that are not UTF-8 become U+FFFD; a character split across writes is held until
/// its last byte comes.
pub struct SafeWriter<'a> {
    inner: &'a mut dyn Write,
    mode: Mode,
    /// The start of a character whose other bytes have not been written yet.
    pending: Vec<u8>,
}

impl<'a> SafeWriter<'a> {
    /// Wraps `inner`, escaping as `mode` says.
    pub fn new(inner: &'a mut dyn Write, mode: Mode) -> Self {
        Self {
            inner,
            mode,
            pending: Vec::new(),
        }
    }

    /// Wraps `inner` for lines of text.
    pub fn text(inner: &'a mut dyn Write) -> Self {
        Self::new(inner, Mode::Text)
    }

    /// Wraps `inner` for JSON text.
    pub fn json(inner: &'a mut dyn Write) -> Self {
        Self::new(inner, Mode::Json)
    }

    fn escape<'t>(&self, text: &'t str) -> Cow<'t, str> {
        match self.mode {
            Mode::Json => escape_json_output(text),
            Mode::Text if !text.contains('\n') => escape_controls(text),
            Mode::Text => {
                let mut out = String::with_capacity(text.len());
                for (i, line) in text.split('\n').enumerate() {
                    if i > 0 {
                        out.push('\n');
                    }
                    out.push_str(&escape_controls(line));
                }
                Cow::Owned(out)
            }
        }
    }
}

impl Write for SafeWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let bytes: Cow<'_, [u8]> = if self.pending.is_empty() {
            Cow::Borrowed(buf)
        } else {
            let mut joined = std::mem::take(&mut self.pending);
            joined.extend_from_slice(buf);
            Cow::Owned(joined)
        };
        let mut text = String::new();
        let mut rest: &[u8] = &bytes;
        loop {
            match std::str::from_utf8(rest) {
                Ok(valid) => {
                    text.push_str(valid);
                    break;
                }
                Err(error) => {
                    let (valid, after) = rest.split_at(error.valid_up_to());
                    text.push_str(std::str::from_utf8(valid).unwrap_or_default());
                    let Some(bad) = error.error_len() else {
                        // An incomplete character at the end: wait for its other bytes.
                        self.pending = after.to_vec();
                        break;
                    };
                    text.push('\u{fffd}');
                    rest = after.get(bad..).unwrap_or_default();
                }
            }
        }
        self.inner.write_all(self.escape(&text).as_bytes())?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

impl Drop for SafeWriter<'_> {
    fn drop(&mut self) {
        if !self.pending.is_empty() {
            let _ = self.inner.write_all("\u{fffd}".as_bytes());
        }
    }
}

/// Writes `rows` as an aligned table: each column padded to its widest cell (in characters;
/// the cells are text already made safe), two spaces between columns, no trailing spaces.
pub fn table<const N: usize>(out: &mut dyn Write, rows: &[[String; N]]) {
    let mut widths = [0usize; N];
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    for row in rows {
        let mut line = String::new();
        for (column, (cell, width)) in row.iter().zip(widths).enumerate() {
            if column > 0 {
                line.push_str("  ");
            }
            line.push_str(cell);
            if column + 1 < N {
                line.extend(std::iter::repeat_n(' ', width - cell.chars().count()));
            }
        }
        let _ = writeln!(out, "{}", line.trim_end());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn through(mode: Mode, pieces: &[&[u8]]) -> String {
        let mut out = Vec::new();
        {
            let mut writer = SafeWriter::new(&mut out, mode);
            for piece in pieces {
                writer.write_all(piece).unwrap();
            }
        }
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn text_mode_escapes_all_but_newlines() {
        assert_eq!(
            through(Mode::Text, &["a\u{1b}]0;t\u{7}\n\u{202e}b\r\n".as_bytes()]),
            "a\\u{1b}]0;t\\u{7}\n\\u{202e}b\\r\n"
        );
    }

    #[test]
    fn json_mode_keeps_the_value() {
        let json =
            serde_json::to_string(&serde_json::json!({"k\u{9b}": "\u{200b}\u{e0041}"})).unwrap();
        let safe = through(Mode::Json, &[json.as_bytes()]);
        assert_eq!(safe, r#"{"k\u009b":"\u200b\udb40\udc41"}"#);
        let back: serde_json::Value = serde_json::from_str(&safe).unwrap();
        assert_eq!(back, serde_json::json!({"k\u{9b}": "\u{200b}\u{e0041}"}));
    }

    #[test]
    fn characters_split_across_writes_are_joined_and_bad_bytes_replaced() {
        let rlo = "\u{202e}".as_bytes();
        assert_eq!(
            through(Mode::Text, &[&rlo[..1], &rlo[1..2], &rlo[2..], b"x"]),
            "\\u{202e}x"
        );
        assert_eq!(
            through(Mode::Text, &[b"a\xffb", &rlo[..2]]),
            "a\u{fffd}b\u{fffd}"
        );
    }

    #[test]
    fn quoted_names_stay_on_one_line() {
        assert_eq!(quote("evil\nname.json"), "evil\\nname.json");
        assert!(matches!(quote("plain.json"), Cow::Borrowed(_)));
    }
}
