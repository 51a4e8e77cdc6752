//! Runs `examples/stream-audio.rs` (built by `cargo test`) against a local server that dribbles a
//! streamed audio reply, and checks what it prints and the WAV file it writes: at the end, and
//! while the reply is still streaming (the server pauses mid-body).

mod common;
#[path = "support/dribble.rs"]
mod dribble;

use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
use std::time::Duration;

use azure_openai_audio::ChatCompletionChunk;
use dribble::{Reply, Server};
use tokio::io::AsyncReadExt;
use tokio::process::{ChildStdout, Command};

const AUDIO_FIXTURE: &[u8] = include_bytes!("fixtures/azure-chat-audio-streaming.sse");

/// Only against hangs: no assertion is about how long anything takes.
const HANG_GUARD: Duration = Duration::from_secs(60);

/// The example pointed at `server`, killed if the test drops it (a failed assertion).
fn example(server: &Server) -> Command {
    let mut command = Command::new(common::example_binary("stream-audio"));
    command
        .env("AZURE_OPENAI_ENDPOINT", server.endpoint())
        .env("AZURE_OPENAI_API_KEY", "test-key")
        .env("AZURE_OPENAI_DEPLOYMENT_NAME", "gpt-4o-mini-audio-preview")
        .env_remove("OPENAI_API_VERSION")
        .stdin(Stdio::null())
        .kill_on_drop(true);
    command
}

async fn run_example(server: &Server, out: &Path) -> Output {
    example(server).arg(out).output().await.unwrap()
}

fn expected_samples() -> Vec<i16> {
    (0..2400i32)
        .map(|k| (k * 977 % 65536 - 32768) as i16)
        .collect()
}

/// A fresh empty directory, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("aoa-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    fn files(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(&self.0)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Reads the child's stdout into `got` until it contains `want`.
async fn read_until(stdout: &mut ChildStdout, got: &mut Vec<u8>, want: &str) {
    let read = async {
        let mut buf = [0u8; 256];
        while !String::from_utf8_lossy(got).contains(want) {
            let n = stdout.read(&mut buf).await.unwrap();
            assert!(
                n > 0,
                "stdout ended before {want:?}: {:?}",
                String::from_utf8_lossy(got)
            );
            got.extend_from_slice(&buf[..n]);
        }
    };
    tokio::time::timeout(HANG_GUARD, read)
        .await
        .unwrap_or_else(|_| panic!("the example never printed {want:?}"));
}

fn find(haystack: &[u8], needle: &[u8]) -> usize {
    haystack
        .windows(needle.len())
        .position(|w| w == needle)
        .unwrap()
}

/// Bytes of audio in the fixture's events in `body` (whole events only).
fn audio_bytes_in(body: &[u8]) -> usize {
    std::str::from_utf8(body)
        .unwrap()
        .lines()
        .filter_map(|l| l.strip_prefix("data: {"))
        .map(|json| serde_json::from_str::<ChatCompletionChunk>(&format!("{{{json}")).unwrap())
        .filter_map(|c| c.audio_delta().map(|a| a.as_bytes().len()))
        .sum()
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
    assert_eq!(samples, expected_samples());
    std::fs::remove_file(&out).unwrap();

    let request = &server.requests()[0];
    assert_eq!(
        request.target,
        "/openai/deployments/gpt-4o-mini-audio-preview/chat/completions?api-version=2025-04-01-preview"
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

#[tokio::test]
async fn example_without_out_streams_the_transcript_and_the_wav_into_stream_wav_here() {
    // The server stops after the transcript piece " are", which follows two audio pieces (960
    // and 1201 bytes: the second ends in the middle of a sample).
    let are = find(AUDIO_FIXTURE, br#""transcript":" are""#);
    let pause = are + find(&AUDIO_FIXTURE[are..], b"\n\n") + 2;
    let audio_before = audio_bytes_in(&AUDIO_FIXTURE[..pause]);
    assert_eq!(audio_before, 960 + 1201);
    let server =
        Server::start(Reply::sse(AUDIO_FIXTURE, &[1, 9, 40, 3, 700]).pause_after(pause)).await;

    // No OUT argument, in a fresh directory.
    let dir = TempDir::new("stream-audio-default-out");
    let mut child = example(&server)
        .current_dir(&dir.0)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut printed = Vec::new();

    // Mid-stream: the server has sent the first part and waits.
    read_until(&mut stdout, &mut printed, " are").await;
    server.wait_paused().await;
    assert_eq!(
        String::from_utf8_lossy(&printed),
        "Yes, golden retrievers are",
        "the transcript so far, printed as it arrived"
    );
    // " are" is printed after the audio before it was written and flushed: the file is
    // already a valid WAV of those samples (the odd last byte waits for its pair).
    let wav_path = dir.0.join("stream.wav");
    let mut wav = hound::WavReader::open(&wav_path).expect("a valid WAV mid-stream");
    assert_eq!(wav.spec().sample_rate, 24_000);
    let so_far: Vec<i16> = wav.samples::<i16>().map(Result::unwrap).collect();
    assert_eq!(so_far.len(), audio_before / 2);
    assert_eq!(so_far, expected_samples()[..audio_before / 2]);
    drop(wav);

    // The rest.
    server.release();
    let finish = async {
        stdout.read_to_end(&mut printed).await.unwrap();
        let status = child.wait().await.unwrap();
        let stderr = common::stderr_of(&mut child).await;
        (status, stderr)
    };
    let (status, stderr) = tokio::time::timeout(HANG_GUARD, finish)
        .await
        .expect("the example did not finish");
    let printed = String::from_utf8_lossy(&printed);
    assert!(status.success(), "{status}\n{printed}\n{stderr}");
    assert!(
        printed.starts_with(
            "Yes, golden retrievers are great family dogs.\nwrote stream.wav (0.10 s of audio)\n"
        ),
        "{printed}"
    );
    assert!(printed.contains("audio id: audio_6799a9c7c6b48190a3c4e8f2b7d1e5a3"));
    assert_eq!(
        dir.files(),
        ["stream.wav"],
        "stream.wav in the working directory"
    );
    let mut wav = hound::WavReader::open(&wav_path).unwrap();
    let samples: Vec<i16> = wav.samples::<i16>().map(Result::unwrap).collect();
    assert_eq!(samples, expected_samples());
}
