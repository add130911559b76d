//! Closing an object that other threads may be using: `close` stops new calls, waits for the
//! calls already inside, then lets the object go. Written once here so that no binding keeps
//! its own count of calls in flight (the C surface's `dinero_client_close` uses it).
//!
//! The wait for calls in flight has no deadline of its own: each of those calls is bounded by
//! its own deadlines (connect and request timeouts, retry and pacing limits, the shared-state
//! lease), so the wait ends when the slowest of them does. A call that would wait for itself
//! (a close from a callback running inside a call on the same object) is refused instead,
//! except on a thread that is ending (a call from a thread-exit destructor), whose storage for
//! telling so is gone: such a close waits for itself.

use crate::error::{Error, Result};
use std::cell::RefCell;
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};

thread_local! {
    /// The gates this thread is inside, by address: a close from inside one would never end.
    static ENTERED: RefCell<Vec<usize>> = const { RefCell::new(Vec::new()) };
}

/// Holds a value that calls use through a [`Pass`] until [`Gate::close`].
#[derive(Debug)]
pub struct Gate<T: Clone> {
    what: &'static str,
    state: Mutex<State<T>>,
    idle: Condvar,
}

#[derive(Debug)]
struct State<T> {
    value: Option<T>,
    in_flight: usize,
}

/// One call inside the gate: gives the value, and counts as in flight until dropped.
#[derive(Debug)]
pub struct Pass<'a, T: Clone> {
    gate: &'a Gate<T>,
    value: T,
}

impl<T: Clone> Gate<T> {
    /// `what` names the object in errors ("the client").
    pub fn new(what: &'static str, value: T) -> Self {
        Gate {
            what,
            state: Mutex::new(State {
                value: Some(value),
                in_flight: 0,
            }),
            idle: Condvar::new(),
        }
    }

    // A panic while the lock was held cannot leave the count half-updated (every update is
    // one statement), so a poisoned lock is still sound to use.
    fn lock(&self) -> MutexGuard<'_, State<T>> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn address(&self) -> usize {
        self as *const Self as usize
    }

    /// Starts a call: the value, or an InvalidArgument error once the gate is closed.
    pub fn enter(&self) -> Result<Pass<'_, T>> {
        let mut state = self.lock();
        let value = state.value.clone().ok_or_else(|| {
            Error::invalid(format!(
                "{} is closed: it cannot be used any more",
                self.what
            ))
        })?;
        state.in_flight += 1;
        drop(state);
        // Not kept on a thread whose storage is gone (see `ffi::boundary`): a close from a
        // callback inside such a call is then not recognised as one.
        let _ = ENTERED.try_with(|entered| entered.borrow_mut().push(self.address()));
        Ok(Pass { gate: self, value })
    }

    /// Refuses new calls at once, waits for the calls in flight on other threads, then drops
    /// the gate's own copy of the value. A second close does nothing. A close from inside a
    /// call through this gate on the same thread (e.g. from a log callback) is refused and
    /// changes nothing.
    pub fn close(&self) -> Result<()> {
        let inside = ENTERED
            .try_with(|entered| entered.borrow().contains(&self.address()))
            .unwrap_or(false);
        if inside {
            return Err(Error::invalid(format!(
                "{} cannot be closed from inside one of its own calls (a callback): that call \
                 would wait for itself",
                self.what
            )));
        }
        let mut state = self.lock();
        let value = state.value.take();
        while state.in_flight > 0 {
            state = self
                .idle
                .wait(state)
                .unwrap_or_else(PoisonError::into_inner);
        }
        drop(state);
        // Dropped outside the lock: dropping a client wipes secrets and closes connections.
        drop(value);
        Ok(())
    }

    /// True once `close` has begun.
    #[cfg(test)]
    pub fn is_closed(&self) -> bool {
        self.lock().value.is_none()
    }
}

impl<T: Clone> std::ops::Deref for Pass<'_, T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.value
    }
}

impl<T: Clone> Drop for Pass<'_, T> {
    fn drop(&mut self) {
        let address = self.gate.address();
        let _ = ENTERED.try_with(|entered| {
            let mut entered = entered.borrow_mut();
            if let Some(index) = entered.iter().rposition(|&a| a == address) {
                entered.remove(index);
            }
        });
        let mut state = self.gate.lock();
        state.in_flight -= 1;
        // Only a close (which empties `value` under this lock before it waits) can be waiting:
        // a notify costs a system call, which every request would otherwise pay.
        if state.in_flight == 0 && state.value.is_none() {
            self.gate.idle.notify_all();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;
    use std::sync::mpsc;
    use std::sync::Arc;
    use std::thread;

    #[test]
    fn calls_after_close_fail_with_a_clear_error() {
        let gate = Gate::new("the client", 7);
        assert_eq!(*gate.enter().unwrap(), 7);
        gate.close().unwrap();
        gate.close().unwrap();
        let error = gate.enter().unwrap_err();
        assert_eq!(error.kind(), ErrorKind::InvalidArgument);
        assert!(
            error.message().contains("the client is closed"),
            "{error:?}"
        );
        assert!(gate.is_closed());
    }

    #[test]
    fn close_waits_for_a_call_in_flight_on_another_thread() {
        let gate = Arc::new(Gate::new("the client", String::from("value")));
        let (entered_tx, entered_rx) = mpsc::channel();
        let (finish_tx, finish_rx) = mpsc::channel::<()>();
        let (done_tx, done_rx) = mpsc::channel();
        let caller = {
            let gate = Arc::clone(&gate);
            thread::spawn(move || {
                let pass = gate.enter().unwrap();
                entered_tx.send(()).unwrap();
                finish_rx.recv().unwrap();
                done_tx.send(pass.len()).unwrap();
            })
        };
        entered_rx.recv().unwrap();
        let closer = {
            let gate = Arc::clone(&gate);
            thread::spawn(move || gate.close())
        };
        // The closer cannot finish before the call does: the call's result is sent first,
        // and the closer is joined only after it.
        while !gate.is_closed() {
            thread::yield_now();
        }
        assert!(
            !closer.is_finished(),
            "close returned with a call in flight"
        );
        assert!(
            gate.enter().is_err(),
            "new calls are refused while close waits"
        );
        finish_tx.send(()).unwrap();
        assert_eq!(done_rx.recv().unwrap(), 5);
        caller.join().unwrap();
        closer.join().unwrap().unwrap();
        assert_eq!(gate.lock().in_flight, 0);
    }

    #[test]
    fn close_from_inside_a_call_is_refused_not_a_deadlock() {
        let gate = Gate::new("the client", 1);
        let pass = gate.enter().unwrap();
        let error = gate.close().unwrap_err();
        assert!(error.message().contains("from inside"), "{error:?}");
        assert!(!gate.is_closed());
        drop(pass);
        gate.close().unwrap();
    }
}
