//! Routing through the real `Client` against several wiremock servers, on tokio's paused clock
//! (request and connect timeouts off: the paused clock jumps to the next timer while the runtime
//! waits for sockets). Each test asserts what the servers received and how much simulated time
//! the requests took.

mod common;
#[path = "support/routing.rs"]
mod support;

use std::time::Duration;

use azure_openai_audio::routing::{
    Backend, CircuitConfig, CircuitState, Limits, Pool, RoutingConfig,
};
use azure_openai_audio::{Api, Credential, ErrorKind};
use common::{request, KEY};
use support::{backend, builder, ok, routed, seen, server, status, too_many, S};
use tokio::time::Instant;

#[tokio::test(start_paused = true)]
async fn a_429_backend_and_a_failing_one_beside_a_healthy_one_cost_no_wait() {
    let limited = server(too_many(60), 1, Some(ok())).await;
    let failing = server(status(500), 3, Some(ok())).await;
    let healthy = server(ok(), u64::MAX, None).await;
    let circuit = CircuitConfig::default().failure_threshold(3).pause(10 * S);
    let client = routed(
        vec![
            backend(&limited, "a"),
            backend(&failing, "b"),
            backend(&healthy, "c"),
        ],
        RoutingConfig::default().circuit(circuit),
    );
    let t0 = Instant::now();
    for i in 0..20 {
        let start = Instant::now();
        client.chat().complete(&request()).await.unwrap();
        assert_eq!(start.elapsed(), Duration::ZERO, "request {i} waited");
    }
    // The 429 backend got one request, the failing one three (then its circuit opened).
    assert_eq!((seen(&limited).await, seen(&failing).await), (1, 3));
    assert_eq!(seen(&healthy).await, 20);
    let states = client.routing(Api::Chat).unwrap();
    assert_eq!(states[0].cooling_down_until, Some(t0.into_std() + 60 * S));
    assert_eq!(states[0].rate_limited, 1);
    assert_eq!(
        states[1].circuit,
        CircuitState::Open {
            until: t0.into_std() + 10 * S
        }
    );
    assert_eq!(states[1].failures, 3);
    assert!(states.iter().all(|s| s.in_flight == 0), "{states:?}");

    // After the pause, one probe goes to the failing backend (which has recovered) and its
    // circuit closes; the 429 backend still gets nothing during its cool-down.
    tokio::time::advance(10 * S).await;
    for _ in 0..10 {
        client.chat().complete(&request()).await.unwrap();
    }
    assert_eq!(seen(&limited).await, 1);
    assert_eq!(seen(&failing).await, 3 + 5);
    let states = client.routing(Api::Chat).unwrap();
    assert_eq!(states[1].circuit, CircuitState::Closed);

    // After its cool-down, the 429 backend gets its share again.
    tokio::time::advance(50 * S).await;
    for _ in 0..9 {
        client.chat().complete(&request()).await.unwrap();
    }
    let after = seen(&limited).await - 1;
    assert!((2..=4).contains(&after), "{after} of 9");
    assert_eq!(t0.elapsed(), 60 * S);
}

#[tokio::test(start_paused = true)]
async fn priority_spills_over_and_returns() {
    let ptu = server(ok(), u64::MAX, None).await;
    let paygo = server(ok(), u64::MAX, None).await;
    let client = routed(
        vec![
            backend(&ptu, "ptu").limits(Limits::new().requests_per_minute(2)),
            backend(&paygo, "paygo").priority(1),
        ],
        RoutingConfig::default(),
    );
    for _ in 0..5 {
        client.chat().complete(&request()).await.unwrap();
    }
    assert_eq!((seen(&ptu).await, seen(&paygo).await), (2, 3));
    tokio::time::advance(60 * S).await;
    for _ in 0..2 {
        client.chat().complete(&request()).await.unwrap();
    }
    assert_eq!((seen(&ptu).await, seen(&paygo).await), (4, 3));
}

#[tokio::test(start_paused = true)]
async fn the_client_side_limit_holds_over_a_simulated_minute() {
    let only = server(ok(), u64::MAX, None).await;
    let client = routed(
        vec![backend(&only, "small").limits(Limits::new().requests_per_minute(3))],
        RoutingConfig::default(),
    );
    let t0 = Instant::now();
    let mut sent = Vec::new();
    for _ in 0..9 {
        client.chat().complete(&request()).await.unwrap();
        sent.push(t0.elapsed());
    }
    // Three at once, then three a minute later, then three more: never four in 60 s.
    assert_eq!(sent[2], Duration::ZERO);
    assert_eq!(sent[3], 60 * S);
    assert_eq!(sent[8], 120 * S);
    for four in sent.windows(4) {
        assert!(four[3] - four[0] >= 60 * S, "{sent:?}");
    }
    assert_eq!(seen(&only).await, 9);
}

#[tokio::test(start_paused = true)]
async fn when_all_are_cooling_down_the_request_waits_for_the_first_back() {
    let a = server(too_many(20), 1, Some(ok())).await;
    let b = server(too_many(10), 1, Some(ok())).await;
    let client = routed(
        vec![backend(&a, "a"), backend(&b, "b")],
        RoutingConfig::default(),
    );
    let start = Instant::now();
    client.chat().complete(&request()).await.unwrap();
    assert_eq!(start.elapsed(), 10 * S);
    assert_eq!((seen(&a).await, seen(&b).await), (1, 2));
}

#[tokio::test(start_paused = true)]
async fn beyond_max_retry_after_the_429_is_returned_listing_the_backends() {
    let a = server(too_many(120), u64::MAX, None).await;
    let b = server(too_many(300), u64::MAX, None).await;
    let client = routed(
        vec![backend(&a, "dep-a"), backend(&b, "dep-b")],
        RoutingConfig::default(),
    );
    let start = Instant::now();
    let err = client.chat().complete(&request()).await.unwrap_err();
    assert_eq!(start.elapsed(), Duration::ZERO);
    assert_eq!(
        (err.status(), err.retry_after()),
        (Some(429), Some(300 * S))
    );
    let tried = err.backends_tried();
    assert_eq!(tried.len(), 2, "{tried:?}");
    assert_eq!(
        (tried[0].id.index(), tried[0].deployment.as_str()),
        (0, "dep-a")
    );
    assert_eq!(
        (tried[1].status, tried[1].host.as_str()),
        (Some(429), "127.0.0.1")
    );
    let text = err.to_string();
    assert!(
        text.contains("tried backend 0 (127.0.0.1, dep-a): 429, backend 1 (127.0.0.1, dep-b): 429"),
        "{text}"
    );
    assert!(!text.contains(KEY) && !format!("{err:?}").contains(KEY));
}

#[tokio::test(start_paused = true)]
async fn a_request_that_failed_everywhere_says_what_each_backend_answered() {
    let a = server(status(503), u64::MAX, None).await;
    let b = server(status(500), u64::MAX, None).await;
    let client = routed(
        vec![backend(&a, "a"), backend(&b, "b")],
        RoutingConfig::default(),
    );
    let err = client.chat().complete(&request()).await.unwrap_err();
    // Two retries (the policy's default), alternating between the backends.
    let answered: Vec<_> = err
        .backends_tried()
        .iter()
        .map(|t| (t.id.index(), t.status))
        .collect();
    assert_eq!(answered, [(0, Some(503)), (1, Some(500)), (0, Some(503))]);
    assert_eq!((err.kind(), err.attempts()), (ErrorKind::Api, 3));
    assert!(
        err.to_string().contains("backend 1 (127.0.0.1, b): 500"),
        "{err}"
    );

    // A connection refused is listed by its kind.
    let closed = Backend::new("http://127.0.0.1:1".parse().unwrap(), "gone");
    let client = routed(vec![closed], RoutingConfig::default());
    let err = client
        .chat()
        .complete_with(
            &request(),
            &azure_openai_audio::RequestOptions::new().max_retries(0),
        )
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("tried backend 0 (127.0.0.1, gone): transport"),
        "{err}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_backend_credential_goes_to_its_backend_only() {
    let a = server(ok(), u64::MAX, None).await;
    let b = server(ok(), u64::MAX, None).await;
    let own = "sk-backend-b-1234";
    let client = routed(
        vec![
            backend(&a, "a"),
            backend(&b, "b").credential(Credential::api_key(own)),
        ],
        RoutingConfig::default(),
    );
    for _ in 0..4 {
        client.chat().complete(&request()).await.unwrap();
    }
    let keys = |requests: Vec<wiremock::Request>| -> Vec<String> {
        requests
            .iter()
            .map(|r| common::header(r, "api-key").unwrap_or_default().to_owned())
            .collect()
    };
    assert_eq!(keys(a.received_requests().await.unwrap()), [KEY, KEY]);
    assert_eq!(keys(b.received_requests().await.unwrap()), [own, own]);
    assert!(!format!("{client:?}").contains(own));
}

#[tokio::test(start_paused = true)]
async fn a_cancelled_request_releases_its_backend() {
    let slow = server(ok().set_delay(3600 * S), u64::MAX, None).await;
    let client = routed(vec![backend(&slow, "slow")], RoutingConfig::default());
    let task = {
        let client = client.clone();
        tokio::spawn(async move { client.chat().complete(&request()).await })
    };
    while seen(&slow).await == 0 {
        tokio::task::yield_now().await;
    }
    assert_eq!(client.routing(Api::Chat).unwrap()[0].in_flight, 1);
    task.abort();
    assert!(task.await.unwrap_err().is_cancelled());
    let state = &client.routing(Api::Chat).unwrap()[0];
    assert_eq!((state.requests, state.in_flight), (1, 0));
}

#[tokio::test(start_paused = true)]
async fn other_apis_and_explicit_deployments_are_not_routed() {
    let own = server(ok(), u64::MAX, None).await;
    let pooled = server(ok(), u64::MAX, None).await;
    let pool = Pool::new([backend(&pooled, "pooled")], RoutingConfig::default()).unwrap();
    let client = builder(&own.uri())
        .routing(Api::Speech, pool)
        .build()
        .unwrap();
    client.chat().complete(&request()).await.unwrap();
    assert_eq!((seen(&own).await, seen(&pooled).await), (1, 0));
    assert!(client.routing(Api::Chat).is_none());
    assert_eq!(client.routing(Api::Speech).unwrap().len(), 1);
    let unrouted = client.with_deployment_for(Api::Speech, "tts").unwrap();
    assert!(unrouted.routing(Api::Speech).is_none());
}

#[tokio::test(start_paused = true)]
async fn a_wait_for_a_limit_ends_when_a_circuit_probe_succeeds() {
    use azure_openai_audio_emulator::{Emulator, Fault};
    // Preferred: an emulator failing three times (its circuit opens), then slow to answer the
    // probe; after it: one limited to a request a minute.
    let flaky = Emulator::start().await.unwrap();
    flaky.inject(Fault::ServerError, 3);
    flaky.inject(Fault::Delay(5 * S), 1);
    let small = Emulator::start().await.unwrap();
    let circuit = CircuitConfig::default().failure_threshold(3).pause(10 * S);
    let pool = Pool::new(
        [
            Backend::new(flaky.endpoint().parse().unwrap(), "flaky"),
            Backend::new(small.endpoint().parse().unwrap(), "small")
                .priority(1)
                .limits(Limits::new().requests_per_minute(1)),
        ],
        RoutingConfig::default().circuit(circuit),
    )
    .unwrap();
    let client = builder("http://127.0.0.1:1")
        .max_retries(0)
        .routing(Api::Chat, pool)
        .build()
        .unwrap();
    for _ in 0..3 {
        let err = client.chat().complete(&request()).await.unwrap_err();
        assert_eq!(err.status(), Some(500));
    }
    client.chat().complete(&request()).await.unwrap();
    assert_eq!(
        small.requests_received(),
        1,
        "the small one's minute is used"
    );

    // The pause over, the probe goes to the flaky one and takes 5 s; meanwhile another request
    // finds the small one limited for 50 s more and the flaky one probing: it waits.
    tokio::time::advance(10 * S).await;
    let probe = tokio::spawn({
        let client = client.clone();
        async move { client.chat().complete(&request()).await }
    });
    while client.routing(Api::Chat).unwrap()[0].in_flight == 0 {
        tokio::task::yield_now().await;
    }
    let start = Instant::now();
    client.chat().complete(&request()).await.unwrap();
    // The probe's success ended the wait: 5 s, not the small one's 50.
    assert_eq!(start.elapsed(), 5 * S);
    probe.await.unwrap().unwrap();
    assert_eq!(flaky.requests_received(), 5);
    assert_eq!(small.requests_received(), 1);
    let states = client.routing(Api::Chat).unwrap();
    assert_eq!(states[0].circuit, CircuitState::Closed);
}
