use std::thread::sleep;
use std::time::Duration;

use dinero_sandbox::Config;
use serde_json::json;

use crate::client::*;

fn limited(limit: u32, window_ms: u64) -> dinero_sandbox::Sandbox {
    start(Config {
        rate_limit: limit,
        rate_window: Duration::from_millis(window_ms),
        ..Config::default()
    })
}

#[test]
fn plain_text_429_without_retry_after_and_sliding_recovery() {
    let sb = limited(3, 300);
    let t = token(&sb);
    for _ in 0..3 {
        assert_eq!(get(&sb, &t, "/v1/organizations").status, 200);
    }
    // Hammering does not extend the window: rejected requests are not admitted.
    for _ in 0..5 {
        let resp = get(&sb, &t, "/v1/organizations");
        assert_eq!(resp.status, 429);
        assert_eq!(
            resp.header("content-type"),
            Some("text/plain; charset=utf-8")
        );
        assert_eq!(
            resp.text(),
            "API calls quota exceeded! maximum admitted 3 per 300ms."
        );
        assert_eq!(resp.header("retry-after"), None);
    }
    // The token endpoint is not rate limited.
    token(&sb);
    sleep(Duration::from_millis(320));
    for _ in 0..3 {
        assert_eq!(get(&sb, &t, "/v1/organizations").status, 200);
    }
    assert_eq!(get(&sb, &t, "/v1/organizations").status, 429);
}

#[test]
fn retry_after_when_configured_and_default_message() {
    let sb = limited(1, 60_000);
    sb.configure(json!({"rate_limit_retry_after": "1"}))
        .unwrap();
    let t = token(&sb);
    assert_eq!(get(&sb, &t, "/v1/organizations").status, 200);
    let resp = get(&sb, &t, "/v1/organizations");
    assert_eq!(resp.status, 429);
    assert_eq!(resp.header("retry-after"), Some("1"));
    assert_eq!(
        resp.text(),
        "API calls quota exceeded! maximum admitted 1 per 1m."
    );
    // An unauthenticated request is a 401, not a 429: the token is checked first.
    let resp = get(&sb, "nope", "/v1/organizations");
    assert_eq!(resp.status, 401);
    sb.configure(json!({"rate_limit": 0})).unwrap();
    assert_eq!(
        get(&sb, &t, "/v1/organizations").status,
        200,
        "0 turns the limit off"
    );
}
