//! Retries against wiremock on loopback: which statuses are retried, the service's retry hints,
//! the retry budget, per-request options, and the body replayed on each attempt.
//! Delays run on tokio's paused clock: a test asserts the least time that must have passed.

mod common;

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use azure_openai_audio::{
    ChatRequest, Client, ContentPart, Credential, ErrorKind, InputAudio, Message, RequestOptions,
    RetryBudget, RetryPolicy,
};
use common::{paused_builder, request, Tokens, COMPLETION};
use tokio::time::Instant;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

/// A server that answers `first` `times` times, then 200 with a completion.
async fn serve_then_ok(first: ResponseTemplate, times: u64) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(first)
        .up_to_n_times(times)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(COMPLETION, "application/json"))
        .mount(&server)
        .await;
    server
}

async fn seen(server: &MockServer) -> usize {
    server.received_requests().await.unwrap().len()
}

fn status(code: u16) -> ResponseTemplate {
    ResponseTemplate::new(code).set_body_raw(
        format!(r#"{{"error":{{"code":"{code}","message":"failed"}}}}"#),
        "application/json",
    )
}

fn too_many(message: &str) -> ResponseTemplate {
    ResponseTemplate::new(429)
        .set_body_raw(
            format!(r#"{{"error":{{"code":"429","message":"{message}"}}}}"#),
            "application/json",
        )
        .insert_header("x-request-id", "req-429")
        .insert_header("apim-request-id", "apim-429")
        .insert_header("x-ratelimit-remaining-requests", "0")
        .insert_header("x-ratelimit-remaining-tokens", "12")
}

#[tokio::test(start_paused = true)]
async fn transient_statuses_are_retried_then_succeed() {
    for code in [408, 409, 429, 500, 502, 503, 504] {
        let server = serve_then_ok(status(code), 1).await;
        let client = paused_builder(&server.uri()).build().unwrap();
        let reply = client.chat().complete(&request()).await;
        assert!(reply.is_ok(), "{code}: {reply:?}");
        assert_eq!(seen(&server).await, 2, "{code}");
    }
}

#[tokio::test(start_paused = true)]
async fn a_service_that_keeps_failing_gets_retries_plus_one_attempts_with_backoff() {
    let server = serve_then_ok(status(503), u64::MAX).await;
    let client = paused_builder(&server.uri()).build().unwrap();
    let start = Instant::now();
    let err = client.chat().complete(&request()).await.unwrap_err();
    // Two backoffs: 0.5 s and 1 s, each cut by at most a quarter.
    assert!(
        start.elapsed() >= Duration::from_millis(1125),
        "{:?}",
        start.elapsed()
    );
    assert_eq!(seen(&server).await, 3);
    assert_eq!(err.kind(), ErrorKind::Api);
    assert_eq!(err.status(), Some(503));
    assert_eq!(err.last_status(), Some(503));
    assert_eq!(err.attempts(), 3);
    assert!(err.is_retryable());

    // Per request: more retries, or none.
    let options = RequestOptions::new().max_retries(5);
    let err = client
        .chat()
        .complete_with(&request(), &options)
        .await
        .unwrap_err();
    assert_eq!(err.attempts(), 6);
    assert_eq!(seen(&server).await, 3 + 6);
    let none = RequestOptions::new().max_retries(0);
    let err = client
        .chat()
        .complete_with(&request(), &none)
        .await
        .unwrap_err();
    assert_eq!(err.attempts(), 1);
    assert_eq!(seen(&server).await, 3 + 6 + 1);

    // Per client: off.
    let off = paused_builder(&server.uri())
        .max_retries(0)
        .build()
        .unwrap();
    let err = off.chat().complete(&request()).await.unwrap_err();
    assert_eq!(err.attempts(), 1);
    assert_eq!(seen(&server).await, 3 + 6 + 1 + 1);
}

#[tokio::test(start_paused = true)]
async fn client_errors_and_content_filter_rejections_are_not_retried() {
    let filter = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/recordings/azure-error-400-content-filter.api-2024-10-21.cassette.yaml"
    ))
    .unwrap();
    // The recorded body is the single-quoted YAML scalar after `string: `.
    let body = filter
        .split("string: '")
        .nth(1)
        .unwrap()
        .split("'\n")
        .next()
        .unwrap();
    let body = body.replace("''", "'").replace("\n        ", " ");
    for (code, template, filtered) in [
        (400, status(400), false),
        (401, status(401), false),
        (403, status(403), false),
        (404, status(404), false),
        (
            400,
            ResponseTemplate::new(400).set_body_raw(body, "application/json"),
            true,
        ),
    ] {
        let server = serve_then_ok(template, u64::MAX).await;
        let client = paused_builder(&server.uri()).build().unwrap();
        let err = client.chat().complete(&request()).await.unwrap_err();
        assert_eq!(seen(&server).await, 1, "{code}");
        assert_eq!(err.kind(), ErrorKind::Api);
        assert_eq!(err.status(), Some(code));
        assert_eq!(err.attempts(), 1);
        assert_eq!(err.is_content_filter(), filtered);
    }
}

#[tokio::test(start_paused = true)]
async fn x_should_retry_overrides_the_status() {
    let server = serve_then_ok(status(503).insert_header("x-should-retry", "false"), 1).await;
    let client = paused_builder(&server.uri()).build().unwrap();
    let err = client.chat().complete(&request()).await.unwrap_err();
    assert_eq!((seen(&server).await, err.status()), (1, Some(503)));
    assert_eq!((err.kind(), err.attempts()), (ErrorKind::Api, 1));

    let server = serve_then_ok(status(400).insert_header("x-should-retry", "true"), 1).await;
    let client = paused_builder(&server.uri()).build().unwrap();
    client.chat().complete(&request()).await.unwrap();
    assert_eq!(seen(&server).await, 2);
}

#[tokio::test(start_paused = true)]
async fn each_retry_hint_is_honoured() {
    let in_five_seconds = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(5));
    let cases: Vec<(&str, ResponseTemplate, Duration)> = vec![
        (
            "retry-after-ms",
            too_many("slow down").insert_header("retry-after-ms", "1500"),
            Duration::from_millis(1500),
        ),
        (
            "x-ms-retry-after-ms",
            too_many("slow down").insert_header("x-ms-retry-after-ms", "2500"),
            Duration::from_millis(2500),
        ),
        (
            "retry-after seconds",
            too_many("slow down").insert_header("retry-after", "3"),
            Duration::from_secs(3),
        ),
        (
            "retry-after date",
            too_many("slow down").insert_header("retry-after", in_five_seconds.as_str()),
            Duration::from_secs(3),
        ),
        (
            "message",
            too_many("Please retry after 4 seconds."),
            Duration::from_secs(4),
        ),
    ];
    for (name, template, at_least) in cases {
        let server = serve_then_ok(template, 1).await;
        let client = paused_builder(&server.uri()).build().unwrap();
        let start = Instant::now();
        client.chat().complete(&request()).await.unwrap();
        assert!(start.elapsed() >= at_least, "{name}: {:?}", start.elapsed());
        assert_eq!(seen(&server).await, 2, "{name}");
    }
}

#[tokio::test(start_paused = true)]
async fn retry_hints_are_read_in_order_of_precision() {
    // Were the 24-hour hint read first, the client would give up after one request.
    let day = "86400";
    for template in [
        too_many("slow down")
            .insert_header("retry-after-ms", "1500")
            .insert_header("x-ms-retry-after-ms", day)
            .insert_header("retry-after", day),
        too_many("slow down")
            .insert_header("x-ms-retry-after-ms", "1500")
            .insert_header("retry-after", day),
        too_many("Please retry after 86400 seconds.").insert_header("retry-after", "2"),
    ] {
        let server = serve_then_ok(template, 1).await;
        let client = paused_builder(&server.uri()).build().unwrap();
        client.chat().complete(&request()).await.unwrap();
        assert_eq!(seen(&server).await, 2);
    }
}

#[tokio::test(start_paused = true)]
async fn a_delay_above_the_cap_is_returned_not_slept_on() {
    for template in [
        too_many("slow down").insert_header("retry-after", "86400"),
        too_many("Requests have exceeded token rate limit of your current pricing tier. Please retry after 86400 seconds."),
    ] {
        let server = serve_then_ok(template, 1).await;
        let client = paused_builder(&server.uri()).build().unwrap();
        let start = Instant::now();
        let err = client.chat().complete(&request()).await.unwrap_err();
        assert!(start.elapsed() < Duration::from_secs(60), "{:?}", start.elapsed());
        assert_eq!(seen(&server).await, 1);
        assert_eq!(err.kind(), ErrorKind::Api);
        assert!(err.is_rate_limited());
        assert_eq!(err.retry_after(), Some(Duration::from_secs(86400)));
        assert_eq!(err.attempts(), 1);
        assert_eq!(err.request_id(), Some("req-429"));
        let m = err.metadata().unwrap();
        assert_eq!(m.apim_request_id.as_deref(), Some("apim-429"));
        assert_eq!(m.ratelimit_remaining_requests, Some(0));
        assert_eq!(m.ratelimit_remaining_tokens, Some(12));
    }
    // A higher cap sleeps on it.
    let server = serve_then_ok(
        too_many("slow down").insert_header("retry-after", "3600"),
        1,
    )
    .await;
    let policy = RetryPolicy::default().max_retry_after(Duration::from_secs(7200));
    let client = paused_builder(&server.uri())
        .retry_policy(policy)
        .build()
        .unwrap();
    let start = Instant::now();
    client.chat().complete(&request()).await.unwrap();
    assert!(start.elapsed() >= Duration::from_secs(3600));
    assert_eq!(seen(&server).await, 2);
}

#[tokio::test(start_paused = true)]
async fn the_retry_budget_is_shared_by_the_client_and_its_clones() {
    let server = serve_then_ok(status(503), u64::MAX).await;
    // Room for two retries.
    let budget = RetryBudget::default().capacity(10).retry_cost(5);
    let client = paused_builder(&server.uri())
        .retry_budget(budget)
        .build()
        .unwrap();
    let err = client.chat().complete(&request()).await.unwrap_err();
    assert_eq!((err.attempts(), seen(&server).await), (3, 3));
    let clone = client.clone();
    let err = clone.chat().complete(&request()).await.unwrap_err();
    assert_eq!((err.attempts(), seen(&server).await), (1, 4));
    let other_deployment = client.with_deployment("other").unwrap();
    let err = other_deployment
        .chat()
        .complete(&request())
        .await
        .unwrap_err();
    assert_eq!((err.attempts(), seen(&server).await), (1, 5));

    // Without a budget only max_retries limits.
    let unlimited = paused_builder(&server.uri())
        .retry_budget(None)
        .build()
        .unwrap();
    for _ in 0..5 {
        assert_eq!(
            unlimited
                .chat()
                .complete(&request())
                .await
                .unwrap_err()
                .attempts(),
            3
        );
    }
    assert_eq!(seen(&server).await, 5 + 15);
}

#[tokio::test(start_paused = true)]
async fn each_attempt_replays_the_same_body_with_audio_read_again_from_its_file() {
    let mut wav = Vec::new();
    wav.extend_from_slice(b"RIFF\x24\x10\x00\x00WAVEfmt ");
    wav.extend((0..4096u32).map(|i| (i * 7 % 251) as u8));
    let path = std::env::temp_dir().join(format!("aoa-retry-{}.wav", std::process::id()));
    std::fs::write(&path, &wav).unwrap();
    let audio = InputAudio::from_file(&path).await.unwrap();
    let request = ChatRequest::new([Message::user(vec![
        ContentPart::text("what is this?"),
        ContentPart::audio(audio),
    ])]);

    let server = serve_then_ok(status(503), 2).await;
    let tokens = Arc::new(Tokens::new("token"));
    let client = Client::builder(
        server.uri(),
        "dep",
        Credential::from_provider(tokens.clone()),
    )
    .timeout(None)
    .connect_timeout(None)
    .build()
    .unwrap();
    client.chat().complete(&request).await.unwrap();
    std::fs::remove_file(&path).unwrap();

    let received = server.received_requests().await.unwrap();
    assert_eq!(received.len(), 3);
    use base64::Engine as _;
    let encoded = base64::engine::general_purpose::STANDARD.encode(&wav);
    assert!(String::from_utf8_lossy(&received[0].body).contains(&encoded));
    for r in &received {
        assert_eq!(r.body, received[0].body);
        assert_eq!(r.headers["authorization"], "Bearer token-1");
    }
    // One token from the cache for every attempt.
    assert_eq!(tokens.calls(), 1);
}

/// Answers 503 to the first request after writing `replacement` over the audio file (same
/// length), then 200: what the retry sends shows whether the audio was read from the file again.
struct RewriteThen503 {
    path: std::path::PathBuf,
    replacement: Vec<u8>,
    seen: AtomicU32,
}

impl wiremock::Respond for RewriteThen503 {
    fn respond(&self, _: &wiremock::Request) -> ResponseTemplate {
        if self.seen.fetch_add(1, Ordering::SeqCst) == 0 {
            std::fs::write(&self.path, &self.replacement).unwrap();
            return status(503);
        }
        ResponseTemplate::new(200).set_body_raw(COMPLETION, "application/json")
    }
}

#[tokio::test(start_paused = true)]
async fn a_retry_reads_the_audio_file_again_rather_than_keeping_a_copy() {
    use base64::Engine as _;
    let wav_a = common::wav(50_000, 16_000); // 100 KB: more than one read of the file
    let mut wav_b = wav_a.clone();
    for b in &mut wav_b[44..] {
        *b = b.wrapping_add(1);
    }
    let path = common::temp_file("retry-reread", "dog.wav", &wav_a);
    let request = ChatRequest::new([Message::user(vec![ContentPart::audio(
        InputAudio::from_file(&path).await.unwrap(),
    )])]);
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(RewriteThen503 {
            path: path.clone(),
            replacement: wav_b.clone(),
            seen: AtomicU32::new(0),
        })
        .mount(&server)
        .await;
    let client = paused_builder(&server.uri()).build().unwrap();
    client.chat().complete(&request).await.unwrap();

    let received = server.received_requests().await.unwrap();
    assert_eq!(received.len(), 2);
    let b64 = |bytes: &[u8]| base64::engine::general_purpose::STANDARD.encode(bytes);
    let bodies: Vec<_> = received
        .iter()
        .map(|r| String::from_utf8_lossy(&r.body).into_owned())
        .collect();
    assert!(bodies[0].contains(&b64(&wav_a)));
    assert!(
        bodies[1].contains(&b64(&wav_b)),
        "the retry sent the old audio"
    );
}

#[tokio::test(start_paused = true)]
async fn the_retry_budget_is_on_by_default() {
    // 500 tokens, 5 a retry: 50 requests to a service that always fails get their 2 retries
    // each; then the budget is spent and the next request is tried once.
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(status(503))
        .mount(&server)
        .await;
    let client = paused_builder(&server.uri()).build().unwrap();
    for i in 0..50 {
        let e = client.chat().complete(&request()).await.unwrap_err();
        assert_eq!(e.attempts(), 3, "request {i}");
    }
    let e = client.chat().complete(&request()).await.unwrap_err();
    assert_eq!((e.attempts(), e.status()), (1, Some(503)));
    assert_eq!(server.received_requests().await.unwrap().len(), 50 * 3 + 1);
}
