//! Floor 1, vocabulary and small values: the registry's words (names, versions, URL
//! templates, open enums, `_meta` keys and limits), how it reads URLs and orders versions, and
//! the small types every document field is made of. Nothing here knows a document.

pub mod client_url;
pub(crate) mod extra;
pub mod glob;
pub(crate) mod go_url;
pub(crate) mod kinds;
pub(crate) mod name;
pub(crate) mod open_enum;
pub(crate) mod ordering;
pub(crate) mod pointer;
pub(crate) mod regexes;
pub(crate) mod registry;
pub(crate) mod severity;
pub(crate) mod small_text;
pub(crate) mod text;
pub(crate) mod url_template;
pub(crate) mod validated;
pub(crate) mod version;
