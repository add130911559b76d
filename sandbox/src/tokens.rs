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
    access: Access,
    /// The Visma Connect grant the token came from, so revoking the grant revokes it too.
    grant: Option<u64>,
    expires_at: Instant,
    revoked: bool,
}

/// What a live token may do: which client id it was issued to (the rate limit counts per
/// organization and client id), which organizations it reaches, and whether it may read and
/// write (Visma Connect's `dineropublicapi:read` and `dineropublicapi:write`; the API key's
/// token may do both).
#[derive(Clone)]
pub struct Access {
    pub client_id: Arc<str>,
    pub organizations: Arc<[u64]>,
    pub reads: bool,
    pub writes: bool,
}

impl Access {
    /// Whether the token's scope allows `method` (reading: GET and HEAD), else the scope it
    /// lacks.
    pub fn lacks_scope_for(&self, method: &str) -> Option<&'static str> {
        let reading = method.eq_ignore_ascii_case("GET") || method.eq_ignore_ascii_case("HEAD");
        match reading {
            true => (!self.reads).then_some("dineropublicapi:read"),
            false => (!self.writes).then_some("dineropublicapi:write"),
        }
    }

    /// The rate limit's key for a request to `organization` (`None`: a path without one, such
    /// as `/v1/organizations`, counts under the token's first organization).
    pub fn rate_key(&self, organization: Option<u64>) -> Arc<str> {
        let organization = organization
            .filter(|o| self.organizations.contains(o))
            .or_else(|| self.organizations.first().copied())
            .unwrap_or(0);
        Arc::from(format!("{organization}:{}", self.client_id))
    }
}

#[derive(Default)]
pub struct TokenStore {
    tokens: Mutex<HashMap<String, TokenInfo>>,
}

impl TokenStore {
    fn tokens(&self) -> MutexGuard<'_, HashMap<String, TokenInfo>> {
        self.tokens.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Issues a new JWT-looking token for `client_id` and one organization (the password
    /// grant), valid for `lifetime` from now.
    pub fn issue(&self, client_id: &str, organization_id: u64, lifetime: Duration) -> String {
        let claims = json!({
            "iss": "https://authz.dinero.sandbox",
            "aud": "dineroapi",
            "client_id": client_id,
            "org": organization_id,
            "scope": ["read", "write"],
        });
        let access = Access {
            client_id: Arc::from(client_id),
            organizations: Arc::from([organization_id]),
            reads: true,
            writes: true,
        };
        self.insert(make_jwt(claims, lifetime), access, None, lifetime)
    }

    /// Issues a Visma Connect access token: several organizations, tied to `grant`.
    pub fn issue_connect(
        &self,
        access: Access,
        grant: u64,
        scope: &str,
        lifetime: Duration,
    ) -> String {
        let claims = json!({
            "iss": "https://connect.visma.sandbox",
            "aud": "dineropublicapi",
            "client_id": &*access.client_id,
            "scope": scope.split(' ').collect::<Vec<_>>(),
        });
        self.insert(make_jwt(claims, lifetime), access, Some(grant), lifetime)
    }

    fn insert(
        &self,
        token: String,
        access: Access,
        grant: Option<u64>,
        lifetime: Duration,
    ) -> String {
        let now = Instant::now();
        let mut tokens = self.tokens();
        if tokens.len() > PRUNE_ABOVE {
            tokens.retain(|_, t| !t.revoked && t.expires_at > now);
        }
        tokens.insert(
            token.clone(),
            TokenInfo {
                access,
                grant,
                expires_at: now + lifetime,
                revoked: false,
            },
        );
        token
    }

    /// What a live token may do; `None` for unknown, expired or revoked tokens.
    pub fn validate(&self, token: &str) -> Option<Access> {
        let tokens = self.tokens();
        let info = tokens.get(token)?;
        (!info.revoked && Instant::now() < info.expires_at).then(|| info.access.clone())
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

    /// Revokes one access token; whether it was a live one.
    pub fn revoke(&self, token: &str) -> bool {
        match self.tokens().get_mut(token) {
            Some(info) if !info.revoked => {
                info.revoked = true;
                true
            }
            _ => false,
        }
    }

    /// Every access token issued from `grant` stops working.
    pub fn revoke_grant(&self, grant: u64) {
        for info in self.tokens().values_mut() {
            if info.grant == Some(grant) {
                info.revoked = true;
            }
        }
    }
}

/// `header.payload.signature`, base64url like a real JWT (so a client that peeks at the payload
/// finds `exp`), with a random signature: nobody can verify it, nobody should try.
fn make_jwt(mut claims: serde_json::Value, lifetime: Duration) -> String {
    let now_s = clock::now_ms() / 1000;
    let lifetime_s = i64::try_from(lifetime.as_secs()).unwrap_or(i64::MAX / 2);
    // A literal, not a json! map (which sorts keys): real Dinero tokens start `eyJ0eXAiOiJKV1Qi`.
    let header = r#"{"typ":"JWT","alg":"RS256"}"#;
    if let Some(payload) = claims.as_object_mut() {
        payload.insert("nbf".into(), json!(now_s));
        payload.insert("exp".into(), json!(now_s.saturating_add(lifetime_s)));
        payload.insert(
            "jti".into(),
            json!(format!(
                "{:016x}{:016x}",
                random::next_u64(),
                random::next_u64()
            )),
        );
    }
    let payload = claims;
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
        assert_eq!(&*store.validate(&t).unwrap().rate_key(None), "1:rasmus");
        assert!(store.validate("garbage").is_none());
        store.expire_all();
        assert!(store.validate(&t).is_none());
        let t2 = store.issue("rasmus", 1, Duration::from_secs(60));
        assert_ne!(t, t2);
        store.revoke_all();
        assert!(store.validate(&t2).is_none());
    }
}
