//! The C surface and nothing else: exported functions check their arguments and catch panics,
//! then call the Rust API. Nothing here knows about HTTP.

mod boundary;
pub mod client;
pub mod connect;
pub mod create;
mod handles;
mod last_error;
pub mod library;
pub mod log;
pub mod log_level;
pub mod options;
pub mod pages;
pub mod private_file;
pub mod request_builder;
pub mod response;
pub mod status;
mod strings;
