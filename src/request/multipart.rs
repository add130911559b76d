//! File uploads the way Dinero's files endpoint takes them: one multipart/form-data part named
//! "file", at most 6 MB, refused here before anything is sent when larger.

use crate::error::{Error, Result};

/// Dinero's limit for `POST /v1/{organizationId}/files`.
pub const MAX_UPLOAD_BYTES: usize = 6 * 1024 * 1024;

pub const FILES_PATH: &str = "/v1/{organizationId}/files";

/// A multipart body and its Content-Type (with the boundary).
pub struct Multipart {
    pub body: Vec<u8>,
    pub content_type: String,
}

pub fn check_size(len: usize) -> Result<()> {
    if len > MAX_UPLOAD_BYTES {
        return Err(Error::invalid(format!(
            "the file is {len} bytes; Dinero accepts at most 6 MB ({MAX_UPLOAD_BYTES} bytes); nothing was sent"
        )));
    }
    Ok(())
}

/// Builds the upload body. `content_type` None guesses from the file name.
pub fn multipart(bytes: &[u8], file_name: &str, content_type: Option<&str>) -> Result<Multipart> {
    check_size(bytes.len())?;
    if file_name.is_empty()
        || file_name
            .chars()
            .any(|c| c.is_control() || c == '"' || c == '/' || c == '\\')
    {
        return Err(Error::invalid(
            "the file name must be non-empty, without quotes, slashes or control characters",
        ));
    }
    let part_type = content_type.unwrap_or_else(|| guess_content_type(file_name));
    if part_type.is_empty() || part_type.chars().any(|c| c.is_control()) {
        return Err(Error::invalid(
            "the content type must be non-empty without control characters",
        ));
    }
    // A boundary that cannot occur in the file: random, and checked.
    let boundary = loop {
        let candidate = format!(
            "libdinero-{:016x}{:016x}",
            fastrand::u64(..),
            fastrand::u64(..)
        );
        if !bytes
            .windows(candidate.len())
            .any(|w| w == candidate.as_bytes())
        {
            break candidate;
        }
    };
    let ascii_name: String = file_name
        .chars()
        .map(|c| if c.is_ascii() { c } else { '_' })
        .collect();
    let mut head = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{ascii_name}\""
    );
    if ascii_name != file_name {
        // RFC 6266 / 8187: the real UTF-8 name for servers that read it ("Kvittering æøå.pdf").
        head.push_str(&format!(
            "; filename*=UTF-8''{}",
            crate::request::builder::percent_encode(file_name)
        ));
    }
    head.push_str(&format!("\r\nContent-Type: {part_type}\r\n\r\n"));
    let tail = format!("\r\n--{boundary}--\r\n");
    let mut body = Vec::with_capacity(head.len() + bytes.len() + tail.len());
    body.extend_from_slice(head.as_bytes());
    body.extend_from_slice(bytes);
    body.extend_from_slice(tail.as_bytes());
    Ok(Multipart {
        body,
        content_type: format!("multipart/form-data; boundary={boundary}"),
    })
}

/// The content type of the usual bookkeeping files, from the extension.
pub fn guess_content_type(file_name: &str) -> &'static str {
    let extension = file_name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase());
    match extension.as_deref() {
        Some("pdf") => "application/pdf",
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("gif") => "image/gif",
        Some("webp") => "image/webp",
        Some("tif" | "tiff") => "image/tiff",
        Some("heic") => "image/heic",
        Some("txt") => "text/plain",
        Some("csv") => "text/csv",
        Some("xml") => "application/xml",
        Some("json") => "application/json",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_six_megabyte_boundary() {
        assert!(check_size(MAX_UPLOAD_BYTES).is_ok());
        let err = check_size(MAX_UPLOAD_BYTES + 1).unwrap_err();
        assert!(err.message().contains("at most 6 MB"), "{err}");
    }

    #[test]
    fn the_body_is_one_file_part() {
        let m = multipart(b"%PDF-1.4\0binary", "Kvittering æ.pdf", None).unwrap();
        let boundary = m
            .content_type
            .strip_prefix("multipart/form-data; boundary=")
            .unwrap();
        let text = String::from_utf8_lossy(&m.body);
        assert!(text.starts_with(&format!("--{boundary}\r\n")));
        assert!(text.contains("name=\"file\"; filename=\"Kvittering _.pdf\"; filename*=UTF-8''Kvittering%20%C3%A6.pdf"));
        assert!(text.contains("Content-Type: application/pdf\r\n\r\n%PDF-1.4\0binary\r\n"));
        assert!(text.ends_with(&format!("\r\n--{boundary}--\r\n")));
    }

    #[test]
    fn a_content_type_that_is_empty_or_would_add_a_header_to_the_part_is_refused() {
        // The type is written into the part's own header lines: a CR LF in it would let a
        // caller's value add headers (or end the part's head) inside the upload.
        for content_type in ["", "text/plain\r\nContent-Disposition: x", "a/b\0"] {
            let Err(err) = multipart(b"x", "a.txt", Some(content_type)) else {
                panic!("{content_type:?} was accepted");
            };
            assert!(
                err.message().contains("content type"),
                "{content_type:?}: {err}"
            );
        }
    }

    #[test]
    fn every_usual_bookkeeping_file_gets_its_own_content_type() {
        // Dinero stores the part's type with the file and serves it back with it: an iPhone's
        // HEIC receipt or a bank's CSV sent as octet-stream would not open as what it is.
        for (name, expected) in [
            ("bilag.pdf", "application/pdf"),
            ("scan.png", "image/png"),
            ("foto.jpg", "image/jpeg"),
            ("foto.jpeg", "image/jpeg"),
            ("logo.gif", "image/gif"),
            ("foto.webp", "image/webp"),
            ("scan.tif", "image/tiff"),
            ("scan.tiff", "image/tiff"),
            ("IMG_0001.HEIC", "image/heic"),
            ("note.txt", "text/plain"),
            ("bank.csv", "text/csv"),
            ("faktura.xml", "application/xml"),
            ("data.json", "application/json"),
        ] {
            assert_eq!(guess_content_type(name), expected, "{name}");
        }
    }

    #[test]
    fn bad_names_are_refused() {
        for name in ["", "a\"b.pdf", "../x.pdf", "a\r\nb"] {
            assert!(multipart(b"x", name, None).is_err(), "{name:?}");
        }
        assert_eq!(guess_content_type("SCAN.JPG"), "image/jpeg");
        assert_eq!(guess_content_type("noext"), "application/octet-stream");
    }
}
