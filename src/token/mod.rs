//! Tokens: the exchange of credentials for an access token (`exchange`), keeping one valid
//! and refreshing it once for every thread (`lifetime`), and sharing it with other processes
//! through a file (`cache`).

pub mod cache;
pub mod exchange;
pub mod lifetime;
