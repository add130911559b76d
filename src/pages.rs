//! Paging through a Dinero list, written once for every language and the command line.
//!
//! Dinero's lists take a zero-based `page` and a `pageSize` (at most 1,000) and answer
//! `{"Collection":[...],"Pagination":{"PageSize":...,"Result":...}}`; a few endpoints answer a
//! bare array instead, which is the whole list. There is no "next" link, so the stop rule is
//! ours: stop after a bare array, an empty or short page, or once `Result` items have come.
//! Under Dinero's 100 requests a minute the page size decides the cost, so the default is
//! the maximum.
//!
//! A server that ignores `page` answers the same full page every time, and the rule above would
//! ask forever (a `Result` it makes up, or none at all, does not help). So a page whose items are
//! the previous page's, byte for byte, with the same `Pagination.Page` (or none on both), is a
//! protocol error: the list ends there, and the repeated items are not handed out again. Only a
//! SHA-256 of the previous page is kept. Dinero numbers its pages (`Page`), so a real list whose
//! pages look alike (say `fields=IsPerson`) is not mistaken for one; from a server that does not,
//! ask for a distinct field too, such as the Guid.

use crate::client::Client;
use crate::error::{Error, ErrorKind, Result};
use crate::request::builder::RequestBuilder;
use crate::response::Response;
use serde_json::value::RawValue;
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::HashMap;

/// Dinero's largest page, and the default.
pub const MAX_PAGE_SIZE: u32 = 1000;

/// The pages of one list, fetched one request at a time as they are asked for.
#[derive(Debug)]
pub struct Pages {
    client: Client,
    walk: PageWalk,
}

/// Where a walk through a list is, apart from the client it runs on: the C surface keeps this,
/// and takes the client from the gate that `dinero_client_close` shuts, so that a pages handle
/// holds no copy of the client (its token, its connections) past that close.
#[derive(Debug)]
pub struct PageWalk {
    request: RequestBuilder,
    progress: Progress,
    done: bool,
}

impl Pages {
    /// Pages of `request` on `client`; see [`PageWalk::new`].
    pub fn new(client: &Client, request: RequestBuilder, page_size: u32) -> Result<Pages> {
        Ok(Pages {
            client: client.clone(),
            walk: PageWalk::new(request, page_size)?,
        })
    }

    /// The next page, or None after the last; see [`PageWalk::next_page`].
    pub fn next_page(&mut self) -> Result<Option<Response>> {
        self.walk.next_page(&self.client)
    }

    /// How many items the pages so far held.
    pub fn items_seen(&self) -> u64 {
        self.walk.progress.seen
    }
}

impl PageWalk {
    /// Pages of `request` (a GET; its other query parameters, `fields` and filters included,
    /// are sent with every page; any `page` or `pageSize` it has is replaced). `page_size` is
    /// 1 to 1,000.
    pub fn new(mut request: RequestBuilder, page_size: u32) -> Result<PageWalk> {
        if !(1..=MAX_PAGE_SIZE).contains(&page_size) {
            // The bindings clamp what a uint32_t cannot hold (-1, 2**40) to 0 or u32::MAX:
            // those two are not quoted, as they need not be what the caller gave.
            let got = match page_size {
                0 | u32::MAX => String::new(),
                other => format!(", got {other}"),
            };
            return Err(Error::invalid(format!(
                "the page size must be 1 to {MAX_PAGE_SIZE} (Dinero's maximum){got}"
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
        Ok(PageWalk {
            request,
            progress: Progress {
                page_size,
                page: 0,
                seen: 0,
                previous: None,
            },
            done: false,
        })
    }

    /// The next page, or None after the last. A page is a response whose body is a JSON array
    /// of its items (the `Collection`, or the bare array, byte for byte), or Dinero's error
    /// answer (status >= 400), after which there are no more pages. An answer that is neither
    /// a list nor an error (a redirect among them) is a protocol error, and so is a page that
    /// repeats the page before (the module's documentation says when).
    pub fn next_page(&mut self, client: &Client) -> Result<Option<Response>> {
        if self.done {
            return Ok(None);
        }
        let mut request = self.request.clone();
        request.query("page", &self.progress.page.to_string());
        request.query("pageSize", &self.progress.page_size.to_string());
        // Whatever happens next, a failed page is the last one asked for.
        self.done = true;
        let response = client.send(&request)?;
        if !response.is_ok() {
            return Ok(Some(response));
        }
        if let Some(redirect) = response.redirect() {
            return Err(Error::new(
                ErrorKind::Protocol,
                format!("a page was answered {redirect}, which is not followed: check api_url"),
            ));
        }
        let list = read_list(response.body())?;
        self.done = self.progress.take(&list)?;
        let items = list.raw.into_bytes();
        Ok(Some(response.with_body(items)))
    }
}

/// Where a list is, and the stop rule, apart from the requests.
#[derive(Debug)]
struct Progress {
    page_size: u32,
    /// The page to ask for next.
    page: u64,
    seen: u64,
    /// The fingerprint of the page before (see `List::fingerprint`), to notice a server that
    /// does not page.
    previous: Option<[u8; 32]>,
}

impl Progress {
    /// Takes `list`, the answer to page `self.page`: whether it is the last page, or a protocol
    /// error if it repeats the page before (then nothing is counted).
    fn take(&mut self, list: &List) -> Result<bool> {
        let (count, bare) = (list.items.len() as u64, list.bare);
        if !bare && count > 0 {
            let fingerprint = list.fingerprint();
            if self.previous == Some(fingerprint) {
                let (page, before) = (self.page, self.page.saturating_sub(1));
                return Err(Error::new(
                    ErrorKind::Protocol,
                    format!(
                        "page {page} repeats page {before} ({count} items, byte for byte): the \
                         endpoint does not page (it ignores `page`); stopped after {} items \
                         rather than ask again or hand out duplicates",
                        self.seen
                    ),
                ));
            }
            self.previous = Some(fingerprint);
        }
        self.seen += count;
        // Dinero may cap the page below what was asked for: a page is short against the size
        // it says it used.
        let page_size = list.page_size.unwrap_or(u64::from(self.page_size));
        let last = bare
            || count == 0
            || count < page_size
            || list.result.is_some_and(|total| self.seen >= total);
        self.page += 1;
        Ok(last)
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
    /// `Pagination.Page`, the page the server says this is, as written.
    page: Option<String>,
}

impl List<'_> {
    /// What two answers to different pages cannot share if the server pages: the items byte
    /// for byte and the page number the server says it answered (if any).
    fn fingerprint(&self) -> [u8; 32] {
        let mut hasher = Sha256::new();
        // Length-prefixed, so no two (items, page) pairs hash the same input.
        hasher.update((self.raw.len() as u64).to_le_bytes());
        hasher.update(self.raw.as_bytes());
        match &self.page {
            Some(page) => {
                hasher.update([1]);
                hasher.update(page.as_bytes());
            }
            None => hasher.update([0]),
        }
        hasher.finalize().into()
    }
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
            page: None,
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
    let page = pagination.as_object().and_then(|p| {
        p.iter()
            .find(|(key, _)| key.eq_ignore_ascii_case("Page"))
            .map(|(_, value)| value.to_string())
    });
    Ok(List {
        raw: collection.get().to_string(),
        items,
        bare: false,
        page_size: number("PageSize").filter(|size| *size > 0),
        result: number("Result"),
        page,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_size_out_of_range_is_quoted_unless_it_may_be_clamped() {
        let refused = |size: u32| {
            let request = RequestBuilder::new("GET", "/v1/{organizationId}/contacts").unwrap();
            PageWalk::new(request, size)
                .err()
                .unwrap()
                .message()
                .to_string()
        };
        assert!(refused(1001).ends_with("(Dinero's maximum), got 1001"));
        for clamped in [0, u32::MAX] {
            assert!(
                refused(clamped).ends_with("(Dinero's maximum)"),
                "{clamped}"
            );
        }
    }

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

    fn progress(page_size: u32) -> Progress {
        Progress {
            page_size,
            page: 0,
            seen: 0,
            previous: None,
        }
    }

    /// Feeds `bodies` as the answers to pages 0, 1, ...: whether each was the last, or the
    /// error's message.
    fn walk(page_size: u32, bodies: &[&str]) -> (Vec<std::result::Result<bool, String>>, u64) {
        let mut progress = progress(page_size);
        let outcomes = bodies
            .iter()
            .map(|body| {
                let list = read_list(body.as_bytes()).unwrap();
                progress.take(&list).map_err(|error| {
                    assert_eq!(error.kind(), ErrorKind::Protocol);
                    error.to_string()
                })
            })
            .collect();
        (outcomes, progress.seen)
    }

    #[test]
    fn a_server_that_ignores_page_is_stopped_at_the_first_repeat() {
        // No Pagination at all: every full page would ask for the next, forever.
        let same = r#"{"Collection":[{"x":1},{"x":2}]}"#;
        let (outcomes, seen) = walk(2, &[same, same, same]);
        assert_eq!(outcomes[0], Ok(false));
        let message = outcomes[1].as_ref().unwrap_err();
        assert!(
            message.contains("page 1 repeats page 0") && message.contains("does not page"),
            "{message}"
        );
        assert_eq!(seen, 2, "the repeated items are not counted");

        // A made-up total, PageSize 1, the same page (and page number) every time.
        let huge = format!(
            r#"{{"Collection":[{{"x":1}}],"Pagination":{{"PageSize":1,"Result":{},"Page":0}}}}"#,
            u64::MAX
        );
        let (outcomes, seen) = walk(1, &[&huge, &huge]);
        assert_eq!(outcomes[0], Ok(false));
        assert!(outcomes[1].is_err());
        assert_eq!(seen, 1);

        // Only the items count: other parts of the answer may change from one answer to the next.
        let (outcomes, _) = walk(
            2,
            &[
                r#"{"Collection":[1,2],"Pagination":{"Result":9},"At":"10:00"}"#,
                r#"{"At":"10:01","Collection":[1,2],"Pagination":{"Result":10}}"#,
            ],
        );
        assert!(outcomes[1].is_err(), "{outcomes:?}");
    }

    #[test]
    fn pages_that_only_look_alike_are_not_repeats() {
        // Dinero numbers its pages: the same items on another page are a real list (fields=IsPerson).
        let page = |n: u64| {
            format!(
                r#"{{"Collection":[{{"IsPerson":false}}],"Pagination":{{"PageSize":1,"Result":3,"Page":{n}}}}}"#
            )
        };
        let (outcomes, seen) = walk(1, &[&page(0), &page(1), &page(2)]);
        assert_eq!(outcomes, [Ok(false), Ok(false), Ok(true)]);
        assert_eq!(seen, 3);

        // A repeat of an earlier page but not the one before, and one item more or less, are
        // not this rule's to catch; the usual stop rules are unchanged.
        let (a, b) = (r#"{"Collection":[1,2]}"#, r#"{"Collection":[3,4]}"#);
        let (outcomes, _) = walk(2, &[a, b, a, r#"{"Collection":[1]}"#]);
        assert_eq!(outcomes, [Ok(false), Ok(false), Ok(false), Ok(true)]);
        let (outcomes, _) = walk(2, &[a, r#"{"Collection":[1, 2]}"#]);
        assert_eq!(outcomes[1], Ok(false), "bytes, not values, are compared");
        let (outcomes, _) = walk(2, &[a, r#"{"Collection":[]}"#]);
        assert_eq!(outcomes, [Ok(false), Ok(true)]);
        let (outcomes, _) = walk(2, &["[1,2]"]);
        assert_eq!(outcomes, [Ok(true)], "a bare array is the whole list");
        let (outcomes, _) = walk(
            2,
            &[
                r#"{"Collection":[1,2],"Pagination":{"Result":4}}"#,
                r#"{"Collection":[3,4],"Pagination":{"Result":4}}"#,
            ],
        );
        assert_eq!(outcomes, [Ok(false), Ok(true)]);
    }

    #[test]
    fn the_fingerprint_tells_items_and_page_numbers_apart() {
        let print = |body: &str| read_list(body.as_bytes()).unwrap().fingerprint();
        assert_eq!(
            print(r#"{"Collection":[1],"Pagination":{"page":0}}"#),
            print(r#"{"Pagination":{"Page":0,"Result":7},"Collection":[1]}"#)
        );
        assert_ne!(
            print(r#"{"Collection":[1],"Pagination":{"Page":0}}"#),
            print(r#"{"Collection":[1],"Pagination":{"Page":1}}"#)
        );
        assert_ne!(
            print(r#"{"Collection":[1],"Pagination":{"Page":0}}"#),
            print(r#"{"Collection":[1]}"#)
        );
        assert_ne!(
            print(r#"{"Collection":[1]}"#),
            print(r#"{"Collection":[2]}"#)
        );
    }

    #[test]
    fn a_page_size_of_zero_in_the_answer_falls_back_to_the_size_asked_for() {
        // "PageSize":0 does not say how big the server's pages are: a page shorter than the
        // size asked for still ends the list, instead of costing one more request of the 100
        // a minute.
        let (outcomes, _) = walk(2, &[r#"{"Collection":[1],"Pagination":{"PageSize":0}}"#]);
        assert_eq!(outcomes, [Ok(true)]);
    }
}
