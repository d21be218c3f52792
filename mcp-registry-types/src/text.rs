//! Making registry text safe to show.

use std::borrow::Cow;

/// Makes any registry string safe to print in a terminal or a user interface.
///
/// Registry text is written by strangers. This removes what can hide or rewrite what a person
/// sees: control characters (escape sequences, carriage returns, NUL; tab and newline become
/// spaces), bidirectional overrides and isolates (the "Trojan Source" characters), zero-width
/// characters and other invisible format characters. Everything else is kept, so ordinary
/// non-ASCII text reads unchanged, and text that needs no change is not copied.
///
/// ```
/// use mcp_registry_types::sanitize_text;
///
/// assert_eq!(sanitize_text("weather\u{1b}[31m server\u{202e}"), "weather[31m server");
/// assert_eq!(sanitize_text("Météo ☀"), "Météo ☀");
/// ```
pub fn sanitize_text(text: &str) -> Cow<'_, str> {
    if printable_ascii(text) {
        return Cow::Borrowed(text);
    }
    if !text.chars().any(|c| is_unsafe(c) || c == '\t' || c == '\n') {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.chars()
            .filter_map(|c| match c {
                '\t' | '\n' => Some(' '),
                c if is_unsafe(c) => None,
                c => Some(c),
            })
            .collect(),
    )
}

/// Keeps text on one line by writing control characters (and the Unicode line and paragraph
/// separators) as visible Rust-style escapes: a newline becomes `\n`, ESC becomes `\u{1b}`.
///
/// Where [`sanitize_text`] hides such characters for display, this shows them, for messages
/// and logs that quote untrusted text: nothing quoted can start a forged log line, and the
/// reader sees that the characters were there. Text that needs no change is not copied.
///
/// ```
/// use mcp_registry_types::escape_controls;
///
/// assert_eq!(escape_controls("unknown `a\nb`"), "unknown `a\\nb`");
/// ```
pub fn escape_controls(text: &str) -> Cow<'_, str> {
    // Printable ASCII needs no look at characters; validation runs this on every message.
    if printable_ascii(text) {
        return Cow::Borrowed(text);
    }
    let escaped = |c: char| c.is_control() || matches!(c, '\u{2028}' | '\u{2029}');
    if !text.chars().any(escaped) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if escaped(c) {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Whether every byte is printable ASCII (space to `~`): a count without early exit, which
/// the compiler vectorises.
fn printable_ascii(text: &str) -> bool {
    text.bytes()
        .filter(|&b| !(b' '..=b'~').contains(&b))
        .count()
        == 0
}

fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(c,
            // Bidirectional embeddings, overrides and isolates; marks.
            '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' | '\u{061c}'
            // Zero-width and invisible format characters, BOM, soft hyphen.
            | '\u{200b}'..='\u{200d}' | '\u{2060}'..='\u{2064}' | '\u{feff}' | '\u{00ad}'
            | '\u{180e}' | '\u{034f}'
            // Line and paragraph separators render as line breaks.
            | '\u{2028}' | '\u{2029}'
            // Interlinear annotation and tag characters can carry hidden text.
            | '\u{fff9}'..='\u{fffb}' | '\u{e0000}'..='\u{e007f}'
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_text_is_borrowed() {
        assert!(matches!(
            sanitize_text("io.github.acme/weather"),
            Cow::Borrowed(_)
        ));
    }

    #[test]
    fn escapes_keep_text_on_one_line() {
        assert_eq!(
            escape_controls("a\nb\u{1b}[0m\u{2028}"),
            "a\\nb\\u{1b}[0m\\u{2028}"
        );
        assert!(matches!(escape_controls("plain `text`"), Cow::Borrowed(_)));
    }

    #[test]
    fn controls_bidi_and_zero_width_are_removed() {
        assert_eq!(sanitize_text("a\u{0}b\rc\u{7f}d\u{9b}e"), "abcde");
        assert_eq!(
            sanitize_text("admin\u{202e}txt.exe\u{2066}"),
            "admintxt.exe"
        );
        assert_eq!(sanitize_text("pay\u{200b}pal\u{feff}\u{e0041}"), "paypal");
        assert_eq!(sanitize_text("line\none\ttab"), "line one tab");
    }
}
