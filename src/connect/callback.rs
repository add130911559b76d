//! What the user's browser brings back to the redirect URI: Visma Connect posts a form
//! (`response_mode=form_post`), other setups put the same fields in the query string. Either
//! way the `state` must be the one this authorization made, or the answer is not ours: a forged
//! redirect (login CSRF) or an old tab.

use super::authorize::Authorization;
use crate::error::{Error, ErrorKind, Result};
use crate::secret::Secret;
use crate::server_text::printable_excerpt;
use sha2::{Digest, Sha256};

impl Authorization {
    /// Whether `callback` carries this authorization's state: the answer to this sign-in, not
    /// a stray or forged request to the redirect URI. A listener of its own (the `dinero login`
    /// command's) answers the others and keeps waiting for this one.
    pub fn answered_by(&self, callback: &str) -> bool {
        Fields::read(callback).state_is(self)
    }
}

/// The fields the browser brought back.
struct Fields {
    code: Option<Secret>,
    state: Option<Secret>,
    error: Option<String>,
}

impl Fields {
    /// From a form body, a query string, or a whole redirect URL.
    fn read(callback: &str) -> Fields {
        let fields = callback
            .split_once('?')
            .map_or(callback, |(_, query)| query);
        let fields = fields.split('#').next().unwrap_or(fields);
        let mut read = Fields {
            code: None,
            state: None,
            error: None,
        };
        for (name, value) in form_urlencoded::parse(fields.trim().as_bytes()) {
            match name.as_ref() {
                "code" => read.code = Some(Secret::new(value)),
                "state" => read.state = Some(Secret::new(value)),
                "error" => read.error = Some(value.into_owned()),
                _ => {}
            }
        }
        read
    }

    fn state_is(&self, authorization: &Authorization) -> bool {
        self.state
            .as_ref()
            .is_some_and(|s| same_secret(s.expose(), authorization.state.expose()))
    }
}

/// The authorization code in `callback` (a form body, a query string, or a whole redirect URL),
/// once its state is checked against `authorization`.
pub fn read_code(callback: &str, authorization: &Authorization) -> Result<Secret> {
    let fields = Fields::read(callback);
    if !fields.state_is(authorization) {
        return Err(Error::new(
            ErrorKind::AuthRejected,
            "the answer's state does not match this authorization (a forged, stale or \
             mixed-up redirect): start the sign-in again",
        ));
    }
    if let Some(error) = fields.error {
        return Err(refusal(&error));
    }
    fields.code.filter(|c| !c.is_empty()).ok_or_else(|| {
        Error::invalid("the answer carries neither a code nor an error: is it the redirect's form body or query?")
    })
}

/// Visma Connect's own refusal (`error=access_denied`, ...): the code is ours to quote only
/// when it looks like one of OAuth's codes.
fn refusal(error: &str) -> Error {
    let message = match error {
        "access_denied" => "the user did not grant access (access_denied)".to_string(),
        code if code.len() <= 40 && code.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') => {
            format!("Visma Connect refused the authorization ({code})")
        }
        other => format!(
            "Visma Connect refused the authorization ({})",
            printable_excerpt(other, 40)
        ),
    };
    Error::new(ErrorKind::AuthRejected, message)
}

/// Compares two secrets in time that does not depend on where they differ.
fn same_secret(a: &str, b: &str) -> bool {
    let (a, b) = (Sha256::digest(a.as_bytes()), Sha256::digest(b.as_bytes()));
    a.iter()
        .zip(b.iter())
        .fold(0u8, |diff, (x, y)| diff | (x ^ y))
        == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    fn authorization() -> Authorization {
        Authorization::new("isv_x", "https://shop.example/back", &Config::default()).unwrap()
    }

    #[test]
    fn a_form_body_a_query_or_a_whole_url_gives_the_code() {
        let a = authorization();
        let state = a.state.expose();
        for callback in [
            format!("code=abc%2B1&state={state}"),
            format!("state={state}&code=abc%2B1&session_state=x"),
            format!("https://shop.example/back?code=abc%2B1&state={state}"),
        ] {
            assert_eq!(read_code(&callback, &a).unwrap().expose(), "abc+1");
        }
    }

    #[test]
    fn only_a_callback_with_this_authorizations_state_answers_it() {
        let a = authorization();
        let state = a.state.expose();
        assert!(a.answered_by(&format!("code=abc&state={state}")));
        assert!(a.answered_by(&format!("error=access_denied&state={state}")));
        assert!(a.answered_by(&format!("https://shop.example/back?state={state}&code=x")));
        for stray in ["", "code=abc", "code=abc&state=forged", "favicon.ico"] {
            assert!(!a.answered_by(stray), "{stray}");
        }
    }

    #[test]
    fn a_wrong_or_missing_state_is_refused_before_anything_else() {
        let a = authorization();
        for callback in [
            "code=abc&state=forged",
            "code=abc",
            "error=access_denied&state=x",
            "",
        ] {
            let err = read_code(callback, &a).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::AuthRejected, "{callback}");
            assert!(err.message().contains("state"), "{err}");
            assert!(!err.message().contains("abc"), "{err}");
        }
    }

    #[test]
    fn a_long_error_from_the_redirect_is_quoted_cut_short() {
        // The error comes in through the user's browser, not from Visma Connect directly: an
        // app that shows this message quotes at most 40 characters of it, however plain.
        let a = authorization();
        let state = a.state.expose();
        let long = "please_call_support_at_once_to_unlock_your_account".repeat(4);
        let err = read_code(&format!("error={long}&state={state}"), &a).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::AuthRejected);
        assert!(
            err.message().contains(&format!("({}...)", &long[..40])),
            "{err}"
        );
        assert!(!err.message().contains(&long[..41]), "{err}");
    }

    #[test]
    fn a_refusal_says_so_and_quotes_only_plain_codes() {
        let a = authorization();
        let state = a.state.expose();
        let denied = read_code(&format!("error=access_denied&state={state}"), &a).unwrap_err();
        assert!(
            denied.message().contains("did not grant access"),
            "{denied}"
        );
        let odd = read_code(&format!("error=%1b%5B2Jx&state={state}"), &a).unwrap_err();
        assert!(!odd.message().contains('\u{1b}'), "{odd}");
        let none = read_code(&format!("state={state}"), &a).unwrap_err();
        assert_eq!(none.kind(), ErrorKind::InvalidArgument);
    }
}
