//! A store that may be out of reach. Trouble never stops a request: the caller gets `None` and
//! carries on with the per-process token and window. One warning is logged when the store
//! fails and one line when it answers again, not one per request; while it is down, one
//! caller a second tries it again, so a dead server does not cost every request a timeout.
//!
//! One write is not dropped: a Visma Connect refresh token the store could not take. The
//! token it replaced may be spent already, so every other process depends on this one; it is
//! kept and written as soon as the store answers again, unless the store holds another token
//! by then (another process's rotation, maybe newer: a late write never goes over it).

use super::{Store, StoreResult};
use crate::log::{log, Level, Logger};
use crate::secret::Secret;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

const RETRY_EVERY: Duration = Duration::from_secs(1);

pub struct SharedState {
    store: Box<dyn Store>,
    /// Locked only to read or change what it holds, never across a step (a child forked
    /// meanwhile would find it locked for ever); one lock per step on the request path.
    health: Mutex<Health>,
    logger: Option<Logger>,
}

#[derive(Default)]
struct Health {
    /// Some while the store is known to be down.
    down: Option<Down>,
    /// The newest refresh token this process received that the store has not taken yet.
    kept: Option<Kept>,
}

/// A refresh token to store, and the one it succeeds (None: from a sign-in).
struct Kept {
    token: Secret,
    replaces: Option<Secret>,
}

struct Down {
    /// Until then, nobody tries the store; the caller that finds it passed tries once.
    next_try: Instant,
}

impl SharedState {
    pub fn new(store: Box<dyn Store>, logger: Option<Logger>) -> Self {
        SharedState {
            store,
            health: Mutex::new(Health::default()),
            logger,
        }
    }

    fn health(&self) -> std::sync::MutexGuard<'_, Health> {
        self.health.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Stores a new Visma Connect refresh token (succeeding `replaces`, or from a sign-in), or
    /// keeps it to store as soon as the store answers again; it supersedes any older one kept.
    pub fn put_refresh_token(&self, token: &Secret, replaces: Option<&Secret>) {
        self.health().kept = None;
        if self.with(|store| store.put_refresh_token(token)).is_none() {
            self.health().kept = Some(Kept {
                token: token.clone(),
                replaces: replaces.cloned(),
            });
            // A warning: the call goes on, and the write is made later.
            log(self.logger.as_ref(), Level::Warn, || {
                format!(
                    "shared_state ({}) could not take the new Visma Connect refresh token: it is \
                     written when the store answers again; until then other processes may be \
                     refused",
                    self.store.kind()
                )
            });
        }
    }

    /// Writes a refresh token kept while the store was out of reach, unless the store holds
    /// another one by now (`replace_refresh_token`).
    fn write_kept(&self, kept: &Kept) -> StoreResult<()> {
        let stored = self
            .store
            .replace_refresh_token(kept.replaces.as_ref(), &kept.token)?;
        log(self.logger.as_ref(), Level::Info, || {
            match stored {
                true => "the kept Visma Connect refresh token is stored now",
                false => {
                    "the kept Visma Connect refresh token was not stored: another process \
                     stored one since"
                }
            }
            .to_string()
        });
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
    /// A kept refresh token is written first.
    pub fn with<T>(&self, step: impl FnOnce(&dyn Store) -> StoreResult<T>) -> Option<T> {
        let (was_down, kept) = {
            let mut health = self.health();
            let was_down = match health.down.as_mut() {
                Some(d) if Instant::now() < d.next_try => return None,
                // This caller probes; the others keep going without the store meanwhile.
                Some(d) => {
                    d.next_try = Instant::now() + RETRY_EVERY;
                    true
                }
                None => false,
            };
            (was_down, health.kept.take())
        };
        let written = kept.as_ref().map_or(Ok(()), |kept| self.write_kept(kept));
        let kept_unwritten = kept.filter(|_| written.is_err());
        match written.and_then(|()| step(self.store.as_ref())) {
            Ok(value) => {
                if was_down {
                    self.health().down = None;
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
                let first = {
                    let mut health = self.health();
                    // Kept again if it was not written, unless a newer one was kept meanwhile.
                    if let Some(kept) = kept_unwritten {
                        health.kept.get_or_insert(kept);
                    }
                    let first = health.down.is_none();
                    health.down = Some(Down {
                        next_try: Instant::now() + RETRY_EVERY,
                    });
                    first
                };
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
        let folder = tempfile::tempdir().unwrap();
        let dir = folder.path();
        let path = dir.join("state");
        let wait = Duration::from_millis(50);
        let shared = SharedState::new(Box::new(FileStore::open(&path, "fp", wait).unwrap()), None);
        let other_process = FileStore::open(&path, "fp", wait).unwrap();
        let lease = Duration::from_secs(60);
        assert_eq!(shared.with(|store| store.try_lease(1, lease)), Some(true));
        // Writing the new token fails (for a moment a folder stands where the file was; not a
        // lock held through an open file, which a child another test forks would inherit),
        // which marks the store down for a second.
        let aside = dir.join("state.aside");
        std::fs::rename(&path, &aside).unwrap();
        std::fs::create_dir(&path).unwrap();
        let token = Secret::new("new-token");
        assert_eq!(
            shared.with(|store| store.put_token(&token, lease, lease)),
            None
        );
        std::fs::remove_dir(&path).unwrap();
        std::fs::rename(&aside, &path).unwrap();
        shared.clean_up(|store| store.end_lease(1));
        assert!(
            other_process.try_lease(2, lease).unwrap(),
            "the lease was ended, so another process may fetch now"
        );
    }

    #[test]
    fn a_kept_refresh_token_is_written_late_but_never_over_a_newer_one() {
        for other_rotates_meanwhile in [false, true] {
            let folder = tempfile::tempdir().unwrap();
            let dir = folder.path();
            let path = dir.join("state");
            let wait = Duration::from_millis(50);
            let shared =
                SharedState::new(Box::new(FileStore::open(&path, "fp", wait).unwrap()), None);
            let other_process = FileStore::open(&path, "fp", wait).unwrap();
            let (first, second) = (Secret::new("rt-1"), Secret::new("rt-2"));
            other_process.put_refresh_token(&first).unwrap();
            // The rotation to rt-2 cannot be written: a folder stands where the file was. (Not a
            // lock held through an open file: a child another test forks meanwhile would inherit
            // it and hold it on.)
            let aside = dir.join("state.aside");
            std::fs::rename(&path, &aside).unwrap();
            std::fs::create_dir(&path).unwrap();
            shared.put_refresh_token(&second, Some(&first));
            // The next try fails too: the token stays kept for the one after.
            std::thread::sleep(RETRY_EVERY + Duration::from_millis(100));
            assert!(shared.with(|store| store.refresh_token()).is_none());
            std::fs::remove_dir(&path).unwrap();
            std::fs::rename(&aside, &path).unwrap();
            if other_rotates_meanwhile {
                // Another process got rt-2 from the application and rotated it already.
                other_process
                    .put_refresh_token(&Secret::new("rt-3"))
                    .unwrap();
            }
            std::thread::sleep(RETRY_EVERY + Duration::from_millis(100));
            let stored = shared.with(|store| store.refresh_token()).flatten();
            let expected = if other_rotates_meanwhile {
                "rt-3"
            } else {
                "rt-2"
            };
            assert_eq!(stored.as_ref().map(Secret::expose), Some(expected));
        }
    }
}
