//! What a client's tokens are asked for with: a personal integration's API key (the password
//! grant of `exchange`), or a Visma Connect grant (the code, then refresh tokens; `connect/`).

use super::exchange::Credentials;
use crate::connect::RefreshGrant;
use crate::server_text::Redactor;

pub enum Grant {
    ApiKey {
        credentials: Credentials,
        auth_url: String,
        scope: String,
    },
    Connect(RefreshGrant),
}

impl Grant {
    /// Finds every form of this grant's secrets in server text: the client secret and the API
    /// key (and the Basic header made of them), or the Connect client secret and the newest
    /// refresh token.
    pub fn redactor(&self) -> Redactor {
        match self {
            Grant::ApiKey { credentials, .. } => credentials.redactor(),
            Grant::Connect(grant) => grant.redactor(),
        }
    }
}
