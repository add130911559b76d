//! `dinero_pages`: every page of a Dinero list, one response per page.

use super::boundary::guard;
use super::client::{dinero_client, hand_out_response};
use super::handles::{borrow, free, into_raw, require_out, write_out};
use super::request_builder::dinero_request_builder;
use super::status::dinero_status;
use crate::client::Client;
use crate::closing::Gate;
use crate::error::{Error, ErrorKind};
use crate::pages::PageWalk;
use crate::request::builder::RequestBuilder;
use std::sync::Arc;

/// Dinero's largest page (`pageSize`), and the page size to use: under 100 requests a minute,
/// paging at 100 items costs ten times the requests of paging at 1000.
pub const DINERO_MAX_PAGE_SIZE: u32 = 1000;

/// The pages of one Dinero list, fetched one request at a time by dinero_pages_next.
#[allow(non_camel_case_types)]
pub struct dinero_pages {
    walk: PageWalk,
    /// The client's, and the only way to it: dinero_client_close stops the pages too, waits
    /// for a page in flight, and then wipes the client, as no copy of it is kept here.
    gate: Arc<Gate<Client>>,
}

impl dinero_pages {
    /// The pages of `request` (a GET) on `client`.
    pub(super) fn start(
        client: &dinero_client,
        request: RequestBuilder,
        page_size: u32,
    ) -> crate::error::Result<Self> {
        let gate = Arc::clone(&client.gate);
        gate.enter()?; // a closed client starts no pages
        let walk = PageWalk::new(request, page_size)?;
        Ok(dinero_pages { walk, gate })
    }
}

/// Starts paging through a Dinero list: `request` is a GET made with
/// dinero_request_builder_new, e.g. "/v1/{organizationId}/contacts", with any query parameters
/// (fields, queryFilter, changesSince, ...), which are sent with every page; a `page` or
/// `pageSize` it has is replaced. Pages are asked for from page 0 with `pageSize` =
/// `page_size`, 1 to DINERO_MAX_PAGE_SIZE (1000, the best choice unless memory is short).
/// The request is copied: it may be freed at once. Nothing is sent yet.
///
/// On success writes a new pages handle to *pages_out (free it with dinero_pages_free). The
/// handle keeps what it needs of the client: it stays usable if the client is freed first,
/// but not once the client is closed (dinero_client_close). It belongs to one thread at a
/// time. DINERO_STATUS_INVALID_ARGUMENT for a page size out of range or a method other than
/// GET.
///
/// # Safety
/// `client` and `request` are NULL or live handles; `pages_out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn dinero_pages_new(
    client: *mut dinero_client,
    request: *const dinero_request_builder,
    page_size: u32,
    pages_out: *mut *mut dinero_pages,
) -> dinero_status {
    guard(|| {
        // SAFETY: per this function's contract.
        let (client, request) = unsafe {
            (
                borrow(client.cast_const(), "client")?,
                borrow(request, "request")?,
            )
        };
        require_out(pages_out, "pages_out")?;
        let pages = dinero_pages::start(client, request.builder.clone(), page_size)?;
        // SAFETY: checked by require_out; writable per this function's contract.
        unsafe { write_out(pages_out, into_raw(pages)) };
        Ok(())
    })
}

/// Fetches the next page, with the same token, retry and pacing rules as dinero_request.
///
/// DINERO_STATUS_OK with a new response in *response_out (free it with dinero_response_free):
/// for status < 400 its body is a JSON array of the page's items (Dinero's `Collection`, byte
/// for byte; an endpoint that answers a bare array is one page); for status >= 400 it is
/// Dinero's error answer (read it with dinero_response_error_json), and the list ends there.
/// DINERO_STATUS_OK with *response_out set to NULL: there are no more pages (after a bare
/// array, an empty or short page, or once Pagination.Result items came). An answer that is
/// not a Dinero list is DINERO_STATUS_PROTOCOL, and so is a page whose items are the page
/// before's, byte for byte, with the same Pagination.Page (or none): the endpoint ignores
/// `page`, and the list stops there instead of asking forever; the repeated items are not
/// handed out. Any failure also ends the list. After
/// dinero_client_close on the pages' client: DINERO_STATUS_INVALID_ARGUMENT.
///
/// # Safety
/// `pages` is NULL or a live handle; `response_out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn dinero_pages_next(
    pages: *mut dinero_pages,
    response_out: *mut *mut super::response::dinero_response,
) -> dinero_status {
    guard(|| {
        // SAFETY: per this function's contract a non-NULL pointer is a live, unshared handle.
        let pages = unsafe { pages.as_mut() }
            .ok_or_else(|| Error::new(ErrorKind::NullArgument, "pages is NULL"))?;
        require_out(response_out, "response_out")?;
        let client = pages.gate.enter()?;
        match pages.walk.next_page(&client)? {
            // SAFETY: checked by require_out; writable per this function's contract.
            Some(response) => unsafe { hand_out_response(response_out, response) },
            // SAFETY: as above.
            None => unsafe { write_out(response_out, std::ptr::null_mut()) },
        }
        Ok(())
    })
}

/// Frees a pages handle (pages not fetched yet are never asked for). NULL is a no-op.
///
/// # Safety
/// `pages` is NULL or a live handle from dinero_pages_new, freed only once.
#[no_mangle]
pub unsafe extern "C" fn dinero_pages_free(pages: *mut dinero_pages) {
    // SAFETY: forwarded contract.
    unsafe { free(pages) }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_c_limit_is_the_cores() {
        assert_eq!(super::DINERO_MAX_PAGE_SIZE, crate::pages::MAX_PAGE_SIZE);
    }
}
