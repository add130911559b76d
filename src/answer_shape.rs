//! What Dinero's OK answers to the library's own calls must be: the files endpoint answers a
//! JSON object (`{"FileGuid": ...}`, or, as creates sometimes do, nothing), `/v1/organizations`
//! a JSON list. Anything else is a protocol error, found here once, so that no binding checks
//! (or forgets to check) the shape itself and every language gets the same failure. Error
//! answers (400 and above) pass as they are: they are Dinero's refusal, read by `api_error`.
//!
//! An upload's empty answer passes: the file was stored, and a protocol error (a kind of
//! network error in every binding) would invite sending it again.

use crate::error::{Error, ErrorKind, Result};
use crate::response::Response;
use serde::de::IgnoredAny;

/// The JSON an OK answer must hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    Object,
    List,
}

/// `response` if it is an error answer or an OK answer of `shape`; a `Protocol` error naming
/// the request and the status otherwise (never the body: a server may have echoed a secret).
pub fn expect(response: Response, shape: Shape) -> Result<Response> {
    if !response.is_ok() || holds(response.body(), shape) {
        return Ok(response);
    }
    let wanted = match shape {
        Shape::Object => "a JSON object",
        Shape::List => "a JSON list",
    };
    Err(Error::new(
        ErrorKind::Protocol,
        format!(
            "{}: the {} answer is not {wanted}",
            response.request(),
            response.status()
        ),
    ))
}

fn holds(body: &[u8], shape: Shape) -> bool {
    // Blank as `json_body` reads it: the bindings' JSON helpers give null for it.
    let blank = body.iter().all(u8::is_ascii_whitespace);
    match shape {
        Shape::Object if blank => true,
        Shape::Object => {
            serde_json::from_slice::<std::collections::HashMap<String, IgnoredAny>>(body).is_ok()
        }
        Shape::List => serde_json::from_slice::<Vec<IgnoredAny>>(body).is_ok(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(status: u16, body: &str) -> Response {
        Response::new(status, Vec::new(), body.as_bytes().to_vec()).answering("GET", "/x")
    }

    #[test]
    fn ok_answers_of_the_shape_pass() {
        assert!(expect(answer(201, r#" {"FileGuid":"a"} "#), Shape::Object).is_ok());
        assert!(expect(answer(201, r#"{"File\u0047uid":"a"}"#), Shape::Object).is_ok());
        assert!(expect(answer(200, r#"[{"Id":1}]"#), Shape::List).is_ok());
        assert!(expect(answer(200, "[]"), Shape::List).is_ok());
        assert!(
            expect(answer(201, ""), Shape::Object).is_ok(),
            "an upload answered with nothing"
        );
        assert!(expect(answer(201, " \r\n"), Shape::Object).is_ok());
    }

    #[test]
    fn ok_answers_of_another_shape_are_protocol_errors_without_the_body() {
        for (body, shape) in [
            ("[]", Shape::Object),
            ("", Shape::List),
            ("\"secret-token\"", Shape::Object),
            ("{\"a\":1}", Shape::List),
            ("null", Shape::List),
            ("[1,", Shape::List),
            ("{\"a\":1} trailing", Shape::Object),
        ] {
            let error = expect(answer(200, body), shape).unwrap_err();
            assert_eq!(error.kind(), ErrorKind::Protocol, "{body}");
            assert!(error
                .message()
                .starts_with("GET /x: the 200 answer is not a JSON"));
            assert!(!error.message().contains("secret"));
        }
    }

    #[test]
    fn error_answers_pass_as_they_are() {
        let refused = expect(answer(413, "too large"), Shape::Object).unwrap();
        assert_eq!(refused.status(), 413);
    }
}
