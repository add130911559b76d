//! The library's own threads, for hosts with an event loop (Node) that must never block it: a
//! `dinero_*_async` call copies its arguments, returns at once, and a thread of this pool makes
//! the blocking call, then hands the outcome to the caller's `dinero_done_callback`.
//!
//! The pool is one per process. Threads start on demand, up to the limit
//! (`dinero_background_set_threads`, default 8: the number of calls that can run at once; more
//! wait in order), and an idle thread ends after `IDLE` so that a process that stopped calling
//! keeps none. The message of a failed call travels with its outcome, read on the thread that
//! made the call, so concurrent failures never see each other's messages.

use super::boundary::guard;
use super::last_error;
use super::log::UserData;
use super::status::{dinero_status, DINERO_STATUS_OK};
use crate::error::Error;
use once_cell::sync::Lazy;
use std::collections::VecDeque;
use std::ffi::{c_char, c_void};
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::Duration;

/// Called once for every `dinero_*_async` call that returned DINERO_STATUS_OK, on a thread of
/// the library's own, when the call has finished: `status` is what the blocking function
/// returned; `message` its dinero_last_error (NULL on success), borrowed for the duration of
/// the callback; `handle` the handle it handed out (a `dinero_client *` or `dinero_response *`,
/// NULL when there is none: on failure, or after the last page); `text` the string it handed
/// out (the GUID of dinero_client_create_async, the token of dinero_client_access_token_async),
/// which the callee owns and must release with dinero_string_free; NULL otherwise. It must not
/// block on the thread that started the call, and it must not unwind (C++ exceptions,
/// longjmp).
#[allow(non_camel_case_types)]
pub type dinero_done_callback = Option<
    unsafe extern "C" fn(
        user_data: *mut c_void,
        status: dinero_status,
        message: *const c_char,
        handle: *mut c_void,
        text: *mut c_char,
    ),
>;

/// What a blocking call left: its status and what it handed out.
pub(crate) struct Outcome {
    pub status: dinero_status,
    pub handle: *mut c_void,
    pub text: *mut c_char,
}

impl Outcome {
    pub fn of(status: dinero_status) -> Outcome {
        Outcome {
            status,
            handle: std::ptr::null_mut(),
            text: std::ptr::null_mut(),
        }
    }
}

/// One call waiting for, or running on, a thread of the pool.
struct Job {
    call: Box<dyn FnOnce() -> Outcome + Send>,
    done: DoneFn,
    user_data: UserData,
}

type DoneFn =
    unsafe extern "C" fn(*mut c_void, dinero_status, *const c_char, *mut c_void, *mut c_char);

impl Job {
    fn run(self) {
        let Job {
            call,
            done,
            user_data,
        } = self;
        let outcome = call();
        finish(done, user_data, outcome);
    }

    /// Finishes the call without making it (its copied arguments are dropped, and wiped).
    fn fail(self, why: &str) {
        let status = guard(|| Err(Error::new(crate::error::ErrorKind::Panic, why)));
        finish(self.done, self.user_data, Outcome::of(status));
    }
}

fn finish(done: DoneFn, user_data: UserData, outcome: Outcome) {
    let message = if outcome.status == DINERO_STATUS_OK {
        std::ptr::null()
    } else {
        // Read right after the call, on the thread that made it.
        last_error::pointer()
    };
    // SAFETY: the caller's callback, with the arguments its documentation promises.
    unsafe {
        done(
            user_data.0,
            outcome.status,
            message,
            outcome.handle,
            outcome.text,
        )
    };
}

/// The default limit: a burst of requests runs in parallel without a thread for each.
const DEFAULT_THREADS: usize = 8;
/// The most a caller may ask for.
const MAX_THREADS: usize = 64;
/// How long a thread with nothing to do waits for work before it ends.
const IDLE: Duration = Duration::from_secs(30);

struct State {
    queue: VecDeque<Job>,
    threads: usize,
    idle: usize,
    limit: usize,
}

struct Pool {
    state: Mutex<State>,
    work: Condvar,
}

static POOL: Lazy<Pool> = Lazy::new(|| Pool {
    state: Mutex::new(State {
        queue: VecDeque::new(),
        threads: 0,
        idle: 0,
        limit: DEFAULT_THREADS,
    }),
    work: Condvar::new(),
});

fn lock() -> MutexGuard<'static, State> {
    // A job never runs under the lock, so a poisoned lock still holds a consistent state.
    POOL.state.lock().unwrap_or_else(|p| p.into_inner())
}

/// Sets how many calls started by `dinero_*_async` functions may run at once (1 to 64; the
/// default is 8); calls beyond it wait, in order, for a thread. A lower limit lets the threads
/// over it end once they finish their call. DINERO_STATUS_INVALID_ARGUMENT for 0 or more than
/// 64 (nothing changes).
#[no_mangle]
pub extern "C" fn dinero_background_set_threads(threads: u32) -> dinero_status {
    guard(|| {
        let threads = threads as usize;
        if !(1..=MAX_THREADS).contains(&threads) {
            return Err(Error::invalid(format!(
                "the number of background threads must be 1 to {MAX_THREADS}, not {threads}"
            )));
        }
        lock().limit = threads;
        POOL.work.notify_all();
        Ok(())
    })
}

/// Runs `call` on a thread of the pool, then hands its outcome to `done`.
pub(crate) fn run(
    done: DoneFn,
    user_data: *mut c_void,
    call: impl FnOnce() -> Outcome + Send + 'static,
) {
    let job = Job {
        call: Box::new(call),
        done,
        user_data: UserData(user_data),
    };
    let mut state = lock();
    state.queue.push_back(job);
    if state.idle > 0 {
        POOL.work.notify_one();
        return;
    }
    if state.threads >= state.limit {
        return; // a running thread takes it when it is done with its own
    }
    state.threads += 1;
    drop(state);
    let started = std::thread::Builder::new()
        .name("dinero-async".into()) // as `comm` shows it: at most 15 bytes
        .spawn(serve);
    if started.is_err() {
        let mut state = lock();
        state.threads -= 1;
        // With no thread at all the waiting calls would never finish: each fails now.
        let stranded: Vec<Job> = if state.threads == 0 {
            state.queue.drain(..).collect()
        } else {
            Vec::new()
        };
        drop(state);
        for job in stranded {
            job.fail("libdinero could not start a background thread");
        }
    }
}

/// A pool thread: takes calls in order until it has been idle for `IDLE` or the limit dropped.
fn serve() {
    let mut state = lock();
    loop {
        if state.threads > state.limit {
            // Over a lowered limit: end, and let a thread that stays take any waiting call.
            POOL.work.notify_one();
            break;
        }
        if let Some(job) = state.queue.pop_front() {
            drop(state);
            // The blocking call runs inside its own panic boundary; this one keeps the count
            // right should anything else in the job panic.
            let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| job.run()));
            state = lock();
            continue;
        }
        state.idle += 1;
        let (next, waited) = POOL
            .work
            .wait_timeout(state, IDLE)
            .unwrap_or_else(|p| p.into_inner());
        state = next;
        state.idle -= 1;
        if waited.timed_out() && state.queue.is_empty() {
            break;
        }
    }
    state.threads -= 1;
}

/// The callback, checked before the call is started (a NULL one starts nothing).
pub(crate) fn require_done(done: dinero_done_callback) -> crate::error::Result<DoneFn> {
    done.ok_or_else(|| Error::new(crate::error::ErrorKind::NullArgument, "done is NULL"))
}
