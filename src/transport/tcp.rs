//! Plain TCP for ureq, with fewer system calls per request than ureq's own `TcpConnector`.
//!
//! Why our own: on a kept-alive connection ureq's transport made 11 system calls per request
//! (measured with strace on the benchmark's GET): a liveness probe when the connection went back
//! to the pool and another when it was taken out (each: switch to non-blocking, read one byte,
//! switch back), and SO_SNDTIMEO / SO_RCVTIMEO set again before every request (the time left
//! changes each time). System calls are what a loopback request costs most in a virtual
//! machine, and they were most of our distance to a bare socket. Here the socket stays
//! non-blocking for its whole life:
//!
//! - a pooled connection is checked with one `peek` ("would block" = open and quiet; a byte, an
//!   EOF or an error = not reusable);
//! - a write or read that would block waits in `poll()` for at most the time left, so no
//!   socket timeout is ever set.
//!
//! A request on a kept-alive connection now makes 5: two peeks, one send, one poll, one read.
//! TLS (rustls) and CONNECT proxies chain over this transport exactly as over ureq's.

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::os::fd::AsRawFd;
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};
use ureq::unversioned::transport::{
    Buffers, ConnectionDetails, Connector, Either, LazyBuffers, NextTimeout, ShutdownHandle,
    Transport,
};
use ureq::Timeout;

/// Opens plain TCP connections for the connector chain (after a proxy, before TLS).
#[derive(Debug, Default)]
pub struct LeanTcpConnector;

impl<In: Transport> Connector<In> for LeanTcpConnector {
    type Out = Either<In, LeanTcpTransport>;

    fn connect(
        &self,
        details: &ConnectionDetails,
        chained: Option<In>,
    ) -> Result<Option<Self::Out>, ureq::Error> {
        if let Some(earlier) = chained {
            // A connector before this one (a CONNECT proxy) already made the connection.
            return Ok(Some(Either::A(earlier)));
        }
        let stream = connect(details)?;
        if details.config.no_delay() {
            stream.set_nodelay(true)?;
        }
        stream.set_nonblocking(true)?;
        let stream = Arc::new(stream);
        // Lets Agent::shutdown interrupt a wait on this socket from another thread.
        (details.register_shutdown)(Arc::downgrade(&stream) as Weak<dyn ShutdownHandle>)?;
        let buffers = LazyBuffers::new(
            details.config.input_buffer_size(),
            details.config.output_buffer_size(),
        );
        Ok(Some(Either::B(LeanTcpTransport { stream, buffers })))
    }
}

/// Tries the resolved addresses in order. Each gets an equal share of the time left (the last
/// one all of it), so that one silent address cannot use up the time of the others. A timeout
/// here is always `Timeout::Connect`, whichever limit was nearer: nothing was sent, which is
/// what lets the retry rules send even a POST again.
fn connect(details: &ConnectionDetails) -> Result<TcpStream, ureq::Error> {
    let deadline =
        Deadline::of(details.timeout).map_err(|_| ureq::Error::Timeout(Timeout::Connect))?;
    let count = details.addrs.len();
    let mut last_error = None;
    for (index, address) in details.addrs.iter().enumerate() {
        let attempt = match deadline.left(Timeout::Connect)? {
            // At least a millisecond: connect_timeout refuses a zero duration.
            Some(left) => TcpStream::connect_timeout(
                address,
                (left / (count - index) as u32).max(Duration::from_millis(1)),
            ),
            None => TcpStream::connect(address),
        };
        match attempt {
            Ok(stream) => return Ok(stream),
            Err(e) => last_error = Some(e),
        }
    }
    match last_error {
        Some(e) if e.kind() == io::ErrorKind::TimedOut => {
            Err(ureq::Error::Timeout(Timeout::Connect))
        }
        Some(e) => Err(e.into()),
        None => Err(ureq::Error::ConnectionFailed),
    }
}

/// One open connection: the non-blocking socket and ureq's buffers for it.
pub struct LeanTcpTransport {
    stream: Arc<TcpStream>,
    buffers: LazyBuffers,
}

impl std::fmt::Debug for LeanTcpTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LeanTcpTransport")
            .field("peer", &self.stream.peer_addr().ok())
            .finish()
    }
}

impl Transport for LeanTcpTransport {
    fn buffers(&mut self) -> &mut dyn Buffers {
        &mut self.buffers
    }

    fn transmit_output(&mut self, amount: usize, timeout: NextTimeout) -> Result<(), ureq::Error> {
        let timeout = timeout.for_write();
        let deadline = Deadline::of(timeout)?;
        let mut sent = 0;
        while sent < amount {
            match (&*self.stream).write(&self.buffers.output()[sent..amount]) {
                Ok(0) => return Err(io::Error::from(io::ErrorKind::WriteZero).into()),
                Ok(n) => sent += n,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    wait(&self.stream, libc::POLLOUT, &deadline, timeout.reason)?
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e.into()),
            }
        }
        Ok(())
    }

    fn await_input(&mut self, timeout: NextTimeout) -> Result<bool, ureq::Error> {
        let timeout = timeout.for_read();
        let deadline = Deadline::of(timeout)?;
        loop {
            // Wait first: an answer is rarely there already when ureq asks for it, and a read
            // that would block costs a system call for nothing.
            wait(&self.stream, libc::POLLIN, &deadline, timeout.reason)?;
            match (&*self.stream).read(self.buffers.input_append_buf()) {
                Ok(n) => {
                    self.buffers.input_appended(n);
                    return Ok(n > 0);
                }
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::WouldBlock | io::ErrorKind::Interrupted
                    ) => {}
                Err(e) => return Err(e.into()),
            }
        }
    }

    fn is_open(&mut self) -> bool {
        // Nothing to read yet is the only state in which the connection can be reused: a byte
        // would be garbage after the last answer, an EOF or an error a closed connection.
        let mut byte = [0u8; 1];
        matches!(self.stream.peek(&mut byte), Err(e) if e.kind() == io::ErrorKind::WouldBlock)
    }
}

/// When an operation's time runs out (None: never).
struct Deadline(Option<Instant>);

impl Deadline {
    /// Err(Timeout) when the time is already used up, as ureq's own transport does.
    fn of(timeout: NextTimeout) -> Result<Deadline, ureq::Error> {
        if timeout.after.is_not_happening() {
            return Ok(Deadline(None));
        }
        if timeout.after.is_zero() {
            return Err(ureq::Error::Timeout(timeout.reason));
        }
        Ok(Deadline(Instant::now().checked_add(*timeout.after)))
    }

    /// The time left (None: no deadline); Err(Timeout(reason)) once it is used up.
    fn left(&self, reason: Timeout) -> Result<Option<Duration>, ureq::Error> {
        match self.0 {
            None => Ok(None),
            Some(at) => match at.checked_duration_since(Instant::now()) {
                Some(left) if !left.is_zero() => Ok(Some(left)),
                _ => Err(ureq::Error::Timeout(reason)),
            },
        }
    }
}

/// Waits until the socket is ready for `events` (or has an error or a hang-up, which the next
/// read or write reports), or until the deadline: Err(Timeout(reason)).
fn wait(
    stream: &TcpStream,
    events: libc::c_short,
    deadline: &Deadline,
    reason: Timeout,
) -> Result<(), ureq::Error> {
    loop {
        let wait_ms = match deadline.left(reason)? {
            None => -1,
            // Rounded up, so that a wait never ends just before the deadline.
            Some(left) => i32::try_from(left.as_micros().div_ceil(1000)).unwrap_or(i32::MAX),
        };
        let mut watched = libc::pollfd {
            fd: stream.as_raw_fd(),
            events,
            revents: 0,
        };
        // SAFETY: poll() reads and writes exactly the one pollfd it is given, which lives on
        // this stack frame for the whole call; the descriptor belongs to `stream`, which is
        // borrowed (so open) until poll() returns.
        let ready = unsafe { libc::poll(&mut watched, 1, wait_ms) };
        match ready {
            0 => return Err(ureq::Error::Timeout(reason)),
            n if n > 0 => return Ok(()),
            _ => {
                let e = io::Error::last_os_error();
                if e.kind() != io::ErrorKind::Interrupted {
                    return Err(e.into());
                }
            }
        }
    }
}
