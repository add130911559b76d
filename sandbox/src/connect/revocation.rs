//! `POST /connect/revocation` (RFC 7009): a refresh token revokes its whole grant (its refresh
//! tokens and the access tokens issued from it); an access token only itself. Unknown tokens
//! are answered 200 like known ones, as the RFC asks.

use super::{client_auth, form_body, oauth_error, revoke_refresh_token, single};
use crate::http::{Request, Response};
use crate::state::State;
use crate::stats::ConnectEvent;

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
    let (token, hint) = match (single(&form, "token"), single(&form, "token_type_hint")) {
        (Ok(Some(token)), Ok(hint)) => (token, hint),
        (Ok(None), _) => return oauth_error(400, "invalid_request", "token is missing"),
        (Err(why), _) | (_, Err(why)) => return oauth_error(400, "invalid_request", &why),
    };
    if hint.is_some_and(|h| !matches!(h, "refresh_token" | "access_token")) {
        return oauth_error(
            400,
            "unsupported_token_type",
            "token_type_hint must be refresh_token or access_token",
        );
    }
    // The hint only says where to look first; both kinds are tried.
    let revoked = revoke_refresh_token(state, token) || state.tokens.revoke(token);
    if revoked {
        state.stats.connect_event(ConnectEvent::Revocation);
    }
    Response::empty(200).with_header("Cache-Control", "no-store")
}
