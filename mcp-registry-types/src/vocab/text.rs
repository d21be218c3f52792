//! Making untrusted text safe to show, in plain text and in JSON: three helpers over one set
//! of characters, listed under [`sanitize_text`].

use std::borrow::Cow;
use std::fmt::Write as _;

/// Makes any registry string safe to print in a terminal or a user interface.
///
/// Registry text is written by strangers. This removes what can hide or rewrite what a person
/// sees, the unsafe characters below (tab and newline become spaces). Everything else is kept,
/// so ordinary non-ASCII text reads unchanged, and text that needs no change is not copied.
/// (Emoji sequences lose their joiners and variation selectors, which are invisible
/// characters too: a family emoji shows as its members.)
///
/// [`escape_controls`] shows the same characters as visible escapes instead, and
/// [`escape_json_output`] as JSON escapes.
///
/// ```
/// use mcp_registry_types::sanitize_text;
///
/// assert_eq!(sanitize_text("weather\u{1b}[31m server\u{202e}"), "weather[31m server");
/// assert_eq!(sanitize_text("Météo ☀"), "Météo ☀");
/// ```
///
/// # Unsafe characters
///
/// The characters that can attack a terminal or the person reading it (Unicode Technical
/// Report #36, CVE-2021-42574 "Trojan Source"):
///
/// - C0 controls, DEL and C1 controls: escape sequences (`ESC ]0;title BEL` retitles a
///   terminal, `ESC [2J` clears it, U+009B is a one-character CSI), carriage returns that
///   overwrite a line, NUL;
/// - every `Bidi_Control` character: U+061C, U+200E, U+200F, U+202A–U+202E, U+2066–U+2069;
/// - every `Default_Ignorable_Code_Point` (`DerivedCoreProperties.txt`): invisible characters
///   such as zero-width spaces and joiners, the soft hyphen, Hangul fillers, variation
///   selectors and tag characters, which can hide text or smuggle data;
/// - the interlinear annotation characters U+FFF9–U+FFFB, which a renderer may hide;
/// - the line and paragraph separators U+2028 and U+2029, which render as line breaks.
pub fn sanitize_text(text: &str) -> Cow<'_, str> {
    if printable_ascii(text) {
        return Cow::Borrowed(text);
    }
    if !text.chars().any(is_unsafe) {
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

/// Keeps text on one line and visible by writing every
/// [unsafe character](sanitize_text#unsafe-characters) (controls, bidi controls, invisible
/// characters, line separators) as a Rust-style escape: a newline becomes `\n`, ESC becomes `\u{1b}`, a right-to-left override
/// becomes `\u{202e}`.
///
/// Where [`sanitize_text`] hides such characters for display, this shows them, for messages,
/// paths, file names and logs that quote untrusted text: nothing quoted can start a forged log
/// line or reorder what is shown, and the reader sees that the characters were there. Text
/// that needs no change is not copied.
///
/// ```
/// use mcp_registry_types::escape_controls;
///
/// assert_eq!(escape_controls("unknown `a\nb`"), "unknown `a\\nb`");
/// assert_eq!(escape_controls("/rules/x\u{202e}"), "/rules/x\\u{202e}");
/// ```
pub fn escape_controls(text: &str) -> Cow<'_, str> {
    // Printable ASCII needs no look at characters; validation runs this on every message.
    if printable_ascii(text) {
        return Cow::Borrowed(text);
    }
    if !text.chars().any(is_unsafe) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if is_unsafe(c) {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Makes serialized JSON safe to print: every
/// [unsafe character](sanitize_text#unsafe-characters) is written as a `\uXXXX` escape, as a surrogate pair above U+FFFF. The result is
/// still valid JSON and holds the same value; only tab, newline and carriage return stay as
/// they are, since outside strings they are JSON whitespace (pretty printing uses them) and
/// inside strings a serializer has already escaped them.
///
/// `json` must be JSON text, such as `serde_json` writes. Rewriting the whole text is sound
/// because outside strings JSON holds only ASCII punctuation, literals, digits and whitespace,
/// so every other character this rewrites sits inside a string, where `\uXXXX` means that
/// character. Text that needs no change is not copied.
///
/// ```
/// use mcp_registry_types::escape_json_output;
///
/// let json = serde_json::to_string(&serde_json::json!({"key\u{9b}": "a\u{202e}b"})).unwrap();
/// let safe = escape_json_output(&json);
/// assert_eq!(safe, r#"{"key\u009b":"a\u202eb"}"#);
/// let back: serde_json::Value = serde_json::from_str(&safe).unwrap();
/// assert_eq!(back, serde_json::json!({"key\u{9b}": "a\u{202e}b"}));
/// ```
pub fn escape_json_output(json: &str) -> Cow<'_, str> {
    let plain = json
        .bytes()
        .filter(|&b| !(b' '..=b'~').contains(&b) && !matches!(b, b'\t' | b'\n' | b'\r'))
        .count()
        == 0;
    let escaped = |c: char| is_unsafe(c) && !matches!(c, '\t' | '\n' | '\r');
    if plain || !json.chars().any(escaped) {
        return Cow::Borrowed(json);
    }
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        if escaped(c) {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                let _ = write!(out, "\\u{unit:04x}");
            }
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

/// Whether `c` is one of the [unsafe characters](sanitize_text#unsafe-characters), one source
/// a comment. Every bidi
/// control is default-ignorable too; the second list leaves out what the first has.
fn is_unsafe(c: char) -> bool {
    matches!(c,
        // C0 controls, DEL, C1 controls (General_Category Cc).
        '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}'
        // Bidi_Control (PropList.txt).
        | '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
        // Default_Ignorable_Code_Point (DerivedCoreProperties.txt), less the bidi controls.
        | '\u{00ad}' | '\u{034f}' | '\u{115f}'..='\u{1160}' | '\u{17b4}'..='\u{17b5}'
        | '\u{180b}'..='\u{180f}' | '\u{200b}'..='\u{200d}' | '\u{2060}'..='\u{2065}'
        | '\u{206a}'..='\u{206f}' | '\u{3164}' | '\u{fe00}'..='\u{fe0f}' | '\u{feff}'
        | '\u{ffa0}' | '\u{fff0}'..='\u{fff8}' | '\u{1bca0}'..='\u{1bca3}'
        | '\u{1d173}'..='\u{1d17a}' | '\u{e0000}'..='\u{e0fff}'
        // Interlinear annotation anchor, separator and terminator.
        | '\u{fff9}'..='\u{fffb}'
        // Line and paragraph separators render as line breaks.
        | '\u{2028}' | '\u{2029}'
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The oracle, written from the Unicode data files rather than from `is_unsafe`: each
    /// class as the ranges its source lists, checked one class at a time.
    const C0_DEL_C1: &[(u32, u32)] = &[(0x00, 0x1f), (0x7f, 0x7f), (0x80, 0x9f)];
    /// `PropList.txt`, `Bidi_Control`.
    const BIDI_CONTROL: &[(u32, u32)] = &[
        (0x061c, 0x061c),
        (0x200e, 0x200f),
        (0x202a, 0x202e),
        (0x2066, 0x2069),
    ];
    /// `DerivedCoreProperties.txt`, `Default_Ignorable_Code_Point` (unchanged from Unicode 14
    /// to 16).
    const DEFAULT_IGNORABLE: &str = "
        00AD          # Cf       SOFT HYPHEN
        034F          # Mn       COMBINING GRAPHEME JOINER
        061C          # Cf       ARABIC LETTER MARK
        115F..1160    # Lo   [2] HANGUL CHOSEONG FILLER..HANGUL JUNGSEONG FILLER
        17B4..17B5    # Mn   [2] KHMER VOWEL INHERENT AQ..KHMER VOWEL INHERENT AA
        180B..180D    # Mn   [3] MONGOLIAN FREE VARIATION SELECTOR ONE..THREE
        180E          # Cf       MONGOLIAN VOWEL SEPARATOR
        180F          # Mn       MONGOLIAN FREE VARIATION SELECTOR FOUR
        200B..200F    # Cf   [5] ZERO WIDTH SPACE..RIGHT-TO-LEFT MARK
        202A..202E    # Cf   [5] LEFT-TO-RIGHT EMBEDDING..RIGHT-TO-LEFT OVERRIDE
        2060..2064    # Cf   [5] WORD JOINER..INVISIBLE PLUS
        2065          # Cn       <reserved-2065>
        2066..206F    # Cf  [10] LEFT-TO-RIGHT ISOLATE..NOMINAL DIGIT SHAPES
        3164          # Lo       HANGUL FILLER
        FE00..FE0F    # Mn  [16] VARIATION SELECTOR-1..VARIATION SELECTOR-16
        FEFF          # Cf       ZERO WIDTH NO-BREAK SPACE
        FFA0          # Lo       HALFWIDTH HANGUL FILLER
        FFF0..FFF8    # Cn   [9] <reserved-FFF0>..<reserved-FFF8>
        1BCA0..1BCA3  # Cf   [4] SHORTHAND FORMAT LETTER OVERLAP..SHORTHAND FORMAT UP STEP
        1D173..1D17A  # Cf   [8] MUSICAL SYMBOL BEGIN BEAM..MUSICAL SYMBOL END PHRASE
        E0000         # Cn       <reserved-E0000>
        E0001         # Cf       LANGUAGE TAG
        E0002..E001F  # Cn  [30] <reserved-E0002>..<reserved-E001F>
        E0020..E007F  # Cf  [96] TAG SPACE..CANCEL TAG
        E0080..E00FF  # Cn [128] <reserved-E0080>..<reserved-E00FF>
        E0100..E01EF  # Mn [240] VARIATION SELECTOR-17..VARIATION SELECTOR-256
        E01F0..E0FFF  # Cn [3600] <reserved-E01F0>..<reserved-E0FFF>
    ";
    /// Interlinear annotation characters and the line and paragraph separators.
    const ANNOTATION_AND_SEPARATORS: &[(u32, u32)] = &[(0xfff9, 0xfffb), (0x2028, 0x2029)];

    fn default_ignorable() -> Vec<(u32, u32)> {
        DEFAULT_IGNORABLE
            .lines()
            .filter_map(|line| line.split('#').next())
            .map(str::trim)
            .filter(|range| !range.is_empty())
            .map(|range| {
                let (lo, hi) = range.split_once("..").unwrap_or((range, range));
                (
                    u32::from_str_radix(lo, 16).unwrap(),
                    u32::from_str_radix(hi, 16).unwrap(),
                )
            })
            .collect()
    }

    fn classes() -> Vec<(&'static str, Vec<(u32, u32)>)> {
        vec![
            ("c0, del, c1", C0_DEL_C1.to_vec()),
            ("bidi control", BIDI_CONTROL.to_vec()),
            ("default ignorable", default_ignorable()),
            ("annotation, separators", ANNOTATION_AND_SEPARATORS.to_vec()),
        ]
    }

    fn chars(ranges: &[(u32, u32)]) -> impl Iterator<Item = char> + '_ {
        ranges
            .iter()
            .flat_map(|&(lo, hi)| lo..=hi)
            .filter_map(char::from_u32)
    }

    #[test]
    fn clean_text_is_borrowed() {
        assert!(matches!(
            sanitize_text("io.github.acme/weather"),
            Cow::Borrowed(_)
        ));
        assert!(matches!(sanitize_text("Météo ☀ 東京"), Cow::Borrowed(_)));
        assert!(matches!(
            escape_json_output("{\n  \"a\": \"Météo\"\n}"),
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
        assert_eq!(
            sanitize_text("x\u{1b}]0;title\u{7}\u{1b}[2Jy"),
            "x]0;title[2Jy"
        );
    }

    #[test]
    fn every_character_of_every_class_is_handled_by_every_helper() {
        for (class, ranges) in classes() {
            for c in chars(&ranges) {
                let text = format!("a{c}b");
                let expected = if matches!(c, '\t' | '\n') {
                    "a b"
                } else {
                    "ab"
                };
                assert_eq!(
                    sanitize_text(&text),
                    expected,
                    "{class}: U+{:04X}",
                    u32::from(c)
                );

                let escaped = escape_controls(&text);
                let inner = escaped
                    .strip_prefix('a')
                    .and_then(|rest| rest.strip_suffix('b'))
                    .unwrap();
                assert_eq!(
                    inner,
                    c.escape_default().to_string(),
                    "{class}: U+{:04X}",
                    u32::from(c)
                );

                let json = serde_json::to_string(&serde_json::json!({ &text: text })).unwrap();
                let safe = escape_json_output(&json);
                assert!(safe.is_ascii(), "{class}: U+{:04X}: {safe}", u32::from(c));
                assert!(
                    !safe.bytes().any(|b| b.is_ascii_control()),
                    "{class}: U+{:04X}: {safe}",
                    u32::from(c)
                );
                let back: serde_json::Value = serde_json::from_str(&safe).unwrap();
                assert_eq!(back, serde_json::json!({ &text: text }));
            }
        }
    }

    #[test]
    fn every_other_character_is_kept() {
        let oracle: Vec<(u32, u32)> = classes().into_iter().flat_map(|(_, r)| r).collect();
        let mut buffer = [0u8; 4];
        for c in (0..=0x0010_ffff).filter_map(char::from_u32) {
            if oracle
                .iter()
                .any(|&(lo, hi)| (lo..=hi).contains(&u32::from(c)))
            {
                continue;
            }
            let text: &str = c.encode_utf8(&mut buffer);
            assert!(
                matches!(sanitize_text(text), Cow::Borrowed(_)),
                "U+{:04X}",
                u32::from(c)
            );
            assert!(
                matches!(escape_controls(text), Cow::Borrowed(_)),
                "U+{:04X}",
                u32::from(c)
            );
            assert!(
                matches!(escape_json_output(text), Cow::Borrowed(_)),
                "U+{:04X}",
                u32::from(c)
            );
        }
    }

    #[test]
    fn json_escapes_use_surrogate_pairs_and_keep_whitespace() {
        let json = "{\n\t\"tag\": \"a\u{e0041}\u{1b}[2J\u{7f}\"\r\n}";
        assert_eq!(
            escape_json_output(json),
            "{\n\t\"tag\": \"a\\udb40\\udc41\\u001b[2J\\u007f\"\r\n}"
        );
        let pretty =
            serde_json::to_string_pretty(&serde_json::json!({"k\u{200b}": ["\u{2028}"]})).unwrap();
        let safe = escape_json_output(&pretty);
        assert_eq!(safe, "{\n  \"k\\u200b\": [\n    \"\\u2028\"\n  ]\n}");
        let back: serde_json::Value = serde_json::from_str(&safe).unwrap();
        assert_eq!(back, serde_json::json!({"k\u{200b}": ["\u{2028}"]}));
    }
}
