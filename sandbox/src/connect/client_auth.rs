//! Client authentication at the token and revocation endpoints (RFC 6749 2.3.1): HTTP Basic
//! with the form-urlencoded id and secret, or `client_id` and `client_secret` in the form.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;

use super::{oauth_error, single};
use crate::http::{Request, Response};
use crate::state::State;

/// Checks the client; `Err` is the answer to send (400 invalid_request or 401 invalid_client).
/// The answer never repeats what the client sent.
pub fn authenticate(
    state: &State,
    request: &Request,
    form: &[(String, String)],
) -> Result<(), Response> {
    let form_id = single(form, "client_id").map_err(bad_request)?;
    let form_secret = single(form, "client_secret").map_err(bad_request)?;
    let basic = request
        .header("authorization")
        .and_then(|v| v.trim().split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("basic"));
    let (id, secret, used_basic) = match basic {
        Some((_, encoded)) => {
            if form_secret.is_some() {
                return Err(bad_request(
                    "the client authenticated both with HTTP Basic and in the form".into(),
                ));
            }
            let Some((id, secret)) = decode_basic(encoded.trim()) else {
                return Err(invalid_client(true));
            };
            if form_id.is_some_and(|f| f != id) {
                return Err(invalid_client(true));
            }
            (id, secret, true)
        }
        None => match (form_id, form_secret) {
            (Some(id), Some(secret)) => (id.to_owned(), secret.to_owned(), false),
            _ => return Err(invalid_client(false)),
        },
    };
    if id == state.config.connect_client_id && secret == state.config.connect_client_secret {
        Ok(())
    } else {
        Err(invalid_client(used_basic))
    }
}

/// `base64(urlencode(id) ":" urlencode(secret))`.
fn decode_basic(encoded: &str) -> Option<(String, String)> {
    let decoded = String::from_utf8(STANDARD.decode(encoded).ok()?).ok()?;
    let (id, secret) = decoded.split_once(':')?;
    let unescape = |s: &str| {
        percent_encoding::percent_decode_str(&s.replace('+', " "))
            .decode_utf8()
            .ok()
            .map(|c| c.into_owned())
    };
    Some((unescape(id)?, unescape(secret)?))
}

fn bad_request(description: String) -> Response {
    oauth_error(400, "invalid_request", &description)
}

fn invalid_client(used_basic: bool) -> Response {
    let response = oauth_error(401, "invalid_client", "client authentication failed");
    if used_basic {
        response.with_header("WWW-Authenticate", "Basic realm=\"connect\"")
    } else {
        response
    }
}
