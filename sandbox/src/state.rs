//! Everything a running sandbox knows, shared by all connection threads.

use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use serde_json::Value;

use crate::api;
use crate::api::collections::Store;
use crate::api::files::FileStore;
use crate::config::{Config, Settings};
use crate::connect::grants::GrantStore;
use crate::faults::FaultQueue;
use crate::rate_limit::RateLimiter;
use crate::stats::Stats;
use crate::tokens::TokenStore;

pub struct State {
    /// The start-up configuration (`bind` holds the address actually bound). Its run-time
    /// changeable part lives in `settings`.
    pub config: Config,
    settings: Mutex<Settings>,
    /// `organization_id`'s data first, then that of the other organizations a Visma Connect
    /// token reaches.
    organizations: Vec<Organization>,
    pub tokens: TokenStore,
    /// Visma Connect's codes, grants and refresh tokens.
    pub grants: GrantStore,
    pub faults: FaultQueue,
    pub stats: Stats,
    pub rate: RateLimiter,
}

/// Locks a mutex, recovering from poisoning: a panicking connection thread must not take the
/// whole sandbox down with it, and every structure here stays valid between statements.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

/// One organization's data: its entities and its uploaded files (kept apart from the JSON
/// entities).
pub struct Organization {
    pub id: u64,
    store: Mutex<Store>,
    files: Mutex<FileStore>,
}

impl Organization {
    fn new(id: u64, seed_contacts: usize) -> Organization {
        Organization {
            id,
            store: Mutex::new(api::seeded_store(seed_contacts)),
            files: Mutex::new(FileStore::default()),
        }
    }

    pub fn store(&self) -> MutexGuard<'_, Store> {
        lock(&self.store)
    }

    pub fn files(&self) -> MutexGuard<'_, FileStore> {
        lock(&self.files)
    }
}

impl State {
    pub fn new(config: Config) -> State {
        // Every organization starts with the same seed data; generated contacts go to the
        // API key's organization only.
        let mut organizations = vec![Organization::new(
            config.organization_id,
            config.seed_contacts,
        )];
        for id in config.connect_organization_ids() {
            if organizations.iter().all(|o| o.id != id) {
                organizations.push(Organization::new(id, 0));
            }
        }
        State {
            settings: Mutex::new(Settings::from_config(&config)),
            organizations,
            config,
            tokens: TokenStore::default(),
            grants: GrantStore::default(),
            faults: FaultQueue::default(),
            stats: Stats::default(),
            rate: RateLimiter::default(),
        }
    }

    pub fn settings(&self) -> Settings {
        lock(&self.settings).clone()
    }

    /// `(limit, window)`.
    pub fn rate_limit_settings(&self) -> (u32, Duration, crate::config::RateWindow) {
        let s = lock(&self.settings);
        (s.rate_limit, s.rate_window, s.rate_window_kind)
    }

    pub fn configure(&self, patch: &Value) -> Result<(), String> {
        lock(&self.settings).apply_patch(patch)
    }

    /// An organization's data, if the sandbox has that organization.
    pub fn organization(&self, id: u64) -> Option<&Organization> {
        self.organizations.iter().find(|o| o.id == id)
    }

    /// The API key's organization (`Config::organization_id`).
    pub fn main_organization(&self) -> &Organization {
        &self.organizations[0]
    }

    /// The configuration as it is now (start-up values with run-time changes applied).
    pub fn current_config(&self) -> Config {
        let s = self.settings();
        Config {
            token_lifetime: s.token_lifetime,
            rate_limit: s.rate_limit,
            rate_window: s.rate_window,
            rate_window_kind: s.rate_window_kind,
            retry_after_header: s.retry_after_header,
            rate_limit_retry_after: s.rate_limit_retry_after,
            duplicate_id: s.duplicate_id,
            draft_pdf: s.draft_pdf,
            strict_query_filter: s.strict_query_filter,
            client_error_shape: s.client_error_shape,
            list_unattached_files: s.list_unattached_files,
            file_ready_delay: s.file_ready_delay,
            max_upload_bytes: s.max_upload_bytes,
            refresh_tokens: s.refresh_tokens,
            refresh_grace: s.refresh_grace,
            refresh_token_lifetime: s.refresh_token_lifetime,
            code_lifetime: s.code_lifetime,
            ..self.config.clone()
        }
    }
}
