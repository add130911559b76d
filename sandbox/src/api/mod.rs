//! The REST API: bearer-token check, rate limit, routing to the resources.

pub mod collections;
pub mod entities;
pub mod entries;
pub mod errors;
pub mod files;
pub mod ledger;
pub mod list;
pub mod multipart;
pub mod pdf;
pub mod query_filter;
pub mod seed;

use serde_json::{json, Value};

use crate::clock;
use crate::http::{Request, Response};
use crate::rate_limit::retry_after_seconds;
use crate::state::{Organization, State};
use crate::tokens::Access;
use collections::{invalid_json, Entity, Store};
use entities::Kind;
use errors::ApiError;
use list::ListQuery;

/// Handles a request to the API (faults were already considered). Order: token (401), its scope
/// (403), then rate limit (429), then the route.
pub fn handle(state: &State, request: &Request) -> Response {
    let Some(access) = bearer_token(request).and_then(|t| state.tokens.validate(t)) else {
        return errors::unauthorized();
    };
    if let Some(scope) = access.lacks_scope_for(&request.method) {
        return errors::insufficient_scope(scope);
    }
    let path_org = parse_route(&request.path)
        .and_then(|(_, route)| route.org())
        .and_then(|org| org.parse::<u64>().ok());
    let rate_key = access.rate_key(path_org);
    let (limit, window, kind) = state.rate_limit_settings();
    if let Err(wait) = state.rate.admit(&rate_key, limit, window, kind) {
        let settings = state.settings();
        let retry_after = settings.retry_after_header.then(|| {
            settings
                .rate_limit_retry_after
                .clone()
                .unwrap_or_else(|| retry_after_seconds(wait))
        });
        return errors::rate_limited(limit, window, retry_after.as_deref());
    }
    route(state, request, &access)
}

fn bearer_token(request: &Request) -> Option<&str> {
    let (scheme, token) = request.header("authorization")?.trim().split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

/// What can follow an entity's id in a path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Action {
    Book,
    Pdf,
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
    ItemAction {
        org: &'a str,
        kind: Kind,
        guid: &'a str,
        action: Action,
    },
    Files {
        org: &'a str,
    },
    File {
        org: &'a str,
        guid: &'a str,
    },
    Entries {
        org: &'a str,
    },
    EntryChanges {
        org: &'a str,
    },
    LedgerItems {
        org: &'a str,
    },
    LedgerItemsBook {
        org: &'a str,
    },
}

impl<'a> Route<'a> {
    /// The organization in the path (every route but `organizations` has one).
    fn org(&self) -> Option<&'a str> {
        match *self {
            Route::Organizations => None,
            Route::Collection { org, .. }
            | Route::Item { org, .. }
            | Route::ItemAction { org, .. }
            | Route::Files { org }
            | Route::File { org, .. }
            | Route::Entries { org }
            | Route::EntryChanges { org }
            | Route::LedgerItems { org }
            | Route::LedgerItemsBook { org } => Some(org),
        }
    }
}

fn parse_route(path: &str) -> Option<(&str, Route<'_>)> {
    // A trailing slash names the same resource (as in ASP.NET).
    let path = path.strip_prefix('/')?;
    let path = path.strip_suffix('/').unwrap_or(path);
    let mut segments: Vec<&str> = path.split('/').collect();
    let is_org = |s: &str| !s.is_empty() && s.len() <= 20 && s.bytes().all(|b| b.is_ascii_digit());
    let is = |s: &str, name: &str| s.eq_ignore_ascii_case(name);
    // `sales/creditnotes` is one resource in two segments.
    if segments.len() >= 4 && is(segments[2], "sales") && is(segments[3], "creditnotes") {
        segments[2] = "sales/creditnotes";
        segments.remove(3);
    }
    let action = |s: &str| {
        if is(s, "book") {
            Some(Action::Book)
        } else if is(s, "pdf") {
            Some(Action::Pdf)
        } else {
            None
        }
    };
    let route = match segments.as_slice() {
        [version, o] if is(o, "organizations") => (*version, Route::Organizations),
        [version, org, r] if is_org(org) && is(r, "files") => (*version, Route::Files { org }),
        [version, org, r, guid] if is_org(org) && is(r, "files") && !guid.is_empty() => {
            (*version, Route::File { org, guid })
        }
        [version, org, r] if is_org(org) && is(r, "entries") => (*version, Route::Entries { org }),
        [version, org, r, c] if is_org(org) && is(r, "entries") && is(c, "changes") => {
            (*version, Route::EntryChanges { org })
        }
        [version, org, r] if is_org(org) && is(r, "ledgerItems") => {
            (*version, Route::LedgerItems { org })
        }
        [version, org, r, b] if is_org(org) && is(r, "ledgerItems") && is(b, "book") => {
            (*version, Route::LedgerItemsBook { org })
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
        [version, org, resource, guid, a] if is_org(org) && !guid.is_empty() => {
            let kind = Kind::from_segment(resource)?;
            let action = action(a)?;
            // Invoices render through `Accept: application/octet-stream` on the item instead.
            if !kind.is_voucher() || (action == Action::Pdf && kind != Kind::CreditNotes) {
                return None;
            }
            (
                *version,
                Route::ItemAction {
                    org,
                    kind,
                    guid,
                    action,
                },
            )
        }
        _ => return None,
    };
    Some(route)
}

fn route(state: &State, request: &Request, access: &Access) -> Response {
    let Some((version, route)) = parse_route(&request.path) else {
        return errors::not_found_html();
    };
    let method = request.method.as_str();
    let v = |name: &str| version.eq_ignore_ascii_case(name);
    // Versions per endpoint, as Dinero has them since older ones were retired in 2021:
    // organizations v1 and v1.1; voucher updates and ledger items v1.2; the rest v1.
    let version_ok = match &route {
        Route::Organizations => v("v1") || v("v1.1"),
        Route::Item { kind, .. } if kind.is_voucher() && method == "PUT" => v("v1.2"),
        Route::LedgerItems { .. } => v("v1.2"),
        _ => v("v1"),
    };
    if !version_ok {
        return errors::not_found_html();
    }
    if let Some(denied) = route.org().and_then(|org| check_org(state, access, org)) {
        return denied;
    }
    // Every route but `organizations` works on the data of the organization in its path.
    let Some(id) = route.org() else {
        return match method {
            "GET" => organizations(state, request, access),
            _ => errors::method_not_allowed(method, "GET"),
        };
    };
    let Some(org) = id.parse().ok().and_then(|id| state.organization(id)) else {
        return errors::forbidden_organization(id);
    };
    match route {
        // Answered above: it has no organization.
        Route::Organizations => errors::not_found_html(),
        Route::Collection { kind, .. } => match method {
            "GET" => list(state, org, kind, request),
            "POST" => create(state, org, kind, request),
            _ => errors::method_not_allowed(method, "GET, POST"),
        },
        Route::Item { kind, guid, .. } => match method {
            "PUT" => update(org, kind, guid, request),
            "GET" => get(state, org, kind, guid, request),
            "DELETE" => delete(org, kind, guid, request),
            _ => errors::method_not_allowed(method, "GET, PUT, DELETE"),
        },
        Route::ItemAction {
            kind, guid, action, ..
        } => match (action, method) {
            (Action::Book, "POST") => book(org, kind, guid, request),
            (Action::Pdf, "GET") => pdf_of(state, org, kind, guid),
            (Action::Book, _) => errors::method_not_allowed(method, "POST"),
            (Action::Pdf, _) => errors::method_not_allowed(method, "GET"),
        },
        Route::Files { .. } => match method {
            "GET" => files::list(org, request, state.settings().list_unattached_files),
            "POST" => files::upload(org, request, state.settings().max_upload_bytes),
            _ => errors::method_not_allowed(method, "GET, POST"),
        },
        Route::File { guid, .. } => match method {
            "GET" => files::download(org, guid, state.settings().file_ready_delay),
            _ => errors::method_not_allowed(method, "GET"),
        },
        Route::Entries { .. } => match method {
            "GET" => entries::entries(org, request),
            _ => errors::method_not_allowed(method, "GET"),
        },
        Route::EntryChanges { .. } => match method {
            "GET" => entries::changes(org, request),
            _ => errors::method_not_allowed(method, "GET"),
        },
        Route::LedgerItems { .. } => match method {
            "POST" => ledger_items(org, request),
            _ => errors::method_not_allowed(method, "POST"),
        },
        Route::LedgerItemsBook { .. } => match method {
            "POST" => book_ledger_items(org, request),
            _ => errors::method_not_allowed(method, "POST"),
        },
    }
}

/// The token must reach the organization in the path, and the organization must be a Pro one.
fn check_org(state: &State, access: &Access, org: &str) -> Option<Response> {
    match org.parse::<u64>() {
        Ok(id) if access.organizations.contains(&id) => {
            (!state.config.is_pro(id)).then(|| errors::no_pro_subscription(id))
        }
        _ => Some(errors::forbidden_organization(org)),
    }
}

/// The organizations the token reaches: the API key's one, or a Visma Connect token's list,
/// each Pro unless `--non-pro-organizations` names it.
fn organizations(state: &State, request: &Request, access: &Access) -> Response {
    let config = &state.config;
    let fields = list::fields_param(&request.query);
    let listed: Vec<Value> = access
        .organizations
        .iter()
        .map(|&id| {
            let is_ours = id == config.organization_id;
            let organization = json!({
                "Id": id,
                "Name": config.organization_name_of(id),
                "IsPro": config.is_pro(id),
                "IsPayingPro": config.is_pro(id),
                "IsVatFree": false,
                "Email": if is_ours {
                    "regnskab@sandbox.example.dk".to_owned()
                } else {
                    format!("regnskab+{id}@sandbox.example.dk")
                },
                "IsTaxFreeUnion": false,
            });
            match organization.as_object() {
                Some(data) => list::project(data, fields.as_deref(), &["Id", "Name", "IsPro"]),
                None => organization,
            }
        })
        .collect();
    Response::json(200, &Value::Array(listed))
}

fn list(state: &State, org: &Organization, kind: Kind, request: &Request) -> Response {
    let strict = state.settings().strict_query_filter;
    match ListQuery::parse(&request.query, kind, strict) {
        Ok(q) => Response::json(200, &list::list(&org.store(), kind, &q)),
        Err(e) => e.to_response(),
    }
}

fn get(state: &State, org: &Organization, kind: Kind, guid: &str, request: &Request) -> Response {
    let wants_pdf = request
        .header("accept")
        .is_some_and(|a| a.to_ascii_lowercase().contains("application/octet-stream"));
    if kind == Kind::Invoices && wants_pdf {
        return pdf_of(state, org, kind, guid);
    }
    let store = org.store();
    match store.get(kind, guid) {
        Ok(entity) => Response::json(200, &Value::Object(entity.data.clone())),
        Err(e) => e.to_response(),
    }
}

/// A voucher's PDF: booked ones only (what a draft gets is a setting), always
/// `application/octet-stream`, never `application/pdf`.
fn pdf_of(state: &State, org: &Organization, kind: Kind, guid: &str) -> Response {
    let draft_pdf = state.settings().draft_pdf;
    let store = org.store();
    let entity = match store.get(kind, guid) {
        Ok(e) => e,
        Err(e) => return e.to_response(),
    };
    if !collections::is_booked(entity) && draft_pdf == crate::config::DraftPdf::Refuse {
        return ApiError::not_booked().to_response();
    }
    Response::text(200, "application/octet-stream", voucher_pdf(kind, entity))
}

fn voucher_pdf(kind: Kind, entity: &Entity) -> Vec<u8> {
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
    let title = if kind == Kind::CreditNotes {
        "Kreditnota"
    } else {
        "Faktura"
    };
    let lines = [
        format!("{title} {}", text("Number")),
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
    pdf::invoice_pdf(&lines)
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

fn create(state: &State, org: &Organization, kind: Kind, request: &Request) -> Response {
    let duplicate = state.settings().duplicate_id;
    let result = parse_body(request)
        .and_then(|body| org.store().create(kind, &body, clock::now_ms(), duplicate));
    match &result {
        Ok(w) if w.fresh => state.stats.entity_created(kind.segment()),
        Err(e) if e.code == 42 && e.errors.iter().any(|f| f.property == kind.guid_property()) => {
            state.stats.create_refused_as_duplicate();
        }
        _ => {}
    }
    written(201, result)
}

fn update(org: &Organization, kind: Kind, guid: &str, request: &Request) -> Response {
    let result =
        parse_body(request).and_then(|body| org.store().update(kind, guid, &body, clock::now_ms()));
    written(200, result)
}

fn delete(org: &Organization, kind: Kind, guid: &str, request: &Request) -> Response {
    match org
        .store()
        .delete(kind, guid, &request.body, clock::now_ms())
    {
        // 200, empty: 204 is not among the statuses Dinero answers.
        Ok(()) => Response::empty(200),
        Err(e) => e.to_response(),
    }
}

fn book(org: &Organization, kind: Kind, guid: &str, request: &Request) -> Response {
    match parse_body(request).and_then(|body| org.store().book(kind, guid, &body, clock::now_ms()))
    {
        Ok(answer) => Response::json(200, &answer),
        Err(e) => e.to_response(),
    }
}

fn ledger_items(org: &Organization, request: &Request) -> Response {
    // 201, as every create of Dinero's answers (files are the one exception).
    match parse_body(request).and_then(|body| org.store().add_ledger_items(&body)) {
        Ok(answer) => Response::json(201, &answer),
        Err(e) => e.to_response(),
    }
}

fn book_ledger_items(org: &Organization, request: &Request) -> Response {
    match parse_body(request).and_then(|body| org.store().ledger.book_items(&body, clock::now_ms()))
    {
        Ok(answer) => Response::json(200, &answer),
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
