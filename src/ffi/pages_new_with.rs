//! `dinero_pages_new_with`: paging through a Dinero list in one call, without a request builder.

use super::boundary::guard;
use super::client::dinero_client;
use super::handles::{borrow, into_raw, require_out, write_out};
use super::pages::dinero_pages;
use super::request_builder::build_with;
use super::status::dinero_status;
use std::ffi::c_char;

/// Starts paging through the Dinero list at `path` (e.g. "/v1/{organizationId}/contacts"),
/// as dinero_pages_new does with a GET built by dinero_request_builder_new_with("GET", path,
/// spec, NULL, 0, ...): `spec` is NULL or a JSON object whose `"params"` (an object or a list
/// of [name, value] pairs) and `"headers"` are sent with every page; a body in it is refused.
/// `page_size` as for dinero_pages_new (1 to DINERO_MAX_PAGE_SIZE). Nothing is sent yet.
///
/// On success writes a new pages handle to *pages_out (free it with dinero_pages_free; read
/// the pages with dinero_pages_next); on failure (DINERO_STATUS_INVALID_ARGUMENT naming what
/// was wrong, or for a closed client) *pages_out is untouched.
///
/// # Safety
/// `client` is NULL or a live handle; the strings are NULL or NUL-terminated; `pages_out` is
/// NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn dinero_pages_new_with(
    client: *mut dinero_client,
    path: *const c_char,
    spec: *const c_char,
    page_size: u32,
    pages_out: *mut *mut dinero_pages,
) -> dinero_status {
    guard(|| {
        // SAFETY: per this function's contract.
        let client = unsafe { borrow(client.cast_const(), "client") }?;
        // SAFETY: per this function's contract; "GET" is a NUL-terminated literal.
        let request = unsafe { build_with(c"GET".as_ptr(), path, spec, std::ptr::null(), 0) }?;
        if request.body.is_some() {
            return Err(crate::error::Error::invalid(
                "a list is paged with GET: the request description may not carry a body",
            ));
        }
        require_out(pages_out, "pages_out")?;
        let pages = dinero_pages::start(client, request, page_size)?;
        // SAFETY: checked by require_out; writable per this function's contract.
        unsafe { write_out(pages_out, into_raw(pages)) };
        Ok(())
    })
}
