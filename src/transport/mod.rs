//! Sending requests: one exchange over HTTP (`http`), repeated when that is safe (`retry`),
//! and spaced out under the rate limit (`budget`: shared by processes, or `pacing` alone).

mod budget;
pub mod http;
pub mod pacing;
mod proxy;
mod resolver;
pub mod retry;
mod tcp;

use crate::config::Config;
use crate::error::{Error, ErrorKind, Result};
use crate::interrupt::{self, Interrupt};
use crate::log::{log, loggable_path, Level, Logger};
use crate::response::Response;
use crate::secret::Secret;
use crate::shared_state::{Fingerprints, SharedState};
use budget::Budget;
use http::{Exchange, Failure, HttpClient};
pub use retry::Repeat;
use retry::RetryPolicy;
use std::sync::Arc;
use std::time::{Duration, Instant};

pub struct Transport {
    http: HttpClient,
    retry: RetryPolicy,
    budget: Option<Budget>,
    logger: Option<Logger>,
    interrupt: Option<Interrupt>,
}

/// How one logical request may be treated.
#[derive(Clone, Copy)]
pub struct Treatment {
    /// When it may be sent again after a failure.
    pub repeat: Repeat,
    /// It counts against Dinero's API rate limit (the token endpoint does not).
    pub paced: bool,
}

impl Transport {
    /// `shared`: the store of `shared_state`, whose rate windows this transport then shares;
    /// `fingerprints` name them.
    pub fn new(
        config: &Config,
        fingerprints: Arc<Fingerprints>,
        shared: Option<Arc<SharedState>>,
    ) -> Result<Self> {
        Ok(Transport {
            http: HttpClient::new(config)?,
            retry: RetryPolicy::from_config(config),
            budget: Budget::new(config, fingerprints, shared),
            logger: config.logger.clone(),
            interrupt: config.interrupt.clone(),
        })
    }

    pub fn logger(&self) -> Option<&Logger> {
        self.logger.as_ref()
    }

    /// The caller's check, asked while a call waits (`interrupt.rs`).
    pub fn interrupt(&self) -> Option<&Interrupt> {
        self.interrupt.as_ref()
    }

    /// Sends the request, retrying as `retry` allows. An HTTP answer of any status is Ok;
    /// Err means no usable answer arrived.
    ///
    /// `authorization` gives the Authorization header for each attempt. It is asked after the
    /// wait for a rate-limit slot, so that a token is never taken, left to age through a long
    /// wait or backoff, and then sent expired.
    pub fn execute(
        &self,
        exchange: &Exchange<'_>,
        treatment: Treatment,
        authorization: &dyn Fn() -> Result<Secret>,
    ) -> Result<Response> {
        let mut attempt = 0u32;
        let path = loggable_path(exchange.url);
        loop {
            let queued = Instant::now();
            let outcome = {
                let _permit = match (&self.budget, treatment.paced) {
                    (Some(budget), true) => Some(budget.acquire(exchange.url)?),
                    _ => None,
                };
                let paced_for = queued.elapsed();
                if paced_for >= Duration::from_millis(1) {
                    log(self.logger(), Level::Debug, || {
                        format!("waited {} ms for the rate limit", paced_for.as_millis())
                    });
                }
                let credential = authorization()?;
                let mut headers = Vec::with_capacity(exchange.headers.len() + 1);
                // Visma Connect's token requests carry the client's credentials in the form.
                if !credential.is_empty() {
                    headers.push(("authorization", credential.expose()));
                }
                headers.extend_from_slice(exchange.headers);
                self.http.send(&Exchange {
                    headers: &headers,
                    ..*exchange
                })
            };
            let wait = match &outcome {
                Ok(response) => self.retry.after_status(
                    attempt,
                    treatment,
                    response.status(),
                    response.header("retry-after"),
                ),
                // Only a broken connection or answer may go better the next time. A timeout is
                // handed back at once (repeating it would multiply the wait the caller bounded
                // with timeout_ms), and a TLS refusal or an oversized body would only repeat.
                Err(failure)
                    if !matches!(
                        failure.error.kind(),
                        ErrorKind::Network | ErrorKind::Protocol
                    ) =>
                {
                    None
                }
                Err(failure) => {
                    self.retry
                        .after_failure(attempt, treatment.repeat, failure.nothing_sent)
                }
            };
            self.log_attempt(exchange.method, path, attempt + 1, queued, &outcome, wait);
            match (wait, outcome) {
                (Some(wait), _) => {
                    interrupt::sleep(wait, self.interrupt(), "the pause before a retry")?
                }
                (None, Ok(response)) => return Ok(response),
                (None, Err(failure)) => {
                    // The server is named: a wrong or unset URL then shows at once.
                    let error = failure.error;
                    let server = server_of(exchange.url);
                    let message = match attempt {
                        0 => format!("{} ({server})", error.message()),
                        _ => format!(
                            "{} ({server}, after {} attempts)",
                            error.message(),
                            attempt + 1
                        ),
                    };
                    return Err(Error::new(error.kind(), message));
                }
            }
            attempt += 1;
        }
    }

    fn log_attempt(
        &self,
        method: &str,
        path: &str,
        attempt: u32,
        started: Instant,
        outcome: &std::result::Result<Response, Failure>,
        wait: Option<Duration>,
    ) {
        let elapsed = started.elapsed().as_millis();
        let retry = wait.map_or(String::new(), |w| {
            format!("; retrying in {} ms", w.as_millis())
        });
        let (level, result) = match outcome {
            Ok(response) => {
                let level = if wait.is_some() {
                    Level::Warn
                } else {
                    Level::Info
                };
                (level, response.status().to_string())
            }
            Err(failure) => {
                let level = if wait.is_some() {
                    Level::Warn
                } else {
                    Level::Error
                };
                (level, format!("failed: {}", failure.error.message()))
            }
        };
        log(self.logger(), level, || {
            format!("{method} {path} -> {result} (attempt {attempt}, {elapsed} ms){retry}")
        });
    }
}

/// The scheme, host and port of `url` (`https://authz.dinero.dk`), for messages: its path,
/// query and user info stay out of them.
pub(crate) fn server_of(url: &str) -> String {
    let Ok(uri) = url.parse::<::http::Uri>() else {
        return "the server".to_string();
    };
    let port = uri.port_u16().map(|p| format!(":{p}")).unwrap_or_default();
    match (uri.scheme_str(), uri.host()) {
        (Some(scheme), Some(host)) => format!("{scheme}://{host}{port}"),
        _ => "the server".to_string(),
    }
}
