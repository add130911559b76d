//! Runs worker processes (tests/workers/shared_state_worker.rs) side by side against one
//! sandbox and collects what each of them saw.

use dinero_sandbox::Sandbox;
use serde_json::{json, Value};
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// What one worker process reports.
pub struct WorkerReport {
    pub statuses: Vec<u64>,
    pub errors: Vec<String>,
    /// Warnings the worker's client logged (e.g. a shared_state fallback).
    pub warnings: Vec<String>,
    /// Tokens this worker's client fetched itself (not read from the shared state).
    pub token_fetches: u64,
}

/// The worker binary, which Cargo (re)builds for every integration test of this package.
fn worker_binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_shared_state_worker"))
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
            // SAFETY: prctl is async-signal-safe and touches only the child's own attributes.
            // A worker dies with the test's thread, however the test binary ends.
            unsafe {
                command.pre_exec(|| {
                    libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
                    Ok(())
                })
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
    finished(children)
        .into_iter()
        .map(|output| {
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

/// How long a group of workers may take: far beyond what any test's requests need, so only a
/// hung worker reaches it.
const WORKERS_DEADLINE: Duration = Duration::from_secs(240);

/// Every worker's output once all have ended. Past the deadline every worker still running is
/// killed and reaped before the test fails, so none outlives it.
fn finished(mut children: Vec<Child>) -> Vec<Output> {
    let deadline = Instant::now() + WORKERS_DEADLINE;
    while children
        .iter_mut()
        .any(|child| child.try_wait().ok().flatten().is_none())
    {
        if Instant::now() >= deadline {
            for child in &mut children {
                let _ = child.kill();
                let _ = child.wait();
            }
            panic!("a worker ran past {WORKERS_DEADLINE:?}: killed them all");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    // Each has ended: its one line of output is waiting in the pipe.
    children
        .into_iter()
        .map(|child| child.wait_with_output().expect("the worker's output"))
        .collect()
}
