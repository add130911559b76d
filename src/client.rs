//! The Rust-level client: one organization's credentials, its token, and its connection pool.
//! The C layer wraps exactly this; Rust programs can use it directly.

use crate::answer_shape;
use crate::config::Config;
use crate::connect::{Authorization, RefreshGrant};
use crate::error::Result;
use crate::log::{log, Level};
use crate::pages::Pages;
use crate::request::builder::RequestBuilder;
use crate::request::create_once::{self, Created, Found, Sent};
use crate::request::target::{build_url, repeat_rule, validate_method};
use crate::response::Response;
use crate::secret::Secret;
use crate::shared_state::{Fingerprints, SharedState};
use crate::token::exchange::Credentials;
use crate::token::grant::Grant;
use crate::token::lifetime::TokenSource;
use crate::transport::http::Exchange;
use crate::transport::{Transport, Treatment};
use std::cell::Cell;
use std::sync::Arc;

/// The shared-state names of a Visma Connect grant; `grant_name` is required with a store,
/// so that two customers' grants can never share one.
fn connect_fingerprints(
    client_id: &str,
    client_secret: &str,
    config: &Config,
) -> Result<Fingerprints> {
    let name = match (&config.shared_state, &config.grant_name) {
        (Some(_), None) => {
            return Err(crate::error::Error::invalid(
                "option grant_name is required with shared_state for Visma Connect: it names \
                 this user's grant (e.g. your id of the customer), so that two customers' \
                 grants never share one store",
            ))
        }
        (_, name) => name.as_deref().unwrap_or(""),
    };
    Ok(Fingerprints::connect(
        client_id,
        client_secret,
        &config.connect_url,
        &config.api_url,
        name,
    ))
}

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
        let fingerprints = Fingerprints::new(
            &credentials,
            &config.auth_url,
            &config.api_url,
            config.api_key_scope(),
        );
        let grant = Grant::ApiKey {
            credentials,
            auth_url: config.auth_url.clone(),
            scope: config.api_key_scope().to_string(),
        };
        Client::start(grant, fingerprints, config)
    }

    /// A Visma Connect client from a refresh token the application stored (a public
    /// integration's later runs). The refresh token is used now (unless `shared_state` holds a
    /// valid access token of this grant already), so a revoked one fails here with
    /// `LoginRequired`. Every new refresh token goes to `config.refresh_token_sink` (and
    /// to `shared_state`) before it is relied on.
    pub fn authenticate_connect(
        client_id: &str,
        client_secret: &str,
        refresh_token: &str,
        config: Config,
    ) -> Result<Client> {
        config.validate()?;
        let grant = RefreshGrant::from_refresh_token(
            client_id,
            client_secret,
            refresh_token,
            &config.connect_url,
            config.refresh_token_sink.clone(),
        )?;
        let fingerprints = connect_fingerprints(client_id, client_secret, &config)?;
        Client::start(Grant::Connect(grant), fingerprints, config)
    }

    /// A Visma Connect client from the browser's return to the redirect URI: `callback` is the
    /// form body (or query) it brought, `authorization` the one made for this sign-in. The
    /// state is checked, then the code exchanged with the verifier; the first refresh token
    /// goes to `config.refresh_token_sink` before this returns.
    pub fn authenticate_code(
        client_id: &str,
        client_secret: &str,
        authorization: &Authorization,
        callback: &str,
        config: Config,
    ) -> Result<Client> {
        config.validate()?;
        let fingerprints = connect_fingerprints(client_id, client_secret, &config)?;
        let code = crate::connect::callback::read_code(callback, authorization)?;
        let grant = RefreshGrant::from_code(
            client_id,
            client_secret,
            code,
            authorization,
            &config.connect_url,
            config.refresh_token_sink.clone(),
        )?;
        Client::start(Grant::Connect(grant), fingerprints, config)
    }

    fn start(grant: Grant, fingerprints: Fingerprints, config: Config) -> Result<Client> {
        let shared = match &config.shared_state {
            Some(location) => {
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
        let transport = Transport::new(&config, Arc::new(fingerprints), shared.clone())?;
        let tokens = TokenSource::new(grant, &config, shared);
        tokens.valid(&transport)?;
        Ok(Client {
            inner: Arc::new(Inner {
                config,
                transport,
                tokens,
            }),
        })
    }

    /// The organizations this client's token reaches (`GET /v1/organizations`, a bare array of
    /// `{"Id","Name","IsPro"}`): one for an API key, any number for a Visma Connect user. An
    /// OK answer that is not a JSON list is a `Protocol` error.
    pub fn organizations(&self) -> Result<Response> {
        answer_shape::expect(
            self.request("GET", "/v1/organizations", None)?,
            answer_shape::Shape::List,
        )
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
        Ok(self
            .exchange(method, &url, headers, json_body)?
            .answering(method, path))
    }

    /// Sends a request built with headers, query parameters and a body of any type.
    pub fn send(&self, request: &RequestBuilder) -> Result<Response> {
        let config = &self.inner.config;
        let organization = request
            .organization_id
            .as_deref()
            .or(config.organization_id.as_deref());
        let headers: Vec<(&str, &str)> = request
            .headers
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        let target = request.path_and_query();
        let url = build_url(&config.api_url, &target, organization)?;
        Ok(self
            .exchange(request.method, &url, &headers, request.body.as_deref())?
            .answering(request.method, &target))
    }

    /// Uploads bytes to Dinero's files endpoint (`POST /v1/{organizationId}/files`, multipart,
    /// at most 6 MB: more is refused before anything is sent). `file_name` None names it
    /// `file` with the extension of a recognized PDF, PNG, JPEG or GIF; `content_type` None
    /// guesses from the name. Like every POST it is never repeated once it may have reached
    /// the server. An OK answer that is neither a JSON object (Dinero's `{"FileGuid": ...}`) nor
    /// empty is a `Protocol` error.
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
        let answer = self
            .exchange("POST", &url, &headers, Some(&multipart.body))?
            .answering("POST", crate::request::multipart::FILES_PATH);
        answer_shape::expect(answer, answer_shape::Shape::Object)
    }

    /// Creates an entity exactly once: `collection_path` is a collection whose create takes its
    /// own id (`/v1/{organizationId}/contacts`: `ContactGuid`; `.../invoices` and
    /// `.../sales/creditnotes`: `Guid`), `json_body` a JSON object. A fresh GUID goes into the
    /// body unless it carries one. When the answer is lost (reset, timeout, cut short, 5xx), the
    /// entity is looked up by that GUID: found is success; Dinero's "not found" sends the create
    /// again, at most `max_retries` more times (never for a credit note: see `create_once`); if
    /// it cannot be told, the error names the GUID. A 2xx answer naming another id gives that
    /// id.
    ///
    /// The response is the create's answer (any 4xx included: Dinero refused the create as
    /// sent), or, when that answer was lost, the entity as read back (200).
    pub fn create(&self, collection_path: &str, json_body: &[u8]) -> Result<Created> {
        let prepared = create_once::prepare(collection_path, json_body)?;
        let item = format!("{}/{}", prepared.collection, prepared.guid);
        let logger = self.inner.transport.logger();
        let created = |response, recovered| {
            Ok(Created {
                guid: prepared.guid.clone(),
                response,
                recovered,
            })
        };
        let mut sends = 0u32;
        loop {
            sends += 1;
            let lost = match create_once::classify(self.request(
                "POST",
                &prepared.collection,
                Some(&prepared.body),
            )) {
                Sent::Answered(response) if response.status() < 400 => {
                    if let Some(theirs) = prepared.id_in_answer(&response) {
                        log(logger, Level::Warn, || {
                            format!(
                                "create of {} {}: Dinero gave it {} instead",
                                prepared.id_property, prepared.guid, theirs
                            )
                        });
                        return Ok(Created {
                            guid: theirs,
                            response,
                            recovered: false,
                        });
                    }
                    return created(response, false);
                }
                Sent::Answered(refusal) if sends == 1 => return created(refusal, false),
                // A repeat refused: an earlier send may have been stored after all (Dinero
                // refuses an id that exists), so look before handing the refusal back.
                Sent::Answered(refusal) => {
                    return match prepared.found(self.request("GET", &item, None)) {
                        Found::Yes(entity) => created(entity, true),
                        Found::No | Found::Unknown(_) => created(refusal, false),
                    }
                }
                Sent::Failed(error) => return Err(error),
                Sent::Lost(lost) => lost,
            };
            log(logger, Level::Warn, || {
                format!(
                    "create of {} {}: answer lost ({}); checking whether it was stored",
                    prepared.id_property, prepared.guid, lost.why
                )
            });
            match prepared.found(self.request("GET", &item, None)) {
                Found::Yes(entity) => return created(entity, true),
                Found::No if sends <= self.inner.config.max_retries => {
                    log(logger, Level::Warn, || {
                        format!(
                            "create of {} {}: not stored; sending it again",
                            prepared.id_property, prepared.guid
                        )
                    });
                }
                // Known not to exist: a 5xx is handed back as Dinero's answer, a lost one as
                // an error.
                Found::No => {
                    return match lost.response {
                        Some(response) => created(response, false),
                        None => Err(create_once::not_created(&prepared, sends, &lost)),
                    }
                }
                Found::Unknown(why) => {
                    return Err(create_once::unknown(&prepared, &lost.why, &why, lost.kind))
                }
            }
        }
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
            repeat: repeat_rule(method, body),
            paced: true,
        };
        let exchange = Exchange {
            method,
            url,
            headers,
            body,
        };
        // The token the latest attempt carried: its generation, for the 401 check below, and
        // its value, to keep it out of what an error answer quotes (an answer can echo only the
        // request it answers, the latest).
        let sent_with = Cell::new(0u64);
        let sent = Cell::new(None::<Secret>);
        let bearer = || {
            let token = self.inner.tokens.valid(&self.inner.transport)?;
            sent_with.set(token.generation);
            let header = Secret::new(format!("Bearer {}", token.value.expose()));
            sent.set(Some(token.value));
            Ok(header)
        };
        let scrubbed = |response: Response| {
            if response.is_ok() {
                return response;
            }
            let mut redactor = self.inner.tokens.redactor();
            if let Some(token) = sent.take() {
                redactor.add_bearer_token(token.expose());
            }
            response.scrubbing_error(&redactor)
        };
        // A token first, then the rate slot: a wait for the token (another thread's or
        // process's refresh, a token endpoint's Retry-After) then holds no slot, and a token
        // that cannot be had, or a wait given up, spends none. `bearer` asks again once the
        // slot is taken and finds it cached (or refreshes it, if the slot's wait outlasted it).
        self.inner.tokens.ready(&self.inner.transport)?;
        let response = self
            .inner
            .transport
            .execute(&exchange, treatment, &bearer)?;
        if response.status() != 401 {
            self.inner.tokens.accepted();
            return Ok(scrubbed(response));
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
            return Ok(scrubbed(response));
        }
        let response = self
            .inner
            .transport
            .execute(&exchange, treatment, &bearer)?;
        if response.status() != 401 {
            self.inner.tokens.accepted();
        }
        Ok(scrubbed(response))
    }

    /// A token that is valid now (refreshed if due), for callers that do their own HTTP.
    pub fn access_token(&self) -> Result<Secret> {
        self.inner
            .tokens
            .valid(&self.inner.transport)
            .map(|token| token.value)
    }
}
