//! Response headers from a server, looked up by a caller's name. Input: "name: value" lines,
//! the last line is the name to look up.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let mut lines: Vec<&str> = text.split('\n').collect();
    let name = lines.pop().unwrap_or("");
    let headers: Vec<(String, String)> = lines
        .iter()
        .filter_map(|l| l.split_once(": "))
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect();
    if dinero::fuzzing::header(headers.clone(), name).is_some() {
        assert!(headers.iter().any(|(n, _)| n.eq_ignore_ascii_case(name)));
    }
});
