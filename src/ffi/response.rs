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
    pub(super) headers: Vec<(CString, CString)>,
    /// All of them as one JSON object, made on first use (dinero_response_headers_json).
    pub(super) headers_json: std::sync::OnceLock<CString>,
    /// For a status >= 400: Dinero's error answer, read once (JSON for the bindings, and the
    /// one-line description).
    error: Option<(CString, CString)>,
    /// The request it answers, for messages (dinero_response_request).
    request: CString,
}

impl dinero_response {
    pub(crate) fn from_response(response: Response) -> Self {
        let error = response
            .api_error()
            .map(|error| (c_string(error.to_json()), c_string(error.description())));
        let (status, headers, mut body, request) = response.into_all_parts();
        let request = c_string(request);
        body.push(0);
        let headers = headers
            .into_iter()
            .map(|(name, value)| (c_string(name), c_string(value)))
            .collect();
        dinero_response {
            status,
            body,
            headers,
            headers_json: std::sync::OnceLock::new(),
            error,
            request,
        }
    }
}

/// Header text never holds NUL (HTTP forbids it); drop any rather than lose the header.
pub(super) fn c_string(text: String) -> CString {
    // Moved, not copied, in the usual case: a response is read once per request.
    CString::new(text).unwrap_or_else(|nul| {
        CString::new(
            nul.into_vec()
                .into_iter()
                .filter(|&b| b != 0)
                .collect::<Vec<u8>>(),
        )
        .unwrap_or_default()
    })
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

/// Whether the answer is OK: true for a status below 400, false for 400 and above (an error
/// answer, described by dinero_response_error_json). The one rule every binding uses for its
/// `ok` and for when its helpers raise an API error. Returns false if `response` is NULL.
///
/// # Safety
/// `response` is NULL or a live handle.
#[no_mangle]
pub unsafe extern "C" fn dinero_response_is_ok(response: *const dinero_response) -> bool {
    // SAFETY: per this function's contract.
    guard_or(false, || {
        Ok(unsafe { borrow(response, "response") }?.error.is_none())
    })
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

/// The request this answers, for messages and logs: the method, then the path as the caller
/// wrote it (`{organizationId}` left as it is) with the query parameters as sent,
/// percent-encoded, e.g. "GET /v1/{organizationId}/contacts?page=0&pageSize=1000" (a page of
/// dinero_pages_next names its page; an upload names the files endpoint; the answer of
/// dinero_client_create that read a lost create back names that GET).
///
/// Returns a borrowed string valid until the response is freed; "" for an answer not sent by
/// a client; NULL if `response` is NULL.
///
/// # Safety
/// `response` is NULL or a live handle.
#[no_mangle]
pub unsafe extern "C" fn dinero_response_request(
    response: *const dinero_response,
) -> *const c_char {
    guard_or(std::ptr::null(), || {
        // SAFETY: per this function's contract.
        Ok(unsafe { borrow(response, "response") }?.request.as_ptr())
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

/// For a status >= 400, the one line that says what Dinero answered, the same in every
/// language: "HTTP 400 (Dinero code 42): Validation error [Name: Name is required]" (Dinero's
/// message, else the first line of a plain-text body, else the reason phrase; server text has
/// its control characters removed and is cut short). NULL for a status below 400.
///
/// Returns a borrowed string valid until the response is freed.
///
/// # Safety
/// `response` is NULL or a live handle.
#[no_mangle]
pub unsafe extern "C" fn dinero_response_error_message(
    response: *const dinero_response,
) -> *const c_char {
    guard_or(std::ptr::null(), || {
        // SAFETY: per this function's contract.
        let response = unsafe { borrow(response, "response") }?;
        Ok(response
            .error
            .as_ref()
            .map_or(std::ptr::null(), |(_, line)| line.as_ptr()))
    })
}

/// For a status >= 400, Dinero's error answer parsed into one JSON object (NULL below 400):
/// `{"status": 400, "code": 42 or null, "message": "Validation error", "message_from_body":
/// true, "description": <dinero_response_error_message>, "validation_errors": [{"name":
/// "Name", "message": "..."}], "language_specific_messages": [...], "error_message_list":
/// [...]}`: Dinero's `languageSpecificMessages` and `errorMessageList` as it sent them (empty
/// when absent); `message` and the validation errors
/// are cleaned and cut like the description. Bodies that are not Dinero's shape (an HTML 404,
/// a plain-text 429, an empty body) give code null and no validation errors.
///
/// Returns a borrowed string valid until the response is freed.
///
/// # Safety
/// `response` is NULL or a live handle.
#[no_mangle]
pub unsafe extern "C" fn dinero_response_error_json(
    response: *const dinero_response,
) -> *const c_char {
    guard_or(std::ptr::null(), || {
        // SAFETY: per this function's contract.
        let response = unsafe { borrow(response, "response") }?;
        Ok(response
            .error
            .as_ref()
            .map_or(std::ptr::null(), |(json, _)| json.as_ptr()))
    })
}

/// Parses an HTTP status and body that did not come from libdinero as Dinero's error answer
/// (the same reading as dinero_response_error_json, for a body your own code received).
///
/// On success writes the JSON to *json_out: the caller owns it and frees it with
/// dinero_string_free. `body` may be NULL when `len` is 0.
///
/// # Safety
/// `body` is NULL or points to `len` readable bytes; `json_out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn dinero_error_body_parse(
    http_status: u16,
    body: *const u8,
    len: usize,
    json_out: *mut *mut c_char,
) -> super::status::dinero_status {
    super::boundary::guard(|| {
        // SAFETY: per this function's contract.
        let body = unsafe { super::request_builder::borrow_bytes(body, len, "body") }?;
        super::handles::require_out(json_out, "json_out")?;
        let json = crate::api_error::ApiError::parse(http_status, body).to_json();
        let owned = super::strings::hand_out(&json)?;
        // SAFETY: checked by require_out; writable per this function's contract.
        unsafe { super::handles::write_out(json_out, owned) };
        Ok(())
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
