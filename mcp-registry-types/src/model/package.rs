//! A package: an installable artefact that runs the server locally.

use crate::vocab::extra::Extra;
use crate::vocab::small_text::SmallText;
use serde_json::{Map, Value};

use crate::model::input::{Argument, KeyValueInput};
use crate::model::transport::Transport;
use crate::vocab::kinds::RegistryType;

/// One way to install and launch the server (`Package`).
///
/// The 2025-07-09 snake-case spellings (`registry_type`, `runtime_arguments`, …) are read too
/// and written back as they came; the accessors see either spelling.
#[non_exhaustive]
#[derive(Clone, Debug, Default, PartialEq)]
#[expect(clippy::struct_field_names, reason = "the fields are the wire's names")]
pub struct Package {
    pub(crate) registry_type: Option<RegistryType>,
    pub(crate) registry_type_snake: Option<RegistryType>,
    pub(crate) registry_base_url: Option<SmallText>,
    pub(crate) registry_base_url_snake: Option<SmallText>,
    pub(crate) identifier: Option<SmallText>,
    pub(crate) version: Option<SmallText>,
    pub(crate) file_sha256: Option<SmallText>,
    pub(crate) file_sha256_snake: Option<SmallText>,
    pub(crate) runtime_hint: Option<SmallText>,
    pub(crate) runtime_hint_snake: Option<SmallText>,
    pub(crate) transport: Option<Transport>,
    pub(crate) runtime_arguments: Option<Vec<Argument>>,
    pub(crate) runtime_arguments_snake: Option<Vec<Argument>>,
    pub(crate) package_arguments: Option<Vec<Argument>>,
    pub(crate) package_arguments_snake: Option<Vec<Argument>>,
    pub(crate) environment_variables: Option<Vec<KeyValueInput>>,
    pub(crate) environment_variables_snake: Option<Vec<KeyValueInput>>,
    pub(crate) extra: Extra,
}

impl Package {
    /// A package of `registry_type` named `identifier`, launched over `transport`.
    ///
    /// Add the version and the rest with the `with_*` methods; [`ServerJson`](crate::ServerJson)'s
    /// builder validates the whole document.
    pub fn new(
        registry_type: RegistryType,
        identifier: impl Into<String>,
        transport: Transport,
    ) -> Self {
        Self {
            registry_type: Some(registry_type),
            identifier: Some(SmallText::from_string(identifier)),
            transport: Some(transport),
            ..Self::default()
        }
    }

    /// The package registry (`registryType`).
    pub fn registry_type(&self) -> Option<&RegistryType> {
        self.registry_type
            .as_ref()
            .or(self.registry_type_snake.as_ref())
    }

    /// The package registry's base URL (`registryBaseUrl`), if the document names one.
    pub fn registry_base_url(&self) -> Option<&str> {
        self.registry_base_url
            .as_deref()
            .or(self.registry_base_url_snake.as_deref())
    }

    /// The package name, image reference or download URL (empty when the document omits it).
    pub fn identifier(&self) -> &str {
        self.identifier.as_deref().unwrap_or_default()
    }

    /// The package version.
    pub fn version(&self) -> Option<&str> {
        self.version.as_deref()
    }

    /// The SHA-256 of the package file, lower-case hex; clients must verify it.
    pub fn file_sha256(&self) -> Option<&str> {
        self.file_sha256
            .as_deref()
            .or(self.file_sha256_snake.as_deref())
    }

    /// The launcher to use (`npx`, `uvx`, `docker`, `dnx`, …).
    pub fn runtime_hint(&self) -> Option<&str> {
        self.runtime_hint
            .as_deref()
            .or(self.runtime_hint_snake.as_deref())
    }

    /// How the launched process is reached.
    pub fn transport(&self) -> Option<&Transport> {
        self.transport.as_ref()
    }

    /// Arguments for the runtime (`docker run …`, `npx …`).
    pub fn runtime_arguments(&self) -> &[Argument] {
        self.runtime_arguments
            .as_deref()
            .or(self.runtime_arguments_snake.as_deref())
            .unwrap_or_default()
    }

    /// Arguments for the package itself.
    pub fn package_arguments(&self) -> &[Argument] {
        self.package_arguments
            .as_deref()
            .or(self.package_arguments_snake.as_deref())
            .unwrap_or_default()
    }

    /// Environment variables set for the process.
    pub fn environment_variables(&self) -> &[KeyValueInput] {
        self.environment_variables
            .as_deref()
            .or(self.environment_variables_snake.as_deref())
            .unwrap_or_default()
    }

    /// The keys the document spells the argument lists with, for finding paths.
    pub(crate) fn argument_keys(&self) -> [&'static str; 2] {
        let runtime = if self.runtime_arguments.is_none() && self.runtime_arguments_snake.is_some()
        {
            "runtime_arguments"
        } else {
            "runtimeArguments"
        };
        let package = if self.package_arguments.is_none() && self.package_arguments_snake.is_some()
        {
            "package_arguments"
        } else {
            "packageArguments"
        };
        [runtime, package]
    }

    /// Fields this crate does not know (e.g. `postInstallInstructions`), kept verbatim.
    pub fn extra(&self) -> &Map<String, Value> {
        &self.extra
    }

    /// Whether the process needs a value from the user: a required environment variable or
    /// argument with no fixed or default value, or a transport that needs configuration.
    pub fn needs_configuration(&self) -> bool {
        self.environment_variables()
            .iter()
            .any(|e| e.input().needs_value())
            || self
                .runtime_arguments()
                .iter()
                .chain(self.package_arguments())
                .any(|a| a.input().needs_value())
            || self.transport().is_some_and(Transport::needs_configuration)
    }

    /// Sets the version.
    pub fn with_version(mut self, version: impl Into<String>) -> Self {
        self.version = Some(SmallText::from_string(version));
        self
    }

    /// Sets the registry base URL.
    pub fn with_registry_base_url(mut self, url: impl Into<String>) -> Self {
        self.registry_base_url = Some(SmallText::from_string(url));
        self.registry_base_url_snake = None;
        self
    }

    /// Sets the file hash (64 lower-case hex digits).
    pub fn with_file_sha256(mut self, sha256: impl Into<String>) -> Self {
        self.file_sha256 = Some(SmallText::from_string(sha256));
        self.file_sha256_snake = None;
        self
    }

    /// Sets the runtime hint.
    pub fn with_runtime_hint(mut self, hint: impl Into<String>) -> Self {
        self.runtime_hint = Some(SmallText::from_string(hint));
        self.runtime_hint_snake = None;
        self
    }

    /// Adds a runtime argument.
    pub fn with_runtime_argument(mut self, argument: Argument) -> Self {
        let mut args = self
            .runtime_arguments
            .take()
            .or(self.runtime_arguments_snake.take())
            .unwrap_or_default();
        args.push(argument);
        self.runtime_arguments = Some(args);
        self
    }

    /// Adds a package argument.
    pub fn with_package_argument(mut self, argument: Argument) -> Self {
        let mut args = self
            .package_arguments
            .take()
            .or(self.package_arguments_snake.take())
            .unwrap_or_default();
        args.push(argument);
        self.package_arguments = Some(args);
        self
    }

    /// Adds an environment variable.
    pub fn with_environment_variable(mut self, variable: KeyValueInput) -> Self {
        let mut vars = self
            .environment_variables
            .take()
            .or(self.environment_variables_snake.take())
            .unwrap_or_default();
        vars.push(variable);
        self.environment_variables = Some(vars);
        self
    }
}
