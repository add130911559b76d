//! Property tests (stable Rust, run by `make test`) of everything that parses input from the
//! network or the caller; the same functions are fuzzed by `make fuzz`.

use dinero::fuzzing;
use dinero::ErrorKind;
use proptest::prelude::*;

const SECRET: &str = "s3cret-api-key-value";

/// Whether the path part of `path` holds a `.` or `..` segment, a backslash or an encoded slash
/// (plain or percent-encoded), written here apart from the library's own check.
fn climbs(path: &str) -> bool {
    let part = path.split('?').next().unwrap_or("");
    let mut decoded = Vec::new();
    let bytes = part.as_bytes();
    let mut i = 0;
    let mut encoded_slash = false;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .filter(|h| h.iter().all(u8::is_ascii_hexdigit))
            .and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(byte)) => {
                encoded_slash |= byte == b'/';
                decoded.push(byte);
                i += 3;
            }
            (byte, _) => {
                decoded.push(byte);
                i += 1;
            }
        }
    }
    encoded_slash
        || decoded.contains(&b'\\')
        || decoded
            .split(|b| *b == b'/')
            .any(|s| s == b"." || s == b"..")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn token_answers_never_panic_and_never_echo_the_secret(
        status in prop_oneof![Just(200u16), Just(400), Just(401), 100u16..600],
        body in prop_oneof![
            any::<Vec<u8>>(),
            ".*".prop_map(String::into_bytes),
            (any::<Option<String>>(), any::<Option<i64>>()).prop_map(|(token, expires)| {
                serde_json::json!({"access_token": token, "expires_in": expires}).to_string().into_bytes()
            }),
            ".*".prop_map(|text| format!("{{\"message\":\"{{ \\\"error\\\": \\\"{}{SECRET}\\\" }}\"}}", text.replace(['"', '\\'], "")).into_bytes()),
        ],
    ) {
        if let Some((kind, message)) = fuzzing::token_response(status, &body, SECRET) {
            prop_assert!(matches!(kind, ErrorKind::AuthRejected | ErrorKind::AuthUnavailable));
            prop_assert!(!message.contains(SECRET), "{}", message);
            prop_assert!(message.len() < 400);
            prop_assert!(!message.chars().any(char::is_control), "{:?}", message);
        } else {
            prop_assert_eq!(status, 200);
        }
    }

    #[test]
    fn paths_that_pass_can_not_smuggle_anything(
        method in prop_oneof![Just("GET".to_string()), Just("post".to_string()), ".{0,8}"],
        path in prop_oneof![".*", "/[ -~]{0,40}", "/v1/\\{organizationId\\}/[a-zæøå%?=&' ]{0,20}"],
    ) {
        if let Ok(url) = fuzzing::request_target(&method, &path, Some("424242")) {
            prop_assert!(url.starts_with("https://api.dinero.dk/"));
            prop_assert!(url.bytes().all(|b| b.is_ascii_graphic()), "{}", url);
            prop_assert!(!url.contains("{organizationId}"), "placeholder left in {}", url);
        } else {
            let bad_method = !["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"]
                .iter()
                .any(|m| m.eq_ignore_ascii_case(&method));
            let bad_path = !path.starts_with('/') || path.chars().any(|c| c.is_control() || c.is_whitespace()) || path.contains('#') || climbs(&path);
            prop_assert!(bad_method || bad_path, "refused {:?} {:?}", method, path);
        }
    }

    #[test]
    fn refused_options_change_nothing(key in prop_oneof![".*", Just("timeout_ms".to_string()), Just("api_url".to_string())], value in ".*") {
        // set_option asserts internally that a refusal leaves the configuration unchanged.
        let _ = fuzzing::set_option(&key, &value);
    }

    #[test]
    fn retry_after_is_bounded(value in prop_oneof![".*", "[0-9]{1,12}(\\.[0-9]{1,4})?"]) {
        if let Some(wait) = fuzzing::retry_after(&value) {
            prop_assert!(wait.as_secs() < 1_000_000_000);
        }
    }

    #[test]
    fn header_lookup_ignores_case(name in "[A-Za-z-]{1,20}", value in "[ -~]{0,30}") {
        let found = fuzzing::header(vec![(name.clone(), value.clone())], &name.to_ascii_uppercase());
        prop_assert_eq!(found, Some(value));
    }

    #[test]
    fn oauth_errors_are_found_in_both_shapes(code in "[a-z_]{1,20}") {
        let plain = serde_json::json!({"error": code}).to_string();
        let inner = serde_json::json!({"error": code}).to_string();
        let wrapped = serde_json::json!({"message": inner}).to_string();
        prop_assert_eq!(fuzzing::oauth_error(plain.as_bytes()), Some(code.clone()));
        prop_assert_eq!(fuzzing::oauth_error(wrapped.as_bytes()), Some(code));
    }
}
