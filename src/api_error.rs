//! Dinero's error answers, read once for every language: the status, Dinero's error code, its
//! message, the validation errors, the language-specific messages and `errorMessageList`.
//!
//! Dinero's usual error body is
//! `{"code":42,"message":"Validation error","validationErrors":{"Name":"..."},
//! "languageSpecificMessages":[{"property":"Name","message":"..."}],"errorMessageList":[...]}`;
//! other answers are tolerated: IIS's HTML 404, a plain-text 429, an empty body, the OAuth shape
//! (`{"error":"...","error_description":"..."}`). Every piece of server text that goes into a
//! message loses its control characters and is cut short, so a hostile or broken server cannot
//! forge log lines, move a terminal's cursor or flood a message.

use crate::server_text::Redactor;
use serde_json::{Map, Value};

/// The longest piece of server text quoted in a message, in characters.
const MAX_QUOTED_CHARS: usize = 200;
/// The longest whole description, in characters.
const MAX_DESCRIPTION_CHARS: usize = 1000;

/// An HTTP error answer (status >= 400), parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// The HTTP status.
    pub status: u16,
    /// Dinero's error code (42 validation, 58 stale timestamp, ...), when the body has one.
    pub code: Option<i64>,
    /// Dinero's message; else the first line of a plain-text body; else the reason phrase
    /// ("Not Found"); else "HTTP error". Cleaned and cut short.
    pub message: String,
    /// True when `message` came from the body rather than from the status.
    pub message_from_body: bool,
    /// `validationErrors` as (name, message) pairs, in the body's order; a value that is not a
    /// string is given as its JSON text. Cleaned and cut short.
    pub validation_errors: Vec<(String, String)>,
    /// `languageSpecificMessages`, as the body has them (empty when absent).
    pub language_specific_messages: Vec<Value>,
    /// `errorMessageList`, as the body has it (empty when absent).
    pub error_message_list: Vec<Value>,
}

impl ApiError {
    /// Reads an error answer; never fails (an unreadable body leaves only the status).
    pub fn parse(status: u16, body: &[u8]) -> ApiError {
        ApiError::parse_scrubbed(status, body, &Redactor::new())
    }

    /// `parse`, with every form of the secrets `redactor` knows (the token the request
    /// carried, the credentials) taken out of every piece of server text it keeps, before any
    /// of it is cut short: an API that echoes the request's Authorization header into its
    /// error must not put the token into a message, a log or a binding's exception.
    pub fn parse_scrubbed(status: u16, body: &[u8], redactor: &Redactor) -> ApiError {
        let mut error = ApiError {
            status,
            code: None,
            message: String::new(),
            message_from_body: false,
            validation_errors: Vec::new(),
            language_specific_messages: Vec::new(),
            error_message_list: Vec::new(),
        };
        match serde_json::from_slice::<Value>(body) {
            Ok(Value::Object(object)) => error.read_object(&object, redactor),
            Ok(_) => {}
            Err(_) => error.message = plain_text_excerpt(body, redactor),
        }
        error.message_from_body = !error.message.is_empty();
        if error.message.is_empty() {
            error.message = reason_phrase(status).unwrap_or("HTTP error").to_string();
        }
        error
    }

    fn read_object(&mut self, object: &Map<String, Value>, redactor: &Redactor) {
        let quote = |text: &str| quote(&redactor.scrub(text));
        let field = |name: &str| {
            object
                .iter()
                .find(|(key, _)| key.eq_ignore_ascii_case(name))
                .map(|(_, value)| value)
        };
        self.code = match field("code") {
            Some(Value::Number(n)) => n.as_i64(),
            Some(Value::String(s)) => s.trim().parse().ok(),
            _ => None,
        };
        self.message = ["message", "error_description", "error"]
            .iter()
            .find_map(|name| match field(name) {
                Some(Value::String(s)) if !s.trim().is_empty() => Some(quote(s)),
                _ => None,
            })
            .unwrap_or_default();
        if let Some(Value::Object(errors)) = field("validationErrors") {
            self.validation_errors = errors
                .iter()
                .map(|(name, value)| {
                    let text = match value {
                        Value::String(s) => quote(s),
                        other => quote(&other.to_string()),
                    };
                    (quote(name), text)
                })
                .collect();
        }
        let list = |name: &str| match field(name) {
            Some(Value::Array(items)) => {
                items.iter().map(|item| scrubbed(item, redactor)).collect()
            }
            _ => Vec::new(),
        };
        self.language_specific_messages = list("languageSpecificMessages");
        self.error_message_list = list("errorMessageList");
    }

    /// The one sentence every language shows:
    /// `HTTP 400 (Dinero code 42): Validation error [Name: Name is required]`.
    pub fn description(&self) -> String {
        let mut text = format!("HTTP {}", self.status);
        if let Some(code) = self.code {
            text.push_str(&format!(" (Dinero code {code})"));
        }
        text.push_str(": ");
        text.push_str(&self.message);
        // Dinero often repeats its message as validationErrors {"message": "..."}.
        let details: Vec<String> = self
            .validation_errors
            .iter()
            .filter(|(name, value)| !(name == "message" && *value == self.message))
            .map(|(name, value)| format!("{name}: {value}"))
            .collect();
        if !details.is_empty() {
            text.push_str(&format!(" [{}]", details.join("; ")));
        }
        cut(&text, MAX_DESCRIPTION_CHARS)
    }

    /// Everything above as one JSON object, for the bindings (`dinero_response_error_json`):
    /// `{"status", "code" (or null), "message", "message_from_body", "description",
    /// "validation_errors": [{"name", "message"}], "language_specific_messages",
    /// "error_message_list"}`. The keys are ours, in snake_case, so that no binding ever reads
    /// Dinero's own keys (scripts/check-single-source.sh keeps it so).
    pub fn to_json(&self) -> String {
        let validation: Vec<Value> = self
            .validation_errors
            .iter()
            .map(|(name, message)| serde_json::json!({"name": name, "message": message}))
            .collect();
        serde_json::json!({
            "status": self.status,
            "code": self.code,
            "message": self.message,
            "message_from_body": self.message_from_body,
            "description": self.description(),
            "validation_errors": validation,
            "language_specific_messages": self.language_specific_messages,
            "error_message_list": self.error_message_list,
        })
        .to_string()
    }
}

/// Server text made safe to quote: control characters (escape sequences, CR/LF that would forge
/// a log line) and bidirectional overrides become spaces, runs of white space one space, and it
/// is cut short (`server_text::printable_excerpt`, as for every server text we quote).
pub fn quote(text: &str) -> String {
    crate::server_text::printable_excerpt(text, MAX_QUOTED_CHARS)
}

fn cut(text: &str, max_chars: usize) -> String {
    match text.char_indices().nth(max_chars) {
        Some((end, _)) => format!("{}...", &text[..end]),
        None => text.to_string(),
    }
}

/// A JSON value passed on as the server sent it, but for the secrets in its strings.
fn scrubbed(value: &Value, redactor: &Redactor) -> Value {
    match value {
        Value::String(text) => Value::String(redactor.scrub(text)),
        Value::Array(items) => Value::Array(items.iter().map(|v| scrubbed(v, redactor)).collect()),
        Value::Object(object) => Value::Object(
            object
                .iter()
                .map(|(key, v)| (redactor.scrub(key), scrubbed(v, redactor)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// The first line of a text body, unless it is HTML (whose reason phrase says more).
fn plain_text_excerpt(body: &[u8], redactor: &Redactor) -> String {
    let text = String::from_utf8_lossy(body);
    let text = text.trim();
    if text.starts_with('<') {
        return String::new();
    }
    quote(&redactor.scrub(text.lines().next().unwrap_or_default()))
}

fn reason_phrase(status: u16) -> Option<&'static str> {
    http::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dinero_validation_error() {
        let body = br#"{"code":42,"message":"Validation error","validationErrors":{"Name":"Name is required","message":"Validation error"},"languageSpecificMessages":[{"property":"Name","message":"Navn mangler"}],"errorMessageList":[{"Code":42,"Message":"x"}]}"#;
        let error = ApiError::parse(400, body);
        assert_eq!(error.code, Some(42));
        assert_eq!(error.message, "Validation error");
        assert!(error.message_from_body);
        assert_eq!(
            error.description(),
            "HTTP 400 (Dinero code 42): Validation error [Name: Name is required]"
        );
        assert_eq!(error.language_specific_messages.len(), 1);
        assert_eq!(error.error_message_list.len(), 1);
        let json: Value = serde_json::from_str(&error.to_json()).unwrap();
        assert_eq!(json["validation_errors"][0]["name"], "Name");
        assert_eq!(json["code"], 42);
    }

    #[test]
    fn odd_bodies_are_tolerated() {
        let html = ApiError::parse(404, b"<html><body>Not here</body></html>");
        assert_eq!((html.code, html.message.as_str()), (None, "Not Found"));
        assert!(!html.message_from_body);
        assert_eq!(html.description(), "HTTP 404: Not Found");
        let quota = ApiError::parse(
            429,
            b"API calls quota exceeded! maximum admitted 100 per 1m.",
        );
        assert_eq!(
            quota.message,
            "API calls quota exceeded! maximum admitted 100 per 1m."
        );
        assert_eq!(ApiError::parse(503, b"").message, "Service Unavailable");
        assert_eq!(ApiError::parse(599, b"").message, "HTTP error");
        assert_eq!(ApiError::parse(400, br#"["x"]"#).message, "Bad Request");
        let wrapped = ApiError::parse(400, br#"{"code":"58","Message":"Timestamp outdated"}"#);
        assert_eq!(
            (wrapped.code, wrapped.message.as_str()),
            (Some(58), "Timestamp outdated")
        );
        let oauth = ApiError::parse(401, br#"{"error":"invalid_client"}"#);
        assert_eq!(oauth.message, "invalid_client");
    }

    #[test]
    fn server_text_is_cleaned_and_cut() {
        let body = format!(
            r#"{{"message":"evil\u001b[2J\r\nforged log line {}"}}"#,
            "x".repeat(5000)
        );
        let error = ApiError::parse(400, body.as_bytes());
        assert!(
            !error.message.chars().any(char::is_control),
            "{:?}",
            error.message
        );
        assert!(error.message.starts_with("evil [2J forged log line xxx"));
        assert!(error.message.chars().count() <= MAX_QUOTED_CHARS + 3);
        assert!(error.description().chars().count() <= MAX_DESCRIPTION_CHARS + 3);
    }

    #[test]
    fn a_blank_message_gives_way_to_the_oauth_description() {
        // A token endpoint may send a blank "message" beside the OAuth fields: the reason the
        // caller needs is in those, not in the status's reason phrase.
        let error = ApiError::parse(
            400,
            br#"{"message":"  ","error":"invalid_grant","error_description":"The refresh token has expired"}"#,
        );
        assert_eq!(error.message, "The refresh token has expired");
        assert!(error.message_from_body);
    }

    #[test]
    fn only_a_message_entry_that_repeats_the_message_is_left_out_of_the_description() {
        // Dinero's {"message": <its message>} adds nothing, but a field whose error reads like
        // the message, or a "message" entry that says something else, is news to the caller.
        let error = ApiError::parse(
            400,
            br#"{"code":42,"message":"Name is required","validationErrors":{"Name":"Name is required","message":"Too long"}}"#,
        );
        assert_eq!(
            error.description(),
            "HTTP 400 (Dinero code 42): Name is required [Name: Name is required; message: Too long]"
        );
    }

    #[test]
    fn the_lists_are_passed_on_as_sent_but_for_the_secrets_in_them() {
        // The bindings show languageSpecificMessages (the Danish text for the user) and
        // errorMessageList as Dinero sent them: numbers, nesting and keys kept, only the
        // secrets the request carried taken out of their strings and keys.
        let mut redactor = Redactor::new();
        redactor.add_secret("not-a-real-token-1");
        let body = br#"{"languageSpecificMessages":[{"property":"Name","message":"Navn mangler"}],"errorMessageList":[{"Code":42,"Message":"bad not-a-real-token-1","Nested":[1.5,null,true],"not-a-real-token-1":"key"}]}"#;
        let error = ApiError::parse_scrubbed(400, body, &redactor);
        assert_eq!(
            error.language_specific_messages,
            [serde_json::json!({"property": "Name", "message": "Navn mangler"})]
        );
        assert_eq!(
            error.error_message_list,
            [serde_json::json!({
                "Code": 42,
                "Message": "bad [redacted]",
                "Nested": [1.5, null, true],
                "[redacted]": "key"
            })]
        );
    }
}
