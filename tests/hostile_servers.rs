//! Servers that are broken or hostile: bodies too large to hold, redirects that would carry
//! the bearer token elsewhere, token answers that cannot be trusted.

mod common;
use common::*;
use dinero::ffi::status::*;
use serde_json::json;

#[test]
fn a_body_over_max_response_bytes_is_refused_without_reading_it() {
    let sb = sandbox();
    let client = Client::to_with(&sb, &[("max_response_bytes", "65536")]).unwrap();
    // 512 MiB would take seconds to stream and exhaust memory if read: it is cut at 64 KiB.
    inject(&sb, json!({"kind": "huge", "size": 512u64 * 1024 * 1024}));
    let err = client
        .request("GET", "/v1/organizations", None)
        .err()
        .unwrap();
    assert_eq!(
        err.status, DINERO_STATUS_RESPONSE_TOO_LARGE,
        "{}",
        err.message
    );
    assert!(
        err.message.contains("max_response_bytes"),
        "{}",
        err.message
    );
    assert_eq!(route_count(&sb, "GET /v1/organizations"), 1, "not retried");
    assert_eq!(
        client.get("/v1/organizations").status,
        200,
        "the client still works"
    );
}

#[test]
fn a_body_within_the_limit_arrives_whole() {
    let sb = sandbox();
    let client = Client::to_with(&sb, &[("max_response_bytes", "2000000")]).unwrap();
    inject(&sb, json!({"kind": "huge", "size": 1_000_000}));
    let reply = client.get("/v1/organizations");
    assert_eq!(reply.body.len(), 1_000_000);
}

#[test]
fn a_redirect_to_another_host_is_not_followed() {
    let sb = sandbox();
    let elsewhere = sandbox();
    let client = Client::to(&sb);
    let location = format!("{}/v1/organizations", elsewhere.url());
    inject(
        &sb,
        json!({"kind": "status", "status": 302, "location": location}),
    );
    let reply = client.get("/v1/organizations");
    assert_eq!(reply.status, 302, "the redirect comes back as it is");
    assert_eq!(reply.header("location").as_deref(), Some(location.as_str()));
    let seen = elsewhere.requests();
    assert_eq!(
        seen.as_array().unwrap().len(),
        0,
        "the other host saw nothing, no token"
    );
}

#[test]
fn untrustworthy_token_answers_give_a_clear_status() {
    for (body, words) in [
        (
            r#"{"token_type":"Bearer","expires_in":3600}"#,
            "without an access_token",
        ),
        (
            r#"{"access_token":"abc","expires_in":"soon"}"#,
            "implausible expires_in",
        ),
        (
            r#"{"access_token":"abc","expires_in":-1}"#,
            "implausible expires_in",
        ),
        (
            r#"{"access_token":"abc","expires_in":1e12}"#,
            "implausible expires_in",
        ),
        (r#"{"access_token":"abc"}"#, "implausible expires_in"),
        ("<html>Service Unavailable</html>", "not JSON"),
        ("", "not JSON"),
    ] {
        let sb = sandbox();
        inject(
            &sb,
            json!({"kind": "malformed", "target": "token", "body": body}),
        );
        let err = Client::to_with(&sb, &[]).err().expect("refused");
        assert_eq!(
            err.status, DINERO_STATUS_AUTH_UNAVAILABLE,
            "{body}: {}",
            err.message
        );
        assert!(err.message.contains(words), "{body}: {}", err.message);
    }
}

#[test]
fn a_token_endpoint_that_hangs_gives_a_timeout() {
    let sb = sandbox();
    inject(
        &sb,
        json!({"kind": "delay", "delay_ms": 3000, "target": "token"}),
    );
    let err = Client::to_with(&sb, &[("timeout_ms", "300")])
        .err()
        .unwrap();
    assert_eq!(err.status, DINERO_STATUS_TIMEOUT, "{}", err.message);
    assert!(
        err.message.starts_with("token endpoint: timed out"),
        "{}",
        err.message
    );
}

#[test]
fn a_slow_drip_within_the_timeout_arrives_and_beyond_it_times_out() {
    let sb = sandbox();
    let client = Client::to_with(&sb, &[("timeout_ms", "1500")]).unwrap();
    inject(&sb, json!({"kind": "drip", "interval_ms": 1}));
    assert_eq!(client.get("/v1/organizations").status, 200);
    inject(&sb, json!({"kind": "drip", "interval_ms": 50}));
    let err = client
        .request("GET", "/v1/{organizationId}/contacts", None)
        .err()
        .unwrap();
    assert_eq!(err.status, DINERO_STATUS_TIMEOUT, "{}", err.message);
}

#[test]
fn an_ok_answer_of_the_wrong_shape_is_a_protocol_error_for_uploads_and_organizations() {
    let sb = sandbox();
    let client = Client::to(&sb);
    // The files endpoint answers an object ({"FileGuid": ...}) or, rarely, nothing; a list or a
    // string is not an upload's answer, whatever its status says.
    for body in ["[]", "\"stored\""] {
        inject(
            &sb,
            json!({"kind": "status", "status": 201, "body": body, "path_contains": "/files"}),
        );
        let err = client
            .upload_bytes(b"%PDF-1.4 receipt", "receipt.pdf", None)
            .err()
            .expect("a 201 that is not a JSON object is refused");
        assert_eq!(err.status, DINERO_STATUS_PROTOCOL, "{}", err.message);
        assert!(
            err.message
                .contains("POST /v1/{organizationId}/files: the 201 answer is not a JSON object"),
            "{}",
            err.message
        );
    }
    // /v1/organizations answers a list.
    inject(
        &sb,
        json!({"kind": "status", "status": 200, "body": "{\"Id\":1}", "path_contains": "/organizations"}),
    );
    let mut response = std::ptr::null_mut();
    let status =
        unsafe { dinero::ffi::connect::dinero_client_organizations(client.0, &mut response) };
    assert_eq!(status, DINERO_STATUS_PROTOCOL, "{}", last_error());
    assert!(response.is_null(), "nothing handed out");
    // Refusals still come back as answers, and the right shapes as they are.
    inject(
        &sb,
        json!({"kind": "status", "status": 413, "body": "too large", "path_contains": "/files"}),
    );
    let refused = client.upload_bytes(b"x", "x.bin", None).unwrap();
    assert_eq!(refused.status, 413);
    let stored = client.upload_bytes(b"x", "x.bin", None).unwrap();
    assert!(stored.json()["FileGuid"].is_string());
    inject(
        &sb,
        json!({"kind": "status", "status": 201, "body": "", "path_contains": "/files"}),
    );
    let empty = client.upload_bytes(b"x", "x.bin", None).unwrap();
    assert_eq!(
        (empty.status, empty.body.len()),
        (201, 0),
        "stored, said with nothing"
    );
}
