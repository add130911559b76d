//! The line no panic crosses. Every exported function runs its body through `guard` (for
//! status-returning functions) or `guard_or` (for accessors that return a value): a Rust error
//! becomes a status plus a thread-local message, and a panic becomes DINERO_STATUS_PANIC
//! instead of unwinding into C, PHP or Python, which would abort the host process.
//!
//! Thread-local storage is reached with `try_with` here and in everything the boundary itself
//! does: a call from a thread that is ending (a pthread key's or C++ `thread_local`'s
//! destructor freeing its client) finds that storage gone, and `with` would panic outside the
//! catch, into C. Such a call then runs without the per-thread extras (its message is lost; the
//! status still says what went wrong).

use super::last_error;
use super::status::{dinero_status, status_of, DINERO_STATUS_OK};
use crate::error::{Error, ErrorKind, Result};
use std::cell::{Cell, RefCell};
use std::panic::{self, AssertUnwindSafe};
use std::sync::Once;

thread_local! {
    static INSIDE_BOUNDARY: Cell<bool> = const { Cell::new(false) };
    static PANIC_MESSAGE: RefCell<Option<String>> = const { RefCell::new(None) };
}

static HOOK: Once = Once::new();

/// The library never prints. Panics inside our calls are silenced and their message kept for
/// `dinero_last_error`; panics elsewhere in the process go to whatever hook was there before.
fn install_quiet_panic_hook() {
    HOOK.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if INSIDE_BOUNDARY.try_with(Cell::get).unwrap_or(false) {
                let location = info
                    .location()
                    .map(|l| format!(" at {}:{}", l.file(), l.line()))
                    .unwrap_or_default();
                let message = format!("internal error in libdinero{location}; please report it");
                let _ = PANIC_MESSAGE.try_with(|m| *m.borrow_mut() = Some(message));
            } else {
                previous(info);
            }
        }));
    });
}

fn run<T>(body: impl FnOnce() -> Result<T>) -> Result<T> {
    install_quiet_panic_hook();
    let was_inside = INSIDE_BOUNDARY
        .try_with(|inside| inside.replace(true))
        .unwrap_or(false);
    let outcome = panic::catch_unwind(AssertUnwindSafe(body));
    let _ = INSIDE_BOUNDARY.try_with(|inside| inside.set(was_inside));
    outcome.unwrap_or_else(|_| {
        let message = PANIC_MESSAGE
            .try_with(|m| m.borrow_mut().take())
            .ok()
            .flatten()
            .unwrap_or_else(|| "internal error in libdinero; please report it".to_string());
        Err(Error::new(ErrorKind::Panic, message))
    })
}

/// Runs a status-returning body.
pub fn guard(body: impl FnOnce() -> Result<()>) -> dinero_status {
    match run(body) {
        Ok(()) => DINERO_STATUS_OK,
        Err(error) => {
            last_error::set(&error);
            status_of(error.kind())
        }
    }
}

/// Runs a value-returning body; on failure records the error and returns `fallback`.
pub fn guard_or<T>(fallback: T, body: impl FnOnce() -> Result<T>) -> T {
    match run(body) {
        Ok(value) => value,
        Err(error) => {
            last_error::set(&error);
            fallback
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ffi::status::DINERO_STATUS_PANIC;

    #[test]
    fn a_panic_becomes_a_status_and_a_message() {
        let status = guard(|| panic!("boom with detail"));
        assert_eq!(status, DINERO_STATUS_PANIC);
        let message = unsafe { std::ffi::CStr::from_ptr(last_error::pointer()) };
        let message = message.to_str().unwrap();
        assert!(
            message.starts_with("internal error in libdinero"),
            "{message}"
        );
        assert!(
            !message.contains("boom"),
            "panic payloads are not passed on: {message}"
        );
    }
}
