//! Status codes: 0 is success, every other number names one kind of failure. Numbers are
//! fixed forever; new kinds get new numbers.

use crate::error::ErrorKind;
use std::ffi::c_char;

/// The result of every fallible call: DINERO_STATUS_OK (0) or one of the DINERO_STATUS_* codes.
#[allow(non_camel_case_types)]
pub type dinero_status = u32;

/// Success.
pub const DINERO_STATUS_OK: dinero_status = 0;
/// A required pointer argument was NULL.
pub const DINERO_STATUS_NULL_ARGUMENT: dinero_status = 1;
/// A string argument was not valid UTF-8.
pub const DINERO_STATUS_INVALID_UTF8: dinero_status = 2;
/// An argument or option value was unusable (bad method, CR/LF in a path, unknown option,
/// value out of range, plain http to a non-loopback host). Nothing was sent.
pub const DINERO_STATUS_INVALID_ARGUMENT: dinero_status = 3;
/// The token endpoint refused the client id/secret or the API key.
pub const DINERO_STATUS_AUTH_REJECTED: dinero_status = 4;
/// The token endpoint failed or gave an HTTP answer that is not a token; or Visma Connect
/// refused this process's refresh token while shared_state was out of reach, where another
/// process may have stored its successor. Try again later.
pub const DINERO_STATUS_AUTH_UNAVAILABLE: dinero_status = 5;
/// Connecting failed, or the connection was reset or closed before a complete answer.
pub const DINERO_STATUS_NETWORK: dinero_status = 6;
/// A connect or request timeout (timeout_ms, connect_timeout_ms) expired.
pub const DINERO_STATUS_TIMEOUT: dinero_status = 7;
/// The TLS handshake failed (e.g. a certificate that is not trusted).
pub const DINERO_STATUS_TLS: dinero_status = 8;
/// The server's answer was not valid HTTP or was cut short; or, where JSON was expected, an OK
/// body that is not JSON or nests deeper than 128 levels, a list page that repeats the one
/// before it (a server that ignores `page`), or an OK answer of the wrong shape (an upload's
/// neither a JSON object nor empty, `/v1/organizations`' not a list).
pub const DINERO_STATUS_PROTOCOL: dinero_status = 9;
/// A bug in libdinero was caught before it could cross into the caller.
pub const DINERO_STATUS_PANIC: dinero_status = 10;
/// The response body was larger than max_response_bytes; it was not read.
pub const DINERO_STATUS_RESPONSE_TOO_LARGE: dinero_status = 11;
/// A local file could not be read or written (an upload's source, dinero_response_save).
pub const DINERO_STATUS_IO: dinero_status = 12;
/// Visma Connect refused the refresh token (revoked, expired or already used), or the sign-in
/// brought none (a scope without offline_access): the user must sign in again
/// (dinero_connect_authorize_url). The client does not ask again by itself.
pub const DINERO_STATUS_LOGIN_REQUIRED: dinero_status = 13;
/// The interrupt callback (dinero_options_set_interrupt_callback) asked to give up a wait: for
/// a slot in the rate window, a retry's pause or a token being fetched. Nothing more was sent.
pub const DINERO_STATUS_INTERRUPTED: dinero_status = 14;

pub fn status_of(kind: ErrorKind) -> dinero_status {
    match kind {
        ErrorKind::NullArgument => DINERO_STATUS_NULL_ARGUMENT,
        ErrorKind::InvalidUtf8 => DINERO_STATUS_INVALID_UTF8,
        ErrorKind::InvalidArgument => DINERO_STATUS_INVALID_ARGUMENT,
        ErrorKind::AuthRejected => DINERO_STATUS_AUTH_REJECTED,
        ErrorKind::AuthUnavailable => DINERO_STATUS_AUTH_UNAVAILABLE,
        ErrorKind::Network => DINERO_STATUS_NETWORK,
        ErrorKind::Timeout => DINERO_STATUS_TIMEOUT,
        ErrorKind::Tls => DINERO_STATUS_TLS,
        ErrorKind::Protocol => DINERO_STATUS_PROTOCOL,
        ErrorKind::Panic => DINERO_STATUS_PANIC,
        ErrorKind::ResponseTooLarge => DINERO_STATUS_RESPONSE_TOO_LARGE,
        ErrorKind::Io => DINERO_STATUS_IO,
        ErrorKind::LoginRequired => DINERO_STATUS_LOGIN_REQUIRED,
        ErrorKind::Interrupted => DINERO_STATUS_INTERRUPTED,
    }
}

/// A static NUL-terminated description of each status.
pub fn description(status: dinero_status) -> &'static str {
    match status {
        DINERO_STATUS_OK => "ok\0",
        DINERO_STATUS_NULL_ARGUMENT => "a required argument was NULL\0",
        DINERO_STATUS_INVALID_UTF8 => "a string argument was not valid UTF-8\0",
        DINERO_STATUS_INVALID_ARGUMENT => "invalid argument\0",
        DINERO_STATUS_AUTH_REJECTED => "authentication rejected\0",
        DINERO_STATUS_AUTH_UNAVAILABLE => "authentication unavailable\0",
        DINERO_STATUS_NETWORK => "network error\0",
        DINERO_STATUS_TIMEOUT => "timed out\0",
        DINERO_STATUS_TLS => "TLS error\0",
        DINERO_STATUS_PROTOCOL => "malformed response\0",
        DINERO_STATUS_PANIC => "internal error (panic caught)\0",
        DINERO_STATUS_RESPONSE_TOO_LARGE => "response too large\0",
        DINERO_STATUS_IO => "file error\0",
        DINERO_STATUS_LOGIN_REQUIRED => "sign-in required\0",
        DINERO_STATUS_INTERRUPTED => "interrupted\0",
        _ => "unknown status\0",
    }
}

pub fn description_ptr(status: dinero_status) -> *const c_char {
    description(status).as_ptr().cast()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_has_its_own_number_and_description() {
        let kinds = [
            ErrorKind::NullArgument,
            ErrorKind::InvalidUtf8,
            ErrorKind::InvalidArgument,
            ErrorKind::AuthRejected,
            ErrorKind::AuthUnavailable,
            ErrorKind::Network,
            ErrorKind::Timeout,
            ErrorKind::Tls,
            ErrorKind::Protocol,
            ErrorKind::Panic,
            ErrorKind::ResponseTooLarge,
            ErrorKind::Io,
            ErrorKind::LoginRequired,
            ErrorKind::Interrupted,
        ];
        let numbers: std::collections::HashSet<_> = kinds.iter().map(|k| status_of(*k)).collect();
        assert_eq!(numbers.len(), kinds.len());
        assert!(!numbers.contains(&DINERO_STATUS_OK));
        for n in numbers {
            assert_ne!(description(n), "unknown status\0");
            assert!(description(n).ends_with('\0'));
        }
        assert_eq!(description(9999), "unknown status\0");
    }
}
