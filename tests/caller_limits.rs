//! Limits on what a caller may put in a request: the number of custom headers, the length of a
//! header and of the text options that go into headers and forms, and the port of every URL
//! option. Each is refused where it is set, as an invalid argument whose message names what was
//! wrong without quoting the value, and nothing reaches the server.

mod common;
use common::*;
use dinero::ffi::request_builder::{dinero_request_builder, dinero_request_builder_new_with};
use dinero::ffi::status::*;
use std::ptr;

/// The limits the library documents (src/request/builder.rs, src/config.rs).
const MAX_HEADERS: usize = 100;
const MAX_HEADER_BYTES: usize = 8 * 1024;

/// dinero_request_builder_new_with with a JSON spec and no data.
fn new_with(method: &str, path: &str, spec: &str) -> Result<Builder, Failed> {
    let mut out: *mut dinero_request_builder = ptr::null_mut();
    check(unsafe {
        dinero_request_builder_new_with(
            cstr(method).as_ptr(),
            cstr(path).as_ptr(),
            cstr(spec).as_ptr(),
            ptr::null(),
            0,
            &mut out,
        )
    })?;
    assert!(!out.is_null());
    Ok(Builder(out))
}

fn headers_spec(count: usize) -> String {
    let headers: serde_json::Map<String, serde_json::Value> = (0..count)
        .map(|i| (format!("X-Extra-{i}"), serde_json::json!("v")))
        .collect();
    serde_json::json!({ "headers": headers }).to_string()
}

#[test]
fn a_hundred_headers_are_accepted_and_the_101st_refused_when_set() {
    let sb = sandbox();
    let client = Client::to(&sb);
    sb.reset_stats();
    let request = Builder::new("GET", "/v1/organizations").unwrap();
    for i in 0..MAX_HEADERS {
        request.header(&format!("X-Extra-{i}"), "v").unwrap();
    }
    // Setting one again replaces it, whatever the count.
    request.header("x-extra-0", "w").unwrap();
    let refused = request.header("X-One-Too-Many", "v").unwrap_err();
    assert_eq!(refused.status, DINERO_STATUS_INVALID_ARGUMENT);
    assert!(
        refused.message.contains("too many headers") && refused.message.contains("X-One-Too-Many"),
        "{}",
        refused.message
    );
    assert_eq!(
        stat(&sb, "api_requests"),
        0,
        "refused when set: nothing sent"
    );
    // The refusal left the builder as it was. Its 100 headers and the library's own would be
    // more than the sandbox takes (100 fields in all, like Kestrel and Apache: it answers
    // 431), so the request sent carries 90.
    let request = Builder::new("GET", "/v1/organizations").unwrap();
    for i in 0..90 {
        request.header(&format!("X-Extra-{i}"), "v").unwrap();
    }
    let reply = client.send(&request).unwrap();
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(stat(&sb, "api_requests"), 1);
}

#[test]
fn a_spec_with_too_many_headers_is_refused_and_a_hundred_are_accepted() {
    let sb = sandbox();
    let client = Client::to(&sb);
    sb.reset_stats();
    for count in [MAX_HEADERS + 1, 80_000] {
        let refused = new_with("GET", "/v1/organizations", &headers_spec(count))
            .err()
            .unwrap_or_else(|| panic!("{count} headers accepted"));
        assert_eq!(refused.status, DINERO_STATUS_INVALID_ARGUMENT);
        assert!(
            refused.message.contains("too many headers"),
            "{}",
            refused.message
        );
    }
    new_with("GET", "/v1/organizations", &headers_spec(MAX_HEADERS)).unwrap();
    assert_eq!(stat(&sb, "api_requests"), 0);
    let request = new_with("GET", "/v1/organizations", &headers_spec(90)).unwrap();
    assert_eq!(client.send(&request).unwrap().status, 200);
    assert_eq!(stat(&sb, "api_requests"), 1);
}

#[test]
fn a_header_too_long_is_refused_without_quoting_its_value() {
    let sb = sandbox();
    let client = Client::to(&sb);
    sb.reset_stats();
    let request = Builder::new("GET", "/v1/organizations").unwrap();
    let secret = "s3cr3t".repeat(9 * 1024 / 6);
    let refused = request.header("X-Api-Secret", &secret).unwrap_err();
    assert_eq!(refused.status, DINERO_STATUS_INVALID_ARGUMENT);
    assert!(
        refused.message.contains("X-Api-Secret header is too long"),
        "{}",
        refused.message
    );
    assert!(!refused.message.contains("s3cr3t"), "{}", refused.message);
    // The same through a spec.
    let spec = serde_json::json!({ "headers": { "X-Api-Secret": secret } }).to_string();
    let refused = new_with("GET", "/v1/organizations", &spec).err().unwrap();
    assert_eq!(refused.status, DINERO_STATUS_INVALID_ARGUMENT);
    assert!(!refused.message.contains("s3cr3t"), "{}", refused.message);
    assert_eq!(stat(&sb, "api_requests"), 0);
    // At the limit it is sent.
    let name = "X-Api-Secret";
    request
        .header(name, &"v".repeat(MAX_HEADER_BYTES - name.len()))
        .unwrap();
    assert_eq!(client.send(&request).unwrap().status, 200);
    assert_eq!(stat(&sb, "api_requests"), 1);
}

#[test]
fn a_request_too_large_to_send_is_the_callers_error_and_not_retried() {
    // A path of 200,000 bytes: an invalid argument, never sent and never retried, not a
    // protocol error blamed on the server. (The header and option limits keep every header
    // line within what ureq can write; its refusal of a longer line is classified the same
    // way, see the unit test in transport/http.rs.)
    let sb = sandbox();
    let client = Client::to(&sb);
    sb.reset_stats();
    let path = format!("/v1/organizations/{}", "a".repeat(200_000));
    let request = Builder::new("GET", &path).unwrap();
    let failed = client.send(&request).err().expect("too large to send");
    assert_eq!(
        failed.status, DINERO_STATUS_INVALID_ARGUMENT,
        "{}",
        failed.message
    );
    assert!(!failed.message.contains("attempts"), "{}", failed.message);
    assert!(!failed.message.contains("aaaa"), "{}", failed.message);
    assert_eq!(stat(&sb, "api_requests"), 0);
    assert_eq!(stat(&sb, "token_requests"), 0);
}

#[test]
fn text_options_too_long_are_refused_when_set() {
    let sb = sandbox();
    let long = "agent".repeat(9 * 1024 / 5);
    let options = Options::new(&fast_options(&sb)).unwrap();
    for key in ["user_agent", "scope", "grant_name"] {
        let refused = options.set(key, &long).unwrap_err();
        assert_eq!(refused.status, DINERO_STATUS_INVALID_ARGUMENT);
        assert!(
            refused.message.contains(key) && refused.message.contains("too long"),
            "{}",
            refused.message
        );
        assert!(
            !refused.message.contains("agentagent"),
            "{}",
            refused.message
        );
    }
    let refused = Client::to_with(&sb, &[("user_agent", &long)])
        .err()
        .unwrap();
    assert_eq!(refused.status, DINERO_STATUS_INVALID_ARGUMENT);
    assert_eq!(
        stat(&sb, "token_requests"),
        0,
        "refused before authenticating"
    );
    // A user_agent at the limit works, authentication included.
    let at_limit = "a".repeat(MAX_HEADER_BYTES);
    let client = Client::to_with(&sb, &[("user_agent", &at_limit)]).unwrap();
    assert_eq!(
        client
            .request("GET", "/v1/organizations", None)
            .unwrap()
            .status,
        200
    );
}

#[test]
fn url_options_with_an_impossible_port_are_refused() {
    let options = Options::new(&[]).unwrap();
    for key in ["api_url", "auth_url", "connect_url"] {
        for bad in [
            "http://127.0.0.1:99999",
            "http://127.0.0.1:0",
            "http://127.0.0.1:65536/x",
            "https://[::1]:123456",
        ] {
            let refused = options.set(key, bad).unwrap_err();
            assert_eq!(
                refused.status, DINERO_STATUS_INVALID_ARGUMENT,
                "{key}={bad}"
            );
            assert!(
                refused.message.contains(key) && refused.message.contains("port"),
                "{}",
                refused.message
            );
        }
        options.set(key, "http://127.0.0.1:65535").unwrap();
    }
}
