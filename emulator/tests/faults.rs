//! End-to-end checks of the offline emulator's injected faults and of how it treats request
//! bodies it refuses or that stop arriving: the crate's own client, and raw HTTP.
mod support;

use std::time::Duration;

use azure_openai_audio::{AudioFormat, ChatRequest, ErrorKind, Message, Voice};
use azure_openai_audio_emulator::{Emulator, Fault};
use serde_json::{json, Value};
use support::*;

#[tokio::test]
async fn injected_rate_limits_and_server_errors_look_like_azure() {
    let emulator = Emulator::start().await.unwrap();
    let hi = json!({"messages": [{"role": "user", "content": "hi"}]});
    emulator.inject(Fault::rate_limit(Duration::from_millis(1500)), 1);
    emulator.inject(Fault::ServerError, 1);
    assert_eq!(emulator.pending_faults(), 2);
    let (status, headers, body) = post(&emulator, &hi).await;
    assert_eq!(status, 429);
    assert_eq!(headers["retry-after-ms"], "1500");
    assert_eq!(headers["retry-after"], "2");
    assert_eq!(body["error"]["code"], "429");
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("Please retry after 2 seconds"));
    let response = reqwest::Client::new()
        .post(url(&emulator, "d"))
        .header("api-key", "k")
        .header("x-ms-client-request-id", "my-trace-id")
        .body(hi.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 500);
    assert_eq!(response.headers()["x-ms-client-request-id"], "my-trace-id");
    assert!(response.headers().contains_key("x-request-id"));
    let body: Value = serde_json::from_str(&response.text().await.unwrap()).unwrap();
    assert_eq!(body["error"]["type"], "server_error");
    let (status, _, _) = post(&emulator, &hi).await;
    assert_eq!(status, 200);
    assert_eq!(emulator.requests_received(), 3);
    assert_eq!(emulator.pending_faults(), 0);

    // A dropped connection: no response at all, for exactly one request.
    emulator.inject(Fault::Disconnect, 1);
    let dropped = reqwest::Client::new()
        .post(url(&emulator, "d"))
        .header("api-key", "k")
        .body(hi.to_string())
        .send()
        .await;
    assert!(dropped.is_err(), "{dropped:?}");
    assert_eq!(emulator.requests_received(), 4);
    let (status, _, _) = post(&emulator, &hi).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn the_client_sees_injected_faults_as_typed_errors() {
    // Each fault is queued for more requests than a retrying client makes, so these checks hold
    // whatever retry policy the client has.
    const TIMES: usize = 8;
    let emulator = Emulator::start().await.unwrap();
    // Retries as usual, but with 1 ms backoffs: the test does not wait out the real backoff.
    let client = emulator
        .client_builder("d")
        .timeout(Duration::from_millis(300))
        .retry_policy(
            azure_openai_audio::RetryPolicy::default()
                .initial_backoff(Duration::from_millis(1))
                .max_backoff(Duration::from_millis(1)),
        )
        .build()
        .unwrap();
    let hi = ChatRequest::new([Message::user("hi")]);

    emulator.inject(Fault::rate_limit(Duration::from_millis(1)), TIMES);
    let e = client.chat().complete(&hi).await.unwrap_err();
    assert_eq!(e.status(), Some(429));
    assert!(e.is_rate_limited());
    assert_eq!(e.retry_after(), Some(Duration::from_millis(1)));
    emulator.clear_faults();

    emulator.inject(Fault::ServerError, TIMES);
    let e = client.chat().complete(&hi).await.unwrap_err();
    assert_eq!(e.status(), Some(500));
    assert!(e.is_retryable());
    emulator.clear_faults();

    emulator.inject(Fault::Delay(Duration::from_secs(60)), TIMES);
    let e = client.chat().complete(&hi).await.unwrap_err();
    assert!(e.is_timeout(), "{e:?}");
    emulator.clear_faults();

    emulator.inject(Fault::Disconnect, TIMES);
    let e = client.chat().complete(&hi).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Transport, "{e:?}");
    assert_eq!(e.status(), None);
    emulator.clear_faults();

    // A delay shorter than the timeout only delays.
    emulator.inject(Fault::Delay(Duration::from_millis(50)), 1);
    let start = std::time::Instant::now();
    let reply = client.chat().complete(&hi).await.unwrap();
    assert!(start.elapsed() >= Duration::from_millis(50));
    assert_eq!(reply.text(), Some("You said: hi."));
}

/// A request with about 2 MB of input audio, so its body is still being sent when an early
/// refusal (credential, fault) is decided.
fn big_audio_request() -> ChatRequest {
    let audio = azure_openai_audio::InputAudio::from_bytes(wav(24_000, 1, 1_000_000)).unwrap();
    ChatRequest::new([Message::user(vec![
        azure_openai_audio::ContentPart::text("Describe this recording."),
        azure_openai_audio::ContentPart::audio(audio),
    ])])
    .audio(Voice::Alloy, AudioFormat::Wav)
}

// Two threads, as an application's runtime: the client keeps sending while the server answers.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn early_refusals_of_a_large_body_reach_the_client_as_typed_errors() {
    let emulator = Emulator::builder()
        .api_key("right")
        .deployments(["d"])
        .start()
        .await
        .unwrap();
    let request = big_audio_request();
    let wrong = azure_openai_audio::Client::builder(
        emulator.endpoint(),
        "d",
        azure_openai_audio::Credential::api_key("wrong"),
    )
    .max_retries(0)
    .build()
    .unwrap();
    for attempt in 0..5 {
        let e = wrong.chat().complete(&request).await.unwrap_err();
        assert_eq!(e.status(), Some(401), "attempt {attempt}: {e:?}");
        assert_eq!(e.code(), Some("401"), "attempt {attempt}: {e:?}");
    }

    let right = emulator.client_builder("d").max_retries(0).build().unwrap();
    for attempt in 0..5 {
        emulator.inject(Fault::rate_limit(Duration::from_millis(1)), 1);
        let e = right.chat().complete(&request).await.unwrap_err();
        assert_eq!(e.status(), Some(429), "attempt {attempt}: {e:?}");
        assert!(e.is_rate_limited(), "attempt {attempt}: {e:?}");
        emulator.inject(Fault::ServerError, 1);
        let e = right.chat().complete(&request).await.unwrap_err();
        assert_eq!(e.status(), Some(500), "attempt {attempt}: {e:?}");
    }
    let old_version = emulator
        .client_builder("d")
        .api_version("2024-02-01")
        .max_retries(0)
        .build()
        .unwrap();
    let missing = emulator
        .client_builder("nope")
        .max_retries(0)
        .build()
        .unwrap();
    for attempt in 0..3 {
        let e = old_version.chat().complete(&request).await.unwrap_err();
        assert_eq!(e.status(), Some(400), "attempt {attempt}: {e:?}");
        assert_eq!(e.code(), Some("BadRequest"), "attempt {attempt}: {e:?}");
        let e = missing.chat().complete(&request).await.unwrap_err();
        assert_eq!(e.status(), Some(404), "attempt {attempt}: {e:?}");
        assert_eq!(
            e.code(),
            Some("DeploymentNotFound"),
            "attempt {attempt}: {e:?}"
        );
    }
    // The connection is still usable after each refusal: the body was read.
    let reply = right.chat().complete(&request).await.unwrap();
    assert!(reply
        .audio()
        .unwrap()
        .transcript
        .contains("I heard 41.67 seconds"));
}

/// Sends a request head (with `extra` header lines) announcing a 1 GB body, and the first bytes
/// of that body unless the head asks to `Expect: 100-continue`; nothing more is sent. Returns
/// the whole response (the emulator closes the connection after it).
async fn stalled_request(emulator: &Emulator, extra: &str) -> String {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let mut tcp = tokio::net::TcpStream::connect(emulator.local_addr())
        .await
        .unwrap();
    let start = if extra.contains("100-continue") {
        ""
    } else {
        "{\"messages\": ["
    };
    let head = format!(
        "POST /openai/deployments/d/chat/completions?api-version={API_VERSION} HTTP/1.1\r\n\
         host: localhost\r\n{extra}content-type: application/json\r\n\
         content-length: 1000000000\r\n\r\n{start}"
    );
    tcp.write_all(head.as_bytes()).await.unwrap();
    let mut response = Vec::new();
    // A guard, on the paused clock too: without the emulator's idle timeout this never ends.
    tokio::time::timeout(Duration::from_secs(120), tcp.read_to_end(&mut response))
        .await
        .expect("an answer within 120 idle seconds")
        .unwrap();
    String::from_utf8(response).unwrap()
}

// On the paused clock: the 30 idle seconds pass as soon as nothing else can happen.
#[tokio::test(start_paused = true)]
async fn a_body_that_stops_arriving_does_not_hold_the_connection_forever() {
    let emulator = Emulator::start().await.unwrap();
    let start = tokio::time::Instant::now();
    let key = format!("api-key: {}\r\n", emulator.api_key());
    let response = stalled_request(&emulator, &key).await;
    assert!(response.starts_with("HTTP/1.1 408 "), "{response}");
    assert!(response.contains("connection: close\r\n"), "{response}");
    assert!(
        response.contains("nothing was received for 30 seconds"),
        "{response}"
    );
    assert_eq!(start.elapsed(), Duration::from_secs(30));

    // A refusal decided before the body is read waits for it the same way, then is sent.
    let response = stalled_request(&emulator, "").await;
    assert!(response.starts_with("HTTP/1.1 401 "), "{response}");
    assert!(response.contains("connection: close\r\n"), "{response}");
    assert!(response.contains("invalid subscription key"), "{response}");
    assert_eq!(start.elapsed(), Duration::from_secs(60));

    // A client that waits for `100 Continue` is refused at once instead, without being asked
    // for a body that would be thrown away.
    let response = stalled_request(&emulator, "expect: 100-continue\r\n").await;
    assert!(response.starts_with("HTTP/1.1 401 "), "{response}");
    assert!(!response.contains("100 Continue"), "{response}");
    assert!(response.contains("connection: close\r\n"), "{response}");
    assert_eq!(start.elapsed(), Duration::from_secs(60), "no wait");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_over_64_mib_gets_a_413_not_a_broken_pipe() {
    let emulator = Emulator::start().await.unwrap();
    let http = reqwest::Client::new();
    let body = bytes::Bytes::from(vec![b' '; 72 * 1024 * 1024]);
    for attempt in 0..2 {
        let response = http
            .post(url(&emulator, "d"))
            .header("api-key", "k")
            .header("content-type", "application/json")
            .body(body.clone())
            .send()
            .await
            .unwrap_or_else(|e| panic!("attempt {attempt}: {e:?}"));
        assert_eq!(response.status(), 413, "attempt {attempt}");
        let text = response.text().await.unwrap();
        assert!(text.contains("RequestEntityTooLarge"), "{text}");
    }
}

/// A request to `/_emulator/faults`; returns the status and the JSON body.
async fn faults_route(
    emulator: &Emulator,
    method: reqwest::Method,
    key: &str,
    body: &str,
) -> (u16, Value) {
    let response = reqwest::Client::new()
        .request(method, format!("{}/_emulator/faults", emulator.endpoint()))
        .header("api-key", key)
        .body(body.to_owned())
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (
        status,
        serde_json::from_str(&response.text().await.unwrap()).unwrap(),
    )
}

#[tokio::test]
async fn faults_are_queued_over_http_for_clients_in_any_language() {
    use reqwest::Method;
    let emulator = Emulator::builder().api_key("k").start().await.unwrap();
    let hi = json!({"messages": [{"role": "user", "content": "hi"}]});
    let (status, body) = faults_route(
        &emulator,
        Method::POST,
        "k",
        r#"{"fault": "rate_limit", "retry_after_ms": 2500, "times": 2}"#,
    )
    .await;
    assert_eq!((status, body), (200, json!({"pending": 2})));
    let (status, body) =
        faults_route(&emulator, Method::POST, "k", r#"{"fault": "server_error"}"#).await;
    assert_eq!((status, body), (200, json!({"pending": 3})));
    assert_eq!(emulator.pending_faults(), 3);
    // The route itself consumes no fault, and needs the key.
    let (status, body) = faults_route(&emulator, Method::GET, "k", "").await;
    assert_eq!((status, body), (200, json!({"pending": 3})));
    let (status, body) = faults_route(&emulator, Method::GET, "wrong", "").await;
    assert_eq!(status, 401);
    assert_eq!(body["error"]["code"], "401");

    // They play in order on the chat route, as the Rust API's do.
    for _ in 0..2 {
        let (status, headers, _) = post(&emulator, &hi).await;
        assert_eq!(status, 429);
        assert_eq!(headers["retry-after-ms"], "2500");
    }
    let (status, _, _) = post(&emulator, &hi).await;
    assert_eq!(status, 500);
    let (status, _, _) = post(&emulator, &hi).await;
    assert_eq!(status, 200);

    // DELETE forgets them.
    let delay = r#"{"fault": "delay", "delay_ms": 60000, "times": 5}"#;
    let (status, body) = faults_route(&emulator, Method::POST, "k", delay).await;
    assert_eq!((status, body), (200, json!({"pending": 5})));
    let (status, body) = faults_route(&emulator, Method::DELETE, "k", "").await;
    assert_eq!((status, body), (200, json!({"pending": 0})));
    let (status, _, _) = post(&emulator, &hi).await;
    assert_eq!(status, 200);

    // Bad bodies are 400s that name the parameter; other paths under /_emulator/ are 404s.
    let (status, body) = faults_route(&emulator, Method::POST, "k", r#"{"fault": "meteor"}"#).await;
    assert_eq!(status, 400);
    assert_eq!(body["error"]["param"], "fault");
    let (status, body) = faults_route(&emulator, Method::POST, "k", "{not json").await;
    assert_eq!(status, 400);
    assert_eq!(body["error"]["type"], "invalid_request_error");
    let response = reqwest::Client::new()
        .get(format!("{}/_emulator/nothing", emulator.endpoint()))
        .header("api-key", "k")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
    assert_eq!(emulator.pending_faults(), 0);
}
