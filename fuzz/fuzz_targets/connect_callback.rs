//! What a browser (or anything else) sends to a Visma Connect redirect URI: no input can pass
//! for the answer to a sign-in whose random state it does not know, and every refusal is one
//! printable line.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|callback: &str| {
    let (answered, code) = dinero::fuzzing::connect_callback(callback);
    assert!(!answered);
    let refusal = code.expect_err("no code without the state");
    assert!(!refusal.chars().any(char::is_control), "{refusal:?}");
});
