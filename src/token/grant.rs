//! What a client's tokens are asked for with: a personal integration's API key (the password
//! grant of `exchange`), or a Visma Connect grant (the code, then refresh tokens; `connect/`).

use super::exchange::Credentials;
use crate::connect::RefreshGrant;

pub enum Grant {
    ApiKey {
        credentials: Credentials,
        auth_url: String,
        scope: String,
    },
    Connect(RefreshGrant),
}
