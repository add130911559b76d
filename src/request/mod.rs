//! What a caller asks to send, checked before anything leaves the process: the method and
//! target (`target`), requests with headers, query parameters and raw bodies (`builder`), file
//! uploads as multipart bodies (`multipart`) and where their bytes come from (`upload`), and
//! creates made exactly once (`create_once`).

pub mod builder;
pub mod create_once;
pub mod multipart;
pub mod spec;
pub mod target;
pub mod upload;
