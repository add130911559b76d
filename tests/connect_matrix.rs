//! The Visma Connect rows of the fault matrix: every way a sign-in or a refresh can go wrong,
//! what the caller gets (the status, through the C API) and what Visma Connect saw (the
//! sandbox's own counters). Every message is checked for every secret of the flow. The table
//! is written to target/reliability/connect.md and must match docs/RELIABILITY.md
//! (`make reliability` regenerates the doc).

mod common;

use common::connect::*;
use common::{Client, Failed, Sandbox};
use dinero::ffi::status::*;
use serde_json::{json, Value};
use std::fmt::Write as _;
use std::sync::Arc;
use std::time::Duration;

fn status_name(status: dinero_status) -> &'static str {
    match status {
        DINERO_STATUS_OK => "OK",
        DINERO_STATUS_INVALID_ARGUMENT => "INVALID_ARGUMENT",
        DINERO_STATUS_AUTH_REJECTED => "AUTH_REJECTED",
        DINERO_STATUS_AUTH_UNAVAILABLE => "AUTH_UNAVAILABLE",
        DINERO_STATUS_PROTOCOL => "PROTOCOL",
        DINERO_STATUS_NETWORK => "NETWORK",
        DINERO_STATUS_LOGIN_REQUIRED => "LOGIN_REQUIRED",
        _ => "other",
    }
}

/// One case's outcome: the statuses the caller got, the messages, and the secrets in play.
struct Outcome {
    statuses: Vec<dinero_status>,
    messages: Vec<String>,
    secrets: Vec<String>,
}

impl Outcome {
    fn of(results: Vec<Result<(), Failed>>, secrets: Vec<String>) -> Outcome {
        let statuses = results
            .iter()
            .map(|r| r.as_ref().err().map_or(DINERO_STATUS_OK, |f| f.status))
            .collect();
        let messages = results
            .into_iter()
            .filter_map(|r| r.err())
            .map(|f| f.message)
            .collect();
        Outcome {
            statuses,
            messages,
            secrets,
        }
    }

    fn cell(&self) -> String {
        let first = self.statuses[0];
        let name = status_name(first);
        match self.statuses.iter().all(|s| *s == first) {
            true if self.statuses.len() > 1 => format!("{name} ×{}", self.statuses.len()),
            true => name.to_string(),
            false => self
                .statuses
                .iter()
                .map(|s| status_name(*s))
                .collect::<Vec<_>>()
                .join(", then "),
        }
    }
}

fn saw(sb: &Sandbox) -> String {
    let c = &sb.stats()["connect"];
    let n = |k: &str| c[k].as_u64().unwrap_or(0);
    let mut parts = Vec::new();
    for (key, one, many) in [
        ("code_exchanges", "code exchange", "code exchanges"),
        ("refreshes", "refresh", "refreshes"),
        ("invalid_grants", "refused grant", "refused grants"),
    ] {
        match n(key) {
            0 => {}
            1 => parts.push(format!("1 {one}")),
            k => parts.push(format!("{k} {many}")),
        }
    }
    let token_requests = sb.stats()["routes"]["POST /connect/token"]
        .as_u64()
        .unwrap_or(0);
    let plural = if token_requests == 1 { "" } else { "s" };
    if parts.is_empty() {
        parts.push(format!("{token_requests} token request{plural}"));
    } else if token_requests > n("code_exchanges") + n("refreshes") + n("invalid_grants") {
        parts.push(format!("{token_requests} token requests in all"));
    }
    parts.join(", ")
}

/// A sign-in up to the browser's answer: the authorization, the callback and their secrets.
fn started(sb: &Sandbox, jar: &Jar) -> (common::Options, Value, String, Vec<String>) {
    let options = connect_options(sb, jar, &[("max_retries", "2")]);
    let authorization = authorize(sb, &options, REDIRECT);
    let callback = browser(authorization["url"].as_str().unwrap());
    let code = form_urlencoded::parse(callback.as_bytes())
        .find(|(k, _)| k == "code")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default();
    let secrets = vec![
        code,
        authorization["code_verifier"].as_str().unwrap().to_string(),
        sb.config().connect_client_secret,
    ];
    (options, authorization, callback, secrets)
}

/// A signed-in grant's refresh token, then the stats reset so the row counts only its case.
fn refresh_token_of(sb: &Sandbox, jar: &Jar) -> String {
    let (options, authorization, callback, _) = started(sb, jar);
    drop(sign_in(sb, &options, &authorization, &callback).unwrap());
    sb.reset_stats();
    jar.tokens().last().unwrap().clone()
}

type Case = fn() -> (Outcome, String);

fn sign_in_case(adjust: fn(&mut Value, &mut String, &Sandbox)) -> (Outcome, String) {
    let sb = sandbox_with(|c| c.code_lifetime = Duration::from_millis(300));
    let jar = Jar::default();
    let (options, mut authorization, mut callback, mut secrets) = started(&sb, &jar);
    adjust(&mut authorization, &mut callback, &sb);
    let result = sign_in(&sb, &options, &authorization, &callback).map(drop);
    secrets.extend(jar.tokens());
    (Outcome::of(vec![result], secrets), saw(&sb))
}

fn refresh_case(
    adjust: fn(&mut dinero_sandbox::Config),
    between: fn(&Sandbox, &str),
) -> (Outcome, String) {
    let sb = sandbox_with(adjust);
    let jar = Jar::default();
    let token = refresh_token_of(&sb, &jar);
    between(&sb, &token);
    let options = connect_options(&sb, &jar, &[("max_retries", "2")]);
    let result = from_refresh_token(&sb, &options, &token).map(drop);
    let mut secrets = jar.tokens();
    secrets.push(sb.config().connect_client_secret);
    (Outcome::of(vec![result], secrets), saw(&sb))
}

const CASES: &[(&str, Case)] = &[
    ("sign-in as it should go", || sign_in_case(|_, _, _| {})),
    ("forged state in the browser's answer", || {
        sign_in_case(|_, callback, _| *callback = callback.replace("state=", "state=x"))
    }),
    ("the user refuses consent", || {
        sign_in_case(|authorization, callback, sb| {
            sb.inject(json!({"kind": "consent_refused"})).unwrap();
            *callback = browser(authorization["url"].as_str().unwrap());
        })
    }),
    ("another PKCE verifier", || {
        sign_in_case(|authorization, _, _| authorization["code_verifier"] = json!("B".repeat(43)))
    }),
    ("another redirect URI", || {
        sign_in_case(|authorization, _, _| {
            authorization["redirect_uri"] = json!("http://127.0.0.1:10/other")
        })
    }),
    ("an expired code", || {
        sign_in_case(|_, _, _| std::thread::sleep(Duration::from_millis(400)))
    }),
    ("a code used twice", || {
        let sb = sandbox_with(|_| {});
        let jar = Jar::default();
        let (options, authorization, callback, mut secrets) = started(&sb, &jar);
        let results = (0..2)
            .map(|_| sign_in(&sb, &options, &authorization, &callback).map(drop))
            .collect();
        secrets.extend(jar.tokens());
        (Outcome::of(results, secrets), saw(&sb))
    }),
    ("a wrong client secret", || {
        let sb = sandbox_with(|_| {});
        let jar = Jar::default();
        let (options, authorization, callback, secrets) = started(&sb, &jar);
        let c = sb.config();
        let mut client = std::ptr::null_mut();
        let result = common::check(unsafe {
            dinero::ffi::connect::dinero_connect_authenticate_code(
                common::cstr(&c.connect_client_id).as_ptr(),
                common::cstr("not-the-secret-7c1d").as_ptr(),
                common::cstr(&authorization.to_string()).as_ptr(),
                common::cstr(&callback).as_ptr(),
                options.0,
                &mut client,
            )
        });
        let mut secrets = secrets;
        secrets.push("not-the-secret-7c1d".into());
        (Outcome::of(vec![result], secrets), saw(&sb))
    }),
    ("refresh token revoked, 8 threads × 5 requests", || {
        let sb = sandbox_with(|_| {});
        let jar = Jar::default();
        let org = sb.config().organization_id.to_string();
        let options = connect_options(&sb, &jar, &[("organization_id", &org)]);
        let (_, authorization, callback, mut secrets) = started(&sb, &jar);
        let client = Arc::new(sign_in(&sb, &options, &authorization, &callback).unwrap());
        sb.revoke_connect_grants();
        sb.expire_tokens();
        sb.reset_stats();
        let threads: Vec<_> = (0..8)
            .map(|_| {
                let client: Arc<Client> = Arc::clone(&client);
                std::thread::spawn(move || {
                    (0..5)
                        .map(|_| {
                            client
                                .request("GET", "/v1/{organizationId}/contacts", None)
                                .map(drop)
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        let results = threads
            .into_iter()
            .flat_map(|t| t.join().unwrap())
            .collect();
        secrets.extend(jar.tokens());
        (Outcome::of(results, secrets), saw(&sb))
    }),
    ("refresh token expired", || {
        refresh_case(|_| {}, |sb, _| sb.expire_refresh_tokens())
    }),
    ("refresh token already used elsewhere", || {
        refresh_case(
            |_| {},
            |sb, _| sb.inject(json!({"kind": "refresh_token_used"})).unwrap(),
        )
    }),
    ("rotated token used again within the grace period", || {
        refresh_case(
            |c| c.refresh_grace = Duration::from_secs(30),
            |sb, token| {
                let jar = Jar::default();
                from_refresh_token(sb, &connect_options(sb, &jar, &[]), token).unwrap();
                sb.reset_stats();
            },
        )
    }),
    ("rotated token used again after the grace period", || {
        refresh_case(
            |c| c.refresh_grace = Duration::from_millis(1),
            |sb, token| {
                let jar = Jar::default();
                from_refresh_token(sb, &connect_options(sb, &jar, &[]), token).unwrap();
                std::thread::sleep(Duration::from_millis(20));
                sb.reset_stats();
            },
        )
    }),
    ("token endpoint down (503 every time)", || {
        refresh_case(
            |_| {},
            |sb, _| {
                sb.inject(
                    json!({"kind": "status", "status": 503, "target": "connect", "count": 10}),
                )
                .unwrap()
            },
        )
    }),
    ("token endpoint answers 200 with a web page", || {
        refresh_case(
            |_| {},
            |sb, _| {
                sb.inject(json!({"kind": "status", "status": 200, "body": "<html>hi</html>", "target": "connect", "count": 10}))
                .unwrap()
            },
        )
    }),
    ("token endpoint answers bytes that are not HTTP", || {
        refresh_case(
            |_| {},
            |sb, _| {
                sb.inject(json!({"kind": "garbage", "target": "connect", "count": 10}))
                    .unwrap()
            },
        )
    }),
    ("token endpoint echoes the request back", || {
        refresh_case(
            |_| {},
            |sb, _| {
                sb.inject(json!({"kind": "echo", "target": "connect", "count": 10}))
                    .unwrap()
            },
        )
    }),
];

#[test]
fn every_visma_connect_failure_has_a_clear_status_and_leaks_nothing() {
    let mut table = String::from("| case | the caller got | Visma Connect saw |\n|---|---|---|\n");
    for (name, case) in CASES {
        let (outcome, seen) = case();
        for message in &outcome.messages {
            for secret in outcome.secrets.iter().filter(|s| s.len() >= 6) {
                assert!(
                    !message.contains(secret.as_str()),
                    "{name}: a secret leaked: {message}"
                );
            }
        }
        writeln!(table, "| {name} | {} | {seen} |", outcome.cell()).unwrap();
    }
    println!("{table}");
    common::reliability::publish("connect.md", &table);
}
