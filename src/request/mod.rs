//! What a caller asks to send, checked before anything leaves the process: the method and
//! target (`target`), requests with headers, query parameters and raw bodies (`builder`), file
//! uploads as multipart bodies (`multipart`) and where their bytes come from (`upload`).

pub mod builder;
pub mod multipart;
pub mod spec;
pub mod target;
pub mod upload;
