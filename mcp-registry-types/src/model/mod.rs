//! Floor 2, the data model: `server.json` and the registry API's payloads as Rust types, with
//! their accessors. How they are read from JSON is the floor above ([`wire`](crate::wire)).

pub(crate) mod filter;
pub(crate) mod input;
pub(crate) mod latest;
pub(crate) mod meta;
pub(crate) mod package;
pub(crate) mod problem;
pub(crate) mod response;
pub(crate) mod schema;
pub(crate) mod server;
pub(crate) mod transport;
