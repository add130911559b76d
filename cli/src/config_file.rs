//! Writing settings into the private config file: `dinero login` stores the refresh token
//! there, and every command stores the one Visma Connect hands out in its place.
//!
//! The file is replaced whole (a private temporary file beside it, flushed to disk, then
//! renamed over it), so a crash leaves the old file or the new one, never half of one: a lost
//! refresh token would mean signing in again.

use crate::exit::Failure;
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::Path;

/// Sets `key` to `value` in the file at `path` (created at mode 0600, its folder at 0700),
/// keeping every other line as it was.
pub fn store(path: &Path, key: &str, value: &str) -> Result<(), Failure> {
    let shown = path.display();
    let fail = |what: &str, e: std::io::Error| {
        Failure::other(format!("cannot {what} the config file {shown}: {e}"))
    };
    make_folder(path).map_err(|e| fail("make the folder of", e))?;
    let old = match std::fs::symlink_metadata(path) {
        Ok(_) => crate::credentials::read_private_file(path)?,
        Err(_) => String::new(),
    };
    let mut lines: Vec<String> = Vec::new();
    let mut replaced = false;
    for line in old.lines() {
        let name = line
            .split_once('=')
            .map(|(k, _)| k.trim().trim_start_matches("export ").trim());
        if name == Some(key) {
            if !replaced {
                lines.push(format!("{key}={value}"));
                replaced = true;
            }
        } else {
            lines.push(line.to_string());
        }
    }
    if !replaced {
        lines.push(format!("{key}={value}"));
    }
    let temporary = temporary_beside(path);
    let written = create_private(&temporary)
        .and_then(|mut file| {
            file.write_all((lines.join("\n") + "\n").as_bytes())?;
            file.sync_all()
        })
        .and_then(|()| std::fs::rename(&temporary, path));
    if let Err(e) = written {
        let _ = std::fs::remove_file(&temporary);
        return Err(fail("write", e));
    }
    Ok(())
}

/// Whether the file could be replaced now: its folder takes a new private file. Checked before
/// a run spends the refresh token the file holds.
pub fn check_writable(path: &Path) -> Result<(), Failure> {
    let temporary = temporary_beside(path);
    make_folder(path)
        .and_then(|()| create_private(&temporary))
        .and_then(|_| std::fs::remove_file(&temporary))
        .map_err(|e| {
            Failure::other(format!(
                "cannot write the config file {}, which must take the refresh token Visma \
                 Connect hands out in place of the one it holds: {e}",
                path.display()
            ))
        })
}

/// The folder of `path`, made (at 0700) if it is missing.
fn make_folder(path: &Path) -> std::io::Result<()> {
    match path.parent().filter(|p| !p.as_os_str().is_empty()) {
        Some(folder) => std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(folder),
        None => Ok(()),
    }
}

/// A name for a temporary file beside `path`, this process's own.
fn temporary_beside(path: &Path) -> std::path::PathBuf {
    path.with_extension(format!("tmp{}", std::process::id()))
}

/// A new file, readable by its owner only; an existing one is not reused.
fn create_private(path: &Path) -> std::io::Result<std::fs::File> {
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
}
