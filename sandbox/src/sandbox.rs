//! The in-process handle tests use: start, find, steer and stop a sandbox.

use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpListener};
use std::sync::Arc;

use serde_json::Value;

use crate::admin;
use crate::config::Config;
use crate::http::tls::Tls;
use crate::http::Server;
use crate::state::State;

/// A running sandbox. Stops accepting on [`Sandbox::shutdown`] or drop.
pub struct Sandbox {
    state: Arc<State>,
    server: Server,
    /// The CA certificate (PEM) clients must trust when the sandbox serves HTTPS.
    ca_pem: Option<String>,
}

impl Sandbox {
    /// Binds `config.bind` (port 0 picks a free port), seeds the data and starts serving.
    pub fn start(mut config: Config) -> io::Result<Sandbox> {
        let listener = TcpListener::bind(config.bind)?;
        config.bind = listener.local_addr()?;
        let tls = if config.tls {
            Some(Tls::generate()?)
        } else {
            None
        };
        let state = Arc::new(State::new(config));
        let server_tls = tls.as_ref().map(|t| Arc::clone(&t.config));
        let server = Server::start(listener, Arc::clone(&state), server_tls)?;
        Ok(Sandbox {
            state,
            server,
            ca_pem: tls.map(|t| t.ca_pem),
        })
    }

    /// The PEM certificate of the throwaway CA that signed the HTTPS certificate, if the
    /// sandbox serves HTTPS (`Config::tls`).
    pub fn ca_pem(&self) -> Option<&str> {
        self.ca_pem.as_deref()
    }

    /// The address actually bound.
    pub fn addr(&self) -> SocketAddr {
        self.server.local_addr()
    }

    pub fn port(&self) -> u16 {
        self.addr().port()
    }

    /// `http://127.0.0.1:PORT`, or `https://` with `Config::tls` (a wildcard bind is reached
    /// through loopback).
    pub fn url(&self) -> String {
        let addr = self.addr();
        let ip = match addr.ip() {
            IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
            IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
            ip => ip,
        };
        let scheme = if self.ca_pem.is_some() {
            "https"
        } else {
            "http"
        };
        format!("{scheme}://{}", SocketAddr::new(ip, addr.port()))
    }

    /// `url() + "/dineroapi/oauth/token"`.
    pub fn auth_url(&self) -> String {
        format!("{}{}", self.url(), crate::token_endpoint::PATH)
    }

    /// The configuration as it is now: start-up values, run-time changes applied, `bind` the
    /// real address.
    pub fn config(&self) -> Config {
        self.state.current_config()
    }

    /// Same JSON as `GET /_sandbox/stats`.
    pub fn stats(&self) -> Value {
        self.state.stats.to_json()
    }

    /// Same JSON as `GET /_sandbox/requests`.
    pub fn requests(&self) -> Value {
        self.state.stats.requests_json()
    }

    /// Same as `POST /_sandbox/faults`: one fault object or an array of them.
    pub fn inject(&self, fault: Value) -> Result<(), String> {
        self.state.faults.inject(&fault)
    }

    /// Same as `DELETE /_sandbox/faults`.
    pub fn clear_faults(&self) {
        self.state.faults.clear();
    }

    /// Same as `POST /_sandbox/reset-stats`.
    pub fn reset_stats(&self) {
        self.state.stats.reset();
    }

    /// Same as `POST /_sandbox/tokens/expire`.
    pub fn expire_tokens(&self) {
        self.state.tokens.expire_all();
    }

    /// Same as `POST /_sandbox/tokens/revoke`.
    pub fn revoke_tokens(&self) {
        self.state.tokens.revoke_all();
    }

    /// Same as `POST /_sandbox/connect/revoke` without a body: every Visma Connect grant is
    /// revoked (its refresh tokens and access tokens stop working).
    pub fn revoke_connect_grants(&self) {
        crate::connect::revoke_all(&self.state);
    }

    /// Same as `POST /_sandbox/connect/revoke {"refresh_token": ...}`: the grant of that
    /// refresh token is revoked.
    pub fn revoke_connect_grant(&self, refresh_token: &str) -> Result<(), String> {
        admin::connect_revoke(
            &self.state,
            serde_json::json!({"refresh_token": refresh_token}),
        )
    }

    /// Same as `POST /_sandbox/connect/expire-refresh-tokens`.
    pub fn expire_refresh_tokens(&self) {
        self.state.grants.expire_refresh_tokens();
    }

    /// `url()`: Visma Connect's endpoints (`/connect/authorize`, `/connect/token`, ...) are
    /// served by the same sandbox, so this is what a client's `connect_url` option is set to.
    pub fn connect_url(&self) -> String {
        self.url()
    }

    /// Same as `POST /_sandbox/config`.
    pub fn configure(&self, patch: Value) -> Result<(), String> {
        self.state.configure(&patch)
    }

    /// Same as `POST /_sandbox/seed {"contacts": n}`.
    pub fn seed_contacts(&self, n: usize) {
        admin::seed_contacts(&self.state, n);
    }

    /// Stops accepting and closes open connections (also done on drop).
    pub fn shutdown(mut self) {
        self.server.shutdown();
    }
}
