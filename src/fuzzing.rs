//! Entry points for the fuzz targets (`fuzz/`) and property tests (`tests/properties.rs`):
//! everything that parses input from the network or from the caller, reachable without a
//! server. Not part of the supported API.

use crate::error::ErrorKind;

/// The token endpoint's answer, as `dinero_authenticate` reads it. Returns the error kind, or
/// None on success; `secret` must never appear in the message.
pub fn token_response(status: u16, body: &[u8], secret: &str) -> Option<(ErrorKind, String)> {
    let redactor = || {
        let mut redactor = crate::server_text::Redactor::new();
        redactor.add_secret(secret);
        redactor
    };
    crate::token::exchange::parse_token_response(status, body, &redactor)
        .err()
        .map(|e| (e.kind(), e.message().to_string()))
}

/// The OAuth error code in either of Dinero's error shapes.
pub fn oauth_error(body: &[u8]) -> Option<String> {
    crate::token::exchange::oauth_error_code(body)
}

/// Sets an option on a default configuration; Err leaves it unchanged (checked here).
pub fn set_option(key: &str, value: &str) -> Result<(), String> {
    let mut config = crate::Config::default();
    let before = config.clone();
    let result = config.set(key, value).map_err(|e| e.message().to_string());
    if result.is_err() {
        assert!(
            config == before,
            "a refused option changed the configuration"
        );
    }
    result
}

/// The URL a request would go to, or why the method or path is refused.
pub fn request_target(
    method: &str,
    path: &str,
    organization_id: Option<&str>,
) -> Result<String, String> {
    crate::request::target::validate_method(method).map_err(|e| e.message().to_string())?;
    crate::request::target::build_url("https://api.dinero.dk", path, organization_id)
        .map_err(|e| e.message().to_string())
}

/// Retry-After in either form.
pub fn retry_after(value: &str) -> Option<std::time::Duration> {
    crate::transport::retry::parse_retry_after(value)
}

/// A response's header lookup.
pub fn header(headers: Vec<(String, String)>, name: &str) -> Option<String> {
    crate::Response::new(200, headers, Vec::new())
        .header(name)
        .map(str::to_string)
}
