//! Counters and the request log, read by tests through `/_sandbox/stats` and `/_sandbox/requests`.

use std::collections::{BTreeMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};

use serde_json::{json, Map, Value};

use crate::http::Request;
use crate::random::is_uuid;

/// How many requests the log keeps.
const LOG_CAPACITY: usize = 200;
/// How much of a request body the log keeps.
const LOG_BODY_MAX: usize = 4096;

/// Where a request went, as far as counting is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Token,
    /// Visma Connect's endpoints.
    Connect,
    Api,
}

/// What Visma Connect did, counted for tests (e.g. to prove a refresh happened once).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConnectEvent {
    /// An approved authorization (a code handed out).
    Authorization,
    /// A code exchanged for tokens.
    CodeExchange,
    /// A successful refresh (rotated, reused or answered again within the grace period).
    Refresh,
    /// An `invalid_grant` answer from the token endpoint.
    InvalidGrant,
    /// A token revoked at the revocation endpoint.
    Revocation,
}

#[derive(Default)]
struct Counters {
    token_requests: u64,
    tokens_issued: u64,
    token_rejections: u64,
    api_requests: u64,
    connect_requests: u64,
    connect_authorizations: u64,
    connect_code_exchanges: u64,
    connect_refreshes: u64,
    connect_invalid_grants: u64,
    connect_revocations: u64,
    faults_applied: u64,
    connections: u64,
    connections_closed: u64,
    responses: BTreeMap<u16, u64>,
    routes: BTreeMap<String, u64>,
    /// Entities made by creates, per resource (`contacts`, `invoices`, ...).
    created: BTreeMap<&'static str, u64>,
    /// Creates refused because their id exists already.
    duplicate_ids_refused: u64,
    log: VecDeque<Value>,
    /// The most requests handled at the same time since the last reset.
    peak_in_flight: u64,
}

#[derive(Default)]
pub struct Stats {
    counters: Mutex<Counters>,
    /// Requests being handled now (not reset: they are still running).
    in_flight: AtomicU64,
}

/// One request being handled; counted until dropped.
pub struct InFlight<'a>(&'a Stats);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Stats {
    fn counters(&self) -> MutexGuard<'_, Counters> {
        self.counters.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A request is being handled from now until the guard is dropped (for `peak_in_flight`:
    /// how many a client really had at the same time).
    pub fn handling(&self) -> InFlight<'_> {
        let now = self.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        let mut c = self.counters();
        c.peak_in_flight = c.peak_in_flight.max(now);
        InFlight(self)
    }

    pub fn connection_opened(&self) {
        self.counters().connections += 1;
    }

    pub fn connection_closed(&self) {
        self.counters().connections_closed += 1;
    }

    /// Counts a request as it arrives (before any fault decides its fate) and logs it.
    pub fn request_arrived(&self, target: Target, request: &Request, connection: u64) {
        let key = route_key(&request.method, &request.path);
        let entry = log_entry(request, connection);
        let mut c = self.counters();
        match target {
            Target::Token => c.token_requests += 1,
            Target::Api => c.api_requests += 1,
            Target::Connect => c.connect_requests += 1,
        }
        *c.routes.entry(key).or_insert(0) += 1;
        if c.log.len() == LOG_CAPACITY {
            c.log.pop_front();
        }
        c.log.push_back(entry);
    }

    pub fn entity_created(&self, resource: &'static str) {
        *self.counters().created.entry(resource).or_insert(0) += 1;
    }

    pub fn create_refused_as_duplicate(&self) {
        self.counters().duplicate_ids_refused += 1;
    }

    pub fn connect_event(&self, event: ConnectEvent) {
        let mut c = self.counters();
        let counter = match event {
            ConnectEvent::Authorization => &mut c.connect_authorizations,
            ConnectEvent::CodeExchange => &mut c.connect_code_exchanges,
            ConnectEvent::Refresh => &mut c.connect_refreshes,
            ConnectEvent::InvalidGrant => &mut c.connect_invalid_grants,
            ConnectEvent::Revocation => &mut c.connect_revocations,
        };
        *counter += 1;
    }

    pub fn fault_applied(&self) {
        self.counters().faults_applied += 1;
    }

    pub fn response_sent(&self, status: u16) {
        *self.counters().responses.entry(status).or_insert(0) += 1;
    }

    /// The token endpoint's own verdict (not a fault's).
    pub fn token_answered(&self, status: u16) {
        let mut c = self.counters();
        if status == 200 {
            c.tokens_issued += 1;
        } else {
            c.token_rejections += 1;
        }
    }

    pub fn reset(&self) {
        *self.counters() = Counters::default();
    }

    pub fn to_json(&self) -> Value {
        let c = self.counters();
        let responses: Map<String, Value> = c
            .responses
            .iter()
            .map(|(status, n)| (status.to_string(), json!(n)))
            .collect();
        let routes: Map<String, Value> = c
            .routes
            .iter()
            .map(|(route, n)| (route.clone(), json!(n)))
            .collect();
        let created: Map<String, Value> = c
            .created
            .iter()
            .map(|(resource, n)| ((*resource).to_owned(), json!(n)))
            .collect();
        json!({
            "created": created,
            "duplicate_ids_refused": c.duplicate_ids_refused,
            "token_requests": c.token_requests,
            "tokens_issued": c.tokens_issued,
            "token_rejections": c.token_rejections,
            "api_requests": c.api_requests,
            "connect": {
                "requests": c.connect_requests,
                "authorizations": c.connect_authorizations,
                "code_exchanges": c.connect_code_exchanges,
                "refreshes": c.connect_refreshes,
                "invalid_grants": c.connect_invalid_grants,
                "revocations": c.connect_revocations,
            },
            "responses": responses,
            "routes": routes,
            "faults_applied": c.faults_applied,
            "connections": c.connections,
            "connections_closed": c.connections_closed,
            "peak_in_flight": c.peak_in_flight,
        })
    }

    /// The logged requests, oldest first.
    pub fn requests_json(&self) -> Value {
        Value::Array(self.counters().log.iter().cloned().collect())
    }
}

/// `GET /v1/424242/contacts/<guid>?x` -> `GET /v1/{org}/contacts/{guid}`: the numeric segment
/// after a version segment is the organization, UUID-shaped segments are guids.
pub fn route_key(method: &str, path: &str) -> String {
    let mut key = String::with_capacity(method.len() + path.len() + 8);
    key.push_str(method);
    key.push(' ');
    let mut previous_was_version = false;
    for (i, segment) in path.split('/').enumerate() {
        if i > 0 {
            key.push('/');
        }
        let is_version = segment.len() > 1
            && segment.starts_with('v')
            && segment[1..]
                .bytes()
                .all(|b| b.is_ascii_digit() || b == b'.');
        if previous_was_version
            && !segment.is_empty()
            && segment.bytes().all(|b| b.is_ascii_digit())
        {
            key.push_str("{org}");
        } else if is_uuid(segment) {
            key.push_str("{guid}");
        } else {
            key.push_str(segment);
        }
        previous_was_version = i == 1 && is_version;
    }
    key
}

fn log_entry(request: &Request, connection: u64) -> Value {
    let mut headers = Map::new();
    for (name, value) in &request.headers {
        let name = name.to_ascii_lowercase();
        match headers.get_mut(&name) {
            Some(Value::String(existing)) => {
                existing.push_str(", ");
                existing.push_str(value);
            }
            _ => {
                headers.insert(name, Value::String(value.clone()));
            }
        }
    }
    let body = &request.body[..request.body.len().min(LOG_BODY_MAX)];
    json!({
        "method": request.method,
        "path": request.path,
        "query": request.query,
        "headers": headers,
        "body": String::from_utf8_lossy(body),
        "connection": connection,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn route_keys() {
        assert_eq!(
            route_key("GET", "/v1/organizations"),
            "GET /v1/organizations"
        );
        assert_eq!(
            route_key("GET", "/v1/424242/contacts"),
            "GET /v1/{org}/contacts"
        );
        assert_eq!(
            route_key(
                "PUT",
                "/v1.2/1/invoices/0b4f6fd6-5d49-4c2c-9a3e-6a7f1e2d3c4b"
            ),
            "PUT /v1.2/{org}/invoices/{guid}"
        );
        assert_eq!(
            route_key("POST", "/dineroapi/oauth/token"),
            "POST /dineroapi/oauth/token"
        );
        assert_eq!(route_key("GET", "/x/123/y"), "GET /x/123/y");
        assert_eq!(
            route_key("POST", "/v1/424242/files"),
            "POST /v1/{org}/files"
        );
        assert_eq!(
            route_key(
                "GET",
                "/v1/424242/files/0B4F6FD6-5D49-4C2C-9A3E-6A7F1E2D3C4B"
            ),
            "GET /v1/{org}/files/{guid}"
        );
    }
}
