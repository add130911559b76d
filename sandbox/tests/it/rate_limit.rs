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
fn plain_text_429_with_retry_after_and_a_fixed_window() {
    let sb = limited(3, 1500);
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
            "API calls quota exceeded! maximum admitted 3 per 1500ms."
        );
        // The seconds left in the window, rounded up: 1 or 2 of the 1.5 s.
        let retry_after: u64 = resp.header("retry-after").unwrap().parse().unwrap();
        assert!((1..=2).contains(&retry_after), "{retry_after}");
    }
    // The token endpoint is not rate limited.
    token(&sb);
    sleep(Duration::from_millis(1550));
    // A fixed window: the next one admits the full limit again at once.
    for _ in 0..3 {
        assert_eq!(get(&sb, &t, "/v1/organizations").status, 200);
    }
    assert_eq!(get(&sb, &t, "/v1/organizations").status, 429);

    // The switch: 429s without Retry-After.
    sb.configure(json!({"retry_after_header": false})).unwrap();
    let resp = get(&sb, &t, "/v1/organizations");
    assert_eq!(resp.status, 429);
    assert_eq!(resp.header("retry-after"), None);
}

#[test]
fn the_limit_counts_per_organization_and_client_id_not_per_token() {
    let sb = limited(2, 60_000);
    let first = token(&sb);
    let second = token(&sb);
    assert_eq!(get(&sb, &first, "/v1/organizations").status, 200);
    assert_eq!(get(&sb, &second, "/v1/organizations").status, 200);
    assert_eq!(
        get(&sb, &first, "/v1/organizations").status,
        429,
        "two tokens of one client id share the organization's limit"
    );
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
