//! Reading HTTP/1.1 requests off a connection. Parsing is `httparse`'s (request line, headers,
//! chunk sizes); what is ours is the buffering, the limits, and the choice of body framing
//! (`Content-Length` or chunked, never both). Anything that is not a well-formed request becomes
//! a [`ReadError`] the server turns into 400/413/431, without panicking.

use std::io::{self, ErrorKind, Read, Write};

/// Largest request head (request line plus headers) accepted.
pub const MAX_HEAD: usize = 64 * 1024;
/// Largest request body accepted, whatever its framing.
pub const MAX_BODY: usize = 16 * 1024 * 1024;
/// Most header fields in a head (or trailer) accepted.
const MAX_HEADERS: usize = 100;
/// Largest chunk-size line in a chunked body.
const MAX_LINE: usize = 4096;
/// How much is read from the socket at a time.
const READ_SIZE: usize = 16 * 1024;

/// One parsed request. The path and query are kept raw (still percent-encoded).
#[derive(Debug)]
pub struct Request {
    pub method: String,
    pub path: String,
    pub query: String,
    /// HTTP/1.0 requests default to closing the connection after the response.
    pub http10: bool,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Request {
    /// First value of a header, by case-insensitive name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Whether the client wants the connection kept open after this request.
    pub fn wants_keep_alive(&self) -> bool {
        let has_token = |token: &str| {
            self.headers
                .iter()
                .filter(|(n, _)| n.eq_ignore_ascii_case("connection"))
                .flat_map(|(_, v)| v.split(','))
                .any(|t| t.trim().eq_ignore_ascii_case(token))
        };
        if self.http10 {
            has_token("keep-alive")
        } else {
            !has_token("close")
        }
    }
}

/// Why no request could be read.
#[derive(Debug, PartialEq, Eq)]
pub enum ReadError {
    /// The peer closed, went idle or failed mid-request: nothing sensible to answer, just close.
    Closed,
    /// Not HTTP as we accept it: answer 400 and close.
    Malformed(&'static str),
    /// Request head over [`MAX_HEAD`] (or too many headers): answer 431 and close.
    HeadTooLarge,
    /// Request body over [`MAX_BODY`]: answer 413 and close.
    BodyTooLarge,
}

impl From<io::Error> for ReadError {
    fn from(_: io::Error) -> Self {
        ReadError::Closed
    }
}

/// Per-connection read buffer; bytes past one request (pipelining) stay for the next.
/// `buf[pos..end]` is unread data; `buf` stays initialised so reads need no zero-filling.
#[derive(Default)]
pub struct RequestReader {
    buf: Vec<u8>,
    pos: usize,
    end: usize,
}

enum Framing {
    None,
    Length(usize),
    Chunked,
}

fn parse_error(e: httparse::Error) -> ReadError {
    match e {
        httparse::Error::TooManyHeaders => ReadError::HeadTooLarge,
        httparse::Error::Version => ReadError::Malformed("unsupported HTTP version"),
        httparse::Error::Token => ReadError::Malformed("bad method"),
        httparse::Error::HeaderName => ReadError::Malformed("bad header name"),
        httparse::Error::HeaderValue => ReadError::Malformed("bad header value"),
        _ => ReadError::Malformed("bad request line or header"),
    }
}

impl RequestReader {
    pub fn new() -> Self {
        RequestReader {
            buf: vec![0; READ_SIZE],
            pos: 0,
            end: 0,
        }
    }

    /// Reads the next request. `stream` is written to only for `100 Continue`.
    pub fn read_request<S: Read + Write>(&mut self, stream: &mut S) -> Result<Request, ReadError> {
        self.skip_leading_blank_lines(stream)?;
        let mut request = self.read_head(stream)?;
        let framing = framing(&request.headers)?;
        if matches!(framing, Framing::Length(n) if n > MAX_BODY) {
            return Err(ReadError::BodyTooLarge);
        }
        let has_body = match framing {
            Framing::None | Framing::Length(0) => false,
            Framing::Length(_) | Framing::Chunked => true,
        };
        let expects_continue = request
            .header("expect")
            .is_some_and(|v| v.eq_ignore_ascii_case("100-continue"));
        if has_body && expects_continue && self.pos == self.end {
            stream.write_all(b"HTTP/1.1 100 Continue\r\n\r\n")?;
        }
        request.body = match framing {
            Framing::None => Vec::new(),
            Framing::Length(n) => self.take_exact(stream, n)?.to_vec(),
            Framing::Chunked => self.read_chunked(stream)?,
        };
        Ok(request)
    }

    fn unread(&self) -> &[u8] {
        &self.buf[self.pos..self.end]
    }

    /// Reads more bytes into the buffer; `Closed` at end of stream or on timeout.
    fn fill<S: Read>(&mut self, stream: &mut S) -> Result<(), ReadError> {
        if self.pos == self.end {
            self.pos = 0;
            self.end = 0;
        } else if self.pos > 0 && self.end == self.buf.len() {
            self.buf.copy_within(self.pos..self.end, 0);
            self.end -= self.pos;
            self.pos = 0;
        }
        if self.end == self.buf.len() {
            // Grows geometrically, bounded by the head/body caps enforced by the callers.
            self.buf.resize(self.buf.len() * 2, 0);
        }
        loop {
            match stream.read(&mut self.buf[self.end..]) {
                Ok(0) => return Err(ReadError::Closed),
                Ok(n) => {
                    self.end += n;
                    return Ok(());
                }
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                Err(_) => return Err(ReadError::Closed),
            }
        }
    }

    /// RFC 9112 asks servers to ignore empty lines before a request line (old clients send a
    /// CRLF after a POST body).
    fn skip_leading_blank_lines<S: Read>(&mut self, stream: &mut S) -> Result<(), ReadError> {
        loop {
            while let Some(&b) = self.unread().first() {
                if b == b'\r' || b == b'\n' {
                    self.pos += 1;
                } else {
                    return Ok(());
                }
            }
            self.fill(stream)?;
        }
    }

    /// Buffers until the blank line ending the head (searched incrementally, so a client
    /// sending a byte at a time costs linear work), then has `httparse` parse it.
    fn read_head<S: Read>(&mut self, stream: &mut S) -> Result<Request, ReadError> {
        let mut searched = 0;
        loop {
            let unread = self.unread();
            if let Some(i) = find(&unread[searched..], b"\r\n\r\n") {
                // The whole head may arrive in one read: the cap applies to the found head too.
                if searched + i + 4 > MAX_HEAD {
                    return Err(ReadError::HeadTooLarge);
                }
                break;
            }
            if unread.len() > MAX_HEAD {
                return Err(ReadError::HeadTooLarge);
            }
            // Re-scan the last 3 bytes: the terminator may straddle two reads.
            searched = unread.len().saturating_sub(3);
            self.fill(stream)?;
        }
        let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
        let mut parsed = httparse::Request::new(&mut headers);
        match parsed.parse(self.unread()).map_err(parse_error)? {
            httparse::Status::Complete(len) => {
                let request = to_request(&parsed)?;
                self.pos += len;
                Ok(request)
            }
            // A blank line is there, so a complete head is too; anything else is not HTTP.
            httparse::Status::Partial => Err(ReadError::Malformed("bad request head")),
        }
    }

    fn take_exact<S: Read>(&mut self, stream: &mut S, n: usize) -> Result<&[u8], ReadError> {
        while self.unread().len() < n {
            self.fill(stream)?;
        }
        let start = self.pos;
        self.pos += n;
        Ok(&self.buf[start..start + n])
    }

    fn read_chunked<S: Read>(&mut self, stream: &mut S) -> Result<Vec<u8>, ReadError> {
        let mut body = Vec::new();
        loop {
            let size = loop {
                match httparse::parse_chunk_size(self.unread()) {
                    Ok(httparse::Status::Complete((len, size))) => {
                        self.pos += len;
                        break size;
                    }
                    // A size over u64 is certainly over MAX_BODY; other errors are malformed.
                    Err(_)
                        if self
                            .unread()
                            .iter()
                            .take_while(|b| b.is_ascii_hexdigit())
                            .count()
                            > 16 =>
                    {
                        return Err(ReadError::BodyTooLarge)
                    }
                    Err(_) => return Err(ReadError::Malformed("bad chunk size")),
                    Ok(httparse::Status::Partial) if self.unread().len() > MAX_LINE => {
                        return Err(ReadError::Malformed("chunk line too long"))
                    }
                    Ok(httparse::Status::Partial) => self.fill(stream)?,
                }
            };
            if size == 0 {
                break;
            }
            let size = usize::try_from(size).unwrap_or(usize::MAX);
            if size > MAX_BODY - body.len() {
                return Err(ReadError::BodyTooLarge);
            }
            body.extend_from_slice(self.take_exact(stream, size)?);
            if self.take_exact(stream, 2)? != b"\r\n" {
                return Err(ReadError::Malformed("chunk not followed by CRLF"));
            }
        }
        // Trailer fields are parsed and ignored, up to the blank line.
        loop {
            let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
            match httparse::parse_headers(self.unread(), &mut headers).map_err(parse_error)? {
                httparse::Status::Complete((len, _)) => {
                    self.pos += len;
                    return Ok(body);
                }
                httparse::Status::Partial if self.unread().len() > MAX_HEAD => {
                    return Err(ReadError::HeadTooLarge)
                }
                httparse::Status::Partial => self.fill(stream)?,
            }
        }
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn to_request(parsed: &httparse::Request<'_, '_>) -> Result<Request, ReadError> {
    let (Some(method), Some(target), Some(version)) = (parsed.method, parsed.path, parsed.version)
    else {
        return Err(ReadError::Malformed("bad request line"));
    };
    let (path, query) = split_target(target)?;
    let headers = parsed
        .headers
        .iter()
        .map(|h| {
            let value = std::str::from_utf8(h.value)
                .map_err(|_| ReadError::Malformed("header value is not UTF-8"))?;
            Ok((
                h.name.to_owned(),
                value.trim_matches([' ', '\t']).to_owned(),
            ))
        })
        .collect::<Result<Vec<_>, ReadError>>()?;
    Ok(Request {
        method: method.to_owned(),
        path,
        query,
        http10: version == 0,
        headers,
        body: Vec::new(),
    })
}

/// Origin form (`/p?q`) and absolute form (`http://host/p?q`, what proxies send) are accepted.
fn split_target(target: &str) -> Result<(String, String), ReadError> {
    let origin = if target.starts_with('/') {
        target
    } else if let Some(rest) = target
        .strip_prefix("http://")
        .or_else(|| target.strip_prefix("https://"))
    {
        rest.find('/').map_or("/", |i| &rest[i..])
    } else {
        return Err(ReadError::Malformed("bad request target"));
    };
    let origin = origin.split('#').next().unwrap_or(origin);
    let (path, query) = origin.split_once('?').unwrap_or((origin, ""));
    Ok((path.to_owned(), query.to_owned()))
}

fn framing(headers: &[(String, String)]) -> Result<Framing, ReadError> {
    let mut transfer_encoding = None;
    let mut length: Option<usize> = None;
    for (name, value) in headers {
        if name.eq_ignore_ascii_case("transfer-encoding") {
            transfer_encoding = Some(value.as_str());
        } else if name.eq_ignore_ascii_case("content-length") {
            for item in value.split(',') {
                let item = item.trim();
                if item.is_empty() || !item.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(ReadError::Malformed("bad Content-Length"));
                }
                // A number too long for usize is certainly over MAX_BODY.
                let n = item.parse::<usize>().unwrap_or(usize::MAX);
                if length.is_some_and(|l| l != n) {
                    return Err(ReadError::Malformed("conflicting Content-Length"));
                }
                length = Some(n);
            }
        }
    }
    match (transfer_encoding, length) {
        // Both at once is the classic request-smuggling shape: refuse rather than pick one.
        (Some(_), Some(_)) => Err(ReadError::Malformed(
            "both Transfer-Encoding and Content-Length",
        )),
        (Some(te), None) => {
            let last = te.rsplit(',').next().unwrap_or("").trim();
            if last.eq_ignore_ascii_case("chunked") {
                Ok(Framing::Chunked)
            } else {
                Err(ReadError::Malformed("unsupported Transfer-Encoding"))
            }
        }
        (None, Some(n)) => Ok(Framing::Length(n)),
        (None, None) => Ok(Framing::None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    /// A byte source that also swallows writes (for `100 Continue`).
    struct Pipe(Cursor<Vec<u8>>, Vec<u8>);
    impl Read for Pipe {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            // One byte at a time, to exercise every split point.
            let n = buf.len().min(1);
            self.0.read(&mut buf[..n])
        }
    }
    impl Pipe {
        fn new(input: &[u8]) -> Self {
            Pipe(Cursor::new(input.to_vec()), Vec::new())
        }
    }
    impl Write for Pipe {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.1.extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    fn read_all(input: &[u8]) -> Vec<Result<Request, ReadError>> {
        let mut pipe = Pipe::new(input);
        let mut reader = RequestReader::new();
        let mut out = Vec::new();
        loop {
            let r = reader.read_request(&mut pipe);
            let stop = r.is_err();
            out.push(r);
            if stop {
                return out;
            }
        }
    }

    #[test]
    fn pipelined_length_and_chunked() {
        let input = b"POST /a?x=1 HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc\
GET /b HTTP/1.1\r\nHost: h\r\n\r\n\
POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3;ext=1\r\nabc\r\n2\r\nde\r\n0\r\nX-T: 1\r\n\r\n";
        let out = read_all(input);
        assert_eq!(out.len(), 4);
        let a = out[0].as_ref().unwrap();
        assert_eq!(
            (a.method.as_str(), a.path.as_str(), a.query.as_str()),
            ("POST", "/a", "x=1")
        );
        assert_eq!(a.body, b"abc");
        assert_eq!(out[1].as_ref().unwrap().header("HOST"), Some("h"));
        assert_eq!(out[2].as_ref().unwrap().body, b"abcde");
        assert_eq!(out[3].as_ref().unwrap_err(), &ReadError::Closed);
    }

    #[test]
    fn malformed_inputs() {
        for input in [
            &b"GET / HTTP/9.9\r\n\r\n"[..],
            b"GET /\r\n\r\n",
            b"G(T / HTTP/1.1\r\n\r\n",
            b"GET / HTTP/1.1\r\nNoColon\r\n\r\n",
            b"GET / HTTP/1.1\r\nA: b\r\n folded\r\n\r\n",
            b"GET / HTTP/1.1\r\nContent-Length: x\r\n\r\n",
            b"GET / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
            b"GET / HTTP/1.1\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n",
            b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
            b"GET nopath HTTP/1.1\r\n\r\n",
            b"GET / HTTP/1.1\r\nX: \xff\r\n\r\n",
        ] {
            let out = read_all(input);
            assert!(
                matches!(out[0], Err(ReadError::Malformed(_))),
                "{:?} -> {:?}",
                String::from_utf8_lossy(input),
                out[0]
            );
        }
    }

    #[test]
    fn size_limits() {
        let big = format!("GET / HTTP/1.1\r\nContent-Length: {}\r\n\r\n", MAX_BODY + 1);
        assert_eq!(
            read_all(big.as_bytes())[0].as_ref().unwrap_err(),
            &ReadError::BodyTooLarge
        );
        let huge_len = "GET / HTTP/1.1\r\nContent-Length: 99999999999999999999999\r\n\r\n";
        assert_eq!(
            read_all(huge_len.as_bytes())[0].as_ref().unwrap_err(),
            &ReadError::BodyTooLarge
        );
        let mut head = b"GET / HTTP/1.1\r\nX: ".to_vec();
        head.extend(std::iter::repeat_n(b'a', MAX_HEAD + 10));
        let mut pipe = Pipe::new(&head);
        let mut reader = RequestReader::new();
        assert_eq!(
            reader.read_request(&mut pipe).unwrap_err(),
            ReadError::HeadTooLarge
        );
    }

    #[test]
    fn keep_alive_rules() {
        let out = read_all(b"GET / HTTP/1.0\r\n\r\nGET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\nGET / HTTP/1.1\r\nConnection: foo, close\r\n\r\nGET http://h:1/x?y HTTP/1.1\r\n\r\n");
        assert!(!out[0].as_ref().unwrap().wants_keep_alive());
        assert!(out[1].as_ref().unwrap().wants_keep_alive());
        assert!(!out[2].as_ref().unwrap().wants_keep_alive());
        let abs = out[3].as_ref().unwrap();
        assert!(abs.wants_keep_alive());
        assert_eq!((abs.path.as_str(), abs.query.as_str()), ("/x", "y"));
    }

    #[test]
    fn continue_is_sent_only_when_body_is_awaited() {
        let mut pipe =
            Pipe::new(b"POST / HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nok");
        let mut reader = RequestReader::new();
        let req = reader.read_request(&mut pipe).unwrap();
        assert_eq!(req.body, b"ok");
        assert_eq!(pipe.1, b"HTTP/1.1 100 Continue\r\n\r\n");
    }
}
