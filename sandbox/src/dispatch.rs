//! The per-request pipeline: admin requests aside, every request is counted and logged, may be
//! hit by an injected fault, and otherwise goes to the token endpoint or the API.

use std::borrow::Cow;
use std::time::Instant;

use serde_json::json;

use crate::admin;
use crate::api::{self, errors};
use crate::connect;
use crate::faults::FaultKind;
use crate::http::{Body, Handler, Reply, Request, Response};
use crate::rate_limit::quota_message;
use crate::state::State;
use crate::stats::Target;
use crate::token_endpoint;

const GARBAGE: &[u8] = b"SSH-2.0-garbage\r\n\r\n";
const MALFORMED_JSON: &str = r#"{"Collection":[{"Name":"#;
const BROWNOUT: &str = "This endpoint is deprecated and is being browned out before its removal. See https://developer.dinero.dk for its replacement.";

impl Handler for State {
    fn connection_opened(&self) {
        self.stats.connection_opened();
    }

    fn connection_closed(&self) {
        self.stats.connection_closed();
    }

    fn idle_timeout(&self) -> std::time::Duration {
        self.config.idle_timeout
    }

    fn handle(&self, request: &Request, connection: u64) -> Reply {
        if let Some(rest) = request.path.strip_prefix(admin::PREFIX) {
            return Reply::Respond(admin::handle(self, request, rest));
        }
        let started = Instant::now();
        let _in_flight = self.stats.handling();
        let target = if request.path == token_endpoint::PATH {
            Target::Token
        } else if connect::is_connect_path(&request.path) {
            Target::Connect
        } else {
            Target::Api
        };
        self.stats.request_arrived(target, request, connection);
        let fault = self.faults.take(target, &request.method, &request.path);
        let fault_name = fault.as_ref().map(|(kind, _)| fault_name(kind));
        let reply = match fault {
            Some((fault, after_processing)) => {
                self.stats.fault_applied();
                if after_processing {
                    // The request takes effect; only its answer is lost.
                    let _ = self.process(target, request);
                }
                self.apply_fault(fault, target, request)
            }
            None => Reply::Respond(self.process(target, request)),
        };
        if let Some(status) = reply.status_sent() {
            self.stats.response_sent(status);
        }
        if self.config.log_requests {
            // Never the query string, a token or an Authorization value: only the path.
            let status = reply
                .status_sent()
                .map_or_else(|| "-".to_owned(), |s| s.to_string());
            let fault = fault_name
                .map(|f| format!(" fault={f}"))
                .unwrap_or_default();
            eprintln!(
                "{} {} {status} {:.1}ms{fault}",
                request.method,
                request.path,
                started.elapsed().as_secs_f64() * 1000.0
            );
        }
        reply
    }
}

impl State {
    /// The request as the real service would answer it.
    fn process(&self, target: Target, request: &Request) -> Response {
        match target {
            Target::Token => {
                let response = token_endpoint::handle(self, request);
                self.stats.token_answered(response.status);
                response
            }
            Target::Connect => connect::handle(self, request),
            Target::Api => api::handle(self, request),
        }
    }

    fn apply_fault(&self, fault: FaultKind, target: Target, request: &Request) -> Reply {
        match fault {
            FaultKind::Status {
                status,
                retry_after,
                body,
                content_type,
                location,
            } => {
                let mut response = self.status_response(status);
                if let Some(body) = body {
                    response.body = Body::Bytes(body.into_bytes());
                }
                if let Some(ct) = content_type {
                    response.content_type = Some(Cow::Owned(ct));
                }
                if let Some(value) = retry_after {
                    response.headers.push(("Retry-After", value));
                }
                if let Some(value) = location {
                    response.headers.push(("Location", value));
                }
                Reply::Respond(response)
            }
            FaultKind::Drop => Reply::Close,
            FaultKind::Reset => Reply::Reset,
            FaultKind::Truncate => Reply::Truncated(self.process(target, request)),
            FaultKind::Malformed { body } => Reply::Respond(Response::json_bytes(
                200,
                body.unwrap_or_else(|| MALFORMED_JSON.to_owned())
                    .into_bytes(),
            )),
            FaultKind::Garbage { body } => {
                Reply::RawThenClose(body.map_or_else(|| GARBAGE.to_vec(), String::into_bytes))
            }
            FaultKind::Delay { delay } => {
                std::thread::sleep(delay);
                Reply::Respond(self.process(target, request))
            }
            FaultKind::Drip { interval } => Reply::Drip(self.process(target, request), interval),
            FaultKind::Huge { size } => {
                // A JSON string of exactly `size` bytes (quotes included), streamed.
                let body = if size >= 2 {
                    Body::Filler {
                        head: b"\"",
                        fill: b'x',
                        fill_len: size - 2,
                        tail: b"\"",
                    }
                } else {
                    Body::Filler {
                        head: b"",
                        fill: b'0',
                        fill_len: size,
                        tail: b"",
                    }
                };
                Reply::Respond(Response::new(
                    200,
                    Some(Cow::Borrowed(crate::http::response::JSON)),
                    body,
                ))
            }
            FaultKind::Echo { status, shape } => {
                Reply::Respond(crate::echo::answer(status, shape, request))
            }
            // Never taken here (see `Fault::matches`); if it were, the request goes through.
            FaultKind::Protocol(_) => Reply::Respond(self.process(target, request)),
        }
    }

    /// What a `status` fault sends by default: what the real infrastructure sends with it.
    fn status_response(&self, status: u16) -> Response {
        match status {
            401 => errors::unauthorized(),
            404 => errors::not_found_html(),
            429 => {
                let (limit, window, _) = self.rate_limit_settings();
                Response::text(
                    429,
                    "text/plain; charset=utf-8",
                    quota_message(limit, window),
                )
            }
            480 => Response::text(480, "text/plain; charset=utf-8", BROWNOUT),
            // What a load balancer in front of the service answers.
            502..=504 => {
                let title = format!("{status} {}", crate::http::response::reason_phrase(status));
                Response::text(
                    status,
                    "text/html",
                    format!("<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n<center><h1>{title}</h1></center>\r\n</body>\r\n</html>\r\n"),
                )
            }
            500 => Response::json(500, &json!({"code": 0, "message": "Internal server error"})),
            400..=599 => Response::json(
                status,
                &json!({"code": 0, "message": crate::http::response::reason_phrase(status)}),
            ),
            204 | 304 => Response::empty(status),
            _ => Response::json(status, &json!({})),
        }
    }
}

fn fault_name(kind: &FaultKind) -> &'static str {
    match kind {
        FaultKind::Status { .. } => "status",
        FaultKind::Drop => "drop",
        FaultKind::Reset => "reset",
        FaultKind::Truncate => "truncate",
        FaultKind::Malformed { .. } => "malformed",
        FaultKind::Garbage { .. } => "garbage",
        FaultKind::Delay { .. } => "delay",
        FaultKind::Drip { .. } => "drip",
        FaultKind::Huge { .. } => "huge",
        FaultKind::Echo { .. } => "echo",
        FaultKind::Protocol(_) => "protocol",
    }
}
