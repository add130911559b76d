//! Log levels by name, so that a binding maps its logger's level names the same way as every
//! other: the severity names of syslog (RFC 5424), which PSR-3 and most loggers use, console's
//! "warn", and "off".

use super::boundary::guard;
use super::handles::{require_out, write_out};
use super::status::dinero_status;
use super::strings::borrow_str;
use crate::log::Level;
use std::ffi::c_char;

/// The DINERO_LOG_* level a severity name means, written to *level_out: "emergency", "alert",
/// "critical" and "error" are DINERO_LOG_ERROR, "warning" and "warn" DINERO_LOG_WARN, "notice"
/// and "info" DINERO_LOG_INFO, "debug" DINERO_LOG_DEBUG; "off" and "none" are 0, meaning "log
/// nothing" (dinero_options_set_log_callback takes 0 so, and 1 to 4 as levels). Any case;
/// spaces around the name are ignored.
/// Another name is DINERO_STATUS_INVALID_ARGUMENT (the message lists the names) and
/// *level_out is untouched.
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
        let level = Level::from_name(name)?;
        // SAFETY: checked by require_out; per this function's contract it is writable.
        unsafe { write_out(level_out, level.map_or(0, |level| level as u32)) };
        Ok(())
    })
}

/// The severity name of a DINERO_LOG_* level, the name a logger expects: "error", "warning",
/// "info" or "debug" ("debug" for a number above DINERO_LOG_DEBUG, for a finer level a later
/// version may add, and for 0). Returns a static string: never free it.
#[no_mangle]
pub extern "C" fn dinero_log_level_name(level: u32) -> *const c_char {
    // The same words as Level::name, NUL-terminated (a test compares them).
    let name: &'static [u8] = match level {
        1 => b"error\0",
        2 => b"warning\0",
        3 => b"info\0",
        _ => b"debug\0",
    };
    name.as_ptr().cast()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::CStr;

    #[test]
    fn names_and_levels_agree_with_the_core() {
        for level in [Level::Error, Level::Warn, Level::Info, Level::Debug] {
            // SAFETY: a static NUL-terminated string.
            let name = unsafe { CStr::from_ptr(dinero_log_level_name(level as u32)) };
            assert_eq!(name.to_str().unwrap(), level.name());
            let mut parsed = 0u32;
            // SAFETY: a NUL-terminated name and a writable u32.
            let status = unsafe { dinero_log_level_parse(name.as_ptr(), &mut parsed) };
            assert_eq!((status, parsed), (0, level as u32));
        }
        // SAFETY: as above.
        let unknown = unsafe { CStr::from_ptr(dinero_log_level_name(9)) };
        assert_eq!(unknown.to_str().unwrap(), "debug");
        let mut off = 7u32;
        // SAFETY: as above.
        let status = unsafe { dinero_log_level_parse(c"Off".as_ptr(), &mut off) };
        assert_eq!((status, off), (0, 0));
        let mut untouched = 7u32;
        // SAFETY: as above.
        let status = unsafe { dinero_log_level_parse(c"verbose".as_ptr(), &mut untouched) };
        assert_ne!(status, 0);
        assert_eq!(untouched, 7);
    }
}
