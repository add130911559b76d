//! Which process this is, as far as inherited connections go: a number that every `fork()`
//! raises in the child.
//!
//! A client made before a fork (a pre-forking server that builds it at import, Python's
//! `multiprocessing`) is copied into every child with its pool of kept-alive connections and
//! its Redis connection. Parent and children would then write requests into the same sockets
//! and read each other's answers. So each pool remembers the number it was made at and is made
//! afresh where the number has changed. A fork handler raises it: a request costs one atomic
//! read here, not a `getpid()` system call.
//!
//! The copy a child inherited is forgotten, not dropped: dropping a pooled TLS connection could
//! write its closing alert into the socket the parent still uses. Its descriptors stay open in
//! the child until the child exits, which the parent's connections do not notice.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Once, RwLock, TryLockError};

static GENERATION: AtomicU64 = AtomicU64::new(0);
static REGISTER: Once = Once::new();

/// Runs in the child right after fork(): an atomic add is async-signal-safe.
extern "C" fn forked_child() {
    GENERATION.fetch_add(1, Ordering::Relaxed);
}

/// The current number; the first call installs the fork handler (no pool exists before it).
pub fn generation() -> u64 {
    REGISTER.call_once(|| {
        // SAFETY: registers a handler and has no other precondition; `forked_child` only
        // touches an atomic. Should it fail (ENOMEM), pools behave as they did before this.
        unsafe {
            libc::pthread_atfork(None, None, Some(forked_child));
        }
    });
    GENERATION.load(Ordering::Relaxed)
}

/// A value that belongs to the process it was made in, such as a connection pool: a forked
/// child gets one made afresh, and the inherited one is forgotten (see above).
pub struct PerProcess<T> {
    slot: RwLock<(u64, T)>,
}

impl<T: Clone> PerProcess<T> {
    pub fn new(value: T) -> Self {
        PerProcess {
            slot: RwLock::new((generation(), value)),
        }
    }

    /// The value of this process, made by `make` if this is a child the value was copied into.
    ///
    /// Never waits for the lock: one copied by fork() while another thread of the parent held
    /// it would never be let go in the child. Only a replacement takes it for writing, so in a
    /// process that has its value the read always succeeds; a caller that finds the lock taken
    /// gets a value made for it alone (its request then opens a connection of its own).
    pub fn get(&self, make: impl FnOnce() -> T) -> T {
        let now = generation();
        match self.slot.try_read() {
            Ok(slot) if slot.0 == now => return slot.1.clone(),
            Err(TryLockError::Poisoned(slot)) if slot.get_ref().0 == now => {
                return slot.into_inner().1.clone()
            }
            _ => {}
        }
        let mut slot = match self.slot.try_write() {
            Ok(slot) => slot,
            Err(TryLockError::Poisoned(slot)) => slot.into_inner(),
            Err(TryLockError::WouldBlock) => return make(),
        };
        if slot.0 != now {
            std::mem::forget(std::mem::replace(&mut *slot, (now, make())));
        }
        slot.1.clone()
    }
}
