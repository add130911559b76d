//! Kept-alive connections (src/transport/tcp.rs): requests in a row share one connection, and a
//! connection the server has closed is never used again. The second matters most for a POST: one
//! sent on a dead connection fails after it may have left, so it cannot be sent again.

mod common;
use common::*;

const CONTACT: &str = r#"{"Name":"Kept Alive ApS","CountryKey":"DK","IsPerson":false,"IsMember":false,"UseCvr":false}"#;

#[test]
fn requests_in_a_row_share_one_connection() {
    let sb = sandbox();
    let client = Client::to(&sb);
    let opened = stat(&sb, "connections");
    for _ in 0..20 {
        assert_eq!(client.get("/v1/organizations").status, 200);
    }
    assert_eq!(
        stat(&sb, "connections"),
        opened,
        "the 20 requests went over the connection the token request opened"
    );
}

#[test]
fn a_connection_the_server_closed_while_idle_is_not_used_for_the_next_post() {
    let sb = sandbox_with(|c| c.idle_timeout = ms(100));
    let client = Client::to(&sb);
    assert_eq!(client.get("/v1/organizations").status, 200);
    let opened = stat(&sb, "connections");
    // Long past the idle timeout: the sandbox has closed the connection the client keeps.
    std::thread::sleep(ms(500));
    let created = client
        .request("POST", "/v1/{organizationId}/contacts", Some(CONTACT))
        .expect("the POST goes out on a new connection and is answered");
    assert_eq!(created.status, 201, "{}", created.text());
    assert_eq!(route_count(&sb, "POST /v1/{org}/contacts"), 1, "sent once");
    assert_eq!(stat(&sb, "connections"), opened + 1, "on a new connection");
}
