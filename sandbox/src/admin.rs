//! `/_sandbox/...`: the control API for tests. Never authenticated, counted, rate limited or
//! faulted, so a test can always look and steer. The in-process `Sandbox` methods call the
//! same functions.

use serde_json::{json, Value};

use crate::api::seed;
use crate::clock;
use crate::http::{Request, Response};
use crate::state::State;

pub const PREFIX: &str = "/_sandbox";

/// `rest` is the path after [`PREFIX`].
pub fn handle(state: &State, request: &Request, rest: &str) -> Response {
    let method = request.method.as_str();
    match (method, rest) {
        ("GET", "/stats") => Response::json(200, &state.stats.to_json()),
        ("GET", "/requests") => Response::json(200, &state.stats.requests_json()),
        ("GET", "/faults") => Response::json(200, &state.faults.to_json()),
        ("POST", "/faults") => with_json(request, |v| state.faults.inject(&v)),
        ("DELETE", "/faults") => {
            state.faults.clear();
            ok()
        }
        ("POST", "/reset-stats") => {
            state.stats.reset();
            ok()
        }
        ("POST", "/tokens/expire") => {
            state.tokens.expire_all();
            ok()
        }
        ("POST", "/tokens/revoke") => {
            state.tokens.revoke_all();
            ok()
        }
        ("POST", "/connect/revoke") => with_optional_json(request, |v| connect_revoke(state, v)),
        ("POST", "/connect/expire-refresh-tokens") => {
            state.grants.expire_refresh_tokens();
            ok()
        }
        ("GET", "/config") => Response::json(200, &state.settings().to_json()),
        ("POST", "/config") => with_json(request, |v| state.configure(&v)),
        ("POST", "/seed") => with_json(request, |v| seed_from_json(state, &v)),
        (
            _,
            "/stats"
            | "/requests"
            | "/faults"
            | "/reset-stats"
            | "/tokens/expire"
            | "/tokens/revoke"
            | "/config"
            | "/seed"
            | "/connect/revoke"
            | "/connect/expire-refresh-tokens",
        ) => error(405, format!("method {method} not allowed here")),
        _ => error(404, format!("no admin endpoint {PREFIX}{rest}")),
    }
}

/// `{"contacts": N}`
pub fn seed_from_json(state: &State, value: &Value) -> Result<(), String> {
    let obj = value.as_object().ok_or("seed body must be a JSON object")?;
    if let Some(key) = obj.keys().find(|k| k.as_str() != "contacts") {
        return Err(format!("unknown seed key {key:?} (only \"contacts\")"));
    }
    let n = obj
        .get("contacts")
        .and_then(Value::as_u64)
        .filter(|&n| n <= 1_000_000)
        .ok_or("\"contacts\" must be an integer 0..=1000000")?;
    seed_contacts(state, n as usize);
    Ok(())
}

pub fn seed_contacts(state: &State, n: usize) {
    seed::generate_contacts(&mut state.store(), n, clock::now_ms());
}

/// `{}` or no body: every Visma Connect grant is revoked; `{"refresh_token": "..."}`: the grant
/// of that refresh token (an unknown one is an error, so a test cannot revoke nothing unaware).
pub fn connect_revoke(state: &State, value: Value) -> Result<(), String> {
    let obj = value
        .as_object()
        .ok_or("connect/revoke body must be a JSON object")?;
    if let Some(key) = obj.keys().find(|k| k.as_str() != "refresh_token") {
        return Err(format!(
            "unknown connect/revoke key {key:?} (only \"refresh_token\")"
        ));
    }
    match obj.get("refresh_token") {
        None => {
            crate::connect::revoke_all(state);
            Ok(())
        }
        Some(Value::String(token)) if crate::connect::revoke_refresh_token(state, token) => Ok(()),
        Some(Value::String(_)) => Err("no such refresh token".into()),
        Some(_) => Err("\"refresh_token\" must be a string".into()),
    }
}

/// Like [`with_json`], an empty body counting as `{}`.
fn with_optional_json(
    request: &Request,
    apply: impl FnOnce(Value) -> Result<(), String>,
) -> Response {
    if request.body.iter().all(u8::is_ascii_whitespace) {
        return match apply(json!({})) {
            Ok(()) => ok(),
            Err(message) => error(400, message),
        };
    }
    with_json(request, apply)
}

fn with_json(request: &Request, apply: impl FnOnce(Value) -> Result<(), String>) -> Response {
    let value = match serde_json::from_slice::<Value>(&request.body) {
        Ok(v) => v,
        Err(e) => return error(400, format!("body is not valid JSON: {e}")),
    };
    match apply(value) {
        Ok(()) => ok(),
        Err(message) => error(400, message),
    }
}

fn ok() -> Response {
    Response::json(200, &json!({"ok": true}))
}

fn error(status: u16, message: String) -> Response {
    Response::json(status, &json!({"error": message}))
}
