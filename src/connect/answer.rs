//! Visma Connect's token endpoint: the form each grant sends, and its answers read into what a
//! caller can act on. A refused refresh token means the user must sign in again
//! (`ErrorKind::LoginRequired`, never retried); a refused code means this sign-in failed; a
//! failing endpoint is `AuthUnavailable`, worth trying again later.

use crate::error::{Error, ErrorKind, Result};
use crate::secret::Secret;
use crate::server_text::Redactor;
use crate::token::exchange::{
    is_sendable_token, issued_token, no_oauth_error, oauth_error_code, printable_oauth_code,
    summarize_body, token_answer_json, wipe_strings, IssuedToken,
};
use serde_json::Value;

/// What a grant sends besides the client's own id and secret.
pub enum GrantStep<'a> {
    /// The code the browser brought back, with the verifier and redirect URI it was made for.
    Code {
        code: &'a Secret,
        code_verifier: &'a Secret,
        redirect_uri: &'a str,
    },
    Refresh(&'a Secret),
}

impl GrantStep<'_> {
    /// The form body, with the client's credentials in it (Visma Connect takes them there).
    pub fn form(&self, client_id: &Secret, client_secret: &Secret) -> Secret {
        let mut form = form_urlencoded::Serializer::new(String::new());
        match self {
            GrantStep::Code {
                code,
                code_verifier,
                redirect_uri,
            } => form
                .append_pair("grant_type", "authorization_code")
                .append_pair("code", code.expose())
                .append_pair("redirect_uri", redirect_uri)
                .append_pair("code_verifier", code_verifier.expose()),
            GrantStep::Refresh(token) => form
                .append_pair("grant_type", "refresh_token")
                .append_pair("refresh_token", token.expose()),
        };
        form.append_pair("client_id", client_id.expose())
            .append_pair("client_secret", client_secret.expose());
        Secret::new(form.finish())
    }

    /// Every secret this step sends, for scrubbing server text that echoes the request.
    pub fn secrets(&self) -> Vec<&str> {
        match self {
            GrantStep::Code {
                code,
                code_verifier,
                ..
            } => vec![code.expose(), code_verifier.expose()],
            GrantStep::Refresh(token) => vec![token.expose()],
        }
    }
}

/// Which grant an answer belongs to: only the wording of a refusal differs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepKind {
    Code,
    Refresh,
}

impl GrantStep<'_> {
    pub fn kind(&self) -> StepKind {
        match self {
            GrantStep::Code { .. } => StepKind::Code,
            GrantStep::Refresh(_) => StepKind::Refresh,
        }
    }
}

/// A successful answer: the access token, and the refresh token if one came with it (a
/// one-time refresh token is replaced at every refresh; a reusable one may not be resent).
#[derive(Debug)]
pub struct ConnectAnswer {
    pub issued: IssuedToken,
    pub refresh_token: Option<Secret>,
}

/// Reads the answer of the token endpoint at `token_url` to `step`. Server text quoted in an
/// error is scrubbed of everything `redactor` knows, made printable and cut short.
pub fn read(
    status: u16,
    body: &[u8],
    step: StepKind,
    token_url: &str,
    redactor: &Redactor,
) -> Result<ConnectAnswer> {
    if status == 200 {
        return read_success(body);
    }
    let code = oauth_error_code(body);
    let quoted = match code.as_deref() {
        Some(code) => printable_oauth_code(code, redactor)
            .unwrap_or_else(|| "with an error code that is not shown".to_string()),
        None => summarize_body(body, redactor),
    };
    let detail = format!("({status} {quoted})");
    let (kind, message) = match (code.as_deref(), step) {
        (Some("invalid_client"), _) => (
            ErrorKind::AuthRejected,
            format!("Visma Connect rejected the client id or client secret {detail}"),
        ),
        // As for Dinero's token endpoint: no OAuth error code may mean no token endpoint.
        (None, _) if status == 401 => (
            ErrorKind::AuthRejected,
            format!(
                "Visma Connect rejected the client id or client secret {detail}; {}",
                no_oauth_error(token_url, "connect_url")
            ),
        ),
        (Some("invalid_grant"), StepKind::Refresh) => (
            ErrorKind::LoginRequired,
            format!(
                "Visma Connect refused the refresh token: it was revoked, expired or already \
                 used; the user must sign in again {detail}"
            ),
        ),
        (Some("invalid_grant"), StepKind::Code) => (
            ErrorKind::AuthRejected,
            format!(
                "Visma Connect refused the authorization code: expired, already used, or made \
                 for another redirect URI or verifier; start the sign-in again {detail}"
            ),
        ),
        (Some(_), _) if (400..500).contains(&status) => (
            ErrorKind::AuthRejected,
            format!("Visma Connect refused the token request {detail}"),
        ),
        _ => (
            ErrorKind::AuthUnavailable,
            format!("Visma Connect's token endpoint failed {detail}"),
        ),
    };
    Err(Error::new(kind, message))
}

fn read_success(body: &[u8]) -> Result<ConnectAnswer> {
    let unreadable = |why: &str| {
        Error::new(
            ErrorKind::AuthUnavailable,
            format!("Visma Connect's token endpoint answered 200 but {why}"),
        )
    };
    let mut json = token_answer_json(body).map_err(|why| unreadable(&why))?;
    let answer = issued_token(&json).map_err(unreadable).and_then(|issued| {
        let refresh_token = match json.get("refresh_token") {
            None | Some(Value::Null) => None,
            Some(Value::String(t)) if is_sendable_token(t) => Some(Secret::new(t.as_str())),
            Some(_) => return Err(unreadable("with a refresh_token that cannot be used")),
        };
        Ok(ConnectAnswer {
            issued,
            refresh_token,
        })
    });
    wipe_strings(&mut json);
    answer
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN_URL: &str = "https://connect.visma.com/connect/token";

    #[test]
    fn the_forms_are_what_visma_connect_documents() {
        let (id, secret) = (Secret::new("isv_x"), Secret::new("s&cret"));
        let (code, verifier) = (Secret::new("c+1"), Secret::new("v"));
        let step = GrantStep::Code {
            code: &code,
            code_verifier: &verifier,
            redirect_uri: "https://a.example/cb",
        };
        assert_eq!(
            step.form(&id, &secret).expose(),
            "grant_type=authorization_code&code=c%2B1&redirect_uri=https%3A%2F%2Fa.example%2Fcb\
             &code_verifier=v&client_id=isv_x&client_secret=s%26cret"
        );
        let token = Secret::new("rt");
        assert_eq!(
            GrantStep::Refresh(&token).form(&id, &secret).expose(),
            "grant_type=refresh_token&refresh_token=rt&client_id=isv_x&client_secret=s%26cret"
        );
    }

    #[test]
    fn a_refused_refresh_token_means_sign_in_again_and_a_refused_code_does_not() {
        let body = br#"{"error":"invalid_grant"}"#;
        let refresh = read(400, body, StepKind::Refresh, TOKEN_URL, &Redactor::new()).unwrap_err();
        assert_eq!(refresh.kind(), ErrorKind::LoginRequired);
        assert!(refresh.message().contains("sign in again"), "{refresh}");
        let (code, verifier) = (Secret::new("c"), Secret::new("v"));
        let step = GrantStep::Code {
            code: &code,
            code_verifier: &verifier,
            redirect_uri: "https://a.example/",
        };
        let refused = read(400, body, step.kind(), TOKEN_URL, &Redactor::new()).unwrap_err();
        assert_eq!(refused.kind(), ErrorKind::AuthRejected);
        let client = read(
            401,
            br#"{"error":"invalid_client"}"#,
            step.kind(),
            TOKEN_URL,
            &Redactor::new(),
        )
        .unwrap_err();
        assert!(
            client.message().contains("client id or client secret"),
            "{client}"
        );
        for (status, body) in [
            (503, &b"down"[..]),
            (500, b""),
            (200, b"<html>"),
            (200, b"{}"),
        ] {
            let err = read(status, body, step.kind(), TOKEN_URL, &Redactor::new()).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::AuthUnavailable, "{status}");
        }
    }

    #[test]
    fn a_refusal_is_told_from_a_failing_endpoint_by_its_status() {
        // What the caller does next depends on it: fix the credentials or the request
        // (AuthRejected), or try again later (AuthUnavailable).
        let redactor = Redactor::new();
        // A 401 whose body is no OAuth error is still the client's credentials refused, and
        // names the server that gave it, in case connect_url names no token endpoint.
        let err = read(
            401,
            b"Unauthorized",
            StepKind::Refresh,
            TOKEN_URL,
            &redactor,
        )
        .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::AuthRejected, "{err}");
        assert!(
            err.message().contains("client id or client secret"),
            "{err}"
        );
        assert!(
            err.message().ends_with(
                "; the answer from https://connect.visma.com held no OAuth error code: check \
                 connect_url too"
            ),
            "{err}"
        );
        // An OAuth error code on a 4xx is a refusal; on a 5xx it is the endpoint failing.
        let bad = br#"{"error":"invalid_request"}"#;
        let err = read(400, bad, StepKind::Code, TOKEN_URL, &redactor).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::AuthRejected, "{err}");
        let down = br#"{"error":"server_error"}"#;
        let err = read(500, down, StepKind::Refresh, TOKEN_URL, &redactor).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::AuthUnavailable, "{err}");
    }

    #[test]
    fn a_refresh_token_that_could_not_be_sent_back_makes_the_answer_unusable() {
        // Kept, it would be stored and handed to the caller's callback, only for the next
        // refresh to fail; refused now, the answer is an endpoint fault like any other.
        for refresh_token in [r#""""#, r#""a b""#, r#""r\u00e6""#, "42"] {
            let body = format!(
                r#"{{"access_token":"at","expires_in":3600,"token_type":"Bearer","refresh_token":{refresh_token}}}"#
            );
            let err = read(
                200,
                body.as_bytes(),
                StepKind::Refresh,
                TOKEN_URL,
                &Redactor::new(),
            )
            .unwrap_err();
            assert_eq!(err.kind(), ErrorKind::AuthUnavailable, "{refresh_token}");
            assert!(
                err.message().contains("refresh_token that cannot be used"),
                "{refresh_token}: {err}"
            );
        }
    }

    #[test]
    fn a_success_gives_both_tokens_and_echoes_leak_no_secret() {
        let token = Secret::new("old-refresh-token-value");
        let step = GrantStep::Refresh(&token);
        let body = br#"{"access_token":"at","expires_in":3600,"token_type":"Bearer","refresh_token":"rt2"}"#;
        let answer = read(200, body, step.kind(), TOKEN_URL, &Redactor::new()).unwrap();
        assert_eq!(answer.issued.access_token.expose(), "at");
        assert_eq!(answer.refresh_token.unwrap().expose(), "rt2");
        let mut redactor = Redactor::new();
        for secret in step.secrets() {
            redactor.add_secret(secret);
        }
        let echo = br#"<p>bad refresh_token=old-refresh-token-value</p>"#;
        let err = read(502, echo, step.kind(), TOKEN_URL, &redactor).unwrap_err();
        assert!(!err.message().contains("old-refresh"), "{err}");
    }
}
