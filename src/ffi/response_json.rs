//! `dinero_response_json`: an OK answer's body as JSON text for a binding's JSON decoder.

use super::boundary::guard;
use super::handles::{borrow, require_out, write_out};
use super::response::dinero_response_status;
use super::response::{dinero_response, dinero_response_body, dinero_response_is_ok};
use super::status::dinero_status;
use crate::error::Error;
use std::ffi::c_char;

/// The body of an OK answer (dinero_response_is_ok) as JSON text, the one reading every
/// binding's JSON helpers use: *json_out is the body itself when it is JSON, or "null" when
/// the body is empty or only whitespace. A body that is not JSON is DINERO_STATUS_PROTOCOL
/// (the message names the status and the size, never the body's text); an error answer
/// (status >= 400) is DINERO_STATUS_INVALID_ARGUMENT (read it with
/// dinero_response_error_json). On failure *json_out is untouched.
///
/// The text is borrowed: valid until the response is freed; never free it.
///
/// # Safety
/// `response` is NULL or a live handle; `json_out` is NULL or points to writable memory for a
/// pointer.
#[no_mangle]
pub unsafe extern "C" fn dinero_response_json(
    response: *const dinero_response,
    json_out: *mut *const c_char,
) -> dinero_status {
    guard(|| {
        // SAFETY: per this function's contract.
        unsafe { borrow(response, "response") }?;
        require_out(json_out, "json_out")?;
        // SAFETY: `response` is live (checked above), per this function's contract.
        let (ok, status) = unsafe {
            (
                dinero_response_is_ok(response),
                dinero_response_status(response),
            )
        };
        if !ok {
            return Err(Error::invalid(format!(
                "HTTP {status} is an error answer, not a JSON result: read it with \
                 dinero_response_error_json"
            )));
        }
        let mut len = 0;
        // SAFETY: as above; the body is `len` bytes followed by a NUL, and lives as long as
        // the response.
        let body = unsafe { dinero_response_body(response, &mut len) };
        // SAFETY: dinero_response_body gives `len` readable bytes for a live response.
        let bytes = unsafe { std::slice::from_raw_parts(body, len) };
        let text = match crate::json_body::json_body(status, bytes)? {
            // JSON holds no raw NUL, so the NUL after the body ends exactly this text.
            Some(_) => body.cast::<c_char>(),
            None => c"null".as_ptr(),
        };
        // SAFETY: checked by require_out; writable per this function's contract.
        unsafe { write_out(json_out, text) };
        Ok(())
    })
}
