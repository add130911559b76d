//! Integration tests: a real sandbox on 127.0.0.1, driven over real TCP by the small raw client
//! in `client.rs` (never a mock, and no HTTP library that could paper over what goes on the
//! wire).

mod admin;
mod api;
mod binary;
mod bookkeeping;
mod client;
mod client_ids;
mod connect;
mod faults;
mod files;
mod http;
mod lists;
mod rate_limit;
mod token;
