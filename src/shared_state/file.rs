//! The shared state in one file, for the processes of one machine (PHP-FPM workers, cron jobs,
//! queue workers).
//!
//! Every step opens the file, takes an exclusive `flock` on it, reads it, changes it in place,
//! lets go of the lock and closes it. `flock` belongs to the open file, so the kernel lets go of
//! it when the process dies, however it dies (unless a child forked during the step holds a copy
//! of the open file: the one way a lock outlives its step). Waiting for it has a deadline.
//!
//! The file is opened without following a symbolic link and without blocking (a FIFO planted
//! at the path cannot hang us), and used only if it is a regular file of ours. It holds every
//! client's entries, each under a one-way fingerprint (never the credentials): tokens under
//! the fingerprint of what decides the token, rate windows under that of the organization and
//! client id they count. So clients that differ in their token (another scope or secret) still
//! spend one window, and clients of several organizations may name one file without taking
//! each other's token or window. Entries that have run out are dropped as the file is written.
//! A file that does not parse or could be read by others is ignored and overwritten. The file
//! holds access tokens, so it is kept at mode 0600. What it holds, and how that is read and
//! written, is `file_document`; this is the file itself: opening, locking, reading, writing.

use super::file_document::{looks_like_state, unix_ms, ByteCount, Content, Document, StoredToken};
use super::{SharedToken, Store, StoreError, StoreResult};
use crate::error::{Error, Result};
use crate::secret::Secret;
use std::fs::{File, OpenOptions, TryLockError};
use std::io::Read;
use std::os::unix::fs::{FileExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use zeroize::Zeroizing;

/// The `budget` of a step on the token entry only: no window has this name (fingerprints are
/// hex), so such a step reads and writes no window.
const NO_BUDGET: &str = "";
/// A window of Dinero's 100 requests is a few kilobytes; a much larger file is not ours.
const MAX_FILE_BYTES: u64 = 4 * 1024 * 1024;

pub struct FileStore {
    path: PathBuf,
    /// Names this client's token entry.
    token_key: String,
    lock_wait: Duration,
}

impl FileStore {
    /// Creates the file now if it is missing: a folder we cannot write to, or a read-only file
    /// system, is a configuration error to report at `dinero_authenticate`. What can go wrong
    /// with an existing file (a planted FIFO, another user's file) is trouble at run time, met
    /// by falling back to the per-process state.
    pub fn open(path: &Path, token_key: &str, lock_wait: Duration) -> Result<FileStore> {
        if std::fs::symlink_metadata(path).is_err() {
            let created = OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC)
                .open(path);
            match created {
                Ok(_) => {}
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
                Err(e) => {
                    return Err(Error::invalid(format!(
                        "option shared_state: cannot create '{}': {e}",
                        path.display()
                    )))
                }
            }
        }
        Ok(FileStore {
            path: path.to_path_buf(),
            token_key: token_key.to_string(),
            lock_wait,
        })
    }

    /// Runs one read-modify-write step under the lock, on this client's token entry and the
    /// rate window named `budget`; the file is rewritten only when `step` says it changed
    /// something.
    fn step<T>(
        &self,
        budget: &str,
        step: impl FnOnce(&mut Content, u64) -> (T, bool),
    ) -> StoreResult<T> {
        let file = self.open_file()?;
        let _locked = self.lock(&file)?;
        let (mut document, trusted, old_len) = self.read(&file)?;
        let now = unix_ms();
        let mut content = document.content(&self.token_key, budget);
        let (result, changed) = step(&mut content, now);
        if changed || !trusted {
            document.put(&self.token_key, budget, &content);
            document.drop_run_out(now);
            self.write(&file, &document, old_len)?;
        }
        Ok(result)
    }

    fn open_file(&self) -> StoreResult<File> {
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .mode(0o600)
            .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_CLOEXEC)
            .open(&self.path)
            .map_err(|e| self.fail(&format!("cannot open it: {e}")))?;
        let meta = file
            .metadata()
            .map_err(|e| self.fail(&format!("cannot stat it: {e}")))?;
        if !meta.is_file() {
            return Err(self.fail("it is not a regular file"));
        }
        if meta.uid() != current_uid() {
            return Err(self.fail("another user owns it"));
        }
        Ok(file)
    }

    fn lock<'f>(&self, file: &'f File) -> StoreResult<Locked<'f>> {
        let deadline = Instant::now() + self.lock_wait;
        let mut pause = Duration::from_micros(200);
        loop {
            match file.try_lock() {
                Ok(()) => return Ok(Locked(file)),
                Err(TryLockError::WouldBlock) if Instant::now() < deadline => {
                    std::thread::sleep(pause);
                    pause = (pause * 2).min(Duration::from_millis(10));
                }
                Err(TryLockError::WouldBlock) => {
                    return Err(self.fail(&format!(
                        "its lock was held for longer than {} ms",
                        self.lock_wait.as_millis()
                    )))
                }
                Err(TryLockError::Error(e)) => return Err(self.fail(&format!("cannot lock: {e}"))),
            }
        }
    }

    /// The document, whether it can be trusted, and how many bytes the file held (what a write
    /// must cover); an untrusted file reads as empty. A file
    /// that is not a state file at all (a mistyped path naming a file of the user's) is left
    /// as it is: the step fails, and the client goes on with its own token and window.
    fn read(&self, file: &File) -> StoreResult<(Document, bool, u64)> {
        let meta = file
            .metadata()
            .map_err(|e| self.fail(&format!("cannot stat it: {e}")))?;
        // Room for the whole file at once: a buffer that grew would leave copies of the
        // tokens behind in freed memory, where nothing wipes them.
        let mut text = Zeroizing::new(Vec::with_capacity(
            meta.len().min(MAX_FILE_BYTES) as usize + 1,
        ));
        file.take(MAX_FILE_BYTES + 1)
            .read_to_end(&mut text)
            .map_err(|e| self.fail(&format!("cannot read it: {e}")))?;
        let len = (text.len() as u64).min(MAX_FILE_BYTES);
        if !text.is_empty() && !looks_like_state(&text) {
            return Err(self.fail(
                "it holds something other than libdinero's state, so it is left as it is \
                 (check the path)",
            ));
        }
        // A file others could read (or write) may hold anything: start it afresh, privately.
        if meta.mode() & 0o077 != 0 {
            file.set_permissions(std::fs::Permissions::from_mode(0o600))
                .map_err(|e| self.fail(&format!("cannot make it private: {e}")))?;
            return Ok((Document::default(), false, len));
        }
        if text.is_empty() {
            return Ok((Document::default(), true, len));
        }
        match Document::parse(&text) {
            Some(document) if text.len() as u64 <= MAX_FILE_BYTES => Ok((document, true, len)),
            _ => Ok((Document::default(), false, len)),
        }
    }

    /// `old_len`: what the file held when read, under the same lock (no second `fstat`).
    fn write(&self, file: &File, document: &Document, old_len: u64) -> StoreResult<()> {
        let (bytes, len) =
            encoded(document, old_len).map_err(|e| self.fail(&format!("cannot write it: {e}")))?;
        // In place, under the lock: the inode stays the same, so every process locks the same
        // file. A crash inside the write leaves a file that does not parse, which is replaced.
        file.write_all_at(&bytes, 0)
            .and_then(|()| file.set_len(len))
            .map_err(|e| self.fail(&format!("cannot write it: {e}")))
    }

    fn fail(&self, why: &str) -> StoreError {
        StoreError(format!("shared_state file {}: {why}", self.path.display()))
    }
}

/// The bytes to write over a file of `old_len` bytes, and the document's own length (what the
/// file is cut to next). Measured first, then written into a buffer of its final size, which
/// never grows (growing would leave copies of the tokens in freed memory). Blanks cover the rest
/// of a longer old document: a process that dies between the write and the cut leaves the new
/// document and white space, which still parses, rather than the new document followed by the
/// old one's tail, which would not, and would lose every client's windows and tokens.
fn encoded(document: &Document, old_len: u64) -> std::io::Result<(Zeroizing<Vec<u8>>, u64)> {
    let mut size = ByteCount(0);
    document.serialize(&mut size)?;
    let covered = size.0.max(old_len as usize);
    let mut bytes = Zeroizing::new(Vec::with_capacity(covered));
    document.serialize(&mut *bytes)?;
    bytes.resize(covered, b' ');
    Ok((bytes, size.0 as u64))
}

/// The lock of one step, let go explicitly as the step ends. Closing the file alone would not
/// do: a child forked meanwhile holds a copy of the open file, and with it the lock, until it
/// exits, so every process on the machine would wait for that child.
struct Locked<'f>(&'f File);

impl Drop for Locked<'_> {
    fn drop(&mut self) {
        let _ = self.0.unlock();
    }
}

impl Store for FileStore {
    fn token(&self) -> StoreResult<Option<SharedToken>> {
        self.step(NO_BUDGET, |content, now| {
            let token = content.token.as_ref().and_then(|t| {
                let remaining = t.expires_at_ms.checked_sub(now).filter(|ms| *ms > 0)?;
                Some(SharedToken {
                    value: t.value.clone(),
                    remaining: Duration::from_millis(remaining),
                    lifetime: Duration::from_millis(t.lifetime_ms),
                })
            });
            (token, false)
        })
    }

    fn put_token(
        &self,
        token: &Secret,
        remaining: Duration,
        lifetime: Duration,
    ) -> StoreResult<()> {
        self.step(NO_BUDGET, |content, now| {
            content.token = Some(StoredToken {
                value: token.clone(),
                expires_at_ms: now + remaining.as_millis() as u64,
                lifetime_ms: lifetime.as_millis() as u64,
            });
            ((), true)
        })
    }

    fn refresh_token(&self) -> StoreResult<Option<Secret>> {
        self.step(NO_BUDGET, |content, _| {
            (content.refresh_token.clone(), false)
        })
    }

    fn put_refresh_token(&self, token: &Secret) -> StoreResult<()> {
        self.step(NO_BUDGET, |content, _| {
            content.refresh_token = Some(token.clone());
            ((), true)
        })
    }

    fn replace_refresh_token(
        &self,
        replaced: Option<&Secret>,
        token: &Secret,
    ) -> StoreResult<bool> {
        self.step(NO_BUDGET, |content, _| {
            let ours =
                content.refresh_token.is_none() || content.refresh_token.as_ref() == replaced;
            if ours {
                content.refresh_token = Some(token.clone());
            }
            (ours, ours)
        })
    }

    fn try_lease(&self, holder: u64, lease: Duration) -> StoreResult<bool> {
        self.step(NO_BUDGET, |content, now| match content.lease {
            Some((other, until)) if other != holder && until > now => (false, false),
            _ => {
                content.lease = Some((holder, now + lease.as_millis() as u64));
                (true, true)
            }
        })
    }

    fn end_lease(&self, holder: u64) -> StoreResult<()> {
        self.step(NO_BUDGET, |content, _| match content.lease {
            Some((current, _)) if current == holder => {
                content.lease = None;
                ((), true)
            }
            _ => ((), false),
        })
    }

    fn take_slot(
        &self,
        budget: &str,
        id: u64,
        limit: u32,
        window: Duration,
    ) -> StoreResult<Option<Duration>> {
        let window_ms = window.as_millis() as u64;
        self.step(budget, |content, now| {
            content.window_ms = Some(window_ms);
            let wait = content.window.take(id, limit, window_ms, now);
            (wait.map(Duration::from_millis), true)
        })
    }

    fn finish_slot(&self, budget: &str, id: u64, window: Duration) -> StoreResult<()> {
        let window_ms = window.as_millis() as u64;
        self.step(budget, |content, now| {
            content.window_ms = Some(window_ms);
            content.window.finish(id, window_ms, now);
            ((), true)
        })
    }

    fn kind(&self) -> &'static str {
        "file"
    }
}

fn current_uid() -> u32 {
    // SAFETY: getuid has no preconditions, cannot fail and touches no memory of ours.
    unsafe { libc::getuid() }
}

#[cfg(test)]
mod tests {
    use super::super::file_document::FORMAT;
    use super::*;
    use serde_json::json;

    /// A store in a new folder of its own, removed when the returned guard is dropped.
    fn store(name: &str, fingerprint: &str) -> (tempfile::TempDir, FileStore) {
        let dir = tempfile::Builder::new()
            .prefix(&format!("dinero-state-{name}-"))
            .tempdir()
            .unwrap();
        let store = FileStore::open(
            &dir.path().join("state"),
            fingerprint,
            Duration::from_millis(500),
        );
        (dir, store.unwrap())
    }

    #[test]
    fn a_token_reads_back_and_the_file_is_private_and_holds_no_credentials() {
        let (_dir, s) = store("roundtrip", "fp-1");
        s.put_token(
            &Secret::new("tok.en"),
            Duration::from_secs(3000),
            Duration::from_secs(3600),
        )
        .unwrap();
        let t = s.token().unwrap().unwrap();
        assert_eq!(t.value.expose(), "tok.en");
        assert_eq!(t.lifetime, Duration::from_secs(3600));
        assert!(t.remaining <= Duration::from_secs(3000));
        assert!(t.remaining > Duration::from_secs(2990));
        let meta = std::fs::metadata(&s.path).unwrap();
        assert_eq!(meta.mode() & 0o777, 0o600);
        assert!(store_for(&s, "fp-2").token().unwrap().is_none(), "foreign");
    }

    fn store_for(s: &FileStore, fingerprint: &str) -> FileStore {
        FileStore::open(&s.path, fingerprint, Duration::from_millis(500)).unwrap()
    }

    #[test]
    fn clients_with_other_tokens_but_one_organization_spend_one_window() {
        // Same organization and client id, another scope: another token, the same budget.
        let (_dir, a) = store("one-window", "token-a");
        let b = store_for(&a, "token-b");
        let window = Duration::from_secs(60);
        a.put_token(&Secret::new("tok.a"), window, window).unwrap();
        assert!(a.take_slot("w", 1, 2, window).unwrap().is_none());
        b.put_token(&Secret::new("tok.b"), window, window).unwrap();
        assert!(b.take_slot("w", 2, 2, window).unwrap().is_none());
        assert!(
            a.take_slot("w", 3, 2, window).unwrap().is_some(),
            "the window is full"
        );
        assert_eq!(a.token().unwrap().unwrap().value.expose(), "tok.a");
        assert_eq!(b.token().unwrap().unwrap().value.expose(), "tok.b");
    }

    #[test]
    fn organizations_naming_one_file_keep_their_own_token_and_window() {
        let (_dir, a) = store("two-orgs", "org-a");
        let b = store_for(&a, "org-b");
        let window = Duration::from_secs(60);
        assert!(a.take_slot("org-a", 1, 1, window).unwrap().is_none());
        assert!(
            b.take_slot("org-b", 2, 1, window).unwrap().is_none(),
            "b's own budget"
        );
        a.put_token(&Secret::new("tok.a"), window, window).unwrap();
        assert!(b.token().unwrap().is_none());
        assert!(
            a.take_slot("org-a", 3, 1, window).unwrap().is_some(),
            "a's slot is kept"
        );
        assert_eq!(a.token().unwrap().unwrap().value.expose(), "tok.a");
    }

    #[test]
    fn entries_that_ran_out_are_dropped_when_the_file_is_written() {
        let (_dir, a) = store("ran-out", "gone");
        let b = store_for(&a, "stays");
        a.put_token(
            &Secret::new("old"),
            Duration::from_millis(1),
            Duration::from_secs(60),
        )
        .unwrap();
        assert!(a
            .take_slot("w", 1, 5, Duration::from_millis(1))
            .unwrap()
            .is_none());
        std::thread::sleep(Duration::from_millis(5));
        b.put_token(
            &Secret::new("new"),
            Duration::from_secs(60),
            Duration::from_secs(60),
        )
        .unwrap();
        let text = std::fs::read_to_string(&a.path).unwrap();
        assert!(
            !text.contains("old") && !text.contains("window-gone"),
            "{text}"
        );
        assert!(text.contains("new"), "{text}");
    }

    #[test]
    fn extreme_numbers_in_another_clients_window_are_survived() {
        let (_dir, s) = store("extreme", "fp");
        let doc = json!({"format": FORMAT, "tokens": {}, "windows": {
            "other": {"slots": [[1, u64::MAX]], "waiters": [[2, u64::MAX]], "window_ms": u64::MAX},
            "mine": {"slots": [[3, u64::MAX]], "waiters": [], "window_ms": u64::MAX},
        }});
        std::fs::write(&s.path, doc.to_string()).unwrap();
        let window = Duration::from_secs(60);
        // "mine" counts its one slot from now, as after a clock step back.
        assert!(s.take_slot("mine", 7, 2, window).unwrap().is_none());
        assert!(s.take_slot("mine", 8, 2, window).unwrap().is_some());
    }

    #[test]
    fn files_of_an_older_format_or_shape_are_replaced() {
        let (_dir, s) = store("older", "fp");
        for text in [
            // As version 2 wrote it (serde_json's sorted keys) and as the token cache did.
            r#"{"fingerprint":"fp","format":2,"lease":null,"refresh_token":null,"slots":[],"token":{"access_token":"t","expires_at_unix_ms":1,"lifetime_ms":1},"waiters":[]}"#,
            r#"{"access_token":"t","expires_at_unix_ms":1,"format":1,"lifetime_ms":1}"#,
            r#"{"format":3,"tokens":[],"windows":{}}"#,
            "\0\0\0\0",
        ] {
            std::fs::write(&s.path, text).unwrap();
            assert!(s.token().unwrap().is_none(), "{text}");
            s.put_token(
                &Secret::new("t"),
                Duration::from_secs(60),
                Duration::from_secs(60),
            )
            .unwrap();
            assert!(s.token().unwrap().is_some(), "{text}");
        }
    }

    #[test]
    fn the_window_counts_across_stores_on_one_file() {
        let (_dir, a) = store("window", "fp");
        let b = store_for(&a, "fp");
        let window = Duration::from_secs(60);
        assert!(a.take_slot("w", 1, 2, window).unwrap().is_none());
        assert!(b.take_slot("w", 2, 2, window).unwrap().is_none());
        let wait = a.take_slot("w", 3, 2, window).unwrap().expect("full");
        assert!(
            wait > Duration::from_secs(59) && wait <= window + Duration::from_millis(1),
            "{wait:?}"
        );
        b.finish_slot("w", 2, window).unwrap();
        assert!(b.take_slot("w", 4, 2, window).unwrap().is_some());
    }

    #[test]
    fn one_lease_at_a_time_until_it_ends_or_runs_out() {
        let (_dir, a) = store("lease", "fp");
        assert!(a.try_lease(1, Duration::from_secs(60)).unwrap());
        assert!(!a.try_lease(2, Duration::from_secs(60)).unwrap());
        a.end_lease(1).unwrap();
        assert!(a.try_lease(2, Duration::from_millis(1)).unwrap());
        std::thread::sleep(Duration::from_millis(5));
        assert!(a.try_lease(3, Duration::from_secs(60)).unwrap(), "expired");
    }

    #[test]
    fn bad_tokens_in_the_file_are_ignored() {
        let (_dir, s) = store("badtoken", "fp");
        for token in [
            json!({"access_token": "a\r\nX-Evil: 1", "expires_at_unix_ms": unix_ms() + 1000, "lifetime_ms": 3600000}),
            json!({"access_token": "ok", "expires_at_unix_ms": unix_ms() + 1000, "lifetime_ms": 0}),
            json!({"access_token": "ok", "expires_at_unix_ms": u64::MAX, "lifetime_ms": 3600000}),
            json!({"access_token": "ok", "expires_at_unix_ms": unix_ms() + 1000, "lifetime_ms": u64::MAX}),
        ] {
            let doc = json!({"format": FORMAT, "tokens": {"fp": {"token": token, "lease": null}}, "windows": {}});
            std::fs::write(&s.path, doc.to_string()).unwrap();
            assert!(s.token().unwrap().is_none(), "{token}");
        }
    }

    #[test]
    fn corrupt_or_public_files_are_replaced() {
        let (_dir, s) = store("corrupt", "fp");
        // Cut short by a crash in the middle of a write.
        std::fs::write(&s.path, r#"{"format":3,"tokens":{"fp":{"tok"#).unwrap();
        assert!(s.token().unwrap().is_none());
        s.put_token(
            &Secret::new("t"),
            Duration::from_secs(60),
            Duration::from_secs(60),
        )
        .unwrap();
        assert!(s.token().unwrap().is_some());
        std::fs::set_permissions(&s.path, std::fs::Permissions::from_mode(0o644)).unwrap();
        assert!(
            s.token().unwrap().is_none(),
            "a file others can read is not trusted"
        );
        assert_eq!(std::fs::metadata(&s.path).unwrap().mode() & 0o777, 0o600);
    }

    #[test]
    fn a_file_that_is_not_a_state_file_is_left_as_it_is() {
        let (_dir, s) = store("foreign", "fp");
        for text in ["my notes\n", "{not json", "[1,2,3]", r#"{"name":"config"}"#] {
            std::fs::write(&s.path, text).unwrap();
            std::fs::set_permissions(&s.path, std::fs::Permissions::from_mode(0o644)).unwrap();
            let refused = s.put_token(
                &Secret::new("t"),
                Duration::from_secs(60),
                Duration::from_secs(60),
            );
            assert!(
                refused.unwrap_err().0.contains("something other than"),
                "{text}"
            );
            assert_eq!(std::fs::read_to_string(&s.path).unwrap(), text);
            assert_eq!(
                std::fs::metadata(&s.path).unwrap().mode() & 0o777,
                0o644,
                "{text}"
            );
        }
    }

    #[test]
    fn a_fifo_or_a_symlink_at_the_path_is_refused_without_waiting() {
        let (_dir, s) = store("fifo", "fp");
        std::fs::remove_file(&s.path).unwrap();
        let c_path = std::ffi::CString::new(s.path.to_str().unwrap()).unwrap();
        // SAFETY: mkfifo reads the NUL-terminated path only during the call.
        assert_eq!(unsafe { libc::mkfifo(c_path.as_ptr(), 0o600) }, 0);
        let err = s.token().err().expect("a FIFO is not used");
        assert!(err.0.contains("not a regular file"), "{}", err.0);
        std::fs::remove_file(&s.path).unwrap();
        std::os::unix::fs::symlink("/etc/passwd", &s.path).unwrap();
        assert!(s.token().is_err(), "a symlink is not followed");
    }

    #[test]
    fn an_unwritable_folder_is_a_configuration_error() {
        // /proc takes no new files, even from root (the tests may run as root).
        let err = FileStore::open(
            Path::new("/proc/dinero-state"),
            "fp",
            Duration::from_secs(1),
        )
        .err()
        .expect("refused");
        assert!(
            err.message()
                .starts_with("option shared_state: cannot create '/proc/dinero-state'"),
            "{err}"
        );
    }

    #[test]
    fn a_process_dying_between_the_write_and_the_cut_leaves_a_file_that_still_parses() {
        let (_dir, a) = store("torn", "gone");
        let b = store_for(&a, "stays");
        let window = Duration::from_secs(60);
        for id in 1..=3 {
            assert!(a.take_slot("w", id, 3, window).unwrap().is_none());
        }
        a.put_token(&Secret::new("old-token"), Duration::from_millis(1), window)
            .unwrap();
        let long = std::fs::read(&a.path).unwrap();
        std::thread::sleep(Duration::from_millis(5));
        // b's step drops a's run-out token: a shorter document goes over the longer one.
        b.put_token(&Secret::new("t"), window, window).unwrap();
        let file = a.open_file().unwrap();
        let (document, _, _) = a.read(&file).unwrap();
        assert!((std::fs::metadata(&a.path).unwrap().len() as usize) < long.len());
        // What the write leaves for an instant, before the cut: exactly that, on disk.
        let (bytes, len) = encoded(&document, long.len() as u64).unwrap();
        assert_eq!(
            (bytes.len(), len),
            (long.len(), std::fs::metadata(&a.path).unwrap().len())
        );
        std::fs::write(&a.path, &*bytes).unwrap();
        assert!(
            a.take_slot("w", 4, 3, window).unwrap().is_some(),
            "the window still holds 3 of 3"
        );
        assert_eq!(b.token().unwrap().unwrap().value.expose(), "t");
    }

    #[test]
    fn a_child_forked_during_a_step_does_not_keep_the_lock() {
        let (_dir, a) = store("fork", "fp");
        let a = std::sync::Arc::new(a);
        let window = Duration::from_secs(60);
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let (busy_store, busy_stop) = (a.clone(), stop.clone());
        // Steps back to back, so that the fork almost surely comes while one holds the lock.
        let busy = std::thread::spawn(move || {
            for id in 1.. {
                if busy_stop.load(std::sync::atomic::Ordering::Relaxed) {
                    break;
                }
                let _ = busy_store.take_slot("w", id, u32::MAX, window);
            }
        });
        std::thread::sleep(Duration::from_millis(100));
        // SAFETY: the child only sleeps and ends with _exit, touching nothing the fork copied.
        let child = unsafe { libc::fork() };
        assert!(child >= 0);
        if child == 0 {
            std::thread::sleep(Duration::from_secs(2));
            // SAFETY: ends the child at once, without the parent's exit handlers.
            unsafe { libc::_exit(0) };
        }
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        busy.join().unwrap();
        let while_the_child_lives = a.token().err().map(|e| e.0);
        let mut status = 0;
        // SAFETY: waits for the child made above; `status` lives through the call.
        unsafe { libc::waitpid(child, &mut status, 0) };
        assert_eq!(while_the_child_lives, None);
    }
}
