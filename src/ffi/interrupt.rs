//! The interrupt callback: how a C program (or a binding) gives up a long wait, e.g. when the
//! user presses Ctrl-C while a request waits minutes for a slot in the rate window.

use super::boundary::guard;
use super::log::UserData;
use super::options::dinero_options;
use super::status::dinero_status;
use crate::error::{Error, ErrorKind};
use crate::interrupt::Interrupt;
use std::ffi::c_void;

/// Asked while a call waits, on the thread that made the call (for an `_async` call, the
/// library's thread that runs it): true gives the wait up, and the call returns
/// DINERO_STATUS_INTERRUPTED. `user_data` is what was given to
/// dinero_options_set_interrupt_callback. It must return quickly, must be thread-safe when a
/// client is shared by threads, must not call into libdinero, and must return: it must not
/// unwind (a C++ exception, longjmp, pthread_exit) through the library.
#[allow(non_camel_case_types)]
pub type dinero_interrupt_callback = Option<unsafe extern "C" fn(user_data: *mut c_void) -> bool>;

/// Has clients made with these options ask `callback` every 100 ms while a call waits
/// without sending: for a slot in the rate window (at most four windows), for the pause
/// before a retry (a 429's Retry-After, up to retry_after_max_ms), or for a token another
/// thread or process is fetching (with a shared_state store, a look into the store, bounded
/// by shared_state_timeout_ms, can come between two asks). It is never asked while a request
/// is sent or its answer read (timeout_ms bounds that). An interpreter can thus act on a
/// signal during a long wait: Python runs its handlers only between its own instructions.
/// A wait given up returns DINERO_STATUS_INTERRUPTED only to the call whose callback said
/// true (threads waiting for the same token fetch go on), spends no slot of the rate window,
/// and nothing more is sent for that call. NULL turns it off.
///
/// # Safety
/// `options` is NULL or a live handle; `callback` is NULL or a function that stays callable,
/// with `user_data` valid, for as long as any client made with these options lives.
#[no_mangle]
pub unsafe extern "C" fn dinero_options_set_interrupt_callback(
    options: *mut dinero_options,
    callback: dinero_interrupt_callback,
    user_data: *mut c_void,
) -> dinero_status {
    guard(|| {
        // SAFETY: per this function's contract.
        let options = unsafe { options.as_mut() }
            .ok_or_else(|| Error::new(ErrorKind::NullArgument, "options is NULL"))?;
        options.config.interrupt = callback.map(|callback| {
            let user_data = UserData(user_data);
            // SAFETY: the caller promised the callback and user_data stay valid while a
            // client made with these options lives, and that the callback is thread-safe.
            Interrupt::new(move || unsafe { callback(user_data.pointer()) })
        });
        Ok(())
    })
}
