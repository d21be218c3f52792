//! temp
use mcp_policy::*;
fn main() {
    let roles: usize = std::env::args().nth(1).map_or(2000, |a| a.parse().unwrap());
    let mut rules = vec![
        serde_json::json!({"id": "https-only", "effect": "deny", "match": {"httpsOnly": false}}),
        serde_json::json!({"id": "no-private", "effect": "deny", "match": {"privateNetwork": true}}),
    ];
    for k in 0..10 {
        rules.push(serde_json::json!({"id": format!("url-{k}"), "effect": "allow",
        "match": {"remoteUrl": [format!("https://*.vendor{k}.example/*")], "roles": [format!("role{}", k % roles)], "action": ["connect", "listTools", "callTool"]}}));
    }
    let mut policy = Policy::from_value(&serde_json::json!({ "rules": rules })).unwrap();
    policy.roles = (0..roles)
        .map(|r| (format!("role{r}"), RoleSpec::default()))
        .collect();
    let compiled = policy.compile().unwrap();
    let request = Request::new(
        Principal::new("alice").with_role(format!("role{}", 5 % roles)),
        Action::CallTool,
        ServerFacts::new("io.github.vendor5/server").with_remote(
            TransportKind::StreamableHttp,
            "https://eu.mcp.vendor5.example/mcp",
        ),
    )
    .with_tool(ToolFacts::new("list_issues"));
    assert_eq!(compiled.evaluate(&request).effect(), Effect::Allow);
    let n: u32 = 3_000_000;
    let t = std::time::Instant::now();
    for _ in 0..n {
        std::hint::black_box(compiled.evaluate(std::hint::black_box(&request)));
    }
    println!("{:?}/call", t.elapsed() / n);
}
