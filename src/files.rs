//! Writing files: downloaded bodies and the token cache.

use crate::error::{Error, ErrorKind, Result};
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

/// Writes `bytes` to `path` through a temporary file in the same folder and a rename, so the
/// file is either the old one or the whole new one. The file is created with `mode` (less the
/// umask) and never through a symbolic link someone placed at the temporary name.
pub fn write_atomically(path: &Path, bytes: &[u8], mode: u32) -> Result<()> {
    let fail = |e: std::io::Error| {
        Error::new(
            ErrorKind::Io,
            format!("cannot write {}: {e}", path.display()),
        )
    };
    let name = path
        .file_name()
        .ok_or_else(|| Error::invalid(format!("'{}' is not a file path", path.display())))?;
    let mut temp_name = std::ffi::OsString::from(".");
    temp_name.push(name);
    temp_name.push(format!(
        ".{}.{:x}.tmp",
        std::process::id(),
        fastrand::u64(..)
    ));
    let temp = path.with_file_name(temp_name);
    let written = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(mode)
        .custom_flags(libc::O_NOFOLLOW)
        .open(&temp)
        .and_then(|mut file| {
            file.write_all(bytes)?;
            file.sync_all()
        })
        .and_then(|()| std::fs::rename(&temp, path));
    if written.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    written.map_err(fail)
}
