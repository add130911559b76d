//! Writing a file that no other user of the machine can plant beforehand, swap or change
//! afterwards: what a binding needs for a file that decides which library gets loaded (PHP's
//! preload header names it in FFI_LIB). The rules are the ones a careful C programmer follows
//! (mkdtemp, O_EXCL, O_NOFOLLOW, a rename), written once here instead of in every binding.

use crate::error::{Error, ErrorKind, Result};
use std::fs::{DirBuilder, OpenOptions};
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

/// A folder name ending in this many (or more) X's is a template: a new folder is made.
const TEMPLATE: &str = "XXXXXX";

/// Writes `bytes` to `path` and returns the path written.
///
/// When the name of the file's folder ends in "XXXXXX" (as for mkdtemp), that folder is made
/// new, the X's replaced by random letters and digits, with mode 0700; then the file is created
/// there exclusively with mode 0600. Otherwise the folder must exist, belong to this user or
/// root, and be writable by nobody else (or be sticky, as /tmp is); a file already at `path`
/// must be this user's, a regular file (not a symbolic link) that nobody else may write. It is
/// replaced through an exclusively created temporary file beside it and a rename, so a reader
/// sees the old file or the whole new one.
pub fn write(path: &Path, bytes: &[u8]) -> Result<PathBuf> {
    let name = path
        .file_name()
        .ok_or_else(|| Error::invalid(format!("'{}' is not a file path", path.display())))?;
    let folder = match path.parent() {
        Some(folder) if !folder.as_os_str().is_empty() => folder,
        _ => Path::new("."),
    };
    let template = folder
        .file_name()
        .and_then(|n| n.to_str())
        .filter(|n| n.ends_with(TEMPLATE));
    if let Some(template) = template {
        // The new folder's own parent must be as safe as any folder written to: another user
        // who may write it (and it is not sticky) could swap the new folder before the file
        // is opened in it.
        let parent = match folder.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent,
            _ => Path::new("."),
        };
        require_trusted(parent, true)?;
        let folder = new_private_folder(folder, template)?;
        let file = folder.join(name);
        if let Err(e) = create_exclusively(&file, bytes) {
            // Nothing is left behind: the file, if made, and the folder made for it.
            let _ = std::fs::remove_file(&file);
            let _ = std::fs::remove_dir(&folder);
            return Err(io_error(&file, e));
        }
        return Ok(file);
    }
    require_trusted(folder, true)?;
    match std::fs::symlink_metadata(path) {
        Ok(_) => require_trusted(path, false)?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(io_error(path, e)),
    }
    let mut temp_name = std::ffi::OsString::from(".");
    temp_name.push(name);
    temp_name.push(format!(".{}.tmp", random_text(16)));
    let temp = folder.join(temp_name);
    let written = create_exclusively(&temp, bytes).and_then(|()| std::fs::rename(&temp, path));
    if let Err(e) = written {
        let _ = std::fs::remove_file(&temp);
        return Err(io_error(path, e));
    }
    Ok(path.to_path_buf())
}

/// mkdtemp: the trailing X's of `template` replaced at random until a name is free.
fn new_private_folder(folder: &Path, template: &str) -> Result<PathBuf> {
    let stem = template.trim_end_matches('X');
    let random = template.len() - stem.len();
    let parent = folder.parent().unwrap_or(Path::new("."));
    for _ in 0..16 {
        let candidate = parent.join(format!("{stem}{}", random_text(random)));
        // mkdir fails when the name exists, so the folder is one this process made.
        match DirBuilder::new().mode(0o700).create(&candidate) {
            Ok(()) => {
                // The umask may have taken bits away; none may have been added.
                std::fs::set_permissions(
                    &candidate,
                    std::os::unix::fs::PermissionsExt::from_mode(0o700),
                )
                .map_err(|e| io_error(&candidate, e))?;
                return Ok(candidate);
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(io_error(&candidate, e)),
        }
    }
    Err(Error::new(
        ErrorKind::Io,
        format!("cannot create a private folder in {}", parent.display()),
    ))
}

/// A new file (never an existing one, never through a link), mode 0600, holding `bytes`.
fn create_exclusively(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .custom_flags(libc::O_NOFOLLOW)
        .open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

/// Refuses a folder or file another user could have planted or could change.
fn require_trusted(path: &Path, folder: bool) -> Result<()> {
    let refuse = |why: String| {
        Err(Error::new(
            ErrorKind::Io,
            format!("refusing {}: {why}", path.display()),
        ))
    };
    let meta = match std::fs::symlink_metadata(path) {
        Ok(meta) => meta,
        Err(e) => return refuse(format!("it cannot be read ({e})")),
    };
    // SAFETY: geteuid has no preconditions and cannot fail.
    let me = unsafe { libc::geteuid() };
    let kind = meta.file_type();
    let others_write = meta.mode() & 0o022 != 0;
    let sticky = meta.mode() & 0o1000 != 0;
    if kind.is_symlink() {
        refuse("it is a symbolic link".into())
    } else if folder && !kind.is_dir() {
        refuse("it is not a folder".into())
    } else if !folder && !kind.is_file() {
        refuse("it is not a regular file".into())
    } else if meta.uid() != me && !(folder && meta.uid() == 0) {
        refuse(format!("it belongs to another user (uid {})", meta.uid()))
    } else if others_write && !(folder && sticky) {
        refuse("other users may write it".into())
    } else {
        Ok(())
    }
}

fn random_text(len: usize) -> String {
    const CHARS: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    let mut rng = fastrand::Rng::new();
    (0..len)
        .map(|_| CHARS[rng.usize(..CHARS.len())] as char)
        .collect()
}

fn io_error(path: &Path, e: std::io::Error) -> Error {
    Error::new(
        ErrorKind::Io,
        format!("cannot write {}: {e}", path.display()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path).unwrap().permissions().mode() & 0o7777
    }

    #[test]
    fn a_template_folder_is_made_new_and_private() {
        let base = tempfile::tempdir().unwrap();
        let path = base.path().join("libdinero-test-XXXXXXXXXX/header.h");
        let first = write(&path, b"one").unwrap();
        let second = write(&path, b"two").unwrap();
        assert_ne!(first, second);
        for (file, text) in [(&first, "one"), (&second, "two")] {
            let folder = file.parent().unwrap();
            let name = folder.file_name().unwrap().to_str().unwrap();
            // The X's were replaced at random (from letters and digits, 'X' among them: so the
            // test asks for a new name, not for a name without X).
            let random = name.strip_prefix("libdinero-test-").unwrap();
            assert_eq!(random.len(), 10);
            assert_ne!(random, "XXXXXXXXXX");
            assert!(random.bytes().all(|b| b.is_ascii_alphanumeric()), "{name}");
            assert_eq!(mode(folder), 0o700);
            assert_eq!(mode(file), 0o600);
            assert_eq!(std::fs::read_to_string(file).unwrap(), text);
        }
    }

    #[test]
    fn a_template_folder_is_made_only_in_a_safe_place_and_never_left_behind() {
        let base = tempfile::tempdir().unwrap();
        std::fs::set_permissions(base.path(), PermissionsExt::from_mode(0o700)).unwrap();
        let open = base.path().join("open");
        std::fs::create_dir(&open).unwrap();
        std::fs::set_permissions(&open, PermissionsExt::from_mode(0o777)).unwrap();
        let err = write(&open.join("tplXXXXXX/h.txt"), b"x").unwrap_err();
        assert!(
            err.to_string().contains("other users may write it"),
            "{err}"
        );
        assert_eq!(
            std::fs::read_dir(&open).unwrap().count(),
            0,
            "no folder made"
        );
        // A file that cannot be created (its name is too long): the new folder goes too.
        let long = "h".repeat(300);
        let err = write(&base.path().join(format!("tplXXXXXX/{long}")), b"x").unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Io, "{err}");
        assert_eq!(
            std::fs::read_dir(base.path()).unwrap().count(),
            1,
            "only `open`"
        );
    }

    #[test]
    fn a_chosen_path_is_replaced_whole_and_private() {
        let base = tempfile::tempdir().unwrap();
        std::fs::set_permissions(base.path(), PermissionsExt::from_mode(0o700)).unwrap();
        let path = base.path().join("header.h");
        write(&path, b"old").unwrap();
        assert_eq!(write(&path, b"new").unwrap(), path);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new");
        assert_eq!(mode(&path), 0o600);
        assert_eq!(std::fs::read_dir(base.path()).unwrap().count(), 1);
    }

    #[test]
    fn places_others_could_change_are_refused_and_left_alone() {
        let base = tempfile::tempdir().unwrap();
        std::fs::set_permissions(base.path(), PermissionsExt::from_mode(0o700)).unwrap();
        let open = base.path().join("open");
        std::fs::create_dir(&open).unwrap();
        std::fs::set_permissions(&open, PermissionsExt::from_mode(0o777)).unwrap();
        let err = write(&open.join("h"), b"x").unwrap_err();
        assert!(
            err.to_string().contains("other users may write it"),
            "{err}"
        );
        assert!(!open.join("h").exists());

        let sticky = base.path().join("sticky");
        std::fs::create_dir(&sticky).unwrap();
        std::fs::set_permissions(&sticky, PermissionsExt::from_mode(0o1777)).unwrap();
        write(&sticky.join("h"), b"x").unwrap();

        let target = base.path().join("target.h");
        std::fs::write(&target, b"kept").unwrap();
        let link = base.path().join("link.h");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        let err = write(&link, b"x").unwrap_err();
        assert!(err.to_string().contains("symbolic link"), "{err}");
        assert_eq!(std::fs::read(&target).unwrap(), b"kept");

        std::fs::set_permissions(&target, PermissionsExt::from_mode(0o666)).unwrap();
        let err = write(&target, b"x").unwrap_err();
        assert!(
            err.to_string().contains("other users may write it"),
            "{err}"
        );

        let err = write(&base.path().join("missing/h"), b"x").unwrap_err();
        assert!(err.to_string().contains("cannot be read"), "{err}");
        let err = write(&base.path().join("target.h/h"), b"x").unwrap_err();
        assert!(err.to_string().contains("not a folder"), "{err}");
    }
}
