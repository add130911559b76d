//! `GET /connect/authorize`: checks the request, plays a user who consents at once (unless the
//! `consent_refused` fault is pending) and sends a one-time code back to the redirect URI.

use super::callback::{error_page, redirect, ResponseMode};
use super::grants::CodeRequest;
use super::{form_body, pkce, single, SCOPES};
use crate::faults::Protocol;
use crate::http::urlencoded::parse_pairs;
use crate::http::{Request, Response};
use crate::state::State;
use crate::stats::ConnectEvent;

pub fn handle(state: &State, request: &Request) -> Response {
    let pairs = if request.method == "GET" {
        parse_pairs(&request.query)
    } else {
        form_body(request).unwrap_or_default()
    };
    let param = |name: &str| single(&pairs, name);

    // Until the client and its redirect URI are known, nothing may be sent anywhere.
    let client_id = match param("client_id") {
        Err(why) => return error_page(&why),
        Ok(None) => return error_page("client_id is missing"),
        Ok(Some(id)) if id != state.config.connect_client_id => {
            return error_page("unknown client_id")
        }
        Ok(Some(id)) => id,
    };
    let redirect_uri = match param("redirect_uri") {
        Err(why) => return error_page(&why),
        Ok(None) => return error_page("redirect_uri is missing"),
        Ok(Some(uri)) if !is_registered(state, uri) => {
            return error_page("redirect_uri is not registered for this client")
        }
        Ok(Some(uri)) => uri,
    };

    let requested_mode = param("response_mode").ok().flatten();
    let mode = ResponseMode::parse(requested_mode).unwrap_or(ResponseMode::Query);
    let client_state = param("state").ok().flatten();
    let refuse = |error: &str, description: &str| {
        let mut params = vec![("error", error), ("error_description", description)];
        if let Some(s) = client_state {
            params.push(("state", s));
        }
        redirect(mode, redirect_uri, &params)
    };
    if let Some(name) = ["response_type", "response_mode", "scope", "state"]
        .into_iter()
        .chain(["code_challenge", "code_challenge_method", "ui_locales"])
        .find(|name| param(name).is_err())
    {
        return refuse("invalid_request", &format!("{name} is repeated"));
    }
    if ResponseMode::parse(requested_mode).is_none() {
        return refuse(
            "invalid_request",
            "response_mode must be form_post or query",
        );
    }
    if param("response_type").ok().flatten() != Some("code") {
        return refuse("unsupported_response_type", "response_type must be code");
    }
    let Some(client_state) = client_state else {
        return refuse("invalid_request", "state is required");
    };
    let scope = param("scope").ok().flatten().unwrap_or("");
    let scopes: Vec<&str> = scope.split(' ').filter(|s| !s.is_empty()).collect();
    if scopes.is_empty() {
        return refuse("invalid_scope", "scope is required");
    }
    if scopes.iter().any(|s| !SCOPES.contains(s)) {
        return refuse("invalid_scope", "scope holds an unknown scope");
    }
    let Some(code_challenge) = param("code_challenge").ok().flatten() else {
        return refuse("invalid_request", "code_challenge is required (PKCE)");
    };
    if param("code_challenge_method").ok().flatten() != Some("S256") {
        return refuse("invalid_request", "code_challenge_method must be S256");
    }
    if !pkce::is_valid_challenge(code_challenge) {
        return refuse(
            "invalid_request",
            "code_challenge must be 43 characters of base64url",
        );
    }
    if state.faults.take_protocol(Protocol::ConsentRefused) {
        state.stats.fault_applied();
        return refuse("access_denied", "the user refused consent");
    }

    let code = state.grants.issue_code(
        CodeRequest {
            client_id: client_id.to_owned(),
            redirect_uri: redirect_uri.to_owned(),
            code_challenge: code_challenge.to_owned(),
            scope: scopes.join(" "),
        },
        state.settings().code_lifetime,
    );
    state.stats.connect_event(ConnectEvent::Authorization);
    redirect(
        mode,
        redirect_uri,
        &[("code", &code), ("state", client_state)],
    )
}

/// Registered (`--connect-redirect-uri`, exact match), or a loopback URI with any port and
/// path (RFC 8252 7.3: native apps listen on a port the OS picks).
fn is_registered(state: &State, uri: &str) -> bool {
    state.config.connect_redirect_uris.iter().any(|r| r == uri) || is_loopback(uri)
}

fn is_loopback(uri: &str) -> bool {
    let Some(rest) = uri.strip_prefix("http://") else {
        return false;
    };
    if uri.contains('#') {
        return false;
    }
    let authority = rest.split(['/', '?']).next().unwrap_or("");
    let (host, port) = match authority.rsplit_once(':') {
        Some((host, port)) if !host.ends_with(':') && !port.contains(']') => (host, Some(port)),
        _ => (authority, None),
    };
    let port_ok = port.is_none_or(|p| !p.is_empty() && p.len() <= 5 && p.parse::<u16>().is_ok());
    port_ok && matches!(host, "127.0.0.1" | "localhost" | "[::1]")
}

#[cfg(test)]
mod tests {
    use super::is_loopback;

    #[test]
    fn loopback_redirect_uris() {
        for ok in [
            "http://127.0.0.1:8080/callback",
            "http://localhost:1/",
            "http://127.0.0.1/cb?x=1",
            "http://[::1]:5000/cb",
            "http://localhost",
        ] {
            assert!(is_loopback(ok), "{ok}");
        }
        for bad in [
            "https://127.0.0.1:8080/cb",
            "http://127.0.0.1.evil.example/cb",
            "http://localhost@evil.example/",
            "http://evil.example/http://127.0.0.1/",
            "http://127.0.0.1:99999/",
            "http://127.0.0.1:8080/cb#frag",
            "http://localhost:/",
        ] {
            assert!(!is_loopback(bad), "{bad}");
        }
    }
}
