//! Exactly-once creates (`dinero_client_create`) under every way an answer can be lost: resets
//! before and after the server stored the entity, 5xx before and after, a cut-short answer, a
//! timeout while the server is still working, and a check that fails too. The sandbox's own
//! counters (entities created, creates refused as duplicates, requests per route) prove that
//! each entity exists exactly once. The table goes to target/reliability/exactly-once.md and
//! must match docs/RELIABILITY.md (`make reliability` regenerates the doc).

mod common;
use common::*;
use dinero::ffi::status::*;
use serde_json::{json, Value};
use std::fmt::Write;
use std::time::{Duration, Instant};

const CONTACTS: &str = "/v1/{organizationId}/contacts";
const NEW_CONTACT: &str =
    r#"{"Name":"Ærø Æbler ApS","CountryKey":"DK","IsPerson":false,"IsMember":false,"UseCvr":true}"#;

struct Row {
    case: &'static str,
    faults: Value,
    /// What the caller gets: "created", or the C status of the error.
    outcome: &'static str,
    posts: u64,
    checks: u64,
    /// Entities with the GUID that exist afterwards (0 or 1, never 2).
    stored: u64,
}

fn rows() -> Vec<Row> {
    let post = |fault: Value| {
        let mut fault = fault;
        fault["method"] = json!("POST");
        fault["path_contains"] = json!("/contacts");
        fault
    };
    vec![
        Row {
            case: "none",
            faults: json!([]),
            outcome: "created",
            posts: 1,
            checks: 0,
            stored: 1,
        },
        Row {
            case: "reset before the server stored it",
            faults: json!([post(json!({"kind": "reset"}))]),
            outcome: "created",
            posts: 2,
            checks: 1,
            stored: 1,
        },
        Row {
            case: "reset after the server stored it",
            faults: json!([post(json!({"kind": "reset", "after_processing": true}))]),
            outcome: "created",
            posts: 1,
            checks: 1,
            stored: 1,
        },
        Row {
            case: "connection closed after the server stored it",
            faults: json!([post(json!({"kind": "drop", "after_processing": true}))]),
            outcome: "created",
            posts: 1,
            checks: 1,
            stored: 1,
        },
        Row {
            case: "answer cut short (stored)",
            faults: json!([post(json!({"kind": "truncate"}))]),
            outcome: "created",
            posts: 1,
            checks: 1,
            stored: 1,
        },
        Row {
            case: "503 before the server stored it",
            faults: json!([post(json!({"kind": "status", "status": 503}))]),
            outcome: "created",
            posts: 2,
            checks: 1,
            stored: 1,
        },
        Row {
            case: "502 after the server stored it",
            faults: json!([post(
                json!({"kind": "status", "status": 502, "after_processing": true})
            )]),
            outcome: "created",
            posts: 1,
            checks: 1,
            stored: 1,
        },
        Row {
            case: "500 after the server stored it",
            faults: json!([post(
                json!({"kind": "status", "status": 500, "after_processing": true})
            )]),
            outcome: "created",
            posts: 1,
            checks: 1,
            stored: 1,
        },
        Row {
            case: "timeout, the server stores it later",
            faults: json!([post(json!({"kind": "delay", "delay_ms": 4000}))]),
            outcome: "created",
            posts: 2,
            checks: 1,
            stored: 1,
        },
        Row {
            case: "reset before storing, every attempt (max_retries 3)",
            faults: json!([post(json!({"kind": "reset", "count": 10}))]),
            outcome: "NETWORK",
            posts: 4,
            checks: 4,
            stored: 0,
        },
        Row {
            case: "reset after storing, and the check fails (503)",
            faults: json!([
                post(json!({"kind": "reset", "after_processing": true})),
                {"kind": "status", "status": 503, "method": "GET", "count": 10},
            ]),
            outcome: "NETWORK",
            posts: 1,
            checks: 4,
            stored: 1,
        },
    ]
}

fn status_name(status: dinero_status) -> &'static str {
    match status {
        DINERO_STATUS_NETWORK => "NETWORK",
        DINERO_STATUS_TIMEOUT => "TIMEOUT",
        DINERO_STATUS_PROTOCOL => "PROTOCOL",
        _ => "OTHER",
    }
}

/// Waits (bounded) for a create the client gave up on to reach the server's store: it is
/// refused there as a duplicate of the repeat, and the counters must include it.
fn wait_for_the_late_create(sb: &Sandbox) {
    let deadline = Instant::now() + Duration::from_secs(15);
    while sb.stats()["duplicate_ids_refused"] == 0 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn every_lost_answer_still_gives_exactly_one_entity() {
    let mut table = String::from(
        "| the create's answer | outcome | POSTs the server saw | checks (GET by GUID) | entities stored |\n|---|---|---|---|---|\n",
    );
    let mut mismatches = Vec::new();
    for row in rows() {
        let sb = sandbox_with(|c| c.rate_limit = 0);
        let client = Client::to_with(
            &sb,
            &[("timeout_ms", "1500"), ("retry_base_delay_ms", "10")],
        )
        .unwrap();
        sb.reset_stats();
        sb.inject(row.faults.clone()).unwrap();
        let result = client.create(CONTACTS, NEW_CONTACT);
        if row.case.starts_with("timeout") {
            wait_for_the_late_create(&sb);
        }
        sb.clear_faults();
        let stats = sb.stats();
        let stored = stats["created"]["contacts"].as_u64().unwrap_or(0);
        let posts = route_count(&sb, "POST /v1/{org}/contacts");
        let checks = route_count(&sb, "GET /v1/{org}/contacts/{guid}");
        let outcome = match &result {
            Ok((guid, reply)) => {
                // The entity is there under the GUID the caller got, once.
                assert!(reply.status < 300, "{}: {}", row.case, reply.text());
                let entity = client.get(&format!("{CONTACTS}/{guid}"));
                assert_eq!(entity.status, 200, "{}", row.case);
                assert_eq!(entity.json()["ContactGuid"], guid.as_str(), "{}", row.case);
                "created".to_string()
            }
            Err(failed) => {
                // Whatever the error, it names the GUID so the caller can look later.
                assert!(
                    failed.message.contains("ContactGuid ") && failed.message.contains("GET "),
                    "{}: {}",
                    row.case,
                    failed.message
                );
                status_name(failed.status).to_string()
            }
        };
        let got = (outcome.as_str(), posts, checks, stored);
        let expected = (row.outcome, row.posts, row.checks, row.stored);
        if got != expected {
            mismatches.push(format!("{}: expected {expected:?}, got {got:?}", row.case));
        }
        writeln!(
            table,
            "| {} | {} | {} | {} | {} |",
            row.case, got.0, got.1, got.2, got.3
        )
        .unwrap();
    }
    assert!(mismatches.is_empty(), "{mismatches:#?}");
    common::reliability::publish("exactly-once.md", &table);
}

#[test]
fn a_timeout_while_the_server_works_leaves_one_entity_and_one_refused_duplicate() {
    let sb = sandbox_with(|c| c.rate_limit = 0);
    let client = Client::to_with(&sb, &[("timeout_ms", "1000")]).unwrap();
    sb.inject(json!({"kind": "delay", "delay_ms": 1800, "method": "POST"}))
        .unwrap();
    let (guid, reply) = client.create(CONTACTS, NEW_CONTACT).unwrap();
    assert_eq!(reply.status, 201, "{}", reply.text());
    // The late first send arrives after the repeat and is refused: its id exists.
    let deadline = Instant::now() + Duration::from_secs(10);
    while sb.stats()["duplicate_ids_refused"] != 1 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(sb.stats()["duplicate_ids_refused"], 1);
    assert_eq!(sb.stats()["created"]["contacts"], 1);
    assert_eq!(client.get(&format!("{CONTACTS}/{guid}")).status, 200);
}

#[test]
fn the_callers_own_guid_is_used_and_invoices_work_too() {
    let sb = sandbox();
    let client = Client::to(&sb);
    let guid = "5e0b7c1a-93d4-4f2e-8a61-0c2d4e6f8a10";
    sb.inject(json!({"kind": "reset", "after_processing": true, "method": "POST"}))
        .unwrap();
    let body = json!({"Guid": guid, "Description": "Æbler",
                      "ProductLines": [{"Description": "Æbler", "Quantity": 2, "BaseAmountValue": 12.5}]});
    let (got, reply) = client
        .create("/v1/{organizationId}/invoices", &body.to_string())
        .unwrap();
    assert_eq!(got, guid);
    assert_eq!(reply.status, 200, "read back after the lost answer");
    assert_eq!(reply.json()["Guid"], guid);
    assert_eq!(reply.json()["Number"].as_i64(), Some(i64::MAX), "a draft");
    assert_eq!(sb.stats()["created"]["invoices"], 1);
}

#[test]
fn a_refusal_is_dineros_answer_and_nothing_is_repeated() {
    let sb = sandbox();
    let client = Client::to(&sb);
    sb.reset_stats();
    let (_, reply) = client.create(CONTACTS, r#"{"Name":"Uden land"}"#).unwrap();
    assert_eq!(reply.status, 400);
    assert_eq!(reply.json()["code"], 42);
    assert_eq!(route_count(&sb, "POST /v1/{org}/contacts"), 1);
    assert_eq!(route_count(&sb, "GET /v1/{org}/contacts/{guid}"), 0);
}

#[test]
fn what_cannot_be_made_exactly_once_is_refused_before_anything_is_sent() {
    let sb = sandbox();
    let client = Client::to(&sb);
    sb.reset_stats();
    for (path, body) in [
        ("/v1/{organizationId}/products", r#"{"Name":"Kaffe"}"#),
        (CONTACTS, r#"{"ContactGuid":"not-a-guid"}"#),
        (CONTACTS, "[]"),
    ] {
        let Err(failed) = client.create(path, body) else {
            panic!("{path} {body}: accepted");
        };
        assert_eq!(
            failed.status, DINERO_STATUS_INVALID_ARGUMENT,
            "{path} {body}"
        );
    }
    assert_eq!(sb.stats()["api_requests"], 0);
}

#[test]
fn a_lost_credit_note_is_never_sent_again_as_dinero_does_not_document_its_id() {
    let sb = sandbox();
    let client = Client::to(&sb);
    let credit_note =
        json!({"ProductLines": [{"Description": "Retur", "Quantity": 1, "BaseAmountValue": 10}]});
    let path = "/v1/{organizationId}/sales/creditnotes";
    // Stored, answer lost: the lookup finds it, as for any resource.
    sb.inject(json!({"kind": "reset", "after_processing": true, "method": "POST"}))
        .unwrap();
    let (_, reply) = client.create(path, &credit_note.to_string()).unwrap();
    assert_eq!(reply.status, 200, "read back after the lost answer");
    // Not stored, answer lost: a 404 cannot prove that Dinero did not store it under an id of
    // its own, so the create is not repeated and the error names the id to look for.
    sb.reset_stats();
    sb.inject(json!({"kind": "reset", "method": "POST"}))
        .unwrap();
    let Err(failed) = client.create(path, &credit_note.to_string()) else {
        panic!("a lost credit-note create was settled by a 404");
    };
    assert_eq!(failed.status, DINERO_STATUS_NETWORK, "{}", failed.message);
    assert!(
        failed.message.contains("does not document"),
        "{}",
        failed.message
    );
    assert!(
        failed.message.contains("look for it later (GET"),
        "{}",
        failed.message
    );
    assert_eq!(route_count(&sb, "POST /v1/{org}/sales/creditnotes"), 1);
}

#[test]
fn a_404_that_is_not_dineros_not_found_does_not_count_as_not_stored() {
    let sb = sandbox();
    let client = Client::to(&sb);
    sb.reset_stats();
    // The answer is lost, and the lookup meets a 404 from something other than Dinero's API
    // (a route that does not exist, a proxy): it proves nothing, so nothing is sent again.
    sb.inject(json!({"kind": "reset", "method": "POST"}))
        .unwrap();
    sb.inject(
        json!({"kind": "status", "status": 404, "method": "GET", "content_type": "text/html",
                     "body": "<html><body>The resource cannot be found.</body></html>"}),
    )
    .unwrap();
    let Err(failed) = client.create(CONTACTS, NEW_CONTACT) else {
        panic!("an HTML 404 settled the create");
    };
    assert!(failed.message.contains("code 40"), "{}", failed.message);
    assert_eq!(route_count(&sb, "POST /v1/{org}/contacts"), 1);
}

#[test]
fn an_answer_naming_another_id_gives_the_caller_that_id() {
    let sb = sandbox();
    let client = Client::to(&sb);
    let theirs = "0b4f6fd6-5d49-4c2c-9a3e-6a7f1e2d3c4b";
    sb.inject(json!({"kind": "status", "status": 200, "method": "POST", "content_type": "application/json",
                     "body": format!("{{\"ContactGuid\":\"{theirs}\"}}")}))
        .unwrap();
    let (guid, reply) = client.create(CONTACTS, NEW_CONTACT).unwrap();
    assert_eq!(reply.status, 200);
    assert_eq!(guid, theirs);
}
