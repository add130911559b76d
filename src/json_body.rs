//! How the JSON helpers of every binding (get, post, put, delete, organizations, create,
//! uploads, pages) read an OK answer, written once: an empty body is JSON's null, anything
//! else must be JSON, or the answer is a protocol error rather than a decoding error each
//! language words its own way.

use crate::error::{Error, ErrorKind, Result};
use serde::de::IgnoredAny;

/// The JSON text of an OK answer's body: `None` when the body is empty or only whitespace
/// (read it as null), the body itself when it is JSON; a Protocol error when it is not.
pub fn json_body(status: u16, body: &[u8]) -> Result<Option<&[u8]>> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    match serde_json::from_slice::<IgnoredAny>(body) {
        Ok(_) => Ok(Some(body)),
        // serde's message names a position, never the body's text.
        Err(error) => Err(Error::new(
            ErrorKind::Protocol,
            format!(
                "the answer (HTTP {status}, {} bytes) is not JSON: {error}",
                body.len()
            ),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_body_is_null_and_json_is_itself() {
        assert_eq!(json_body(204, b"").unwrap(), None);
        assert_eq!(json_body(200, b" \r\n").unwrap(), None);
        assert_eq!(
            json_body(200, br#"{"Name":"B\u00f8rge"}"#).unwrap(),
            Some(&br#"{"Name":"B\u00f8rge"}"#[..])
        );
        assert_eq!(json_body(200, b"[1,2]").unwrap(), Some(&b"[1,2]"[..]));
    }

    #[test]
    fn anything_else_is_a_protocol_error_that_does_not_repeat_the_body() {
        for body in [&b"<html>secret-token</html>"[..], b"{\"a\":", b"\xff\xfe"] {
            let error = json_body(200, body).unwrap_err();
            assert_eq!(error.kind(), ErrorKind::Protocol);
            assert!(
                error.message().starts_with("the answer (HTTP 200"),
                "{error:?}"
            );
            assert!(!error.message().contains("secret"), "{error:?}");
        }
    }
}
