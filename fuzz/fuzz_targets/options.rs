//! Option keys and values from the caller: a refusal must leave the configuration unchanged
//! (asserted inside set_option). Input: "key=value".
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let (key, value) = text.split_once('=').unwrap_or((text, ""));
    let _ = dinero::fuzzing::set_option(key, value);
});
