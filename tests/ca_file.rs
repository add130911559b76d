//! The `ca_file` option names a file the library reads twice: when the option is set (to say
//! early that it holds no certificate) and when a client is made. Neither read may trust what
//! is at the path: a FIFO must not block the caller (a PHP worker would hang), a device such as
//! /dev/zero must not be read until memory runs out, and a huge file is refused.

mod common;
use common::*;
use dinero::ffi::status::*;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

/// The library's cap on a CA bundle (`files::MAX_CA_FILE_BYTES`).
const MAX_CA_FILE_BYTES: usize = 1024 * 1024;

/// A folder of its own for each test.
fn folder(name: &str) -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix(&format!("ca-file-{name}-"))
        .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
        .unwrap()
}

fn mkfifo(path: &Path) {
    let c_path = cstr(path.to_str().unwrap());
    // SAFETY: a valid NUL-terminated path; mkfifo only creates a file.
    assert_eq!(unsafe { libc::mkfifo(c_path.as_ptr(), 0o600) }, 0);
}

/// A PEM file with a real certificate (the TLS sandbox's CA).
fn write_ca(sb: &Sandbox, path: &Path) {
    std::fs::write(path, sb.ca_pem().expect("a TLS sandbox has a CA")).unwrap();
}

/// Runs `call` on its own thread and fails the test if it has not returned within 10 s: a
/// generous catcher of a hang, not a timing requirement.
fn without_hanging<T: Send + 'static>(what: &str, call: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(call());
    });
    match rx.recv_timeout(Duration::from_secs(10)) {
        Ok(result) => result,
        Err(_) => panic!("{what} did not return within 10 s: it hangs"),
    }
}

/// Sets `ca_file` (after the sandbox's other options) and returns the failure.
fn set_fails(sb: &Sandbox, path: &Path) -> Failed {
    let mut pairs = fast_options(sb);
    pairs.push(("ca_file".into(), path.display().to_string()));
    let what = format!("setting ca_file to {}", path.display());
    without_hanging(&what, move || Options::new(&pairs).err())
        .expect("the option is refused when set")
}

/// Sets `ca_file` to a good CA file, lets `swap` replace what is at its path, then
/// authenticates: the second read, when the client is made, is as careful as the first.
fn authenticate_after_swap(
    sb: &Sandbox,
    path: &Path,
    swap: impl FnOnce(&Path) + Send + 'static,
) -> Result<(), Failed> {
    write_ca(sb, path);
    let mut pairs = fast_options(sb);
    pairs.push(("ca_file".into(), path.display().to_string()));
    let c = sb.config();
    let path = path.to_path_buf();
    without_hanging("dinero_authenticate", move || {
        let options = Options::new(&pairs).expect("a good CA file is accepted");
        swap(&path);
        Client::with_options(&c, &options).map(drop)
    })
}

fn assert_refused(err: &Failed, path: &Path, why: &str) {
    // Like any other refused option value, and like a missing file.
    assert_eq!(
        err.status, DINERO_STATUS_INVALID_ARGUMENT,
        "{}",
        err.message
    );
    assert!(err.message.contains("ca_file"), "{}", err.message);
    let named = format!("{}: {why}", path.display());
    assert!(err.message.contains(&named), "{}", err.message);
}

fn tls_sandbox() -> Sandbox {
    sandbox_with(|c| c.tls = true)
}

#[test]
fn a_fifo_is_refused_at_once_when_set() {
    let sb = sandbox();
    let dir = folder("fifo-set");
    let fifo = dir.path().join("ca.pem");
    mkfifo(&fifo);
    let err = set_fails(&sb, &fifo);
    assert_refused(&err, &fifo, "not a regular file");
}

#[test]
fn a_fifo_put_in_place_after_the_option_was_set_is_refused_at_authenticate() {
    let sb = tls_sandbox();
    let dir = folder("fifo-swap");
    let path = dir.path().join("ca.pem");
    let err = authenticate_after_swap(&sb, &path, |path| {
        std::fs::remove_file(path).unwrap();
        mkfifo(path);
    })
    .expect_err("a FIFO is no CA file");
    assert_refused(&err, &path, "not a regular file");
    assert_eq!(stat(&sb, "token_requests"), 0, "nothing was sent");
}

#[test]
fn dev_zero_is_refused_as_not_a_regular_file() {
    let sb = sandbox();
    let err = set_fails(&sb, Path::new("/dev/zero"));
    assert_refused(&err, Path::new("/dev/zero"), "not a regular file");
}

#[test]
fn a_file_over_the_cap_is_refused_even_when_it_starts_with_a_certificate() {
    let sb = tls_sandbox();
    let dir = folder("oversize");
    let big = dir.path().join("big.pem");
    let mut bytes = sb.ca_pem().unwrap().as_bytes().to_vec();
    bytes.resize(MAX_CA_FILE_BYTES + 1, b'\n');
    std::fs::write(&big, &bytes).unwrap();
    let err = set_fails(&sb, &big);
    let why = format!("larger than {MAX_CA_FILE_BYTES} bytes");
    assert_refused(&err, &big, &why);
    assert!(
        !err.message.contains("BEGIN"),
        "no content: {}",
        err.message
    );

    // Grown after the option was set: refused when the client is made.
    let path = dir.path().join("grows.pem");
    let err = authenticate_after_swap(&sb, &path, move |path| {
        std::fs::write(path, &bytes).unwrap();
    })
    .expect_err("an oversize file is refused");
    assert_refused(&err, &path, &why);
}

#[test]
fn a_file_at_the_cap_with_a_certificate_is_trusted() {
    let sb = tls_sandbox();
    let dir = folder("at-cap");
    let path: PathBuf = dir.path().join("ca.pem");
    let mut bytes = sb.ca_pem().unwrap().as_bytes().to_vec();
    bytes.resize(MAX_CA_FILE_BYTES, b'\n');
    std::fs::write(&path, &bytes).unwrap();
    let client = Client::to_with(&sb, &[("ca_file", path.to_str().unwrap())]).unwrap();
    assert_eq!(client.get("/v1/organizations").status, 200);
}

#[test]
fn a_valid_ca_file_still_works_and_a_missing_one_is_an_invalid_argument() {
    let sb = tls_sandbox();
    let dir = folder("valid");
    let path = dir.path().join("ca.pem");
    write_ca(&sb, &path);
    let client = Client::to_with(&sb, &[("ca_file", path.to_str().unwrap())]).unwrap();
    assert_eq!(client.get("/v1/organizations").status, 200);

    let missing = dir.path().join("missing.pem");
    let err = set_fails(&sb, &missing);
    assert_eq!(
        err.status, DINERO_STATUS_INVALID_ARGUMENT,
        "{}",
        err.message
    );
    assert!(err.message.contains("missing.pem"), "{}", err.message);
}
