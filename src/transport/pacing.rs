//! Client-side rate limiting: at most `limit` requests in any window of `window`, shared by all
//! threads of a client, so a burst is spread out instead of turning into 429s.
//!
//! A token bucket would allow a full burst plus its refill inside one window, which a server
//! that counts a sliding window rejects. Here every request holds a slot from the moment it is
//! sent until `window` after its answer arrived: the answer time is an upper bound on when the
//! server counted it, so the server never sees more than `limit` in any window either.

use crate::error::Result;
use crate::interrupt::{self, Interrupt};
use std::collections::VecDeque;
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::time::{Duration, Instant};

pub struct SlidingWindow {
    limit: usize,
    window: Duration,
    /// How long a wait may last before the request goes anyway (see `acquire`).
    longest_wait: Duration,
    slots: Mutex<Slots>,
    freed: Condvar,
}

#[derive(Default)]
struct Slots {
    /// Requests under way, by id.
    in_flight: Vec<u64>,
    /// When each finished request's answer arrived, oldest first.
    finished: VecDeque<Instant>,
    next_id: u64,
}

impl Slots {
    fn forget_older_than(&mut self, now: Instant, window: Duration) {
        while self
            .finished
            .front()
            .is_some_and(|done| now.duration_since(*done) >= window)
        {
            self.finished.pop_front();
        }
    }
}

/// A reserved slot; dropping it records that the request is over.
pub struct Permit {
    pacer: Arc<SlidingWindow>,
    id: u64,
    /// Taken past the limit, because the wait outlasted its bound.
    pub overdrawn: bool,
    /// False once given back unused (`unused`): nothing was sent, so nothing counts.
    sent: bool,
}

impl Permit {
    /// Gives the slot back without counting it: the request it was taken for was never sent
    /// (its wait for the shared window was given up).
    pub fn unused(mut self) {
        self.sent = false;
    }
}

impl SlidingWindow {
    /// `longest_request` is the longest a request can hold its slot (its timeouts): a wait
    /// longer than that plus four windows means the slots are held by calls that cannot end
    /// while this one waits (a log callback making a request from inside a request).
    pub fn new(limit: u32, window: Duration, longest_request: Duration) -> Self {
        SlidingWindow {
            limit: limit.max(1) as usize,
            window,
            longest_wait: window * 4 + longest_request,
            slots: Mutex::new(Slots::default()),
            freed: Condvar::new(),
        }
    }

    /// Waits until a request may be sent, then reserves its slot. The wait is bounded: past
    /// `longest_wait` the slot is taken anyway (`overdrawn`), and Dinero's answer (at worst a
    /// 429 with its Retry-After) decides, as for the shared window.
    ///
    /// `interrupt` is asked while it waits (never when a slot is free): Err(Interrupted) when
    /// it asks to give up.
    pub fn acquire(self: &Arc<Self>, interrupt: Option<&Interrupt>) -> Result<Permit> {
        let deadline = Instant::now() + self.longest_wait;
        // A panic elsewhere while holding the lock leaves the slots consistent (every update
        // is a single push or pop), so a poisoned lock is safe to keep using.
        let mut slots = self.slots.lock().unwrap_or_else(PoisonError::into_inner);
        loop {
            let now = Instant::now();
            slots.forget_older_than(now, self.window);
            let free = slots.in_flight.len() + slots.finished.len() < self.limit;
            if free || now >= deadline {
                return Ok(self.reserve(&mut slots, !free));
            }
            // Until the oldest finished request leaves the window, or (every slot in flight)
            // until one finishes; never past the deadline.
            let wait = match slots.finished.front() {
                Some(oldest) => self.window.saturating_sub(now.duration_since(*oldest)),
                None => deadline - now,
            };
            let wait = wait.min(deadline - now);
            let what = "a slot in the rate window";
            slots = interrupt::wait_on(&self.freed, &self.slots, slots, wait, interrupt, what)?;
        }
    }

    fn reserve(self: &Arc<Self>, slots: &mut Slots, overdrawn: bool) -> Permit {
        let id = slots.next_id;
        slots.next_id += 1;
        slots.in_flight.push(id);
        Permit {
            pacer: Arc::clone(self),
            id,
            overdrawn,
            sent: true,
        }
    }

    fn release(&self, id: u64, sent: bool) {
        let mut slots = self.slots.lock().unwrap_or_else(PoisonError::into_inner);
        slots.in_flight.retain(|&i| i != id);
        if sent {
            slots.finished.push_back(Instant::now());
        }
        drop(slots);
        self.freed.notify_all();
    }
}

impl SlidingWindow {
    /// Whether nothing is in flight and nothing finished within `window`: such a window can be
    /// forgotten without changing any decision.
    pub fn is_idle(&self) -> bool {
        let mut slots = self.slots.lock().unwrap_or_else(PoisonError::into_inner);
        slots.forget_older_than(Instant::now(), self.window);
        slots.in_flight.is_empty() && slots.finished.is_empty()
    }
}

impl Drop for Permit {
    fn drop(&mut self) {
        self.pacer.release(self.id, self.sent);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    /// `limit` requests a `window`, a request taking ten seconds at most.
    fn pacer(limit: u32, window: Duration) -> Arc<SlidingWindow> {
        Arc::new(SlidingWindow::new(limit, window, Duration::from_secs(10)))
    }

    #[test]
    fn never_more_than_limit_in_any_window() {
        let window = Duration::from_millis(200);
        let pacer = pacer(5, window);
        let starts = Arc::new(Mutex::new(Vec::new()));
        let threads: Vec<_> = (0..4)
            .map(|_| {
                let (pacer, starts) = (pacer.clone(), starts.clone());
                std::thread::spawn(move || {
                    for _ in 0..4 {
                        let permit = pacer.acquire(None).unwrap();
                        starts.lock().unwrap().push(Instant::now());
                        drop(permit);
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        let mut starts = starts.lock().unwrap().clone();
        starts.sort();
        assert_eq!(starts.len(), 16);
        // Any 6 consecutive starts must span at least one window.
        for w in starts.windows(6) {
            assert!(
                w[5].duration_since(w[0]) >= window,
                "6 requests within one window"
            );
        }
    }

    #[test]
    fn in_flight_requests_hold_their_slot() {
        let pacer = pacer(1, Duration::from_millis(1));
        let first = pacer.acquire(None).unwrap();
        let released = std::sync::atomic::AtomicBool::new(false);
        std::thread::scope(|s| {
            s.spawn(|| {
                let _second = pacer.acquire(None).unwrap();
                assert!(released.load(std::sync::atomic::Ordering::SeqCst));
            });
            std::thread::sleep(Duration::from_millis(30));
            released.store(true, std::sync::atomic::Ordering::SeqCst);
            drop(first);
        });
    }

    #[test]
    fn a_slot_given_back_unused_does_not_count() {
        let pacer = pacer(1, Duration::from_secs(60));
        pacer.acquire(None).unwrap().unused();
        assert!(pacer.is_idle(), "nothing counts in the window");
        drop(pacer.acquire(None).unwrap());
        assert!(!pacer.is_idle(), "a slot used counts for the window");
    }

    #[test]
    fn a_request_that_finished_a_window_ago_no_longer_holds_its_slot() {
        // Otherwise every request past the first `limit` would wait the whole bound (here
        // ten seconds) and then go overdrawn.
        let window = Duration::from_millis(20);
        let pacer = pacer(1, window);
        drop(pacer.acquire(None).unwrap());
        std::thread::sleep(window * 2);
        let permit = pacer.acquire(None).unwrap();
        assert!(!permit.overdrawn, "the slot was free again");
    }

    #[test]
    fn a_finished_request_gives_back_only_its_own_slot() {
        // Two requests under way: the first one's answer must not free the second's slot too
        // (the next caller would then go while it is still in flight).
        let pacer = pacer(2, Duration::from_secs(60));
        let first = pacer.acquire(None).unwrap();
        let _second = pacer.acquire(None).unwrap();
        drop(first);
        let slots = pacer.slots.lock().unwrap();
        assert_eq!(slots.in_flight.len(), 1, "the second is still under way");
        assert_eq!(slots.finished.len(), 1, "the first counts in the window");
    }

    #[test]
    fn a_wait_that_outlasts_its_bound_goes_anyway_overdrawn() {
        // The only slot is held by a request that never ends (one that waits for this one).
        let pacer = Arc::new(SlidingWindow::new(
            1,
            Duration::from_millis(5),
            Duration::from_millis(20),
        ));
        let stuck = pacer.acquire(None).unwrap();
        assert!(!stuck.overdrawn, "a free slot is no overdraft");
        let second = pacer.acquire(None).unwrap();
        assert!(second.overdrawn, "taken past the limit, and says so");
    }
}
