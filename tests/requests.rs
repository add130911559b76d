//! dinero_request against the sandbox: what goes on the wire, what comes back, and Dinero's
//! awkward answers passed through as responses (not C errors).

mod common;
use common::*;
use serde_json::{json, Value};

fn last_request(sb: &Sandbox) -> Value {
    sb.requests().as_array().unwrap().last().unwrap().clone()
}

#[test]
fn requests_carry_bearer_json_and_a_user_agent_naming_libdinero() {
    let sb = sandbox();
    let client = Client::to(&sb);
    client.get("/v1/organizations");
    let sent = last_request(&sb);
    let token = client.access_token().unwrap();
    // Compared without printing: the token is a secret.
    assert!(
        sent["headers"]["authorization"] == format!("Bearer {token}"),
        "the Authorization header is not the client's bearer token"
    );
    assert_eq!(sent["headers"]["accept"], "application/json");
    assert_eq!(
        sent["headers"]["user-agent"],
        format!("libdinero/{}", env!("CARGO_PKG_VERSION"))
    );
    assert!(
        sent["headers"].get("content-type").is_none(),
        "no body, no content type"
    );

    client
        .request(
            "POST",
            "/v1/{organizationId}/contacts",
            Some(
                r#"{"Name":"A","CountryKey":"DK","IsPerson":true,"IsMember":false,"UseCvr":false}"#,
            ),
        )
        .unwrap();
    assert_eq!(
        last_request(&sb)["headers"]["content-type"],
        "application/json"
    );
}

#[test]
fn the_user_agent_option_goes_in_front() {
    let sb = sandbox();
    let client = Client::to_with(&sb, &[("user_agent", "bogholder-sync/2.1")]).unwrap();
    client.get("/v1/organizations");
    assert_eq!(
        last_request(&sb)["headers"]["user-agent"],
        format!("bogholder-sync/2.1 libdinero/{}", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn organizations_is_a_bare_array_of_what_the_token_reaches() {
    let sb = sandbox();
    let reply = Client::to(&sb).get("/v1/organizations");
    assert_eq!(reply.status, 200);
    let orgs = reply.json();
    assert_eq!(orgs[0]["Id"].as_u64(), Some(sb.config().organization_id));
}

#[test]
fn danish_text_round_trips_byte_exact() {
    let sb = sandbox();
    let client = Client::to(&sb);
    let contact = json!({
        "Name": "Børge Lund", "CountryKey": "DK", "Street": "Støvringparken 10, st. th",
        "City": "Støvring", "ZipCode": "9530", "IsPerson": true, "IsMember": false, "UseCvr": false
    });
    let created = client
        .request(
            "POST",
            "/v1/{organizationId}/contacts",
            Some(&contact.to_string()),
        )
        .unwrap();
    assert_eq!(created.status, 201, "{}", created.text());
    let guid = created.json()["ContactGuid"].as_str().unwrap().to_string();
    let fetched = client
        .get(&format!("/v1/{{organizationId}}/contacts/{guid}"))
        .json();
    assert_eq!(fetched["Name"], "Børge Lund");
    assert_eq!(fetched["Street"], "Støvringparken 10, st. th");
    assert!(String::from_utf8(
        client
            .get(&format!("/v1/{{organizationId}}/contacts/{guid}"))
            .body
            .clone()
    )
    .unwrap()
    .contains("Støvring"));
}

#[test]
fn non_ascii_in_a_query_filter_is_encoded_for_the_caller() {
    let sb = sandbox();
    let client = Client::to(&sb);
    let reply = client.get("/v1/{organizationId}/contacts?queryFilter=Name%20eq%20'Børge%20Lund'");
    assert_eq!(reply.status, 200, "{}", reply.text());
    let names: Vec<Value> = reply.json()["Collection"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["Name"].clone())
        .collect();
    assert_eq!(names, vec![json!("Børge Lund")]);
}

#[test]
fn paging_walks_every_contact() {
    let sb = sandbox_with(|c| c.seed_contacts = 23);
    let client = Client::to(&sb);
    let mut seen = 0;
    let mut total = None;
    for page in 0.. {
        let reply = client.get(&format!(
            "/v1/{{organizationId}}/contacts?page={page}&pageSize=10"
        ));
        let json = reply.json();
        let items = json["Collection"].as_array().unwrap().len();
        total = json["Pagination"]["Result"].as_u64();
        seen += items;
        if items < 10 {
            break;
        }
    }
    assert_eq!(Some(seen as u64), total);
    assert!(seen >= 23);
}

#[test]
fn dinero_errors_come_back_as_responses() {
    let sb = sandbox();
    let client = Client::to(&sb);

    let invalid = client
        .request(
            "POST",
            "/v1/{organizationId}/contacts",
            Some(r#"{"CountryKey":"DK"}"#),
        )
        .unwrap();
    assert_eq!(invalid.status, 400);
    assert_eq!(invalid.json()["code"], 42);
    assert!(invalid.json()["validationErrors"]["Name"].is_string());

    let unknown = client.get("/v1/{organizationId}/no-such-thing");
    assert_eq!(unknown.status, 404);
    assert!(unknown
        .header("content-type")
        .unwrap()
        .starts_with("text/html"));
    assert!(unknown.text().contains("<html"));

    let other_org = client.get("/v1/1/contacts");
    assert_eq!(other_org.status, 403);
}

#[test]
fn a_stale_timestamp_is_dinero_code_58_and_delete_sends_its_body() {
    let sb = sandbox();
    let client = Client::to(&sb);
    let (invoice, guid, stamp) = new_invoice(&client);
    // Invoice updates are v1.2; reading and deleting stay v1.
    let put_path = format!("/v1.2/{{organizationId}}/invoices/{guid}");
    let mut update = invoice.clone();
    update["Description"] = json!("Ny pris");
    update["Timestamp"] = json!(stamp);
    let updated = client
        .request("PUT", &put_path, Some(&update.to_string()))
        .unwrap();
    assert_eq!(updated.status, 200, "{}", updated.text());

    let stale = client
        .request("PUT", &put_path, Some(&update.to_string()))
        .unwrap();
    assert_eq!(stale.status, 400);
    assert_eq!(stale.json()["code"], 58);

    let path = format!("/v1/{{organizationId}}/invoices/{guid}");
    let refused = client
        .request(
            "DELETE",
            &path,
            Some(&json!({"Timestamp": stamp}).to_string()),
        )
        .unwrap();
    assert_eq!(
        refused.json()["code"],
        58,
        "the DELETE body reached the server"
    );
    let fresh = updated.json()["TimeStamp"].as_str().unwrap().to_string();
    let deleted = client
        .request(
            "DELETE",
            &path,
            Some(&json!({"Timestamp": fresh}).to_string()),
        )
        .unwrap();
    assert_eq!(deleted.status, 200, "{}", deleted.text());
    assert!(deleted.body.is_empty());
}

#[test]
fn connections_are_reused() {
    let sb = sandbox();
    let client = Client::to(&sb);
    for _ in 0..30 {
        client.get("/v1/organizations");
    }
    assert_eq!(
        stat(&sb, "connections"),
        1,
        "token and API calls share one kept-alive connection"
    );
}

#[test]
fn an_empty_body_is_an_empty_c_string() {
    let sb = sandbox();
    let client = Client::to(&sb);
    let reply = client.request("HEAD", "/v1/organizations", None).unwrap();
    assert!(reply.body.is_empty());
    let mut len = 99usize;
    let ptr = unsafe { dinero::ffi::response::dinero_response_body(reply.handle, &mut len) };
    assert!(!ptr.is_null());
    assert_eq!(
        (len, unsafe { *ptr }),
        (0, 0),
        "a NUL follows the (empty) body"
    );
}

#[test]
fn headers_can_be_listed_by_index() {
    use dinero::ffi::response::{dinero_response_header_count, dinero_response_header_name};
    let sb = sandbox();
    let reply = Client::to(&sb).get("/v1/organizations");
    let count = unsafe { dinero_response_header_count(reply.handle) };
    assert!(count >= 2, "{count}");
    let names: Vec<String> = (0..count)
        .map(|i| {
            let name = unsafe { dinero_response_header_name(reply.handle, i) };
            unsafe { std::ffi::CStr::from_ptr(name) }
                .to_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert!(names.contains(&"content-type".to_string()), "{names:?}");
    assert!(names.iter().all(|n| *n == n.to_ascii_lowercase()));
    for name in &names {
        assert!(reply.header(name).is_some(), "{name} has a value");
    }
    assert!(unsafe { dinero_response_header_name(reply.handle, count) }.is_null());
    assert_eq!(unsafe { dinero_response_header_count(std::ptr::null()) }, 0);
}
