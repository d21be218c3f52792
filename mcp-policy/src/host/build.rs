//! Turning the files read into policy layers: merged lists, the allowlist check, permission
//! rules, and the host's own behaviour.

use mcp_registry_types::TransportType;

use super::model::{
    BUILTIN_SCOPE, HostSettings, MANAGED_SCOPE, McpAccess, SERVER_ACTIONS, ServerEntry,
    SettingsFile, ToolRule, escape_glob,
};
use super::scope::{HostFlavour, SettingsScope};
use crate::document::{Effect, Match, Policy, Rule};
use crate::request::Action;

/// Builds the layers: one policy per file (same order as `settings.files`) and the host layer.
pub(super) struct Builder<'a> {
    pub(super) settings: &'a HostSettings,
    pub(super) layers: Vec<Policy>,
    pub(super) host: Policy,
}

impl<'a> Builder<'a> {
    pub(super) fn flavour(&self) -> HostFlavour {
        self.settings.flavour
    }

    pub(super) fn push(&mut self, file: usize, rule: Rule) {
        if let Some(layer) = self.layers.get_mut(file) {
            layer.rules.push(rule);
        }
    }

    /// `deniedMcpServers`, from every file under every flavour.
    pub(super) fn denylists(&mut self) {
        let copilot = self.flavour().copilot_lists();
        for (f, file) in self.settings.files.iter().enumerate() {
            for (i, entry) in file.denied.iter().enumerate() {
                let mut rule = Rule::new(format!("deniedMcpServers/{i}"), Effect::Deny)
                    .with_reason(format!(
                        "server is explicitly blocked by enterprise policy ({})",
                        entry.describe()
                    ))
                    .with_match(entry.to_match(None));
                if copilot {
                    // "First-party Copilot servers, such as the built-in GitHub MCP server, are
                    // exempt from deny rules and cannot be blocked."
                    rule = rule.with_except(scope_match(BUILTIN_SCOPE));
                }
                self.push(f, rule);
            }
        }
    }

    pub(super) fn allowlists(&mut self) {
        if self.flavour().copilot_lists() {
            self.intersected_allowlists();
        } else {
            self.merged_allowlist();
        }
    }

    /// Claude Code: one allowlist, the union of every file's (or the managed one alone under
    /// `allowManagedMcpServersOnly`), checked type-aware by one deny rule.
    pub(super) fn merged_allowlist(&mut self) {
        let lock = self.settings.allow_managed_only();
        let sources = self.allowlists_kept(|f| !lock || f.scope == SettingsScope::Managed);
        self.allowlist_default(sources.is_some());
        let Some(sources) = sources else {
            return;
        };
        let Some(&(first, _)) = sources.first() else {
            return;
        };
        // Type-aware: once a `serverUrl` entry exists anywhere in the merged list, remote servers
        // must match a URL; once a `serverCommand` entry exists, stdio servers must match a
        // command.
        let mut merged = sources.iter().flat_map(|(_, entries)| entries.iter());
        let has_url = merged.clone().any(|e| matches!(e, ServerEntry::Url(_)));
        let has_command = merged.any(|e| matches!(e, ServerEntry::Command(_)));
        let name_transport = match (has_url, has_command) {
            (false, false) => Some(None),
            (true, false) => Some(Some(vec![TransportType::Stdio])),
            (false, true) => Some(Some(vec![
                TransportType::StreamableHttp,
                TransportType::Sse,
            ])),
            (true, true) => None,
        };
        let alternatives = |entries: &[ServerEntry]| -> Vec<Match> {
            entries
                .iter()
                .filter_map(|e| match e {
                    ServerEntry::Name(_) => name_transport.clone().map(|t| e.to_match(t)),
                    _ => Some(e.to_match(None)),
                })
                .collect()
        };
        // The host's own servers skip the allowlist, not the denylist; so do the organization's,
        // while nothing in their configuration depends on the machine's environment.
        let exemptions = [
            scope_match(BUILTIN_SCOPE),
            Match {
                scope: Some(vec![MANAGED_SCOPE.into()]),
                variable_reference: Some(false),
                ..Match::default()
            },
        ];
        let mut unmatched = Rule::new("allowedMcpServers/unmatched", Effect::Deny)
            .with_reason("server matches no `allowedMcpServers` entry");
        unmatched.except = sources
            .iter()
            .flat_map(|(_, entries)| alternatives(entries))
            .chain(exemptions.iter().cloned())
            .collect();
        self.push(first, unmatched);
        for (f, entries) in &sources {
            let any_of = alternatives(entries);
            // INVARIANT: an allow rule with no alternatives would hold for every server.
            if !any_of.is_empty() {
                let mut rule = server_allow(
                    "allowedMcpServers",
                    "server is allowed by `allowedMcpServers`",
                );
                rule.any_of = any_of;
                self.push(*f, rule);
            }
        }
        let [builtin, managed] = exemptions;
        self.host.rules.push(
            server_allow(
                "builtinServer",
                "the host's built-in servers are exempt from the allowlist",
            )
            .with_any_of(builtin),
        );
        self.host.rules.push(
            server_allow(
                "managedServer",
                "servers the organization deploys are exempt from the allowlist while their \
                 configuration holds no environment variable reference",
            )
            .with_any_of(managed),
        );
    }

    /// The allowlists of the files `counts` keeps, by file index; with none, every server is
    /// allowed (the default becomes allow, said by a rule) and `None` comes back. Otherwise the
    /// default is deny and the list is not empty.
    fn allowlists_kept(
        &self,
        counts: impl Fn(&SettingsFile) -> bool,
    ) -> Option<Vec<(usize, &'a [ServerEntry])>> {
        let settings: &'a HostSettings = self.settings;
        let sources: Vec<(usize, &'a [ServerEntry])> = settings
            .files
            .iter()
            .enumerate()
            .filter(|(_, f)| counts(f))
            .filter_map(|(i, f)| f.allowed.as_deref().map(|a| (i, a)))
            .collect();
        (!sources.is_empty()).then_some(sources)
    }

    /// Sets the default effect from whether any allowlist counts.
    fn allowlist_default(&mut self, any: bool) {
        if any {
            self.host.default_effect = Some(Effect::Deny);
        } else {
            self.host.default_effect = Some(Effect::Allow);
            self.host.rules.push(server_allow(
                "allowedMcpServers",
                "no allowlist is set, so every server is allowed",
            ));
        }
    }

    /// Copilot: "a server must match an allowlist entry at every layer that defines one", so
    /// every file with an allowlist gets a deny rule of its own.
    pub(super) fn intersected_allowlists(&mut self) {
        let sources = self.allowlists_kept(|_| true);
        self.allowlist_default(sources.is_some());
        let Some(sources) = sources else {
            return;
        };
        let Some(&(first, first_entries)) = sources.first() else {
            return;
        };
        for (f, entries) in &sources {
            let mut rule = Rule::new("allowedMcpServers/unmatched", Effect::Deny)
                .with_reason("server matches no `allowedMcpServers` entry of this file");
            rule.except = entries
                .iter()
                .map(|e| e.to_match(None))
                .chain(std::iter::once(scope_match(BUILTIN_SCOPE)))
                .collect();
            self.push(*f, rule);
        }
        if !first_entries.is_empty() {
            let mut rule = server_allow(
                "allowedMcpServers",
                "server is allowed by every `allowedMcpServers` list",
            );
            rule.any_of = first_entries.iter().map(|e| e.to_match(None)).collect();
            self.push(first, rule);
        }
        self.host.rules.push(
            server_allow(
                "builtinServer",
                "the host's built-in servers are always allowed",
            )
            .with_any_of(scope_match(BUILTIN_SCOPE)),
        );
    }

    /// Checks the host makes whatever the files say.
    pub(super) fn host_checks(&mut self) {
        if !self.flavour().copilot_lists() {
            return;
        }
        // "Block the server if its URL or command contains an unresolved variable, such as
        // `${VARIABLE}` or `$VARIABLE`, because the client cannot verify the server."
        self.host.rules.push(
            Rule::new("unresolvedVariable", Effect::Deny)
                .with_reason(
                    "the server's configuration holds an environment variable reference, so the \
                     host cannot verify which server it is",
                )
                .with_match(Match {
                    variable_reference: Some(true),
                    ..Match::default()
                })
                .with_except(scope_match(BUILTIN_SCOPE)),
        );
        if self.flavour() == HostFlavour::VsCode {
            self.mcp_access();
        }
    }

    /// VS Code's `chat.mcp.access`: a policy (the managed file) overrides every other file; among
    /// the others, whose precedence for this key VS Code does not document, the most restrictive
    /// value applies.
    pub(super) fn mcp_access(&mut self) {
        let files = &self.settings.files;
        let managed = files
            .iter()
            .position(|f| f.scope == SettingsScope::Managed && f.mcp_access.is_some());
        let chosen = managed.or_else(|| {
            files
                .iter()
                .enumerate()
                .filter_map(|(i, f)| f.mcp_access.map(|a| (a, i)))
                .min()
                .map(|(_, i)| i)
        });
        let Some((f, access)) = chosen.and_then(|i| Some((i, files.get(i)?.mcp_access?))) else {
            return;
        };
        // The registry counts only from a file ranked at least as high as the one that chose
        // `registry`, so a lower file cannot point a managed `registry` at a registry of its own.
        let gallery = files.iter().take(f + 1).find_map(|f| f.gallery.clone());
        let rule = Rule::new("chat.mcp.access", Effect::Deny);
        let rule = match (access, gallery) {
            (McpAccess::All, _) => return,
            (McpAccess::None, _) => {
                rule.with_reason("mcp servers are turned off (`chat.mcp.access` is `none`)")
            }
            (McpAccess::Registry, Some(url)) => rule
                .with_reason(format!(
                    "only servers from the registry `{url}` may run (`chat.mcp.access` is \
                     `registry`)"
                ))
                .with_except(Match {
                    registry: Some(vec![url]),
                    ..Match::default()
                }),
            (McpAccess::Registry, None) => rule.with_reason(
                "only servers from the registry vs code is connected to may run, and no \
                 `chat.mcp.gallery.serviceUrl` names it",
            ),
        };
        self.push(f, rule);
    }

    pub(super) fn permissions(&mut self) {
        if self.flavour() == HostFlavour::VsCode {
            self.host.rules.push(tool_call_approval(Vec::new()));
            return;
        }
        let lock = self.settings.allow_managed_permission_rules_only();
        let copilot = self.flavour() == HostFlavour::Copilot;
        let mut allows = Vec::new();
        for (f, file) in self.settings.files.iter().enumerate() {
            if lock && file.scope != SettingsScope::Managed {
                continue;
            }
            for (i, rule) in file.deny.iter().enumerate() {
                self.push(
                    f,
                    Rule::new(format!("permissions.deny/{i}"), Effect::Deny)
                        .with_reason(format!("tool blocked by permission rule `{}`", rule.source))
                        .with_match(rule.to_match()),
                );
            }
            for (i, rule) in file.ask.iter().enumerate() {
                self.push(
                    f,
                    Rule::new(format!("permissions.ask/{i}"), Effect::Ask)
                        .with_reason(format!(
                            "permission rule `{}` asks for approval",
                            rule.source
                        ))
                        .with_match(rule.to_match()),
                );
            }
            for (i, rule) in file.allow.iter().enumerate() {
                self.push(
                    f,
                    Rule::new(format!("permissions.allow/{i}"), Effect::Allow)
                        .with_reason(format!("tool allowed by permission rule `{}`", rule.source))
                        .with_match(rule.to_match()),
                );
                allows.push(rule.to_match());
            }
            if copilot && file.allow_declared {
                // "The effective allowlist is the intersection of all sources that declare one,
                // not the union": a call this file's allow list does not cover asks.
                let mut unmatched = Rule::new("permissions.allow/unmatched", Effect::Ask)
                    .with_reason("no `permissions.allow` rule of this file covers the tool call")
                    .with_match(Match {
                        action: Some(vec![Action::CallTool]),
                        ..Match::default()
                    });
                unmatched.except = file.allow.iter().map(ToolRule::to_match).collect();
                self.push(f, unmatched);
            }
        }
        self.host.rules.push(tool_call_approval(allows));
    }
}

/// Tool calls no allow rule covers ask, as a host does in its default permission mode.
pub(super) fn tool_call_approval(allows: Vec<Match>) -> Rule {
    let mut rule = Rule::new("toolCallApproval", Effect::Ask)
        .with_reason("tool calls need approval unless a `permissions.allow` rule covers them")
        .with_match(Match {
            action: Some(vec![Action::CallTool]),
            ..Match::default()
        });
    rule.except = allows;
    rule
}

pub(super) fn server_allow(id: &str, reason: &str) -> Rule {
    Rule::new(id, Effect::Allow)
        .with_reason(reason)
        .with_match(Match {
            action: Some(SERVER_ACTIONS.to_vec()),
            ..Match::default()
        })
}

pub(super) fn scope_match(scope: &str) -> Match {
    Match {
        scope: Some(vec![scope.into()]),
        ..Match::default()
    }
}

impl ServerEntry {
    pub(super) fn describe(&self) -> String {
        match self {
            Self::Name(n) => format!("serverName `{n}`"),
            Self::Url(u) => format!("serverUrl `{u}`"),
            Self::Command(c) => format!("serverCommand `{}`", c.join(" ")),
        }
    }

    pub(super) fn to_match(&self, transport: Option<Vec<TransportType>>) -> Match {
        match self {
            Self::Name(n) => Match {
                server_label: Some(vec![escape_glob(n)]),
                transport,
                ..Match::default()
            },
            // Every flavour's patterns are canonicalised (case, default port, fragment, trailing
            // dot, percent-encoded host octets) when the policy compiles; see `crate::url`.
            Self::Url(u) => Match {
                remote_url: Some(vec![u.clone()]),
                ..Match::default()
            },
            Self::Command(c) => Match {
                command: Some(vec![c.clone()]),
                ..Match::default()
            },
        }
    }
}

impl ToolRule {
    pub(super) fn to_match(&self) -> Match {
        Match {
            action: Some(vec![Action::CallTool]),
            server_label: self.server.clone().map(|s| vec![s]),
            tool: self.tool.clone().map(|t| vec![t]),
            ..Match::default()
        }
    }
}
