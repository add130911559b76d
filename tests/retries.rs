//! What a user gets for every fault the sandbox injects, for a GET and for a POST, with the
//! sandbox's counters proving how often each request really reached it.

mod common;
use common::*;
use dinero::ffi::status::*;
use serde_json::json;
use std::time::Instant;

const CONTACTS: &str = "/v1/{organizationId}/contacts";
const CONTACTS_ROUTE_GET: &str = "GET /v1/{org}/contacts";
const CONTACTS_ROUTE_POST: &str = "POST /v1/{org}/contacts";
const NEW_CONTACT: &str =
    r#"{"Name":"Børge Lund","CountryKey":"DK","IsPerson":true,"IsMember":false,"UseCvr":false}"#;

fn get_contacts(client: &Client) -> Result<Reply, Failed> {
    client.request("GET", CONTACTS, None)
}

fn post_contact(client: &Client) -> Result<Reply, Failed> {
    client.request("POST", CONTACTS, Some(NEW_CONTACT))
}

#[test]
fn get_is_retried_through_brownouts_and_gateway_errors() {
    for status in [480, 502, 503, 504] {
        let sb = sandbox();
        let client = Client::to(&sb);
        inject(&sb, json!({"kind": "status", "status": status, "count": 2}));
        let reply = get_contacts(&client).unwrap();
        assert_eq!(reply.status, 200, "after two {status}s");
        assert_eq!(route_count(&sb, CONTACTS_ROUTE_GET), 3, "{status}");
    }
}

#[test]
fn get_gives_up_after_max_retries_and_returns_the_last_answer() {
    let sb = sandbox();
    let client = Client::to_with(&sb, &[("max_retries", "2")]).unwrap();
    inject(&sb, json!({"kind": "status", "status": 503, "count": 10}));
    let reply = get_contacts(&client).unwrap();
    assert_eq!(reply.status, 503);
    assert_eq!(route_count(&sb, CONTACTS_ROUTE_GET), 3);
}

#[test]
fn a_500_is_not_retried() {
    let sb = sandbox();
    let client = Client::to(&sb);
    inject(&sb, json!({"kind": "status", "status": 500}));
    assert_eq!(get_contacts(&client).unwrap().status, 500);
    assert_eq!(route_count(&sb, CONTACTS_ROUTE_GET), 1);
}

#[test]
fn post_is_never_repeated_after_a_server_error() {
    for status in [500, 502, 503, 504, 480] {
        let sb = sandbox();
        let client = Client::to(&sb);
        inject(&sb, json!({"kind": "status", "status": status}));
        let reply = post_contact(&client).unwrap();
        assert_eq!(reply.status, status);
        assert_eq!(
            route_count(&sb, CONTACTS_ROUTE_POST),
            1,
            "POST repeated after {status}"
        );
    }
}

/// An invoice and the v1.2 path that updates it, with a body carrying its current Timestamp.
fn invoice_update(client: &Client) -> (String, String) {
    let (mut update, guid, stamp) = new_invoice(client);
    update["Description"] = json!("Ny pris");
    update["Timestamp"] = json!(stamp);
    (
        format!("/v1.2/{{organizationId}}/invoices/{guid}"),
        update.to_string(),
    )
}

#[test]
fn a_put_is_repeated_only_where_the_server_did_not_act_on_it() {
    const ROUTE: &str = "PUT /v1.2/{org}/invoices/{guid}";
    // 480 and 503 say the server did not act: the update is sent again and goes through.
    for status in [480, 503] {
        let sb = sandbox();
        let client = Client::to(&sb);
        let (path, body) = invoice_update(&client);
        inject(
            &sb,
            json!({"kind": "status", "status": status, "method": "PUT"}),
        );
        let reply = client.request("PUT", &path, Some(&body)).unwrap();
        assert_eq!(reply.status, 200, "after a {status}: {}", reply.text());
        assert_eq!(route_count(&sb, ROUTE), 2, "{status}");
    }
    // A gateway's 502 or a lost answer may follow the update: it took effect, its Timestamp
    // changed, and a repeat would be refused as stale (code 58) for a change that was made.
    for fault in [
        json!({"kind": "status", "status": 502, "method": "PUT", "after_processing": true}),
        json!({"kind": "reset", "method": "PUT", "after_processing": true}),
    ] {
        let sb = sandbox();
        let client = Client::to(&sb);
        let (path, body) = invoice_update(&client);
        inject(&sb, fault.clone());
        match client.request("PUT", &path, Some(&body)) {
            Ok(reply) => assert_eq!(reply.status, 502, "{fault}"),
            Err(err) => assert_eq!(
                err.status, DINERO_STATUS_NETWORK,
                "{fault}: {}",
                err.message
            ),
        }
        assert_eq!(route_count(&sb, ROUTE), 1, "repeated after {fault}");
        let read = client
            .request("GET", &path.replace("/v1.2/", "/v1/"), None)
            .unwrap();
        assert_eq!(
            read.json()["Description"],
            "Ny pris",
            "the update took effect"
        );
    }
}

#[test]
fn a_put_without_a_timestamp_is_repeated_like_a_read_and_a_delete_is_not() {
    let sb = sandbox();
    let client = Client::to(&sb);
    let created = post_contact(&client).unwrap().json();
    let path = format!("{CONTACTS}/{}", created["ContactGuid"].as_str().unwrap());
    let mut contact: serde_json::Value = serde_json::from_str(NEW_CONTACT).unwrap();
    contact["City"] = json!("Marstal");
    // A contact takes no Timestamp: sent again after a gateway lost its answer, it replaces the
    // contact with the same thing.
    inject(
        &sb,
        json!({"kind": "status", "status": 502, "method": "PUT", "after_processing": true}),
    );
    let reply = client
        .request("PUT", &path, Some(&contact.to_string()))
        .unwrap();
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(route_count(&sb, "PUT /v1/{org}/contacts/{guid}"), 2);
    // A DELETE that took effect is not sent again: the second would find it deleted (65).
    inject(
        &sb,
        json!({"kind": "status", "status": 502, "method": "DELETE", "after_processing": true}),
    );
    assert_eq!(client.request("DELETE", &path, None).unwrap().status, 502);
    assert_eq!(route_count(&sb, "DELETE /v1/{org}/contacts/{guid}"), 1);
    assert_eq!(
        client.request("GET", &path, None).unwrap().json()["code"],
        65
    );
}

#[test]
fn a_429_is_retried_for_post_after_retry_after() {
    let sb = sandbox();
    let client = Client::to(&sb);
    inject(
        &sb,
        json!({"kind": "status", "status": 429, "retry_after": "1", "method": "POST"}),
    );
    let started = Instant::now();
    let reply = post_contact(&client).unwrap();
    assert_eq!(reply.status, 201, "{}", reply.text());
    assert!(
        started.elapsed() >= ms(950),
        "Retry-After: 1 was waited out"
    );
    assert_eq!(route_count(&sb, CONTACTS_ROUTE_POST), 2);
    assert_eq!(responses_with(&sb, 201), 1, "one contact created");
}

#[test]
fn a_429_without_retry_after_is_retried_for_post() {
    let sb = sandbox();
    // A scaled-down window: its retries wait shares of it.
    let client = Client::to_with(&sb, &[("rate_limit_window_ms", "700")]).unwrap();
    inject(&sb, json!({"kind": "status", "status": 429, "count": 2}));
    assert_eq!(post_contact(&client).unwrap().status, 201);
    assert_eq!(route_count(&sb, CONTACTS_ROUTE_POST), 3);
}

#[test]
fn a_429_without_retry_after_is_waited_out_until_dineros_window_frees() {
    // Dinero's fixed window (scaled down), spent by another process of the same integration,
    // and answers without Retry-After. A short backoff would spend every retry in that window.
    let sb = sandbox_with(|c| {
        c.rate_limit = 3;
        c.rate_window = ms(1500);
        c.retry_after_header = false;
    });
    let other =
        Client::to_with(&sb, &[("rate_limit_per_minute", "0"), ("max_retries", "0")]).unwrap();
    for _ in 0..3 {
        assert_eq!(other.get("/v1/organizations").status, 200);
    }
    // This client's own window is empty, so it sends at once and meets the 429s.
    let client = Client::to_with(&sb, &[("rate_limit_window_ms", "1500")]).unwrap();
    assert_eq!(client.get("/v1/organizations").status, 200);
    assert!(responses_with(&sb, 429) >= 1, "the window was spent");
}

#[test]
fn a_retry_after_beyond_the_limit_is_handed_back() {
    let sb = sandbox();
    let client = Client::to_with(&sb, &[("retry_after_max_ms", "2000")]).unwrap();
    inject(
        &sb,
        json!({"kind": "status", "status": 429, "retry_after": "60"}),
    );
    let reply = get_contacts(&client).unwrap();
    assert_eq!(reply.status, 429);
    assert_eq!(reply.header("Retry-After").as_deref(), Some("60"));
    assert!(reply.text().contains("quota exceeded"), "{}", reply.text());
}

#[test]
fn a_dropped_connection_is_retried_for_get() {
    for kind in ["drop", "reset"] {
        let sb = sandbox();
        let client = Client::to(&sb);
        inject(&sb, json!({"kind": kind}));
        assert_eq!(get_contacts(&client).unwrap().status, 200, "{kind}");
        assert_eq!(route_count(&sb, CONTACTS_ROUTE_GET), 2, "{kind}");
    }
}

#[test]
fn a_post_whose_connection_dropped_is_not_repeated() {
    for kind in ["drop", "reset"] {
        let sb = sandbox();
        let client = Client::to(&sb);
        inject(&sb, json!({"kind": kind, "method": "POST"}));
        let err = post_contact(&client).err().expect("no answer arrived");
        assert_eq!(err.status, DINERO_STATUS_NETWORK, "{kind}: {}", err.message);
        assert!(
            err.message.contains("before the answer arrived"),
            "{}",
            err.message
        );
        assert_eq!(route_count(&sb, CONTACTS_ROUTE_POST), 1, "{kind}");
    }
}

#[test]
fn a_truncated_body_is_retried_for_get_and_an_error_for_post() {
    let sb = sandbox();
    let client = Client::to(&sb);
    inject(&sb, json!({"kind": "truncate", "count": 1}));
    let reply = get_contacts(&client).unwrap();
    assert_eq!(reply.status, 200);
    assert!(
        reply.json()["Collection"].is_array(),
        "the whole body arrived on the retry"
    );
    assert_eq!(route_count(&sb, CONTACTS_ROUTE_GET), 2);

    inject(&sb, json!({"kind": "truncate", "method": "POST"}));
    let err = post_contact(&client).err().unwrap();
    assert_eq!(err.status, DINERO_STATUS_PROTOCOL, "{}", err.message);
    assert!(err.message.contains("cut short"), "{}", err.message);
    assert_eq!(route_count(&sb, CONTACTS_ROUTE_POST), 1);
}

#[test]
fn an_answer_that_is_not_http_is_a_protocol_error() {
    let sb = sandbox();
    let client = Client::to_with(&sb, &[("max_retries", "0")]).unwrap();
    inject(&sb, json!({"kind": "garbage"}));
    let err = get_contacts(&client).err().unwrap();
    assert!(
        err.status == DINERO_STATUS_PROTOCOL || err.status == DINERO_STATUS_NETWORK,
        "{} {}",
        err.status,
        err.message
    );
}

#[test]
fn a_malformed_json_body_is_passed_on_not_parsed() {
    let sb = sandbox();
    let client = Client::to(&sb);
    inject(&sb, json!({"kind": "malformed"}));
    let reply = get_contacts(&client).unwrap();
    assert_eq!(reply.status, 200);
    assert!(serde_json::from_slice::<serde_json::Value>(&reply.body).is_err());
}

#[test]
fn a_slow_server_gives_a_timeout_promptly_and_is_not_retried() {
    let sb = sandbox();
    let client = Client::to_with(&sb, &[("timeout_ms", "300")]).unwrap();
    // The server answers 100 times later than the client waits: a TIMEOUT can only come from
    // the client giving up, not from the answer arriving.
    inject(&sb, json!({"kind": "delay", "delay_ms": 30_000}));
    let started = Instant::now();
    let err = get_contacts(&client).err().unwrap();
    assert_eq!(err.status, DINERO_STATUS_TIMEOUT, "{}", err.message);
    // Only a hang catcher: well over 10 times the 300 ms timeout, well under the server's delay.
    assert!(
        started.elapsed() < ms(15_000),
        "the client waited {:?} for a server that takes 30 s",
        started.elapsed()
    );
    assert_eq!(route_count(&sb, CONTACTS_ROUTE_GET), 1);
}

#[test]
fn a_slow_but_timely_answer_arrives() {
    let sb = sandbox();
    let client = Client::to_with(&sb, &[("timeout_ms", "3000")]).unwrap();
    inject(&sb, json!({"kind": "delay", "delay_ms": 200}));
    assert_eq!(get_contacts(&client).unwrap().status, 200);
}
