//! The rate budget a request waits for: the window shared through `shared_state` while its
//! store answers, else this process's own sliding window (`pacing`).
//!
//! Dinero counts its limit per organization and client id. So a request spends the budget of
//! the organization its path names (`/v1/{id}/...`), or, for a path that names none, of the
//! client's `organization_id`; only a request with neither (`/v1/organizations` without that
//! option) spends the client's own budget (its API key's or its grant's). A Visma Connect
//! client reaching several organizations thus gets each one's whole budget, and two grants or
//! API keys of one organization share it.
//!
//! Both windows count a request from the moment it is sent and move it to the moment its
//! answer arrived (the latest the server can have counted it), so neither a sliding nor a fixed
//! server window ever sees more than `limit` in one `window`.

use super::pacing::{self, SlidingWindow};
use crate::config::Config;
use crate::error::Result;
use crate::interrupt::{self, Interrupt};
use crate::log::{log, Level, Logger};
use crate::shared_state::{Fingerprints, SharedState};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// How many organizations' own windows a client keeps before it forgets the idle ones.
const KEPT_WINDOWS: usize = 256;

pub struct Budget {
    limit: u32,
    window: Duration,
    longest_request: Duration,
    /// The organization of a request whose path names none.
    organization_id: Option<String>,
    /// What comes before the caller's path in every URL (`api_url`, without a trailing `/`).
    api_url: String,
    fingerprints: Arc<Fingerprints>,
    /// Each organization's budget (by its id; "" for the client's own): its fingerprint, made
    /// once, and this process's window for it.
    local: Mutex<HashMap<String, Budgeted>>,
    shared: Option<Arc<SharedState>>,
    logger: Option<Logger>,
    interrupt: Option<Interrupt>,
}

#[derive(Clone)]
struct Budgeted {
    fingerprint: Arc<str>,
    window: Arc<SlidingWindow>,
}

/// A counted request; dropping it records that its answer arrived.
pub enum Permit<'a> {
    Local(#[allow(dead_code)] pacing::Permit),
    Shared {
        state: &'a SharedState,
        budget: Arc<str>,
        id: u64,
        window: Duration,
        /// The same request in this process's own window, which takes over if the store
        /// stops answering.
        #[allow(dead_code)]
        local: pacing::Permit,
    },
}

impl Budget {
    /// None when pacing is off (`rate_limit_per_minute` 0).
    pub fn new(
        config: &Config,
        fingerprints: Arc<Fingerprints>,
        shared: Option<Arc<SharedState>>,
    ) -> Option<Budget> {
        (config.rate_limit > 0).then(|| Budget {
            limit: config.rate_limit,
            window: config.rate_limit_window,
            longest_request: config.connect_timeout + config.timeout,
            organization_id: config.organization_id.clone(),
            api_url: config.api_url.trim_end_matches('/').to_string(),
            fingerprints,
            local: Mutex::new(HashMap::new()),
            shared,
            logger: config.logger.clone(),
            interrupt: config.interrupt.clone(),
        })
    }

    /// Waits until a request to `url` may be sent. Shared slots go to waiters in the order
    /// they first asked (`shared_state/window.rs`), so a wait lasts as long as the queue in
    /// front of it. It is bounded all the same: after four windows the request is sent, and
    /// Dinero's answer (a 429, waited out) decides.
    ///
    /// Err(Interrupted) when `Config::interrupt` asks to give up the wait.
    pub fn acquire(&self, url: &str) -> Result<Permit<'_>> {
        // Only the caller's path tells: `api_url` may have a path of its own (a gateway's).
        let path = url.strip_prefix(self.api_url.as_str()).unwrap_or("");
        let organization = organization_in(path).or(self.organization_id.as_deref());
        let Budgeted {
            fingerprint: budget,
            window: local,
        } = self.budgeted(organization.unwrap_or(""));
        // This process's own window first. With a shared store it is free unless the process
        // sent a window's worth alone while the store was out of reach: Dinero counted those,
        // the store did not, so they are waited out here, before the shared slot is taken (a
        // shared slot counts from when it is taken, so it must be taken just before sending).
        let interrupt = self.interrupt.as_ref();
        let own = self.overdraft_logged(local.acquire(interrupt)?);
        let Some(state) = self.shared.as_deref() else {
            return Ok(Permit::Local(own));
        };
        let id = crate::unique::u64();
        let deadline = Instant::now() + self.window * 4;
        loop {
            match state.with(|store| store.take_slot(&budget, id, self.limit, self.window)) {
                Some(None) => {
                    return Ok(Permit::Shared {
                        state,
                        budget,
                        id,
                        window: self.window,
                        local: own,
                    })
                }
                Some(Some(wait)) if Instant::now() + wait < deadline => {
                    // Waiters in other processes may be due at the same instant; a little
                    // spread keeps them from asking the store all at once.
                    let spread = (self.window / self.limit).min(Duration::from_millis(5));
                    let pause = wait + spread.mul_f64(crate::unique::fraction());
                    let waited =
                        interrupt::sleep(pause, interrupt, "a slot in the shared rate window");
                    if let Err(given_up) = waited {
                        own.unused(); // nothing was sent
                        return Err(given_up);
                    }
                }
                Some(Some(_)) => {
                    log(self.logger.as_ref(), Level::Warn, || {
                        "no slot in the shared rate window after 4 windows; sending anyway"
                            .to_string()
                    });
                    return Ok(Permit::Local(own));
                }
                // The store is out of reach: the own window, already taken, decides alone.
                None => return Ok(Permit::Local(own)),
            }
        }
    }

    fn overdraft_logged(&self, permit: pacing::Permit) -> pacing::Permit {
        if permit.overdrawn {
            log(self.logger.as_ref(), Level::Warn, || {
                "no slot in the rate window while every slot stayed in use; sending anyway"
                    .to_string()
            });
        }
        permit
    }

    /// The budget of `organization` ("" for the client's own), made on first use. Past
    /// `KEPT_WINDOWS`, those with nothing in their window are forgotten (a later request
    /// starts an empty one, which is what they were), so a caller naming ever new
    /// organizations cannot grow the map without end.
    fn budgeted(&self, organization: &str) -> Budgeted {
        let mut budgets = self.local.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(budget) = budgets.get(organization) {
            return budget.clone();
        }
        if budgets.len() >= KEPT_WINDOWS {
            budgets.retain(|_, budget| !budget.window.is_idle());
        }
        let fingerprint = match organization {
            // The client's own, for a request with no organization.
            "" => self.fingerprints.window.clone(),
            id => self.fingerprints.organization(id),
        };
        let budget = Budgeted {
            fingerprint: Arc::from(fingerprint),
            window: Arc::new(SlidingWindow::new(
                self.limit,
                self.window,
                self.longest_request,
            )),
        };
        budgets.insert(organization.to_owned(), budget.clone());
        budget
    }
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        if let Permit::Shared {
            state,
            budget,
            id,
            window,
            ..
        } = self
        {
            state.with(|store| store.finish_slot(budget, *id, *window));
        }
    }
}

/// The organization a Dinero path names: the all-digit segment right after the version it
/// starts with (`/v1/424242/contacts`, `/v1.2/424242/invoices/...?fields=Guid`).
fn organization_in(path: &str) -> Option<&str> {
    let path = path.split(['?', '#']).next()?;
    let mut segments = path.strip_prefix('/')?.split('/');
    let is_version = segments.next()?.strip_prefix('v').is_some_and(|number| {
        !number.is_empty()
            && number
                .split('.')
                .all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()))
    });
    segments
        .next()
        .filter(|id| is_version && !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::organization_in;

    #[test]
    fn the_organization_is_the_number_after_the_version() {
        for (path, organization) in [
            ("/v1/424242/contacts", Some("424242")),
            ("/v1.2/424242/invoices/abc?x=1", Some("424242")),
            ("/v1/17?fields=Name", Some("17")),
            ("/v1/organizations", None),
            ("/v1/", None),
            ("/v1/12a/contacts", None),
            ("/contacts/v1/1", None),
            ("/vx/1/contacts", None),
            ("v1/1/contacts", None),
            ("", None),
        ] {
            assert_eq!(organization_in(path), organization, "{path}");
        }
    }
}
