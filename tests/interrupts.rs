//! The interrupt callback gives up a long wait: a request that waits for a slot in the rate
//! window (its own or the shared one), for a 429's Retry-After or for another thread's token
//! refresh ends with DINERO_STATUS_INTERRUPTED soon after the callback asks, and sends nothing
//! more. A callback that never asks changes nothing, and a request that does not wait never
//! calls it.

mod common;
use common::*;
use dinero::ffi::interrupt::dinero_options_set_interrupt_callback;
use dinero::ffi::status::{DINERO_STATUS_INTERRUPTED, DINERO_STATUS_OK};
use serde_json::json;
use std::ffi::c_void;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::Mutex;
use std::thread::ThreadId;
use std::time::{Duration, Instant};

/// What the callback sees and answers: `stop` is the user's Ctrl-C.
#[derive(Default)]
struct Asked {
    times: AtomicU32,
    stop: AtomicBool,
    threads: Mutex<Vec<ThreadId>>,
}

unsafe extern "C" fn ask(user_data: *mut c_void) -> bool {
    let asked = unsafe { &*(user_data as *const Asked) };
    asked.times.fetch_add(1, Ordering::SeqCst);
    asked
        .threads
        .lock()
        .unwrap()
        .push(std::thread::current().id());
    asked.stop.load(Ordering::SeqCst)
}

/// A client of `sandbox` with `extra` options whose interrupt callback reads `asked`.
fn interruptible(sandbox: &Sandbox, asked: &Asked, extra: &[(&str, &str)]) -> Client {
    let mut pairs = fast_options(sandbox);
    pairs.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    let options = Options::new(&pairs).unwrap();
    let data = asked as *const Asked as *mut c_void;
    let status = unsafe { dinero_options_set_interrupt_callback(options.0, Some(ask), data) };
    assert_eq!(status, DINERO_STATUS_OK);
    Client::with_options(&sandbox.config(), &options).unwrap()
}

/// Presses "Ctrl-C" `after` a request starts on this thread, and returns how it ended and how
/// long after the press.
fn interrupted_after(
    asked: &Asked,
    after: Duration,
    call: impl FnOnce() -> Result<Reply, Failed>,
) -> (Failed, Duration) {
    std::thread::scope(|s| {
        s.spawn(|| {
            std::thread::sleep(after);
            asked.stop.store(true, Ordering::SeqCst);
        });
        let started = Instant::now();
        let failed = match call() {
            Ok(reply) => panic!("the wait was not given up: HTTP {}", reply.status),
            Err(failed) => failed,
        };
        (failed, started.elapsed().saturating_sub(after))
    })
}

/// Presses "Ctrl-C" 300 ms into `call` and checks that it gave up its wait for `what` soon
/// after (not when the 30 or 60 s wait ended), the sandbox having seen one GET only.
fn assert_given_up(
    sandbox: &Sandbox,
    asked: &Asked,
    what: &str,
    call: impl FnOnce() -> Result<Reply, Failed>,
) {
    let (failed, late) = interrupted_after(asked, ms(300), call);
    assert_eq!(
        failed.status, DINERO_STATUS_INTERRUPTED,
        "{}",
        failed.message
    );
    assert!(failed.message.contains(what), "{}", failed.message);
    assert!(
        late < Duration::from_secs(10),
        "given up {late:?} after the press"
    );
    assert_eq!(
        route_count(sandbox, "GET /v1/organizations"),
        1,
        "nothing more was sent"
    );
}

const THIRTY_SECONDS: &str = "30000";

/// An interruptible client allowed one request in each window of `window_ms`.
fn one_request_a_window(sandbox: &Sandbox, asked: &Asked, window_ms: &str) -> Client {
    let pacing = [
        ("rate_limit_per_minute", "1"),
        ("rate_limit_window_ms", window_ms),
    ];
    interruptible(sandbox, asked, &pacing)
}

#[test]
fn a_wait_for_a_slot_in_the_own_window_is_given_up() {
    let sb = sandbox();
    let asked = Asked::default();
    let client = one_request_a_window(&sb, &asked, THIRTY_SECONDS);
    assert_eq!(client.get("/v1/organizations").status, 200);
    assert_eq!(
        asked.times.load(Ordering::SeqCst),
        0,
        "a request with a free slot never asks"
    );
    assert_given_up(&sb, &asked, "rate window", || {
        client.request("GET", "/v1/organizations", None)
    });
    let threads = asked.threads.lock().unwrap();
    assert!(
        threads.iter().all(|t| *t == std::thread::current().id()),
        "asked on the caller's thread"
    );
}

#[test]
fn a_wait_for_a_slot_in_the_shared_window_is_given_up() {
    let sb = sandbox();
    let folder = tempfile::tempdir().unwrap();
    let state = folder.path().join("dinero.state");
    let state = state.to_str().unwrap();
    let shared = [
        ("rate_limit_per_minute", "1"),
        ("rate_limit_window_ms", THIRTY_SECONDS),
        ("shared_state", state),
        ("shared_state_timeout_ms", "3000"),
    ];
    let first = Client::to_with(&sb, &shared).unwrap();
    assert_eq!(first.get("/v1/organizations").status, 200);
    // A second client: its own window is empty, the shared one is full.
    let asked = Asked::default();
    let second = interruptible(&sb, &asked, &shared);
    assert_given_up(&sb, &asked, "shared rate window", || {
        second.request("GET", "/v1/organizations", None)
    });
}

#[test]
fn the_pause_before_a_retry_is_given_up() {
    let sb = sandbox();
    let asked = Asked::default();
    let client = interruptible(&sb, &asked, &[]);
    inject(
        &sb,
        json!({"kind": "status", "status": 429, "retry_after": "60"}),
    );
    assert_given_up(&sb, &asked, "retry", || {
        client.request("GET", "/v1/organizations", None)
    });
    // The client is still whole: the next request goes through.
    asked.stop.store(false, Ordering::SeqCst);
    assert_eq!(client.get("/v1/organizations").status, 200);
}

#[test]
fn a_callback_that_never_asks_lets_the_wait_run_out() {
    let sb = sandbox();
    let asked = Asked::default();
    let client = one_request_a_window(&sb, &asked, "600");
    assert_eq!(client.get("/v1/organizations").status, 200);
    assert_eq!(
        client.get("/v1/organizations").status,
        200,
        "sent once the window freed"
    );
    assert!(
        asked.times.load(Ordering::SeqCst) >= 1,
        "asked while it waited"
    );
    assert_eq!(route_count(&sb, "GET /v1/organizations"), 2);
}

#[test]
fn null_options_are_refused_and_null_callback_turns_it_off() {
    let status = unsafe {
        dinero_options_set_interrupt_callback(std::ptr::null_mut(), Some(ask), std::ptr::null_mut())
    };
    assert_eq!(status, dinero::ffi::status::DINERO_STATUS_NULL_ARGUMENT);
    let options = Options::new(&[]).unwrap();
    let status =
        unsafe { dinero_options_set_interrupt_callback(options.0, None, std::ptr::null_mut()) };
    assert_eq!(status, DINERO_STATUS_OK);
}

#[test]
fn a_wait_for_another_threads_token_refresh_is_given_up() {
    // A one-second first token, and a token endpoint that then takes three seconds to answer.
    let sb = sandbox_with(|c| c.token_lifetime = ms(1000));
    let asked = Asked::default();
    let client = interruptible(&sb, &asked, &[("timeout_ms", "10000")]);
    std::thread::sleep(ms(1100)); // the token has expired; the next one lasts
    sb.configure(json!({"token_lifetime_ms": 60_000})).unwrap();
    inject(
        &sb,
        json!({"kind": "delay", "delay_ms": 3000, "target": "token", "count": 1}),
    );
    std::thread::scope(|s| {
        let refreshing = s.spawn(|| client.get("/v1/organizations").status);
        std::thread::sleep(ms(300)); // that thread is fetching the new token
        let (failed, _) = interrupted_after(&asked, ms(300), || {
            client.request("GET", "/v1/organizations", None)
        });
        assert_eq!(
            failed.status, DINERO_STATUS_INTERRUPTED,
            "{}",
            failed.message
        );
        assert!(
            failed.message.contains("token refresh"),
            "{}",
            failed.message
        );
        // The fetch itself is not a wait: it goes on, and its request is answered.
        assert_eq!(refreshing.join().unwrap(), 200);
    });
    assert_eq!(route_count(&sb, "GET /v1/organizations"), 1);
    assert_eq!(stat(&sb, "tokens_issued"), 2);
}
