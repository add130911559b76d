//! `/v1/{org}/files`: multipart upload, list, byte-exact download, the 6 MB limit, and Dinero's
//! timing: an upload is listed only once attached to a voucher and readable only after a delay.

use std::time::{Duration, Instant};

use dinero_sandbox::Config;
use serde_json::{json, Value};

use crate::client::*;

/// A sandbox that lists every upload and serves it at once: the tests of the archive's list and
/// download mechanics opt into it; Dinero's own timing has its tests below.
fn start_instant_archive() -> dinero_sandbox::Sandbox {
    start(Config {
        list_unattached_files: true,
        file_ready_delay: Duration::ZERO,
        ..Config::default()
    })
}

const BOUNDARY: &str = "----sandboxTestBoundary7MA4YWxkTrZu0gW";

/// One multipart/form-data body: `(Content-Disposition parameters, Content-Type, data)` each.
fn multipart(parts: &[(&str, Option<&str>, &[u8])]) -> Vec<u8> {
    let mut body = Vec::new();
    for (disposition, content_type, data) in parts {
        body.extend_from_slice(
            format!("--{BOUNDARY}\r\nContent-Disposition: form-data; {disposition}\r\n").as_bytes(),
        );
        if let Some(ct) = content_type {
            body.extend_from_slice(format!("Content-Type: {ct}\r\n").as_bytes());
        }
        body.extend_from_slice(b"\r\n");
        body.extend_from_slice(data);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    body
}

fn post_raw(sb: &dinero_sandbox::Sandbox, t: &str, content_type: &str, body: &[u8]) -> Resp {
    let auth = format!("Bearer {t}");
    Conn::open(sb)
        .send(
            "POST",
            &org_path("files"),
            &[("Authorization", &auth), ("Content-Type", content_type)],
            body,
        )
        .expect("upload")
}

fn upload(sb: &dinero_sandbox::Sandbox, t: &str, body: &[u8]) -> Resp {
    post_raw(
        sb,
        t,
        &format!("multipart/form-data; boundary={BOUNDARY}"),
        body,
    )
}

/// Uploads one file in a part named "file"; returns its guid.
fn upload_file(
    sb: &dinero_sandbox::Sandbox,
    t: &str,
    name: &str,
    content_type: &str,
    data: &[u8],
) -> String {
    let disposition = format!("name=\"file\"; filename=\"{name}\"");
    let resp = upload(
        sb,
        t,
        &multipart(&[(&disposition, Some(content_type), data)]),
    );
    assert_eq!(resp.status, 200, "{}", String::from_utf8_lossy(&resp.body));
    let body = resp.json();
    let guid = body["FileGuid"].as_str().expect("FileGuid").to_owned();
    assert_eq!(body, json!({"FileGuid": guid, "OrganizationId": ORG}));
    assert_eq!(guid.len(), 36);
    guid
}

fn download(sb: &dinero_sandbox::Sandbox, t: &str, guid: &str, accept: Option<&str>) -> Resp {
    let auth = format!("Bearer {t}");
    let mut headers = vec![("Authorization", auth.as_str())];
    if let Some(accept) = accept {
        headers.push(("Accept", accept));
    }
    Conn::open(sb)
        .send("GET", &org_path(&format!("files/{guid}")), &headers, b"")
        .expect("download")
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// A valid 1x1 RGBA PNG: signature, IHDR, IDAT (zlib with one stored block), IEND.
fn tiny_png() -> Vec<u8> {
    fn chunk(png: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
        png.extend_from_slice(&(data.len() as u32).to_be_bytes());
        let mut typed = kind.to_vec();
        typed.extend_from_slice(data);
        png.extend_from_slice(&typed);
        png.extend_from_slice(&crc32(&typed).to_be_bytes());
    }
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&1u32.to_be_bytes());
    ihdr.extend_from_slice(&1u32.to_be_bytes());
    ihdr.extend_from_slice(&[8, 6, 0, 0, 0]);
    chunk(&mut png, b"IHDR", &ihdr);
    let raw = [0u8, 0xE6, 0x00, 0x0D, 0xFF]; // filter 0, then one reddish pixel
    let (mut a, mut b) = (1u32, 0u32);
    for &x in &raw {
        a = (a + u32::from(x)) % 65521;
        b = (b + a) % 65521;
    }
    let mut zlib = vec![0x78, 0x01, 0x01, 5, 0, !5u8, 0xFF];
    zlib.extend_from_slice(&raw);
    zlib.extend_from_slice(&((b << 16) | a).to_be_bytes());
    chunk(&mut png, b"IDAT", &zlib);
    chunk(&mut png, b"IEND", b"");
    png
}

/// A small PDF whose stream holds NULs, CRLFs and lines that look like the boundary (without
/// the CRLF before it that would make them a delimiter, which RFC 2046 forbids inside a part).
fn pdf_with_nuls() -> Vec<u8> {
    let mut stream = b"\0\0\0\r\n\0\xff\xfe".to_vec();
    stream.extend_from_slice(format!("\n--{BOUNDARY}x\r\n\0--{BOUNDARY}--\0").as_bytes());
    let mut pdf = b"%PDF-1.4\n%\xE2\xE3\xCF\xD3\n1 0 obj\n".to_vec();
    pdf.extend_from_slice(format!("<< /Length {} >>\nstream\n", stream.len()).as_bytes());
    pdf.extend_from_slice(&stream);
    pdf.extend_from_slice(b"\nendstream\nendobj\n%%EOF\r\n");
    pdf
}

#[test]
fn round_trip_is_byte_exact_and_listed() {
    let sb = start_instant_archive();
    let t = token(&sb);
    let text = "Hej Børge\r\nlinje 2\n\tslut".as_bytes();
    let png = tiny_png();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    let pdf = pdf_with_nuls();
    assert!(pdf.contains(&0));
    let files: [(&str, &str, &[u8]); 3] = [
        ("noter.txt", "text/plain; charset=utf-8", text),
        ("logo.png", "image/png", &png),
        ("faktura.pdf", "application/pdf", &pdf),
    ];
    let mut guids = Vec::new();
    for (name, ct, data) in files {
        let guid = upload_file(&sb, &t, name, ct, data);
        let resp = download(&sb, &t, &guid, None);
        assert_eq!(resp.status, 200);
        assert_eq!(resp.body, data, "{name} byte-exact");
        assert_eq!(resp.header("content-type"), Some(ct));
        assert_eq!(
            resp.header("content-disposition"),
            Some(format!("attachment; filename=\"{name}\"").as_str())
        );
        guids.push(guid);
    }
    // The bytes whatever the client accepts, and the guid in any case.
    let resp = download(&sb, &t, &guids[2].to_uppercase(), Some("application/json"));
    assert_eq!(resp.status, 200);
    assert_eq!(resp.body, pdf);
    assert_eq!(resp.header("content-type"), Some("application/pdf"));

    let list = get(&sb, &t, &org_path("files"));
    assert_eq!(list.status, 200);
    let list = list.json();
    let collection = list["Collection"].as_array().unwrap();
    assert_eq!(collection.len(), 3);
    for (entry, ((name, ct, data), guid)) in collection.iter().zip(files.iter().zip(&guids)) {
        assert_eq!(entry["FileGuid"], *guid);
        assert_eq!(entry["FileName"], *name);
        assert_eq!(entry["ContentType"], *ct);
        assert_eq!(entry["Size"], data.len());
        let created = entry["CreatedAt"].as_str().unwrap();
        assert_eq!(created.len(), "2017-05-19T14:14:47".len(), "{created}");
        assert_eq!(entry.as_object().unwrap().len(), 5);
    }
    assert_eq!(
        list["Pagination"],
        json!({"MaxPageSizeAllowed": 1000, "PageSize": 100, "Result": 3, "ResultWithoutFilter": 3, "Page": 0})
    );
    let page = get(&sb, &t, &org_path("files?page=1&pageSize=2")).json();
    assert_eq!(page["Collection"].as_array().unwrap().len(), 1);
    assert_eq!(page["Collection"][0]["FileGuid"], guids[2]);
    assert_eq!(
        get(&sb, &t, &org_path("files?pageSize=0")).json()["code"],
        42
    );

    let routes = &sb.stats()["routes"];
    assert_eq!(routes["POST /v1/{org}/files"], 3);
    assert_eq!(routes["GET /v1/{org}/files/{guid}"], 4);
    assert_eq!(
        routes["GET /v1/{org}/files"], 3,
        "the query is not part of the key"
    );
}

#[test]
fn file_part_choice_default_type_and_extended_filename() {
    let sb = start_instant_archive();
    let t = token(&sb);
    // No part named "file": the first part with a filename; no Content-Type: octet-stream.
    let body = multipart(&[
        ("name=\"note\"", None, b"not the file"),
        (
            "name=\"attachment\"; filename=\"fallback.txt\"; filename*=UTF-8''%C3%86bler%20%26%20p%C3%A6rer.bin",
            None,
            b"\x00\x01",
        ),
        ("name=\"later\"; filename=\"later.txt\"", None, b"later"),
    ]);
    let resp = upload(&sb, &t, &body);
    assert_eq!(resp.status, 200, "{}", resp.text());
    let guid = resp.json()["FileGuid"].as_str().unwrap().to_owned();
    let resp = download(&sb, &t, &guid, None);
    assert_eq!(resp.body, b"\x00\x01");
    assert_eq!(
        resp.header("content-type"),
        Some("application/octet-stream")
    );
    assert_eq!(
        resp.header("content-disposition"),
        Some("attachment; filename=\"_bler & p_rer.bin\"; filename*=UTF-8''%C3%86bler%20&%20p%C3%A6rer.bin")
    );
    let list = get(&sb, &t, &org_path("files")).json();
    assert_eq!(list["Collection"][0]["FileName"], "Æbler & pærer.bin");

    // A part named "file" wins over an earlier part with a filename.
    let body = multipart(&[
        ("name=\"other\"; filename=\"other.txt\"", None, b"other"),
        (
            "name=\"file\"; filename=\"real.txt\"",
            Some("text/plain"),
            b"real",
        ),
    ]);
    let guid = upload(&sb, &t, &body).json()["FileGuid"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(download(&sb, &t, &guid, None).body, b"real");
}

#[test]
fn the_other_reading_of_six_mb_is_a_switch_away() {
    // Dinero's "6 MB" may be 6,000,000 bytes: max_upload_bytes plays that.
    let sb = start(Config {
        max_upload_bytes: 6_000_000,
        file_ready_delay: Duration::ZERO,
        ..Config::default()
    });
    let t = token(&sb);
    let at_limit = vec![b'x'; 6_000_000];
    upload_file(&sb, &t, "ok.bin", "application/octet-stream", &at_limit);
    let over = vec![b'x'; 6_000_001];
    let body = multipart(&[(
        "name=\"file\"; filename=\"over.bin\"",
        Some("application/octet-stream"),
        &over,
    )]);
    let resp = upload(&sb, &t, &body);
    assert_eq!(resp.status, 413);
    assert_eq!(resp.json()["code"], 43);
}

#[test]
fn six_mb_passes_one_byte_more_is_413() {
    let sb = start_instant_archive();
    let t = token(&sb);
    const LIMIT: usize = 6 * 1024 * 1024;
    assert_eq!(LIMIT, 6_291_456);
    let mut data = vec![b'x'; LIMIT];
    data[0] = 0;
    data[LIMIT - 1] = b'\r';
    let guid = upload_file(&sb, &t, "big.bin", "application/octet-stream", &data);
    let resp = download(&sb, &t, &guid, None);
    assert_eq!(resp.body.len(), LIMIT);
    assert!(resp.body == data);

    data.push(b'\n');
    let body = multipart(&[(
        "name=\"file\"; filename=\"too-big.bin\"",
        Some("application/octet-stream"),
        &data,
    )]);
    let resp = upload(&sb, &t, &body);
    assert_eq!(resp.status, 413);
    assert_eq!(
        resp.header("content-type"),
        Some("application/json; charset=utf-8")
    );
    let error = resp.json();
    assert_eq!(error["code"], 43);
    assert_eq!(error["message"], "File too large, max 6 MB");
    assert!(error["validationErrors"].is_object());
    let list = get(&sb, &t, &org_path("files")).json();
    assert_eq!(list["Collection"].as_array().unwrap().len(), 1);
    assert_eq!(list["Collection"][0]["Size"], LIMIT);
}

#[test]
fn malformed_multipart_is_400_code_42() {
    let sb = start_instant_archive();
    let t = token(&sb);
    let good = multipart(&[("name=\"file\"; filename=\"a.txt\"", None, b"a")]);
    let with_boundary = format!("multipart/form-data; boundary={BOUNDARY}");
    let cut = &good[..good.len() - 10];
    let cases: [(&str, &[u8], &str); 6] = [
        ("multipart/form-data", &good, "boundary"),
        ("application/json", b"{}", "multipart/form-data"),
        (&with_boundary, cut, "closing"),
        (&with_boundary, b"just some bytes", "--boundary"),
        (
            "multipart/form-data; boundary=\"other\"",
            &good,
            "--boundary",
        ),
        (
            &with_boundary,
            &multipart(&[("name=\"note\"", None, b"no file here")]),
            "no part named \"file\"",
        ),
    ];
    for (content_type, body, needle) in cases {
        let resp = post_raw(&sb, &t, content_type, body);
        assert_eq!(resp.status, 400, "{content_type}: {}", resp.text());
        let error = resp.json();
        assert_eq!(error["code"], 42);
        assert_eq!(error["message"], "Validation error");
        let detail = error["validationErrors"]
            .as_object()
            .unwrap()
            .values()
            .next()
            .unwrap()
            .as_str()
            .unwrap()
            .to_owned();
        assert!(detail.contains(needle), "{content_type}: {detail}");
        assert!(error["languageSpecificMessages"][0]["message"].is_string());
    }
    assert_eq!(
        get(&sb, &t, &org_path("files")).json()["Collection"],
        json!([])
    );
}

#[test]
fn unknown_guid_404_and_the_usual_rules() {
    let sb = start_default();
    let t = token(&sb);
    for guid in ["0b4f6fd6-5d49-4c2c-9a3e-6a7f1e2d3c4b", "not-a-guid"] {
        let resp = download(&sb, &t, guid, None);
        assert_eq!(resp.status, 404);
        let error: Value = resp.json();
        assert_eq!(error["code"], 40);
        assert_eq!(error["message"], "Not found");
        assert_eq!(error["validationErrors"]["message"], "File not found");
    }
    assert_eq!(get(&sb, &t, "/v1/1/files").status, 403);
    assert_eq!(get(&sb, "garbage", &org_path("files")).status, 401);
    let resp = api(&sb, &t, "DELETE", &org_path("files"), None);
    assert_eq!(resp.status, 405);
    assert_eq!(resp.header("allow"), Some("GET, POST"));
    let resp = api(
        &sb,
        &t,
        "PUT",
        &org_path("files/0b4f6fd6-5d49-4c2c-9a3e-6a7f1e2d3c4b"),
        None,
    );
    assert_eq!(resp.status, 405);
    assert_eq!(resp.header("allow"), Some("GET"));
    assert_eq!(get(&sb, &t, &format!("/v1.2/{ORG}/files")).status, 404);
}

/// Dinero's 404 for a file it does not have (the same whatever the guid).
fn missing_file_404(sb: &dinero_sandbox::Sandbox, t: &str) -> Value {
    let resp = download(sb, t, "0b4f6fd6-5d49-4c2c-9a3e-6a7f1e2d3c4b", None);
    assert_eq!(resp.status, 404);
    resp.json()
}

#[test]
fn by_default_an_upload_is_unlisted_and_readable_only_after_about_a_second() {
    let sb = start_default();
    let t = token(&sb);
    let before_upload = Instant::now();
    let guid = upload_file(&sb, &t, "kvittering.txt", "text/plain", b"kaffe 25,00 kr");

    let resp = download(&sb, &t, &guid, None);
    assert_eq!(resp.status, 404, "readable at once: {}", resp.text());
    assert_eq!(
        resp.json(),
        missing_file_404(&sb, &t),
        "the 404 of a missing file"
    );
    let list = get(&sb, &t, &org_path("files")).json();
    assert_eq!(list["Collection"], json!([]), "listed before any voucher");
    assert_eq!(list["Pagination"]["Result"], 0);
    assert_eq!(list["Pagination"]["ResultWithoutFilter"], 0);

    // Poll, with a bound, until it is readable; never before the second has passed.
    let deadline = before_upload + Duration::from_secs(10);
    let resp = loop {
        let resp = download(&sb, &t, &guid, None);
        if resp.status != 404 || Instant::now() > deadline {
            break resp;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(resp.status, 200, "{}", resp.text());
    assert_eq!(resp.body, b"kaffe 25,00 kr");
    assert!(
        before_upload.elapsed() >= Duration::from_secs(1),
        "readable after {:?}",
        before_upload.elapsed()
    );
    // Readable is not attached: still not listed.
    assert_eq!(
        get(&sb, &t, &org_path("files")).json()["Collection"],
        json!([])
    );
}

#[test]
fn the_file_switches_are_read_at_each_request() {
    // A delay no test run reaches, so the first download is a 404 however slow the machine.
    let sb = start(Config {
        file_ready_delay: Duration::from_secs(3600),
        ..Config::default()
    });
    let t = token(&sb);
    let guid = upload_file(&sb, &t, "bilag.pdf", "application/pdf", b"%PDF-1.4\n");
    assert_eq!(download(&sb, &t, &guid, None).status, 404);
    assert_eq!(
        get(&sb, &t, &org_path("files")).json()["Collection"],
        json!([])
    );
    assert_eq!(
        sb.config().file_ready_delay,
        Duration::from_secs(3600),
        "the start-up value"
    );

    sb.configure(json!({"file_ready_delay_ms": 0, "list_unattached_files": true}))
        .unwrap();
    let resp = download(&sb, &t, &guid, None);
    assert_eq!(resp.status, 200, "{}", resp.text());
    assert_eq!(resp.body, b"%PDF-1.4\n");
    let list = get(&sb, &t, &org_path("files")).json();
    assert_eq!(list["Collection"][0]["FileGuid"], guid);
    assert_eq!(list["Pagination"]["Result"], 1);

    sb.configure(json!({"file_ready_delay_ms": 3_600_000, "list_unattached_files": false}))
        .unwrap();
    assert_eq!(download(&sb, &t, &guid, None).status, 404);
    assert_eq!(
        get(&sb, &t, &org_path("files")).json()["Collection"],
        json!([])
    );
    let config = sb.config();
    assert!(!config.list_unattached_files);
    assert_eq!(config.file_ready_delay, Duration::from_secs(3600));
}

#[test]
fn with_no_delay_an_upload_is_readable_at_once_yet_unlisted() {
    let sb = start(Config {
        file_ready_delay: Duration::ZERO,
        ..Config::default()
    });
    let t = token(&sb);
    let guid = upload_file(&sb, &t, "a.txt", "text/plain", b"a");
    let resp = download(&sb, &t, &guid, None);
    assert_eq!(resp.status, 200);
    assert_eq!(resp.body, b"a");
    assert_eq!(
        get(&sb, &t, &org_path("files")).json()["Collection"],
        json!([])
    );
}
