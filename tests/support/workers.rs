//! Runs worker processes (tests/workers/shared_state_worker.rs) side by side against one
//! sandbox and collects what each of them saw.

use dinero_sandbox::Sandbox;
use serde_json::{json, Value};
use std::path::PathBuf;
use std::process::{Command, Stdio};

/// What one worker process reports.
pub struct WorkerReport {
    pub statuses: Vec<u64>,
    pub errors: Vec<String>,
    /// Warnings the worker's client logged (e.g. a shared_state fallback).
    pub warnings: Vec<String>,
    /// Tokens this worker's client fetched itself (not read from the shared state).
    pub token_fetches: u64,
}

/// The worker binary, which `cargo test` builds as an example beside the test binaries.
fn worker_binary() -> PathBuf {
    let test_binary = std::env::current_exe().unwrap();
    let profile_dir = test_binary.parent().unwrap().parent().unwrap();
    let path = profile_dir.join("examples").join("shared_state_worker");
    assert!(path.is_file(), "{} is built by cargo test", path.display());
    path
}

/// `count` workers at once, each making `requests` GETs of the contacts list with `options`
/// (on top of the sandbox's URLs and organization), started together.
pub fn run_workers(
    sandbox: &Sandbox,
    count: usize,
    requests: u64,
    options: &[(&str, String)],
) -> Vec<WorkerReport> {
    run_workers_under(&[], sandbox, count, requests, options)
}

/// Like `run_workers`, each worker started through `wrapper` (e.g. `faketime -f +7s`).
pub fn run_workers_under(
    wrapper: &[&str],
    sandbox: &Sandbox,
    count: usize,
    requests: u64,
    options: &[(&str, String)],
) -> Vec<WorkerReport> {
    let c = sandbox.config();
    let mut all = json!({
        "auth_url": sandbox.auth_url(),
        "api_url": sandbox.url(),
        "organization_id": c.organization_id.to_string(),
        "retry_base_delay_ms": "10",
        "retry_max_delay_ms": "200",
        "timeout_ms": "10000",
    });
    for (key, value) in options {
        all[*key] = json!(value);
    }
    let job = json!({
        "client_id": c.client_id,
        "client_secret": c.client_secret,
        "api_key": c.api_key,
        "options": all,
        "requests": requests,
        "path": "/v1/{organizationId}/contacts",
    })
    .to_string();
    let binary = worker_binary();
    let children: Vec<_> = (0..count)
        .map(|_| {
            let mut command = match wrapper.split_first() {
                Some((program, args)) => {
                    let mut command = Command::new(program);
                    command.args(args).arg(&binary);
                    command
                }
                None => Command::new(&binary),
            };
            command
                .env("DINERO_WORKER", &job)
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::inherit())
                .spawn()
                .expect("the worker starts")
        })
        .collect();
    children
        .into_iter()
        .map(|child| {
            let output = child.wait_with_output().expect("the worker ends");
            assert!(
                output.status.success(),
                "worker failed: {:?}",
                output.status
            );
            let line = String::from_utf8_lossy(&output.stdout);
            let report: Value = serde_json::from_str(line.trim())
                .unwrap_or_else(|_| panic!("worker output: {line}"));
            assert!(
                report["authenticate_error"].is_null(),
                "worker could not authenticate: {}",
                report["authenticate_error"]
            );
            let strings = |key: &str| -> Vec<String> {
                report[key]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|v| v.as_str().unwrap_or_default().to_string())
                    .collect()
            };
            WorkerReport {
                statuses: report["statuses"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_u64)
                    .collect(),
                errors: strings("errors"),
                token_fetches: report["token_fetches"].as_u64().unwrap_or(0),
                warnings: strings("warnings"),
            }
        })
        .collect()
}
