//! C programs compiled with -Wall -Wextra -Werror against include/dinero.h and the freshly
//! built libdinero.so, run against the sandbox, and run again under valgrind (no errors,
//! nothing definitely lost). Also: the committed header is what cbindgen generates now, and
//! it compiles cleanly as C99 and as C++.

mod common;
use common::*;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// target/<profile>/, where cargo put libdinero.so for this test run.
fn library_dir() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let dir = exe.parent().unwrap().parent().unwrap().to_path_buf();
    assert!(
        dir.join("libdinero.so").exists(),
        "no libdinero.so in {}",
        dir.display()
    );
    // Programs record the SONAME (libdinero.so.0) and look for that name at run time.
    // Tests run in parallel: whoever comes first makes the link, the others find it.
    match std::os::unix::fs::symlink("libdinero.so", dir.join("libdinero.so.0")) {
        Err(e) if e.kind() != std::io::ErrorKind::AlreadyExists => panic!("symlink: {e}"),
        _ => dir,
    }
}

fn compile(source: &Path, compiler: &str, std: &str, extra: &[&str]) -> PathBuf {
    let lib = library_dir();
    // Tests run in parallel and may compile the same source: each gets its own binary.
    static BUILDS: AtomicUsize = AtomicUsize::new(0);
    let n = BUILDS.fetch_add(1, Ordering::Relaxed);
    let stem = source.file_stem().unwrap().to_string_lossy();
    let out = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("{stem}-{n}.{compiler}"));
    let mut cmd = Command::new(compiler);
    cmd.arg(format!("-std={std}"))
        .args(["-Wall", "-Wextra", "-Werror", "-pedantic", "-g"])
        .arg("-I")
        .arg(repo().join("include"))
        .arg(source)
        .arg("-o")
        .arg(&out)
        .arg(format!("-L{}", lib.display()))
        .arg("-ldinero")
        .arg(format!("-Wl,-rpath,{}", lib.display()))
        .args(extra);
    let result = cmd.output().expect("the C compiler runs");
    assert!(
        result.status.success(),
        "{compiler} failed on {}:\n{}",
        source.display(),
        String::from_utf8_lossy(&result.stderr)
    );
    out
}

fn sandbox_env(sb: &Sandbox) -> Vec<(String, String)> {
    let c = sb.config();
    vec![
        ("DINERO_CLIENT_ID".into(), c.client_id.clone()),
        ("DINERO_CLIENT_SECRET".into(), c.client_secret.clone()),
        ("DINERO_API_KEY".into(), c.api_key.clone()),
        (
            "DINERO_ORGANIZATION_ID".into(),
            c.organization_id.to_string(),
        ),
        ("DINERO_AUTH_URL".into(), sb.auth_url()),
        ("DINERO_API_URL".into(), sb.url()),
    ]
}

fn run(program: &Path, sb: &Sandbox, under_valgrind: bool) -> Output {
    run_with_args(program, &[], sb, under_valgrind)
}

fn run_with_args(program: &Path, args: &[&Path], sb: &Sandbox, under_valgrind: bool) -> Output {
    let mut cmd = if under_valgrind {
        let mut v = Command::new("valgrind");
        v.args([
            "--quiet",
            "--error-exitcode=99",
            "--leak-check=full",
            "--errors-for-leak-kinds=definite",
            "--show-leak-kinds=definite",
        ])
        .arg(program);
        v
    } else {
        Command::new(program)
    };
    cmd.args(args)
        .envs(sandbox_env(sb))
        .output()
        .expect("the program runs")
}

fn assert_clean_run(output: &Output, what: &str, sb: &Sandbox) {
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "{what} exited with {:?}\nstdout:\n{stdout}\nstderr:\n{stderr}",
        output.status.code()
    );
    let c = sb.config();
    for secret in [&c.client_secret, &c.api_key] {
        assert!(
            !stdout.contains(secret.as_str()) && !stderr.contains(secret.as_str()),
            "{what} printed a secret"
        );
    }
}

/// A sandbox whose secrets are distinctive enough to search the output for (the docs' own
/// secret, "dinero", is part of the library's name).
fn sandbox_for_programs() -> Sandbox {
    sandbox_with(|c| {
        c.client_secret = "sandbox-secret-4e7a1c".into();
        // Hundreds of requests in seconds: the per-minute limit is tested elsewhere.
        c.rate_limit = 0;
    })
}

fn valgrind_available() -> bool {
    let found = Command::new("valgrind").arg("--version").output().is_ok();
    // `make test` installs valgrind; a missing one is a broken setup, not a reason to skip.
    assert!(found, "valgrind is required (make test installs it)");
    found
}

#[test]
fn the_c_example_runs_against_the_sandbox() {
    let sb = sandbox_for_programs();
    let program = compile(
        &repo().join("examples/c/personal_integration.c"),
        "cc",
        "c99",
        &[],
    );
    let output = run(&program, &sb, false);
    assert_clean_run(&output, "personal_integration", &sb);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("Børge Lund"), "{stdout}");
    assert!(stdout.contains("201"), "{stdout}");
    assert_eq!(
        route_count(&sb, "POST /v1/{org}/contacts"),
        2,
        "one created, one invalid"
    );
    assert_eq!(stat(&sb, "token_requests"), 1);
}

#[test]
fn the_files_example_uploads_and_saves_an_invoice_pdf_cleanly_under_valgrind() {
    valgrind_available();
    let sb = sandbox_for_programs();
    let program = compile(&repo().join("examples/c/files.c"), "cc", "c99", &[]);
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let receipt = dir.join("receipt.png");
    std::fs::write(&receipt, b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR fake image").unwrap();
    let pdf = dir.join("files-example-invoice.pdf");
    let output = run_with_args(&program, &[&receipt, &pdf], &sb, true);
    assert_clean_run(&output, "files example under valgrind", &sb);
    assert_eq!(route_count(&sb, "POST /v1/{org}/files"), 1);
    let saved = std::fs::read(&pdf).unwrap();
    assert!(saved.starts_with(b"%PDF-"), "a PDF was saved");
}

#[test]
fn the_c_example_is_clean_under_valgrind() {
    valgrind_available();
    let sb = sandbox_for_programs();
    let program = compile(
        &repo().join("examples/c/personal_integration.c"),
        "cc",
        "c99",
        &[],
    );
    assert_clean_run(
        &run(&program, &sb, true),
        "personal_integration under valgrind",
        &sb,
    );
}

#[test]
fn the_contract_holds_from_c_with_threads_and_under_valgrind() {
    valgrind_available();
    let sb = sandbox_for_programs();
    let program = compile(
        &repo().join("tests/c/contract.c"),
        "cc",
        "c99",
        &["-pthread"],
    );
    assert_clean_run(&run(&program, &sb, false), "contract", &sb);
    assert_clean_run(&run(&program, &sb, true), "contract under valgrind", &sb);
}

#[test]
fn a_client_freed_by_a_thread_exit_destructor_is_no_crash() {
    let sb = sandbox_for_programs();
    let program = compile(
        &repo().join("tests/c/thread_exit.c"),
        "cc",
        "c99",
        &["-pthread"],
    );
    assert_clean_run(&run(&program, &sb, false), "thread_exit", &sb);
}

#[test]
fn the_committed_header_is_what_cbindgen_generates() {
    let generated = std::fs::read_to_string(concat!(env!("OUT_DIR"), "/dinero.h")).unwrap();
    let committed = std::fs::read_to_string(repo().join("include/dinero.h")).unwrap();
    assert!(
        generated == committed,
        "include/dinero.h is stale: run `make header` and commit it"
    );
}

#[test]
fn the_header_compiles_as_c99_and_as_cpp() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let source = dir.join("header_only.c");
    std::fs::write(
        &source,
        "#include \"dinero.h\"\nint main(void) { return (int)DINERO_STATUS_OK + (dinero_version() == 0); }\n",
    )
    .unwrap();
    compile(&source, "cc", "c99", &[]);
    let cpp = dir.join("header_only.cpp");
    std::fs::copy(&source, &cpp).unwrap();
    compile(&cpp, "g++", "c++11", &[]);
}

#[test]
fn the_shared_library_has_a_soname() {
    let lib = library_dir().join("libdinero.so");
    let out = Command::new("readelf")
        .arg("-d")
        .arg(&lib)
        .output()
        .expect("readelf runs");
    let dynamic = String::from_utf8_lossy(&out.stdout);
    assert!(
        dynamic.contains("Library soname: [libdinero.so.0]"),
        "{dynamic}"
    );
}

/// The C side is instrumented: a C program reading a body after freeing its response, or a
/// handle freed twice (free() is intercepted), is caught. The Rust side is not instrumented
/// here; it is covered by the borrow checker, valgrind above, and the fuzz targets.
#[test]
fn the_contract_is_clean_under_address_sanitizer() {
    let sb = sandbox_for_programs();
    let program = compile(
        &repo().join("tests/c/contract.c"),
        "cc",
        "c99",
        &["-pthread", "-fsanitize=address", "-fno-omit-frame-pointer"],
    );
    let output = Command::new(&program)
        .envs(sandbox_env(&sb))
        .env(
            "ASAN_OPTIONS",
            "detect_leaks=1:abort_on_error=0:exitcode=98",
        )
        .output()
        .expect("the program runs");
    assert_clean_run(&output, "contract under AddressSanitizer", &sb);
}

#[test]
fn the_visma_connect_example_signs_in_and_runs_again_from_the_kept_token_under_valgrind() {
    use std::io::{BufRead, Write};
    valgrind_available();
    let sb = sandbox_for_programs();
    let program = compile(&repo().join("examples/c/visma_connect.c"), "cc", "c99", &[]);
    let token_file = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("visma-connect-token");
    let _ = std::fs::remove_file(&token_file);
    let c = sb.config();
    let mut child = Command::new("valgrind")
        .args(["--quiet", "--error-exitcode=99", "--leak-check=full"])
        .args([
            "--errors-for-leak-kinds=definite",
            "--show-leak-kinds=definite",
        ])
        .arg(&program)
        .env("DINERO_CONNECT_CLIENT_ID", &c.connect_client_id)
        .env("DINERO_CONNECT_CLIENT_SECRET", &c.connect_client_secret)
        .env("DINERO_CONNECT_URL", sb.connect_url())
        .env("DINERO_API_URL", sb.url())
        .env("DINERO_REFRESH_TOKEN_FILE", &token_file)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut shown = String::new();
    let url = loop {
        let mut line = String::new();
        assert!(lines.read_line(&mut line).unwrap() > 0, "no URL: {shown}");
        shown.push_str(&line);
        if line.starts_with(&sb.connect_url()) {
            break line.trim().to_string();
        }
    };
    // The browser: the sandbox consents at once; its form's fields are what reaches the
    // redirect URI.
    let answer = common::connect::browser(&url);
    writeln!(child.stdin.take().unwrap(), "{answer}").unwrap();
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut lines, &mut rest).unwrap();
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{shown}{rest}\n{stderr}");
    assert!(rest.contains("signed in"), "{rest}");
    for id in [c.organization_id, 515_151] {
        assert!(
            rest.contains(&format!("organization {id}: HTTP 200")),
            "{rest}"
        );
    }
    assert!(
        rest.contains("a client from the stored refresh token is ready"),
        "{rest}"
    );
    let token = std::fs::read_to_string(&token_file).unwrap();
    let mode = std::os::unix::fs::PermissionsExt::mode(
        &std::fs::metadata(&token_file).unwrap().permissions(),
    );
    assert_eq!(mode & 0o777, 0o600);
    for secret in [token.as_str(), c.connect_client_secret.as_str()] {
        assert!(!shown.contains(secret) && !rest.contains(secret) && !stderr.contains(secret));
    }
    assert_eq!(sb.stats()["connect"]["code_exchanges"], 1);
}
