//! A soak: 100,000 requests through the C ABI with memory that stays flat. The figure is
//! printed and written to target/reliability/soak.md.

mod common;
use common::*;
use std::sync::Arc;
use std::time::Instant;

const REQUESTS: usize = 100_000;
const THREADS: usize = 4;

fn resident_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmRSS in /proc/self/status")
}

fn run(client: &Arc<Client>, total: usize) {
    let threads: Vec<_> = (0..THREADS)
        .map(|_| {
            let client = client.clone();
            std::thread::spawn(move || {
                for _ in 0..total / THREADS {
                    let reply = client.get("/v1/organizations");
                    assert_eq!(reply.status, 200);
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
}

#[test]
fn memory_stays_flat_over_100k_requests() {
    let sb = sandbox_with(|c| c.rate_limit = 0);
    let client = Arc::new(Client::to_with(&sb, &[("rate_limit_per_minute", "0")]).unwrap());
    run(&client, 5_000); // warm-up: pools, caches and thread-locals reach their size
    let before = resident_kib();
    let started = Instant::now();
    run(&client, REQUESTS);
    let elapsed = started.elapsed();
    let after = resident_kib();
    let growth = after as i64 - before as i64;
    let figures = format!(
        "| requests | threads | elapsed | RSS before | RSS after | growth |\n|---|---|---|---|---|---|\n| {REQUESTS} | {THREADS} | {:.1} s | {before} KiB | {after} KiB | {growth} KiB |\n",
        elapsed.as_secs_f64()
    );
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("../reliability");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("soak.md"), &figures).unwrap();
    println!("{figures}");
    assert_eq!(
        route_count(&sb, "GET /v1/organizations") as usize,
        REQUESTS + 5_000
    );
    // A leak of even 100 bytes per request would show as ~10 MiB.
    assert!(
        growth < 4 * 1024,
        "RSS grew {growth} KiB over {REQUESTS} requests"
    );
}
