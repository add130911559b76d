//! List endpoints: `page`, `pageSize`, `fields`, `queryFilter`, `changesSince`, `deletedOnly`
//! for all; `startDate`, `endDate`, `freeTextSearch`, `statusFilter`, `sort`, `sortOrder` for
//! invoices and credit notes; `freeTextSearch` for products. Answered as
//! `{"Collection":[...],"Pagination":{...}}` with a few properties per item unless `fields` asks
//! for others. Contacts come ordered by `UpdatedAt`, vouchers by `sort`, products in creation
//! order.

use std::cmp::Ordering;

use serde_json::{json, Map, Value};

use super::collections::{Entity, Store};
use super::entities::Kind;
use super::errors::ApiError;
use super::query_filter::Filter;
use crate::clock;
use crate::http::urlencoded::parse_pairs;

pub const MAX_PAGE_SIZE: u64 = 1000;
pub const DEFAULT_PAGE_SIZE: u64 = 100;

/// Voucher sort keys Dinero accepts, and the property each sorts by.
const SORT_KEYS: &[(&str, &str)] = &[
    ("VoucherNumber", "Number"),
    ("VoucherDate", "Date"),
    ("ContactName", "ContactName"),
    ("Description", "Description"),
    ("CreatedAt", "CreatedAt"),
    ("UpdatedAt", "UpdatedAt"),
    ("TotalInclVat", "TotalInclVat"),
];

const STATUSES: &[&str] = &["Draft", "Booked", "Paid", "OverPaid", "Overdue"];

pub struct ListQuery {
    page: u64,
    page_size: u64,
    fields: Option<Vec<String>>,
    filter: Option<Filter>,
    changes_since: Option<i64>,
    deleted_only: bool,
    start_date: Option<i64>,
    end_date: Option<i64>,
    free_text: Option<String>,
    statuses: Option<Vec<&'static str>>,
    /// Properties to sort vouchers by, in order.
    sort: Vec<&'static str>,
    descending: bool,
}

fn bad(property: &str, english: &str, danish: &str) -> ApiError {
    ApiError::validation_one(property, english, danish)
}

impl ListQuery {
    /// Parses the query string; parameter names are case-insensitive (ASP.NET binding), unknown
    /// ones (and ones the resource does not take) are ignored, bad values are 400 code 42, a
    /// bad `queryFilter` is code 46. `strict_filter`: only Dinero's documented filter
    /// properties.
    pub fn parse(query: &str, kind: Kind, strict_filter: bool) -> Result<ListQuery, ApiError> {
        let pairs = parse_pairs(query);
        let mut q = ListQuery {
            page: 0,
            page_size: DEFAULT_PAGE_SIZE,
            fields: None,
            filter: None,
            changes_since: None,
            deleted_only: false,
            start_date: None,
            end_date: None,
            free_text: None,
            statuses: None,
            sort: vec!["Number", "Date"],
            descending: true,
        };
        let voucher = kind.is_voucher();
        for (name, value) in &pairs {
            match name.to_ascii_lowercase().as_str() {
                "startdate" | "enddate" if voucher => {
                    let ms = crate::clock::parse_date(value.trim()).ok_or_else(|| {
                        bad(
                            name,
                            "must be a date like 2017-05-19",
                            "skal være en dato som 2017-05-19",
                        )
                    })?;
                    if name.eq_ignore_ascii_case("startdate") {
                        q.start_date = Some(ms);
                    } else {
                        q.end_date = Some(ms);
                    }
                }
                "freetextsearch" if voucher || kind == Kind::Products => {
                    let text = value.trim().to_lowercase();
                    q.free_text = (!text.is_empty()).then_some(text);
                }
                "statusfilter" if voucher => {
                    let mut statuses = Vec::new();
                    for item in value.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                        let status = STATUSES
                            .iter()
                            .copied()
                            .find(|s| s.eq_ignore_ascii_case(item))
                            .ok_or_else(|| {
                                bad(
                                    "statusFilter",
                                    "statusFilter takes Draft, Booked, Paid, OverPaid, Overdue",
                                    "statusFilter tager Draft, Booked, Paid, OverPaid, Overdue",
                                )
                            })?;
                        statuses.push(status);
                    }
                    q.statuses = (!statuses.is_empty()).then_some(statuses);
                }
                "sort" if voucher => {
                    let mut sort = Vec::new();
                    for item in value.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                        let (_, property) = SORT_KEYS
                            .iter()
                            .find(|(key, _)| key.eq_ignore_ascii_case(item))
                            .ok_or_else(|| {
                                bad(
                                    "sort",
                                    "sort takes VoucherNumber, VoucherDate, ContactName, Description, CreatedAt, UpdatedAt, TotalInclVat",
                                    "sort tager VoucherNumber, VoucherDate, ContactName, Description, CreatedAt, UpdatedAt, TotalInclVat",
                                )
                            })?;
                        sort.push(*property);
                    }
                    if !sort.is_empty() {
                        q.sort = sort;
                    }
                }
                "sortorder" if voucher => {
                    q.descending = match value.trim().to_ascii_lowercase().as_str() {
                        "descending" | "desc" | "" => true,
                        "ascending" | "asc" => false,
                        _ => {
                            return Err(bad(
                                "sortOrder",
                                "sortOrder must be ascending or descending",
                                "sortOrder skal være ascending eller descending",
                            ))
                        }
                    };
                }
                "page" => q.page = parse_page(value)?,
                "pagesize" => q.page_size = parse_page_size(value)?,
                "fields" => {
                    q.fields = Some(
                        value
                            .split(',')
                            .map(|f| f.trim().to_owned())
                            .filter(|f| !f.is_empty())
                            .collect(),
                    );
                }
                // An empty filter filters nothing, rather than being malformed.
                "queryfilter" if value.trim().is_empty() => q.filter = None,
                "queryfilter" => {
                    let filter = Filter::parse(value, kind, strict_filter)
                        .map_err(|why| ApiError::invalid_filter(&why))?;
                    q.filter = Some(filter);
                }
                "changessince" => {
                    let ms = clock::parse_datetime(value.trim()).ok_or_else(|| {
                        ApiError::validation_one(
                            "changesSince",
                            "changesSince must be a date-time like 2017-05-19T14:14:47",
                            "changesSince skal være et tidspunkt som 2017-05-19T14:14:47",
                        )
                    })?;
                    q.changes_since = Some(ms);
                }
                "deletedonly" => {
                    q.deleted_only = match value.trim().to_ascii_lowercase().as_str() {
                        "true" => true,
                        "false" | "" => false,
                        _ => {
                            return Err(ApiError::validation_one(
                                "deletedOnly",
                                "deletedOnly must be true or false",
                                "deletedOnly skal være true eller false",
                            ))
                        }
                    };
                }
                _ => {}
            }
        }
        Ok(q)
    }
}

/// `page`: a non-negative integer, else 400 code 42.
pub fn parse_page(value: &str) -> Result<u64, ApiError> {
    value.trim().parse().map_err(|_| {
        ApiError::validation_one(
            "page",
            "Page must be a non-negative integer",
            "Side skal være et ikke-negativt heltal",
        )
    })
}

/// `pageSize`: 1 to [`MAX_PAGE_SIZE`], else 400 code 42.
pub fn parse_page_size(value: &str) -> Result<u64, ApiError> {
    value
        .trim()
        .parse()
        .ok()
        .filter(|n| (1..=MAX_PAGE_SIZE).contains(n))
        .ok_or_else(|| {
            ApiError::validation_one(
                "pageSize",
                format!("PageSize must be between 1 and {MAX_PAGE_SIZE}"),
                format!("Sidestørrelse skal være mellem 1 og {MAX_PAGE_SIZE}"),
            )
        })
}

/// The `Pagination` object every list answers with.
pub fn pagination(page: u64, page_size: u64, result: u64, without_filter: u64) -> Value {
    json!({
        "MaxPageSizeAllowed": MAX_PAGE_SIZE,
        "PageSize": page_size,
        "Result": result,
        "ResultWithoutFilter": without_filter,
        "Page": page,
    })
}

impl ListQuery {
    fn passes(&self, kind: Kind, entity: &Entity) -> bool {
        let data = &entity.data;
        let text = |key: &str| match data.get(key) {
            Some(Value::String(s)) => s.to_lowercase(),
            Some(Value::Number(n)) => n.to_string(),
            _ => String::new(),
        };
        let date = || {
            data.get("Date")
                .and_then(Value::as_str)
                .and_then(crate::clock::parse_date)
        };
        let free_text_keys: &[&str] = match kind {
            Kind::Products => &["Name", "ProductNumber"],
            _ => &["Description", "ContactName", "ExternalReference", "Number"],
        };
        self.changes_since
            .is_none_or(|since| entity.updated_ms > since)
            && self.filter.as_ref().is_none_or(|f| f.matches(data))
            && self
                .start_date
                .is_none_or(|d| date().is_some_and(|x| x >= d))
            && self.end_date.is_none_or(|d| date().is_some_and(|x| x <= d))
            && self
                .statuses
                .as_ref()
                .is_none_or(|s| s.iter().any(|s| text("Status") == s.to_lowercase()))
            && self
                .free_text
                .as_ref()
                .is_none_or(|t| free_text_keys.iter().any(|k| text(k).contains(t.as_str())))
    }

    fn order(&self, a: &Entity, b: &Entity) -> Ordering {
        let by_keys = self
            .sort
            .iter()
            .map(|key| compare(a.data.get(*key), b.data.get(*key)))
            .find(|o| o.is_ne())
            .unwrap_or(Ordering::Equal);
        let ordering = by_keys.then(a.timestamp.cmp(&b.timestamp));
        if self.descending {
            ordering.reverse()
        } else {
            ordering
        }
    }
}

/// Orders two property values: numbers by value (integers exactly), strings as text, absent
/// and null first.
fn compare(a: Option<&Value>, b: Option<&Value>) -> Ordering {
    match (a, b) {
        (Some(Value::Number(x)), Some(Value::Number(y))) => match (x.as_i64(), y.as_i64()) {
            (Some(x), Some(y)) => x.cmp(&y),
            _ => x
                .as_f64()
                .unwrap_or(0.0)
                .total_cmp(&y.as_f64().unwrap_or(0.0)),
        },
        (Some(Value::String(x)), Some(Value::String(y))) => x.cmp(y),
        (None | Some(Value::Null), None | Some(Value::Null)) => Ordering::Equal,
        (None | Some(Value::Null), _) => Ordering::Less,
        (_, None | Some(Value::Null)) => Ordering::Greater,
        _ => Ordering::Equal,
    }
}

pub fn list(store: &Store, kind: Kind, q: &ListQuery) -> Value {
    let in_scope: Vec<&Entity> = store
        .collection(kind)
        .items
        .iter()
        .filter(|e| e.deleted == q.deleted_only)
        .collect();
    let total_without_filter = in_scope.len() as u64;
    let mut matching: Vec<&Entity> = in_scope.into_iter().filter(|e| q.passes(kind, e)).collect();
    match kind {
        // Ties (same second) keep the order the changes happened in.
        Kind::Contacts => matching.sort_by_key(|e| (e.updated_ms, e.timestamp)),
        Kind::Invoices | Kind::CreditNotes => matching.sort_by(|a, b| q.order(a, b)),
        Kind::Products => {}
    }
    let first = usize::try_from(q.page.saturating_mul(q.page_size)).unwrap_or(usize::MAX);
    let take = usize::try_from(q.page_size).unwrap_or(usize::MAX);
    let page_items: Vec<Value> = matching
        .iter()
        .skip(first)
        .take(take)
        .map(|e| project(&e.data, q.fields.as_deref(), kind.default_list_fields()))
        .collect();
    json!({
        "Collection": page_items,
        "Pagination": pagination(q.page, q.page_size, matching.len() as u64, total_without_filter),
    })
}

/// Only the `fields` asked for (matched case-insensitively; unknown ones are left out), or the
/// resource's few default properties when none are asked for.
pub fn project(data: &Map<String, Value>, fields: Option<&[String]>, defaults: &[&str]) -> Value {
    let wanted = |k: &str| match fields {
        Some(fields) => fields.iter().any(|f| f.eq_ignore_ascii_case(k)),
        None => defaults.contains(&k),
    };
    Value::Object(
        data.iter()
            .filter(|(k, _)| wanted(k))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
    )
}

/// The `fields` parameter of a query string, if any (for bare-array lists like organizations).
pub fn fields_param(query: &str) -> Option<Vec<String>> {
    parse_pairs(query)
        .into_iter()
        .rev()
        .find(|(name, _)| name.eq_ignore_ascii_case("fields"))
        .map(|(_, value)| {
            value
                .split(',')
                .map(|f| f.trim().to_owned())
                .filter(|f| !f.is_empty())
                .collect()
        })
}
