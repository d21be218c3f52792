//! The walk over a target's inputs that both [`questions`](crate::plan::questions) and
//! [`plan`](crate::plan::plan) make.

use std::collections::{BTreeMap, BTreeSet};

use crate::model::input::{Argument, Input, KeyValueInput};
use crate::model::package::Package;
use crate::model::server::ServerJson;
use crate::model::transport::Transport;
use crate::plan::answers::Answers;
use crate::plan::error::{PlanError, Target, transport_type_text};
use crate::plan::question::{Feeds, Question};
use crate::plan::template::{Secret, SecretRef, Template};
use crate::plan::{Connect, Launch};
use crate::validate::packages::default_base_url;
use crate::vocab::kinds::{ArgumentType, InputFormat, RegistryType, TransportType};
use crate::vocab::pointer::push_token;

/// What the walk is for.
#[derive(Clone, Copy, Debug, Eq, PartialEq)]
pub(crate) enum Mode {
    /// Collect the questions; check nothing, use no answer.
    Ask,
    /// A plan to launch: every required value must be there.
    Launch,
    /// A plan to export: required secrets may be absent (written as references).
    Export,
}

/// One input being resolved.
struct Site<'s> {
    input: &'s Input,
    /// The answer key; `None` for a positional argument without `valueHint`.
    key: Option<&'s str>,
    path: String,
    feeds: Feeds,
    repeated: bool,
    secret: bool,
}

/// The walk's state: the questions met, and the required inputs without a value.
pub(crate) struct Walk<'a> {
    answers: &'a Answers,
    mode: Mode,
    /// Keys secret wherever they are used: an answer shared by a secret input and another one
    /// is secret in both.
    secret_keys: BTreeSet<String>,
    questions: Vec<Question>,
    missing: Vec<Question>,
}

/// What a package resolves to before its launch is built.
struct Resolved {
    runtime: Vec<Template>,
    package: Vec<Template>,
    env: Vec<(String, Template)>,
    connect: Connect,
}

impl<'a> Walk<'a> {
    pub(crate) fn new(answers: &'a Answers, mode: Mode) -> Self {
        Self {
            answers,
            mode,
            secret_keys: BTreeSet::new(),
            questions: Vec::new(),
            missing: Vec::new(),
        }
    }

    /// The walk of `target` with every key that is secret anywhere in it known as secret
    /// from the start (found by a first walk).
    pub(crate) fn with_secret_keys(
        answers: &'a Answers,
        mode: Mode,
        server: &ServerJson,
        target: Target,
    ) -> Result<Self, PlanError> {
        let none = Answers::new();
        let mut first = Walk::new(&none, Mode::Ask);
        first.target(server, target)?;
        let mut walk = Self::new(answers, mode);
        walk.secret_keys = first.secret_keys;
        Ok(walk)
    }

    /// The questions met, each key once, in document order.
    pub(crate) fn into_questions(self) -> Vec<Question> {
        self.questions
    }

    /// The launch (for a package) and the connection of `target`.
    pub(crate) fn target(
        &mut self,
        server: &ServerJson,
        target: Target,
    ) -> Result<(Option<Launch>, Connect), PlanError> {
        match target {
            Target::Package(index) => {
                let package = server
                    .packages()
                    .get(index)
                    .ok_or(PlanError::NoSuchTarget {
                        target,
                        count: server.packages().len(),
                    })?;
                self.package(package, &target.path())
            }
            Target::Remote(index) => {
                let remote = server.remotes().get(index).ok_or(PlanError::NoSuchTarget {
                    target,
                    count: server.remotes().len(),
                })?;
                let connect = self.remote(remote, &target.path())?;
                self.finish()?;
                Ok((None, connect))
            }
        }
    }

    fn finish(&mut self) -> Result<(), PlanError> {
        if self.mode == Mode::Ask || self.missing.is_empty() {
            Ok(())
        } else {
            Err(PlanError::Missing(std::mem::take(&mut self.missing)))
        }
    }

    fn package(
        &mut self,
        package: &Package,
        base: &str,
    ) -> Result<(Option<Launch>, Connect), PlanError> {
        // The document's own problems (an unsupported registry type, no identifier, no hash,
        // a foreign registry) fail before any input is looked at: no answer could fix them.
        // Questions are still listed.
        let runner = match self.mode {
            Mode::Ask => None,
            Mode::Launch | Mode::Export => Some(runner(package, base)?),
        };
        let resolved = self.resolve_package(package, base)?;
        self.finish()?;
        let launch =
            runner.map(|runner| runner.assemble(resolved.runtime, resolved.package, resolved.env));
        Ok((launch, resolved.connect))
    }

    fn resolve_package(&mut self, package: &Package, base: &str) -> Result<Resolved, PlanError> {
        let [runtime_key, package_key] = package.argument_keys();
        // The values an HTTP transport's `{var}` may name: argument `valueHint`s and `name`s,
        // environment variable names (REFERENCE.md §2.5).
        let mut named: Vec<(String, Template)> = Vec::new();
        let runtime = self.arguments(
            package.runtime_arguments(),
            &format!("{base}/{runtime_key}"),
            &Feeds::RuntimeArgument,
            &mut named,
        )?;
        let package_args = self.arguments(
            package.package_arguments(),
            &format!("{base}/{package_key}"),
            &Feeds::PackageArgument,
            &mut named,
        )?;
        let env = self.key_values(
            package.environment_variables(),
            &format!("{base}/environmentVariables"),
            &Feeds::EnvironmentVariable,
        )?;
        for (name, value) in &env {
            named.push((name.clone(), value.clone()));
        }
        let path = format!("{base}/transport");
        let transport = package.transport().ok_or_else(|| PlanError::Unusable {
            path: path.clone(),
            reason: "missing `transport`: a package must say how it is reached".to_owned(),
        })?;
        let connect = match transport.transport_type() {
            Some(TransportType::Stdio) => Connect::Stdio,
            Some(kind @ (TransportType::StreamableHttp | TransportType::Sse)) => {
                self.http(transport, kind, &path, &named)?
            }
            _ => {
                return Err(PlanError::UnsupportedTransport {
                    path: format!("{path}/type"),
                    transport_type: transport_type_text(transport),
                });
            }
        };
        Ok(Resolved {
            runtime,
            package: package_args,
            env,
            connect,
        })
    }

    fn remote(&mut self, remote: &Transport, base: &str) -> Result<Connect, PlanError> {
        match remote.transport_type() {
            Some(kind @ (TransportType::StreamableHttp | TransportType::Sse)) => {
                self.http(remote, kind, base, &[])
            }
            _ => Err(PlanError::UnsupportedTransport {
                path: format!("{base}/type"),
                transport_type: transport_type_text(remote),
            }),
        }
    }

    /// An HTTP connection: the URL with its `{var}`s filled from the transport's `variables`,
    /// then from `named` (a package's arguments and environment), and the headers.
    fn http(
        &mut self,
        transport: &Transport,
        kind: &TransportType,
        base: &str,
        named: &[(String, Template)],
    ) -> Result<Connect, PlanError> {
        let url = transport
            .url()
            .filter(|u| !u.is_empty())
            .ok_or_else(|| PlanError::Unusable {
                path: format!("{base}/url"),
                reason: "missing `url`: an HTTP transport needs one".to_owned(),
            })?;
        let empty = BTreeMap::new();
        let variables = transport.variables().unwrap_or(&empty);
        let mut failure = None;
        let url = substitute(url, &mut |name| {
            if let Some(input) = variables.get(name) {
                let site = Site {
                    input,
                    key: Some(name),
                    path: pointer(&format!("{base}/variables"), name),
                    feeds: Feeds::UrlVariable,
                    repeated: false,
                    secret: input.is_secret(),
                };
                return match self.values(site) {
                    Ok(values) => values.into_iter().next(),
                    Err(e) => {
                        failure.get_or_insert(e);
                        None
                    }
                };
            }
            named
                .iter()
                .find(|(key, _)| key == name)
                .map(|(_, value)| value.clone())
        });
        if let Some(e) = failure {
            return Err(e);
        }
        let headers = self.key_values(
            transport.headers(),
            &format!("{base}/headers"),
            &Feeds::Header,
        )?;
        Ok(Connect::Http {
            transport: kind.clone(),
            url,
            headers,
        })
    }

    /// The argv items of `arguments`, in order; each argument's first value is added to
    /// `named` under its `name` or `valueHint`.
    fn arguments(
        &mut self,
        arguments: &[Argument],
        base: &str,
        feeds: &Feeds,
        named: &mut Vec<(String, Template)>,
    ) -> Result<Vec<Template>, PlanError> {
        let mut argv = Vec::new();
        for (i, argument) in arguments.iter().enumerate() {
            let path = format!("{base}/{i}");
            let (flag, key) = match argument.kind() {
                Some(ArgumentType::Named) => {
                    let name = argument.name().filter(|n| !n.is_empty()).ok_or_else(|| {
                        PlanError::Unusable {
                            path: format!("{path}/name"),
                            reason: "missing `name`: a named argument needs its flag".to_owned(),
                        }
                    })?;
                    (Some(name), Some(name))
                }
                Some(ArgumentType::Positional) => {
                    (None, argument.value_hint().filter(|h| !h.is_empty()))
                }
                other => {
                    return Err(PlanError::Unusable {
                        path: format!("{path}/type"),
                        reason: format!(
                            "argument type `{}` is neither `positional` nor `named`",
                            other.map(ArgumentType::as_str).unwrap_or_default()
                        ),
                    });
                }
            };
            let input = argument.input();
            let values = self.values(Site {
                input,
                key,
                path,
                feeds: feeds.clone(),
                repeated: argument.is_repeated(),
                secret: input.is_secret(),
            })?;
            if let (Some(key), Some(first)) = (key, values.first()) {
                named.push((key.to_owned(), first.clone()));
            }
            for value in values {
                // A named argument is two argv items, `--name value`, whatever its format: the
                // reference gives `boolean` no special form.
                if let Some(flag) = flag {
                    argv.push(Template::text(flag));
                }
                argv.push(value);
            }
        }
        Ok(argv)
    }

    /// The `(name, value)` of each environment variable or header that has a value.
    fn key_values(
        &mut self,
        items: &[KeyValueInput],
        base: &str,
        feeds: &Feeds,
    ) -> Result<Vec<(String, Template)>, PlanError> {
        let mut out = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let path = format!("{base}/{i}");
            let name = item.name();
            if name.is_empty() {
                return Err(PlanError::Unusable {
                    path: format!("{path}/name"),
                    reason: "missing `name`".to_owned(),
                });
            }
            let input = item.input();
            let values = self.values(Site {
                input,
                key: Some(name),
                path,
                feeds: feeds.clone(),
                repeated: false,
                secret: input.is_secret(),
            })?;
            if let Some(value) = values.into_iter().next() {
                out.push((name.to_owned(), value));
            }
        }
        Ok(out)
    }

    /// The values of one input: its fixed value, else the answers, else its default; none
    /// when it is optional and has neither.
    fn values(&mut self, mut site: Site<'_>) -> Result<Vec<Template>, PlanError> {
        let input = site.input;
        if let Some(key) = site.key {
            if site.secret {
                self.secret_keys.insert(key.to_owned());
            } else {
                site.secret = self.secret_keys.contains(key);
            }
        }
        if let Some(fixed) = input.value() {
            // Not user-configurable: answers never override it.
            let of = site.key.unwrap_or(&site.path).to_owned();
            return Ok(vec![self.fixed(
                fixed,
                input,
                &of,
                &site.path,
                site.secret,
            )?]);
        }
        let Some(key) = site.key else {
            // A positional argument with neither `valueHint` nor `value` (the schema forbids
            // it) has no key to answer under: only its default can fill it.
            return match input.default_value() {
                Some(default) => {
                    Self::check(&site, "", default)?;
                    Ok(vec![Template::text(default)])
                }
                None => Err(PlanError::Unusable {
                    path: site.path,
                    reason: "a positional argument needs a `valueHint` or a `value`".to_owned(),
                }),
            };
        };
        let question = Question::new(
            key,
            site.path.clone(),
            input,
            site.feeds.clone(),
            site.secret,
            site.repeated,
        );
        if !self.questions.iter().any(|q| q.key() == key) {
            self.questions.push(question.clone());
        }
        let given = if self.mode == Mode::Ask {
            &[]
        } else {
            self.answers.get_all(key)
        };
        if given.len() > 1 && !site.repeated {
            return Err(PlanError::NotRepeatable {
                path: site.path,
                key: key.to_owned(),
                count: given.len(),
            });
        }
        if !given.is_empty() {
            let mut out = Vec::with_capacity(given.len());
            for value in given {
                Self::check(&site, key, value)?;
                out.push(leaf(&site, key, value));
            }
            return Ok(out);
        }
        if let Some(default) = input.default_value() {
            if self.mode != Mode::Ask {
                Self::check(&site, key, default)?;
            }
            return Ok(vec![leaf(&site, key, default)]);
        }
        if input.is_required() {
            if site.secret && self.mode == Mode::Export {
                let description = input.description().map(str::to_owned);
                return Ok(vec![Template::secret(SecretRef::new(
                    key,
                    description,
                    None,
                ))]);
            }
            if self.mode != Mode::Ask && !self.missing.iter().any(|q| q.key() == key) {
                self.missing.push(question);
            }
        }
        Ok(Vec::new())
    }

    /// A fixed value with its `{variables}` filled. The document's text stays text; a variable
    /// of a secret input is secret too.
    fn fixed(
        &mut self,
        text: &str,
        input: &Input,
        of: &str,
        path: &str,
        secret: bool,
    ) -> Result<Template, PlanError> {
        let empty = BTreeMap::new();
        let variables = input.variables().unwrap_or(&empty);
        let mut failure = None;
        let template = substitute(text, &mut |name| {
            let variable = variables.get(name)?;
            let site = Site {
                input: variable,
                key: Some(name),
                path: pointer(&format!("{path}/variables"), name),
                feeds: Feeds::Variable { of: of.to_owned() },
                repeated: false,
                secret: secret || variable.is_secret(),
            };
            match self.values(site) {
                Ok(values) => values.into_iter().next(),
                Err(e) => {
                    failure.get_or_insert(e);
                    None
                }
            }
        });
        match failure {
            Some(e) => Err(e),
            None => Ok(template),
        }
    }

    /// Checks `value` against the input's `choices` and `format`.
    fn check(site: &Site<'_>, key: &str, value: &str) -> Result<(), PlanError> {
        let shown = (!site.secret).then(|| value.to_owned());
        let input = site.input;
        if input.choices().len() > 0 && !input.choices().any(|c| c == value) {
            return Err(PlanError::InvalidChoice {
                path: site.path.clone(),
                key: key.to_owned(),
                value: shown,
                choices: input.choices().map(str::to_owned).collect(),
            });
        }
        let format = input.format().unwrap_or(&InputFormat::String);
        let fits = match format {
            InputFormat::Number => is_json_number(value),
            InputFormat::Boolean => value == "true" || value == "false",
            InputFormat::Filepath => !value.is_empty(),
            // `string`, and formats this crate does not know: any text.
            _ => true,
        };
        if fits {
            Ok(())
        } else {
            Err(PlanError::InvalidFormat {
                path: site.path.clone(),
                key: key.to_owned(),
                value: shown,
                format: format.clone(),
            })
        }
    }
}

/// A user-supplied (or default) value: a secret part for a secret input, text otherwise.
fn leaf(site: &Site<'_>, key: &str, value: &str) -> Template {
    if site.secret {
        let description = site.input.description().map(str::to_owned);
        Template::secret(SecretRef::new(key, description, Some(Secret::new(value))))
    } else {
        Template::text(value)
    }
}

fn pointer(base: &str, token: &str) -> String {
    let mut out = base.to_owned();
    push_token(&mut out, token);
    out
}

/// `text` with each `{name}` that `lookup` knows replaced; any other `{…}` stays as written.
pub(crate) fn substitute(text: &str, lookup: &mut dyn FnMut(&str) -> Option<Template>) -> Template {
    let mut out = Template::new();
    let mut rest = text;
    while let Some((before, after)) = rest.split_once('{') {
        out.push_text(before.to_owned());
        let found = after.split_once('}').and_then(|(name, tail)| {
            let valid = !name.is_empty()
                && !name.contains(['{', '}'])
                && !name.contains(char::is_whitespace);
            if valid {
                lookup(name).map(|value| (value, tail))
            } else {
                None
            }
        });
        if let Some((value, tail)) = found {
            out.push(value);
            rest = tail;
        } else {
            out.push_text("{".to_owned());
            rest = after;
        }
    }
    out.push_text(rest.to_owned());
    out
}

/// Whether `text` is a JSON number (RFC 8259 §6): `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
pub(crate) fn is_json_number(text: &str) -> bool {
    fn digits(bytes: &mut std::iter::Peekable<std::str::Bytes<'_>>) -> usize {
        let mut n = 0;
        while bytes.next_if(u8::is_ascii_digit).is_some() {
            n += 1;
        }
        n
    }
    let mut bytes = text.bytes().peekable();
    bytes.next_if_eq(&b'-');
    if bytes.next_if_eq(&b'0').is_none() && digits(&mut bytes) == 0 {
        return false;
    }
    if bytes.next_if_eq(&b'.').is_some() && digits(&mut bytes) == 0 {
        return false;
    }
    if bytes.next_if(|b| *b == b'e' || *b == b'E').is_some() {
        bytes.next_if(|b| *b == b'+' || *b == b'-');
        if digits(&mut bytes) == 0 {
            return false;
        }
    }
    bytes.next().is_none()
}

/// What runs a package, before its arguments and environment are known.
enum Runner {
    /// A program; `reference` names the package for it.
    Process { program: String, reference: String },
    /// An MCP bundle to download and verify.
    Bundle { url: String, sha256: String },
}

/// The runner of `package`.
///
/// The program comes from `runtimeHint` when given, else from the registry type; the package
/// reference's form comes from the registry type.
fn runner(package: &Package, base: &str) -> Result<Runner, PlanError> {
    let kind = package.registry_type();
    let (default_program, reference) = match kind {
        Some(RegistryType::Npm) => ("npx", versioned(package, "@")),
        Some(RegistryType::Pypi) => ("uvx", versioned(package, "==")),
        Some(RegistryType::Nuget) => ("dnx", versioned(package, "@")),
        Some(RegistryType::Oci) => ("docker", image(package.identifier(), version(package))),
        Some(RegistryType::Mcpb) => return bundle(package, base),
        other => {
            return Err(PlanError::Unsupported {
                path: format!("{base}/registryType"),
                registry_type: other.map(|k| k.as_str().to_owned()).unwrap_or_default(),
            });
        }
    };
    if package.identifier().is_empty() {
        return Err(PlanError::Unusable {
            path: format!("{base}/identifier"),
            reason: "missing `identifier`: nothing names the package".to_owned(),
        });
    }
    if let Some(kind) = kind {
        check_base_url(package, kind, base)?;
    }
    let program = package
        .runtime_hint()
        .filter(|h| !h.trim().is_empty())
        .unwrap_or(default_program);
    if program.contains(|c: char| c.is_whitespace() || c.is_control()) {
        return Err(PlanError::Unusable {
            path: format!("{base}/runtimeHint"),
            reason: format!(
                "`{}` is not a program name: a plan runs a program, never a command line",
                program.escape_debug()
            ),
        });
    }
    Ok(Runner::Process {
        program: program.to_owned(),
        reference,
    })
}

impl Runner {
    /// The launch, with the arguments and environment in place. Runtime arguments are the
    /// runner's own options, so they go before the package reference; package arguments go
    /// after it.
    fn assemble(
        self,
        runtime: Vec<Template>,
        package_args: Vec<Template>,
        env: Vec<(String, Template)>,
    ) -> Launch {
        let (program, reference) = match self {
            Self::Bundle { url, sha256 } => {
                let mut args = runtime;
                args.extend(package_args);
                return Launch::Bundle {
                    url,
                    sha256,
                    args,
                    env,
                };
            }
            Self::Process { program, reference } => (program, reference),
        };
        let text = |s: &str| Template::text(s);
        let mut args = Vec::new();
        match program.as_str() {
            "npx" => {
                args.push(text("-y"));
                args.extend(runtime);
                args.push(text(&reference));
            }
            "docker" | "podman" => {
                args.extend(["run", "-i", "--rm"].map(text));
                // Each variable by name only: its value reaches docker through the process
                // environment, so no secret is ever on the command line.
                for (name, _) in &env {
                    args.push(text("-e"));
                    args.push(text(name));
                }
                args.extend(runtime);
                args.push(text(&reference));
            }
            "dnx" => {
                args.extend(runtime);
                args.push(text(&reference));
                args.push(text("--yes"));
                args.push(text("--"));
            }
            // `uvx`, and any other runner the publisher names: its options, then the package.
            _ => {
                args.extend(runtime);
                args.push(text(&reference));
            }
        }
        args.extend(package_args);
        Launch::Process {
            command: program,
            args,
            env,
        }
    }
}

/// The version, passed as written; `None` when absent or empty.
fn version(package: &Package) -> Option<&str> {
    package.version().filter(|v| !v.is_empty())
}

/// `identifier` + `separator` + `version`; the bare identifier without a version, so the
/// runner takes the latest release (npx, uvx and dnx all allow that).
fn versioned(package: &Package, separator: &str) -> String {
    let identifier = package.identifier();
    match version(package) {
        Some(version) => format!("{identifier}{separator}{version}"),
        None => identifier.to_owned(),
    }
}

/// Docker Hub's names, which a legacy OCI `registryBaseUrl` (before 2025-10-11) may give.
const DOCKER_HUB: [&str; 3] = ["docker.io", "index.docker.io", "registry-1.docker.io"];

/// A `registryBaseUrl` other than the one the runner installs from is refused: the runner would
/// fetch a package of the same name from its default registry, which may not be the package the
/// document means. (The reference is silent; the official registry pins each type's base URL,
/// REFERENCE.md §5.5, so a published document always passes.)
fn check_base_url(package: &Package, kind: &RegistryType, base: &str) -> Result<(), PlanError> {
    let Some(url) = package.registry_base_url().filter(|u| !u.is_empty()) else {
        return Ok(());
    };
    let trimmed = url.trim_end_matches('/');
    let fits = match kind {
        RegistryType::Oci => {
            let host = trimmed
                .strip_prefix("https://")
                .or_else(|| trimmed.strip_prefix("http://"))
                .unwrap_or(trimmed);
            DOCKER_HUB.contains(&host) || package.identifier().starts_with(&format!("{host}/"))
        }
        other => default_base_url(other).is_some_and(|default| default == trimmed),
    };
    if fits {
        Ok(())
    } else {
        Err(PlanError::Unusable {
            path: format!("{base}/registryBaseUrl"),
            reason: format!(
                "`{url}` is not the registry the runner installs from: the plan would fetch a \
                 package of the same name from elsewhere"
            ),
        })
    }
}

/// The image reference. Today's identifier carries its tag or digest and `version` is
/// forbidden; documents before 2025-10-11 (most of the 2025-09 seed data) put the tag in
/// `version`, so an untagged identifier takes it. A tagged identifier wins over `version`.
fn image(identifier: &str, version: Option<&str>) -> String {
    let last = identifier.rsplit('/').next().unwrap_or(identifier);
    let tagged = identifier.contains('@') || last.contains(':');
    match version {
        Some(version) if !tagged => format!("{identifier}:{version}"),
        _ => identifier.to_owned(),
    }
}

fn bundle(package: &Package, base: &str) -> Result<Runner, PlanError> {
    let url = package.identifier();
    if !url.starts_with("https://") {
        return Err(PlanError::Unusable {
            path: format!("{base}/identifier"),
            reason: "an mcpb bundle is downloaded from an `https://` URL".to_owned(),
        });
    }
    let sha256 = package
        .file_sha256()
        .filter(|h| {
            h.len() == 64
                && h.bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        })
        .ok_or_else(|| PlanError::Unusable {
            path: format!("{base}/fileSha256"),
            reason: "an mcpb bundle needs its SHA-256 (64 lower-case hex digits) to be verified"
                .to_owned(),
        })?;
    Ok(Runner::Bundle {
        url: url.to_owned(),
        sha256: sha256.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::template::Part;

    fn lookup(name: &str) -> Option<Template> {
        match name {
            "a" => Some(Template::text("A")),
            "--port" => Some(Template::text("3000")),
            "s" => Some(Template::secret(SecretRef::new("s", None, None))),
            _ => None,
        }
    }

    fn sub(text: &str) -> String {
        substitute(text, &mut lookup).render_with(|s| format!("<{}>", s.key()))
    }

    #[test]
    fn plan_substitute_fills_known_names_and_keeps_the_rest() {
        assert_eq!(sub("x{a}y"), "xAy");
        assert_eq!(
            sub("http://localhost:{--port}/mcp"),
            "http://localhost:3000/mcp"
        );
        assert_eq!(sub("{unknown}/{a}"), "{unknown}/A");
        assert_eq!(sub("{{a}}"), "{A}");
        assert_eq!(sub("{a"), "{a");
        assert_eq!(sub("{}{ a}"), "{}{ a}");
        assert_eq!(sub("Bearer {s}"), "Bearer <s>");
        assert_eq!(sub("é{a}ü"), "éAü");
        let t = substitute("a{s}b", &mut lookup);
        assert!(matches!(
            t.parts(),
            [Part::Text(_), Part::Secret(_), Part::Text(_)]
        ));
    }

    #[test]
    fn plan_json_numbers() {
        for ok in ["0", "-0", "12", "1.5", "-1.5e10", "1E+2", "3e-1"] {
            assert!(is_json_number(ok), "{ok}");
        }
        for bad in [
            "", "-", "01", "1.", ".5", "1e", "+1", " 1", "1 ", "0x10", "NaN", "1e+",
        ] {
            assert!(!is_json_number(bad), "{bad}");
        }
    }

    #[test]
    fn plan_image_reference_takes_a_legacy_version_only_when_untagged() {
        assert_eq!(image("apache/iotdb", Some("2.0.5")), "apache/iotdb:2.0.5");
        assert_eq!(image("docker.io/a/b:1.0", Some("2.0")), "docker.io/a/b:1.0");
        assert_eq!(image("a/b@sha256:ab", Some("2.0")), "a/b@sha256:ab");
        assert_eq!(
            image("localhost:5000/img", Some("1")),
            "localhost:5000/img:1"
        );
        assert_eq!(image("ghcr.io/a/b:1", None), "ghcr.io/a/b:1");
    }
}
