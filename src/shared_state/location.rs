//! Where a `shared_state` lives: a file path, or a `redis://` / `rediss://` URL. Parsed when the
//! option is set, so a typo is an error at once and never a silent per-process fallback.

use crate::config::printable;
use crate::error::{Error, Result};
use crate::secret::Secret;
use redis::IntoConnectionInfo;
use std::fmt;
use std::path::PathBuf;

#[derive(Clone, PartialEq, Eq)]
pub enum Location {
    File(PathBuf),
    /// The URL as given: it may hold a password, so it is kept as a secret and shown by
    /// `Debug` without it.
    Redis(Secret),
}

impl Location {
    /// `option` names the option in messages ("shared_state", or its alias "token_cache").
    pub fn parse(option: &str, value: &str) -> Result<Location> {
        let bad = |why: String| Error::invalid(format!("option {option}: {why}"));
        if value.is_empty() || value.chars().any(char::is_control) {
            return Err(bad(
                "expected a file path or a redis:// URL, without control characters".into(),
            ));
        }
        let Some((scheme, _)) = value.split_once("://") else {
            // `redis:/:pw@host`, `rediss:pw@host`: a mistyped URL, not a file to create (and
            // not a value to quote back: it may hold a password).
            let lower = value.to_ascii_lowercase();
            // `:pw@host:6379`, `user:pw@host`: a URL without its scheme (a `user:password@`
            // with no folder in it), not a path.
            let userinfo = value.split_once('@').map(|(before, _)| before);
            let schemeless = userinfo.is_some_and(|u| u.contains(':') && !u.contains('/'));
            if lower.starts_with("redis:") || lower.starts_with("rediss:") || schemeless {
                return Err(bad(
                    "this looks like a Redis URL, which starts with redis:// or rediss://".into(),
                ));
            }
            return file(option, value);
        };
        if !matches!(scheme, "redis" | "rediss") {
            return Err(bad(format!(
                "unknown scheme '{}': expected a file path, redis:// or rediss://",
                printable(scheme)
            )));
        }
        // A fragment is the redis crate's switch for skipping certificate checks: never that.
        if value.contains('#') {
            return Err(bad("a Redis URL must not have a fragment".into()));
        }
        // The parser's own words never hold the URL (so never its password).
        value
            .into_connection_info()
            .map_err(|e| bad(format!("not a usable Redis URL ({})", e.category())))?;
        Ok(Location::Redis(Secret::new(value)))
    }
}

/// A file path in a folder that exists. Whether we may write there is checked when a client
/// opens it (`dinero_authenticate`), the moment the process that will use it is known.
fn file(option: &str, value: &str) -> Result<Location> {
    let path = PathBuf::from(value);
    let folder = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if value.ends_with('/') || !folder.is_dir() {
        // A value with an `@` may be a mistyped URL with a password: named, not quoted.
        let shown = match value.contains('@') {
            true => "the value".to_string(),
            false => format!("'{}'", printable(value)),
        };
        return Err(Error::invalid(format!(
            "option {option}: {shown} must be a file path in an existing folder"
        )));
    }
    Ok(Location::File(path))
}

/// `redis://host:port/db` with any user and password left out.
pub fn redacted_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return "redis".into();
    };
    let host_part = rest.rsplit_once('@').map_or(rest, |(_, host)| host);
    format!("{scheme}://{}", printable(host_part))
}

impl fmt::Debug for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::File(path) => write!(f, "File({path:?})"),
            Location::Redis(url) => write!(f, "Redis({})", redacted_url(url.expose())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_and_redis_urls_are_told_apart() {
        assert_eq!(
            Location::parse("shared_state", "/tmp/dinero.state").unwrap(),
            Location::File("/tmp/dinero.state".into())
        );
        // An @ and a colon in a folder's name still make a path.
        assert!(matches!(
            Location::parse("shared_state", "/tmp/a:b@c").unwrap(),
            Location::File(_)
        ));
        for url in [
            "redis://127.0.0.1:6379",
            "redis://:pw@127.0.0.1:6379/2",
            "rediss://user:pw@redis.example:6380/0",
        ] {
            assert!(matches!(
                Location::parse("shared_state", url).unwrap(),
                Location::Redis(_)
            ));
        }
    }

    #[test]
    fn bad_values_are_refused_with_the_reason() {
        for (value, why) in [
            ("memcached://127.0.0.1", "unknown scheme 'memcached'"),
            ("http://127.0.0.1", "unknown scheme 'http'"),
            ("redis://", "not a usable Redis URL"),
            ("redis://127.0.0.1/notanumber", "not a usable Redis URL"),
            ("rediss://127.0.0.1#insecure", "fragment"),
            ("/no/such/folder/state", "existing folder"),
            ("/tmp/", "existing folder"),
            ("", "file path or a redis"),
            ("/tmp/a\nb", "control characters"),
            (
                "redis:/:hunter2@redis.internal:6379/0",
                "starts with redis://",
            ),
            ("rediss:hunter2@redis.internal:6379", "starts with redis://"),
            ("Redis:/:hunter2@h", "starts with redis://"),
            ("redis//:hunter2@h:6379", "the value must be a file path"),
            (":hunter2@redis.internal:6379", "starts with redis://"),
            ("default:hunter2@redis.internal", "starts with redis://"),
        ] {
            let err = Location::parse("shared_state", value).unwrap_err();
            assert!(err.message().contains(why), "{value}: {err}");
            assert!(err.message().starts_with("option shared_state"), "{err}");
            assert!(!err.message().contains("hunter2"), "{err}");
        }
    }

    #[test]
    fn passwords_never_show() {
        let secret_url = "redis://user:hunter2-pw@127.0.0.1:6379/1";
        let location = Location::parse("shared_state", secret_url).unwrap();
        let shown = format!("{location:?}");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert_eq!(shown, "Redis(redis://127.0.0.1:6379/1)");
        let err = Location::parse("shared_state", "redis://u:hunter2-pw@h/x").unwrap_err();
        assert!(!err.message().contains("hunter2"), "{err}");
    }
}
