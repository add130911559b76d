//! `multipart/form-data` (RFC 7578) for file uploads. The framing (boundaries, part headers,
//! part data) is `multer`'s; what is ours is the mapping of its verdicts onto Dinero-style
//! validation errors, and RFC 8187 `filename*`, which `multer` does not read.

use std::convert::Infallible;

use bytes::Bytes;

/// The Content-Type of a part that does not name one (RFC 7578, section 4.4).
pub const DEFAULT_CONTENT_TYPE: &str = "application/octet-stream";

/// One part.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    /// `name` of `Content-Disposition: form-data`.
    pub name: Option<String>,
    /// `filename*` (RFC 8187, decoded) if present, else `filename`.
    pub filename: Option<String>,
    /// The part's own `Content-Type`, if it has one.
    pub content_type: Option<String>,
    pub data: Bytes,
}

impl Part {
    /// The part's Content-Type, `application/octet-stream` when it names none.
    pub fn content_type(&self) -> &str {
        self.content_type.as_deref().unwrap_or(DEFAULT_CONTENT_TYPE)
    }
}

/// Why a body is not acceptable `multipart/form-data`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MultipartError {
    /// No `Content-Type`, or one that is not `multipart/form-data`.
    NotFormData,
    /// The `Content-Type` header has unparsable parameters.
    BadContentType,
    /// `multipart/form-data` without a `boundary` parameter.
    NoBoundary,
    /// A boundary that is empty, over 70 characters or has characters RFC 2046 forbids.
    BadBoundary,
    /// The body never has a `--boundary` line.
    NoDelimiter,
    /// The body ends before the closing `--boundary--`.
    NoClosingDelimiter,
    /// The closing delimiter comes first: there are no parts.
    NoParts,
    /// A part's headers are not `Name: value` lines ending with an empty line.
    BadPartHeader,
    /// A part without `Content-Disposition: form-data`.
    NoContentDisposition,
    /// A `Content-Disposition` that is not `form-data` or has broken parameters.
    BadContentDisposition,
    /// A `filename*` that is not `UTF-8''percent-encoded` (or ISO-8859-1).
    BadExtendedFilename,
}

impl MultipartError {
    /// Which request property the error is about, for `validationErrors`.
    pub fn property(&self) -> &'static str {
        match self {
            MultipartError::NotFormData
            | MultipartError::BadContentType
            | MultipartError::NoBoundary
            | MultipartError::BadBoundary => "Content-Type",
            _ => "body",
        }
    }

    pub fn english(&self) -> &'static str {
        match self {
            MultipartError::NotFormData => {
                "The request must have Content-Type multipart/form-data with the file in a part named \"file\""
            }
            MultipartError::BadContentType => "The Content-Type header has malformed parameters",
            MultipartError::NoBoundary => {
                "The multipart/form-data Content-Type has no boundary parameter"
            }
            MultipartError::BadBoundary => {
                "The multipart boundary must be 1 to 70 characters allowed by RFC 2046"
            }
            MultipartError::NoDelimiter => {
                "Malformed multipart body: no --boundary line opens the first part"
            }
            MultipartError::NoClosingDelimiter => {
                "Malformed multipart body: the closing --boundary-- delimiter is missing"
            }
            MultipartError::NoParts => "Malformed multipart body: it has no parts",
            MultipartError::BadPartHeader => {
                "Malformed multipart body: a part's headers are not 'Name: value' lines ending with an empty line"
            }
            MultipartError::NoContentDisposition => {
                "Malformed multipart body: a part has no Content-Disposition: form-data header"
            }
            MultipartError::BadContentDisposition => {
                "Malformed multipart body: a part's Content-Disposition is not valid form-data"
            }
            MultipartError::BadExtendedFilename => {
                "Malformed multipart body: filename* must be UTF-8'' followed by percent-encoded UTF-8"
            }
        }
    }

    pub fn danish(&self) -> &'static str {
        match self {
            MultipartError::NotFormData => {
                "Forespørgslen skal have Content-Type multipart/form-data med filen i en del ved navn \"file\""
            }
            MultipartError::BadContentType => "Content-Type-headerens parametre er ugyldige",
            MultipartError::NoBoundary => {
                "Content-Type multipart/form-data mangler parameteren boundary"
            }
            MultipartError::BadBoundary => {
                "Multipart-boundary skal være 1 til 70 tegn tilladt af RFC 2046"
            }
            MultipartError::NoDelimiter => {
                "Ugyldigt multipart-indhold: ingen --boundary-linje indleder første del"
            }
            MultipartError::NoClosingDelimiter => {
                "Ugyldigt multipart-indhold: den afsluttende --boundary-- mangler"
            }
            MultipartError::NoParts => "Ugyldigt multipart-indhold: der er ingen dele",
            MultipartError::BadPartHeader => {
                "Ugyldigt multipart-indhold: en dels headere er ikke 'Navn: værdi'-linjer afsluttet af en tom linje"
            }
            MultipartError::NoContentDisposition => {
                "Ugyldigt multipart-indhold: en del mangler headeren Content-Disposition: form-data"
            }
            MultipartError::BadContentDisposition => {
                "Ugyldigt multipart-indhold: en dels Content-Disposition er ikke gyldig form-data"
            }
            MultipartError::BadExtendedFilename => {
                "Ugyldigt multipart-indhold: filename* skal være UTF-8'' efterfulgt af procent-kodet UTF-8"
            }
        }
    }
}

/// The boundary of a `multipart/form-data` Content-Type header value.
pub fn boundary(content_type: Option<&str>) -> Result<String, MultipartError> {
    let value = content_type.ok_or(MultipartError::NotFormData)?;
    let boundary = multer::parse_boundary(value).map_err(|e| match e {
        multer::Error::NoBoundary => MultipartError::NoBoundary,
        multer::Error::DecodeContentType(_)
            if value
                .split(';')
                .next()
                .is_some_and(|t| t.trim().eq_ignore_ascii_case("multipart/form-data")) =>
        {
            MultipartError::BadContentType
        }
        _ => MultipartError::NotFormData,
    })?;
    // RFC 2046: 1 to 70 characters, not ending in a space.
    if (1..=70).contains(&boundary.len()) && !boundary.ends_with(' ') {
        Ok(boundary)
    } else {
        Err(MultipartError::BadBoundary)
    }
}

/// Parses a whole `multipart/form-data` body, given the request's Content-Type.
pub fn parse(content_type: Option<&str>, body: &[u8]) -> Result<Vec<Part>, MultipartError> {
    let boundary = boundary(content_type)?;
    let has_delimiter = {
        let dash_boundary = format!("--{boundary}");
        body.windows(dash_boundary.len())
            .any(|w| w == dash_boundary.as_bytes())
    };
    let framing_error = |e: multer::Error| match e {
        multer::Error::IncompleteStream | multer::Error::IncompleteFieldData { .. }
            if !has_delimiter =>
        {
            MultipartError::NoDelimiter
        }
        multer::Error::IncompleteStream | multer::Error::IncompleteFieldData { .. } => {
            MultipartError::NoClosingDelimiter
        }
        _ => MultipartError::BadPartHeader,
    };
    // The whole body is in memory: one chunk, so every future below is ready at once.
    let chunk = Bytes::copy_from_slice(body);
    let stream = futures_util::stream::once(async move { Ok::<Bytes, Infallible>(chunk) });
    let mut multipart = multer::Multipart::new(stream, boundary);
    pollster::block_on(async {
        let mut parts = Vec::new();
        while let Some(field) = multipart.next_field().await.map_err(framing_error)? {
            let header = |name| {
                field
                    .headers()
                    .get(name)
                    .map(|v| {
                        std::str::from_utf8(v.as_bytes()).map_err(|_| MultipartError::BadPartHeader)
                    })
                    .transpose()
            };
            let disposition = header(http::header::CONTENT_DISPOSITION)?
                .ok_or(MultipartError::NoContentDisposition)?;
            let is_form_data = disposition
                .split(';')
                .next()
                .is_some_and(|t| t.trim().eq_ignore_ascii_case("form-data"));
            if !is_form_data {
                return Err(MultipartError::BadContentDisposition);
            }
            let filename = match extended_filename(disposition) {
                Some(extended) => Some(decode_extended(extended)?),
                None => field.file_name().map(str::to_owned),
            };
            let content_type = header(http::header::CONTENT_TYPE)?.map(str::to_owned);
            let name = field.name().map(str::to_owned);
            let data = field.bytes().await.map_err(framing_error)?;
            parts.push(Part {
                name,
                filename,
                content_type,
                data,
            });
        }
        if parts.is_empty() {
            return Err(MultipartError::NoParts);
        }
        Ok(parts)
    })
}

/// The raw `filename*` parameter of a Content-Disposition value, if any.
fn extended_filename(disposition: &str) -> Option<&str> {
    disposition.split(';').skip(1).find_map(|param| {
        let (name, value) = param.split_once('=')?;
        name.trim()
            .eq_ignore_ascii_case("filename*")
            .then(|| value.trim())
    })
}

/// RFC 8187 `ext-value`: `charset'language'percent-encoded`, charset UTF-8 or ISO-8859-1.
fn decode_extended(value: &str) -> Result<String, MultipartError> {
    let bad = MultipartError::BadExtendedFilename;
    let mut pieces = value.splitn(3, '\'');
    let (Some(charset), Some(_language), Some(encoded)) =
        (pieces.next(), pieces.next(), pieces.next())
    else {
        return Err(bad);
    };
    // `percent_decode` keeps a broken escape as it is; RFC 8187 does not allow one.
    let escapes_ok = encoded
        .split('%')
        .skip(1)
        .all(|after| after.len() >= 2 && after.as_bytes()[..2].iter().all(u8::is_ascii_hexdigit));
    if !escapes_ok {
        return Err(bad);
    }
    let bytes: Vec<u8> = percent_encoding::percent_decode_str(encoded).collect();
    if charset.eq_ignore_ascii_case("utf-8") {
        String::from_utf8(bytes).map_err(|_| bad)
    } else if charset.eq_ignore_ascii_case("iso-8859-1") {
        Ok(bytes.into_iter().map(char::from).collect())
    } else {
        Err(bad)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CT: &str = "multipart/form-data; boundary=XyZ";

    fn one_part(headers: &str, data: &[u8]) -> Vec<u8> {
        let mut body = format!("--XyZ\r\n{headers}\r\n\r\n").into_bytes();
        body.extend_from_slice(data);
        body.extend_from_slice(b"\r\n--XyZ--\r\n");
        body
    }

    #[test]
    fn simple_file_part() {
        let body = one_part(
            "Content-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\nContent-Type: text/plain",
            b"hello\r\nworld",
        );
        let parts = parse(Some(CT), &body).unwrap();
        assert_eq!(
            parts,
            vec![Part {
                name: Some("file".into()),
                filename: Some("a.txt".into()),
                content_type: Some("text/plain".into()),
                data: Bytes::from_static(b"hello\r\nworld"),
            }]
        );
    }

    #[test]
    fn binary_with_nuls_and_boundary_lookalikes_is_byte_exact() {
        let mut data = vec![0u8, 0, 0xff, b'\r', b'\n', 0, b'\r', b'\r'];
        // Boundary lookalikes that are data: not preceded by CRLF, or not the boundary.
        data.extend_from_slice(b"--XyZ\r\n\0\n--XyZ--\r\n--Xy\r\n\0 --XyZ");
        let body = one_part(
            "Content-Disposition: form-data; name=file; filename=blob.bin",
            &data,
        );
        let parts = parse(Some(CT), &body).unwrap();
        assert_eq!(parts.len(), 1);
        assert_eq!(parts[0].data, &data[..]);
        assert_eq!(parts[0].content_type(), DEFAULT_CONTENT_TYPE);
    }

    #[test]
    fn several_parts_preamble_epilogue_and_quoted_boundary() {
        let ct = "Multipart/Form-Data; charset=utf-8; boundary=\"a b:c\"";
        let body = b"preamble\r\n--a b:c\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhi\r\n--a b:c\r\ncontent-disposition: FORM-DATA; name=\"file\"; filename=\"x.png\"\r\nX-Other: y\r\n\r\n\r\n--a b:c--\r\nepilogue";
        let parts = parse(Some(ct), body).unwrap();
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0].name.as_deref(), Some("note"));
        assert_eq!(parts[0].data, &b"hi"[..]);
        assert_eq!(parts[0].filename, None);
        assert_eq!(parts[1].filename.as_deref(), Some("x.png"));
        assert_eq!(parts[1].data, &b""[..], "an empty file");
    }

    #[test]
    fn extended_filename_wins() {
        let body = one_part(
            "Content-Disposition: form-data; name=\"file\"; filename=\"fallback.txt\"; filename*=UTF-8''%C3%86bler%20%E2%82%AC+1.txt",
            b"x",
        );
        let parts = parse(Some(CT), &body).unwrap();
        assert_eq!(parts[0].filename.as_deref(), Some("Æbler €+1.txt"));
        let body = one_part(
            "Content-Disposition: form-data; name=\"file\"; filename*=iso-8859-1'da'%E6bler.txt",
            b"x",
        );
        assert_eq!(
            parse(Some(CT), &body).unwrap()[0].filename.as_deref(),
            Some("æbler.txt")
        );
        for broken in [
            "UTF-8''%C3",
            "UTF-8''%G1",
            "UTF-8''%4",
            "koi8-r''x",
            "no-quotes",
        ] {
            let body = one_part(
                &format!("Content-Disposition: form-data; name=\"file\"; filename*={broken}"),
                b"x",
            );
            assert_eq!(
                parse(Some(CT), &body),
                Err(MultipartError::BadExtendedFilename),
                "{broken}"
            );
        }
    }

    #[test]
    fn content_type_errors() {
        let body = one_part("Content-Disposition: form-data; name=file", b"x");
        assert_eq!(parse(None, &body), Err(MultipartError::NotFormData));
        assert_eq!(
            parse(Some("application/json"), &body),
            Err(MultipartError::NotFormData)
        );
        assert_eq!(
            parse(Some("multipart/mixed; boundary=XyZ"), &body),
            Err(MultipartError::NotFormData)
        );
        assert_eq!(
            parse(Some("multipart/form-data"), &body),
            Err(MultipartError::NoBoundary)
        );
        assert_eq!(
            parse(Some("multipart/form-data; boundary=\"unterminated"), &body),
            Err(MultipartError::BadContentType)
        );
        let long = format!("multipart/form-data; boundary={}", "a".repeat(71));
        assert_eq!(parse(Some(&long), &body), Err(MultipartError::BadBoundary));
    }

    #[test]
    fn body_errors() {
        let cases: &[(&[u8], MultipartError)] = &[
            (b"", MultipartError::NoDelimiter),
            (b"no delimiter at all", MultipartError::NoDelimiter),
            (b"--XyZ--\r\n", MultipartError::NoParts),
            (b"--XyZ", MultipartError::NoClosingDelimiter),
            (
                b"--XyZ\r\nContent-Disposition: form-data; name=file\r\n\r\ndata",
                MultipartError::NoClosingDelimiter,
            ),
            (
                b"--XyZ\r\nno colon\r\n\r\nx\r\n--XyZ--",
                MultipartError::BadPartHeader,
            ),
            (
                b"--XyZ\r\nContent-Type: text/plain\r\n\r\nx\r\n--XyZ--",
                MultipartError::NoContentDisposition,
            ),
            (
                b"--XyZ\r\nContent-Disposition: attachment; name=file\r\n\r\nx\r\n--XyZ--",
                MultipartError::BadContentDisposition,
            ),
        ];
        for (body, expected) in cases {
            assert_eq!(
                parse(Some(CT), body).as_ref(),
                Err(expected),
                "{:?}",
                String::from_utf8_lossy(body)
            );
        }
    }

    #[test]
    fn never_panics_on_prefixes_or_mutations_of_a_valid_body() {
        let body = one_part(
            "Content-Disposition: form-data; name=\"file\"; filename*=UTF-8''%C3%A6.txt\r\nContent-Type: text/plain",
            b"data\r\n--Xy",
        );
        // Cut anywhere before the end of `--XyZ--` (the CRLF after it is optional): refused.
        for end in 0..body.len() - 2 {
            assert!(
                parse(Some(CT), &body[..end]).is_err(),
                "prefix of {end} bytes"
            );
        }
        for i in 0..body.len() {
            let mut mutated = body.clone();
            mutated[i] = b'\r';
            let _ = parse(Some(CT), &mutated);
            mutated[i] = 0xff;
            let _ = parse(Some(CT), &mutated);
        }
    }
}
