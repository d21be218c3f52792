//! Import of host settings files, the format Claude Code, GitHub Copilot and VS Code read:
//! `allowedMcpServers`, `deniedMcpServers`, `allowManagedMcpServersOnly`,
//! `allowManagedPermissionRulesOnly` and `permissions` rules for MCP tools, taken unchanged from a
//! whole stack of settings files and turned into ordinary policy layers.
//!
//! A host reads several files at once (managed, command line, local, project, user) and defines
//! its semantics over all of them, so the stack is imported in one go: the lists merge the way
//! the host documents, and the merged allowlist is checked by a deny rule that no allow or ask
//! rule of any file can get around. Each file becomes one layer named by its scope, so an audit
//! record's `decidedBy.layer` names the file that decided; host behaviour that no file states
//! (tool calls ask for approval, built-in servers pass the allowlist) sits in a last layer named
//! `host`.
//!
//! The files are the host's format, not ours, so parsing is tolerant in the way the hosts
//! document (an invalid entry is stripped with a warning and the rest enforced, for example),
//! and where a host's documentation is silent the reading that fails closed is chosen. Each
//! [`HostFlavour`] variant documents how its host differs.

// Floors, lowest first: `scope` (who ranks, whose semantics), `model` (what a file holds),
// `read` and `build` (file to model, model to layers), then the public API here.
mod build;
mod model;
mod read;
mod scope;

use crate::compile::{CompiledPolicy, Layer};
use crate::diagnostic::{Diagnostic, PolicyError};
use crate::document::Policy;

pub use model::HostSettings;
#[cfg(feature = "fuzzing")]
pub(crate) use model::MANAGED_SCOPE;
pub use scope::{HostFlavour, SettingsScope};

use build::Builder;
use model::{HOST_LAYER, SettingsFile};
use read::Reader;

impl HostSettings {
    /// Reads one managed settings file with Claude Code's semantics: the same as
    /// `from_stack([(SettingsScope::Managed, bytes)], HostFlavour::ClaudeCode)`.
    ///
    /// # Errors
    ///
    /// Returns an error only when the document is not a JSON object, which Claude Code refuses
    /// to start with. Every other problem is a warning (see [`HostSettings::warnings`]), handled
    /// as the host handles it.
    pub fn from_json(bytes: &[u8]) -> Result<Self, PolicyError> {
        Self::from_stack([(SettingsScope::Managed, bytes)], HostFlavour::ClaudeCode)
    }

    /// Reads a stack of settings files, one per scope, in any order: the scope ranks them.
    /// Warnings name the file's scope as their layer when the stack has more than one file.
    ///
    /// # Errors
    ///
    /// Returns an error when two files claim the same scope, or, under Claude Code, when a file
    /// is not a JSON object (Copilot and VS Code read such a file as an empty allowlist).
    pub fn from_stack<'a, I>(files: I, flavour: HostFlavour) -> Result<Self, PolicyError>
    where
        I: IntoIterator<Item = (SettingsScope, &'a [u8])>,
    {
        let mut given: Vec<(SettingsScope, &[u8])> = files.into_iter().collect();
        given.sort_by_key(|(scope, _)| *scope);
        if let Some(pair) = given.windows(2).find(|w| matches!(w, [a, b] if a.0 == b.0)) {
            let scope = pair.first().map_or("", |(s, _)| s.as_str());
            return Err(PolicyError::single(Diagnostic::error(
                "",
                format!("duplicate settings scope `{scope}`"),
            )));
        }
        let single = given.len() == 1;
        let mut out = Self {
            flavour,
            files: Vec::with_capacity(given.len()),
            warnings: Vec::new(),
        };
        for (scope, bytes) in given {
            let mut reader = Reader {
                flavour,
                scope,
                warnings: Vec::new(),
            };
            let file = reader.read(bytes);
            let tag = |d: Diagnostic| d.in_layer(scope.as_str(), single);
            out.warnings.extend(reader.warnings.into_iter().map(tag));
            out.files
                .push(file.map_err(|d| PolicyError::single(tag(d)))?);
        }
        Ok(out)
    }

    /// The flavour the files were read with.
    pub fn flavour(&self) -> HostFlavour {
        self.flavour
    }

    /// The scopes present, highest rank first.
    pub fn scopes(&self) -> impl Iterator<Item = SettingsScope> + '_ {
        self.files.iter().map(|f| f.scope)
    }

    /// What was stripped, ignored or reinterpreted while reading.
    pub fn warnings(&self) -> &[Diagnostic] {
        &self.warnings
    }

    /// Whether `allowManagedMcpServersOnly` is in force: set in the managed file, under Claude
    /// Code.
    pub fn allow_managed_only(&self) -> bool {
        self.flavour == HostFlavour::ClaudeCode
            && self
                .managed()
                .is_some_and(|f| f.managed_servers_only == Some(true))
    }

    /// Whether `allowManagedPermissionRulesOnly` is in force: set in the managed file, under
    /// Claude Code. It is a lock of its own; it does not restrict the MCP allowlist.
    pub fn allow_managed_permission_rules_only(&self) -> bool {
        self.flavour == HostFlavour::ClaudeCode
            && self
                .managed()
                .is_some_and(|f| f.managed_rules_only == Some(true))
    }

    fn managed(&self) -> Option<&SettingsFile> {
        self.files
            .first()
            .filter(|f| f.scope == SettingsScope::Managed)
    }

    /// The equivalent layers, for [`CompiledPolicy::compile_layers`]: one per file, named by its
    /// scope, highest rank first, then the `host` layer.
    pub fn to_layers(&self) -> Vec<Layer> {
        let mut builder = Builder {
            settings: self,
            layers: self.files.iter().map(|_| Policy::new()).collect(),
            host: Policy::new(),
        };
        builder.denylists();
        builder.allowlists();
        builder.host_checks();
        builder.permissions();
        let Builder { layers, host, .. } = builder;
        self.files
            .iter()
            .zip(layers)
            .map(|(file, policy)| Layer::new(file.scope.as_str(), policy))
            .chain(std::iter::once(Layer::new(HOST_LAYER, host)))
            .collect()
    }

    /// Compiles the layers.
    ///
    /// # Errors
    ///
    /// None in practice: the generated layers always compile.
    pub fn compile(&self) -> Result<CompiledPolicy, PolicyError> {
        CompiledPolicy::compile_layers(&self.to_layers())
    }

    /// The stack as one policy document. Rule ids are prefixed with the file's scope
    /// (`user/permissions.allow/0`) when the stack has several files. Prefer
    /// [`HostSettings::compile`], whose audit records name the deciding file's scope as the
    /// layer.
    pub fn to_policy(&self) -> Policy {
        let prefix = self.files.len() > 1;
        let mut out = Policy::new();
        for layer in self.to_layers() {
            out.default_effect = out.default_effect.or(layer.policy.default_effect);
            for mut rule in layer.policy.rules {
                if prefix && layer.name != HOST_LAYER {
                    rule.id = format!("{}/{}", layer.name, rule.id);
                }
                out.rules.push(rule);
            }
        }
        out
    }

    /// Imports one managed file with Claude Code's semantics and compiles it in one step.
    ///
    /// # Errors
    ///
    /// As [`HostSettings::from_json`]; the generated policy always compiles.
    pub fn compile_json(bytes: &[u8]) -> Result<CompiledPolicy, PolicyError> {
        Self::from_json(bytes)?.compile()
    }
}
