//! Library-wide functions: version, status descriptions, the last error, string release.

use super::{last_error, status, strings};
use std::ffi::c_char;

/// The library version, e.g. "0.1.0".
///
/// Returns a static string: never free it.
#[no_mangle]
pub extern "C" fn dinero_version() -> *const c_char {
    concat!(env!("CARGO_PKG_VERSION"), "\0").as_ptr().cast()
}

/// A short static description of a status, e.g. "authentication rejected".
///
/// Unknown numbers give "unknown status". Returns a static string: never free it.
#[no_mangle]
pub extern "C" fn dinero_status_str(status: status::dinero_status) -> *const c_char {
    status::description_ptr(status)
}

/// What went wrong in this thread's last failed call, in words (e.g. "token endpoint rejected
/// the API key (400 invalid_grant)"); "" if no call has failed on this thread yet, or for a call
/// made while the thread is ending (from a thread-exit destructor), whose message is lost.
///
/// The message never contains the client secret, the API key or a token. Each thread has its
/// own: threads sharing a client never see each other's errors. Lifetime: the returned string
/// is borrowed and valid until the next call into libdinero on the same thread, except
/// dinero_status_str, dinero_version and dinero_last_error, which leave it as it is (so
/// `printf("%s: %s", dinero_status_str(s), dinero_last_error())` is safe in either order of
/// evaluation); read or copy it right after the failed call. Never free it.
#[no_mangle]
pub extern "C" fn dinero_last_error() -> *const c_char {
    last_error::pointer()
}

/// Frees a string that libdinero handed out (e.g. by dinero_client_access_token) and wipes its
/// memory first. NULL is a no-op.
///
/// # Safety
/// `string` is NULL or a string from libdinero that has not been freed yet. Never pass it to
/// free(), and never pass anything else here.
#[no_mangle]
pub unsafe extern "C" fn dinero_string_free(string: *mut c_char) {
    super::boundary::guard_or((), || {
        // SAFETY: forwarded contract.
        unsafe { strings::release(string) };
        Ok(())
    })
}
