//! The Rust-level client: one organization's credentials, its token, and its connection pool.
//! The C layer wraps exactly this; Rust programs can use it directly.

use crate::config::Config;
use crate::error::Result;
use crate::pages::Pages;
use crate::request::builder::RequestBuilder;
use crate::request::target::{build_url, is_idempotent, validate_method};
use crate::response::Response;
use crate::secret::Secret;
use crate::shared_state::{Fingerprints, SharedState};
use crate::token::exchange::Credentials;
use crate::token::lifetime::TokenSource;
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
        let shared = match &config.shared_state {
            Some(location) => {
                let fingerprints = Fingerprints::new(
                    &credentials,
                    &config.auth_url,
                    &config.api_url,
                    &config.scope,
                );
                let store = crate::shared_state::open(
                    location,
                    &fingerprints,
                    config.shared_state_timeout,
                    config.ca_file.as_deref(),
                )?;
                Some(Arc::new(SharedState::new(store, config.logger.clone())))
            }
            None => None,
        };
        let transport = Transport::new(&config, shared.clone())?;
        let tokens = TokenSource::new(credentials, &config, shared);
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
        let url = self.url(path)?;
        let headers: &[(&str, &str)] = match json_body {
            Some(_) => &[("content-type", "application/json")],
            None => &[],
        };
        self.exchange(method, &url, headers, json_body)
    }

    /// Sends a request built with headers, query parameters and a body of any type.
    pub fn send(&self, request: &RequestBuilder) -> Result<Response> {
        let url = self.url(&request.path_and_query())?;
        let headers: Vec<(&str, &str)> = request
            .headers
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        self.exchange(request.method, &url, &headers, request.body.as_deref())
    }

    /// Uploads bytes to Dinero's files endpoint (`POST /v1/{organizationId}/files`, multipart,
    /// at most 6 MB: more is refused before anything is sent). `file_name` None names it
    /// `file` with the extension of a recognized PDF, PNG, JPEG or GIF; `content_type` None
    /// guesses from the name. Like every POST it is never repeated once it may have reached
    /// the server.
    pub fn upload(
        &self,
        bytes: &[u8],
        file_name: Option<&str>,
        content_type: Option<&str>,
    ) -> Result<Response> {
        let file_name = file_name.unwrap_or_else(|| crate::request::upload::default_name(bytes));
        let multipart = crate::request::multipart::multipart(bytes, file_name, content_type)?;
        let url = self.url(crate::request::multipart::FILES_PATH)?;
        let headers = [("content-type", multipart.content_type.as_str())];
        self.exchange("POST", &url, &headers, Some(&multipart.body))
    }

    /// Uploads a file from disk, as `upload`. The file must be a regular file of at most 6 MB
    /// (checked before it is read, and read no further than that); `file_name` None is its
    /// own name.
    pub fn upload_file(
        &self,
        path: &std::path::Path,
        file_name: Option<&str>,
        content_type: Option<&str>,
    ) -> Result<Response> {
        let bytes = crate::request::upload::read_file(path)?;
        let name = file_name.unwrap_or_else(|| crate::request::upload::name_of(path));
        self.upload(&bytes, Some(name), content_type)
    }

    /// The pages of a Dinero list (see `Pages`): `request` is a GET with any query parameters
    /// but the paging ones; `page_size` 1 to 1,000 (`MAX_PAGE_SIZE`, the cheapest).
    pub fn pages(&self, request: RequestBuilder, page_size: u32) -> Result<Pages> {
        Pages::new(self, request, page_size)
    }

    fn url(&self, path: &str) -> Result<String> {
        let config = &self.inner.config;
        build_url(&config.api_url, path, config.organization_id.as_deref())
    }

    fn exchange(
        &self,
        method: &'static str,
        url: &str,
        headers: &[(&str, &str)],
        body: Option<&[u8]>,
    ) -> Result<Response> {
        let treatment = Treatment {
            idempotent: is_idempotent(method),
            paced: true,
        };
        let exchange = Exchange {
            method,
            url,
            headers,
            body,
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
            self.inner.tokens.accepted();
            return Ok(response);
        }
        // A 401 means the token was refused before anything was processed, so one repeat is
        // safe for every method. `replace` makes the next `valid` return a token the API has
        // not refused yet (fetched once, however many threads saw the 401), unless the API has
        // been refusing every new token: then the 401 is the answer, until the pause is over.
        let replaced = self
            .inner
            .tokens
            .replace(&self.inner.transport, sent_with.get())?;
        if replaced.is_none() {
            return Ok(response);
        }
        let response = self
            .inner
            .transport
            .execute(&exchange, treatment, &bearer)?;
        if response.status() != 401 {
            self.inner.tokens.accepted();
        }
        Ok(response)
    }

    /// A token that is valid now (refreshed if due), for callers that do their own HTTP.
    pub fn access_token(&self) -> Result<Secret> {
        self.inner
            .tokens
            .valid(&self.inner.transport)
            .map(|token| token.value)
    }
}
