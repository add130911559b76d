//! Visma Connect: how a public integration (one offered to many companies) signs in, instead of
//! a personal integration's API key. OAuth 2's authorization code with PKCE, then refresh tokens:
//!
//! - `authorize`: the URL the user's browser is sent to, with a fresh `state` and PKCE verifier;
//! - `callback`: reads what the browser brings back to the redirect URI and checks its state;
//! - `answer`: the token endpoint's answers and refusals, in words a user can act on;
//! - `refresh`: the grant a client lives on: the code exchanged once, then the refresh token,
//!   rotated at every refresh and handed to the caller's storage before it is relied on.

pub(crate) mod answer;
pub(crate) mod authorize;
pub(crate) mod callback;
pub(crate) mod refresh;

pub use authorize::Authorization;
pub(crate) use refresh::RefreshGrant;
pub use refresh::RefreshTokenSink;
