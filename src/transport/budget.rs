//! The rate budget a request waits for: the window shared through `shared_state` while its
//! store answers, else this process's own sliding window (`pacing`).
//!
//! Both count a request from the moment it is sent and move it to the moment its answer
//! arrived (the latest the server can have counted it), so neither a sliding nor a fixed server
//! window ever sees more than `limit` in one `window`.

use super::pacing::{self, SlidingWindow};
use crate::config::Config;
use crate::log::{log, Level, Logger};
use crate::shared_state::SharedState;
use std::sync::Arc;
use std::time::{Duration, Instant};

pub struct Budget {
    limit: u32,
    window: Duration,
    local: SlidingWindow,
    shared: Option<Arc<SharedState>>,
    logger: Option<Logger>,
}

/// A counted request; dropping it records that its answer arrived.
pub enum Permit<'a> {
    Local(#[allow(dead_code)] pacing::Permit<'a>),
    Shared {
        state: &'a SharedState,
        id: u64,
        window: Duration,
        /// The same request in this process's own window, which takes over if the store
        /// stops answering.
        #[allow(dead_code)]
        local: pacing::Permit<'a>,
    },
}

impl Budget {
    /// None when pacing is off (`rate_limit_per_minute` 0).
    pub fn new(config: &Config, shared: Option<Arc<SharedState>>) -> Option<Budget> {
        (config.rate_limit > 0).then(|| Budget {
            limit: config.rate_limit,
            window: config.rate_limit_window,
            local: SlidingWindow::new(
                config.rate_limit,
                config.rate_limit_window,
                config.connect_timeout + config.timeout,
            ),
            shared,
            logger: config.logger.clone(),
        })
    }

    /// Waits until a request may be sent. Shared slots go to waiters in the order they first
    /// asked (`shared_state/window.rs`), so a wait lasts as long as the queue in front of it.
    /// It is bounded all the same: after four windows the request is sent, and Dinero's answer
    /// (a 429 with its Retry-After) decides.
    pub fn acquire(&self) -> Permit<'_> {
        if let Some(state) = self.shared.as_deref() {
            let id = crate::unique::u64();
            let deadline = Instant::now() + self.window * 4;
            loop {
                match state.with(|store| store.take_slot(id, self.limit, self.window)) {
                    Some(None) => {
                        return Permit::Shared {
                            state,
                            id,
                            window: self.window,
                            local: self.local.record(),
                        }
                    }
                    Some(Some(wait)) if Instant::now() + wait < deadline => {
                        // Waiters in other processes may be due at the same instant; a little
                        // spread keeps them from asking the store all at once.
                        let spread = (self.window / self.limit).min(Duration::from_millis(5));
                        std::thread::sleep(wait + spread.mul_f64(fastrand::f64()));
                    }
                    Some(Some(_)) => {
                        log(self.logger.as_ref(), Level::Warn, || {
                            "no slot in the shared rate window after 4 windows; sending anyway"
                                .to_string()
                        });
                        break;
                    }
                    None => break,
                }
            }
        }
        let permit = self.local.acquire();
        if permit.overdrawn {
            log(self.logger.as_ref(), Level::Warn, || {
                "no slot in the rate window while every slot stayed in use; sending anyway"
                    .to_string()
            });
        }
        Permit::Local(permit)
    }
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        if let Permit::Shared {
            state, id, window, ..
        } = self
        {
            state.with(|store| store.finish_slot(*id, *window));
        }
    }
}
