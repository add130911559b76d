//! Dinero's error answers: any status and body must give a description and the JSON the
//! bindings read, never a panic, never JSON they cannot parse, and never the token the request
//! carried, however the server echoed it. Input: two bytes of status (big endian), then the
//! body.
#![no_main]
use libfuzzer_sys::fuzz_target;

const SECRET: &str = "eyJfuzzTokenValue42";

fuzz_target!(|data: &[u8]| {
    if data.len() < 2 {
        return;
    }
    let status = u16::from_be_bytes([data[0], data[1]]);
    let (description, json) = dinero::fuzzing::api_error(status, &data[2..], SECRET);
    assert!(!description.contains(SECRET), "{description}");
    assert!(
        !description.contains(['\r', '\n']),
        "one line: {description}"
    );
    let parsed: serde_json::Value = serde_json::from_str(&json).expect("valid JSON");
    assert!(!parsed.to_string().contains(SECRET), "{json}");
    assert_eq!(parsed["description"].as_str(), Some(description.as_str()));
});
