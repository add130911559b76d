//! The `token_cache` option: a file through which separate processes (PHP requests, cron runs)
//! share one token instead of each fetching its own.
//!
//! The file holds the token, when it was obtained and how long it lives, and a one-way
//! fingerprint of the credentials and URLs, never the credentials themselves. It is written
//! atomically (temp file + rename) with mode 0600, and a lock file serializes refreshes so that
//! processes starting together make one token request. A corrupt, foreign or unreadable file is
//! ignored and replaced: the cache can only save requests, never cause a failure.

use crate::secret::Secret;
use crate::token::exchange::Credentials;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::fs::{File, OpenOptions};
use std::io::Read;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use zeroize::Zeroizing;

const FORMAT: u64 = 1;
/// Larger files are not ours: a cache entry is well under a kilobyte plus the token.
const MAX_FILE_BYTES: u64 = 64 * 1024;

pub struct TokenCache {
    path: PathBuf,
    lock_path: PathBuf,
    fingerprint: String,
}

/// A token read from the cache file.
pub struct Entry {
    pub token: Secret,
    pub obtained_at: SystemTime,
    pub lifetime: Duration,
}

/// Holds the cache's lock file locked until dropped.
pub struct Lock {
    _file: File,
}

impl TokenCache {
    pub fn new(
        path: &Path,
        credentials: &Credentials,
        auth_url: &str,
        api_url: &str,
        scope: &str,
    ) -> Self {
        let mut hasher = Sha256::new();
        for part in [
            "libdinero token cache v1",
            credentials.client_id.expose(),
            credentials.client_secret.expose(),
            credentials.api_key.expose(),
            auth_url,
            api_url,
            scope,
        ] {
            hasher.update(part.as_bytes());
            hasher.update([0u8]);
        }
        let fingerprint = hasher
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let mut lock_path = path.as_os_str().to_owned();
        lock_path.push(".lock");
        TokenCache {
            path: path.to_path_buf(),
            lock_path: PathBuf::from(lock_path),
            fingerprint,
        }
    }

    /// Waits for the cache's lock; None if the lock file cannot be used (then the cache
    /// still works, only without the guarantee of one fetch for processes starting together).
    pub fn lock(&self) -> Option<Lock> {
        let file = private_file_options()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&self.lock_path)
            .ok()?;
        file.lock().ok()?;
        Some(Lock { _file: file })
    }

    /// The cached token if the file is ours, private, readable and written for these
    /// credentials and URLs.
    pub fn read(&self) -> Option<Entry> {
        let mut file = OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_NOFOLLOW)
            .open(&self.path)
            .ok()?;
        let meta = file.metadata().ok()?;
        let private = meta.mode() & 0o077 == 0;
        // A file that another user owns or can read was not written by us, or not only by us.
        if !meta.is_file() || !private || meta.uid() != current_uid() || meta.len() > MAX_FILE_BYTES
        {
            return None;
        }
        let mut text = Zeroizing::new(String::new());
        file.read_to_string(&mut text).ok()?;
        let json: Value = serde_json::from_str(&text).ok()?;
        if json["format"].as_u64() != Some(FORMAT)
            || json["fingerprint"] != self.fingerprint.as_str()
        {
            return None;
        }
        let token = json["access_token"].as_str().filter(|t| !t.is_empty())?;
        let obtained_ms = json["obtained_at_unix_ms"].as_u64()?;
        let lifetime_ms = json["lifetime_ms"].as_u64().filter(|ms| *ms > 0)?;
        let entry = Entry {
            token: Secret::new(token),
            obtained_at: UNIX_EPOCH + Duration::from_millis(obtained_ms),
            lifetime: Duration::from_millis(lifetime_ms),
        };
        // Drop the parsed copy of the token from memory as well.
        if let Value::Object(mut map) = json {
            if let Some(Value::String(s)) = map.get_mut("access_token") {
                zeroize::Zeroize::zeroize(s);
            }
        }
        Some(entry)
    }

    /// Replaces the file with this token. Failures are ignored: the next refresh tries again.
    pub fn write(&self, token: &Secret, obtained_at: SystemTime, lifetime: Duration) {
        let obtained_ms = obtained_at
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_millis() as u64;
        let content = Zeroizing::new(
            json!({
                "format": FORMAT,
                "fingerprint": self.fingerprint,
                "access_token": token.expose(),
                "obtained_at_unix_ms": obtained_ms,
                "lifetime_ms": lifetime.as_millis() as u64,
            })
            .to_string(),
        );
        let _ = crate::files::write_atomically(&self.path, content.as_bytes(), 0o600);
    }
}

/// Created 0600 and never through a symbolic link someone else placed there.
fn private_file_options() -> OpenOptions {
    let mut options = OpenOptions::new();
    options.mode(0o600).custom_flags(libc::O_NOFOLLOW);
    options
}

fn current_uid() -> u32 {
    // SAFETY: getuid has no preconditions, cannot fail and touches no memory of ours.
    unsafe { libc::getuid() }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cache_in(dir: &Path, key: &str) -> TokenCache {
        let creds = Credentials::new("rasmus", "dinero", key).unwrap();
        TokenCache::new(
            &dir.join("token.json"),
            &creds,
            "https://a",
            "https://b",
            "read write",
        )
    }

    fn temp_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("dinero-cache-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn a_written_token_reads_back_and_the_file_is_private() {
        let dir = temp_dir("roundtrip");
        let cache = cache_in(&dir, "api-key-1");
        let now = SystemTime::now();
        cache.write(&Secret::new("tok.en"), now, Duration::from_secs(3600));
        let entry = cache.read().unwrap();
        assert_eq!(entry.token.expose(), "tok.en");
        assert_eq!(entry.lifetime, Duration::from_secs(3600));
        let meta = std::fs::metadata(dir.join("token.json")).unwrap();
        assert_eq!(meta.mode() & 0o777, 0o600);
        let text = std::fs::read_to_string(dir.join("token.json")).unwrap();
        assert!(!text.contains("api-key-1") && !text.contains("dinero"));
    }

    #[test]
    fn other_credentials_do_not_read_it() {
        let dir = temp_dir("foreign");
        cache_in(&dir, "api-key-1").write(
            &Secret::new("t"),
            SystemTime::now(),
            Duration::from_secs(60),
        );
        assert!(cache_in(&dir, "api-key-2").read().is_none());
    }

    #[test]
    fn corrupt_or_public_files_are_ignored() {
        let dir = temp_dir("corrupt");
        let cache = cache_in(&dir, "k");
        std::fs::write(dir.join("token.json"), "{not json").unwrap();
        std::fs::set_permissions(
            dir.join("token.json"),
            std::os::unix::fs::PermissionsExt::from_mode(0o600),
        )
        .unwrap();
        assert!(cache.read().is_none());
        cache.write(
            &Secret::new("t"),
            SystemTime::now(),
            Duration::from_secs(60),
        );
        assert!(cache.read().is_some(), "replaced");
        std::fs::set_permissions(
            dir.join("token.json"),
            std::os::unix::fs::PermissionsExt::from_mode(0o644),
        )
        .unwrap();
        assert!(
            cache.read().is_none(),
            "a file others can read is not trusted"
        );
    }
}
