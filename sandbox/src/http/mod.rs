//! A small HTTP/1.1 server: requests parsed by `httparse`, forms by `form_urlencoded`; the
//! server loop and the response writer are ours, a thin layer over the raw socket, because the
//! sandbox must misbehave at the transport level (close without answering, reset, truncate,
//! drip bytes, send non-HTTP garbage), which no server framework lets a handler do. It knows
//! nothing about Dinero: it reads requests, hands them to a [`Handler`] and carries out the
//! [`Reply`] it gets back.

pub mod request;
pub mod response;
pub mod server;
pub mod tls;
pub mod urlencoded;

pub use request::Request;
pub use response::{Body, Reply, Response};
pub use server::{Handler, Server};
