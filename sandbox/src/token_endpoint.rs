//! `POST /dineroapi/oauth/token`: the password grant of Dinero's personal integrations, with its
//! error shapes reproduced exactly (the OAuth error arrives as a JSON *string* inside `message`).

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde_json::json;

use crate::config::ClientErrorShape;
use crate::http::urlencoded::parse_pairs;
use crate::http::{Request, Response};
use crate::state::State;

pub const PATH: &str = "/dineroapi/oauth/token";

pub fn handle(state: &State, request: &Request) -> Response {
    if request.method != "POST" {
        return Response::json(
            405,
            &json!({"message": "The requested resource does not support http method '".to_owned() + &request.method + "'."}),
        )
        .with_header("Allow", "POST");
    }
    let settings = state.settings();
    if !client_matches(state, request) {
        let body = match settings.client_error_shape {
            ClientErrorShape::Plain => json!({"error": "invalid_client"}),
            ClientErrorShape::Wrapped => wrapped("invalid_client"),
        };
        return Response::json(401, &body);
    }
    let is_form = request.header("content-type").is_some_and(|ct| {
        ct.split(';')
            .next()
            .unwrap_or("")
            .trim()
            .eq_ignore_ascii_case("application/x-www-form-urlencoded")
    });
    let form = std::str::from_utf8(&request.body)
        .ok()
        .map(parse_pairs)
        .filter(|_| is_form);
    let Some(form) = form else {
        return oauth_error("invalid_request");
    };
    let field = |name: &str| {
        form.iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    if field("grant_type") != Some("password") {
        return oauth_error("unsupported_grant_type");
    }
    let api_key = state.config.api_key.as_str();
    if field("username") != Some(api_key) || field("password") != Some(api_key) {
        return oauth_error("invalid_grant");
    }
    // Scopes are a set: "write read" asks for the same as "read write".
    let mut scopes: Vec<&str> = field("scope")
        .unwrap_or("")
        .split(' ')
        .filter(|s| !s.is_empty())
        .collect();
    scopes.sort_unstable();
    if scopes != ["read", "write"] {
        return oauth_error("invalid_scope");
    }

    let lifetime = settings.token_lifetime;
    let token = state.tokens.issue(
        &state.config.client_id,
        state.config.organization_id,
        lifetime,
    );
    Response::json(
        200,
        &json!({
            "access_token": token,
            "token_type": "Bearer",
            "expires_in": lifetime.as_secs().max(1),
            "refresh_token": null,
        }),
    )
    .with_header("Cache-Control", "no-store")
    .with_header("Pragma", "no-cache")
}

/// Checks `Authorization: Basic base64(client_id:client_secret)` against the configuration.
fn client_matches(state: &State, request: &Request) -> bool {
    let Some((scheme, encoded)) = request
        .header("authorization")
        .and_then(|v| v.trim().split_once(' '))
    else {
        return false;
    };
    if !scheme.eq_ignore_ascii_case("basic") {
        return false;
    }
    let Ok(decoded) = STANDARD.decode(encoded.trim()) else {
        return false;
    };
    let Ok(decoded) = String::from_utf8(decoded) else {
        return false;
    };
    decoded.split_once(':')
        == Some((
            state.config.client_id.as_str(),
            state.config.client_secret.as_str(),
        ))
}

/// `{"message":"{ \"error\": \"<error>\" }"}`
fn wrapped(error: &str) -> serde_json::Value {
    json!({"message": format!("{{ \"error\": \"{error}\" }}")})
}

fn oauth_error(error: &str) -> Response {
    Response::json(400, &wrapped(error))
}
