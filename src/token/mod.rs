//! Tokens: the exchange of credentials for an access token (`exchange`), and keeping one valid,
//! refreshed once for every thread and, through `shared_state`, for every process (`lifetime`).

pub mod exchange;
pub mod grant;
pub mod lifetime;
