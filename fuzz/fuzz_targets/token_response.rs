//! The token endpoint's answer: any status and body must give a token or a clear error, never
//! a panic, and never an error that quotes the secret. Input: two bytes of status (big
//! endian), then the body.
#![no_main]
use libfuzzer_sys::fuzz_target;

const SECRET: &str = "fuzz-secret-value";

fuzz_target!(|data: &[u8]| {
    if data.len() < 2 {
        return;
    }
    let status = u16::from_be_bytes([data[0], data[1]]);
    if let Some((_, message)) = dinero::fuzzing::token_response(status, &data[2..], SECRET) {
        assert!(!message.contains(SECRET));
    }
});
