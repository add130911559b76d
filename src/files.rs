//! Writing files: downloaded bodies.

use crate::error::{Error, ErrorKind, Result};
use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::Path;

/// Saves a downloaded body (invoices, receipts): a file it replaces keeps its permissions,
/// a new file is 0600 (less the umask), readable by its owner only.
pub fn save_private(path: &Path, bytes: &[u8]) -> Result<()> {
    // `metadata` follows a symbolic link: the permissions of the file the path names today.
    let kept = std::fs::metadata(path)
        .ok()
        .filter(std::fs::Metadata::is_file)
        .map(|m| m.permissions().mode() & 0o777);
    match kept {
        Some(mode) => write(path, bytes, mode, true),
        None => write(path, bytes, 0o600, false),
    }
}

/// Writes `bytes` to `path` through a temporary file in the same folder and a rename, so the
/// file is either the old one or the whole new one. The file is created with `mode` (less the
/// umask; exactly `mode` when `exact`, to keep the mode of the file being replaced) and never
/// through a symbolic link someone placed at the temporary name.
fn write(path: &Path, bytes: &[u8], mode: u32, exact: bool) -> Result<()> {
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
            if exact {
                file.set_permissions(std::fs::Permissions::from_mode(mode))?;
            }
            file.write_all(bytes)?;
            file.sync_all()
        })
        .and_then(|()| std::fs::rename(&temp, path));
    if written.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    written.map_err(fail)
}
