//! `dinero_response_headers_json`: every header of a response in one call, for bindings that
//! would otherwise ask for the count, each name and each value (three crossings per header).

use super::boundary::guard_or;
use super::handles::borrow;
use super::response::{c_string, dinero_response};
use std::ffi::c_char;

/// Every header of the response as one JSON object of strings: lower-case names, in the order
/// the headers first arrived, repeated headers joined with ", " (the same names and values as
/// dinero_response_header_name and dinero_response_header), e.g. `{"content-type":
/// "application/json; charset=utf-8", "retry-after": "3"}`; `{}` when there are none.
///
/// Returns a borrowed string valid until the response is freed, or NULL if `response` is
/// NULL. Made on the first call; like every read of a response, call it from one thread at a
/// time.
///
/// # Safety
/// `response` is NULL or a live handle.
#[no_mangle]
pub unsafe extern "C" fn dinero_response_headers_json(
    response: *const dinero_response,
) -> *const c_char {
    guard_or(std::ptr::null(), || {
        // SAFETY: per this function's contract.
        let response = unsafe { borrow(response, "response") }?;
        let json = response.headers_json.get_or_init(|| {
            c_string(crate::response::headers_json(response.headers.iter().map(
                // Made from Strings: UTF-8, so nothing is lost here.
                |(name, value)| (name.to_str().unwrap_or(""), value.to_str().unwrap_or("")),
            )))
        });
        Ok(json.as_ptr())
    })
}
