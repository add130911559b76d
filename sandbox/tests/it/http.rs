//! The server itself: framing, keep-alive rules, limits, and survival of hostile input.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use crate::client::*;

fn raw_exchange(sb: &dinero_sandbox::Sandbox, bytes: &[u8]) -> Vec<u8> {
    let mut s = TcpStream::connect(sb.addr()).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let _ = s.write_all(bytes);
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    out
}

#[test]
fn malformed_requests_get_400_and_the_server_lives_on() {
    let sb = start_default();
    for bad in [
        &b"HELLO\r\n\r\n"[..],
        b"GET / HTTP/3.0\r\n\r\n",
        b"GET / HTTP/1.1\r\nContent-Length: nope\r\n\r\n",
        b"GET / HTTP/1.1\r\nbad header\r\n\r\n",
        b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nxyz\r\n",
        b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n",
    ] {
        let out = raw_exchange(&sb, bad);
        assert!(
            out.starts_with(b"HTTP/1.1 400 "),
            "{:?} -> {:?}",
            String::from_utf8_lossy(bad),
            String::from_utf8_lossy(&out)
        );
    }
    // Deterministic pseudo-random junk: whatever comes back, the server must survive it.
    let mut x: u64 = 0x2545_F491_4F6C_DD1D;
    for _ in 0..40 {
        let junk: Vec<u8> = (0..300)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                (x % 256) as u8
            })
            .collect();
        let mut s = TcpStream::connect(sb.addr()).unwrap();
        let _ = s.write_all(&junk);
        let _ = s.write_all(b"\r\n\r\n");
    }
    let t = token(&sb);
    assert_eq!(get(&sb, &t, "/v1/organizations").status, 200);
}

#[test]
fn limits_give_413_and_431() {
    let sb = start_default();
    let out = raw_exchange(
        &sb,
        b"POST /v1/organizations HTTP/1.1\r\nContent-Length: 16777217\r\n\r\n",
    );
    assert!(
        out.starts_with(b"HTTP/1.1 413 "),
        "{}",
        String::from_utf8_lossy(&out)
    );
    let mut big = b"GET / HTTP/1.1\r\nX-Big: ".to_vec();
    big.extend(std::iter::repeat_n(b'a', 70 * 1024));
    big.extend_from_slice(b"\r\n\r\n");
    let out = raw_exchange(&sb, &big);
    assert!(
        out.starts_with(b"HTTP/1.1 431 "),
        "{}",
        String::from_utf8_lossy(&out[..out.len().min(100)])
    );
}

#[test]
fn chunked_bodies_pipelining_and_connection_close() {
    let sb = start_default();
    let t = token(&sb);
    let chunked = format!(
        "POST /v1/{ORG}/contacts HTTP/1.1\r\nAuthorization: Bearer {t}\r\nTransfer-Encoding: chunked\r\n\r\n\
         10\r\n{{\"Name\":\"Bjørn\"\r\n11\r\n,\"CountryKey\":\"DK\r\n2\r\n\",\r\n30\r\n\"IsPerson\":true,\"IsMember\":false,\"UseCvr\":false}}\r\n0\r\n\r\n\
         GET /v1/organizations HTTP/1.1\r\nAuthorization: Bearer {t}\r\nConnection: close\r\n\r\n"
    );
    let out = raw_exchange(&sb, chunked.as_bytes());
    let text = String::from_utf8_lossy(&out);
    assert!(text.starts_with("HTTP/1.1 201 Created\r\n"), "{text}");
    let second = text
        .find("HTTP/1.1 200 OK")
        .expect("pipelined second response");
    assert!(text[second..].contains("Connection: close\r\n"));
    // read_to_end returned: the server closed after `Connection: close`.

    let out = raw_exchange(
        &sb,
        format!("GET /v1/organizations HTTP/1.0\r\nAuthorization: Bearer {t}\r\n\r\n").as_bytes(),
    );
    assert!(
        out.starts_with(b"HTTP/1.1 200 OK"),
        "HTTP/1.0 gets an answer and a close"
    );
}

#[test]
fn shutdown_stops_accepting_and_closes_idle_connections() {
    let sb = start_default();
    let addr = sb.addr();
    let mut idle = Conn::open(&sb);
    assert_eq!(
        idle.send("GET", "/_sandbox/stats", &[], b"")
            .unwrap()
            .status,
        200
    );
    sb.shutdown();
    assert_eq!(idle.read_to_end().unwrap(), b"", "idle connection closed");
    assert!(TcpStream::connect_timeout(&addr, Duration::from_millis(500)).is_err());
}
