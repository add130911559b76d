//! Visma Connect end to end through the C API, against the sandbox's `/connect/*`: the sign-in
//! (authorize URL, the browser's answer, the code exchange), clients from a stored refresh
//! token, rotation handed to the caller's callback and to shared_state, several organizations,
//! and every way it can go wrong, each a clear status with no secret in its message.

mod common;
#[path = "support/redis_server.rs"]
#[allow(dead_code)] // shared with tests/shared_state.rs, which uses all of it
mod redis_server;

use common::connect::*;
use common::{last_error, Client};
use dinero::ffi::status::{
    DINERO_STATUS_AUTH_REJECTED, DINERO_STATUS_AUTH_UNAVAILABLE, DINERO_STATUS_INVALID_ARGUMENT,
    DINERO_STATUS_LOGIN_REQUIRED, DINERO_STATUS_PROTOCOL,
};
use dinero_sandbox::RefreshTokens;
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;

#[test]
fn a_sign_in_reaches_every_organization_chosen_per_client_or_per_request() {
    let sb = sandbox_with(|_| {});
    let jar = Jar::default();
    let options = connect_options(&sb, &jar, &[("ui_locales", "da-DK")]);
    let authorization = authorize(&sb, &options, REDIRECT);
    let url = authorization["url"].as_str().unwrap();
    assert!(
        url.starts_with(&format!("{}/connect/authorize?", sb.connect_url())),
        "{url}"
    );
    assert!(url.contains("code_challenge_method=S256") && url.contains("ui_locales=da-DK"));
    let callback = browser(url);
    let client = sign_in(&sb, &options, &authorization, &callback).unwrap();
    // The first refresh token reached the callback before the sign-in returned.
    assert_eq!(jar.tokens().len(), 1);
    assert_eq!(connect_stats(&sb)["code_exchanges"], 1);

    let listed = organizations(&client);
    let ids: Vec<u64> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["Id"].as_u64().unwrap())
        .collect();
    assert_eq!(ids.len(), 2, "{listed}");
    for id in &ids {
        let reply = call(
            &client,
            "/v1/{organizationId}/contacts",
            json!({"organization_id": id}),
        )
        .unwrap();
        assert_eq!(reply.status, 200, "{}: {}", id, reply.text());
    }
    let unchosen = call(&client, "/v1/{organizationId}/contacts", json!({}))
        .err()
        .unwrap();
    assert_eq!(unchosen.status, DINERO_STATUS_INVALID_ARGUMENT);
    assert!(
        unchosen.message.contains("organization_id")
            && unchosen.message.contains("/v1/organizations"),
        "{}",
        unchosen.message
    );

    // Per client: the organization_id option, from a stored refresh token.
    let second = ids[1].to_string();
    let later = connect_options(&sb, &jar, &[("organization_id", &second)]);
    let stored = jar.tokens().last().unwrap().clone();
    let client = from_refresh_token(&sb, &later, &stored).unwrap();
    let reply = client
        .request("GET", "/v1/{organizationId}/contacts", None)
        .unwrap();
    assert_eq!(reply.status, 200, "{}", reply.text());
}

#[test]
fn rotated_refresh_tokens_reach_the_callback_and_the_newest_one_signs_in_later() {
    let sb = sandbox_with(|c| {
        c.token_lifetime = Duration::from_secs(2);
        c.refresh_grace = Duration::from_millis(200);
    });
    let jar = Jar::default();
    let org = sb.config().organization_id.to_string();
    let options = connect_options(&sb, &jar, &[("organization_id", &org)]);
    let client = signed_in(&sb, &options);
    // Past the refresh time of two tokens: each refresh rotates the refresh token.
    for _ in 0..2 {
        std::thread::sleep(Duration::from_millis(1900));
        let reply = client
            .request("GET", "/v1/{organizationId}/contacts", None)
            .unwrap();
        assert_eq!(reply.status, 200, "{}", reply.text());
    }
    let tokens = jar.tokens();
    assert!(
        tokens.len() >= 3,
        "sign-in plus two refreshes: {}",
        tokens.len()
    );
    let distinct: std::collections::HashSet<_> = tokens.iter().collect();
    assert_eq!(distinct.len(), tokens.len(), "every refresh token is new");
    drop(client);
    std::thread::sleep(Duration::from_millis(300)); // past the grace period
    let old = from_refresh_token(&sb, &options, &tokens[0]).err().unwrap();
    assert_eq!(old.status, DINERO_STATUS_LOGIN_REQUIRED, "{}", old.message);
    assert_no_secret(
        &old.message,
        &[&tokens[0], &sb.config().connect_client_secret],
    );
    from_refresh_token(&sb, &options, tokens.last().unwrap()).expect("the newest one works");

    // The client's credentials go in the form only: an Authorization header beside them, even
    // an empty one, is a second client authentication that a strict token endpoint refuses.
    let log = sb.requests();
    let token_requests: Vec<_> = log
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["path"] == "/connect/token")
        .collect();
    assert!(token_requests.len() >= 4, "{}", token_requests.len());
    for request in token_requests {
        assert!(
            request["headers"].get("authorization").is_none(),
            "an Authorization header went to the token endpoint"
        );
    }
}

#[test]
fn a_reusable_refresh_token_is_handed_on_once() {
    let sb = sandbox_with(|c| {
        c.token_lifetime = Duration::from_secs(1);
        c.refresh_tokens = RefreshTokens::Reusable;
    });
    let jar = Jar::default();
    let org = sb.config().organization_id.to_string();
    let options = connect_options(&sb, &jar, &[("organization_id", &org)]);
    let client = signed_in(&sb, &options);
    std::thread::sleep(Duration::from_millis(1100));
    assert_eq!(
        client
            .request("GET", "/v1/{organizationId}/contacts", None)
            .unwrap()
            .status,
        200
    );
    assert!(connect_stats(&sb)["refreshes"].as_u64().unwrap() >= 1);
    let tokens = jar.tokens();
    assert!(
        tokens.iter().all(|t| t == &tokens[0]),
        "the same token, if resent"
    );
}

#[test]
fn a_sign_in_without_offline_access_says_so_when_its_access_token_runs_out() {
    let sb = sandbox_with(|c| c.token_lifetime = Duration::from_secs(1));
    let jar = Jar::default();
    let org = sb.config().organization_id.to_string();
    let scope = [("scope", "dineropublicapi:read dineropublicapi:write")];
    let options = connect_options(&sb, &jar, &[("organization_id", &org), scope[0]]);
    let client = signed_in(&sb, &options);
    let path = "/v1/{organizationId}/contacts";
    assert_eq!(client.request("GET", path, None).unwrap().status, 200);
    std::thread::sleep(Duration::from_millis(1100));
    let spent = client.request("GET", path, None).err().unwrap();
    assert_eq!(
        spent.status, DINERO_STATUS_LOGIN_REQUIRED,
        "{}",
        spent.message
    );
    assert!(
        spent.message.contains("no refresh token") && spent.message.contains("offline_access"),
        "it says why, not that Visma Connect refused one: {}",
        spent.message
    );
    assert!(jar.tokens().is_empty(), "none was issued, none handed on");
    let stats = connect_stats(&sb);
    assert_eq!(stats["refreshes"], 0, "nothing to refresh with: {stats}");
    assert_eq!(stats["invalid_grants"], 0, "nothing was refused: {stats}");
}

#[test]
fn revoked_while_many_threads_use_the_client_is_login_required_once_without_looping() {
    let sb = sandbox_with(|c| c.token_lifetime = Duration::from_secs(30));
    let jar = Jar::default();
    let org = sb.config().organization_id.to_string();
    let options = connect_options(&sb, &jar, &[("organization_id", &org)]);
    let client = Arc::new(signed_in(&sb, &options));
    sb.revoke_connect_grants();
    sb.expire_tokens(); // the access token dies too: the next request must refresh
    sb.reset_stats();
    let threads: Vec<_> = (0..8)
        .map(|_| {
            let client = Arc::clone(&client);
            std::thread::spawn(move || {
                (0..5)
                    .map(|_| {
                        client
                            .request("GET", "/v1/{organizationId}/contacts", None)
                            .err()
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    for thread in threads {
        for failure in thread.join().unwrap() {
            let failure = failure.expect("no request succeeds with a revoked grant");
            assert_eq!(
                failure.status, DINERO_STATUS_LOGIN_REQUIRED,
                "{}",
                failure.message
            );
            assert!(
                failure.message.contains("sign in again"),
                "{}",
                failure.message
            );
            assert_no_secret(
                &failure.message,
                &[&jar.tokens()[0], &sb.config().connect_client_secret],
            );
        }
    }
    // 40 requests, one refusal from Visma Connect: the others knew without asking.
    assert_eq!(connect_stats(&sb)["refreshes"], 0, "{}", connect_stats(&sb));
    assert_eq!(
        connect_stats(&sb)["invalid_grants"],
        1,
        "{}",
        connect_stats(&sb)
    );
}

#[test]
fn a_forged_reused_or_mismatched_answer_is_refused_and_names_no_secret() {
    let sb = sandbox_with(|_| {});
    let jar = Jar::default();
    let options = connect_options(&sb, &jar, &[]);
    let secret = sb.config().connect_client_secret;

    // A wrong state: refused before Visma Connect is asked.
    let authorization = authorize(&sb, &options, REDIRECT);
    let callback = browser(authorization["url"].as_str().unwrap());
    let code = form_urlencoded::parse(callback.as_bytes())
        .find(|(k, _)| k == "code")
        .unwrap()
        .1
        .into_owned();
    let forged = format!("code={code}&state=forged-state");
    let failure = sign_in(&sb, &options, &authorization, &forged)
        .err()
        .unwrap();
    assert_eq!(failure.status, DINERO_STATUS_AUTH_REJECTED);
    assert!(failure.message.contains("state"), "{}", failure.message);
    assert_eq!(connect_stats(&sb)["code_exchanges"], 0);

    // The right answer works once; the same code again is refused.
    sign_in(&sb, &options, &authorization, &callback).unwrap();
    let reused = sign_in(&sb, &options, &authorization, &callback)
        .err()
        .unwrap();
    assert_eq!(reused.status, DINERO_STATUS_AUTH_REJECTED);
    assert!(
        reused.message.contains("authorization code"),
        "{}",
        reused.message
    );
    let verifier = authorization["code_verifier"].as_str().unwrap();
    for failure in [&failure, &reused] {
        assert_no_secret(&failure.message, &[&code, verifier, &secret]);
    }

    // Another verifier, another redirect URI: the code is refused.
    for (field, value) in [
        ("code_verifier", json!("A".repeat(43))),
        ("redirect_uri", json!("http://127.0.0.1:10/elsewhere")),
    ] {
        let authorization = authorize(&sb, &options, REDIRECT);
        let callback = browser(authorization["url"].as_str().unwrap());
        let mut changed = authorization.clone();
        changed[field] = value;
        let failure = sign_in(&sb, &options, &changed, &callback).err().unwrap();
        assert_eq!(
            failure.status, DINERO_STATUS_AUTH_REJECTED,
            "{field}: {}",
            failure.message
        );
        assert_no_secret(
            &failure.message,
            &[authorization["code_verifier"].as_str().unwrap(), &secret],
        );
    }

    // The user refuses consent.
    sb.inject(json!({"kind": "consent_refused"})).unwrap();
    let refused = failed_sign_in(&sb, &options);
    assert_eq!(refused.status, DINERO_STATUS_AUTH_REJECTED);
    assert!(
        refused.message.contains("did not grant access"),
        "{}",
        refused.message
    );

    // A text that is not our authorization.
    let bad = sign_in(&sb, &options, &json!({"url": "x"}), &callback)
        .err()
        .unwrap();
    assert_eq!(bad.status, DINERO_STATUS_INVALID_ARGUMENT);
}

#[test]
fn a_failing_or_garbage_token_endpoint_is_unavailable_and_echoes_leak_nothing() {
    let sb = sandbox_with(|_| {});
    let jar = Jar::default();
    let org = sb.config().organization_id.to_string();
    let options = connect_options(
        &sb,
        &jar,
        &[("organization_id", &org), ("max_retries", "1")],
    );
    let client = signed_in(&sb, &options);
    drop(client);
    let token = jar.tokens()[0].clone();
    let secret = sb.config().connect_client_secret;
    for fault in [
        json!({"kind": "status", "status": 503, "target": "connect", "count": 2}),
        json!({"kind": "status", "status": 200, "body": "<html>signed in!</html>", "target": "connect", "count": 2}),
        json!({"kind": "malformed", "target": "connect", "count": 2}),
        json!({"kind": "garbage", "target": "connect", "count": 2}),
        json!({"kind": "echo", "target": "connect", "count": 2}),
    ] {
        sb.clear_faults();
        sb.inject(fault.clone()).unwrap();
        let failure = from_refresh_token(&sb, &options, &token).err().unwrap();
        // Garbage that is not HTTP at all is a malformed answer; anything else the endpoint
        // says that is not a token is "unavailable": try again later, not "sign in again".
        let expected = match fault["kind"].as_str() {
            Some("garbage") => DINERO_STATUS_PROTOCOL,
            _ => DINERO_STATUS_AUTH_UNAVAILABLE,
        };
        assert_eq!(failure.status, expected, "{fault}: {failure:?}");
        assert_no_secret(&failure.message, &[&token, &secret]);
        assert!(
            !failure.message.contains("connect-test-secret"),
            "{}",
            failure.message
        );
    }
    sb.clear_faults();
    // A 401 with no OAuth error code (what a connect_url naming some other server gets): the
    // client's credentials refused, and the server that said so named.
    sb.inject(
        json!({"kind": "status", "status": 401, "body": "Unauthorized", "target": "connect"}),
    )
    .unwrap();
    let refused = from_refresh_token(&sb, &options, &token).err().unwrap();
    assert_eq!(
        refused.status, DINERO_STATUS_AUTH_REJECTED,
        "{}",
        refused.message
    );
    let server = sb.connect_url();
    let told = format!(
        "; the answer from {} held no OAuth error code: check connect_url too",
        server.trim_end_matches('/')
    );
    assert!(refused.message.ends_with(&told), "{}", refused.message);
    assert_no_secret(&refused.message, &[&token, &secret]);
    sb.clear_faults();
    // The refresh token already used elsewhere: sign in again.
    sb.inject(json!({"kind": "refresh_token_used"})).unwrap();
    let used = from_refresh_token(&sb, &options, &token).err().unwrap();
    assert_eq!(
        used.status, DINERO_STATUS_LOGIN_REQUIRED,
        "{}",
        used.message
    );
    assert_eq!(last_error(), used.message);
}

#[test]
fn shared_state_refreshes_once_for_every_client_and_hands_the_rotated_token_on() {
    let sb = sandbox_with(|c| {
        c.token_lifetime = Duration::from_secs(2);
        // No grace: a client refreshing with the token another one used would be refused.
        c.refresh_grace = Duration::from_millis(1);
    });
    let folder = tempfile::tempdir().unwrap();
    let dir = folder.path();
    let store = dir.join("shared").to_string_lossy().into_owned();
    let org = sb.config().organization_id.to_string();
    let jar = Jar::default();

    let without_name = connect_options(&sb, &jar, &[("shared_state", &store)]);
    let refused = failed_sign_in(&sb, &without_name);
    assert_eq!(refused.status, DINERO_STATUS_INVALID_ARGUMENT);
    assert!(
        refused.message.contains("grant_name"),
        "{}",
        refused.message
    );

    let shared = [
        ("shared_state", store.as_str()),
        ("grant_name", "customer-17"),
        ("organization_id", &org),
    ];
    let options = connect_options(&sb, &jar, &shared);
    let first = signed_in(&sb, &options);
    let token = jar.tokens()[0].clone();
    // Four more clients of the same grant, all from the token the sign-in stored.
    let others: Vec<Client> = (0..4)
        .map(|_| from_refresh_token(&sb, &options, &token).unwrap())
        .collect();
    sb.reset_stats();
    std::thread::sleep(Duration::from_millis(1900));
    for client in others.iter().chain([&first]) {
        let reply = client
            .request("GET", "/v1/{organizationId}/contacts", None)
            .unwrap();
        assert_eq!(reply.status, 200, "{}", reply.text());
    }
    let stats = connect_stats(&sb);
    assert_eq!(
        stats["refreshes"], 1,
        "one refresh for five clients: {stats}"
    );
    assert_eq!(stats["invalid_grants"], 0, "{stats}");
    assert_eq!(
        jar.tokens().len(),
        2,
        "the rotated token reached the callback once"
    );
}

/// A Redis server, and a sandbox whose tokens live `token_lifetime` and whose used refresh
/// tokens are refused a millisecond later.
fn redis_and_sandbox(
    token_lifetime: Duration,
) -> (redis_server::RedisServer, dinero_sandbox::Sandbox) {
    let redis = redis_server::RedisServer::start(redis_server::RedisOptions {
        password: None,
        tls: false,
    });
    let sb = sandbox_with(|c| {
        c.token_lifetime = token_lifetime;
        c.refresh_grace = Duration::from_millis(1);
    });
    (redis, sb)
}

#[test]
fn through_redis_a_stale_refresh_token_given_at_start_gives_way_to_the_stored_newest_one() {
    let (redis, sb) = redis_and_sandbox(Duration::from_secs(2));
    let org = sb.config().organization_id.to_string();
    let jar = Jar::default();
    let url = redis.url();
    let shared = [
        ("shared_state", url.as_str()),
        ("grant_name", "customer-42"),
        ("organization_id", &org),
    ];
    let options = connect_options(&sb, &jar, &shared);
    let first = signed_in(&sb, &options);
    let given = jar.tokens()[0].clone();
    // Another machine starts from the same stored token; past the refresh time both ask.
    let second = from_refresh_token(&sb, &options, &given).unwrap();
    std::thread::sleep(Duration::from_millis(1900));
    for client in [&first, &second] {
        assert_eq!(
            client
                .request("GET", "/v1/{organizationId}/contacts", None)
                .unwrap()
                .status,
            200
        );
    }
    assert_eq!(connect_stats(&sb)["refreshes"], 1, "{}", connect_stats(&sb));
    // A third starts later from the token the application kept first, now used up: the
    // store's newer one is used instead, and nothing is refused.
    std::thread::sleep(Duration::from_millis(50));
    let third = from_refresh_token(&sb, &options, &given).unwrap();
    sb.expire_tokens();
    assert_eq!(
        third
            .request("GET", "/v1/{organizationId}/contacts", None)
            .unwrap()
            .status,
        200
    );
    assert_eq!(
        connect_stats(&sb)["invalid_grants"],
        0,
        "{}",
        connect_stats(&sb)
    );
    // The store holds no credential in the clear, only the grant's tokens under hashed keys.
    let keys = std::process::Command::new("redis-cli")
        .args(["-p", &redis.port.to_string(), "--scan"])
        .output()
        .unwrap();
    let keys = String::from_utf8_lossy(&keys.stdout);
    assert!(keys.contains("refresh-token"), "{keys}");
    assert!(
        !keys.contains("customer-42") && !keys.contains(&sb.config().connect_client_id),
        "{keys}"
    );
}

#[test]
fn a_refresh_token_redis_could_not_take_is_stored_when_it_is_back_and_meanwhile_nobody_is_told_to_sign_in(
) {
    let (mut redis, sb) = redis_and_sandbox(Duration::from_secs(4));
    let org = sb.config().organization_id.to_string();
    let jar = Jar::default();
    let url = redis.url();
    let shared = [
        ("shared_state", url.as_str()),
        ("grant_name", "customer-7"),
        ("organization_id", &org),
        ("shared_state_timeout_ms", "500"),
    ];
    let options = connect_options(&sb, &jar, &shared);
    let path = "/v1/{organizationId}/contacts";
    let first = signed_in(&sb, &options);
    let second = from_refresh_token(&sb, &options, &jar.tokens()[0]).unwrap();
    redis.kill();
    // Past the refresh time (a tenth of the lifetime before its end), the first rotates the
    // refresh token; the store cannot take the new one.
    std::thread::sleep(Duration::from_millis(3700));
    assert_eq!(first.request("GET", path, None).unwrap().status, 200);
    assert_eq!(
        jar.tokens().len(),
        2,
        "the rotated token reached the callback"
    );
    // The second's token is spent now, and the store that would hold its successor is out
    // of reach: that is no reason to tell the user to sign in again.
    std::thread::sleep(Duration::from_millis(400)); // the second's access token has run out
    let meanwhile = second.request("GET", path, None).err().unwrap();
    assert_eq!(
        meanwhile.status, DINERO_STATUS_AUTH_UNAVAILABLE,
        "{}",
        meanwhile.message
    );
    assert!(
        meanwhile.message.contains("shared_state"),
        "{}",
        meanwhile.message
    );
    assert_no_secret(
        &meanwhile.message,
        &jar.tokens().iter().map(String::as_str).collect::<Vec<_>>(),
    );
    // Back (empty, as after a crash): the first's next request stores the kept token, and the
    // second refreshes with it.
    redis.restart();
    std::thread::sleep(Duration::from_millis(1100)); // past the store's one-second retry pause
    assert_eq!(first.request("GET", path, None).unwrap().status, 200);
    let reply = second.request("GET", path, None).unwrap();
    assert_eq!(reply.status, 200, "{}", reply.text());
}

/// Requests through `client` to `organization`'s contacts, each expected to be answered 200.
fn contacts_of(client: &Client, organization: u64, count: usize) {
    for _ in 0..count {
        let reply = call(
            client,
            "/v1/{organizationId}/contacts",
            json!({"organization_id": organization}),
        )
        .unwrap();
        assert_eq!(reply.status, 200, "{}", reply.text());
    }
}

#[test]
fn every_organization_a_sign_in_reaches_has_its_own_whole_budget() {
    // Dinero counts per organization and client id: three a minute each here.
    let sb = sandbox_with(|c| {
        c.rate_limit = 3;
        c.rate_window = Duration::from_secs(60);
        c.connect_organizations = Some(vec![5101, 5102]);
    });
    let jar = Jar::default();
    let lines = common::LogLines::default();
    let limits = [
        ("rate_limit_per_minute", "3"),
        ("rate_limit_window_ms", "60000"),
        ("max_retries", "0"),
    ];
    let options = connect_options(&sb, &jar, &limits);
    common::collect_logs(&options, &lines, 4);
    let client = signed_in(&sb, &options);
    contacts_of(&client, 5101, 3);
    // One organization's full window holds back none of another's requests.
    contacts_of(&client, 5102, 3);
    let waits: Vec<String> = lines
        .lock()
        .unwrap()
        .iter()
        .filter(|(_, line)| line.contains("for the rate limit"))
        .map(|(_, line)| line.clone())
        .collect();
    assert_eq!(waits, Vec::<String>::new());
    assert_eq!(common::responses_with(&sb, 429), 0);
}

#[test]
fn two_grants_of_one_organization_share_its_budget_through_shared_state() {
    // Two customers' users of one organization, each with a grant of their own.
    let sb = sandbox_with(|c| {
        c.rate_limit = 3;
        c.rate_window = Duration::from_millis(1500);
        c.connect_organizations = Some(vec![5201]);
    });
    let folder = tempfile::tempdir().unwrap();
    let dir = folder.path();
    let store = dir.join("shared").to_string_lossy().into_owned();
    let jar = Jar::default();
    let clients: Vec<Client> = ["accountant", "owner"]
        .iter()
        .map(|grant| {
            let options = connect_options(
                &sb,
                &jar,
                &[
                    ("shared_state", store.as_str()),
                    ("grant_name", grant),
                    ("rate_limit_per_minute", "3"),
                    ("rate_limit_window_ms", "1500"),
                    ("max_retries", "0"),
                ],
            );
            signed_in(&sb, &options)
        })
        .collect();
    contacts_of(&clients[0], 5201, 3);
    // The organization's window is full: the other grant waits for it, not into a 429.
    contacts_of(&clients[1], 5201, 3);
    assert_eq!(common::responses_with(&sb, 429), 0);
}
