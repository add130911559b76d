//! Dinero's rate limit: at most N requests per window per client id, as a sliding window over
//! the admitted requests' arrival times. Rejected requests are not admitted, so hammering into
//! 429s does not push recovery further away (nor does it help).

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[derive(Default)]
pub struct RateLimiter {
    admitted: Mutex<HashMap<Arc<str>, VecDeque<Instant>>>,
}

impl RateLimiter {
    /// Admits a request of `client_id` now, or refuses it. A `limit` of 0 admits everything.
    pub fn admit(&self, client_id: &Arc<str>, limit: u32, window: Duration) -> bool {
        if limit == 0 {
            return true;
        }
        let now = Instant::now();
        let mut admitted = self.admitted.lock().unwrap_or_else(|e| e.into_inner());
        let times = admitted.entry(Arc::clone(client_id)).or_default();
        while times
            .front()
            .is_some_and(|&t| now.duration_since(t) >= window)
        {
            times.pop_front();
        }
        // After a lowered limit there may be more than `limit` entries: still a refusal.
        if times.len() >= limit as usize {
            return false;
        }
        times.push_back(now);
        true
    }
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
    fn sliding_window() {
        let limiter = RateLimiter::default();
        let a: Arc<str> = Arc::from("a");
        let b: Arc<str> = Arc::from("b");
        let window = Duration::from_millis(50);
        assert!(limiter.admit(&a, 2, window));
        assert!(limiter.admit(&a, 2, window));
        assert!(!limiter.admit(&a, 2, window));
        assert!(limiter.admit(&b, 2, window), "limits are per client id");
        std::thread::sleep(Duration::from_millis(60));
        assert!(limiter.admit(&a, 2, window));
        assert!(limiter.admit(&a, 0, window), "0 means no limit");
    }

    #[test]
    fn messages() {
        assert_eq!(
            quota_message(100, Duration::from_secs(60)),
            "API calls quota exceeded! maximum admitted 100 per 1m."
        );
        assert_eq!(window_text(Duration::from_secs(2)), "2s");
        assert_eq!(window_text(Duration::from_millis(300)), "300ms");
    }
}
