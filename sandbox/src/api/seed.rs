//! The data a fresh sandbox holds: Danish names and addresses (so every layer is tested with
//! non-ASCII UTF-8), plus any number of generated contacts for paging tests.

use serde_json::json;

use super::collections::{DuplicateId, Store};
use super::entities::Kind;

/// Three contacts, two products and one invoice, booked (number 1). Creation goes through the same validation as
/// the API, so the seed can never hold what a client could not have created.
pub fn seed(store: &mut Store, now_ms: i64) {
    let contacts = [
        json!({
            "Name": "Børge Lund", "Street": "Støvringparken 10, st. th", "ZipCode": "9530",
            "City": "Støvring", "CountryKey": "DK", "Phone": "+45 98 37 12 34",
            "Email": "borge.lund@example.dk", "IsPerson": true, "IsMember": false,
            "UseCvr": false,
        }),
        json!({
            "Name": "Ærø Æbler ApS", "Street": "Vestergade 1", "ZipCode": "5970",
            "City": "Ærøskøbing", "CountryKey": "DK", "Email": "ordre@aeroe-aebler.example.dk",
            "Webpage": "https://aeroe-aebler.example.dk", "AttPerson": "Søren Ågesen",
            "VatNumber": "DK12345678", "EanNumber": "5790000123456", "IsPerson": false,
            "IsMember": false, "UseCvr": true,
        }),
        json!({
            "Name": "Morten Ågesen", "Street": "Åboulevarden 7, 2. tv", "ZipCode": "8000",
            "City": "Aarhus C", "CountryKey": "DK", "Email": "morten@example.dk",
            "IsPerson": true, "IsCreditor": true, "IsMember": false, "UseCvr": false,
        }),
    ];
    let mut contact_guids = Vec::new();
    for contact in &contacts {
        if let Ok(w) = store.create(Kind::Contacts, contact, now_ms, DuplicateId::Refuse) {
            contact_guids.push(w.guid);
        }
    }
    let products = [
        json!({
            "ProductNumber": "1", "Name": "Salg af varer/ydelser m/moms", "BaseAmountValue": 100.0,
            "Quantity": 1.0, "AccountNumber": 1000, "Unit": "parts",
        }),
        json!({
            "ProductNumber": "2", "Name": "Konsulenttime (rådgivning)", "BaseAmountValue": 850.0,
            "Quantity": 1.0, "AccountNumber": 1000, "Unit": "hours",
            "Comment": "Faktureres pr. påbegyndt time",
        }),
    ];
    let mut product_guids = Vec::new();
    for product in &products {
        if let Ok(w) = store.create(Kind::Products, product, now_ms, DuplicateId::Refuse) {
            product_guids.push(w.guid);
        }
    }
    if let (Some(contact), [first, second, ..]) = (contact_guids.first(), product_guids.as_slice())
    {
        let invoice = json!({
            "ContactGuid": contact,
            "Description": "Æbler og rådgivning",
            "Comment": "Tak for handlen!",
            "ProductLines": [
                {"ProductGuid": first, "Quantity": 2.0},
                {"ProductGuid": second, "Quantity": 1.0, "Discount": 10.0},
            ],
        });
        if let Ok(w) = store.create(Kind::Invoices, &invoice, now_ms, DuplicateId::Refuse) {
            let booking = json!({"Timestamp": super::collections::format_timestamp(w.timestamp)});
            let _ = store.book(Kind::Invoices, &w.guid, &booking, now_ms);
        }
    }
}

/// Adds `n` contacts named "Kontakt 0001", "Kontakt 0002", ... (numbering continues across
/// calls).
pub fn generate_contacts(store: &mut Store, n: usize, now_ms: i64) {
    for _ in 0..n {
        store.generated_contacts += 1;
        let i = store.generated_contacts;
        let contact = json!({
            "Name": format!("Kontakt {i:04}"),
            "Street": format!("Testvej {i}"),
            "ZipCode": "8000",
            "City": "Aarhus C",
            "CountryKey": "DK",
            "Email": format!("kontakt{i:04}@example.dk"),
            "IsPerson": false,
            "IsMember": false,
            "UseCvr": false,
        });
        let _ = store.create(Kind::Contacts, &contact, now_ms, DuplicateId::Refuse);
    }
}
