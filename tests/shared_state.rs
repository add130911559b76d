//! `shared_state`: one token and one rate budget for every process on a machine (a file) and
//! every machine (a real redis-server, started here on a free port). Separate processes are
//! real processes (tests/workers/shared_state_worker.rs); the sandbox counts what reached it.

mod common;
#[path = "support/redis_server.rs"]
mod redis_server;
#[path = "support/workers.rs"]
mod workers;

use common::*;
use dinero::ffi::status::*;
use dinero_sandbox::RateWindow;
use redis_server::{RedisOptions, RedisServer};
use serde_json::json;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};
use workers::{run_workers, run_workers_under, WorkerReport};

/// Dinero's 100 a minute, scaled down so a test takes seconds: 20 per 2 s.
const LIMIT: u32 = 20;
const WINDOW_MS: u64 = 2000;

/// A TLS handshake on a loaded 2-core test machine, in a debug build, can take longer than the
/// default 500 ms: where a test asserts sharing, a slow store must not turn into a fallback.
const SLOW_MACHINE: (&str, &str) = ("shared_state_timeout_ms", "3000");

/// Judged over any window of that length (the stricter judge): a client never refused by it
/// stays under Dinero's fixed window wherever that window's edges fall.
fn limited_sandbox() -> Sandbox {
    sandbox_with(|c| {
        c.rate_limit = LIMIT;
        c.rate_window = ms(WINDOW_MS);
        c.rate_window_kind = RateWindow::Sliding;
    })
}

fn state_file(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("shared-state-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir.join("dinero.state")
}

fn paced_by(shared_state: &str) -> Vec<(&'static str, String)> {
    vec![
        // Generous, so that a loaded test machine does not turn sharing into fallbacks.
        ("shared_state_timeout_ms", "3000".to_string()),
        ("rate_limit_per_minute", LIMIT.to_string()),
        ("rate_limit_window_ms", WINDOW_MS.to_string()),
        ("shared_state", shared_state.to_string()),
    ]
}

fn assert_all_ok(reports: &[WorkerReport], expected: usize) {
    let statuses: Vec<u64> = reports.iter().flat_map(|r| r.statuses.clone()).collect();
    let errors: Vec<&String> = reports.iter().flat_map(|r| &r.errors).collect();
    assert!(errors.is_empty(), "failed requests: {errors:?}");
    let warnings: Vec<&String> = reports.iter().flat_map(|r| &r.warnings).collect();
    assert!(
        warnings.is_empty(),
        "the store was not always used: {warnings:?}"
    );
    assert_eq!(statuses.len(), expected);
    assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
    let fetches: Vec<u64> = reports.iter().map(|r| r.token_fetches).collect();
    assert_eq!(
        fetches.iter().sum::<u64>(),
        1,
        "token fetches per worker: {fetches:?}"
    );
}

#[test]
fn processes_sharing_a_file_stay_within_the_limit_and_share_one_token() {
    let sb = limited_sandbox();
    let path = state_file("processes");
    let reports = run_workers(&sb, 8, 10, &paced_by(path.to_str().unwrap()));
    assert_all_ok(&reports, 80);
    assert_eq!(
        responses_with(&sb, 429),
        0,
        "no 429 for 8 processes together"
    );
    assert_eq!(stat(&sb, "token_requests"), 1, "one token for all of them");
}

#[test]
fn two_machines_on_one_redis_stay_within_the_limit_and_share_one_token() {
    let sb = limited_sandbox();
    let redis = RedisServer::start(RedisOptions::default());
    let options = paced_by(&redis.url());
    // Two groups that share nothing but the Redis server, as two app servers would.
    let (a, b) = std::thread::scope(|s| {
        let a = s.spawn(|| run_workers(&sb, 4, 10, &options));
        let b = s.spawn(|| run_workers(&sb, 4, 10, &options));
        (a.join().unwrap(), b.join().unwrap())
    });
    let both: Vec<WorkerReport> = a.into_iter().chain(b).collect();
    assert_all_ok(&both, 80);
    assert_eq!(responses_with(&sb, 429), 0);
    assert_eq!(stat(&sb, "token_requests"), 1);
}

#[test]
fn machines_whose_clocks_differ_by_seconds_still_share_one_window() {
    let sb = limited_sandbox();
    let redis = RedisServer::start(RedisOptions::default());
    let options = paced_by(&redis.url());
    // The second "machine" runs 7 s ahead (libfaketime, Debian's faketime). Had the window used
    // the callers' clocks, one machine would take the other's requests for expired ones.
    let (a, b) = std::thread::scope(|s| {
        let a = s.spawn(|| run_workers(&sb, 4, 10, &options));
        let b = s.spawn(|| run_workers_under(&["faketime", "-f", "+7s"], &sb, 4, 10, &options));
        (a.join().unwrap(), b.join().unwrap())
    });
    let both: Vec<WorkerReport> = a.into_iter().chain(b).collect();
    assert_all_ok(&both, 80);
    assert_eq!(responses_with(&sb, 429), 0);
    assert_eq!(stat(&sb, "token_requests"), 1, "{}", sb.stats());
}

fn warnings(lines: &LogLines) -> Vec<String> {
    let lines = lines.lock().unwrap();
    lines
        .iter()
        .filter(|(level, _)| *level <= 2)
        .map(|(_, line)| line.clone())
        .collect()
}

/// Two clients on the store `options` name: the second takes the first's token from it.
fn two_clients_share_one_token(sb: &Sandbox, options: &[(&str, &str)]) {
    let first = Client::to_with(sb, options).unwrap();
    let second = Client::to_with(sb, options).unwrap();
    get_all(&first, 2);
    get_all(&second, 2);
    assert_eq!(
        stat(sb, "token_requests"),
        1,
        "the token came from the store"
    );
}

/// The warnings of a client whose `shared_state` is `url`, after a few requests.
fn warnings_of_a_client_on(sb: &Sandbox, url: &str) -> Vec<String> {
    let lines = LogLines::default();
    let client = Client::logging_to(sb, &lines, 2, &[("shared_state", url)]);
    get_all(&client, 3);
    warnings(&lines)
}

fn get_all(client: &Client, count: usize) {
    for _ in 0..count {
        assert_eq!(client.get("/v1/organizations").status, 200);
    }
}

fn redis_keys(redis: &RedisServer, pattern: &str) -> Vec<String> {
    let mut connection = redis.admin();
    redis::cmd("KEYS")
        .arg(pattern)
        .query(&mut connection)
        .unwrap()
}

#[test]
fn redis_killed_and_restarted_mid_run_never_stops_requests() {
    let sb = sandbox();
    let mut redis = RedisServer::start(RedisOptions::default());
    let lines = LogLines::default();
    let client = Client::logging_to(
        &sb,
        &lines,
        3,
        &[("shared_state", &redis.url()), SLOW_MACHINE],
    );
    get_all(&client, 5);
    assert_eq!(redis_keys(&redis, "libdinero:*:token").len(), 1);

    redis.kill();
    get_all(&client, 10);
    let down = warnings(&lines);
    assert_eq!(down.len(), 1, "one warning, not one per request: {down:?}");
    assert!(
        down[0].contains("uses its own token and rate window"),
        "{down:?}"
    );

    redis.restart();
    // The store is tried again at most once a second.
    std::thread::sleep(ms(1100));
    get_all(&client, 5);
    let all = lines.lock().unwrap().clone();
    assert!(
        all.iter().any(|(_, l)| l.contains("answers again")),
        "{all:?}"
    );
    assert_eq!(warnings(&lines).len(), 1);
    assert_eq!(
        redis_keys(&redis, "libdinero:*:window").len(),
        1,
        "the window is kept in Redis again"
    );
}

#[test]
fn when_redis_goes_away_the_requests_it_counted_still_count_in_the_own_window() {
    // Dinero's window, scaled down, and a client paced at the same limit through Redis.
    let sb = sandbox_with(|c| {
        c.rate_limit = 10;
        c.rate_window = ms(1500);
    });
    let mut redis = RedisServer::start(RedisOptions::default());
    let lines = LogLines::default();
    let client = Client::logging_to(
        &sb,
        &lines,
        2,
        &[
            ("shared_state", &redis.url()),
            ("rate_limit_per_minute", "10"),
            ("rate_limit_window_ms", "1500"),
            ("max_retries", "0"),
            SLOW_MACHINE,
        ],
    );
    get_all(&client, 10);
    redis.kill();
    // Alone from here: its own window already holds the ten requests Redis counted, so the
    // next ones wait for the window instead of going straight into Dinero's 429s.
    get_all(&client, 5);
    assert_eq!(responses_with(&sb, 429), 0);
    assert_eq!(warnings(&lines).len(), 1, "{:?}", warnings(&lines));
}

#[test]
fn a_key_of_ours_holding_another_type_is_replaced_not_failed_on_for_ever() {
    let sb = sandbox();
    let redis = RedisServer::start(RedisOptions::default());
    let lines = LogLines::default();
    let client = Client::logging_to(
        &sb,
        &lines,
        3,
        &[("shared_state", &redis.url()), SLOW_MACHINE],
    );
    get_all(&client, 1);
    let window = redis_keys(&redis, "libdinero:*:window").pop().unwrap();
    let mut admin = redis.admin();
    // Something else writes a hash under the window's name.
    let type_of = |admin: &mut redis::Connection| -> String {
        redis::cmd("TYPE").arg(&window).query(admin).unwrap()
    };
    redis::cmd("DEL")
        .arg(&window)
        .query::<()>(&mut admin)
        .unwrap();
    redis::cmd("HSET")
        .arg(&window)
        .arg("not")
        .arg("ours")
        .query::<()>(&mut admin)
        .unwrap();
    get_all(&client, 1);
    assert_eq!(warnings(&lines).len(), 1, "{:?}", warnings(&lines));
    // The store is tried again at most once a second; by then the key is ours again.
    std::thread::sleep(ms(1100));
    get_all(&client, 2);
    assert_eq!(type_of(&mut admin), "zset");
    let all = lines.lock().unwrap().clone();
    assert!(
        all.iter().any(|(_, l)| l.contains("answers again")),
        "{all:?}"
    );
}

#[test]
fn a_password_protected_redis_is_shared_and_a_wrong_password_is_a_logged_fallback() {
    let sb = sandbox();
    let redis = RedisServer::start(RedisOptions {
        password: Some("redis-pw-31337".into()),
        tls: false,
    });
    let url = redis.url();
    let options = [("shared_state", url.as_str()), SLOW_MACHINE];
    two_clients_share_one_token(&sb, &options);

    let wrong = format!("redis://:not-the-pw-4242@127.0.0.1:{}/0", redis.port);
    let seen = warnings_of_a_client_on(&sb, &wrong);
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert!(
        seen[0].contains(&format!("127.0.0.1:{}/0", redis.port)),
        "{seen:?}"
    );
    assert!(
        !seen[0].contains("not-the-pw"),
        "no password in logs: {seen:?}"
    );
}

#[test]
fn an_acl_user_and_a_database_number_in_the_url_are_used() {
    let sb = sandbox();
    let redis = RedisServer::start(RedisOptions::default());
    let mut admin = redis.admin();
    let _: () = redis::cmd("ACL")
        .arg(&["SETUSER", "app", "on", ">app-pw-777", "~*", "&*", "+@all"])
        .query(&mut admin)
        .unwrap();
    let url = format!("redis://app:app-pw-777@127.0.0.1:{}/3", redis.port);
    let options = [("shared_state", url.as_str()), SLOW_MACHINE];
    two_clients_share_one_token(&sb, &options);
    let mut keys_in = |database: u32| -> Vec<String> {
        let _: () = redis::cmd("SELECT")
            .arg(database)
            .query(&mut admin)
            .unwrap();
        redis::cmd("KEYS")
            .arg("libdinero:*")
            .query(&mut admin)
            .unwrap()
    };
    assert!(!keys_in(3).is_empty(), "the state is in database 3");
    assert!(keys_in(0).is_empty(), "and nothing in database 0");

    let wrong = format!("redis://app:not-apps-pw-99@127.0.0.1:{}/3", redis.port);
    let seen = warnings_of_a_client_on(&sb, &wrong);
    assert_eq!(seen.len(), 1, "one warning, then its own token: {seen:?}");
    assert!(
        !seen[0].contains("not-apps-pw"),
        "no password in logs: {seen:?}"
    );
}

#[test]
fn redis_over_tls_is_trusted_through_ca_file() {
    let sb = sandbox();
    let redis = RedisServer::start(RedisOptions {
        password: Some("tls-pw".into()),
        tls: true,
    });
    assert!(redis.url().starts_with("rediss://"));
    let ca = redis.ca_file.clone().unwrap();
    let options = [
        ("shared_state", redis.url()),
        ("ca_file", ca.display().to_string()),
        (SLOW_MACHINE.0, SLOW_MACHINE.1.to_string()),
    ];
    let options: Vec<(&str, &str)> = options.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let lines = LogLines::default();
    let first = Client::logging_to(&sb, &lines, 2, &options);
    let second = Client::logging_to(&sb, &lines, 2, &options);
    get_all(&first, 2);
    get_all(&second, 2);
    assert_eq!(warnings(&lines), Vec::<String>::new());
    assert_eq!(stat(&sb, "token_requests"), 1, "shared over TLS");

    // Without the CA the server's certificate is not trusted: a logged fallback, not a failure.
    let lines = LogLines::default();
    let client = Client::logging_to(&sb, &lines, 2, &[("shared_state", &redis.url())]);
    get_all(&client, 2);
    assert_eq!(warnings(&lines).len(), 1, "{:?}", warnings(&lines));
}

#[test]
fn servers_that_are_not_redis_are_a_logged_fallback_without_a_hang() {
    let sb = sandbox();
    // One that answers HTTP, one that accepts and never answers, one that is not there.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let closed = redis_server::free_port();
    for url in [
        format!("redis://127.0.0.1:{}", sb.port()),
        format!("redis://127.0.0.1:{}", silent.local_addr().unwrap().port()),
        format!("redis://127.0.0.1:{closed}"),
    ] {
        let lines = LogLines::default();
        let client = Client::logging_to(
            &sb,
            &lines,
            2,
            &[("shared_state", &url), ("shared_state_timeout_ms", "200")],
        );
        get_all(&client, 3);
        assert_eq!(warnings(&lines).len(), 1, "{url}: {:?}", warnings(&lines));
    }
}

#[test]
fn bad_shared_state_values_are_configuration_errors() {
    let sb = sandbox();
    for (value, expected) in [
        ("memcached://127.0.0.1:11211", "unknown scheme"),
        ("redis://127.0.0.1:6379/not-a-db", "not a usable Redis URL"),
        ("/no/such/folder/dinero.state", "existing folder"),
    ] {
        let err = Options::new(&[("shared_state".into(), value.into())])
            .err()
            .expect("refused when set");
        assert_eq!(err.status, DINERO_STATUS_INVALID_ARGUMENT);
        assert!(err.message.contains(expected), "{value}: {}", err.message);
    }
    // A folder where no file can be made: refused by dinero_authenticate, before any request.
    let err = Client::to_with(&sb, &[("shared_state", "/proc/dinero.state")])
        .err()
        .expect("refused at authenticate");
    assert_eq!(err.status, DINERO_STATUS_INVALID_ARGUMENT);
    assert!(
        err.message.contains("cannot create '/proc/dinero.state'"),
        "{}",
        err.message
    );
    assert_eq!(stat(&sb, "token_requests"), 0, "nothing was sent");
}

#[test]
fn when_the_store_comes_back_the_requests_sent_alone_still_count() {
    // The mirror of the test above: the store (a file whose lock another process holds) is
    // out of reach while ten requests go out on the own window; then it answers again, with
    // an empty shared window. Dinero counted those ten, so the next ones wait for them.
    let sb = sandbox_with(|c| {
        c.rate_limit = 10;
        c.rate_window = ms(1500);
    });
    let path = state_file("back-after-outage");
    std::fs::write(&path, "").unwrap();
    let lines = LogLines::default();
    let client = Client::logging_to(
        &sb,
        &lines,
        2,
        &[
            ("shared_state", path.to_str().unwrap()),
            ("shared_state_timeout_ms", "100"),
            ("rate_limit_per_minute", "10"),
            ("rate_limit_window_ms", "1500"),
            ("max_retries", "0"),
        ],
    );
    let holder = std::fs::File::open(&path).unwrap();
    holder.lock().unwrap();
    get_all(&client, 10);
    drop(holder);
    // The store is tried again at most once a second.
    std::thread::sleep(ms(1100));
    get_all(&client, 10);
    assert_eq!(
        responses_with(&sb, 429),
        0,
        "over the limit once the store answered"
    );
    let all = lines.lock().unwrap().clone();
    assert!(
        all.iter().any(|(_, l)| l.contains("answers again")),
        "{all:?}"
    );
}

#[test]
fn a_fifo_or_a_lock_held_forever_at_the_path_never_hangs_the_client() {
    let sb = sandbox();
    let fifo = state_file("fifo");
    let c_path = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    // SAFETY: mkfifo reads the NUL-terminated path only during the call.
    assert_eq!(unsafe { libc::mkfifo(c_path.as_ptr(), 0o600) }, 0);
    let client = Client::to_with(&sb, &[("shared_state", fifo.to_str().unwrap())]).unwrap();
    get_all(&client, 2);

    let held = state_file("held");
    std::fs::write(&held, "").unwrap();
    let holder = std::fs::File::open(&held).unwrap();
    holder.lock().unwrap();
    let lines = LogLines::default();
    let client = Client::logging_to(&sb, &lines, 2, &[("shared_state", held.to_str().unwrap())]);
    get_all(&client, 3);
    let seen = warnings(&lines);
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert!(seen[0].contains("lock was held"), "{seen:?}");
}

#[test]
fn a_process_killed_while_refreshing_does_not_block_the_others() {
    let sb = sandbox();
    let path = state_file("killed");
    // The first process's token request hangs; it is killed while it holds the refresh lease.
    inject(
        &sb,
        json!({"kind": "delay", "delay_ms": 20000, "count": 1, "target": "token"}),
    );
    let short = json!({"timeout_ms": "1500", "max_retries": "0",
                       "retry_base_delay_ms": "10", "retry_max_delay_ms": "100"});
    let mut first = worker_holding_the_lease(&sb, &path, short);
    first.kill().unwrap();
    first.wait().unwrap();
    // Whether or not its token request got out before it died, nobody else's is delayed.
    sb.clear_faults();

    // The lease it left runs out (1.5 s plus a retry pause), and another process takes it
    // over, rather than waiting out its own bound and fetching around the lease.
    let lines = LogLines::default();
    let client = Client::logging_to(&sb, &lines, 2, &[("shared_state", path.to_str().unwrap())]);
    get_all(&client, 1);
    let fetched_around = warnings(&lines)
        .into_iter()
        .filter(|line| line.contains("outlasted its lease"))
        .collect::<Vec<_>>();
    assert_eq!(fetched_around, Vec::<String>::new());
}

/// Starts a worker process that authenticates on `sb` with `options` (and the shared state at
/// `path`), and returns once it holds the store's refresh lease.
fn worker_holding_the_lease(
    sb: &Sandbox,
    path: &std::path::Path,
    options: serde_json::Value,
) -> std::process::Child {
    let c = sb.config();
    let mut all = json!({"auth_url": sb.auth_url(), "api_url": sb.url(),
                         "organization_id": c.organization_id.to_string(),
                         "shared_state": path.to_str().unwrap()});
    all.as_object_mut()
        .unwrap()
        .extend(options.as_object().unwrap().clone());
    let job = json!({
        "client_id": c.client_id, "client_secret": c.client_secret, "api_key": c.api_key,
        "options": all, "requests": 1, "path": "/v1/organizations",
    });
    let worker = env!("CARGO_BIN_EXE_shared_state_worker");
    let child = std::process::Command::new(worker)
        .env("DINERO_WORKER", job.to_string())
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while !std::fs::read_to_string(path)
        .unwrap_or_default()
        .contains("\"lease\":[")
    {
        assert!(Instant::now() < deadline, "the worker never took the lease");
        std::thread::sleep(ms(10));
    }
    child
}

/// The defaults of the options that bound one token fetch (30 s a try, 4 tries, up to 10 s
/// between them: 160 s in all).
const DEFAULT_FETCH_BOUNDS: [(&str, &str); 3] = [
    ("timeout_ms", "30000"),
    ("max_retries", "3"),
    ("retry_max_delay_ms", "10000"),
];

#[test]
fn a_process_killed_while_refreshing_holds_the_others_up_for_seconds_not_minutes() {
    // With the default timeouts one fetch may take 160 s; the lease lasts 10 s unless its
    // holder renews it, which a killed process (a PHP-FPM worker ended at
    // request_terminate_timeout) no longer does.
    let sb = sandbox();
    let path = state_file("killed-default");
    inject(
        &sb,
        json!({"kind": "delay", "delay_ms": 60000, "count": 1, "target": "token"}),
    );
    let mut first = worker_holding_the_lease(&sb, &path, json!({}));
    first.kill().unwrap();
    first.wait().unwrap();
    sb.clear_faults();
    let lines = LogLines::default();
    let mut options = vec![("shared_state", path.to_str().unwrap())];
    options.extend(DEFAULT_FETCH_BOUNDS);
    let started = Instant::now();
    let client = Client::logging_to(&sb, &lines, 2, &options);
    get_all(&client, 1);
    let waited = started.elapsed();
    assert!(waited < Duration::from_secs(60), "waited {waited:?}");
    // The wait was told while it lasted (the dinero command prints warnings).
    let told = warnings(&lines)
        .into_iter()
        .any(|line| line.contains("waiting for another process's token refresh"));
    assert!(told, "{:?}", warnings(&lines));
}

#[test]
fn a_fetch_longer_than_the_lease_keeps_it_and_is_the_only_one() {
    // The first process's token request takes 13 s, longer than a lease lasts unrenewed: its
    // holder renews it, so the second process waits for that token instead of fetching its
    // own (with Visma Connect, a second fetch would spend the one refresh token twice).
    let sb = sandbox();
    let path = state_file("slow-fetch");
    inject(
        &sb,
        json!({"kind": "delay", "delay_ms": 13000, "count": 1, "target": "token"}),
    );
    let options = json!({"timeout_ms": "30000", "max_retries": "3", "retry_max_delay_ms": "10000"});
    let mut first = worker_holding_the_lease(&sb, &path, options);
    let mut second = vec![("shared_state", path.to_str().unwrap())];
    second.extend(DEFAULT_FETCH_BOUNDS);
    let lines = LogLines::default();
    let client = Client::logging_to(&sb, &lines, 2, &second);
    get_all(&client, 1);
    assert!(first.wait().unwrap().success());
    assert_eq!(stat(&sb, "token_requests"), 1, "{}", sb.stats());
}

#[test]
fn an_early_refresh_does_not_stall_other_threads() {
    // 20 s tokens are replaced from 18 s on, and the old one is kept in use until 19 s while
    // the replacement takes 3 s to arrive. (A second of slack for a loaded machine to start
    // the refresher and make the other request.)
    let sb = sandbox_with(|c| c.token_lifetime = Duration::from_secs(20));
    let client = Arc::new(Client::to(&sb));
    let issued = Instant::now();
    let delay = Duration::from_millis(3000);
    inject(
        &sb,
        json!({"kind": "delay", "delay_ms": delay.as_millis() as u64, "count": 1, "target": "token"}),
    );
    std::thread::sleep(Duration::from_millis(18050).saturating_sub(issued.elapsed()));
    let refresher = {
        let client = client.clone();
        std::thread::spawn(move || assert_eq!(client.get("/v1/organizations").status, 200))
    };
    // Until the refresher's (delayed) token request has reached the sandbox.
    let deadline = Instant::now() + Duration::from_secs(10);
    while stat(&sb, "token_requests") < 2 {
        assert!(
            Instant::now() < deadline,
            "the refresher never asked for a new token"
        );
        std::thread::sleep(ms(5));
    }
    // The old token is good for a while yet: this request does not wait for the new one,
    // which cannot arrive until about `delay` from now.
    let asked = Instant::now();
    assert_eq!(client.get("/v1/organizations").status, 200);
    assert!(
        asked.elapsed() < delay / 2,
        "the request waited for the refresh ({:?})",
        asked.elapsed()
    );
    refresher.join().unwrap();
    assert_eq!(stat(&sb, "token_requests"), 2);
}

#[test]
fn an_api_that_refuses_every_token_does_not_get_a_token_request_per_request() {
    let sb = sandbox();
    let client = Client::to(&sb);
    inject(
        &sb,
        json!({"kind": "status", "status": 401, "count": 1000, "target": "api"}),
    );
    for _ in 0..20 {
        assert_eq!(client.get("/v1/organizations").status, 401);
    }
    let tokens = stat(&sb, "token_requests");
    assert!(
        tokens <= 3,
        "{tokens} token requests for 20 refused requests: replacements are paced"
    );
}
