//! Opaque handles: the one place where Rust objects become C pointers and back.

use crate::error::{Error, ErrorKind, Result};

/// Moves an object to the heap and hands its address to C.
pub fn into_raw<T>(value: T) -> *mut T {
    Box::into_raw(Box::new(value))
}

/// Borrows the object behind a handle for the duration of a call.
///
/// # Safety
/// `ptr` is NULL or a live pointer from `into_raw::<T>` that is not being freed concurrently.
pub unsafe fn borrow<'a, T>(ptr: *const T, name: &str) -> Result<&'a T> {
    // SAFETY: per the contract a non-NULL ptr is a live Box<T> allocation.
    unsafe { ptr.as_ref() }
        .ok_or_else(|| Error::new(ErrorKind::NullArgument, format!("{name} is NULL")))
}

/// Frees a handle from `into_raw`; NULL is a no-op. Dropping runs our code (a client wipes its
/// secrets, a pool closes connections), so it runs inside the panic boundary like every call.
///
/// # Safety
/// `ptr` is NULL or a live pointer from `into_raw::<T>`, freed only once.
pub unsafe fn free<T>(ptr: *mut T) {
    if !ptr.is_null() {
        super::boundary::guard_or((), || {
            // SAFETY: per the contract it came from Box::into_raw and is freed once.
            drop(unsafe { Box::from_raw(ptr) });
            Ok(())
        });
    }
}

/// Checks an out-parameter before any work is done, so that a NULL one fails early.
pub fn require_out<T>(ptr: *mut T, name: &str) -> Result<()> {
    if ptr.is_null() {
        return Err(Error::new(
            ErrorKind::NullArgument,
            format!("{name} is NULL"),
        ));
    }
    Ok(())
}

/// Writes an out-parameter (only ever on success).
///
/// # Safety
/// `ptr` passed `require_out` and points to writable memory for a `T`.
pub unsafe fn write_out<T>(ptr: *mut T, value: T) {
    // SAFETY: per the contract.
    unsafe { ptr.write(value) }
}
