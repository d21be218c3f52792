//! Connection plans: from a [`ServerJson`] and the user's answers, what to launch and how to
//! connect, as typed values a user can review before anything runs.
//!
//! This module is pure: it does no I/O, reads no environment and no clock. A client
//!
//! 1. lists what a target can take with [`questions`] and prompts for it,
//! 2. builds a [`Plan`] with [`plan`] (every required value given) or [`plan_for_export`]
//!    (required secrets may be absent, written as references by the exporter),
//! 3. shows the plan (its `Debug`, `Display` of each [`Template`] and `Serialize` never show a
//!    secret value), and
//! 4. launches it with [`Plan::command`], the only place secret values are put in.
//!
//! ```
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use mcp_registry_types::ServerJson;
//! use mcp_registry_types::plan::{self, Answers, Launch, Target};
//!
//! let server: ServerJson = r#"{
//!     "name": "io.github.acme/weather", "description": "Forecasts", "version": "1.0.0",
//!     "packages": [{
//!         "registryType": "npm", "identifier": "@acme/weather", "version": "1.0.0",
//!         "transport": {"type": "stdio"},
//!         "packageArguments": [{"type": "named", "name": "--units", "default": "metric"}],
//!         "environmentVariables": [{"name": "API_KEY", "isRequired": true, "isSecret": true}]
//!     }]
//! }"#.parse()?;
//! let target = Target::Package(0);
//! let keys: Vec<_> = plan::questions(&server, target)?.iter().map(|q| q.key().to_owned()).collect();
//! assert_eq!(keys, ["--units", "API_KEY"]);
//!
//! let plan = plan::plan(&server, target, &Answers::new().with("API_KEY", "sk-123"))?;
//! if let Some(Launch::Process { command, args, env, .. }) = plan.launch() {
//!     assert_eq!(command, "npx");
//!     let args: Vec<String> = args.iter().map(ToString::to_string).collect();
//!     assert_eq!(args, ["-y", "@acme/weather@1.0.0", "--units", "metric"]);
//!     // For review, a secret shows as a reference.
//!     assert_eq!(env[0].1.to_string(), "<secret API_KEY>");
//! }
//! assert!(!format!("{plan:?}").contains("sk-123"));
//! let command = plan.command(); // the process, secrets in place, no shell
//! # Ok(())
//! # }
//! ```
//!
//! # Security: no shell
//!
//! The registry's schema warns that argument values may carry shell metacharacters, and that a
//! client that builds a command line for a shell opens itself to command injection. A plan's
//! command is a program and a list of arguments: [`Plan::command`] builds a
//! [`std::process::Command`] that passes them as they are, with no shell in between. Never join
//! them into one string for `sh -c`. Secret values reach the process only through its
//! environment and argv; for OCI images each variable is passed to `docker run` as `-e NAME`, its
//! value in the environment, so secrets never land on docker's command line.
//!
//! # Rules
//!
//! REFERENCE.md §2.4–2.7 is followed; where it is silent, the choice is written here.
//!
//! | `registryType` | launch |
//! |---|---|
//! | `npm` | `npx -y <runtime args> id@version <package args>` |
//! | `pypi` | `uvx <runtime args> id==version <package args>` |
//! | `oci` | `docker run -i --rm [-e NAME]… <runtime args> image <package args>` |
//! | `nuget` | `dnx <runtime args> id@version --yes -- <package args>` |
//! | `mcpb` | [`Launch::Bundle`]: download the `https` URL, verify `fileSha256` |
//! | `cargo`, others | [`PlanError::Unsupported`]: no runner is guessed |
//!
//! - **Runner.** `runtimeHint` replaces the default program. The runner's own fixed options
//!   (`-y`; `run -i --rm` and `-e`; `--yes --`) come with `npx`, `docker` (also `podman`) and
//!   `dnx` whichever way they were chosen; any other hint gets `<runtime args> <package>
//!   <package args>`.
//!   A hint is a program name: one with whitespace or control characters is refused, since no
//!   shell would split it. An unknown hint (`python`, say) is used as written, so review the
//!   plan.
//! - **Registry.** A `registryBaseUrl` other than the one the runner installs from (npm, PyPI,
//!   NuGet: the official default; OCI: Docker Hub or the identifier's own registry) is refused
//!   rather than ignored: the runner would fetch a same-named package from elsewhere.
//! - **Argument order.** Runtime arguments are the runner's options, so they go before the
//!   package reference; package arguments go after it (after `--` for `dnx`).
//! - **Version.** Passed as written. Without one, npm, PyPI and NuGet get the bare identifier
//!   (each runner then takes the latest release). An OCI identifier carries its tag or digest;
//!   a legacy document's `version` (before 2025-10-11) is added as the tag only when the
//!   identifier has none.
//! - **Values.** A fixed `value` is used with its `{variables}` filled and is never overridden
//!   by an answer; else the answers for the input's key; else its `default`. An optional input
//!   with none of these is left out (a named argument loses its flag too). Every required input
//!   without one is reported together in [`PlanError::Missing`].
//! - **Named arguments** are two argv items, `--name value`, for every format (`boolean`
//!   included: the reference gives it no special form). A **repeated** argument is emitted once
//!   per answer; more than one answer for any other input is [`PlanError::NotRepeatable`]. A
//!   fixed value is emitted once.
//! - **Checks.** Answers and defaults are checked against `choices` and `format`: `number` is a
//!   JSON number, `boolean` is `true` or `false`, `filepath` is non-empty, `string` and unknown
//!   formats take any text. Fixed values are the document's own and are not checked.
//! - **Variables.** `{name}` in a fixed value, a URL or a header value is replaced when `name`
//!   is one of its variables (a remote URL's `variables`; an input's `variables`; for a package
//!   URL also an argument `valueHint` or `name`, or an environment variable name, REFERENCE.md
//!   §2.5). Any other `{x}`, and a variable that has no value, stays as written. Answers and
//!   defaults are used literally.
//! - **Secrets.** The value of an `isSecret` input is a [`Part::Secret`]; a variable of a
//!   secret input is secret too, and so is every use of a key that is secret anywhere in the
//!   target (one answer may feed several inputs). The document's own fixed text is never
//!   secret: it is public in the registry.
//! - **Questions** are listed in document order (runtime arguments, package arguments,
//!   environment variables, then the URL's variables in order of appearance and the headers),
//!   each key once; a variable the text never names is not asked.
//! - **Answer keys** are shared: one key answers every input of that key in the target.
//! - **Process environment.** [`Plan::command`] adds the plan's variables to the environment
//!   the program inherits.

mod answers;
mod error;
mod question;
mod template;
mod walk;

use std::process::Command;

use serde::Serialize;

use crate::model::server::ServerJson;
use crate::plan::walk::{Mode, Walk};
use crate::vocab::kinds::TransportType;

pub use crate::plan::answers::Answers;
pub use crate::plan::error::{PlanError, Target};
pub use crate::plan::question::{Feeds, Question};
pub use crate::plan::template::{Part, Secret, SecretRef, Template};

/// Every input `target` can take, in document order, each key once: what a client prompts for.
///
/// # Errors
///
/// [`PlanError::NoSuchTarget`] when the document has no such package or remote, and
/// [`PlanError::Unusable`] or [`PlanError::UnsupportedTransport`] when the target cannot be
/// read (an argument without its name, a transport without its URL, …).
pub fn questions(server: &ServerJson, target: Target) -> Result<Vec<Question>, PlanError> {
    let answers = Answers::new();
    let mut walk = Walk::with_secret_keys(&answers, Mode::Ask, server, target)?;
    walk.target(server, target)?;
    Ok(walk.into_questions())
}

/// The plan to launch or connect to `target` with `answers`.
///
/// # Errors
///
/// [`PlanError::Missing`] lists every required input without a value; the other variants say
/// why the target cannot be planned (an unsupported registry type or transport, a value outside
/// `choices` or its `format`, several values for an input that takes one, …).
pub fn plan(server: &ServerJson, target: Target, answers: &Answers) -> Result<Plan, PlanError> {
    build(server, target, answers, Mode::Launch)
}

/// As [`plan`], but a required secret may be absent: it becomes a [`SecretRef`] with no value,
/// which an exporter writes as a reference in its own syntax ([`Template::render_with`]).
///
/// # Errors
///
/// As [`plan`], except that required secrets are never missing.
pub fn plan_for_export(
    server: &ServerJson,
    target: Target,
    answers: &Answers,
) -> Result<Plan, PlanError> {
    build(server, target, answers, Mode::Export)
}

fn build(
    server: &ServerJson,
    target: Target,
    answers: &Answers,
    mode: Mode,
) -> Result<Plan, PlanError> {
    let mut walk = Walk::with_secret_keys(answers, mode, server, target)?;
    let (launch, connect) = walk.target(server, target)?;
    Ok(Plan {
        server_name: server.name().to_owned(),
        version: server.version().to_owned(),
        target,
        launch,
        connect,
    })
}

/// What to launch and how to connect: the reviewable result of [`plan`].
#[non_exhaustive]
#[derive(Clone, Debug, Eq, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Plan {
    server_name: String,
    version: String,
    target: Target,
    launch: Option<Launch>,
    connect: Connect,
}

impl Plan {
    /// A plan from its parts, for a plan read back from a host's config file
    /// (`host::ImportedServer::to_plan`) rather than made from a document.
    #[cfg(feature = "host-config")]
    pub(crate) fn from_parts(
        server_name: String,
        version: String,
        target: Target,
        launch: Option<Launch>,
        connect: Connect,
    ) -> Self {
        Self {
            server_name,
            version,
            target,
            launch,
            connect,
        }
    }

    /// The server's name.
    pub fn server_name(&self) -> &str {
        &self.server_name
    }

    /// The server's version.
    pub fn version(&self) -> &str {
        &self.version
    }

    /// The package or remote planned.
    pub fn target(&self) -> Target {
        self.target
    }

    /// What to launch; `None` for a remote.
    pub fn launch(&self) -> Option<&Launch> {
        self.launch.as_ref()
    }

    /// How to connect once launched.
    pub fn connect(&self) -> &Connect {
        &self.connect
    }

    /// Every secret the plan uses, in order (a secret used twice appears twice).
    pub fn secrets(&self) -> Vec<&SecretRef> {
        let mut templates: Vec<&Template> = Vec::new();
        if let Some(launch) = &self.launch {
            let (args, env) = match launch {
                Launch::Process { args, env, .. } | Launch::Bundle { args, env, .. } => (args, env),
            };
            templates.extend(args);
            templates.extend(env.iter().map(|(_, value)| value));
        }
        if let Connect::Http { url, headers, .. } = &self.connect {
            templates.push(url);
            templates.extend(headers.iter().map(|(_, value)| value));
        }
        templates.into_iter().flat_map(Template::secrets).collect()
    }

    /// The process to launch, with every secret's value in place: program, arguments and
    /// environment, **without a shell** (see the [module docs](self#security-no-shell)).
    ///
    /// `None` when there is no process to launch (a remote, an MCP bundle) or when a secret has
    /// no value (a plan for export). The process inherits the caller's environment, with the
    /// plan's variables added.
    pub fn command(&self) -> Option<Command> {
        let Some(Launch::Process { command, args, env }) = &self.launch else {
            return None;
        };
        let mut process = Command::new(command);
        for arg in args {
            process.arg(arg.expose()?);
        }
        for (name, value) in env {
            process.env(name, value.expose()?);
        }
        Some(process)
    }
}

/// What to launch.
#[non_exhaustive]
#[derive(Clone, Debug, Eq, PartialEq, Serialize)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum Launch {
    /// A process (npm, PyPI, OCI and NuGet packages).
    #[non_exhaustive]
    Process {
        /// The program: the `runtimeHint`, or the registry type's runner.
        command: String,
        /// The arguments, each one argv item.
        args: Vec<Template>,
        /// The environment variables to set, in document order.
        env: Vec<(String, Template)>,
    },
    /// An MCP bundle: download it, check its SHA-256, then run it as its manifest says.
    /// Nothing here can be executed directly.
    #[non_exhaustive]
    Bundle {
        /// The `https` download URL.
        url: String,
        /// The file's SHA-256, 64 lower-case hex digits: verify before use.
        sha256: String,
        /// The bundle's arguments (runtime arguments, then package arguments), for the host
        /// that runs it.
        args: Vec<Template>,
        /// The environment variables, for the host that runs it.
        env: Vec<(String, Template)>,
    },
}

/// How to connect to the server.
#[non_exhaustive]
#[derive(Clone, Debug, Eq, PartialEq, Serialize)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum Connect {
    /// Over the launched process's standard input and output.
    Stdio,
    /// Over HTTP: a remote, or a package whose transport is `streamable-http` or `sse`.
    #[non_exhaustive]
    Http {
        /// `streamable-http` or `sse`.
        transport: TransportType,
        /// The endpoint, variables filled.
        url: Template,
        /// The headers to send, in document order.
        headers: Vec<(String, Template)>,
    },
}
