//! Optional observability: a callback that receives one line per request attempt and per
//! token event. Lines are built only from our own words, methods, paths without their query,
//! statuses and timings, so a secret cannot reach them.

use std::fmt;
use std::sync::Arc;

/// How much a log line matters; numbers are the C values (DINERO_LOG_*).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
#[repr(u32)]
pub enum Level {
    Error = 1,
    Warn = 2,
    Info = 3,
    Debug = 4,
}

type Sink = dyn Fn(Level, &str) + Send + Sync;

/// Where log lines go. Cloning shares the same sink.
#[derive(Clone)]
pub struct Logger(Arc<Sink>);

impl Logger {
    pub fn new(sink: impl Fn(Level, &str) + Send + Sync + 'static) -> Self {
        Logger(Arc::new(sink))
    }

    pub fn emit(&self, level: Level, message: &str) {
        (self.0)(level, message)
    }
}

impl fmt::Debug for Logger {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Logger")
    }
}

impl PartialEq for Logger {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Eq for Logger {}

/// Logs through an optional logger, building the message only when there is one.
pub fn log(logger: Option<&Logger>, level: Level, message: impl FnOnce() -> String) {
    if let Some(logger) = logger {
        logger.emit(level, &crate::server_text::one_line(message()));
    }
}

/// The path of a URL without scheme, host or query (a query can carry filter values).
pub fn loggable_path(url: &str) -> &str {
    let after_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
    let path = after_scheme.find('/').map_or("/", |i| &after_scheme[i..]);
    path.split('?').next().unwrap_or(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_lose_host_and_query() {
        assert_eq!(
            loggable_path("https://api.dinero.dk/v1/1/contacts?queryFilter=x"),
            "/v1/1/contacts"
        );
        assert_eq!(loggable_path("http://127.0.0.1:80"), "/");
        assert_eq!(loggable_path("http://[::1]:8/a/b"), "/a/b");
    }
}
