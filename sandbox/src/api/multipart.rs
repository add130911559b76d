//! A small, strict `multipart/form-data` parser (RFC 7578 on RFC 2046) for file uploads.
//!
//! The boundary comes from the `Content-Type` parameter (quoted or not). The body is an optional
//! preamble, then parts each opened by a `--boundary` line, then the closing `--boundary--` (an
//! epilogue after it is ignored). A part is header lines, an empty line, then its data. The data
//! is taken byte for byte: it ends only at `CRLF--boundary` followed by `--` or by optional
//! spaces and CRLF, so NULs, bare CRs and LFs, CRLFs and even `--boundary`-like lines that are
//! not followed that way stay data. Anything else is an error, never a guess.

/// The Content-Type of a part that does not name one (RFC 7578, section 4.4).
pub const DEFAULT_CONTENT_TYPE: &str = "application/octet-stream";

/// One part, its data borrowed from the request body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part<'a> {
    /// `name` of `Content-Disposition: form-data`.
    pub name: Option<String>,
    /// `filename*` (RFC 8187, decoded) if present, else `filename`.
    pub filename: Option<String>,
    /// The part's own `Content-Type`, if it has one.
    pub content_type: Option<String>,
    pub data: &'a [u8],
}

impl Part<'_> {
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
    /// A `--boundary` line followed by something other than CRLF or `--`.
    BadDelimiterLine,
    /// The body ends before the closing `--boundary--`.
    NoClosingDelimiter,
    /// The closing delimiter comes first: there are no parts.
    NoParts,
    /// A part's header block has no end (no empty line).
    UnterminatedHeaders,
    /// A part header that is not `Name: value` in UTF-8 without control characters.
    BadPartHeader,
    /// A part without `Content-Disposition: form-data`.
    NoContentDisposition,
    /// A `Content-Disposition` that is not `form-data` or has broken parameters.
    BadContentDisposition,
    /// A `filename*` that is not `UTF-8''percent-encoded` (or ISO-8859-1).
    BadExtendedFilename,
    /// A part `Content-Type` that is not `type/subtype`.
    BadPartContentType,
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
            MultipartError::BadDelimiterLine => {
                "Malformed multipart body: a --boundary line must end with CRLF or --"
            }
            MultipartError::NoClosingDelimiter => {
                "Malformed multipart body: the closing --boundary-- delimiter is missing"
            }
            MultipartError::NoParts => "Malformed multipart body: it has no parts",
            MultipartError::UnterminatedHeaders => {
                "Malformed multipart body: a part's headers do not end with an empty line"
            }
            MultipartError::BadPartHeader => {
                "Malformed multipart body: a part header is not 'Name: value' in UTF-8"
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
            MultipartError::BadPartContentType => {
                "Malformed multipart body: a part's Content-Type is not type/subtype"
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
            MultipartError::BadDelimiterLine => {
                "Ugyldigt multipart-indhold: en --boundary-linje skal slutte med CRLF eller --"
            }
            MultipartError::NoClosingDelimiter => {
                "Ugyldigt multipart-indhold: den afsluttende --boundary-- mangler"
            }
            MultipartError::NoParts => "Ugyldigt multipart-indhold: der er ingen dele",
            MultipartError::UnterminatedHeaders => {
                "Ugyldigt multipart-indhold: en dels headere slutter ikke med en tom linje"
            }
            MultipartError::BadPartHeader => {
                "Ugyldigt multipart-indhold: en dels header er ikke 'Navn: værdi' i UTF-8"
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
            MultipartError::BadPartContentType => {
                "Ugyldigt multipart-indhold: en dels Content-Type er ikke type/undertype"
            }
        }
    }
}

/// The boundary of a `multipart/form-data` Content-Type header value.
pub fn boundary(content_type: Option<&str>) -> Result<String, MultipartError> {
    let value = content_type.ok_or(MultipartError::NotFormData)?;
    let (media_type, params) =
        parse_header_value(value).ok_or_else(|| match value.split(';').next() {
            Some(t) if t.trim().eq_ignore_ascii_case("multipart/form-data") => {
                MultipartError::BadContentType
            }
            _ => MultipartError::NotFormData,
        })?;
    if !media_type.eq_ignore_ascii_case("multipart/form-data") {
        return Err(MultipartError::NotFormData);
    }
    let boundary = params
        .into_iter()
        .find(|(name, _)| name == "boundary")
        .map(|(_, v)| v)
        .ok_or(MultipartError::NoBoundary)?;
    // RFC 2046: bchars are DIGIT / ALPHA / '()+_,-./:=? and space, the last not a space.
    let bchar = |b: u8| b.is_ascii_alphanumeric() || b"'()+_,-./:=? ".contains(&b);
    let valid = (1..=70).contains(&boundary.len())
        && boundary.bytes().all(bchar)
        && !boundary.ends_with(' ');
    if valid {
        Ok(boundary)
    } else {
        Err(MultipartError::BadBoundary)
    }
}

/// Parses a whole `multipart/form-data` body, given the request's Content-Type.
pub fn parse<'a>(
    content_type: Option<&str>,
    body: &'a [u8],
) -> Result<Vec<Part<'a>>, MultipartError> {
    let boundary = boundary(content_type)?;
    let dash_boundary = format!("--{boundary}").into_bytes();
    let delimiter = format!("\r\n--{boundary}").into_bytes();

    // The first delimiter opens the body, or ends a preamble (which RFC 2046 lets us ignore).
    let mut at = if body.starts_with(&dash_boundary) {
        dash_boundary.len()
    } else {
        find_delimiter(body, 0, &delimiter)
            .ok_or(MultipartError::NoDelimiter)?
            .1
    };
    let mut parts = Vec::new();
    loop {
        // `at` is just past a boundary: `--` closes, else optional spaces then CRLF.
        let after = &body[at..];
        if after.starts_with(b"--") {
            break;
        }
        let padding = after
            .iter()
            .take_while(|&&b| b == b' ' || b == b'\t')
            .count();
        let rest = &after[padding..];
        if !rest.starts_with(b"\r\n") {
            // A body cut off inside the delimiter line lacks its end; anything else is junk.
            let cut_off = b"--".starts_with(after) || b"\r\n".starts_with(rest);
            return Err(if cut_off {
                MultipartError::NoClosingDelimiter
            } else {
                MultipartError::BadDelimiterLine
            });
        }
        let part_start = at + padding + 2;
        let (headers, data_start) = if body[part_start..].starts_with(b"\r\n") {
            (&body[part_start..part_start], part_start + 2)
        } else {
            let end = find(&body[part_start..], b"\r\n\r\n").ok_or(
                if find_delimiter(body, part_start, &delimiter).is_some() {
                    MultipartError::UnterminatedHeaders
                } else {
                    MultipartError::NoClosingDelimiter
                },
            )?;
            // The header block must not run past the next delimiter.
            if find(&body[part_start - 2..part_start + end + 2], &delimiter).is_some() {
                return Err(MultipartError::UnterminatedHeaders);
            }
            (&body[part_start..part_start + end], part_start + end + 4)
        };
        let (data_end, next) = find_delimiter(body, data_start, &delimiter)
            .ok_or(MultipartError::NoClosingDelimiter)?;
        let mut part = part_headers(headers)?;
        part.data = &body[data_start..data_end];
        parts.push(part);
        at = next;
    }
    if parts.is_empty() {
        return Err(MultipartError::NoParts);
    }
    Ok(parts)
}

/// The first real delimiter (`CRLF--boundary` then `--`, or spaces and CRLF) at or after
/// `from`: its start and the index just past the boundary. A lookalike followed by anything
/// else is data. An occurrence cut off by the end of the body counts (the caller then finds the
/// closing delimiter missing).
fn find_delimiter(body: &[u8], from: usize, delimiter: &[u8]) -> Option<(usize, usize)> {
    let mut i = from;
    while let Some(offset) = body.get(i..)?.iter().position(|&b| b == b'\r') {
        let start = i + offset;
        if body[start..].starts_with(delimiter) {
            let after = start + delimiter.len();
            let rest = &body[after..];
            let padding = rest
                .iter()
                .take_while(|&&b| b == b' ' || b == b'\t')
                .count();
            let tail = &rest[padding..];
            let ends_line = tail.starts_with(b"\r\n") || tail == b"\r";
            if rest.starts_with(b"--") || ends_line || tail.is_empty() || rest == b"-" {
                return Some((start, after));
            }
        }
        i = start + 1;
    }
    None
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// A part's header block (without its final CRLF CRLF): Content-Disposition and Content-Type;
/// other headers are ignored.
fn part_headers(block: &[u8]) -> Result<Part<'static>, MultipartError> {
    let text = std::str::from_utf8(block).map_err(|_| MultipartError::BadPartHeader)?;
    let mut disposition = None;
    let mut content_type = None;
    if !text.is_empty() {
        for line in text.split("\r\n") {
            // Control characters (bare CR or LF included) and obsolete line folding are refused.
            if line.starts_with([' ', '\t']) || line.chars().any(|c| c.is_control() && c != '\t') {
                return Err(MultipartError::BadPartHeader);
            }
            let (name, value) = line.split_once(':').ok_or(MultipartError::BadPartHeader)?;
            if name.is_empty() || !name.bytes().all(is_token_byte) {
                return Err(MultipartError::BadPartHeader);
            }
            let value = value.trim_matches([' ', '\t']);
            // A repeated header is ambiguous: refused.
            let (slot, repeated) = if name.eq_ignore_ascii_case("content-disposition") {
                (&mut disposition, MultipartError::BadContentDisposition)
            } else if name.eq_ignore_ascii_case("content-type") {
                (&mut content_type, MultipartError::BadPartContentType)
            } else {
                continue;
            };
            if slot.replace(value).is_some() {
                return Err(repeated);
            }
        }
    }
    let disposition = disposition.ok_or(MultipartError::NoContentDisposition)?;
    let (kind, params) =
        parse_header_value(disposition).ok_or(MultipartError::BadContentDisposition)?;
    if !kind.eq_ignore_ascii_case("form-data") {
        return Err(MultipartError::BadContentDisposition);
    }
    let param = |wanted: &str| {
        params
            .iter()
            .find(|(name, _)| name == wanted)
            .map(|(_, v)| v.clone())
    };
    let filename = match param("filename*") {
        Some(extended) => Some(decode_extended(&extended)?),
        None => param("filename"),
    };
    let content_type = match content_type {
        None => None,
        Some(ct) => {
            let valid = ct.split(';').next().is_some_and(|media| {
                let media = media.trim();
                media.split_once('/').is_some_and(|(t, s)| {
                    !t.is_empty()
                        && !s.is_empty()
                        && t.bytes().all(is_token_byte)
                        && s.bytes().all(is_token_byte)
                })
            }) && ct
                .bytes()
                .all(|b| b == b' ' || b == b'\t' || b.is_ascii_graphic());
            if !valid {
                return Err(MultipartError::BadPartContentType);
            }
            Some(ct.to_owned())
        }
    };
    Ok(Part {
        name: param("name"),
        filename,
        content_type,
        data: &[],
    })
}

/// RFC 7230 `tchar`.
fn is_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

/// `type; a=1; b="quoted \" value"` -> (`type`, [(`a`, `1`), (`b`, `quoted " value`)]), the
/// parameter names in lower case. `None` for anything malformed, duplicate names included.
fn parse_header_value(value: &str) -> Option<(&str, Vec<(String, String)>)> {
    let (main, mut rest) = value.split_once(';').unwrap_or((value, ""));
    let main = main.trim_matches([' ', '\t']);
    if main.is_empty() || !main.bytes().all(|b| is_token_byte(b) || b == b'/') {
        return None;
    }
    let mut params: Vec<(String, String)> = Vec::new();
    loop {
        rest = rest.trim_start_matches([' ', '\t', ';']);
        if rest.is_empty() {
            break;
        }
        let name_len = rest.bytes().take_while(|&b| is_token_byte(b)).count();
        let name = rest[..name_len].to_ascii_lowercase();
        rest = rest[name_len..].trim_start_matches([' ', '\t']);
        rest = rest.strip_prefix('=')?.trim_start_matches([' ', '\t']);
        if name.is_empty() || params.iter().any(|(n, _)| *n == name) {
            return None;
        }
        let param_value = if let Some(quoted) = rest.strip_prefix('"') {
            let mut out = String::new();
            let mut chars = quoted.char_indices();
            let end = loop {
                match chars.next()? {
                    (i, '"') => break i,
                    (_, '\\') => out.push(chars.next()?.1),
                    (_, c) => out.push(c),
                }
            };
            rest = &quoted[end + 1..];
            out
        } else {
            let len = rest.find([';', ' ', '\t', '"']).unwrap_or(rest.len());
            let token = &rest[..len];
            rest = &rest[len..];
            token.to_owned()
        };
        // After a value: only whitespace, then `;` or the end.
        rest = rest.trim_start_matches([' ', '\t']);
        if !rest.is_empty() && !rest.starts_with(';') {
            return None;
        }
        params.push((name, param_value));
    }
    Some((main, params))
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
    let bytes = percent_decode(encoded).ok_or(bad)?;
    if charset.eq_ignore_ascii_case("utf-8") {
        String::from_utf8(bytes).map_err(|_| bad)
    } else if charset.eq_ignore_ascii_case("iso-8859-1") {
        Ok(bytes.into_iter().map(char::from).collect())
    } else {
        Err(bad)
    }
}

/// `%XX` escapes to bytes (`+` stays `+`); `None` for a broken escape.
fn percent_decode(text: &str) -> Option<Vec<u8>> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                return None;
            }
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    Some(out)
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
                data: b"hello\r\nworld",
            }]
        );
    }

    #[test]
    fn binary_with_nuls_and_fake_boundaries_is_byte_exact() {
        let mut data = vec![0u8, 0, 0xff, b'\r', b'\n', 0, b'\r', b'\r'];
        // Boundary lookalikes that are data: no CRLF before, a longer word, a single dash,
        // junk after it, and a `--XyZ` line not preceded by CRLF.
        data.extend_from_slice(b"--XyZ\r\n\0\r\n--XyZW\r\n\r\n--XyZ-x\r\n--XyZ x\r\n\n--XyZ--\r\n");
        data.extend_from_slice(b"\r\n--XyZ\0\r\n\r\n--Xy\r\n\0");
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
    fn several_parts_preamble_epilogue_quoted_boundary_and_padding() {
        let ct = "Multipart/Form-Data; charset=utf-8; boundary=\"a b:c\"";
        let body = b"preamble\r\n--a b:c  \r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhi\r\n--a b:c\r\ncontent-disposition: FORM-DATA; name=\"file\"; filename=\"x.png\"\r\nX-Other: y\r\n\r\n\r\n--a b:c--\r\nepilogue";
        let parts = parse(Some(ct), body).unwrap();
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0].name.as_deref(), Some("note"));
        assert_eq!(parts[0].data, b"hi");
        assert_eq!(parts[0].filename, None);
        assert_eq!(parts[1].filename.as_deref(), Some("x.png"));
        assert_eq!(parts[1].data, b"", "an empty file");
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
        let body = one_part(
            "Content-Disposition: form-data; name=\"file\"; filename*=UTF-8''%C3",
            b"x",
        );
        assert_eq!(
            parse(Some(CT), &body),
            Err(MultipartError::BadExtendedFilename)
        );
        let body = one_part(
            "Content-Disposition: form-data; name=\"file\"; filename*=UTF-8''%G1",
            b"x",
        );
        assert_eq!(
            parse(Some(CT), &body),
            Err(MultipartError::BadExtendedFilename)
        );
    }

    #[test]
    fn quoted_filename_escapes() {
        let body = one_part(
            r#"Content-Disposition: form-data; name="file"; filename="a \"b\"; c.txt""#,
            b"x",
        );
        assert_eq!(
            parse(Some(CT), &body).unwrap()[0].filename.as_deref(),
            Some("a \"b\"; c.txt")
        );
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
            parse(Some("multipart/form-data; boundary="), &body),
            Err(MultipartError::BadBoundary)
        );
        assert_eq!(
            parse(Some("multipart/form-data; boundary=\"unterminated"), &body),
            Err(MultipartError::BadContentType)
        );
        let long = format!("multipart/form-data; boundary={}", "a".repeat(71));
        assert_eq!(parse(Some(&long), &body), Err(MultipartError::BadBoundary));
        assert_eq!(
            parse(Some("multipart/form-data; boundary=a; boundary=b"), &body),
            Err(MultipartError::BadContentType)
        );
    }

    #[test]
    fn body_errors() {
        let cases: &[(&[u8], MultipartError)] = &[
            (b"", MultipartError::NoDelimiter),
            (b"no delimiter at all", MultipartError::NoDelimiter),
            (b"--XyZ--\r\n", MultipartError::NoParts),
            (b"--XyZ", MultipartError::NoClosingDelimiter),
            (b"--XyZjunk\r\n", MultipartError::BadDelimiterLine),
            (
                b"--XyZ\r\nContent-Disposition: form-data; name=file\r\n\r\ndata",
                MultipartError::NoClosingDelimiter,
            ),
            (
                b"--XyZ\r\nContent-Disposition: form-data; name=file\r\n\r\ndata\r\n--XyZ",
                MultipartError::NoClosingDelimiter,
            ),
            (
                b"--XyZ\r\nContent-Disposition: form-data; name=file\r\n\r\ndata\r\n--XyZ\r\n",
                MultipartError::NoClosingDelimiter,
            ),
            (
                b"--XyZ\r\nContent-Disposition: form-data; name=file\r\n--XyZ--\r\n",
                MultipartError::UnterminatedHeaders,
            ),
            (
                b"--XyZ\r\nno colon\r\n\r\nx\r\n--XyZ--",
                MultipartError::BadPartHeader,
            ),
            (
                b"--XyZ\r\nContent-Disposition: form-data;\n name=file\r\n\r\nx\r\n--XyZ--",
                MultipartError::BadPartHeader,
            ),
            (
                b"--XyZ\r\nContent-Type: text/plain\r\n\r\nx\r\n--XyZ--",
                MultipartError::NoContentDisposition,
            ),
            (
                b"--XyZ\r\nContent-Disposition: form-data; name=a\r\n--XyZ\r\nContent-Disposition: form-data; name=b\r\n\r\nx\r\n--XyZ--",
                MultipartError::UnterminatedHeaders,
            ),
            (
                b"--XyZ\r\nContent-Disposition: form-data; name=a\r\nContent-Disposition: form-data; name=b\r\n\r\nx\r\n--XyZ--",
                MultipartError::BadContentDisposition,
            ),
            (b"--XyZ-", MultipartError::NoClosingDelimiter),
            (b"--XyZ \r", MultipartError::NoClosingDelimiter),
            (b"--XyZ\r\n\r\nx\r\n--XyZ--", MultipartError::NoContentDisposition),
            (
                b"--XyZ\r\nContent-Disposition: attachment; name=file\r\n\r\nx\r\n--XyZ--",
                MultipartError::BadContentDisposition,
            ),
            (
                b"--XyZ\r\nContent-Disposition: form-data; name=\"file\r\n\r\nx\r\n--XyZ--",
                MultipartError::BadContentDisposition,
            ),
            (
                b"--XyZ\r\nContent-Disposition: form-data; name=file\r\nContent-Type: nonsense\r\n\r\nx\r\n--XyZ--",
                MultipartError::BadPartContentType,
            ),
            (
                b"--XyZ\r\nContent-Disposition: form-data; name=\xff\r\n\r\nx\r\n--XyZ--",
                MultipartError::BadPartHeader,
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
    fn never_panics_on_prefixes_of_a_valid_body() {
        let body = one_part(
            "Content-Disposition: form-data; name=\"file\"; filename*=UTF-8''%C3%A6.txt\r\nContent-Type: text/plain",
            b"\r\n--XyZ\r",
        );
        for end in 0..body.len() {
            let _ = parse(Some(CT), &body[..end]);
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
