//! Injected faults: a FIFO queue of misbehaviours, each consumed by the requests it matches.
//!
//! A fault simulates the infrastructure in front of Dinero (load balancer, network, a sick
//! backend), so it is applied before anything else looks at the request.

use std::collections::VecDeque;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use serde_json::{json, Map, Value};

use crate::config::valid_header_value;
use crate::echo::EchoShape;
use crate::stats::Target;

/// Which requests a fault may hit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaultTarget {
    Api,
    /// Dinero's own token endpoint (the password grant).
    Token,
    /// Every Visma Connect endpoint (`/connect/...`, `/.well-known/openid-configuration`).
    Connect,
    Any,
}

#[derive(Debug, Clone, PartialEq)]
pub enum FaultKind {
    /// Answer this status without processing the request.
    Status {
        status: u16,
        retry_after: Option<String>,
        body: Option<String>,
        content_type: Option<String>,
        /// A Location header, to play a redirecting (or hijacked) server with a 3xx status.
        location: Option<String>,
    },
    /// Read the request, close without a byte (FIN).
    Drop,
    /// Read the request, abort the connection (RST).
    Reset,
    /// Process normally, send the full Content-Length but half the body, close.
    Truncate,
    /// 200 JSON whose body is not JSON, without processing.
    Malformed { body: Option<String> },
    /// Bytes that are not HTTP, then close.
    Garbage { body: Option<String> },
    /// Wait, then process normally.
    Delay { delay: Duration },
    /// Process normally, send one byte per interval.
    Drip { interval: Duration },
    /// 200 JSON with a body of `size` bytes, streamed.
    Huge { size: u64 },
    /// Answer `status` with the request itself in the body (see `echo.rs`).
    Echo { status: u16, shape: EchoShape },
    /// A Visma Connect protocol fault: not the infrastructure but the authorization server's
    /// own verdict, applied where that verdict is made (see [`FaultQueue::take_protocol`]).
    Protocol(Protocol),
}

/// Faults of Visma Connect's logic rather than of the transport.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    /// The next refresh finds its refresh token used up already (by someone else, long ago):
    /// invalid_grant, and that token stays refused.
    RefreshTokenUsed,
    /// The user refuses consent at the next authorization: `error=access_denied`.
    ConsentRefused,
}

#[derive(Debug, Clone)]
pub struct Fault {
    pub kind: FaultKind,
    /// Process the request first (a create is stored), then misbehave: the answer is what gets
    /// lost. For `status`, `drop` and `reset`; the others always process or never do.
    pub after_processing: bool,
    pub count: u64,
    pub target: FaultTarget,
    pub method: Option<String>,
    pub path_contains: Option<String>,
    /// The JSON it was created from, for `GET /_sandbox/faults`.
    source: Value,
}

impl Fault {
    /// Parses one fault object; unknown keys and bad values are errors with a clear message.
    pub fn from_json(value: &Value) -> Result<Fault, String> {
        let Some(obj) = value.as_object() else {
            return Err("a fault must be a JSON object".into());
        };
        let kind_name = obj
            .get("kind")
            .and_then(Value::as_str)
            .ok_or("fault needs \"kind\": one of status, drop, reset, truncate, malformed, garbage, delay, drip, huge, echo, refresh_token_used, consent_refused")?;
        let allowed: &[&str] = match kind_name {
            "status" => &[
                "status",
                "retry_after",
                "body",
                "content_type",
                "location",
                "after_processing",
            ],
            "drop" | "reset" => &["after_processing"],
            "malformed" | "garbage" => &["body"],
            "delay" => &["delay_ms"],
            "drip" => &["interval_ms"],
            "huge" => &["size"],
            "echo" => &["status", "shape"],
            "refresh_token_used" | "consent_refused" => &[],
            _ => &[],
        };
        for key in obj.keys() {
            let common = ["kind", "count", "target", "method", "path_contains"];
            if !common.contains(&key.as_str()) && !allowed.contains(&key.as_str()) {
                return Err(format!("unknown key {key:?} for a {kind_name:?} fault"));
            }
        }
        let kind = match kind_name {
            "status" => {
                let status = obj
                    .get("status")
                    .and_then(Value::as_u64)
                    .filter(|s| (200..=599).contains(s))
                    .ok_or("a status fault needs \"status\": an integer 200..=599")?;
                FaultKind::Status {
                    status: status as u16,
                    retry_after: header_value(obj, "retry_after")?,
                    body: string(obj, "body")?,
                    content_type: header_value(obj, "content_type")?,
                    location: header_value(obj, "location")?,
                }
            }
            "drop" => FaultKind::Drop,
            "reset" => FaultKind::Reset,
            "truncate" => FaultKind::Truncate,
            "malformed" => FaultKind::Malformed {
                body: string(obj, "body")?,
            },
            "garbage" => FaultKind::Garbage {
                body: string(obj, "body")?,
            },
            "delay" => FaultKind::Delay {
                delay: Duration::from_millis(number(obj, "delay_ms")?.unwrap_or(1000)),
            },
            "drip" => FaultKind::Drip {
                interval: Duration::from_millis(number(obj, "interval_ms")?.unwrap_or(10)),
            },
            "huge" => FaultKind::Huge {
                size: number(obj, "size")?.unwrap_or(16 * 1024 * 1024),
            },
            "echo" => FaultKind::Echo {
                status: obj
                    .get("status")
                    .map_or(Some(400), Value::as_u64)
                    .filter(|s| (200..=599).contains(s))
                    .ok_or("an echo fault's \"status\" must be an integer 200..=599")?
                    as u16,
                shape: EchoShape::parse(string(obj, "shape")?.as_deref().unwrap_or("raw"))
                    .ok_or("an echo fault's \"shape\" must be raw, json, decoded, percent, authorization or base64")?,
            },
            "refresh_token_used" => FaultKind::Protocol(Protocol::RefreshTokenUsed),
            "consent_refused" => FaultKind::Protocol(Protocol::ConsentRefused),
            other => return Err(format!("unknown fault kind {other:?}")),
        };
        let count = match number(obj, "count")? {
            Some(0) => return Err("\"count\" must be at least 1".into()),
            Some(n) => n,
            None => 1,
        };
        let target = match obj.get("target").map(Value::as_str) {
            None | Some(Some("api")) => FaultTarget::Api,
            Some(Some("token")) => FaultTarget::Token,
            Some(Some("connect")) => FaultTarget::Connect,
            Some(Some("any")) => FaultTarget::Any,
            _ => {
                return Err("\"target\" must be \"api\", \"token\", \"connect\" or \"any\"".into())
            }
        };
        let after_processing = match obj.get("after_processing") {
            None | Some(Value::Null) => false,
            Some(Value::Bool(b)) => *b,
            Some(_) => return Err("\"after_processing\" must be true or false".into()),
        };
        Ok(Fault {
            kind,
            after_processing,
            count,
            target,
            method: string(obj, "method")?.map(|m| m.to_ascii_uppercase()),
            path_contains: string(obj, "path_contains")?,
            source: value.clone(),
        })
    }

    fn matches(&self, target: Target, method: &str, path: &str) -> bool {
        if matches!(self.kind, FaultKind::Protocol(_)) {
            // Taken only where Visma Connect makes the decision it overrides.
            return false;
        }
        let target_ok = matches!(
            (self.target, target),
            (FaultTarget::Any, _)
                | (FaultTarget::Api, Target::Api)
                | (FaultTarget::Token, Target::Token)
                | (FaultTarget::Connect, Target::Connect)
        );
        target_ok
            && self.method.as_deref().is_none_or(|m| m == method)
            && self
                .path_contains
                .as_deref()
                .is_none_or(|p| path.contains(p))
    }
}

fn string(obj: &Map<String, Value>, key: &str) -> Result<Option<String>, String> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(format!("\"{key}\" must be a string")),
    }
}

/// A string (or number) that goes into a response header.
fn header_value(obj: &Map<String, Value>, key: &str) -> Result<Option<String>, String> {
    let value = match obj.get(key) {
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => string(obj, key)?,
    };
    match value {
        Some(v) if !valid_header_value(&v) => Err(format!("\"{key}\" must be printable ASCII")),
        v => Ok(v),
    }
}

fn number(obj: &Map<String, Value>, key: &str) -> Result<Option<u64>, String> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v
            .as_u64()
            .map(Some)
            .ok_or_else(|| format!("\"{key}\" must be a non-negative integer")),
    }
}

#[derive(Default)]
pub struct FaultQueue {
    queue: Mutex<VecDeque<Fault>>,
}

impl FaultQueue {
    fn queue(&self) -> MutexGuard<'_, VecDeque<Fault>> {
        self.queue.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Adds one fault object, or each fault of an array (all or nothing).
    pub fn inject(&self, value: &Value) -> Result<(), String> {
        let faults = match value {
            Value::Array(items) => items
                .iter()
                .map(Fault::from_json)
                .collect::<Result<Vec<_>, _>>()?,
            single => vec![Fault::from_json(single)?],
        };
        self.queue().extend(faults);
        Ok(())
    }

    pub fn clear(&self) {
        self.queue().clear();
    }

    /// Takes one use of the first fault matching this request, if any: its kind, and whether
    /// the request is processed before the fault strikes.
    pub fn take(&self, target: Target, method: &str, path: &str) -> Option<(FaultKind, bool)> {
        let mut queue = self.queue();
        let index = queue.iter().position(|f| f.matches(target, method, path))?;
        let fault = &mut queue[index];
        fault.count -= 1;
        let taken = (fault.kind.clone(), fault.after_processing);
        if fault.count == 0 {
            queue.remove(index);
        }
        Some(taken)
    }

    /// Takes one use of the first pending protocol fault of this kind; whether there was one.
    /// (Their `target`, `method` and `path_contains` do not apply: the kind says where.)
    pub fn take_protocol(&self, which: Protocol) -> bool {
        let mut queue = self.queue();
        let Some(index) = queue
            .iter()
            .position(|f| f.kind == FaultKind::Protocol(which))
        else {
            return false;
        };
        let fault = &mut queue[index];
        fault.count -= 1;
        if fault.count == 0 {
            queue.remove(index);
        }
        true
    }

    /// Pending faults with their remaining counts.
    pub fn to_json(&self) -> Value {
        Value::Array(
            self.queue()
                .iter()
                .map(|f| {
                    let mut v = f.source.clone();
                    if let Some(obj) = v.as_object_mut() {
                        obj.insert("count".into(), json!(f.count));
                    }
                    v
                })
                .collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fifo_with_filters_and_counts() {
        let q = FaultQueue::default();
        q.inject(&json!([
            {"kind": "drop", "method": "post", "path_contains": "/contacts"},
            {"kind": "status", "status": 503, "count": 2},
            {"kind": "reset", "target": "token"}
        ]))
        .unwrap();
        assert_eq!(
            q.take(Target::Api, "GET", "/v1/1/contacts"),
            Some((
                FaultKind::Status {
                    status: 503,
                    retry_after: None,
                    body: None,
                    content_type: None,
                    location: None
                },
                false
            ))
        );
        assert_eq!(
            q.take(Target::Api, "POST", "/v1/1/contacts"),
            Some((FaultKind::Drop, false))
        );
        assert!(matches!(
            q.take(Target::Api, "POST", "/v1/1/contacts"),
            Some((FaultKind::Status { .. }, false))
        ));
        assert_eq!(q.take(Target::Api, "GET", "/v1/1/contacts"), None);
        assert_eq!(
            q.take(Target::Token, "POST", "/dineroapi/oauth/token"),
            Some((FaultKind::Reset, false))
        );
        q.inject(&json!({"kind": "reset", "after_processing": true}))
            .unwrap();
        assert_eq!(
            q.take(Target::Api, "POST", "/v1/1/contacts"),
            Some((FaultKind::Reset, true))
        );
        assert_eq!(q.to_json(), json!([]));
    }

    #[test]
    fn bad_faults_are_refused_whole() {
        let q = FaultQueue::default();
        for bad in [
            json!({"kind": "status"}),
            json!({"kind": "status", "status": 42}),
            json!({"kind": "nope"}),
            json!({"kind": "drop", "count": 0}),
            json!({"kind": "drop", "target": "elsewhere"}),
            json!({"kind": "drop", "delay_ms": 5}),
            json!({"kind": "truncate", "after_processing": true}),
            json!({"kind": "reset", "after_processing": "yes"}),
            json!({"kind": "status", "status": 503, "retry_after": "1\r\nX: y"}),
            json!({"kind": "echo", "shape": "xml"}),
            json!({"kind": "echo", "status": 42}),
            json!({"kind": "echo", "delay_ms": 5}),
            json!("drop"),
            json!([{"kind": "drop"}, {"kind": "bad"}]),
        ] {
            assert!(q.inject(&bad).is_err(), "{bad}");
        }
        assert_eq!(q.to_json(), json!([]));
    }
}
