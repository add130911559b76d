//! Paging through a Dinero list, written once for every language and the command line.
//!
//! Dinero's lists take a zero-based `page` and a `pageSize` (at most 1,000) and answer
//! `{"Collection":[...],"Pagination":{"PageSize":...,"Result":...}}`; a few endpoints answer a
//! bare array instead, which is the whole list. There is no "next" link, so the stop rule is
//! ours: stop after a bare array, an empty or short page, or once `Result` items have come.
//! Under Dinero's 100 requests a minute the page size decides the cost, so the default is
//! the maximum.

use crate::client::Client;
use crate::error::{Error, ErrorKind, Result};
use crate::request::builder::RequestBuilder;
use crate::response::Response;
use serde_json::value::RawValue;
use serde_json::Value;
use std::collections::HashMap;

/// Dinero's largest page, and the default.
pub const MAX_PAGE_SIZE: u32 = 1000;

/// The pages of one list, fetched one request at a time as they are asked for.
#[derive(Debug)]
pub struct Pages {
    client: Client,
    request: RequestBuilder,
    page_size: u32,
    page: u64,
    seen: u64,
    done: bool,
}

impl Pages {
    /// Pages of `request` (a GET; its other query parameters, `fields` and filters included,
    /// are sent with every page; any `page` or `pageSize` it has is replaced). `page_size` is
    /// 1 to 1,000.
    pub fn new(client: &Client, mut request: RequestBuilder, page_size: u32) -> Result<Pages> {
        if !(1..=MAX_PAGE_SIZE).contains(&page_size) {
            return Err(Error::invalid(format!(
                "the page size must be 1 to {MAX_PAGE_SIZE} (Dinero's maximum), got {page_size}"
            )));
        }
        if request.method != "GET" {
            return Err(Error::invalid("only a GET can be paged"));
        }
        let is_paging =
            |key: &str| key.eq_ignore_ascii_case("page") || key.eq_ignore_ascii_case("pagesize");
        request.query.retain(|(key, _)| !is_paging(key));
        if let Some((path, query)) = request.path.split_once('?') {
            let kept: Vec<&str> = query
                .split('&')
                .filter(|pair| !pair.is_empty() && !is_paging(pair.split('=').next().unwrap_or("")))
                .collect();
            request.path = match kept.is_empty() {
                true => path.to_string(),
                false => format!("{path}?{}", kept.join("&")),
            };
        }
        Ok(Pages {
            client: client.clone(),
            request,
            page_size,
            page: 0,
            seen: 0,
            done: false,
        })
    }

    /// The next page, or None after the last. A page is a response whose body is a JSON array
    /// of its items (the `Collection`, or the bare array, byte for byte), or Dinero's error
    /// answer (status >= 400), after which there are no more pages. An answer that is neither
    /// a list nor an error is a protocol error.
    pub fn next_page(&mut self) -> Result<Option<Response>> {
        if self.done {
            return Ok(None);
        }
        let mut request = self.request.clone();
        request.query("page", &self.page.to_string());
        request.query("pageSize", &self.page_size.to_string());
        // Whatever happens next, a failed page is the last one asked for.
        self.done = true;
        let response = self.client.send(&request)?;
        if !response.is_ok() {
            return Ok(Some(response));
        }
        let list = read_list(response.body())?;
        let (count, bare, size, result, raw) = (
            list.items.len() as u64,
            list.bare,
            list.page_size,
            list.result,
            list.raw,
        );
        self.seen += count;
        // Dinero may cap the page below what was asked for: a page is short against the size
        // it says it used.
        let page_size = size.unwrap_or(u64::from(self.page_size));
        let last = bare
            || count == 0
            || count < page_size
            || result.is_some_and(|total| self.seen >= total);
        self.done = last;
        self.page += 1;
        Ok(Some(response.with_body(raw.into_bytes())))
    }

    /// How many items the pages so far held.
    pub fn items_seen(&self) -> u64 {
        self.seen
    }
}

impl Iterator for Pages {
    type Item = Result<Response>;

    fn next(&mut self) -> Option<Self::Item> {
        self.next_page().transpose()
    }
}

struct List<'a> {
    raw: String,
    items: Vec<&'a RawValue>,
    bare: bool,
    page_size: Option<u64>,
    result: Option<u64>,
}

fn read_list(body: &[u8]) -> Result<List<'_>> {
    let not_a_list = || {
        Error::new(
            ErrorKind::Protocol,
            "expected a Dinero list ({\"Collection\": [...], \"Pagination\": {...}}) or an array",
        )
    };
    let text = std::str::from_utf8(body).map_err(|_| not_a_list())?;
    if let Ok(items) = serde_json::from_str::<Vec<&RawValue>>(text) {
        return Ok(List {
            raw: text.trim().to_string(),
            items,
            bare: true,
            page_size: None,
            result: None,
        });
    }
    let object: HashMap<String, &RawValue> =
        serde_json::from_str(text).map_err(|_| not_a_list())?;
    let field = |name: &str| {
        object
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| *value)
    };
    let collection = field("Collection").ok_or_else(not_a_list)?;
    let items: Vec<&RawValue> = serde_json::from_str(collection.get()).map_err(|_| not_a_list())?;
    let pagination: Value = field("Pagination")
        .and_then(|raw| serde_json::from_str(raw.get()).ok())
        .unwrap_or(Value::Null);
    let number = |name: &str| {
        pagination.as_object().and_then(|p| {
            p.iter()
                .find(|(key, _)| key.eq_ignore_ascii_case(name))
                .and_then(|(_, value)| value.as_u64())
        })
    };
    Ok(List {
        raw: collection.get().to_string(),
        items,
        bare: false,
        page_size: number("PageSize").filter(|size| *size > 0),
        result: number("Result"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_and_bare_arrays() {
        let list = read_list(
            br#"{"Collection":[{"Number":9223372036854775807},{"a":1.10}],"Pagination":{"PageSize":2,"Result":5}}"#,
        )
        .unwrap();
        assert_eq!(list.raw, r#"[{"Number":9223372036854775807},{"a":1.10}]"#);
        assert_eq!(
            (list.items.len(), list.bare, list.page_size, list.result),
            (2, false, Some(2), Some(5))
        );
        let bare = read_list(b" [1, 2] ").unwrap();
        assert_eq!((bare.raw.as_str(), bare.bare), ("[1, 2]", true));
        for bad in [&br#"{"x":1}"#[..], b"", b"<html>", br#"{"Collection":{}}"#] {
            let error = read_list(bad).err().expect("refused");
            assert_eq!(error.kind(), ErrorKind::Protocol);
        }
    }
}
