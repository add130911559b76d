//! `GET /v1/{org}/entries?fromDate=&toDate=&includePrimo=` and
//! `GET /v1/{org}/entries/changes?changesFrom=&changesTo=`: the bookkeeping entries in a date
//! range, as a bare array without paging.

use serde_json::Value;

use super::errors::ApiError;
use crate::clock;
use crate::http::urlencoded::parse_pairs;
use crate::http::{Request, Response};
use crate::state::Organization;

fn query(request: &Request) -> Result<Vec<(String, String)>, ApiError> {
    Ok(parse_pairs(&request.query))
}

fn param<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.trim())
}

/// A required parameter parsed by `parse`, else 400 code 42 naming the expected format.
fn required(
    pairs: &[(String, String)],
    name: &str,
    parse: fn(&str) -> Option<i64>,
    example: &str,
) -> Result<i64, ApiError> {
    param(pairs, name).and_then(parse).ok_or_else(|| {
        ApiError::validation_one(
            name,
            format!("{name} is required, like {example}"),
            format!("{name} skal udfyldes, som {example}"),
        )
    })
}

/// Entries whose `Date` lies in `fromDate..=toDate`. The sandbox has no opening balances, so
/// `includePrimo` changes nothing (it must still be true or false).
pub fn entries(org: &Organization, request: &Request) -> Response {
    let result = query(request).and_then(|pairs| {
        let from = required(&pairs, "fromDate", clock::parse_date, "2024-01-01")?;
        let to = required(&pairs, "toDate", clock::parse_date, "2024-12-31")?;
        match param(&pairs, "includePrimo")
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            None | Some("true" | "false" | "") => {}
            Some(_) => {
                return Err(ApiError::validation_one(
                    "includePrimo",
                    "includePrimo must be true or false",
                    "includePrimo skal være true eller false",
                ))
            }
        }
        let store = org.store();
        Ok(store
            .ledger
            .entries
            .iter()
            .filter(|e| (from..=to).contains(&e.date_ms))
            .map(|e| e.data.clone())
            .collect::<Vec<Value>>())
    });
    match result {
        Ok(items) => Response::json(200, &Value::Array(items)),
        Err(e) => e.to_response(),
    }
}

/// Entries booked in `changesFrom..changesTo` (ISO 8601 date-times, UTC, `Z` allowed).
pub fn changes(org: &Organization, request: &Request) -> Response {
    let result = query(request).and_then(|pairs| {
        let example = "2024-05-01T12:00:00Z";
        let from = required(&pairs, "changesFrom", clock::parse_datetime, example)?;
        let to = required(&pairs, "changesTo", clock::parse_datetime, example)?;
        let store = org.store();
        Ok(store
            .ledger
            .entries
            .iter()
            .filter(|e| (from..to).contains(&e.booked_ms))
            .map(|e| e.data.clone())
            .collect::<Vec<Value>>())
    });
    match result {
        Ok(items) => Response::json(200, &Value::Array(items)),
        Err(e) => e.to_response(),
    }
}
