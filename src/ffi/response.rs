//! `dinero_response`: one HTTP answer, read through borrowed pointers.

use super::boundary::guard_or;
use super::handles::{borrow, free};
use super::strings::borrow_str;
use crate::response::Response;
use std::ffi::{c_char, CString};

/// The status, headers and body of one HTTP response.
#[allow(non_camel_case_types)]
pub struct dinero_response {
    status: u16,
    /// The body followed by one NUL byte that is not part of it, so text can be used as a C
    /// string without copying.
    body: Vec<u8>,
    /// Lower-case names and values, NUL-terminated, ready to lend out.
    headers: Vec<(CString, CString)>,
}

impl dinero_response {
    pub(crate) fn from_response(response: Response) -> Self {
        let (status, headers, mut body) = response.into_parts();
        body.push(0);
        let headers = headers
            .into_iter()
            .map(|(name, value)| (c_string(name), c_string(value)))
            .collect();
        dinero_response {
            status,
            body,
            headers,
        }
    }
}

/// Header text never holds NUL (HTTP forbids it); drop any rather than lose the header.
fn c_string(text: String) -> CString {
    CString::new(text.replace('\0', "")).unwrap_or_default()
}

/// The HTTP status code (200, 201, 400, 429, ...). Returns 0 if `response` is NULL.
///
/// # Safety
/// `response` is NULL or a live handle from dinero_request.
#[no_mangle]
pub unsafe extern "C" fn dinero_response_status(response: *const dinero_response) -> u16 {
    // SAFETY: per this function's contract.
    guard_or(0, || Ok(unsafe { borrow(response, "response") }?.status))
}

/// The body bytes; their number is written to *len_out. The bytes are followed by a NUL that
/// is not counted, so a JSON or text body can be used directly as a C string (a binary body
/// such as a PDF may hold NULs itself: use the length).
///
/// Returns a borrowed pointer, valid until the response is freed; never NULL for a live
/// response (an empty body gives a pointer to "" and length 0). Returns NULL (and leaves
/// *len_out untouched) if `response` is NULL. `len_out` may be NULL if the length is not needed.
///
/// # Safety
/// `response` is NULL or a live handle; `len_out` is NULL or points to a writable size_t.
#[no_mangle]
pub unsafe extern "C" fn dinero_response_body(
    response: *const dinero_response,
    len_out: *mut usize,
) -> *const u8 {
    guard_or(std::ptr::null(), || {
        // SAFETY: per this function's contract.
        let response = unsafe { borrow(response, "response") }?;
        let len = response.body.len() - 1;
        // SAFETY: per this function's contract, a non-NULL len_out is writable.
        if let Some(out) = unsafe { len_out.as_mut() } {
            *out = len;
        }
        Ok(response.body.as_ptr())
    })
}

/// The value of a header, looked up without regard to case ("retry-after", "Content-Type");
/// repeated headers come joined with ", ".
///
/// Returns a borrowed string valid until the response is freed, or NULL if the header is
/// absent (or `response` or `name` is NULL or not UTF-8; dinero_last_error then says which).
///
/// # Safety
/// `response` is NULL or a live handle; `name` is NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn dinero_response_header(
    response: *const dinero_response,
    name: *const c_char,
) -> *const c_char {
    guard_or(std::ptr::null(), || {
        // SAFETY: per this function's contract.
        let response = unsafe { borrow(response, "response") }?;
        // SAFETY: per this function's contract.
        let name = unsafe { borrow_str(name, "name") }?;
        Ok(response
            .headers
            .iter()
            .find(|(n, _)| n.to_bytes().eq_ignore_ascii_case(name.as_bytes()))
            .map_or(std::ptr::null(), |(_, value)| value.as_ptr()))
    })
}

/// How many distinct headers the response has (repeated ones count once, joined with ", ").
/// Returns 0 if `response` is NULL.
///
/// # Safety
/// `response` is NULL or a live handle from dinero_request.
#[no_mangle]
pub unsafe extern "C" fn dinero_response_header_count(response: *const dinero_response) -> usize {
    // SAFETY: per this function's contract.
    guard_or(0, || {
        Ok(unsafe { borrow(response, "response") }?.headers.len())
    })
}

/// The lower-case name of header number `index` (0 to dinero_response_header_count - 1), in
/// the order the headers arrived; its value is dinero_response_header(response, name).
///
/// Returns a borrowed string valid until the response is freed, or NULL if `index` is past the
/// end or `response` is NULL.
///
/// # Safety
/// `response` is NULL or a live handle from dinero_request.
#[no_mangle]
pub unsafe extern "C" fn dinero_response_header_name(
    response: *const dinero_response,
    index: usize,
) -> *const c_char {
    guard_or(std::ptr::null(), || {
        // SAFETY: per this function's contract.
        let response = unsafe { borrow(response, "response") }?;
        Ok(response
            .headers
            .get(index)
            .map_or(std::ptr::null(), |(name, _)| name.as_ptr()))
    })
}

/// Writes the body to `file_path` (e.g. an invoice PDF), replacing the file atomically: it is
/// written to a temporary file beside it and renamed, so a reader never sees half of it. A
/// file it replaces keeps its permissions; a new file is created 0600 (owner only: invoices
/// and receipts are private). DINERO_STATUS_IO if the folder does not exist or cannot be
/// written.
///
/// # Safety
/// `response` is NULL or a live handle; `file_path` is NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn dinero_response_save(
    response: *const dinero_response,
    file_path: *const c_char,
) -> super::status::dinero_status {
    super::boundary::guard(|| {
        // SAFETY: per this function's contract.
        let (response, file_path) = unsafe {
            (
                borrow(response, "response")?,
                borrow_str(file_path, "file_path")?,
            )
        };
        let body = &response.body[..response.body.len() - 1];
        crate::files::save_private(std::path::Path::new(file_path), body)
    })
}

/// Frees a response and everything borrowed from it. NULL is a no-op.
///
/// # Safety
/// `response` is NULL or a live handle from dinero_request, freed only once.
#[no_mangle]
pub unsafe extern "C" fn dinero_response_free(response: *mut dinero_response) {
    // SAFETY: forwarded contract.
    unsafe { free(response) }
}
