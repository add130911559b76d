//! `shared_state`: one token and one rate-limit budget for every client that names the same
//! place, in any process (a file, `file`) or on any machine (a Redis server, `redis`).
//!
//! Dinero counts its limit per organization and client id, not per process: PHP-FPM workers,
//! cron jobs and app servers spend the same 100 requests a minute. A store is only ever an
//! addition to the per-process token and window: when it is out of reach (`health`), the client
//! carries on with those alone, logs one warning, and goes back to the store when it answers.

mod file;
mod file_document;
mod fingerprint;
mod health;
mod location;
mod redis;
mod redis_socket;
mod redis_tls;
mod window;

pub use health::SharedState;
pub use location::Location;

use crate::secret::Secret;
use std::time::Duration;

/// A token and the time it has left: as a store holds it, or as just fetched (`token/fetch`).
/// A store measures `remaining` by its own clock (the Redis server's, or this machine's for a
/// file), so callers never compare clocks with each other; a fetch counts it from when it
/// asked.
pub struct SharedToken {
    pub value: Secret,
    pub remaining: Duration,
    pub lifetime: Duration,
}

/// Why a store could not be used. The text is ours (never a server's echo of a URL or a
/// password), and short: it goes into one log line.
#[derive(Debug, Clone)]
pub struct StoreError(pub String);

pub type StoreResult<T> = std::result::Result<T, StoreError>;

/// What every kind of store does, each as one atomic step.
pub trait Store: Send + Sync {
    /// The token stored for these credentials, if any.
    fn token(&self) -> StoreResult<Option<SharedToken>>;
    fn put_token(&self, token: &Secret, remaining: Duration, lifetime: Duration)
        -> StoreResult<()>;
    /// The newest Visma Connect refresh token of this grant, if one was stored.
    fn refresh_token(&self) -> StoreResult<Option<Secret>>;
    /// Stores a new refresh token; from then on every process refreshes with it.
    fn put_refresh_token(&self, token: &Secret) -> StoreResult<()>;
    /// Stores `token` only if the store holds `replaced` (the token it succeeds) or none, in
    /// one atomic step; false when another process stored something else meanwhile, which may
    /// be newer. A write made late (after the store was out of reach) must never put a used-up
    /// token back over its successor.
    fn replace_refresh_token(&self, replaced: Option<&Secret>, token: &Secret)
        -> StoreResult<bool>;
    /// Takes the refresh lease for `holder` unless another holder's lease is still running.
    /// A holder that dies loses its lease when it runs out, so a refresh is never blocked for
    /// longer than `lease`.
    fn try_lease(&self, holder: u64, lease: Duration) -> StoreResult<bool>;
    fn end_lease(&self, holder: u64) -> StoreResult<()>;
    /// Counts request `id` against the rate window named `budget` (a fingerprint) now if fewer
    /// than `limit` are counted in its last `window`; else says how long to wait before asking
    /// again.
    fn take_slot(
        &self,
        budget: &str,
        id: u64,
        limit: u32,
        window: Duration,
    ) -> StoreResult<Option<Duration>>;
    /// Moves request `id` to the time its answer arrived: the latest moment the server can
    /// have counted it, so the window holds it for a full `window` after that.
    fn finish_slot(&self, budget: &str, id: u64, window: Duration) -> StoreResult<()>;
    /// "file" or "Redis", for log lines.
    fn kind(&self) -> &'static str;
}

/// Opens the store a location names, checking what can be checked before the first request
/// (a folder we cannot write to, a read-only file system): those are configuration errors.
pub fn open(
    location: &Location,
    fingerprints: &fingerprint::Fingerprints,
    timeout: Duration,
    ca_file: Option<&std::path::Path>,
) -> crate::error::Result<Box<dyn Store>> {
    match location {
        Location::File(path) => Ok(Box::new(file::FileStore::open(
            path,
            &fingerprints.token,
            timeout,
        )?)),
        Location::Redis(url) => Ok(Box::new(redis::RedisStore::open(
            url,
            &fingerprints.token,
            timeout,
            ca_file,
        )?)),
    }
}

pub use fingerprint::Fingerprints;

/// The state file's reading and writing, for `crate::fuzzing`.
pub(crate) use file_document::read_write_read as state_file_read_write_read;
