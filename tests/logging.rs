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

/// What the re-entering callback below needs: the client to call back into, and a count.
struct Reentry {
    client: std::sync::atomic::AtomicPtr<dinero::ffi::client::dinero_client>,
    calls: std::sync::atomic::AtomicUsize,
}

/// On an error line, asks the same client for a token: from inside the library's own call.
unsafe extern "C" fn ask_for_a_token(user_data: *mut c_void, level: u32, _: *const c_char) {
    let reentry = unsafe { &*(user_data as *const Reentry) };
    let client = reentry.client.load(std::sync::atomic::Ordering::SeqCst);
    // Once: the call below fails the same way and logs again, into this callback.
    if level != DINERO_LOG_ERROR
        || client.is_null()
        || reentry.calls.load(std::sync::atomic::Ordering::SeqCst) > 0
    {
        return;
    }
    reentry
        .calls
        .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let mut token = ptr::null_mut();
    let status = unsafe { dinero::ffi::client::dinero_client_access_token(client, &mut token) };
    if status == DINERO_STATUS_OK {
        unsafe { dinero::ffi::library::dinero_string_free(token) };
    }
}

#[test]
fn a_log_callback_may_call_back_into_its_client() {
    // A failed token refresh is logged; the callback asks the same client for a token. That
    // line used to be written while the client's token lock was held: the call never returned.
    let sb = sandbox_with(|c| c.token_lifetime = std::time::Duration::from_millis(1500));
    let reentry = Box::leak(Box::new(Reentry {
        client: std::sync::atomic::AtomicPtr::new(ptr::null_mut()),
        calls: std::sync::atomic::AtomicUsize::new(0),
    }));
    let options = Options::new(&fast_options(&sb)).unwrap();
    let data = reentry as *const Reentry as *mut c_void;
    let status = unsafe {
        dinero_options_set_log_callback(options.0, Some(ask_for_a_token), data, DINERO_LOG_ERROR)
    };
    assert_eq!(status, DINERO_STATUS_OK);
    let client = Client::with_options(&sb.config(), &options).unwrap();
    reentry
        .client
        .store(client.0, std::sync::atomic::Ordering::SeqCst);
    sb.revoke_tokens();
    inject(
        &sb,
        json!({"kind": "status", "target": "token", "status": 400, "count": 1000}),
    );
    let (done, finished) = std::sync::mpsc::channel();
    let worker = std::thread::spawn(move || {
        let result = client
            .request("GET", "/v1/organizations", None)
            .map(|r| r.status);
        let _ = done.send(result.is_err());
        client
    });
    // A generous hang catcher, not a timing assertion: the call takes milliseconds.
    let failed = finished
        .recv_timeout(std::time::Duration::from_secs(30))
        .expect("the request hung: the log callback waited for a lock its own call held");
    assert!(failed, "no token could be had: the request fails");
    assert!(reentry.calls.load(std::sync::atomic::Ordering::SeqCst) >= 1);
    drop(worker.join().unwrap());
}

/// What the callback below saw when it asked for a token from inside a token refresh.
struct Nested {
    client: std::sync::atomic::AtomicPtr<dinero::ffi::client::dinero_client>,
    answer: std::sync::Mutex<Option<(dinero_status, String)>>,
}

/// On the first line logged while the token is replaced, asks the same client for a token.
unsafe extern "C" fn ask_during_the_refresh(
    user_data: *mut c_void,
    _: u32,
    message: *const c_char,
) {
    let nested = unsafe { &*(user_data as *const Nested) };
    let client = nested.client.load(std::sync::atomic::Ordering::SeqCst);
    let line = unsafe { std::ffi::CStr::from_ptr(message) }.to_string_lossy();
    let mut answer = nested.answer.lock().unwrap();
    if client.is_null() || answer.is_some() || !line.contains("token") {
        return;
    }
    let mut token = ptr::null_mut();
    let status = unsafe { dinero::ffi::client::dinero_client_access_token(client, &mut token) };
    let why = unsafe { std::ffi::CStr::from_ptr(dinero::ffi::library::dinero_last_error()) };
    if status == DINERO_STATUS_OK {
        unsafe { dinero::ffi::library::dinero_string_free(token) };
    }
    *answer = Some((status, why.to_string_lossy().into_owned()));
}

#[test]
fn a_callback_inside_a_token_refresh_is_answered_at_once() {
    // The token has expired: the next request fetches one, and that fetch's log lines come
    // while the refresh runs on this thread. A token asked for from there used to wait for
    // that very refresh (until the refresh bound, minutes with the defaults).
    let sb = sandbox_with(|c| c.token_lifetime = std::time::Duration::from_millis(1000));
    let nested = Box::leak(Box::new(Nested {
        client: std::sync::atomic::AtomicPtr::new(ptr::null_mut()),
        answer: std::sync::Mutex::new(None),
    }));
    let options = Options::new(&fast_options(&sb)).unwrap();
    let data = nested as *const Nested as *mut c_void;
    let set = unsafe {
        dinero_options_set_log_callback(
            options.0,
            Some(ask_during_the_refresh),
            data,
            DINERO_LOG_DEBUG,
        )
    };
    assert_eq!(set, DINERO_STATUS_OK);
    let client = Client::with_options(&sb.config(), &options).unwrap();
    *nested.answer.lock().unwrap() = None; // the sign-in's own lines do not count
    nested
        .client
        .store(client.0, std::sync::atomic::Ordering::SeqCst);
    std::thread::sleep(std::time::Duration::from_millis(1100)); // past the token's lifetime
    assert_eq!(client.get("/v1/organizations").status, 200);
    let (status, why) = nested
        .answer
        .lock()
        .unwrap()
        .clone()
        .expect("a line came during the refresh");
    assert_eq!(status, DINERO_STATUS_AUTH_UNAVAILABLE, "{why}");
    assert!(why.contains("this thread's own call"), "{why}");
}
