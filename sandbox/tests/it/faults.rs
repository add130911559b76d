use std::io::{ErrorKind, Read};
use std::time::{Duration, Instant};

use serde_json::json;

use crate::client::*;

#[test]
fn status_faults_come_first_count_down_and_filter() {
    let sb = start_default();
    let t = token(&sb);
    sb.inject(json!({"kind": "status", "status": 503, "count": 2, "retry_after": "1"}))
        .unwrap();
    for _ in 0..2 {
        // Even without a token: the fault is the infrastructure in front of the API.
        let resp = get(&sb, "no-token", "/v1/organizations");
        assert_eq!(resp.status, 503);
        assert_eq!(resp.header("retry-after"), Some("1"));
        assert_eq!(resp.header("content-type"), Some("text/html"));
    }
    assert_eq!(get(&sb, &t, "/v1/organizations").status, 200);

    sb.inject(
        json!({"kind": "status", "status": 500, "method": "POST", "path_contains": "/contacts"}),
    )
    .unwrap();
    assert_eq!(
        get(&sb, &t, &org_path("contacts")).status,
        200,
        "method filter"
    );
    let resp = api(&sb, &t, "POST", &org_path("contacts"), Some(&json!({})));
    assert_eq!(resp.status, 500);
    assert_eq!(resp.json()["message"], "Internal server error");

    sb.inject(json!({"kind": "status", "status": 429})).unwrap();
    let resp = get(&sb, &t, "/v1/organizations");
    assert_eq!(
        resp.text(),
        "API calls quota exceeded! maximum admitted 100 per 1m."
    );
    sb.inject(json!({"kind": "status", "status": 480})).unwrap();
    assert_eq!(get(&sb, &t, "/v1/organizations").status, 480);
    sb.inject(
        json!({"kind": "status", "status": 502, "body": "nope", "content_type": "text/plain"}),
    )
    .unwrap();
    let resp = get(&sb, &t, "/v1/organizations");
    assert_eq!((resp.status, resp.text().as_str()), (502, "nope"));
    assert_eq!(resp.header("content-type"), Some("text/plain"));

    // Target filter: an API fault leaves the token endpoint alone, and the other way round.
    sb.inject(json!({"kind": "status", "status": 503, "target": "token"}))
        .unwrap();
    assert_eq!(get(&sb, &t, "/v1/organizations").status, 200);
    assert_eq!(
        request_token(&sb, BASIC, &token_form(&sb.config().api_key)).status,
        503
    );
    assert_eq!(sb.stats()["faults_applied"], 7);
}

#[test]
fn drop_closes_without_a_byte() {
    let sb = start_default();
    let t = token(&sb);
    sb.inject(json!({"kind": "drop"})).unwrap();
    let mut conn = Conn::open(&sb);
    let err = conn
        .send(
            "GET",
            "/v1/organizations",
            &[("Authorization", &format!("Bearer {t}"))],
            b"",
        )
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::UnexpectedEof);
    assert_eq!(conn.read_to_end().unwrap(), b"");
}

#[test]
fn reset_aborts_the_connection() {
    let sb = start_default();
    sb.inject(json!({"kind": "reset", "target": "token"}))
        .unwrap();
    let mut conn = Conn::open(&sb);
    let result = conn.send("POST", "/dineroapi/oauth/token", &[], b"x=1");
    let err = result.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ConnectionReset, "{err}");
}

#[test]
fn truncate_sends_less_than_content_length() {
    let sb = start_default();
    let t = token(&sb);
    sb.inject(json!({"kind": "truncate"})).unwrap();
    let mut conn = Conn::open(&sb);
    let err = conn
        .send(
            "GET",
            &org_path("contacts"),
            &[("Authorization", &format!("Bearer {t}"))],
            b"",
        )
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::UnexpectedEof);
    assert!(err.to_string().starts_with("body: "), "{err}");
}

#[test]
fn malformed_garbage_and_huge() {
    let sb = start_default();
    let t = token(&sb);
    sb.inject(json!({"kind": "malformed"})).unwrap();
    let resp = get(&sb, &t, "/v1/organizations");
    assert_eq!(resp.status, 200);
    assert!(resp
        .header("content-type")
        .unwrap()
        .starts_with("application/json"));
    assert!(serde_json::from_slice::<serde_json::Value>(&resp.body).is_err());

    let mut raw = Vec::new();
    let mut s = std::net::TcpStream::connect(sb.addr()).unwrap();
    sb.inject(json!({"kind": "garbage"})).unwrap();
    std::io::Write::write_all(&mut s, b"GET /v1/organizations HTTP/1.1\r\n\r\n").unwrap();
    s.read_to_end(&mut raw).unwrap();
    assert_eq!(raw, b"SSH-2.0-garbage\r\n\r\n");

    sb.inject(json!({"kind": "huge", "size": 3_000_000}))
        .unwrap();
    let resp = get(&sb, &t, "/v1/organizations");
    assert_eq!(resp.body.len(), 3_000_000);
    let value: serde_json::Value = serde_json::from_slice(&resp.body).unwrap();
    assert_eq!(value.as_str().unwrap().len(), 2_999_998);
}

#[test]
fn delay_and_drip_are_slow_but_correct() {
    let sb = start_default();
    let t = token(&sb);
    sb.inject(json!({"kind": "delay", "delay_ms": 200}))
        .unwrap();
    let started = Instant::now();
    assert_eq!(get(&sb, &t, "/v1/organizations").status, 200);
    assert!(started.elapsed() >= Duration::from_millis(200));

    sb.inject(json!({"kind": "drip", "interval_ms": 1}))
        .unwrap();
    let started = Instant::now();
    let resp = get(&sb, &t, "/v1/organizations");
    assert_eq!(resp.status, 200);
    assert_eq!(resp.json()[0]["Id"], ORG);
    let wire_bytes = resp.body.len() as u32;
    assert!(
        started.elapsed() >= Duration::from_millis(1) * wire_bytes,
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn bad_faults_are_refused_over_http() {
    let sb = start_default();
    let mut conn = Conn::open(&sb);
    for body in [
        &br#"{"kind":"explode"}"#[..],
        b"{",
        br#"{"kind":"status"}"#,
        br#"{"kind":"drop","colour":"red"}"#,
    ] {
        let resp = conn.send("POST", "/_sandbox/faults", &[], body).unwrap();
        assert_eq!(resp.status, 400, "{}", String::from_utf8_lossy(body));
        assert!(resp.json()["error"].as_str().unwrap().len() > 5);
    }
    let resp = conn
        .send(
            "POST",
            "/_sandbox/faults",
            &[],
            br#"[{"kind":"drop","count":3}]"#,
        )
        .unwrap();
    assert_eq!(resp.status, 200);
    assert_eq!(
        conn.send("GET", "/_sandbox/faults", &[], b"")
            .unwrap()
            .json()[0]["count"],
        3
    );
    assert_eq!(
        conn.send("DELETE", "/_sandbox/faults", &[], b"")
            .unwrap()
            .status,
        200
    );
    assert_eq!(
        conn.send("GET", "/_sandbox/faults", &[], b"")
            .unwrap()
            .json(),
        json!([])
    );
}

#[test]
fn after_processing_the_request_takes_effect_and_only_the_answer_is_lost() {
    let sb = start_default();
    let t = token(&sb);
    let contact = crate::api::contact("Efter Behandling");
    sb.inject(json!({"kind": "reset", "after_processing": true, "method": "POST"}))
        .unwrap();
    let auth = format!("Bearer {t}");
    let body = contact.to_string();
    let lost = Conn::open(&sb).send(
        "POST",
        &org_path("contacts"),
        &[
            ("Authorization", &auth),
            ("Content-Type", "application/json"),
        ],
        body.as_bytes(),
    );
    assert!(lost.is_err(), "no answer: {lost:?}");
    sb.inject(json!({"kind": "status", "status": 502, "after_processing": true}))
        .unwrap();
    assert_eq!(
        api(&sb, &t, "POST", &org_path("contacts"), Some(&contact)).status,
        502
    );
    let stats = sb.stats();
    assert_eq!(stats["created"]["contacts"], 2, "both stored: {stats}");
    let listed = get(
        &sb,
        &t,
        &org_path("contacts?queryFilter=Name+eq+%27Efter+Behandling%27"),
    );
    assert_eq!(listed.json()["Pagination"]["Result"], 2);
}
