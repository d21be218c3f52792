//! The gateway's upstreams: one MCP client per stdio server of a host config file.

use std::fmt;
use std::process::Stdio;
use std::sync::Mutex;

use mcp_policy::ServerFacts;
use mcp_registry_types::host::{Endpoint, ImportedServer};
use rmcp::model::Tool;
use rmcp::service::RunningService;
use rmcp::transport::TokioChildProcess;
use rmcp::{Peer, RoleClient, ServiceError, ServiceExt as _};

/// The separator between an upstream's key and its tool's name on the gateway: `KEY__TOOL`.
pub const SEPARATOR: &str = "__";

/// Why an upstream could not be started.
#[non_exhaustive]
#[derive(Debug)]
pub enum UpstreamError {
    /// The entry is a remote (HTTP) server; this gateway reaches stdio servers only.
    Remote(String),
    /// The key contains the `__` separator, which would make tool names ambiguous.
    BadKey(String),
    /// The entry refers to variables (`${NAME}`), which this gateway does not expand.
    Variables(String),
    /// Two entries have the same key.
    Duplicate(String),
    /// The process could not be started.
    Spawn(String, std::io::Error),
    /// The MCP handshake with the process failed.
    Handshake(String, String),
}

impl fmt::Display for UpstreamError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Remote(key) => write!(
                f,
                "upstream `{key}`: remote servers are not supported yet (stdio only)"
            ),
            Self::BadKey(key) => write!(
                f,
                "upstream `{key}`: a key must not contain `{SEPARATOR}` (tools are named KEY{SEPARATOR}TOOL)"
            ),
            Self::Variables(key) => write!(
                f,
                "upstream `{key}`: variable references (${{NAME}}) are not expanded by the gateway"
            ),
            Self::Duplicate(key) => write!(f, "upstream `{key}` appears twice"),
            Self::Spawn(key, error) => write!(f, "upstream `{key}`: cannot start: {error}"),
            Self::Handshake(key, error) => {
                write!(f, "upstream `{key}`: MCP initialization failed: {error}")
            }
        }
    }
}

impl std::error::Error for UpstreamError {}

/// One upstream server: its key, the facts the policy sees, and the MCP client connected to it.
pub struct Upstream {
    key: String,
    facts: ServerFacts,
    peer: Peer<RoleClient>,
    service: Mutex<Option<RunningService<RoleClient, ()>>>,
}

impl fmt::Debug for Upstream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Upstream")
            .field("key", &self.key)
            .field("facts", &self.facts)
            .finish_non_exhaustive()
    }
}

impl Upstream {
    /// Starts `server`'s program with its arguments and environment (no shell; the child's
    /// stderr goes to ours) and completes the MCP handshake with it.
    ///
    /// # Errors
    ///
    /// When the entry is not a stdio server this gateway can start ([`UpstreamError`]), the
    /// process does not start, or the handshake fails.
    pub async fn start(server: &ImportedServer) -> Result<Self, UpstreamError> {
        let key = server.key().to_owned();
        if key.contains(SEPARATOR) {
            return Err(UpstreamError::BadKey(key));
        }
        if !server.references().is_empty() {
            return Err(UpstreamError::Variables(key));
        }
        let Endpoint::Launch {
            command, args, env, ..
        } = server.endpoint()
        else {
            return Err(UpstreamError::Remote(key));
        };
        let mut facts = ServerFacts::new(key.clone())
            .with_label(key.clone())
            .with_command(std::iter::once(command).chain(args));
        for (name, value) in env {
            facts = facts.with_env(name.clone(), value.clone());
        }
        let mut process = tokio::process::Command::new(command);
        process
            .args(args)
            .envs(env.iter().map(|(name, value)| (name, value)))
            .kill_on_drop(true);
        let (transport, _stderr) = TokioChildProcess::builder(process)
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|error| UpstreamError::Spawn(key.clone(), error))?;
        let service = ()
            .serve(transport)
            .await
            .map_err(|error| UpstreamError::Handshake(key.clone(), error.to_string()))?;
        Ok(Self {
            key,
            facts,
            peer: service.peer().clone(),
            service: Mutex::new(Some(service)),
        })
    }

    /// The key in the upstreams file.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// The server facts the policy sees: the key as name and label, the command line and the
    /// environment from the file.
    pub fn facts(&self) -> &ServerFacts {
        &self.facts
    }

    /// The MCP client connected to the upstream.
    pub fn peer(&self) -> &Peer<RoleClient> {
        &self.peer
    }

    /// The upstream's tools, as it lists them now.
    ///
    /// # Errors
    ///
    /// When the upstream does not answer `tools/list`.
    pub async fn tools(&self) -> Result<Vec<Tool>, ServiceError> {
        self.peer.list_all_tools().await
    }

    /// Closes the connection; the child process is killed when its transport is dropped.
    pub async fn close(&self) {
        let service = self.service.lock().ok().and_then(|mut guard| guard.take());
        if let Some(service) = service {
            // The upstream is going away either way; how it quit is of no further use.
            let _quit = service.cancel().await;
        }
    }
}
