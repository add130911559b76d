//! One worker process of the shared_state tests, as a PHP-FPM worker, a cron job or a queue
//! worker would be: its own client, built from scratch, for the same organization as its
//! siblings. It reads its job from DINERO_WORKER (JSON, so no secret shows in `ps`), makes its
//! requests one after another, and prints one JSON line with what happened. `make bench`
//! runs it too (bench/shared_budget.py).

use dinero::{Client, Config, LogLevel, Logger};
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};

fn main() {
    let job: Value = std::env::var("DINERO_WORKER")
        .ok()
        .and_then(|text| serde_json::from_str(&text).ok())
        .expect("DINERO_WORKER holds the job as JSON");
    let text = |key: &str| job[key].as_str().unwrap_or_default().to_string();
    let warnings = Arc::new(Mutex::new(Vec::<String>::new()));
    let mut config = Config::default();
    for (key, value) in job["options"].as_object().into_iter().flatten() {
        config
            .set(key, value.as_str().unwrap_or_default())
            .unwrap_or_else(|e| panic!("option {key}: {e}"));
    }
    let token_fetches = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let (sink, fetches) = (Arc::clone(&warnings), Arc::clone(&token_fetches));
    config.logger = Some(Logger::new(move |level, line| {
        if level <= LogLevel::Warn {
            sink.lock().unwrap().push(line.to_string());
        }
        if line.starts_with("new token from the token endpoint") {
            fetches.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
    }));
    let client = match Client::authenticate(
        &text("client_id"),
        &text("client_secret"),
        &text("api_key"),
        config,
    ) {
        Ok(client) => client,
        Err(e) => {
            println!("{}", json!({"authenticate_error": e.to_string()}));
            return;
        }
    };
    let started = unix_seconds();
    let mut statuses = Vec::new();
    let mut errors = Vec::new();
    for _ in 0..job["requests"].as_u64().unwrap_or(1) {
        match client.request("GET", &text("path"), None) {
            Ok(response) => statuses.push(response.status()),
            Err(e) => errors.push(e.to_string()),
        }
    }
    let finished = unix_seconds();
    let warnings = warnings.lock().unwrap().clone();
    // The times let `make bench` measure the rate all workers achieved together.
    println!(
        "{}",
        json!({"statuses": statuses, "errors": errors, "warnings": warnings,
               "started": started, "finished": finished,
               "token_fetches": token_fetches.load(std::sync::atomic::Ordering::Relaxed)})
    );
}

fn unix_seconds() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs_f64()
}
