//! A caller's function a client keeps (the logger, the refresh-token sink, the interrupt
//! check): shared by the clones of a configuration, equal only to itself (two configurations
//! are the same when they hold the very same function), and printed without its insides.

use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

pub struct Callback<F: ?Sized>(Arc<F>);

impl<F: ?Sized> Callback<F> {
    pub fn new(function: Arc<F>) -> Self {
        Callback(function)
    }
}

impl<F: ?Sized> Deref for Callback<F> {
    type Target = F;
    fn deref(&self) -> &F {
        &self.0
    }
}

impl<F: ?Sized> Clone for Callback<F> {
    fn clone(&self) -> Self {
        Callback(Arc::clone(&self.0))
    }
}

impl<F: ?Sized> PartialEq for Callback<F> {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl<F: ?Sized> Eq for Callback<F> {}

impl<F: ?Sized> fmt::Debug for Callback<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Callback")
    }
}
