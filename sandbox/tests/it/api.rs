use dinero_sandbox::Config;
use serde_json::{json, Value};

use crate::client::*;

#[test]
fn organizations_is_a_bare_array() {
    let sb = start_default();
    let t = token(&sb);
    let body = get(&sb, &t, "/v1/organizations").json();
    assert_eq!(body[0]["Id"], ORG);
    assert_eq!(body[0]["Name"], "Sandbox ApS");
    assert_eq!(body[0]["IsPro"], true);
}

#[test]
fn seed_data_is_danish_and_byte_exact() {
    let sb = start_default();
    let t = token(&sb);
    let resp = get(&sb, &t, &org_path("contacts?fields=Name,Street"));
    assert_eq!(resp.status, 200);
    let text = resp.text();
    assert!(text.contains("Børge Lund"), "raw UTF-8, not \\u escapes");
    assert!(text.contains("Støvringparken 10, st. th"));
    assert!(text.contains("Ærø Æbler ApS"));
    let products = get(&sb, &t, &org_path("products")).json();
    assert_eq!(
        products["Collection"][0]["Name"],
        "Salg af varer/ydelser m/moms"
    );
    let fields = "Number,Status,TotalExclVat,TotalVat,TotalInclVat,CreatedAt,TimeStamp";
    let invoices = get(&sb, &t, &org_path(&format!("invoices?fields={fields}"))).json();
    let invoice = &invoices["Collection"][0];
    assert_eq!(invoice["Number"], 1, "the seed invoice is booked");
    assert_eq!(invoice["Status"], "Booked");
    assert_eq!(invoice["TimeStamp"].as_str().unwrap().len(), 16);
    assert_eq!(invoice["TotalExclVat"], 965.0);
    assert_eq!(invoice["TotalVat"], 241.25);
    assert_eq!(invoice["TotalInclVat"], 1206.25);
    let created = invoice["CreatedAt"].as_str().unwrap();
    assert_eq!(created.len(), "2017-05-19T14:20:47.407".len(), "{created}");
    let contact_created = get(&sb, &t, &org_path("contacts?fields=CreatedAt")).json()["Collection"]
        [0]["CreatedAt"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(contact_created.len(), "2017-05-19T14:14:47".len());
}

#[test]
fn paging() {
    let sb = start(Config {
        seed_contacts: 247,
        ..Config::default()
    });
    let t = token(&sb);
    let page = |query: &str| get(&sb, &t, &org_path(&format!("contacts?{query}")));

    let first = page("").json();
    assert_eq!(first["Collection"].as_array().unwrap().len(), 100);
    assert_eq!(
        first["Pagination"],
        json!({"MaxPageSizeAllowed": 1000, "PageSize": 100, "Result": 250, "ResultWithoutFilter": 250, "Page": 0})
    );
    let last = page("page=2&pageSize=100").json();
    assert_eq!(
        last["Collection"].as_array().unwrap().len(),
        50,
        "short last page"
    );
    assert_eq!(last["Collection"][49]["Name"], "Kontakt 0247");
    assert_eq!(page("page=3").json()["Collection"], json!([]));
    assert_eq!(
        page("pageSize=1000").json()["Collection"]
            .as_array()
            .unwrap()
            .len(),
        250
    );

    // Creation order is stable across pages.
    let mut names = Vec::new();
    for p in 0..5 {
        let body = page(&format!("page={p}&pageSize=60&fields=Name")).json();
        for c in body["Collection"].as_array().unwrap() {
            assert_eq!(c.as_object().unwrap().len(), 1, "only the asked field");
            names.push(c["Name"].as_str().unwrap().to_owned());
        }
    }
    assert_eq!(names.len(), 250);
    assert_eq!(names[0], "Børge Lund");
    assert_eq!(names[3], "Kontakt 0001");

    for bad in [
        "pageSize=1001",
        "pageSize=0",
        "pageSize=abc",
        "page=-1",
        "deletedOnly=maybe",
        "changesSince=yesterday",
    ] {
        let resp = page(bad);
        assert_eq!(resp.status, 400, "{bad}");
        assert_eq!(resp.json()["code"], 42, "{bad}");
    }
}

#[test]
fn query_filter_and_changes_since() {
    let sb = start(Config {
        seed_contacts: 3,
        ..Config::default()
    });
    let t = token(&sb);
    let list = |query: &str| get(&sb, &t, &org_path(&format!("contacts?{query}")));

    // `Name eq 'Børge Lund'`, percent-encoded as a client would.
    let body = list("queryFilter=Name%20eq%20%27B%C3%B8rge%20Lund%27").json();
    assert_eq!(body["Pagination"]["Result"], 1);
    assert_eq!(body["Pagination"]["ResultWithoutFilter"], 6);
    assert_eq!(
        body["Collection"][0],
        json!({"Name": "Børge Lund", "ContactGuid": body["Collection"][0]["ContactGuid"]}),
        "without fields, a list answers the few default properties"
    );

    let body = list("queryFilter=Name+contains+%27%C3%B8r%27").json();
    assert_eq!(body["Pagination"]["Result"], 1, "{body}");
    let body =
        list("queryFilter=Name+contains+%27Kontakt%27%3BEmail+eq+%27kontakt0002%40example.dk%27")
            .json();
    assert_eq!(body["Pagination"]["Result"], 1);
    assert_eq!(body["Collection"][0]["Name"], "Kontakt 0002");

    // Malformed filters and filters on undocumented properties: Dinero's code 46.
    for bad in [
        "queryFilter=Name+like+%27x%27",
        "queryFilter=City+eq+%27Aarhus+C%27",
        "queryFilter=Name+eq+%27x%27%3BStreet+contains+%27vej%27",
    ] {
        let resp = list(bad);
        assert_eq!(resp.status, 400, "{bad}");
        assert_eq!(resp.json()["code"], 46, "{bad}");
        assert_eq!(resp.json()["message"], "Invalid filter format");
        assert!(resp.json()["validationErrors"]["queryFilter"].is_string());
    }
    for documented in [
        "Email",
        "ExternalReference",
        "VatNumber",
        "EanNumber",
        "IsPerson",
    ] {
        let resp = list(&format!("queryFilter={documented}+eq+%27x%27"));
        assert_eq!(resp.status, 200, "{documented}: {}", resp.text());
    }
    // The switch: any property.
    sb.configure(json!({"strict_query_filter": false})).unwrap();
    assert_eq!(
        list("queryFilter=City+eq+%27Aarhus+C%27").json()["Pagination"]["Result"],
        4
    );

    assert_eq!(
        list("changesSince=2999-01-01T00:00:00").json()["Collection"],
        json!([])
    );
    assert_eq!(
        list("changesSince=2000-01-01").json()["Pagination"]["Result"],
        6
    );
}

/// The id from a create's answer, which is per resource: `{"ContactGuid"}`, `{"ProductGuid"}`,
/// `{"Guid","TimeStamp"}` for vouchers.
pub fn created_id(resp: &Resp, property: &str) -> String {
    assert_eq!(resp.status, 201, "{}", String::from_utf8_lossy(&resp.body));
    let body = resp.json();
    let guid = body[property].as_str().unwrap().to_owned();
    if property == "Guid" {
        assert_eq!(body.as_object().unwrap().len(), 2, "{body}");
        assert_eq!(body["TimeStamp"].as_str().unwrap().len(), 16);
    } else {
        assert_eq!(body.as_object().unwrap().len(), 1, "{body}");
    }
    assert_eq!(guid.len(), 36);
    assert_eq!(guid, guid.to_lowercase());
    guid
}

/// A contact body with Dinero's required fields.
pub fn contact(name: &str) -> Value {
    json!({"Name": name, "CountryKey": "DK", "IsPerson": true, "IsMember": false, "UseCvr": false})
}

#[test]
fn contact_lifecycle() {
    let sb = start_default();
    let t = token(&sb);
    let contacts = org_path("contacts");

    let resp = api(
        &sb,
        &t,
        "POST",
        &contacts,
        Some(&json!({"CountryKey": "DK"})),
    );
    assert_eq!(resp.status, 400);
    assert_eq!(
        resp.json(),
        json!({"code": 42, "message": "Validation error",
               "validationErrors": {"Name": "Name is required", "IsPerson": "IsPerson is required",
                                    "IsMember": "IsMember is required", "UseCvr": "UseCvr is required"},
               "languageSpecificMessages": [
                   {"property": "Name", "message": "Navn skal udfyldes"},
                   {"property": "IsPerson", "message": "Er person skal udfyldes"},
                   {"property": "IsMember", "message": "Er medlem skal udfyldes"},
                   {"property": "UseCvr", "message": "Brug CVR skal udfyldes"}],
               "errorMessageList": [
                   {"Code": 42, "Message": "Name is required"},
                   {"Code": 42, "Message": "IsPerson is required"},
                   {"Code": 42, "Message": "IsMember is required"},
                   {"Code": 42, "Message": "UseCvr is required"}]})
    );
    let resp = Conn::open(&sb)
        .send(
            "POST",
            &contacts,
            &[("Authorization", &format!("Bearer {t}"))],
            b"{not json",
        )
        .unwrap();
    assert_eq!(resp.status, 400);
    assert_eq!(resp.json()["code"], 42);

    let resp = api(
        &sb,
        &t,
        "POST",
        &contacts,
        Some(
            &json!({"Name": "Åse Ørum", "CountryKey": "DK", "City": "Næstved",
                     "IsPerson": true, "IsMember": false, "UseCvr": false}),
        ),
    );
    let guid = created_id(&resp, "ContactGuid");
    let one = get(&sb, &t, &format!("{contacts}/{guid}"));
    assert_eq!(one.status, 200);
    let c = one.json();
    assert_eq!(c["ContactGuid"], guid.as_str());
    assert_eq!(c["Name"], "Åse Ørum");
    assert_eq!(c["PaymentConditionType"], "Netto");
    assert_eq!(c["PaymentConditionNumberOfDays"], 8);
    assert!(c["DeletedAt"].is_null());

    // Contacts need no timestamp to update or delete. A PUT replaces the whole contact: what
    // is read back may be sent back changed; a body of one property is missing the required.
    let resp = api(
        &sb,
        &t,
        "PUT",
        &format!("{contacts}/{guid}"),
        Some(&json!({"Name": "Åse Ørum-Hansen"})),
    );
    assert_eq!(resp.status, 400, "{}", resp.text());
    assert_eq!(resp.json()["code"], 42);
    assert!(resp.json()["validationErrors"]["CountryKey"].is_string());
    let mut whole = c.clone();
    whole["Name"] = json!("Åse Ørum-Hansen");
    let resp = api(&sb, &t, "PUT", &format!("{contacts}/{guid}"), Some(&whole));
    assert_eq!(resp.status, 200, "{}", resp.text());
    let c = get(&sb, &t, &format!("{contacts}/{guid}")).json();
    assert_eq!(c["Name"], "Åse Ørum-Hansen");
    assert_eq!(c["City"], "Næstved", "sent again, so kept");
    whole.as_object_mut().unwrap().remove("City");
    let resp = api(&sb, &t, "PUT", &format!("{contacts}/{guid}"), Some(&whole));
    assert_eq!(resp.status, 200, "{}", resp.text());
    let c = get(&sb, &t, &format!("{contacts}/{guid}")).json();
    assert!(c["City"].is_null(), "left out, so emptied: {}", c["City"]);

    assert_eq!(
        api(&sb, &t, "DELETE", &format!("{contacts}/{guid}"), None).status,
        200
    );
    let resp = get(&sb, &t, &format!("{contacts}/{guid}"));
    assert_eq!(resp.status, 400);
    assert_eq!(resp.json()["code"], 65);
    assert_eq!(resp.json()["message"], "Item is deleted");
    let listed = get(&sb, &t, &contacts).json();
    assert_eq!(listed["Pagination"]["Result"], 3);
    let deleted = get(&sb, &t, &format!("{contacts}?deletedOnly=true")).json();
    assert_eq!(deleted["Pagination"]["Result"], 1);
    let deleted = get(
        &sb,
        &t,
        &format!("{contacts}?deletedOnly=true&fields=DeletedAt"),
    )
    .json();
    assert!(deleted["Collection"][0]["DeletedAt"].is_string());

    let resp = get(
        &sb,
        &t,
        &format!("{contacts}/00000000-0000-4000-8000-000000000000"),
    );
    assert_eq!(resp.status, 404);
    assert_eq!(resp.json()["code"], 40);
}

#[test]
fn products_need_no_timestamp_invoices_do() {
    let sb = start_default();
    let t = token(&sb);
    let products = org_path("products");
    let resp = api(
        &sb,
        &t,
        "POST",
        &products,
        Some(&json!({"Name": "Æblemost"})),
    );
    assert_eq!(resp.status, 400);
    let errors = resp.json()["validationErrors"].clone();
    for required in ["AccountNumber", "BaseAmountValue", "Quantity", "Unit"] {
        assert!(errors[required].is_string(), "{required}: {errors}");
    }
    assert!(errors["Name"].is_null(), "Name is not required: {errors}");

    let product = json!({"Name": "Æblemost", "BaseAmountValue": 35.5, "Unit": "parts",
                         "AccountNumber": 1000, "Quantity": 1});
    let guid = created_id(
        &api(&sb, &t, "POST", &products, Some(&product)),
        "ProductGuid",
    );
    let item = format!("{products}/{guid}");
    let mut renamed = product.clone();
    renamed["Name"] = json!("Æblemost 1 l");
    let resp = api(&sb, &t, "PUT", &item, Some(&renamed));
    assert_eq!(
        resp.status,
        200,
        "a product PUT takes no timestamp: {}",
        resp.text()
    );
    assert_eq!(resp.json(), json!({"ProductGuid": guid}));
    assert_eq!(get(&sb, &t, &item).json()["Name"], "Æblemost 1 l");
    assert_eq!(api(&sb, &t, "DELETE", &item, None).status, 200);
    assert_eq!(get(&sb, &t, &item).json()["code"], 65);

    // Invoices: PUT (v1.2) and booking need the current Timestamp, DELETE takes it optionally.
    let invoices = org_path("invoices");
    let lines = json!([{"Description": "Æbler", "Quantity": 1, "BaseAmountValue": 10.0}]);
    let created = api(
        &sb,
        &t,
        "POST",
        &invoices,
        Some(&json!({"ProductLines": lines})),
    );
    let guid = created_id(&created, "Guid");
    let ts1 = created.json()["TimeStamp"].as_str().unwrap().to_owned();
    let put_path = format!("/v1.2/{ORG}/invoices/{guid}");
    let resp = api(
        &sb,
        &t,
        "PUT",
        &put_path,
        Some(&json!({"Description": "x"})),
    );
    assert_eq!(resp.status, 400, "timestamp is required");
    assert!(resp.json()["validationErrors"]["Timestamp"].is_string());
    let resp = api(
        &sb,
        &t,
        "PUT",
        &put_path,
        Some(&json!({"Description": "x", "Timestamp": ts1, "ProductLines": lines})),
    );
    assert_eq!(resp.status, 200, "{}", resp.text());
    let ts2 = resp.json()["TimeStamp"].as_str().unwrap().to_owned();
    assert_ne!(ts1, ts2);
    let resp = api(
        &sb,
        &t,
        "PUT",
        &put_path,
        Some(&json!({"Description": "y", "TimeStamp": ts1})),
    );
    assert_eq!(resp.json()["code"], 58);
    assert_eq!(resp.json()["message"], "Timestamp outdated");
    assert_eq!(
        api(
            &sb,
            &t,
            "PUT",
            &format!("{invoices}/{guid}"),
            Some(&json!({"Timestamp": ts2}))
        )
        .status,
        404,
        "invoice PUT lives at v1.2 only (v1 was retired)"
    );
    let item = format!("{invoices}/{guid}");
    let resp = api(&sb, &t, "DELETE", &item, Some(&json!({"Timestamp": ts1})));
    assert_eq!(
        resp.json()["code"],
        58,
        "a stale timestamp on DELETE is refused"
    );
    assert_eq!(
        api(&sb, &t, "DELETE", &item, None).status,
        200,
        "or none at all"
    );
    assert_eq!(get(&sb, &t, &item).json()["code"], 65);
}

#[test]
fn invoices_are_drafts_with_the_64_bit_maximum_until_booked() {
    let sb = start_default();
    let t = token(&sb);
    let invoices = org_path("invoices");
    let resp = api(
        &sb,
        &t,
        "POST",
        &invoices,
        Some(&json!({"Description": "no lines"})),
    );
    assert_eq!(resp.status, 400);
    assert!(resp.json()["validationErrors"]["ProductLines"].is_string());
    let resp = api(
        &sb,
        &t,
        "POST",
        &invoices,
        Some(
            &json!({"ContactGuid": "00000000-0000-4000-8000-000000000000",
                     "ProductLines": [{"Quantity": 1, "BaseAmountValue": 1}]}),
        ),
    );
    assert_eq!(resp.status, 400);
    assert!(resp.json()["validationErrors"]["ContactGuid"].is_string());

    let contact =
        get(&sb, &t, &org_path("contacts")).json()["Collection"][1]["ContactGuid"].clone();
    let body = json!({
        "ContactGuid": contact, "Date": "2017-05-19",
        "ProductLines": [{"Description": "Æbler", "Quantity": 3, "BaseAmountValue": 10.0, "Discount": 50}]
    });
    let guid = created_id(&api(&sb, &t, "POST", &invoices, Some(&body)), "Guid");
    let one = get(&sb, &t, &format!("{invoices}/{guid}"));
    assert!(
        one.text().contains("\"Number\":9223372036854775807"),
        "{}",
        one.text()
    );
    let inv = one.json();
    assert_eq!(inv["Number"].as_i64(), Some(i64::MAX));
    assert_eq!(inv["ContactName"], "Ærø Æbler ApS");
    assert_eq!(inv["Status"], "Draft");
    assert_eq!(inv["Currency"], "DKK");
    assert_eq!(inv["Language"], "da-DK");
    assert_eq!(inv["TotalExclVat"], 15.0);
    assert_eq!(inv["TotalVat"], 3.75);
    assert_eq!(inv["TotalInclVat"], 18.75);

    let resp = api(
        &sb,
        &t,
        "POST",
        &invoices,
        Some(&json!({"ContactGuid": contact, "ProductLines": [{"Quantity": 1}]})),
    );
    assert_eq!(resp.json()["code"], 45, "a line without a price");

    let update = json!({"Timestamp": inv["TimeStamp"], "Description": "Høst 2017",
                        "ContactGuid": contact,
                        "ProductLines": [{"Quantity": 1, "BaseAmountValue": 100}]});
    let resp = api(
        &sb,
        &t,
        "PUT",
        &format!("/v1.2/{ORG}/invoices/{guid}"),
        Some(&update),
    );
    assert_eq!(resp.status, 200, "{}", resp.text());
    let inv = get(&sb, &t, &format!("{invoices}/{guid}")).json();
    assert_eq!(inv["TotalInclVat"], 125.0);
    assert_eq!(inv["Description"], "Høst 2017");

    // A draft has no PDF: Dinero's "voucher not booked".
    let pdf = |path: &str| {
        Conn::open(&sb)
            .send(
                "GET",
                path,
                &[
                    ("Authorization", &format!("Bearer {t}")),
                    ("Accept", "application/octet-stream"),
                ],
                b"",
            )
            .unwrap()
    };
    let resp = pdf(&format!("{invoices}/{guid}"));
    assert_eq!(resp.status, 400);
    assert_eq!(resp.json()["code"], 59);

    // Booking needs the current timestamp; it assigns the next number (the seed has 1).
    let book = format!("{invoices}/{guid}/book");
    let resp = api(&sb, &t, "POST", &book, Some(&json!({})));
    assert_eq!(resp.status, 400);
    assert!(resp.json()["validationErrors"]["Timestamp"].is_string());
    let resp = api(
        &sb,
        &t,
        "POST",
        &book,
        Some(&json!({"Timestamp": inv["TimeStamp"]})),
    );
    assert_eq!(resp.status, 200, "{}", resp.text());
    assert_eq!(resp.json()["Number"], 2);
    let booked = get(&sb, &t, &format!("{invoices}/{guid}")).json();
    assert_eq!(booked["Number"], 2);
    assert_eq!(booked["Status"], "Booked");
    let resp = api(
        &sb,
        &t,
        "POST",
        &book,
        Some(&json!({"Timestamp": booked["TimeStamp"]})),
    );
    assert_eq!(resp.status, 400, "booked once only");

    let resp = pdf(&format!("{invoices}/{guid}"));
    assert_eq!(resp.status, 200);
    assert_eq!(
        resp.header("content-type"),
        Some("application/octet-stream")
    );
    check_pdf(&resp.body);
    assert!(resp.body.windows(9).any(|w| w == b"Faktura 2"));

    // Booking needs a contact.
    let lines = json!([{"Quantity": 1, "BaseAmountValue": 5}]);
    let created = api(
        &sb,
        &t,
        "POST",
        &invoices,
        Some(&json!({"ProductLines": lines})),
    );
    let guid = created_id(&created, "Guid");
    let resp = api(
        &sb,
        &t,
        "POST",
        &format!("{invoices}/{guid}/book"),
        Some(&json!({"Timestamp": created.json()["TimeStamp"]})),
    );
    assert_eq!(resp.status, 400);
    assert!(resp.json()["validationErrors"]["ContactGuid"].is_string());

    // The switch: drafts rendered anyway.
    sb.configure(json!({"draft_pdf": "render"})).unwrap();
    assert_eq!(pdf(&format!("{invoices}/{guid}")).status, 200);
}

/// `%PDF-` ... `%%EOF`, and every xref entry points at its `N 0 obj`. Works on the bytes:
/// the PDF has a binary comment line, so no lossy text conversion (it would shift offsets).
fn check_pdf(pdf: &[u8]) {
    assert!(pdf.starts_with(b"%PDF-"));
    assert!(pdf.ends_with(b"%%EOF"));
    let find_last = |needle: &[u8]| {
        pdf.windows(needle.len())
            .rposition(|w| w == needle)
            .unwrap()
    };
    let after = find_last(b"startxref\n") + b"startxref\n".len();
    let digits: Vec<u8> = pdf[after..]
        .iter()
        .copied()
        .take_while(u8::is_ascii_digit)
        .collect();
    let xref: usize = String::from_utf8(digits).unwrap().parse().unwrap();
    assert!(pdf[xref..].starts_with(b"xref\n0 "));
    let header_line_end = xref + 5 + pdf[xref + 5..].iter().position(|&b| b == b'\n').unwrap();
    let count: usize = std::str::from_utf8(&pdf[xref + 7..header_line_end])
        .unwrap()
        .parse()
        .unwrap();
    let entries = header_line_end + 1;
    assert_eq!(&pdf[entries..entries + 20], b"0000000000 65535 f \n");
    for n in 1..count {
        let entry = &pdf[entries + n * 20..entries + n * 20 + 20];
        let offset: usize = std::str::from_utf8(&entry[..10]).unwrap().parse().unwrap();
        assert!(
            pdf[offset..].starts_with(format!("{n} 0 obj").as_bytes()),
            "object {n}"
        );
    }
    // Every stream's /Length is its exact byte count.
    let mut at = 0;
    while let Some(i) = pdf[at..].windows(8).position(|w| w == b"/Length ") {
        let start = at + i + 8;
        let digits: Vec<u8> = pdf[start..]
            .iter()
            .copied()
            .take_while(u8::is_ascii_digit)
            .collect();
        let length: usize = String::from_utf8(digits).unwrap().parse().unwrap();
        let data = start
            + pdf[start..]
                .windows(7)
                .position(|w| w == b"stream\n")
                .unwrap()
            + 7;
        assert!(pdf[data + length..].starts_with(b"\nendstream"));
        at = data + length;
    }
    assert!(at > 0, "a content stream");
}

#[test]
fn dinero_awkwardness_404_html_403_405() {
    let sb = start_default();
    let t = token(&sb);
    for path in [
        "/v1/424242/ledgers",
        "/v2/424242/contacts",
        "/v1.2/424242/organizations",
        "/v1/424242/invoices/00000000-0000-4000-8000-000000000000/pdf",
        "/nothing",
        "/v1/abc/contacts",
        "/v1.2/424242/contacts/x",
    ] {
        let resp = get(&sb, &t, path);
        assert_eq!(resp.status, 404, "{path}");
        assert_eq!(resp.header("content-type"), Some("text/html"));
        assert!(resp.text().contains("404 - File or directory not found"));
    }
    let resp = get(&sb, &t, "/v1/1/contacts");
    assert_eq!(resp.status, 403);
    assert_eq!(
        resp.json(),
        json!({"code": 41, "message": "No access to organization 1"})
    );
    let resp = api(&sb, &t, "PATCH", &org_path("contacts"), Some(&Value::Null));
    assert_eq!(resp.status, 405);
}

#[test]
fn an_organization_without_pro_is_listed_as_such_and_refused_with_code_48() {
    let sb = start(Config {
        non_pro_organizations: vec![ORG],
        ..Config::default()
    });
    let t = token(&sb);
    let listed = get(&sb, &t, "/v1/organizations").json();
    assert_eq!(listed[0]["IsPro"], false);
    let resp = get(&sb, &t, &org_path("contacts"));
    assert_eq!(resp.status, 403);
    assert_eq!(resp.json()["code"], 48, "{}", resp.text());
    // Another organization the token does not reach stays Dinero's code 41.
    assert_eq!(get(&sb, &t, "/v1/1/contacts").json()["code"], 41);
}
