//! Client options: their defaults, and the validation that runs when an option is set, so a bad
//! value is refused at once (with a message naming the option) and never half-applied.

use crate::error::{Error, Result};
use crate::log::Logger;
use crate::shared_state::Location;
use std::path::{Path, PathBuf};
use std::time::Duration;
use ureq::http::Uri;

pub const DEFAULT_AUTH_URL: &str = "https://authz.dinero.dk/dineroapi/oauth/token";
pub const DEFAULT_API_URL: &str = "https://api.dinero.dk";
/// Visma Connect, the sign-in service of public integrations (see `connect/`).
pub const DEFAULT_CONNECT_URL: &str = "https://connect.visma.com";
/// What a personal integration's token asks for.
pub const API_KEY_SCOPE: &str = "read write";
/// What a public integration asks the user for: Dinero's API, and a refresh token.
pub const CONNECT_SCOPE: &str = "dineropublicapi:read dineropublicapi:write offline_access";

/// Every option key `set` accepts, in the order the documentation lists them.
pub const OPTION_KEYS: &[&str] = &[
    "auth_url",
    "api_url",
    "organization_id",
    "timeout_ms",
    "connect_timeout_ms",
    "max_retries",
    "retry_base_delay_ms",
    "retry_max_delay_ms",
    "retry_after_max_ms",
    "rate_limit_per_minute",
    "rate_limit_window_ms",
    "max_response_bytes",
    "user_agent",
    "ca_file",
    "scope",
    "shared_state",
    "shared_state_timeout_ms",
    "token_cache",
    "connect_url",
    "ui_locales",
    "grant_name",
];

/// The settings of one client. `Default` gives the real Dinero with Dinero's own limits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    pub auth_url: String,
    pub api_url: String,
    pub organization_id: Option<String>,
    /// The whole of one attempt: connect, send, and read the full answer.
    pub timeout: Duration,
    pub connect_timeout: Duration,
    pub max_retries: u32,
    pub retry_base_delay: Duration,
    pub retry_max_delay: Duration,
    /// A 429 whose Retry-After asks for longer than this is handed back instead of waited out.
    pub retry_after_max: Duration,
    /// At most this many requests in any `rate_limit_window`; 0 turns pacing off.
    pub rate_limit: u32,
    pub rate_limit_window: Duration,
    pub max_response_bytes: u64,
    /// Put in front of libdinero's own product token in the User-Agent header.
    pub user_agent: Option<String>,
    pub ca_file: Option<PathBuf>,
    /// None: the flow's own scope (`API_KEY_SCOPE` or `CONNECT_SCOPE`).
    pub scope: Option<String>,
    /// Where clients in any process or on any machine share one token and one rate window
    /// (a file, or Redis; see `shared_state/`). `token_cache` is its older name.
    pub shared_state: Option<Location>,
    /// How long one step on a Redis shared_state may take before the client goes on alone.
    pub shared_state_timeout: Duration,
    /// Receives a line per request attempt and token event (see `log.rs`).
    pub logger: Option<Logger>,
    /// Visma Connect's base URL: `/connect/authorize` and `/connect/token` are under it.
    pub connect_url: String,
    /// The language of Visma Connect's sign-in pages (`da-DK`, `en-US`, ...).
    pub ui_locales: Option<String>,
    /// Names one Visma Connect grant (one user's consent) in `shared_state`, e.g. the
    /// application's own id of that customer, so that two customers never share a store.
    pub grant_name: Option<String>,
    /// Receives every new Visma Connect refresh token before it is relied on.
    pub refresh_token_sink: Option<crate::connect::RefreshTokenSink>,
    /// Asked while a call waits (for a rate-limit slot, a retry's pause, a token): true gives
    /// the wait up (`interrupt.rs`).
    pub interrupt: Option<crate::interrupt::Interrupt>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            auth_url: DEFAULT_AUTH_URL.to_string(),
            api_url: DEFAULT_API_URL.to_string(),
            organization_id: None,
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            max_retries: 3,
            retry_base_delay: Duration::from_millis(250),
            retry_max_delay: Duration::from_secs(10),
            retry_after_max: Duration::from_secs(120),
            rate_limit: 100,
            rate_limit_window: Duration::from_secs(60),
            max_response_bytes: 64 * 1024 * 1024,
            user_agent: None,
            ca_file: None,
            scope: None,
            shared_state: None,
            shared_state_timeout: Duration::from_millis(500),
            logger: None,
            connect_url: DEFAULT_CONNECT_URL.to_string(),
            ui_locales: None,
            grant_name: None,
            refresh_token_sink: None,
            interrupt: None,
        }
    }
}

const MAX_MS: u64 = 24 * 60 * 60 * 1000;

/// The longest text option that is sent in a header, a form or a URL (`user_agent`, `scope`,
/// `ui_locales`, `grant_name`), and the longest custom header (name and value together). Real
/// values are tens of bytes; longer ones would only make a request that cannot be sent (ureq
/// refuses a header line longer than its output buffer, and servers refuse lines of 8-16 KiB),
/// so they are refused when set, with a message that names the option but never quotes it.
pub(crate) const MAX_HEADER_TEXT_BYTES: usize = 8 * 1024;

impl Config {
    /// Sets one option from its string form. On error nothing changes.
    pub fn set(&mut self, key: &str, value: &str) -> Result<()> {
        match key {
            "auth_url" => self.auth_url = base_url(key, value)?,
            "api_url" => self.api_url = base_url(key, value)?.trim_end_matches('/').to_string(),
            "organization_id" => self.organization_id = Some(organization_id(value)?),
            "timeout_ms" => self.timeout = millis(key, value, 1)?,
            "connect_timeout_ms" => self.connect_timeout = millis(key, value, 1)?,
            "max_retries" => self.max_retries = number(key, value, 0, 10)? as u32,
            "retry_base_delay_ms" => self.retry_base_delay = millis(key, value, 0)?,
            "retry_max_delay_ms" => self.retry_max_delay = millis(key, value, 0)?,
            "retry_after_max_ms" => self.retry_after_max = millis(key, value, 0)?,
            "rate_limit_per_minute" => self.rate_limit = number(key, value, 0, 1_000_000)? as u32,
            "rate_limit_window_ms" => self.rate_limit_window = millis(key, value, 1)?,
            "max_response_bytes" => self.max_response_bytes = number(key, value, 1, u64::MAX)?,
            "user_agent" => self.user_agent = Some(header_text(key, value)?),
            "ca_file" => self.ca_file = Some(ca_file(value)?),
            "scope" => self.scope = Some(header_text(key, value)?),
            "shared_state" | "token_cache" => {
                self.shared_state = Some(Location::parse(key, value)?)
            }
            "shared_state_timeout_ms" => self.shared_state_timeout = millis(key, value, 1)?,
            "connect_url" => {
                self.connect_url = base_url(key, value)?.trim_end_matches('/').to_string()
            }
            "ui_locales" => self.ui_locales = Some(locales(value)?),
            "grant_name" => self.grant_name = Some(header_text(key, value)?),
            _ => {
                return Err(Error::invalid(format!(
                    "unknown option '{}'; valid options are: {}",
                    printable(key),
                    OPTION_KEYS.join(", ")
                )))
            }
        }
        Ok(())
    }

    /// The scope a personal integration's token asks for.
    pub fn api_key_scope(&self) -> &str {
        self.scope.as_deref().unwrap_or(API_KEY_SCOPE)
    }

    /// The scope a Visma Connect authorization asks the user for.
    pub fn connect_scope(&self) -> &str {
        self.scope.as_deref().unwrap_or(CONNECT_SCOPE)
    }

    /// Checks that hold between options (each option alone was checked by `set`).
    pub fn validate(&self) -> Result<()> {
        base_url("auth_url", &self.auth_url)?;
        base_url("api_url", &self.api_url)?;
        base_url("connect_url", &self.connect_url)?;
        if self.retry_base_delay > self.retry_max_delay {
            return Err(Error::invalid(
                "retry_base_delay_ms must not be larger than retry_max_delay_ms",
            ));
        }
        Ok(())
    }
}

/// How a refused option value appears in its message. A value given to the wrong option may
/// be a secret (an API key swapped with the organization id, a config line run into the next
/// one), so only what cannot be one is quoted: a number, or text of at most 8 characters,
/// shorter than any credential Dinero or Visma Connect issues. Anything longer is told by its
/// length.
fn refused(value: &str) -> String {
    let number = value.trim().strip_prefix('-').unwrap_or(value.trim());
    let is_number = !number.is_empty() && number.bytes().all(|b| b.is_ascii_digit());
    if (is_number && number.len() <= 40) || value.chars().count() <= 8 {
        format!("'{}'", printable(value))
    } else {
        format!(
            "{} characters, not shown in case they are a secret set in the wrong place",
            value.chars().count()
        )
    }
}

/// A refused URL in its message: its origin when that reads as one, the rest never
/// (`server_text::url_origin`); else only its length.
fn refused_url(value: &str) -> String {
    match crate::server_text::url_origin(value) {
        Some(origin) => format!("'{origin}'"),
        None => refused(value),
    }
}

/// Shows a caller's string in a message without letting control characters through.
pub(crate) fn printable(s: &str) -> String {
    let mut shown: String = s.chars().take(64).collect();
    shown.retain(|c| !c.is_control());
    shown
}

fn number(key: &str, value: &str, min: u64, max: u64) -> Result<u64> {
    let parsed = value
        .trim()
        .parse::<u64>()
        .ok()
        .filter(|n| (min..=max).contains(n));
    parsed.ok_or_else(|| {
        Error::invalid(format!(
            "option {key}: expected a whole number from {min} to {max}, got {}",
            refused(value)
        ))
    })
}

fn millis(key: &str, value: &str, min: u64) -> Result<Duration> {
    number(key, value, min, MAX_MS).map(Duration::from_millis)
}

fn header_text(key: &str, value: &str) -> Result<String> {
    not_too_long(key, value)?;
    if value.is_empty() || value.chars().any(|c| c.is_control()) {
        return Err(Error::invalid(format!(
            "option {key}: must be non-empty text without control characters (CR, LF, NUL, ...)"
        )));
    }
    Ok(value.to_string())
}

/// Refuses a text option longer than `MAX_HEADER_TEXT_BYTES`; the value is not quoted (a scope
/// or a grant name may be something the caller would rather not see in a log).
fn not_too_long(key: &str, value: &str) -> Result<()> {
    if value.len() > MAX_HEADER_TEXT_BYTES {
        return Err(Error::invalid(format!(
            "option {key}: {} bytes is too long (at most {MAX_HEADER_TEXT_BYTES})",
            value.len()
        )));
    }
    Ok(())
}

/// `ui_locales`: language tags separated by spaces (`da-DK`, `en-US da-DK`), as OpenID Connect
/// defines it; anything else would be sent into a URL the user sees.
fn locales(value: &str) -> Result<String> {
    not_too_long("ui_locales", value)?;
    let tag = |t: &str| {
        (1..=35).contains(&t.len()) && t.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
    };
    if value.split(' ').all(tag) {
        return Ok(value.to_string());
    }
    Err(Error::invalid(format!(
        "option ui_locales: expected language tags separated by spaces (e.g. da-DK), got {}",
        refused(value)
    )))
}

pub(crate) fn organization_id(value: &str) -> Result<String> {
    if value.is_empty() || value.len() > 20 || !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Error::invalid(format!(
            "option organization_id: expected Dinero's numeric organization id, got {}",
            refused(value)
        )));
    }
    Ok(value.to_string())
}

fn ca_file(value: &str) -> Result<PathBuf> {
    let path = PathBuf::from(value);
    // The path is shown when it names a file, or a file in a folder that exists, without `=`:
    // a value that is not a path at all (a config line run into the next one, a key set in the
    // wrong place) is not.
    let plausible = path.exists()
        || (!value.contains('=') && value.contains('/') && path.parent().is_some_and(Path::is_dir));
    if !plausible {
        return Err(Error::invalid(format!(
            "option ca_file: no such file (got {})",
            refused(value)
        )));
    }
    match crate::files::read_limited(&path, crate::files::MAX_CA_FILE_BYTES) {
        Ok(pem) if pem.windows(27).any(|w| w == b"-----BEGIN CERTIFICATE-----") => Ok(path),
        Ok(_) => Err(Error::invalid(format!(
            "option ca_file: '{}' holds no PEM certificate",
            printable(value)
        ))),
        // Invalid argument, like every other refused option value; the message names the path.
        Err(e) => Err(Error::invalid(format!("option ca_file: {}", e.message()))),
    }
}

/// Whether a URL host is this machine (127.0.0.0/8, ::1, localhost): the only place where
/// plain http is allowed, because nothing on the way can read the bearer token there.
pub fn is_loopback_host(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    if host.eq_ignore_ascii_case("localhost") {
        return true;
    }
    match host.parse::<std::net::IpAddr>() {
        Ok(ip) => ip.is_loopback(),
        Err(_) => false,
    }
}

/// An absolute http(s) URL without query or fragment; http only to loopback.
fn base_url(key: &str, value: &str) -> Result<String> {
    // A URL with an `@` may carry a user and password (https://user:secret@host): not quoted.
    let shown = match value.contains('@') {
        true => "a URL with a user part, not shown".to_string(),
        false => refused_url(value),
    };
    let bad = |why: &str| Error::invalid(format!("option {key}: {why} (got {shown})"));
    if value.chars().any(|c| c.is_control() || c == ' ') {
        return Err(bad("a URL must not contain spaces or control characters"));
    }
    let uri: Uri = value.parse().map_err(|_| bad("not a valid URL"))?;
    let host = uri.host().ok_or_else(|| bad("the URL has no host"))?;
    match uri.scheme_str() {
        Some("https") => {}
        Some("http") if is_loopback_host(host) => {}
        Some("http") => {
            return Err(bad(
                "plain http is only allowed to this machine (127.0.0.1, ::1, localhost); use https",
            ))
        }
        _ => return Err(bad("the URL must start with https://")),
    }
    if uri.query().is_some() || value.contains('#') {
        return Err(bad("the URL must not have a query or fragment"));
    }
    // `Uri` accepts any digits after the colon, and a port it cannot read (99999) then counts
    // as no port at all: the request would go to the scheme's default port, bearer token
    // included. So a port is a number from 1 to 65535, or absent.
    let authority = uri.authority().map_or("", |a| a.as_str());
    let host_and_port = authority
        .rsplit_once('@')
        .map_or(authority, |(_, rest)| rest);
    let port = match host_and_port.rfind(']') {
        // [::1]:8080: a port can only follow the closing bracket.
        Some(end) => host_and_port[end + 1..].strip_prefix(':'),
        None => host_and_port.rsplit_once(':').map(|(_, port)| port),
    };
    if let Some(port) = port {
        let valid = port.bytes().all(|b| b.is_ascii_digit())
            && matches!(port.parse::<u16>(), Ok(n) if n != 0);
        if !valid {
            return Err(bad("the port must be a number from 1 to 65535"));
        }
    }
    Ok(value.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_the_real_dinero_and_its_limits() {
        let c = Config::default();
        assert_eq!(c.auth_url, "https://authz.dinero.dk/dineroapi/oauth/token");
        assert_eq!(c.api_url, "https://api.dinero.dk");
        assert_eq!(
            (c.rate_limit, c.rate_limit_window),
            (100, Duration::from_secs(60))
        );
        assert_eq!(c.api_key_scope(), "read write");
        c.validate().unwrap();
    }

    #[test]
    fn unknown_option_names_the_valid_ones_and_changes_nothing() {
        let mut c = Config::default();
        let err = c.set("timeout", "5").unwrap_err();
        assert!(err.message().contains("unknown option 'timeout'"));
        assert!(err.message().contains("timeout_ms"));
        assert!(err.message().contains("rate_limit_window_ms"));
        assert_eq!(c, Config::default());
    }

    #[test]
    fn numbers_are_range_checked() {
        let mut c = Config::default();
        for (key, bad) in [
            ("timeout_ms", "0"),
            ("timeout_ms", "-5"),
            ("timeout_ms", "abc"),
            ("timeout_ms", ""),
            ("max_retries", "11"),
            ("rate_limit_window_ms", "0"),
            ("max_response_bytes", "0"),
        ] {
            let err = c.set(key, bad).unwrap_err();
            assert!(err.message().contains(key), "{err}");
        }
        assert_eq!(c, Config::default());
        c.set("timeout_ms", "1500").unwrap();
        c.set("rate_limit_per_minute", "0").unwrap();
        assert_eq!((c.timeout, c.rate_limit), (Duration::from_millis(1500), 0));
    }

    #[test]
    fn plain_http_only_to_loopback() {
        let mut c = Config::default();
        for ok in [
            "http://127.0.0.1:8080",
            "http://127.1.2.3",
            "http://localhost:1/x",
            "http://[::1]:99",
            "https://example.com",
        ] {
            c.set("api_url", ok).unwrap();
        }
        for bad in [
            "http://api.dinero.dk",
            "http://10.0.0.1",
            "http://localhost.evil.com",
            "ftp://127.0.0.1",
            "127.0.0.1:80",
            "https://x.dk/?a=1",
            "https://x.dk/\r\nHost: y",
        ] {
            assert!(c.set("api_url", bad).is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn a_refused_url_with_a_password_is_not_quoted() {
        let mut c = Config::default();
        for bad in [
            "http://user:hunter2@api.example.com",
            "https://user:hunter2@h:99999/x",
            "user:hunter2@api.example.com",
        ] {
            for key in ["api_url", "auth_url", "connect_url"] {
                let err = c.set(key, bad).unwrap_err();
                assert!(!err.message().contains("hunter2"), "{err}");
                assert!(
                    err.message().starts_with(&format!("option {key}:")),
                    "{err}"
                );
            }
        }
        let err = c.set("api_url", "ftp://127.0.0.1").unwrap_err();
        assert!(err.message().contains("'ftp://127.0.0.1'"), "{err}");
    }

    #[test]
    fn a_secret_given_to_the_wrong_option_is_not_quoted() {
        let mut c = Config::default();
        let key = "ApIkEy0123456789abcdef0123456789";
        for (option, value) in [
            ("organization_id", key.to_string()),
            ("timeout_ms", key.to_string()),
            ("ui_locales", format!("da-DK {key}!")),
            // A config line run into the next one.
            (
                "api_url",
                format!("http://127.0.0.1:8080DINERO_CLIENT_SECRET={key}"),
            ),
            (
                "api_url",
                format!("https://api.example.com/v1?secret={key}"),
            ),
            ("api_url", format!("http://127.0.0.1:8080{key}")),
            ("ca_file", format!("/etc/ssl/ca.pemDINERO_API_KEY={key}")),
            ("ca_file", key.to_string()),
        ] {
            let err = c.set(option, &value).unwrap_err();
            assert!(!err.message().contains(&key[..12]), "{err}");
            assert!(
                err.message().starts_with(&format!("option {option}:")),
                "{err}"
            );
        }
        // What cannot be a secret is still shown, to help find the mistake.
        let err = c.set("timeout_ms", "30s").unwrap_err();
        assert!(err.message().contains("got '30s'"), "{err}");
        let err = c.set("organization_id", "-5").unwrap_err();
        assert!(err.message().contains("got '-5'"), "{err}");
        let err = c.set("api_url", "http://api.example.com/v1").unwrap_err();
        assert!(
            err.message().contains("'http://api.example.com/…'"),
            "{err}"
        );
    }

    #[test]
    fn url_ports_must_be_valid() {
        let mut c = Config::default();
        for key in ["api_url", "auth_url", "connect_url"] {
            for ok in [
                "http://127.0.0.1:1",
                "http://127.0.0.1:65535/x",
                "http://[::1]:8080",
                "http://[::1]",
                "https://user:pw@example.com:443/p",
            ] {
                c.set(key, ok).unwrap();
            }
            for bad in [
                "http://127.0.0.1:99999",
                "http://127.0.0.1:65536",
                "http://127.0.0.1:0",
                "http://127.0.0.1:00",
                "http://127.0.0.1:/x",
                "http://[::1]:70000",
                "https://example.com:+443",
                "https://user:pw@example.com:99999/p",
            ] {
                let err = c.set(key, bad).unwrap_err();
                assert_eq!(err.kind(), crate::error::ErrorKind::InvalidArgument);
                assert!(
                    err.message().contains(key) && err.message().contains("port"),
                    "{bad}: {err}"
                );
            }
        }
    }

    #[test]
    fn text_options_sent_in_requests_have_a_length_limit() {
        let mut c = Config::default();
        let secret = "s".repeat(MAX_HEADER_TEXT_BYTES + 1);
        for key in ["user_agent", "scope", "grant_name"] {
            c.set(key, &"a".repeat(MAX_HEADER_TEXT_BYTES)).unwrap();
            let err = c.set(key, &secret).unwrap_err();
            assert_eq!(err.kind(), crate::error::ErrorKind::InvalidArgument);
            assert!(err.message().contains(key), "{err}");
            assert!(err.message().contains("too long"), "{err}");
            assert!(!err.message().contains("sssss"), "{err}");
        }
        let locales = vec!["da-DK"; 2000].join(" ");
        let err = c.set("ui_locales", &locales).unwrap_err();
        assert!(err.message().contains("ui_locales"), "{err}");
        assert!(!err.message().contains("da-DK"), "{err}");
    }

    #[test]
    fn api_url_loses_its_trailing_slash() {
        let mut c = Config::default();
        c.set("api_url", "http://127.0.0.1:9/").unwrap();
        assert_eq!(c.api_url, "http://127.0.0.1:9");
    }

    #[test]
    fn organization_id_is_numeric() {
        let mut c = Config::default();
        c.set("organization_id", "424242").unwrap();
        assert!(c.set("organization_id", "42/../x").is_err());
        assert!(c.set("organization_id", "").is_err());
        assert_eq!(c.organization_id.as_deref(), Some("424242"));
    }

    #[test]
    fn text_options_refuse_control_characters() {
        let mut c = Config::default();
        assert!(c.set("user_agent", "a\r\nX-Evil: 1").is_err());
        assert!(c.set("scope", "").is_err());
        c.set("user_agent", "my-sync/2.0").unwrap();
    }

    #[test]
    fn token_cache_is_the_file_form_of_shared_state() {
        let mut c = Config::default();
        assert!(c.set("token_cache", "/no/such/folder/token.json").is_err());
        assert!(c.set("token_cache", "/tmp/").is_err());
        c.set("token_cache", "/tmp/dinero-token.json").unwrap();
        let file = Some(Location::File(PathBuf::from("/tmp/dinero-token.json")));
        assert_eq!(c.shared_state, file);
        let mut d = Config::default();
        d.set("shared_state", "/tmp/dinero-token.json").unwrap();
        assert_eq!(d, c);
        let err = d.set("shared_state", "mongodb://x").unwrap_err();
        assert!(err.message().contains("unknown scheme"), "{err}");
        assert_eq!(d, c, "a bad value changes nothing");
    }

    #[test]
    fn ca_file_must_hold_a_certificate() {
        let mut c = Config::default();
        assert!(c.set("ca_file", "/nonexistent/ca.pem").is_err());
        assert!(c.set("ca_file", "/etc/hostname").is_err());
        let err = c.set("ca_file", "/dev/zero").unwrap_err();
        assert_eq!(err.kind(), crate::error::ErrorKind::InvalidArgument);
        assert!(
            err.message().contains("/dev/zero: not a regular file"),
            "{err}"
        );
        assert_eq!(c.ca_file, None);
    }
}
