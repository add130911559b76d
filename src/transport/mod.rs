//! Sending requests: one exchange over HTTP (`http`), repeated when that is safe (`retry`),
//! and spaced out under the rate limit (`pacing`).

pub mod http;
pub mod pacing;
pub mod retry;

use crate::config::Config;
use crate::error::{Error, ErrorKind, Result};
use crate::response::Response;
use crate::secret::Secret;
use http::{Exchange, HttpClient};
use pacing::SlidingWindow;
use retry::RetryPolicy;

pub struct Transport {
    http: HttpClient,
    retry: RetryPolicy,
    pacer: Option<SlidingWindow>,
}

/// How one logical request may be treated.
#[derive(Clone, Copy)]
pub struct Treatment {
    /// Repeating it cannot change the server's state twice.
    pub idempotent: bool,
    /// It counts against Dinero's API rate limit (the token endpoint does not).
    pub paced: bool,
}

impl Transport {
    pub fn new(config: &Config) -> Result<Self> {
        Ok(Transport {
            http: HttpClient::new(config)?,
            retry: RetryPolicy::from_config(config),
            pacer: (config.rate_limit > 0)
                .then(|| SlidingWindow::new(config.rate_limit, config.rate_limit_window)),
        })
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
        loop {
            let outcome = {
                let _permit = treatment
                    .paced
                    .then(|| self.pacer.as_ref().map(SlidingWindow::acquire))
                    .flatten();
                let credential = authorization()?;
                let mut headers = Vec::with_capacity(exchange.headers.len() + 1);
                headers.push(("authorization", credential.expose()));
                headers.extend_from_slice(exchange.headers);
                self.http.send(&Exchange {
                    headers: &headers,
                    ..*exchange
                })
            };
            let wait = match &outcome {
                Ok(response) => self.retry.after_status(
                    attempt,
                    treatment.idempotent,
                    response.status(),
                    response.header("retry-after"),
                ),
                // A timeout is handed back at once: repeating it would multiply the wait the
                // caller bounded with timeout_ms.
                Err(failure) if failure.error.kind() == ErrorKind::Timeout => None,
                Err(failure) => {
                    self.retry
                        .after_failure(attempt, treatment.idempotent, failure.nothing_sent)
                }
            };
            match (wait, outcome) {
                (Some(wait), _) => std::thread::sleep(wait),
                (None, Ok(response)) => return Ok(response),
                (None, Err(failure)) if attempt == 0 => return Err(failure.error),
                (None, Err(failure)) => {
                    let tries = attempt + 1;
                    let error = failure.error;
                    let message = format!("{} (after {tries} attempts)", error.message());
                    return Err(Error::new(error.kind(), message));
                }
            }
            attempt += 1;
        }
    }
}
