//! The log callback: how a C program (or a binding) receives libdinero's log lines.

use super::boundary::guard;
use super::options::dinero_options;
use super::status::dinero_status;
use crate::error::{Error, ErrorKind};
use crate::log::{Level, Logger};
use std::ffi::{c_char, c_void, CString};

/// A failure: a request or a token refresh that did not succeed.
pub const DINERO_LOG_ERROR: u32 = 1;
/// Something was retried, refused or waited out.
pub const DINERO_LOG_WARN: u32 = 2;
/// One line per completed request and per new token.
pub const DINERO_LOG_INFO: u32 = 3;
/// Details such as waits under the rate limit.
pub const DINERO_LOG_DEBUG: u32 = 4;

/// Receives one log line: `level` is a DINERO_LOG_* value, `message` a NUL-terminated line
/// borrowed for the duration of the call (copy it to keep it), `user_data` what was given to
/// dinero_options_set_log_callback. It is called on the thread that made the request, so with
/// a client shared by threads it must be thread-safe. It must not free the client. It may call
/// into the client (dinero_client_access_token, a request): the library writes no line while
/// holding a lock of its own. Such a call logs too, into the same callback, so a callback that
/// calls back must not do so again from there without end. A token asked for while this
/// thread's own call is fetching one is the valid token if there is one, else
/// DINERO_STATUS_AUTH_UNAVAILABLE at once; a request made from here counts against the same
/// rate limit, and when every slot stays taken it goes after four windows plus its timeouts.
#[allow(non_camel_case_types)]
pub type dinero_log_callback =
    Option<unsafe extern "C" fn(user_data: *mut c_void, level: u32, message: *const c_char)>;

/// The caller's pointer, carried to whichever thread logs.
pub(crate) struct UserData(pub(crate) *mut c_void);
// SAFETY: libdinero never dereferences it; it only hands it back to the caller's callback,
// which the documentation of dinero_log_callback (and of the refresh-token and interrupt
// callbacks) requires to be thread-safe.
unsafe impl Send for UserData {}
// SAFETY: as above: shared only to be passed back, never read or written here.
unsafe impl Sync for UserData {}

impl UserData {
    /// A method, not a field access, so that closures capture the whole Send + Sync wrapper.
    pub(crate) fn pointer(&self) -> *mut c_void {
        self.0
    }
}

/// Sends the log lines of clients made with these options to `callback`, at `max_level` and
/// more important (e.g. DINERO_LOG_INFO: errors, warnings and one line per request). Lines say
/// what happened (method, path without its query, status, attempt, wait, elapsed time; token
/// refreshes) and never contain the client secret, the API key or a token. A NULL callback, or
/// a `max_level` of 0 (what dinero_log_level_parse reads "off" as), turns logging off. Without
/// a callback the library never logs (and never prints).
///
/// # Safety
/// `options` is NULL or a live handle; `callback` is NULL or a function that stays callable,
/// with `user_data` valid, for as long as any client made with these options lives.
#[no_mangle]
pub unsafe extern "C" fn dinero_options_set_log_callback(
    options: *mut dinero_options,
    callback: dinero_log_callback,
    user_data: *mut c_void,
    max_level: u32,
) -> dinero_status {
    guard(|| {
        // SAFETY: per this function's contract.
        let options = unsafe { options.as_mut() }
            .ok_or_else(|| Error::new(ErrorKind::NullArgument, "options is NULL"))?;
        if max_level > DINERO_LOG_DEBUG {
            return Err(Error::invalid(format!(
                "max_level must be 0 (off) or DINERO_LOG_ERROR (1) to DINERO_LOG_DEBUG (4), got {max_level}"
            )));
        }
        let callback = callback.filter(|_| max_level != 0);
        options.config.logger = callback.map(|callback| {
            let user_data = UserData(user_data);
            Logger::new(move |level: Level, message: &str| {
                if level as u32 > max_level {
                    return;
                }
                let line = CString::new(message.replace('\0', " ")).unwrap_or_default();
                // SAFETY: the caller promised the callback and user_data stay valid while a
                // client made with these options lives, and that the callback is thread-safe.
                unsafe { callback(user_data.pointer(), level as u32, line.as_ptr()) };
            })
        });
        Ok(())
    })
}
