//! Every diagnostic, with its full text.

mod util;

use util::{diagnostics, warnings};

#[test]
fn unknown_fields_suggest_the_right_name() {
    let found = diagnostics(
        r#"{"rules": [
            {"id": "a", "effect": "allow", "match": {"sevrerName": ["x"]}},
            {"id": "b", "efect": "deny"},
            {"id": "c", "effect": "permit"}
        ], "defualtEffect": "deny"}"#,
    );
    assert_eq!(
        found,
        [
            "/rules/0/match/sevrerName: unknown field `sevrerName`, did you mean `serverName`",
            "/rules/1/efect: unknown field `efect`, did you mean `effect`",
            "/rules/2/effect: unknown variant `permit`, expected one of `allow`, `ask`, `deny`",
            "/defualtEffect: unknown field `defualtEffect`, did you mean `defaultEffect`",
        ]
    );
}

#[test]
fn bad_globs_semver_and_roles_are_all_reported() {
    let found = diagnostics(
        r#"{
            "roles": {"developer": {}, "admin": {"inherits": ["developr"]}},
            "groups": {"eng": ["devloper"]},
            "rules": [
                {"id": "a", "effect": "allow", "match": {"serverName": ["ok/*"]}},
                {"id": "b", "effect": "allow", "match": {"serverName": ["[a"]}},
                {"id": "c", "effect": "allow", "match": {"version": ">>1"}},
                {"id": "d", "effect": "allow", "match": {"roles": ["admn"]}},
                {"id": "d", "effect": "deny", "match": {"transport": ["stdoi"]}}
            ]
        }"#,
    );
    assert_eq!(
        found,
        [
            "/roles/admin/inherits: unknown role `developr`, did you mean `developer`",
            "/groups/eng: unknown role `devloper`, did you mean `developer`",
            "/rules/1/match/serverName: invalid glob `[a`: unclosed character class",
            "/rules/2/match/version: invalid version requirement `>>1`: unexpected character '>' while parsing major version number",
            "/rules/3/match/roles: unknown role `admn`, did you mean `admin`",
            "/rules/4/id: duplicate rule id `d` (first at /rules/3)",
            "/rules/4/match/transport: unknown transport `stdoi`, did you mean `stdio`",
        ]
    );
}

#[test]
fn parse_errors_do_not_hide_compile_errors() {
    let found = diagnostics(
        r#"{"roles": {"dev": {"inherit": []}}, "rules": [
            {"id": "a", "effect": "alow"},
            {"id": "b", "effect": "allow", "match": {"tool": ["[x"], "roles": ["dev", "ops"]}}
        ]}"#,
    );
    assert_eq!(
        found,
        [
            "/rules/0/effect: unknown variant `alow`, did you mean `allow`",
            "/roles/dev/inherit: unknown field `inherit`, did you mean `inherits`",
            "/rules/1/match/tool: invalid glob `[x`: unclosed character class",
            "/rules/1/match/roles: unknown role `ops`",
        ]
    );
}

#[test]
fn role_cycles_are_errors() {
    let found = diagnostics(
        r#"{"roles": {
            "a": {"inherits": ["b"]},
            "b": {"inherits": ["c"]},
            "c": {"inherits": ["a"]},
            "self": {"inherits": ["self"]}
        }}"#,
    );
    assert_eq!(
        found,
        [
            "/roles/a/inherits: role inheritance cycle `a` -> `b` -> `c` -> `a`",
            "/roles/self/inherits: role inheritance cycle `self` -> `self`",
        ]
    );
}

#[test]
fn invalid_json_has_a_location() {
    assert_eq!(
        diagnostics("{\"rules\": [}"),
        ["/: invalid json: expected value at line 1 column 12"]
    );
}

#[test]
fn the_error_display_counts_the_rest() {
    let err = mcp_policy::Policy::from_json(
        br#"{"rules": [{"id": "a", "effect": "nope"}, {"id": "b", "effect": "nope"}]}"#,
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "/rules/0/effect: unknown variant `nope`, expected one of `allow`, `ask`, `deny` (and 1 more error)"
    );
}

#[test]
fn analysis_warnings() {
    let found = warnings(
        r#"{"rules": [
            {"id": "github", "effect": "allow", "match": {"serverName": ["io.github.*"]}},
            {"id": "github-acme", "effect": "allow", "match": {"serverName": ["io.github.acme/x"], "action": ["connect"]}},
            {"id": "no-shell", "effect": "deny", "match": {"tool": ["shell*"]}},
            {"id": "shell-for-ops", "effect": "allow", "match": {"tool": ["shell_exec"], "groups": ["ops"]}},
            {"id": "nobody", "effect": "allow", "match": {"users": []}},
            {"id": "backwards", "effect": "allow", "match": {"time": {"notBefore": 10, "notAfter": 5}}},
            {"id": "never-https", "effect": "deny", "match": {"httpsOnly": true, "remoteUrl": ["http://x/*"]}}
        ]}"#,
    );
    assert_eq!(
        found,
        [
            "/rules/1: rule `github-acme` is shadowed by rule `github` (/rules/0), which applies whenever it does with the same effect",
            "/rules/3: allow rule `shell-for-ops` never takes effect: deny rule `no-shell` (/rules/2) applies whenever it does",
            "/rules/4: rule `nobody` can never match: `users`: an empty list matches nothing",
            "/rules/5: rule `backwards` can never match: `time`: `notAfter` 5 is before `notBefore` 10",
            "/rules/6: rule `never-https` can never match: `remoteUrl`: every pattern is `http://`, but `httpsOnly` is true",
        ]
    );
}

#[test]
fn layers_are_named_in_diagnostics() {
    use mcp_policy::{CompiledPolicy, Layer, Policy};
    let bad = Policy::from_json(
        br#"{"rules": [{"id": "a", "effect": "allow", "match": {"tool": ["[z-a]"]}}]}"#,
    )
    .unwrap();
    let err = CompiledPolicy::compile_layers(&[
        Layer::new("managed", Policy::new()),
        Layer::new("user", bad),
    ])
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "layer `user`: /rules/0/match/tool: invalid glob `[z-a]`: character range `z-a` is out of order"
    );
}

#[test]
fn issue_12_keys_and_layer_names_cannot_attack_the_terminal() {
    use mcp_policy::{CompiledPolicy, Layer, Policy};
    let key = "x\u{1b}]0;title\u{7}\u{1b}[2J\u{9b}\u{7f}\u{202e}\u{200b}\u{e0041}";
    let json = serde_json::json!({"rules": [{"id": "a", "effect": "allow", "match": {key: 1}}]});
    let err = Policy::from_json(json.to_string().as_bytes()).unwrap_err();
    let diagnostic = err.diagnostics().iter().next().unwrap();
    assert_eq!(diagnostic.path(), format!("/rules/0/match/{key}"));
    let escaped = r"x\u{1b}]0;title\u{7}\u{1b}[2J\u{9b}\u{7f}\u{202e}\u{200b}\u{e0041}";
    assert_eq!(
        diagnostic.to_string(),
        format!(
            "/rules/0/match/{escaped}: unknown field `{escaped}`, expected one of {}",
            diagnostic
                .message()
                .split_once(", expected one of ")
                .unwrap()
                .1
        )
    );

    let bad = Policy::from_json(
        br#"{"rules": [{"id": "a", "effect": "allow", "match": {"tool": ["[z-a]"]}}]}"#,
    )
    .unwrap();
    let err = CompiledPolicy::compile_layers(&[
        Layer::new("managed", Policy::new()),
        Layer::new("user\u{202e}\u{1b}[2J", bad),
    ])
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "layer `user\\u{202e}\\u{1b}[2J`: /rules/0/match/tool: invalid glob `[z-a]`: character range `z-a` is out of order"
    );
}
