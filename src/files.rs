//! Reading and writing files: small files a caller names (a CA bundle), downloaded bodies.

use crate::error::{Error, ErrorKind, Result};
use std::io::{Read, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::Path;

/// The most a CA bundle may hold: far more than the whole Mozilla root store (about 250 KiB).
pub(crate) const MAX_CA_FILE_BYTES: u64 = 1024 * 1024;

/// Reads a small file a caller named (an option's value) without trusting what is there: only
/// a regular file is read, so a FIFO cannot block the caller (opening does not wait for a
/// writer) and a device such as /dev/zero is not read until memory runs out; at most `limit`
/// bytes are accepted, and at most one more is read, so a file that grows meanwhile is refused
/// too. Errors are `Io`, name the path and never quote the file's content.
pub fn read_limited(path: &Path, limit: u64) -> Result<Vec<u8>> {
    let refuse = |why: &dyn std::fmt::Display| {
        Error::new(
            ErrorKind::Io,
            format!("cannot read {}: {why}", path.display()),
        )
    };
    let not_regular = || refuse(&"not a regular file");
    // Look before opening, so a FIFO's waiting writer is not released and a device not opened;
    // the open file is checked again, in case the path changed in between.
    if !std::fs::metadata(path).map_err(|e| refuse(&e))?.is_file() {
        return Err(not_regular());
    }
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY)
        .open(path)
        .map_err(|e| refuse(&e))?;
    let metadata = file.metadata().map_err(|e| refuse(&e))?;
    if !metadata.is_file() {
        return Err(not_regular());
    }
    let too_big = || refuse(&format_args!("larger than {limit} bytes"));
    if metadata.len() > limit {
        return Err(too_big());
    }
    let mut bytes = Vec::with_capacity(metadata.len() as usize);
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| refuse(&e))?;
    if bytes.len() as u64 > limit {
        return Err(too_big());
    }
    Ok(bytes)
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_regular_files_within_the_limit_are_read() {
        let folder = tempfile::tempdir().unwrap();
        let dir = folder.path();
        let small = dir.join("small.pem");
        std::fs::write(&small, b"0123456789").unwrap();
        assert_eq!(read_limited(&small, 10).unwrap(), b"0123456789");
        let error = read_limited(&small, 9).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Io);
        assert!(error.message().contains("larger than 9 bytes"), "{error}");
        assert!(error.message().contains("small.pem"), "{error}");
        assert!(!error.message().contains("0123"), "no content: {error}");

        let error = read_limited(Path::new("/dev/zero"), MAX_CA_FILE_BYTES).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Io);
        assert!(
            error.message().contains("/dev/zero: not a regular file"),
            "{error}"
        );
        let error = read_limited(dir, MAX_CA_FILE_BYTES).unwrap_err();
        assert!(error.message().contains("not a regular file"), "{error}");
        let missing = read_limited(&dir.join("missing.pem"), MAX_CA_FILE_BYTES).unwrap_err();
        assert_eq!(missing.kind(), ErrorKind::Io);
        assert!(missing.message().contains("missing.pem"), "{missing}");

        let fifo = dir.join("fifo");
        let c_path = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        // SAFETY: a valid NUL-terminated path; mkfifo only creates a file.
        assert_eq!(unsafe { libc::mkfifo(c_path.as_ptr(), 0o600) }, 0);
        let error = read_limited(&fifo, MAX_CA_FILE_BYTES).unwrap_err();
        assert!(error.message().contains("not a regular file"), "{error}");
    }
}
