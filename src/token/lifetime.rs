//! Token lifetime: one token per client, reused until shortly before it expires, then replaced
//! before it is used again (Dinero frowns on integrations that collect 401s). A refresh happens
//! once however many threads need it (single flight): the first thread fetches while the
//! others wait for its result, success or failure, instead of each asking the endpoint. With
//! `token_cache`, processes share the token through a file as well.

use crate::error::{Error, Result};
use crate::log::{log, Level};
use crate::secret::Secret;
use crate::token::cache::TokenCache;
use crate::token::exchange::{read_token_answer, Credentials};
use crate::transport::http::Exchange;
use crate::transport::{Transport, Treatment};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant, SystemTime};

/// A token in use, with a generation number that tells a later 401 which token it refused.
#[derive(Debug, Clone)]
pub struct Token {
    pub value: Secret,
    pub generation: u64,
}

pub struct TokenSource {
    credentials: Credentials,
    auth_url: String,
    scope: String,
    cache: Option<TokenCache>,
    state: Mutex<State>,
    /// Refresh attempts so far; read before waiting for the lock so a waiter can tell that a
    /// refresh ran while it waited.
    attempts: AtomicU64,
}

#[derive(Default)]
struct State {
    current: Option<Cached>,
    /// The outcome of the latest failed attempt, handed to the threads that waited for it.
    last_failure: Option<Error>,
    generation: u64,
}

struct Cached {
    token: Token,
    refresh_at: Instant,
    expires_at: Instant,
}

/// How long before expiry a token is replaced: a tenth of its lifetime, at most a minute
/// (so Dinero's hour-long tokens are renewed at 59 minutes, a 2-second test token at 1.8 s).
pub fn refresh_margin(lifetime: Duration) -> Duration {
    (lifetime / 10).min(Duration::from_secs(60))
}

impl TokenSource {
    pub fn new(
        credentials: Credentials,
        auth_url: String,
        scope: String,
        cache: Option<TokenCache>,
    ) -> Self {
        TokenSource {
            credentials,
            auth_url,
            scope,
            cache,
            state: Mutex::new(State::default()),
            attempts: AtomicU64::new(0),
        }
    }

    /// A token that is valid now and not about to expire, fetched if needed.
    pub fn valid(&self, transport: &Transport) -> Result<Token> {
        self.obtain(transport, None)
    }

    /// A token other than generation `rejected`, which the API just answered 401 to. If
    /// another thread already replaced it, that replacement is used; else a new one is fetched.
    pub fn replace(&self, transport: &Transport, rejected: u64) -> Result<Token> {
        self.obtain(transport, Some(rejected))
    }

    fn obtain(&self, transport: &Transport, rejected: Option<u64>) -> Result<Token> {
        let attempts_seen = self.attempts.load(Ordering::Acquire);
        // The state is a plain value replaced whole, so it stays consistent even if a panic
        // poisoned the lock: keep using it.
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(cached) = &state.current {
            let refused = rejected == Some(cached.token.generation);
            if !refused && Instant::now() < cached.refresh_at {
                return Ok(cached.token.clone());
            }
        }
        if self.attempts.load(Ordering::Acquire) != attempts_seen {
            if let Some(failure) = &state.last_failure {
                return still_valid(&state, rejected).ok_or_else(|| failure.clone());
            }
        }
        self.attempts.fetch_add(1, Ordering::AcqRel);
        let logger = transport.logger();
        if rejected.is_some() {
            log(logger, Level::Warn, || {
                "the API refused the token (401); replacing it".to_string()
            });
        }
        let refused_value = state
            .current
            .as_ref()
            .filter(|c| rejected == Some(c.token.generation))
            .map(|c| c.token.value.clone());

        // Other processes refresh under the same file lock, so one fetch serves them all.
        let _file_lock = self.cache.as_ref().and_then(TokenCache::lock);
        if let Some(entry) = self.cache.as_ref().and_then(TokenCache::read) {
            if Some(&entry.token) != refused_value.as_ref() {
                if let Some(token) =
                    install(&mut state, entry.token, entry.obtained_at, entry.lifetime)
                {
                    return Ok(token);
                }
            }
        }

        let requested_at = SystemTime::now();
        match self.fetch(transport) {
            Ok((value, lifetime)) => {
                log(logger, Level::Info, || {
                    format!(
                        "new token from the token endpoint (lifetime {} s)",
                        lifetime.as_secs()
                    )
                });
                if let Some(cache) = &self.cache {
                    cache.write(&value, requested_at, lifetime);
                }
                // Counted from when we asked, not when the answer came: never later than the
                // server's own clock for the token.
                install(&mut state, value, requested_at, lifetime).ok_or_else(|| {
                    Error::new(
                        crate::error::ErrorKind::AuthUnavailable,
                        "token endpoint issued a token that expired before it arrived",
                    )
                })
            }
            Err(error) => {
                state.last_failure = Some(error.clone());
                let fallback = still_valid(&state, rejected);
                match &fallback {
                    Some(_) => {
                        log(logger, Level::Warn, || {
                            format!("early token refresh failed, the current token stays in use: {error}")
                        })
                    }
                    None => {
                        log(logger, Level::Error, || {
                            format!("token refresh failed: {error}")
                        });
                        state.current = None;
                    }
                }
                fallback.ok_or(error)
            }
        }
    }

    fn fetch(&self, transport: &Transport) -> Result<(Secret, Duration)> {
        let authorization = self.credentials.basic_authorization();
        let form = self.credentials.password_grant_form(&self.scope);
        let headers = [("content-type", "application/x-www-form-urlencoded")];
        let exchange = Exchange {
            method: "POST",
            url: &self.auth_url,
            headers: &headers,
            body: Some(form.expose().as_bytes()),
        };
        // Asking for a token changes nothing in the books, so it may be repeated like a GET.
        let treatment = Treatment {
            idempotent: true,
            paced: false,
        };
        let mut response = transport
            .execute(&exchange, treatment, &|| Ok(authorization.clone()))
            .map_err(|e| e.context("token endpoint"))?;
        let issued = read_token_answer(&mut response, &self.credentials)?;
        Ok((issued.access_token, issued.expires_in))
    }
}

/// Makes a token obtained at `obtained_at` (wall clock, so that processes agree) the current
/// one, unless it is already due for replacement.
fn install(
    state: &mut State,
    value: Secret,
    obtained_at: SystemTime,
    lifetime: Duration,
) -> Option<Token> {
    let now_wall = SystemTime::now();
    let refresh_wall = obtained_at + lifetime - refresh_margin(lifetime);
    let until_refresh = refresh_wall
        .duration_since(now_wall)
        .ok()
        .filter(|d| !d.is_zero())?;
    let until_expiry = (obtained_at + lifetime)
        .duration_since(now_wall)
        .unwrap_or_default();
    let now = Instant::now();
    state.generation += 1;
    let token = Token {
        value,
        generation: state.generation,
    };
    state.current = Some(Cached {
        token: token.clone(),
        refresh_at: now + until_refresh,
        expires_at: now + until_expiry,
    });
    state.last_failure = None;
    Some(token)
}

/// After a failed early refresh, the old token is still good until it really expires, unless
/// the API has already refused it.
fn still_valid(state: &State, rejected: Option<u64>) -> Option<Token> {
    let old = state.current.as_ref()?;
    let refused = rejected == Some(old.token.generation);
    (!refused && Instant::now() < old.expires_at).then(|| old.token.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn margin_is_a_tenth_capped_at_a_minute() {
        assert_eq!(
            refresh_margin(Duration::from_secs(3600)),
            Duration::from_secs(60)
        );
        assert_eq!(
            refresh_margin(Duration::from_secs(2)),
            Duration::from_millis(200)
        );
        assert_eq!(
            refresh_margin(Duration::from_secs(1)),
            Duration::from_millis(100)
        );
    }

    #[test]
    fn a_token_already_due_is_not_installed() {
        let mut state = State::default();
        let long_ago = SystemTime::now() - Duration::from_secs(100);
        assert!(install(
            &mut state,
            Secret::new("t"),
            long_ago,
            Duration::from_secs(60)
        )
        .is_none());
        assert!(state.current.is_none());
        let fresh = install(
            &mut state,
            Secret::new("t"),
            SystemTime::now(),
            Duration::from_secs(60),
        );
        assert_eq!(fresh.unwrap().generation, 1);
    }
}
