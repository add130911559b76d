//! Names for what clients share, made from the credentials by a one-way hash so that a file or
//! a Redis key tells nobody the credentials.

use crate::token::exchange::Credentials;
use sha2::{Digest, Sha256};

pub struct Fingerprints {
    /// The token: every input that decides which token the endpoint issues.
    pub token: String,
    /// The rate budget of requests that name no organization (`/v1/organizations`) when the
    /// client has no `organization_id`: its API key's, or its Visma Connect grant's.
    pub window: String,
    /// What an organization's rate budget is named from: the client id and the API. Dinero
    /// counts per organization and client id, so every client of that client id spends one
    /// budget per organization, whatever its API key or grant (`organization`).
    organizations: String,
}

impl Fingerprints {
    pub fn new(credentials: &Credentials, auth_url: &str, api_url: &str, scope: &str) -> Self {
        Fingerprints {
            token: hash(&[
                "libdinero token v1",
                credentials.client_id.expose(),
                credentials.client_secret.expose(),
                credentials.api_key.expose(),
                auth_url,
                api_url,
                scope,
            ]),
            window: hash(&[
                "libdinero window v1",
                credentials.client_id.expose(),
                credentials.api_key.expose(),
                api_url,
            ]),
            organizations: organizations(credentials.client_id.expose(), api_url),
        }
    }

    /// The name of organization `id`'s rate budget.
    pub fn organization(&self, id: &str) -> String {
        hash(&["libdinero organization window v1", &self.organizations, id])
    }
}

fn organizations(client_id: &str, api_url: &str) -> String {
    hash(&["libdinero organizations v1", client_id, api_url])
}

impl Fingerprints {
    /// A Visma Connect grant: its refresh token changes at every refresh, so the grant is
    /// named by the application (`grant_name`, one per customer's consent) instead.
    pub fn connect(
        client_id: &str,
        client_secret: &str,
        connect_url: &str,
        api_url: &str,
        grant_name: &str,
    ) -> Self {
        Fingerprints {
            token: hash(&[
                "libdinero connect token v1",
                client_id,
                client_secret,
                connect_url,
                api_url,
                grant_name,
            ]),
            window: hash(&[
                "libdinero connect window v1",
                client_id,
                grant_name,
                api_url,
            ]),
            organizations: organizations(client_id, api_url),
        }
    }
}

/// Parts are NUL-separated, so ("ab", "c") and ("a", "bc") hash differently.
fn hash(parts: &[&str]) -> String {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update(part.as_bytes());
        hasher.update([0u8]);
    }
    hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_budget_is_per_organization_and_client_id_the_token_per_every_input() {
        let a = Credentials::new("client", "secret-1", "key-1").unwrap();
        let other_secret = Credentials::new("client", "secret-2", "key-1").unwrap();
        let other_org = Credentials::new("client", "secret-1", "key-2").unwrap();
        let fp = |c: &Credentials| Fingerprints::new(c, "https://a", "https://b", "read write");
        assert_ne!(fp(&a).token, fp(&other_secret).token);
        assert_eq!(fp(&a).window, fp(&other_secret).window);
        assert_ne!(fp(&a).window, fp(&other_org).window);
        // An organization's budget: the same for every API key and grant of the client id.
        assert_eq!(fp(&a).organization("42"), fp(&other_org).organization("42"));
        let grant = Fingerprints::connect("client", "secret-1", "https://c", "https://b", "g");
        assert_eq!(fp(&a).organization("42"), grant.organization("42"));
        assert_ne!(fp(&a).organization("42"), fp(&a).organization("43"));
        let other_client = Credentials::new("client-2", "secret-1", "key-1").unwrap();
        assert_ne!(
            fp(&a).organization("42"),
            fp(&other_client).organization("42")
        );
        assert_eq!(fp(&a).token.len(), 64);
        assert!(!fp(&a).token.contains("secret") && !fp(&a).window.contains("key"));
    }
}
