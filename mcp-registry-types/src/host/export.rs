//! From a plan to a host's config file: [`export`] and [`merge`].

use crate::host::error::ExportError;
use crate::host::syntax::{env_name, input_id, placeholder};
use crate::host::{Host, codex, json};
use crate::plan::{Connect, Launch, Plan, SecretRef, Template};
use crate::vocab::kinds::TransportType;

/// How to write what a host cannot express directly.
#[non_exhaustive]
#[derive(Clone, Debug, Default, Eq, PartialEq)]
pub struct ExportOptions {
    placeholder_secrets: bool,
    stdio_bridge: bool,
}

impl ExportOptions {
    /// The defaults: refuse what the host cannot express.
    pub fn new() -> Self {
        Self::default()
    }

    /// For Claude Desktop, which expands no variables: write `<set NAME>` where a secret goes,
    /// for the user to replace, instead of refusing. The host passes the placeholder to the
    /// server as the value until it is replaced.
    pub fn with_placeholder_secrets(mut self, on: bool) -> Self {
        self.placeholder_secrets = on;
        self
    }

    /// For Claude Desktop, which launches only local servers: connect to a remote through the
    /// `mcp-remote` stdio bridge (`npx -y mcp-remote URL …`) instead of refusing. The bridge is
    /// a third-party npm package run with the user's rights: review it before choosing this.
    pub fn with_stdio_bridge(mut self, on: bool) -> Self {
        self.stdio_bridge = on;
        self
    }

    /// Whether secrets the host cannot reference are written as placeholders.
    pub fn placeholder_secrets(&self) -> bool {
        self.placeholder_secrets
    }

    /// Whether remotes are bridged for hosts that only launch local servers.
    pub fn stdio_bridge(&self) -> bool {
        self.stdio_bridge
    }
}

/// The smallest complete config file for `host` holding just the entry `key` for `plan`.
///
/// JSON hosts get pretty JSON (2-space indents, final newline); Codex gets TOML. Secrets are
/// written as references, never as values (see the [module docs](crate::host#export-rules)).
///
/// # Errors
///
/// An [`ExportError`] when the host cannot express the plan: a bundle, a remote or SSE where
/// the host has none, a secret it cannot reference.
pub fn export(
    host: Host,
    key: &str,
    plan: &Plan,
    options: &ExportOptions,
) -> Result<String, ExportError> {
    // A new file is a merge into an empty one.
    merge(host, "", key, plan, options)
}

/// `existing` with the entry `key` for `plan` added, or replacing the entry of that key in
/// place; every other entry and setting is kept (see the
/// [module docs](crate::host#merge-rules)). An empty or blank `existing` is an empty file.
///
/// # Errors
///
/// As [`export`], and when `existing` is not a JSON object (or not TOML for Codex), or the part
/// the entry goes in has another type: the file is not overwritten.
pub fn merge(
    host: Host,
    existing: &str,
    key: &str,
    plan: &Plan,
    options: &ExportOptions,
) -> Result<String, ExportError> {
    let shape = Shape::of(host, plan, options)?;
    if host.is_toml() {
        codex::merge(existing, key, &shape)
    } else {
        let existing = if existing.trim().is_empty() {
            "{}"
        } else {
            existing
        };
        json::merge(host, existing, key, &shape, options)
    }
}

/// What a host entry says: a process to launch over stdio, or a URL to connect to.
#[derive(Clone, Debug)]
pub(crate) enum Shape {
    Stdio {
        command: String,
        args: Vec<Template>,
        env: Vec<(String, Template)>,
    },
    Http {
        transport: TransportType,
        url: Template,
        headers: Vec<(String, Template)>,
    },
}

impl Shape {
    /// The entry for `plan`, after the refusals every host shares and Claude Desktop's bridge.
    fn of(host: Host, plan: &Plan, options: &ExportOptions) -> Result<Self, ExportError> {
        let shape = match (plan.launch(), plan.connect()) {
            (Some(Launch::Bundle { url, sha256, .. }), _) => {
                return Err(ExportError::Bundle {
                    url: url.clone(),
                    sha256: sha256.clone(),
                });
            }
            (Some(Launch::Process { command, args, env }), Connect::Stdio) => Self::Stdio {
                command: command.clone(),
                args: args.clone(),
                env: env.clone(),
            },
            (Some(Launch::Process { .. }), Connect::Http { transport, url, .. }) => {
                return Err(ExportError::LaunchAndConnect {
                    transport: transport.as_str().to_owned(),
                    url: url.to_string(),
                });
            }
            (
                None,
                Connect::Http {
                    transport,
                    url,
                    headers,
                },
            ) => Self::Http {
                transport: transport.clone(),
                url: url.clone(),
                headers: headers.clone(),
            },
            (None, Connect::Stdio) => return Err(ExportError::Empty),
        };
        match (host, shape) {
            (Host::ClaudeDesktop, Self::Http { .. }) if !options.stdio_bridge => {
                Err(ExportError::RemoteNotSupported { host })
            }
            (
                Host::ClaudeDesktop,
                Self::Http {
                    transport,
                    url,
                    headers,
                },
            ) => Ok(bridge(&transport, url, headers)),
            (Host::Codex, Self::Http { transport, .. })
                if transport != TransportType::StreamableHttp =>
            {
                Err(ExportError::TransportNotSupported {
                    host,
                    transport: transport.as_str().to_owned(),
                })
            }
            (_, shape) => Ok(shape),
        }
    }
}

/// A remote through the `mcp-remote` stdio bridge: `npx -y mcp-remote URL --transport …
/// --header "Name: value"…`.
fn bridge(transport: &TransportType, url: Template, headers: Vec<(String, Template)>) -> Shape {
    let mut args = vec![
        Template::text("-y"),
        Template::text("mcp-remote"),
        url,
        Template::text("--transport"),
        Template::text(if *transport == TransportType::Sse {
            "sse-only"
        } else {
            "http-only"
        }),
    ];
    for (name, value) in headers {
        args.push(Template::text("--header"));
        let mut header = Template::text(format!("{name}: "));
        header.push(value);
        args.push(header);
    }
    Shape::Stdio {
        command: "npx".to_owned(),
        args,
        env: Vec::new(),
    }
}

/// Writes each secret in a host's own syntax, collecting what it cannot write and the VS Code
/// inputs it needs.
pub(crate) struct References<'a> {
    host: Host,
    key: &'a str,
    placeholders: bool,
    refused: Vec<String>,
    /// VS Code inputs: ID and description, each ID once.
    pub(crate) inputs: Vec<(String, String)>,
}

impl<'a> References<'a> {
    pub(crate) fn new(host: Host, key: &'a str, options: &ExportOptions) -> Self {
        Self {
            host,
            key,
            placeholders: options.placeholder_secrets,
            refused: Vec::new(),
            inputs: Vec::new(),
        }
    }

    /// The value with each secret as a reference.
    pub(crate) fn render(&mut self, template: &Template) -> String {
        template.render_with(|secret| self.reference(secret))
    }

    fn reference(&mut self, secret: &SecretRef) -> String {
        match self.host {
            Host::ClaudeCode | Host::Gemini => format!("${{{}}}", env_name(secret.key())),
            Host::Cursor => format!("${{env:{}}}", env_name(secret.key())),
            Host::VsCode => {
                let id = input_id(self.key, secret.key());
                if !self.inputs.iter().any(|(known, _)| *known == id) {
                    let description = secret
                        .description()
                        .map_or_else(|| format!("{}: {}", self.key, secret.key()), str::to_owned);
                    self.inputs.push((id.clone(), description));
                }
                format!("${{input:{id}}}")
            }
            Host::ClaudeDesktop | Host::Codex => {
                if !self.placeholders || self.host == Host::Codex {
                    self.refuse(secret.key());
                }
                placeholder(secret)
            }
        }
    }

    /// Records `key` as a secret the host cannot reference.
    pub(crate) fn refuse(&mut self, key: &str) {
        if !self.refused.iter().any(|known| known == key) {
            self.refused.push(key.to_owned());
        }
    }

    /// An error naming every refused secret, if any.
    pub(crate) fn finish(self, reason: &str) -> Result<Vec<(String, String)>, ExportError> {
        if self.refused.is_empty() {
            Ok(self.inputs)
        } else {
            Err(ExportError::SecretNotExpressible {
                host: self.host,
                keys: self.refused,
                reason: reason.to_owned(),
            })
        }
    }
}
