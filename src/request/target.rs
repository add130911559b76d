//! Checks what a caller asks to send before anything leaves the process: the method, and the
//! path that is appended to `api_url` (with `{organizationId}` filled in). A path that could
//! smuggle a header or a second request (CR, LF, NUL, spaces) is refused, never "cleaned".

use crate::error::{Error, Result};
use crate::transport::Repeat;

pub const ORGANIZATION_PLACEHOLDER: &str = "{organizationId}";

const METHODS: &[&str] = &["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"];

/// The method in upper case, if it is one the library sends.
pub fn validate_method(method: &str) -> Result<&'static str> {
    METHODS
        .iter()
        .find(|m| m.eq_ignore_ascii_case(method))
        .copied()
        .ok_or_else(|| {
            let shown: String = method
                .chars()
                .filter(|c| !c.is_control())
                .take(32)
                .collect();
            Error::invalid(format!(
                "unsupported HTTP method '{shown}' (expected one of {})",
                METHODS.join(", ")
            ))
        })
}

/// When a request with this method and body may be sent again (see `Repeat`). A PUT is
/// conditional at Dinero only when it carries the entity's Timestamp (an invoice's, a credit
/// note's); a contact's or product's takes none, so sent twice it replaces the entity twice
/// with the same thing. A DELETE sent twice finds the entity deleted (code 65) either way.
pub fn repeat_rule(method: &str, body: Option<&[u8]>) -> Repeat {
    match method {
        "GET" | "HEAD" | "OPTIONS" => Repeat::Always,
        "PUT" if !body.is_some_and(names_a_timestamp) => Repeat::Always,
        "PUT" | "DELETE" => Repeat::UnlessActedOn,
        _ => Repeat::Never,
    }
}

/// Whether a JSON body names a `Timestamp` (in any case, anywhere: a false alarm only makes a
/// retry less likely).
fn names_a_timestamp(body: &[u8]) -> bool {
    body.windows(11)
        .any(|w| w.eq_ignore_ascii_case(b"\"timestamp\""))
}

/// Turns a caller's path into the absolute URL to request.
///
/// The path must start with `/`. `{organizationId}` is replaced by the organization id option.
/// Characters a URL cannot carry literally (non-ASCII text such as "Børge" in a `queryFilter`,
/// quotes, braces) are percent-encoded; `%` sequences the caller wrote are kept as they are.
///
/// It runs for every request (and `check_path` once more, when the request is described), so
/// it makes one pass over the path and no copy of it.
pub fn build_url(api_url: &str, path: &str, organization_id: Option<&str>) -> Result<String> {
    check_path(path)?;
    let mut url = String::with_capacity(api_url.len() + path.len() + 16);
    url.push_str(api_url);
    let mut rest = path;
    while let Some(at) = placeholder_in(rest) {
        let id = organization_id.ok_or_else(|| {
            Error::invalid(
                "the path uses {organizationId} but no organization is chosen: set the \
                 organization_id option, or give this request an organization_id \
                 (GET /v1/organizations lists those the token reaches)",
            )
        })?;
        push_encoded(&mut url, &rest[..at]);
        push_encoded(&mut url, id);
        rest = &rest[at + ORGANIZATION_PLACEHOLDER.len()..];
    }
    push_encoded(&mut url, rest);
    Ok(url)
}

/// Refuses a path that must not be sent (see `build_url`), without building anything.
pub fn check_path(path: &str) -> Result<()> {
    if !path.starts_with('/') {
        return Err(Error::invalid(
            "the path must start with '/' (e.g. \"/v1/{organizationId}/contacts\")",
        ));
    }
    if let Some(bad) = first_control_or_space(path) {
        let what = match bad {
            '\r' => "a carriage return (CR)",
            '\n' => "a line feed (LF)",
            '\0' => "a NUL character",
            ' ' => "a space (encode it as %20)",
            _ => "a control or whitespace character",
        };
        return Err(Error::invalid(format!(
            "the path contains {what}; nothing was sent"
        )));
    }
    if path.contains('#') {
        return Err(Error::invalid("the path must not contain a fragment ('#')"));
    }
    if climbs(path) {
        return Err(Error::invalid(
            "the path must not contain '.' or '..' segments, nor a backslash or an encoded \
             slash (the server would resolve them: /v1/1/contacts/../../2 is organization 2's); \
             nothing was sent",
        ));
    }
    Ok(())
}

/// The first control or whitespace character. In ASCII, which nearly every path is, those are
/// exactly the bytes up to the space and DEL, judged without decoding characters.
fn first_control_or_space(path: &str) -> Option<char> {
    if path.is_ascii() {
        return path
            .bytes()
            .find(|b| *b <= b' ' || *b == 0x7f)
            .map(char::from);
    }
    path.chars().find(|c| c.is_control() || c.is_whitespace())
}

/// Where the first `{organizationId}` starts (found by its `{`, which few paths hold at all).
fn placeholder_in(text: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(found) = text[from..].find('{') {
        let at = from + found;
        if text[at..].starts_with(ORGANIZATION_PLACEHOLDER) {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

/// Appends `text`, percent-encoding each byte a URL cannot carry literally.
fn push_encoded(url: &mut String, text: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for byte in text.bytes() {
        if ALLOWED_IN_URL[usize::from(byte)] {
            url.push(char::from(byte));
        } else {
            url.push('%');
            url.push(char::from(HEX[usize::from(byte >> 4)]));
            url.push(char::from(HEX[usize::from(byte & 0x0f)]));
        }
    }
}

/// Whether the path part (before any `?`) holds what a server resolves into another path: a
/// `.` or `..` segment, plain or percent-encoded (`%2e%2e`), or a slash in another guise (a
/// backslash, which IIS takes for one, or `%2F` / `%5C`). Dinero's paths have none of them, and
/// a caller appending an untrusted id must not be led out of the organization it chose.
fn climbs(path: &str) -> bool {
    let path = path.split('?').next().unwrap_or("");
    // Most paths hold none of the three: they are judged without decoding a copy.
    if !path.bytes().any(|b| matches!(b, b'.' | b'%' | b'\\')) {
        return false;
    }
    let decoded = percent_encoding::percent_decode_str(path).collect::<Vec<u8>>();
    let encoded_slash = decoded.iter().filter(|b| **b == b'/').count()
        != path.bytes().filter(|b| *b == b'/').count();
    encoded_slash
        || decoded.contains(&b'\\')
        || decoded
            .split(|b| *b == b'/')
            .any(|segment| segment == b"." || segment == b"..")
}

/// The punctuation RFC 3986 lets a URL carry as it is (unreserved and reserved), plus `%` for
/// what the caller already encoded; letters and digits go unencoded too.
const URL_PUNCTUATION: &[u8] = b"-._~:/?[]@!$&'()*+,;=%";

/// Which bytes go into a URL unencoded: a table indexed by byte, so that each byte of a path
/// costs one lookup.
const ALLOWED_IN_URL: [bool; 256] = {
    let mut table = [false; 256];
    let mut byte = 0;
    while byte < 256 {
        let c = byte as u8;
        table[byte] = c.is_ascii_alphanumeric();
        byte += 1;
    }
    let mut i = 0;
    while i < URL_PUNCTUATION.len() {
        table[URL_PUNCTUATION[i] as usize] = true;
        i += 1;
    }
    table
};

#[cfg(test)]
mod tests {
    use super::*;

    const API: &str = "https://api.dinero.dk";

    #[test]
    fn methods_are_normalized_or_refused() {
        assert_eq!(validate_method("get").unwrap(), "GET");
        assert_eq!(validate_method("Delete").unwrap(), "DELETE");
        for bad in ["", "FETCH", "GET ", "G\r\nET", "GET\0"] {
            let err = validate_method(bad).unwrap_err();
            assert!(err.message().contains("unsupported HTTP method"), "{bad:?}");
            assert!(!err.message().contains('\r'));
        }
    }

    #[test]
    fn a_refused_method_is_named_in_the_message_without_its_control_characters() {
        // The caller learns which method was wrong ("BREW"), and a CR or LF in it cannot
        // split the log line the message lands in.
        let err = validate_method("BREW").unwrap_err();
        assert!(err.message().contains("'BREW'"), "{err}");
        let err = validate_method("G\r\nET").unwrap_err();
        assert!(err.message().contains("'GET'"), "{err}");
    }

    #[test]
    fn a_put_or_delete_is_repeated_less_freely_than_a_get_and_a_post_least() {
        let stamped = Some(br#"{"Description":"x","TimeStamp":"0000000000000A01"}"#.as_slice());
        let plain = Some(br#"{"Name":"Ib","CountryKey":"DK"}"#.as_slice());
        assert_eq!(repeat_rule("GET", None), Repeat::Always);
        assert_eq!(repeat_rule("PUT", stamped), Repeat::UnlessActedOn);
        assert_eq!(
            repeat_rule("PUT", plain),
            Repeat::Always,
            "a contact's, a product's"
        );
        assert_eq!(repeat_rule("DELETE", None), Repeat::UnlessActedOn);
        assert_eq!(repeat_rule("DELETE", stamped), Repeat::UnlessActedOn);
        assert_eq!(repeat_rule("POST", plain), Repeat::Never);
        assert_eq!(repeat_rule("PATCH", None), Repeat::Never);
    }

    #[test]
    fn organization_placeholder_is_filled() {
        let url = build_url(API, "/v1/{organizationId}/contacts?page=0", Some("424242")).unwrap();
        assert_eq!(url, "https://api.dinero.dk/v1/424242/contacts?page=0");
        let err = build_url(API, "/v1/{organizationId}/contacts", None).unwrap_err();
        assert!(err.message().contains("organization_id"));
    }

    #[test]
    fn injection_characters_are_refused() {
        for (path, word) in [
            ("/v1/x\r\nHost: evil", "carriage return"),
            ("/v1/x\nX: y", "line feed"),
            ("/v1/x\0", "NUL"),
            ("/v1/x y", "space"),
            ("/v1/x\ty", "control"),
            ("v1/x", "must start with '/'"),
            ("", "must start with '/'"),
            ("/v1/x#frag", "fragment"),
            ("/v1/1/contacts/../../2/contacts", "'..' segments"),
            ("/v1/1/contacts/%2e%2E/%2E./2/contacts", "'..' segments"),
            ("/v1/1/./contacts", "'..' segments"),
            ("/v1/1/contacts\\..\\2", "backslash"),
            ("/v1/1/contacts%2F..%2f2", "encoded"),
            ("/v1/1/contacts%5c2", "backslash"),
        ] {
            let err = build_url(API, path, Some("1")).unwrap_err();
            assert!(err.message().contains(word), "{path:?}: {err}");
        }
    }

    #[test]
    fn whitespace_and_controls_outside_ascii_are_refused_too() {
        // DEL in ASCII; beyond it a no-break space, a C1 "next line" and a line separator, which
        // some servers and proxies take for a line break or a gap.
        for path in [
            "/v1/1/x\u{7f}",
            "/v1/1/x\u{a0}y",
            "/v1/1/x\u{85}y",
            "/v1/1/Ø\u{2028}",
        ] {
            let err = build_url(API, path, Some("1")).unwrap_err();
            assert!(
                err.message().contains("control or whitespace"),
                "{path:?}: {err}"
            );
        }
    }

    #[test]
    fn every_placeholder_is_filled_and_other_braces_are_encoded() {
        let url = build_url(
            API,
            "/v1/{organizationId}/x?a={b}&o={organizationId}",
            Some("7"),
        );
        assert_eq!(url.unwrap(), "https://api.dinero.dk/v1/7/x?a=%7Bb%7D&o=7");
        let url = build_url(API, "/v1/{organizationId", Some("7")).unwrap();
        assert_eq!(url, "https://api.dinero.dk/v1/%7BorganizationId");
        // The id is encoded like the rest of the path.
        let url = build_url(API, "/v1/{organizationId}/x", Some("1 2")).unwrap();
        assert_eq!(url, "https://api.dinero.dk/v1/1%202/x");
    }

    #[test]
    fn exactly_the_rfc_3986_characters_and_percent_go_unencoded() {
        // The set written out again, independently of URL_PUNCTUATION: a slip in either shows.
        for byte in 0..=255u8 {
            let expected =
                byte.is_ascii_alphanumeric() || b"-._~:/?[]@!$&'()*+,;=%".contains(&byte);
            assert_eq!(ALLOWED_IN_URL[usize::from(byte)], expected, "byte {byte}");
        }
    }

    #[test]
    fn a_space_in_the_path_is_refused_with_the_encoding_to_use_instead() {
        // The commonest mistake (a queryFilter written as text): the message says how to fix it.
        let err = build_url(API, "/v1/1/contacts?queryFilter=Name eq 'x'", None).unwrap_err();
        assert!(
            err.message().contains("a space (encode it as %20)"),
            "{err}"
        );
    }

    #[test]
    fn dots_inside_segments_and_in_the_query_are_left_alone() {
        for path in [
            "/v1/1/contacts?queryFilter=Name eq '..'",
            "/v1/1/files/a.b..c",
            "/v1/1/contacts?x=../..",
            "/v1.2/1/invoices",
        ] {
            let path = path.replace(' ', "%20");
            assert!(build_url(API, &path, None).is_ok(), "{path}");
        }
    }

    #[test]
    fn text_outside_ascii_is_percent_encoded() {
        let url = build_url(API, "/v1/1/contacts?queryFilter=Name%20eq%20'Børge'", None).unwrap();
        assert_eq!(
            url,
            "https://api.dinero.dk/v1/1/contacts?queryFilter=Name%20eq%20'B%C3%B8rge'"
        );
        let url = build_url(API, "/v1/1/x?a={b}", None).unwrap();
        assert_eq!(url, "https://api.dinero.dk/v1/1/x?a=%7Bb%7D");
    }
}
