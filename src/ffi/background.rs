//! The library's own threads, for hosts with an event loop (Node) that must never block it: a
//! `dinero_*_async` call copies its arguments, returns at once, and a thread of this pool makes
//! the blocking call, then hands the outcome to the caller's `dinero_done_callback`.
//!
//! The pool is one per process. A thread is started whenever calls wait for more threads than
//! are idle, up to the limit (`dinero_background_set_threads`, default 8: the number of calls
//! that run at once; more wait in order), and an idle thread ends after `IDLE` so that a process
//! that stopped calling keeps none. The message of a failed call travels with its outcome, read
//! on the thread that made the call, so concurrent failures never see each other's messages.

use super::boundary::guard;
use super::last_error;
use super::log::UserData;
use super::status::{dinero_status, DINERO_STATUS_OK};
use crate::error::{Error, ErrorKind, Result};
use once_cell::sync::Lazy;
use std::collections::VecDeque;
use std::ffi::{c_char, c_void};
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::Duration;

/// What a `dinero_*_async` function calls when its call has finished. Such a function returns
/// DINERO_STATUS_OK once the call is started, and then `done` is called exactly once, on a
/// thread of the library's own; any other status means nothing was started and `done` is not
/// called: DINERO_STATUS_NULL_ARGUMENT for a NULL `done`, DINERO_STATUS_INVALID_ARGUMENT when
/// a length is past isize::MAX or the bytes cannot be copied, DINERO_STATUS_PANIC when no
/// thread could be started (dinero_last_error says which).
/// Strings and bytes are copied before the function returns; the handles passed (client,
/// options, pages, response) must stay alive until `done` has been called.
///
/// `status` is what the blocking function returned; `message` its dinero_last_error (NULL on
/// success), valid until the callback returns; `handle` the handle it handed out (a
/// `dinero_client *` or `dinero_response *`; NULL on failure, after the last page, or when the
/// function hands none out); `text` the string it handed out (the GUID of
/// dinero_client_create_async, the token of dinero_client_access_token_async), owned by the
/// callee, to be released with dinero_string_free; NULL otherwise.
///
/// The callback must not wait for another `_async` call to finish (with a limit of one thread
/// it would wait for ever), and must not unwind (C++ exceptions, longjmp). A process made by
/// fork() starts a pool of its own at its first `_async` call: the parent's threads do not
/// exist in the child, and calls that were waiting in the parent do not run there. As with
/// any library that uses threads, fork() only while no other thread is inside libdinero (or
/// exec() right after).
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

type DoneFn =
    unsafe extern "C" fn(*mut c_void, dinero_status, *const c_char, *mut c_void, *mut c_char);

/// One call waiting for, or running on, a thread of the pool.
struct Job {
    /// To find its own call again when no thread could be started for it.
    id: u64,
    call: Box<dyn FnOnce() -> Outcome + Send>,
    done: DoneFn,
    user_data: UserData,
}

impl Job {
    /// Makes the call and hands its outcome over: `done` is called even if the call panicked.
    fn run(self) {
        let Job {
            call,
            done,
            user_data,
            ..
        } = self;
        let mut outcome = None;
        let status = guard(|| {
            outcome = Some(call());
            Ok(())
        });
        finish(
            done,
            user_data,
            outcome.unwrap_or_else(|| Outcome::of(status)),
        );
    }

    /// Finishes the call without making it (its copied arguments are dropped, and wiped).
    fn fail(self, why: &str) {
        let status = guard(|| Err(Error::new(ErrorKind::Panic, why)));
        finish(self.done, self.user_data, Outcome::of(status));
    }
}

fn finish(done: DoneFn, user_data: UserData, outcome: Outcome) {
    // A copy, read right after the call on the thread that made it: the callback may call into
    // the library itself, which may replace this thread's last error.
    let message = (outcome.status != DINERO_STATUS_OK).then(last_error::copy);
    // SAFETY: the caller's callback, with the arguments its documentation promises.
    unsafe {
        done(
            user_data.0,
            outcome.status,
            message.as_ref().map_or(std::ptr::null(), |m| m.as_ptr()),
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
    /// Threads waiting for work, including those woken but not yet running again.
    idle: usize,
    limit: usize,
    next_id: u64,
    /// The process these counts belong to: a child made by fork() inherits them, not the
    /// threads they count.
    pid: u32,
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
        next_id: 0,
        pid: std::process::id(),
    }),
    work: Condvar::new(),
});

fn lock() -> MutexGuard<'static, State> {
    // A job never runs under the lock, so a poisoned lock still holds a consistent state.
    let mut state = POOL.state.lock().unwrap_or_else(|p| p.into_inner());
    let pid = std::process::id();
    if state.pid != pid {
        // A child of fork(): none of the counted threads exist here, and the calls waiting
        // were the parent's, whose callbacks expect them there. Start afresh.
        state.pid = pid;
        state.threads = 0;
        state.idle = 0;
        std::mem::take(&mut state.queue);
    }
    state
}

/// Sets how many calls started by `dinero_*_async` functions may run at once (1 to 64; the
/// default is 8); calls beyond it wait, in order, for a thread. A higher limit starts threads
/// for the calls waiting now; a lower one lets the threads over it end once they finish their
/// call. DINERO_STATUS_INVALID_ARGUMENT for 0 or more than 64 (nothing changes).
#[no_mangle]
pub extern "C" fn dinero_background_set_threads(threads: u32) -> dinero_status {
    guard(|| {
        let threads = threads as usize;
        if !(1..=MAX_THREADS).contains(&threads) {
            return Err(Error::invalid(format!(
                "the number of background threads must be 1 to {MAX_THREADS}, not {threads}"
            )));
        }
        let mut state = lock();
        state.limit = threads;
        // Threads over a lower limit end when they wake; if none can start, the running ones
        // still take the waiting calls in turn.
        let _ = grow(&mut state);
        POOL.work.notify_all();
        Ok(())
    })
}

/// Queues `call`, to run on a thread of the pool and hand its outcome to `done`. An error
/// (nothing queued, `done` not called) when no thread could be started for it.
pub(crate) fn run(
    done: DoneFn,
    user_data: *mut c_void,
    call: impl FnOnce() -> Outcome + Send + 'static,
) -> Result<()> {
    let mut state = lock();
    let id = state.next_id;
    state.next_id += 1;
    state.queue.push_back(Job {
        id,
        call: Box::new(call),
        done,
        user_data: UserData(user_data),
    });
    if grow(&mut state) {
        return Ok(());
    }
    // No thread could be started. This call is taken back unless a thread already has it;
    // with no thread at all, the calls of others that wait would never run: they finish
    // now, here, as failed.
    let own = match state.queue.iter().position(|job| job.id == id) {
        Some(at) => state.queue.remove(at),
        None => None,
    };
    let stranded: Vec<Job> = if state.threads == 0 {
        state.queue.drain(..).collect()
    } else {
        Vec::new()
    };
    drop(state);
    const WHY: &str = "libdinero could not start a thread for the call";
    for job in stranded {
        job.fail(WHY);
    }
    match own {
        Some(_) => Err(Error::new(ErrorKind::Panic, WHY)),
        None => Ok(()),
    }
}

/// Starts threads while more calls wait than threads are idle, up to the limit, and wakes an
/// idle thread for each waiting call. False when a thread could not be started.
fn grow(state: &mut State) -> bool {
    for _ in 0..threads_wanted(state) {
        state.threads += 1;
        let started = std::thread::Builder::new()
            .name("dinero-async".into()) // as `comm` shows it: at most 15 bytes
            .spawn(serve);
        if started.is_err() {
            state.threads -= 1;
            return false;
        }
    }
    // Each notify_one wakes a different waiting thread.
    for _ in 0..state.queue.len().min(state.idle) {
        POOL.work.notify_one();
    }
    true
}

/// How many threads to start now: one for each waiting call no idle thread will take, as far
/// as the limit allows. (Idle threads count as taking a call from the moment they are woken:
/// a burst that comes faster than they wake still gets its threads.)
fn threads_wanted(state: &State) -> usize {
    let untaken = state.queue.len().saturating_sub(state.idle);
    untaken.min(state.limit.saturating_sub(state.threads))
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
            job.run();
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
pub(crate) fn require_done(done: dinero_done_callback) -> Result<DoneFn> {
    done.ok_or_else(|| Error::new(ErrorKind::NullArgument, "done is NULL"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
    use std::sync::mpsc::{channel, Sender};
    use std::time::Instant;

    static DONE: Mutex<Option<Sender<dinero_status>>> = Mutex::new(None);
    static RUNNING: AtomicUsize = AtomicUsize::new(0);
    static PEAK: AtomicUsize = AtomicUsize::new(0);

    unsafe extern "C" fn done(
        _: *mut c_void,
        status: dinero_status,
        _: *const c_char,
        _: *mut c_void,
        _: *mut c_char,
    ) {
        if let Some(sender) = DONE.lock().unwrap().as_ref() {
            sender.send(status).unwrap();
        }
    }

    /// A call that waits (at most 2 s) until `together` calls have run at once.
    fn meet(together: usize) -> impl FnOnce() -> Outcome + Send + 'static {
        move || {
            let now = RUNNING.fetch_add(1, SeqCst) + 1;
            PEAK.fetch_max(now, SeqCst);
            let deadline = Instant::now() + Duration::from_secs(2);
            while PEAK.load(SeqCst) < together && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(1));
            }
            RUNNING.fetch_sub(1, SeqCst);
            Outcome::of(DINERO_STATUS_OK)
        }
    }

    fn state(waiting: usize, idle: usize, threads: usize, limit: usize) -> State {
        let mut queue = VecDeque::new();
        for id in 0..waiting as u64 {
            queue.push_back(Job {
                id,
                call: Box::new(|| Outcome::of(DINERO_STATUS_OK)),
                done,
                user_data: UserData(std::ptr::null_mut()),
            });
        }
        State {
            queue,
            threads,
            idle,
            limit,
            next_id: waiting as u64,
            pid: std::process::id(),
        }
    }

    #[test]
    fn a_thread_is_started_for_each_call_no_idle_thread_takes_up_to_the_limit() {
        // One idle thread, a burst of four before it wakes: three more threads.
        assert_eq!(threads_wanted(&state(4, 1, 1, 8)), 3);
        assert_eq!(
            threads_wanted(&state(1, 1, 1, 8)),
            0,
            "the idle one takes it"
        );
        assert_eq!(
            threads_wanted(&state(4, 0, 6, 8)),
            2,
            "no further than the limit"
        );
        assert_eq!(
            threads_wanted(&state(3, 0, 8, 2)),
            0,
            "over a lowered limit"
        );
        assert_eq!(threads_wanted(&state(0, 0, 0, 8)), 0);
    }

    #[test]
    fn a_burst_gets_a_thread_per_call_though_one_thread_waits_idle() {
        let (sender, receiver) = channel();
        *DONE.lock().unwrap() = Some(sender);
        let wait = || receiver.recv_timeout(Duration::from_secs(20)).unwrap();
        run(done, std::ptr::null_mut(), meet(1)).unwrap();
        assert_eq!(wait(), DINERO_STATUS_OK);
        // A thread now waits idle; four calls come faster than it can wake.
        PEAK.store(0, SeqCst);
        for _ in 0..4 {
            run(done, std::ptr::null_mut(), meet(4)).unwrap();
        }
        for _ in 0..4 {
            assert_eq!(wait(), DINERO_STATUS_OK);
        }
        assert_eq!(PEAK.load(SeqCst), 4, "all four ran at once");
    }
}
