//! A deliberately small HTTP/1.1 client on std::net, so the tests see the bytes as sent.

use std::io::{self, ErrorKind, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use dinero_sandbox::{Config, Sandbox};
use serde_json::Value;

pub const ORG: u64 = 424_242;

#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Resp {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    pub fn text(&self) -> String {
        String::from_utf8(self.body.clone()).expect("UTF-8 body")
    }
}

/// One TCP connection, reused for as many requests as the server keeps it open.
pub struct Conn {
    pub stream: TcpStream,
    buf: Vec<u8>,
}

impl Conn {
    pub fn open(sandbox: &Sandbox) -> Conn {
        Conn::to(sandbox.addr())
    }

    /// A connection to a sandbox running as a process.
    pub fn to(addr: std::net::SocketAddr) -> Conn {
        let stream = TcpStream::connect(addr).expect("connect");
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        Conn {
            stream,
            buf: Vec::new(),
        }
    }

    pub fn send(
        &mut self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> io::Result<Resp> {
        let mut req = format!("{method} {path} HTTP/1.1\r\nHost: sandbox\r\n");
        for (name, value) in headers {
            req.push_str(&format!("{name}: {value}\r\n"));
        }
        if !body.is_empty() || method == "POST" || method == "PUT" {
            req.push_str(&format!("Content-Length: {}\r\n", body.len()));
        }
        req.push_str("\r\n");
        let mut bytes = req.into_bytes();
        bytes.extend_from_slice(body);
        self.stream.write_all(&bytes)?;
        self.read_response()
    }

    /// Reads one response framed by Content-Length (the sandbox always sends one).
    pub fn read_response(&mut self) -> io::Result<Resp> {
        let head_end = loop {
            if let Some(i) = self.buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break i + 4;
            }
            if self.fill()? == 0 {
                return Err(io::Error::new(
                    ErrorKind::UnexpectedEof,
                    format!("EOF after {} bytes of head", self.buf.len()),
                ));
            }
        };
        let head = String::from_utf8(self.buf[..head_end].to_vec()).expect("UTF-8 head");
        let mut lines = head.split("\r\n");
        let status_line = lines.next().unwrap();
        let status: u16 = status_line
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("bad status line {status_line:?}"));
        let headers: Vec<(String, String)> = lines
            .filter(|l| !l.is_empty())
            .map(|l| {
                let (n, v) = l.split_once(':').expect("header colon");
                (n.to_owned(), v.trim().to_owned())
            })
            .collect();
        self.buf.drain(..head_end);
        let length: usize = headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
            .map(|(_, v)| v.parse().expect("numeric Content-Length"))
            .expect("Content-Length");
        while self.buf.len() < length {
            if self.fill()? == 0 {
                return Err(io::Error::new(
                    ErrorKind::UnexpectedEof,
                    format!("body: {} of {length} bytes", self.buf.len()),
                ));
            }
        }
        let body = self.buf.drain(..length).collect();
        Ok(Resp {
            status,
            headers,
            body,
        })
    }

    fn fill(&mut self) -> io::Result<usize> {
        let mut chunk = [0u8; 64 * 1024];
        let n = self.stream.read(&mut chunk)?;
        self.buf.extend_from_slice(&chunk[..n]);
        Ok(n)
    }

    /// Everything until the server closes (what is buffered included).
    pub fn read_to_end(&mut self) -> io::Result<Vec<u8>> {
        let mut all = std::mem::take(&mut self.buf);
        self.stream.read_to_end(&mut all)?;
        Ok(all)
    }
}

pub fn start(config: Config) -> Sandbox {
    Sandbox::start(config).expect("sandbox starts")
}

pub fn start_default() -> Sandbox {
    start(Config::default())
}

/// `Basic base64("rasmus:dinero")`, spelled out as in Dinero's docs.
pub const BASIC: &str = "Basic cmFzbXVzOmRpbmVybw==";

pub fn token_form(key: &str) -> String {
    format!("grant_type=password&scope=read+write&username={key}&password={key}")
}

pub fn request_token(sandbox: &Sandbox, authorization: &str, form: &str) -> Resp {
    Conn::open(sandbox)
        .send(
            "POST",
            "/dineroapi/oauth/token",
            &[
                ("Authorization", authorization),
                ("Content-Type", "application/x-www-form-urlencoded"),
            ],
            form.as_bytes(),
        )
        .expect("token request")
}

pub fn token(sandbox: &Sandbox) -> String {
    let resp = request_token(sandbox, BASIC, &token_form(&sandbox.config().api_key));
    assert_eq!(resp.status, 200, "{}", String::from_utf8_lossy(&resp.body));
    resp.json()["access_token"].as_str().unwrap().to_owned()
}

/// One API request with a bearer token, on a fresh connection.
pub fn api(sandbox: &Sandbox, token: &str, method: &str, path: &str, body: Option<&Value>) -> Resp {
    let auth = format!("Bearer {token}");
    let body = body.map(|b| b.to_string()).unwrap_or_default();
    let mut headers = vec![("Authorization", auth.as_str())];
    if !body.is_empty() {
        headers.push(("Content-Type", "application/json"));
    }
    Conn::open(sandbox)
        .send(method, path, &headers, body.as_bytes())
        .expect("API request")
}

pub fn get(sandbox: &Sandbox, token: &str, path: &str) -> Resp {
    api(sandbox, token, "GET", path, None)
}

/// `/v1/424242/<rest>`
pub fn org_path(rest: &str) -> String {
    format!("/v1/{ORG}/{rest}")
}
