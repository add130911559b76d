//! The error type of the Rust API. Every kind maps to exactly one C status number
//! (`ffi::status`), so a C caller and a Rust caller see the same classification.

use std::fmt;

/// What went wrong, in the categories a caller acts on differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// A required pointer was NULL (C callers only).
    NullArgument,
    /// A string argument was not valid UTF-8 (C callers only).
    InvalidUtf8,
    /// The caller passed something unusable: a bad method, CR/LF in a path, an unknown option,
    /// a value out of range, plain http to a non-loopback host. Nothing was sent.
    InvalidArgument,
    /// The token endpoint refused the credentials (bad client id/secret or API key).
    AuthRejected,
    /// The token endpoint failed or gave an HTTP answer that is not a token.
    AuthUnavailable,
    /// The connection failed, was refused, reset or closed early.
    Network,
    /// A connect or request timeout expired.
    Timeout,
    /// The TLS handshake failed (e.g. an untrusted certificate).
    Tls,
    /// The server's answer was not valid HTTP or was cut short, or not the JSON expected.
    Protocol,
    /// A Rust panic was caught at the C boundary (a bug in libdinero).
    Panic,
    /// The response body exceeded `max_response_bytes`.
    ResponseTooLarge,
    /// A local file could not be read or written (uploads, saving a response).
    Io,
    /// Visma Connect refused the refresh token (revoked, expired or used up): the user must
    /// sign in again. Never retried.
    LoginRequired,
    /// The caller's interrupt check (`Config::interrupt`) asked to give up a wait: for a slot
    /// in the rate window, a retry's pause or a token being fetched. Nothing more was sent.
    Interrupted,
}

/// An error with its kind and a message that explains it. Messages never contain the client
/// secret, the API key or a token: they are built from our own words plus server text that has
/// been scrubbed of those values in every encoding, then made printable and cut short
/// (see `server_text` and `api_error::quote`).
#[derive(Clone, PartialEq, Eq)]
pub struct Error {
    kind: ErrorKind,
    message: String,
}

impl Error {
    /// A message is one printable line: any control character (from a server's text that
    /// reached it) becomes a space, so it cannot forge a log line or drive a terminal.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error {
            kind,
            message: crate::server_text::one_line(message.into()),
        }
    }

    pub fn invalid(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::InvalidArgument, message)
    }

    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    pub fn message(&self) -> &str {
        &self.message
    }

    /// The same error with context put in front of its message ("token endpoint: ...").
    pub fn context(self, prefix: &str) -> Self {
        Error {
            kind: self.kind,
            message: format!("{prefix}: {}", self.message),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Error({:?}: {})", self.kind, self.message)
    }
}

impl std::error::Error for Error {}

pub type Result<T> = std::result::Result<T, Error>;
