//! A token endpoint that echoes the request back (a debug page, a misconfigured gateway): the
//! credentials are in that request, and nothing of them may reach an error or a log line, in
//! any encoding, whole or in part. Server text must also arrive printable and short.

mod common;
use base64::Engine;
use common::*;
use dinero::ffi::log::DINERO_LOG_DEBUG;
use serde_json::json;

/// Secrets with characters that every encoding changes: space, '/', '&', '+', '"', non-ASCII.
const CLIENT_SECRET: &str = "echo sécret/+&\"9f4c2e";
const API_KEY: &str = "echo key&=+/7d1b0a \u{e6}";

/// Every shape of the sandbox's echo fault.
const ECHO_SHAPES: [&str; 6] = [
    "raw",
    "json",
    "decoded",
    "percent",
    "authorization",
    "base64",
];

fn echoing_sandbox() -> Sandbox {
    sandbox_with(|c| {
        c.client_secret = CLIENT_SECRET.into();
        c.api_key = API_KEY.into();
    })
}

/// Each secret in the forms a request or a server puts it in, written out here independently
/// of the library's own list.
fn encoded_forms(client_id: &str) -> Vec<String> {
    let mut forms = Vec::new();
    for secret in [CLIENT_SECRET, API_KEY] {
        let form: String = form_urlencoded::byte_serialize(secret.as_bytes()).collect();
        let percent: String = secret
            .bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                    (b as char).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect();
        let json = serde_json::to_string(secret).unwrap();
        forms.extend([
            secret.to_string(),
            form,
            percent,
            json[1..json.len() - 1].to_string(),
        ]);
    }
    let basic =
        base64::engine::general_purpose::STANDARD.encode(format!("{client_id}:{CLIENT_SECRET}"));
    // The whole header value, base64-encoded again by the "base64" echo.
    forms.push(base64::engine::general_purpose::STANDARD.encode(format!("Basic {basic}")));
    forms.push(basic);
    forms
}

/// Fails if `text` holds any 8 consecutive characters of any form of a secret: a secret cut in
/// half by a length limit is still a leak.
fn assert_no_part_of_a_secret(text: &str, forms: &[String], what: &str) {
    for form in forms {
        let chars: Vec<char> = form.chars().collect();
        for window in chars.windows(8) {
            let piece: String = window.iter().collect();
            assert!(
                !text.contains(&piece),
                "{what}: holds {piece:?} of {form:?}: {text}"
            );
        }
    }
}

fn assert_printable_and_short(text: &str, what: &str) {
    assert!(!text.chars().any(char::is_control), "{what}: {text:?}");
    assert!(text.chars().count() < 400, "{what}: {} chars", text.len());
}

#[test]
fn an_echoing_token_endpoint_leaks_nothing_into_errors() {
    let sb = echoing_sandbox();
    let forms = encoded_forms(&sb.config().client_id);
    for shape in ECHO_SHAPES {
        for status in [400, 401, 403, 500, 502] {
            inject(
                &sb,
                json!({"kind": "echo", "target": "token", "status": status, "shape": shape, "count": 10}),
            );
            let err = Client::to_with(&sb, &[("max_retries", "1")])
                .err()
                .expect("an echo is no token");
            let what = format!("{shape} {status}");
            assert_no_part_of_a_secret(&err.message, &forms, &what);
            assert_printable_and_short(&err.message, &what);
            sb.clear_faults();
        }
    }
}

#[test]
fn an_echoing_token_endpoint_leaks_nothing_into_log_lines() {
    let sb = echoing_sandbox();
    let forms = encoded_forms(&sb.config().client_id);
    let lines = LogLines::default();
    let client = Client::logging_to(&sb, &lines, DINERO_LOG_DEBUG, &[("max_retries", "1")]);
    for shape in ECHO_SHAPES {
        sb.revoke_tokens();
        inject(
            &sb,
            json!({"kind": "echo", "target": "token", "status": 502, "shape": shape, "count": 10}),
        );
        let err = client
            .request("GET", "/v1/organizations", None)
            .err()
            .expect("the token could not be replaced");
        assert_no_part_of_a_secret(&err.message, &forms, shape);
        sb.clear_faults();
    }
    let all = lines.lock().unwrap().clone();
    assert!(
        all.iter().any(|(_, l)| l.contains("token refresh failed")),
        "{all:#?}"
    );
    for (_, line) in &all {
        assert_no_part_of_a_secret(line, &forms, "log line");
        assert_printable_and_short(line, "log line");
    }
}

#[test]
fn control_characters_and_floods_from_the_token_endpoint_are_neutralised() {
    let sb = sandbox();
    let forged = "\u{1b}]0;owned\u{7}\u{1b}[2J\r\n2024-01-01 00:00:00 INFO login ok for admin";
    let flood = "x".repeat(5000);
    for (status, body) in [
        (400, json!({"error": forged}).to_string()),
        (
            400,
            json!({"message": format!("{{\"error\":\"{forged}\"}}")}).to_string(),
        ),
        (400, json!({"error": flood}).to_string()),
        (500, format!("{forged}{flood}")),
        (401, format!("<html>{flood}</html>")),
    ] {
        inject(
            &sb,
            json!({"kind": "status", "target": "token", "status": status, "body": body, "count": 10}),
        );
        let err = Client::to_with(&sb, &[("max_retries", "0")])
            .err()
            .expect("refused");
        assert_printable_and_short(&err.message, &body[..40]);
        sb.clear_faults();
    }
}

/// The token's forms, written out here: as sent in the header, and percent-encoded.
fn token_forms(token: &str) -> Vec<String> {
    let percent: String = form_urlencoded::byte_serialize(token.as_bytes()).collect();
    let header = base64::engine::general_purpose::STANDARD.encode(format!("Bearer {token}"));
    vec![
        token.to_string(),
        format!("Bearer {token}"),
        percent,
        header,
    ]
}

#[test]
fn an_api_answer_that_echoes_the_request_leaks_no_token_into_the_error() {
    let sb = echoing_sandbox();
    let client = Client::to_with(&sb, &[("max_retries", "0")]).unwrap();
    let token = client.access_token().unwrap();
    let mut forms = encoded_forms(&sb.config().client_id);
    forms.extend(token_forms(&token));
    // ("decoded" quotes a token request's form fields: an API request has none.)
    let header = base64::engine::general_purpose::STANDARD.encode(format!("Bearer {token}"));
    for shape in ["raw", "json", "percent", "authorization", "base64"] {
        for status in [400, 403, 422, 500] {
            inject(
                &sb,
                json!({"kind": "echo", "target": "api", "status": status, "shape": shape}),
            );
            let reply = client.request("GET", "/v1/organizations", None).unwrap();
            assert_eq!(reply.status, status);
            let what = format!("{shape} {status}");
            // The answer itself is the caller's, byte for byte: the header is in it.
            let echoed = if shape == "base64" { &header } else { &token };
            assert!(
                reply.text().contains(echoed.as_str()),
                "{what}: the sandbox echoed no token"
            );
            // What the library says about it holds none of it.
            let line =
                unsafe { dinero::ffi::response::dinero_response_error_message(reply.handle) };
            let line = unsafe { std::ffi::CStr::from_ptr(line) }
                .to_string_lossy()
                .into_owned();
            let json = unsafe { dinero::ffi::response::dinero_response_error_json(reply.handle) };
            let json = unsafe { std::ffi::CStr::from_ptr(json) }
                .to_string_lossy()
                .into_owned();
            assert_no_part_of_a_secret(&line, &forms, &what);
            assert_no_part_of_a_secret(&json, &forms, &what);
            assert_printable_and_short(&line, &what);
            sb.clear_faults();
        }
    }
}
