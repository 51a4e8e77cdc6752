//! Text to speech (`client.speech()`) when things go wrong, against local servers: retries (a
//! 503, a connection that breaks before or after the first audio), the idle timeout, the service's
//! errors, the reply-size cap, a failing writer, and the checks made before anything is sent.
//! Delays run on tokio's paused clock.

mod common;
#[path = "support/speech.rs"]
mod speech_support;

use std::time::Duration;

use azure_openai_audio::{ErrorKind, RequestOptions, SpeechRequest, Voice};
use common::{chunked_reply, Act, RawServer};
use futures_util::StreamExt;
use serde_json::json;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

use speech_support::*;

#[tokio::test(start_paused = true)]
async fn a_503_then_200_is_retried_with_the_same_body_for_every_call() {
    let (audio, reply) = recorded_mp3();
    let server = MockServer::start().await;
    let path = temp_path("retry", "speech.mp3");
    let request = SpeechRequest::new("hello, world!", Voice::Alloy).speed(0.5);
    let client = client(&server.uri());
    for call in ["create", "stream", "to_file", "to_writer"] {
        server.reset().await;
        Mock::given(method("POST"))
            .respond_with(ResponseTemplate::new(503).set_body_raw(
                r#"{"error":{"code":"ServiceUnavailable","message":"busy"}}"#,
                "application/json",
            ))
            .up_to_n_times(1)
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .respond_with(reply.clone())
            .mount(&server)
            .await;
        let got = match call {
            "create" => client
                .speech()
                .create(&request)
                .await
                .unwrap()
                .as_bytes()
                .to_vec(),
            "stream" => {
                let mut s = client.speech().stream(&request).await.unwrap();
                let mut v = Vec::new();
                while let Some(c) = s.next().await {
                    v.extend_from_slice(&c.unwrap());
                }
                v
            }
            "to_file" => {
                client.speech().to_file(&request, &path).await.unwrap();
                std::fs::read(&path).unwrap()
            }
            _ => to_memory(&client, &request).await.1,
        };
        assert_eq!(got, audio, "{call}");
        let received = server.received_requests().await.unwrap();
        assert_eq!(received.len(), 2, "{call}");
        assert_eq!(received[0].body, received[1].body, "{call}");
        let body = check_speech(&received[1], DEPLOYMENTS_PATH, QUERY, OCTETS);
        assert_eq!(
            body,
            json!({"input": "hello, world!", "voice": "alloy", "speed": 0.5})
        );
    }
    std::fs::remove_dir_all(path.parent().unwrap()).unwrap();
}

#[tokio::test(start_paused = true)]
async fn a_break_before_any_audio_is_retried_and_a_break_after_is_not() {
    let head = common::chunked_head("audio/mpeg");
    let whole = chunked_reply("audio/mpeg", &[b"all-of-it"]);
    // First attempt: the head, then the connection closes before any audio.
    let server = RawServer::start(move |n| match n {
        0 => Act::CloseAfter(head.clone()),
        _ => Act::Reply(whole.clone()),
    })
    .await;
    let first = client(&server.uri());
    let request = SpeechRequest::new("hello", Voice::Alloy);
    let path = temp_path("break", "speech.mp3");
    assert_eq!(first.speech().to_file(&request, &path).await.unwrap(), 9);
    assert_eq!(std::fs::read(&path).unwrap(), b"all-of-it");
    assert_eq!(server.requests(), 2);

    // Audio arrives, then the connection closes mid-body: not retried, the file keeps what came.
    let mut partial = common::chunked_head("audio/mpeg");
    partial.extend(common::chunk(b"first-part"));
    let server = RawServer::start(move |_| Act::CloseAfter(partial.clone())).await;
    let client = client(&server.uri());
    let err = client.speech().to_file(&request, &path).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Transport, "{err}");
    assert!(
        err.to_string().ends_with(&format!(
            "(after 10 bytes of audio were written to {})",
            path.display()
        )),
        "{err}"
    );
    assert_eq!(err.request_id(), Some("req-chunked-1"));
    assert_eq!(std::fs::read(&path).unwrap(), b"first-part");
    assert_eq!(server.requests(), 1);
    std::fs::remove_dir_all(path.parent().unwrap()).unwrap();
}

#[tokio::test(start_paused = true)]
async fn a_stream_that_goes_quiet_ends_with_the_idle_timeout() {
    let mut stalled = common::chunked_head("audio/pcm");
    stalled.extend(common::chunk(b"some"));
    let server = RawServer::start(move |_| Act::Stall(stalled.clone())).await;
    let client = client(&server.uri());
    let options = RequestOptions::new().idle_timeout(Duration::from_secs(5));
    let mut stream = client
        .speech()
        .stream_with(&SpeechRequest::new("hello", Voice::Alloy), &options)
        .await
        .unwrap();
    assert_eq!(&stream.next().await.unwrap().unwrap()[..], b"some");
    let err = stream.next().await.unwrap().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout);
    assert_eq!(err.request_id(), Some("req-chunked-1"));
    assert!(stream.next().await.is_none());
}

#[tokio::test]
async fn an_azure_400_is_a_typed_error_and_no_file_is_made() {
    let server = serving(
        ResponseTemplate::new(400)
            .set_body_raw(
                r#"{"error":{"message":"Invalid value: 'nova2'. Supported values are: 'alloy', 'echo', 'fable', 'onyx', 'nova', and 'shimmer'.","type":"invalid_request_error","param":"voice","code":"invalid_value"}}"#,
                "application/json",
            )
            .insert_header("apim-request-id", "req-400"),
    )
    .await;
    let client = client(&server.uri());
    let path = temp_path("400", "speech.wav");
    let request = SpeechRequest::new("hello", "nova2");
    let err = client.speech().to_file(&request, &path).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Api);
    assert_eq!(err.status(), Some(400));
    assert_eq!(err.code(), Some("invalid_value"));
    assert_eq!(err.request_id(), Some("req-400"));
    assert_eq!(err.api_error().unwrap().param.as_deref(), Some("voice"));
    assert!(!err.is_retryable());
    assert!(!path.exists(), "a failed request leaves no file");
    let err = client.speech().create(&request).await.unwrap_err();
    assert_eq!(err.code(), Some("invalid_value"));
    assert_eq!(
        server.received_requests().await.unwrap().len(),
        2,
        "not retried"
    );
    std::fs::remove_dir_all(path.parent().unwrap()).unwrap();
}

#[tokio::test(start_paused = true)]
async fn a_429_waits_as_long_as_retry_after_says_or_is_returned_with_it() {
    let (audio, reply) = recorded_mp3();
    let server = MockServer::start().await;
    let throttled = ResponseTemplate::new(429)
        .set_body_raw(
            r#"{"error":{"code":"429","message":"Requests to the Speech API have exceeded the rate limit. Please retry after 20 seconds."}}"#,
            "application/json",
        )
        .insert_header("retry-after", "20")
        .insert_header("x-request-id", "req-429");
    Mock::given(method("POST"))
        .respond_with(throttled)
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(reply)
        .mount(&server)
        .await;
    let client = client(&server.uri());
    let request = SpeechRequest::new("hello", Voice::Alloy);
    let started = tokio::time::Instant::now();
    let speech = client.speech().create(&request).await.unwrap();
    assert_eq!(speech.as_bytes(), &audio[..]);
    assert!(started.elapsed() >= Duration::from_secs(20));

    // Without retries, the caller sees the 429 and the delay asked for.
    server.reset().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(429)
                .set_body_raw(
                    r#"{"error":{"code":"429","message":"slow down"}}"#,
                    "application/json",
                )
                .insert_header("retry-after", "20")
                .insert_header("x-request-id", "req-429"),
        )
        .mount(&server)
        .await;
    let options = RequestOptions::new().max_retries(0);
    let err = client
        .speech()
        .to_writer_with(&request, Vec::new(), &options)
        .await
        .unwrap_err();
    assert!(err.is_rate_limited());
    assert_eq!(err.retry_after(), Some(Duration::from_secs(20)));
    assert_eq!(err.request_id(), Some("req-429"));
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

#[tokio::test]
async fn bad_input_is_refused_before_anything_is_sent() {
    let server = serving(ResponseTemplate::new(200)).await;
    let client = client(&server.uri());
    let long = SpeechRequest::new("é".repeat(4_097), Voice::Alloy);
    let err = client.speech().create(&long).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert!(
        err.to_string()
            .contains("4097 characters long, over the limit of 4096"),
        "{err}"
    );
    let fast = SpeechRequest::new("hi", Voice::Alloy).speed(4.5);
    let err = client.speech().stream(&fast).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid input: `speed` is 4.5, outside 0.25 to 4.0"
    );
    let err = client.speech().events(&fast).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    let ok = SpeechRequest::new("hi", Voice::Alloy);
    let err = client
        .speech()
        .deployment(" ")
        .create(&ok)
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid input: the speech deployment name is empty"
    );
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn create_is_bounded_by_max_reply_size_and_the_stream_is_not() {
    let big = vec![7u8; 4_000];
    let reply = chunked_reply("audio/pcm", &[&big[..2_000], &big[2_000..]]);
    let server = RawServer::start(move |_| Act::Reply(reply.clone())).await;
    let client = builder(&server.uri())
        .max_reply_size(3_000)
        .build()
        .unwrap();
    let request = SpeechRequest::new("hello", Voice::Alloy);
    let err = client.speech().create(&request).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ReplyTooLarge);
    assert_eq!(to_memory(&client, &request).await, (4_000, big));
}

#[tokio::test]
async fn a_writer_that_fails_is_an_io_error_and_is_not_retried() {
    // A pipe whose other end is gone: every write fails.
    let (full, gone) = tokio::io::duplex(64);
    drop(gone);
    let (_, reply) = recorded_mp3();
    let server = serving(reply).await;
    let client = client(&server.uri());
    let err = client
        .speech()
        .to_writer(&SpeechRequest::new("hi", Voice::Alloy), full)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Io);
    assert_eq!(err.to_string(), "io error: cannot write the writer");
    let source = std::error::Error::source(&err).unwrap();
    assert_eq!(
        source.downcast_ref::<std::io::Error>().unwrap().kind(),
        std::io::ErrorKind::BrokenPipe
    );
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}
