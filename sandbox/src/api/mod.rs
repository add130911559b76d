//! The REST API: bearer-token check, rate limit, routing to the resources.

pub mod collections;
pub mod entities;
pub mod errors;
pub mod files;
pub mod list;
pub mod multipart;
pub mod pdf;
pub mod query_filter;
pub mod seed;

use serde_json::{json, Value};

use crate::clock;
use crate::http::{Request, Response};
use crate::state::State;
use collections::{invalid_json, Store};
use entities::Kind;
use errors::ApiError;
use list::ListQuery;

/// Handles a request to the API (faults were already considered). Order: token (401), then rate
/// limit (429), then the route.
pub fn handle(state: &State, request: &Request) -> Response {
    let Some(client_id) = bearer_token(request).and_then(|t| state.tokens.validate(t)) else {
        return errors::unauthorized();
    };
    let (limit, window, retry_after) = state.rate_limit_settings();
    if !state.rate.admit(&client_id, limit, window) {
        return errors::rate_limited(limit, window, retry_after.as_deref());
    }
    route(state, request)
}

fn bearer_token(request: &Request) -> Option<&str> {
    let (scheme, token) = request.header("authorization")?.trim().split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

/// The resource shapes the API knows.
enum Route<'a> {
    Organizations,
    Collection {
        org: &'a str,
        kind: Kind,
    },
    Item {
        org: &'a str,
        kind: Kind,
        guid: &'a str,
    },
    Files {
        org: &'a str,
    },
    File {
        org: &'a str,
        guid: &'a str,
    },
}

fn parse_route(path: &str) -> Option<(&str, Route<'_>)> {
    // A trailing slash names the same resource (as in ASP.NET).
    let path = path.strip_prefix('/')?;
    let path = path.strip_suffix('/').unwrap_or(path);
    let segments: Vec<&str> = path.split('/').collect();
    let is_org = |s: &str| !s.is_empty() && s.len() <= 20 && s.bytes().all(|b| b.is_ascii_digit());
    let files = |s: &str| s.eq_ignore_ascii_case("files");
    let route = match segments.as_slice() {
        [version, o] if o.eq_ignore_ascii_case("organizations") => (*version, Route::Organizations),
        [version, org, resource] if is_org(org) && files(resource) => {
            (*version, Route::Files { org })
        }
        [version, org, resource, guid] if is_org(org) && files(resource) && !guid.is_empty() => {
            (*version, Route::File { org, guid })
        }
        [version, org, resource] if is_org(org) => (
            *version,
            Route::Collection {
                org,
                kind: Kind::from_segment(resource)?,
            },
        ),
        [version, org, resource, guid] if is_org(org) && !guid.is_empty() => (
            *version,
            Route::Item {
                org,
                kind: Kind::from_segment(resource)?,
                guid,
            },
        ),
        _ => return None,
    };
    Some(route)
}

fn route(state: &State, request: &Request) -> Response {
    let Some((version, route)) = parse_route(&request.path) else {
        return errors::not_found_html();
    };
    let method = request.method.as_str();
    let v1 = version.eq_ignore_ascii_case("v1");
    match route {
        Route::Organizations if v1 => match method {
            "GET" => organizations(state),
            _ => errors::method_not_allowed(method, "GET"),
        },
        Route::Collection { org, kind } if v1 => {
            if let Some(denied) = check_org(state, org) {
                return denied;
            }
            match method {
                "GET" => list(state, kind, request),
                "POST" => create(state, kind, request),
                _ => errors::method_not_allowed(method, "GET, POST"),
            }
        }
        Route::Item { org, kind, guid } => {
            // Invoice updates moved to v1.2; v1 stays accepted for them too.
            let v12_invoice_put = version.eq_ignore_ascii_case("v1.2") && kind == Kind::Invoices;
            if !v1 && !v12_invoice_put {
                return errors::not_found_html();
            }
            if let Some(denied) = check_org(state, org) {
                return denied;
            }
            match method {
                "PUT" => update(state, kind, guid, request),
                "GET" if v1 => get(state, kind, guid, request),
                "DELETE" if v1 => delete(state, kind, guid, request),
                _ if v1 => errors::method_not_allowed(method, "GET, PUT, DELETE"),
                _ => errors::method_not_allowed(method, "PUT"),
            }
        }
        Route::Files { org } if v1 => {
            if let Some(denied) = check_org(state, org) {
                return denied;
            }
            match method {
                "GET" => files::list(state, request),
                "POST" => files::upload(state, request),
                _ => errors::method_not_allowed(method, "GET, POST"),
            }
        }
        Route::File { org, guid } if v1 => {
            if let Some(denied) = check_org(state, org) {
                return denied;
            }
            match method {
                "GET" => files::download(state, guid),
                _ => errors::method_not_allowed(method, "GET"),
            }
        }
        _ => errors::not_found_html(),
    }
}

fn check_org(state: &State, org: &str) -> Option<Response> {
    let ours = org.parse::<u64>().ok() == Some(state.config.organization_id);
    (!ours).then(|| errors::forbidden_organization(org))
}

fn organizations(state: &State) -> Response {
    let config = &state.config;
    Response::json(
        200,
        &json!([{
            "Id": config.organization_id,
            "Name": config.organization_name,
            "IsPro": true,
            "IsPayingPro": true,
            "IsVatFree": false,
            "Email": "regnskab@sandbox.example.dk",
            "IsTaxFreeUnion": false,
        }]),
    )
}

fn list(state: &State, kind: Kind, request: &Request) -> Response {
    match ListQuery::parse(&request.query, kind) {
        Ok(q) => Response::json(200, &list::list(&state.store(), kind, &q)),
        Err(e) => e.to_response(),
    }
}

fn get(state: &State, kind: Kind, guid: &str, request: &Request) -> Response {
    let store = state.store();
    let entity = match store.get(kind, guid) {
        Ok(e) => e,
        Err(e) => return e.to_response(),
    };
    let wants_pdf = request
        .header("accept")
        .is_some_and(|a| a.to_ascii_lowercase().contains("application/octet-stream"));
    if kind == Kind::Invoices && wants_pdf {
        let text = |key: &str| match entity.data.get(key) {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Number(n)) => n.to_string(),
            _ => String::new(),
        };
        let total = entity
            .data
            .get("TotalInclVat")
            .and_then(Value::as_f64)
            .unwrap_or(0.0);
        let lines = [
            format!("Faktura {}", text("Number")),
            format!("Dato: {}", text("Date")),
            format!("Kunde: {}", text("ContactName")),
            text("Description"),
            // Danish number format: decimal comma.
            format!(
                "Total inkl. moms: {} {}",
                format!("{total:.2}").replace('.', ","),
                text("Currency")
            ),
        ];
        // Always `application/octet-stream`, the type asked for, never `application/pdf`.
        let body = pdf::invoice_pdf(&lines);
        return Response::text(200, "application/octet-stream", body);
    }
    Response::json(200, &Value::Object(entity.data.clone()))
}

fn parse_body(request: &Request) -> Result<Value, ApiError> {
    serde_json::from_slice(&request.body).map_err(|_| invalid_json())
}

fn written(status: u16, result: Result<collections::Written, ApiError>) -> Response {
    match result {
        Ok(w) => Response::json(status, &w.to_json()),
        Err(e) => e.to_response(),
    }
}

fn create(state: &State, kind: Kind, request: &Request) -> Response {
    let result =
        parse_body(request).and_then(|body| state.store().create(kind, &body, clock::now_ms()));
    written(201, result)
}

fn update(state: &State, kind: Kind, guid: &str, request: &Request) -> Response {
    let result = parse_body(request)
        .and_then(|body| state.store().update(kind, guid, &body, clock::now_ms()));
    written(200, result)
}

fn delete(state: &State, kind: Kind, guid: &str, request: &Request) -> Response {
    match state
        .store()
        .delete(kind, guid, &request.body, clock::now_ms())
    {
        Ok(()) => Response::empty(204),
        Err(e) => e.to_response(),
    }
}

/// Fills a fresh store with the seed data and `extra_contacts` generated contacts.
pub fn seeded_store(extra_contacts: usize) -> Store {
    let now = clock::now_ms();
    let mut store = Store::default();
    seed::seed(&mut store, now);
    seed::generate_contacts(&mut store, extra_contacts, now);
    store
}
