//! The store's refresh lease while this process fetches the token for all the others.
//!
//! Short, so that a process that dies fetching (a PHP-FPM worker ended at
//! `request_terminate_timeout`, a `kill -9`) holds the others up for seconds, not for the
//! minutes one fetch may take with its retries. Renewed while the fetch runs, so that a slow
//! fetch (retries, a token endpoint's Retry-After) keeps it and no second process fetches
//! meanwhile: with Visma Connect that would spend the one refresh token twice.

use crate::shared_state::SharedState;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::Duration;

/// The longest a lease lasts without renewal.
const LONGEST: Duration = Duration::from_secs(10);

/// How long a lease lasts without renewal: `LONGEST`, or `refresh_bound` (the longest one
/// fetch can take) when that is shorter.
pub fn length(refresh_bound: Duration) -> Duration {
    refresh_bound.min(LONGEST).max(Duration::from_millis(1))
}

/// Runs `fetch` while a thread renews the lease `holder` took, every quarter of its `length`,
/// until `fetch` returns. Without a thread (none could be started) the lease simply runs out.
pub fn renewed_while<T>(
    shared: &SharedState,
    holder: u64,
    length: Duration,
    fetch: impl FnOnce() -> T,
) -> T {
    let (fetching, ended) = mpsc::channel::<()>();
    std::thread::scope(|scope| {
        let renew = move || {
            while let Err(RecvTimeoutError::Timeout) = ended.recv_timeout(length / 4) {
                // Some(false): another holder has it, so ours ran out (the store was out of
                // reach too long); renewing would take it from them.
                if shared.with(|store| store.try_lease(holder, length)) == Some(false) {
                    break;
                }
            }
        };
        let _renewer = std::thread::Builder::new()
            .name("dinero-lease".into())
            .spawn_scoped(scope, renew);
        let fetched = fetch();
        drop(fetching); // ends the renewer, which the scope then joins
        fetched
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lease_is_at_most_ten_seconds_and_never_zero() {
        assert_eq!(length(Duration::from_secs(160)), LONGEST);
        assert_eq!(
            length(Duration::from_millis(1500)),
            Duration::from_millis(1500)
        );
        assert_eq!(length(Duration::ZERO), Duration::from_millis(1));
    }
}
