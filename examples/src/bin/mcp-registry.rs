//! The `mcp-registry` command-line tool.
fn main() {}
