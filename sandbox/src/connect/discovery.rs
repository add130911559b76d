//! `GET /.well-known/openid-configuration`: where the endpoints are and what they support.

use serde_json::json;

use super::{AUTHORIZE_PATH, REVOCATION_PATH, SCOPES, TOKEN_PATH};
use crate::http::{Request, Response};
use crate::state::State;

pub fn handle(state: &State, request: &Request) -> Response {
    let issuer = issuer(state, request);
    Response::json(
        200,
        &json!({
            "issuer": issuer,
            "authorization_endpoint": format!("{issuer}{AUTHORIZE_PATH}"),
            "token_endpoint": format!("{issuer}{TOKEN_PATH}"),
            "revocation_endpoint": format!("{issuer}{REVOCATION_PATH}"),
            "scopes_supported": SCOPES,
            "response_types_supported": ["code"],
            "response_modes_supported": ["form_post", "query"],
            "grant_types_supported": ["authorization_code", "refresh_token"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "revocation_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "request_parameter_supported": false,
        }),
    )
}

/// The sandbox's own base URL as the client reached it: the Host header when it is a plain
/// host[:port], else the bound address.
fn issuer(state: &State, request: &Request) -> String {
    let scheme = if state.config.tls { "https" } else { "http" };
    let host = request
        .header("host")
        .filter(|h| {
            !h.is_empty()
                && h.bytes().all(|b| {
                    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'[' | b']')
                })
        })
        .map_or_else(|| state.config.bind.to_string(), str::to_owned);
    format!("{scheme}://{host}")
}
