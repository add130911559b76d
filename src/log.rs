//! Optional observability: a callback that receives one line per request attempt and per
//! token event. Lines are built only from our own words, methods, paths without their query,
//! statuses and timings, so a secret cannot reach them.

use crate::callback::Callback;
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

/// The severity names of syslog (RFC 5424), which PSR-3 and most loggers use, and the level
/// each one means here (the three most severe are all errors; a notice is worth an info line),
/// then "warn", the spelling of console-style loggers (JavaScript's, Go's), and "off" and
/// "none": no log lines at all. One table, so that every binding reads the same words.
const NAMES: [(&str, Option<Level>); 11] = [
    ("emergency", Some(Level::Error)),
    ("alert", Some(Level::Error)),
    ("critical", Some(Level::Error)),
    ("error", Some(Level::Error)),
    ("warning", Some(Level::Warn)),
    ("notice", Some(Level::Info)),
    ("info", Some(Level::Info)),
    ("debug", Some(Level::Debug)),
    ("warn", Some(Level::Warn)),
    ("off", None),
    ("none", None),
];

impl Level {
    /// The most detailed level a name lets through, in any case: "error", "WARNING", "notice",
    /// "warn", ...; None for "off" or "none" (nothing is logged). Spaces around it are ignored.
    pub fn from_name(name: &str) -> crate::error::Result<Option<Level>> {
        NAMES
            .iter()
            .find(|(known, _)| known.eq_ignore_ascii_case(name.trim()))
            .map(|&(_, level)| level)
            .ok_or_else(|| {
                let known: Vec<&str> = NAMES.iter().map(|(n, _)| *n).collect();
                crate::error::Error::invalid(format!(
                    "the log level must be one of {}, got {:?}",
                    known.join(", "),
                    crate::config::printable(name)
                ))
            })
    }

    /// The level's severity name: "error", "warning", "info" or "debug".
    pub fn name(self) -> &'static str {
        match self {
            Level::Error => "error",
            Level::Warn => "warning",
            Level::Info => "info",
            Level::Debug => "debug",
        }
    }
}

type Sink = dyn Fn(Level, &str) + Send + Sync;

/// Where log lines go. Cloning shares the same sink.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Logger(Callback<Sink>);

impl Logger {
    pub fn new(sink: impl Fn(Level, &str) + Send + Sync + 'static) -> Self {
        Logger(Callback::new(Arc::new(sink)))
    }

    pub fn emit(&self, level: Level, message: &str) {
        (self.0)(level, message)
    }
}

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
    fn severity_names_both_ways() {
        assert_eq!(Level::from_name("ERROR").unwrap(), Some(Level::Error));
        assert_eq!(Level::from_name("critical").unwrap(), Some(Level::Error));
        assert_eq!(Level::from_name("Warning").unwrap(), Some(Level::Warn));
        assert_eq!(Level::from_name("warn").unwrap(), Some(Level::Warn));
        assert_eq!(Level::from_name("notice").unwrap(), Some(Level::Info));
        assert_eq!(Level::from_name("debug").unwrap(), Some(Level::Debug));
        assert_eq!(Level::from_name(" OFF ").unwrap(), None);
        assert_eq!(Level::from_name("none").unwrap(), None);
        let err = Level::from_name("verbose").unwrap_err().to_string();
        assert!(
            err.contains("emergency, alert") && err.contains("verbose"),
            "{err}"
        );
        for level in [Level::Error, Level::Warn, Level::Info, Level::Debug] {
            assert_eq!(Level::from_name(level.name()).unwrap(), Some(level));
        }
    }

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
