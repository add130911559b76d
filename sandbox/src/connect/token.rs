//! `POST /connect/token`: the `authorization_code` and `refresh_token` grants.

use std::sync::Arc;

use serde_json::json;

use super::grants::{Issued, RefreshPolicy, Refusal};
use super::{client_auth, form_body, oauth_error, pkce, revoke_grant_tokens, single};
use crate::faults::Protocol;
use crate::http::{Request, Response};
use crate::state::State;
use crate::stats::ConnectEvent;
use crate::tokens::Access;

pub fn handle(state: &State, request: &Request) -> Response {
    let Some(form) = form_body(request) else {
        return oauth_error(
            400,
            "invalid_request",
            "the body must be application/x-www-form-urlencoded",
        );
    };
    if let Err(answer) = client_auth::authenticate(state, request, &form) {
        return answer;
    }
    let field = |name: &str| single(&form, name);
    for name in [
        "grant_type",
        "code",
        "redirect_uri",
        "code_verifier",
        "refresh_token",
        "scope",
    ] {
        if let Err(why) = field(name) {
            return oauth_error(400, "invalid_request", &why);
        }
    }
    let field = |name: &str| field(name).ok().flatten();
    let answer = match field("grant_type") {
        Some("authorization_code") => exchange_code(state, &field),
        Some("refresh_token") => refresh(state, &field),
        Some(_) => Err(Refusal {
            error: "unsupported_grant_type",
            description: "grant_type must be authorization_code or refresh_token",
        }),
        None => Err(Refusal {
            error: "invalid_request",
            description: "grant_type is missing",
        }),
    };
    match answer {
        Ok(response) => response,
        Err(refusal) => {
            if refusal.error == "invalid_grant" {
                state.stats.connect_event(ConnectEvent::InvalidGrant);
            }
            oauth_error(400, refusal.error, refusal.description)
        }
    }
}

fn exchange_code<'a>(
    state: &State,
    field: &impl Fn(&str) -> Option<&'a str>,
) -> Result<Response, Refusal> {
    let code = field("code").ok_or(Refusal {
        error: "invalid_request",
        description: "code is missing",
    })?;
    let redirect_uri = field("redirect_uri");
    let verifier = field("code_verifier");
    let settings = state.settings();
    let issued = state
        .grants
        .exchange_code(
            code,
            &state.config.connect_client_id,
            settings.refresh_token_lifetime,
            |asked| {
                if redirect_uri != Some(asked.redirect_uri.as_str()) {
                    return Err(Refusal {
                        error: "invalid_grant",
                        description: "redirect_uri differs from the authorization request's",
                    });
                }
                match verifier {
                    None => Err(Refusal {
                        error: "invalid_grant",
                        description: "code_verifier is missing",
                    }),
                    Some(v) if !pkce::verifies(v, &asked.code_challenge) => Err(Refusal {
                        error: "invalid_grant",
                        description: "code_verifier does not match the code_challenge",
                    }),
                    Some(_) => Ok(()),
                }
            },
        )
        .map_err(|(refusal, revoked)| {
            if let Some(grant) = revoked {
                revoke_grant_tokens(state, grant);
            }
            refusal
        })?;
    state.stats.connect_event(ConnectEvent::CodeExchange);
    Ok(tokens_answer(state, issued))
}

fn refresh<'a>(
    state: &State,
    field: &impl Fn(&str) -> Option<&'a str>,
) -> Result<Response, Refusal> {
    let refresh_token = field("refresh_token").ok_or(Refusal {
        error: "invalid_request",
        description: "refresh_token is missing",
    })?;
    if state.faults.take_protocol(Protocol::RefreshTokenUsed) {
        state.stats.fault_applied();
        state.grants.spend(refresh_token);
    }
    let settings = state.settings();
    let policy = RefreshPolicy {
        mode: settings.refresh_tokens,
        grace: settings.refresh_grace,
        lifetime: settings.refresh_token_lifetime,
    };
    let issued = state
        .grants
        .refresh(refresh_token, &state.config.connect_client_id, policy)?;
    if let Some(asked) = field("scope") {
        let granted: Vec<&str> = issued.scope.split(' ').collect();
        if asked
            .split(' ')
            .any(|s| !s.is_empty() && !granted.contains(&s))
        {
            return Err(Refusal {
                error: "invalid_scope",
                description: "scope asks for more than was granted",
            });
        }
    }
    state.stats.connect_event(ConnectEvent::Refresh);
    Ok(tokens_answer(state, issued))
}

/// A new access token for the grant, with the refresh token that goes with it.
fn tokens_answer(state: &State, issued: Issued) -> Response {
    let lifetime = state.settings().token_lifetime;
    let granted = |wanted: &str| issued.scope.split(' ').any(|s| s == wanted);
    let access = Access {
        client_id: Arc::from(state.config.connect_client_id.as_str()),
        organizations: Arc::from(state.config.connect_organization_ids()),
        reads: granted("dineropublicapi:read"),
        writes: granted("dineropublicapi:write"),
    };
    let access_token = state
        .tokens
        .issue_connect(access, issued.grant, &issued.scope, lifetime);
    let mut body = json!({
        "access_token": access_token,
        "expires_in": lifetime.as_secs().max(1),
        "token_type": "Bearer",
        "scope": issued.scope,
    });
    if let (Some(refresh_token), Some(obj)) = (issued.refresh_token, body.as_object_mut()) {
        obj.insert("refresh_token".into(), json!(refresh_token));
    }
    Response::json(200, &body)
        .with_header("Cache-Control", "no-store")
        .with_header("Pragma", "no-cache")
}
