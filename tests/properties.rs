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

    #[test]
    fn error_answers_keep_dinero_s_words_and_never_echo_the_token(
        status in 400u16..600,
        code in any::<Option<u16>>(),
        words in "[ -~æøå]{0,60}",
        echo in prop_oneof![
            Just(String::new()),
            Just(format!("Bearer {SECRET}")),
            Just(format!("Bearer%20{SECRET}")),
            Just(format!("Bearer \\u0073{}", &SECRET[1..])),
        ],
        noise in any::<Vec<u8>>(),
    ) {
        let message = format!("{words}{echo}");
        let shaped = serde_json::json!({"code": code, "message": message, "validationErrors": {"Name": echo}});
        for body in [shaped.to_string().into_bytes(), noise.clone(), [message.as_bytes(), &noise].concat()] {
            let (description, json) = fuzzing::api_error(status, &body, SECRET);
            prop_assert!(!description.contains(SECRET), "{}", description);
            prop_assert!(!description.chars().any(char::is_control), "{:?}", description);
            let parsed: serde_json::Value = serde_json::from_str(&json).expect("the bindings read it as JSON");
            prop_assert!(!parsed.to_string().contains(SECRET), "{}", json);
            prop_assert_eq!(parsed["status"].as_u64(), Some(u64::from(status)));
        }
        let (_, json) = fuzzing::api_error(status, shaped.to_string().as_bytes(), SECRET);
        let parsed: serde_json::Value = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(parsed["code"].as_u64(), code.map(u64::from));
        if echo.is_empty() && !words.trim().is_empty() {
            // Dinero's words, on one line with single spaces.
            let one_line = words.split_whitespace().collect::<Vec<_>>().join(" ");
            prop_assert_eq!(parsed["message"].as_str(), Some(one_line.as_str()));
        }
    }

    #[test]
    fn request_descriptions_that_pass_cannot_end_a_line_or_set_the_library_s_headers(
        params in proptest::collection::vec((".{0,12}", prop_oneof![".{0,12}".prop_map(serde_json::Value::from), any::<i64>().prop_map(serde_json::Value::from), any::<bool>().prop_map(serde_json::Value::from)]), 0..4),
        headers in proptest::collection::vec((prop_oneof!["[A-Za-z-]{1,12}", ".{0,12}", Just("Host".to_string()), Just("authorization".to_string())], ".{0,20}"), 0..4),
        body in prop_oneof![Just(None), any::<String>().prop_map(Some)],
    ) {
        let mut spec = serde_json::json!({"params": params, "headers": headers});
        if let Some(text) = &body {
            spec["json"] = serde_json::Value::from(text.as_str());
        }
        match fuzzing::request_spec("GET", "/v1/{organizationId}/contacts", &spec.to_string(), b"") {
            Ok((target, sent)) => {
                prop_assert!(target.starts_with("/v1/{organizationId}/contacts"), "{}", target);
                prop_assert!(target.bytes().all(|b| b.is_ascii_graphic()), "{:?}", target);
                for (name, value) in &sent {
                    prop_assert!(!["authorization", "host"].contains(&name.to_ascii_lowercase().as_str()));
                    prop_assert!(!value.contains(['\r', '\n', '\0']), "{:?}", value);
                }
                // Every parameter arrives, in order, as the caller wrote it.
                let query = target.split_once('?').map_or("", |(_, query)| query);
                let arrived: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes()).into_owned().collect();
                let sent_params: Vec<(String, String)> = params.iter().map(|(key, value)| {
                    (key.clone(), value.as_str().map_or_else(|| value.to_string(), str::to_string))
                }).collect();
                prop_assert_eq!(arrived, sent_params);
            }
            Err(why) => {
                let bad_header = headers.iter().any(|(name, value)| {
                    name.is_empty()
                        || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
                        || ["authorization", "host"].contains(&name.to_ascii_lowercase().as_str())
                        || value.chars().any(|c| c.is_control() && c != '\t')
                });
                let nul_param = params.iter().any(|(key, value)| key.contains('\0') || value.as_str().is_some_and(|v| v.contains('\0')));
                prop_assert!(bad_header || nul_param, "refused: {}", why);
                prop_assert!(!why.chars().any(char::is_control), "{:?}", why);
            }
        }
    }

    #[test]
    fn no_redirect_passes_for_a_sign_in_whose_state_it_does_not_know(
        callback in prop_oneof![".*", "code=[a-z0-9]{1,20}&state=[A-Za-z0-9_-]{1,43}", "https://app.example/back\\?error=[a-z_]{1,20}&state=.{0,10}"],
    ) {
        let (answered, code) = fuzzing::connect_callback(&callback);
        prop_assert!(!answered);
        let refusal = code.expect_err("no code without the state");
        prop_assert!(!refusal.chars().any(char::is_control), "{:?}", refusal);
    }

    #[test]
    fn a_state_file_reads_back_what_a_client_wrote_whatever_it_held_before(
        tokens in proptest::collection::btree_map("token-key|other|.{0,6}", prop_oneof![
            Just(serde_json::Value::Null),
            (".{0,20}", any::<u64>(), any::<u64>(), prop_oneof![Just(None), ".{0,12}".prop_map(Some)], any::<Option<(u64, u64)>>()).prop_map(|(token, at, life, refresh, lease)| serde_json::json!({
                "token": {"access_token": token, "expires_at_unix_ms": at, "lifetime_ms": life},
                "refresh_token": refresh, "lease": lease.map(|(a, b)| [a, b]),
            })),
            any::<i64>().prop_map(serde_json::Value::from),
        ], 0..3),
        windows in proptest::collection::btree_map("window-key|.{0,6}", (proptest::collection::vec(any::<(u64, u64)>(), 0..4), proptest::collection::vec(any::<(u64, u64)>(), 0..4), any::<Option<u64>>()).prop_map(|(slots, waiters, ms)| serde_json::json!({"slots": slots, "waiters": waiters, "window_ms": ms})), 0..3),
        format in prop_oneof![Just(3u64), any::<u64>()],
        cut in any::<Option<usize>>(),
    ) {
        let text = serde_json::json!({"format": format, "tokens": tokens, "windows": windows}).to_string();
        let bytes = match cut { Some(at) => &text.as_bytes()[..at % (text.len() + 1)], None => text.as_bytes() };
        prop_assert_ne!(fuzzing::state_file(bytes), Some(false));
    }
}
