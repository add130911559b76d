//! The message of this thread's last failed call, kept per thread so that threads sharing a
//! client never see each other's errors.

use crate::error::Error;
use std::cell::RefCell;
use std::ffi::{c_char, CString};

thread_local! {
    static LAST_ERROR: RefCell<CString> = RefCell::new(CString::default());
}

/// Records `error` as this thread's last; dropped on a thread whose storage is already gone
/// (a call from a destructor at thread exit: see `boundary`).
pub fn set(error: &Error) {
    let text = error.message().replace('\0', " ");
    let message = CString::new(text).unwrap_or_default();
    let _ = LAST_ERROR.try_with(|slot| *slot.borrow_mut() = message);
}

/// A pointer into this thread's storage. The documented lifetime (dinero.h, README) is "until
/// the next call into libdinero on the same thread" other than dinero_status_str,
/// dinero_version and dinero_last_error (promised never to touch it): today only a failing
/// call replaces it, but callers are promised no more than that.
pub fn pointer() -> *const c_char {
    LAST_ERROR
        .try_with(|slot| slot.borrow().as_ptr())
        .unwrap_or(c"".as_ptr())
}

/// A copy of this thread's last error message, to hand on beyond the next call.
pub fn copy() -> CString {
    LAST_ERROR
        .try_with(|slot| slot.borrow().clone())
        .unwrap_or_default()
}
