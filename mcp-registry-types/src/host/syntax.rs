//! How each host writes a reference to a value it fills in: names, reading and writing.

use crate::host::Host;
use crate::plan::{SecretRef, Template};

/// What a reference in a host's file names.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, Eq, Hash, PartialEq)]
pub enum ReferenceKind {
    /// An environment variable of the user's: `${NAME}`, `${NAME:-default}`, `$NAME`,
    /// `${env:NAME}`, or a variable Codex forwards (`env_vars`, `bearer_token_env_var`,
    /// `env_http_headers`).
    Env,
    /// A VS Code input, prompted for by the host: `${input:id}`.
    Input,
    /// A `<set NAME>` placeholder, written by
    /// [`ExportOptions::with_placeholder_secrets`](crate::host::ExportOptions::with_placeholder_secrets):
    /// a value the user has yet to fill in.
    Placeholder,
}

/// One reference in an imported server: where it is and what it names.
#[non_exhaustive]
#[derive(Clone, Debug, Eq, Hash, PartialEq)]
pub struct HostReference {
    field: String,
    name: String,
    kind: ReferenceKind,
    default: Option<String>,
}

impl HostReference {
    pub(crate) fn new(field: String, piece: &Reference) -> Self {
        Self {
            field,
            name: piece.name.clone(),
            kind: piece.kind,
            default: piece.default.clone(),
        }
    }

    /// Where the reference is: `env.API_KEY`, `args[2]`, `url`, `headers.Authorization`,
    /// `env_vars`, `bearer_token_env_var`.
    pub fn field(&self) -> &str {
        &self.field
    }

    /// The variable's or input's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// What it names.
    pub fn kind(&self) -> ReferenceKind {
        self.kind
    }

    /// The default written with it (`${NAME:-default}`), if any.
    pub fn default_value(&self) -> Option<&str> {
        self.default.as_deref()
    }
}

/// A reference read from a value.
#[derive(Clone, Debug, Eq, PartialEq)]
pub(crate) struct Reference {
    pub(crate) name: String,
    pub(crate) kind: ReferenceKind,
    pub(crate) default: Option<String>,
}

/// A piece of a value as written in a host's file.
#[derive(Clone, Debug, Eq, PartialEq)]
pub(crate) enum Piece {
    Text(String),
    Reference(Reference),
}

/// `key` as an environment variable name: upper case, `_` for every other character than an
/// ASCII letter or digit, `_` in front of a leading digit.
pub(crate) fn env_name(key: &str) -> String {
    let mut out: String = key
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect();
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, '_');
    }
    out
}

/// `text` in lower case, runs of other characters than ASCII letters and digits as one `-`.
fn slug(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    out
}

/// The VS Code input ID for the secret `secret` of the entry `key`: stable, and the same when
/// read back and written again.
pub(crate) fn input_id(key: &str, secret: &str) -> String {
    let (key, secret) = (slug(key), slug(secret));
    if key.is_empty() || secret == key || secret.starts_with(&format!("{key}-")) {
        secret
    } else if secret.is_empty() {
        key
    } else {
        format!("{key}-{secret}")
    }
}

/// The placeholder written for a secret the host cannot reference.
pub(crate) fn placeholder(secret: &SecretRef) -> String {
    format!("<set {}>", env_name(secret.key()))
}

fn is_env_name(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// `text` split into text and the references `host` expands.
pub(crate) fn pieces(host: Host, text: &str) -> Vec<Piece> {
    let mut out = Vec::new();
    let mut pending = String::new();
    let mut rest = text;
    while let Some(at) = rest.find(['$', '<']) {
        let before = rest.get(..at).unwrap_or_default();
        let tail = rest.get(at..).unwrap_or_default();
        pending.push_str(before);
        if let Some((reference, used)) = reference_at(host, tail) {
            if !pending.is_empty() {
                out.push(Piece::Text(std::mem::take(&mut pending)));
            }
            out.push(Piece::Reference(reference));
            rest = tail.get(used..).unwrap_or_default();
        } else {
            let mut chars = tail.chars();
            if let Some(c) = chars.next() {
                pending.push(c);
            }
            rest = chars.as_str();
        }
    }
    pending.push_str(rest);
    if !pending.is_empty() {
        out.push(Piece::Text(pending));
    }
    out
}

/// The reference at the start of `tail`, and how many bytes it takes.
fn reference_at(host: Host, tail: &str) -> Option<(Reference, usize)> {
    let reference = |name: &str, kind, default: Option<&str>| Reference {
        name: name.to_owned(),
        kind,
        default: default.map(str::to_owned),
    };
    if let Some(body) = tail.strip_prefix("<set ") {
        let (name, _) = body.split_once('>')?;
        return is_env_name(name).then(|| {
            (
                reference(name, ReferenceKind::Placeholder, None),
                name.len() + 6,
            )
        });
    }
    if let Some(body) = tail.strip_prefix("${") {
        let (inner, _) = body.split_once('}')?;
        let used = inner.len() + 3;
        let found = match host {
            Host::VsCode => match inner.split_once(':') {
                Some(("input", id)) if !id.is_empty() => reference(id, ReferenceKind::Input, None),
                Some(("env", name)) if !name.is_empty() => {
                    reference(name, ReferenceKind::Env, None)
                }
                _ => return None,
            },
            Host::Cursor => match inner.split_once(':') {
                Some(("env", name)) if !name.is_empty() => {
                    reference(name, ReferenceKind::Env, None)
                }
                _ => return None,
            },
            Host::ClaudeCode => match inner.split_once(":-") {
                Some((name, default)) if is_env_name(name) => {
                    reference(name, ReferenceKind::Env, Some(default))
                }
                None if is_env_name(inner) => reference(inner, ReferenceKind::Env, None),
                _ => return None,
            },
            Host::Gemini if is_env_name(inner) => reference(inner, ReferenceKind::Env, None),
            _ => return None,
        };
        return Some((found, used));
    }
    if host == Host::Gemini {
        let body = tail.strip_prefix('$')?;
        let end = body
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(body.len());
        let name = body.get(..end)?;
        return is_env_name(name)
            .then(|| (reference(name, ReferenceKind::Env, None), name.len() + 1));
    }
    None
}

/// The value as a template: text stays text, each reference becomes a secret keyed by its name,
/// described from `descriptions` (by name) when it is there.
pub(crate) fn template(host: Host, text: &str, descriptions: &[(String, String)]) -> Template {
    let mut out = Template::new();
    for piece in pieces(host, text) {
        match piece {
            Piece::Text(text) => out.push(Template::text(text)),
            Piece::Reference(reference) => {
                let description = descriptions
                    .iter()
                    .find(|(name, _)| *name == reference.name)
                    .map(|(_, description)| description.clone());
                out.push(Template::secret(SecretRef::new(
                    reference.name,
                    description,
                    None,
                )));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(host: Host, text: &str) -> Vec<String> {
        pieces(host, text)
            .into_iter()
            .map(|p| match p {
                Piece::Text(t) => format!("text:{t}"),
                Piece::Reference(r) => format!("{:?}:{}:{:?}", r.kind, r.name, r.default),
            })
            .collect()
    }

    #[test]
    fn host_syntax_reads_each_hosts_references() {
        assert_eq!(
            names(Host::ClaudeCode, "Bearer ${TOKEN} ${X:-d} $Y ${env:Z}"),
            [
                "text:Bearer ",
                "Env:TOKEN:None",
                "text: ",
                "Env:X:Some(\"d\")",
                "text: $Y ${env:Z}"
            ]
        );
        assert_eq!(
            names(Host::VsCode, "${input:a-b}${env:HOME}${workspaceFolder}"),
            ["Input:a-b:None", "Env:HOME:None", "text:${workspaceFolder}"]
        );
        assert_eq!(names(Host::Cursor, "${env:K}"), ["Env:K:None"]);
        assert_eq!(
            names(Host::Gemini, "$A-${B}$ $$ é$"),
            ["Env:A:None", "text:-", "Env:B:None", "text:$ $$ é$"]
        );
        assert_eq!(
            names(Host::ClaudeDesktop, "<set K> <set k-1> ${K}"),
            ["Placeholder:K:None", "text: <set k-1> ${K}"]
        );
        assert_eq!(names(Host::Codex, "${unclosed"), ["text:${unclosed"]);
    }

    #[test]
    fn host_names_for_env_and_inputs() {
        assert_eq!(env_name("api-token"), "API_TOKEN");
        assert_eq!(env_name("1x"), "_1X");
        assert_eq!(input_id("github", "GITHUB_TOKEN"), "github-token");
        assert_eq!(input_id("weather", "API_KEY"), "weather-api-key");
        assert_eq!(input_id("weather", "weather-api-key"), "weather-api-key");
        assert_eq!(input_id("", "K"), "k");
    }
}
