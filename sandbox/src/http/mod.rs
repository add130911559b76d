//! A small hand-written HTTP/1.1 server.
//!
//! Hand-written on purpose: the sandbox must be able to misbehave at the transport level (close
//! without answering, reset, truncate, drip bytes, send non-HTTP garbage), which no framework lets
//! a handler do. It knows nothing about Dinero: it parses requests, hands them to a [`Handler`]
//! and carries out the [`Reply`] it gets back.

pub mod request;
pub mod response;
pub mod server;
pub mod tls;
pub mod urlencoded;

pub use request::Request;
pub use response::{Body, Reply, Response};
pub use server::{Handler, Server};
