//! A store that may be out of reach. Trouble never stops a request: the caller gets `None` and
//! carries on with the per-process token and window. One warning is logged when the store
//! fails and one line when it answers again, not one per request; while it is down, one
//! caller a second tries it again, so a dead server does not cost every request a timeout.
//!
//! One write is not dropped: a Visma Connect refresh token the store could not take. The
//! token it replaced may be spent already, so every other process depends on this one; it is
//! kept and written before anything else as soon as the store answers again.

use super::{Store, StoreResult};
use crate::log::{log, Level, Logger};
use crate::secret::Secret;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

const RETRY_EVERY: Duration = Duration::from_secs(1);

pub struct SharedState {
    store: Box<dyn Store>,
    down: Mutex<Option<Down>>,
    /// The newest refresh token this process received that the store has not taken yet.
    unstored_refresh_token: Mutex<Option<Secret>>,
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
            unstored_refresh_token: Mutex::new(None),
            logger,
        }
    }

    /// Stores a new Visma Connect refresh token, or keeps it to store as soon as the store
    /// answers again (it supersedes any older one still waiting).
    pub fn put_refresh_token(&self, token: &Secret) {
        *self.unstored() = None;
        if self.with(|store| store.put_refresh_token(token)).is_none() {
            *self.unstored() = Some(token.clone());
            log(self.logger.as_ref(), Level::Error, || {
                format!(
                    "shared_state ({}) could not take the new Visma Connect refresh token: it is \
                     written when the store answers again; until then other processes may be \
                     refused",
                    self.store.kind()
                )
            });
        }
    }

    fn unstored(&self) -> std::sync::MutexGuard<'_, Option<Secret>> {
        self.unstored_refresh_token
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Writes a refresh token kept while the store was out of reach; the first step of any
    /// use of the store, so nothing reads the store's older token before it is replaced.
    fn write_unstored(&self) -> StoreResult<()> {
        let mut waiting = self.unstored();
        if let Some(token) = waiting.as_ref() {
            self.store.put_refresh_token(token)?;
            *waiting = None;
            log(self.logger.as_ref(), Level::Info, || {
                "the kept Visma Connect refresh token is stored now".to_string()
            });
        }
        Ok(())
    }

    /// Runs a clean-up `step` (ending a refresh lease) even while the store is known to be
    /// down: a store that failed a moment ago (the token's write, just before) may answer now,
    /// and a lease left in place holds every other process up for its whole length. Costs
    /// one try; a failure changes nothing here (the lease then runs out by itself).
    pub fn clean_up(&self, step: impl FnOnce(&dyn Store) -> StoreResult<()>) {
        let _ = step(self.store.as_ref());
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
        match self
            .write_unstored()
            .and_then(|()| step(self.store.as_ref()))
        {
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

#[cfg(test)]
mod tests {
    use super::super::file::FileStore;
    use super::*;
    use crate::secret::Secret;

    #[test]
    fn a_lease_is_ended_even_right_after_the_store_failed() {
        let dir = std::env::temp_dir().join(format!("dinero-health-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("state");
        let wait = Duration::from_millis(50);
        let shared = SharedState::new(Box::new(FileStore::open(&path, "fp", wait).unwrap()), None);
        let other_process = FileStore::open(&path, "fp", wait).unwrap();
        let lease = Duration::from_secs(60);
        assert_eq!(shared.with(|store| store.try_lease(1, lease)), Some(true));
        // Writing the new token fails (the file's lock is held elsewhere a moment too long),
        // which marks the store down for a second.
        let holder = std::fs::File::open(&path).unwrap();
        holder.lock().unwrap();
        let token = Secret::new("new-token");
        assert_eq!(
            shared.with(|store| store.put_token(&token, lease, lease)),
            None
        );
        drop(holder);
        shared.clean_up(|store| store.end_lease(1));
        assert!(
            other_process.try_lease(2, lease).unwrap(),
            "the lease was ended, so another process may fetch now"
        );
    }
}
