//! dinero_authenticate over the C ABI against the sandbox: the exact exchange of Dinero's docs,
//! every way it can fail, and the secret never showing up in what the caller sees.

mod common;
use common::*;
use dinero::ffi::client::dinero_authenticate;
use dinero::ffi::status::*;
use serde_json::json;

#[test]
fn the_exchange_is_exactly_the_one_dinero_documents() {
    let sb = sandbox();
    let client = Client::to(&sb);
    let log = sb.requests();
    let token_request = log
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["path"] == "/dineroapi/oauth/token")
        .expect("the token endpoint was called");
    assert_eq!(token_request["method"], "POST");
    // Docs: client id "rasmus", secret "dinero" -> cmFzbXVzOmRpbmVybw==
    assert_eq!(
        token_request["headers"]["authorization"],
        "Basic cmFzbXVzOmRpbmVybw=="
    );
    assert_eq!(
        token_request["headers"]["content-type"],
        "application/x-www-form-urlencoded"
    );
    let key = &sb.config().api_key;
    assert_eq!(
        token_request["body"],
        format!("grant_type=password&scope=read+write&username={key}&password={key}")
    );
    assert!(!client.access_token().unwrap().is_empty());
    assert_eq!(stat(&sb, "token_requests"), 1);
}

#[test]
fn one_token_serves_many_requests() {
    let sb = sandbox();
    let client = Client::to(&sb);
    for _ in 0..25 {
        assert_eq!(client.get("/v1/organizations").status, 200);
    }
    assert_eq!(stat(&sb, "token_requests"), 1);
    assert_eq!(route_count(&sb, "GET /v1/organizations"), 25);
}

#[test]
fn a_wrong_api_key_is_rejected_at_once_and_not_shown() {
    let sb = sandbox();
    let c = sb.config();
    let wrong_key = "wrong-key-5be1c0de";
    let err = Client::authenticate(
        &c.client_id,
        &c.client_secret,
        wrong_key,
        &fast_options(&sb),
    )
    .err()
    .expect("a wrong key fails");
    assert_eq!(err.status, DINERO_STATUS_AUTH_REJECTED);
    assert_eq!(
        err.message,
        "token endpoint rejected the API key (400 invalid_grant)"
    );
    assert!(!err.message.contains(wrong_key));
    assert_eq!(stat(&sb, "token_requests"), 1, "a refusal is not retried");
}

#[test]
fn a_wrong_client_secret_is_rejected_in_both_error_shapes() {
    for shape in ["plain", "wrapped"] {
        let sb = sandbox();
        sb.configure(json!({ "client_error_shape": shape }))
            .unwrap();
        let c = sb.config();
        let err = Client::authenticate(
            &c.client_id,
            "not-the-secret",
            &c.api_key,
            &fast_options(&sb),
        )
        .err()
        .expect("a wrong secret fails");
        assert_eq!(err.status, DINERO_STATUS_AUTH_REJECTED, "{shape}");
        assert_eq!(
            err.message,
            "token endpoint rejected the client id or client secret (401 invalid_client)",
            "{shape}"
        );
        assert!(!err.message.contains("not-the-secret"));
    }
}

#[test]
fn an_auth_url_that_names_no_token_endpoint_is_named_in_the_refusal() {
    // The API's own address given as auth_url: it refuses without an OAuth error code, which
    // a real token endpoint always sends, so the message points at the address too.
    let sb = sandbox();
    let c = sb.config();
    let mut options = fast_options(&sb);
    options[0].1 = format!("{}/v1/organizations", sb.url());
    let err = Client::authenticate(&c.client_id, &c.client_secret, &c.api_key, &options)
        .err()
        .expect("no token from the API's address");
    assert_eq!(err.status, DINERO_STATUS_AUTH_REJECTED, "{}", err.message);
    let server = sb.url();
    let server = server.trim_end_matches('/');
    assert!(
        err.message.ends_with(&format!(
            "; the answer from {server} held no OAuth error code: check auth_url too"
        )),
        "{}",
        err.message
    );
    assert!(!err.message.contains(&c.client_secret), "{}", err.message);
}

#[test]
fn client_out_is_untouched_on_failure() {
    let sb = sandbox();
    let options = Options::new(&fast_options(&sb)).unwrap();
    let sentinel = 0x1234usize as *mut dinero::ffi::client::dinero_client;
    let mut client = sentinel;
    let status = unsafe {
        dinero_authenticate(
            cstr("rasmus").as_ptr(),
            cstr("dinero").as_ptr(),
            cstr("bad-key").as_ptr(),
            options.0,
            &mut client,
        )
    };
    assert_eq!(status, DINERO_STATUS_AUTH_REJECTED);
    assert_eq!(client, sentinel);
}

#[test]
fn a_broken_token_endpoint_is_unavailable_after_retries() {
    let sb = sandbox();
    inject(
        &sb,
        json!({"kind": "status", "status": 503, "count": 100, "target": "token"}),
    );
    let err = Client::to_with(&sb, &[("max_retries", "2")]).err().unwrap();
    assert_eq!(err.status, DINERO_STATUS_AUTH_UNAVAILABLE);
    assert!(
        err.message.starts_with("token endpoint failed (503"),
        "{}",
        err.message
    );
    assert_eq!(stat(&sb, "token_requests"), 3, "first try and two retries");
}

#[test]
fn a_token_endpoint_recovering_within_the_retries_succeeds() {
    let sb = sandbox();
    inject(
        &sb,
        json!({"kind": "status", "status": 502, "count": 2, "target": "token"}),
    );
    let client = Client::to(&sb);
    assert_eq!(client.get("/v1/organizations").status, 200);
    assert_eq!(stat(&sb, "tokens_issued"), 1);
}

#[test]
fn a_token_answer_that_is_not_json_gives_auth_unavailable() {
    let sb = sandbox();
    inject(
        &sb,
        json!({"kind": "malformed", "target": "token", "body": "<html>maintenance</html>"}),
    );
    let err = Client::to_with(&sb, &[]).err().unwrap();
    assert_eq!(err.status, DINERO_STATUS_AUTH_UNAVAILABLE);
    assert!(err.message.contains("not JSON"), "{}", err.message);
}

#[test]
fn an_unreachable_host_is_a_network_error() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let url = format!("http://127.0.0.1:{port}");
    let options = vec![
        (
            "auth_url".to_string(),
            format!("{url}/dineroapi/oauth/token"),
        ),
        ("api_url".to_string(), url),
        ("max_retries".to_string(), "1".to_string()),
        ("retry_base_delay_ms".to_string(), "5".to_string()),
    ];
    let err = Client::authenticate("rasmus", "dinero", "key", &options)
        .err()
        .unwrap();
    assert_eq!(err.status, DINERO_STATUS_NETWORK, "{}", err.message);
    // The server is named, its path not: a wrong or unset auth_url shows at once.
    assert!(
        err.message.starts_with("token endpoint: "),
        "{}",
        err.message
    );
    let server = format!("(http://127.0.0.1:{port}, after 2 attempts)");
    assert!(err.message.ends_with(&server), "{}", err.message);
    assert!(!err.message.contains("oauth"), "{}", err.message);
}

#[test]
fn plain_http_to_another_host_is_refused_before_connecting() {
    let options = Options::new(&[]).unwrap();
    let err = options
        .set("auth_url", "http://authz.dinero.dk/dineroapi/oauth/token")
        .err()
        .unwrap();
    assert_eq!(err.status, DINERO_STATUS_INVALID_ARGUMENT);
    assert!(err.message.contains("plain http"), "{}", err.message);
}
