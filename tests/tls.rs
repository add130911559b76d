//! Real TLS on loopback: the sandbox serves HTTPS with a certificate from a throwaway CA made
//! at start. The library trusts it only through `ca_file`, and says why when it does not.

mod common;
use common::*;
use dinero::ffi::status::*;
use std::path::PathBuf;

fn tls_sandbox() -> Sandbox {
    sandbox_with(|c| c.tls = true)
}

fn write_ca(sb: &Sandbox, name: &str) -> PathBuf {
    let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("{name}-ca.pem"));
    std::fs::write(&path, sb.ca_pem().expect("a TLS sandbox has a CA")).unwrap();
    path
}

#[test]
fn https_works_when_the_ca_is_trusted_through_ca_file() {
    let sb = tls_sandbox();
    assert!(sb.url().starts_with("https://127.0.0.1:"));
    let ca = write_ca(&sb, "trusted");
    let client = Client::to_with(&sb, &[("ca_file", ca.to_str().unwrap())]).unwrap();
    assert_eq!(client.get("/v1/organizations").status, 200);
    assert_eq!(stat(&sb, "token_requests"), 1);
}

#[test]
fn an_untrusted_certificate_is_refused_with_a_tls_status() {
    let sb = tls_sandbox();
    let err = Client::to_with(&sb, &[])
        .err()
        .expect("the bundled roots do not know this CA");
    assert_eq!(err.status, DINERO_STATUS_TLS, "{}", err.message);
    assert!(err.message.contains("certificate"), "{}", err.message);
    assert_eq!(
        stat(&sb, "token_requests"),
        0,
        "nothing was sent over the refused connection"
    );
}

#[test]
fn another_ca_is_not_enough() {
    let sb = tls_sandbox();
    let other = tls_sandbox();
    let wrong_ca = write_ca(&other, "other");
    let err = Client::to_with(&sb, &[("ca_file", wrong_ca.to_str().unwrap())])
        .err()
        .unwrap();
    assert_eq!(err.status, DINERO_STATUS_TLS, "{}", err.message);
}

#[test]
fn plain_http_to_a_tls_server_fails_cleanly() {
    let sb = tls_sandbox();
    let plain = sb.url().replace("https://", "http://");
    let options = vec![
        (
            "auth_url".to_string(),
            format!("{plain}/dineroapi/oauth/token"),
        ),
        ("api_url".to_string(), plain),
        ("max_retries".to_string(), "0".to_string()),
    ];
    let c = sb.config();
    let err = Client::authenticate(&c.client_id, &c.client_secret, &c.api_key, &options)
        .err()
        .unwrap();
    assert!(
        [
            DINERO_STATUS_PROTOCOL,
            DINERO_STATUS_NETWORK,
            DINERO_STATUS_AUTH_UNAVAILABLE
        ]
        .contains(&err.status),
        "{} {}",
        err.status,
        err.message
    );
}
