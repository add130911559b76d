//! Lists as Dinero answers them: a few properties unless `fields` asks for more, contacts by
//! `UpdatedAt`, invoices with their own filters and sort, products with free-text search.

use serde_json::{json, Value};

use crate::api::created_id;
use crate::client::*;

fn names(body: &Value, key: &str) -> Vec<String> {
    body["Collection"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c[key].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[test]
fn without_fields_lists_answer_a_few_properties_and_fields_widens_them() {
    let sb = start_default();
    let t = token(&sb);
    let keys = |path: &str| -> Vec<String> {
        let body = get(&sb, &t, path).json();
        let item = if body.is_array() {
            &body[0]
        } else {
            &body["Collection"][0]
        };
        let mut keys: Vec<String> = item.as_object().unwrap().keys().cloned().collect();
        keys.sort();
        keys
    };
    assert_eq!(keys(&org_path("contacts")), ["ContactGuid", "Name"]);
    assert_eq!(keys(&org_path("products")), ["Name", "ProductGuid"]);
    assert_eq!(
        keys(&org_path("invoices")),
        ["ContactName", "Date", "Description", "Guid"]
    );
    assert_eq!(keys("/v1/organizations"), ["Id", "IsPro", "Name"]);
    assert_eq!(keys("/v1.1/organizations"), ["Id", "IsPro", "Name"]);
    assert_eq!(
        keys(&org_path("contacts?fields=Name,Email,City")),
        ["City", "Email", "Name"]
    );
    assert_eq!(keys("/v1/organizations?fields=Id,Email"), ["Email", "Id"]);
    assert_eq!(
        keys(&org_path("invoices?fields=Number,TotalInclVat")),
        ["Number", "TotalInclVat"]
    );
}

#[test]
fn contacts_are_listed_by_updated_at() {
    let sb = start_default();
    let t = token(&sb);
    let contacts = org_path("contacts");
    let first = get(&sb, &t, &contacts).json();
    assert_eq!(names(&first, "Name")[0], "Børge Lund");
    // Touch the first contact a second later: it moves to the end.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let guid = first["Collection"][0]["ContactGuid"].as_str().unwrap();
    // A PUT replaces the contact: the whole of it, read first, goes back.
    let mut whole = get(&sb, &t, &format!("{contacts}/{guid}")).json();
    whole["Phone"] = json!("+45 11");
    let resp = api(&sb, &t, "PUT", &format!("{contacts}/{guid}"), Some(&whole));
    assert_eq!(resp.status, 200);
    let after = names(&get(&sb, &t, &contacts).json(), "Name");
    assert_eq!(after, ["Ærø Æbler ApS", "Morten Ågesen", "Børge Lund"]);
}

#[test]
fn invoices_take_dates_text_status_and_sort() {
    let sb = start_default();
    let t = token(&sb);
    let invoices = org_path("invoices");
    let contact =
        get(&sb, &t, &org_path("contacts")).json()["Collection"][0]["ContactGuid"].clone();
    for (date, description) in [
        ("2024-01-15", "Januar æbler"),
        ("2024-03-01", "Marts pærer"),
    ] {
        let body = json!({"ContactGuid": contact, "Date": date, "Description": description,
                          "ProductLines": [{"Quantity": 1, "BaseAmountValue": 10}]});
        created_id(&api(&sb, &t, "POST", &invoices, Some(&body)), "Guid");
    }
    let list = |query: &str| get(&sb, &t, &format!("{invoices}?{query}"));
    let fields = "fields=Number,Description,Status,Date";
    // Default sort: VoucherNumber, VoucherDate descending (drafts, numbered 2^63-1, first).
    let all = list(fields).json();
    assert_eq!(all["Pagination"]["Result"], 3);
    assert_eq!(all["Collection"][2]["Number"], 1);
    let only_march = list(&format!("{fields}&startDate=2024-02-01&endDate=2024-12-31")).json();
    assert_eq!(names(&only_march, "Description"), ["Marts pærer"]);
    let text = list(&format!("{fields}&freeTextSearch=%C3%A6BLER")).json();
    assert_eq!(
        names(&text, "Description"),
        ["Januar æbler", "Æbler og rådgivning"]
    );
    let text = list(&format!("{fields}&freeTextSearch=P%C3%A6rer")).json();
    assert_eq!(names(&text, "Description"), ["Marts pærer"]);
    let drafts = list(&format!("{fields}&statusFilter=Draft")).json();
    assert_eq!(drafts["Pagination"]["Result"], 2);
    let booked = list(&format!("{fields}&statusFilter=Booked,Paid")).json();
    assert_eq!(booked["Collection"][0]["Number"], 1);
    let by_date = list(&format!(
        "{fields}&sort=VoucherDate&sortOrder=ascending&statusFilter=Draft"
    ))
    .json();
    assert_eq!(names(&by_date, "Date"), ["2024-01-15", "2024-03-01"]);
    for bad in [
        "startDate=soon",
        "statusFilter=Lost",
        "sort=Colour",
        "sortOrder=sideways",
    ] {
        let resp = list(bad);
        assert_eq!(resp.status, 400, "{bad}");
        assert_eq!(resp.json()["code"], 42, "{bad}");
    }
}

#[test]
fn products_take_free_text_search() {
    let sb = start_default();
    let t = token(&sb);
    let found = get(
        &sb,
        &t,
        &org_path("products?freeTextSearch=r%C3%A5dgivning"),
    )
    .json();
    assert_eq!(names(&found, "Name"), ["Konsulenttime (rådgivning)"]);
    let contacts = get(&sb, &t, &org_path("contacts?freeTextSearch=Lund")).json();
    assert_eq!(
        contacts["Pagination"]["Result"], 3,
        "contacts take no freeTextSearch"
    );
}
