//! Giving up a wait when the caller asks.
//!
//! A call can wait minutes without sending anything: for a slot in the rate window (four
//! windows at most), for a 429's Retry-After (up to `retry_after_max`), for a token another
//! thread or process is fetching. An interpreter cannot act on Ctrl-C meanwhile: Python runs
//! its signal handlers only between its own instructions, never inside a foreign call. So the
//! caller may give a check (`Config::interrupt`), which the library asks at least every
//! `EVERY` while such a wait lasts; when it says stop, the call ends with
//! `ErrorKind::Interrupted`. It is never asked while a request is being sent or read: that
//! part is bounded by `timeout_ms`, and costs nothing extra on the way of every request.

use crate::callback::Callback;
use crate::error::{Error, ErrorKind, Result};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

/// How often a waiting call asks the check: short enough for a key press to feel answered,
/// long enough that asking (a Python callback takes the interpreter's lock) costs nothing.
pub const EVERY: Duration = Duration::from_millis(100);

/// The caller's answer to "give up this wait?": true gives it up.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Interrupt(Callback<dyn Fn() -> bool + Send + Sync>);

impl Interrupt {
    pub fn new(check: impl Fn() -> bool + Send + Sync + 'static) -> Self {
        Interrupt(Callback::new(Arc::new(check)))
    }
}

/// Err(Interrupted) when the check asks to give up waiting for `what`.
pub fn check(interrupt: Option<&Interrupt>, what: &str) -> Result<()> {
    match interrupt {
        Some(Interrupt(asked)) if asked() => Err(Error::new(
            ErrorKind::Interrupted,
            format!("the wait for {what} was given up: the interrupt check asked to stop"),
        )),
        _ => Ok(()),
    }
}

/// Sleeps for `duration`, asking the check first and every `EVERY`.
pub fn sleep(duration: Duration, interrupt: Option<&Interrupt>, what: &str) -> Result<()> {
    if interrupt.is_none() {
        std::thread::sleep(duration);
        return Ok(());
    }
    let end = Instant::now() + duration;
    loop {
        check(interrupt, what)?;
        let left = end.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Ok(());
        }
        std::thread::sleep(left.min(EVERY));
    }
}

/// Waits on `condvar` for at most `wait` (less with a check: at most `EVERY`), then asks the
/// check with the lock released (a check may take its time: an interpreter's) and takes the
/// lock again. The caller loops, re-reading the state it waits for, as after any wakeup.
pub fn wait_on<'a, T>(
    condvar: &Condvar,
    mutex: &'a Mutex<T>,
    guard: MutexGuard<'a, T>,
    wait: Duration,
    interrupt: Option<&Interrupt>,
    what: &str,
) -> Result<MutexGuard<'a, T>> {
    let wait = if interrupt.is_some() {
        wait.min(EVERY)
    } else {
        wait
    };
    // The state behind every lock waited on here is updated in single statements, so a lock
    // poisoned by a panic elsewhere is still consistent.
    let guard = condvar
        .wait_timeout(guard, wait)
        .unwrap_or_else(PoisonError::into_inner)
        .0;
    if interrupt.is_none() {
        return Ok(guard);
    }
    drop(guard);
    check(interrupt, what)?;
    Ok(mutex.lock().unwrap_or_else(PoisonError::into_inner))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    #[test]
    fn a_sleep_asks_every_slice_and_stops_when_told() {
        let asked = Arc::new(AtomicU32::new(0));
        let counter = asked.clone();
        let interrupt = Interrupt::new(move || counter.fetch_add(1, Ordering::SeqCst) >= 2);
        let started = Instant::now();
        let error = sleep(Duration::from_secs(30), Some(&interrupt), "a slot").unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Interrupted);
        assert!(error.message().contains("a slot"), "{}", error.message());
        assert_eq!(
            asked.load(Ordering::SeqCst),
            3,
            "asked at once, then after each slice"
        );
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the sleep was cut short"
        );
    }

    #[test]
    fn a_check_that_never_asks_lets_the_sleep_run_out() {
        let interrupt = Interrupt::new(|| false);
        sleep(Duration::from_millis(250), Some(&interrupt), "a slot").unwrap();
        sleep(Duration::from_millis(1), None, "a slot").unwrap();
    }

    #[test]
    fn a_condvar_wait_is_sliced_and_asks_with_the_lock_released() {
        let (mutex, condvar) = (Arc::new(Mutex::new(0)), Condvar::new());
        let guard = mutex.lock().unwrap();
        let short = Duration::from_millis(150);
        let guard = wait_on(&condvar, &mutex, guard, short, None, "x").unwrap();
        drop(guard);
        // Says stop only if it finds the lock free: asked with the lock held, it would let a
        // 9 s wait run out.
        let shared = Arc::clone(&mutex);
        let unlocked = Interrupt::new(move || shared.try_lock().is_ok());
        let guard = mutex.lock().unwrap();
        let started = Instant::now();
        let long = Duration::from_secs(9);
        let waited = wait_on(&condvar, &mutex, guard, long, Some(&unlocked), "x");
        assert_eq!(waited.err().map(|e| e.kind()), Some(ErrorKind::Interrupted));
        assert!(started.elapsed() < long, "sliced");
    }
}
