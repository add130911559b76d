//! The C surface and nothing else: exported functions check their arguments and catch panics,
//! then call the Rust API. Nothing here knows about HTTP.

pub mod async_calls;
pub mod background;
mod boundary;
pub mod client;
pub mod client_close;
pub mod connect;
pub mod create;
mod handles;
pub mod interrupt;
mod last_error;
pub mod library;
pub mod log;
pub mod log_level;
pub mod options;
pub mod pages;
pub mod pages_new_with;
pub mod private_file;
pub mod request_builder;
pub mod response;
pub mod response_headers;
pub mod response_json;
pub mod status;
mod strings;
