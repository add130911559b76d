//! The fault matrix: every fault the sandbox can inject, for a GET and for a POST, with the
//! outcome a user gets and how many times the sandbox really saw the request (so "no
//! duplicate POST" is proven, not assumed). Every error message and log line produced on the
//! way is checked for secrets. The table is written to target/reliability/fault-matrix.md and
//! must match the one in docs/RELIABILITY.md (`make reliability` regenerates the doc).

mod common;
use common::*;
use dinero::ffi::log::DINERO_LOG_DEBUG;
use dinero::ffi::status::*;
use serde_json::{json, Value};
use std::fmt::Write;

/// What one request ended with: an HTTP status, or a C status.
fn outcome(result: &Result<Reply, Failed>) -> String {
    match result {
        Ok(reply) => format!("HTTP {}", reply.status),
        Err(failed) => status_name(failed.status).to_string(),
    }
}

fn status_name(status: dinero_status) -> &'static str {
    match status {
        DINERO_STATUS_NETWORK => "NETWORK",
        DINERO_STATUS_TIMEOUT => "TIMEOUT",
        DINERO_STATUS_PROTOCOL => "PROTOCOL",
        DINERO_STATUS_TLS => "TLS",
        DINERO_STATUS_AUTH_REJECTED => "AUTH_REJECTED",
        DINERO_STATUS_AUTH_UNAVAILABLE => "AUTH_UNAVAILABLE",
        DINERO_STATUS_RESPONSE_TOO_LARGE => "RESPONSE_TOO_LARGE",
        _ => "OTHER",
    }
}

struct Row {
    fault: &'static str,
    /// Prepares the sandbox for one method ("GET" or "POST").
    setup: fn(&Sandbox, &str),
    get: (&'static str, u64),
    post: (&'static str, u64),
}

fn api_fault(fault: Value) -> impl Fn(&Sandbox, &str) {
    move |sb, method| {
        let mut fault = fault.clone();
        fault["method"] = json!(method);
        inject(sb, fault);
    }
}

macro_rules! fault {
    ($json:tt) => {
        |sb: &Sandbox, method: &str| api_fault(json!($json))(sb, method)
    };
}

fn rows() -> Vec<Row> {
    vec![
        Row {
            fault: "none",
            setup: |_, _| {},
            get: ("HTTP 200", 1),
            post: ("HTTP 201", 1),
        },
        Row {
            fault: "429 with Retry-After: 1",
            setup: fault!({"kind": "status", "status": 429, "retry_after": "1"}),
            get: ("HTTP 200", 2),
            post: ("HTTP 201", 2),
        },
        Row {
            fault: "429 without Retry-After",
            setup: fault!({"kind": "status", "status": 429}),
            get: ("HTTP 200", 2),
            post: ("HTTP 201", 2),
        },
        Row {
            fault: "480 brownout",
            setup: fault!({"kind": "status", "status": 480}),
            get: ("HTTP 200", 2),
            post: ("HTTP 480", 1),
        },
        Row {
            fault: "500",
            setup: fault!({"kind": "status", "status": 500}),
            get: ("HTTP 500", 1),
            post: ("HTTP 500", 1),
        },
        Row {
            fault: "502",
            setup: fault!({"kind": "status", "status": 502}),
            get: ("HTTP 200", 2),
            post: ("HTTP 502", 1),
        },
        Row {
            fault: "503",
            setup: fault!({"kind": "status", "status": 503}),
            get: ("HTTP 200", 2),
            post: ("HTTP 503", 1),
        },
        Row {
            fault: "504",
            setup: fault!({"kind": "status", "status": 504}),
            get: ("HTTP 200", 2),
            post: ("HTTP 504", 1),
        },
        Row {
            fault: "503 four times (max_retries 3)",
            setup: fault!({"kind": "status", "status": 503, "count": 4}),
            get: ("HTTP 503", 4),
            post: ("HTTP 503", 1),
        },
        Row {
            fault: "connection closed before the answer",
            setup: fault!({"kind": "drop"}),
            get: ("HTTP 200", 2),
            post: ("NETWORK", 1),
        },
        Row {
            fault: "connection reset before the answer",
            setup: fault!({"kind": "reset"}),
            get: ("HTTP 200", 2),
            post: ("NETWORK", 1),
        },
        Row {
            fault: "reset mid-body (truncated)",
            setup: fault!({"kind": "truncate"}),
            get: ("HTTP 200", 2),
            post: ("PROTOCOL", 1),
        },
        Row {
            fault: "answer is not HTTP",
            setup: fault!({"kind": "garbage"}),
            get: ("HTTP 200", 2),
            post: ("PROTOCOL", 1),
        },
        Row {
            fault: "malformed JSON body",
            setup: fault!({"kind": "malformed"}),
            get: ("HTTP 200", 1),
            post: ("HTTP 200", 1),
        },
        Row {
            fault: "slow answer beyond timeout_ms",
            setup: fault!({"kind": "delay", "delay_ms": 2500}),
            get: ("TIMEOUT", 1),
            post: ("TIMEOUT", 1),
        },
        Row {
            fault: "slow drip within timeout_ms",
            setup: fault!({"kind": "drip", "interval_ms": 1}),
            get: ("HTTP 200", 1),
            post: ("HTTP 201", 1),
        },
        Row {
            fault: "huge body beyond max_response_bytes",
            setup: fault!({"kind": "huge", "size": 100_000_000}),
            get: ("RESPONSE_TOO_LARGE", 1),
            post: ("RESPONSE_TOO_LARGE", 1),
        },
        Row {
            fault: "token expired early (server side)",
            setup: |sb, _| sb.expire_tokens(),
            get: ("HTTP 200", 2),
            post: ("HTTP 201", 2),
        },
        Row {
            fault: "token revoked",
            setup: |sb, _| sb.revoke_tokens(),
            get: ("HTTP 200", 2),
            post: ("HTTP 201", 2),
        },
        Row {
            fault: "token revoked, token endpoint down",
            setup: |sb, _| {
                sb.revoke_tokens();
                inject(
                    sb,
                    json!({"kind": "status", "status": 503, "count": 10, "target": "token"}),
                );
            },
            get: ("AUTH_UNAVAILABLE", 1),
            post: ("AUTH_UNAVAILABLE", 1),
        },
        Row {
            fault: "token revoked, token endpoint answers garbage",
            setup: |sb, _| {
                sb.revoke_tokens();
                inject(sb, json!({"kind": "malformed", "target": "token"}));
            },
            get: ("AUTH_UNAVAILABLE", 1),
            post: ("AUTH_UNAVAILABLE", 1),
        },
    ]
}

/// Every Bearer token the sandbox saw, to search the collected text for.
fn tokens_seen(sb: &Sandbox) -> Vec<String> {
    sb.requests()
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["headers"]["authorization"].as_str())
        .filter_map(|a| a.strip_prefix("Bearer "))
        .map(str::to_string)
        .collect()
}

#[test]
fn every_fault_has_the_outcome_a_user_relies_on() {
    let mut table = String::from(
        "| fault | GET: outcome | GET: requests the server saw | POST: outcome | POST: requests the server saw |\n|---|---|---|---|---|\n",
    );
    let mut mismatches = Vec::new();
    let mut texts_checked = 0;
    for row in rows() {
        let mut cells = Vec::new();
        for (method, expected) in [("GET", row.get), ("POST", row.post)] {
            let sb = sandbox_with(|c| {
                c.client_secret = "matrix-secret-93ab17".into();
                c.api_key = "matrix-api-key-51f0c2".into();
            });
            let lines = LogLines::default();
            // A scaled-down rate window: a 429 without Retry-After waits shares of it.
            let limits = [
                ("timeout_ms", "1500"),
                ("max_response_bytes", "1000000"),
                ("rate_limit_window_ms", "1000"),
            ];
            let client = Client::logging_to(&sb, &lines, DINERO_LOG_DEBUG, &limits);
            sb.reset_stats();
            (row.setup)(&sb, method);
            let body = (method == "POST").then_some(r#"{"Name":"Børge Lund","CountryKey":"DK","IsPerson":true,"IsMember":false,"UseCvr":false}"#);
            let path = match method {
                "GET" => "/v1/{organizationId}/contacts?pageSize=1",
                _ => "/v1/{organizationId}/contacts",
            };
            let result = client.request(method, path, body);
            let route = format!("{method} /v1/{{org}}/contacts");
            let got = (outcome(&result), route_count(&sb, &route));
            if (got.0.as_str(), got.1) != expected {
                mismatches.push(format!(
                    "{} / {method}: expected {expected:?}, got {got:?}",
                    row.fault
                ));
            }
            cells.push(format!("{} | {}", got.0, got.1));

            // Item 7: no secret in any message or log line the whole matrix produced.
            let mut texts: Vec<String> = lines
                .lock()
                .unwrap()
                .iter()
                .map(|(_, t)| t.clone())
                .collect();
            if let Err(failed) = &result {
                texts.push(failed.message.clone());
            }
            let c = sb.config();
            let mut secrets = vec![c.client_secret.clone(), c.api_key.clone()];
            secrets.extend(tokens_seen(&sb));
            for text in &texts {
                for secret in &secrets {
                    assert!(
                        !text.contains(secret.as_str()),
                        "{} / {method}: a secret leaked",
                        row.fault
                    );
                }
            }
            texts_checked += texts.len();
        }
        writeln!(table, "| {} | {} | {} |", row.fault, cells[0], cells[1]).unwrap();
    }
    assert!(mismatches.is_empty(), "{mismatches:#?}");
    assert!(
        texts_checked > 50,
        "the secret check saw {texts_checked} messages"
    );
    common::reliability::publish("fault-matrix.md", &table);
}
