//! The `transcribe` and `translate` examples, run as a user runs them (the binaries `cargo test`
//! builds) against a local wiremock server: the requests on the wire (route, deployment from its
//! variable, the spoken default input sent back as the file), what they print in each format,
//! streaming, and the one-line failure with the API error code and request id.

mod common;
#[path = "support/example_run.rs"]
mod example_run;
#[path = "support/form.rs"]
mod form;

use example_run::{fresh_dir, succeeded, text, Run, KEY};
use form::{parse, text_fields};
use serde_json::{json, Value};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const SENTENCE: &str = "The quick brown fox jumped over the lazy dog.";

/// The body and content type of a recorded reply of the /audio API.
fn recorded_body(file: &str) -> (Vec<u8>, String) {
    common::replayed_body(&format!("audio-api/{file}"))
}

async fn mount(server: &MockServer, route: &str, file: &str) {
    let (body, content_type) = recorded_body(file);
    Mock::given(method("POST"))
        .and(path(route))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(body, content_type.as_str())
                .insert_header("apim-request-id", "req-ok"),
        )
        .mount(server)
        .await;
}

const JSON: &str = "azure-transcription-json-default.whisper.2024-10-21.recording.json";

#[tokio::test]
async fn transcribe_prints_the_text_of_the_file_given_as_the_bench_runs_it() {
    let server = MockServer::start().await;
    mount(
        &server,
        "/openai/deployments/whisper/audio/transcriptions",
        JSON,
    )
    .await;
    let dir = fresh_dir("transcribe-bench");
    let wav = common::wav(8_000, 16_000);
    std::fs::write(dir.join("in.wav"), &wav).unwrap();
    let uri = server.uri();
    let run = Run {
        dir: &dir,
        endpoint: Some(&uri),
        vars: &[
            ("AZURE_OPENAI_TRANSCRIBE_DEPLOYMENT", "whisper"),
            ("OPENAI_API_VERSION", "2024-10-21"),
        ],
    };
    let out = run.example("transcribe", &["in.wav"]).await;
    succeeded("transcribe", &out);
    assert_eq!(text(&out.stdout), "Hello world, this is a test.\n");
    assert!(!text(&out.stderr).contains("emulator"));

    let received = server.received_requests().await.unwrap();
    assert_eq!(received.len(), 1);
    let r = &received[0];
    assert_eq!(r.url.query(), Some("api-version=2024-10-21"));
    assert_eq!(common::header(r, "api-key"), Some(KEY));
    common::check_exact_length(r);
    let parts = parse(common::header(r, "content-type").unwrap(), r.body.clone()).await;
    assert_eq!(parts[0].0, "file");
    assert_eq!(parts[0].1.as_deref(), Some("in.wav"));
    assert_eq!(parts[0].2.as_deref(), Some("audio/wav"));
    assert!(parts[0].3 == wav);
    assert!(text_fields(&parts).is_empty(), "json, the default");
}

#[tokio::test]
async fn without_input_transcribe_speaks_the_sentence_then_transcribes_that_file() {
    let server = MockServer::start().await;
    let spoken = common::wav(4_800, 24_000);
    Mock::given(method("POST"))
        .and(path("/openai/deployments/gpt-4o-mini-tts/audio/speech"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(spoken.clone(), "audio/wav"))
        .mount(&server)
        .await;
    mount(
        &server,
        "/openai/deployments/gpt-4o-mini-transcribe/audio/transcriptions",
        "azure-transcription-srt.whisper.2024-10-21.recording.json",
    )
    .await;
    let dir = fresh_dir("transcribe-default");
    let uri = server.uri();
    let run = Run {
        dir: &dir,
        endpoint: Some(&uri),
        vars: &[],
    };
    let out = run.example("transcribe", &["--format", "srt"]).await;
    succeeded("transcribe", &out);
    assert_eq!(
        text(&out.stdout),
        recorded_body("azure-transcription-srt.whisper.2024-10-21.recording.json")
            .0
            .iter()
            .map(|&b| b as char)
            .collect::<String>()
    );
    assert_eq!(std::fs::read(dir.join("speech.wav")).unwrap(), spoken);

    let received = server.received_requests().await.unwrap();
    assert_eq!(received.len(), 2);
    let speech: Value = serde_json::from_slice(&received[0].body).unwrap();
    assert_eq!(
        speech,
        json!({"input": SENTENCE, "voice": "alloy", "response_format": "wav"})
    );
    assert_eq!(
        received[0].url.path(),
        "/openai/deployments/gpt-4o-mini-tts/audio/speech"
    );
    assert_eq!(common::header(&received[0], "api-key"), Some(KEY));
    let r = &received[1];
    assert_eq!(r.url.query(), Some("api-version=2025-04-01-preview"));
    let parts = parse(common::header(r, "content-type").unwrap(), r.body.clone()).await;
    assert_eq!(parts[0].1.as_deref(), Some("speech.wav"));
    assert!(parts[0].3 == spoken, "the spoken file, sent back");
    assert_eq!(
        text_fields(&parts),
        [("response_format".to_owned(), "srt".to_owned())]
    );
}

#[tokio::test]
async fn transcribe_prints_verbose_json_and_streams_the_text() {
    let server = MockServer::start().await;
    let dir = fresh_dir("transcribe-formats");
    std::fs::write(dir.join("in.wav"), common::wav(800, 8_000)).unwrap();
    let uri = server.uri();
    let run = Run {
        dir: &dir,
        endpoint: Some(&uri),
        vars: &[("AZURE_OPENAI_TRANSCRIBE_DEPLOYMENT", "gpt-4o-transcribe")],
    };
    let route = "/openai/deployments/gpt-4o-transcribe/audio/transcriptions";
    mount(
        &server,
        route,
        "azure-transcription-verbose-json-words-segments.whisper.2024-10-21.recording.json",
    )
    .await;
    let out = run
        .example("transcribe", &["in.wav", "--format", "verbose_json"])
        .await;
    succeeded("transcribe", &out);
    let printed: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(printed["text"], "Hello, world. This is a test.");
    assert_eq!(printed["language"], "english");
    assert_eq!(printed["words"].as_array().unwrap().len(), 6);
    assert_eq!(
        printed["segments"][0]["tokens"].as_array().unwrap().len(),
        11
    );

    server.reset().await;
    mount(
        &server,
        route,
        "openai-transcription-streaming-sse.gpt-4o-mini-transcribe.recording.json",
    )
    .await;
    let out = run.example("transcribe", &["--stream", "in.wav"]).await;
    succeeded("transcribe", &out);
    assert_eq!(text(&out.stdout), "Hello world, this is a test.\n");
    let r = &server.received_requests().await.unwrap()[0];
    assert_eq!(common::header(r, "accept"), Some("text/event-stream"));
    let parts = parse(common::header(r, "content-type").unwrap(), r.body.clone()).await;
    assert_eq!(
        text_fields(&parts),
        [("stream".to_owned(), "true".to_owned())]
    );

    // A bad option: one line, exit 1, nothing sent.
    server.reset().await;
    let out = run.example("transcribe", &["--format", "docx"]).await;
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        text(&out.stderr),
        "transcribe: --format takes srt, vtt, verbose_json, text or json, not docx\n"
    );
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn translate_prints_the_english_text_from_its_deployment() {
    let server = MockServer::start().await;
    mount(
        &server,
        "/openai/deployments/whisper-eu/audio/translations",
        JSON,
    )
    .await;
    let dir = fresh_dir("translate");
    let mp3 = [b"ID3\x04\x00\x00\x00\x00\x00\x00".as_slice(), &[0x55; 500]].concat();
    std::fs::write(dir.join("discours.mp3"), &mp3).unwrap();
    let uri = server.uri();
    let run = Run {
        dir: &dir,
        endpoint: Some(&uri),
        vars: &[("AZURE_OPENAI_TRANSLATE_DEPLOYMENT", "whisper-eu")],
    };
    let out = run.example("translate", &["discours.mp3"]).await;
    succeeded("translate", &out);
    assert_eq!(text(&out.stdout), "Hello world, this is a test.\n");
    let r = &server.received_requests().await.unwrap()[0];
    let parts = parse(common::header(r, "content-type").unwrap(), r.body.clone()).await;
    assert_eq!(
        (parts[0].1.as_deref(), parts[0].2.as_deref()),
        (Some("discours.mp3"), Some("audio/mpeg"))
    );
    assert!(parts[0].3 == mp3);
    assert!(text_fields(&parts).is_empty());
}

#[tokio::test]
async fn failures_print_one_line_with_the_code_and_request_id_and_exit_1() {
    let server = MockServer::start().await;
    let e = common::entry(
        "audio-api/openai-transcription-error-400-invalid-language.whisper-1.recording.json",
        0,
    );
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(400)
                .set_body_raw(
                    serde_json::to_vec(&e["ResponseBody"]).unwrap(),
                    "application/json",
                )
                .insert_header("apim-request-id", "req-400"),
        )
        .mount(&server)
        .await;
    let dir = fresh_dir("transcribe-fails");
    std::fs::write(dir.join("in.wav"), common::wav(800, 8_000)).unwrap();
    let uri = server.uri();
    let run = Run {
        dir: &dir,
        endpoint: Some(&uri),
        vars: &[],
    };
    for example in ["transcribe", "translate"] {
        let out = run.example(example, &["in.wav"]).await;
        assert_eq!(out.status.code(), Some(1), "{example}");
        assert!(out.stdout.is_empty());
        let stderr = text(&out.stderr);
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(
            stderr.starts_with(&format!(
                "{example}: api error: 400 (invalid_language_format): Invalid language"
            )),
            "{stderr}"
        );
        assert!(
            stderr.ends_with(" [code: invalid_language_format] [request id: req-400]\n"),
            "{stderr}"
        );
    }
    // A file the service does not take: refused before sending, named.
    std::fs::write(dir.join("notes.txt"), "not audio").unwrap();
    let before = server.received_requests().await.unwrap().len();
    let out = run.example("transcribe", &["notes.txt"]).await;
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("notes.txt is not audio transcription accepts"));
    assert_eq!(server.received_requests().await.unwrap().len(), before);
}
