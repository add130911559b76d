//! A request beyond JSON: custom headers, query parameters encoded for the caller, and a body
//! of any bytes with its content type. `Client::request` is the short path built on it.

use crate::error::{Error, Result};
use crate::request::target::validate_method;

/// Headers the library owns: authentication, and the framing ureq derives from the body.
const RESERVED_HEADERS: &[&str] = &[
    "authorization",
    "host",
    "content-length",
    "transfer-encoding",
    "connection",
];

/// The most headers a caller may set on one request besides Content-Type (which a body sets).
/// Dinero needs a handful (Accept, an If-Match, a correlation id); a hundred leaves ample room
/// and keeps each `header()` call's search for a header of the same name short, so no number
/// of calls costs more than linear time. (Servers have limits of their own: Kestrel, Apache and
/// the sandbox take 100 fields in all, the library's Host, User-Agent, ... included.)
pub(crate) const MAX_HEADERS: usize = 100;

/// The longest header, name and value together: the limit the text options share.
pub(crate) const MAX_HEADER_BYTES: usize = crate::config::MAX_HEADER_TEXT_BYTES;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestBuilder {
    pub(crate) method: &'static str,
    pub(crate) path: String,
    pub(crate) query: Vec<(String, String)>,
    /// Lower-case names; at most one of each, and at most `MAX_HEADERS` besides Content-Type.
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Option<Vec<u8>>,
    /// Fills `{organizationId}` for this request instead of the client's `organization_id`
    /// (a Visma Connect user may reach several organizations).
    pub(crate) organization_id: Option<String>,
}

impl RequestBuilder {
    /// A request for `path` (relative to `api_url`, checked when it is sent).
    pub fn new(method: &str, path: &str) -> Result<Self> {
        let method = validate_method(method)?;
        // The full check (CR/LF, spaces, placeholder) runs again on the final URL when sent;
        // refusing the obvious here makes the error appear where the mistake was made.
        crate::request::target::check_path(path)?;
        Ok(RequestBuilder {
            method,
            path: path.to_string(),
            query: Vec::new(),
            headers: Vec::new(),
            body: None,
            organization_id: None,
        })
    }

    /// Sets a header, replacing one of the same name. Names must be HTTP tokens, values must
    /// not hold CR, LF, NUL or any other control character but a tab, and the headers the
    /// library manages cannot be set. A header longer than `MAX_HEADER_BYTES` (name and value)
    /// or beyond the `MAX_HEADERS`th is refused; messages never quote the value.
    pub fn header(&mut self, name: &str, value: &str) -> Result<()> {
        let valid_name = !name.is_empty()
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b));
        if !valid_name {
            return Err(Error::invalid(format!(
                "'{}' is not a valid header name",
                name.chars()
                    .filter(|c| !c.is_control())
                    .take(40)
                    .collect::<String>()
            )));
        }
        // A valid name is a token (no control characters), but it may be long: show its start.
        let shown: String = name.chars().take(64).collect();
        let lower = name.to_ascii_lowercase();
        if RESERVED_HEADERS.contains(&lower.as_str()) {
            return Err(Error::invalid(format!(
                "the {name} header is set by libdinero and cannot be overridden"
            )));
        }
        if name.len() + value.len() > MAX_HEADER_BYTES {
            return Err(Error::invalid(format!(
                "the {shown} header is too long: {} bytes with its name, at most {MAX_HEADER_BYTES}",
                name.len() + value.len()
            )));
        }
        if value.chars().any(|c| matches!(c, '\r' | '\n' | '\0')) {
            return Err(Error::invalid(format!(
                "the value of the {shown} header contains CR, LF or NUL"
            )));
        }
        // The rule the request is sent under, applied now: a bad value is refused where it was
        // set, not later in a send that would report it far from the mistake.
        // HeaderValue takes any byte from 0x80 on, C1 controls (U+0080 to U+009F, such as CSI)
        // among them: the header's doc promises no control character but a tab.
        if ureq::http::HeaderValue::from_str(value).is_err()
            || value.chars().any(|c| c.is_control() && c != '\t')
        {
            return Err(Error::invalid(format!(
                "the value of the {shown} header contains a control character"
            )));
        }
        // At most MAX_HEADERS + 1 entries to look through: linear in the number of calls.
        if let Some(slot) = self.headers.iter_mut().find(|(n, _)| *n == lower) {
            slot.1 = value.to_string();
            return Ok(());
        }
        let counted = self
            .headers
            .iter()
            .filter(|(n, _)| n != "content-type")
            .count();
        if lower != "content-type" && counted >= MAX_HEADERS {
            return Err(Error::invalid(format!(
                "too many headers: the {shown} header would be one more than the \
                 {MAX_HEADERS} a request may carry (besides Content-Type)"
            )));
        }
        self.headers.push((lower, value.to_string()));
        Ok(())
    }

    /// Adds a query parameter; both parts are percent-encoded here.
    pub fn query(&mut self, key: &str, value: &str) {
        self.query.push((key.to_string(), value.to_string()));
    }

    /// A copy of a caller's body, its memory reserved first: a length the process cannot hold
    /// is the caller's error, not an abort of the host.
    pub fn owned_body(bytes: &[u8]) -> Result<Vec<u8>> {
        let mut copy = Vec::new();
        copy.try_reserve_exact(bytes.len()).map_err(|_| {
            Error::invalid(format!(
                "a body of {} bytes cannot be held in memory",
                bytes.len()
            ))
        })?;
        copy.extend_from_slice(bytes);
        Ok(copy)
    }

    /// Sets the body and its Content-Type.
    pub fn body(&mut self, bytes: Vec<u8>, content_type: &str) -> Result<()> {
        self.header("content-type", content_type)?;
        self.body = Some(bytes);
        Ok(())
    }

    /// The path with the query parameters appended.
    pub(crate) fn path_and_query(&self) -> String {
        let mut target = self.path.clone();
        for (i, (key, value)) in self.query.iter().enumerate() {
            let first = i == 0 && !self.path.contains('?');
            target.push(if first { '?' } else { '&' });
            target.push_str(&percent_encode(key));
            target.push('=');
            target.push_str(&percent_encode(value));
        }
        target
    }
}

/// RFC 3986 percent-encoding of everything but the unreserved characters (so a space is %20,
/// never '+', which Dinero's filters would take literally).
pub fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_parameters_are_encoded_and_joined() {
        let mut r = RequestBuilder::new("get", "/v1/{organizationId}/contacts").unwrap();
        r.query("queryFilter", "Name eq 'Børge'");
        r.query("page", "0");
        assert_eq!(r.method, "GET");
        assert_eq!(
            r.path_and_query(),
            "/v1/{organizationId}/contacts?queryFilter=Name%20eq%20%27B%C3%B8rge%27&page=0"
        );
        let mut r = RequestBuilder::new("GET", "/x?a=1").unwrap();
        r.query("b", "&=");
        assert_eq!(r.path_and_query(), "/x?a=1&b=%26%3D");
    }

    #[test]
    fn headers_are_validated_and_replaced() {
        let mut r = RequestBuilder::new("GET", "/x").unwrap();
        r.header("Accept", "application/octet-stream").unwrap();
        r.header("accept", "application/pdf").unwrap();
        assert_eq!(
            r.headers,
            vec![("accept".to_string(), "application/pdf".to_string())]
        );
        for (name, value, words) in [
            ("Authorization", "Bearer x", "set by libdinero"),
            ("content-length", "5", "set by libdinero"),
            ("X-Evil", "a\r\nHost: b", "CR, LF or NUL"),
            ("X-Bell", "a\u{7}b", "control character"),
            ("X-Escape", "\u{1b}[2J", "control character"),
            ("X-Delete", "a\u{7f}", "control character"),
            ("X-Csi", "a\u{9b}2J", "control character"),
            ("X-Next-Line", "a\u{85}b", "control character"),
            ("Bad Name", "x", "not a valid header name"),
            ("", "x", "not a valid header name"),
        ] {
            let err = r.header(name, value).unwrap_err();
            assert!(err.message().contains(words), "{name}: {err}");
        }
    }

    #[test]
    fn at_most_max_headers_besides_content_type() {
        let mut r = RequestBuilder::new("POST", "/x").unwrap();
        for i in 0..MAX_HEADERS {
            r.header(&format!("X-H-{i}"), "v").unwrap();
        }
        // Replacing one already set, and the body's Content-Type, are still allowed.
        r.header("x-h-0", "w").unwrap();
        r.body(b"{}".to_vec(), "application/json").unwrap();
        let err = r.header("X-One-Too-Many", "v").unwrap_err();
        assert_eq!(err.kind(), crate::error::ErrorKind::InvalidArgument);
        assert!(err.message().contains("too many headers"), "{err}");
        assert!(err.message().contains("X-One-Too-Many"), "{err}");
        assert_eq!(r.headers.len(), MAX_HEADERS + 1);
        assert_eq!(r.headers[0], ("x-h-0".to_string(), "w".to_string()));
    }

    #[test]
    fn long_headers_are_refused_without_quoting_the_value() {
        let mut r = RequestBuilder::new("GET", "/x").unwrap();
        let name = "X-Token";
        r.header(name, &"v".repeat(MAX_HEADER_BYTES - name.len()))
            .unwrap();
        let secret = "s".repeat(MAX_HEADER_BYTES);
        let err = r.header(name, &secret).unwrap_err();
        assert_eq!(err.kind(), crate::error::ErrorKind::InvalidArgument);
        assert!(
            err.message().contains("X-Token header is too long"),
            "{err}"
        );
        assert!(!err.message().contains("sss"), "{err}");
        let long_name = "N".repeat(MAX_HEADER_BYTES + 1);
        let err = r.header(&long_name, "v").unwrap_err();
        assert!(err.message().len() < 200, "{err}");
    }

    #[test]
    fn bad_methods_and_paths_fail_at_once() {
        assert!(RequestBuilder::new("FETCH", "/x").is_err());
        assert!(RequestBuilder::new("GET", "/x\r\n").is_err());
        assert!(RequestBuilder::new("GET", "x").is_err());
    }
}
