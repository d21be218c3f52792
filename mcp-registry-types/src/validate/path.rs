//! JSON Pointer building (RFC 6901).

/// Appends `/token` to `pointer`, escaping `~` and `/`.
pub(crate) fn push_token(pointer: &mut String, token: &str) {
    pointer.push('/');
    for c in token.chars() {
        match c {
            '~' => pointer.push_str("~0"),
            '/' => pointer.push_str("~1"),
            c => pointer.push(c),
        }
    }
}

/// `base` with `token` appended.
pub(crate) fn join(base: &str, token: &str) -> String {
    let mut out = String::with_capacity(base.len() + token.len() + 1);
    out.push_str(base);
    push_token(&mut out, token);
    out
}

/// `base` with an array index appended.
pub(crate) fn index(base: &str, index: usize) -> String {
    format!("{base}/{index}")
}

#[cfg(test)]
mod tests {
    #[test]
    fn tokens_are_escaped() {
        assert_eq!(
            super::join("/_meta", "io.example/x~y"),
            "/_meta/io.example~1x~0y"
        );
        assert_eq!(super::index("/packages", 3), "/packages/3");
    }
}
