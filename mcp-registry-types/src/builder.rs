//! Constructing documents that follow every rule.

use crate::error::Error;
use crate::model::meta::Meta;
use crate::model::package::Package;
use crate::model::server::{Icon, Repository, ServerJson};
use crate::model::transport::Transport;
use crate::validate::{SchemaVersion, Validator};
use crate::vocab::name::ServerName;
use crate::vocab::registry::PUBLISHER_PROVIDED_META;
use crate::vocab::small_text::SmallText;
use crate::vocab::version::ServerVersion;

/// Builds a [`ServerJson`] that the official registry accepts.
///
/// The name and version are checked by their types; [`build`](Self::build) runs every
/// validation layer over the result and refuses a document with any error.
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use mcp_registry_types::{Package, RegistryType, ServerJson, Transport};
///
/// let doc = ServerJson::builder("io.github.acme/weather".parse()?, "1.0.0".parse()?, "Forecasts")
///     .with_package(
///         Package::new(RegistryType::Npm, "@acme/weather", Transport::stdio()).with_version("1.0.0"),
///     )
///     .build()?;
/// assert_eq!(doc.packages().len(), 1);
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Debug)]
pub struct ServerJsonBuilder {
    document: ServerJson,
}

impl ServerJson {
    /// Starts a document with its required fields; `$schema` is set to the current version.
    pub fn builder(
        name: ServerName,
        version: ServerVersion,
        description: impl Into<String>,
    ) -> ServerJsonBuilder {
        ServerJsonBuilder {
            document: ServerJson {
                schema: Some(SmallText::from_string(SchemaVersion::CURRENT.url())),
                name: Some(SmallText::from_string(name.into_string())),
                description: Some(SmallText::from_string(description)),
                version: Some(SmallText::from_string(version.into_string())),
                ..ServerJson::default()
            },
        }
    }
}

impl ServerJsonBuilder {
    /// Sets the display title.
    pub fn with_title(mut self, title: impl Into<String>) -> Self {
        self.document.title = Some(SmallText::from_string(title));
        self
    }

    /// Sets the source repository.
    pub fn with_repository(mut self, repository: Repository) -> Self {
        self.document.repository = Some(repository);
        self
    }

    /// Sets the home page.
    pub fn with_website_url(mut self, url: &url::Url) -> Self {
        self.document.website_url = Some(SmallText::from_string(url.as_str().to_owned()));
        self
    }

    /// Adds an icon.
    pub fn with_icon(mut self, icon: Icon) -> Self {
        self.document.icons.get_or_insert_with(Vec::new).push(icon);
        self
    }

    /// Adds a package.
    pub fn with_package(mut self, package: Package) -> Self {
        self.document
            .packages
            .get_or_insert_with(Vec::new)
            .push(package);
        self
    }

    /// Adds a remote endpoint.
    pub fn with_remote(mut self, remote: Transport) -> Self {
        self.document
            .remotes
            .get_or_insert_with(Vec::new)
            .push(remote);
        self
    }

    /// Sets the publisher's own metadata (at most 4 KiB of JSON).
    pub fn with_publisher_metadata(
        mut self,
        metadata: serde_json::Map<String, serde_json::Value>,
    ) -> Self {
        let mut meta = self
            .document
            .meta
            .take()
            .map(|meta| Meta::into_map(*meta))
            .unwrap_or_default();
        meta.insert(
            PUBLISHER_PROVIDED_META.to_owned(),
            serde_json::Value::Object(metadata),
        );
        self.document.meta = Some(Box::new(meta.into()));
        self
    }

    /// Validates and returns the document.
    ///
    /// # Errors
    /// [`Error::Invalid`] with the report when any rule is broken.
    pub fn build(self) -> Result<ServerJson, Error> {
        let report = Validator::new().validate(&self.document);
        if report.is_valid() {
            Ok(self.document)
        } else {
            Err(Error::Invalid(report))
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::{Error, Package, RegistryType, ServerJson, Transport, UrlTemplate};

    fn builder() -> super::ServerJsonBuilder {
        ServerJson::builder(
            "io.github.acme/weather".parse().unwrap(),
            "1.0.0".parse().unwrap(),
            "Forecasts",
        )
    }

    #[test]
    fn valid_documents_build_with_the_current_schema() {
        let doc = builder()
            .with_remote(Transport::streamable_http(
                UrlTemplate::new("https://api.acme.dev/mcp").unwrap(),
            ))
            .build()
            .unwrap();
        assert_eq!(
            doc.schema(),
            Some("https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json")
        );
        assert!(crate::validate(&doc).findings().is_empty());
    }

    #[test]
    fn documents_breaking_a_rule_are_refused_with_the_report() {
        let no_version = Package::new(RegistryType::Npm, "@acme/weather", Transport::stdio());
        let Err(Error::Invalid(report)) = builder().with_package(no_version).build() else {
            panic!("an npm package without a version must be refused");
        };
        let codes: Vec<_> = report.errors().map(|f| (f.path(), f.code())).collect();
        assert_eq!(codes, [("/packages/0/version", "package-version-required")]);
        let plain_http = Transport::sse(UrlTemplate::new("http://api.acme.dev/sse").unwrap());
        assert!(matches!(
            builder().with_remote(plain_http).build(),
            Err(Error::Invalid(_))
        ));
    }
}
