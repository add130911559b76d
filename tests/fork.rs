//! A client made before fork() and used in the child (a pre-forking server that builds it at
//! import, Python's multiprocessing): the child opens connections of its own instead of
//! writing into the parent's kept-alive sockets, and the parent's go on working. Alone in its
//! test binary, so that no other test's thread is inside the library at the fork.

mod common;
#[path = "support/redis_server.rs"]
#[allow(dead_code)] // shared with tests/shared_state.rs, which uses all of it
mod redis_server;

use common::*;
use redis_server::{RedisOptions, RedisServer};

/// How many connections the Redis server has accepted so far.
fn redis_connections(redis: &RedisServer) -> u64 {
    let mut admin = redis.admin();
    let info: String = redis::cmd("INFO").arg("stats").query(&mut admin).unwrap();
    info.lines()
        .find_map(|line| line.strip_prefix("total_connections_received:"))
        .and_then(|n| n.trim().parse().ok())
        .unwrap()
}

#[test]
fn a_forked_child_uses_connections_of_its_own_and_leaves_the_parents_alone() {
    let sb = sandbox();
    let redis = RedisServer::start(RedisOptions::default());
    let client = Client::to_with(&sb, &[("shared_state", &redis.url())]).unwrap();
    assert_eq!(client.get("/v1/organizations").status, 200);
    let before = stat(&sb, "connections");
    // The admin connection of redis_connections counts one too.
    let redis_before = redis_connections(&redis) + 1;
    // SAFETY: the child makes one request through the client and ends with _exit, whatever
    // happens; no thread of this process is inside the library at the fork (the sandbox's
    // threads never are).
    let child = unsafe { libc::fork() };
    assert!(child >= 0, "fork: {}", std::io::Error::last_os_error());
    if child == 0 {
        let answered = std::panic::catch_unwind(|| client.get("/v1/organizations").status == 200);
        // SAFETY: ends the child at once, without running the parent's exit handlers.
        unsafe { libc::_exit(if answered.unwrap_or(false) { 0 } else { 1 }) };
    }
    let mut status = 0;
    // SAFETY: waits for the child made above; `status` lives through the call.
    assert_eq!(unsafe { libc::waitpid(child, &mut status, 0) }, child);
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "the child's request failed ({status})"
    );
    assert_eq!(
        stat(&sb, "connections"),
        before + 1,
        "the child connected for itself"
    );
    assert_eq!(
        redis_connections(&redis),
        redis_before + 1,
        "and to Redis too"
    );
    // The parent's kept-alive connection is still its own, and still works.
    assert_eq!(client.get("/v1/organizations").status, 200);
    assert_eq!(stat(&sb, "connections"), before + 1);
    assert_eq!(
        redis_connections(&redis),
        redis_before + 2,
        "only the admin's"
    );
}
