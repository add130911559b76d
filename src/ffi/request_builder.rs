//! `dinero_request_builder`: requests beyond JSON (headers, query parameters, binary bodies),
//! sent with dinero_client_send.

use super::boundary::guard;
use super::handles::{free, into_raw, require_out, write_out};
use super::status::dinero_status;
use super::strings::{borrow_optional_str, borrow_str};
use crate::error::{Error, ErrorKind, Result};
use crate::request::builder::RequestBuilder;
use std::ffi::c_char;

/// A request under construction: method, path, query parameters, headers and body.
#[allow(non_camel_case_types)]
pub struct dinero_request_builder {
    pub(crate) builder: RequestBuilder,
}

/// Borrows the caller's bytes for the call; NULL is allowed only with a length of 0.
///
/// # Safety
/// `bytes` is NULL or points to `len` readable bytes.
pub(crate) unsafe fn borrow_bytes<'a>(
    bytes: *const u8,
    len: usize,
    name: &str,
) -> Result<&'a [u8]> {
    if bytes.is_null() {
        return match len {
            0 => Ok(&[]),
            _ => Err(Error::new(
                ErrorKind::NullArgument,
                format!("{name} is NULL"),
            )),
        };
    }
    // No object is larger than isize::MAX bytes (a slice may not be either): a longer length
    // is a caller's mistake, say a -1 passed as a size_t.
    if len > isize::MAX as usize {
        return Err(Error::invalid(format!(
            "{name}: a length of {len} bytes is more than any buffer can hold"
        )));
    }
    // SAFETY: per this function's contract, `len` bytes are readable at `bytes`.
    Ok(unsafe { std::slice::from_raw_parts(bytes, len) })
}

fn builder_mut<'a>(builder: *mut dinero_request_builder) -> Result<&'a mut RequestBuilder> {
    // SAFETY: callers pass a pointer that is NULL or a live handle (their own contract).
    unsafe { builder.as_mut() }
        .map(|b| &mut b.builder)
        .ok_or_else(|| Error::new(ErrorKind::NullArgument, "request is NULL"))
}

/// Starts a request: `method` as for dinero_request, `path` relative to api_url (it may hold
/// {organizationId} and a query string). Both are checked now (CR, LF, NUL, spaces, "." and
/// ".." segments and backslashes are refused) and copied.
///
/// On success writes a new builder to *request_out; the caller frees it with
/// dinero_request_builder_free. A builder may be sent many times and belongs to one thread at a time.
///
/// # Safety
/// The strings are NULL or NUL-terminated; `request_out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn dinero_request_builder_new(
    method: *const c_char,
    path: *const c_char,
    request_out: *mut *mut dinero_request_builder,
) -> dinero_status {
    guard(|| {
        // SAFETY: per this function's contract.
        let (method, path) = unsafe { (borrow_str(method, "method")?, borrow_str(path, "path")?) };
        require_out(request_out, "request_out")?;
        let builder = RequestBuilder::new(method, path)?;
        // SAFETY: checked by require_out; writable per this function's contract.
        unsafe { write_out(request_out, into_raw(dinero_request_builder { builder })) };
        Ok(())
    })
}

/// Starts a request with everything in one call: `method` and `path` as for
/// dinero_request_builder_new; `spec` NULL or a JSON object with any of `"params"` (query
/// parameters: an object, or a list of [name, value] pairs; values are strings, numbers
/// (written exactly; a whole number given as a double of 2^53 or more is refused: give it as
/// a string), booleans (sent as true/false), null (left out) or a list of those (the
/// parameter repeats)),
/// `"headers"` (an object or a list of [name, value] pairs of strings, checked as by
/// dinero_request_builder_set_header), `"json"` (the JSON body, sent byte for byte as written
/// in `spec`), `"data": true` (the body is the `data_len` bytes at `data`; `data` may be NULL
/// when `data_len` is 0), `"content_type"` (the body's type) and `"organization_id"` (a
/// number or a string of digits: fills `{organizationId}` for this request instead of the
/// client's option, as a Visma Connect token reaches several; null leaves the option).
///
/// Rules, the same for every binding: `json` and `data` together are refused, as is a
/// content type without a body; a body's type is `content_type`, else a Content-Type among the
/// headers, else application/json for `json` and application/octet-stream for `data`; with
/// query parameters a `?` or `&` ending `path` is dropped.
///
/// On success writes a new builder to *request_out; the caller frees it with
/// dinero_request_builder_free. On failure (DINERO_STATUS_INVALID_ARGUMENT, with a message
/// naming what was wrong) *request_out is untouched. Everything is copied.
///
/// # Safety
/// The strings are NULL or NUL-terminated; `data` is NULL or points to `data_len` readable
/// bytes; `request_out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn dinero_request_builder_new_with(
    method: *const c_char,
    path: *const c_char,
    spec: *const c_char,
    data: *const u8,
    data_len: usize,
    request_out: *mut *mut dinero_request_builder,
) -> dinero_status {
    guard(|| {
        // SAFETY: per this function's contract.
        let builder = unsafe { build_with(method, path, spec, data, data_len) }?;
        require_out(request_out, "request_out")?;
        // SAFETY: checked by require_out; writable per this function's contract.
        unsafe { write_out(request_out, into_raw(dinero_request_builder { builder })) };
        Ok(())
    })
}

/// The builder described by dinero_request_builder_new_with's arguments.
///
/// # Safety
/// As dinero_request_builder_new_with.
pub(crate) unsafe fn build_with(
    method: *const c_char,
    path: *const c_char,
    spec: *const c_char,
    data: *const u8,
    data_len: usize,
) -> Result<RequestBuilder> {
    // SAFETY: per this function's contract.
    let (method, path, spec, data) = unsafe {
        (
            borrow_str(method, "method")?,
            borrow_str(path, "path")?,
            borrow_optional_str(spec, "spec")?,
            borrow_bytes(data, data_len, "data")?,
        )
    };
    crate::request::spec::build(method, path, spec, data)
}

/// Sets a header (replacing one of the same name, case-insensitively), e.g. "Accept" to
/// "application/octet-stream" for an invoice PDF. Names must be HTTP tokens; values must not
/// hold CR, LF or any other control character but a tab (checked now, not when sent). A
/// request takes at most 100 headers besides Content-Type, each at most 8 KiB with its name.
/// Authorization, Host, Content-Length, Transfer-Encoding and Connection are managed by
/// libdinero and refused (DINERO_STATUS_INVALID_ARGUMENT); the request is unchanged.
///
/// # Safety
/// `request` is NULL or a live builder; the strings are NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn dinero_request_builder_set_header(
    request: *mut dinero_request_builder,
    name: *const c_char,
    value: *const c_char,
) -> dinero_status {
    guard(|| {
        // SAFETY: per this function's contract.
        let (name, value) = unsafe { (borrow_str(name, "name")?, borrow_str(value, "value")?) };
        builder_mut(request)?.header(name, value)
    })
}

/// Adds a query parameter; the library percent-encodes key and value (a space becomes %20),
/// so `Name eq 'Børge'` may be passed as it is.
///
/// # Safety
/// `request` is NULL or a live builder; the strings are NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn dinero_request_builder_add_query(
    request: *mut dinero_request_builder,
    key: *const c_char,
    value: *const c_char,
) -> dinero_status {
    guard(|| {
        // SAFETY: per this function's contract.
        let (key, value) = unsafe { (borrow_str(key, "key")?, borrow_str(value, "value")?) };
        builder_mut(request)?.query(key, value);
        Ok(())
    })
}

/// Sets the body: `len` bytes (copied; they may hold NULs) sent with `content_type`.
/// `body` may be NULL when `len` is 0.
///
/// # Safety
/// `request` is NULL or a live builder; `body` is NULL or points to `len` readable bytes;
/// `content_type` is NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn dinero_request_builder_set_body(
    request: *mut dinero_request_builder,
    body: *const u8,
    len: usize,
    content_type: *const c_char,
) -> dinero_status {
    guard(|| {
        // SAFETY: per this function's contract.
        let (bytes, content_type) = unsafe {
            (
                borrow_bytes(body, len, "body")?,
                borrow_str(content_type, "content_type")?,
            )
        };
        // `body` checks the content type before changing anything.
        builder_mut(request)?.body(RequestBuilder::owned_body(bytes)?, content_type)
    })
}

/// Frees a builder. NULL is a no-op.
///
/// # Safety
/// `request` is NULL or a live builder from dinero_request_builder_new, freed only once.
#[no_mangle]
pub unsafe extern "C" fn dinero_request_builder_free(request: *mut dinero_request_builder) {
    // SAFETY: forwarded contract.
    unsafe { free(request) }
}
