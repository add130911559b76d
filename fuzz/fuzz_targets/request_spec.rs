//! A request as the bindings describe it (`dinero_client_call`'s JSON): whatever passes has a
//! path and query that cannot end a request line, and headers that cannot end a header line
//! or replace one the library owns. Input: "METHOD\npath\nspec", the rest of the bytes after a
//! NUL being the body.
#![no_main]
use libfuzzer_sys::fuzz_target;

const LIBRARY_HEADERS: [&str; 5] = [
    "authorization",
    "host",
    "content-length",
    "transfer-encoding",
    "connection",
];

fuzz_target!(|data: &[u8]| {
    let (text, body) = match data.iter().position(|b| *b == 0) {
        Some(at) => (&data[..at], &data[at + 1..]),
        None => (data, &[][..]),
    };
    let Ok(text) = std::str::from_utf8(text) else {
        return;
    };
    let mut parts = text.splitn(3, '\n');
    let (method, path, spec) = (
        parts.next().unwrap_or(""),
        parts.next().unwrap_or(""),
        parts.next().unwrap_or(""),
    );
    if let Ok((target, headers)) = dinero::fuzzing::request_spec(method, path, spec, body) {
        assert!(target.starts_with('/'), "{target}");
        assert!(!target.contains(['\r', '\n', ' ', '\0']), "{target:?}");
        for (name, value) in headers {
            assert!(!name.is_empty() && name.bytes().all(|b| b.is_ascii_graphic() && b != b':'));
            assert!(
                !LIBRARY_HEADERS.contains(&name.to_ascii_lowercase().as_str()),
                "{name}"
            );
            assert!(!value.contains(['\r', '\n', '\0']), "{value:?}");
        }
    }
});
