//! The quickstart examples, `speak` (text to speech) and `realtime` (the WebSocket API), run as a user runs them (the binaries
//! `cargo test` builds): on a machine with no Azure and no Azure CLI, against the built-in
//! emulator, with the default file names; and against a local wiremock server, checking each
//! request on the wire, what they print, the files they write, and how they fail.

mod common;
#[path = "support/example_run.rs"]
mod example_run;

use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use example_run::{fresh_dir, succeeded, text, Run, KEY};
use serde_json::{json, Value};
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

const QUESTION: &str = "Is a golden retriever a good family dog?";
const DESCRIBE: &str = "Describe in detail the spoken audio input.";
const SUMMARIZE: &str = "Very concisely summarize the favorability.";

/// Reads a WAV the way a player would; returns (sample rate, channels, samples).
fn read_wav(path: &Path) -> (u32, u16, Vec<i16>) {
    let mut reader = hound::WavReader::open(path).unwrap();
    let spec = reader.spec();
    assert_eq!(spec.bits_per_sample, 16);
    let samples = reader.samples::<i16>().map(Result::unwrap).collect();
    (spec.sample_rate, spec.channels, samples)
}

#[tokio::test]
async fn without_azure_the_quickstarts_run_against_the_emulator() {
    let dir = fresh_dir("emulator");
    let run = Run {
        dir: &dir,
        endpoint: None,
        vars: &[],
    };

    // to-audio: dog.wav, a real 24 kHz mono WAV, 60 ms of signal per transcript character.
    let out = run.example("to-audio", &[]).await;
    succeeded("to-audio", &out);
    let stderr = text(&out.stderr);
    let first = stderr.lines().next().unwrap_or_default();
    assert!(
        first.starts_with(
            "AZURE_OPENAI_ENDPOINT is not set: using the built-in offline emulator at http://127.0.0.1:"
        ),
        "{stderr}"
    );
    assert_eq!(stderr.matches("emulator").count(), 1, "{stderr}");
    let transcript = format!("You said: {QUESTION}");
    assert_eq!(text(&out.stdout), format!("{transcript}\n"));
    let (rate, channels, samples) = read_wav(&dir.join("dog.wav"));
    assert_eq!((rate, channels), (24_000, 1));
    assert_eq!(samples.len(), transcript.chars().count() * 1_440);
    assert!(
        samples.iter().any(|&s| s.abs() > 1_000),
        "a signal, not silence"
    );

    // from-audio reads that dog.wav and writes analysis.wav; the emulator says what it heard.
    let out = run.example("from-audio", &[]).await;
    succeeded("from-audio", &out);
    let heard = format!(
        "I heard {:.2} seconds of wav audio at 24000 Hz, mono.",
        samples.len() as f64 / 24_000.0
    );
    assert_eq!(text(&out.stdout), format!("You said: {DESCRIBE} {heard}\n"));
    let (rate, _, analysis) = read_wav(&dir.join("analysis.wav"));
    assert_eq!(rate, 24_000);
    assert!(!analysis.is_empty());

    // multi-turn: the second turn cites the first spoken reply by its id (the emulator refuses
    // ids it did not issue, and counts the ones cited).
    let out = run.example("multi-turn", &[]).await;
    succeeded("multi-turn", &out);
    let stdout = text(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{stdout}");
    assert_eq!(lines[0], format!("You said: {DESCRIBE} {heard}"));
    assert_eq!(
        lines[1],
        format!("You said: {SUMMARIZE} I remember 1 earlier spoken reply.")
    );

    // speak: speech.wav, a real 24 kHz mono WAV written as it arrived; pcm for a .pcm name.
    let out = run.example("speak", &[]).await;
    succeeded("speak", &out);
    let stderr = text(&out.stderr);
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 2, "{stderr}");
    assert!(lines[0].starts_with("AZURE_OPENAI_ENDPOINT is not set: using the built-in offline emulator at http://127.0.0.1:"), "{stderr}");
    let wav_len = std::fs::metadata(dir.join("speech.wav")).unwrap().len();
    assert_eq!(
        lines[1],
        format!("wrote speech.wav ({wav_len} bytes of wav)")
    );
    let (rate, channels, spoken) = read_wav(&dir.join("speech.wav"));
    assert_eq!((rate, channels), (24_000, 1));
    assert!(
        spoken.iter().any(|&s| s.abs() > 1_000),
        "a signal, not silence"
    );
    let out = run.example("speak", &["Hello there.", "hi.pcm"]).await;
    succeeded("speak", &out);
    let pcm = std::fs::read(dir.join("hi.pcm")).unwrap();
    assert!(!pcm.is_empty() && pcm.len() % 2 == 0 && !pcm.starts_with(b"RIFF"));
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The recorded audio reply, with `expires_at` an hour from now so it can be cited.
fn citable_reply() -> ResponseTemplate {
    let mut body = common::entry(common::AUDIO_RECORDING, 0)["ResponseBody"].clone();
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
    body["choices"][0]["message"]["audio"]["expires_at"] = json!(now.as_secs() + 3600);
    ResponseTemplate::new(200)
        .set_body_json(body)
        .insert_header("x-request-id", "req-example-1")
}

async fn recorded_server() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(citable_reply())
        .mount(&server)
        .await;
    server
}

/// The recorded reply's audio, as the examples must write it.
fn recorded_audio() -> Vec<u8> {
    let body = &common::entry(common::AUDIO_RECORDING, 0)["ResponseBody"];
    let data = body["choices"][0]["message"]["audio"]["data"]
        .as_str()
        .unwrap();
    base64::engine::general_purpose::STANDARD
        .decode(data)
        .unwrap()
}

fn audio_question(wav: &[u8]) -> Value {
    json!({"role": "user", "content": [
        {"type": "text", "text": DESCRIBE},
        {"type": "input_audio", "input_audio": {
            "data": base64::engine::general_purpose::STANDARD.encode(wav), "format": "wav"}}
    ]})
}

#[tokio::test]
async fn each_quickstart_sends_exactly_the_quickstart_request() {
    let server = recorded_server().await;
    let dir = fresh_dir("wire");
    let run = Run {
        dir: &dir,
        endpoint: Some(&server.uri()),
        vars: &[],
    };
    let wav = common::wav(12_000, 16_000);
    std::fs::write(dir.join("in.wav"), &wav).unwrap();
    let spoken =
        json!({"modalities": ["text", "audio"], "audio": {"voice": "alloy", "format": "wav"}});
    let with = |messages: Value| {
        let mut body = spoken.clone();
        body["messages"] = messages;
        body
    };

    let out = run.example("to-audio", &["out.wav"]).await;
    succeeded("to-audio", &out);
    assert_eq!(text(&out.stdout), "Hello world, this is a test.\n");
    assert_eq!(
        std::fs::read(dir.join("out.wav")).unwrap(),
        recorded_audio()
    );
    assert!(text(&out.stderr).lines().all(|l| !l.contains("emulator")));

    let out = run.example("from-audio", &["in.wav", "analysis.wav"]).await;
    succeeded("from-audio", &out);
    assert_eq!(text(&out.stdout), "Hello world, this is a test.\n");
    assert_eq!(
        std::fs::read(dir.join("analysis.wav")).unwrap(),
        recorded_audio()
    );

    let out = run.example("multi-turn", &["in.wav"]).await;
    succeeded("multi-turn", &out);
    assert_eq!(
        text(&out.stdout),
        "Hello world, this is a test.\nHello world, this is a test.\n"
    );

    let received = server.received_requests().await.unwrap();
    let bodies: Vec<Value> = received
        .iter()
        .map(|r| common::check_request(r, KEY))
        .collect();
    assert_eq!(bodies.len(), 4);
    assert_eq!(
        bodies[0],
        with(json!([{"role": "user", "content": QUESTION}]))
    );
    assert_eq!(bodies[1], with(json!([audio_question(&wav)])));
    assert_eq!(
        bodies[2], bodies[1],
        "multi-turn's first turn is from-audio's"
    );
    assert_eq!(
        bodies[3],
        json!({
            "messages": [
                audio_question(&wav),
                {"role": "assistant", "audio": {"id": "audio_67b50b8b3f4c8190b412e8d7ce010eb5"}},
                {"role": "user", "content": SUMMARIZE}
            ],
            "modalities": ["text"]
        })
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn failures_are_one_line_with_the_code_and_request_id_and_exit_1() {
    let dir = fresh_dir("failures");
    std::fs::write(dir.join("dog.wav"), common::wav(2_400, 24_000)).unwrap();

    // The recorded 401.
    let server = MockServer::start().await;
    let denied = &common::entry("azure-error-401-invalid-key.2024-10-21.recording.json", 0);
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(401)
                .set_body_json(denied["ResponseBody"].clone())
                .insert_header("apim-request-id", "req-401-abc"),
        )
        .mount(&server)
        .await;
    let run = Run {
        dir: &dir,
        endpoint: Some(&server.uri()),
        vars: &[],
    };
    for (example, name) in [
        ("to-audio", "to-audio"),
        ("from-audio", "from-audio"),
        ("multi-turn", "multi-turn"),
        ("speak", "speak"),
    ] {
        let out = run.example(example, &[]).await;
        assert_eq!(out.status.code(), Some(1), "{example}");
        let stderr = text(&out.stderr);
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(
            stderr.starts_with(&format!("{name}: api error: 401")),
            "{stderr}"
        );
        assert!(stderr.contains("[code: 401]"), "{stderr}");
        assert!(stderr.contains("[request id: req-401-abc]"), "{stderr}");
        assert!(!stderr.contains(KEY), "{stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
    assert!(!dir.join("analysis.wav").exists());
    assert!(
        !dir.join("speech.wav").exists(),
        "a failed speech leaves no file"
    );

    // A malformed variable is named; a missing input file is named; nothing is sent.
    let before = server.received_requests().await.unwrap().len();
    let bad = Run {
        dir: &dir,
        endpoint: Some("not a url"),
        vars: &[],
    };
    let out = bad.example("to-audio", &[]).await;
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("AZURE_OPENAI_ENDPOINT is not a URL"),
        "{stderr}"
    );
    let out = run.example("from-audio", &["missing.wav"]).await;
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("missing.wav"), "{stderr}");
    assert_eq!(server.received_requests().await.unwrap().len(), before);
    std::fs::remove_dir_all(&dir).unwrap();
}

const SPOKEN: &str = "The quick brown fox jumped over the lazy dog.";

#[tokio::test]
async fn speak_sends_the_speech_request_and_writes_the_audio_it_gets() {
    // The recorded mp3 speech (its first 384 bytes), as the service's reply.
    let recorded = common::entry(
        "audio-api/azure-speech-mp3.tts.2025-01-01-preview.recording.json",
        0,
    );
    let audio = base64::engine::general_purpose::STANDARD
        .decode(recorded["ResponseBody"].as_str().unwrap())
        .unwrap();
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(audio.clone(), "audio/mpeg")
                .insert_header("apim-request-id", "req-speak-1"),
        )
        .mount(&server)
        .await;
    let dir = fresh_dir("speak");
    let run = Run {
        dir: &dir,
        endpoint: Some(&server.uri()),
        vars: &[],
    };
    // The defaults: the sentence, speech.wav (so wav), the gpt-4o-mini-tts deployment.
    let out = run.example("speak", &[]).await;
    succeeded("speak", &out);
    assert_eq!(std::fs::read(dir.join("speech.wav")).unwrap(), audio);
    assert_eq!(
        text(&out.stderr),
        format!("wrote speech.wav ({} bytes of wav)\n", audio.len())
    );
    // TEXT and OUT given; the deployment from AZURE_OPENAI_TTS_DEPLOYMENT.
    let run = Run {
        vars: &[("AZURE_OPENAI_TTS_DEPLOYMENT", "tts")],
        ..run
    };
    let out = run.example("speak", &["Hello there.", "hello.MP3"]).await;
    succeeded("speak", &out);
    assert_eq!(std::fs::read(dir.join("hello.MP3")).unwrap(), audio);
    // An extension that names no format: one line, nothing sent.
    let out = run.example("speak", &["Hi.", "hello.ogg"]).await;
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        text(&out.stderr),
        "speak: cannot tell the audio format from hello.ogg: name it .mp3, .opus, .aac, .flac, .wav or .pcm\n"
    );
    assert!(!dir.join("hello.ogg").exists());

    let received = server.received_requests().await.unwrap();
    assert_eq!(received.len(), 2);
    let check = |r: &wiremock::Request, deployment: &str| {
        assert_eq!(r.method.as_str(), "POST");
        assert_eq!(
            r.url.path(),
            format!("/openai/deployments/{deployment}/audio/speech")
        );
        assert_eq!(r.url.query(), Some("api-version=2025-04-01-preview"));
        assert_eq!(common::header(r, "api-key"), Some(KEY));
        assert_eq!(
            common::header(r, "accept"),
            Some("application/octet-stream")
        );
        assert_eq!(common::header(r, "content-type"), Some("application/json"));
        assert_eq!(
            common::header(r, "content-length"),
            Some(r.body.len().to_string().as_str())
        );
        serde_json::from_slice::<Value>(&r.body).unwrap()
    };
    assert_eq!(
        check(&received[0], "gpt-4o-mini-tts"),
        json!({"input": SPOKEN, "voice": "alloy", "response_format": "wav"})
    );
    assert_eq!(
        check(&received[1], "tts"),
        json!({"input": "Hello there.", "voice": "alloy", "response_format": "mp3"})
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The lines of `stderr` after the emulator's (the first, which names it).
fn after_emulator_line(stderr: &str) -> Vec<&str> {
    let mut lines = stderr.lines();
    let first = lines.next().unwrap_or_default();
    assert!(
        first.starts_with(
            "AZURE_OPENAI_ENDPOINT is not set: using the built-in offline emulator at http://127.0.0.1:"
        ),
        "{stderr}"
    );
    lines.collect()
}

#[tokio::test]
async fn the_realtime_example_asks_in_text_or_in_audio_and_writes_the_spoken_answer() {
    let dir = fresh_dir("realtime");
    let run = Run {
        dir: &dir,
        endpoint: None,
        vars: &[],
    };
    // Without IN: the question as a text item; the transcript on stdout, the audio in realtime.wav.
    let out = run.example("realtime", &[]).await;
    succeeded("realtime", &out);
    let answer = format!("You said: {QUESTION}");
    assert_eq!(text(&out.stdout), format!("{answer}\n"));
    let stderr = text(&out.stderr);
    let (rate, channels, samples) = read_wav(&dir.join("realtime.wav"));
    assert_eq!((rate, channels), (24_000, 1));
    assert!(
        samples.iter().any(|&s| s.abs() > 1_000),
        "a signal, not silence"
    );
    assert_eq!(
        after_emulator_line(&stderr),
        [
            "connected to gpt-realtime".to_owned(),
            format!(
                "wrote realtime.wav ({:.2} s of 24 kHz audio)",
                samples.len() as f64 / 24_000.0
            )
        ],
        "{stderr}"
    );

    // With IN: the sentence spoken by the emulator's /audio/speech (the speak example), sent as
    // audio and committed; the emulator hears the sentence its own speech carries.
    succeeded("speak", &run.example("speak", &[]).await);
    let out = run.example("realtime", &["speech.wav", "answer.wav"]).await;
    succeeded("realtime", &out);
    assert_eq!(text(&out.stdout), format!("You said: {SPOKEN}\n"));
    let (_, _, spoken) = read_wav(&dir.join("speech.wav"));
    let stderr = text(&out.stderr);
    let lines = after_emulator_line(&stderr);
    assert_eq!(
        lines[1],
        format!("sent {:.2} s of audio", spoken.len() as f64 / 24_000.0),
        "{stderr}"
    );
    assert!(lines[2].starts_with("wrote answer.wav ("), "{stderr}");
    // The answer's audio carries its transcript: sent back, it is heard as said.
    let out = run
        .example("realtime", &["realtime.wav", "again.wav"])
        .await;
    succeeded("realtime", &out);
    assert_eq!(text(&out.stdout), format!("You said: {answer}\n"));

    // The deployment from AZURE_OPENAI_REALTIME_DEPLOYMENT; one that is not a realtime model is
    // refused at the handshake, in one line with the service's code.
    let named = Run {
        vars: &[("AZURE_OPENAI_REALTIME_DEPLOYMENT", "my-realtime")],
        ..run
    };
    let out = named.example("realtime", &[]).await;
    succeeded("realtime", &out);
    assert_eq!(
        after_emulator_line(&text(&out.stderr))[0],
        "connected to my-realtime"
    );
    let chat = Run {
        vars: &[("AZURE_OPENAI_REALTIME_DEPLOYMENT", "gpt-4o-audio-preview")],
        ..run
    };
    let out = chat
        .example("realtime", &["speech.wav", "refused.wav"])
        .await;
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    let lines = after_emulator_line(&stderr);
    assert_eq!(lines.len(), 1, "{stderr}");
    assert!(lines[0].starts_with("realtime: api error: 400"), "{stderr}");
    assert!(
        lines[0].contains("[code: OpperationNotSupported]"),
        "{stderr}"
    );
    assert!(!dir.join("refused.wav").exists());

    // Any WAV: the spoken sentence at 48 kHz stereo 32-bit float is converted to 24 kHz mono
    // pcm16 and heard as said.
    let (_, _, spoken) = read_wav(&dir.join("speech.wav"));
    let spec = hound::WavSpec {
        channels: 2,
        sample_rate: 48_000,
        bits_per_sample: 32,
        sample_format: hound::SampleFormat::Float,
    };
    let mut writer = hound::WavWriter::create(dir.join("48k.wav"), spec).unwrap();
    for &s in &spoken {
        let x = f32::from(s) / 32_768.0;
        for _ in 0..4 {
            writer.write_sample(x).unwrap(); // two frames of two channels per input sample
        }
    }
    writer.finalize().unwrap();
    let out = run.example("realtime", &["48k.wav", "from-48k.wav"]).await;
    succeeded("realtime", &out);
    assert_eq!(text(&out.stdout), format!("You said: {SPOKEN}\n"));

    // A file that is not a WAV the converter reads is named before anything is sent.
    std::fs::write(dir.join("text.wav"), "not a wav").unwrap();
    let out = run.example("realtime", &["text.wav"]).await;
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with("realtime: text.wav: invalid input: "),
        "{stderr}"
    );

    // A missing or unreadable IN is named before anything is sent (no emulator started).
    let out = run.example("realtime", &["missing.wav"]).await;
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with("realtime: cannot read missing.wav"),
        "{stderr}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn the_realtime_example_on_an_endpoint_does_not_start_the_emulator() {
    let emulator = azure_openai_audio_emulator::Emulator::start()
        .await
        .unwrap();
    let dir = fresh_dir("realtime-endpoint");
    let run = Run {
        dir: &dir,
        endpoint: Some(emulator.endpoint()),
        vars: &[],
    };
    let out = run.example("realtime", &[]).await;
    succeeded("realtime", &out);
    assert_eq!(text(&out.stdout), format!("You said: {QUESTION}\n"));
    let stderr = text(&out.stderr);
    assert!(
        stderr.starts_with("connected to gpt-realtime\n"),
        "{stderr}"
    );
    assert!(!stderr.contains("emulator"), "{stderr}");
    assert!(emulator.requests_received() >= 1);
    std::fs::remove_dir_all(&dir).unwrap();
}
