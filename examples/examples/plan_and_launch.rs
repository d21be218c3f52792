//! Turn a `server.json` entry into a connection plan, review it, and launch it without a shell.
//!
//! Lists what the first package asks for, fills the answers from `KEY=VALUE` arguments, and
//! prints the plan with every secret shown as a reference, never its value. Only with
//! `--launch` is a process started; the default prints and exits, so it is safe offline and
//! in CI.
//!
//! ```text
//! cargo run -p mcp-registry-examples --example plan_and_launch
//! cargo run -p mcp-registry-examples --example plan_and_launch -- ACME_UNITS=imperial
//! cargo run -p mcp-registry-examples --example plan_and_launch -- server.json KEY=VALUE --launch
//! ```

use std::error::Error;
use std::process::{ExitCode, Stdio};
use std::time::Duration;

use mcp_registry_examples::input::{DEFAULT_MAX_INPUT_BYTES, read_input};
use mcp_registry_types::plan::{self, Answers, Connect, Launch, Target};
use mcp_registry_types::{ServerJson, sanitize_text};

const DEFAULT_FILE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/data/servers/weather.json");
/// Stands in for a required secret nobody gave, so the example runs as it is. A real client
/// prompts for it (without echo) or reads it from a secret store.
const DEMO_SECRET: &str = "demo-key-not-real";

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("plan_and_launch: {}", sanitize_text(&error.to_string()));
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), Box<dyn Error>> {
    let (mut file, mut answers, mut launch) = (None, Answers::new(), false);
    for arg in std::env::args().skip(1) {
        match arg.split_once('=') {
            // `push`, not `insert`: a repeated argument takes one answer per occurrence.
            Some((key, value)) => answers.push(key, value),
            None if arg == "--launch" => launch = true,
            None if file.is_none() => file = Some(arg),
            None => return Err(format!("unexpected argument `{arg}`").into()),
        }
    }
    // Read within a size cap: a `server.json` comes from strangers.
    let path = file.as_deref().unwrap_or(DEFAULT_FILE);
    let bytes = read_input(path, DEFAULT_MAX_INPUT_BYTES).map_err(|e| format!("{path}: {e}"))?;
    let server = ServerJson::from_slice(&bytes).map_err(|e| format!("{path}: {e}"))?;
    let target = Target::Package(0);

    // 1. What the target asks for. Registry text is untrusted: sanitise before printing.
    println!(
        "{} {} {target}",
        sanitize_text(server.name()),
        sanitize_text(server.version())
    );
    for question in plan::questions(&server, target)? {
        let (key, required) = (question.key(), question.is_required());
        let mut notes = vec![if required { "required" } else { "optional" }.to_owned()];
        notes.extend(question.is_secret().then(|| "secret".to_owned()));
        notes.extend(question.default_value().map(|d| format!("default {d}")));
        let notes = notes.join(", ");
        println!("  asks {} ({})", sanitize_text(key), sanitize_text(&notes));
        if required && question.is_secret() && answers.get(key).is_none() {
            println!("    no answer given: using a demo value for this example");
            answers.insert(key, DEMO_SECRET);
        }
    }

    // 2. The plan. `Template`'s Display shows a secret as `<secret KEY>`; so do the plan's
    //    Debug and Serialize. Only `Plan::command` puts secret values in.
    let plan = plan::plan(&server, target, &answers)?;
    let mut lines = Vec::new();
    if let Some(Launch::Process {
        command, args, env, ..
    }) = plan.launch()
    {
        let args: Vec<String> = args.iter().map(ToString::to_string).collect();
        lines.push(format!("run      {command} {}", args.join(" ")));
        lines.extend(
            env.iter()
                .map(|(name, value)| format!("env      {name}={value}")),
        );
    }
    lines.push(match plan.connect() {
        Connect::Http { url, .. } => format!("connect  over HTTP to {url}"),
        _ => "connect  over the process's stdin and stdout".to_owned(),
    });
    println!("plan:");
    for line in &lines {
        println!("  {}", sanitize_text(line));
    }
    let leaked = plan
        .secrets()
        .iter()
        .filter_map(|secret| secret.value())
        .any(|value| lines.iter().any(|line| line.contains(value.expose())));
    println!(
        "secret values shown: {}",
        if leaked { "YES (a bug)" } else { "none" }
    );

    // 3. Launch, only when asked. SECURITY: argument values come from the registry and the user
    //    and may hold shell metacharacters (`; rm -rf ~`, `$(curl …)`). Joining them into one
    //    string for `sh -c` would let them run as commands (command injection). `command()`
    //    passes the program and each argument as-is to the OS: no shell ever parses them.
    if !launch {
        println!("not launched (pass --launch to start it)");
        return Ok(());
    }
    let mut command = plan.command().ok_or("this plan has no process to launch")?;
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()?;
    // Send nothing: a real host would speak MCP over these pipes. Give it a moment, then stop.
    std::thread::sleep(Duration::from_secs(2));
    if let Some(status) = child.try_wait()? {
        println!("exited on its own: {status}");
    } else {
        child.kill()?;
        println!("started, then stopped: {}", child.wait()?);
    }
    Ok(())
}
