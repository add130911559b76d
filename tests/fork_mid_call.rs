//! fork() while another thread is inside the library (a pre-forking server or Python's
//! `multiprocessing` forking while a thread makes a request): the child must not inherit a
//! wait for something only the parent's thread would have ended. It gets no copy of that
//! thread, so it works on its own instead: its own token fetch, its own Redis connection.
//! One test, its scenarios one after the other: each forks, and no other test's thread may be
//! inside the library meanwhile.

mod common;
#[path = "support/redis_server.rs"]
#[allow(dead_code)] // shared with tests/shared_state.rs, which uses all of it
mod redis_server;

use common::*;
use redis_server::{RedisOptions, RedisServer};
use serde_json::json;
use std::sync::Arc;

/// Forks; the child runs `child` and ends with exit code 0 when it returns true. The parent
/// gets the child's exit code, waiting 30 s at most (a hang catcher: a child stuck in a wait
/// it inherited is killed and reported).
fn in_a_child(child: impl FnOnce() -> bool) -> i32 {
    // SAFETY: the child runs `child` and ends with _exit, whatever happens.
    let pid = unsafe { libc::fork() };
    assert!(pid >= 0, "fork: {}", std::io::Error::last_os_error());
    if pid == 0 {
        let ok = std::panic::catch_unwind(std::panic::AssertUnwindSafe(child)).unwrap_or(false);
        // SAFETY: ends the child at once, without running the parent's exit handlers.
        unsafe { libc::_exit(if ok { 0 } else { 1 }) };
    }
    for _ in 0..300 {
        let mut status = 0;
        // SAFETY: polls the child made above; `status` lives through the call.
        if unsafe { libc::waitpid(pid, &mut status, libc::WNOHANG) } == pid {
            return if libc::WIFEXITED(status) {
                libc::WEXITSTATUS(status)
            } else {
                -1
            };
        }
        std::thread::sleep(ms(100));
    }
    // SAFETY: kills and reaps the child made above.
    unsafe {
        libc::kill(pid, libc::SIGKILL);
        libc::waitpid(pid, std::ptr::null_mut(), 0);
    }
    panic!("the child still waited after 30 s");
}

fn warnings(lines: &LogLines) -> Vec<String> {
    let lines = lines.lock().unwrap_or_else(|e| e.into_inner());
    lines
        .iter()
        .filter(|(level, _)| *level <= 2)
        .map(|(_, line)| line.clone())
        .collect()
}

#[test]
fn a_child_forked_mid_call_works_on_its_own() {
    // 1. During a token fetch: the child would wait for a refresh no thread of its own makes.
    let sb = sandbox_with(|c| c.token_lifetime = ms(2000));
    let options = [
        ("timeout_ms", "3000"),
        ("max_retries", "0"),
        ("retry_max_delay_ms", "50"),
    ];
    let client = Arc::new(Client::to_with(&sb, &options).unwrap());
    // Past the point where the token is renewed, and past the point where it may still be
    // used while another thread renews it (a tenth, and half that, before it runs out).
    std::thread::sleep(ms(1950));
    inject(
        &sb,
        json!({"kind": "delay", "delay_ms": 1500, "target": "token", "count": 1}),
    );
    let refreshing = Arc::clone(&client);
    let parent = std::thread::spawn(move || refreshing.get("/v1/organizations").status);
    std::thread::sleep(ms(300));
    let child = in_a_child(|| client.get("/v1/organizations").status == 200);
    assert_eq!(child, 0, "the child's request failed");
    assert_eq!(parent.join().unwrap(), 200);

    // 2. During a Redis step: the child would find the connection's lock held for good.
    let sb = sandbox();
    let redis = RedisServer::start(RedisOptions::default());
    let lines = Box::leak(Box::default());
    let client = Arc::new(Client::logging_to(
        &sb,
        lines,
        2,
        &[
            ("shared_state", &redis.url()),
            ("shared_state_timeout_ms", "3000"),
        ],
    ));
    assert_eq!(client.get("/v1/organizations").status, 200);
    let mut admin = redis.admin();
    // The server stalls for a moment; the parent's thread waits on it inside a step.
    let _: () = redis::cmd("CLIENT")
        .arg("PAUSE")
        .arg(1500)
        .arg("ALL")
        .query(&mut admin)
        .unwrap();
    let stepping = Arc::clone(&client);
    let parent = std::thread::spawn(move || stepping.get("/v1/organizations").status);
    std::thread::sleep(ms(300));
    let child =
        in_a_child(|| client.get("/v1/organizations").status == 200 && warnings(lines).is_empty());
    assert_eq!(child, 0, "the child's request failed or left Redis");
    assert_eq!(parent.join().unwrap(), 200);
    assert!(warnings(lines).is_empty(), "{:?}", warnings(lines));
}
