//! The fuzz-target properties, run on stable over seeds and random inputs.

use mcp_policy::fuzzing::{check_differential, check_host_settings, check_policy_document};
use proptest::prelude::*;

const POLICY_SEEDS: [&str; 6] = [
    r#"{"rules": [{"id": "a", "effect": "allow", "match": {"serverName": ["io.github.*"]}}]}"#,
    r#"{"rules": [{"id": "a", "effect": "allow", "match": {"serverName": ["[a"]}}]}"#,
    r#"{"roles": {"a": {"inherits": ["a"]}}}"#,
    r#"{"rules": [{"id": "", "effect": "deny", "quota": {"counter": "", "limit": 0, "windowSeconds": 0}}]}"#,
    "[1, 2",
    r#"{"rules": {"id": "a"}}"#,
];

const SETTINGS_SEEDS: [&str; 5] = [
    r#"{"allowedMcpServers": "nope"}"#,
    r#"{"allowedMcpServers": {"serverName": "x"}}"#,
    r#"{"allowedMcpServers": [{"serverName": "weather"}], "permissions": {"allow": ["mcp__weather"]}}"#,
    r#"{"deniedMcpServers": [{"serverName": "[*?\\"}], "permissions": {"deny": ["mcp__[x*__y"]}}"#,
    r#"{"allowedMcpServers": 3, "allowManagedMcpServersOnly": 1}"#,
];

#[test]
fn seeds_hold_their_properties() {
    for seed in POLICY_SEEDS {
        assert_eq!(check_policy_document(seed.as_bytes()), Ok(()), "{seed}");
    }
    for seed in SETTINGS_SEEDS {
        assert_eq!(check_host_settings(seed.as_bytes()), Ok(()), "{seed}");
    }
    let request =
        br#"{"principal": {"id": "u"}, "action": "connect", "server": {"name": "io.github.a/x"}}"#;
    assert_eq!(
        check_differential(POLICY_SEEDS[0].as_bytes(), request),
        Ok(())
    );
}

fn json_text() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        Just("null".to_owned()),
        any::<bool>().prop_map(|b| b.to_string()),
        any::<i32>().prop_map(|n| n.to_string()),
        prop::sample::select(vec![
            "\"allow\"",
            "\"deny\"",
            "\"ask\"",
            "\"x\"",
            "\"[a\"",
            "\"io.*\"",
            "\"https://*.x/*\"",
            "\"mcp__x__*\"",
            "\"*\"",
            "\"callTool\"",
            "\">=1\"",
        ])
        .prop_map(str::to_owned),
    ];
    let keys = prop::sample::select(vec![
        "rules",
        "id",
        "effect",
        "match",
        "serverName",
        "roles",
        "inherits",
        "groups",
        "tool",
        "version",
        "allowedMcpServers",
        "deniedMcpServers",
        "serverUrl",
        "serverCommand",
        "permissions",
        "allow",
        "deny",
        "quota",
        "except",
        "anyOf",
        "remoteUrl",
    ]);
    leaf.prop_recursive(4, 32, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(|v| format!("[{}]", v.join(","))),
            prop::collection::vec((keys.clone(), inner), 0..5).prop_map(|v| {
                let fields: Vec<String> =
                    v.into_iter().map(|(k, v)| format!("\"{k}\":{v}")).collect();
                format!("{{{}}}", fields.join(","))
            }),
        ]
    })
}

proptest! {
    #[test]
    fn arbitrary_documents_never_break_the_properties(doc in json_text(), bytes in prop::collection::vec(any::<u8>(), 0..64)) {
        prop_assert_eq!(check_policy_document(doc.as_bytes()), Ok(()));
        prop_assert_eq!(check_host_settings(doc.as_bytes()), Ok(()));
        prop_assert_eq!(check_policy_document(&bytes), Ok(()));
        prop_assert_eq!(check_host_settings(&bytes), Ok(()));
    }
}

proptest! {
    #[test]
    fn url_patterns_agree_with_the_oracle(
        pattern in "(\\*|https?|HTTPS)(://)?([a-zA-Z.*?:0-9]{0,12})(/[a-zA-Z*?/]{0,8})?",
        url in "(https?|HTTP)(://|:/|:)?([a-zA-Z.@:0-9\\\\%\\[\\] \t\u{ff41}\u{3002}\u{ad}]{0,14})(/[a-zA-Z/?#.%]{0,8})?",
    ) {
        let input = format!("{pattern}\n{url}");
        prop_assert_eq!(mcp_policy::fuzzing::check_url_pattern(input.as_bytes()), Ok(()));
    }
}

#[test]
fn url_pattern_seeds() {
    for seed in [
        "https://*.example.com/*\nhttps://a.example.com/x",
        "https://Mcp.Example.com\nhttps://mcp.example.com./any",
        "http://localhost:*/*\nhttp://localhost:3000/mcp",
        "*://mcp.example.com/*\nhttps://user@mcp.example.com/x",
        "a?c\nabc",
        "https://good.example/*\nhttps://evil.example\\@good.example/mcp",
        "https://*.vendor.example/*\nhttps://evil.test/.vendor.example/x",
        "https://good.example/*\nhttps:good.example/",
        "https://good.example/*\nhttps://good%2Eexample/",
        "https://good.example/*\nhttps://\u{ff47}ood.example/",
        "*\nhttp://[::ffff:169.254.169.254]/",
        "*\nhttp://[64:ff9b::10.0.0.1]/",
        "*\nhttp://0x7f.1/",
        "*\nhttp://[fe80::1%25eth0]/",
        "[a\nx",
    ] {
        assert_eq!(
            mcp_policy::fuzzing::check_url_pattern(seed.as_bytes()),
            Ok(()),
            "{seed}"
        );
    }
}
