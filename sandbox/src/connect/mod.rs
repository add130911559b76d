//! Visma Connect, the authorization server of Dinero's public integrations: the authorization
//! code flow with PKCE, refresh tokens (one-time with a grace period, or reusable), revocation
//! and discovery. Its access tokens reach several organizations.

mod authorize;
mod callback;
mod client_auth;
mod discovery;
pub mod grants;
mod pkce;
mod revocation;
mod token;

use serde_json::json;

use crate::http::urlencoded::parse_pairs;
use crate::http::{Request, Response};
use crate::state::State;

pub const AUTHORIZE_PATH: &str = "/connect/authorize";
pub const TOKEN_PATH: &str = "/connect/token";
pub const REVOCATION_PATH: &str = "/connect/revocation";
pub const DISCOVERY_PATH: &str = "/.well-known/openid-configuration";

/// The scopes Dinero's public API knows; `offline_access` is what brings a refresh token.
pub const SCOPES: [&str; 5] = [
    "dineropublicapi:read",
    "dineropublicapi:write",
    "offline_access",
    "openid",
    "profile",
];

/// Whether a path belongs to Visma Connect (for counting and fault targeting).
pub fn is_connect_path(path: &str) -> bool {
    path.starts_with("/connect/") || path == DISCOVERY_PATH
}

pub fn handle(state: &State, request: &Request) -> Response {
    let method = request.method.as_str();
    match (request.path.as_str(), method) {
        (AUTHORIZE_PATH, "GET" | "POST") => authorize::handle(state, request),
        (TOKEN_PATH, "POST") => {
            let response = token::handle(state, request);
            state.stats.token_answered(response.status);
            response
        }
        (REVOCATION_PATH, "POST") => revocation::handle(state, request),
        (DISCOVERY_PATH, "GET") => discovery::handle(state, request),
        (AUTHORIZE_PATH, _) => method_not_allowed("GET, POST"),
        (TOKEN_PATH | REVOCATION_PATH, _) => method_not_allowed("POST"),
        (DISCOVERY_PATH, _) => method_not_allowed("GET"),
        _ => Response::text(404, "text/plain; charset=utf-8", "Not Found"),
    }
}

fn method_not_allowed(allow: &'static str) -> Response {
    Response::text(405, "text/plain; charset=utf-8", "Method Not Allowed")
        .with_header("Allow", allow)
}

/// An RFC 6749 error answer from the token or revocation endpoint.
pub fn oauth_error(status: u16, error: &str, description: &str) -> Response {
    Response::json(
        status,
        &json!({"error": error, "error_description": description}),
    )
    .with_header("Cache-Control", "no-store")
    .with_header("Pragma", "no-cache")
}

/// The form body of a POST, if it is one: `None` without the form content type.
pub fn form_body(request: &Request) -> Option<Vec<(String, String)>> {
    let is_form = request.header("content-type").is_some_and(|ct| {
        ct.split(';')
            .next()
            .unwrap_or("")
            .trim()
            .eq_ignore_ascii_case("application/x-www-form-urlencoded")
    });
    if !is_form {
        return None;
    }
    std::str::from_utf8(&request.body).ok().map(parse_pairs)
}

/// The one value of a parameter; `Err` when it is repeated (RFC 6749 3.1: parameters must not
/// be included more than once).
pub fn single<'a>(pairs: &'a [(String, String)], name: &str) -> Result<Option<&'a str>, String> {
    let mut values = pairs.iter().filter(|(k, _)| k == name).map(|(_, v)| v);
    let first = values.next();
    if values.next().is_some() {
        return Err(format!("{name} is repeated"));
    }
    Ok(first.map(String::as_str).filter(|v| !v.is_empty()))
}

/// Revokes a grant everywhere: its refresh tokens (already marked in the grant store) and the
/// access tokens issued from it.
fn revoke_grant_tokens(state: &State, grant: u64) {
    state.tokens.revoke_grant(grant);
}

/// Revokes every Connect grant (the admin API's `connect/revoke`).
pub fn revoke_all(state: &State) {
    for grant in state.grants.revoke_all() {
        revoke_grant_tokens(state, grant);
    }
}

/// Revokes the grant a refresh token belongs to; whether the token was known.
pub fn revoke_refresh_token(state: &State, refresh_token: &str) -> bool {
    match state.grants.revoke_by_refresh_token(refresh_token) {
        Some(grant) => {
            revoke_grant_tokens(state, grant);
            true
        }
        None => false,
    }
}
