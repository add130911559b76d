//! `dinero_private_file_write`: a file no other user can plant, swap or change (for a binding's
//! file that names the library to load, such as PHP's preload header).

use super::boundary::guard;
use super::handles::{require_out, write_out};
use super::request_builder::borrow_bytes;
use super::status::dinero_status;
use super::strings::{borrow_str, hand_out};
use std::ffi::c_char;
use std::path::Path;

/// Writes `len` bytes of `data` to `path` so that no other user of the machine can plant the
/// file beforehand or swap or change it afterwards, and writes the path it used to *path_out
/// (free it with dinero_string_free).
///
/// When the name of the file's folder ends in "XXXXXX" (as for mkdtemp), that folder is made
/// new with mode 0700, its X's replaced by random letters and digits, and the file is created
/// in it exclusively with mode 0600: e.g. "/tmp/myapp-XXXXXXXXXXXX/dinero.h"; the folder it is
/// made in must pass the rule below for folders. Otherwise the
/// folder must exist, belong to this user or root and be writable by nobody else (or be
/// sticky, as /tmp is), and a file already at `path` must be this user's, a regular file (not
/// a symbolic link) that nobody else may write; it is replaced through an exclusively created
/// temporary file beside it and a rename (mode 0600), so a reader sees the old file or the
/// whole new one. Anything else is DINERO_STATUS_IO, saying why, and nothing is written.
///
/// # Safety
/// `path` is NULL or NUL-terminated; `data` is NULL (with `len` 0) or points to `len` readable
/// bytes; `path_out` is NULL or points to writable memory for a pointer.
#[no_mangle]
pub unsafe extern "C" fn dinero_private_file_write(
    path: *const c_char,
    data: *const u8,
    len: usize,
    path_out: *mut *mut c_char,
) -> dinero_status {
    guard(|| {
        // SAFETY: per this function's contract.
        let (path, data) = unsafe { (borrow_str(path, "path")?, borrow_bytes(data, len, "data")?) };
        require_out(path_out, "path_out")?;
        let written = crate::private_file::write(Path::new(path), data)?;
        let owned = hand_out(&written.to_string_lossy())?;
        // SAFETY: checked by require_out; per this function's contract it is writable.
        unsafe { write_out(path_out, owned) };
        Ok(())
    })
}
