//! Issued access tokens: who they belong to and until when they work.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::json;

use crate::clock;
use crate::random;

/// Past this many remembered tokens, dead ones are forgotten when the next is issued.
const PRUNE_ABOVE: usize = 4096;

struct TokenInfo {
    /// `organization:client id`: what the rate limit counts under.
    rate_key: Arc<str>,
    expires_at: Instant,
    revoked: bool,
}

#[derive(Default)]
pub struct TokenStore {
    tokens: Mutex<HashMap<String, TokenInfo>>,
}

impl TokenStore {
    fn tokens(&self) -> MutexGuard<'_, HashMap<String, TokenInfo>> {
        self.tokens.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Issues a new JWT-looking token for `client_id`, valid for `lifetime` from now.
    pub fn issue(&self, client_id: &str, organization_id: u64, lifetime: Duration) -> String {
        let now = Instant::now();
        let token = make_jwt(client_id, organization_id, lifetime);
        let mut tokens = self.tokens();
        if tokens.len() > PRUNE_ABOVE {
            tokens.retain(|_, t| !t.revoked && t.expires_at > now);
        }
        tokens.insert(
            token.clone(),
            TokenInfo {
                rate_key: Arc::from(format!("{organization_id}:{client_id}")),
                expires_at: now + lifetime,
                revoked: false,
            },
        );
        token
    }

    /// The organization and client id a live token was issued to, as the rate limit's key;
    /// `None` for unknown, expired or revoked tokens.
    pub fn validate(&self, token: &str) -> Option<Arc<str>> {
        let tokens = self.tokens();
        let info = tokens.get(token)?;
        (!info.revoked && Instant::now() < info.expires_at).then(|| Arc::clone(&info.rate_key))
    }

    /// Every token issued so far stops working now.
    pub fn expire_all(&self) {
        let now = Instant::now();
        for info in self.tokens().values_mut() {
            info.expires_at = info.expires_at.min(now);
        }
    }

    pub fn revoke_all(&self) {
        for info in self.tokens().values_mut() {
            info.revoked = true;
        }
    }
}

/// `header.payload.signature`, base64url like a real JWT (so a client that peeks at the payload
/// finds `exp`), with a random signature: nobody can verify it, nobody should try.
fn make_jwt(client_id: &str, organization_id: u64, lifetime: Duration) -> String {
    let now_s = clock::now_ms() / 1000;
    let lifetime_s = i64::try_from(lifetime.as_secs()).unwrap_or(i64::MAX / 2);
    // A literal, not a json! map (which sorts keys): real Dinero tokens start `eyJ0eXAiOiJKV1Qi`.
    let header = r#"{"typ":"JWT","alg":"RS256"}"#;
    let payload = json!({
        "iss": "https://authz.dinero.sandbox",
        "aud": "dineroapi",
        "client_id": client_id,
        "org": organization_id,
        "scope": ["read", "write"],
        "nbf": now_s,
        "exp": now_s.saturating_add(lifetime_s),
        "jti": format!("{:016x}{:016x}", random::next_u64(), random::next_u64()),
    });
    let mut signature = [0u8; 64];
    random::fill(&mut signature);
    format!(
        "{}.{}.{}",
        URL_SAFE_NO_PAD.encode(header),
        URL_SAFE_NO_PAD.encode(payload.to_string()),
        URL_SAFE_NO_PAD.encode(signature)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lifecycle() {
        let store = TokenStore::default();
        let t = store.issue("rasmus", 1, Duration::from_secs(60));
        assert!(t.starts_with("eyJ0eXAiOiJKV1Qi"));
        assert_eq!(t.split('.').count(), 3);
        assert_eq!(store.validate(&t).as_deref(), Some("1:rasmus"));
        assert!(store.validate("garbage").is_none());
        store.expire_all();
        assert!(store.validate(&t).is_none());
        let t2 = store.issue("rasmus", 1, Duration::from_secs(60));
        assert_ne!(t, t2);
        store.revoke_all();
        assert!(store.validate(&t2).is_none());
    }
}
