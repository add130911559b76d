//! When a failed or refused attempt is tried again, and after how long.
//!
//! The rules protect the books: a request is repeated only when repeating it cannot do twice
//! what the caller asked once, or turn a change that was made into an error (`Repeat`). 429
//! means "refused, not processed", so every method may repeat it; 480 and 503 say the server
//! did not act, so a PUT or DELETE repeats them too; 502/504 and a broken connection may have
//! followed processing, so only reads repeat them. Any method is repeated after a network
//! failure when the request provably never left (resolve, connect or TLS handshake failed).
//!
//! A 429 is waited out: for as long as its `Retry-After` says, or, without one, over the span
//! of one whole rate-limit window (`until_the_window_frees`).

use super::Treatment;
use crate::config::Config;
use std::time::{Duration, SystemTime};

/// When a request may be sent again after a failure.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Repeat {
    /// After any transient failure: reading (GET, HEAD, OPTIONS) or asking for a token changes
    /// nothing in the books.
    Always,
    /// Only when the first can have had no effect: nothing was sent, or the server answered
    /// that it did not act on it (429, 480, 503). A DELETE, or a PUT carrying the entity's
    /// Timestamp, is idempotent to HTTP, not to Dinero: a repeat of one that took effect is
    /// refused (code 65 deleted, 58 stale) for a change that was made. (That a 503 means the
    /// server did not act is an assumption: a proxy's 503 could follow a backend that did.)
    UnlessActedOn,
    /// Only when nothing was sent, or on a 429: a repeated POST that arrived is a duplicate.
    Never,
}

#[derive(Debug, Clone)]
pub struct RetryPolicy {
    pub max_retries: u32,
    pub base_delay: Duration,
    pub max_delay: Duration,
    pub retry_after_max: Duration,
    /// Dinero's rate-limit window (`rate_limit_window_ms`): how long a 429 without
    /// `Retry-After` may take to clear.
    pub window: Duration,
}

impl RetryPolicy {
    pub fn from_config(config: &Config) -> Self {
        RetryPolicy {
            max_retries: config.max_retries,
            base_delay: config.retry_base_delay,
            max_delay: config.retry_max_delay,
            retry_after_max: config.retry_after_max,
            window: config.rate_limit_window,
        }
    }

    /// The wait before retry number `attempt + 1` after an HTTP answer, or None to hand the
    /// answer to the caller. `paced`: the request counts against Dinero's API rate limit, so a
    /// 429 without Retry-After is that limit's window (the token endpoint's 429 is not).
    pub fn after_status(
        &self,
        attempt: u32,
        treatment: Treatment,
        status: u16,
        retry_after: Option<&str>,
    ) -> Option<Duration> {
        if attempt >= self.max_retries {
            return None;
        }
        match status {
            429 => match retry_after.and_then(parse_retry_after) {
                Some(wait) => (wait <= self.retry_after_max).then_some(wait),
                None if treatment.paced => self.until_the_window_frees(attempt),
                None => Some(self.backoff(attempt)),
            },
            // The server says it did not act on the request: browning out, or unavailable.
            480 | 503 if treatment.repeat != Repeat::Never => Some(self.backoff(attempt)),
            // A gateway's: the server behind it may have acted on it all the same.
            502 | 504 if treatment.repeat == Repeat::Always => Some(self.backoff(attempt)),
            _ => None,
        }
    }

    /// The wait before the next attempt after a transport failure, or None to give up.
    pub fn after_failure(
        &self,
        attempt: u32,
        repeat: Repeat,
        nothing_sent: bool,
    ) -> Option<Duration> {
        if attempt >= self.max_retries || !(repeat == Repeat::Always || nothing_sent) {
            return None;
        }
        Some(self.backoff(attempt))
    }

    /// "Equal jitter" exponential backoff: half of the exponential step is fixed, half random,
    /// so waits grow but many clients retrying together spread out.
    pub fn backoff(&self, attempt: u32) -> Duration {
        let step = self.exponential_step(attempt);
        let half = step / 2;
        half + half.mul_f64(crate::unique::fraction())
    }

    /// The wait after a 429 that gives no `Retry-After`. Dinero's limit is a fixed window
    /// ("wait a minute and continue"), which frees at a moment the answer does not tell; a
    /// short backoff would spend every retry inside the same window and fail. So the waits
    /// double from a small share of the window, and all the retries together span one whole
    /// window (at least): an early retry catches a window about to free, the last one comes
    /// after any window has. Up to a tenth more, at random, so that clients refused together
    /// do not return together.
    /// None when the share alone is longer than `retry_after_max`: the 429 is handed back.
    fn until_the_window_frees(&self, attempt: u32) -> Option<Duration> {
        let retries = self.max_retries.clamp(1, 30);
        let shares = f64::from((1u32 << retries) - 1);
        let share = f64::from(1u32 << attempt.min(retries - 1));
        let wait = self.window.mul_f64(share / shares);
        let spread = wait.mul_f64(crate::unique::fraction() / 10.0);
        (wait <= self.retry_after_max).then(|| (wait + spread).min(self.retry_after_max))
    }

    /// min(max_delay, base_delay * 2^attempt)
    pub fn exponential_step(&self, attempt: u32) -> Duration {
        let factor = 1u32.checked_shl(attempt.min(30)).unwrap_or(u32::MAX);
        self.base_delay
            .checked_mul(factor)
            .unwrap_or(self.max_delay)
            .min(self.max_delay)
    }
}

/// The longest wait Retry-After can express here (about 31 years): anything beyond is capped,
/// so that the policy sees "too long" and hands the answer back instead of ignoring the header.
const RETRY_AFTER_CAP: Duration = Duration::from_secs(999_999_999);

/// Retry-After as delay-seconds ("120", tolerating a fraction) or an HTTP date.
pub fn parse_retry_after(value: &str) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<f64>() {
        // Negative and NaN are not waits; anything huge is capped.
        return (secs >= 0.0)
            .then(|| Duration::from_secs_f64(secs.min(RETRY_AFTER_CAP.as_secs_f64())));
    }
    let when = httpdate::parse_http_date(value).ok()?;
    let wait = when
        .duration_since(SystemTime::now())
        .unwrap_or(Duration::ZERO);
    Some(wait.min(RETRY_AFTER_CAP))
}

#[cfg(test)]
mod tests {
    use super::*;

    const GET: Treatment = Treatment {
        repeat: Repeat::Always,
        paced: true,
    };
    const PUT: Treatment = Treatment {
        repeat: Repeat::UnlessActedOn,
        paced: true,
    };
    const POST: Treatment = Treatment {
        repeat: Repeat::Never,
        paced: true,
    };

    fn policy() -> RetryPolicy {
        RetryPolicy {
            max_retries: 3,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_millis(1000),
            retry_after_max: Duration::from_secs(60),
            window: Duration::from_secs(60),
        }
    }

    #[test]
    fn backoff_stays_within_half_and_whole_exponential_step() {
        let p = policy();
        for attempt in 0..12 {
            let step = p.exponential_step(attempt);
            assert_eq!(step, Duration::from_millis((100u64 << attempt).min(1000)));
            for _ in 0..200 {
                let d = p.backoff(attempt);
                assert!(
                    d >= step / 2 && d <= step,
                    "attempt {attempt}: {d:?} vs {step:?}"
                );
            }
        }
        assert_eq!(p.exponential_step(u32::MAX), Duration::from_millis(1000));
    }

    #[test]
    fn backoff_is_jittered() {
        let p = policy();
        let waits: std::collections::HashSet<Duration> = (0..50).map(|_| p.backoff(3)).collect();
        assert!(waits.len() > 10);
    }

    #[test]
    fn rate_limited_requests_retry_for_every_method() {
        let p = policy();
        assert_eq!(
            p.after_status(0, POST, 429, Some("2")),
            Some(Duration::from_secs(2))
        );
        assert!(p.after_status(0, POST, 429, None).is_some());
        assert_eq!(
            p.after_status(3, GET, 429, Some("1")),
            None,
            "capped by max_retries"
        );
        assert_eq!(
            p.after_status(0, GET, 429, Some("3600")),
            None,
            "beyond retry_after_max"
        );
    }

    #[test]
    fn without_retry_after_the_retries_of_a_429_span_one_whole_window() {
        let p = policy();
        for _ in 0..100 {
            let waits: Vec<Duration> = (0..p.max_retries)
                .map(|attempt| p.after_status(attempt, GET, 429, None).unwrap())
                .collect();
            // 60 s in shares of 1, 2 and 4 sevenths, each up to a tenth longer.
            for (wait, sevenths) in waits.iter().zip([1u32, 2, 4]) {
                let least = p.window * sevenths / 7;
                assert!(*wait >= least && *wait <= least.mul_f64(1.1), "{waits:?}");
            }
            assert!(waits.iter().sum::<Duration>() >= p.window, "{waits:?}");
        }
        // The token endpoint's 429 is not Dinero's API window: a short backoff, as for a 503.
        let token = Treatment {
            repeat: Repeat::Never,
            paced: false,
        };
        assert!(p.after_status(0, token, 429, None).unwrap() <= p.exponential_step(0));
        // A window longer than retry_after_max: the 429 is handed back, not waited for.
        let long = RetryPolicy {
            window: Duration::from_secs(3600),
            ..policy()
        };
        assert_eq!(long.after_status(2, GET, 429, None), None);
    }

    #[test]
    fn server_faults_are_retried_as_far_as_the_method_allows() {
        let p = policy();
        for status in [480, 502, 503, 504] {
            assert!(p.after_status(0, GET, status, None).is_some(), "{status}");
            assert!(p.after_status(0, POST, status, None).is_none(), "{status}");
        }
        // A PUT or DELETE only where the server did not act on it.
        for (status, retried) in [(480, true), (503, true), (502, false), (504, false)] {
            assert_eq!(
                p.after_status(0, PUT, status, None).is_some(),
                retried,
                "{status}"
            );
        }
        for status in [200, 201, 400, 401, 403, 404, 500] {
            assert!(p.after_status(0, GET, status, None).is_none(), "{status}");
        }
    }

    #[test]
    fn only_a_get_is_repeated_after_a_possibly_delivered_failure() {
        let p = policy();
        for repeat in [Repeat::Never, Repeat::UnlessActedOn] {
            assert!(p.after_failure(0, repeat, false).is_none());
            assert!(
                p.after_failure(0, repeat, true).is_some(),
                "nothing was sent"
            );
        }
        assert!(p.after_failure(0, Repeat::Always, false).is_some());
        assert!(p.after_failure(3, Repeat::Always, true).is_none());
    }

    #[test]
    fn retry_after_forms() {
        assert_eq!(parse_retry_after("5"), Some(Duration::from_secs(5)));
        assert_eq!(parse_retry_after(" 0.5 "), Some(Duration::from_millis(500)));
        assert_eq!(parse_retry_after("-1"), None);
        assert_eq!(parse_retry_after("soon"), None);
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"),
            Some(Duration::ZERO)
        );
        let later = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(30));
        let wait = parse_retry_after(&later).unwrap();
        assert!(wait > Duration::from_secs(25) && wait <= Duration::from_secs(30));
    }
}
