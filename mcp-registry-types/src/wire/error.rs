//! Parse errors: where reading stopped, in the document's terms.

use serde::de::DeserializeOwned;

use crate::wire::FillValue;

/// JSON that is not a document: a syntax error, or a value of the wrong shape.
///
/// Rule violations (a bad name, a missing field) are not parse errors: see
/// [`validate`](crate::validate()).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.render())]
pub struct ParseError {
    path: String,
    message: String,
    line: usize,
    column: usize,
    syntax: bool,
}

impl ParseError {
    /// The JSON Pointer of the offending value (empty for the whole document).
    pub fn path(&self) -> &str {
        &self.path
    }

    /// What is wrong, without the path.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The 1-based line where reading stopped.
    pub fn line(&self) -> usize {
        self.line
    }

    /// The 1-based column where reading stopped.
    pub fn column(&self) -> usize {
        self.column
    }

    /// Whether the input is not JSON at all (as opposed to JSON of the wrong shape).
    pub fn is_syntax(&self) -> bool {
        self.syntax
    }

    fn render(&self) -> String {
        let at = format!("at line {} column {}", self.line, self.column);
        if self.syntax {
            format!("invalid json: {} {at}", self.message)
        } else if self.path.is_empty() {
            format!("{} {at}", self.message)
        } else {
            format!("{}: {} {at}", self.path, self.message)
        }
    }
}

/// Parses `bytes` as `T`, and on failure parses again with path tracking so the error names
/// the JSON Pointer of the offending value; the happy path pays nothing for it.
pub(crate) fn parse_slice<T: DeserializeOwned + FillValue>(bytes: &[u8]) -> Result<T, ParseError> {
    // The fast path either refuses or gives exactly serde_json's value. The value is read in
    // place, so it is moved only to be returned. A refusal is by design (an escape, a float,
    // anything outside the subset): serde_json reads such input, and says what is wrong with
    // it. Whether the fast path still understands serde_json's `RawValue` is not decided here
    // but by a test (`fast_json::tests::serde_json_still_asks_for_raw_value_by_our_token`).
    #[cfg(feature = "fast-json")]
    if let Ok(text) = std::str::from_utf8(bytes) {
        let mut value = T::empty();
        if crate::wire::fast_json::fill(text, &mut value).is_ok() {
            return Ok(value);
        }
    }
    parse_slice_with_serde_json(bytes)
}

/// [`parse_slice`] with `serde_json` alone: after the fast path refused, or without the
/// `fast-json` feature. Its errors are the ones we report.
pub(crate) fn parse_slice_with_serde_json<T: DeserializeOwned>(
    bytes: &[u8],
) -> Result<T, ParseError> {
    // Checking UTF-8 once for the whole input is cheaper than serde_json checking each string;
    // invalid UTF-8 takes the slice path, which reports where it is.
    let parsed = match std::str::from_utf8(bytes) {
        Ok(text) => serde_json::from_str(text),
        Err(_) => serde_json::from_slice(bytes),
    };
    match parsed {
        Ok(value) => Ok(value),
        Err(first) => {
            // Syntax does not depend on the type: reading the bytes as a `Value` names the
            // error and position as the typed reader would, even inside values we keep as raw
            // text (`_meta`), whose capture words syntax errors differently. A document that
            // is not JSON is reported as such even when a shape error comes first.
            if let Err(syntax) = serde_json::from_slice::<serde_json::Value>(bytes) {
                return Err(from_serde("", &syntax));
            }
            let mut deserializer = serde_json::Deserializer::from_slice(bytes);
            let (path, error) = match serde_path_to_error::deserialize::<_, T>(&mut deserializer) {
                Err(tracked) => (pointer(tracked.path()), tracked.into_inner()),
                Ok(_) => (String::new(), first),
            };
            Err(from_serde(&path, &error))
        }
    }
}

fn from_serde(path: &str, error: &serde_json::Error) -> ParseError {
    let syntax = matches!(
        error.classify(),
        serde_json::error::Category::Syntax
            | serde_json::error::Category::Eof
            | serde_json::error::Category::Io
    );
    let message = without_position(error);
    ParseError {
        path: if syntax {
            String::new()
        } else {
            path.to_owned()
        },
        message: plain_words(&message),
        line: error.line(),
        // serde_json says column 0 for a position before a line's first character (the end of
        // input after a newline); the column we document is 1-based.
        column: error.column().max(1),
        syntax,
    }
}

/// What went wrong, without `serde_json`'s " at line L column C" suffix.
pub(crate) fn without_position(error: &serde_json::Error) -> String {
    let full = error.to_string();
    if error.line() == 0 {
        // No position was recorded, so there is no suffix to cut.
        return full;
    }
    match full.rsplit_once(" at line ") {
        Some((head, _)) => head.to_owned(),
        None => full,
    }
}

/// Replaces serde's Rust type names ("expected struct Transport") with JSON words.
fn plain_words(message: &str) -> String {
    let mut words = message.split(' ');
    let mut out: Vec<String> = Vec::new();
    while let Some(word) = words.next() {
        if word == "struct" {
            let name = words.next().unwrap_or_default();
            let trailing: String = name
                .chars()
                .skip_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            out.push(format!("an object{trailing}"));
        } else {
            out.push(word.to_owned());
        }
    }
    // serde names what it found bare (`invalid type: sequence, expected ...`).
    out.join(" ")
        .replace("a sequence", "an array")
        .replace("a map", "an object")
        .replace("invalid type: sequence,", "invalid type: an array,")
        .replace("invalid type: map,", "invalid type: an object,")
}

/// Converts a serde path (`packages[0].transport`) to a JSON Pointer (`/packages/0/transport`).
fn pointer(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut out = String::new();
    for segment in path {
        match segment {
            Segment::Seq { index } => {
                out.push('/');
                out.push_str(&index.to_string());
            }
            Segment::Map { key } => crate::vocab::pointer::push_token(&mut out, key),
            Segment::Enum { variant } => crate::vocab::pointer::push_token(&mut out, variant),
            Segment::Unknown => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::ServerJson;

    #[test]
    fn shape_errors_name_the_json_pointer() {
        let error =
            ServerJson::from_slice(br#"{"packages": [{"transport": "stdio"}]}"#).unwrap_err();
        assert_eq!(error.path(), "/packages/0/transport");
        assert_eq!(
            error.to_string(),
            "/packages/0/transport: invalid type: string \"stdio\", expected an object at line 1 column 35"
        );
        assert!(!error.is_syntax());
    }

    #[test]
    fn syntax_inside_raw_meta_is_reported_exactly() {
        let error = ServerJson::from_slice(b"{\"_meta\": {\"a\": 1,}}").unwrap_err();
        assert!(error.is_syntax());
        assert_eq!(
            error.to_string(),
            "invalid json: trailing comma at line 1 column 19"
        );
    }

    #[test]
    fn syntax_errors_say_invalid_json() {
        let error = ServerJson::from_slice(b"{\"name\": ").unwrap_err();
        assert!(error.is_syntax());
        assert_eq!(
            error.to_string(),
            "invalid json: EOF while parsing a value at line 1 column 9"
        );
    }

    #[test]
    fn columns_are_one_based_even_after_a_newline() {
        let error = ServerJson::from_slice(b"{\"name\":\n").unwrap_err();
        assert_eq!((error.line(), error.column()), (2, 1));
    }

    #[test]
    fn a_list_page_that_is_an_array_says_so_in_json_words() {
        let error = crate::ServerList::from_slice(b"[]").unwrap_err();
        assert!(
            error
                .to_string()
                .starts_with("invalid type: an array, expected an object"),
            "{error}"
        );
    }
}
