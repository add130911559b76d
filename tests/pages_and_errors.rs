//! Dinero's lists paged by the library (dinero_pages_*), Dinero's error answers read by the
//! library (dinero_response_error_*), and uploads whose name and size rules live in the core,
//! all over the C ABI against the sandbox.

mod common;
use common::*;
use dinero::ffi::pages::*;
use dinero::ffi::response::*;
use dinero::ffi::status::*;
use serde_json::{json, Value};
use std::ffi::CStr;
use std::ptr;

struct Pages(*mut dinero_pages);

impl Pages {
    fn new(client: &Client, request: &Builder, page_size: u32) -> Result<Pages, Failed> {
        let mut pages = ptr::null_mut();
        let status = unsafe { dinero_pages_new(client.0, request.0, page_size, &mut pages) };
        match status {
            DINERO_STATUS_OK => Ok(Pages(pages)),
            _ => Err(Failed {
                status,
                message: last_error(),
            }),
        }
    }

    fn next(&self) -> Result<Option<Reply>, Failed> {
        let mut response = ptr::null_mut();
        let status = unsafe { dinero_pages_next(self.0, &mut response) };
        match status {
            DINERO_STATUS_OK if response.is_null() => Ok(None),
            DINERO_STATUS_OK => Ok(Some(Reply::from_handle(response))),
            _ => Err(Failed {
                status,
                message: last_error(),
            }),
        }
    }

    /// Every item of every page.
    fn items(&self) -> Vec<Value> {
        let mut items = Vec::new();
        while let Some(page) = self.next().unwrap() {
            assert_eq!(page.status, 200, "{}", page.text());
            items.extend(page.json().as_array().unwrap().clone());
        }
        items
    }
}

impl Drop for Pages {
    fn drop(&mut self) {
        unsafe { dinero_pages_free(self.0) }
    }
}

fn error_json(reply: &Reply) -> Option<Value> {
    let json = unsafe { dinero_response_error_json(reply.handle) };
    (!json.is_null())
        .then(|| serde_json::from_slice(unsafe { CStr::from_ptr(json) }.to_bytes()).unwrap())
}

fn error_message(reply: &Reply) -> Option<String> {
    let line = unsafe { dinero_response_error_message(reply.handle) };
    (!line.is_null()).then(|| {
        unsafe { CStr::from_ptr(line) }
            .to_string_lossy()
            .into_owned()
    })
}

const CONTACTS: &str = "/v1/{organizationId}/contacts";

#[test]
fn every_item_comes_once_with_one_request_per_page_and_the_callers_query_kept() {
    let sb = sandbox_with(|c| {
        c.seed_contacts = 23;
        c.rate_limit = 0;
    });
    let client = Client::to(&sb);
    let total = client.get(&format!("{CONTACTS}?pageSize=1")).json()["Pagination"]["Result"]
        .as_u64()
        .unwrap();
    let before = route_count(&sb, "GET /v1/{org}/contacts");
    let request =
        Builder::new("GET", &format!("{CONTACTS}?page=7&fields=ContactGuid,Name")).unwrap();
    request.query("PageSize", "3").unwrap();
    let pages = Pages::new(&client, &request, 5).unwrap();
    drop(request); // the pages keep their own copy
    let items = pages.items();
    assert_eq!(items.len() as u64, total);
    let guids: std::collections::HashSet<_> =
        items.iter().map(|i| i["ContactGuid"].clone()).collect();
    assert_eq!(guids.len() as u64, total, "no item twice");
    assert_eq!(
        items[0].as_object().unwrap().len(),
        2,
        "fields passed through"
    );
    assert_eq!(
        route_count(&sb, "GET /v1/{org}/contacts") - before,
        total.div_ceil(5),
        "one request per page, no empty page after the last"
    );
    let queries: Vec<String> = sb
        .requests()
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["query"].as_str().map(str::to_string))
        .collect();
    assert!(
        queries.contains(&"fields=ContactGuid,Name&page=0&pageSize=5".to_string()),
        "{queries:?}"
    );
    assert!(pages.next().unwrap().is_none(), "stays finished");
}

#[test]
fn in_rust_the_pages_are_an_iterator_that_ends_after_the_last_page() {
    // The Rust API's `Pages` is an `Iterator` of page responses, each holding its page's items
    // (the `dinero` command walks it with `next_page`): a `for` loop sees every page once, then
    // the walk stays ended.
    let sb = sandbox_with(|c| c.seed_contacts = 7);
    let c = sb.config();
    let mut config = dinero::Config::default();
    for (key, value) in fast_options(&sb) {
        config.set(&key, &value).unwrap();
    }
    let client =
        dinero::Client::authenticate(&c.client_id, &c.client_secret, &c.api_key, config).unwrap();
    let first = dinero::RequestBuilder::new("GET", &format!("{CONTACTS}?pageSize=1")).unwrap();
    let first: Value = serde_json::from_slice(client.send(&first).unwrap().body()).unwrap();
    let total = first["Pagination"]["Result"].as_u64().unwrap();
    assert!(total > 3, "more than one page");
    let request = dinero::RequestBuilder::new("GET", CONTACTS).unwrap();
    let before = route_count(&sb, "GET /v1/{org}/contacts");
    let mut pages = client.pages(request, 3).unwrap();
    let mut items = 0;
    for page in pages.by_ref() {
        let page = page.unwrap();
        assert_eq!(page.status(), 200);
        // A page's body is its items, as a JSON array.
        items += serde_json::from_slice::<Vec<Value>>(page.body())
            .unwrap()
            .len();
    }
    assert_eq!(items as u64, total);
    assert_eq!(pages.items_seen(), total);
    assert_eq!(
        route_count(&sb, "GET /v1/{org}/contacts") - before,
        total.div_ceil(3)
    );
    assert!(pages.next().is_none(), "stays finished");
}

#[test]
fn closing_the_client_ends_its_pages_and_lets_go_of_it_though_the_pages_live_on() {
    let sb = sandbox_with(|c| c.seed_contacts = 3);
    let client = Client::to(&sb);
    let pages = Pages::new(&client, &Builder::new("GET", CONTACTS).unwrap(), 2).unwrap();
    assert_eq!(pages.next().unwrap().unwrap().status, 200);
    let closed_before = stat(&sb, "connections_closed");
    // SAFETY: a live client, closed once; freed by `client`'s drop.
    assert_eq!(
        unsafe { dinero::ffi::client_close::dinero_client_close(client.0) },
        DINERO_STATUS_OK
    );
    // Its kept-alive connection went with it (and its token and credentials, wiped with it),
    // though the pages handle is still to be freed.
    let mut closed = false;
    for _ in 0..200 {
        closed = stat(&sb, "connections_closed") > closed_before;
        if closed {
            break;
        }
        std::thread::sleep(ms(10));
    }
    assert!(closed, "the client's connection is still open");
    let refused = pages.next().err().expect("the pages ended with the client");
    assert_eq!(
        refused.status, DINERO_STATUS_INVALID_ARGUMENT,
        "{}",
        refused.message
    );
}

#[test]
fn a_bare_array_is_one_page_and_a_short_page_without_result_ends_the_list() {
    let sb = sandbox();
    let client = Client::to(&sb);
    let organizations = Pages::new(
        &client,
        &Builder::new("GET", "/v1/organizations").unwrap(),
        1,
    )
    .unwrap()
    .items();
    assert_eq!(organizations.len(), 1);
    assert_eq!(route_count(&sb, "GET /v1/organizations"), 1);

    for body in [
        r#"{"Collection":[1,2],"Pagination":{}}"#,
        r#"{"Collection":[3]}"#,
    ] {
        inject(
            &sb,
            json!({"kind": "status", "status": 200, "body": body, "content_type": "application/json"}),
        );
    }
    let before = route_count(&sb, "GET /v1/{org}/contacts");
    let items = Pages::new(&client, &Builder::new("GET", CONTACTS).unwrap(), 2)
        .unwrap()
        .items();
    assert_eq!(items, vec![json!(1), json!(2), json!(3)]);
    assert_eq!(route_count(&sb, "GET /v1/{org}/contacts") - before, 2);

    // Big numbers reach the caller exactly as Dinero wrote them.
    let body = r#"{"Collection":[{"Number":9223372036854775807,"Amount":1.10}],"Pagination":{"Result":1}}"#;
    inject(
        &sb,
        json!({"kind": "status", "status": 200, "body": body, "content_type": "application/json"}),
    );
    let pages = Pages::new(&client, &Builder::new("GET", CONTACTS).unwrap(), 1000).unwrap();
    let page = pages.next().unwrap().unwrap();
    assert_eq!(
        page.text(),
        r#"[{"Number":9223372036854775807,"Amount":1.10}]"#
    );
}

#[test]
fn what_is_not_a_list_and_bad_sizes_are_refused_and_an_error_answer_ends_the_list() {
    let sb = sandbox();
    let client = Client::to(&sb);
    for size in [0, 1001] {
        let err = Pages::new(&client, &Builder::new("GET", CONTACTS).unwrap(), size)
            .err()
            .unwrap();
        assert_eq!(err.status, DINERO_STATUS_INVALID_ARGUMENT);
        assert!(err.message.contains("1 to 1000"), "{}", err.message);
    }
    let post = Builder::new("POST", CONTACTS).unwrap();
    assert_eq!(
        Pages::new(&client, &post, 10).err().unwrap().status,
        DINERO_STATUS_INVALID_ARGUMENT
    );

    inject(
        &sb,
        json!({"kind": "status", "status": 200, "body": "{\"x\":1}", "content_type": "application/json"}),
    );
    let pages = Pages::new(&client, &Builder::new("GET", CONTACTS).unwrap(), 10).unwrap();
    assert_eq!(pages.next().err().unwrap().status, DINERO_STATUS_PROTOCOL);
    assert!(pages.next().unwrap().is_none(), "a failure ends the list");

    let pages = Pages::new(
        &client,
        &Builder::new("GET", "/v1/{organizationId}/nowhere").unwrap(),
        10,
    )
    .unwrap();
    let answer = pages.next().unwrap().unwrap();
    assert_eq!(answer.status, 404);
    assert_eq!(error_message(&answer).unwrap(), "HTTP 404: Not Found");
    assert!(pages.next().unwrap().is_none());
}

#[test]
fn dineros_error_answer_is_read_once_for_every_language() {
    let sb = sandbox();
    let client = Client::to(&sb);
    let ok = client.get("/v1/organizations");
    assert!(error_json(&ok).is_none() && error_message(&ok).is_none());

    let invalid = client
        .request(
            "POST",
            CONTACTS,
            Some(r#"{"CountryKey":"DK","IsPerson":true,"IsMember":false,"UseCvr":false}"#),
        )
        .unwrap();
    assert_eq!(invalid.status, 400);
    let error = error_json(&invalid).unwrap();
    assert_eq!(error["code"], 42);
    assert_eq!(error["message"], "Validation error");
    assert_eq!(error["message_from_body"], true);
    assert_eq!(
        error["validation_errors"][0],
        json!({"name": "Name", "message": "Name is required"})
    );
    assert!(error["language_specific_messages"].is_array());
    assert!(error["error_message_list"].is_array());
    assert_eq!(
        error_message(&invalid).unwrap(),
        "HTTP 400 (Dinero code 42): Validation error [Name: Name is required]"
    );
    assert_eq!(error["description"], error_message(&invalid).unwrap());

    // A hostile server's message loses its control characters and its length.
    let evil = format!(
        r#"{{"code":1,"message":"\u001b[31mred\r\n2026-01-01 INFO forged {}"}}"#,
        "A".repeat(5000)
    );
    inject(
        &sb,
        json!({"kind": "status", "status": 400, "body": evil, "content_type": "application/json"}),
    );
    let hostile = client.get("/v1/organizations");
    let line = error_message(&hostile).unwrap();
    assert!(!line.chars().any(char::is_control), "{line:?}");
    assert!(
        line.starts_with("HTTP 400 (Dinero code 1): [31mred 2026-01-01 INFO forged AAA"),
        "{line}"
    );
    assert!(line.len() < 1100, "cut short: {} bytes", line.len());

    let mut parsed = ptr::null_mut();
    let body = b"API calls quota exceeded! maximum admitted 100 per 1m.";
    let status = unsafe { dinero_error_body_parse(429, body.as_ptr(), body.len(), &mut parsed) };
    assert_eq!(status, DINERO_STATUS_OK);
    let text = unsafe { CStr::from_ptr(parsed) }
        .to_str()
        .unwrap()
        .to_string();
    unsafe { dinero::ffi::library::dinero_string_free(parsed) };
    let quota: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        quota["message"],
        "API calls quota exceeded! maximum admitted 100 per 1m."
    );
    assert_eq!(quota["code"], Value::Null);
}

#[test]
fn uploads_name_bytes_from_their_content_and_read_only_regular_files() {
    let sb = sandbox();
    let client = Client::to(&sb);
    let mut response = ptr::null_mut();
    let pdf = b"%PDF-1.4\n%%EOF\n";
    let status = unsafe {
        dinero::ffi::client::dinero_client_upload_bytes(
            client.0,
            pdf.as_ptr(),
            pdf.len(),
            ptr::null(),
            ptr::null(),
            &mut response,
        )
    };
    assert_eq!(status, DINERO_STATUS_OK, "{}", last_error());
    let reply = Reply::from_handle(response);
    assert!(reply.status < 300, "{}", reply.text());
    let sent = sb.requests();
    let upload = sent.as_array().unwrap().last().unwrap();
    let body = upload["body"].as_str().unwrap_or_default();
    assert!(body.contains("filename=\"file.pdf\""), "{upload}");
    assert!(body.contains("Content-Type: application/pdf"), "{upload}");

    let before = route_count(&sb, "POST /v1/{org}/files");
    let err = client
        .upload_file(std::path::Path::new("/dev/zero"))
        .err()
        .unwrap();
    assert_eq!(err.status, dinero::ffi::status::DINERO_STATUS_IO);
    assert!(
        err.message.contains("not a regular file"),
        "{}",
        err.message
    );
    assert_eq!(
        route_count(&sb, "POST /v1/{org}/files"),
        before,
        "nothing sent"
    );
}

fn request_line(reply: &Reply) -> String {
    let line = unsafe { dinero_response_request(reply.handle) };
    assert!(!line.is_null());
    unsafe { CStr::from_ptr(line) }
        .to_string_lossy()
        .into_owned()
}

#[test]
fn every_answer_names_the_request_it_answers_as_sent() {
    let sb = sandbox_with(|c| {
        c.seed_contacts = 7;
        c.rate_limit = 0;
    });
    let client = Client::to(&sb);
    // The short path: the path as written, {organizationId} and all.
    let reply = client
        .request("GET", &format!("{CONTACTS}?pageSize=1"), None)
        .unwrap();
    assert_eq!(
        request_line(&reply),
        "GET /v1/{organizationId}/contacts?pageSize=1"
    );
    // The builder: its query percent-encoded as sent, an error answer named the same way.
    let request = Builder::new("GET", "/v1/{organizationId}/no-such-thing").unwrap();
    request.query("q", "Name eq 'Ø'").unwrap();
    let reply = client.send(&request).unwrap();
    assert_eq!(reply.status, 404);
    assert_eq!(
        request_line(&reply),
        "GET /v1/{organizationId}/no-such-thing?q=Name%20eq%20%27%C3%98%27"
    );
    // Each page names its own page; the caller's query is kept.
    let request = Builder::new("GET", &format!("{CONTACTS}?fields=Name")).unwrap();
    let pages = Pages::new(&client, &request, 5).unwrap();
    let lines: Vec<String> = std::iter::from_fn(|| pages.next().unwrap())
        .map(|page| request_line(&page))
        .collect();
    assert_eq!(
        lines,
        [
            "GET /v1/{organizationId}/contacts?fields=Name&page=0&pageSize=5",
            "GET /v1/{organizationId}/contacts?fields=Name&page=1&pageSize=5",
        ]
    );
    // An upload names the files endpoint.
    let reply = client
        .upload_bytes(b"%PDF-1.4\n%%EOF\n", "a.pdf", None)
        .unwrap();
    assert_eq!(request_line(&reply), "POST /v1/{organizationId}/files");
    assert!(unsafe { dinero_response_request(ptr::null()) }.is_null());
}
