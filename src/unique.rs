//! Numbers that must differ between processes: the ids of shared rate-window slots and refresh
//! leases, the GUIDs of exactly-once creates, and the random part of waits.
//!
//! fastrand's generator lives in the thread and is copied by `fork()`, so every child of a
//! process that had used it (a pre-forking server, `multiprocessing`, a PHP-FPM master that
//! loaded the library) would draw the same numbers: two processes' requests would count as one
//! slot in a shared window, both would hold "the" refresh lease, and two creates would carry one
//! GUID. These come from the operating system's random source instead, read afresh each time.

/// A random u64 from the operating system.
pub fn u64() -> u64 {
    u64::from_le_bytes(bytes())
}

/// A random fraction in [0, 1) from the operating system: for the random part of a wait, which
/// must differ between processes that were refused together.
pub fn fraction() -> f64 {
    // The top 53 bits, as many as an f64 holds exactly.
    (u64() >> 11) as f64 / (1u64 << 53) as f64
}

/// A random u128 from the operating system.
pub fn u128() -> u128 {
    let (high, low) = (u64(), u64());
    (u128::from(high) << 64) | u128::from(low)
}

fn bytes() -> [u8; 8] {
    let mut buffer = [0u8; 8];
    if getrandom::getrandom(&mut buffer).is_err() {
        // No random source (a seccomp filter forbidding getrandom, no /dev/urandom): this
        // process's id and the time still tell processes apart.
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |t| t.as_nanos() as u64);
        buffer = (fastrand::u64(..) ^ nanos ^ (u64::from(std::process::id()) << 32)).to_le_bytes();
    }
    buffer
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_forked_child_draws_numbers_of_its_own() {
        // Draw once so that fastrand's per-thread state exists, as in a parent that has used
        // the library before forking.
        let _ = fastrand::u64(..);
        let mut pipe = [0i32; 2];
        // SAFETY: pipe() writes two descriptors into the array it is given, nothing else.
        assert_eq!(unsafe { libc::pipe(pipe.as_mut_ptr()) }, 0);
        // SAFETY: the child only calls async-signal-safe functions (getrandom via the syscall,
        // write, _exit) before it ends, as is required after fork() in a threaded process.
        let child = unsafe { libc::fork() };
        if child == 0 {
            let drawn = super::u64().to_le_bytes();
            // SAFETY: the child writes 8 bytes from a live buffer to its pipe and exits.
            unsafe {
                libc::write(pipe[1], drawn.as_ptr().cast(), drawn.len());
                libc::_exit(0);
            }
        }
        let parents = super::u64();
        let mut drawn = [0u8; 8];
        // SAFETY: reads at most 8 bytes into a live 8-byte buffer, then reaps the child.
        unsafe {
            libc::close(pipe[1]);
            assert_eq!(libc::read(pipe[0], drawn.as_mut_ptr().cast(), 8), 8);
            libc::close(pipe[0]);
            libc::waitpid(child, std::ptr::null_mut(), 0);
        }
        assert_ne!(u64::from_le_bytes(drawn), parents);
    }
}
