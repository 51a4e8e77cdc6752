//! What `client.transcriptions()` and `client.translations()` refuse before sending (each error
//! naming the limit and the value, and nothing reaching the server), the service's errors as a
//! local server sends them (the recorded 400, Azure's error body, the 413 in plain text, a 429
//! with retry-after), and a retry after a 503 that sends the same body again, read again from
//! the file.

mod common;
#[path = "support/form.rs"]
mod form;

use std::time::Duration;

use azure_openai_audio::{
    Api, AudioSource, ErrorKind, RetryPolicy, TimestampGranularity, TranscriptionFormat,
    TranscriptionInclude, TranscriptionRequest, TranslationRequest,
};
use common::*;
use form::parse;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn any_server() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_string(r#"{"text":"hi"}"#))
        .mount(&server)
        .await;
    server
}

fn invalid(err: azure_openai_audio::Error) -> String {
    assert_eq!(err.kind(), ErrorKind::InvalidInput, "{err}");
    err.to_string()
}

#[tokio::test]
async fn bad_audio_and_refused_combinations_fail_before_anything_is_sent() {
    let server = any_server().await;
    let client = builder(&server.uri())
        .deployment_for(Api::Transcription, "whisper")
        .build()
        .unwrap();
    let transcribe = |audio: AudioSource, request: TranscriptionRequest| {
        let client = client.clone();
        async move {
            client
                .transcriptions()
                .create(&audio, &request)
                .await
                .unwrap_err()
        }
    };
    let wav = AudioSource::from_bytes(wav(100, 8_000)).with_name("a.wav");
    let plain = TranscriptionRequest::new;

    // An empty file.
    let empty = temp_file("stt-refusals", "empty.wav", b"");
    let e = transcribe(AudioSource::from_file(&empty).await.unwrap(), plain()).await;
    assert_eq!(
        invalid(e),
        format!("invalid input: audio file {} is empty", empty.display())
    );

    // Over 25 MiB: a sparse file, nothing of it read.
    let big = temp_file("stt-refusals", "big.wav", &common::wav(10, 8_000));
    std::fs::OpenOptions::new()
        .write(true)
        .open(&big)
        .unwrap()
        .set_len(25 * 1024 * 1024 + 1)
        .unwrap();
    let e = transcribe(AudioSource::from_file(&big).await.unwrap(), plain()).await;
    assert_eq!(
        invalid(e),
        format!(
            "invalid input: audio file {} is 26214401 bytes; transcription accepts at most 26214400 bytes (25 MiB)",
            big.display()
        )
    );

    // Exactly 25 MiB of file: the file is allowed, but the form around it goes past the
    // service's limit on the whole body (it would answer 413), so it is refused here.
    std::fs::OpenOptions::new()
        .write(true)
        .open(&big)
        .unwrap()
        .set_len(25 * 1024 * 1024)
        .unwrap();
    let e = invalid(transcribe(AudioSource::from_file(&big).await.unwrap(), plain()).await);
    assert_eq!(
        e,
        "invalid input: the transcription form is 26214576 bytes (the audio and the other fields); the service accepts at most 26214400 bytes (25 MiB) in all"
    );

    // A format the service does not take, and a name that contradicts the header.
    let text = AudioSource::from_bytes(b"hello, this is not audio".to_vec());
    assert!(invalid(transcribe(text, plain()).await).contains("unrecognised header"));
    let misnamed = AudioSource::from_bytes(common::wav(100, 8_000)).with_name("talk.mp3");
    assert!(invalid(transcribe(misnamed, plain()).await)
        .contains("named \"talk.mp3\", which says mp3, but its header says wav"));

    // Field combinations.
    let e = transcribe(
        wav.clone(),
        plain()
            .response_format(TranscriptionFormat::Srt)
            .timestamp_granularities([TimestampGranularity::Word]),
    )
    .await;
    assert_eq!(
        invalid(e),
        "invalid input: `timestamp_granularities` (word) needs `response_format: verbose_json`, not srt"
    );
    let e = transcribe(
        wav.clone(),
        plain()
            .response_format(TranscriptionFormat::Text)
            .include([TranscriptionInclude::Logprobs]),
    )
    .await;
    assert_eq!(
        invalid(e),
        "invalid input: `include: logprobs` needs `response_format: json`, not text"
    );
    let e = transcribe(wav.clone(), plain().language("English")).await;
    assert!(invalid(e).contains("`language` is \"English\""));

    // `stream` with whisper: the deployment's name says whisper, or the model field does.
    let e = client
        .transcriptions()
        .stream(&wav, &plain())
        .await
        .unwrap_err();
    assert!(invalid(e).contains("`stream` is not supported by whisper"));
    let e = client
        .transcriptions()
        .deployment("gpt-4o-mini-transcribe")
        .stream(&wav, &plain().model("whisper-1".into()))
        .await
        .unwrap_err();
    assert!(invalid(e).contains("`stream` is not supported by whisper-1"));
    let e = client
        .transcriptions()
        .deployment(" ")
        .create(&wav, &plain())
        .await
        .unwrap_err();
    assert_eq!(
        invalid(e),
        "invalid input: the transcription deployment name is empty"
    );

    // Translations: their own rules and the audio's.
    let e = client
        .translations()
        .create(
            &wav,
            &TranslationRequest::new().response_format(TranscriptionFormat::DiarizedJson),
        )
        .await
        .unwrap_err();
    assert!(invalid(e).contains("diarized_json"));
    let e = client
        .translations()
        .create(
            &AudioSource::from_bytes(Vec::new()),
            &TranslationRequest::new(),
        )
        .await
        .unwrap_err();
    assert_eq!(invalid(e), "invalid input: audio data is empty");

    assert!(server.received_requests().await.unwrap().is_empty());
}

/// The error `client.transcriptions().create` returns when the server sends `reply`, without
/// retries.
async fn error_for(reply: ResponseTemplate) -> azure_openai_audio::Error {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(reply)
        .mount(&server)
        .await;
    let client = builder(&server.uri()).max_retries(0).build().unwrap();
    let audio = AudioSource::from_bytes(wav(100, 8_000));
    let e = client
        .transcriptions()
        .create(&audio, &TranscriptionRequest::new())
        .await
        .unwrap_err();
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
    e
}

#[tokio::test]
async fn the_service_errors_are_typed_api_errors() {
    // OpenAI's recorded 400, with a top-level `usage` beside `error`.
    let e = error_for(replay(
        "audio-api/openai-transcription-error-400-invalid-language.whisper-1.recording.json",
    ))
    .await;
    assert_eq!((e.kind(), e.status()), (ErrorKind::Api, Some(400)));
    assert_eq!(e.code(), Some("invalid_language_format"));
    let api = e.api_error().unwrap();
    assert_eq!(api.param.as_deref(), Some("language"));
    assert!(api.message.starts_with("Invalid language"));
    assert!(!e.is_retryable());

    // Azure's error body (the recorded 401), with its request id.
    let e = error_for(replay(
        "azure-error-401-invalid-key.2024-10-21.recording.json",
    ))
    .await;
    assert_eq!((e.kind(), e.status()), (ErrorKind::Api, Some(401)));
    assert_eq!(e.code(), Some("401"));
    assert!(e.request_id().is_some());

    // The 413 of a body over the service's limit: plain text.
    let text = "Maximum content size limit (26214400) exceeded (26214612 bytes read)";
    let e = error_for(
        ResponseTemplate::new(413)
            .set_body_raw(text, "text/plain")
            .insert_header("apim-request-id", "req-413"),
    )
    .await;
    assert_eq!((e.kind(), e.status()), (ErrorKind::Api, Some(413)));
    assert_eq!(e.to_string(), format!("api error: 413: {text}"));
    assert_eq!(e.request_id(), Some("req-413"));

    // A 429 (Azure's speech-to-text quota is 3 requests a minute) with its retry-after.
    let e = error_for(
        ResponseTemplate::new(429)
            .set_body_raw(
                r#"{"error":{"code":"429","message":"Requests to the Audio_Transcriptions_Create Operation under Azure OpenAI API version 2024-10-21 have exceeded call rate limit of your current OpenAI S0 pricing tier. Please retry after 20 seconds."}}"#,
                "application/json",
            )
            .insert_header("retry-after", "20"),
    )
    .await;
    assert!(e.is_rate_limited());
    assert!(e.is_retryable());
    assert_eq!(e.retry_after(), Some(Duration::from_secs(20)));
    assert_eq!(e.code(), Some("429"));
}

#[tokio::test(start_paused = true)]
async fn a_retry_after_a_503_sends_the_same_body_again_read_from_the_file() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(503).set_body_string("busy"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_string(r#"{"text":"Hello."}"#))
        .mount(&server)
        .await;
    let client = paused_builder(&server.uri())
        .retry_policy(RetryPolicy::default().max_retries(2))
        .build()
        .unwrap();
    // A file of several read chunks (192 KiB each), not a multiple of them.
    let wav = wav(300_000, 16_000);
    let path = temp_file("stt-retry", "speech.wav", &wav);
    let audio = AudioSource::from_file(&path).await.unwrap();
    assert!(audio.bytes().is_none(), "a file, not bytes");
    let reply = client
        .transcriptions()
        .create(&audio, &TranscriptionRequest::new().language("en"))
        .await
        .unwrap();
    assert_eq!(reply.text(), "Hello.");

    let received = server.received_requests().await.unwrap();
    assert_eq!(received.len(), 2);
    let mut forms = Vec::new();
    for r in &received {
        check_exact_length(r);
        let parts = parse(header(r, "content-type").unwrap(), r.body.clone()).await;
        assert!(parts[0].3 == wav, "the file's exact bytes, every attempt");
        forms.push(parts);
    }
    assert_eq!(forms[0], forms[1]);
    assert_eq!(
        received[0].body, received[1].body,
        "the same body, boundary and all"
    );
}
