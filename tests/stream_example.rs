//! Runs `examples/stream-audio.rs` (built by `cargo test`) against a local server that dribbles a
//! streamed audio reply, and checks what it prints and the WAV file it writes.

mod common;
#[path = "support/dribble.rs"]
mod dribble;

use std::path::PathBuf;
use std::process::Output;

use dribble::{Reply, Server};

const AUDIO_FIXTURE: &[u8] = include_bytes!("fixtures/azure-chat-audio-streaming.sse");

async fn run_example(server: &Server, out: &std::path::Path) -> Output {
    tokio::process::Command::new(common::example_binary("stream-audio"))
        .arg(out)
        .env("AZURE_OPENAI_ENDPOINT", server.endpoint())
        .env("AZURE_OPENAI_API_KEY", "test-key")
        .env("AZURE_OPENAI_DEPLOYMENT_NAME", "gpt-4o-mini-audio-preview")
        .env_remove("OPENAI_API_VERSION")
        .output()
        .await
        .unwrap()
}

fn temp_wav(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("{name}-{}.wav", std::process::id()))
}

#[tokio::test]
async fn example_prints_the_transcript_and_writes_the_streamed_samples() {
    let server = Server::start(Reply::sse(AUDIO_FIXTURE, &[1, 9, 40, 3, 700])).await;
    let out = temp_wav("stream-audio-example");
    let output = run_example(&server, &out).await;
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        stdout.starts_with("Yes, golden retrievers are great family dogs.\n"),
        "{stdout}"
    );
    assert!(stdout.contains("audio id: audio_6799a9c7c6b48190a3c4e8f2b7d1e5a3"));

    let mut wav = hound::WavReader::open(&out).unwrap();
    let spec = wav.spec();
    assert_eq!(
        (spec.channels, spec.sample_rate, spec.bits_per_sample),
        (1, 24_000, 16)
    );
    let samples: Vec<i16> = wav.samples::<i16>().map(Result::unwrap).collect();
    let expected: Vec<i16> = (0..2400i32)
        .map(|k| (k * 977 % 65536 - 32768) as i16)
        .collect();
    assert_eq!(samples, expected);
    std::fs::remove_file(&out).unwrap();

    let request = &server.requests()[0];
    assert_eq!(
        request.target,
        "/openai/deployments/gpt-4o-mini-audio-preview/chat/completions?api-version=2025-01-01-preview"
    );
    let json = request.json();
    assert_eq!(
        json["messages"],
        serde_json::json!([{"role": "user", "content": "Is a golden retriever a good family dog?"}])
    );
    assert_eq!(
        json["audio"],
        serde_json::json!({"voice": "alloy", "format": "pcm16"})
    );
    assert_eq!(json["modalities"], serde_json::json!(["text", "audio"]));
    assert_eq!(json["stream"], true);
    assert_eq!(json["stream_options"]["include_usage"], true);
}

#[tokio::test]
async fn example_reports_a_service_error_in_one_line_and_exits_non_zero() {
    let server = Server::start(
        Reply::json(
            401,
            r#"{"error":{"code":"401","message":"Access denied due to invalid subscription key or wrong API endpoint."}}"#,
        )
        .header("apim-request-id", "a0456c63-req"),
    )
    .await;
    let out = temp_wav("stream-audio-example-error");
    let output = run_example(&server, &out).await;
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("code: 401"), "{stderr}");
    assert!(stderr.contains("request id: a0456c63-req"), "{stderr}");
    assert!(stderr.starts_with("stream-audio: "), "{stderr}");
    assert!(!stderr.contains("test-key"));
    assert!(!out.exists(), "no file is created when the request fails");
}
