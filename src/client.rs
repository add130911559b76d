//! The Rust-level client: one organization's credentials, its token, and its connection pool.
//! The C layer wraps exactly this; Rust programs can use it directly.

use crate::auth::Credentials;
use crate::config::Config;
use crate::error::Result;
use crate::request::{build_url, is_idempotent, validate_method};
use crate::response::Response;
use crate::secret::Secret;
use crate::token::TokenSource;
use crate::token_cache::TokenCache;
use crate::transport::http::Exchange;
use crate::transport::{Transport, Treatment};
use std::cell::Cell;
use std::sync::Arc;

/// A client for one organization. Cheap to clone; clones share the token, the connection
/// pool and the rate limit, and may be used from many threads at once.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    config: Config,
    transport: Transport,
    tokens: TokenSource,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("api_url", &self.inner.config.api_url)
            .field("organization_id", &self.inner.config.organization_id)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// Exchanges the credentials for a token now, so that bad credentials fail here and not
    /// at the first request, and returns a client that keeps the token valid from then on.
    pub fn authenticate(
        client_id: &str,
        client_secret: &str,
        api_key: &str,
        config: Config,
    ) -> Result<Client> {
        config.validate()?;
        let credentials = Credentials::new(client_id, client_secret, api_key)?;
        let transport = Transport::new(&config)?;
        let cache = config.token_cache.as_deref().map(|path| {
            TokenCache::new(
                path,
                &credentials,
                &config.auth_url,
                &config.api_url,
                &config.scope,
            )
        });
        let tokens = TokenSource::new(
            credentials,
            config.auth_url.clone(),
            config.scope.clone(),
            cache,
        );
        tokens.valid(&transport)?;
        Ok(Client {
            inner: Arc::new(Inner {
                config,
                transport,
                tokens,
            }),
        })
    }

    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// Sends one request to `api_url` + `path` and returns the answer, whatever its status.
    ///
    /// A JSON body is sent with `Content-Type: application/json`. The token is refreshed before
    /// it expires; if the API answers 401 anyway, the token is replaced once and the request
    /// repeated once. Rate limits, 429s and transient faults are handled by the transport.
    pub fn request(&self, method: &str, path: &str, json_body: Option<&[u8]>) -> Result<Response> {
        let method = validate_method(method)?;
        let url = build_url(
            &self.inner.config.api_url,
            path,
            self.inner.config.organization_id.as_deref(),
        )?;
        let treatment = Treatment {
            idempotent: is_idempotent(method),
            paced: true,
        };
        let mut headers = Vec::with_capacity(1);
        if json_body.is_some() {
            headers.push(("content-type", "application/json"));
        }
        let exchange = Exchange {
            method,
            url: &url,
            headers: &headers,
            body: json_body,
        };
        // The generation of the token the latest attempt carried, for the 401 check below.
        let sent_with = Cell::new(0u64);
        let bearer = || {
            let token = self.inner.tokens.valid(&self.inner.transport)?;
            sent_with.set(token.generation);
            Ok(Secret::new(format!("Bearer {}", token.value.expose())))
        };
        let response = self
            .inner
            .transport
            .execute(&exchange, treatment, &bearer)?;
        if response.status() != 401 {
            return Ok(response);
        }
        // A 401 means the token was refused before anything was processed, so one repeat is
        // safe for every method. `replace` makes the next `valid` return a token the API has
        // not refused yet (fetched once, however many threads saw the 401).
        self.inner
            .tokens
            .replace(&self.inner.transport, sent_with.get())?;
        self.inner.transport.execute(&exchange, treatment, &bearer)
    }

    /// A token that is valid now (refreshed if due), for callers that do their own HTTP.
    pub fn access_token(&self) -> Result<Secret> {
        self.inner
            .tokens
            .valid(&self.inner.transport)
            .map(|token| token.value)
    }
}
