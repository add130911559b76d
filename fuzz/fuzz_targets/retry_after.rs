//! Retry-After values from a server.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|value: &str| {
    if let Some(wait) = dinero::fuzzing::retry_after(value) {
        assert!(wait.as_secs() < 1_000_000_000);
    }
});
