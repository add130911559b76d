//! Accept loop and per-connection loop.
//!
//! One thread accepts, one thread serves each connection (keep-alive by default, as HTTP/1.1
//! wants). Shutdown stops the accept loop by connecting to it, then shuts down every open
//! connection so its thread wakes from its blocking read and ends.

use rustls::{ServerConfig, ServerConnection, StreamOwned};
use std::collections::HashMap;
use std::io::{self, Read, Write};
use std::net::{Ipv4Addr, Ipv6Addr, Shutdown, SocketAddr, TcpListener, TcpStream};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use super::request::{ReadError, RequestReader};
use super::response::{Reply, Response};
use super::Request;

/// A client that stops reading our response for this long is given up on.
const WRITE_TIMEOUT: Duration = Duration::from_secs(60);

/// The application behind the server.
pub trait Handler: Send + Sync + 'static {
    /// A TCP connection was accepted.
    fn connection_opened(&self);
    /// A connection ended (either side closed it), and its socket is closed.
    fn connection_closed(&self);
    /// Decides what to do with one request; `connection` numbers connections from 1.
    fn handle(&self, request: &Request, connection: u64) -> Reply;
    /// A kept-alive connection idle this long between requests is closed by the server, as
    /// real servers do (and a client must then not send on it).
    fn idle_timeout(&self) -> Duration;
}

struct Shared {
    stopping: AtomicBool,
    next_connection: AtomicU64,
    /// Clones of the open connections' sockets, so shutdown can wake their threads.
    open: Mutex<HashMap<u64, TcpStream>>,
}

impl Shared {
    fn open(&self) -> MutexGuard<'_, HashMap<u64, TcpStream>> {
        // A poisoned lock only means another connection thread panicked; the map is still valid.
        self.open.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A running server; stops on [`Server::shutdown`] or drop.
pub struct Server {
    addr: SocketAddr,
    shared: Arc<Shared>,
    accept_thread: Option<JoinHandle<()>>,
}

impl Server {
    /// Serves `listener` (bound by the caller, so it knows the real address before the handler
    /// is built).
    /// With `tls`, every connection speaks HTTPS.
    pub fn start<H: Handler>(
        listener: TcpListener,
        handler: Arc<H>,
        tls: Option<Arc<ServerConfig>>,
    ) -> io::Result<Server> {
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            stopping: AtomicBool::new(false),
            next_connection: AtomicU64::new(1),
            open: Mutex::new(HashMap::new()),
        });
        let accept_shared = Arc::clone(&shared);
        let accept_thread = thread::Builder::new()
            .name("sandbox-accept".into())
            .spawn(move || accept_loop(listener, handler, accept_shared, tls))?;
        Ok(Server {
            addr,
            shared,
            accept_thread: Some(accept_thread),
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops accepting and closes open connections. Idempotent.
    pub fn shutdown(&mut self) {
        let Some(accept_thread) = self.accept_thread.take() else {
            return;
        };
        self.shared.stopping.store(true, Ordering::SeqCst);
        // Wake the blocking accept() with a connection of our own; it sees `stopping` and ends.
        let wake_addr = match self.addr {
            SocketAddr::V4(a) if a.ip().is_unspecified() => {
                SocketAddr::from((Ipv4Addr::LOCALHOST, a.port()))
            }
            SocketAddr::V6(a) if a.ip().is_unspecified() => {
                SocketAddr::from((Ipv6Addr::LOCALHOST, a.port()))
            }
            a => a,
        };
        if TcpStream::connect_timeout(&wake_addr, Duration::from_secs(1)).is_ok() {
            let _ = accept_thread.join();
        }
        for stream in self.shared.open().values() {
            let _ = stream.shutdown(Shutdown::Both);
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.shutdown();
    }
}

fn accept_loop<H: Handler>(
    listener: TcpListener,
    handler: Arc<H>,
    shared: Arc<Shared>,
    tls: Option<Arc<ServerConfig>>,
) {
    for incoming in listener.incoming() {
        if shared.stopping.load(Ordering::SeqCst) {
            return;
        }
        match incoming {
            Ok(stream) => {
                let id = shared.next_connection.fetch_add(1, Ordering::Relaxed);
                let handler = Arc::clone(&handler);
                let shared = Arc::clone(&shared);
                let tls = tls.clone();
                // If no thread can be had, the stream is dropped (closed): the client sees a
                // closed connection, the server goes on.
                let _ = thread::Builder::new()
                    .name(format!("sandbox-conn-{id}"))
                    .spawn(move || serve_connection(stream, id, &*handler, &shared, tls));
            }
            // Typically out of file descriptors: back off briefly instead of spinning.
            Err(_) => thread::sleep(Duration::from_millis(5)),
        }
    }
}

fn serve_connection<H: Handler>(
    stream: TcpStream,
    id: u64,
    handler: &H,
    shared: &Shared,
    tls: Option<Arc<ServerConfig>>,
) {
    let _ = stream.set_nodelay(true);
    let _ = stream.set_read_timeout(Some(handler.idle_timeout()));
    let _ = stream.set_write_timeout(Some(WRITE_TIMEOUT));
    if let Ok(clone) = stream.try_clone() {
        shared.open().insert(id, clone);
    }
    handler.connection_opened();
    let (stream, ending) = match tls {
        None => {
            let mut plain = stream;
            let ending = converse(&mut plain, id, handler, shared);
            (plain, ending)
        }
        Some(config) => match ServerConnection::new(config) {
            Ok(connection) => {
                let mut secure = StreamOwned::new(connection, stream);
                let ending = converse(&mut secure, id, handler, shared);
                if ending != Ending::Reset {
                    secure.conn.send_close_notify();
                    let _ = secure.flush();
                }
                (secure.sock, ending)
            }
            Err(_) => (stream, Ending::Close),
        },
    };
    match ending {
        Ending::Close => {}
        Ending::DrainThenClose => drain_before_close(&stream),
        // SO_LINGER with a zero timeout makes close() send RST instead of FIN.
        Ending::Reset => {
            let _ = socket2::SockRef::from(&stream).set_linger(Some(Duration::ZERO));
        }
    }
    // Drop the registered clone first: the socket closes only when its last handle does.
    shared.open().remove(&id);
    drop(stream);
    handler.connection_closed();
}

/// How a conversation ended, for what must happen to the socket afterwards.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ending {
    Close,
    /// We refused a body the client is still sending: read it away before closing.
    DrainThenClose,
    /// The `reset` fault: close with RST.
    Reset,
}

/// Reads requests and writes answers on one connection, plain or TLS, until it should end.
fn converse<H: Handler, S: Read + Write>(
    stream: &mut S,
    id: u64,
    handler: &H,
    shared: &Shared,
) -> Ending {
    let mut reader = RequestReader::new();
    loop {
        if shared.stopping.load(Ordering::SeqCst) {
            return Ending::Close;
        }
        let request = match reader.read_request(stream) {
            Ok(request) => request,
            Err(ReadError::Closed) => return Ending::Close,
            Err(ReadError::Malformed(why)) => {
                let _ = error_response(400, why).write_to(stream, true, u64::MAX);
                return Ending::Close;
            }
            Err(ReadError::HeadTooLarge) => {
                let response = error_response(431, "request head too large");
                let _ = response.write_to(stream, true, u64::MAX);
                return Ending::Close;
            }
            Err(ReadError::BodyTooLarge) => {
                let response = error_response(413, "request body too large");
                let _ = response.write_to(stream, true, u64::MAX);
                return Ending::DrainThenClose;
            }
        };
        let keep_alive = request.wants_keep_alive() && !shared.stopping.load(Ordering::SeqCst);
        let reply = catch_unwind(AssertUnwindSafe(|| handler.handle(&request, id)))
            .unwrap_or_else(|_| Reply::Respond(error_response(500, "sandbox handler panicked")));
        let keep_going = match reply {
            Reply::Respond(response) => {
                response.write_to(stream, !keep_alive, u64::MAX).is_ok() && keep_alive
            }
            Reply::Truncated(response) => {
                let _ = response.write_to(stream, false, response.body.len() / 2);
                false
            }
            Reply::Drip(response, interval) => {
                let mut drip = Drip {
                    inner: stream,
                    interval,
                };
                response.write_to(&mut drip, !keep_alive, u64::MAX).is_ok() && keep_alive
            }
            Reply::Close => false,
            Reply::Reset => return Ending::Reset,
            Reply::RawThenClose(bytes) => {
                let _ = stream.write_all(&bytes);
                let _ = stream.flush();
                false
            }
        };
        if !keep_going {
            return Ending::Close;
        }
    }
}

/// A plain-text error for requests that never reached the handler.
fn error_response(status: u16, why: &str) -> Response {
    Response::text(status, "text/plain; charset=utf-8", format!("{why}\n"))
}

/// After refusing an oversized body, read (and discard) what the client is still sending for a
/// moment: closing with unread data would send RST and the client could lose our 413.
fn drain_before_close(mut stream: &TcpStream) {
    let _ = stream.shutdown(Shutdown::Write);
    let _ = stream.set_read_timeout(Some(Duration::from_millis(200)));
    let deadline = Instant::now() + Duration::from_secs(2);
    let mut sink = [0u8; 16 * 1024];
    while Instant::now() < deadline {
        match stream.read(&mut sink) {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
    }
}

/// Writes one byte at a time with a pause after each (the `drip` fault); with TCP_NODELAY each
/// byte leaves as its own segment.
struct Drip<'a, W: Write> {
    inner: &'a mut W,
    interval: Duration,
}

impl<W: Write> Write for Drip<'_, W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let Some(first) = buf.first() else {
            return Ok(0);
        };
        self.inner.write_all(std::slice::from_ref(first))?;
        self.inner.flush()?;
        thread::sleep(self.interval);
        Ok(1)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}
