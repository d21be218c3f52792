//! From a host's config file to its entries: [`import`], [`detect`] and [`ImportedServer`].

use serde_json::{Map, Value};

use crate::host::error::{ExpandError, ImportError};
use crate::host::json::servers_key;
use crate::host::syntax::{self, HostReference, Piece, ReferenceKind};
use crate::host::{Host, codex};
use crate::plan::{Connect, Launch, Plan, SecretRef, Target, Template};
use crate::vocab::kinds::{RegistryType, TransportType};

/// What an entry runs or connects to, every value as written in the file.
#[non_exhaustive]
#[derive(Clone, Debug, Eq, PartialEq)]
pub enum Endpoint {
    /// A process the host launches, talking over stdio.
    #[non_exhaustive]
    Launch {
        /// The program.
        command: String,
        /// Its arguments.
        args: Vec<String>,
        /// The environment variables the file sets, in file order.
        env: Vec<(String, String)>,
        /// Codex's `env_vars`: variables forwarded from the user's environment.
        env_vars: Vec<String>,
    },
    /// A server the host connects to over HTTP.
    #[non_exhaustive]
    Connect {
        /// `streamable-http` or `sse`: from the entry's `type`, Gemini's `httpUrl`/`url`, or
        /// else guessed from the URL (a path ending in `/sse` is SSE).
        transport: TransportType,
        /// The URL.
        url: String,
        /// The headers, in file order (Codex: `http_headers`).
        headers: Vec<(String, String)>,
        /// Codex's `env_http_headers`: header name and the variable it is read from.
        env_headers: Vec<(String, String)>,
        /// Codex's `bearer_token_env_var`: the variable holding the bearer token.
        bearer_token_env_var: Option<String>,
    },
}

/// One entry of a host's config file.
#[non_exhaustive]
#[derive(Clone, Debug, Eq, PartialEq)]
pub struct ImportedServer {
    host: Host,
    key: String,
    endpoint: Endpoint,
    /// VS Code: the description of each input the entry references, by ID.
    descriptions: Vec<(String, String)>,
}

/// A value written in clear where a secret is expected: where it is, never the value.
#[non_exhaustive]
#[derive(Clone, Debug, Eq, Hash, PartialEq)]
pub struct ClearText {
    field: String,
    name: String,
}

impl ClearText {
    /// Where the value is: `env.API_KEY`, `headers.Authorization`.
    pub fn field(&self) -> &str {
        &self.field
    }

    /// The environment variable's or header's name.
    pub fn name(&self) -> &str {
        &self.name
    }
}

/// The package an entry runs, read back from its command.
#[non_exhaustive]
#[derive(Clone, Debug, Eq, PartialEq)]
pub struct ImportedPackage {
    registry_type: RegistryType,
    identifier: String,
    version: Option<String>,
}

impl ImportedPackage {
    /// `npm` (`npx`), `pypi` (`uvx`), `oci` (`docker run`, `podman run`) or `nuget` (`dnx`).
    pub fn registry_type(&self) -> &RegistryType {
        &self.registry_type
    }

    /// The package name; for an image, the reference without its tag or digest.
    pub fn identifier(&self) -> &str {
        &self.identifier
    }

    /// The version, tag or digest, when the command pins one.
    pub fn version(&self) -> Option<&str> {
        self.version.as_deref()
    }
}

impl ImportedServer {
    pub(crate) fn new(host: Host, key: String, endpoint: Endpoint) -> Self {
        Self {
            host,
            key,
            endpoint,
            descriptions: Vec::new(),
        }
    }

    /// The host whose file it was read from.
    pub fn host(&self) -> Host {
        self.host
    }

    /// The entry's key.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// What it runs or connects to.
    pub fn endpoint(&self) -> &Endpoint {
        &self.endpoint
    }

    /// This entry as the host runs it: every environment reference (`${NAME}`,
    /// `${NAME:-default}`, `${env:NAME}`, ...) replaced by `env(NAME)`, or by its default when
    /// that is `None`. Codex's forwarded variables are added when set (`env_vars` to the
    /// environment, `env_http_headers` and `bearer_token_env_var` to the headers) and left out
    /// when not. Text that is not a reference is kept as written.
    ///
    /// # Errors
    ///
    /// [`ExpandError::Unset`] for a variable that is not set and has no default;
    /// [`ExpandError::NotEnv`] for a VS Code input or a `<set NAME>` placeholder. Both name
    /// the field.
    pub fn expand(&self, env: impl Fn(&str) -> Option<String>) -> Result<Self, ExpandError> {
        let fill = |field: String, value: &str| -> Result<String, ExpandError> {
            let mut out = String::with_capacity(value.len());
            for piece in syntax::pieces(self.host, value) {
                match piece {
                    Piece::Text(text) => out.push_str(&text),
                    Piece::Reference(reference) => {
                        if reference.kind != ReferenceKind::Env {
                            return Err(ExpandError::NotEnv {
                                key: self.key.clone(),
                                field,
                                name: reference.name,
                            });
                        }
                        match env(&reference.name).or(reference.default) {
                            Some(value) => out.push_str(&value),
                            None => {
                                return Err(ExpandError::Unset {
                                    key: self.key.clone(),
                                    field,
                                    name: reference.name,
                                });
                            }
                        }
                    }
                }
            }
            Ok(out)
        };
        let endpoint = match &self.endpoint {
            Endpoint::Launch {
                command,
                args,
                env: vars,
                env_vars,
            } => {
                let mut filled = Vec::with_capacity(vars.len() + env_vars.len());
                for (name, value) in vars {
                    filled.push((name.clone(), fill(format!("env.{name}"), value)?));
                }
                for name in env_vars {
                    if let Some(value) = env(name) {
                        filled.push((name.clone(), value));
                    }
                }
                Endpoint::Launch {
                    command: fill("command".to_owned(), command)?,
                    args: args
                        .iter()
                        .enumerate()
                        .map(|(i, arg)| fill(format!("args[{i}]"), arg))
                        .collect::<Result<_, _>>()?,
                    env: filled,
                    env_vars: Vec::new(),
                }
            }
            Endpoint::Connect {
                transport,
                url,
                headers,
                env_headers,
                bearer_token_env_var,
            } => {
                let url = fill("url".to_owned(), url)?;
                let mut filled = Vec::with_capacity(headers.len() + env_headers.len() + 1);
                for (name, value) in headers {
                    filled.push((name.clone(), fill(format!("headers.{name}"), value)?));
                }
                for (header, variable) in env_headers {
                    if let Some(value) = env(variable) {
                        filled.push((header.clone(), value));
                    }
                }
                if let Some(token) = bearer_token_env_var.as_deref().and_then(&env) {
                    filled.push(("Authorization".to_owned(), format!("Bearer {token}")));
                }
                Endpoint::Connect {
                    transport: transport.clone(),
                    url,
                    headers: filled,
                    env_headers: Vec::new(),
                    bearer_token_env_var: None,
                }
            }
        };
        Ok(Self {
            host: self.host,
            key: self.key.clone(),
            endpoint,
            descriptions: self.descriptions.clone(),
        })
    }

    /// Every value with where it is and the name it goes by, for
    /// [`references`](Self::references) and [`clear_text_secrets`](Self::clear_text_secrets):
    /// `(field, name, value)`. An argument's name is its option's: `--api-key` names the
    /// argument after it, and the value of `--api-key=…`.
    fn values(&self) -> Vec<(String, Option<&str>, &str)> {
        let mut out = Vec::new();
        match &self.endpoint {
            Endpoint::Launch {
                command, args, env, ..
            } => {
                out.push(("command".to_owned(), None, command.as_str()));
                let mut option: Option<&str> = None;
                for (i, arg) in args.iter().enumerate() {
                    let field = format!("args[{i}]");
                    match arg.strip_prefix("--").and_then(|a| a.split_once('=')) {
                        Some((name, value)) => out.push((field, Some(name), value)),
                        None => out.push((field, option, arg.as_str())),
                    }
                    option = arg
                        .strip_prefix("--")
                        .filter(|name| !name.is_empty() && !name.contains('='));
                }
                for (name, value) in env {
                    out.push((format!("env.{name}"), Some(name.as_str()), value.as_str()));
                }
            }
            Endpoint::Connect { url, headers, .. } => {
                out.push(("url".to_owned(), None, url.as_str()));
                for (name, value) in headers {
                    out.push((
                        format!("headers.{name}"),
                        Some(name.as_str()),
                        value.as_str(),
                    ));
                }
            }
        }
        out
    }

    /// Every value that is a reference the host fills in (`${X}`, `${X:-d}`, `${input:x}`,
    /// `${env:X}`, `$X`, a `<set X>` placeholder, Codex's forwarded variables), in file order.
    pub fn references(&self) -> Vec<HostReference> {
        let mut out = Vec::new();
        for (field, _, value) in self.values() {
            for piece in syntax::pieces(self.host, value) {
                if let Piece::Reference(reference) = piece {
                    out.push(HostReference::new(field.clone(), &reference));
                }
            }
        }
        let env = |field: &str, name: &str| {
            HostReference::new(
                field.to_owned(),
                &syntax::Reference {
                    name: name.to_owned(),
                    kind: ReferenceKind::Env,
                    default: None,
                },
            )
        };
        match &self.endpoint {
            Endpoint::Launch { env_vars, .. } => {
                out.extend(env_vars.iter().map(|name| env("env_vars", name)));
            }
            Endpoint::Connect {
                env_headers,
                bearer_token_env_var,
                ..
            } => {
                if let Some(name) = bearer_token_env_var {
                    out.push(env("bearer_token_env_var", name));
                }
                for (header, name) in env_headers {
                    out.push(env(&format!("env_http_headers.{header}"), name));
                }
            }
        }
        out
    }

    /// The environment variables, headers and option arguments (`--api-key VALUE`,
    /// `--api-key=VALUE`) whose name `is_secret` (`API_KEY`, `Authorization`, `api-key`) and
    /// whose value is written in clear (not empty, no reference): for a `doctor` that knows from
    /// the registry entry which inputs are secret. Values are never returned.
    pub fn clear_text_secrets(&self, is_secret: impl Fn(&str) -> bool) -> Vec<ClearText> {
        self.values()
            .into_iter()
            .filter_map(|(field, name, value)| {
                let name = name?;
                (is_secret(name) && is_clear(self.host, value)).then(|| ClearText {
                    field,
                    name: name.to_owned(),
                })
            })
            .collect()
    }

    /// [`clear_text_secrets`](Self::clear_text_secrets) by the names alone, as
    /// [`looks_like_secret`] judges them: a heuristic, for when the registry entry is unknown.
    pub fn suspected_clear_text_secrets(&self) -> Vec<ClearText> {
        self.clear_text_secrets(name_looks_secret)
    }

    /// The package the entry runs, read from `npx -y id@version`, `uvx id==version`,
    /// `docker run … image:tag` or `dnx id@version --yes --` (the commands a
    /// [plan](crate::plan) writes); `None` for anything else and for a remote.
    pub fn package(&self) -> Option<ImportedPackage> {
        let Endpoint::Launch { command, args, .. } = &self.endpoint else {
            return None;
        };
        let program = command.rsplit(['/', '\\']).next().unwrap_or(command);
        let program = program
            .strip_suffix(".cmd")
            .or_else(|| program.strip_suffix(".exe"))
            .unwrap_or(program);
        let package = |registry_type, identifier: &str, version: Option<&str>| {
            Some(ImportedPackage {
                registry_type,
                identifier: identifier.to_owned(),
                version: version.filter(|v| !v.is_empty()).map(str::to_owned),
            })
        };
        match program {
            "npx" => {
                let id = positional(args, &["-p", "--package", "-c", "--call"])?;
                match id.rsplit_once('@') {
                    Some((name, version)) if !name.is_empty() => {
                        package(RegistryType::Npm, name, Some(version))
                    }
                    _ => package(RegistryType::Npm, id, None),
                }
            }
            "uvx" => {
                let id = positional(
                    args,
                    &[
                        "--from",
                        "--with",
                        "--python",
                        "-p",
                        "--index",
                        "--index-url",
                    ],
                )?;
                match id.split_once("==") {
                    Some((name, version)) => package(RegistryType::Pypi, name, Some(version)),
                    None => package(RegistryType::Pypi, id, None),
                }
            }
            "dnx" => {
                let id = positional(args, &["--source", "-s"])?;
                match id.split_once('@') {
                    Some((name, version)) => package(RegistryType::Nuget, name, Some(version)),
                    None => package(RegistryType::Nuget, id, None),
                }
            }
            "docker" | "podman" => {
                let (first, rest) = args.split_first()?;
                if first != "run" {
                    return None;
                }
                let image = positional(rest, DOCKER_VALUE_FLAGS)?;
                if let Some((name, digest)) = image.split_once('@') {
                    return package(RegistryType::Oci, name, Some(digest));
                }
                match image.rsplit_once(':') {
                    Some((name, tag)) if !tag.contains('/') => {
                        package(RegistryType::Oci, name, Some(tag))
                    }
                    _ => package(RegistryType::Oci, image, None),
                }
            }
            _ => None,
        }
    }

    /// The URL the entry connects to: a remote's, or the one an `npx mcp-remote URL` bridge
    /// connects to.
    pub fn remote_url(&self) -> Option<&str> {
        match &self.endpoint {
            Endpoint::Connect { url, .. } => Some(url),
            Endpoint::Launch { command, args, .. } => {
                bridge_args(command, args).and_then(|rest| rest.first().map(String::as_str))
            }
        }
    }

    /// The connection an `npx [-y] mcp-remote URL [--transport T] [--header "N: v"]…` bridge
    /// makes, when it has no other options (any other option keeps it a process).
    fn bridged(&self) -> Option<Bridged<'_>> {
        let Endpoint::Launch {
            command, args, env, ..
        } = &self.endpoint
        else {
            return None;
        };
        if !env.is_empty() {
            return None;
        }
        let (url, mut rest) = bridge_args(command, args)?.split_first()?;
        let mut transport = TransportType::StreamableHttp;
        let mut headers = Vec::new();
        while let Some((flag, tail)) = rest.split_first() {
            let (value, tail) = tail.split_first()?;
            match flag.as_str() {
                "--transport" if value.starts_with("sse") => transport = TransportType::Sse,
                "--transport" if value.starts_with("http") => {}
                "--header" => {
                    let (name, value) = value.split_once(':')?;
                    headers.push((name.trim().to_owned(), value.trim_start().to_owned()));
                }
                _ => return None,
            }
            rest = tail;
        }
        Some((transport, url, headers))
    }

    /// The entry as a plan, to export it to another host: written text stays text, and each
    /// reference becomes a secret keyed by the name it references (`${GITHUB_TOKEN}` → the
    /// secret `GITHUB_TOKEN`, `${input:gh-token}` → `gh-token`, described as the VS Code input
    /// is), with no value. A default (`${X:-d}`) is not kept. Codex's
    /// forwarded variables become secret environment variables, `bearer_token_env_var` an
    /// `Authorization: Bearer` header and `env_http_headers` secret headers, and an
    /// `mcp-remote` bridge (Claude Desktop's way to a remote) becomes the remote it bridges to.
    /// The plan's server name is the entry's key and its version is empty.
    pub fn to_plan(&self) -> Plan {
        let host = self.host;
        let template = |text: &str| syntax::template(host, text, &self.descriptions);
        let pairs = |pairs: &[(String, String)]| -> Vec<(String, Template)> {
            pairs
                .iter()
                .map(|(name, value)| (name.clone(), template(value)))
                .collect()
        };
        let secret = |name: &str| Template::secret(SecretRef::new(name, None, None));
        if let Some((transport, url, headers)) = self.bridged() {
            let connect = Connect::Http {
                transport,
                url: template(url),
                headers: pairs(&headers),
            };
            return Plan::from_parts(
                self.key.clone(),
                String::new(),
                Target::Remote(0),
                None,
                connect,
            );
        }
        let (target, launch, connect) = match &self.endpoint {
            Endpoint::Launch {
                command,
                args,
                env,
                env_vars,
            } => {
                let mut env = pairs(env);
                env.extend(env_vars.iter().map(|name| (name.clone(), secret(name))));
                let launch = Launch::Process {
                    command: command.clone(),
                    args: args.iter().map(|a| template(a)).collect(),
                    env,
                };
                (Target::Package(0), Some(launch), Connect::Stdio)
            }
            Endpoint::Connect {
                transport,
                url,
                headers,
                env_headers,
                bearer_token_env_var,
            } => {
                let mut headers = pairs(headers);
                if let Some(name) = bearer_token_env_var {
                    let mut value = Template::text("Bearer ");
                    value.push(secret(name));
                    headers.push(("Authorization".to_owned(), value));
                }
                headers.extend(
                    env_headers
                        .iter()
                        .map(|(header, name)| (header.clone(), secret(name))),
                );
                let connect = Connect::Http {
                    transport: transport.clone(),
                    url: template(url),
                    headers,
                };
                (Target::Remote(0), None, connect)
            }
        };
        Plan::from_parts(self.key.clone(), String::new(), target, launch, connect)
    }
}

/// What an `mcp-remote` bridge connects to: transport, URL and headers.
type Bridged<'a> = (TransportType, &'a str, Vec<(String, String)>);

/// The arguments after `mcp-remote` when `command args` runs the `mcp-remote` bridge.
fn bridge_args<'a>(command: &str, args: &'a [String]) -> Option<&'a [String]> {
    let program = command.rsplit(['/', '\\']).next().unwrap_or(command);
    if !matches!(program, "npx" | "npx.cmd" | "npx.exe") {
        return None;
    }
    let at = args.iter().position(|a| !a.starts_with('-'))?;
    let bridge = args.get(at)?;
    if bridge == "mcp-remote" || bridge.starts_with("mcp-remote@") {
        args.get(at + 1..)
    } else {
        None
    }
}

/// `docker run` options that take the next argument as their value.
const DOCKER_VALUE_FLAGS: &[&str] = &[
    "-e",
    "--env",
    "--env-file",
    "-v",
    "--volume",
    "-p",
    "--publish",
    "--name",
    "--network",
    "-w",
    "--workdir",
    "--entrypoint",
    "--mount",
    "-u",
    "--user",
    "--platform",
    "--pull",
    "-l",
    "--label",
    "--add-host",
    "-h",
    "--hostname",
];

/// The first argument that is not an option nor an option's value.
fn positional<'a>(args: &'a [String], value_flags: &[&str]) -> Option<&'a str> {
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        if value_flags.contains(&arg.as_str()) {
            args.next();
        } else if !arg.starts_with('-') {
            return Some(arg);
        }
    }
    None
}

/// Whether `value` is written in clear: not empty, and no reference in `host`'s syntax.
fn is_clear(host: Host, value: &str) -> bool {
    let value = value.trim();
    let bare = value
        .strip_prefix("Bearer")
        .or_else(|| value.strip_prefix("Basic"))
        .unwrap_or(value)
        .trim();
    !bare.is_empty()
        && syntax::pieces(host, value)
            .iter()
            .all(|piece| matches!(piece, Piece::Text(_)))
}

/// Whether an environment variable or header name usually holds a secret.
fn name_looks_secret(name: &str) -> bool {
    let name = name.to_ascii_uppercase().replace('-', "_");
    name.ends_with("TOKEN")
        || name.ends_with("_KEY")
        || name.ends_with("APIKEY")
        || name == "KEY"
        || name.contains("SECRET")
        || name.contains("PASSWORD")
        || name.contains("PASSWD")
        || name.contains("CREDENTIAL")
        || name == "AUTHORIZATION"
        || name == "PROXY_AUTHORIZATION"
}

/// A heuristic for a `doctor`: whether an environment variable or header called `name`
/// (`*_TOKEN`, `*_KEY`, `*SECRET*`, `*PASSWORD*`, `Authorization`, …) holds `value` written in
/// clear rather than a reference in any host's syntax or a placeholder.
///
/// ```
/// use mcp_registry_types::host::looks_like_secret;
///
/// assert!(looks_like_secret("GITHUB_TOKEN", "ghp_123"));
/// assert!(looks_like_secret("Authorization", "Bearer ghp_123"));
/// assert!(!looks_like_secret("GITHUB_TOKEN", "${GITHUB_TOKEN}"));
/// assert!(!looks_like_secret("LOG_LEVEL", "debug"));
/// ```
pub fn looks_like_secret(name: &str, value: &str) -> bool {
    name_looks_secret(name) && Host::ALL.iter().all(|host| is_clear(*host, value))
}

/// The servers in `text`, a config file of `host`, in file order; none when the file has no
/// server table.
///
/// # Errors
///
/// [`ImportError`] when the text is not JSON (TOML for Codex), or a value has the wrong type:
/// the message names its JSON Pointer or TOML path.
pub fn import(host: Host, text: &str) -> Result<Vec<ImportedServer>, ImportError> {
    if host.is_toml() {
        return codex::import(text);
    }
    let root: Value = serde_json::from_str(text).map_err(|e| {
        let (message, line, column) = json_error(&e);
        ImportError::Json {
            message,
            line,
            column,
        }
    })?;
    let Value::Object(root) = root else {
        return Err(ImportError::WrongType {
            path: "the file".to_owned(),
            expected: "a JSON object",
        });
    };
    let table = servers_key(host);
    let Some(servers) = root.get(table) else {
        return Ok(Vec::new());
    };
    let servers = object(servers, &format!("/{table}"))?;
    let mut out = Vec::new();
    for (key, entry) in servers {
        let path = format!("/{table}/{}", escape(key));
        let entry = object(entry, &path)?;
        let field = |name: &str| entry.get(name).filter(|v| !v.is_null());
        let endpoint = if let Some(command) = field("command") {
            Endpoint::Launch {
                command: string(command, &format!("{path}/command"))?,
                args: strings(field("args"), &format!("{path}/args"))?,
                env: pairs(field("env"), &format!("{path}/env"))?,
                env_vars: Vec::new(),
            }
        } else if let Some((url_key, url)) = ["httpUrl", "url"]
            .into_iter()
            .find_map(|k| field(k).map(|v| (k, v)))
        {
            let url = string(url, &format!("{path}/{url_key}"))?;
            let declared = field("type")
                .map(|t| string(t, &format!("{path}/type")))
                .transpose()?;
            let transport = match declared.as_deref() {
                Some("sse") => TransportType::Sse,
                Some(_) => TransportType::StreamableHttp,
                None if host == Host::Gemini && url_key == "url" => TransportType::Sse,
                None if host == Host::Gemini => TransportType::StreamableHttp,
                None => guess_transport(&url),
            };
            Endpoint::Connect {
                transport,
                url,
                headers: pairs(field("headers"), &format!("{path}/headers"))?,
                env_headers: Vec::new(),
                bearer_token_env_var: None,
            }
        } else {
            return Err(ImportError::NoCommandOrUrl { path });
        };
        let mut server = ImportedServer::new(host, key.clone(), endpoint);
        if host == Host::VsCode {
            server.descriptions = input_descriptions(&root, &server);
        }
        out.push(server);
    }
    Ok(out)
}

/// The description of each VS Code input `server` references, from the file's `inputs`;
/// inputs that are not objects with a string `id` and `description` are passed over.
fn input_descriptions(root: &Map<String, Value>, server: &ImportedServer) -> Vec<(String, String)> {
    let Some(inputs) = root.get("inputs").and_then(Value::as_array) else {
        return Vec::new();
    };
    let used: Vec<String> = server
        .references()
        .into_iter()
        .filter(|r| r.kind() == ReferenceKind::Input)
        .map(|r| r.name().to_owned())
        .collect();
    inputs
        .iter()
        .filter_map(|input| {
            let id = input.get("id")?.as_str()?;
            let description = input.get("description")?.as_str()?;
            used.iter()
                .any(|u| u == id)
                .then(|| (id.to_owned(), description.to_owned()))
        })
        .collect()
}

/// SSE when the URL's path ends in `/sse`, else streamable HTTP.
fn guess_transport(url: &str) -> TransportType {
    let path = url.split(['?', '#']).next().unwrap_or(url);
    if path.trim_end_matches('/').ends_with("/sse") {
        TransportType::Sse
    } else {
        TransportType::StreamableHttp
    }
}

/// The host whose file `text` looks like, from its shape: `servers` is VS Code, `httpUrl`
/// Gemini CLI, a `type` in an `mcpServers` entry Claude Code, `${env:…}` Cursor, a TOML
/// `mcp_servers` table Codex; else the other top-level settings. `None` when it could be
/// several (a plain `mcpServers` file is written alike by Claude Desktop, Cursor and Gemini CLI,
/// and `${NAME}` by Claude Code and Gemini CLI): use [`Host::from_path_hint`] then.
pub fn detect(text: &str) -> Option<Host> {
    let Ok(root) = serde_json::from_str::<Value>(text) else {
        let doc = text.parse::<toml_edit::DocumentMut>().ok()?;
        return doc.contains_key("mcp_servers").then_some(Host::Codex);
    };
    let root = root.as_object()?;
    if root.get("servers").is_some_and(Value::is_object) && !root.contains_key("mcpServers") {
        return Some(Host::VsCode);
    }
    let servers = root.get("mcpServers")?.as_object()?;
    let entries: Vec<&Map<String, Value>> = servers.values().filter_map(Value::as_object).collect();
    let written = serde_json::to_string(servers).unwrap_or_default();
    if entries.iter().any(|e| e.contains_key("httpUrl")) {
        Some(Host::Gemini)
    } else if entries.iter().any(|e| e.contains_key("type")) {
        Some(Host::ClaudeCode)
    } else if written.contains("${env:") {
        Some(Host::Cursor)
    } else if written.contains("${") {
        // `${NAME}`: Claude Code or Gemini CLI.
        None
    } else if [
        "general",
        "ui",
        "model",
        "tools",
        "security",
        "theme",
        "selectedAuthType",
    ]
    .iter()
    .any(|k| root.contains_key(*k))
    {
        Some(Host::Gemini)
    } else if ["globalShortcut", "preferences"]
        .iter()
        .any(|k| root.contains_key(*k))
    {
        Some(Host::ClaudeDesktop)
    } else {
        None
    }
}

/// The parser's message without its position, the line and the column.
pub(crate) fn json_error(e: &serde_json::Error) -> (String, usize, usize) {
    let text = e.to_string();
    let message = text
        .rsplit_once(" at line ")
        .map_or(text.as_str(), |(message, _)| message)
        .to_owned();
    (message, e.line(), e.column())
}

/// `key` as a JSON Pointer segment (RFC 6901).
fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

fn object<'a>(value: &'a Value, path: &str) -> Result<&'a Map<String, Value>, ImportError> {
    value.as_object().ok_or(ImportError::WrongType {
        path: path.to_owned(),
        expected: "an object",
    })
}

fn string(value: &Value, path: &str) -> Result<String, ImportError> {
    value
        .as_str()
        .map(str::to_owned)
        .ok_or(ImportError::WrongType {
            path: path.to_owned(),
            expected: "a string",
        })
}

fn strings(value: Option<&Value>, path: &str) -> Result<Vec<String>, ImportError> {
    let Some(value) = value else {
        return Ok(Vec::new());
    };
    let array = value.as_array().ok_or(ImportError::WrongType {
        path: path.to_owned(),
        expected: "an array of strings",
    })?;
    array
        .iter()
        .enumerate()
        .map(|(i, v)| string(v, &format!("{path}/{i}")))
        .collect()
}

fn pairs(value: Option<&Value>, path: &str) -> Result<Vec<(String, String)>, ImportError> {
    let Some(value) = value else {
        return Ok(Vec::new());
    };
    object(value, path)?
        .iter()
        .map(|(name, v)| {
            Ok((
                name.clone(),
                string(v, &format!("{path}/{}", escape(name)))?,
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn launch(command: &str, args: &[&str]) -> ImportedServer {
        ImportedServer::new(
            Host::ClaudeCode,
            "k".to_owned(),
            Endpoint::Launch {
                command: command.to_owned(),
                args: args.iter().map(|a| (*a).to_owned()).collect(),
                env: vec![
                    ("GITHUB_TOKEN".to_owned(), "ghp_1".to_owned()),
                    ("API_KEY".to_owned(), "${API_KEY}".to_owned()),
                    ("LOG_LEVEL".to_owned(), "debug".to_owned()),
                ],
                env_vars: Vec::new(),
            },
        )
    }

    fn pkg(command: &str, args: &[&str]) -> Option<(String, String, Option<String>)> {
        launch(command, args).package().map(|p| {
            (
                p.registry_type().as_str().to_owned(),
                p.identifier().to_owned(),
                p.version().map(str::to_owned),
            )
        })
    }

    #[test]
    fn host_import_recognises_the_plans_commands() {
        let p = |r: &str, i: &str, v: Option<&str>| {
            Some((r.to_owned(), i.to_owned(), v.map(str::to_owned)))
        };
        assert_eq!(
            pkg("npx", &["-y", "@acme/weather@1.2.3", "--units", "x"]),
            p("npm", "@acme/weather", Some("1.2.3"))
        );
        assert_eq!(
            pkg("npx", &["-y", "@acme/weather"]),
            p("npm", "@acme/weather", None)
        );
        assert_eq!(
            pkg("uvx", &["weather==1.0"]),
            p("pypi", "weather", Some("1.0"))
        );
        assert_eq!(
            pkg(
                "docker",
                &["run", "-i", "--rm", "-e", "K", "ghcr.io/a/b:1.0", "--x"]
            ),
            p("oci", "ghcr.io/a/b", Some("1.0"))
        );
        assert_eq!(
            pkg("docker", &["run", "localhost:5000/a"]),
            p("oci", "localhost:5000/a", None)
        );
        assert_eq!(
            pkg("dnx", &["Acme.Weather@1.0.0", "--yes", "--"]),
            p("nuget", "Acme.Weather", Some("1.0.0"))
        );
        assert_eq!(pkg("/usr/bin/npx.cmd", &["x@1"]), p("npm", "x", Some("1")));
        assert_eq!(pkg("python", &["-m", "x"]), None);
        assert_eq!(pkg("docker", &["compose", "up"]), None);
        assert_eq!(
            launch(
                "npx",
                &["-y", "mcp-remote", "https://x/sse", "--header", "A: b"]
            )
            .remote_url(),
            Some("https://x/sse")
        );
    }

    #[test]
    fn host_import_finds_clear_text_secrets() {
        let server = launch("npx", &[]);
        let found: Vec<_> = server
            .suspected_clear_text_secrets()
            .iter()
            .map(|c| c.field().to_owned())
            .collect();
        assert_eq!(found, ["env.GITHUB_TOKEN"]);
        let flags = launch(
            "npx",
            &[
                "x",
                "--api-key",
                "sk-1",
                "--token=t",
                "--units",
                "metric",
                "--",
                "--password",
            ],
        );
        let found: Vec<_> = flags
            .suspected_clear_text_secrets()
            .iter()
            .map(|c| format!("{} {}", c.field(), c.name()))
            .collect();
        assert_eq!(
            found,
            [
                "args[2] api-key",
                "args[3] token",
                "env.GITHUB_TOKEN GITHUB_TOKEN"
            ]
        );
        let by_entry = server.clear_text_secrets(|name| name == "LOG_LEVEL");
        assert_eq!(by_entry.len(), 1);
        assert!(looks_like_secret("X-Api-Key", "abc"));
        assert!(!looks_like_secret("Authorization", "Bearer "));
        assert!(!looks_like_secret("DB_PASSWORD", "<set DB_PASSWORD>"));
        assert!(!looks_like_secret("MY_SECRET", "${input:x}"));
    }

    #[test]
    fn host_detects_the_shape() {
        assert_eq!(detect(r#"{"servers": {}}"#), Some(Host::VsCode));
        assert_eq!(
            detect(r#"{"mcpServers": {"a": {"httpUrl": "u"}}}"#),
            Some(Host::Gemini)
        );
        assert_eq!(
            detect(r#"{"mcpServers": {"a": {"type": "stdio", "command": "x"}}}"#),
            Some(Host::ClaudeCode)
        );
        assert_eq!(
            detect(r#"{"mcpServers": {"a": {"command": "x", "env": {"K": "${env:K}"}}}}"#),
            Some(Host::Cursor)
        );
        assert_eq!(detect(r#"{"mcpServers": {"a": {"command": "x"}}}"#), None);
        assert_eq!(
            detect("[mcp_servers.a]\ncommand = \"x\"\n"),
            Some(Host::Codex)
        );
        assert_eq!(detect("not a config"), None);
    }
}
