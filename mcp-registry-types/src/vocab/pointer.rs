//! JSON Pointers (RFC 6901), built lazily.
//!
//! Validation walks every value of a document but reports on few, so a path is a chain of
//! borrowed segments on the stack, turned into a string only when a finding is recorded.

use std::fmt::Write;

/// A position in a document: the root, or a key or index below another position.
#[derive(Clone, Copy, Debug)]
pub(crate) enum At<'a> {
    /// The whole document.
    Root,
    /// An object member.
    Key(&'a At<'a>, &'a str),
    /// An array element.
    Index(&'a At<'a>, usize),
}

impl<'a> At<'a> {
    /// The member `key` of this value.
    pub(crate) fn key(&'a self, key: &'a str) -> At<'a> {
        At::Key(self, key)
    }

    /// The element `index` of this value.
    pub(crate) fn index(&'a self, index: usize) -> At<'a> {
        At::Index(self, index)
    }

    fn write(&self, out: &mut String) {
        match self {
            At::Root => {}
            At::Key(parent, key) => {
                parent.write(out);
                push_token(out, key);
            }
            At::Index(parent, index) => {
                parent.write(out);
                let _ = write!(out, "/{index}");
            }
        }
    }
}

/// Something that names a position: a lazy [`At`] or a ready-made pointer string.
pub(crate) trait Pointer {
    /// The JSON Pointer text.
    fn render(&self) -> String;
}

impl Pointer for At<'_> {
    fn render(&self) -> String {
        let mut out = String::new();
        self.write(&mut out);
        out
    }
}

impl<P: Pointer> Pointer for &P {
    fn render(&self) -> String {
        (*self).render()
    }
}

impl Pointer for &str {
    fn render(&self) -> String {
        (*self).to_owned()
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_escaped_and_rendered_lazily() {
        let root = At::Root;
        let meta = root.key("_meta");
        assert_eq!(
            meta.key("io.example/x~y").render(),
            "/_meta/io.example~1x~0y"
        );
        let packages = root.key("packages");
        assert_eq!(
            packages.index(3).key("version").render(),
            "/packages/3/version"
        );
        assert_eq!(root.render(), "");
    }
}
