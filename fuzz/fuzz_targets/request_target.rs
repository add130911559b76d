//! Methods and paths from the caller: whatever passes must be a URL on the API host with
//! nothing that could end a header line or a request line. Input: "METHOD\npath".
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let (method, path) = text.split_once('\n').unwrap_or(("GET", text));
    if let Ok(url) = dinero::fuzzing::request_target(method, path, Some("424242")) {
        assert!(url.starts_with("https://api.dinero.dk/"));
        assert!(url.bytes().all(|b| b.is_ascii_graphic()));
    }
});
