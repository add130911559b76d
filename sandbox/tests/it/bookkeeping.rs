//! Credit notes, entries (date ranges, no paging) and ledger items (v1.2).

use serde_json::{json, Value};

use crate::api::created_id;
use crate::client::*;

fn book_invoice(sb: &dinero_sandbox::Sandbox, t: &str, kind: &str, date: &str) -> String {
    let contact = get(sb, t, &org_path("contacts")).json()["Collection"][0]["ContactGuid"].clone();
    let body = json!({"ContactGuid": contact, "Date": date,
                      "ProductLines": [{"Quantity": 2, "BaseAmountValue": 100}]});
    let created = api(sb, t, "POST", &org_path(kind), Some(&body));
    let guid = created_id(&created, "Guid");
    let resp = api(
        sb,
        t,
        "POST",
        &org_path(&format!("{kind}/{guid}/book")),
        Some(&json!({"Timestamp": created.json()["TimeStamp"]})),
    );
    assert_eq!(resp.status, 200, "{}", resp.text());
    guid
}

#[test]
fn credit_notes_have_their_pdf_once_booked() {
    let sb = start_default();
    let t = token(&sb);
    let body = json!({"ProductLines": [{"Quantity": 1, "BaseAmountValue": 50}]});
    let created = api(&sb, &t, "POST", &org_path("sales/creditnotes"), Some(&body));
    let guid = created_id(&created, "Guid");
    let pdf = format!("sales/creditnotes/{guid}/pdf");
    let resp = get(&sb, &t, &org_path(&pdf));
    assert_eq!(resp.status, 400);
    assert_eq!(resp.json()["code"], 59);
    let guid = book_invoice(&sb, &t, "sales/creditnotes", "2024-02-02");
    let resp = get(&sb, &t, &org_path(&format!("sales/creditnotes/{guid}/pdf")));
    assert_eq!(resp.status, 200);
    assert_eq!(
        resp.header("content-type"),
        Some("application/octet-stream")
    );
    assert!(resp.body.starts_with(b"%PDF-"));
    assert!(resp.body.windows(12).any(|w| w == b"Kreditnota 1"));
    let listed = get(
        &sb,
        &t,
        &org_path("sales/creditnotes?fields=Number,Status&statusFilter=Booked"),
    )
    .json();
    assert_eq!(
        listed["Collection"],
        json!([{"Number": 1, "Status": "Booked"}])
    );
}

#[test]
fn entries_by_date_and_by_change_time_without_paging() {
    let sb = start_default();
    let t = token(&sb);
    book_invoice(&sb, &t, "invoices", "2024-01-10");
    book_invoice(&sb, &t, "invoices", "2024-06-10");
    let entries = |query: &str| get(&sb, &t, &org_path(&format!("entries?{query}")));
    let january = entries("fromDate=2024-01-01&toDate=2024-01-31&includePrimo=true");
    assert_eq!(january.status, 200);
    let january = january.json();
    let items = january.as_array().expect("a bare array");
    assert_eq!(items.len(), 3, "debtor, sales, VAT: {january}");
    let sum: f64 = items.iter().map(|e| e["Amount"].as_f64().unwrap()).sum();
    assert!(sum.abs() < 1e-9, "balanced: {january}");
    assert_eq!(items[0]["AccountNumber"], 5820);
    assert_eq!(items[0]["Amount"], 250.0);
    assert_eq!(
        entries("fromDate=2024-01-01&toDate=2024-12-31")
            .json()
            .as_array()
            .unwrap()
            .len(),
        6
    );
    for bad in [
        "fromDate=2024-01-01",
        "fromDate=x&toDate=2024-01-01",
        "fromDate=2024-01-01&toDate=2024-01-02&includePrimo=maybe",
    ] {
        assert_eq!(entries(bad).status, 400, "{bad}");
    }
    let changes = |query: &str| get(&sb, &t, &org_path(&format!("entries/changes?{query}")));
    let all = changes("changesFrom=2000-01-01T00:00:00Z&changesTo=2999-01-01T00:00:00Z").json();
    // The seed invoice's four entries (it has two lines) as well.
    assert_eq!(all.as_array().unwrap().len(), 10);
    let none = changes("changesFrom=2000-01-01T00:00:00Z&changesTo=2000-01-02T00:00:00Z").json();
    assert_eq!(none, json!([]));
    assert_eq!(changes("changesFrom=2000-01-01T00:00:00Z").status, 400);
}

#[test]
fn ledger_items_are_v1_2_and_booked_into_entries() {
    let sb = start_default();
    let t = token(&sb);
    let items = json!([{"AccountNumber": 1000, "BalancingAccountNumber": 55000, "Amount": 125.5,
                        "VoucherDate": "2024-03-03", "Description": "Kontant salg"}]);
    let path = format!("/v1.2/{ORG}/ledgerItems");
    assert_eq!(
        api(&sb, &t, "POST", &org_path("ledgerItems"), Some(&items)).status,
        404,
        "v1.2 only"
    );
    let resp = api(&sb, &t, "POST", &path, Some(&json!([{"Amount": 1}])));
    assert_eq!(resp.status, 400);
    let errors = &resp.json()["validationErrors"];
    assert!(
        errors["AccountNumber"].is_string() && errors["VoucherDate"].is_string(),
        "{errors}"
    );
    let resp = api(&sb, &t, "POST", &path, Some(&items));
    assert_eq!(resp.status, 201, "{}", resp.text());
    let added: Value = resp.json();
    let id = added[0]["Id"].clone();
    assert_eq!(added[0]["Timestamp"].as_str().unwrap().len(), 16);
    let range = org_path("entries?fromDate=2024-03-01&toDate=2024-03-31");
    assert_eq!(get(&sb, &t, &range).json(), json!([]), "not booked yet");
    let book = org_path("ledgerItems/book");
    let stale = api(
        &sb,
        &t,
        "POST",
        &book,
        Some(&json!([{"Id": id, "Timestamp": "0000000000000001"}])),
    );
    assert_eq!(stale.json()["code"], 58);
    let resp = api(
        &sb,
        &t,
        "POST",
        &book,
        Some(&json!([{"Id": id, "Timestamp": added[0]["Timestamp"]}])),
    );
    assert_eq!(resp.status, 200, "{}", resp.text());
    let booked = get(&sb, &t, &range).json();
    let amounts: Vec<f64> = booked
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["Amount"].as_f64().unwrap())
        .collect();
    assert_eq!(amounts, [125.5, -125.5]);
    assert_eq!(booked[0]["Description"], "Kontant salg");
}

#[test]
fn a_booked_voucher_is_never_deleted() {
    let sb = start_default();
    let t = token(&sb);
    for kind in ["invoices", "sales/creditnotes"] {
        let guid = book_invoice(&sb, &t, kind, "2024-03-03");
        let item = org_path(&format!("{kind}/{guid}"));
        let resp = api(&sb, &t, "DELETE", &item, None);
        assert_eq!(resp.status, 400, "{kind}: {}", resp.text());
        assert_eq!(resp.json()["code"], 42, "{kind}: {}", resp.text());
        // Still there, still booked.
        let kept = get(
            &sb,
            &t,
            &org_path(&format!("{kind}?fields=Guid,Status&statusFilter=Booked")),
        );
        assert!(kept.text().contains(&guid), "{kind}: {}", kept.text());
    }
}
