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
    crate::token::exchange::parse_token_response(
        status,
        body,
        "https://authz.dinero.dk/dineroapi/oauth/token",
        &redactor,
    )
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

/// An HTTP error answer as every binding shows it: its one-sentence description and the JSON
/// the bindings read (`dinero_response_error_json`). `secret` stands for the token the request
/// carried, which a server may echo: neither text may hold it.
pub fn api_error(status: u16, body: &[u8], secret: &str) -> (String, String) {
    let mut redactor = crate::server_text::Redactor::new();
    redactor.add_secret(secret);
    let error = crate::ApiError::parse_scrubbed(status, body, &redactor);
    (error.description(), error.to_json())
}

/// A request as a binding describes it to `dinero_client_call`: the path and query it would
/// be sent with and its headers, or why it is refused.
#[allow(clippy::type_complexity)]
pub fn request_spec(
    method: &str,
    path: &str,
    spec: &str,
    data: &[u8],
) -> Result<(String, Vec<(String, String)>), String> {
    let request = crate::request::spec::build(method, path, Some(spec), data)
        .map_err(|e| e.message().to_string())?;
    Ok((request.path_and_query(), request.headers))
}

/// What a browser brings back to a Visma Connect redirect URI, read against a new sign-in's
/// state (which no input can guess): whether it is taken for this sign-in's answer, and the
/// code it yields or why it is refused.
pub fn connect_callback(callback: &str) -> (bool, Result<String, String>) {
    let config = crate::Config::default();
    let authorization =
        crate::connect::Authorization::new("isv_fuzz", "https://app.example/back", &config)
            .expect("a valid client id and redirect URI");
    let code = crate::connect::callback::read_code(callback, &authorization)
        .map(|code| code.expose().to_string())
        .map_err(|e| e.message().to_string());
    (authorization.answered_by(callback), code)
}

/// A state file's bytes, read by a client, written back and read again: None when they are not
/// a state document, else whether both readings agree.
pub fn state_file(text: &[u8]) -> Option<bool> {
    crate::shared_state::state_file_read_write_read(text, "token-key", "window-key")
}
