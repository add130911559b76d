//! Creates answer per resource and may carry their own id; a second create with an id that
//! exists is refused (or, by the switch, answered with the existing entity).

use serde_json::json;

use crate::api::{contact, created_id};
use crate::client::*;

#[test]
fn a_create_may_carry_its_own_id_once() {
    let sb = start_default();
    let t = token(&sb);
    let contacts = org_path("contacts");
    let id = "0B4F6FD6-5D49-4C2C-9A3E-6A7F1E2D3C4B";
    let mut body = contact("Ida Ørsted");
    body["ContactGuid"] = json!(id);
    let guid = created_id(&api(&sb, &t, "POST", &contacts, Some(&body)), "ContactGuid");
    assert_eq!(guid, id.to_lowercase());
    assert_eq!(
        get(&sb, &t, &format!("{contacts}/{id}")).json()["Name"],
        "Ida Ørsted"
    );

    body["Name"] = json!("Someone else");
    let resp = api(&sb, &t, "POST", &contacts, Some(&body));
    assert_eq!(resp.status, 400);
    assert_eq!(resp.json()["code"], 42);
    assert!(resp.json()["validationErrors"]["ContactGuid"].is_string());
    let listed = get(
        &sb,
        &t,
        &format!("{contacts}?queryFilter=Name+eq+%27Ida+%C3%98rsted%27"),
    );
    assert_eq!(listed.json()["Pagination"]["Result"], 1, "nothing changed");

    body["ContactGuid"] = json!("not-a-guid");
    let resp = api(&sb, &t, "POST", &contacts, Some(&body));
    assert_eq!(resp.status, 400);
    assert!(resp.json()["validationErrors"]["ContactGuid"].is_string());

    // Invoices carry `Guid`; the answer is `{"Guid","TimeStamp"}`.
    let invoices = org_path("invoices");
    let invoice = json!({"Guid": "7d1c2b3a-0000-4000-8000-00000000abcd",
                         "ProductLines": [{"Quantity": 1, "BaseAmountValue": 1}]});
    let guid = created_id(&api(&sb, &t, "POST", &invoices, Some(&invoice)), "Guid");
    assert_eq!(guid, "7d1c2b3a-0000-4000-8000-00000000abcd");
    assert_eq!(api(&sb, &t, "POST", &invoices, Some(&invoice)).status, 400);

    // Products: no documented client id, so one sent is ignored.
    let product = json!({"ProductGuid": id, "Name": "Kaffe", "BaseAmountValue": 30,
                         "Quantity": 1, "AccountNumber": 1000, "Unit": "parts"});
    let guid = created_id(
        &api(&sb, &t, "POST", &org_path("products"), Some(&product)),
        "ProductGuid",
    );
    assert_ne!(guid, id.to_lowercase());
}

#[test]
fn the_duplicate_id_switch_answers_with_the_existing_entity() {
    let sb = start_default();
    sb.configure(json!({"duplicate_id": "accept"})).unwrap();
    let t = token(&sb);
    let contacts = org_path("contacts");
    let mut body = contact("Ib");
    body["ContactGuid"] = json!("11111111-2222-4333-8444-555555555555");
    for _ in 0..2 {
        let guid = created_id(&api(&sb, &t, "POST", &contacts, Some(&body)), "ContactGuid");
        assert_eq!(guid, "11111111-2222-4333-8444-555555555555");
    }
    let listed = get(&sb, &t, &format!("{contacts}?queryFilter=Name+eq+%27Ib%27")).json();
    assert_eq!(listed["Pagination"]["Result"], 1);
}
