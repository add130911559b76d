//! Proxy variables, against a real proxy on loopback that records every connection it gets.
//!
//! The variables are the process's, so everything runs in this one test binary and one test.
//! The remote URLs point at a documentation address (198.51.100.7, TEST-NET-2) that nothing
//! answers: a request that does not go through the proxy simply fails to connect.

mod common;
use common::*;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::Duration;

const REMOTE: &str = "https://198.51.100.7:9";

/// A proxy that writes down each request line it receives (`CONNECT host:port HTTP/1.1`) and
/// refuses it.
struct RecordingProxy {
    url: String,
    seen: Arc<Mutex<Vec<String>>>,
}

impl RecordingProxy {
    fn start() -> RecordingProxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let seen = Arc::new(Mutex::new(Vec::new()));
        let record = Arc::clone(&seen);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
                let mut head = Vec::new();
                let mut byte = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n") && stream.read(&mut byte).unwrap_or(0) == 1 {
                    head.push(byte[0]);
                }
                let text = String::from_utf8_lossy(&head);
                record
                    .lock()
                    .unwrap()
                    .push(text.lines().next().unwrap_or("").to_string());
                let _ = stream.write_all(
                    b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                );
            }
        });
        RecordingProxy { url, seen }
    }

    fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.seen.lock().unwrap())
    }
}

const VARIABLES: [&str; 8] = [
    "ALL_PROXY",
    "all_proxy",
    "HTTPS_PROXY",
    "https_proxy",
    "HTTP_PROXY",
    "http_proxy",
    "NO_PROXY",
    "REQUEST_METHOD",
];

/// Authenticates with only `vars` set among the proxy variables.
fn authenticate(vars: &[(&str, &str)], auth_url: &str, api_url: &str) -> Result<Client, Failed> {
    for name in VARIABLES {
        std::env::remove_var(name);
    }
    for (name, value) in vars {
        std::env::set_var(name, value);
    }
    let options: Vec<(String, String)> = [
        ("auth_url", auth_url),
        ("api_url", api_url),
        ("organization_id", "424242"),
        ("max_retries", "0"),
        ("connect_timeout_ms", "500"),
        ("timeout_ms", "3000"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    let result = Client::authenticate("rasmus", "dinero", "proxy-test-key", &options);
    for name in VARIABLES {
        std::env::remove_var(name);
    }
    result
}

#[test]
fn proxy_variables_are_honoured_except_where_they_are_dangerous() {
    let proxy = RecordingProxy::start();
    let token_url = format!("{REMOTE}/dineroapi/oauth/token");

    // A token endpoint on this machine, over plain http, is never reached through the proxy,
    // even when the API is remote and the proxy is used for it.
    let sb = sandbox_with(|c| c.api_key = "proxy-test-key".into());
    let client = authenticate(&[("HTTPS_PROXY", &proxy.url)], &sb.auth_url(), REMOTE)
        .expect("the token request went straight to the sandbox");
    assert!(
        proxy.take().is_empty(),
        "the proxy never saw the token request"
    );
    assert_eq!(stat(&sb, "token_requests"), 1);
    drop(client);

    // The proxy is used (the CONNECT names the remote host; the request itself stays inside
    // the tunnel), so this test can see when it is.
    let _ = authenticate(&[("HTTPS_PROXY", &proxy.url)], &token_url, REMOTE);
    assert_eq!(proxy.take(), ["CONNECT 198.51.100.7:9 HTTP/1.1"]);
    let _ = authenticate(&[("HTTP_PROXY", &proxy.url)], &token_url, REMOTE);
    assert_eq!(proxy.take().len(), 1, "HTTP_PROXY outside CGI is honoured");

    // httpoxy: inside a CGI request, HTTP_PROXY may come from the client's Proxy: header.
    let err = authenticate(
        &[("HTTP_PROXY", &proxy.url), ("REQUEST_METHOD", "POST")],
        &token_url,
        REMOTE,
    )
    .err()
    .expect("nothing answers at the remote address");
    assert!(
        proxy.take().is_empty(),
        "HTTP_PROXY ignored: {}",
        err.message
    );
    let _ = authenticate(
        &[("http_proxy", &proxy.url), ("REQUEST_METHOD", "POST")],
        &token_url,
        REMOTE,
    );
    assert_eq!(
        proxy.take().len(),
        1,
        "no header can set the lower-case name"
    );
}
