//! Where an upload's bytes come from: a file on disk, read once and within Dinero's limit, and
//! the name Dinero stores when the caller gives none.

use crate::error::{Error, ErrorKind, Result};
use crate::request::multipart::{check_size, MAX_UPLOAD_BYTES};
use std::io::Read;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

/// Reads a file to upload. It is opened once and must be a regular file (a FIFO or a device
/// such as /dev/zero is refused, not read until memory runs out); opening does not wait for a
/// FIFO's writer. At most the limit plus one byte is read, so a file that grows after the size
/// check is still refused.
pub fn read_file(path: &Path) -> Result<Vec<u8>> {
    let io_error = |e: std::io::Error| {
        Error::new(
            ErrorKind::Io,
            format!("cannot read {}: {e}", path.display()),
        )
    };
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
        .map_err(io_error)?;
    let metadata = file.metadata().map_err(io_error)?;
    if !metadata.is_file() {
        return Err(Error::new(
            ErrorKind::Io,
            format!("cannot read {}: not a regular file", path.display()),
        ));
    }
    check_size(usize::try_from(metadata.len()).unwrap_or(usize::MAX))?;
    let mut bytes = Vec::with_capacity(metadata.len() as usize);
    file.take(MAX_UPLOAD_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(io_error)?;
    check_size(bytes.len())?;
    Ok(bytes)
}

/// The file's own name, for an upload from a path without one.
pub fn name_of(path: &Path) -> &str {
    path.file_name()
        .and_then(|name| name.to_str())
        .unwrap_or("file")
}

/// A name for bytes uploaded without one: `file` with the extension of a recognized PDF, PNG,
/// JPEG or GIF (the extension decides the part's content type).
pub fn default_name(bytes: &[u8]) -> &'static str {
    const SIGNATURES: &[(&[u8], &str)] = &[
        (b"%PDF-", "file.pdf"),
        (b"\x89PNG\r\n\x1a\n", "file.png"),
        (b"\xff\xd8\xff", "file.jpg"),
        (b"GIF87a", "file.gif"),
        (b"GIF89a", "file.gif"),
    ];
    SIGNATURES
        .iter()
        .find(|(magic, _)| bytes.starts_with(magic))
        .map_or("file", |(_, name)| name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_from_magic_bytes() {
        assert_eq!(default_name(b"%PDF-1.7\n"), "file.pdf");
        assert_eq!(default_name(b"\x89PNG\r\n\x1a\n...."), "file.png");
        assert_eq!(default_name(b"\xff\xd8\xff\xe0"), "file.jpg");
        assert_eq!(default_name(b"GIF89a"), "file.gif");
        assert_eq!(default_name(b"plain"), "file");
        assert_eq!(name_of(Path::new("/tmp/Kvittering.pdf")), "Kvittering.pdf");
    }

    #[test]
    fn a_file_of_exactly_the_limit_is_read_whole() {
        // 6 MB is allowed: the last byte must not be cut off (the upload would be a corrupt
        // copy that Dinero accepts without a word).
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("exact.bin");
        let bytes: Vec<u8> = (0..MAX_UPLOAD_BYTES).map(|i| (i % 251) as u8).collect();
        std::fs::write(&path, &bytes).unwrap();
        let read = read_file(&path).unwrap();
        assert!(
            read == bytes,
            "{} of {} bytes read",
            read.len(),
            bytes.len()
        );
    }

    #[test]
    fn only_regular_files_within_the_limit_are_read() {
        let error = read_file(Path::new("/dev/zero")).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Io);
        assert!(error.message().contains("not a regular file"), "{error}");
        let missing = read_file(Path::new("/nonexistent/x.pdf")).unwrap_err();
        assert_eq!(missing.kind(), ErrorKind::Io);
        let folder = tempfile::tempdir().unwrap();
        let dir = folder.path();
        let big = dir.join("big.bin");
        std::fs::write(&big, vec![0u8; MAX_UPLOAD_BYTES + 1]).unwrap();
        let error = read_file(&big).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::InvalidArgument);
        let fifo = dir.join("fifo");
        let c_path = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        // SAFETY: a valid NUL-terminated path; mkfifo only creates a file.
        assert_eq!(unsafe { libc::mkfifo(c_path.as_ptr(), 0o600) }, 0);
        let error = read_file(&fifo).unwrap_err();
        assert!(error.message().contains("not a regular file"), "{error}");
    }
}
