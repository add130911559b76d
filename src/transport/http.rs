//! One HTTP exchange over ureq: build the agent (pool, timeouts, TLS, no redirects), send one
//! request, read the whole answer within `max_response_bytes`, and classify any failure by what
//! it means for a retry: did any of the request possibly reach the server?

use super::resolver::CachingResolver;
use crate::config::Config;
use crate::error::{Error, ErrorKind, Result};
use crate::forks::PerProcess;
use crate::response::Response;
use crate::server_text::printable_excerpt;
use std::io::{self, Read};
use std::sync::Arc;
use ureq::http;
use ureq::tls::{Certificate, RootCerts, TlsConfig};
use ureq::Agent;

/// A request as the transport sends it. Headers are already validated.
pub struct Exchange<'a> {
    pub method: &'static str,
    pub url: &'a str,
    pub headers: &'a [(&'a str, &'a str)],
    pub body: Option<&'a [u8]>,
}

/// A failed attempt, and whether the server can have seen any of the request.
#[derive(Debug)]
pub struct Failure {
    pub error: Error,
    /// True only when the request provably never left: resolution, connect or TLS handshake
    /// failed. Then even a POST may be sent again.
    pub nothing_sent: bool,
}

pub struct HttpClient {
    /// The agent (and its pool of kept-alive connections) of this process: a forked child
    /// makes its own from `agent_config` (`forks`).
    agent: PerProcess<Agent>,
    agent_config: ureq::config::Config,
    max_response_bytes: u64,
}

pub const LIBRARY_USER_AGENT: &str = concat!("libdinero/", env!("CARGO_PKG_VERSION"));

impl HttpClient {
    pub fn new(config: &Config) -> Result<Self> {
        let user_agent = match &config.user_agent {
            Some(prefix) => format!("{prefix} {LIBRARY_USER_AGENT}"),
            None => LIBRARY_USER_AGENT.to_string(),
        };
        let mut tls = TlsConfig::builder();
        if let Some(path) = &config.ca_file {
            tls = tls.root_certs(load_roots(path)?);
        }
        let proxy = super::proxy::from_environment(config);
        let agent_config = Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .max_redirects_will_error(false)
            .user_agent(user_agent)
            .accept("application/json")
            .timeout_global(Some(config.timeout))
            // A host name's lookup is part of connecting: bounded by the same limit, where it
            // used to run until timeout_ms and then count as possibly sent (never retried).
            .timeout_resolve(Some(config.connect_timeout))
            .timeout_connect(Some(config.connect_timeout))
            .max_idle_connections(64)
            .max_idle_connections_per_host(32)
            .no_delay(true)
            .proxy(proxy)
            .tls_config(tls.build())
            .build();
        Ok(HttpClient {
            agent: PerProcess::new(new_agent(&agent_config)),
            agent_config,
            max_response_bytes: config.max_response_bytes,
        })
    }

    /// Sends one request and reads the complete answer, whatever its status.
    pub fn send(&self, exchange: &Exchange<'_>) -> std::result::Result<Response, Failure> {
        let mut builder = http::Request::builder()
            .method(exchange.method)
            .uri(exchange.url);
        for (name, value) in exchange.headers {
            builder = builder.header(*name, *value);
        }
        let agent = self.agent.get(|| new_agent(&self.agent_config));
        let result = match exchange.body {
            Some(body) => builder.body(body).map(|r| agent.run(r)),
            None => builder.body(()).map(|r| agent.run(r)),
        };
        let mut response = match result {
            Ok(Ok(response)) => response,
            Ok(Err(e)) => return Err(classify(e, Phase::Exchange)),
            Err(e) => {
                return Err(Failure {
                    error: Error::invalid(format!("cannot build the request: {e}")),
                    nothing_sent: true,
                })
            }
        };
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(name, value)| {
                let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
                (name.as_str().to_string(), value)
            })
            .collect();
        let body = read_body(response.body_mut(), self.max_response_bytes)
            .map_err(|e| classify(e, Phase::Body))?;
        Ok(Response::new(status, headers, body))
    }
}

/// The whole body, at most `limit` bytes (more is ureq's `BodyExceedsLimit`). The buffer is
/// sized from Content-Length first (up to `PRESIZED_BODY_BYTES`): grown from empty, a 1 kB
/// answer took seven reads through ureq's layers of readers; sized, it takes two.
fn read_body(body: &mut ureq::Body, limit: u64) -> std::result::Result<Vec<u8>, ureq::Error> {
    let expected = body.content_length().map(|length| length.min(limit));
    // One byte more: the C API ends every body with a NUL (`dinero_response_body`), which then
    // needs no second allocation and copy of the body.
    let room = expected
        .and_then(|length| usize::try_from(length).ok())
        .map_or(0, |length| length.min(PRESIZED_BODY_BYTES) + 1);
    let mut bytes = Vec::with_capacity(room);
    body.with_config()
        .limit(limit)
        .reader()
        .read_to_end(&mut bytes)
        // ureq's own errors (the limit, a cut-short body) come back out of the io::Error.
        .map_err(ureq::Error::from)?;
    // A HEAD's answer (or a 304) names the length of a body it does not carry: the response
    // must not hold on to room for it.
    let read = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
    if expected.is_some_and(|length| read < length) {
        bytes.shrink_to_fit();
    }
    Ok(bytes)
}

/// The most a Content-Length may make `read_body` reserve before any byte arrived: a server
/// cannot make the process reserve more for a body it then does not send.
const PRESIZED_BODY_BYTES: usize = 1 << 20;

fn new_agent(config: &ureq::config::Config) -> Agent {
    Agent::with_parts(config.clone(), connectors(), CachingResolver::default())
}

fn load_roots(path: &std::path::Path) -> Result<RootCerts> {
    // Read again here (the file may have changed since the option was set), just as warily.
    let pem = crate::files::read_limited(path, crate::files::MAX_CA_FILE_BYTES)
        .map_err(|e| Error::invalid(format!("option ca_file: {}", e.message())))?;
    let certs: Vec<Certificate<'static>> = ureq::tls::parse_pem(&pem)
        .filter_map(|item| match item {
            Ok(ureq::tls::PemItem::Certificate(cert)) => Some(cert),
            _ => None,
        })
        .collect();
    if certs.is_empty() {
        return Err(Error::invalid(format!(
            "option ca_file: {} holds no readable certificate",
            path.display()
        )));
    }
    Ok(RootCerts::Specific(Arc::new(certs)))
}

/// How much of a server's text an error message quotes.
const QUOTED_CHARS: usize = 120;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Connecting, sending, or waiting for the status line and headers.
    Exchange,
    /// Reading the body after the head arrived.
    Body,
}

/// ureq's connector chain with our plain TCP (transport/tcp.rs) in place of its own: an HTTP
/// CONNECT proxy first (when the environment names one), then TCP, then TLS for https. No SOCKS
/// (ureq is built without it; transport/proxy.rs never hands ureq a SOCKS proxy).
fn connectors() -> impl ureq::unversioned::transport::Connector {
    use ureq::unversioned::transport::{ConnectProxyConnector, Connector as _, RustlsConnector};
    ().chain(ConnectProxyConnector::default())
        .chain(super::tcp::LeanTcpConnector)
        .chain(RustlsConnector::default())
}

fn classify(e: ureq::Error, phase: Phase) -> Failure {
    use ureq::Error as U;
    let (kind, message, nothing_sent) = match e {
        U::Timeout(which) => {
            let before_sending = matches!(
                which,
                ureq::Timeout::Resolve | ureq::Timeout::Connect
            );
            (
                ErrorKind::Timeout,
                format!("timed out ({})", timeout_phase(which)),
                before_sending,
            )
        }
        U::HostNotFound => (ErrorKind::Network, "could not resolve the host".into(), true),
        U::ConnectionFailed => (ErrorKind::Network, "could not connect".into(), true),
        U::Tls(why) => (ErrorKind::Tls, format!("TLS failed: {why}"), true),
        U::Rustls(e) => (ErrorKind::Tls, format!("TLS failed: {e}"), true),
        U::Pem(e) => (ErrorKind::Tls, format!("bad certificate: {e}"), true),
        U::BodyExceedsLimit(limit) => (
            ErrorKind::ResponseTooLarge,
            format!("the response body is larger than max_response_bytes ({limit} bytes); it was not read"),
            false,
        ),
        U::LargeResponseHeader(_, limit) => (
            ErrorKind::Protocol,
            format!("the response headers are larger than {limit} bytes"),
            false,
        ),
        // ureq writes the request's head through a fixed buffer, and a line that does not fit
        // (a huge header or URL) fails before the head is complete (its first lines may have
        // gone out, never its end, so the server has no request to act on): the caller's
        // request is at fault, not the server's answer, and sending it again would fail alike.
        U::Protocol(e) if is_output_overflow(&e) => (
            ErrorKind::InvalidArgument,
            "the request is too large to send (a header or the URL is too long); it was not sent"
                .into(),
            true,
        ),
        // These can quote the server's bytes (a bad header): printable and short.
        U::Protocol(e) => (
            ErrorKind::Protocol,
            format!(
                "the server's answer is not valid HTTP: {}",
                printable_excerpt(&e.to_string(), QUOTED_CHARS)
            ),
            false,
        ),
        U::Io(e) => classify_io(&e, phase),
        U::BadUri(e) => (ErrorKind::InvalidArgument, format!("invalid URL: {e}"), true),
        U::Http(e) => (ErrorKind::InvalidArgument, format!("invalid request: {e}"), true),
        U::BodyStalled => (
            ErrorKind::Timeout,
            "the server stopped sending the body".into(),
            false,
        ),
        other => (
            ErrorKind::Network,
            format!(
                "request failed: {}",
                printable_excerpt(&other.to_string(), QUOTED_CHARS)
            ),
            false,
        ),
    };
    Failure {
        error: Error::new(kind, message),
        nothing_sent,
    }
}

/// ureq-proto's `OutputOverflow` (that crate is not a dependency of ours to name the variant).
fn is_output_overflow(e: &impl std::fmt::Debug) -> bool {
    format!("{e:?}") == "OutputOverflow"
}

fn classify_io(e: &io::Error, phase: Phase) -> (ErrorKind, String, bool) {
    use io::ErrorKind as K;
    // A refused handshake surfaces as an I/O error wrapping rustls's own error.
    if let Some(tls) = e
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<rustls::Error>())
    {
        let hint = match tls {
            rustls::Error::InvalidCertificate(_) => {
                " (is the server's certificate authority trusted? see the ca_file option)"
            }
            _ => "",
        };
        return (ErrorKind::Tls, format!("TLS failed: {tls}{hint}"), true);
    }
    let during = match phase {
        Phase::Exchange => "before the answer arrived",
        Phase::Body => "while the body was being read",
    };
    match e.kind() {
        K::ConnectionRefused => (ErrorKind::Network, "connection refused".into(), true),
        K::TimedOut | K::WouldBlock => (ErrorKind::Timeout, format!("timed out {during}"), false),
        K::UnexpectedEof if phase == Phase::Body => (
            ErrorKind::Protocol,
            "the response body was cut short (fewer bytes than announced)".into(),
            false,
        ),
        K::ConnectionReset | K::ConnectionAborted | K::BrokenPipe | K::UnexpectedEof => (
            ErrorKind::Network,
            format!("the connection was reset or closed {during}"),
            false,
        ),
        _ => (
            ErrorKind::Network,
            format!("I/O error {during}: {e}"),
            false,
        ),
    }
}

fn timeout_phase(which: ureq::Timeout) -> &'static str {
    use ureq::Timeout as T;
    match which {
        T::Resolve => "resolving the host",
        T::Connect => "connecting",
        T::SendRequest | T::SendBody | T::Await100 | T::PerWrite => "sending the request",
        T::RecvResponse => "waiting for the answer",
        T::RecvBody | T::PerRead => "reading the answer",
        _ => "the request took longer than timeout_ms",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;
    use std::net::TcpListener;
    use std::time::Duration;

    #[test]
    fn a_head_too_large_for_ureqs_buffer_is_the_callers_and_nothing_is_sent() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/x", listener.local_addr().unwrap());
        let config = Config {
            max_retries: 0,
            timeout: Duration::from_secs(5),
            ..Config::default()
        };
        let client = HttpClient::new(&config).unwrap();
        let huge = "v".repeat(200_000);
        let failure = client
            .send(&Exchange {
                method: "GET",
                url: &url,
                headers: &[("x-huge", &huge)],
                body: None,
            })
            .unwrap_err();
        assert_eq!(failure.error.kind(), ErrorKind::InvalidArgument);
        assert!(failure.nothing_sent);
        assert!(
            failure.error.message().contains("too large to send"),
            "{}",
            failure.error
        );
        assert!(!failure.error.message().contains("vvvv"));
        // ureq may have flushed the head's first lines, but never its end: the server got no
        // request it could act on.
        listener.set_nonblocking(true).unwrap();
        if let Ok((mut stream, _)) = listener.accept() {
            stream.set_nonblocking(false).unwrap();
            stream
                .set_read_timeout(Some(Duration::from_millis(500)))
                .unwrap();
            let mut received = Vec::new();
            let _ = stream.read_to_end(&mut received);
            assert!(!received.windows(4).any(|w| w == b"\r\n\r\n"));
            assert!(!received.windows(4).any(|w| w == b"vvvv"));
        }
    }
}
