//! `dinero_pages_new_with`: paging through a list described in one call, as
//! dinero_request_builder_new_with describes a request, so a binding needs no builder of its own.

use super::boundary::guard;
use super::client::dinero_client;
use super::handles::{borrow, into_raw, require_out, write_out};
use super::pages::dinero_pages;
use super::request_builder::build_with;
use super::status::dinero_status;
use std::ffi::c_char;

/// Starts paging through the Dinero list at `path` (a GET), as dinero_pages_new does for a
/// builder: `spec` is NULL or a request description as for dinero_request_builder_new_with
/// (its `"params"` and `"headers"` are sent with every page), `page_size` 1 to
/// DINERO_MAX_PAGE_SIZE. Everything is copied; nothing is sent yet.
///
/// On success writes a new pages handle to *pages_out (free it with dinero_pages_free);
/// DINERO_STATUS_INVALID_ARGUMENT for a bad path, description or page size, with *pages_out
/// untouched.
///
/// # Safety
/// `client` is NULL or a live handle; `path` and `spec` are NULL or NUL-terminated;
/// `pages_out` is NULL or writable.
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
        // SAFETY: per this function's contract; no data pointer is passed.
        let request = unsafe { build_with(c"GET".as_ptr(), path, spec, std::ptr::null(), 0) }?;
        require_out(pages_out, "pages_out")?;
        let pages = client.client.pages(request, page_size)?;
        // SAFETY: checked by require_out; writable per this function's contract.
        unsafe { write_out(pages_out, into_raw(dinero_pages { pages })) };
        Ok(())
    })
}
