//! Token lifetime: one token per client, reused until shortly before it expires, then replaced
//! before it is used again (Dinero frowns on integrations that collect 401s).
//!
//! A refresh runs once however many callers need it, and never makes a caller wait while the
//! current token is still good: the first caller past the refresh time (a tenth of the lifetime
//! before expiry) fetches, without holding the lock, and the others keep using the old token
//! meanwhile, until half that margin is left. Only a caller without such a token (the first
//! one, one about to expire, one the API refused) waits, with a deadline.
//!
//! With `shared_state` the same holds across processes and machines: a refresh first looks in
//! the store for a token another process already fetched, then takes the store's refresh lease
//! so that one process fetches for all. The lease is short and renewed while the fetch runs
//! (`lease`): a process that dies holding it loses it within seconds.

use super::grant::Grant;
use crate::config::Config;
use crate::error::{Error, ErrorKind, Result};
use crate::interrupt;
use crate::log::{log, Level};
use crate::secret::Secret;
use crate::shared_state::{SharedState, SharedToken};
use crate::transport::Transport;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

/// A token in use, with a generation number that tells a later 401 which token it refused.
#[derive(Debug, Clone)]
pub struct Token {
    pub value: Secret,
    pub generation: u64,
}

pub struct TokenSource {
    grant: Grant,
    shared: Option<Arc<SharedState>>,
    /// The longest one token request can take with its retries: how long a caller waits for
    /// another's refresh (a lease in the store lasts less, renewed while its holder fetches).
    refresh_bound: Duration,
    /// With the process id (`holder`), names this client's refresh lease in the store.
    holder_seed: u64,
    state: Mutex<State>,
    refreshed: Condvar,
    /// Whether a row of refused tokens is under way: lets `accepted`, on every request, skip
    /// the lock when there is nothing to reset.
    refusals: AtomicBool,
}

#[derive(Default)]
struct State {
    current: Option<Cached>,
    /// The fork generation (`forks`) of the process whose thread is refreshing, if one is. A
    /// child forked during a refresh inherits this, but not the thread that would end it: to
    /// the child, a refresh of another generation is none, and it fetches for itself.
    refreshing: Option<u64>,
    /// Refreshes that have ended, so a waiter can tell that one ended while it waited.
    ended: u64,
    /// The outcome of the latest failed refresh, handed to the callers that waited for it.
    last_failure: Option<Error>,
    generation: u64,
    replacements: ReplacementPace,
}

impl State {
    /// Whether a thread of this process is refreshing (see `refreshing`).
    fn refreshing(&self) -> bool {
        self.refreshing == Some(crate::forks::generation())
    }
}

struct Cached {
    token: Token,
    refresh_at: Instant,
    /// While another caller refreshes, this token is used until here: half the refresh margin
    /// before it expires, so that a request sent with it does not arrive after it.
    keep_until: Instant,
    expires_at: Instant,
}

/// Token requests made because the API refused a token: the first at once, then each further
/// one in a row only after a doubling pause (1 s, 2 s, ... 60 s), so an API that refuses every
/// token does not turn each request into a token request. A request that is not refused ends
/// the row.
#[derive(Default)]
struct ReplacementPace {
    in_a_row: u32,
    not_before: Option<Instant>,
}

/// What a refresh found.
enum Refreshed {
    New(SharedToken),
    /// Another process holds the lease and the current token is still valid: keep it.
    KeepCurrent,
}

/// How long before expiry a token is replaced: a tenth of its lifetime, at most a minute
/// (so Dinero's hour-long tokens are renewed at 59 minutes, a 2-second test token at 1.8 s).
pub fn refresh_margin(lifetime: Duration) -> Duration {
    (lifetime / 10).min(Duration::from_secs(60))
}

/// How often a process waiting for another's refresh looks in the store.
const STORE_POLL: Duration = Duration::from_millis(20);

/// How long a wait for another process's refresh goes on before it is logged (as a warning:
/// the `dinero` command shows those) while it lasts.
const WAIT_TOLD_AFTER: Duration = Duration::from_secs(1);

impl TokenSource {
    pub fn new(grant: Grant, config: &Config, shared: Option<Arc<SharedState>>) -> Self {
        let attempts = config.max_retries + 1;
        TokenSource {
            grant,
            shared,
            // Each attempt (timeout_ms covers its connect too) and a backoff after it. A token
            // endpoint's 429 with a long Retry-After can outlast this, and another process
            // then fetches too: the lesser harm than a process killed mid-refresh holding
            // every other one up for minutes.
            refresh_bound: config.timeout * attempts + config.retry_max_delay * attempts,
            holder_seed: crate::unique::u64(),
            state: Mutex::new(State::default()),
            refreshed: Condvar::new(),
            refusals: AtomicBool::new(false),
        }
    }

    /// The name of this client's refresh lease: a client that `fork()` copied into another
    /// process is another holder there, as the process id differs.
    fn holder(&self) -> u64 {
        self.holder_seed ^ u64::from(std::process::id())
    }

    /// Makes sure a token is valid now, fetched (or waited for) if needed, without handing
    /// one out: the common case, a token in use, costs a lock and no copy.
    pub fn ready(&self, transport: &Transport) -> Result<()> {
        if in_use(&self.lock(), None, Instant::now()).is_some() {
            return Ok(());
        }
        self.valid(transport).map(drop)
    }

    /// A token that is valid now, fetched if needed.
    pub fn valid(&self, transport: &Transport) -> Result<Token> {
        // Only replacements are ever paced, so None cannot come back here.
        self.obtain(transport, None)?
            .ok_or_else(|| Error::new(ErrorKind::AuthUnavailable, "no token"))
    }

    /// A token other than generation `rejected`, which the API just answered 401 to. If
    /// another caller already replaced it, that replacement is used; else a new one is
    /// fetched, unless replacements are being paced (then None: the 401 stands).
    pub fn replace(&self, transport: &Transport, rejected: u64) -> Result<Option<Token>> {
        self.obtain(transport, Some(rejected))
    }

    /// Finds the grant's secrets in server text (see `Grant::redactor`).
    pub fn redactor(&self) -> crate::server_text::Redactor {
        self.grant.redactor()
    }

    /// The API accepted a request: a row of refused tokens, if any, has ended.
    pub fn accepted(&self) {
        if self.refusals.swap(false, Ordering::AcqRel) {
            self.lock().replacements = ReplacementPace::default();
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // The state is replaced field by field in single statements, so it stays consistent
        // even if a panic poisoned the lock: keep using it.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn obtain(&self, transport: &Transport, rejected: Option<u64>) -> Result<Option<Token>> {
        let mut state = self.lock();
        let deadline = Instant::now() + self.refresh_bound;
        let ended_before = state.ended;
        loop {
            let now = Instant::now();
            if let Some(cached) = in_use(&state, rejected, now) {
                return Ok(Some(cached.token.clone()));
            }
            if !state.refreshing() {
                break;
            }
            if RefreshingHere::is(self) {
                // The refresh under way is this thread's own, further up the stack (a log or
                // refresh-token callback asked for a token): waiting would wait for itself.
                return match usable(&state, rejected).filter(|c| now < c.expires_at) {
                    Some(cached) => Ok(Some(cached.token.clone())),
                    None => Err(Error::new(
                        ErrorKind::AuthUnavailable,
                        "a token is being fetched by this thread's own call (a callback inside \
                         it asked for one); ask again once that call has returned",
                    )),
                };
            }
            // Nothing valid to use: wait for the refresh under way.
            if now >= deadline {
                return Err(Error::new(
                    ErrorKind::AuthUnavailable,
                    "timed out waiting for another thread's token refresh",
                ));
            }
            let what = "another thread's token refresh";
            let (wait, interrupt) = (deadline - now, transport.interrupt());
            state = interrupt::wait_on(&self.refreshed, &self.state, state, wait, interrupt, what)?;
        }
        if state.ended != ended_before {
            if let Some(failure) = &state.last_failure {
                // A refresh failed while we waited: its answer is ours too, instead of asking
                // the endpoint again at once.
                let fallback = usable(&state, rejected).filter(|c| Instant::now() < c.expires_at);
                return fallback
                    .map(|c| Some(c.token.clone()))
                    .ok_or_else(|| failure.clone());
            }
        }
        let refused = rejected.and_then(|generation| {
            let current = state.current.as_ref()?;
            (current.token.generation == generation).then(|| current.token.value.clone())
        });
        if refused.is_some() && !self.replacement_allowed(&mut state) {
            return Ok(None);
        }
        let keep_possible = usable(&state, rejected).is_some_and(|c| Instant::now() < c.keep_until);
        state.refreshing = Some(crate::forks::generation());
        drop(state);

        let logger = transport.logger();
        if refused.is_some() {
            log(logger, Level::Warn, || {
                "the API refused the token (401); replacing it".to_string()
            });
        }
        // Ends the refresh if the fetch panics, so waiters are never left waiting.
        let unwinding = EndRefresh(self);
        let outcome = {
            let _here = RefreshingHere::mark(self);
            self.refresh(transport, refused.as_ref(), keep_possible)
        };
        std::mem::forget(unwinding);

        let mut state = self.lock();
        state.refreshing = None;
        state.ended += 1;
        // Settled before the waiters wake, so that none of them starts another refresh. Its
        // log line is written only after the lock is released: a log callback may call into
        // this client (access_token, a request), which takes the same lock.
        let mut line = None;
        let result = self.settle(&mut state, outcome, rejected, &mut line);
        drop(state);
        self.refreshed.notify_all();
        if let Some((level, text)) = line {
            log(logger, level, || text);
        }
        result
    }

    fn settle(
        &self,
        state: &mut State,
        outcome: Result<Refreshed>,
        rejected: Option<u64>,
        line: &mut Option<(Level, String)>,
    ) -> Result<Option<Token>> {
        let error = match outcome {
            Ok(Refreshed::New(SharedToken {
                value,
                remaining,
                lifetime,
            })) => {
                return install(state, value, remaining, lifetime)
                    .map(Some)
                    .ok_or_else(|| {
                        Error::new(
                            ErrorKind::AuthUnavailable,
                            "token endpoint issued a token that expired before it arrived",
                        )
                    })
            }
            Ok(Refreshed::KeepCurrent) => match state.current.as_mut() {
                Some(cached) => {
                    // Look again shortly, not at every request, while the other process
                    // fetches.
                    cached.refresh_at = (Instant::now() + STORE_POLL).min(cached.keep_until);
                    return Ok(Some(cached.token.clone()));
                }
                None => Error::new(ErrorKind::AuthUnavailable, "no token to keep in use"),
            },
            Err(error) => error,
        };
        if error.kind() == ErrorKind::Interrupted {
            // This thread's caller asked to stop waiting; nobody else did. The threads waiting
            // for this refresh must not get that answer (nor an older failure): they find no
            // failure and refresh themselves. Nor may the current token stand in for it: the
            // caller who asked to stop must hear that it stopped.
            state.last_failure = None;
            *line = Some((Level::Info, format!("token refresh given up: {error}")));
            return Err(error);
        }
        state.last_failure = Some(error.clone());
        let fallback = usable(state, rejected)
            .filter(|c| Instant::now() < c.expires_at)
            .map(|c| c.token.clone());
        *line = Some(match &fallback {
            Some(_) => (
                Level::Warn,
                format!("early token refresh failed, the current token stays in use: {error}"),
            ),
            None => {
                state.current = None;
                (Level::Error, format!("token refresh failed: {error}"))
            }
        });
        fallback.map(Some).ok_or(error)
    }

    fn replacement_allowed(&self, state: &mut State) -> bool {
        let now = Instant::now();
        let pace = &mut state.replacements;
        if pace.not_before.is_some_and(|t| now < t) {
            return false;
        }
        pace.in_a_row += 1;
        self.refusals.store(true, Ordering::Release);
        let pause = Duration::from_secs(1 << pace.in_a_row.saturating_sub(1).min(6));
        pace.not_before = Some(now + pause.min(Duration::from_secs(60)));
        true
    }

    /// Finds or fetches the next token, without holding the state lock.
    fn refresh(
        &self,
        transport: &Transport,
        refused: Option<&Secret>,
        keep_possible: bool,
    ) -> Result<Refreshed> {
        let Some(shared) = self.shared.as_deref() else {
            return self.fetch(transport);
        };
        if matches!(&self.grant, Grant::Connect(grant) if grant.signing_in()) {
            // A new sign-in replaces whatever the store holds for this grant.
            return self.fetch(transport).inspect(|fetched| {
                if let Refreshed::New(token) = fetched {
                    shared.with(|store| {
                        store.put_token(&token.value, token.remaining, token.lifetime)
                    });
                }
            });
        }
        let fresh =
            |t: &SharedToken| Some(&t.value) != refused && t.remaining > refresh_margin(t.lifetime);
        let lease = super::lease::length(self.refresh_bound);
        let started = Instant::now();
        let give_up_at = started + self.refresh_bound;
        let mut told = false;
        loop {
            match shared.with(|store| store.token()) {
                Some(Some(token)) if fresh(&token) => return Ok(Refreshed::New(token)),
                Some(_) => {}
                None => return self.fetch(transport),
            }
            match shared.with(|store| store.try_lease(self.holder(), lease)) {
                Some(true) => break,
                Some(false) if keep_possible => return Ok(Refreshed::KeepCurrent),
                Some(false) if Instant::now() < give_up_at => {
                    if !told && started.elapsed() >= WAIT_TOLD_AFTER {
                        told = true;
                        log(transport.logger(), Level::Warn, || {
                            format!(
                                "waiting for another process's token refresh (if that process \
                                 is gone, its lease runs out within {} ms)",
                                lease.as_millis()
                            )
                        });
                    }
                    interrupt::sleep(
                        STORE_POLL,
                        transport.interrupt(),
                        "another process's token refresh",
                    )?
                }
                // The lease holder should have finished by now: fetch rather than wait more.
                Some(false) => {
                    log(transport.logger(), Level::Warn, || {
                        "another process's token refresh outlasted its lease; fetching here"
                            .to_string()
                    });
                    return self.fetch(transport);
                }
                None => return self.fetch(transport),
            }
        }
        // Another process may have stored its token and ended its lease between our look
        // and our lease: look once more before asking the endpoint.
        let stored = shared.with(|store| store.token()).flatten();
        let fetched = match stored.filter(fresh) {
            Some(token) => {
                shared.clean_up(|store| store.end_lease(self.holder()));
                return Ok(Refreshed::New(token));
            }
            None => {
                super::lease::renewed_while(shared, self.holder(), lease, || self.fetch(transport))
            }
        };
        if let Ok(Refreshed::New(token)) = &fetched {
            shared.with(|store| store.put_token(&token.value, token.remaining, token.lifetime));
        }
        shared.clean_up(|store| store.end_lease(self.holder()));
        fetched
    }

    fn fetch(&self, transport: &Transport) -> Result<Refreshed> {
        super::fetch::fetch(&self.grant, transport, self.shared.as_deref()).map(Refreshed::New)
    }
}

thread_local! {
    /// The token sources this thread is refreshing now (addresses, only compared).
    static REFRESHING_HERE: std::cell::RefCell<Vec<usize>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Marks a refresh as this thread's while it runs, so that a callback inside it that asks the
/// same client for a token is answered at once instead of waiting for its own caller.
struct RefreshingHere(usize);

impl RefreshingHere {
    fn mark(source: &TokenSource) -> RefreshingHere {
        let address = source as *const TokenSource as usize;
        let _ = REFRESHING_HERE.try_with(|here| here.borrow_mut().push(address));
        RefreshingHere(address)
    }

    fn is(source: &TokenSource) -> bool {
        let address = source as *const TokenSource as usize;
        REFRESHING_HERE
            .try_with(|here| here.borrow().contains(&address))
            .unwrap_or(false)
    }
}

impl Drop for RefreshingHere {
    fn drop(&mut self) {
        let _ = REFRESHING_HERE.try_with(|here| {
            let mut here = here.borrow_mut();
            if let Some(at) = here.iter().rposition(|&a| a == self.0) {
                here.remove(at);
            }
        });
    }
}

struct EndRefresh<'a>(&'a TokenSource);

impl Drop for EndRefresh<'_> {
    fn drop(&mut self) {
        let mut state = self.0.lock();
        state.refreshing = None;
        state.ended += 1;
        drop(state);
        self.0.refreshed.notify_all();
    }
}

/// The token to use `now`, if it needs no refresh first: before its refresh time, or, while
/// another caller refreshes, until it must be kept no longer.
fn in_use(state: &State, rejected: Option<u64>, now: Instant) -> Option<&Cached> {
    usable(state, rejected)
        .filter(|c| now < c.refresh_at || (state.refreshing() && now < c.keep_until))
}

/// The current token unless the API refused it (`rejected` is its generation).
fn usable(state: &State, rejected: Option<u64>) -> Option<&Cached> {
    state
        .current
        .as_ref()
        .filter(|c| rejected != Some(c.token.generation))
}

/// Makes a token with `remaining` life the current one, unless it is already due for
/// replacement.
fn install(
    state: &mut State,
    value: Secret,
    remaining: Duration,
    lifetime: Duration,
) -> Option<Token> {
    let margin = refresh_margin(lifetime);
    let until_refresh = remaining.checked_sub(margin).filter(|d| !d.is_zero())?;
    let now = Instant::now();
    state.generation += 1;
    let token = Token {
        value,
        generation: state.generation,
    };
    state.current = Some(Cached {
        token: token.clone(),
        refresh_at: now + until_refresh,
        keep_until: now + remaining.saturating_sub(margin / 2),
        expires_at: now + remaining,
    });
    state.last_failure = None;
    Some(token)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::token::exchange::Credentials;

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
        let lifetime = Duration::from_secs(60);
        assert!(install(
            &mut state,
            Secret::new("t"),
            Duration::from_secs(5),
            lifetime
        )
        .is_none());
        assert!(state.current.is_none());
        let fresh = install(&mut state, Secret::new("t"), lifetime, lifetime);
        assert_eq!(fresh.unwrap().generation, 1);
    }

    #[test]
    fn refused_tokens_are_replaced_at_a_doubling_pace() {
        let config = Config::default();
        let source = TokenSource::new(
            Grant::ApiKey {
                credentials: Credentials::new("c", "s", "k").unwrap(),
                auth_url: config.auth_url.clone(),
                scope: config.api_key_scope().to_string(),
            },
            &config,
            None,
        );
        let mut state = State::default();
        assert!(source.replacement_allowed(&mut state), "the first at once");
        assert!(!source.replacement_allowed(&mut state), "the next waits");
        let pause = state.replacements.not_before.unwrap() - Instant::now();
        assert!(pause <= Duration::from_secs(1), "{pause:?}");
        state.replacements.not_before = Some(Instant::now());
        assert!(source.replacement_allowed(&mut state));
        let pause = state.replacements.not_before.unwrap() - Instant::now();
        assert!(pause > Duration::from_secs(1) && pause <= Duration::from_secs(2));
        for _ in 0..10 {
            state.replacements.not_before = Some(Instant::now());
            assert!(source.replacement_allowed(&mut state));
        }
        let pause = state.replacements.not_before.unwrap() - Instant::now();
        assert!(pause > Duration::from_secs(59) && pause <= Duration::from_secs(60));
    }
}
