//! Dinero's rate limit: at most N requests per window per organization and client id, as a
//! *fixed* window ("wait a minute and continue"): the first request after a window has run out
//! opens the next one. Refused requests do not count, so hammering into 429s does not push
//! recovery further away (nor does it help).
//!
//! A *sliding* window (`RateWindow::Sliding`) is the stricter judge a test can choose: it
//! refuses a request when `limit` others were admitted in the `window` before it, wherever the
//! window's edges fall. A client it never refuses passes any fixed window too.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How the limit's window is laid over time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RateWindow {
    /// Dinero's: opened by the first request, closed a window later.
    #[default]
    Fixed,
    /// Any `window` of time, ending at the request being judged.
    Sliding,
}

impl RateWindow {
    pub fn as_str(self) -> &'static str {
        match self {
            RateWindow::Fixed => "fixed",
            RateWindow::Sliding => "sliding",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "fixed" => Some(RateWindow::Fixed),
            "sliding" => Some(RateWindow::Sliding),
            _ => None,
        }
    }
}

struct Window {
    opened: Instant,
    admitted: u32,
    /// When each request of the last window was admitted (the sliding judge's memory).
    recent: VecDeque<Instant>,
}

#[derive(Default)]
pub struct RateLimiter {
    windows: Mutex<HashMap<Arc<str>, Window>>,
}

impl RateLimiter {
    /// Admits a request counted under `key` (organization and client id) now, or refuses it
    /// with the time left until it would be admitted. A `limit` of 0 admits everything.
    pub fn admit(
        &self,
        key: &Arc<str>,
        limit: u32,
        window: Duration,
        kind: RateWindow,
    ) -> Result<(), Duration> {
        self.admit_at(key, limit, window, kind, Instant::now())
    }

    /// `admit` as if it were `now` (the tests lay requests out in time without sleeping).
    fn admit_at(
        &self,
        key: &Arc<str>,
        limit: u32,
        window: Duration,
        kind: RateWindow,
        now: Instant,
    ) -> Result<(), Duration> {
        if limit == 0 {
            return Ok(());
        }
        let mut windows = self.windows.lock().unwrap_or_else(|e| e.into_inner());
        let current = windows.entry(Arc::clone(key)).or_insert(Window {
            opened: now,
            admitted: 0,
            recent: VecDeque::new(),
        });
        while current
            .recent
            .front()
            .is_some_and(|admitted| now.duration_since(*admitted) >= window)
        {
            current.recent.pop_front();
        }
        if now.duration_since(current.opened) >= window {
            current.opened = now;
            current.admitted = 0;
        }
        // After a lowered limit there may be more than `limit` admitted: still a refusal.
        match kind {
            RateWindow::Fixed if current.admitted >= limit => {
                return Err(window.saturating_sub(now.duration_since(current.opened)));
            }
            RateWindow::Sliding if current.recent.len() >= limit as usize => {
                let oldest = current.recent[current.recent.len() - limit as usize];
                return Err(window.saturating_sub(now.duration_since(oldest)));
            }
            _ => {}
        }
        current.admitted += 1;
        current.recent.push_back(now);
        // Only the last `limit` can ever decide; a lowered limit must not leave the rest.
        while current.recent.len() > limit as usize {
            current.recent.pop_front();
        }
        Ok(())
    }
}

/// The `Retry-After` value for a wait: whole seconds, rounded up, at least 1.
pub fn retry_after_seconds(wait: Duration) -> String {
    let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    secs.max(1).to_string()
}

/// The 429 body, with Dinero's wording: `API calls quota exceeded! maximum admitted 100 per 1m.`
pub fn quota_message(limit: u32, window: Duration) -> String {
    format!(
        "API calls quota exceeded! maximum admitted {limit} per {}.",
        window_text(window)
    )
}

/// `1m` for 60 s (Dinero's own text), else whole minutes, seconds or milliseconds.
fn window_text(window: Duration) -> String {
    let ms = window.as_millis();
    if ms > 0 && ms.is_multiple_of(60_000) {
        format!("{}m", ms / 60_000)
    } else if ms > 0 && ms.is_multiple_of(1000) {
        format!("{}s", ms / 1000)
    } else {
        format!("{ms}ms")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_window() {
        let limiter = RateLimiter::default();
        let a: Arc<str> = Arc::from("1:a");
        let b: Arc<str> = Arc::from("1:b");
        let window = Duration::from_millis(50);
        assert!(limiter.admit(&a, 2, window, RateWindow::Fixed).is_ok());
        assert!(limiter.admit(&a, 2, window, RateWindow::Fixed).is_ok());
        let wait = limiter.admit(&a, 2, window, RateWindow::Fixed).unwrap_err();
        assert!(wait <= window);
        assert!(
            limiter.admit(&b, 2, window, RateWindow::Fixed).is_ok(),
            "limits are per key"
        );
        std::thread::sleep(Duration::from_millis(60));
        assert!(limiter.admit(&a, 2, window, RateWindow::Fixed).is_ok());
        assert!(
            limiter.admit(&a, 2, window, RateWindow::Fixed).is_ok(),
            "a whole new window"
        );
        assert!(
            limiter.admit(&a, 0, window, RateWindow::Fixed).is_ok(),
            "0 means no limit"
        );
    }

    #[test]
    fn a_sliding_window_refuses_what_a_fixed_one_lets_through_at_its_edge() {
        let window = Duration::from_millis(200);
        let start = Instant::now();
        let at = |ms: u64| start + Duration::from_millis(ms);
        for (kind, admitted_after_the_edge) in [(RateWindow::Fixed, 2), (RateWindow::Sliding, 1)] {
            let limiter = RateLimiter::default();
            let key: Arc<str> = Arc::from("1:a");
            assert!(limiter.admit_at(&key, 2, window, kind, at(0)).is_ok());
            assert!(limiter.admit_at(&key, 2, window, kind, at(120)).is_ok());
            // Past the fixed window's end, still inside the second request's window.
            let admitted = (0..2)
                .filter(|_| limiter.admit_at(&key, 2, window, kind, at(220)).is_ok())
                .count();
            assert_eq!(admitted, admitted_after_the_edge, "{kind:?}");
            // The sliding judge's wait is until the second request leaves the window.
            if kind == RateWindow::Sliding {
                let wait = limiter
                    .admit_at(&key, 2, window, kind, at(220))
                    .unwrap_err();
                assert_eq!(wait, Duration::from_millis(100));
            }
        }
    }

    #[test]
    fn messages() {
        assert_eq!(
            quota_message(100, Duration::from_secs(60)),
            "API calls quota exceeded! maximum admitted 100 per 1m."
        );
        assert_eq!(window_text(Duration::from_secs(2)), "2s");
        assert_eq!(window_text(Duration::from_millis(300)), "300ms");
        assert_eq!(retry_after_seconds(Duration::from_millis(1)), "1");
        assert_eq!(retry_after_seconds(Duration::from_millis(59_001)), "60");
        assert_eq!(retry_after_seconds(Duration::ZERO), "1");
    }
}
