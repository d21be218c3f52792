//! Bounds on what one response or one stream may cost.

/// Limits that keep a broken or hostile registry from exhausting memory or looping forever.
#[derive(Clone, Copy, Debug, Eq, PartialEq)]
pub struct Limits {
    body_bytes: u64,
    pages: u64,
    items: u64,
}

impl Limits {
    /// The defaults: 8 MiB per response (a full page of 100 servers is well under 1 MiB), 2,000
    /// pages and 200,000 items per stream (twice the scale the suite designs for).
    pub const fn new() -> Self {
        Self {
            body_bytes: 8 << 20,
            pages: 2_000,
            items: 200_000,
        }
    }

    /// The most bytes read from one response body; larger bodies are refused while reading.
    pub const fn with_max_body_bytes(mut self, bytes: u64) -> Self {
        self.body_bytes = bytes;
        self
    }

    /// The most pages one stream fetches.
    pub const fn with_max_pages(mut self, pages: u64) -> Self {
        self.pages = pages;
        self
    }

    /// The most items one stream yields.
    pub const fn with_max_items(mut self, items: u64) -> Self {
        self.items = items;
        self
    }

    /// Bytes per response body.
    pub const fn max_body_bytes(&self) -> u64 {
        self.body_bytes
    }

    /// Pages per stream.
    pub const fn max_pages(&self) -> u64 {
        self.pages
    }

    /// Items per stream.
    pub const fn max_items(&self) -> u64 {
        self.items
    }
}

impl Default for Limits {
    fn default() -> Self {
        Self::new()
    }
}
