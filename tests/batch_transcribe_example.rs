//! The `batch-transcribe` example, run as a user runs it (the binary `cargo test` builds): offline
//! on three emulators with different quotas (spoken demo files and a file of another kind, `.srt`
//! and `.json` written beside each, a second run skipping them all, a removed `.srt` done again),
//! and over `AZURE_OPENAI_BACKENDS` naming two local servers, one of them answering 429.

mod common;
#[path = "support/example_run.rs"]
mod example_run;
#[path = "support/form.rs"]
mod form;

use std::path::Path;

use azure_openai_audio::transcription::parse_srt;
use azure_openai_audio::Transcription;
use base64::Engine as _;
use example_run::{fresh_dir, succeeded, text, Run, KEY};
use form::{parse, text_fields};
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

/// The `.srt` files of `dir`, by name.
fn srt_files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".srt"))
        .collect();
    names.sort();
    names
}

/// The summary's lines of backends: (requests, 429s, failures) each.
fn backend_counts(stdout: &str) -> Vec<(u64, u64, u64)> {
    stdout
        .lines()
        .filter(|l| l.starts_with("backend "))
        .map(|l| {
            let counts = l.rsplit_once("): ").unwrap().1;
            let n: Vec<u64> = counts
                .split(", ")
                .map(|part| part.split(' ').next().unwrap().parse().unwrap())
                .collect();
            (n[0], n[1], n[2])
        })
        .collect()
}

#[tokio::test]
async fn offline_it_spreads_the_files_over_three_emulators_and_a_second_run_skips_them() {
    let dir = fresh_dir("batch-transcribe");
    let audio = dir.join("audio");
    std::fs::create_dir_all(audio.join("sub")).unwrap();
    // Not the emulator's speech: it says what it measured. Any case of extension is audio.
    std::fs::write(audio.join("tone.WAV"), common::wav(8_000, 16_000)).unwrap();
    std::fs::write(audio.join("notes.txt"), "not audio").unwrap();
    std::fs::write(audio.join("sub").join("deep.wav"), common::wav(800, 8_000)).unwrap();
    let run = Run {
        dir: &dir,
        endpoint: None,
        vars: &[],
    };

    let out = run
        .example("batch-transcribe", &["audio", "--demo", "4"])
        .await;
    succeeded("batch-transcribe", &out);
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("AZURE_OPENAI_BACKENDS and AZURE_OPENAI_ENDPOINT are not set: transcribing on 3 offline emulators"),
        "{stderr}"
    );
    assert!(stderr.contains("(3 a minute)") && stderr.contains("(12 a minute)"));
    assert!(stderr.contains("--demo: 4 spoken WAV files in audio (4 new)"));
    assert!(
        stderr.contains("5 audio files in audio: 5 to transcribe, 0 skipped"),
        "{stderr}"
    );
    assert_eq!(
        srt_files(&audio),
        [
            "demo-01.srt",
            "demo-02.srt",
            "demo-03.srt",
            "demo-04.srt",
            "tone.srt"
        ]
    );
    assert!(!audio.join("notes.srt").exists() && !audio.join("sub").join("deep.srt").exists());
    for index in 1..=4 {
        let srt = std::fs::read_to_string(audio.join(format!("demo-{index:02}.srt"))).unwrap();
        let cues = parse_srt(&srt).unwrap();
        let texts: Vec<&str> = cues.iter().map(|c| c.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                format!("Demo file {index} of 4 was spoken by the speech API.").as_str(),
                "The quick brown fox jumped over the lazy dog.",
                "Its subtitles come from the transcription's segments.",
            ]
        );
        assert!(cues.windows(2).all(|w| w[0].end <= w[1].start), "{srt}");
        let json = std::fs::read(audio.join(format!("demo-{index:02}.json"))).unwrap();
        let reply: Transcription = serde_json::from_slice(&json).unwrap();
        assert_eq!(reply.segments.len(), 3);
        assert_eq!(reply.task.as_deref(), Some("transcribe"));
    }
    let tone = parse_srt(&std::fs::read_to_string(audio.join("tone.srt")).unwrap()).unwrap();
    assert_eq!(tone.len(), 1);
    assert!(
        tone[0]
            .text
            .contains("0.50 seconds of wav audio at 16000 Hz"),
        "{tone:?}"
    );
    assert!(
        std::fs::read_dir(&audio).unwrap().all(|e| !e
            .unwrap()
            .file_name()
            .to_string_lossy()
            .ends_with(".tmp")),
        "no temporary file left"
    );
    let stdout = text(&out.stdout);
    assert!(
        stdout.starts_with("transcribed 5 of 5 files in "),
        "{stdout}"
    );
    let counts = backend_counts(&stdout);
    assert_eq!(counts.len(), 3, "{stdout}");
    let requests: Vec<u64> = counts.iter().map(|c| c.0).collect();
    assert_eq!(
        requests.iter().sum::<u64>(),
        5 + counts.iter().map(|c| c.1).sum::<u64>(),
        "a request per file, plus one per 429: {stdout}"
    );
    assert!(
        requests.iter().filter(|&&r| r > 0).count() > 1,
        "spread over several backends: {stdout}"
    );
    assert!(counts.iter().all(|c| c.2 == 0), "{stdout}");

    // A second run skips every file (no request at all), and leaves the subtitles as they were.
    let before = std::fs::read(audio.join("demo-02.srt")).unwrap();
    let out = run.example("batch-transcribe", &["audio"]).await;
    succeeded("batch-transcribe", &out);
    assert!(text(&out.stderr).contains("5 audio files in audio: 0 to transcribe, 5 skipped"));
    let stdout = text(&out.stdout);
    assert!(stdout.starts_with("transcribed 0 of 0 files"), "{stdout}");
    assert_eq!(backend_counts(&stdout), [(0, 0, 0); 3]);
    assert_eq!(std::fs::read(audio.join("demo-02.srt")).unwrap(), before);

    // A file whose .srt is gone is done again (and only it), two at a time.
    std::fs::remove_file(audio.join("demo-03.srt")).unwrap();
    let out = run
        .example("batch-transcribe", &["audio", "--jobs", "2"])
        .await;
    succeeded("batch-transcribe", &out);
    assert!(text(&out.stderr).contains("1 to transcribe, 4 skipped"));
    assert!(text(&out.stderr).contains("demo-03.wav: 3 cues"));
    let counts = backend_counts(&text(&out.stdout));
    assert_eq!(counts.iter().map(|c| c.0).sum::<u64>(), 1);
    assert!(audio.join("demo-03.srt").exists());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn bad_arguments_are_one_line_and_nothing_is_written() {
    let dir = fresh_dir("batch-transcribe-args");
    let run = Run {
        dir: &dir,
        endpoint: None,
        vars: &[],
    };
    for (args, says) in [
        (
            &[][..],
            "batch-transcribe: give the directory of the audio files",
        ),
        (
            &["d", "--jobs", "0"][..],
            "batch-transcribe: --jobs is at least 1",
        ),
        (
            &["d", "--jobs", "many"][..],
            "batch-transcribe: --jobs takes a whole number, not \"many\"",
        ),
        (
            &["d", "--quotas", "3,0"][..],
            "batch-transcribe: --quotas: a quota is at least 1",
        ),
        (
            &["d", "--fast"][..],
            "batch-transcribe: unknown option --fast",
        ),
        (&["missing"][..], "batch-transcribe: cannot read missing"),
    ] {
        let out = run.example("batch-transcribe", args).await;
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let stderr = text(&out.stderr);
        let last = stderr.lines().last().unwrap_or_default();
        assert!(last.starts_with(says), "{args:?}: {stderr}");
    }
    let bad = Run {
        vars: &[("AZURE_OPENAI_BACKENDS", "https://a.example.com|")],
        ..run
    };
    let out = bad.example("batch-transcribe", &["d"]).await;
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("AZURE_OPENAI_BACKENDS: "), "{stderr}");
    assert!(stderr.contains("no deployment"), "{stderr}");
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0);
    std::fs::remove_dir_all(&dir).unwrap();
}

const VERBOSE: &str =
    "audio-api/azure-transcription-verbose-json-words-segments.whisper.2024-10-21.recording.json";

#[tokio::test]
async fn over_azure_openai_backends_a_429_moves_the_files_to_the_other_backend() {
    // Backend 0 is out of quota for a minute; backend 1 answers the recorded verbose_json.
    let busy = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("retry-after", "60")
                .set_body_json(serde_json::json!({"error": {"code": "429",
                    "message": "Requests to the Transcriptions_Create Operation have exceeded the call rate limit. Please retry after 60 seconds."}})),
        )
        .mount(&busy)
        .await;
    let free = MockServer::start().await;
    let (body, content_type) = common::replayed_body(VERBOSE);
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(body.clone(), content_type.as_str()))
        .mount(&free)
        .await;
    let dir = fresh_dir("batch-transcribe-azure");
    // A WAV, an MP3 (the recorded speech), and a WAV named .flac, which the crate refuses
    // before sending: that file fails, the others are done.
    let speech = common::entry(
        "audio-api/azure-speech-mp3.tts.2025-01-01-preview.recording.json",
        0,
    );
    let mp3 = base64::engine::general_purpose::STANDARD
        .decode(speech["ResponseBody"].as_str().unwrap())
        .unwrap();
    std::fs::write(dir.join("a.wav"), common::wav(1_600, 16_000)).unwrap();
    std::fs::write(dir.join("b.mp3"), mp3).unwrap();
    std::fs::write(dir.join("c.flac"), common::wav(1_600, 16_000)).unwrap();
    let list = format!("{}|whisper-east {}|whisper-west", busy.uri(), free.uri());
    let run = Run {
        dir: &dir,
        endpoint: None,
        vars: &[
            ("AZURE_OPENAI_BACKENDS", &list),
            ("AZURE_OPENAI_API_KEY", KEY),
        ],
    };
    let out = run.example("batch-transcribe", &[".", "--jobs", "1"]).await;
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(!stderr.contains("emulator"), "{stderr}");
    assert!(
        stderr.contains("3 audio files in .: 3 to transcribe"),
        "{stderr}"
    );
    assert!(
        stderr.contains("c.flac: failed: invalid input: audio file ./c.flac is named \"c.flac\", which says flac, but its header says wav"),
        "{stderr}"
    );
    assert!(
        stderr.ends_with("batch-transcribe: 1 of 3 files failed\n"),
        "{stderr}"
    );
    assert!(!dir.join("c.srt").exists() && !dir.join("c.json").exists());
    let expected: Transcription = serde_json::from_slice(&body).unwrap();
    for name in ["a", "b"] {
        let srt = std::fs::read_to_string(dir.join(format!("{name}.srt"))).unwrap();
        assert_eq!(srt, expected.to_srt());
        let json: Transcription =
            serde_json::from_slice(&std::fs::read(dir.join(format!("{name}.json"))).unwrap())
                .unwrap();
        assert_eq!(json, expected);
    }
    // The busy backend was tried once, then left alone for its minute.
    let tried = busy.received_requests().await.unwrap();
    assert_eq!(tried.len(), 1);
    assert_eq!(
        tried[0].url.path(),
        "/openai/deployments/whisper-east/audio/transcriptions"
    );
    let served = free.received_requests().await.unwrap();
    assert_eq!(served.len(), 2);
    for r in &served {
        assert_eq!(
            r.url.path(),
            "/openai/deployments/whisper-west/audio/transcriptions"
        );
        assert_eq!(common::header(r, "api-key"), Some(KEY));
        let parts = parse(common::header(r, "content-type").unwrap(), r.body.clone()).await;
        assert_eq!(
            text_fields(&parts),
            [("response_format".to_owned(), "verbose_json".to_owned())]
        );
    }
    let stdout = text(&out.stdout);
    assert!(
        stdout.starts_with("transcribed 2 of 3 files in "),
        "{stdout}"
    );
    assert_eq!(backend_counts(&stdout), [(1, 1, 0), (2, 0, 0)], "{stdout}");
    assert!(stdout.contains(&format!("backend 1 ({}/ whisper-west)", free.uri())));
    std::fs::remove_dir_all(&dir).unwrap();
}
