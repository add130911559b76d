//! Strings across the boundary: borrowing the caller's `const char*` as checked UTF-8, and
//! handing out owned `char*` that only `dinero_string_free` may release (it wipes them, since
//! the strings we hand out are tokens).

use crate::error::{Error, ErrorKind, Result};
use std::ffi::{c_char, CStr, CString};
use zeroize::Zeroize;

/// Borrows a caller's NUL-terminated string for the duration of the call.
///
/// # Safety
/// `ptr` is NULL or points to a NUL-terminated string that stays valid and unchanged for `'a`.
pub unsafe fn borrow_str<'a>(ptr: *const c_char, name: &str) -> Result<&'a str> {
    if ptr.is_null() {
        return Err(Error::new(
            ErrorKind::NullArgument,
            format!("{name} is NULL"),
        ));
    }
    // SAFETY: non-NULL and NUL-terminated per this function's contract.
    let bytes = unsafe { CStr::from_ptr(ptr) };
    bytes
        .to_str()
        .map_err(|_| Error::new(ErrorKind::InvalidUtf8, format!("{name} is not valid UTF-8")))
}

/// Like `borrow_str`, but NULL means "absent".
///
/// # Safety
/// As for `borrow_str`.
pub unsafe fn borrow_optional_str<'a>(ptr: *const c_char, name: &str) -> Result<Option<&'a str>> {
    if ptr.is_null() {
        Ok(None)
    } else {
        // SAFETY: forwarded contract.
        unsafe { borrow_str(ptr, name) }.map(Some)
    }
}

/// Hands a string to the caller; it must come back through `release`.
pub fn hand_out(value: &str) -> Result<*mut c_char> {
    let owned = CString::new(value)
        .map_err(|_| Error::new(ErrorKind::Protocol, "the string holds a NUL byte"))?;
    Ok(owned.into_raw())
}

/// Takes back and wipes a string from `hand_out`.
///
/// # Safety
/// `ptr` is NULL or came from `hand_out` and has not been released yet.
pub unsafe fn release(ptr: *mut c_char) {
    if ptr.is_null() {
        return;
    }
    // SAFETY: per the contract it was made by CString::into_raw and is released once.
    let owned = unsafe { CString::from_raw(ptr) };
    let mut bytes = owned.into_bytes_with_nul();
    bytes.zeroize();
}
