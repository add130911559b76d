//! The personal-integration token exchange, exactly as Dinero documents it: a Basic header of
//! `client_id:client_secret`, a form body with the API key as both username and password, and
//! the parsing of the answer, including Dinero's two error shapes (`{"error":..}` and the OAuth
//! error wrapped as a JSON *string* in `"message"`).

use crate::error::{Error, ErrorKind, Result};
use crate::secret::Secret;
use base64::Engine;
use serde_json::Value;
use std::time::Duration;

/// What the organization's developer got from Dinero, plus the key made inside the organization.
#[derive(Debug, Clone)]
pub struct Credentials {
    pub client_id: Secret,
    pub client_secret: Secret,
    pub api_key: Secret,
}

impl Credentials {
    pub fn new(client_id: &str, client_secret: &str, api_key: &str) -> Result<Self> {
        for (name, value) in [
            ("client id", client_id),
            ("client secret", client_secret),
            ("API key", api_key),
        ] {
            if value.is_empty() {
                return Err(Error::invalid(format!("the {name} is empty")));
            }
            if value.chars().any(|c| c.is_control()) {
                return Err(Error::invalid(format!(
                    "the {name} contains control characters (CR, LF, NUL, ...)"
                )));
            }
        }
        Ok(Credentials {
            client_id: Secret::new(client_id),
            client_secret: Secret::new(client_secret),
            api_key: Secret::new(api_key),
        })
    }

    /// `Basic base64(client_id:client_secret)`.
    pub fn basic_authorization(&self) -> Secret {
        let pair = Secret::new(format!(
            "{}:{}",
            self.client_id.expose(),
            self.client_secret.expose()
        ));
        let encoded = base64::engine::general_purpose::STANDARD.encode(pair.expose());
        Secret::new(format!("Basic {encoded}"))
    }

    /// `grant_type=password&scope=read+write&username=KEY&password=KEY`, form-encoded.
    pub fn password_grant_form(&self, scope: &str) -> Secret {
        let key = self.api_key.expose();
        Secret::new(
            form_urlencoded::Serializer::new(String::new())
                .append_pair("grant_type", "password")
                .append_pair("scope", scope)
                .append_pair("username", key)
                .append_pair("password", key)
                .finish(),
        )
    }

    /// The values that must never appear in a message, longest first so that a secret that
    /// contains another is removed whole.
    pub fn secrets(&self) -> Vec<&str> {
        let mut all = vec![self.client_secret.expose(), self.api_key.expose()];
        all.sort_by_key(|s| std::cmp::Reverse(s.len()));
        all
    }
}

/// A token as the endpoint issued it.
#[derive(Debug, Clone)]
pub struct IssuedToken {
    pub access_token: Secret,
    pub expires_in: Duration,
}

/// The longest lifetime we believe: a year. Anything longer is a broken endpoint.
pub const MAX_LIFETIME: Duration = Duration::from_secs(366 * 24 * 3600);

/// Whether a token can go into an `Authorization` header as it is. Applied to every token,
/// fresh from the endpoint or read back from a shared store (which another party may write).
pub fn is_sendable_token(token: &str) -> bool {
    !token.is_empty() && token.len() <= 16 * 1024 && token.bytes().all(|b| b.is_ascii_graphic())
}

/// Reads the token endpoint's answer. `secrets` are scrubbed from any server text quoted in an
/// error, in case an endpoint echoes the form back.
pub fn parse_token_response(status: u16, body: &[u8], secrets: &[&str]) -> Result<IssuedToken> {
    if status == 200 {
        return parse_success(body, secrets);
    }
    let oauth_error = oauth_error_code(body);
    let quoted = oauth_error
        .as_deref()
        .map(|code| scrub(code, secrets))
        .unwrap_or_else(|| summarize_body(body, secrets));
    let detail = format!("({status} {quoted})");
    let message = match (status, oauth_error.as_deref()) {
        (_, Some("invalid_client")) => {
            format!("token endpoint rejected the client id or client secret {detail}")
        }
        (_, Some("invalid_grant")) => format!("token endpoint rejected the API key {detail}"),
        (400..=403, Some(_)) => format!("token endpoint refused the request {detail}"),
        (401, None) => format!("token endpoint rejected the client id or client secret {detail}"),
        (400 | 403, None) => format!("token endpoint refused the credentials {detail}"),
        _ => {
            return Err(Error::new(
                ErrorKind::AuthUnavailable,
                format!("token endpoint failed {detail}"),
            ))
        }
    };
    Err(Error::new(ErrorKind::AuthRejected, message))
}

fn parse_success(body: &[u8], secrets: &[&str]) -> Result<IssuedToken> {
    let unreadable = |why: &str| {
        Error::new(
            ErrorKind::AuthUnavailable,
            format!("token endpoint answered 200 but {why}"),
        )
    };
    let json: Value = serde_json::from_slice(body).map_err(|_| {
        unreadable(&format!(
            "the body is not JSON ({})",
            summarize_body(body, secrets)
        ))
    })?;
    let token = json
        .get("access_token")
        .and_then(Value::as_str)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| unreadable("without an access_token"))?;
    if !is_sendable_token(token) {
        return Err(unreadable(
            "with an access_token that cannot be sent in a header",
        ));
    }
    if let Some(kind) = json.get("token_type").and_then(Value::as_str) {
        if !kind.eq_ignore_ascii_case("bearer") {
            return Err(unreadable("with a token_type other than Bearer"));
        }
    }
    // Dinero sends a number; some gateways send it as a string. Both are tolerated, nothing else.
    let expires_in = match json.get("expires_in") {
        Some(Value::Number(n)) => n.as_u64(),
        Some(Value::String(s)) => s.trim().parse::<u64>().ok(),
        _ => None,
    }
    .filter(|s| (1..=MAX_LIFETIME.as_secs()).contains(s))
    .ok_or_else(|| unreadable("with a missing or implausible expires_in"))?;
    Ok(IssuedToken {
        access_token: Secret::new(token),
        expires_in: Duration::from_secs(expires_in),
    })
}

/// The OAuth `error` code, from either of Dinero's shapes:
/// `{"error":"invalid_client"}` or `{"message":"{ \"error\": \"invalid_grant\" }"}`.
pub fn oauth_error_code(body: &[u8]) -> Option<String> {
    let json: Value = serde_json::from_slice(body).ok()?;
    if let Some(code) = json.get("error").and_then(Value::as_str) {
        return Some(code.to_string());
    }
    let wrapped = json.get("message").and_then(Value::as_str)?;
    let inner: Value = serde_json::from_str(wrapped).ok()?;
    inner
        .get("error")
        .and_then(Value::as_str)
        .map(str::to_string)
}

/// A short, printable, secret-free excerpt of a body for an error message.
pub fn summarize_body(body: &[u8], secrets: &[&str]) -> String {
    if body.is_empty() {
        return "empty body".to_string();
    }
    let text = String::from_utf8_lossy(body);
    let mut excerpt: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(120)
        .collect();
    if text.chars().count() > 120 {
        excerpt.push_str("...");
    }
    format!("body: {}", scrub(excerpt.trim(), secrets))
}

/// Removes every secret from a text that came from outside.
pub fn scrub(text: &str, secrets: &[&str]) -> String {
    let mut clean = text.to_string();
    for secret in secrets.iter().filter(|s| s.len() >= 4) {
        clean = clean.replace(secret, "[redacted]");
    }
    clean
}

#[cfg(test)]
mod tests {
    use super::*;

    fn docs_credentials() -> Credentials {
        Credentials::new("rasmus", "dinero", "my api key&=+").unwrap()
    }

    #[test]
    fn basic_header_matches_dinero_docs() {
        let h = docs_credentials().basic_authorization();
        assert_eq!(h.expose(), "Basic cmFzbXVzOmRpbmVybw==");
    }

    #[test]
    fn form_body_puts_the_api_key_in_username_and_password() {
        let form = docs_credentials().password_grant_form("read write");
        assert_eq!(
            form.expose(),
            "grant_type=password&scope=read+write&username=my+api+key%26%3D%2B&password=my+api+key%26%3D%2B"
        );
    }

    #[test]
    fn empty_or_control_credentials_are_refused() {
        assert!(Credentials::new("", "s", "k").is_err());
        assert!(Credentials::new("c", "s", "k\r\n").is_err());
        let err = Credentials::new("c", "", "k").unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidArgument);
        assert!(err.message().contains("client secret"));
    }

    #[test]
    fn success_is_parsed() {
        let body = br#"{"access_token":"eyJ0eXAi.x.y","token_type":"Bearer","expires_in":3600,"refresh_token":null}"#;
        let t = parse_token_response(200, body, &[]).unwrap();
        assert_eq!(t.access_token.expose(), "eyJ0eXAi.x.y");
        assert_eq!(t.expires_in, Duration::from_secs(3600));
        let as_string = br#"{"access_token":"a","expires_in":"60"}"#;
        assert_eq!(
            parse_token_response(200, as_string, &[])
                .unwrap()
                .expires_in
                .as_secs(),
            60
        );
    }

    #[test]
    fn wrapped_invalid_grant_is_a_rejected_api_key() {
        let body = br#"{"message":"{ \"error\": \"invalid_grant\" }"}"#;
        let err = parse_token_response(400, body, &[]).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::AuthRejected);
        assert_eq!(
            err.message(),
            "token endpoint rejected the API key (400 invalid_grant)"
        );
    }

    #[test]
    fn plain_and_wrapped_invalid_client_are_rejected_client_credentials() {
        for body in [
            &br#"{"error":"invalid_client"}"#[..],
            br#"{"message":"{ \"error\": \"invalid_client\" }"}"#,
        ] {
            let err = parse_token_response(401, body, &[]).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::AuthRejected);
            assert!(
                err.message().contains("client id or client secret"),
                "{err}"
            );
            assert!(err.message().contains("401 invalid_client"), "{err}");
        }
    }

    #[test]
    fn server_trouble_is_unavailable_not_rejected() {
        for (status, body) in [
            (500, &b"<html>oops</html>"[..]),
            (503, b""),
            (429, b"slow down"),
        ] {
            let err = parse_token_response(status, body, &[]).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::AuthUnavailable, "{status}");
            assert!(err.message().contains(&status.to_string()));
        }
    }

    #[test]
    fn broken_success_bodies_are_unavailable() {
        for body in [
            &b"not json"[..],
            br#"{"token_type":"Bearer","expires_in":3600}"#,
            br#"{"access_token":"","expires_in":3600}"#,
            br#"{"access_token":"a","expires_in":"soon"}"#,
            br#"{"access_token":"a","expires_in":0}"#,
            br#"{"access_token":"a","expires_in":-5}"#,
            br#"{"access_token":"a","expires_in":99999999999}"#,
            br#"{"access_token":"a"}"#,
            br#"{"access_token":"a b","expires_in":60}"#,
            br#"{"access_token":"a","expires_in":60,"token_type":"MAC"}"#,
            br#"[]"#,
        ] {
            let err = parse_token_response(200, body, &[]).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::AuthUnavailable, "{:?}", body);
        }
    }

    #[test]
    fn echoed_secrets_are_scrubbed_from_messages() {
        let creds = docs_credentials();
        let body = br#"<html>bad form: username=my api key&=+ password=dinero</html>"#;
        let err = parse_token_response(502, body, &creds.secrets()).unwrap_err();
        assert!(!err.message().contains("my api key"), "{err}");
        assert!(!err.message().contains("dinero"), "{err}");
        assert!(err.message().contains("[redacted]"), "{err}");
    }

    #[test]
    fn long_bodies_are_cut_in_messages() {
        let body = vec![b'x'; 10_000];
        let err = parse_token_response(500, &body, &[]).unwrap_err();
        assert!(err.message().len() < 250, "{}", err.message().len());
    }
}
