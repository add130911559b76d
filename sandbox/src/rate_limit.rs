//! Dinero's rate limit: at most N requests per window per organization and client id, as a
//! *fixed* window ("wait a minute and continue"): the first request after a window has run out
//! opens the next one. Refused requests do not count, so hammering into 429s does not push
//! recovery further away (nor does it help).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

struct Window {
    opened: Instant,
    admitted: u32,
}

#[derive(Default)]
pub struct RateLimiter {
    windows: Mutex<HashMap<Arc<str>, Window>>,
}

impl RateLimiter {
    /// Admits a request counted under `key` (organization and client id) now, or refuses it
    /// with the time left until the window ends. A `limit` of 0 admits everything.
    pub fn admit(&self, key: &Arc<str>, limit: u32, window: Duration) -> Result<(), Duration> {
        if limit == 0 {
            return Ok(());
        }
        let now = Instant::now();
        let mut windows = self.windows.lock().unwrap_or_else(|e| e.into_inner());
        let current = windows.entry(Arc::clone(key)).or_insert(Window {
            opened: now,
            admitted: 0,
        });
        if now.duration_since(current.opened) >= window {
            *current = Window {
                opened: now,
                admitted: 0,
            };
        }
        // After a lowered limit there may be more than `limit` admitted: still a refusal.
        if current.admitted >= limit {
            return Err(window.saturating_sub(now.duration_since(current.opened)));
        }
        current.admitted += 1;
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
        assert!(limiter.admit(&a, 2, window).is_ok());
        assert!(limiter.admit(&a, 2, window).is_ok());
        let wait = limiter.admit(&a, 2, window).unwrap_err();
        assert!(wait <= window);
        assert!(limiter.admit(&b, 2, window).is_ok(), "limits are per key");
        std::thread::sleep(Duration::from_millis(60));
        assert!(limiter.admit(&a, 2, window).is_ok());
        assert!(limiter.admit(&a, 2, window).is_ok(), "a whole new window");
        assert!(limiter.admit(&a, 0, window).is_ok(), "0 means no limit");
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
