//! The registry's open vocabularies.

use crate::vocab::open_enum::open_enum;

open_enum! {
    /// The package registry a [`Package`](crate::Package) is published to (`registryType`).
    ///
    /// The official registry accepts exactly the known variants; any other value is kept as
    /// [`RegistryType::Unknown`] and reported by validation, never by parsing.
    RegistryType {
        /// npm (`https://registry.npmjs.org`).
        Npm => "npm",
        /// The Python Package Index (`https://pypi.org`).
        Pypi => "pypi",
        /// An OCI image (Docker Hub, GHCR, Quay, …).
        Oci => "oci",
        /// NuGet (`https://api.nuget.org/v3/index.json`).
        Nuget => "nuget",
        /// An MCP bundle downloaded from a GitHub or GitLab release.
        Mcpb => "mcpb",
        /// crates.io (`https://crates.io`).
        Cargo => "cargo",
    }
}

open_enum! {
    /// How a client talks to a server (`transport.type`).
    TransportType {
        /// Standard input and output of a launched process.
        Stdio => "stdio",
        /// MCP streamable HTTP.
        StreamableHttp => "streamable-http",
        /// Server-sent events (the older HTTP transport).
        Sse => "sse",
    }
}

impl TransportType {
    /// Whether the transport reaches the server over the network: streamable HTTP or SSE, the
    /// two a remote may use. `false` for stdio and for values this crate does not know.
    ///
    /// ```
    /// use mcp_registry_types::TransportType;
    ///
    /// assert!(TransportType::Sse.is_remote());
    /// assert!(!TransportType::Stdio.is_remote());
    /// assert!(!TransportType::from("websocket").is_remote());
    /// ```
    pub fn is_remote(&self) -> bool {
        matches!(self, Self::StreamableHttp | Self::Sse)
    }
}

open_enum! {
    /// The lifecycle status of a server version in a registry.
    Status {
        /// Listed and usable.
        Active => "active",
        /// Still listed; clients should warn.
        Deprecated => "deprecated",
        /// Hidden from default listings: spam, malware or a takedown.
        Deleted => "deleted",
    }
}

open_enum! {
    /// The value format of an [`Input`](crate::Input) (`format`); `string` when absent.
    InputFormat {
        /// Free text.
        String => "string",
        /// A decimal number.
        Number => "number",
        /// `true` or `false`.
        Boolean => "boolean",
        /// A path on the user's file system.
        Filepath => "filepath",
    }
}

open_enum! {
    /// The kind of a command-line [`Argument`](crate::Argument) (`type`).
    ArgumentType {
        /// A value inserted verbatim into the command line.
        Positional => "positional",
        /// A `--flag value` pair.
        Named => "named",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_values_round_trip_verbatim() {
        let parsed: RegistryType = serde_json::from_str("\"maven\"").unwrap();
        assert_eq!(parsed, RegistryType::Unknown("maven".to_owned()));
        assert_eq!(serde_json::to_string(&parsed).unwrap(), "\"maven\"");
        assert!(!parsed.is_known());
    }

    #[test]
    fn known_values_parse_to_variants() {
        for known in RegistryType::KNOWN {
            assert_eq!(&RegistryType::from(known.as_str()), known);
        }
        assert_eq!(
            TransportType::from("streamable-http"),
            TransportType::StreamableHttp
        );
        assert_eq!(Status::from("deleted").to_string(), "deleted");
    }

    #[test]
    fn values_are_case_sensitive_like_the_registry() {
        assert_eq!(
            RegistryType::from("NPM"),
            RegistryType::Unknown("NPM".to_owned())
        );
    }
}
