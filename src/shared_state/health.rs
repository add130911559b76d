//! A store that may be out of reach. Trouble never stops a request: the caller gets `None` and
//! carries on with the per-process token and window. One warning is logged when the store
//! fails and one line when it answers again, not one per request; while it is down, one
//! caller a second tries it again, so a dead server does not cost every request a timeout.

use super::{Store, StoreResult};
use crate::log::{log, Level, Logger};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

const RETRY_EVERY: Duration = Duration::from_secs(1);

pub struct SharedState {
    store: Box<dyn Store>,
    down: Mutex<Option<Down>>,
    logger: Option<Logger>,
}

struct Down {
    /// Until then, nobody tries the store; the caller that finds it passed tries once.
    next_try: Instant,
}

impl SharedState {
    pub fn new(store: Box<dyn Store>, logger: Option<Logger>) -> Self {
        SharedState {
            store,
            down: Mutex::new(None),
            logger,
        }
    }

    /// Runs `step` on the store, or answers None at once while the store is known to be down.
    pub fn with<T>(&self, step: impl FnOnce(&dyn Store) -> StoreResult<T>) -> Option<T> {
        let was_down = {
            let mut down = self.down.lock().unwrap_or_else(PoisonError::into_inner);
            match down.as_mut() {
                Some(d) if Instant::now() < d.next_try => return None,
                // This caller probes; the others keep going without the store meanwhile.
                Some(d) => {
                    d.next_try = Instant::now() + RETRY_EVERY;
                    true
                }
                None => false,
            }
        };
        match step(self.store.as_ref()) {
            Ok(value) => {
                if was_down {
                    *self.down.lock().unwrap_or_else(PoisonError::into_inner) = None;
                    log(self.logger.as_ref(), Level::Info, || {
                        format!(
                            "shared_state ({}) answers again: back to the shared token and rate window",
                            self.store.kind()
                        )
                    });
                }
                Some(value)
            }
            Err(error) => {
                let mut down = self.down.lock().unwrap_or_else(PoisonError::into_inner);
                let first = down.is_none();
                *down = Some(Down {
                    next_try: Instant::now() + RETRY_EVERY,
                });
                drop(down);
                if first {
                    log(self.logger.as_ref(), Level::Warn, || {
                        format!(
                            "{}; until it answers again, this process uses its own token and rate window",
                            error.0
                        )
                    });
                }
                None
            }
        }
    }
}
