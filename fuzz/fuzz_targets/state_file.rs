//! The shared state file, whatever it holds (another program's file, a torn write, a hostile
//! writer): reading it, taking a slot and writing it back never panics, and what a client
//! wrote reads back the same.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &[u8]| {
    if let Some(same) = dinero::fuzzing::state_file(text) {
        assert!(same, "what was written read back otherwise");
    }
});
