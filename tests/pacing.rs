//! The client stays under the rate limit by itself: a burst against a sandbox that enforces
//! the same limit draws no 429 at all, across threads.

mod common;
use common::*;
use std::sync::Arc;

fn limited_sandbox() -> Sandbox {
    sandbox_with(|c| {
        c.rate_limit = 20;
        c.rate_window = ms(1000);
    })
}

#[test]
fn a_burst_from_threads_is_paced_into_zero_429s() {
    let sb = limited_sandbox();
    let client = Arc::new(
        Client::to_with(
            &sb,
            &[
                ("rate_limit_per_minute", "20"),
                ("rate_limit_window_ms", "1000"),
                ("max_retries", "0"),
            ],
        )
        .unwrap(),
    );
    let threads: Vec<_> = (0..4)
        .map(|_| {
            let client = client.clone();
            std::thread::spawn(move || {
                (0..12)
                    .map(|_| client.get("/v1/organizations").status)
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    for t in threads {
        assert!(t.join().unwrap().iter().all(|s| *s == 200));
    }
    assert_eq!(responses_with(&sb, 429), 0);
    assert_eq!(route_count(&sb, "GET /v1/organizations"), 48);
}

#[test]
fn without_pacing_the_same_burst_is_refused_with_dineros_429() {
    // Dinero's own one-minute window, which a run never outlasts: the counts below do not
    // depend on how fast the requests go.
    let sb = sandbox_with(|c| {
        c.rate_limit = 20;
        c.rate_window = ms(60_000);
    });
    let client =
        Client::to_with(&sb, &[("rate_limit_per_minute", "0"), ("max_retries", "0")]).unwrap();
    let statuses: Vec<u16> = (0..30)
        .map(|_| client.get("/v1/organizations").status)
        .collect();
    assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 20);
    assert_eq!(statuses.iter().filter(|s| **s == 429).count(), 10);
    let refused = client.get("/v1/organizations");
    assert_eq!(refused.status, 429);
    assert_eq!(
        refused.text(),
        "API calls quota exceeded! maximum admitted 20 per 1m."
    );
}

#[test]
fn without_pacing_retries_still_get_every_request_through() {
    let sb = sandbox_with(|c| {
        c.rate_limit = 10;
        c.rate_window = ms(500);
    });
    let client = Client::to_with(
        &sb,
        &[
            ("rate_limit_per_minute", "0"),
            ("max_retries", "10"),
            ("retry_base_delay_ms", "50"),
            ("retry_max_delay_ms", "400"),
        ],
    )
    .unwrap();
    for _ in 0..25 {
        assert_eq!(client.get("/v1/organizations").status, 200);
    }
    assert!(responses_with(&sb, 429) > 0, "the burst did hit the limit");
}
