//! `dinero-sandbox`: a local look-alike of the Dinero accounting API, for testing a client over
//! real HTTP. It reproduces Dinero's behaviour as described in docs/dinero-api.md, awkward parts
//! included (wrapped OAuth errors, HTML 404s, plain-text 429s), and can inject transport-level
//! faults. It shares no code with the client library on purpose: it must not agree with the
//! library's bugs.
//!
//! ```no_run
//! let sandbox = dinero_sandbox::Sandbox::start(dinero_sandbox::Config::default()).unwrap();
//! println!("{}", sandbox.auth_url());
//! ```

#![forbid(unsafe_code)]

mod admin;
mod api;
mod clock;
mod config;
mod connect;
mod dispatch;
mod echo;
mod faults;
mod http;
mod random;
mod rate_limit;
mod sandbox;
mod state;
mod stats;
mod token_endpoint;
mod tokens;

pub use config::{ClientErrorShape, Config, DraftPdf, DuplicateId, RateWindow, RefreshTokens};
pub use sandbox::Sandbox;
