//! A connection to Redis in which every step has one deadline, however the server answers.
//!
//! redis-rs bounds each read of a socket, not a command: a server (or a proxy in front of it)
//! that sends its answer a byte at a time, each byte within the read timeout, kept a step going
//! for as long as it liked, and the host process with it. Here each step is given a deadline
//! (`shared_state_timeout_ms` from its start) that every read and write of the socket, the host
//! name's lookup, the connect and the TLS handshake count against. Over `rediss://` the TLS
//! records are read and written through the same deadline-bound socket, so a server dripping
//! them is cut off the same way. redis-rs still builds the commands and parses the answers,
//! through its `ConnectionLike` trait.

use redis::{
    ConnectionAddr, ConnectionInfo, ConnectionLike, ErrorKind, RedisError, RedisResult, Value,
};
use rustls::pki_types::ServerName;
use rustls::{ClientConfig, ClientConnection, StreamOwned};
use std::io::{BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The TCP socket, read and written only until the current step's deadline: every call waits
/// at most the time left, so no sequence of calls outlasts the step.
struct DeadlineSocket {
    socket: TcpStream,
    deadline: Instant,
}

impl DeadlineSocket {
    /// The time left, or a timeout error once there is none.
    fn left(&self) -> std::io::Result<Duration> {
        self.deadline
            .checked_duration_since(Instant::now())
            .filter(|left| !left.is_zero())
            .ok_or_else(|| {
                std::io::Error::new(std::io::ErrorKind::TimedOut, "step deadline passed")
            })
    }
}

impl Read for DeadlineSocket {
    fn read(&mut self, buffer: &mut [u8]) -> std::io::Result<usize> {
        let left = self.left()?;
        self.socket.set_read_timeout(Some(left))?;
        self.socket.read(buffer)
    }
}

impl Write for DeadlineSocket {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        let left = self.left()?;
        self.socket.set_write_timeout(Some(left))?;
        self.socket.write(bytes)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.socket.flush()
    }
}

/// Plain TCP (`redis://`) or TLS over it (`rediss://`).
enum Stream {
    Plain(DeadlineSocket),
    Tls(Box<StreamOwned<ClientConnection, DeadlineSocket>>),
}

impl Stream {
    fn socket(&mut self) -> &mut DeadlineSocket {
        match self {
            Stream::Plain(socket) => socket,
            Stream::Tls(tls) => &mut tls.sock,
        }
    }
}

impl Read for Stream {
    fn read(&mut self, buffer: &mut [u8]) -> std::io::Result<usize> {
        match self {
            Stream::Plain(socket) => socket.read(buffer),
            Stream::Tls(tls) => tls.read(buffer),
        }
    }
}

impl Write for Stream {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        match self {
            Stream::Plain(socket) => socket.write(bytes),
            Stream::Tls(tls) => tls.write(bytes),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Stream::Plain(socket) => socket.flush(),
            Stream::Tls(tls) => tls.flush(),
        }
    }
}

/// One Redis connection, every step bounded by its deadline.
pub struct DeadlineConnection {
    reader: BufReader<Stream>,
    parser: redis::Parser,
    db: i64,
}

impl DeadlineConnection {
    /// Connects to `info`'s server (with `tls` for `rediss://`) and signs in (AUTH, SELECT),
    /// all before `deadline`.
    pub fn open(
        info: &ConnectionInfo,
        tls: Option<&Arc<ClientConfig>>,
        deadline: Instant,
    ) -> RedisResult<DeadlineConnection> {
        let (host, port, tls) = match (info.addr(), tls) {
            (ConnectionAddr::Tcp(host, port), _) => (host, *port, None),
            (
                ConnectionAddr::TcpTls {
                    host,
                    port,
                    insecure: false,
                    ..
                },
                Some(tls),
            ) => (host, *port, Some(tls)),
            _ => {
                return Err(RedisError::from((
                    ErrorKind::InvalidClientConfig,
                    "only redis:// and rediss:// (verified) addresses are supported",
                )))
            }
        };
        let socket = DeadlineSocket {
            socket: connect(host, port, deadline)?,
            deadline,
        };
        let stream = match tls {
            None => Stream::Plain(socket),
            Some(config) => {
                let name = ServerName::try_from(host.trim_start_matches('[').trim_end_matches(']'))
                    .map_err(|_| {
                        RedisError::from((ErrorKind::InvalidClientConfig, "not a TLS server name"))
                    })?
                    .to_owned();
                let session = ClientConnection::new(Arc::clone(config), name).map_err(|_| {
                    RedisError::from((ErrorKind::InvalidClientConfig, "TLS setup failed"))
                })?;
                Stream::Tls(Box::new(StreamOwned::new(session, socket)))
            }
        };
        let settings = info.redis_settings();
        let mut connection = DeadlineConnection {
            reader: BufReader::new(stream),
            parser: redis::Parser::new(),
            db: settings.db(),
        };
        if let Some(password) = settings.password() {
            let mut auth = redis::cmd("AUTH");
            if let Some(username) = settings.username() {
                auth.arg(username);
            }
            auth.arg(password).query::<()>(&mut connection)?;
        }
        if settings.db() != 0 {
            redis::cmd("SELECT")
                .arg(settings.db())
                .query::<()>(&mut connection)?;
        }
        Ok(connection)
    }

    /// Starts a step: it must be over by `deadline`.
    pub fn set_deadline(&mut self, deadline: Instant) {
        self.reader.get_mut().socket().deadline = deadline;
    }

    fn send(&mut self, bytes: &[u8]) -> RedisResult<()> {
        let stream = self.reader.get_mut();
        stream.write_all(bytes)?;
        stream.flush()?;
        Ok(())
    }

    /// The next answer that is not a RESP3 push.
    fn answer(&mut self) -> RedisResult<Value> {
        loop {
            match self.parser.parse_value(&mut self.reader)? {
                Value::Push { .. } => continue,
                value => return Ok(value),
            }
        }
    }
}

/// A TCP connection to the first of `host`'s addresses that takes one before `deadline`.
fn connect(host: &str, port: u16, deadline: Instant) -> RedisResult<TcpStream> {
    let mut last = timed_out();
    for address in resolve(host, port, deadline)? {
        let Some(left) = deadline.checked_duration_since(Instant::now()) else {
            break;
        };
        match TcpStream::connect_timeout(&address, left) {
            Ok(socket) => {
                let _ = socket.set_nodelay(true);
                return Ok(socket);
            }
            Err(error) => last = RedisError::from(error),
        }
    }
    Err(last)
}

/// The addresses of `host`, looked up on a thread of its own so that a resolver that hangs
/// costs this step no more than its deadline (the lookup itself finishes when it does).
fn resolve(host: &str, port: u16, deadline: Instant) -> RedisResult<Vec<SocketAddr>> {
    if let Ok(ip) = host.trim_start_matches('[').trim_end_matches(']').parse() {
        return Ok(vec![SocketAddr::new(ip, port)]);
    }
    let (sender, receiver) = std::sync::mpsc::channel();
    let name = host.to_string();
    std::thread::Builder::new()
        .name("dinero-resolve".into())
        .spawn(move || {
            let _ = sender.send((name.as_str(), port).to_socket_addrs().map(Vec::from_iter));
        })?;
    let left = deadline.saturating_duration_since(Instant::now());
    match receiver.recv_timeout(left) {
        Ok(found) => Ok(found?),
        Err(_) => Err(timed_out()),
    }
}

fn timed_out() -> RedisError {
    RedisError::from(std::io::Error::new(
        std::io::ErrorKind::TimedOut,
        "step deadline passed",
    ))
}

impl ConnectionLike for DeadlineConnection {
    fn req_packed_command(&mut self, command: &[u8]) -> RedisResult<Value> {
        self.send(command)?;
        self.answer()
    }

    /// The answers to a pipeline: `offset` of them skipped (MULTI and its QUEUED), `count`
    /// kept. A command the server refused inside a transaction fails the whole transaction,
    /// as redis-rs's own connection has it.
    fn req_packed_commands(
        &mut self,
        commands: &[u8],
        offset: usize,
        count: usize,
    ) -> RedisResult<Vec<Value>> {
        self.send(commands)?;
        let mut kept = Vec::with_capacity(count);
        let mut refused_in_transaction = false;
        for index in 0..offset + count {
            let value = self.answer()?;
            if index < offset {
                refused_in_transaction |= matches!(value, Value::ServerError(_));
            } else {
                kept.push(value);
            }
        }
        if refused_in_transaction {
            return Err(RedisError::from((
                ErrorKind::Server(redis::ServerErrorKind::ExecAbort),
                "the server refused a command of the transaction",
            )));
        }
        Ok(kept)
    }

    fn get_db(&self) -> i64 {
        self.db
    }

    fn check_connection(&mut self) -> bool {
        redis::cmd("PING").query::<String>(self).is_ok()
    }

    fn is_open(&self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpListener;

    /// A server that answers every command the way a broken proxy might: a byte at a time,
    /// each byte well within any per-read timeout.
    fn dripping_server() -> (u16, std::thread::JoinHandle<()>) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let server = std::thread::spawn(move || {
            let (mut peer, _) = listener.accept().unwrap();
            let mut command = [0u8; 256];
            let _ = peer.read(&mut command);
            for byte in b"+PONG\r\n".iter().cycle().take(200) {
                if peer.write_all(&[*byte]).is_err() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        });
        (port, server)
    }

    /// A 30 ms step against a server that drips its answer over 140 ms ends with an error,
    /// long before the server would have finished dripping.
    fn the_next_step_is_cut_off_at_its_deadline(
        connection: &mut DeadlineConnection,
        started: Instant,
    ) {
        connection.set_deadline(Instant::now() + Duration::from_millis(30));
        let outcome = redis::cmd("GET")
            .arg("k")
            .query::<Option<String>>(connection);
        let error = outcome.expect_err("the step ends with an error, not an answer");
        assert!(error.is_timeout() || error.is_io_error(), "{error:?}");
        // A hang catcher, not a timing assertion: the server would drip on for 4 s.
        assert!(
            started.elapsed() < Duration::from_secs(3),
            "{:?}",
            started.elapsed()
        );
    }

    #[test]
    fn a_server_that_drips_its_answer_ends_the_step_at_its_deadline() {
        let (port, server) = dripping_server();
        let info: ConnectionInfo = format!("redis://127.0.0.1:{port}/").parse().unwrap();
        let started = Instant::now();
        let mut connection =
            DeadlineConnection::open(&info, None, started + Duration::from_secs(10)).unwrap();
        // The answer comes a byte every 20 ms: its 7 bytes take 140 ms, past the 30 ms step.
        the_next_step_is_cut_off_at_its_deadline(&mut connection, started);
        drop(connection);
        let _ = server.join();
    }

    /// A TLS server for 127.0.0.1 that answers the first command at once and drips every
    /// later answer a byte per TLS record; returns its port and its certificate as a PEM file.
    fn dripping_tls_server(folder: &std::path::Path) -> (u16, std::path::PathBuf) {
        let issued = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_string()]).unwrap();
        let ca_file = folder.join("ca.pem");
        std::fs::write(&ca_file, issued.cert.pem()).unwrap();
        let key =
            rustls::pki_types::PrivateKeyDer::Pkcs8(issued.signing_key.serialize_der().into());
        let config = rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![issued.cert.der().clone()], key)
        .unwrap();
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        std::thread::spawn(move || {
            let (peer, _) = listener.accept().unwrap();
            let session = rustls::ServerConnection::new(Arc::new(config)).unwrap();
            let mut tls = StreamOwned::new(session, peer);
            let mut command = [0u8; 256];
            if tls.read(&mut command).is_err() || tls.write_all(b"+PONG\r\n").is_err() {
                return;
            }
            let _ = tls.flush();
            let _ = tls.read(&mut command);
            for byte in b"+PONG\r\n".iter().cycle().take(200) {
                if tls.write_all(&[*byte]).and_then(|()| tls.flush()).is_err() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        });
        (port, ca_file)
    }

    #[test]
    fn a_tls_server_that_drips_its_answer_ends_the_step_at_its_deadline() {
        let folder = tempfile::tempdir().unwrap();
        let (port, ca_file) = dripping_tls_server(folder.path());
        let tls = crate::shared_state::redis_tls::client_config(Some(&ca_file)).unwrap();
        let info: ConnectionInfo = format!("rediss://127.0.0.1:{port}/").parse().unwrap();
        let started = Instant::now();
        let mut connection =
            DeadlineConnection::open(&info, Some(&tls), started + Duration::from_secs(10)).unwrap();
        // The handshake and the first answer arrive whole: the TLS itself works.
        connection.set_deadline(Instant::now() + Duration::from_secs(10));
        assert_eq!(
            redis::cmd("PING").query::<String>(&mut connection).unwrap(),
            "PONG"
        );
        // The next answer's 7 bytes come in 7 records 20 ms apart, past the 30 ms step.
        the_next_step_is_cut_off_at_its_deadline(&mut connection, started);
    }

    #[test]
    fn a_tls_server_signed_by_another_authority_is_refused() {
        let folder = tempfile::tempdir().unwrap();
        let (port, _) = dripping_tls_server(folder.path());
        // The system's authorities: none of them signed the server's throwaway certificate.
        let tls = crate::shared_state::redis_tls::client_config(None).unwrap();
        let info: ConnectionInfo = format!("rediss://127.0.0.1:{port}/").parse().unwrap();
        let deadline = Instant::now() + Duration::from_secs(10);
        let mut connection = DeadlineConnection::open(&info, Some(&tls), deadline).unwrap();
        let error = redis::cmd("PING")
            .query::<String>(&mut connection)
            .expect_err("an unknown issuer fails the handshake");
        assert!(error.is_io_error(), "{error:?}");
    }

    #[test]
    fn a_ca_file_without_a_certificate_is_a_configuration_error() {
        let folder = tempfile::tempdir().unwrap();
        let empty = folder.path().join("empty.pem");
        std::fs::write(&empty, "not a certificate\n").unwrap();
        let error = crate::shared_state::redis_tls::client_config(Some(&empty)).unwrap_err();
        assert!(
            error.message().contains("holds no readable certificate"),
            "{}",
            error.message()
        );
    }
}
