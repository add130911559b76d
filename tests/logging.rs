//! The log callback: one line per attempt and token event, filtered by level, and never a
//! secret in any line.

mod common;
use common::*;
use dinero::ffi::log::*;
use dinero::ffi::status::*;
use serde_json::json;
use std::ffi::{c_char, c_void};
use std::ptr;

type Lines = LogLines;

fn texts(lines: &Lines) -> Vec<String> {
    lines
        .lock()
        .unwrap()
        .iter()
        .map(|(_, t)| t.clone())
        .collect()
}

#[test]
fn requests_retries_and_token_events_are_logged_without_secrets() {
    let sb = sandbox_with(|c| c.client_secret = "logging-test-secret".into());
    let lines = Lines::default();
    let client = Client::logging_to(&sb, &lines, DINERO_LOG_DEBUG, &[]);
    client.get("/v1/{organizationId}/contacts?queryFilter=Name%20eq%20'x'");
    inject(&sb, json!({"kind": "status", "status": 503}));
    client.get("/v1/organizations");
    sb.revoke_tokens();
    client.get("/v1/organizations");
    inject(&sb, json!({"kind": "drop", "method": "POST"}));
    let _ = client.request("POST", "/v1/{organizationId}/contacts", Some("{}"));

    let all = texts(&lines);
    let has = |needle: &str| all.iter().any(|l| l.contains(needle));
    assert!(
        has("new token from the token endpoint (lifetime 3600 s)"),
        "{all:#?}"
    );
    assert!(
        has("GET /v1/424242/contacts -> 200 (attempt 1, "),
        "{all:#?}"
    );
    assert!(!has("queryFilter"), "queries are not logged: {all:#?}");
    assert!(
        has("GET /v1/organizations -> 503 (attempt 1, ") && has("ms); retrying in "),
        "{all:#?}"
    );
    assert!(has("GET /v1/organizations -> 200 (attempt 2, "), "{all:#?}");
    assert!(
        has("the API refused the token (401); replacing it"),
        "{all:#?}"
    );
    assert!(
        has("POST /v1/424242/contacts -> failed: the connection was reset or closed"),
        "{all:#?}"
    );

    let c = sb.config();
    let token = client.access_token().unwrap();
    for line in &all {
        for secret in [c.client_secret.as_str(), c.api_key.as_str(), token.as_str()] {
            assert!(!line.contains(secret), "a log line holds a secret");
        }
    }
    let levels: Vec<u32> = lines.lock().unwrap().iter().map(|(l, _)| *l).collect();
    assert!(levels.contains(&DINERO_LOG_ERROR) && levels.contains(&DINERO_LOG_WARN));
}

#[test]
fn max_level_filters_lines() {
    let sb = sandbox();
    let lines = Lines::default();
    let client = Client::logging_to(&sb, &lines, DINERO_LOG_WARN, &[]);
    client.get("/v1/organizations");
    assert!(
        texts(&lines).is_empty(),
        "INFO lines filtered: {:?}",
        texts(&lines)
    );
    inject(&sb, json!({"kind": "status", "status": 502}));
    client.get("/v1/organizations");
    let levels: Vec<u32> = lines.lock().unwrap().iter().map(|(l, _)| *l).collect();
    assert_eq!(levels, vec![DINERO_LOG_WARN]);
}

#[test]
fn level_off_logs_nothing() {
    // "off", as dinero_log_level_parse reads it, is a max_level a caller can pass on as it is.
    let mut off = 9u32;
    let status =
        unsafe { dinero::ffi::log_level::dinero_log_level_parse(c"off".as_ptr(), &mut off) };
    assert_eq!((status, off), (DINERO_STATUS_OK, 0));
    let sb = sandbox();
    let lines = Lines::default();
    let client = Client::logging_to(&sb, &lines, off, &[]);
    inject(&sb, json!({"kind": "status", "status": 502}));
    client.get("/v1/organizations");
    assert!(texts(&lines).is_empty(), "{:?}", texts(&lines));
}

unsafe extern "C" fn noop(_: *mut c_void, _: u32, _: *const c_char) {}

#[test]
fn bad_levels_and_null_options_are_refused() {
    let options = Options::new(&[]).unwrap();
    let lines = Lines::default();
    let data = &lines as *const Lines as *mut c_void;
    assert_eq!(
        unsafe { dinero_options_set_log_callback(options.0, Some(noop), data, 9) },
        DINERO_STATUS_INVALID_ARGUMENT
    );
    assert_eq!(
        unsafe { dinero_options_set_log_callback(ptr::null_mut(), Some(noop), data, 1) },
        DINERO_STATUS_NULL_ARGUMENT
    );
    assert_eq!(
        unsafe { dinero_options_set_log_callback(options.0, None, ptr::null_mut(), 1) },
        DINERO_STATUS_OK,
        "a NULL callback turns logging off"
    );
}
