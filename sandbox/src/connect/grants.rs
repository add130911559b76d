//! Visma Connect's memory: authorization codes waiting to be exchanged, the grants they became
//! (one per consent), and the refresh tokens of each grant with their rotation state. Access
//! tokens live in the ordinary token store, tagged with their grant.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

use crate::config::RefreshTokens;
use crate::random;

/// Past this many remembered codes or refresh tokens, dead ones are forgotten.
const PRUNE_ABOVE: usize = 4096;

/// What the authorize step recorded for its code.
pub struct CodeRequest {
    pub client_id: String,
    pub redirect_uri: String,
    pub code_challenge: String,
    pub scope: String,
}

struct Code {
    request: CodeRequest,
    expires_at: Instant,
    /// Set by the first exchange attempt: codes are one-time, whatever that attempt's outcome.
    used: bool,
    /// The grant the exchange made, revoked if the code comes back.
    grant: Option<u64>,
}

struct Grant {
    client_id: String,
    scope: String,
    revoked: bool,
}

enum Rotation {
    Live,
    /// Rotated at `at` into `successor`: still answers (with the same successor) during the
    /// grace period.
    Rotated {
        at: Instant,
        successor: String,
    },
    /// Known to be used up (the `refresh_token_used` fault): refused from now on.
    Spent,
}

struct RefreshToken {
    grant: u64,
    expires_at: Instant,
    rotation: Rotation,
}

/// A refused exchange or refresh: the OAuth error and a description that names no secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub error: &'static str,
    pub description: &'static str,
}

const fn invalid_grant(description: &'static str) -> Refusal {
    Refusal {
        error: "invalid_grant",
        description,
    }
}

/// What a successful exchange or refresh hands out (besides the access token the caller
/// issues for `grant`).
#[derive(Debug)]
pub struct Issued {
    pub grant: u64,
    pub scope: String,
    pub refresh_token: Option<String>,
}

/// The rules a refresh follows, as configured at the time of the refresh.
#[derive(Debug, Clone, Copy)]
pub struct RefreshPolicy {
    pub mode: RefreshTokens,
    pub grace: Duration,
    pub lifetime: Duration,
}

#[derive(Default)]
struct Inner {
    codes: HashMap<String, Code>,
    grants: HashMap<u64, Grant>,
    refresh_tokens: HashMap<String, RefreshToken>,
    next_grant: u64,
}

#[derive(Default)]
pub struct GrantStore {
    inner: Mutex<Inner>,
}

/// 32 random bytes, base64url: the shape of IdentityServer's handles.
fn handle() -> String {
    let mut bytes = [0u8; 32];
    random::fill(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

impl Inner {
    fn new_refresh_token(&mut self, grant: u64, lifetime: Duration, now: Instant) -> String {
        if self.refresh_tokens.len() > PRUNE_ABOVE {
            self.refresh_tokens.retain(|_, t| t.expires_at > now);
        }
        let token = handle();
        self.refresh_tokens.insert(
            token.clone(),
            RefreshToken {
                grant,
                expires_at: now + lifetime,
                rotation: Rotation::Live,
            },
        );
        token
    }

    fn revoke(&mut self, grant: u64) {
        if let Some(g) = self.grants.get_mut(&grant) {
            g.revoked = true;
        }
    }
}

impl GrantStore {
    fn inner(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A new one-time code for an approved authorization request.
    pub fn issue_code(&self, request: CodeRequest, lifetime: Duration) -> String {
        let now = Instant::now();
        let mut inner = self.inner();
        if inner.codes.len() > PRUNE_ABOVE {
            inner.codes.retain(|_, c| c.expires_at > now);
        }
        let code = handle();
        inner.codes.insert(
            code.clone(),
            Code {
                request,
                expires_at: now + lifetime,
                used: false,
                grant: None,
            },
        );
        code
    }

    /// Exchanges a code. `check` sees the authorize request the code came from and refuses
    /// what does not match it (redirect URI, verifier). A code that comes back a second time
    /// is refused and the grant it made is revoked: `Err` then carries that grant, so the
    /// caller revokes its access tokens too.
    pub fn exchange_code(
        &self,
        code: &str,
        client_id: &str,
        refresh_lifetime: Duration,
        check: impl FnOnce(&CodeRequest) -> Result<(), Refusal>,
    ) -> Result<Issued, (Refusal, Option<u64>)> {
        let now = Instant::now();
        let mut inner = self.inner();
        let Some(entry) = inner.codes.get_mut(code) else {
            return Err((invalid_grant("the authorization code is not known"), None));
        };
        if entry.request.client_id != client_id {
            return Err((
                invalid_grant("the authorization code was issued to another client"),
                None,
            ));
        }
        if entry.used {
            let grant = entry.grant;
            if let Some(grant) = grant {
                inner.revoke(grant);
            }
            return Err((
                invalid_grant("the authorization code was already used"),
                grant,
            ));
        }
        entry.used = true;
        if now >= entry.expires_at {
            return Err((invalid_grant("the authorization code has expired"), None));
        }
        check(&entry.request).map_err(|refusal| (refusal, None))?;
        let scope = entry.request.scope.clone();
        let grant = inner.next_grant;
        inner.next_grant += 1;
        if let Some(entry) = inner.codes.get_mut(code) {
            entry.grant = Some(grant);
        }
        inner.grants.insert(
            grant,
            Grant {
                client_id: client_id.to_owned(),
                scope: scope.clone(),
                revoked: false,
            },
        );
        let refresh_token = scope
            .split(' ')
            .any(|s| s == "offline_access")
            .then(|| inner.new_refresh_token(grant, refresh_lifetime, now));
        Ok(Issued {
            grant,
            scope,
            refresh_token,
        })
    }

    /// A refresh: in one-time mode the token is rotated (and within the grace period answers
    /// the same successor again); in reusable mode it is answered back as it is.
    pub fn refresh(
        &self,
        token: &str,
        client_id: &str,
        policy: RefreshPolicy,
    ) -> Result<Issued, Refusal> {
        let now = Instant::now();
        let mut inner = self.inner();
        let Some(entry) = inner.refresh_tokens.get(token) else {
            return Err(invalid_grant("the refresh token is not known"));
        };
        let grant_id = entry.grant;
        let Some(grant) = inner.grants.get(&grant_id) else {
            return Err(invalid_grant("the refresh token is not known"));
        };
        if grant.client_id != client_id {
            return Err(invalid_grant(
                "the refresh token was issued to another client",
            ));
        }
        if grant.revoked {
            return Err(invalid_grant("the grant was revoked"));
        }
        if now >= entry.expires_at {
            return Err(invalid_grant("the refresh token has expired"));
        }
        let scope = grant.scope.clone();
        let successor = match &entry.rotation {
            Rotation::Spent => return Err(invalid_grant("the refresh token was already used")),
            Rotation::Rotated { at, successor } => {
                if now.duration_since(*at) >= policy.grace {
                    return Err(invalid_grant("the refresh token was already used"));
                }
                successor.clone()
            }
            Rotation::Live => match policy.mode {
                RefreshTokens::Reusable => token.to_owned(),
                RefreshTokens::OneTime => {
                    let successor = inner.new_refresh_token(grant_id, policy.lifetime, now);
                    if let Some(entry) = inner.refresh_tokens.get_mut(token) {
                        entry.rotation = Rotation::Rotated {
                            at: now,
                            successor: successor.clone(),
                        };
                    }
                    successor
                }
            },
        };
        Ok(Issued {
            grant: grant_id,
            scope,
            refresh_token: Some(successor),
        })
    }

    /// Marks a refresh token as used up, as if someone else had refreshed with it long ago.
    pub fn spend(&self, token: &str) {
        if let Some(entry) = self.inner().refresh_tokens.get_mut(token) {
            entry.rotation = Rotation::Spent;
        }
    }

    /// Revokes the grant of a refresh token; the grant, if the token was known.
    pub fn revoke_by_refresh_token(&self, token: &str) -> Option<u64> {
        let mut inner = self.inner();
        let grant = inner.refresh_tokens.get(token)?.grant;
        inner.revoke(grant);
        Some(grant)
    }

    /// Revokes every grant; the grants revoked.
    pub fn revoke_all(&self) -> Vec<u64> {
        let mut inner = self.inner();
        let mut revoked = Vec::new();
        for (id, grant) in &mut inner.grants {
            if !grant.revoked {
                grant.revoked = true;
                revoked.push(*id);
            }
        }
        revoked
    }

    /// Every refresh token issued so far expires now.
    pub fn expire_refresh_tokens(&self) {
        let now = Instant::now();
        for entry in self.inner().refresh_tokens.values_mut() {
            entry.expires_at = entry.expires_at.min(now);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request() -> CodeRequest {
        CodeRequest {
            client_id: "isv_a".into(),
            redirect_uri: "http://127.0.0.1/cb".into(),
            code_challenge: "c".into(),
            scope: "dineropublicapi:read offline_access".into(),
        }
    }

    const ONE_TIME: RefreshPolicy = RefreshPolicy {
        mode: RefreshTokens::OneTime,
        grace: Duration::from_secs(60),
        lifetime: Duration::from_secs(60),
    };

    #[test]
    fn code_is_one_time_and_reuse_revokes_its_grant() {
        let store = GrantStore::default();
        let code = store.issue_code(request(), Duration::from_secs(60));
        let issued = store
            .exchange_code(&code, "isv_a", Duration::from_secs(60), |_| Ok(()))
            .unwrap();
        let refresh = issued.refresh_token.unwrap();
        let (refusal, grant) = store
            .exchange_code(&code, "isv_a", Duration::from_secs(60), |_| Ok(()))
            .unwrap_err();
        assert_eq!(
            refusal.description,
            "the authorization code was already used"
        );
        assert_eq!(grant, Some(issued.grant));
        assert_eq!(
            store
                .refresh(&refresh, "isv_a", ONE_TIME)
                .unwrap_err()
                .description,
            "the grant was revoked"
        );
    }

    #[test]
    fn rotation_with_grace() {
        let store = GrantStore::default();
        let code = store.issue_code(request(), Duration::from_secs(60));
        let first = store
            .exchange_code(&code, "isv_a", Duration::from_secs(60), |_| Ok(()))
            .unwrap()
            .refresh_token
            .unwrap();
        let second = store.refresh(&first, "isv_a", ONE_TIME).unwrap();
        let again = store.refresh(&first, "isv_a", ONE_TIME).unwrap();
        assert_eq!(second.refresh_token, again.refresh_token);
        assert_ne!(second.refresh_token.as_deref(), Some(first.as_str()));
        let no_grace = RefreshPolicy {
            grace: Duration::ZERO,
            ..ONE_TIME
        };
        assert!(store.refresh(&first, "isv_a", no_grace).is_err());
        assert!(store.refresh(&first, "isv_b", ONE_TIME).is_err());
    }
}
