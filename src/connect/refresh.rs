//! The grant a Visma Connect client lives on: the authorization code, exchanged once, then the
//! refresh token, which Visma Connect may replace at every refresh (one-time refresh tokens:
//! the old one keeps working only for a grace period of seconds).
//!
//! A new refresh token is handed on before the access token that came with it is used: to the
//! shared store (so another process refreshes with it, not with the used one) and to the
//! caller's sink (so the application keeps it in its own database). Losing it would leave the
//! application unable to reach the books until the user signs in again.
//!
//! When Visma Connect refuses every refresh token this grant knows, the grant is spent: every
//! later call says `LoginRequired` at once, without asking again, unless a newer refresh token
//! turns up in the shared store (another process's sign-in).

use super::answer::{self, ConnectAnswer, GrantStep, StepKind};
use super::authorize::check_text;
use crate::callback::Callback;
use crate::error::{Error, ErrorKind, Result};
use crate::secret::Secret;
use crate::server_text::Redactor;
use std::sync::{Arc, Mutex, PoisonError};

/// Receives every new refresh token; it must store it durably before returning.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefreshTokenSink(Callback<dyn Fn(&str) + Send + Sync>);

impl RefreshTokenSink {
    pub fn new(sink: impl Fn(&str) + Send + Sync + 'static) -> Self {
        RefreshTokenSink(Callback::new(Arc::new(sink)))
    }
}

/// The code from the browser, waiting for the first token request.
struct PendingCode {
    code: Secret,
    code_verifier: Secret,
    redirect_uri: String,
}

pub struct RefreshGrant {
    pub client_id: Secret,
    client_secret: Secret,
    token_url: String,
    sink: Option<RefreshTokenSink>,
    state: Mutex<GrantState>,
}

#[derive(Default)]
struct GrantState {
    pending_code: Option<PendingCode>,
    /// The newest refresh token this process knows.
    current: Option<Secret>,
    /// The refresh tokens Visma Connect refused: asking again with them is pointless.
    refused: Vec<Secret>,
    /// The code was exchanged and no refresh token came with it (a scope without
    /// `offline_access`): the access token is all this grant will ever have.
    issued_none: bool,
}

/// A token request to make: the form, and what to scrub from the answer's text.
pub struct Ask {
    pub form: Secret,
    redactor: Redactor,
    kind: StepKind,
    refresh_token: Option<Secret>,
}

impl Ask {
    /// A refresh (true) or the code's exchange (false).
    pub fn is_refresh(&self) -> bool {
        self.kind == StepKind::Refresh
    }
}

impl RefreshGrant {
    fn new(
        client_id: &str,
        client_secret: &str,
        connect_url: &str,
        sink: Option<RefreshTokenSink>,
    ) -> Result<Self> {
        check_text("client id", client_id)?;
        check_text("client secret", client_secret)?;
        Ok(RefreshGrant {
            client_id: Secret::new(client_id),
            client_secret: Secret::new(client_secret),
            token_url: format!("{connect_url}/connect/token"),
            sink,
            state: Mutex::new(GrantState::default()),
        })
    }

    /// A grant from a refresh token the application stored.
    pub fn from_refresh_token(
        client_id: &str,
        client_secret: &str,
        refresh_token: &str,
        connect_url: &str,
        sink: Option<RefreshTokenSink>,
    ) -> Result<Self> {
        check_text("refresh token", refresh_token)?;
        let grant = Self::new(client_id, client_secret, connect_url, sink)?;
        grant.lock().current = Some(Secret::new(refresh_token));
        Ok(grant)
    }

    /// A grant from the code the browser brought back; the first token request exchanges it.
    pub fn from_code(
        client_id: &str,
        client_secret: &str,
        code: Secret,
        authorization: &super::Authorization,
        connect_url: &str,
        sink: Option<RefreshTokenSink>,
    ) -> Result<Self> {
        let grant = Self::new(client_id, client_secret, connect_url, sink)?;
        grant.lock().pending_code = Some(PendingCode {
            code,
            code_verifier: authorization.code_verifier.clone(),
            redirect_uri: authorization.redirect_uri.clone(),
        });
        Ok(grant)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, GrantState> {
        // Every field is replaced in single statements: a poisoned lock still holds a
        // consistent state.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub fn token_url(&self) -> &str {
        &self.token_url
    }

    /// Whether the code is still to be exchanged (a new sign-in: what a shared store holds
    /// for this grant is older and must not be used).
    pub fn signing_in(&self) -> bool {
        self.lock().pending_code.is_some()
    }

    /// The next token request. `stored` is the refresh token in the shared store, if any:
    /// another process may have received a newer one than ours. None: nothing left to try.
    pub fn next_ask(&self, stored: Option<Secret>) -> Result<Ask> {
        let mut state = self.lock();
        if let Some(pending) = state.pending_code.take() {
            let step = GrantStep::Code {
                code: &pending.code,
                code_verifier: &pending.code_verifier,
                redirect_uri: &pending.redirect_uri,
            };
            return Ok(self.ask(&step, None));
        }
        // The store's token first (it is the newest when another process rotated it), then
        // ours; never one Visma Connect refused already.
        let candidate = [stored, state.current.clone()]
            .into_iter()
            .flatten()
            .find(|t| !state.refused.contains(t));
        match candidate {
            Some(token) => Ok(self.ask(&GrantStep::Refresh(&token), Some(token.clone()))),
            None if state.issued_none && state.refused.is_empty() => Err(never_issued()),
            None => Err(login_required()),
        }
    }

    /// Finds the client secret and the newest refresh token in server text (an API answer that
    /// echoes what it was sent).
    pub fn redactor(&self) -> Redactor {
        let mut redactor = Redactor::new();
        redactor.add_secret(self.client_secret.expose());
        if let Some(current) = &self.lock().current {
            redactor.add_secret(current.expose());
        }
        redactor
    }

    fn ask(&self, step: &GrantStep<'_>, refresh_token: Option<Secret>) -> Ask {
        let mut redactor = Redactor::new();
        redactor.add_secret(self.client_secret.expose());
        for secret in step.secrets() {
            redactor.add_secret(secret);
        }
        Ask {
            form: step.form(&self.client_id, &self.client_secret),
            redactor,
            kind: step.kind(),
            refresh_token,
        }
    }

    /// Reads the answer to `ask`. A new refresh token goes to `persist` (the shared store,
    /// with the token it succeeds)
    /// and to the caller's sink before the answer is handed back. A refused refresh token is
    /// remembered, and the next ask tries the next one this grant knows, if any.
    pub fn read(
        &self,
        ask: &Ask,
        status: u16,
        body: &[u8],
        persist: &dyn Fn(&Secret, Option<&Secret>),
    ) -> Result<ConnectAnswer> {
        let outcome = answer::read(status, body, ask.kind, &self.token_url, &ask.redactor);
        match outcome {
            Ok(answer) => {
                let mut state = self.lock();
                if let Some(new) = &answer.refresh_token {
                    state.current = Some(new.clone());
                } else if let Some(used) = &ask.refresh_token {
                    // A reusable refresh token is not always sent again: keep the one used.
                    state.current = Some(used.clone());
                } else if ask.kind == StepKind::Code {
                    state.issued_none = true;
                }
                let handed_on = answer.refresh_token.clone();
                drop(state);
                if let Some(new) = handed_on {
                    persist(&new, ask.refresh_token.as_ref());
                    if let Some(sink) = &self.sink {
                        (sink.0)(new.expose());
                    }
                }
                Ok(answer)
            }
            Err(error) => {
                if error.kind() == ErrorKind::LoginRequired {
                    if let Some(used) = &ask.refresh_token {
                        self.lock().refused.push(used.clone());
                    }
                }
                Err(error)
            }
        }
    }

    /// Whether the sign-in brought no refresh token (a scope without `offline_access`).
    pub fn issued_none(&self) -> bool {
        self.lock().issued_none
    }

    /// Whether another ask could still succeed after a LoginRequired answer.
    pub fn has_untried(&self, stored: Option<&Secret>) -> bool {
        let state = self.lock();
        let untried = [stored, state.current.as_ref()]
            .into_iter()
            .flatten()
            .any(|t| !state.refused.contains(t));
        untried
    }
}

/// The access token from the sign-in has run out and there is nothing to renew it with:
/// Visma Connect refused nothing, it never issued a refresh token.
fn never_issued() -> Error {
    Error::new(
        ErrorKind::LoginRequired,
        "Visma Connect issued no refresh token at sign-in (the scope lacks offline_access), so \
         the access token cannot be renewed: the user must sign in again",
    )
}

pub fn login_required() -> Error {
    Error::new(
        ErrorKind::LoginRequired,
        "Visma Connect refused this grant's refresh token before (revoked, expired or already \
         used): the user must sign in again",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn grant(sink: Option<RefreshTokenSink>) -> RefreshGrant {
        RefreshGrant::from_refresh_token("isv_x", "secret", "rt-1", "https://c.example", sink)
            .unwrap()
    }

    const ROTATED: &[u8] =
        br#"{"access_token":"at","expires_in":3600,"token_type":"Bearer","refresh_token":"rt-2"}"#;

    #[test]
    fn a_rotated_refresh_token_is_persisted_and_handed_on_before_the_answer_returns() {
        let seen = Arc::new(Mutex::new(Vec::<String>::new()));
        let sink_seen = Arc::clone(&seen);
        let g = grant(Some(RefreshTokenSink::new(move |t| {
            sink_seen.lock().unwrap().push(t.to_string())
        })));
        let persisted = AtomicUsize::new(0);
        let ask = g.next_ask(None).unwrap();
        assert!(ask.form.expose().contains("refresh_token=rt-1"));
        g.read(&ask, 200, ROTATED, &|t, replaces| {
            assert_eq!(t.expose(), "rt-2");
            assert_eq!(replaces.map(Secret::expose), Some("rt-1"));
            persisted.fetch_add(1, Ordering::SeqCst);
        })
        .unwrap();
        assert_eq!(persisted.load(Ordering::SeqCst), 1);
        assert_eq!(*seen.lock().unwrap(), ["rt-2"]);
        assert!(g
            .next_ask(None)
            .unwrap()
            .form
            .expose()
            .contains("refresh_token=rt-2"));
    }

    #[test]
    fn the_stores_newer_token_is_tried_first_then_ours_then_sign_in_is_required() {
        let g = grant(None);
        let refused = br#"{"error":"invalid_grant"}"#;
        let ask = g.next_ask(Some(Secret::new("rt-store"))).unwrap();
        assert!(ask.form.expose().contains("refresh_token=rt-store"));
        let err = g.read(&ask, 400, refused, &|_, _| {}).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::LoginRequired);
        assert!(g.has_untried(Some(&Secret::new("rt-store"))));
        let ask = g.next_ask(Some(Secret::new("rt-store"))).unwrap();
        assert!(ask.form.expose().contains("refresh_token=rt-1"));
        g.read(&ask, 400, refused, &|_, _| {}).unwrap_err();
        assert!(!g.has_untried(Some(&Secret::new("rt-store"))));
        let spent = g.next_ask(Some(Secret::new("rt-store"))).err().unwrap();
        assert_eq!(spent.kind(), ErrorKind::LoginRequired);
        // A newer sign-in stored by another process revives it.
        assert!(g.next_ask(Some(Secret::new("rt-new"))).is_ok());
    }

    /// A grant whose code ("the-code") is still to be exchanged.
    fn signing_in() -> RefreshGrant {
        let config = crate::config::Config::default();
        let a = crate::connect::Authorization::new("isv_x", "https://a.example/", &config).unwrap();
        RefreshGrant::from_code(
            "isv_x",
            "secret",
            Secret::new("the-code"),
            &a,
            "https://c.example",
            None,
        )
        .unwrap()
    }

    #[test]
    fn the_code_is_exchanged_once_and_its_refusal_is_not_login_required() {
        let g = signing_in();
        assert!(g.signing_in());
        let ask = g.next_ask(None).unwrap();
        assert!(ask.form.expose().contains("grant_type=authorization_code"));
        assert!(!g.signing_in());
        let err = g
            .read(&ask, 400, br#"{"error":"invalid_grant"}"#, &|_, _| {})
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::AuthRejected);
        assert!(!err.message().contains("the-code"));
    }

    #[test]
    fn a_sign_in_without_a_refresh_token_says_so_when_its_access_token_runs_out() {
        let g = signing_in();
        let ask = g.next_ask(None).unwrap();
        let no_refresh = br#"{"access_token":"at","expires_in":3600,"token_type":"Bearer"}"#;
        assert!(g
            .read(&ask, 200, no_refresh, &|_, _| {})
            .unwrap()
            .refresh_token
            .is_none());
        let err = g.next_ask(None).err().unwrap();
        assert_eq!(err.kind(), ErrorKind::LoginRequired);
        assert!(
            err.message().contains("offline_access"),
            "{}",
            err.message()
        );
        // A refresh token another process stored (a sign-in with offline_access) still works.
        assert!(g.next_ask(Some(Secret::new("rt-other"))).is_ok());
    }
}
