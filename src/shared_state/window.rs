//! The shared rate window as plain data, for stores that keep it themselves (the file; Redis
//! runs the same rules as a Lua script, `redis.rs`).
//!
//! Times are whole milliseconds, cut down from the clock's, so a slot counts through the whole
//! millisecond its time names: a request answered at 1000.9 ms and recorded as 1000 must not
//! leave the window at 1000 + window, 0.9 ms before the server lets it go.
//!
//! Slots are granted in the order callers first asked: when the window is full, a caller joins
//! a queue and is told to come back when the slot meant for its place frees up. Without the
//! queue, every waiting process would wake for the same freed slot and one that keeps losing
//! could wait without end. A waiter that does not come back when told (it gave up, or died)
//! loses its place after `GRACE`, so it never holds up the others for long.

/// How late a waiter may come back before its place in the queue is given up.
pub(super) const GRACE_MS: u64 = 1000;

#[derive(Default)]
pub struct Window {
    /// (request id, unix ms it counts from).
    pub slots: Vec<(u64, u64)>,
    /// (request id, unix ms it is due back), in the order they first asked.
    pub waiters: Vec<(u64, u64)>,
}

impl Window {
    /// Counts request `id` now if its turn has come and the window has room; else queues it
    /// and says how many ms to wait before asking again.
    pub fn take(&mut self, id: u64, limit: u32, window_ms: u64, now: u64) -> Option<u64> {
        self.settle(window_ms, now);
        self.waiters
            .retain(|(waiter, due)| *waiter == id || due + GRACE_MS > now);
        let free = (limit as usize).saturating_sub(self.slots.len());
        let place = self.waiters.iter().position(|(waiter, _)| *waiter == id);
        let ahead = place.unwrap_or(self.waiters.len());
        if ahead < free {
            if let Some(place) = place {
                self.waiters.remove(place);
            }
            self.slots.push((id, now));
            return None;
        }
        // The slot for this place frees when the (ahead - free + 1)-th oldest one expires.
        let mut counted: Vec<u64> = self.slots.iter().map(|(_, at)| *at).collect();
        counted.sort_unstable();
        let wake = counted
            .get(ahead - free)
            .map_or(now + window_ms, |at| at + window_ms + 1);
        let wait = wake.saturating_sub(now).max(1);
        match place {
            Some(place) => self.waiters[place].1 = now + wait,
            None => self.waiters.push((id, now + wait)),
        }
        Some(wait)
    }

    /// Forgets the slots that left the window. Times ahead of `now` (the clock was stepped back
    /// since they were written) count from `now`: they still leave within one window, instead
    /// of holding everyone back for as long as the clock jumped.
    pub fn settle(&mut self, window_ms: u64, now: u64) {
        for (_, at) in &mut self.slots {
            *at = (*at).min(now);
        }
        for (_, due) in &mut self.waiters {
            *due = (*due).min(now + window_ms);
        }
        self.slots.retain(|(_, at)| at + window_ms >= now);
    }

    /// Moves request `id` to the time its answer arrived.
    pub fn finish(&mut self, id: u64, window_ms: u64, now: u64) {
        self.settle(window_ms, now);
        match self.slots.iter_mut().find(|(slot, _)| *slot == id) {
            Some(slot) => slot.1 = now,
            None => self.slots.push((id, now)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_more_than_the_limit_in_a_window() {
        let mut w = Window::default();
        assert_eq!(w.take(1, 2, 1000, 0), None);
        assert_eq!(w.take(2, 2, 1000, 10), None);
        assert_eq!(w.take(3, 2, 1000, 20), Some(981));
        assert_eq!(
            w.take(3, 2, 1000, 1000),
            Some(1),
            "the first slot's ms is not over"
        );
        assert_eq!(w.take(3, 2, 1000, 1001), None, "the first slot expired");
    }

    #[test]
    fn waiters_are_served_in_the_order_they_first_asked() {
        let mut w = Window::default();
        assert_eq!(w.take(1, 1, 1000, 0), None);
        let first = w.take(10, 1, 1000, 5).unwrap();
        let second = w.take(20, 1, 1000, 6).unwrap();
        assert_eq!(first, 996);
        // Its slot is not even taken yet: it looks again a window from now at the latest.
        assert_eq!(second, 1000);
        // The second waiter comes back first, but the slot is the first waiter's.
        assert!(w.take(20, 1, 1000, 1001).is_some());
        assert_eq!(w.take(10, 1, 1000, 1002), None);
        assert_eq!(w.take(20, 1, 1000, 2003), None);
    }

    #[test]
    fn a_waiter_that_never_comes_back_loses_its_place() {
        let mut w = Window::default();
        assert_eq!(w.take(1, 1, 1000, 0), None);
        assert!(w.take(10, 1, 1000, 1).is_some(), "due back at 1001");
        assert!(w.take(20, 1, 1000, 2).is_some());
        // Waiter 10 died. Past its grace, 20 gets the slot.
        assert_eq!(w.take(20, 1, 1000, 1001 + GRACE_MS), None);
    }

    #[test]
    fn a_clock_stepped_back_holds_no_one_back_longer_than_a_window() {
        let mut w = Window::default();
        assert_eq!(w.take(1, 1, 1000, 120_000), None);
        // The clock went back two minutes: the slot counts from now, not from "the future".
        assert_eq!(w.take(2, 1, 1000, 0), Some(1001));
        assert_eq!(w.take(2, 1, 1000, 1001), None);
    }

    #[test]
    fn finish_moves_a_slot_to_the_answer() {
        let mut w = Window::default();
        assert_eq!(w.take(1, 1, 1000, 0), None);
        w.finish(1, 1000, 400);
        assert_eq!(w.take(2, 1, 1000, 1000), Some(401));
        assert_eq!(w.take(2, 1, 1000, 1400), Some(1), "400's ms is not over");
        assert_eq!(w.take(2, 1, 1000, 1401), None);
    }

    #[test]
    fn a_waiter_behind_the_free_slots_waits_only_until_its_own_slot_frees() {
        let mut w = Window::default();
        assert_eq!(w.take(1, 2, 1000, 0), None);
        assert_eq!(w.take(2, 2, 1000, 10), None);
        assert_eq!(w.take(10, 2, 1000, 20), Some(981));
        assert_eq!(w.take(20, 2, 1000, 30), Some(981));
        // Slot 1 has left: one slot is free, and it is waiter 10's. Waiter 20, back early,
        // is told when slot 2 leaves (1011), not sent away for a whole window.
        assert_eq!(w.take(20, 2, 1000, 1005), Some(6));
    }

    /// A window of one slot a minute: waiter 10 and then waiter 20 queue behind slot 1; 10
    /// takes the slot once it frees, and 20, first in line now, has asked again (at 60,200)
    /// and been told to come back when 10's slot leaves.
    fn second_in_line_then_first_and_asked_again() -> Window {
        let mut w = Window::default();
        assert_eq!(w.take(1, 1, 60_000, 0), None);
        assert_eq!(w.take(10, 1, 60_000, 100), Some(59_901));
        assert_eq!(w.take(20, 1, 60_000, 200), Some(60_000));
        assert_eq!(w.take(10, 1, 60_000, 60_001), None);
        assert_eq!(w.take(20, 1, 60_000, 60_200), Some(59_802));
        w
    }

    #[test]
    fn a_waiter_that_asks_again_keeps_its_place() {
        // Waiter 20 is first in line now and told to come back when 10's slot leaves; it
        // stays due back then, so a newcomer meanwhile does not take its place.
        let mut w = second_in_line_then_first_and_asked_again();
        assert!(w.take(30, 1, 60_000, 61_000).is_some());
        assert_eq!(w.take(20, 1, 60_000, 120_002), None);
    }

    #[test]
    fn a_waiter_that_dies_is_passed_over_a_grace_after_it_was_due_back() {
        // Due back soon (its slot frees in a second) then dead: the others wait a grace more,
        // not a whole window.
        let mut w = Window::default();
        assert_eq!(w.take(1, 1, 60_000, 100_000), None);
        assert_eq!(w.take(10, 1, 60_000, 159_000), Some(1001));
        assert!(w.take(20, 1, 60_000, 159_001).is_some());
        assert_eq!(w.take(20, 1, 60_000, 160_001 + GRACE_MS), None);

        // The same for a waiter that died after asking a second time.
        let mut w = second_in_line_then_first_and_asked_again();
        assert_eq!(w.take(30, 1, 60_000, 120_002 + GRACE_MS), None);
    }

    #[test]
    fn a_clock_stepped_back_holds_no_one_behind_a_dead_waiter_longer_than_a_window() {
        let mut w = Window::default();
        assert_eq!(w.take(1, 1, 1000, 1_000_000), None);
        assert_eq!(w.take(10, 1, 1000, 1_000_001), Some(1000));
        // Waiter 10 died, and the clock went back two minutes: it is due back a window from
        // now at the latest, not at 1_001_001, and loses its place a grace after that.
        assert!(w.take(20, 1, 1000, 880_000).is_some());
        assert_eq!(w.take(20, 1, 1000, 881_000 + GRACE_MS), None);
    }
}
