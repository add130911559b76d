//! List endpoints: `page`, `pageSize`, `fields`, `queryFilter`, `changesSince`, `deletedOnly`,
//! answered as `{"Collection":[...],"Pagination":{...}}` in creation order.

use serde_json::{json, Map, Value};

use super::collections::Store;
use super::entities::Kind;
use super::errors::ApiError;
use super::query_filter::Filter;
use crate::clock;
use crate::http::urlencoded::parse_pairs;

pub const MAX_PAGE_SIZE: u64 = 1000;
pub const DEFAULT_PAGE_SIZE: u64 = 100;

pub struct ListQuery {
    page: u64,
    page_size: u64,
    fields: Option<Vec<String>>,
    filter: Option<Filter>,
    changes_since: Option<i64>,
    deleted_only: bool,
}

impl ListQuery {
    /// Parses the query string; parameter names are case-insensitive (ASP.NET binding), unknown
    /// ones are ignored, bad values are 400 code 42.
    pub fn parse(query: &str, kind: Kind) -> Result<ListQuery, ApiError> {
        let pairs = parse_pairs(query).ok_or_else(|| {
            ApiError::validation_one(
                "query",
                "The query string is not valid URL encoding",
                "Forespørgslen er ikke gyldigt URL-kodet",
            )
        })?;
        let mut q = ListQuery {
            page: 0,
            page_size: DEFAULT_PAGE_SIZE,
            fields: None,
            filter: None,
            changes_since: None,
            deleted_only: false,
        };
        for (name, value) in &pairs {
            match name.to_ascii_lowercase().as_str() {
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
                    let filter = Filter::parse(value, kind).map_err(|why| {
                        ApiError::validation_one(
                            "queryFilter",
                            format!("The queryFilter is malformed: {why}"),
                            format!("queryFilter er ugyldigt: {why}"),
                        )
                    })?;
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

pub fn list(store: &Store, kind: Kind, q: &ListQuery) -> Value {
    let in_scope = store
        .collection(kind)
        .items
        .iter()
        .filter(|e| e.deleted == q.deleted_only);
    let mut total_without_filter = 0u64;
    let mut matching = 0u64;
    let first = q.page.saturating_mul(q.page_size);
    let mut page_items = Vec::new();
    for entity in in_scope {
        total_without_filter += 1;
        let passes = q
            .changes_since
            .is_none_or(|since| entity.updated_ms > since)
            && q.filter.as_ref().is_none_or(|f| f.matches(&entity.data));
        if !passes {
            continue;
        }
        if matching >= first && (page_items.len() as u64) < q.page_size {
            page_items.push(project(&entity.data, q.fields.as_deref()));
        }
        matching += 1;
    }
    json!({
        "Collection": page_items,
        "Pagination": pagination(q.page, q.page_size, matching, total_without_filter),
    })
}

/// The entity, or only the `fields` asked for (matched case-insensitively; unknown ones are
/// left out).
fn project(data: &Map<String, Value>, fields: Option<&[String]>) -> Value {
    let Some(fields) = fields else {
        return Value::Object(data.clone());
    };
    Value::Object(
        data.iter()
            .filter(|(k, _)| fields.iter().any(|f| f.eq_ignore_ascii_case(k)))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
    )
}
