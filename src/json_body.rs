//! How the JSON helpers of every binding (get, post, put, delete, organizations, create,
//! uploads, pages) read an OK answer, written once: an empty body is JSON's null, anything
//! else must be JSON, or the answer is a protocol error rather than a decoding error each
//! language words its own way.

use crate::error::{Error, ErrorKind, Result};
use serde::de::IgnoredAny;

/// The deepest nesting of arrays and objects accepted: serde_json's own limit for a parsed
/// value, far beyond any answer of Dinero's, and within what every binding's JSON decoder
/// takes (PHP's binding decodes to depth 512; Python's and Node's recurse).
const MAX_DEPTH: usize = 128;

/// The JSON text of an OK answer's body: `None` when the body is empty or only whitespace
/// (read it as null), the body itself when it is JSON; a Protocol error when it is not.
pub fn json_body(status: u16, body: &[u8]) -> Result<Option<&[u8]>> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    if nesting_exceeds(body, MAX_DEPTH) {
        // Checked here: skipping a value (IgnoredAny) is not depth-limited, and a binding's
        // decoder would fail on it in its own words (RecursionError, RangeError, ...).
        return Err(Error::new(
            ErrorKind::Protocol,
            format!(
                "the answer (HTTP {status}, {} bytes) nests deeper than {MAX_DEPTH} levels",
                body.len()
            ),
        ));
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

/// Whether arrays and objects nest deeper than `max` anywhere in `body` (brackets inside
/// strings do not count). One pass, no allocation.
fn nesting_exceeds(body: &[u8], max: usize) -> bool {
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    for &byte in body {
        if in_string {
            match byte {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match byte {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > max {
                    return true;
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    false
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

    #[test]
    fn a_long_list_of_objects_is_not_taken_for_deep_nesting() {
        // A page of contacts opens and closes far more than 128 brackets, side by side.
        let page = format!("[{}]", vec![r#"{"Name":"Ib","Tags":[]}"#; 1000].join(","));
        assert!(json_body(200, page.as_bytes()).is_ok());
    }

    #[test]
    fn deep_nesting_after_a_string_is_found_too() {
        // Brackets are counted again once a string (with an escaped quote in it) has ended.
        let deep = format!(
            r#"{{"Name":"B\"ib","a":{}{}}}"#,
            "[".repeat(200),
            "]".repeat(200)
        );
        let error = json_body(200, deep.as_bytes()).unwrap_err();
        assert!(error.message().contains("deeper than 128"), "{error:?}");
    }

    #[test]
    fn nesting_deeper_than_the_limit_is_a_protocol_error() {
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        let error = json_body(200, deep.as_bytes()).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Protocol);
        assert!(error.message().contains("deeper than 128"), "{error:?}");
        let at_the_limit = format!("{}{}", "[".repeat(128), "]".repeat(128));
        assert!(json_body(200, at_the_limit.as_bytes()).is_ok());
        // Brackets inside strings, escaped quotes included, are text.
        let text = format!(r#"{{"a":"{}\"{}"}}"#, "[".repeat(500), "{".repeat(500));
        assert!(json_body(200, text.as_bytes()).is_ok());
    }
}
