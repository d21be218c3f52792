//! The `mcp-registry` command-line tool: see [`mcp_registry_examples::cli`].

use std::io::Write as _;
use std::process::ExitCode;

fn main() -> ExitCode {
    let (out, err) = (&mut std::io::stdout(), &mut std::io::stderr());
    let code = mcp_registry_examples::cli::run(std::env::args_os(), out, err);
    let _ = out.flush();
    ExitCode::from(code)
}
