//! Requests beyond JSON through the C builder: custom headers, encoded query parameters,
//! binary bodies, invoice PDFs downloaded and saved, and file uploads with Dinero's 6 MB limit.

mod common;
use common::*;
use dinero::ffi::status::*;
use serde_json::Value;
use std::path::PathBuf;

fn temp_path(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("binary-bodies");
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

fn first_invoice_guid(client: &Client) -> String {
    let list = client.get("/v1/{organizationId}/invoices").json();
    list["Collection"][0]["Guid"]
        .as_str()
        .expect("the sandbox seeds an invoice")
        .to_string()
}

#[test]
fn an_invoice_pdf_is_downloaded_with_an_accept_header_and_saved_byte_exact() {
    let sb = sandbox();
    let client = Client::to(&sb);
    let guid = first_invoice_guid(&client);
    let request = Builder::new("GET", &format!("/v1/{{organizationId}}/invoices/{guid}")).unwrap();
    request
        .header("Accept", "application/octet-stream")
        .unwrap();
    let pdf = client.send(&request).unwrap();
    assert_eq!(pdf.status, 200);
    assert!(pdf.body.starts_with(b"%PDF-"), "a PDF came back");
    assert!(pdf.body.ends_with(b"%%EOF") || pdf.body.ends_with(b"%%EOF\n"));
    let sent: Vec<Value> = sb.requests().as_array().unwrap().clone();
    assert_eq!(
        sent.last().unwrap()["headers"]["accept"],
        "application/octet-stream"
    );

    let path = temp_path("invoice.pdf");
    pdf.save(&path).unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), pdf.body, "saved byte-exact");

    // Without the header the same invoice is JSON.
    let json = client.get(&format!("/v1/{{organizationId}}/invoices/{guid}"));
    assert_eq!(json.json()["Guid"], guid.as_str());
}

#[test]
fn query_parameters_are_encoded_for_the_caller() {
    let sb = sandbox();
    let client = Client::to(&sb);
    let request = Builder::new("GET", "/v1/{organizationId}/contacts").unwrap();
    request
        .query("queryFilter", "Name eq 'Børge Lund'")
        .unwrap();
    request.query("fields", "Name,ContactGuid").unwrap();
    let reply = client.send(&request).unwrap();
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(reply.json()["Collection"][0]["Name"], "Børge Lund");
    assert_eq!(reply.json()["Collection"].as_array().unwrap().len(), 1);
    let sent = sb.requests().as_array().unwrap().last().unwrap().clone();
    assert_eq!(
        sent["query"],
        "queryFilter=Name%20eq%20%27B%C3%B8rge%20Lund%27&fields=Name%2CContactGuid"
    );
}

#[test]
fn a_builder_can_be_sent_twice_and_carries_a_custom_body() {
    let sb = sandbox();
    let client = Client::to(&sb);
    let request = Builder::new("POST", "/v1/{organizationId}/contacts").unwrap();
    request
        .body(
            "{\"Name\":\"Ærø Æbler ApS\",\"CountryKey\":\"DK\",\"IsPerson\":false,\"IsMember\":false,\"UseCvr\":false}".as_bytes(),
            "application/json; charset=utf-8",
        )
        .unwrap();
    request.header("X-Correlation-Id", "abc-123").unwrap();
    assert_eq!(client.send(&request).unwrap().status, 201);
    assert_eq!(client.send(&request).unwrap().status, 201);
    let sent = sb.requests().as_array().unwrap().last().unwrap().clone();
    assert_eq!(
        sent["headers"]["content-type"],
        "application/json; charset=utf-8"
    );
    assert_eq!(sent["headers"]["x-correlation-id"], "abc-123");
    assert!(sent["headers"]["authorization"]
        .as_str()
        .unwrap()
        .starts_with("Bearer "));
}

#[test]
fn headers_that_would_break_the_request_are_refused_and_change_nothing() {
    let request = Builder::new("GET", "/v1/organizations").unwrap();
    for (name, value, words) in [
        ("Authorization", "Bearer stolen", "set by libdinero"),
        ("Host", "evil.example", "set by libdinero"),
        ("Content-Length", "0", "set by libdinero"),
        ("X-Injected", "a\r\nX-Other: b", "CR, LF or NUL"),
        ("X Bad", "v", "not a valid header name"),
    ] {
        let err = request.header(name, value).err().unwrap();
        assert_eq!(err.status, DINERO_STATUS_INVALID_ARGUMENT);
        assert!(err.message.contains(words), "{name}: {}", err.message);
    }
    let err = request.body(b"x", "text/plain\r\nX: y").err().unwrap();
    assert_eq!(err.status, DINERO_STATUS_INVALID_ARGUMENT);
    assert!(Builder::new("GET", "/v1/x\r\n").is_err());
    assert!(Builder::new("BREW", "/v1/x").is_err());
}

#[test]
fn an_upload_over_six_megabytes_is_refused_before_sending() {
    let sb = sandbox();
    let client = Client::to(&sb);
    sb.reset_stats();
    let too_big = vec![0u8; dinero::MAX_UPLOAD_BYTES + 1];
    let err = client
        .upload_bytes(&too_big, "scan.pdf", None)
        .err()
        .unwrap();
    assert_eq!(err.status, DINERO_STATUS_INVALID_ARGUMENT);
    assert!(err.message.contains("at most 6 MB"), "{}", err.message);
    let path = temp_path("too-big.pdf");
    std::fs::write(&path, &too_big).unwrap();
    let err = client.upload_file(&path).err().unwrap();
    assert_eq!(err.status, DINERO_STATUS_INVALID_ARGUMENT);
    assert_eq!(stat(&sb, "api_requests"), 0, "nothing was sent");
    let err = client.upload_file(&temp_path("missing.pdf")).err().unwrap();
    assert_eq!(err.status, DINERO_STATUS_IO, "{}", err.message);
}

#[test]
fn saving_to_a_missing_folder_is_an_io_error() {
    let sb = sandbox();
    let reply = Client::to(&sb).get("/v1/organizations");
    let err = reply
        .save(std::path::Path::new("/no/such/folder/x.json"))
        .err()
        .unwrap();
    assert_eq!(err.status, DINERO_STATUS_IO);
    assert!(
        err.message.contains("cannot write /no/such/folder/x.json"),
        "{}",
        err.message
    );
}

/// A sandbox whose file archive lists every upload and serves it at once. These tests are about
/// the library's upload, list and download mechanics, not Dinero's timing (a file listed only
/// once attached to a voucher, readable after up to a second), so they opt out of it.
fn instant_file_archive() -> Sandbox {
    sandbox_with(|c| {
        c.list_unattached_files = true;
        c.file_ready_delay = std::time::Duration::ZERO;
    })
}

fn fetch_file(client: &Client, guid: &str) -> Reply {
    let request = Builder::new("GET", &format!("/v1/{{organizationId}}/files/{guid}")).unwrap();
    request
        .header("Accept", "application/octet-stream")
        .unwrap();
    client.send(&request).unwrap()
}

#[test]
fn uploads_round_trip_byte_exact() {
    let sb = instant_file_archive();
    let client = Client::to(&sb);
    let png: &[u8] =
        b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";
    let pdf: &[u8] = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nstream\n\0\0\x01\r\n--not-a-boundary\r\n\0endstream\n%%EOF";
    let text = "Kvittering: wienerbrød 25,00 kr\n".as_bytes();
    let mut uploaded = Vec::new();
    for (bytes, name, content_type) in [
        (text, "kvittering.txt", Some("text/plain; charset=utf-8")),
        (png, "scan.png", None),
        (pdf, "regning æøå.pdf", None),
    ] {
        let reply = client.upload_bytes(bytes, name, content_type).unwrap();
        assert_eq!(reply.status, 200, "{name}: {}", reply.text());
        let guid = reply.json()["FileGuid"].as_str().unwrap().to_string();
        uploaded.push((guid, bytes, name));
    }
    // From disk too, with the name and type taken from the path.
    let path = temp_path("bilag.pdf");
    std::fs::write(&path, pdf).unwrap();
    let reply = client.upload_file(&path).unwrap();
    assert_eq!(reply.status, 200);
    uploaded.push((
        reply.json()["FileGuid"].as_str().unwrap().to_string(),
        pdf,
        "bilag.pdf",
    ));

    let listed = client.get("/v1/{organizationId}/files").json();
    let names: Vec<&str> = listed["Collection"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["FileName"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        vec!["kvittering.txt", "scan.png", "regning æøå.pdf", "bilag.pdf"]
    );
    let types: Vec<&str> = listed["Collection"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["ContentType"].as_str().unwrap())
        .collect();
    assert_eq!(
        types,
        vec![
            "text/plain; charset=utf-8",
            "image/png",
            "application/pdf",
            "application/pdf"
        ]
    );
    for (guid, bytes, name) in uploaded {
        let fetched = fetch_file(&client, &guid);
        assert_eq!(fetched.status, 200);
        assert_eq!(fetched.body, bytes, "{name} came back byte-exact");
    }
    assert_eq!(
        route_count(&sb, "POST /v1/{org}/files"),
        4,
        "each upload sent once"
    );
}

#[test]
fn exactly_six_megabytes_is_accepted() {
    let sb = instant_file_archive();
    let client = Client::to(&sb);
    let bytes: Vec<u8> = (0..dinero::MAX_UPLOAD_BYTES)
        .map(|i| (i % 251) as u8)
        .collect();
    let reply = client.upload_bytes(&bytes, "big.bin", None).unwrap();
    assert_eq!(reply.status, 200, "{}", reply.text());
    let guid = reply.json()["FileGuid"].as_str().unwrap().to_string();
    assert_eq!(fetch_file(&client, &guid).body, bytes);
}

#[test]
fn a_413_from_the_server_comes_back_as_a_response_and_is_not_repeated() {
    let sb = sandbox();
    let client = Client::to(&sb);
    inject(
        &sb,
        serde_json::json!({"kind": "status", "status": 413, "body": "{\"code\":43,\"message\":\"File too large, max 6 MB\"}", "content_type": "application/json"}),
    );
    let reply = client.upload_bytes(b"small", "x.txt", None).unwrap();
    assert_eq!(reply.status, 413);
    assert_eq!(reply.json()["code"], 43);
    assert_eq!(route_count(&sb, "POST /v1/{org}/files"), 1);
}

#[test]
fn an_upload_whose_connection_dropped_is_not_repeated() {
    let sb = sandbox();
    let client = Client::to(&sb);
    inject(
        &sb,
        serde_json::json!({"kind": "drop", "path_contains": "/files"}),
    );
    let err = client
        .upload_bytes(b"receipt", "r.txt", None)
        .err()
        .unwrap();
    assert_eq!(err.status, DINERO_STATUS_NETWORK);
    assert_eq!(
        route_count(&sb, "POST /v1/{org}/files"),
        1,
        "an upload is a POST: never repeated"
    );
}

/// One call with a whole description: the rules the bindings rely on (parameter values as text,
/// the content type order, the path's dangling `?`), and "OK" as the library decides it.
#[test]
fn a_whole_request_in_one_call_follows_the_library_rules() {
    use dinero::ffi::client::dinero_client_call;
    use dinero::ffi::response::dinero_response_is_ok;
    let sb = sandbox();
    let client = Client::to(&sb);
    let call = |method: &str, path: &str, spec: &str, data: &[u8]| {
        let mut response = std::ptr::null_mut();
        let status = unsafe {
            dinero_client_call(
                client.0,
                cstr(method).as_ptr(),
                cstr(path).as_ptr(),
                cstr(spec).as_ptr(),
                data.as_ptr(),
                data.len(),
                &mut response,
            )
        };
        (status, response)
    };
    let spec = r#"{"params":[["queryFilter","Name eq 'Børge Lund'"],["deletedOnly",false],["skip",null]],"headers":{"X-Trace":"7"}}"#;
    let (status, response) = call("GET", "/v1/{organizationId}/contacts?", spec, b"");
    assert_eq!(status, DINERO_STATUS_OK, "{}", last_error());
    let reply = Reply::from_handle(response);
    assert_eq!(reply.status, 200);
    assert!(unsafe { dinero_response_is_ok(reply.handle) });
    let sent = sb.requests().as_array().unwrap().last().unwrap().clone();
    assert_eq!(
        sent["query"],
        "queryFilter=Name%20eq%20%27B%C3%B8rge%20Lund%27&deletedOnly=false"
    );
    assert_eq!(sent["headers"]["x-trace"], "7");

    let spec = r#"{"json":{"Name":"Ærø","CountryKey":"DK","IsPerson":false,"IsMember":false,"UseCvr":false}}"#;
    let (status, response) = call("POST", "/v1/{organizationId}/contacts", spec, b"");
    assert_eq!(status, DINERO_STATUS_OK, "{}", last_error());
    assert_eq!(Reply::from_handle(response).status, 201);
    let sent = sb.requests().as_array().unwrap().last().unwrap().clone();
    assert_eq!(sent["headers"]["content-type"], "application/json");

    // A 400 is an answer, and not OK.
    let (status, response) = call(
        "POST",
        "/v1/{organizationId}/contacts",
        r#"{"json":{}}"#,
        b"",
    );
    assert_eq!(status, DINERO_STATUS_OK);
    let reply = Reply::from_handle(response);
    assert_eq!(reply.status, 400);
    assert!(!unsafe { dinero_response_is_ok(reply.handle) });

    // Bad descriptions are refused before anything is sent.
    let before = stat(&sb, "api_requests");
    for (spec, words) in [
        (r#"{"json":1,"data":true}"#, "not both"),
        (r#"{"content_type":"text/plain"}"#, "without a body"),
        (
            r#"{"params":{"a":{"b":1}}}"#,
            "strings, numbers or booleans",
        ),
        (r#"{"headers":[["X-Ok",5]]}"#, "must be a string"),
        (r#"{"bogus":1}"#, "unknown field"),
    ] {
        let (status, response) = call("POST", "/v1/{organizationId}/contacts", spec, b"x");
        assert_eq!(status, DINERO_STATUS_INVALID_ARGUMENT, "{spec}");
        assert!(response.is_null());
        assert!(last_error().contains(words), "{spec}: {}", last_error());
    }
    assert_eq!(stat(&sb, "api_requests"), before);
}
