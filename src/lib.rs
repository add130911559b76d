//! libdinero: a client for the Dinero accounting API's personal integration, as a Rust library
//! and as a C library (`include/dinero.h`). See README.md.

mod answer_shape;
mod api_error;
mod callback;
mod client;
mod closing;
mod config;
pub mod connect;
mod error;
pub mod ffi;
mod files;
mod forks;
#[doc(hidden)]
pub mod fuzzing;
mod interrupt;
mod json_body;
mod log;
mod pages;
mod private_file;
mod request;
mod response;
mod secret;
mod server_text;
mod shared_state;
mod token;
mod transport;
mod unique;

pub use api_error::ApiError;
pub use client::Client;
pub use config::{Config, DEFAULT_API_URL, DEFAULT_AUTH_URL, OPTION_KEYS};
pub use error::{Error, ErrorKind, Result};
pub use interrupt::Interrupt;
pub use log::{Level as LogLevel, Logger};
pub use pages::{Pages, MAX_PAGE_SIZE};
pub use request::builder::RequestBuilder;
pub use request::create_once::Created;
pub use request::multipart::MAX_UPLOAD_BYTES;
pub use response::Response;
pub use secret::Secret;
pub use server_text::printable_excerpt;
