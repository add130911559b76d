//! The personal-integration token exchange, exactly as Dinero documents it: a Basic header of
//! `client_id:client_secret`, a form body with the API key as both username and password, and
//! the parsing of the answer, including Dinero's two error shapes (`{"error":..}` and the OAuth
//! error wrapped as a JSON *string* in `"message"`).

use crate::error::{Error, ErrorKind, Result};
use crate::response::Response;
use crate::secret::Secret;
use crate::server_text::Redactor;
use base64::Engine;
use serde_json::Value;
use std::time::Duration;
use zeroize::Zeroize;

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

    /// Finds every form of the client secret and the API key (and of the Basic header made
    /// from them) in server text, so that an endpoint that echoes the request leaks nothing.
    pub fn redactor(&self) -> Redactor {
        let mut redactor = Redactor::new();
        redactor.add_secret(self.client_secret.expose());
        redactor.add_secret(self.api_key.expose());
        redactor.add_basic_credentials(self.client_id.expose(), self.client_secret.expose());
        redactor
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

/// How much of a server's text an error message quotes.
const QUOTED_CHARS: usize = 120;

/// Reads the answer of the token endpoint at `auth_url`, then wipes its body (it holds the
/// access token).
pub fn read_token_answer(
    response: &mut Response,
    credentials: &Credentials,
    auth_url: &str,
) -> Result<IssuedToken> {
    let answer = parse_token_response(response.status(), response.body(), auth_url, &|| {
        credentials.redactor()
    });
    response.wipe_body();
    answer
}

/// Reads the answer of the token endpoint at `auth_url`. Server text quoted in an error is
/// scrubbed of every form of the secrets `redactor` makes (in case the endpoint echoes the
/// request), made printable and cut short, in that order.
pub fn parse_token_response(
    status: u16,
    body: &[u8],
    auth_url: &str,
    redactor: &dyn Fn() -> Redactor,
) -> Result<IssuedToken> {
    if status == 200 {
        return parse_success(body);
    }
    let oauth_error = oauth_error_code(body);
    let quoted = match oauth_error.as_deref() {
        Some(code) => printable_oauth_code(code, &redactor())
            .unwrap_or_else(|| "with an error code that is not shown".to_string()),
        None => summarize_body(body, &redactor()),
    };
    let detail = format!("({status} {quoted})");
    let message = match (status, oauth_error.as_deref()) {
        (_, Some("invalid_client")) => {
            format!("token endpoint rejected the client id or client secret {detail}")
        }
        (_, Some("invalid_grant")) => format!("token endpoint rejected the API key {detail}"),
        (400..=403, Some(_)) => format!("token endpoint refused the request {detail}"),
        // A refusal with no OAuth error code may come from something that is no token endpoint
        // at all (auth_url set to the API's address, say): the server is named, so that a
        // wrong address shows rather than sending the user to check good credentials.
        (401, None) => format!(
            "token endpoint rejected the client id or client secret {detail}; {}",
            no_oauth_error(auth_url, "auth_url")
        ),
        (400 | 403, None) => format!(
            "token endpoint refused the credentials {detail}; {}",
            no_oauth_error(auth_url, "auth_url")
        ),
        _ => {
            return Err(Error::new(
                ErrorKind::AuthUnavailable,
                format!("token endpoint failed {detail}"),
            ))
        }
    };
    Err(Error::new(ErrorKind::AuthRejected, message))
}

/// What a refusal without an OAuth error code adds: the server that gave it, and the option
/// that names it.
pub fn no_oauth_error(url: &str, option: &str) -> String {
    format!(
        "the answer from {} held no OAuth error code: check {option} too",
        crate::transport::server_of(url)
    )
}

/// An OAuth error code is quoted only when it looks like one (RFC 6749 codes are short words
/// of letters and underscores) and holds no secret: anything else a server puts there is
/// not shown at all.
pub(crate) fn printable_oauth_code(code: &str, redactor: &Redactor) -> Option<String> {
    let scrubbed = redactor.scrub(code);
    let plain = (1..=64).contains(&scrubbed.len())
        && scrubbed
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'));
    plain.then_some(scrubbed)
}

fn parse_success(body: &[u8]) -> Result<IssuedToken> {
    let unreadable = |why: &str| {
        Error::new(
            ErrorKind::AuthUnavailable,
            format!("token endpoint answered 200 but {why}"),
        )
    };
    let mut json = token_answer_json(body).map_err(|why| unreadable(&why))?;
    let issued = issued_token(&json).map_err(unreadable);
    wipe_strings(&mut json);
    issued
}

/// A 200 token answer, parsed. It is never quoted when it cannot be: it holds the new token
/// (and a refresh token), which no redactor knows yet; the message gives its size and where
/// the parser stopped. A UTF-8 byte-order mark in front, as some .NET servers send, is allowed.
pub(crate) fn token_answer_json(body: &[u8]) -> std::result::Result<Value, String> {
    let json = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    serde_json::from_slice(json).map_err(|error| {
        format!(
            "the body ({} bytes) is not JSON ({error}); not quoted: it may hold the token",
            body.len()
        )
    })
}

pub(crate) fn issued_token(json: &Value) -> std::result::Result<IssuedToken, &'static str> {
    let token = json
        .get("access_token")
        .and_then(Value::as_str)
        .filter(|t| !t.is_empty())
        .ok_or("without an access_token")?;
    if !is_sendable_token(token) {
        return Err("with an access_token that cannot be sent in a header");
    }
    if let Some(kind) = json.get("token_type").and_then(Value::as_str) {
        if !kind.eq_ignore_ascii_case("bearer") {
            return Err("with a token_type other than Bearer");
        }
    }
    // Dinero sends a number; some gateways send it as a string. Both are tolerated, nothing else.
    let expires_in = match json.get("expires_in") {
        Some(Value::Number(n)) => n.as_u64(),
        Some(Value::String(s)) => s.trim().parse::<u64>().ok(),
        _ => None,
    }
    .filter(|s| (1..=MAX_LIFETIME.as_secs()).contains(s))
    .ok_or("with a missing or implausible expires_in")?;
    Ok(IssuedToken {
        access_token: Secret::new(token),
        expires_in: Duration::from_secs(expires_in),
    })
}

/// Overwrites every string of a parsed answer (the access token among them) before it is freed.
pub(crate) fn wipe_strings(value: &mut Value) {
    match value {
        Value::String(s) => s.zeroize(),
        Value::Array(items) => items.iter_mut().for_each(wipe_strings),
        Value::Object(map) => map.values_mut().for_each(wipe_strings),
        _ => {}
    }
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
pub fn summarize_body(body: &[u8], redactor: &Redactor) -> String {
    if body.is_empty() {
        return "empty body".to_string();
    }
    let text = String::from_utf8_lossy(body);
    format!("body: {}", redactor.quote(&text, QUOTED_CHARS))
}

#[cfg(test)]
mod tests {
    use super::*;

    const AUTH_URL: &str = "https://authz.dinero.dk/dineroapi/oauth/token";

    fn docs_credentials() -> Credentials {
        Credentials::new("rasmus", "dinero", "my api key&=+").unwrap()
    }

    #[test]
    fn a_200_answer_that_is_not_json_is_never_quoted() {
        // The body is the new token: no redactor knows it yet.
        let token = "tok-ABC123-never-shown";
        let answer = format!(r#"{{"access_token":"{token}","expires_in":3600}}"#);
        for body in [
            format!("{answer}\n<!-- cached by a proxy -->"),
            format!("{}{answer}{}", "[".repeat(200), "]".repeat(200)),
            format!("{answer},"),
        ] {
            let err =
                parse_token_response(200, body.as_bytes(), AUTH_URL, &Redactor::new).unwrap_err();
            assert!(!err.message().contains("ABC123"), "{err}");
            assert!(err.message().contains("not JSON"), "{err}");
        }
        // A byte-order mark in front is no reason to refuse the token.
        let with_bom = [&b"\xEF\xBB\xBF"[..], answer.as_bytes()].concat();
        let issued = parse_token_response(200, &with_bom, AUTH_URL, &Redactor::new).unwrap();
        assert_eq!(issued.access_token.expose(), token);
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
        let t = parse_token_response(200, body, AUTH_URL, &Redactor::new).unwrap();
        assert_eq!(t.access_token.expose(), "eyJ0eXAi.x.y");
        assert_eq!(t.expires_in, Duration::from_secs(3600));
        let as_string = br#"{"access_token":"a","expires_in":"60"}"#;
        assert_eq!(
            parse_token_response(200, as_string, AUTH_URL, &Redactor::new)
                .unwrap()
                .expires_in
                .as_secs(),
            60
        );
    }

    #[test]
    fn wrapped_invalid_grant_is_a_rejected_api_key() {
        let body = br#"{"message":"{ \"error\": \"invalid_grant\" }"}"#;
        let err = parse_token_response(400, body, AUTH_URL, &Redactor::new).unwrap_err();
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
            let err = parse_token_response(401, body, AUTH_URL, &Redactor::new).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::AuthRejected);
            assert!(
                err.message().contains("client id or client secret"),
                "{err}"
            );
            assert!(err.message().contains("401 invalid_client"), "{err}");
        }
    }

    #[test]
    fn a_refusal_without_an_oauth_error_names_the_server_that_gave_it() {
        // What a wrong auth_url gets, from a server that is no token endpoint: the server is
        // named (never the path, which may hold anything), so the address can be checked.
        for status in [400, 401, 403] {
            let err = parse_token_response(
                status,
                b"Unauthorized",
                "http://127.0.0.1:9/v1/x?k=1",
                &Redactor::new,
            )
            .unwrap_err();
            assert_eq!(err.kind(), ErrorKind::AuthRejected);
            assert!(
                err.message().ends_with(
                    "; the answer from http://127.0.0.1:9 held no OAuth error code: check \
                     auth_url too"
                ),
                "{err}"
            );
            assert!(!err.message().contains("/v1/x"), "{err}");
        }
        // A real OAuth refusal says what was refused, and nothing about the address.
        let err = parse_token_response(
            401,
            br#"{"error":"invalid_client"}"#,
            AUTH_URL,
            &Redactor::new,
        )
        .unwrap_err();
        assert!(!err.message().contains("auth_url"), "{err}");
    }

    #[test]
    fn server_trouble_is_unavailable_not_rejected() {
        for (status, body) in [
            (500, &b"<html>oops</html>"[..]),
            (503, b""),
            (429, b"slow down"),
        ] {
            let err = parse_token_response(status, body, AUTH_URL, &Redactor::new).unwrap_err();
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
            let err = parse_token_response(200, body, AUTH_URL, &Redactor::new).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::AuthUnavailable, "{:?}", body);
        }
    }

    #[test]
    fn echoed_secrets_are_scrubbed_from_messages() {
        let creds = docs_credentials();
        let body = br#"<html>bad form: username=my api key&=+ password=dinero</html>"#;
        let err = parse_token_response(502, body, AUTH_URL, &|| creds.redactor()).unwrap_err();
        assert!(!err.message().contains("my api key"), "{err}");
        assert!(!err.message().contains("dinero"), "{err}");
        assert!(err.message().contains("[redacted]"), "{err}");
    }

    #[test]
    fn long_bodies_are_cut_in_messages() {
        let body = vec![b'x'; 10_000];
        let err = parse_token_response(500, &body, AUTH_URL, &Redactor::new).unwrap_err();
        assert!(err.message().len() < 250, "{}", err.message().len());
    }

    #[test]
    fn an_oauth_error_code_is_quoted_only_when_it_is_a_plain_code_without_secrets() {
        let creds = Credentials::new("rasmus", "dinero-secret", "0123456789abcdef").unwrap();
        for (body, leaked) in [
            (r#"{"error":"0123456789abcdef"}"#, "0123456789abcdef"),
            (
                r#"{"error":"password=0123456789abcdef"}"#,
                "0123456789abcdef",
            ),
            (
                r#"{"message":"{\"error\":\"dinero-secret\"}"}"#,
                "dinero-secret",
            ),
            (r#"{"error":"\u001b[2Jcleared"}"#, "\u{1b}"),
        ] {
            let err = parse_token_response(400, body.as_bytes(), AUTH_URL, &|| creds.redactor())
                .unwrap_err();
            assert!(!err.message().contains(leaked), "{body}: {err}");
            assert!(!err.message().contains("[redacted]"), "{body}: {err}");
            assert!(
                err.message()
                    .ends_with("(400 with an error code that is not shown)"),
                "{err}"
            );
        }
        let long = format!(r#"{{"error":"{}"}}"#, "a".repeat(65));
        let err = parse_token_response(400, long.as_bytes(), AUTH_URL, &Redactor::new).unwrap_err();
        assert!(err.message().len() < 100, "{err}");
    }

    #[test]
    fn echoed_requests_leak_nothing_in_any_encoding() {
        let creds = Credentials::new("rasmus", "my secret/+&", "key with spaces & more").unwrap();
        let form = creds.password_grant_form("read write");
        let basic = creds.basic_authorization();
        let echoes = [
            format!("POST /token\r\nAuthorization: {}\r\n\r\n{}", basic.expose(), form.expose()),
            serde_json::json!({"error": format!("{} {}", basic.expose(), form.expose())}).to_string(),
            serde_json::json!({"error": "invalid_request", "message": format!("username=key with spaces & more; secret my secret/+&")}).to_string(),
        ];
        for echo in echoes {
            for status in [400, 401, 500, 200] {
                let err =
                    parse_token_response(status, echo.as_bytes(), AUTH_URL, &|| creds.redactor())
                        .unwrap_err();
                for secret in [
                    "my secret",
                    "key with spaces",
                    "key+with+spaces",
                    "key%20with",
                    "cmFzbXVz",
                ] {
                    assert!(!err.message().contains(secret), "{status} {echo}: {err}");
                }
            }
        }
    }

    #[test]
    fn the_token_answer_is_wiped_after_reading() {
        let creds = docs_credentials();
        let body =
            br#"{"access_token":"eyJ-secret-token","token_type":"Bearer","expires_in":3600}"#;
        for status in [200, 400] {
            let mut response = Response::new(status, Vec::new(), body.to_vec());
            let _ = read_token_answer(&mut response, &creds, AUTH_URL);
            let left = String::from_utf8_lossy(response.body());
            assert!(!left.contains("secret-token"), "{status}: {left}");
        }
    }
}
