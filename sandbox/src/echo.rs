//! The `echo` fault: a server that answers with the request it got, the way misconfigured
//! gateways, debug pages and some OAuth servers do. The credentials are in that request, so a
//! client that quotes the answer in an error or a log line must scrub them in every shape an
//! echo can take.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde_json::json;

use crate::http::urlencoded::parse_pairs;
use crate::http::{Request, Response};

/// How the request comes back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EchoShape {
    /// The request as text: request line, headers, blank line, body (still form-encoded).
    Raw,
    /// That text inside JSON strings, `{"error": .., "message": ..}` (JSON-escaped).
    Json,
    /// The values decoded, as a server that read them would quote them: the Basic header's
    /// `id:secret` and each form field, in JSON; `error` holds the `password` field alone.
    Decoded,
    /// The request text percent-encoded, as in a link or a redirect target.
    Percent,
    /// The Authorization header alone, percent-encoded, in a short complaint about it: an
    /// echo that no length limit cuts off.
    Authorization,
    /// The Authorization header's value base64-encoded, in a short complaint, as a gateway
    /// that quotes the header it refused without showing it as it was.
    Base64,
}

impl EchoShape {
    pub fn parse(name: &str) -> Option<EchoShape> {
        match name {
            "raw" => Some(EchoShape::Raw),
            "json" => Some(EchoShape::Json),
            "decoded" => Some(EchoShape::Decoded),
            "percent" => Some(EchoShape::Percent),
            "authorization" => Some(EchoShape::Authorization),
            "base64" => Some(EchoShape::Base64),
            _ => None,
        }
    }
}

pub fn answer(status: u16, shape: EchoShape, request: &Request) -> Response {
    let text = request_text(request);
    match shape {
        EchoShape::Raw => Response::text(status, "text/plain; charset=utf-8", text),
        EchoShape::Json => Response::json(status, &json!({"error": text, "message": text})),
        EchoShape::Decoded => {
            let fields = std::str::from_utf8(&request.body)
                .map(parse_pairs)
                .unwrap_or_default();
            let password = fields
                .iter()
                .find(|(name, _)| name == "password")
                .map(|(_, value)| value.clone())
                .unwrap_or_default();
            let described: Vec<String> = fields
                .iter()
                .map(|(name, value)| format!("{name}: {value}"))
                .chain(basic_credentials(request).map(|pair| format!("client: {pair}")))
                .collect();
            Response::json(
                status,
                &json!({"error": password, "error_description": described.join("; ")}),
            )
        }
        EchoShape::Percent => Response::text(
            status,
            "text/plain; charset=utf-8",
            format!("see /debug?request={}", percent_encode(&text)),
        ),
        EchoShape::Authorization => Response::text(
            status,
            "text/plain; charset=utf-8",
            format!(
                "bad header: {}",
                percent_encode(request.header("authorization").unwrap_or_default())
            ),
        ),
        EchoShape::Base64 => Response::text(
            status,
            "text/plain; charset=utf-8",
            format!(
                "refused header (base64): {}",
                STANDARD.encode(request.header("authorization").unwrap_or_default())
            ),
        ),
    }
}

fn request_text(request: &Request) -> String {
    let mut text = format!("{} {}\r\n", request.method, request.path);
    for (name, value) in &request.headers {
        text.push_str(&format!("{name}: {value}\r\n"));
    }
    text.push_str("\r\n");
    text.push_str(&String::from_utf8_lossy(&request.body));
    text
}

/// The decoded `id:secret` of a Basic Authorization header.
fn basic_credentials(request: &Request) -> Option<String> {
    let (scheme, encoded) = request.header("authorization")?.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    String::from_utf8(STANDARD.decode(encoded.trim()).ok()?).ok()
}

fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}
