//! Start-up configuration, and the part of it that can change while running.

use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use serde_json::{json, Value};

/// How the token endpoint shapes its 401 for a bad client id/secret. docs/dinero-api.md is not
/// sure which one Dinero sends, so both exist and a client must cope with either.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ClientErrorShape {
    /// `{"error":"invalid_client"}`
    #[default]
    Plain,
    /// `{"message":"{ \"error\": \"invalid_client\" }"}`, like the 400s.
    Wrapped,
}

impl ClientErrorShape {
    pub fn as_str(self) -> &'static str {
        match self {
            ClientErrorShape::Plain => "plain",
            ClientErrorShape::Wrapped => "wrapped",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "plain" => Some(ClientErrorShape::Plain),
            "wrapped" => Some(ClientErrorShape::Wrapped),
            _ => None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Config {
    pub client_id: String,
    pub client_secret: String,
    /// The organization's API key: both username and password of the password grant.
    pub api_key: String,
    pub organization_id: u64,
    pub organization_name: String,
    pub token_lifetime: Duration,
    /// Admitted API requests per client id per `rate_window`; 0 turns the limit off.
    pub rate_limit: u32,
    pub rate_window: Duration,
    /// `Retry-After` value on rate-limit 429s; `None` sends none, like Dinero's undocumented
    /// headers may.
    pub rate_limit_retry_after: Option<String>,
    pub client_error_shape: ClientErrorShape,
    /// Generated contacts ("Kontakt 0001", ...) added to the fixed seed data at start.
    pub seed_contacts: usize,
    pub bind: SocketAddr,
    /// One line per request on stderr (never a token or Authorization value).
    pub log_requests: bool,
    /// Serve HTTPS with a certificate made at start (see `Sandbox::ca_pem`).
    pub tls: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            client_id: "rasmus".into(),
            client_secret: "dinero".into(),
            api_key: "sandbox-api-key-7f3c9b2e".into(),
            organization_id: 424_242,
            organization_name: "Sandbox ApS".into(),
            token_lifetime: Duration::from_secs(3600),
            rate_limit: 100,
            rate_window: Duration::from_secs(60),
            rate_limit_retry_after: None,
            client_error_shape: ClientErrorShape::Plain,
            seed_contacts: 0,
            bind: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            log_requests: false,
            tls: false,
        }
    }
}

/// The settings that `POST /_sandbox/config` may change at run time.
#[derive(Debug, Clone)]
pub struct Settings {
    pub token_lifetime: Duration,
    pub rate_limit: u32,
    pub rate_window: Duration,
    pub rate_limit_retry_after: Option<String>,
    pub client_error_shape: ClientErrorShape,
}

impl Settings {
    pub fn from_config(config: &Config) -> Self {
        Settings {
            token_lifetime: config.token_lifetime,
            rate_limit: config.rate_limit,
            rate_window: config.rate_window,
            rate_limit_retry_after: config.rate_limit_retry_after.clone(),
            client_error_shape: config.client_error_shape,
        }
    }

    pub fn to_json(&self) -> Value {
        json!({
            "token_lifetime_ms": duration_ms(self.token_lifetime),
            "rate_limit": self.rate_limit,
            "rate_window_ms": duration_ms(self.rate_window),
            "rate_limit_retry_after": self.rate_limit_retry_after,
            "client_error_shape": self.client_error_shape.as_str(),
        })
    }

    /// Applies a patch like `{"rate_limit":20,"rate_window_ms":2000}`. All or nothing: on any
    /// bad or unknown key nothing changes.
    pub fn apply_patch(&mut self, patch: &Value) -> Result<(), String> {
        let Some(patch) = patch.as_object() else {
            return Err("config patch must be a JSON object".into());
        };
        let mut next = self.clone();
        for (key, value) in patch {
            match key.as_str() {
                "token_lifetime_ms" => next.token_lifetime = positive_ms(key, value)?,
                "rate_window_ms" => next.rate_window = positive_ms(key, value)?,
                "rate_limit" => {
                    next.rate_limit = value
                        .as_u64()
                        .and_then(|n| u32::try_from(n).ok())
                        .ok_or_else(|| format!("{key} must be a non-negative integer"))?;
                }
                "rate_limit_retry_after" => {
                    next.rate_limit_retry_after = match value {
                        Value::Null => None,
                        Value::String(s) if valid_header_value(s) => Some(s.clone()),
                        Value::Number(n) => Some(n.to_string()),
                        _ => {
                            return Err(format!(
                                "{key} must be null, a number or a header-safe string"
                            ))
                        }
                    };
                }
                "client_error_shape" => {
                    next.client_error_shape = value
                        .as_str()
                        .and_then(ClientErrorShape::parse)
                        .ok_or_else(|| format!("{key} must be \"plain\" or \"wrapped\""))?;
                }
                other => return Err(format!("unknown config key {other:?}")),
            }
        }
        *self = next;
        Ok(())
    }
}

fn positive_ms(key: &str, value: &Value) -> Result<Duration, String> {
    match value.as_u64() {
        Some(ms) if ms > 0 => Ok(Duration::from_millis(ms)),
        _ => Err(format!("{key} must be a positive integer (milliseconds)")),
    }
}

pub fn duration_ms(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// A value that can go into a response header as is (no CR/LF injection into our own output).
pub fn valid_header_value(s: &str) -> bool {
    s.bytes().all(|b| b == b'\t' || (b' '..=b'~').contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patch_is_all_or_nothing() {
        let mut s = Settings::from_config(&Config::default());
        assert!(s
            .apply_patch(&json!({"rate_limit": 5, "bogus": 1}))
            .is_err());
        assert_eq!(s.rate_limit, 100);
        s.apply_patch(
            &json!({"rate_limit": 5, "rate_limit_retry_after": 2, "client_error_shape": "wrapped"}),
        )
        .unwrap();
        assert_eq!(s.rate_limit, 5);
        assert_eq!(s.rate_limit_retry_after.as_deref(), Some("2"));
        assert_eq!(s.client_error_shape, ClientErrorShape::Wrapped);
        assert!(s.apply_patch(&json!({"token_lifetime_ms": 0})).is_err());
        assert!(s
            .apply_patch(&json!({"rate_limit_retry_after": "1\r\nX: y"}))
            .is_err());
    }
}
