//! `dinero_options`: settings collected before `dinero_authenticate`.

use super::boundary::{guard, guard_or};
use super::handles::{free, into_raw};
use super::status::dinero_status;
use super::strings::borrow_str;
use crate::config::Config;
use crate::error::{Error, ErrorKind};
use std::ffi::c_char;

/// A set of options for dinero_authenticate (see dinero_options_set for the keys).
#[allow(non_camel_case_types)]
pub struct dinero_options {
    pub(crate) config: Config,
}

/// A new set of options, every one at its default (the real Dinero and its limits).
///
/// Returns NULL only if memory ran out. The caller owns the result: free it with
/// dinero_options_free. An options object belongs to one thread at a time.
#[no_mangle]
pub extern "C" fn dinero_options_new() -> *mut dinero_options {
    guard_or(std::ptr::null_mut(), || {
        Ok(into_raw(dinero_options {
            config: Config::default(),
        }))
    })
}

/// Sets one option. Both strings are copied; they need only live for the call.
///
/// Keys: "auth_url" (default https://authz.dinero.dk/dineroapi/oauth/token), "api_url"
/// (default https://api.dinero.dk), "organization_id" (fills {organizationId} in paths),
/// "timeout_ms" (whole attempt, default 30000), "connect_timeout_ms" (default 10000),
/// "max_retries" (0-10, default 3), "retry_base_delay_ms" (default 250), "retry_max_delay_ms"
/// (default 10000), "retry_after_max_ms" (longest Retry-After waited out, default 120000),
/// "rate_limit_per_minute" (default 100, 0 = off) with "rate_limit_window_ms" (default 60000:
/// at most that many requests in any such window, per organization: the one a request's path
/// names, else organization_id's; a 429 without Retry-After is retried over one such window),
/// "max_response_bytes" (default 67108864),
/// "user_agent" (put in front of "libdinero/VERSION"), "ca_file" (PEM file of trusted roots,
/// instead of the bundled ones: a regular file of at most 1 MiB), "scope" (default "read write" for an API key,
/// "dineropublicapi:read dineropublicapi:write offline_access" for Visma Connect), "shared_state" (a file path,
/// or a redis:// or rediss:// URL: every client naming it, in any process on any machine,
/// shares one token and each organization's rate-limit window; a file is locked with flock,
/// kept at mode 0600 and names its entries by one-way fingerprints of the credentials, never
/// the credentials; a store that
/// cannot be reached at run time is logged once and the client goes on with its own token and
/// window), "shared_state_timeout_ms" (default 500: how long one step on the shared state may
/// take), "token_cache" (the older name of shared_state); for Visma Connect, "connect_url"
/// (default https://connect.visma.com), "ui_locales" (the sign-in page's language, e.g.
/// "da-DK") and "grant_name" (required with shared_state: names one user's grant, e.g. your
/// id of the customer, so that two customers' grants never share a store).
/// URLs must be https, except to this machine (127.0.0.0/8, ::1, localhost), and a port in
/// them 1 to 65535. The text options sent in a header or a form (user_agent, scope,
/// grant_name, ui_locales) take at most 8 KiB.
///
/// Returns DINERO_STATUS_INVALID_ARGUMENT for an unknown key (the message lists the valid
/// ones) or a bad value; the options are then unchanged.
///
/// # Safety
/// `options` is NULL or a live handle from dinero_options_new; `key` and `value` are NULL or
/// NUL-terminated strings.
#[no_mangle]
pub unsafe extern "C" fn dinero_options_set(
    options: *mut dinero_options,
    key: *const c_char,
    value: *const c_char,
) -> dinero_status {
    guard(|| {
        // SAFETY: per this function's contract.
        let options = unsafe { options.as_mut() }
            .ok_or_else(|| Error::new(ErrorKind::NullArgument, "options is NULL"))?;
        // SAFETY: per this function's contract.
        let (key, value) = unsafe { (borrow_str(key, "key")?, borrow_str(value, "value")?) };
        options.config.set(key, value)
    })
}

/// Sets many options from one JSON object, e.g. `{"organizationId": "123", "timeout_ms":
/// 5000, "token_cache": null}`: keys as for dinero_options_set or in camelCase; values as
/// strings, numbers (a whole number written as 5000.0 counts as 5000) or booleans ("true" /
/// "false"); null leaves that option as it is. The string is copied.
///
/// Returns DINERO_STATUS_INVALID_ARGUMENT for text that is not a JSON object, an unknown key
/// or a bad value (the message names the key, and quotes a bad value only where it cannot
/// hold a secret: never a URL with a user part); the options are then unchanged, all of them.
///
/// # Safety
/// `options` is NULL or a live handle from dinero_options_new; `json` is NULL or a
/// NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn dinero_options_set_json(
    options: *mut dinero_options,
    json: *const c_char,
) -> dinero_status {
    guard(|| {
        // SAFETY: per this function's contract.
        let options = unsafe { options.as_mut() }
            .ok_or_else(|| Error::new(ErrorKind::NullArgument, "options is NULL"))?;
        // SAFETY: per this function's contract.
        let json = unsafe { borrow_str(json, "json")? };
        crate::request::spec::set_options(&mut options.config, json)
    })
}

/// Frees an options object. NULL is a no-op. A client made with these options keeps its own
/// copy, so options may be freed right after dinero_authenticate.
///
/// # Safety
/// `options` is NULL or a live handle from dinero_options_new, freed only once.
#[no_mangle]
pub unsafe extern "C" fn dinero_options_free(options: *mut dinero_options) {
    // SAFETY: forwarded contract.
    unsafe { free(options) }
}
