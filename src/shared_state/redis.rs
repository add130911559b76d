//! The shared state on a Redis (or Valkey) server, for processes on several machines.
//!
//! Keys are named by fingerprints of the credentials (`fingerprint.rs`), never by the
//! credentials. The secrets that reach Redis are the access token and, for a Visma Connect
//! grant, its newest refresh token (which every process of the grant must be able to use: an
//! older one is refused once the new one is used), so the server must be as trusted as the
//! machines that share it, and reached over `rediss://` or a private network. Every step is
//! one atomic command, transaction or Lua script, and every time in a decision is the Redis
//! server's (`TIME`), so machines whose clocks disagree still share one window.

use super::location::redacted_url;
use super::redis_socket::DeadlineConnection;
use super::window::GRACE_MS;
use super::{SharedToken, Store, StoreError, StoreResult};
use crate::error::{Error, Result};
use crate::forks::PerProcess;
use crate::secret::Secret;
use crate::token::exchange::{is_sendable_token, MAX_LIFETIME};
use redis::{ConnectionInfo, ConnectionLike, IntoConnectionInfo, RedisError, Script};
use rustls::ClientConfig;
use serde_json::{json, Value};
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard, TryLockError};
use std::time::{Duration, Instant};
use zeroize::Zeroizing;

/// Redis before 7 replicates a script verbatim unless told to replicate its effects, and then
/// refuses writes after `TIME`; 7 and Valkey always replicate effects.
const NOW_MS: &str = "if redis.replicate_commands then redis.replicate_commands() end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)";

/// The rules of `window.rs`, on the server (a slot counts through the whole ms its time names). KEYS: window (sorted by the time each request
/// counts from), queue (waiters sorted by when they first asked), due (when each waiter was
/// told to come back). ARGV: id, limit, window ms, grace ms. -1: counted; else ms to wait.
const TAKE_SLOT: &str = "
local id, limit, window, grace = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. (now - window))
for _, waiter in ipairs(redis.call('ZRANGE', KEYS[2], 0, -1)) do
  local due = tonumber(redis.call('HGET', KEYS[3], waiter) or '0')
  if waiter ~= id and due + grace <= now then
    redis.call('ZREM', KEYS[2], waiter)
    redis.call('HDEL', KEYS[3], waiter)
  end
end
local free = limit - redis.call('ZCARD', KEYS[1])
local place = redis.call('ZRANK', KEYS[2], id)
local ahead = place or redis.call('ZCARD', KEYS[2])
if ahead < free then
  redis.call('ZREM', KEYS[2], id)
  redis.call('HDEL', KEYS[3], id)
  redis.call('ZADD', KEYS[1], now, id)
  redis.call('PEXPIRE', KEYS[1], window + 1)
  return -1
end
local wake = now + window
local slot = redis.call('ZRANGE', KEYS[1], ahead - free, ahead - free, 'WITHSCORES')
if slot[2] then wake = tonumber(slot[2]) + window + 1 end
local wait = math.max(1, wake - now)
if not place then redis.call('ZADD', KEYS[2], now, id) end
redis.call('HSET', KEYS[3], id, now + wait)
redis.call('PEXPIRE', KEYS[2], window + grace)
redis.call('PEXPIRE', KEYS[3], window + grace)
return wait";

/// KEYS[1] window; ARGV id, window ms.
const FINISH_SLOT: &str = "
redis.call('ZADD', KEYS[1], now, ARGV[1])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]) + 1)
return 1";

/// KEYS[1] refresh token; ARGV the token it succeeds ("" for none), the new one, ms to keep it.
/// 1: stored (nothing was there, or the one it succeeds); 0: another one is there.
const REPLACE_REFRESH_TOKEN: &str = "
local current = redis.call('GET', KEYS[1])
if current and current ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
return 1";

/// KEYS[1] lease; ARGV holder, lease ms. 1: ours now.
const TRY_LEASE: &str = "
local holder = redis.call('GET', KEYS[1])
if holder and holder ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1";

/// KEYS[1] lease; ARGV holder.
const END_LEASE: &str = "
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 1";

/// The keys of one rate window (named by a fingerprint, `budget`): its counted requests, its
/// queue of waiters and when each waiter is due back. One hash tag, so a Redis Cluster keeps
/// them in one slot for the scripts.
struct WindowKeys {
    window: String,
    queue: String,
    due: String,
}

impl WindowKeys {
    fn of(budget: &str) -> WindowKeys {
        WindowKeys {
            window: format!("libdinero:{{{budget}}}:window"),
            queue: format!("libdinero:{{{budget}}}:queue"),
            due: format!("libdinero:{{{budget}}}:queue-due"),
        }
    }
}

pub struct RedisStore {
    info: ConnectionInfo,
    /// For `rediss://`: the certificate authorities that sign the server.
    tls: Option<Arc<ClientConfig>>,
    /// One connection per client and process, reopened after any failure. Its commands take
    /// microseconds, so threads queueing here wait far less than for the HTTP request they
    /// pace; a thread waits for it at most `timeout` (`slot`), so a stalled server cannot stack
    /// up the waits of every thread behind it. Per process (`forks`): a child forked while a
    /// thread of the parent held the lock would otherwise find it held for good, and the
    /// connection in it is the parent's.
    connection: PerProcess<Arc<ConnectionSlot>>,
    timeout: Duration,
    shown_as: String,
    token_key: String,
    refresh_token_key: String,
    lease_key: String,
    take_slot: Script,
    finish_slot: Script,
    try_lease: Script,
    end_lease: Script,
    replace_refresh_token: Script,
}

/// The client's connection, while it has one.
type ConnectionSlot = Mutex<Option<DeadlineConnection>>;

impl RedisStore {
    /// Prepares the client without connecting: a server that is down now is trouble at run
    /// time (the first request falls back and logs it), not a configuration error.
    pub fn open(
        url: &Secret,
        token: &str,
        timeout: Duration,
        ca_file: Option<&Path>,
    ) -> Result<RedisStore> {
        let shown_as = redacted_url(url.expose());
        let bad = |why: String| Error::invalid(format!("option shared_state {shown_as}: {why}"));
        let info = url
            .expose()
            .into_connection_info()
            .map_err(|e| bad(describe(&e)))?;
        let tls = match url.expose().starts_with("rediss://") {
            true => Some(
                super::redis_tls::client_config(ca_file)
                    .map_err(|e| bad(e.message().to_string()))?,
            ),
            false => None,
        };
        let key = |fingerprint: &str, what: &str| format!("libdinero:{{{fingerprint}}}:{what}");
        Ok(RedisStore {
            info,
            tls,
            connection: PerProcess::new(Arc::default()),
            timeout,
            token_key: key(token, "token"),
            refresh_token_key: key(token, "refresh-token"),
            lease_key: key(token, "refresh-lease"),
            shown_as,
            take_slot: Script::new(&format!("{NOW_MS}{TAKE_SLOT}")),
            finish_slot: Script::new(&format!("{NOW_MS}{FINISH_SLOT}")),
            try_lease: Script::new(TRY_LEASE),
            end_lease: Script::new(END_LEASE),
            replace_refresh_token: Script::new(REPLACE_REFRESH_TOKEN),
        })
    }

    /// Runs `command` on the connection, connecting first if needed. Any failure drops the
    /// connection, so a restarted server is met with a fresh one. A key of ours holding another
    /// type (WRONGTYPE: set by hand, or by something else using our names) would fail every
    /// step for good, so such keys of this client are deleted, and the next step starts them
    /// afresh.
    fn with_connection<T>(
        &self,
        budget: Option<&WindowKeys>,
        command: impl FnOnce(&mut dyn ConnectionLike) -> redis::RedisResult<T>,
    ) -> StoreResult<T> {
        // One deadline for the whole step, the wait for the connection included.
        let deadline = Instant::now() + self.timeout;
        let cell = self.connection.get(Arc::default);
        let mut slot = self.slot(&cell, deadline)?;
        if slot.is_none() {
            *slot = Some(self.connect(deadline).map_err(|e| self.fail(&e))?);
        }
        let connection = slot.as_mut().expect("connected just above");
        connection.set_deadline(deadline);
        let outcome = command(connection);
        match outcome {
            Ok(value) => Ok(value),
            Err(e) => {
                // Redis 7 gives a script's error its own code; Redis 6 wraps it in an ERR.
                if e.code() == Some("WRONGTYPE") || e.to_string().contains("WRONGTYPE") {
                    self.delete_mistyped_keys(connection, budget);
                }
                *slot = None;
                Err(self.fail(&e))
            }
        }
    }

    /// One key at a time (a Redis Cluster keeps the token's and the window's keys apart), and
    /// only those of another type: the refresh token may be a grant's only copy.
    fn delete_mistyped_keys(
        &self,
        connection: &mut DeadlineConnection,
        budget: Option<&WindowKeys>,
    ) {
        let token = [
            (&self.token_key, "string"),
            (&self.refresh_token_key, "string"),
            (&self.lease_key, "string"),
        ];
        let window = budget
            .map(|b| [(&b.window, "zset"), (&b.queue, "zset"), (&b.due, "hash")])
            .into_iter()
            .flatten();
        for (key, kind) in token.into_iter().chain(window) {
            let found: redis::RedisResult<String> = redis::cmd("TYPE").arg(key).query(connection);
            if found.is_ok_and(|found| found != kind && found != "none") {
                let _ = redis::cmd("DEL").arg(key).query::<()>(connection);
            }
        }
    }

    /// The connection, once no other thread uses it, waiting until the step's `deadline` at
    /// most: past that the step fails like one the server did not answer in time (the caller
    /// falls back).
    fn slot<'c>(
        &self,
        cell: &'c ConnectionSlot,
        deadline: Instant,
    ) -> StoreResult<MutexGuard<'c, Option<DeadlineConnection>>> {
        loop {
            match cell.try_lock() {
                Ok(slot) => return Ok(slot),
                Err(TryLockError::Poisoned(poisoned)) => return Ok(poisoned.into_inner()),
                Err(TryLockError::WouldBlock) if Instant::now() >= deadline => {
                    return Err(StoreError(format!(
                        "shared_state {}: no answer in time (another thread's step is still \
                         waiting for the server)",
                        self.shown_as
                    )))
                }
                Err(TryLockError::WouldBlock) => std::thread::sleep(Duration::from_millis(1)),
            }
        }
    }

    fn connect(&self, deadline: Instant) -> redis::RedisResult<DeadlineConnection> {
        DeadlineConnection::open(&self.info, self.tls.as_ref(), deadline)
    }

    fn fail(&self, error: &RedisError) -> StoreError {
        StoreError(format!(
            "shared_state {}: {}",
            self.shown_as,
            describe(error)
        ))
    }
}

/// Our words for a Redis error: its category and code, never its free text (which could
/// quote a command, and so a token).
fn describe(error: &RedisError) -> String {
    if error.is_timeout() {
        return "no answer in time".into();
    }
    if error.is_connection_refusal() {
        return "connection refused".into();
    }
    match error.code() {
        Some(code) if code.bytes().all(|b| b.is_ascii_uppercase()) && code.len() <= 32 => {
            format!("{} ({code})", error.category())
        }
        _ => error.category().to_string(),
    }
}

impl Store for RedisStore {
    fn token(&self) -> StoreResult<Option<SharedToken>> {
        let (stored, pttl): (Option<Vec<u8>>, i64) = self.with_connection(None, |c| {
            redis::pipe()
                .atomic()
                .get(&self.token_key)
                .pttl(&self.token_key)
                .query(c)
        })?;
        let stored = Zeroizing::new(stored.unwrap_or_default());
        Ok(parse_token(&stored, pttl))
    }

    fn put_token(
        &self,
        token: &Secret,
        remaining: Duration,
        lifetime: Duration,
    ) -> StoreResult<()> {
        let document = Zeroizing::new(
            json!({"access_token": token.expose(), "lifetime_ms": lifetime.as_millis() as u64})
                .to_string(),
        );
        let ttl_ms = remaining.as_millis().max(1) as u64;
        self.with_connection(None, |c| {
            redis::cmd("SET")
                .arg(&self.token_key)
                .arg(document.as_str())
                .arg("PX")
                .arg(ttl_ms)
                .query::<()>(c)
        })
    }

    fn refresh_token(&self) -> StoreResult<Option<Secret>> {
        let stored: Option<Vec<u8>> = self.with_connection(None, |c| {
            redis::cmd("GET").arg(&self.refresh_token_key).query(c)
        })?;
        let stored = Zeroizing::new(stored.unwrap_or_default());
        // Checked like a token from the endpoint: anyone who can write the key could have.
        Ok(std::str::from_utf8(&stored)
            .ok()
            .filter(|t| is_sendable_token(t))
            .map(Secret::new))
    }

    fn put_refresh_token(&self, token: &Secret) -> StoreResult<()> {
        // Kept as long as Visma Connect's longest-lived refresh tokens (a year), no longer.
        self.with_connection(None, |c| {
            redis::cmd("SET")
                .arg(&self.refresh_token_key)
                .arg(token.expose())
                .arg("PX")
                .arg(MAX_LIFETIME.as_millis() as u64)
                .query::<()>(c)
        })
    }

    fn replace_refresh_token(
        &self,
        replaced: Option<&Secret>,
        token: &Secret,
    ) -> StoreResult<bool> {
        let stored: i64 = self.with_connection(None, |c| {
            self.replace_refresh_token
                .key(&self.refresh_token_key)
                .arg(replaced.map_or("", Secret::expose))
                .arg(token.expose())
                .arg(MAX_LIFETIME.as_millis() as u64)
                .invoke(c)
        })?;
        Ok(stored == 1)
    }

    fn try_lease(&self, holder: u64, lease: Duration) -> StoreResult<bool> {
        let taken: i64 = self.with_connection(None, |c| {
            self.try_lease
                .key(&self.lease_key)
                .arg(holder)
                .arg(lease.as_millis().max(1) as u64)
                .invoke(c)
        })?;
        Ok(taken == 1)
    }

    fn end_lease(&self, holder: u64) -> StoreResult<()> {
        self.with_connection(None, |c| {
            self.end_lease
                .key(&self.lease_key)
                .arg(holder)
                .invoke::<()>(c)
        })
    }

    fn take_slot(
        &self,
        budget: &str,
        id: u64,
        limit: u32,
        window: Duration,
    ) -> StoreResult<Option<Duration>> {
        let keys = WindowKeys::of(budget);
        let wait_ms: i64 = self.with_connection(Some(&keys), |c| {
            self.take_slot
                .key(&keys.window)
                .key(&keys.queue)
                .key(&keys.due)
                .arg(id)
                .arg(limit)
                .arg(window.as_millis() as u64)
                .arg(GRACE_MS)
                .invoke(c)
        })?;
        Ok((wait_ms >= 0).then(|| Duration::from_millis(wait_ms as u64).min(window)))
    }

    fn finish_slot(&self, budget: &str, id: u64, window: Duration) -> StoreResult<()> {
        let keys = WindowKeys::of(budget);
        self.with_connection(Some(&keys), |c| {
            self.finish_slot
                .key(&keys.window)
                .arg(id)
                .arg(window.as_millis() as u64)
                .invoke::<()>(c)
        })
    }

    fn kind(&self) -> &'static str {
        "Redis"
    }
}

/// A stored token, checked like a fresh one (anyone who can write the key could have put
/// anything there); its remaining life is the key's time to live on the server's clock.
fn parse_token(stored: &[u8], pttl_ms: i64) -> Option<SharedToken> {
    if pttl_ms <= 0 || stored.is_empty() {
        return None;
    }
    let mut json: Value = serde_json::from_slice(stored).ok()?;
    let lifetime_ms = json["lifetime_ms"]
        .as_u64()
        .filter(|ms| (1..=MAX_LIFETIME.as_millis() as u64).contains(ms))?;
    let remaining_ms = (pttl_ms as u64).min(lifetime_ms);
    let value = json["access_token"]
        .as_str()
        .filter(|t| is_sendable_token(t))
        .map(Secret::new);
    if let Some(Value::String(s)) = json.get_mut("access_token") {
        zeroize::Zeroize::zeroize(s);
    }
    Some(SharedToken {
        value: value?,
        remaining: Duration::from_millis(remaining_ms),
        lifetime: Duration::from_millis(lifetime_ms),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_tokens_are_checked_like_fresh_ones() {
        let ok = br#"{"access_token":"eyJ.a.b","lifetime_ms":3600000}"#;
        let token = parse_token(ok, 5_000).unwrap();
        assert_eq!(token.value.expose(), "eyJ.a.b");
        assert_eq!(token.remaining, Duration::from_secs(5));
        assert!(parse_token(ok, -2).is_none(), "no key");
        assert!(parse_token(ok, 0).is_none(), "expired");
        for bad in [
            &br#"{"access_token":"a\r\nX: 1","lifetime_ms":3600000}"#[..],
            br#"{"access_token":"","lifetime_ms":3600000}"#,
            br#"{"access_token":"a","lifetime_ms":0}"#,
            br#"{"access_token":"a","lifetime_ms":99999999999999}"#,
            br#"{"access_token":"a"}"#,
            b"garbage",
        ] {
            assert!(
                parse_token(bad, 5_000).is_none(),
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
    }

    #[test]
    fn a_ca_file_that_is_not_a_regular_file_is_refused_without_reading_it() {
        let url = Secret::new("rediss://127.0.0.1:1");
        let dev_zero = Some(Path::new("/dev/zero"));
        let err = RedisStore::open(&url, "t", Duration::from_secs(1), dev_zero)
            .err()
            .expect("/dev/zero is refused");
        assert_eq!(err.kind(), crate::error::ErrorKind::InvalidArgument);
        assert!(
            err.message()
                .contains("ca_file: cannot read /dev/zero: not a regular file"),
            "{err}"
        );
    }

    #[test]
    fn an_absurd_time_to_live_is_cut_to_the_lifetime() {
        let token = parse_token(br#"{"access_token":"a","lifetime_ms":1000}"#, i64::MAX).unwrap();
        assert_eq!(token.remaining, Duration::from_secs(1));
    }

    #[test]
    fn a_step_waits_for_another_threads_step_at_most_the_timeout() {
        // Port 1: nothing answers there, and nothing is asked: the slot is taken below.
        let url = Secret::new("redis://127.0.0.1:1");
        let store = RedisStore::open(&url, "t", Duration::from_millis(50), None).unwrap();
        // Another thread's step holds the connection (a server that stalls it).
        let cell = store.connection.get(Arc::default);
        let held = cell.lock().unwrap();
        let outcome = std::thread::scope(|s| s.spawn(|| store.token().err()).join().unwrap());
        drop(held);
        let error = outcome.expect("the step gives up instead of queueing without end");
        assert!(error.0.contains("another thread's step"), "{}", error.0);
    }
}
