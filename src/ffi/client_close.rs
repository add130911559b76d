//! `dinero_client_close`: stopping a client that other threads may still be using.

use super::boundary::guard;
use super::client::dinero_client;
use super::handles::borrow;
use super::status::dinero_status;

/// Closes a client that other threads may be using: new calls on it (and on its dinero_pages
/// handles) fail at once with DINERO_STATUS_INVALID_ARGUMENT ("the client is closed"), calls
/// already running on other threads are waited for (each is bounded by its own timeouts),
/// then the token and credentials are wiped and the connections closed. The handle itself
/// stays valid until dinero_client_free, which then only releases it; so a binding can close
/// at any time and free once no thread can reach the handle any more. A second close is
/// DINERO_STATUS_OK and does nothing.
///
/// Called from inside a call on the same client (a log or other callback running on the
/// calling thread), it would wait for itself: that is DINERO_STATUS_INVALID_ARGUMENT and
/// nothing changes.
///
/// # Safety
/// `client` is NULL or a live client handle, not yet freed.
#[no_mangle]
pub unsafe extern "C" fn dinero_client_close(client: *mut dinero_client) -> dinero_status {
    guard(|| {
        // SAFETY: per this function's contract.
        let client = unsafe { borrow(client.cast_const(), "client") }?;
        client.gate.close()
    })
}
