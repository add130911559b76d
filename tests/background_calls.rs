//! `dinero_*_async` over the C ABI against the sandbox: the blocking calls made on the
//! library's own threads, each outcome (status, its own message, the handle or string handed
//! out) delivered once to the caller's callback.

mod common;
use common::*;
use dinero::ffi::async_calls::*;
use dinero::ffi::background::dinero_background_set_threads;
use dinero::ffi::client::dinero_client_free;
use dinero::ffi::library::dinero_string_free;
use dinero::ffi::response::dinero_response_request;
use dinero::ffi::status::*;
use std::ffi::{c_char, c_void, CStr};
use std::ptr;
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::Mutex;
use std::time::Duration;

/// What one callback received, copied out while it ran.
#[derive(Debug)]
struct Done {
    tag: usize,
    status: dinero_status,
    message: Option<String>,
    handle: usize,
    text: Option<String>,
    thread: std::thread::ThreadId,
}

/// The callbacks' channel; `user_data` carries a tag, not a pointer, so it outlives nothing.
static SINK: Mutex<Option<Sender<Done>>> = Mutex::new(None);
/// One test at a time owns the sink (the tests of this file run on parallel threads).
static OWNER: Mutex<()> = Mutex::new(());

unsafe extern "C" fn done(
    user_data: *mut c_void,
    status: dinero_status,
    message: *const c_char,
    handle: *mut c_void,
    text: *mut c_char,
) {
    let read = |p: *const c_char| {
        (!p.is_null()).then(|| unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned())
    };
    let outcome = Done {
        tag: user_data as usize,
        status,
        message: read(message),
        handle: handle as usize,
        text: read(text),
        thread: std::thread::current().id(),
    };
    unsafe { dinero_string_free(text) };
    if let Some(sink) = SINK.lock().unwrap().as_ref() {
        sink.send(outcome).unwrap();
    }
}

fn collect(receiver: &Receiver<Done>, count: usize) -> Vec<Done> {
    let mut all: Vec<Done> = (0..count)
        .map(|_| {
            receiver
                .recv_timeout(Duration::from_secs(20))
                .expect("every started call finishes, once")
        })
        .collect();
    assert!(
        receiver.recv_timeout(Duration::from_millis(100)).is_err(),
        "no callback twice"
    );
    all.sort_by_key(|d| d.tag);
    all
}

fn tag(n: usize) -> *mut c_void {
    n as *mut c_void
}

#[test]
fn concurrent_calls_finish_off_the_callers_thread_each_with_its_own_outcome() {
    let _owner = OWNER.lock().unwrap_or_else(|p| p.into_inner());
    let (sender, receiver) = channel();
    *SINK.lock().unwrap() = Some(sender);
    let sb = sandbox_with(|c| c.rate_limit = 0);
    let client = Client::to(&sb);
    let caller = std::thread::current().id();

    // Twelve requests at once on one client, more than the default limit of 8 threads: the
    // rest wait for a thread, and every one finishes.
    let paths: Vec<String> = (0..12)
        .map(|i| format!("/v1/{{organizationId}}/contacts?pageSize={}", i + 1))
        .collect();
    for (i, path) in paths.iter().enumerate() {
        let status = unsafe {
            dinero_client_call_async(
                client.0,
                cstr("GET").as_ptr(),
                cstr(path).as_ptr(), // freed right after: the call copied it
                ptr::null(),
                ptr::null(),
                0,
                Some(done),
                tag(i),
            )
        };
        assert_eq!(status, DINERO_STATUS_OK, "started");
    }
    for (i, outcome) in collect(&receiver, 12).into_iter().enumerate() {
        assert_eq!(outcome.status, DINERO_STATUS_OK, "{outcome:?}");
        assert_ne!(outcome.thread, caller, "made on a thread of the library's");
        let reply = Reply::from_handle(outcome.handle as *mut _);
        assert_eq!(reply.status, 200);
        let line = unsafe { CStr::from_ptr(dinero_response_request(reply.handle)) };
        assert_eq!(line.to_str().unwrap(), format!("GET {}", paths[i]));
    }

    // Failures of different kinds at once: each message is its own call's.
    let c = sb.config();
    let options = Options::new(&fast_options(&sb)).unwrap();
    let secrets = [c.client_secret.as_str(), "wrong-secret"];
    for (i, secret) in secrets.iter().enumerate() {
        let status = unsafe {
            dinero_authenticate_async(
                cstr(&c.client_id).as_ptr(),
                cstr(secret).as_ptr(),
                cstr(&c.api_key).as_ptr(),
                options.0,
                Some(done),
                tag(i),
            )
        };
        assert_eq!(status, DINERO_STATUS_OK);
    }
    let bad_method = unsafe {
        dinero_client_call_async(
            client.0,
            cstr("GET /").as_ptr(),
            cstr("/v1/x").as_ptr(),
            ptr::null(),
            ptr::null(),
            0,
            Some(done),
            tag(2),
        )
    };
    assert_eq!(bad_method, DINERO_STATUS_OK, "refused later, through done");
    let outcomes = collect(&receiver, 3);
    assert_eq!(outcomes[0].status, DINERO_STATUS_OK);
    assert!(outcomes[0].message.is_none());
    assert_ne!(outcomes[0].handle, 0);
    unsafe { dinero_client_free(outcomes[0].handle as *mut _) };
    assert_eq!(outcomes[1].status, DINERO_STATUS_AUTH_REJECTED);
    assert_eq!(outcomes[1].handle, 0);
    let rejected = outcomes[1].message.as_deref().unwrap();
    assert!(!rejected.contains("wrong-secret"), "{rejected}");
    assert_eq!(outcomes[2].status, DINERO_STATUS_INVALID_ARGUMENT);
    let refused = outcomes[2].message.as_deref().unwrap();
    assert!(refused.contains("method"), "{refused}");
    assert_ne!(rejected, refused);

    // A string handed out travels as `text`: the GUID of a create, a token.
    let body = r#"{"Name":"Async","CountryKey":"DK","IsPerson":false}"#;
    let started = unsafe {
        dinero_client_create_async(
            client.0,
            cstr("/v1/{organizationId}/contacts").as_ptr(),
            cstr(body).as_ptr(),
            Some(done),
            tag(0),
        )
    };
    assert_eq!(started, DINERO_STATUS_OK);
    let started = unsafe { dinero_client_access_token_async(client.0, Some(done), tag(1)) };
    assert_eq!(started, DINERO_STATUS_OK);
    let outcomes = collect(&receiver, 2);
    let guid = outcomes[0].text.as_deref().expect("the GUID");
    assert_eq!(guid.len(), 36, "{guid}");
    drop(Reply::from_handle(outcomes[0].handle as *mut _));
    assert_eq!(
        outcomes[1].text.as_deref(),
        Some(client.access_token().unwrap().as_str()),
        "the client's token"
    );
    *SINK.lock().unwrap() = None;
}

#[test]
fn a_call_without_a_callback_or_a_bad_thread_count_is_refused_and_starts_nothing() {
    let _owner = OWNER.lock().unwrap_or_else(|p| p.into_inner());
    let sb = sandbox();
    let client = Client::to(&sb);
    let before = sb.requests().as_array().unwrap().len();
    let status = unsafe {
        dinero_client_call_async(
            client.0,
            cstr("GET").as_ptr(),
            cstr("/v1/organizations").as_ptr(),
            ptr::null(),
            ptr::null(),
            0,
            None,
            ptr::null_mut(),
        )
    };
    assert_eq!(status, DINERO_STATUS_NULL_ARGUMENT);
    assert!(last_error().contains("done"), "{}", last_error());
    std::thread::sleep(Duration::from_millis(100));
    assert_eq!(
        sb.requests().as_array().unwrap().len(),
        before,
        "nothing sent"
    );
    assert_eq!(
        dinero_background_set_threads(0),
        DINERO_STATUS_INVALID_ARGUMENT
    );
    assert_eq!(
        dinero_background_set_threads(65),
        DINERO_STATUS_INVALID_ARGUMENT
    );
    assert_eq!(dinero_background_set_threads(8), DINERO_STATUS_OK);
}

/// Starts `count` organization lookups, each answered after `delay_ms`, and waits for them all;
/// how many the sandbox was handling at the same time.
fn peak_of_slow_calls(
    sb: &Sandbox,
    client: &Client,
    receiver: &Receiver<Done>,
    count: usize,
) -> u64 {
    sb.reset_stats();
    sb.inject(serde_json::json!({"kind": "delay", "delay_ms": 300, "count": count}))
        .unwrap();
    for i in 0..count {
        let status = unsafe { dinero_client_organizations_async(client.0, Some(done), tag(i)) };
        assert_eq!(status, DINERO_STATUS_OK);
    }
    for outcome in collect(receiver, count) {
        assert_eq!(outcome.status, DINERO_STATUS_OK, "{outcome:?}");
        drop(Reply::from_handle(outcome.handle as *mut _));
    }
    sb.stats()["peak_in_flight"].as_u64().unwrap()
}

#[test]
fn calls_run_in_parallel_up_to_the_thread_limit_and_no_further() {
    let _owner = OWNER.lock().unwrap_or_else(|p| p.into_inner());
    let (sender, receiver) = channel();
    *SINK.lock().unwrap() = Some(sender);
    let sb = sandbox_with(|c| c.rate_limit = 0);
    let client = Client::to(&sb);
    assert_eq!(dinero_background_set_threads(8), DINERO_STATUS_OK);
    // One call first, so that a thread waits idle when the burst comes: the burst must not be
    // left to that one thread.
    assert_eq!(peak_of_slow_calls(&sb, &client, &receiver, 1), 1);
    assert_eq!(
        peak_of_slow_calls(&sb, &client, &receiver, 4),
        4,
        "all four at once"
    );
    // A lower limit holds the calls back, however many threads there were.
    assert_eq!(dinero_background_set_threads(2), DINERO_STATUS_OK);
    assert_eq!(
        peak_of_slow_calls(&sb, &client, &receiver, 5),
        2,
        "two at a time"
    );
    assert_eq!(dinero_background_set_threads(8), DINERO_STATUS_OK);
    *SINK.lock().unwrap() = None;
}

#[test]
fn uploads_refused_before_sending_come_back_through_done_and_send_nothing() {
    let _owner = OWNER.lock().unwrap_or_else(|p| p.into_inner());
    let (sender, receiver) = channel();
    *SINK.lock().unwrap() = Some(sender);
    let sb = sandbox();
    let client = Client::to(&sb);
    let before = route_count(&sb, "POST /v1/{org}/files");
    // One byte over Dinero's 6 MB: refused without being copied or read.
    let big = vec![b'x'; dinero::ffi::client::DINERO_MAX_UPLOAD_BYTES + 1];
    let status = unsafe {
        dinero_client_upload_bytes_async(
            client.0,
            big.as_ptr(),
            big.len(),
            cstr("big.pdf").as_ptr(),
            ptr::null(),
            Some(done),
            tag(0),
        )
    };
    assert_eq!(
        status, DINERO_STATUS_OK,
        "started; the refusal comes through done"
    );
    let missing = std::env::temp_dir().join("libdinero-no-such-file.pdf");
    let status = unsafe {
        dinero_client_upload_file_async(
            client.0,
            cstr(missing.to_str().unwrap()).as_ptr(),
            ptr::null(),
            ptr::null(),
            Some(done),
            tag(1),
        )
    };
    assert_eq!(status, DINERO_STATUS_OK);
    // A length no buffer can have is the caller's mistake: refused at once, `done` never
    // called (collect() below would see a third outcome).
    let byte = b'x';
    let status = unsafe {
        dinero_client_upload_bytes_async(
            client.0,
            &byte,
            usize::MAX,
            cstr("a.pdf").as_ptr(),
            ptr::null(),
            Some(done),
            tag(2),
        )
    };
    assert_eq!(status, DINERO_STATUS_INVALID_ARGUMENT);
    assert!(
        last_error().contains("more than any buffer"),
        "{}",
        last_error()
    );
    let outcomes = collect(&receiver, 2);
    *SINK.lock().unwrap() = None;
    assert_eq!(outcomes[0].status, DINERO_STATUS_INVALID_ARGUMENT);
    let too_big = outcomes[0].message.as_deref().unwrap();
    assert!(too_big.contains("6 MB"), "{too_big}");
    assert_eq!(outcomes[0].handle, 0);
    assert_eq!(outcomes[1].status, DINERO_STATUS_IO);
    assert!(outcomes[1].message.is_some());
    assert_eq!(outcomes[1].handle, 0);
    assert_eq!(
        route_count(&sb, "POST /v1/{org}/files"),
        before,
        "nothing sent"
    );
}

/// Set by `child_done`, in the child's own memory.
static CHILD_DONE: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

unsafe extern "C" fn child_done(
    _: *mut c_void,
    status: dinero_status,
    _: *const c_char,
    _: *mut c_void,
    text: *mut c_char,
) {
    unsafe { dinero_string_free(text) };
    CHILD_DONE.store(
        status == DINERO_STATUS_OK,
        std::sync::atomic::Ordering::SeqCst,
    );
}

#[test]
fn a_child_made_by_fork_gets_a_pool_of_its_own() {
    // The parent's pool has threads; a child of fork() inherits their count, not the threads.
    // Its _async calls used to be queued for threads that did not exist: done never came.
    let _owner = OWNER.lock().unwrap_or_else(|p| p.into_inner());
    let (sender, receiver) = channel();
    *SINK.lock().unwrap() = Some(sender);
    let sb = sandbox();
    let client = Client::to(&sb);
    let started = unsafe { dinero_client_access_token_async(client.0, Some(done), tag(1)) };
    assert_eq!(started, DINERO_STATUS_OK);
    assert_eq!(collect(&receiver, 1)[0].status, DINERO_STATUS_OK);
    *SINK.lock().unwrap() = None;

    // SAFETY: the child only calls into libdinero and the C library, then _exit()s.
    let pid = unsafe { libc::fork() };
    assert!(pid >= 0, "fork failed");
    if pid == 0 {
        let started = unsafe {
            dinero_client_access_token_async(client.0, Some(child_done), ptr::null_mut())
        };
        let mut waited = 0;
        while started == DINERO_STATUS_OK
            && !CHILD_DONE.load(std::sync::atomic::Ordering::SeqCst)
            && waited < 1000
        {
            std::thread::sleep(Duration::from_millis(10));
            waited += 1;
        }
        let code = if CHILD_DONE.load(std::sync::atomic::Ordering::SeqCst) {
            0
        } else {
            1
        };
        unsafe { libc::_exit(code) };
    }
    let mut status = 0;
    assert_eq!(unsafe { libc::waitpid(pid, &mut status, 0) }, pid);
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "the child's _async call never finished (wait status {status})"
    );
}
