//! Streaming against a real local HTTP server that sends recorded streams in small, awkward pieces.

#[path = "support/dribble.rs"]
mod dribble;

use std::io::Cursor;
use std::task::Poll;
use std::time::Duration;

use azure_openai_audio::{
    AudioFormat, ChatRequest, Client, Credential, ErrorKind, Message, Pcm16WavWriter,
    RequestOptions, StreamAccumulator, Voice,
};
use dribble::{End, Reply, Server};
use futures_util::StreamExt;

const RECORDING: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/recordings/azure-chat-streaming-sse-async-content-filter.2025-01-01-preview.recording-excerpt.json"
);
const AUDIO_FIXTURE: &[u8] = include_bytes!("fixtures/azure-chat-audio-streaming.sse");
/// Odd sizes, none a multiple of an event's length: events and CRLFs get cut everywhere.
const AWKWARD: &[usize] = &[1, 2, 3, 5, 7, 11, 13, 17, 64, 333, 1, 1, 1, 1000];

/// The recording's body and response headers, verbatim.
fn recording() -> (Vec<u8>, Vec<(String, String)>) {
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(RECORDING).unwrap()).unwrap();
    let entry = &json["Entries"][0];
    let body: String = entry["ResponseBody"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e.as_str().unwrap())
        .collect();
    let headers = entry["ResponseHeaders"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(k, _)| !["Transfer-Encoding", "Connection"].contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()))
        .collect();
    (body.into_bytes(), headers)
}

fn fixture_pcm() -> Vec<u8> {
    (0..2400i32)
        .flat_map(|k| ((k * 977 % 65536 - 32768) as i16).to_le_bytes())
        .collect()
}

/// The byte just after the `n`-th event (`\n\n`) of the LF fixture.
fn after_events(n: usize) -> usize {
    AUDIO_FIXTURE
        .windows(2)
        .enumerate()
        .filter(|(_, w)| w == b"\n\n")
        .nth(n - 1)
        .unwrap()
        .0
        + 2
}

fn client(server: &Server) -> Client {
    Client::new(
        server.endpoint(),
        "gpt-4o-audio-preview",
        Credential::api_key("test-key"),
    )
    .unwrap()
}

fn audio_request() -> ChatRequest {
    ChatRequest::new([Message::user("Is a golden retriever a good family dog?")])
        .audio(Voice::Alloy, AudioFormat::Pcm16)
}

#[tokio::test]
async fn recorded_azure_stream_in_awkward_pieces() {
    let (body, headers) = recording();
    let mut reply = Reply::sse(body, AWKWARD);
    reply.headers = headers;
    let server = Server::start(reply).await;
    let request = ChatRequest::new([Message::user(
        "Hello, assistant! What popular kinds of fruit are yellow and grow on trees?",
    )]);

    let mut stream = client(&server).chat().stream(&request).await.unwrap();
    assert_eq!(
        stream.metadata().request_id(),
        Some("a6ccd2da-7043-4316-a669-07c7ec88cc47")
    );
    assert_eq!(stream.metadata().ratelimit_remaining_tokens, Some(118023));
    let mut acc = stream.accumulator();
    let mut chunks = 0;
    while let Some(chunk) = stream.next().await {
        acc.push(&chunk.unwrap());
        chunks += 1;
    }
    assert_eq!(chunks, 10);
    let reply = acc.into_completion();
    assert_eq!(reply.text(), Some("Hello! benefits!"));
    assert_eq!(reply.usage.unwrap().total_tokens, 226);
    assert_eq!(reply.prompt_filter_results.len(), 1);
    assert!(reply.choices[0]
        .content_filter_results
        .as_ref()
        .unwrap()
        .any_filtered());
    assert_eq!(
        reply.metadata.request_id(),
        Some("a6ccd2da-7043-4316-a669-07c7ec88cc47")
    );

    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    let r = &requests[0];
    assert_eq!(r.method, "POST");
    assert_eq!(
        r.target,
        "/openai/deployments/gpt-4o-audio-preview/chat/completions?api-version=2025-04-01-preview"
    );
    assert_eq!(r.header("accept"), Some("text/event-stream"));
    assert_eq!(r.header("api-key"), Some("test-key"));
    let json = r.json();
    assert_eq!(json["stream"], true);
    assert_eq!(
        json["stream_options"],
        serde_json::json!({"include_usage": true})
    );
    // The caller's request is not changed by streaming it.
    assert!(serde_json::to_value(&request)
        .unwrap()
        .get("stream")
        .is_none());
}

#[tokio::test]
async fn audio_stream_with_crlf_and_comments_accumulates_and_writes_a_wav() {
    let body = String::from_utf8(AUDIO_FIXTURE.to_vec())
        .unwrap()
        .replace("\n\n", "\n: keep-alive\n\n")
        .replace('\n', "\r\n");
    let server = Server::start(Reply::sse(body, AWKWARD)).await;
    let mut stream = client(&server)
        .chat()
        .stream(&audio_request())
        .await
        .unwrap();

    let mut acc = StreamAccumulator::new();
    let mut wav_file = Cursor::new(Vec::new());
    let mut wav = Pcm16WavWriter::new(&mut wav_file).unwrap();
    let mut transcript = String::new();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.unwrap();
        acc.push(&chunk);
        transcript.push_str(chunk.transcript_delta().unwrap_or_default());
        if let Some(pcm) = chunk.audio_delta() {
            wav.write_pcm16(pcm).unwrap();
            wav.flush().unwrap();
        }
        assert_eq!(acc.transcript(), transcript, "usable mid-stream");
    }
    assert_eq!(wav.finalize().unwrap(), 2400);

    let reply = acc.into_completion();
    let audio = reply.audio().unwrap();
    assert_eq!(transcript, "Yes, golden retrievers are great family dogs.");
    assert_eq!(audio.transcript, transcript);
    assert_eq!(audio.data.as_bytes(), fixture_pcm());
    assert_eq!(audio.id, "audio_6799a9c7c6b48190a3c4e8f2b7d1e5a3");
    assert_eq!(audio.expires_at, Some(1738127056));
    assert_eq!(reply.usage.unwrap().total_tokens, 78);

    let mut wav = hound::WavReader::new(Cursor::new(wav_file.into_inner())).unwrap();
    let spec = wav.spec();
    assert_eq!(
        (spec.channels, spec.sample_rate, spec.bits_per_sample),
        (1, 24_000, 16)
    );
    let samples: Vec<u8> = wav
        .samples::<i16>()
        .flat_map(|s| s.unwrap().to_le_bytes())
        .collect();
    assert_eq!(samples, fixture_pcm());

    let json = server.requests()[0].json();
    assert_eq!(
        json["audio"],
        serde_json::json!({"voice": "alloy", "format": "pcm16"})
    );
    assert_eq!(json["modalities"], serde_json::json!(["text", "audio"]));
}

#[tokio::test]
async fn collect_completion_equals_the_accumulated_chunks() {
    let server = Server::start(Reply::sse(AUDIO_FIXTURE, &[4096, 3])).await;
    let reply = client(&server)
        .chat()
        .stream(&audio_request())
        .await
        .unwrap()
        .collect_completion()
        .await
        .unwrap();
    assert_eq!(reply.audio().unwrap().data.as_bytes(), fixture_pcm());
    assert_eq!(reply.object, "chat.completion");
}

#[tokio::test]
async fn error_status_is_returned_before_any_chunk() {
    let server = Server::start(
        Reply::json(
            429,
            r#"{"error":{"code":"429","message":"Requests to the ChatCompletions_Create Operation have exceeded rate limit."}}"#,
        )
        .header("x-request-id", "req-429")
        .header("retry-after-ms", "1500"),
    )
    .await;
    let err = client(&server)
        .chat()
        .stream(&audio_request())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Api);
    assert_eq!(err.status(), Some(429));
    assert_eq!(err.code(), Some("429"));
    assert_eq!(err.request_id(), Some("req-429"));
    assert_eq!(err.retry_after(), Some(Duration::from_millis(1500)));
}

#[tokio::test]
async fn audio_other_than_pcm16_is_refused_before_sending() {
    let server = Server::start(Reply::sse(AUDIO_FIXTURE, AWKWARD)).await;
    let request = ChatRequest::new([Message::user("hi")]).audio(Voice::Alloy, AudioFormat::Wav);
    let err = client(&server).chat().stream(&request).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert!(err.to_string().contains("pcm16"), "{err}");
    assert_eq!(
        server.connections.load(std::sync::atomic::Ordering::SeqCst),
        0
    );
}

#[tokio::test]
async fn error_event_mid_stream_is_a_typed_error_and_ends_the_stream() {
    let body = concat!(
        "data: {\"id\":\"chatcmpl-1\",\"choices\":[{\"index\":0,\"delta\":{\"audio\":{\"id\":\"audio_1\",\"transcript\":\"Yes\"}}}]}\n\n",
        "data: {\"error\":{\"code\":\"server_error\",\"message\":\"The server had an error while processing your request.\"}}\n\n",
        "data: [DONE]\n\n",
    );
    let server = Server::start(Reply::sse(body, AWKWARD).header("x-request-id", "req-e")).await;
    let mut stream = client(&server)
        .chat()
        .stream(&audio_request())
        .await
        .unwrap();
    assert!(stream.next().await.unwrap().is_ok());
    let err = stream.next().await.unwrap().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Api);
    assert_eq!(err.code(), Some("server_error"));
    assert_eq!(err.request_id(), Some("req-e"));
    assert!(stream.next().await.is_none());
}

#[tokio::test]
async fn broken_connection_mid_stream_is_a_transport_error() {
    let body = &AUDIO_FIXTURE[..AUDIO_FIXTURE.len() / 2];
    let server = Server::start(Reply::sse(body, AWKWARD).end(End::Abort)).await;
    let mut stream = client(&server)
        .chat()
        .stream(&audio_request())
        .await
        .unwrap();
    let mut ok = 0;
    let err = loop {
        match stream.next().await.expect("an error before the end") {
            Ok(_) => ok += 1,
            Err(e) => break e,
        }
    };
    assert!(ok > 0);
    assert_eq!(err.kind(), ErrorKind::Transport);
    assert!(err.is_retryable());
    assert!(stream.next().await.is_none());
}

#[tokio::test]
async fn stream_that_ends_without_done_is_an_error() {
    let body = b"data: {\"id\":\"chatcmpl-1\",\"choices\":[]}\n\ndata: {\"id\":\"chatcmpl-1\",\"choices\":[]}";
    let server = Server::start(Reply::sse(&body[..], AWKWARD)).await;
    let mut stream = client(&server)
        .chat()
        .stream(&audio_request())
        .await
        .unwrap();
    assert!(stream.next().await.unwrap().is_ok());
    assert!(
        stream.next().await.unwrap().is_ok(),
        "the last event has no blank line"
    );
    let err = stream.next().await.unwrap().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Transport);
    assert!(err.to_string().contains("[DONE]"), "{err}");
    assert!(stream.next().await.is_none());
}

#[tokio::test]
async fn done_ends_the_stream_even_if_the_server_keeps_the_body_open() {
    let server = Server::start(Reply::sse(AUDIO_FIXTURE, AWKWARD).end(End::Hold)).await;
    let reply = client(&server)
        .chat()
        .stream(&audio_request())
        .await
        .unwrap()
        .collect_completion()
        .await
        .unwrap();
    assert_eq!(reply.audio().unwrap().data.as_bytes(), fixture_pcm());
}

#[tokio::test]
async fn dropping_the_stream_closes_the_connection() {
    // Two events, then the server holds the connection open until the client closes it (it
    // says so only when its read gives EOF or a write fails).
    let body = &AUDIO_FIXTURE[..after_events(2)];
    let server = Server::start(Reply::sse(body, AWKWARD).end(End::Hold)).await;
    let mut stream = client(&server)
        .chat()
        .stream(&audio_request())
        .await
        .unwrap();
    let first = stream.next().await.unwrap().unwrap();
    assert!(!first.prompt_filter_results.is_empty());
    assert!(!server
        .client_closed
        .load(std::sync::atomic::Ordering::SeqCst));
    drop(stream);
    assert!(
        server.wait_client_closed(Duration::from_secs(20)).await,
        "the connection was not closed after the stream was dropped"
    );
}

#[tokio::test]
async fn an_idle_timeout_of_duration_max_waits_for_ever() {
    // The server stops after two events until it is released: the stream has to wait.
    let server =
        Server::start(Reply::sse(AUDIO_FIXTURE, AWKWARD).pause_after(after_events(2))).await;
    let options = RequestOptions::new().idle_timeout(Duration::MAX);
    let mut stream = client(&server)
        .chat()
        .stream_with(&audio_request(), &options)
        .await
        .unwrap();
    let mut acc = stream.accumulator();
    for _ in 0..2 {
        acc.push(&stream.next().await.unwrap().unwrap());
    }
    server.wait_paused().await;
    // Nothing more has been sent: the stream is pending (with no deadline to compute), not
    // panicking on `now + Duration::MAX` nor ending with a timeout.
    let polled = std::future::poll_fn(|cx| Poll::Ready(stream.poll_next_unpin(cx))).await;
    assert!(polled.is_pending(), "{polled:?}");
    server.release();
    while let Some(chunk) = stream.next().await {
        acc.push(&chunk.unwrap());
    }
    let reply = acc.into_completion();
    assert_eq!(reply.audio().unwrap().data.as_bytes(), fixture_pcm());
    assert_eq!(reply.usage.unwrap().total_tokens, 78);
}
