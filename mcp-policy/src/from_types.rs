//! Server facts from `mcp-registry-types` values, so a host writes one line.

use mcp_registry_types::{ServerJson, ServerResponse, TransportType};

use crate::request::{PackageFacts, RemoteFacts, ServerFacts, host_transport};

impl ServerFacts {
    /// Facts read from a `server.json` document: name, version, packages (registry type,
    /// identifier, version, transport, whether a `fileSha256` is present), remotes, and the
    /// status if the document carries one.
    ///
    /// Reading does not validate: any document that parsed gives facts, and
    /// [`validation_clean`](ServerFacts::validation_clean) stays `false`, "not known to be
    /// clean", so a rule that wants `validationClean: true` does not match them. A caller that
    /// wants the validation result runs it, keeps the report for its findings, and records it
    /// with [`ServerFacts::with_validation_clean`]:
    ///
    /// ```
    /// use mcp_policy::ServerFacts;
    /// use mcp_registry_types::{ServerJson, validate};
    ///
    /// # fn main() -> Result<(), mcp_registry_types::ParseError> {
    /// let doc: ServerJson = r#"{"name": "io.github.acme/weather", "description": "Forecasts",
    ///                           "version": "^1.0"}"#.parse()?;
    /// let report = validate(&doc);
    /// let facts = ServerFacts::from_server_json(&doc).with_validation_clean(report.is_valid());
    /// assert!(!facts.validation_clean);
    /// for finding in report.errors() {
    ///     println!("{finding}");
    /// }
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// The registry the entry came from, the host's label and the configured stdio command are
    /// the host's to add too ([`ServerFacts::with_registry`], [`ServerFacts::with_label`],
    /// [`ServerFacts::with_command`]).
    pub fn from_server_json(server: &ServerJson) -> Self {
        let packages = server
            .packages()
            .iter()
            .map(|p| PackageFacts {
                registry_type: p.registry_type().map_or("", |t| t.as_str()).to_owned(),
                identifier: p.identifier().to_owned(),
                version: p.version().map(str::to_owned),
                transport: p
                    .transport()
                    .and_then(|t| t.transport_type())
                    .map(|t| host_transport(t.clone())),
                has_file_sha256: p.file_sha256().is_some_and(|h| !h.is_empty()),
            })
            .collect();
        let remotes = server
            .remotes()
            .iter()
            .filter_map(|t| {
                let url = t.url()?;
                let kind = t
                    .transport_type()
                    .map_or(TransportType::Unknown(String::new()), |k| {
                        host_transport(k.clone())
                    });
                Some(RemoteFacts::new(kind, url))
            })
            .collect();
        let version = Some(server.version())
            .filter(|v| !v.is_empty())
            .map(str::to_owned);
        Self {
            name: server.name().to_owned(),
            label: None,
            version,
            status: server.legacy_status().map(|s| s.as_str().to_owned()),
            registry: None,
            packages,
            remotes,
            command: None,
            env: std::collections::BTreeMap::new(),
            headers: std::collections::BTreeMap::new(),
            validation_clean: false,
        }
    }

    /// Facts from a registry API response: as [`ServerFacts::from_server_json`] (no validation),
    /// with the status from the official registry's `_meta` block (`active` when it says
    /// nothing).
    pub fn from_response(response: &ServerResponse) -> Self {
        let mut facts = Self::from_server_json(response.server());
        facts.status = Some(response.status().as_str().to_owned());
        facts
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn facts_from_a_server_json() {
        let doc: ServerJson = r#"{
            "$schema": "https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json",
            "name": "io.github.acme/weather",
            "description": "Forecasts",
            "version": "1.2.0",
            "packages": [{"registryType": "npm", "identifier": "@acme/weather", "version": "1.2.0",
                          "transport": {"type": "stdio"}}],
            "remotes": [{"type": "streamable-http", "url": "https://weather.acme.example/mcp"}]
        }"#
        .parse()
        .unwrap();
        let facts = ServerFacts::from_server_json(&doc);
        assert_eq!(facts.name, "io.github.acme/weather");
        assert_eq!(facts.version.as_deref(), Some("1.2.0"));
        assert_eq!(facts.packages.len(), 1);
        assert_eq!(
            facts.packages.first().map(|p| p.registry_type.as_str()),
            Some("npm")
        );
        assert_eq!(
            facts.packages.first().and_then(|p| p.transport.clone()),
            Some(TransportType::Stdio)
        );
        assert!(facts.is_pinned());
        assert!(facts.is_stdio() && facts.is_remote());
        assert_eq!(
            facts.remotes,
            [RemoteFacts::new(
                TransportType::StreamableHttp,
                "https://weather.acme.example/mcp"
            )]
        );
    }

    #[test]
    fn reading_facts_does_not_validate() {
        // Valid: the facts still do not claim it, since nothing validated it.
        let valid: ServerJson = r#"{
            "$schema": "https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json",
            "name": "io.github.acme/weather", "description": "Forecasts", "version": "1.2.0"
        }"#
        .parse()
        .unwrap();
        assert!(mcp_registry_types::validate(&valid).is_valid());
        assert!(!ServerFacts::from_server_json(&valid).validation_clean);

        // Invalid (no `$schema`, a range for a version, a plain-http remote): facts all the same.
        let invalid: ServerJson = r#"{
            "name": "io.github.acme/weather", "description": "Forecasts", "version": "^1.2",
            "remotes": [{"type": "sse", "url": "http://weather.acme.example/sse"}]
        }"#
        .parse()
        .unwrap();
        let facts = ServerFacts::from_server_json(&invalid);
        assert_eq!(facts.version.as_deref(), Some("^1.2"));
        assert_eq!(
            facts.remotes,
            [RemoteFacts::new(
                TransportType::Sse,
                "http://weather.acme.example/sse"
            )]
        );
        assert!(!facts.validation_clean);

        // Validation is the caller's: run it, keep the report, record the verdict.
        for (doc, clean) in [(&valid, true), (&invalid, false)] {
            let report = mcp_registry_types::validate(doc);
            let facts = ServerFacts::from_server_json(doc).with_validation_clean(report.is_valid());
            assert_eq!(facts.validation_clean, clean);
            assert_eq!(report.errors().next().is_none(), clean);
        }
    }

    #[test]
    fn status_comes_from_the_response_meta() {
        let response = ServerResponse::from_slice(
            br#"{"server": {"name": "io.github.acme/weather", "description": "d", "version": "1.0.0"},
                 "_meta": {"io.modelcontextprotocol.registry/official":
                    {"status": "deprecated", "publishedAt": "2025-01-01T00:00:00Z", "isLatest": true}}}"#,
        )
        .unwrap();
        let facts = ServerFacts::from_response(&response);
        assert_eq!(facts.status.as_deref(), Some("deprecated"));
    }
}
