//! `dinero_client`: authentication, requests and the access token.

use super::boundary::guard;
use super::handles::{borrow, free, into_raw, require_out, write_out};
use super::options::dinero_options;
use super::request_builder::{borrow_bytes, build_with, dinero_request_builder};
use super::response::dinero_response;
use super::status::dinero_status;
use super::strings::{borrow_optional_str, borrow_str, hand_out};
use crate::client::Client;
use crate::closing::{Gate, Pass};
use crate::config::Config;
use crate::error::Result;
use std::ffi::c_char;
use std::sync::Arc;

/// Dinero's limit for an upload (`POST /v1/{organizationId}/files`): 6 MB (6 x 1024 x 1024
/// bytes; written out so that the header gives the number, which the bindings read).
pub const DINERO_MAX_UPLOAD_BYTES: usize = 6291456;

/// One organization's connection to Dinero: credentials, a token kept valid, a connection
/// pool and a rate limit. Safe to share between threads.
#[allow(non_camel_case_types)]
pub struct dinero_client {
    /// Shared with the client's pages handles, so that dinero_client_close stops them too.
    pub(crate) gate: Arc<Gate<Client>>,
}

impl dinero_client {
    pub(crate) fn new(client: Client) -> Self {
        dinero_client {
            gate: Arc::new(Gate::new("the client", client)),
        }
    }
}

/// Starts one call on a client handle: the client, counted as in flight (dinero_client_close
/// waits for it) until the pass is dropped; an error once the client is closed.
///
/// # Safety
/// `client` is NULL or a live handle not being freed.
pub(crate) unsafe fn enter<'a>(client: *mut dinero_client) -> Result<Pass<'a, Client>> {
    // SAFETY: per this function's contract.
    unsafe { borrow(client.cast_const(), "client") }?
        .gate
        .enter()
}

/// Exchanges the credentials for an access token now and returns a client that keeps the
/// token valid from then on (refreshed shortly before it expires, and once more if the API
/// answers 401 anyway).
///
/// `client_id` and `client_secret` are the integration's credentials from Dinero; `api_key`
/// is the key generated inside the organization. `options` may be NULL (all defaults); the
/// client copies what it needs from every argument, so all of them may be freed after the call.
///
/// On success writes a new client to *client_out; the caller owns it and frees it with
/// dinero_client_free. On failure *client_out is untouched: DINERO_STATUS_AUTH_REJECTED (the
/// token endpoint refused the credentials), DINERO_STATUS_AUTH_UNAVAILABLE (it failed, or its
/// HTTP answer was not a token), DINERO_STATUS_INVALID_ARGUMENT (empty or control characters
/// in a credential, or a bad option), DINERO_STATUS_NETWORK, DINERO_STATUS_TIMEOUT,
/// DINERO_STATUS_TLS, DINERO_STATUS_PROTOCOL (the answer was not HTTP, or was cut short),
/// DINERO_STATUS_RESPONSE_TOO_LARGE (it exceeded max_response_bytes). NETWORK, TIMEOUT and
/// PROTOCOL are worth trying again later, as AUTH_UNAVAILABLE is; TLS and RESPONSE_TOO_LARGE
/// rather ask for a look at ca_file, auth_url or max_response_bytes.
///
/// # Safety
/// The strings are NULL or NUL-terminated; `options` is NULL or a live handle; `client_out`
/// is NULL or points to writable memory for a pointer.
#[no_mangle]
pub unsafe extern "C" fn dinero_authenticate(
    client_id: *const c_char,
    client_secret: *const c_char,
    api_key: *const c_char,
    options: *const dinero_options,
    client_out: *mut *mut dinero_client,
) -> dinero_status {
    guard(|| {
        // SAFETY: per this function's contract.
        let (client_id, client_secret, api_key) = unsafe {
            (
                borrow_str(client_id, "client_id")?,
                borrow_str(client_secret, "client_secret")?,
                borrow_str(api_key, "api_key")?,
            )
        };
        require_out(client_out, "client_out")?;
        // SAFETY: per this function's contract.
        let config = match unsafe { options.as_ref() } {
            Some(options) => options.config.clone(),
            None => Config::default(),
        };
        let client = Client::authenticate(client_id, client_secret, api_key, config)?;
        // SAFETY: checked by require_out; per this function's contract it is writable.
        unsafe { write_out(client_out, into_raw(dinero_client::new(client))) };
        Ok(())
    })
}

/// Sends one request and waits for its answer.
///
/// `method`: GET, POST, PUT, DELETE, PATCH, HEAD or OPTIONS. `path`: relative to api_url,
/// starting with "/", e.g. "/v1/{organizationId}/contacts?page=0" ({organizationId} is filled
/// from the organization_id option; non-ASCII text is percent-encoded; CR, LF, NUL, spaces,
/// "." and ".." segments and backslashes are refused before anything is sent). `json_body`
/// may be NULL; otherwise it is sent with Content-Type: application/json. The strings are
/// copied.
///
/// Returns DINERO_STATUS_OK whenever an HTTP answer arrived, whatever its status code: read it
/// with dinero_response_status. Before that the library has already refreshed the token if
/// due, re-authenticated once after a 401, waited under the rate limit, retried 429s (all
/// methods), retried resets and 480/502/503/504 for GET/HEAD/OPTIONS and for a PUT without a
/// Timestamp (a contact's, a product's), and only 480/503 (the server did not act) for a
/// DELETE or a PUT with one: a repeat of one that took effect would be refused as deleted or
/// stale. A POST is never repeated once it may have reached the server. On
/// success writes a new response to *response_out, which the caller frees with
/// dinero_response_free; on failure it is untouched.
///
/// Thread safety: many threads may call this on one client at once.
///
/// # Safety
/// `client` is NULL or a live handle not being freed; the strings are NULL or NUL-terminated;
/// `response_out` is NULL or points to writable memory for a pointer.
#[no_mangle]
pub unsafe extern "C" fn dinero_request(
    client: *mut dinero_client,
    method: *const c_char,
    path: *const c_char,
    json_body: *const c_char,
    response_out: *mut *mut dinero_response,
) -> dinero_status {
    guard(|| {
        // SAFETY: per this function's contract.
        let (client, method, path, body) = unsafe {
            (
                enter(client)?,
                borrow_str(method, "method")?,
                borrow_str(path, "path")?,
                borrow_optional_str(json_body, "json_body")?,
            )
        };
        require_out(response_out, "response_out")?;
        let response = client.request(method, path, body.map(str::as_bytes))?;
        // SAFETY: checked by require_out; per this function's contract it is writable.
        unsafe { hand_out_response(response_out, response) };
        Ok(())
    })
}

/// Sends a request made with dinero_request_builder_new, with the same token, retry and pacing rules
/// as dinero_request (a POST is never repeated once it may have reached the server). The
/// builder is only read: it may be sent again or freed afterwards.
///
/// On success writes a new response to *response_out (free it with dinero_response_free);
/// binary bodies (an invoice PDF) are read with dinero_response_body or written to disk with
/// dinero_response_save.
///
/// # Safety
/// `client` and `request` are NULL or live handles; `response_out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn dinero_client_send(
    client: *mut dinero_client,
    request: *const dinero_request_builder,
    response_out: *mut *mut dinero_response,
) -> dinero_status {
    guard(|| {
        // SAFETY: per this function's contract.
        let (client, request) = unsafe { (enter(client)?, borrow(request, "request")?) };
        require_out(response_out, "response_out")?;
        let response = client.send(&request.builder)?;
        // SAFETY: checked by require_out; writable per this function's contract.
        unsafe { hand_out_response(response_out, response) };
        Ok(())
    })
}

/// Builds and sends a request in one call: the arguments as for
/// dinero_request_builder_new_with (query parameters, headers, a JSON or binary body and its
/// content type, described by `spec`), the answer as for dinero_client_send. A bad
/// description is DINERO_STATUS_INVALID_ARGUMENT and nothing is sent.
///
/// On success writes a new response to *response_out, which the caller frees with
/// dinero_response_free; on failure it is untouched. Many threads may call this on one client
/// at once.
///
/// # Safety
/// `client` is NULL or a live handle not being freed; the strings are NULL or NUL-terminated;
/// `data` is NULL or points to `data_len` readable bytes; `response_out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn dinero_client_call(
    client: *mut dinero_client,
    method: *const c_char,
    path: *const c_char,
    spec: *const c_char,
    data: *const u8,
    data_len: usize,
    response_out: *mut *mut dinero_response,
) -> dinero_status {
    guard(|| {
        // SAFETY: per this function's contract.
        let client = unsafe { enter(client)? };
        // SAFETY: per this function's contract.
        let request = unsafe { build_with(method, path, spec, data, data_len) }?;
        require_out(response_out, "response_out")?;
        let response = client.send(&request)?;
        // SAFETY: checked by require_out; writable per this function's contract.
        unsafe { hand_out_response(response_out, response) };
        Ok(())
    })
}

/// Uploads a file from disk to Dinero's files endpoint (POST /v1/{organizationId}/files as
/// multipart/form-data; the organization_id option must be set). The file is opened once and
/// must be a regular file (a FIFO or a device such as /dev/zero is DINERO_STATUS_IO, nothing
/// read); Dinero accepts at most 6 MB (DINERO_MAX_UPLOAD_BYTES): a larger file is refused with
/// DINERO_STATUS_INVALID_ARGUMENT before it is read or anything is sent. `file_name` may be
/// NULL (the file's own name); `content_type` may be NULL (guessed from the name: pdf, png,
/// jpeg, ...). A missing or unreadable file is DINERO_STATUS_IO.
///
/// Returns DINERO_STATUS_OK when Dinero answered (200 with the file's FileGuid, or e.g. 413);
/// an OK answer that is neither a JSON object nor empty is DINERO_STATUS_PROTOCOL (no binding
/// checks the shape itself). The upload is a POST, so it is never repeated once it may have reached the
/// server.
///
/// # Safety
/// `client` is NULL or a live handle; the strings are NULL (where allowed) or NUL-terminated;
/// `response_out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn dinero_client_upload_file(
    client: *mut dinero_client,
    file_path: *const c_char,
    file_name: *const c_char,
    content_type: *const c_char,
    response_out: *mut *mut dinero_response,
) -> dinero_status {
    guard(|| {
        // SAFETY: per this function's contract.
        let (client, file_path, file_name, content_type) = unsafe {
            (
                enter(client)?,
                borrow_str(file_path, "file_path")?,
                borrow_optional_str(file_name, "file_name")?,
                borrow_optional_str(content_type, "content_type")?,
            )
        };
        require_out(response_out, "response_out")?;
        let path = std::path::Path::new(file_path);
        let response = client.upload_file(path, file_name, content_type)?;
        // SAFETY: checked by require_out; writable per this function's contract.
        unsafe { hand_out_response(response_out, response) };
        Ok(())
    })
}

/// Like dinero_client_upload_file, from `len` bytes in memory (copied; NULs allowed; more than
/// DINERO_MAX_UPLOAD_BYTES is refused before anything is sent). `file_name` may be NULL: the
/// bytes are then named "file" with the extension of a recognized PDF, PNG, JPEG or GIF
/// ("file.pdf"). `content_type` may be NULL (guessed from the name).
///
/// # Safety
/// `client` is NULL or a live handle; `bytes` is NULL (with `len` 0) or points to `len`
/// readable bytes; the strings are NULL or NUL-terminated; `response_out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn dinero_client_upload_bytes(
    client: *mut dinero_client,
    bytes: *const u8,
    len: usize,
    file_name: *const c_char,
    content_type: *const c_char,
    response_out: *mut *mut dinero_response,
) -> dinero_status {
    guard(|| {
        // SAFETY: per this function's contract.
        let (client, bytes, file_name, content_type) = unsafe {
            (
                enter(client)?,
                borrow_bytes(bytes, len, "bytes")?,
                borrow_optional_str(file_name, "file_name")?,
                borrow_optional_str(content_type, "content_type")?,
            )
        };
        require_out(response_out, "response_out")?;
        let response = client.upload(bytes, file_name, content_type)?;
        // SAFETY: checked by require_out; writable per this function's contract.
        unsafe { hand_out_response(response_out, response) };
        Ok(())
    })
}

/// Gives a response to the caller through an out-parameter.
///
/// # Safety
/// `response_out` passed `require_out` and points to writable memory for a pointer.
pub(crate) unsafe fn hand_out_response(
    response_out: *mut *mut dinero_response,
    response: crate::Response,
) {
    // SAFETY: per this function's contract.
    unsafe {
        write_out(
            response_out,
            into_raw(dinero_response::from_response(response)),
        )
    }
}

/// A currently valid access token (refreshed first if it is due), for callers that make their
/// own HTTP requests to Dinero.
///
/// On success writes a new string to *token_out: the caller owns it and must free it with
/// dinero_string_free (never free()), which also wipes it. On failure *token_out is untouched.
///
/// # Safety
/// `client` is NULL or a live handle; `token_out` is NULL or points to writable memory for a
/// pointer.
#[no_mangle]
pub unsafe extern "C" fn dinero_client_access_token(
    client: *mut dinero_client,
    token_out: *mut *mut c_char,
) -> dinero_status {
    guard(|| {
        // SAFETY: per this function's contract.
        let client = unsafe { enter(client) }?;
        require_out(token_out, "token_out")?;
        let token = client.access_token()?;
        let owned = hand_out(token.expose())?;
        // SAFETY: checked by require_out; per this function's contract it is writable.
        unsafe { write_out(token_out, owned) };
        Ok(())
    })
}

/// Frees a client handle. NULL is a no-op. After dinero_client_close this only releases the
/// handle's memory; without it, it also wipes the token and credentials and closes the
/// connections (unless a dinero_pages handle still uses them), and no other thread may be
/// using the client at that moment. Call dinero_client_close first when other threads might.
///
/// # Safety
/// `client` is NULL or a live handle from dinero_authenticate, freed only once.
#[no_mangle]
pub unsafe extern "C" fn dinero_client_free(client: *mut dinero_client) {
    // SAFETY: forwarded contract.
    unsafe { free(client) }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_c_limit_is_the_cores() {
        assert_eq!(super::DINERO_MAX_UPLOAD_BYTES, crate::MAX_UPLOAD_BYTES);
    }
}
