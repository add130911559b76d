//! One HTTP answer, whatever its status: the status code, the headers, and the whole body.

/// A complete HTTP response. Header names are kept lower-case; repeated headers are joined
/// with ", " (as HTTP allows for all but Set-Cookie, which Dinero's API does not use).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    /// The request this answers, as the caller described it (see `request`).
    request: String,
    /// An error answer read by the client that received it, with its secrets scrubbed
    /// (`scrubbing_error`); None for an OK answer or one made elsewhere.
    error: Option<crate::api_error::ApiError>,
}

impl Response {
    pub fn new(status: u16, raw_headers: Vec<(String, String)>, body: Vec<u8>) -> Self {
        let mut headers: Vec<(String, String)> = Vec::with_capacity(raw_headers.len());
        for (name, value) in raw_headers {
            let name = name.to_ascii_lowercase();
            match headers.iter_mut().find(|(n, _)| *n == name) {
                Some((_, existing)) => {
                    existing.push_str(", ");
                    existing.push_str(&value);
                }
                None => headers.push((name, value)),
            }
        }
        Response {
            status,
            headers,
            body,
            request: String::new(),
            error: None,
        }
    }

    /// This answer, marked as the answer to `request` (method, path and query, see `request`).
    pub(crate) fn answering(mut self, method: &str, path_and_query: &str) -> Self {
        let mut request = String::with_capacity(method.len() + 1 + path_and_query.len());
        request.push_str(method);
        request.push(' ');
        request.push_str(path_and_query);
        self.request = request;
        self
    }

    /// This answer with its error (if it is one) read now, every form of the secrets
    /// `redactor` knows taken out of the text quoted from it (see `ApiError::parse_scrubbed`).
    pub(crate) fn scrubbing_error(mut self, redactor: &crate::server_text::Redactor) -> Self {
        if !self.is_ok() {
            let error =
                crate::api_error::ApiError::parse_scrubbed(self.status, &self.body, redactor);
            self.error = Some(error);
        }
        self
    }

    /// The request this answers, for messages: the method, then the path as the caller wrote
    /// it (`{organizationId}` left as it is) with the query parameters as sent, percent-encoded
    /// (`GET /v1/{organizationId}/contacts?page=0&pageSize=1000`). Empty for an answer that
    /// was not sent by a `Client`.
    pub fn request(&self) -> &str {
        &self.request
    }

    pub fn status(&self) -> u16 {
        self.status
    }

    /// The value of a header, looked up without regard to case.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// All headers, names lower-case, in the order they first arrived.
    pub fn headers(&self) -> &[(String, String)] {
        &self.headers
    }

    /// All headers as one JSON object, names lower-case, in the order they first arrived.
    pub fn headers_json(&self) -> String {
        headers_json(self.headers.iter().map(|(n, v)| (n.as_str(), v.as_str())))
    }

    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// Overwrites the body before it is freed (it held a secret: the token endpoint's answer).
    pub(crate) fn wipe_body(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.body);
    }

    /// Whether the answer is OK: any status below 400. This is the one rule for every caller
    /// (Rust, C and the bindings): 400 and above is an error answer, whose body is Dinero's
    /// error description (`api_error`); libdinero follows no redirects, so a 3xx arrives as it
    /// is and is not an error.
    pub fn is_ok(&self) -> bool {
        self.status < 400
    }

    /// For a redirect (3xx), which libdinero does not follow, what it was, for a message:
    /// `HTTP 307, a redirect to https://host/…`. Only the target's origin is shown: the rest
    /// of a URL a server chose may hold anything. Dinero's API never redirects: a proxy or a
    /// wrong api_url does.
    pub fn redirect(&self) -> Option<String> {
        if !(300..400).contains(&self.status) {
            return None;
        }
        let to = self
            .header("location")
            .and_then(crate::server_text::url_origin);
        Some(format!(
            "HTTP {}, a redirect{}",
            self.status,
            to.map_or(String::new(), |origin| format!(" to {origin}"))
        ))
    }

    /// Dinero's error answer, parsed, when the answer is not OK (`is_ok`); None otherwise. For
    /// an answer a `Client` received, the token the request carried and the client's
    /// credentials never appear in it, in any form a server might echo them in.
    pub fn api_error(&self) -> Option<crate::api_error::ApiError> {
        if let Some(error) = &self.error {
            return Some(error.clone());
        }
        (!self.is_ok()).then(|| crate::api_error::ApiError::parse(self.status, &self.body))
    }

    pub fn into_parts(self) -> (u16, Vec<(String, String)>, Vec<u8>) {
        let (status, headers, body, _) = self.into_all_parts();
        (status, headers, body)
    }

    /// `into_parts` and the request it answers (see `request`).
    pub(crate) fn into_all_parts(self) -> (u16, Vec<(String, String)>, Vec<u8>, String) {
        (self.status, self.headers, self.body, self.request)
    }

    /// The same answer with another body (a page re-read from the whole answer), for the
    /// same request.
    pub(crate) fn with_body(self, body: Vec<u8>) -> Self {
        Response { body, ..self }
    }
}

/// Name/value pairs as one JSON object, in their order (serde_json's own map would sort them).
/// The names are expected to be distinct, as `Response` keeps them.
pub fn headers_json<'a>(pairs: impl Iterator<Item = (&'a str, &'a str)>) -> String {
    let members: Vec<String> = pairs
        .map(|(name, value)| {
            format!(
                "{}:{}",
                serde_json::Value::from(name),
                serde_json::Value::from(value)
            )
        })
        .collect();
    format!("{{{}}}", members.join(","))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_lookup_ignores_case_and_joins_repeats() {
        let r = Response::new(
            200,
            vec![
                ("Content-Type".into(), "application/json".into()),
                ("Vary".into(), "Accept".into()),
                ("vary".into(), "Origin".into()),
            ],
            b"{}".to_vec(),
        );
        assert_eq!(r.header("content-type"), Some("application/json"));
        assert_eq!(r.header("CONTENT-TYPE"), Some("application/json"));
        assert_eq!(r.header("vary"), Some("Accept, Origin"));
        assert_eq!(r.header("retry-after"), None);
        assert_eq!(r.headers().len(), 2);
    }

    #[test]
    fn headers_json_keeps_arrival_order_and_escapes() {
        let r = Response::new(
            200,
            vec![
                ("X-Zeta".into(), "1".into()),
                ("Content-Type".into(), "text/plain; q=\"a\"".into()),
                ("x-zeta".into(), "2".into()),
                ("X-Note".into(), "ø\\".into()),
            ],
            Vec::new(),
        );
        let json = r.headers_json();
        assert_eq!(
            json,
            r#"{"x-zeta":"1, 2","content-type":"text/plain; q=\"a\"","x-note":"ø\\"}"#
        );
        let parsed: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(parsed["content-type"], "text/plain; q=\"a\"");
        let empty = Response::new(204, Vec::new(), Vec::new());
        assert_eq!(empty.headers_json(), "{}");
    }
}
