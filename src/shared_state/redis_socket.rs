//! A plain-TCP connection to Redis in which every step has one deadline, however the server
//! answers.
//!
//! redis-rs bounds each read of a socket, not a command: a server (or a proxy in front of it)
//! that sends its answer a byte at a time, each byte within the read timeout, kept a step going
//! for as long as it liked, and the host process with it. Here each step is given a deadline
//! (`shared_state_timeout_ms` from its start) that every read, write, the host name's lookup and
//! the connect count against; redis-rs still builds the commands and parses the answers, through
//! its `ConnectionLike` trait. `rediss://` stays on redis-rs's own connection (its TLS), with
//! its per-read bound.

use redis::{
    ConnectionAddr, ConnectionInfo, ConnectionLike, ErrorKind, RedisError, RedisResult, Value,
};
use std::io::{BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::time::{Duration, Instant};

/// The socket, read and written only until the current step's deadline.
struct DeadlineStream {
    socket: TcpStream,
    deadline: Instant,
}

impl DeadlineStream {
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

impl Read for DeadlineStream {
    fn read(&mut self, buffer: &mut [u8]) -> std::io::Result<usize> {
        let left = self.left()?;
        self.socket.set_read_timeout(Some(left))?;
        self.socket.read(buffer)
    }
}

/// One Redis connection over plain TCP, every step bounded by its deadline.
pub struct DeadlineConnection {
    reader: BufReader<DeadlineStream>,
    parser: redis::Parser,
    db: i64,
}

impl DeadlineConnection {
    /// Connects to `info`'s server and signs in (AUTH, SELECT), all before `deadline`. None when
    /// `info` is not a plain TCP address (TLS, a Unix socket): redis-rs connects to those.
    pub fn open(
        info: &ConnectionInfo,
        deadline: Instant,
    ) -> Option<RedisResult<DeadlineConnection>> {
        let ConnectionAddr::Tcp(host, port) = info.addr() else {
            return None;
        };
        Some(Self::connect(host, *port, info, deadline))
    }

    fn connect(
        host: &str,
        port: u16,
        info: &ConnectionInfo,
        deadline: Instant,
    ) -> RedisResult<Self> {
        let mut last = timed_out();
        let mut connected = None;
        for address in resolve(host, port, deadline)? {
            let Some(left) = deadline.checked_duration_since(Instant::now()) else {
                break;
            };
            match TcpStream::connect_timeout(&address, left) {
                Ok(socket) => {
                    connected = Some(socket);
                    break;
                }
                Err(error) => last = RedisError::from(error),
            }
        }
        let socket = connected.ok_or(last)?;
        let _ = socket.set_nodelay(true);
        let settings = info.redis_settings();
        let mut connection = DeadlineConnection {
            reader: BufReader::new(DeadlineStream { socket, deadline }),
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
        self.reader.get_mut().deadline = deadline;
    }

    fn send(&mut self, bytes: &[u8]) -> RedisResult<()> {
        let stream = self.reader.get_mut();
        let left = stream.left()?;
        stream.socket.set_write_timeout(Some(left))?;
        stream.socket.write_all(bytes)?;
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

    #[test]
    fn a_server_that_drips_its_answer_ends_the_step_at_its_deadline() {
        let (port, server) = dripping_server();
        let info: ConnectionInfo = format!("redis://127.0.0.1:{port}/").parse().unwrap();
        let started = Instant::now();
        let mut connection = DeadlineConnection::open(&info, started + Duration::from_secs(10))
            .expect("plain TCP")
            .unwrap();
        connection.set_deadline(Instant::now() + Duration::from_millis(30));
        // The answer comes a byte every 20 ms: its 7 bytes take 140 ms, past the 30 ms step.
        let outcome = redis::cmd("GET")
            .arg("k")
            .query::<Option<String>>(&mut connection);
        let error = outcome.expect_err("the step ends with an error, not an answer");
        assert!(error.is_timeout() || error.is_io_error(), "{error:?}");
        // A hang catcher, not a timing assertion: the server would drip on for 4 s.
        assert!(
            started.elapsed() < Duration::from_secs(3),
            "{:?}",
            started.elapsed()
        );
        drop(connection);
        let _ = server.join();
    }

    #[test]
    fn tls_and_unix_addresses_are_left_to_redis_rs() {
        let info: ConnectionInfo = "rediss://127.0.0.1:6380/".parse().unwrap();
        assert!(DeadlineConnection::open(&info, Instant::now()).is_none());
    }
}
