//! Files: `POST /v1/{org}/files` (multipart/form-data upload, at most 6 MB),
//! `GET /v1/{org}/files` (list) and `GET /v1/{org}/files/{guid}` (the bytes as uploaded).
//!
//! As in Dinero, a file is listed only once attached to a voucher (the sandbox has no voucher a
//! file can be attached to, so only `Config::list_unattached_files` lists uploads), and it may
//! take a while to become readable (`Config::file_ready_delay`). Dinero documents no route that
//! hands a file's bytes back: the download is the sandbox's assumption.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use super::errors::ApiError;
use super::list::{self, DEFAULT_PAGE_SIZE};
use super::multipart::{self, MultipartError, Part};
use crate::clock;
use crate::http::urlencoded::parse_pairs;
use crate::http::{Body, Request, Response};
use crate::random;
use crate::state::Organization;

/// Dinero's limit on an uploaded file's content: 6 MB, counted in MiB by default
/// (`Config::max_upload_bytes` may set it lower, for the other reading of "6 MB").
pub const MAX_FILE_SIZE: usize = 6 * 1024 * 1024;

// The HTTP layer's body cap must let a file just over the limit, with its multipart framing,
// through to `upload`, so the client gets Dinero's 413 JSON rather than the server's own 413.
const _: () = assert!(MAX_FILE_SIZE + 1024 * 1024 <= crate::http::request::MAX_BODY);

/// The part holding the file.
const FILE_PART: &str = "file";

pub struct StoredFile {
    pub guid: String,
    pub name: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
    pub created_ms: i64,
    /// When the upload was stored, on the monotonic clock, for the readiness delay (the wall
    /// clock could step back and make a file unreadable again).
    pub uploaded: Instant,
}

/// The uploaded files, in upload order.
#[derive(Default)]
pub struct FileStore {
    items: Vec<StoredFile>,
    index: HashMap<String, usize>,
}

impl FileStore {
    pub fn add(&mut self, file: StoredFile) {
        self.index.insert(file.guid.clone(), self.items.len());
        self.items.push(file);
    }

    /// By guid, in any case (ours are lower case).
    pub fn get(&self, guid: &str) -> Option<&StoredFile> {
        let i = *self.index.get(&guid.to_ascii_lowercase())?;
        self.items.get(i)
    }

    pub fn items(&self) -> &[StoredFile] {
        &self.items
    }
}

fn multipart_error(e: MultipartError) -> ApiError {
    ApiError::validation_one(e.property(), e.english(), e.danish())
}

/// The part named `file`, else the first part with a file name.
fn file_part(parts: &[Part]) -> Option<&Part> {
    parts
        .iter()
        .find(|p| p.name.as_deref() == Some(FILE_PART))
        .or_else(|| parts.iter().find(|p| p.filename.is_some()))
}

/// `POST /v1/{org}/files`: 200 `{"FileGuid":"…","OrganizationId":…}`.
/// `max_bytes`: the largest file content taken (`Config::max_upload_bytes`).
pub fn upload(org: &Organization, request: &Request, max_bytes: usize) -> Response {
    let parts = match multipart::parse(request.header("content-type"), &request.body) {
        Ok(parts) => parts,
        Err(e) => return multipart_error(e).to_response(),
    };
    let Some(part) = file_part(&parts) else {
        return ApiError::validation_one(
            FILE_PART,
            "The multipart/form-data body has no part named \"file\" and no part with a filename",
            "Multipart-indholdet har ingen del ved navn \"file\" og ingen del med et filnavn",
        )
        .to_response();
    };
    if part.data.len() > max_bytes {
        return ApiError::file_too_large().to_response();
    }
    // A part without a (non-empty) file name is stored under its part name.
    let name = part
        .filename
        .clone()
        .filter(|n| !n.is_empty())
        .or_else(|| part.name.clone())
        .unwrap_or_else(|| FILE_PART.to_owned());
    let guid = random::uuid_v4();
    org.files().add(StoredFile {
        guid: guid.clone(),
        name,
        content_type: part.content_type().to_owned(),
        bytes: part.data.to_vec(),
        created_ms: clock::now_ms(),
        uploaded: Instant::now(),
    });
    Response::json(200, &json!({"FileGuid": guid, "OrganizationId": org.id}))
}

/// `GET /v1/{org}/files`: the listed files' metadata in upload order, paged with `page` and
/// `pageSize` (other parameters are ignored). Dinero lists only files attached to a voucher and
/// nothing here attaches one, so an upload is listed only with `list_unattached_files`.
pub fn list(org: &Organization, request: &Request, list_unattached_files: bool) -> Response {
    let pairs = parse_pairs(&request.query);
    let (mut page, mut page_size) = (0, DEFAULT_PAGE_SIZE);
    for (name, value) in &pairs {
        let parsed = match name.to_ascii_lowercase().as_str() {
            "page" => list::parse_page(value).map(|n| page = n),
            "pagesize" => list::parse_page_size(value).map(|n| page_size = n),
            _ => Ok(()),
        };
        if let Err(e) = parsed {
            return e.to_response();
        }
    }
    let files = org.files();
    let listed: &[StoredFile] = if list_unattached_files {
        files.items()
    } else {
        &[]
    };
    let total = listed.len() as u64;
    let skip = usize::try_from(page.saturating_mul(page_size)).unwrap_or(usize::MAX);
    let take = usize::try_from(page_size).unwrap_or(usize::MAX);
    let collection: Vec<Value> = listed
        .iter()
        .skip(skip)
        .take(take)
        .map(|f| {
            json!({
                "FileGuid": f.guid,
                "FileName": f.name,
                "ContentType": f.content_type,
                "Size": f.bytes.len(),
                "CreatedAt": clock::format_datetime(f.created_ms),
            })
        })
        .collect();
    Response::json(
        200,
        &json!({
            "Collection": collection,
            "Pagination": list::pagination(page, page_size, total, total),
        }),
    )
}

/// `GET /v1/{org}/files/{guid}` (not in Dinero's documentation: an assumption): the bytes as
/// uploaded, with their Content-Type and a `Content-Disposition: attachment`, whatever the
/// `Accept` header; 404 code 40 if unknown, and the same 404 until `ready_delay` has passed
/// since the upload, as a file in Dinero may take a second to become readable.
pub fn download(org: &Organization, guid: &str, ready_delay: Duration) -> Response {
    let files = org.files();
    let Some(file) = files
        .get(guid)
        .filter(|f| f.uploaded.elapsed() >= ready_delay)
    else {
        return ApiError::not_found("File", "Filen").to_response();
    };
    Response::new(
        200,
        Some(Cow::Owned(file.content_type.clone())),
        Body::Bytes(file.bytes.clone()),
    )
    .with_header("Content-Disposition", attachment_disposition(&file.name))
}

/// A `Content-Disposition: attachment` value for a file name: `filename="..."` with `"` and `\`
/// escaped and anything outside printable ASCII replaced by `_`, plus an RFC 8187 `filename*`
/// with the exact name when it needed replacing. Never contains CR or LF.
pub fn attachment_disposition(filename: &str) -> String {
    let mut out = String::from("attachment; filename=\"");
    let mut lossy = false;
    for c in filename.chars() {
        match c {
            '"' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            ' '..='~' => out.push(c),
            _ => {
                out.push('_');
                lossy = true;
            }
        }
    }
    out.push('"');
    if lossy {
        out.push_str("; filename*=UTF-8''");
        for b in filename.bytes() {
            if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
                out.push(char::from(b));
            } else {
                // Writing into a String cannot fail.
                let _ = write!(out, "%{b:02X}");
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn part(name: Option<&str>, filename: Option<&str>) -> Part {
        Part {
            name: name.map(str::to_owned),
            filename: filename.map(str::to_owned),
            content_type: None,
            data: bytes::Bytes::new(),
        }
    }

    #[test]
    fn picks_the_file_part() {
        let parts = [
            part(Some("note"), None),
            part(Some("other"), Some("a.txt")),
            part(Some("file"), Some("b.txt")),
        ];
        assert_eq!(
            file_part(&parts).unwrap().filename.as_deref(),
            Some("b.txt")
        );
        assert_eq!(
            file_part(&parts[..2]).unwrap().filename.as_deref(),
            Some("a.txt")
        );
        assert!(file_part(&parts[..1]).is_none());
    }

    #[test]
    fn attachment_dispositions() {
        assert_eq!(
            attachment_disposition("a.txt"),
            "attachment; filename=\"a.txt\""
        );
        assert_eq!(
            attachment_disposition("a \"q\"\\.txt"),
            "attachment; filename=\"a \\\"q\\\"\\\\.txt\""
        );
        assert_eq!(
            attachment_disposition("Æble\r\n.txt"),
            "attachment; filename=\"_ble__.txt\"; filename*=UTF-8''%C3%86ble%0D%0A.txt"
        );
    }
}
