//! `dinero_client_create`: a create made exactly once, by a client-assigned id.

use super::boundary::guard;
use super::client::dinero_client;
use super::handles::{into_raw, require_out, write_out};
use super::response::dinero_response;
use super::status::dinero_status;
use super::strings::{borrow_str, hand_out};
use std::ffi::c_char;

/// Creates an entity exactly once, although Dinero has no idempotency keys.
///
/// `collection_path` is a collection whose create takes its own id:
/// "/v1/{organizationId}/contacts" (the id is ContactGuid), ".../invoices" or
/// ".../sales/creditnotes" (Guid); anything else is DINERO_STATUS_INVALID_ARGUMENT, as is a
/// `json_body` that is not a JSON object or carries an id that is not a GUID. A fresh GUID is
/// put into the body unless it carries one (put your own there to know it before sending).
///
/// The create is sent; when its answer is lost (reset, timeout, cut short, 5xx) the library
/// asks GET {collection_path}/{guid}: found is success; Dinero's "not found" (404, code 40)
/// sends the create again (at most max_retries more times); any other answer (an HTML 404
/// among them) cannot tell. A POST is never repeated without that check. Dinero documents the
/// client-assigned id for contacts and invoices only, so a credit note whose answer was lost
/// and that is not found is not sent again: the error names its GUID. When a 2xx answer names
/// another id than the one sent, that id is the entity's, and *guid_out gets it.
///
/// On DINERO_STATUS_OK writes to *response_out the create's answer (a 4xx is Dinero refusing
/// the create as sent, as with dinero_request), or, when that answer was lost, the entity as
/// read back (200); and, unless `guid_out` is NULL, the entity's GUID to *guid_out, owned by
/// the caller and freed with dinero_string_free. On failure neither is touched: when it cannot
/// be told whether the create was stored (the check failed too), the status is that of the
/// lost answer (DINERO_STATUS_NETWORK, _TIMEOUT, _PROTOCOL, ...) and dinero_last_error() names
/// the GUID to look for later; when it is known not to be stored after every attempt, likewise
/// with a message saying so.
///
/// Thread safety: many threads may call this on one client at once.
///
/// # Safety
/// `client` is NULL or a live handle; the strings are NULL or NUL-terminated; `guid_out` is
/// NULL or writable; `response_out` is NULL or points to writable memory for a pointer.
#[no_mangle]
pub unsafe extern "C" fn dinero_client_create(
    client: *mut dinero_client,
    collection_path: *const c_char,
    json_body: *const c_char,
    guid_out: *mut *mut c_char,
    response_out: *mut *mut dinero_response,
) -> dinero_status {
    guard(|| {
        // SAFETY: per this function's contract.
        let (client, collection_path, json_body) = unsafe {
            (
                super::client::enter(client)?,
                borrow_str(collection_path, "collection_path")?,
                borrow_str(json_body, "json_body")?,
            )
        };
        require_out(response_out, "response_out")?;
        let created = client.create(collection_path, json_body.as_bytes())?;
        let guid = if guid_out.is_null() {
            None
        } else {
            Some(hand_out(&created.guid)?)
        };
        let response = into_raw(dinero_response::from_response(created.response));
        // SAFETY: checked by require_out / is_null; writable per this function's contract.
        unsafe {
            if let Some(guid) = guid {
                write_out(guid_out, guid);
            }
            write_out(response_out, response);
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ffi::status::DINERO_STATUS_NULL_ARGUMENT;

    #[test]
    fn a_null_client_is_refused_and_nothing_is_written() {
        let mut response: *mut dinero_response = std::ptr::null_mut();
        let mut guid: *mut c_char = std::ptr::null_mut();
        let path = c"/v1/{organizationId}/contacts";
        let body = c"{}";
        // SAFETY: valid pointers and a NULL client, which the function must refuse.
        let status = unsafe {
            dinero_client_create(
                std::ptr::null_mut(),
                path.as_ptr(),
                body.as_ptr(),
                &mut guid,
                &mut response,
            )
        };
        assert_eq!(status, DINERO_STATUS_NULL_ARGUMENT);
        assert!(response.is_null() && guid.is_null());
    }
}
