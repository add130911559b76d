//! Concurrency under fire: 32 threads share one client for thousands of requests across
//! several token expiries while faults are injected at random. Every answer must be correct,
//! the token fetched once per expiry, and the whole run must finish within a bound (the test
//! fails rather than hangs on a deadlock). Figures go to target/reliability/stress.md.

mod common;
use common::*;
use serde_json::json;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

const THREADS: usize = 32;
/// Long enough for three token expiries. A token is replaced a tenth of its lifetime before it
/// expires; 300 ms covers the scheduling delays of 32 busy threads on a 2-core machine.
const RUN: Duration = Duration::from_millis(7500);
const TOKEN_LIFETIME: Duration = Duration::from_millis(3000);
const BOUND: Duration = Duration::from_secs(90);

#[test]
fn thirty_two_threads_across_token_expiries_with_random_faults() {
    let sb = Arc::new(sandbox_with(|c| {
        c.token_lifetime = TOKEN_LIFETIME;
        c.rate_limit = 0;
    }));
    // Warnings and errors per thread, so that a failure shows what its request went through.
    let log = Arc::new(LogLines::default());
    let client = Arc::new(Client::logging_to(
        &sb,
        &log,
        dinero::ffi::log::DINERO_LOG_WARN,
        &[("rate_limit_per_minute", "0"), ("max_retries", "6")],
    ));
    let org = sb.config().organization_id;
    let done = Arc::new(AtomicBool::new(false));
    let injected = Arc::new(AtomicU64::new(0));

    // A steady trickle of faults, so that any one request rarely meets several in a row. It stops
    // when the threads stop starting requests, and what is left of it is cleared: faults still
    // queued then would all fall on the last few requests in flight (every one of them meets a
    // fault while the queue is not empty), which is the test starving itself, not a fault rate.
    let started = Instant::now();
    let chaos = {
        let (sb, done, injected) = (sb.clone(), done.clone(), injected.clone());
        std::thread::spawn(move || {
            let kinds = [
                json!({"kind": "status", "status": 503}),
                json!({"kind": "status", "status": 502}),
                json!({"kind": "status", "status": 480}),
                json!({"kind": "status", "status": 429, "retry_after": "0"}),
                json!({"kind": "drop"}),
                json!({"kind": "reset"}),
                json!({"kind": "truncate"}),
            ];
            while !done.load(Ordering::SeqCst) && started.elapsed() < RUN {
                inject(&sb, kinds[fastrand::usize(..kinds.len())].clone());
                injected.fetch_add(1, Ordering::SeqCst);
                std::thread::sleep(Duration::from_millis(15));
            }
            sb.clear_faults();
        })
    };

    let (report, finished) = mpsc::channel();
    for _ in 0..THREADS {
        let (client, report) = (client.clone(), report.clone());
        std::thread::spawn(move || {
            let mut wrong = Vec::new();
            let mut sent = 0usize;
            while started.elapsed() < RUN {
                sent += 1;
                match client.request("GET", "/v1/organizations", None) {
                    Ok(reply) if reply.status == 200 && reply.json()[0]["Id"] == org => {}
                    Ok(reply) => wrong.push(format!("HTTP {}: {}", reply.status, reply.text())),
                    Err(e) => wrong.push(format!("{e:?}")),
                }
            }
            let _ = report.send((sent, wrong));
        });
    }
    drop(report);
    let mut failures = Vec::new();
    let mut total = 0;
    for _ in 0..THREADS {
        let left = BOUND.saturating_sub(started.elapsed());
        let (sent, wrong) = finished
            .recv_timeout(left)
            .expect("all threads finish within the bound (no deadlock)");
        total += sent;
        failures.extend(wrong);
    }
    let elapsed = started.elapsed();
    done.store(true, Ordering::SeqCst);
    chaos.join().unwrap();

    let issued = stat(&sb, "tokens_issued");
    // A token is replaced 2.7 s into its 3 s life: one fetch per 2.7 s of run, plus the first.
    let expiries = (elapsed.as_secs_f64() / 2.7).floor() as u64;
    let figures = format!(
        "| threads | requests | faults injected | elapsed | tokens fetched | lower bound (1 + run / 2.7 s) | 401s | wrong answers |\n|---|---|---|---|---|---|---|---|\n| {THREADS} | {total} | {} | {:.1} s | {issued} | {} | {} | {} |\n",
        injected.load(Ordering::SeqCst),
        elapsed.as_secs_f64(),
        1 + expiries,
        responses_with(&sb, 401),
        failures.len()
    );
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("../reliability");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("stress.md"), &figures).unwrap();
    println!("{figures}");

    let recent: Vec<String> = log
        .lock()
        .unwrap()
        .iter()
        .rev()
        .take(40)
        .map(|(_, l)| l.clone())
        .collect();
    assert!(
        failures.is_empty(),
        "{} wrong answers, e.g. {:?}\nlast warnings: {recent:#?}",
        failures.len(),
        &failures[..failures.len().min(3)]
    );
    // Requests went on for RUN, longer than two 3 s token lifetimes: a valid token all along
    // (no 401 below) means the sandbox issued at least that many replacements.
    let lifetimes = (RUN.as_millis() / TOKEN_LIFETIME.as_millis()) as u64;
    assert!(
        issued > lifetimes,
        "{issued} token fetches: the token was not renewed across {lifetimes} expiries"
    );
    assert!(
        issued <= 1 + expiries + 1,
        "{issued} token fetches for {expiries} expiries"
    );
    assert_eq!(
        responses_with(&sb, 401),
        0,
        "every refresh came before the expiry"
    );
}
