//! Text to speech (`client.speech()`) against local servers: each request checked on the wire
//! (route in both shapes, query, headers, body), the recorded replies (mp3 chunked without a
//! Content-Length, the SSE stream), every way to receive the audio, retries, errors, and the
//! checks made before anything is sent. Delays run on tokio's paused clock.

mod common;

use std::time::Duration;

use azure_openai_audio::{
    Api, Client, ClientBuilder, Credential, ErrorKind, RequestOptions, Route, SpeechEvent,
    SpeechFormat, SpeechRequest, SpeechUsage, Voice,
};
use base64::Engine as _;
use common::{chunked_reply, header, Act, RawServer, KEY};
use futures_util::StreamExt;
use serde_json::{json, Value};
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

const MP3: &str = "audio-api/azure-speech-mp3.tts.2025-01-01-preview.recording.json";
const SSE: &str = "audio-api/openai-speech-streaming-sse.gpt-4o-mini-tts.recording-excerpt.json";

/// A client whose chat deployment is not the speech one, so a mix-up shows in the path.
fn builder(endpoint: &str) -> ClientBuilder {
    Client::builder(endpoint, "chat-dep", Credential::api_key(KEY))
        .deployment_for(Api::Speech, "tts")
        .timeout(None)
        .connect_timeout(None)
        .stream_idle_timeout(None)
}

fn client(endpoint: &str) -> Client {
    builder(endpoint).build().unwrap()
}

/// The recorded mp3 (cut to its first 384 bytes) and the recorded reply, headers included.
fn recorded_mp3() -> (Vec<u8>, ResponseTemplate) {
    let e = common::entry(MP3, 0);
    let audio = base64::engine::general_purpose::STANDARD
        .decode(e["ResponseBody"].as_str().unwrap())
        .unwrap();
    let mut reply = ResponseTemplate::new(200).set_body_raw(audio.clone(), "audio/mpeg");
    for (k, v) in e["ResponseHeaders"].as_object().unwrap() {
        if !matches!(
            k.as_str(),
            "Content-Type" | "Transfer-Encoding" | "Content-Length"
        ) {
            reply = reply.insert_header(k.as_str(), v.as_str().unwrap());
        }
    }
    (audio, reply)
}

async fn serving(reply: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(reply)
        .mount(&server)
        .await;
    server
}

/// Checks a speech request's method, path, query and headers; returns its body as JSON.
fn check_speech(r: &wiremock::Request, path: &str, query: Option<&str>, accept: &str) -> Value {
    assert_eq!(r.method.as_str(), "POST");
    assert_eq!(r.url.path(), path);
    assert_eq!(r.url.query(), query);
    assert_eq!(header(r, "api-key"), Some(KEY));
    assert_eq!(header(r, "accept"), Some(accept));
    assert_eq!(header(r, "content-type"), Some("application/json"));
    assert_eq!(
        header(r, "content-length"),
        Some(r.body.len().to_string().as_str())
    );
    assert_eq!(header(r, "transfer-encoding"), None);
    serde_json::from_slice(&r.body).unwrap()
}

const DEPLOYMENTS_PATH: &str = "/openai/deployments/tts/audio/speech";
const QUERY: Option<&str> = Some("api-version=2025-04-01-preview");
const OCTETS: &str = "application/octet-stream";

/// The speech written to memory with `to_writer`: the count returned and the bytes.
async fn to_memory(client: &Client, request: &SpeechRequest) -> (u64, Vec<u8>) {
    let mut written = Vec::new();
    let n = client
        .speech()
        .to_writer(request, &mut written)
        .await
        .unwrap();
    (n, written)
}

fn temp_path(test: &str, name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("aoa-speech-{test}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

#[tokio::test]
async fn create_sends_the_recorded_request_and_returns_the_recorded_audio() {
    let (audio, reply) = recorded_mp3();
    let server = serving(reply).await;
    let client = client(&server.uri());
    // The recorded request (the .NET SDK also sent `"model": "tts"`; on this route the
    // deployment is in the path, as chat does).
    let request = SpeechRequest::new("hello, world!", Voice::Alloy);
    let speech = client.speech().create(&request).await.unwrap();
    assert_eq!(speech.as_bytes(), &audio[..]);
    assert_eq!(&speech.as_bytes()[..2], [0xFF, 0xF3], "an MPEG frame sync");
    assert_eq!(speech.content_type.as_deref(), Some("audio/mpeg"));
    assert_eq!(
        speech.metadata.apim_request_id.as_deref(),
        Some("83f2b05f-ceca-4617-981f-034df2a5eb69")
    );
    assert_eq!(speech.metadata.region.as_deref(), Some("Sweden Central"));
    assert_eq!(
        format!("{:?}", speech.audio),
        format!("AudioData(<{} bytes>)", audio.len())
    );

    let received = server.received_requests().await.unwrap();
    assert_eq!(received.len(), 1);
    let body = check_speech(&received[0], DEPLOYMENTS_PATH, QUERY, OCTETS);
    assert_eq!(body, json!({"input": "hello, world!", "voice": "alloy"}));
}

#[tokio::test]
async fn every_field_goes_in_the_body_and_the_v1_route_sends_the_deployment_as_model() {
    let (audio, reply) = recorded_mp3();
    let server = serving(reply).await;
    let full = SpeechRequest::new("Speak up.", "marin")
        .instructions("Cheerful.")
        .response_format(SpeechFormat::Opus)
        .speed(1.5)
        .extra("seed", json!(7));
    let v1 = builder(&server.uri()).route(Route::V1).build().unwrap();
    let classic = client(&server.uri());
    let with_model = full.clone().model("my-model".into());
    let v1_path = "/openai/v1/audio/speech";
    // (client, a deployment for one call, request, the path, the query, the model in the body)
    let cases = [
        (&v1, None, &full, v1_path, None, Some("tts")),
        (&v1, Some("tts-hd"), &full, v1_path, None, Some("tts-hd")),
        (&v1, None, &with_model, v1_path, None, Some("my-model")),
        (
            &classic,
            Some("tts-hd"),
            &full,
            "/openai/deployments/tts-hd/audio/speech",
            QUERY,
            None,
        ),
    ];
    for (i, (client, deployment, request, path, query, model)) in cases.into_iter().enumerate() {
        let mut speech = client.speech();
        if let Some(deployment) = deployment {
            speech = speech.deployment(deployment);
        }
        assert_eq!(speech.create(request).await.unwrap().as_bytes(), &audio[..]);
        let received = server.received_requests().await.unwrap();
        let mut expected = json!({"input": "Speak up.", "voice": "marin",
            "instructions": "Cheerful.", "response_format": "opus", "speed": 1.5, "seed": 7});
        if let Some(model) = model {
            expected["model"] = json!(model);
        }
        assert_eq!(
            check_speech(&received[i], path, query, OCTETS),
            expected,
            "{i}"
        );
    }
}

#[tokio::test]
async fn a_chunked_reply_is_the_same_audio_whole_streamed_and_written() {
    let parts: [&[u8]; 3] = [b"ID3\x04first-frames", b"-middle-frames", b"-last"];
    let whole: Vec<u8> = parts.concat();
    let reply = chunked_reply("audio/mpeg", &parts);
    let server = RawServer::start(move |_| Act::Reply(reply.clone())).await;
    let client = client(&server.uri());
    let request = SpeechRequest::new("hello", Voice::Alloy);

    let speech = client.speech().create(&request).await.unwrap();
    assert_eq!(speech.as_bytes(), &whole[..]);
    assert_eq!(
        speech.metadata.apim_request_id.as_deref(),
        Some("req-chunked-1")
    );

    let mut stream = client.speech().stream(&request).await.unwrap();
    assert_eq!(stream.content_type(), Some("audio/mpeg"));
    assert_eq!(
        stream.metadata().apim_request_id.as_deref(),
        Some("req-chunked-1")
    );
    let mut streamed = Vec::new();
    while let Some(chunk) = stream.next().await {
        streamed.extend_from_slice(&chunk.unwrap());
    }
    assert_eq!(streamed, whole);
    assert_eq!(stream.received(), whole.len() as u64);

    assert_eq!(
        to_memory(&client, &request).await,
        (whole.len() as u64, whole.clone())
    );

    let path = temp_path("chunked", "speech.mp3");
    let n = client.speech().to_file(&request, &path).await.unwrap();
    assert_eq!(n, whole.len() as u64);
    assert_eq!(std::fs::read(&path).unwrap(), whole);
    std::fs::remove_dir_all(path.parent().unwrap()).unwrap();
    assert_eq!(server.requests(), 4);
}

#[tokio::test]
async fn to_wav_file_asks_for_pcm_and_writes_a_wav_a_player_reads() {
    let samples: Vec<i16> = (0..4_800)
        .map(|i| ((i % 200) * 100 - 10_000) as i16)
        .collect();
    let pcm: Vec<u8> = samples.iter().flat_map(|s| s.to_le_bytes()).collect();
    // Chunks that cut samples in half.
    let reply = chunked_reply(
        "audio/pcm",
        &[&pcm[..1_001], &pcm[1_001..5_555], &pcm[5_555..]],
    );
    let server = RawServer::start(move |_| Act::Reply(reply.clone())).await;
    let client = client(&server.uri());
    let path = temp_path("wav", "speech.wav");
    let request = SpeechRequest::new("hello", Voice::Alloy);
    let n = client.speech().to_wav_file(&request, &path).await.unwrap();
    assert_eq!(n, pcm.len() as u64);
    let mut reader = hound::WavReader::open(&path).unwrap();
    let spec = reader.spec();
    assert_eq!(
        (spec.sample_rate, spec.channels, spec.bits_per_sample),
        (24_000, 1, 16)
    );
    let read: Vec<i16> = reader.samples::<i16>().map(Result::unwrap).collect();
    assert_eq!(read, samples);
    std::fs::remove_dir_all(path.parent().unwrap()).unwrap();

    // Another format is refused before anything is sent.
    let mp3 = request.clone().response_format(SpeechFormat::Mp3);
    let err = client
        .speech()
        .to_wav_file(&mp3, "never.wav")
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert_eq!(
        err.to_string(),
        "invalid input: to_wav_file writes pcm audio, but the request asks for mp3 (use to_file for mp3)"
    );
    assert_eq!(server.requests(), 1);
    assert!(!std::path::Path::new("never.wav").exists());
}

/// The recorded SSE body, with an event type from the future inserted after the first delta.
fn recorded_sse(with_done: bool) -> (Vec<u8>, Vec<Vec<u8>>) {
    let e = common::entry(SSE, 0);
    let lines: Vec<&str> = e["ResponseBody"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l.as_str().unwrap())
        .collect();
    let mut body = String::new();
    let mut deltas = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        if line.starts_with("data: [DONE]") && !with_done {
            break;
        }
        body.push_str(line);
        if let Some(json) = line.strip_prefix("data: {") {
            let v: Value = serde_json::from_str(&format!("{{{json}")).unwrap();
            if let Some(audio) = v["audio"].as_str() {
                deltas.push(
                    base64::engine::general_purpose::STANDARD
                        .decode(audio)
                        .unwrap(),
                );
            }
        }
        if i == 1 {
            body.push_str("data: {\"type\":\"speech.audio.future\",\"x\":1}\r\n\r\n");
        }
    }
    (body.into_bytes(), deltas)
}

#[tokio::test]
async fn events_decode_the_recorded_stream_and_skip_what_they_do_not_know() {
    for with_done in [true, false] {
        let (body, deltas) = recorded_sse(with_done);
        let server = serving(
            ResponseTemplate::new(200)
                .set_body_raw(body, "text/event-stream; charset=utf-8")
                .insert_header("x-request-id", "req-sse"),
        )
        .await;
        let client = client(&server.uri());
        let request = SpeechRequest::new("Hello, world! This is a streaming test.", Voice::Alloy);
        let mut events = client.speech().events(&request).await.unwrap();
        assert_eq!(events.metadata().x_request_id.as_deref(), Some("req-sse"));
        let mut got = Vec::new();
        while let Some(event) = events.next().await {
            got.push(event.unwrap());
        }
        assert_eq!(got.len(), 3, "{got:?}");
        for (event, delta) in got.iter().zip(&deltas) {
            assert_eq!(event.audio().unwrap().as_bytes(), &delta[..]);
        }
        let SpeechEvent::AudioDone { usage, .. } = &got[2] else {
            panic!("{:?}", got[2])
        };
        let mut expected = SpeechUsage::default();
        expected.input_tokens = 10;
        expected.output_tokens = 83;
        expected.total_tokens = 93;
        assert_eq!(usage.as_ref(), Some(&expected));

        let received = server.received_requests().await.unwrap();
        let body = check_speech(&received[0], DEPLOYMENTS_PATH, QUERY, "text/event-stream");
        assert_eq!(
            body,
            json!({"input": "Hello, world! This is a streaming test.", "voice": "alloy", "stream_format": "sse"})
        );
    }
}

#[tokio::test]
async fn an_sse_stream_cut_before_the_done_event_is_an_error() {
    let (body, _) = recorded_sse(true);
    let text = String::from_utf8(body).unwrap();
    let cut = &text[..text.find("data: {\"type\":\"speech.audio.done\"").unwrap()];
    let reply = chunked_reply("text/event-stream", &[cut.as_bytes()]);
    let server = RawServer::start(move |_| Act::Reply(reply.clone())).await;
    let client = client(&server.uri());
    let mut events = client
        .speech()
        .events(&SpeechRequest::new("hi", Voice::Alloy))
        .await
        .unwrap();
    let mut kinds = Vec::new();
    while let Some(event) = events.next().await {
        kinds.push(event.map(|_| ()).map_err(|e| e.kind()));
    }
    assert_eq!(kinds, [Ok(()), Ok(()), Err(ErrorKind::Transport)]);
}

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
