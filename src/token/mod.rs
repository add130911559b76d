//! Tokens: the exchange of credentials for an access token (`exchange`), asking for a new one
//! with either kind of grant (`fetch`), and keeping one valid, refreshed once for every thread
//! and, through `shared_state`, for every process (`lifetime`), one of which fetches under the
//! store's lease (`lease`).

pub mod exchange;
mod fetch;
pub mod grant;
mod lease;
pub mod lifetime;
