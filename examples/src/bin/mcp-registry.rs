//! The `mcp-registry` command-line tool.

use std::io::Write;
use std::process::ExitCode;

use mcp_registry_examples::{check, registry_cmds, serve, sync, validate};

const USAGE: &str = "usage: mcp-registry <command> [options]

commands:
  validate [--json] FILE...          check server.json files as the official registry would
  search [--json] [--all] QUERY      find servers whose name contains QUERY (with --snapshot:
                                     ranked search over name, title and description)
  show [--json] NAME[@VERSION]       one server version (latest by default)
  versions [--json] NAME             every version of a server
  sync --registry URL... --snapshot FILE [--full] [--json]
                                     copy registries into a catalog snapshot; later runs fetch
                                     only what changed
  serve --snapshot FILE [--addr IP:PORT]
                                     serve a snapshot as a registry (default 127.0.0.1:8080)
  check [--explain] POLICY.json REQUEST.json
                                     decide a request against a policy (exit 0 allow, 3 ask,
                                     4 deny, 2 invalid); --claude-settings FILE reads host
                                     managed settings as the policy

validate and check read at most 64 MiB of each file; --max-input-bytes N changes that.
registry commands take --registry URL (default https://registry.modelcontextprotocol.io),
--timeout SECS and --retries N, or --snapshot FILE to read a synced catalog offline;
search also takes --limit N (default 30; 0 or --all for every match)";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (out, err) = (&mut std::io::stdout(), &mut std::io::stderr());
    let Some((command, rest)) = args.split_first() else {
        let _ = writeln!(err, "{USAGE}");
        return ExitCode::from(2);
    };
    let code = match command.as_str() {
        "validate" => validate::run(rest, out, err),
        "search" => registry_cmds::search(rest, out, err),
        "show" => registry_cmds::show(rest, out, err),
        "versions" => registry_cmds::versions(rest, out, err),
        "sync" => sync::run(rest, out, err, sync::Progress::for_stderr()),
        "serve" => serve::run(rest, out, err),
        "check" => check::run(rest, out, err),
        "-h" | "--help" | "help" => {
            let _ = writeln!(out, "{USAGE}");
            0
        }
        other => {
            let _ = writeln!(err, "mcp-registry: unknown command `{other}`\n{USAGE}");
            2
        }
    };
    let _ = out.flush();
    ExitCode::from(code)
}
