//! Visma Connect for public integrations: the authorize URL, a client from the browser's
//! answer or from a stored refresh token, and the callback that receives each new refresh
//! token. The flow itself lives in `connect/`.

use super::boundary::guard;
use super::client::{dinero_client, hand_out_response};
use super::handles::{into_raw, require_out, write_out};
use super::log::UserData;
use super::options::dinero_options;
use super::response::dinero_response;
use super::status::dinero_status;
use super::strings::{borrow_str, hand_out};
use crate::client::Client;
use crate::config::Config;
use crate::connect::{Authorization, RefreshTokenSink};
use crate::error::{Error, ErrorKind};
use std::ffi::{c_char, c_void};

/// Receives a new Visma Connect refresh token: `refresh_token` is NUL-terminated and borrowed
/// for the call (copy it), `user_data` what was given to
/// dinero_options_set_refresh_token_callback. Store the token durably before returning: the
/// library relies on it from then on, and the one it replaces stops working seconds later.
/// It is called on whichever thread refreshed, so with a client shared by threads it must be
/// thread-safe. It must not free the client.
#[allow(non_camel_case_types)]
pub type dinero_refresh_token_callback =
    Option<unsafe extern "C" fn(user_data: *mut c_void, refresh_token: *const c_char)>;

fn options_config(options: *const dinero_options) -> Config {
    // SAFETY: every caller passes a pointer its own contract says is NULL or live.
    match unsafe { options.as_ref() } {
        Some(options) => options.config.clone(),
        None => Config::default(),
    }
}

/// Starts a Visma Connect sign-in: writes to *authorization_out a JSON text
/// `{"url": ..., "state": ..., "code_verifier": ..., "redirect_uri": ...}` (free it with
/// dinero_string_free). Send the user's browser to "url"; keep the whole text (in the user's
/// session, say) for dinero_connect_authenticate_code. It holds the PKCE verifier: keep it
/// private. Every call makes a fresh state and verifier from the operating system's random
/// source.
///
/// `client_id` is the integration's Visma Connect id (`isv_...`); `redirect_uri` the address
/// registered with it, https (or http to this machine, for a local listener). Options read:
/// "connect_url", "scope" (default "dineropublicapi:read dineropublicapi:write
/// offline_access") and "ui_locales" (e.g. "da-DK"). `options` may be NULL.
///
/// Returns DINERO_STATUS_INVALID_ARGUMENT for an empty client id or an unusable redirect URI.
///
/// # Safety
/// The strings are NULL or NUL-terminated; `options` is NULL or a live handle;
/// `authorization_out` is NULL or points to writable memory for a pointer.
#[no_mangle]
pub unsafe extern "C" fn dinero_connect_authorize_url(
    client_id: *const c_char,
    redirect_uri: *const c_char,
    options: *const dinero_options,
    authorization_out: *mut *mut c_char,
) -> dinero_status {
    guard(|| {
        // SAFETY: per this function's contract.
        let (client_id, redirect_uri) = unsafe {
            (
                borrow_str(client_id, "client_id")?,
                borrow_str(redirect_uri, "redirect_uri")?,
            )
        };
        require_out(authorization_out, "authorization_out")?;
        let authorization = Authorization::new(client_id, redirect_uri, &options_config(options))?;
        let text = hand_out(authorization.to_json().expose())?;
        // SAFETY: checked by require_out; per this function's contract it is writable.
        unsafe { write_out(authorization_out, text) };
        Ok(())
    })
}

/// Finishes a Visma Connect sign-in: `callback` is what the browser brought to the redirect
/// URI (the POSTed form body, or the query string, or the whole URL), `authorization` the text
/// dinero_connect_authorize_url wrote for this sign-in. Checks the state, exchanges the code
/// with the verifier (once: a code works once) and returns a client as dinero_authenticate
/// does. The first refresh token goes to the refresh-token callback (and to shared_state)
/// before this returns.
///
/// DINERO_STATUS_AUTH_REJECTED: the state does not match (a forged or stale redirect), the
/// user refused, or Visma Connect refused the code (expired, used, another redirect URI or
/// verifier) or the client credentials. DINERO_STATUS_AUTH_UNAVAILABLE: the token endpoint
/// failed, or its HTTP answer was not a token. DINERO_STATUS_INVALID_ARGUMENT: bad arguments,
/// or shared_state without grant_name. As for dinero_authenticate: DINERO_STATUS_NETWORK,
/// TIMEOUT, TLS, PROTOCOL (the answer was not HTTP, or was cut short) and RESPONSE_TOO_LARGE.
/// No message contains the client secret, the code, the verifier or a token.
///
/// # Safety
/// The strings are NULL or NUL-terminated; `options` is NULL or a live handle; `client_out`
/// is NULL or points to writable memory for a pointer.
#[no_mangle]
pub unsafe extern "C" fn dinero_connect_authenticate_code(
    client_id: *const c_char,
    client_secret: *const c_char,
    authorization: *const c_char,
    callback: *const c_char,
    options: *const dinero_options,
    client_out: *mut *mut dinero_client,
) -> dinero_status {
    guard(|| {
        // SAFETY: per this function's contract.
        let (client_id, client_secret, authorization, callback) = unsafe {
            (
                borrow_str(client_id, "client_id")?,
                borrow_str(client_secret, "client_secret")?,
                borrow_str(authorization, "authorization")?,
                borrow_str(callback, "callback")?,
            )
        };
        require_out(client_out, "client_out")?;
        let authorization = Authorization::from_json(authorization)?;
        let client = Client::authenticate_code(
            client_id,
            client_secret,
            &authorization,
            callback,
            options_config(options),
        )?;
        // SAFETY: checked by require_out; per this function's contract it is writable.
        unsafe { write_out(client_out, into_raw(dinero_client::new(client))) };
        Ok(())
    })
}

/// A Visma Connect client from a refresh token stored earlier (the application's later runs).
/// The token is used now (unless shared_state already holds a valid access token of this
/// grant), so a revoked or expired one fails here with DINERO_STATUS_LOGIN_REQUIRED: the user
/// must sign in again. With shared_state (which then needs the "grant_name" option), a newer
/// refresh token another process stored wins over this one. Other failures are those of
/// dinero_connect_authenticate_code.
///
/// The client refreshes its access token before it expires, once for every thread (and every
/// process sharing its shared_state); each new refresh token goes to the refresh-token
/// callback before it is relied on. When Visma Connect refuses the refresh token later (the
/// user revoked access), requests fail with DINERO_STATUS_LOGIN_REQUIRED at once, without
/// asking Visma Connect again.
///
/// # Safety
/// The strings are NULL or NUL-terminated; `options` is NULL or a live handle; `client_out`
/// is NULL or points to writable memory for a pointer.
#[no_mangle]
pub unsafe extern "C" fn dinero_connect_authenticate(
    client_id: *const c_char,
    client_secret: *const c_char,
    refresh_token: *const c_char,
    options: *const dinero_options,
    client_out: *mut *mut dinero_client,
) -> dinero_status {
    guard(|| {
        // SAFETY: per this function's contract.
        let (client_id, client_secret, refresh_token) = unsafe {
            (
                borrow_str(client_id, "client_id")?,
                borrow_str(client_secret, "client_secret")?,
                borrow_str(refresh_token, "refresh_token")?,
            )
        };
        require_out(client_out, "client_out")?;
        let client = Client::authenticate_connect(
            client_id,
            client_secret,
            refresh_token,
            options_config(options),
        )?;
        // SAFETY: checked by require_out; per this function's contract it is writable.
        unsafe { write_out(client_out, into_raw(dinero_client::new(client))) };
        Ok(())
    })
}

/// Hands every new Visma Connect refresh token of clients made with these options to
/// `callback` (see dinero_refresh_token_callback), the first one from the code exchange
/// included. NULL turns it off.
///
/// # Safety
/// `options` is NULL or a live handle; `callback` is NULL or a function that stays callable,
/// with `user_data` valid, for as long as any client made with these options lives.
#[no_mangle]
pub unsafe extern "C" fn dinero_options_set_refresh_token_callback(
    options: *mut dinero_options,
    callback: dinero_refresh_token_callback,
    user_data: *mut c_void,
) -> dinero_status {
    guard(|| {
        // SAFETY: per this function's contract.
        let options = unsafe { options.as_mut() }
            .ok_or_else(|| Error::new(ErrorKind::NullArgument, "options is NULL"))?;
        options.config.refresh_token_sink = callback.map(|callback| {
            let user_data = UserData(user_data);
            RefreshTokenSink::new(move |token: &str| {
                // A refresh token is printable ASCII (checked when it arrived), so it holds no
                // NUL; the copy is wiped when the callback returns.
                let mut text = zeroize::Zeroizing::new(Vec::with_capacity(token.len() + 1));
                text.extend_from_slice(token.as_bytes());
                text.push(0);
                // SAFETY: the caller promised the callback and user_data stay valid while a
                // client made with these options lives, and that the callback is thread-safe;
                // `text` is NUL-terminated and outlives the call.
                unsafe { callback(user_data.pointer(), text.as_ptr().cast::<c_char>()) };
            })
        });
        Ok(())
    })
}

/// The organizations the client's token reaches: `GET /v1/organizations`, a JSON array of
/// `{"Id": ..., "Name": ..., "IsPro": ...}`. One for an API key; any number for a Visma Connect
/// user. Choose one per client (option "organization_id") or per request (the request
/// description's "organization_id"). Writes a response as dinero_request does; an OK answer
/// that is not a JSON array is DINERO_STATUS_PROTOCOL.
///
/// # Safety
/// `client` is NULL or a live handle not being freed; `response_out` is NULL or points to
/// writable memory for a pointer.
#[no_mangle]
pub unsafe extern "C" fn dinero_client_organizations(
    client: *mut dinero_client,
    response_out: *mut *mut dinero_response,
) -> dinero_status {
    guard(|| {
        // SAFETY: per this function's contract.
        let client = unsafe { super::client::enter(client)? };
        require_out(response_out, "response_out")?;
        let response = client.organizations()?;
        // SAFETY: checked by require_out; per this function's contract it is writable.
        unsafe { hand_out_response(response_out, response) };
        Ok(())
    })
}
