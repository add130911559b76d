use serde_json::json;

use crate::client::*;

#[test]
fn stats_count_routes_responses_tokens_and_connections() {
    let sb = start_default();
    let t = token(&sb);
    request_token(&sb, BASIC, &token_form("wrong"));
    let contacts = get(&sb, &t, &org_path("contacts")).json();
    let guid = contacts["Collection"][0]["ContactGuid"]
        .as_str()
        .unwrap()
        .to_owned();
    get(&sb, &t, &org_path(&format!("contacts/{guid}")));
    get(&sb, &t, "/v1/organizations");
    get(&sb, "bad", "/v1/organizations");
    sb.inject(json!({"kind": "drop"})).unwrap();
    let _ = Conn::open(&sb).send("GET", "/v1/organizations", &[], b"");
    // Admin requests are not counted.
    Conn::open(&sb)
        .send("GET", "/_sandbox/stats", &[], b"")
        .unwrap();

    let stats = sb.stats();
    assert_eq!(stats["token_requests"], 2);
    assert_eq!(stats["tokens_issued"], 1);
    assert_eq!(stats["token_rejections"], 1);
    assert_eq!(stats["api_requests"], 5);
    assert_eq!(stats["faults_applied"], 1);
    assert_eq!(stats["responses"], json!({"200": 4, "400": 1, "401": 1}));
    assert_eq!(
        stats["routes"],
        json!({
            "POST /dineroapi/oauth/token": 2,
            "GET /v1/{org}/contacts": 1,
            "GET /v1/{org}/contacts/{guid}": 1,
            "GET /v1/organizations": 3,
        })
    );
    assert_eq!(
        stats["connections"], 8,
        "one per Conn::open, admin included"
    );

    sb.reset_stats();
    let stats = sb.stats();
    assert_eq!(stats["api_requests"], 0);
    assert_eq!(stats["routes"], json!({}));
    assert_eq!(sb.requests(), json!([]));
}

#[test]
fn keep_alive_reuses_one_connection() {
    let sb = start_default();
    let t = token(&sb);
    sb.reset_stats();
    let mut conn = Conn::open(&sb);
    let auth = format!("Bearer {t}");
    for _ in 0..3 {
        let resp = conn
            .send("GET", "/v1/organizations", &[("Authorization", &auth)], b"")
            .unwrap();
        assert_eq!(resp.status, 200);
        assert_eq!(resp.header("connection"), None);
    }
    let form = token_form(&sb.config().api_key);
    let resp = conn
        .send(
            "POST",
            "/dineroapi/oauth/token",
            &[
                ("Authorization", BASIC),
                ("Content-Type", "application/x-www-form-urlencoded"),
            ],
            form.as_bytes(),
        )
        .unwrap();
    assert_eq!(resp.status, 200);
    assert_eq!(sb.stats()["connections"], 1);
    let log = sb.requests();
    assert_eq!(log.as_array().unwrap().len(), 4);
    assert!(log
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["connection"] == log[0]["connection"]));
}

#[test]
fn request_log_keeps_method_path_query_headers_body() {
    let sb = start_default();
    let t = token(&sb);
    api(
        &sb,
        &t,
        "POST",
        &format!("{}?x=1", org_path("contacts")),
        Some(&json!({"Name": "Søs", "CountryKey": "DK"})),
    );
    let log = sb.requests();
    let last = &log[log.as_array().unwrap().len() - 1];
    assert_eq!(last["method"], "POST");
    assert_eq!(last["path"], org_path("contacts"));
    assert_eq!(last["query"], "x=1");
    assert_eq!(last["headers"]["authorization"], format!("Bearer {t}"));
    assert_eq!(last["headers"]["content-type"], "application/json");
    assert_eq!(last["body"], r#"{"CountryKey":"DK","Name":"Søs"}"#);
    assert!(last["connection"].as_u64().unwrap() >= 1);
}

#[test]
fn config_and_seed_over_http() {
    let sb = start_default();
    let mut conn = Conn::open(&sb);
    let resp = conn.send("POST", "/_sandbox/config", &[], br#"{"rate_limit":20,"rate_window_ms":2000,"token_lifetime_ms":2000,"rate_limit_retry_after":"1","client_error_shape":"wrapped"}"#).unwrap();
    assert_eq!(resp.status, 200, "{}", resp.text());
    let config = sb.config();
    assert_eq!(config.rate_limit, 20);
    assert_eq!(config.token_lifetime.as_millis(), 2000);
    assert_eq!(config.rate_limit_retry_after.as_deref(), Some("1"));
    assert_eq!(
        conn.send("POST", "/_sandbox/config", &[], br#"{"bogus":1}"#)
            .unwrap()
            .status,
        400
    );
    assert_eq!(
        conn.send(
            "POST",
            "/_sandbox/config",
            &[],
            br#"{"rate_limit_retry_after":null}"#
        )
        .unwrap()
        .status,
        200
    );
    assert_eq!(sb.config().rate_limit_retry_after, None);

    assert_eq!(
        conn.send("POST", "/_sandbox/seed", &[], br#"{"contacts":250}"#)
            .unwrap()
            .status,
        200
    );
    sb.seed_contacts(2);
    let t = token(&sb);
    let body = get(
        &sb,
        &t,
        &format!("{}?page=2&pageSize=100", org_path("contacts")),
    )
    .json();
    assert_eq!(body["Pagination"]["Result"], 255);
    assert_eq!(body["Collection"][54]["Name"], "Kontakt 0252");
    assert_eq!(
        conn.send("GET", "/_sandbox/nope", &[], b"").unwrap().status,
        404
    );
}
