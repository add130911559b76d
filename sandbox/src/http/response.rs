//! Responses and the ways of delivering them (including the deliberately broken ones).

use std::borrow::Cow;
use std::io::{self, Write};
use std::time::Duration;

/// A response body.
#[derive(Debug, Clone)]
pub enum Body {
    Empty,
    Bytes(Vec<u8>),
    Static(&'static [u8]),
    /// `head`, then `fill` repeated `fill_len` times, then `tail`: a body of any size that is
    /// streamed without ever being held in memory (the `huge` fault).
    Filler {
        head: &'static [u8],
        fill: u8,
        fill_len: u64,
        tail: &'static [u8],
    },
}

impl Body {
    pub fn len(&self) -> u64 {
        match self {
            Body::Empty => 0,
            Body::Bytes(b) => b.len() as u64,
            Body::Static(b) => b.len() as u64,
            Body::Filler {
                head,
                fill_len,
                tail,
                ..
            } => head.len() as u64 + fill_len + tail.len() as u64,
        }
    }

    /// The body when it is already in memory.
    fn in_memory(&self) -> Option<&[u8]> {
        match self {
            Body::Empty => Some(&[]),
            Body::Bytes(b) => Some(b),
            Body::Static(b) => Some(b),
            Body::Filler { .. } => None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    pub content_type: Option<Cow<'static, str>>,
    pub headers: Vec<(&'static str, String)>,
    pub body: Body,
}

pub const JSON: &str = "application/json; charset=utf-8";

impl Response {
    pub fn new(status: u16, content_type: Option<Cow<'static, str>>, body: Body) -> Self {
        Response {
            status,
            content_type,
            headers: Vec::new(),
            body,
        }
    }

    pub fn json(status: u16, value: &serde_json::Value) -> Self {
        // Serialising a Value cannot fail (its keys are strings).
        let bytes = serde_json::to_vec(value).unwrap_or_default();
        Response::new(status, Some(Cow::Borrowed(JSON)), Body::Bytes(bytes))
    }

    /// A constant body, sent without copying it first.
    pub fn static_text(status: u16, content_type: &'static str, body: &'static str) -> Self {
        Response::new(
            status,
            Some(Cow::Borrowed(content_type)),
            Body::Static(body.as_bytes()),
        )
    }

    /// Bytes sent as JSON as they are (valid or, for the `malformed` fault, not).
    pub fn json_bytes(status: u16, bytes: Vec<u8>) -> Self {
        Response::new(status, Some(Cow::Borrowed(JSON)), Body::Bytes(bytes))
    }

    pub fn text(status: u16, content_type: &'static str, body: impl Into<Vec<u8>>) -> Self {
        Response::new(
            status,
            Some(Cow::Borrowed(content_type)),
            Body::Bytes(body.into()),
        )
    }

    /// A response with no body and no Content-Type (204, for one).
    pub fn empty(status: u16) -> Self {
        Response::new(status, None, Body::Empty)
    }

    pub fn with_header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    fn write_head(&self, out: &mut Vec<u8>, close: bool) {
        // Writes into a Vec cannot fail.
        let _ = write!(
            out,
            "HTTP/1.1 {} {}\r\n",
            self.status,
            reason_phrase(self.status)
        );
        if let Some(ct) = &self.content_type {
            let _ = write!(out, "Content-Type: {ct}\r\n");
        }
        let _ = write!(out, "Content-Length: {}\r\n", self.body.len());
        for (name, value) in &self.headers {
            let _ = write!(out, "{name}: {value}\r\n");
        }
        if close {
            out.extend_from_slice(b"Connection: close\r\n");
        }
        out.extend_from_slice(b"\r\n");
    }

    /// Writes head and body, at most `body_limit` bytes of the body (the head always announces
    /// the full length, which is what makes a truncated response detectable). In-memory bodies go
    /// out in a single write together with the head.
    pub fn write_to<W: Write>(&self, w: &mut W, close: bool, body_limit: u64) -> io::Result<()> {
        let limit = body_limit.min(self.body.len());
        let mut out = Vec::with_capacity(256 + self.body.in_memory().map_or(0, <[u8]>::len));
        self.write_head(&mut out, close);
        if let Some(body) = self.body.in_memory() {
            // `limit` never exceeds the in-memory length, so the cast is lossless.
            out.extend_from_slice(&body[..limit as usize]);
            return w.write_all(&out);
        }
        w.write_all(&out)?;
        if let Body::Filler {
            head,
            fill,
            fill_len,
            tail,
        } = &self.body
        {
            let mut left = limit;
            let put = |w: &mut W, bytes: &[u8], left: &mut u64| -> io::Result<()> {
                let n = (*left).min(bytes.len() as u64) as usize;
                *left -= n as u64;
                w.write_all(&bytes[..n])
            };
            put(w, head, &mut left)?;
            let block = [*fill; 64 * 1024];
            let mut fill_left = *fill_len;
            while fill_left > 0 && left > 0 {
                let n = fill_left.min(block.len() as u64) as usize;
                put(w, &block[..n], &mut left)?;
                fill_left -= n as u64;
            }
            put(w, tail, &mut left)?;
        }
        Ok(())
    }
}

/// What the server does with a request, decided by the handler.
#[derive(Debug)]
pub enum Reply {
    /// Send the response normally.
    Respond(Response),
    /// Send the head with the full Content-Length but only half the body, then close.
    Truncated(Response),
    /// Send the response one byte at a time with a pause between bytes.
    Drip(Response, Duration),
    /// Close the connection without writing anything (FIN).
    Close,
    /// Abort the connection with a TCP RST.
    Reset,
    /// Write these bytes (not HTTP) and close.
    RawThenClose(Vec<u8>),
}

impl Reply {
    /// The status that reaches the client, if an HTTP response is sent at all.
    pub fn status_sent(&self) -> Option<u16> {
        match self {
            Reply::Respond(r) | Reply::Truncated(r) | Reply::Drip(r, _) => Some(r.status),
            Reply::Close | Reply::Reset | Reply::RawThenClose(_) => None,
        }
    }
}

/// The reason phrase of a status: the standard one, Dinero's own for 480.
pub fn reason_phrase(status: u16) -> &'static str {
    match status {
        480 => "Brownout",
        _ => http::StatusCode::from_u16(status)
            .ok()
            .and_then(|s| s.canonical_reason())
            .unwrap_or("Unknown"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn head_and_body_in_one_buffer() {
        let r = Response::text(200, "text/plain", "hello").with_header("X-A", "1");
        let mut out = Vec::new();
        r.write_to(&mut out, true, u64::MAX).unwrap();
        assert_eq!(
            out,
            b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\nX-A: 1\r\nConnection: close\r\n\r\nhello"
        );
    }

    #[test]
    fn filler_streams_exact_length_and_honours_limit() {
        let r = Response::new(
            200,
            None,
            Body::Filler {
                head: b"\"",
                fill: b'x',
                fill_len: 200_000,
                tail: b"\"",
            },
        );
        let mut out = Vec::new();
        r.write_to(&mut out, false, u64::MAX).unwrap();
        let body_start = out.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
        assert_eq!(out.len() - body_start, 200_002);
        assert_eq!(out.last(), Some(&b'"'));
        let mut half = Vec::new();
        r.write_to(&mut half, false, 100_001).unwrap();
        assert_eq!(half.len() - body_start, 100_001);
    }
}
