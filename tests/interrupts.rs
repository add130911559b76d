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

/// What the callback sees and answers: `stop` is the user's Ctrl-C, for every thread or, with
/// `only`, for that one thread (as Python's check says yes on its main thread only).
#[derive(Default)]
struct Asked {
    times: AtomicU32,
    stop: AtomicBool,
    only: Mutex<Option<ThreadId>>,
    threads: Mutex<Vec<ThreadId>>,
}

unsafe extern "C" fn ask(user_data: *mut c_void) -> bool {
    let asked = unsafe { &*(user_data as *const Asked) };
    asked.times.fetch_add(1, Ordering::SeqCst);
    let here = std::thread::current().id();
    asked.threads.lock().unwrap().push(here);
    let this_thread = asked.only.lock().unwrap().is_none_or(|only| only == here);
    this_thread && asked.stop.load(Ordering::SeqCst)
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
    let started = Instant::now();
    let failed = match interrupted_or_answered(asked, after, call) {
        Ok(reply) => panic!("the wait was not given up: HTTP {}", reply.status),
        Err(failed) => failed,
    };
    (failed, started.elapsed().saturating_sub(after))
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
    // A callback that would say stop at once, then NULL in its place: the wait runs out.
    let sb = sandbox();
    let asked = Asked::default();
    asked.stop.store(true, Ordering::SeqCst);
    let mut pairs = fast_options(&sb);
    pairs.push(("rate_limit_per_minute".into(), "1".into()));
    pairs.push(("rate_limit_window_ms".into(), "600".into()));
    let options = Options::new(&pairs).unwrap();
    let data = &asked as *const Asked as *mut c_void;
    assert_eq!(
        unsafe { dinero_options_set_interrupt_callback(options.0, Some(ask), data) },
        DINERO_STATUS_OK
    );
    let status =
        unsafe { dinero_options_set_interrupt_callback(options.0, None, std::ptr::null_mut()) };
    assert_eq!(status, DINERO_STATUS_OK);
    let client = Client::with_options(&sb.config(), &options).unwrap();
    assert_eq!(client.get("/v1/organizations").status, 200);
    assert_eq!(client.get("/v1/organizations").status, 200, "waited out");
    assert_eq!(asked.times.load(Ordering::SeqCst), 0, "never asked");
}

#[test]
fn a_wait_for_another_threads_token_refresh_is_given_up() {
    // A one-second first token, and a token endpoint that then takes three seconds to answer.
    let sb = sandbox_with(|c| c.token_lifetime = ms(1000));
    let asked = Asked::default();
    let client = token_due(&sb, &asked, SLOW_TOKEN.clone(), &[]);
    let failed = given_up_while_another_thread_fetches(&client, &asked);
    assert!(
        failed.message.contains("token refresh"),
        "{}",
        failed.message
    );
    assert_eq!(route_count(&sb, "GET /v1/organizations"), 1);
    assert_eq!(stat(&sb, "tokens_issued"), 2);
}

static SLOW_TOKEN: std::sync::LazyLock<serde_json::Value> = std::sync::LazyLock::new(
    || json!({"kind": "delay", "delay_ms": 3000, "target": "token", "count": 1}),
);

/// One thread fetches a token (slowly) while this one waits for it and gives the wait up: how
/// it failed, once the fetching thread's request was answered. (The fetch itself is not a
/// wait: it goes on.)
fn given_up_while_another_thread_fetches(client: &Client, asked: &Asked) -> Failed {
    std::thread::scope(|s| {
        let refreshing = s.spawn(|| client.get("/v1/organizations").status);
        std::thread::sleep(ms(300)); // that thread is fetching the new token
        let (failed, _) = interrupted_after(asked, ms(300), || {
            client.request("GET", "/v1/organizations", None)
        });
        assert_eq!(
            failed.status, DINERO_STATUS_INTERRUPTED,
            "{}",
            failed.message
        );
        assert_eq!(refreshing.join().unwrap(), 200);
        failed
    })
}

/// A client of a sandbox whose first token has just expired and whose token endpoint will
/// answer the next fetch with `fault`; `extra` options as for `interruptible`.
fn token_due(
    sb: &Sandbox,
    asked: &Asked,
    fault: serde_json::Value,
    extra: &[(&str, &str)],
) -> Client {
    let mut options = vec![("timeout_ms", "10000")];
    options.extend_from_slice(extra);
    let client = interruptible(sb, asked, &options);
    std::thread::sleep(ms(1100)); // the sandbox's one-second first token has expired
    sb.configure(json!({"token_lifetime_ms": 60_000})).unwrap();
    inject(sb, fault);
    client
}

#[test]
fn a_wait_for_a_token_given_up_spends_no_rate_slot() {
    // Two requests a 30 s window. One thread fetches a token (3 s), another waits for it and
    // gives up: only the first request was sent, so the next one has a free slot at once.
    let sb = sandbox_with(|c| c.token_lifetime = ms(1000));
    let asked = Asked::default();
    let pacing = [
        ("rate_limit_per_minute", "2"),
        ("rate_limit_window_ms", THIRTY_SECONDS),
    ];
    let client = token_due(&sb, &asked, SLOW_TOKEN.clone(), &pacing);
    given_up_while_another_thread_fetches(&client, &asked);
    // Were the given-up wait's slot spent, this request would wait for the window, and give
    // up at the press.
    asked.stop.store(false, Ordering::SeqCst);
    let reply = interrupted_or_answered(&asked, ms(2000), || {
        client.request("GET", "/v1/organizations", None)
    });
    assert_eq!(reply.map(|r| r.status).map_err(|f| f.message), Ok(200));
    assert_eq!(route_count(&sb, "GET /v1/organizations"), 2);
}

#[test]
fn one_threads_interrupt_is_not_handed_to_the_threads_waiting_for_the_same_token() {
    // The token endpoint's first answer is a 429 to wait out for a minute. The thread fetching
    // gives up its pause; the thread waiting for that fetch was not asked to stop: it fetches
    // a token itself, and its request is answered.
    let sb = sandbox_with(|c| c.token_lifetime = ms(1000));
    let asked = Asked::default();
    let limited = json!({"kind": "status", "status": 429, "retry_after": "60", "target": "token", "count": 1});
    let client = token_due(&sb, &asked, limited, &[]);
    std::thread::scope(|s| {
        let first = s.spawn(|| {
            *asked.only.lock().unwrap() = Some(std::thread::current().id());
            let answer = client.request("GET", "/v1/organizations", None);
            answer.map(|r| r.status).map_err(|f| f.status)
        });
        std::thread::sleep(ms(300)); // the first thread is in the 429's pause
        let waiting = s.spawn(|| {
            let answer = client.request("GET", "/v1/organizations", None);
            answer.map(|r| r.status).map_err(|f| f.message)
        });
        std::thread::sleep(ms(300));
        asked.stop.store(true, Ordering::SeqCst);
        assert_eq!(first.join().unwrap(), Err(DINERO_STATUS_INTERRUPTED));
        assert_eq!(waiting.join().unwrap(), Ok(200));
    });
    assert_eq!(route_count(&sb, "GET /v1/organizations"), 1);
}

#[test]
fn an_interrupt_during_an_early_token_refresh_is_reported() {
    // The token is still valid but due for its early refresh, whose answer is a 429 to wait
    // out. Giving that pause up is the call's answer; the still-valid token is not used for it.
    let sb = sandbox_with(|c| c.token_lifetime = ms(10_000));
    let asked = Asked::default();
    let client = interruptible(&sb, &asked, &[("timeout_ms", "10000")]);
    // Past the refresh margin (a tenth of the lifetime), with most of a second still valid.
    std::thread::sleep(ms(9_200));
    inject(
        &sb,
        json!({"kind": "status", "status": 429, "retry_after": "60", "target": "token", "count": 1}),
    );
    let (failed, _) = interrupted_after(&asked, ms(100), || {
        client.request("GET", "/v1/organizations", None)
    });
    assert_eq!(
        failed.status, DINERO_STATUS_INTERRUPTED,
        "{}",
        failed.message
    );
    assert_eq!(
        route_count(&sb, "GET /v1/organizations"),
        0,
        "nothing was sent"
    );
}

/// `call`'s answer, or how it failed once "Ctrl-C" was pressed `after` it started.
fn interrupted_or_answered(
    asked: &Asked,
    after: Duration,
    call: impl FnOnce() -> Result<Reply, Failed>,
) -> Result<Reply, Failed> {
    std::thread::scope(|s| {
        s.spawn(|| {
            std::thread::sleep(after);
            asked.stop.store(true, Ordering::SeqCst);
        });
        call()
    })
}
