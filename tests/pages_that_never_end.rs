//! A server that ignores `page` and answers the same full page every time: paging through the
//! C ABI stops at the first repeat with DINERO_STATUS_PROTOCOL instead of asking forever, and
//! the repeated items are not handed out.

mod common;
use common::*;
use dinero::ffi::pages::*;
use dinero::ffi::status::*;
use serde_json::{json, Value};
use std::ptr;

const CONTACTS: &str = "/v1/{organizationId}/contacts";
const ROUTE: &str = "GET /v1/{org}/contacts";

/// Pages `CONTACTS` at `page_size` while the sandbox answers `body` to up to 50 requests: the
/// items handed out, and the status and message that ended the list.
fn page_through(sb: &Sandbox, body: &str, page_size: u32) -> (Vec<Value>, dinero_status, String) {
    inject(
        sb,
        json!({"kind": "status", "status": 200, "body": body,
               "content_type": "application/json", "count": 50}),
    );
    let client = Client::to(sb);
    let request = Builder::new("GET", CONTACTS).unwrap();
    let mut pages = ptr::null_mut();
    let status = unsafe { dinero_pages_new(client.0, request.0, page_size, &mut pages) };
    assert_eq!(status, DINERO_STATUS_OK, "{}", last_error());
    let mut items = Vec::new();
    let ended = loop {
        assert!(
            items.len() < 100,
            "still paging after {} items",
            items.len()
        );
        let mut response = ptr::null_mut();
        let status = unsafe { dinero_pages_next(pages, &mut response) };
        if status != DINERO_STATUS_OK {
            break (status, last_error());
        }
        assert!(!response.is_null(), "the list ended without an error");
        let page = Reply::from_handle(response);
        assert_eq!(page.status, 200, "{}", page.text());
        items.extend(page.json().as_array().unwrap().clone());
    };
    // A failure ends the list: nothing more is asked for.
    let mut response = ptr::null_mut();
    let status = unsafe { dinero_pages_next(pages, &mut response) };
    assert_eq!((status, response.is_null()), (DINERO_STATUS_OK, true));
    unsafe { dinero_pages_free(pages) };
    (items, ended.0, ended.1)
}

#[test]
fn the_same_full_page_again_ends_the_list_with_a_protocol_error_after_two_requests() {
    let sb = sandbox();
    let before = route_count(&sb, ROUTE);
    let (items, status, message) = page_through(&sb, r#"{"Collection":[{"x":1},{"x":2}]}"#, 2);
    assert_eq!(status, DINERO_STATUS_PROTOCOL, "{message}");
    assert!(
        message.contains("page 1 repeats page 0") && message.contains("does not page"),
        "{message}"
    );
    assert_eq!(
        items,
        [json!({"x": 1}), json!({"x": 2})],
        "the first page only"
    );
    assert_eq!(route_count(&sb, ROUTE) - before, 2, "two requests");
}

#[test]
fn a_made_up_endless_total_does_not_keep_the_list_going() {
    let sb = sandbox();
    let before = route_count(&sb, ROUTE);
    let body = format!(
        r#"{{"Collection":[{{"x":1}}],"Pagination":{{"PageSize":1,"Result":{},"Page":0}}}}"#,
        u64::MAX
    );
    let (items, status, message) = page_through(&sb, &body, 1);
    assert_eq!(status, DINERO_STATUS_PROTOCOL, "{message}");
    assert_eq!(items, [json!({"x": 1})]);
    assert_eq!(route_count(&sb, ROUTE) - before, 2, "two requests");
}
