//! Dinero's two OAuth error shapes, read from arbitrary bytes.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|body: &[u8]| {
    let _ = dinero::fuzzing::oauth_error(body);
});
