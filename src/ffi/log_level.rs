//! `dinero_log_level_parse`: the one reading of a log level written by a person (a binding's
//! logLevel option, a command-line flag), so every language accepts the same words.

use super::boundary::guard;
use super::handles::{require_out, write_out};
use super::status::dinero_status;
use super::strings::borrow_str;
use std::ffi::c_char;

/// Reads a maximum log level for dinero_options_set_log_callback: "error", "warn" (or
/// "warning"), "info", "debug" or "off" (or "none", "silent"), in any case, or a number "0" to
/// "4". On success writes the DINERO_LOG_* value to *level_out, or 0 for off (install no
/// callback then). DINERO_STATUS_INVALID_ARGUMENT for anything else (the message lists the
/// accepted words); *level_out is then untouched.
///
/// # Safety
/// `name` is NULL or NUL-terminated; `level_out` is NULL or points to a writable uint32_t.
#[no_mangle]
pub unsafe extern "C" fn dinero_log_level_parse(
    name: *const c_char,
    level_out: *mut u32,
) -> dinero_status {
    guard(|| {
        // SAFETY: per this function's contract.
        let name = unsafe { borrow_str(name, "name") }?;
        require_out(level_out, "level_out")?;
        let level = crate::log::parse_level(name)?.map_or(0, |level| level as u32);
        // SAFETY: checked by require_out; writable per this function's contract.
        unsafe { write_out(level_out, level) };
        Ok(())
    })
}
