//! `client.transcriptions()` and `client.translations()` against a local server replaying
//! Azure's recorded replies: every request checked on the wire (route in both shapes, query,
//! headers, the multipart body part by part with the file's exact bytes, `Content-Length` equal
//! to the bytes sent), the replies decoded per format with their metadata, and the streamed
//! transcription.

mod common;
#[path = "support/form.rs"]
mod form;

use azure_openai_audio::{
    Api, AudioSource, Client, Route, TimestampGranularity, Transcript, TranscriptionEvent,
    TranscriptionFormat, TranscriptionRequest, TranslationRequest,
};
use common::*;
use form::{parse, text_fields};
use futures_util::StreamExt;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

/// A recorded reply of the /audio API.
fn recorded(file: &str) -> ResponseTemplate {
    replay(&format!("audio-api/{file}"))
}

async fn server_replying(reply: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(reply)
        .mount(&server)
        .await;
    server
}

/// Checks the headers of a multipart request with `key`, and returns its parts.
async fn parts_of(r: &wiremock::Request, accept: &str) -> Vec<form::Part> {
    assert_eq!(r.method.as_str(), "POST");
    assert_eq!(header(r, "api-key"), Some(KEY));
    assert_eq!(header(r, "accept"), Some(accept));
    let content_type = header(r, "content-type").unwrap();
    assert!(
        content_type.starts_with("multipart/form-data; boundary="),
        "{content_type}"
    );
    check_exact_length(r);
    parse(content_type, r.body.clone()).await
}

/// Checks the first part: the audio, as `file`, with its filename, type and exact bytes.
fn check_file_part(part: &form::Part, filename: &str, content_type: &str, bytes: &[u8]) {
    assert_eq!(part.0, "file");
    assert_eq!(part.1.as_deref(), Some(filename));
    assert_eq!(part.2.as_deref(), Some(content_type));
    assert!(part.3 == bytes, "the file's exact bytes");
}

fn pairs(fields: &[(&str, &str)]) -> Vec<(String, String)> {
    fields
        .iter()
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect()
}

#[tokio::test]
async fn a_transcription_from_a_file_goes_on_the_wire_part_by_part() {
    let server = server_replying(recorded(
        "azure-transcription-verbose-json-words-segments.whisper.2024-10-21.recording.json",
    ))
    .await;
    let client = builder(&server.uri())
        .deployment_for(Api::Transcription, "whisper")
        .api_version("2024-10-21")
        .build()
        .unwrap();
    let wav = wav(24_000, 16_000);
    let path = temp_file("transcription-wire", "hello world.wav", &wav);
    let audio = AudioSource::from_file(&path).await.unwrap();
    let request = TranscriptionRequest::new()
        .language("en")
        .prompt("A greeting, \"quoted\".")
        .response_format(TranscriptionFormat::VerboseJson)
        .temperature(0.0)
        .timestamp_granularities([TimestampGranularity::Word, TimestampGranularity::Segment]);
    let reply = client
        .transcriptions()
        .create(&audio, &request)
        .await
        .unwrap();

    let Transcript::Json(t) = &reply else {
        panic!("verbose_json: {reply:?}")
    };
    assert_eq!(t.text, "Hello, world. This is a test.");
    assert_eq!(t.language.as_deref(), Some("english"));
    assert_eq!(t.words.len(), 6);
    assert_eq!(t.segments.len(), 1);
    assert_eq!(reply.metadata().status, 200);
    assert_eq!(
        reply.metadata().request_id(),
        Some("f555f32a-c638-4d7c-9f54-4cb3c60fa371")
    );
    assert_eq!(reply.metadata().region.as_deref(), Some("Sweden Central"));
    assert_eq!(reply.metadata().ratelimit_remaining_requests, Some(5));

    let received = server.received_requests().await.unwrap();
    assert_eq!(received.len(), 1);
    let r = &received[0];
    assert_eq!(
        r.url.path(),
        "/openai/deployments/whisper/audio/transcriptions"
    );
    assert_eq!(r.url.query(), Some("api-version=2024-10-21"));
    let parts = parts_of(r, "application/json").await;
    check_file_part(&parts[0], "hello world.wav", "audio/wav", &wav);
    assert_eq!(
        text_fields(&parts),
        pairs(&[
            ("language", "en"),
            ("prompt", "A greeting, \"quoted\"."),
            ("response_format", "verbose_json"),
            ("temperature", "0"),
            ("timestamp_granularities[]", "word"),
            ("timestamp_granularities[]", "segment"),
        ])
    );
}

#[tokio::test]
async fn on_the_v1_route_the_deployment_goes_as_model_and_bytes_are_sent_as_given() {
    let server = server_replying(recorded(
        "azure-transcription-srt.whisper.2024-10-21.recording.json",
    ))
    .await;
    let client = builder(&server.uri())
        .route(Route::V1)
        .deployment_for(Api::Transcription, "whisper")
        .build()
        .unwrap();
    let wav = wav(800, 8_000);
    let audio = AudioSource::from_bytes(wav.clone())
        .with_name("take 1.wav")
        .with_content_type("audio/x-wav");
    let request = TranscriptionRequest::new().response_format(TranscriptionFormat::Srt);
    let reply = client
        .transcriptions()
        .create(&audio, &request)
        .await
        .unwrap();
    let subtitles = reply.subtitles().expect("srt");
    assert_eq!(subtitles.format, TranscriptionFormat::Srt);
    let cues = subtitles.cues().unwrap();
    assert_eq!(cues.len(), 1);
    assert_eq!(cues[0].text, "Hello world, this is a test.");
    assert_eq!(reply.text(), "Hello world, this is a test.");
    assert_eq!(
        reply.metadata().request_id(),
        Some("a1338398-be18-42f9-9b49-33750d4d69c4")
    );

    let received = server.received_requests().await.unwrap();
    let r = &received[0];
    assert_eq!(r.url.path(), "/openai/v1/audio/transcriptions");
    assert_eq!(r.url.query(), None);
    // Azure's recording: `Accept: application/json` even for srt.
    let parts = parts_of(r, "application/json").await;
    check_file_part(&parts[0], "take 1.wav", "audio/x-wav", &wav);
    assert_eq!(
        text_fields(&parts),
        pairs(&[("model", "whisper"), ("response_format", "srt")])
    );
}

#[tokio::test]
async fn a_translation_goes_to_its_deployment_and_decodes_the_recorded_srt() {
    let server = server_replying(recorded(
        "azure-translation-srt.whisper.2024-10-21.recording.json",
    ))
    .await;
    let client = builder(&server.uri()).build().unwrap();
    assert_eq!(client.deployment_for(Api::Translation), "dep");
    let mp3 = [b"ID3\x04\x00\x00\x00\x00\x00\x00".as_slice(), &[0x55; 3000]].concat();
    let path = temp_file("translation-wire", "discours.mp3", &mp3);
    let audio = AudioSource::from_file(&path).await.unwrap();
    let request = TranslationRequest::new()
        .response_format(TranscriptionFormat::Srt)
        .prompt("Whisper, speech recognition.");
    let reply = client
        .translations()
        .deployment("whisper")
        .create(&audio, &request)
        .await
        .unwrap();
    let cues = reply.subtitles().unwrap().cues().unwrap();
    assert_eq!(cues.len(), 5);
    assert!(cues[4].text.ends_with("research in speech processing."));
    assert_eq!(reply.metadata().region.as_deref(), Some("Sweden Central"));

    let r = &server.received_requests().await.unwrap()[0];
    assert_eq!(
        r.url.path(),
        "/openai/deployments/whisper/audio/translations"
    );
    assert_eq!(r.url.query(), Some("api-version=2025-04-01-preview"));
    let parts = parts_of(r, "application/json").await;
    check_file_part(&parts[0], "discours.mp3", "audio/mpeg", &mp3);
    assert_eq!(
        text_fields(&parts),
        pairs(&[
            ("prompt", "Whisper, speech recognition."),
            ("response_format", "srt"),
        ])
    );

    // The client's own translation deployment, on the /openai/v1 route as `model`.
    let v1 = builder(&server.uri())
        .route(Route::V1)
        .deployment_for(Api::Translation, "whisper-eu")
        .build()
        .unwrap();
    v1.translations()
        .create(
            &audio,
            &TranslationRequest::new().response_format(TranscriptionFormat::Srt),
        )
        .await
        .unwrap();
    let r = &server.received_requests().await.unwrap()[1];
    assert_eq!(r.url.path(), "/openai/v1/audio/translations");
    let parts = parts_of(r, "application/json").await;
    assert_eq!(
        text_fields(&parts),
        pairs(&[("model", "whisper-eu"), ("response_format", "srt")])
    );
}

#[tokio::test]
async fn the_default_json_and_text_replies_decode_with_their_metadata() {
    let server = server_replying(recorded(
        "azure-transcription-json-default.whisper.2024-10-21.recording.json",
    ))
    .await;
    let client = builder(&server.uri()).build().unwrap();
    let audio = AudioSource::from_bytes(wav(100, 8_000)).with_name("a.wav");
    let reply = client
        .transcriptions()
        .create(&audio, &TranscriptionRequest::new())
        .await
        .unwrap();
    let Transcript::Json(t) = &reply else {
        panic!("json")
    };
    assert_eq!(t.text, "Hello world, this is a test.");
    assert_eq!(t.usage, None, "Azure's whisper sends no usage");
    assert!(reply.metadata().request_id().is_some());
    let r = &server.received_requests().await.unwrap()[0];
    assert_eq!(r.url.path(), "/openai/deployments/dep/audio/transcriptions");
    assert!(text_fields(&parts_of(r, "application/json").await).is_empty());

    let text_server = server_replying(
        ResponseTemplate::new(200)
            .set_body_raw("Hello world.\n", "text/plain; charset=utf-8")
            .insert_header("apim-request-id", "text-1"),
    )
    .await;
    let client = builder(&text_server.uri()).build().unwrap();
    let reply = client
        .transcriptions()
        .create(
            &audio,
            &TranscriptionRequest::new().response_format(TranscriptionFormat::Text),
        )
        .await
        .unwrap();
    assert!(matches!(reply, Transcript::Text { .. }));
    assert_eq!(reply.text(), "Hello world.\n");
    assert_eq!(reply.metadata().request_id(), Some("text-1"));
}

#[tokio::test]
async fn a_streamed_transcription_gives_the_recorded_events_until_done() {
    let server = server_replying(recorded(
        "openai-transcription-streaming-sse.gpt-4o-mini-transcribe.recording.json",
    ))
    .await;
    let client = builder(&server.uri())
        .route(Route::V1)
        .deployment_for(Api::Transcription, "gpt-4o-mini-transcribe")
        .build()
        .unwrap();
    let mp3 = [b"\xff\xfb\x90\x64".as_slice(), &[0x11; 2000]].concat();
    let audio = AudioSource::from_bytes(mp3.clone()).with_name("audio_hello_world.mp3");
    let mut stream = client
        .transcriptions()
        .stream(&audio, &TranscriptionRequest::new())
        .await
        .unwrap();
    assert_eq!(stream.metadata().status, 200);
    let mut deltas = String::new();
    let mut done = None;
    while let Some(event) = stream.next().await {
        match event.unwrap() {
            TranscriptionEvent::TextDelta { delta, .. } => deltas.push_str(&delta),
            TranscriptionEvent::TextDone { text, usage, .. } => done = Some((text, usage)),
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(deltas, "Hello world, this is a test.");
    let (text, usage) = done.expect("transcript.text.done");
    assert_eq!(text, deltas);
    let tokens = usage.unwrap();
    assert_eq!(tokens.tokens().unwrap().total_tokens, 27);

    let r = &server.received_requests().await.unwrap()[0];
    assert_eq!(r.url.path(), "/openai/v1/audio/transcriptions");
    let parts = parts_of(r, "text/event-stream").await;
    check_file_part(&parts[0], "audio_hello_world.mp3", "audio/mpeg", &mp3);
    // As the recorded form: the model, then `stream`.
    assert_eq!(
        text_fields(&parts),
        pairs(&[("model", "gpt-4o-mini-transcribe"), ("stream", "true")])
    );

    // `collect_text` reads the same stream to its text.
    let again = client
        .transcriptions()
        .stream(&audio, &TranscriptionRequest::new())
        .await
        .unwrap();
    assert_eq!(
        again.collect_text().await.unwrap(),
        "Hello world, this is a test."
    );
}

#[tokio::test]
async fn one_client_serves_every_api_on_its_own_deployment() {
    let server = server_replying(recorded(
        "azure-transcription-json-default.whisper.2024-10-21.recording.json",
    ))
    .await;
    let client: Client = builder(&server.uri())
        .deployment_for(Api::Transcription, "gpt-4o-mini-transcribe")
        .deployment_for(Api::Translation, "whisper")
        .build()
        .unwrap();
    let audio = AudioSource::from_bytes(wav(100, 8_000));
    client
        .transcriptions()
        .create(&audio, &TranscriptionRequest::new())
        .await
        .unwrap();
    client
        .translations()
        .create(&audio, &TranslationRequest::new())
        .await
        .unwrap();
    client
        .transcriptions()
        .deployment("gpt-4o-transcribe")
        .create(&audio, &TranscriptionRequest::new())
        .await
        .unwrap();
    let paths: Vec<String> = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|r| r.url.path().to_owned())
        .collect();
    assert_eq!(
        paths,
        [
            "/openai/deployments/gpt-4o-mini-transcribe/audio/transcriptions",
            "/openai/deployments/whisper/audio/translations",
            "/openai/deployments/gpt-4o-transcribe/audio/transcriptions",
        ]
    );
    // Unnamed bytes go as `audio`, with the detected format's type.
    let r = &server.received_requests().await.unwrap()[0];
    let parts = parts_of(r, "application/json").await;
    assert_eq!(
        (parts[0].1.as_deref(), parts[0].2.as_deref()),
        (Some("audio"), Some("audio/wav"))
    );
}
