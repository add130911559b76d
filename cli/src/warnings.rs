//! The library's warnings on stderr: a retry, a wait for the shared rate limit, a shared state
//! it cannot use and works without. Without them a misconfigured DINERO_SHARED_STATE would go
//! unnoticed while every command fetched its own token. Error lines are not printed here: the
//! library logs one for a call that fails, and the failure comes back from the call as the
//! command's own; info and debug lines are not for a terminal.

use dinero::{LogLevel, Logger};

pub fn on_stderr() -> Logger {
    Logger::new(|level, message| {
        if level == LogLevel::Warn {
            note!("dinero: warning: {message}");
        }
    })
}
