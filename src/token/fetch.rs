//! Asking for a new token: with an API key, Dinero's password grant at its token endpoint
//! (`exchange`); with Visma Connect, a refresh with the newest refresh token known here or in
//! the shared store, trying the other one known when one is refused. `lifetime` decides when to
//! ask, and makes sure one caller asks for all.

use super::exchange::{read_token_answer, Credentials};
use super::grant::Grant;
use crate::connect::RefreshGrant;
use crate::error::{Error, ErrorKind, Result};
use crate::log::{log, Level};
use crate::secret::Secret;
use crate::shared_state::{SharedState, SharedToken};
use crate::transport::http::Exchange;
use crate::transport::{Repeat, Transport, Treatment};
use std::time::Instant;

/// A new token from `grant`'s endpoint; a Visma Connect grant also reads and writes the refresh
/// token in `shared`.
pub(super) fn fetch(
    grant: &Grant,
    transport: &Transport,
    shared: Option<&SharedState>,
) -> Result<SharedToken> {
    match grant {
        Grant::ApiKey {
            credentials,
            auth_url,
            scope,
        } => with_api_key(transport, credentials, auth_url, scope),
        Grant::Connect(grant) => with_refresh_token(transport, grant, shared),
    }
}

/// Asks Visma Connect with the newest refresh token known here or in the store. When one
/// is refused and another is known (the store's was stale, or ours is newer), that one is
/// tried next; when none is left, the grant is spent: `LoginRequired`, without asking.
fn with_refresh_token(
    transport: &Transport,
    grant: &RefreshGrant,
    shared: Option<&SharedState>,
) -> Result<SharedToken> {
    // None inside: nothing stored; None outside: the store could not be read.
    let read = match shared {
        Some(shared) if !grant.signing_in() => shared.with(|store| store.refresh_token()),
        _ => Some(None),
    };
    let persist = |token: &Secret, replaces: Option<&Secret>| {
        if let Some(shared) = shared {
            shared.put_refresh_token(token, replaces);
        }
    };
    match ask_until_answered(transport, grant, read.clone().flatten(), &persist) {
        // Refused while the store is out of reach: another process may have stored the
        // refused token's successor there, so the grant may well be alive. Saying "sign in
        // again" could make the application throw its stored token away; this passes. (A
        // sign-in that brought no refresh token has nothing that was refused: its own words.)
        Err(error)
            if error.kind() == ErrorKind::LoginRequired
                && read.is_none()
                && !grant.issued_none() =>
        {
            Err(Error::new(
                ErrorKind::AuthUnavailable,
                "Visma Connect refused the refresh token this process holds, and shared_state \
                 is out of reach, where another process may have stored its successor: try \
                 again once the store answers",
            ))
        }
        result => result,
    }
}

fn ask_until_answered(
    transport: &Transport,
    grant: &RefreshGrant,
    stored: Option<Secret>,
    persist: &dyn Fn(&Secret, Option<&Secret>),
) -> Result<SharedToken> {
    loop {
        let ask = grant.next_ask(stored.clone())?;
        let headers = [("content-type", "application/x-www-form-urlencoded")];
        let exchange = Exchange {
            method: "POST",
            url: grant.token_url(),
            headers: &headers,
            body: Some(ask.form.expose().as_bytes()),
        };
        // A refresh may be repeated: a one-time refresh token still works for a grace
        // period after its first use. A code works once: never repeat its exchange.
        let treatment = Treatment {
            repeat: match ask.is_refresh() {
                true => Repeat::Always,
                false => Repeat::Never,
            },
            paced: false,
        };
        let asked_at = Instant::now();
        let mut response = transport
            .execute(&exchange, treatment, &|| Ok(Secret::new("")))
            .map_err(|e| e.context("Visma Connect's token endpoint"))?;
        let answer = grant.read(&ask, response.status(), response.body(), persist);
        response.wipe_body();
        match answer {
            Ok(answer) => {
                if !ask.is_refresh() && answer.refresh_token.is_none() {
                    log(transport.logger(), Level::Warn, || {
                        "Visma Connect issued no refresh token (the scope lacks offline_access): \
                         the user must sign in again when this access token runs out"
                            .to_string()
                    });
                }
                log(transport.logger(), Level::Info, || {
                    format!(
                        "new token from Visma Connect (lifetime {} s{})",
                        answer.issued.expires_in.as_secs(),
                        if answer.refresh_token.is_some() {
                            ", new refresh token handed on"
                        } else {
                            ""
                        }
                    )
                });
                return Ok(SharedToken {
                    value: answer.issued.access_token,
                    remaining: answer.issued.expires_in.saturating_sub(asked_at.elapsed()),
                    lifetime: answer.issued.expires_in,
                });
            }
            Err(error)
                if error.kind() == ErrorKind::LoginRequired
                    && grant.has_untried(stored.as_ref()) =>
            {
                log(transport.logger(), Level::Warn, || {
                    "Visma Connect refused a refresh token; trying the other one known".to_string()
                });
            }
            Err(error) => return Err(error),
        }
    }
}

fn with_api_key(
    transport: &Transport,
    credentials: &Credentials,
    auth_url: &str,
    scope: &str,
) -> Result<SharedToken> {
    let authorization = credentials.basic_authorization();
    let form = credentials.password_grant_form(scope);
    let headers = [("content-type", "application/x-www-form-urlencoded")];
    let exchange = Exchange {
        method: "POST",
        url: auth_url,
        headers: &headers,
        body: Some(form.expose().as_bytes()),
    };
    // Asking for a token changes nothing in the books, so it may be repeated like a GET.
    let treatment = Treatment {
        repeat: Repeat::Always,
        paced: false,
    };
    let asked_at = Instant::now();
    let mut response = transport
        .execute(&exchange, treatment, &|| Ok(authorization.clone()))
        .map_err(|e| e.context("token endpoint"))?;
    let issued = read_token_answer(&mut response, credentials, auth_url)?;
    log(transport.logger(), Level::Info, || {
        format!(
            "new token from the token endpoint (lifetime {} s)",
            issued.expires_in.as_secs()
        )
    });
    // Counted from when we asked, not when the answer came: never later than the server's
    // own clock for the token.
    Ok(SharedToken {
        value: issued.access_token,
        remaining: issued.expires_in.saturating_sub(asked_at.elapsed()),
        lifetime: issued.expires_in,
    })
}
