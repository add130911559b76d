//! Start-up configuration, and the part of it that can change while running.

use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use serde_json::{json, Value};

pub use crate::api::collections::DuplicateId;
pub use crate::rate_limit::RateWindow;

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

/// What a PDF of a draft invoice or credit note gets (Dinero renders booked ones only; what it
/// answers for a draft is not documented).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DraftPdf {
    /// 400 code 59 "Voucher not booked".
    #[default]
    Refuse,
    /// A PDF like a booked one's (its number shown as the draft's).
    Render,
}

impl DraftPdf {
    pub fn as_str(self) -> &'static str {
        match self {
            DraftPdf::Refuse => "refuse",
            DraftPdf::Render => "render",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "refuse" => Some(DraftPdf::Refuse),
            "render" => Some(DraftPdf::Render),
            _ => None,
        }
    }
}

impl DuplicateId {
    pub fn as_str(self) -> &'static str {
        match self {
            DuplicateId::Refuse => "refuse",
            DuplicateId::Accept => "accept",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "refuse" => Some(DuplicateId::Refuse),
            "accept" => Some(DuplicateId::Accept),
            _ => None,
        }
    }
}

/// What a Visma Connect refresh does to the refresh token it was given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RefreshTokens {
    /// Each refresh answers a new refresh token; the old one keeps working (answering the same
    /// new one) for the grace period, then is refused.
    #[default]
    OneTime,
    /// The same refresh token works again and again until it expires or is revoked.
    Reusable,
}

impl RefreshTokens {
    pub fn as_str(self) -> &'static str {
        match self {
            RefreshTokens::OneTime => "one-time",
            RefreshTokens::Reusable => "reusable",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "one-time" => Some(RefreshTokens::OneTime),
            "reusable" => Some(RefreshTokens::Reusable),
            _ => None,
        }
    }
}

/// The second organization a Visma Connect token reaches by default.
const SECOND_ORGANIZATION: u64 = 515_151;

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
    /// Fixed (Dinero's) or sliding (the stricter judge a test may choose).
    pub rate_window_kind: RateWindow,
    /// Rate-limit 429s carry `Retry-After` (the seconds left in the window, or
    /// `rate_limit_retry_after` when set). Dinero does not document the header: off plays a
    /// Dinero without it.
    pub retry_after_header: bool,
    /// A fixed `Retry-After` value on rate-limit 429s instead of the computed one.
    pub rate_limit_retry_after: Option<String>,
    /// What a create with an id that already exists gets.
    pub duplicate_id: DuplicateId,
    /// What a PDF of a draft gets.
    pub draft_pdf: DraftPdf,
    /// `queryFilter` only on the properties Dinero documents per resource (else code 46);
    /// false allows any property.
    pub strict_query_filter: bool,
    pub client_error_shape: ClientErrorShape,
    /// `GET /v1/{org}/files` lists every upload. Dinero lists a file only once it is attached
    /// to a voucher, and the sandbox has no voucher a file can be attached to, so by default
    /// the list stays empty; on plays the kinder archive tests of list mechanics need.
    pub list_unattached_files: bool,
    /// How long after its upload a file still answers 404 to a download: Dinero says a file
    /// may take a second to become readable. Zero serves it at once.
    pub file_ready_delay: Duration,
    /// The largest file content an upload may carry, in bytes: Dinero says "6 MB", taken as
    /// 6 MiB (6,291,456); 6,000,000 plays the other reading of it.
    pub max_upload_bytes: usize,
    /// Generated contacts ("Kontakt 0001", ...) added to the fixed seed data at start.
    pub seed_contacts: usize,
    pub bind: SocketAddr,
    /// A kept-alive connection idle this long between requests is closed.
    pub idle_timeout: Duration,
    /// One line per request on stderr (never a token or Authorization value).
    pub log_requests: bool,
    /// Serve HTTPS with a certificate made at start (see `Sandbox::ca_pem`).
    pub tls: bool,
    /// The Visma Connect client (an `isv_` id) and its secret.
    pub connect_client_id: String,
    pub connect_client_secret: String,
    /// Redirect URIs registered for the Connect client, besides loopback ones (always allowed).
    pub connect_redirect_uris: Vec<String>,
    /// The organizations a Connect token reaches; `None`: `organization_id` and one more (see
    /// [`Config::connect_organization_ids`]).
    pub connect_organizations: Option<Vec<u64>>,
    /// Organizations without a Pro subscription: listed with `IsPro` false, and every API
    /// request for one is Dinero's 403 code 48. Every other organization is Pro.
    pub non_pro_organizations: Vec<u64>,
    pub refresh_tokens: RefreshTokens,
    /// How long a rotated one-time refresh token still works.
    pub refresh_grace: Duration,
    pub refresh_token_lifetime: Duration,
    /// How long an authorization code can be exchanged.
    pub code_lifetime: Duration,
}

impl Config {
    /// Whether organization `id` has a Pro subscription (see `non_pro_organizations`).
    pub fn is_pro(&self, id: u64) -> bool {
        !self.non_pro_organizations.contains(&id)
    }

    /// The organizations a Connect access token reaches, in the order `/v1/organizations` lists
    /// them.
    pub fn connect_organization_ids(&self) -> Vec<u64> {
        match &self.connect_organizations {
            Some(ids) => ids.clone(),
            None if self.organization_id == SECOND_ORGANIZATION => {
                vec![self.organization_id, SECOND_ORGANIZATION + 1]
            }
            None => vec![self.organization_id, SECOND_ORGANIZATION],
        }
    }

    /// `organization_name` for `organization_id`, a made-up name for the others.
    pub fn organization_name_of(&self, id: u64) -> String {
        if id == self.organization_id {
            self.organization_name.clone()
        } else {
            format!("Sandbox {id} ApS")
        }
    }
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
            rate_window_kind: RateWindow::Fixed,
            retry_after_header: true,
            rate_limit_retry_after: None,
            duplicate_id: DuplicateId::Refuse,
            draft_pdf: DraftPdf::Refuse,
            strict_query_filter: true,
            client_error_shape: ClientErrorShape::Plain,
            list_unattached_files: false,
            file_ready_delay: Duration::from_secs(1),
            max_upload_bytes: crate::api::files::MAX_FILE_SIZE,
            seed_contacts: 0,
            bind: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            idle_timeout: Duration::from_secs(60),
            log_requests: false,
            tls: false,
            connect_client_id: "isv_sandbox".into(),
            connect_client_secret: "connect-secret".into(),
            connect_redirect_uris: Vec::new(),
            connect_organizations: None,
            non_pro_organizations: Vec::new(),
            refresh_tokens: RefreshTokens::OneTime,
            refresh_grace: Duration::from_secs(10),
            refresh_token_lifetime: Duration::from_secs(365 * 24 * 3600),
            code_lifetime: Duration::from_secs(60),
        }
    }
}

/// The settings that `POST /_sandbox/config` may change at run time.
#[derive(Debug, Clone)]
pub struct Settings {
    pub token_lifetime: Duration,
    pub rate_limit: u32,
    pub rate_window: Duration,
    pub rate_window_kind: RateWindow,
    pub retry_after_header: bool,
    pub rate_limit_retry_after: Option<String>,
    pub duplicate_id: DuplicateId,
    pub draft_pdf: DraftPdf,
    pub strict_query_filter: bool,
    pub client_error_shape: ClientErrorShape,
    pub list_unattached_files: bool,
    pub file_ready_delay: Duration,
    pub max_upload_bytes: usize,
    pub refresh_tokens: RefreshTokens,
    pub refresh_grace: Duration,
    pub refresh_token_lifetime: Duration,
    pub code_lifetime: Duration,
}

impl Settings {
    pub fn from_config(config: &Config) -> Self {
        Settings {
            token_lifetime: config.token_lifetime,
            rate_limit: config.rate_limit,
            rate_window: config.rate_window,
            rate_window_kind: config.rate_window_kind,
            retry_after_header: config.retry_after_header,
            rate_limit_retry_after: config.rate_limit_retry_after.clone(),
            duplicate_id: config.duplicate_id,
            draft_pdf: config.draft_pdf,
            strict_query_filter: config.strict_query_filter,
            client_error_shape: config.client_error_shape,
            list_unattached_files: config.list_unattached_files,
            file_ready_delay: config.file_ready_delay,
            max_upload_bytes: config.max_upload_bytes,
            refresh_tokens: config.refresh_tokens,
            refresh_grace: config.refresh_grace,
            refresh_token_lifetime: config.refresh_token_lifetime,
            code_lifetime: config.code_lifetime,
        }
    }

    pub fn to_json(&self) -> Value {
        json!({
            "token_lifetime_ms": duration_ms(self.token_lifetime),
            "rate_limit": self.rate_limit,
            "rate_window_ms": duration_ms(self.rate_window),
            "rate_window_kind": self.rate_window_kind.as_str(),
            "retry_after_header": self.retry_after_header,
            "rate_limit_retry_after": self.rate_limit_retry_after,
            "duplicate_id": self.duplicate_id.as_str(),
            "draft_pdf": self.draft_pdf.as_str(),
            "strict_query_filter": self.strict_query_filter,
            "client_error_shape": self.client_error_shape.as_str(),
            "list_unattached_files": self.list_unattached_files,
            "file_ready_delay_ms": duration_ms(self.file_ready_delay),
            "max_upload_bytes": self.max_upload_bytes,
            "refresh_tokens": self.refresh_tokens.as_str(),
            "refresh_grace_ms": duration_ms(self.refresh_grace),
            "refresh_token_lifetime_ms": duration_ms(self.refresh_token_lifetime),
            "code_lifetime_ms": duration_ms(self.code_lifetime),
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
                "refresh_token_lifetime_ms" => {
                    next.refresh_token_lifetime = positive_ms(key, value)?;
                }
                "code_lifetime_ms" => next.code_lifetime = positive_ms(key, value)?,
                "refresh_grace_ms" => {
                    next.refresh_grace = value
                        .as_u64()
                        .map(Duration::from_millis)
                        .ok_or_else(|| format!("{key} must be a non-negative integer"))?;
                }
                "refresh_tokens" => {
                    next.refresh_tokens = value
                        .as_str()
                        .and_then(RefreshTokens::parse)
                        .ok_or_else(|| format!("{key} must be \"one-time\" or \"reusable\""))?;
                }
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
                "retry_after_header" => next.retry_after_header = boolean(key, value)?,
                "strict_query_filter" => next.strict_query_filter = boolean(key, value)?,
                "list_unattached_files" => next.list_unattached_files = boolean(key, value)?,
                "max_upload_bytes" => {
                    next.max_upload_bytes = value
                        .as_u64()
                        .filter(|n| (1..=crate::api::files::MAX_FILE_SIZE as u64).contains(n))
                        .map(|n| n as usize)
                        .ok_or_else(|| {
                            format!(
                                "{key} must be a whole number from 1 to {}",
                                crate::api::files::MAX_FILE_SIZE
                            )
                        })?;
                }
                "file_ready_delay_ms" => {
                    next.file_ready_delay = value
                        .as_u64()
                        .map(Duration::from_millis)
                        .ok_or_else(|| format!("{key} must be a non-negative integer"))?;
                }
                "duplicate_id" => {
                    next.duplicate_id = value
                        .as_str()
                        .and_then(DuplicateId::parse)
                        .ok_or_else(|| format!("{key} must be \"refuse\" or \"accept\""))?;
                }
                "rate_window_kind" => {
                    next.rate_window_kind = value
                        .as_str()
                        .and_then(RateWindow::parse)
                        .ok_or_else(|| format!("{key} must be \"fixed\" or \"sliding\""))?;
                }
                "draft_pdf" => {
                    next.draft_pdf = value
                        .as_str()
                        .and_then(DraftPdf::parse)
                        .ok_or_else(|| format!("{key} must be \"refuse\" or \"render\""))?;
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

fn boolean(key: &str, value: &Value) -> Result<bool, String> {
    value
        .as_bool()
        .ok_or_else(|| format!("{key} must be true or false"))
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
        s.apply_patch(&json!({"duplicate_id": "accept", "draft_pdf": "render", "retry_after_header": false, "strict_query_filter": false}))
            .unwrap();
        assert_eq!(s.duplicate_id, DuplicateId::Accept);
        assert_eq!(s.draft_pdf, DraftPdf::Render);
        assert!(!s.retry_after_header && !s.strict_query_filter);
        assert!(s.apply_patch(&json!({"duplicate_id": "maybe"})).is_err());
    }

    #[test]
    fn file_archive_settings_patch() {
        let mut s = Settings::from_config(&Config::default());
        assert!(!s.list_unattached_files);
        assert_eq!(s.file_ready_delay, Duration::from_secs(1));
        s.apply_patch(&json!({"list_unattached_files": true, "file_ready_delay_ms": 0}))
            .unwrap();
        assert!(s.list_unattached_files);
        assert_eq!(s.file_ready_delay, Duration::ZERO);
        assert_eq!(s.to_json()["file_ready_delay_ms"], 0);
        assert_eq!(s.to_json()["list_unattached_files"], true);
        assert_eq!(s.max_upload_bytes, 6 * 1024 * 1024);
        s.apply_patch(&json!({"max_upload_bytes": 6_000_000}))
            .unwrap();
        assert_eq!(s.to_json()["max_upload_bytes"], 6_000_000);
        for bad in [
            json!({"max_upload_bytes": 0}),
            json!({"max_upload_bytes": 6 * 1024 * 1024 + 1}),
            json!({"list_unattached_files": "yes"}),
            json!({"file_ready_delay_ms": -1}),
            json!({"file_ready_delay_ms": 0.5}),
        ] {
            assert!(s.apply_patch(&bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn connect_settings_patch() {
        let mut s = Settings::from_config(&Config::default());
        s.apply_patch(&json!({"refresh_tokens": "reusable", "refresh_grace_ms": 0, "refresh_token_lifetime_ms": 5, "code_lifetime_ms": 7}))
            .unwrap();
        assert_eq!(s.refresh_tokens, RefreshTokens::Reusable);
        assert_eq!(s.refresh_grace, Duration::ZERO);
        assert_eq!(s.to_json()["refresh_token_lifetime_ms"], 5);
        assert_eq!(s.to_json()["code_lifetime_ms"], 7);
        for bad in [
            json!({"refresh_tokens": "sometimes"}),
            json!({"refresh_grace_ms": -1}),
            json!({"code_lifetime_ms": 0}),
            json!({"refresh_token_lifetime_ms": "1"}),
        ] {
            assert!(s.apply_patch(&bad).is_err(), "{bad}");
        }
        assert_eq!(s.to_json()["refresh_tokens"], "reusable");
    }

    #[test]
    fn connect_organizations_default_to_ours_and_one_more() {
        let mut c = Config::default();
        assert_eq!(c.connect_organization_ids(), [424_242, 515_151]);
        c.organization_id = 515_151;
        assert_eq!(c.connect_organization_ids(), [515_151, 515_152]);
        c.connect_organizations = Some(vec![1]);
        assert_eq!(c.connect_organization_ids(), [1]);
        assert_eq!(c.organization_name_of(515_151), "Sandbox ApS");
        assert_eq!(c.organization_name_of(1), "Sandbox 1 ApS");
    }
}
