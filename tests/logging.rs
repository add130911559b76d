//! The log callback: one line per attempt and token event, filtered by level, and never a
//! secret in any line.

mod common;
use common::*;
use dinero::ffi::client::dinero_authenticate;
use dinero::ffi::log::*;
use dinero::ffi::status::*;
use serde_json::json;
use std::ffi::{c_char, c_void, CStr};
use std::ptr;
use std::sync::Mutex;

type Lines = Mutex<Vec<(u32, String)>>;

unsafe extern "C" fn collect(user_data: *mut c_void, level: u32, message: *const c_char) {
    let lines = unsafe { &*(user_data as *const Lines) };
    let text = unsafe { CStr::from_ptr(message) }
        .to_str()
        .unwrap()
        .to_string();
    lines.lock().unwrap().push((level, text));
}

fn logging_client(sb: &Sandbox, lines: &Lines, max_level: u32) -> Client {
    let options = Options::new(&fast_options(sb)).unwrap();
    let user_data = lines as *const Lines as *mut c_void;
    let status =
        unsafe { dinero_options_set_log_callback(options.0, Some(collect), user_data, max_level) };
    assert_eq!(status, DINERO_STATUS_OK);
    let c = sb.config();
    let mut client = ptr::null_mut();
    let status = unsafe {
        dinero_authenticate(
            cstr(&c.client_id).as_ptr(),
            cstr(&c.client_secret).as_ptr(),
            cstr(&c.api_key).as_ptr(),
            options.0,
            &mut client,
        )
    };
    assert_eq!(status, DINERO_STATUS_OK, "{}", last_error());
    Client(client)
}

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
    let client = logging_client(&sb, &lines, DINERO_LOG_DEBUG);
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
    let client = logging_client(&sb, &lines, DINERO_LOG_WARN);
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
fn bad_levels_and_null_options_are_refused() {
    let options = Options::new(&[]).unwrap();
    let lines = Lines::default();
    let data = &lines as *const Lines as *mut c_void;
    assert_eq!(
        unsafe { dinero_options_set_log_callback(options.0, Some(collect), data, 9) },
        DINERO_STATUS_INVALID_ARGUMENT
    );
    assert_eq!(
        unsafe { dinero_options_set_log_callback(ptr::null_mut(), Some(collect), data, 1) },
        DINERO_STATUS_NULL_ARGUMENT
    );
    assert_eq!(
        unsafe { dinero_options_set_log_callback(options.0, None, ptr::null_mut(), 1) },
        DINERO_STATUS_OK,
        "a NULL callback turns logging off"
    );
}
