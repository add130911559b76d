use std::thread::sleep;
use std::time::Duration;

use dinero_sandbox::Config;
use serde_json::json;

use crate::client::*;

#[test]
fn password_grant_succeeds_with_both_space_encodings() {
    let sb = start_default();
    let key = sb.config().api_key;
    for scope in ["read+write", "read%20write", "write+read"] {
        let form = format!("grant_type=password&scope={scope}&username={key}&password={key}");
        let resp = request_token(&sb, BASIC, &form);
        assert_eq!(resp.status, 200);
        assert!(resp
            .header("content-type")
            .unwrap()
            .starts_with("application/json"));
        let body = resp.json();
        let token = body["access_token"].as_str().unwrap();
        assert!(token.starts_with("eyJ0eXAiOiJKV1Qi"), "{token}");
        assert_eq!(token.split('.').count(), 3);
        assert_eq!(body["token_type"], "Bearer");
        assert_eq!(body["expires_in"], 3600);
        assert!(body["refresh_token"].is_null());
        assert_eq!(body.as_object().unwrap().len(), 4);
    }
    assert_ne!(token(&sb), token(&sb), "every issue is a new token");
}

#[test]
fn error_shapes_are_dinero_exact() {
    let sb = start_default();
    let key = sb.config().api_key;

    let resp = request_token(&sb, "Basic cmFzbXVzOndyb25n", &token_form(&key));
    assert_eq!(resp.status, 401);
    assert_eq!(resp.body, br#"{"error":"invalid_client"}"#);
    let resp = request_token(&sb, "Bearer x", &token_form(&key));
    assert_eq!(resp.status, 401);

    sb.configure(json!({"client_error_shape": "wrapped"}))
        .unwrap();
    let resp = request_token(&sb, "Basic cmFzbXVzOndyb25n", &token_form(&key));
    assert_eq!(resp.status, 401);
    assert_eq!(
        resp.body,
        br#"{"message":"{ \"error\": \"invalid_client\" }"}"#
    );

    let resp = request_token(&sb, BASIC, &token_form("wrong-key"));
    assert_eq!(resp.status, 400);
    assert_eq!(
        resp.body,
        br#"{"message":"{ \"error\": \"invalid_grant\" }"}"#
    );
    assert_eq!(resp.json()["message"], "{ \"error\": \"invalid_grant\" }");

    let form =
        format!("grant_type=client_credentials&scope=read+write&username={key}&password={key}");
    let resp = request_token(&sb, BASIC, &form);
    assert_eq!(resp.status, 400);
    assert_eq!(
        resp.body,
        br#"{"message":"{ \"error\": \"unsupported_grant_type\" }"}"#
    );

    let form = format!("grant_type=password&scope=read&username={key}&password={key}");
    let resp = request_token(&sb, BASIC, &form);
    assert_eq!(resp.status, 400);
    assert_eq!(
        resp.body,
        br#"{"message":"{ \"error\": \"invalid_scope\" }"}"#
    );

    let resp = Conn::open(&sb)
        .send(
            "POST",
            "/dineroapi/oauth/token",
            &[
                ("Authorization", BASIC),
                ("Content-Type", "application/json"),
            ],
            b"{}",
        )
        .unwrap();
    assert_eq!(resp.status, 400);

    let resp = Conn::open(&sb)
        .send("GET", "/dineroapi/oauth/token", &[], b"")
        .unwrap();
    assert_eq!(resp.status, 405);
}

#[test]
fn token_stops_working_after_its_lifetime() {
    let sb = start(Config {
        token_lifetime: Duration::from_millis(300),
        ..Config::default()
    });
    let resp = request_token(&sb, BASIC, &token_form(&sb.config().api_key));
    assert_eq!(resp.json()["expires_in"], 1, "floor, but at least 1");
    let token = resp.json()["access_token"].as_str().unwrap().to_owned();
    assert_eq!(get(&sb, &token, "/v1/organizations").status, 200);
    sleep(Duration::from_millis(350));
    let resp = get(&sb, &token, "/v1/organizations");
    assert_eq!(resp.status, 401);
    assert_eq!(resp.header("www-authenticate"), Some("Bearer"));
}

#[test]
fn garbage_missing_expired_and_revoked_tokens_get_401() {
    let sb = start_default();
    for auth in [
        None,
        Some("Bearer garbage"),
        Some("Bearer "),
        Some("Basic cmFzbXVzOmRpbmVybw=="),
    ] {
        let headers: Vec<(&str, &str)> = auth.map(|a| ("Authorization", a)).into_iter().collect();
        let resp = Conn::open(&sb)
            .send("GET", "/v1/organizations", &headers, b"")
            .unwrap();
        assert_eq!(resp.status, 401, "{auth:?}");
        assert_eq!(resp.json(), json!({"code": 41, "message": "Unauthorized"}));
        assert_eq!(resp.header("www-authenticate"), Some("Bearer"));
    }
    let t = token(&sb);
    sb.expire_tokens();
    assert_eq!(get(&sb, &t, "/v1/organizations").status, 401);
    let t = token(&sb);
    assert_eq!(get(&sb, &t, "/v1/organizations").status, 200);
    sb.revoke_tokens();
    assert_eq!(get(&sb, &t, "/v1/organizations").status, 401);
    // Through the admin API as well.
    let t = token(&sb);
    let resp = Conn::open(&sb)
        .send("POST", "/_sandbox/tokens/expire", &[], b"")
        .unwrap();
    assert_eq!(resp.status, 200);
    assert_eq!(get(&sb, &t, "/v1/organizations").status, 401);
}
