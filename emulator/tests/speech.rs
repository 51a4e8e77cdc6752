//! The speech route (`audio/speech`) over raw HTTP: audio whose length follows the text, sent
//! chunked as the service sends it, SSE, and the request checks.

mod support;

use azure_openai_audio_emulator::Emulator;
use base64::Engine as _;
use serde_json::{json, Value};
use support::*;

const QUICK: &str = "The quick brown fox jumped over the lazy dog.";

#[tokio::test]
async fn wav_and_pcm_follow_the_text_and_come_chunked_like_the_recording() {
    let emulator = Emulator::start().await.unwrap();
    let recorded = recording("audio-api/azure-speech-mp3.tts.2025-01-01-preview.recording.json");
    assert_eq!(
        recorded["Entries"][0]["ResponseHeaders"]["Transfer-Encoding"],
        "chunked"
    );
    let ask = |text: &str, format: &str, speed: f64| json!({"model": "tts", "input": text, "voice": "alloy", "response_format": format, "speed": speed});
    let wav = speech(&emulator, Some("tts"), &ask(QUICK, "wav", 1.0)).await;
    assert_eq!(wav.status, 200, "{}", wav.text());
    assert_eq!(wav.header("content-type"), Some("audio/wav"));
    assert_eq!(wav.header("transfer-encoding"), Some("chunked"));
    assert_eq!(wav.header("content-length"), None);
    assert_eq!(wav.header("x-ms-deployment-name"), Some("tts"));
    assert!(wav.header("apim-request-id").is_some());
    let (spec, samples) = samples(&wav.body);
    assert_eq!(
        (spec.sample_rate, spec.channels, spec.bits_per_sample),
        (24_000, 1, 16)
    );
    // A 180 ms preamble, 60 ms a character, 60 ms to close.
    assert_eq!(samples.len(), (3 + QUICK.len() + 1) * 1440);
    assert!(samples.iter().any(|s| s.unsigned_abs() > 8000), "audible");

    let pcm = speech(&emulator, Some("tts"), &ask(QUICK, "pcm", 1.0)).await;
    assert_eq!(pcm.status, 200);
    assert_eq!(pcm.header("content-type"), Some("audio/pcm"));
    assert_eq!(pcm.header("transfer-encoding"), Some("chunked"));
    assert_eq!(
        &pcm.body[..],
        &wav.body[44..],
        "the same samples, without the header"
    );

    let short = speech(&emulator, Some("tts"), &ask("Hi.", "pcm", 1.0)).await;
    assert_eq!(short.body.len(), (3 + 3 + 1) * 1440 * 2);
    let fast = speech(&emulator, Some("tts"), &ask("Hi.", "pcm", 2.0)).await;
    assert_eq!(
        fast.body.len(),
        (3 * 1440 + 4 * 720) * 2,
        "twice as fast after the preamble"
    );
}

#[tokio::test]
async fn the_v1_route_takes_the_deployment_as_model() {
    let emulator = Emulator::builder()
        .deployments(["tts-hd"])
        .start()
        .await
        .unwrap();
    let ok = speech(
        &emulator,
        None,
        &json!({"model": "tts-hd", "input": "Hello.", "voice": "nova", "response_format": "wav"}),
    )
    .await;
    assert_eq!(ok.status, 200, "{}", ok.text());
    assert_eq!(ok.header("x-ms-deployment-name"), Some("tts-hd"));
    let missing = speech(
        &emulator,
        None,
        &json!({"input": "Hello.", "voice": "nova"}),
    )
    .await;
    refusal(&missing, "model", "missing_required_parameter");
    let unknown = speech(
        &emulator,
        None,
        &json!({"model": "tts", "input": "x", "voice": "nova"}),
    )
    .await;
    assert_eq!(unknown.status, 404);
    assert_eq!(unknown.json()["error"]["code"], "DeploymentNotFound");
}

#[tokio::test]
async fn sse_carries_the_audio_in_deltas_then_usage_like_the_recording() {
    let emulator = Emulator::start().await.unwrap();
    let text = "Hello, world! This is a streaming test.";
    let request = |stream_format: &str| json!({"input": text, "voice": "alloy", "response_format": "wav", "stream_format": stream_format});
    let a = speech(&emulator, Some("gpt-4o-mini-tts"), &request("sse")).await;
    assert_eq!(a.status, 200, "{}", a.text());
    assert_eq!(
        a.header("content-type"),
        Some("text/event-stream; charset=utf-8")
    );
    assert_eq!(a.header("transfer-encoding"), Some("chunked"));
    let events = events(&a.text());
    let recorded =
        recording("audio-api/openai-speech-streaming-sse.gpt-4o-mini-tts.recording-excerpt.json");
    let recorded_body: String = recorded["Entries"][0]["ResponseBody"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l.as_str().unwrap().replace("\r\n", "\n"))
        .collect();
    let recorded_events = support::events(&recorded_body);
    let (last, rest) = events.split_last().unwrap();
    assert_eq!(last, "[DONE]");
    let (done, deltas) = rest.split_last().unwrap();
    assert!(deltas.len() > 2, "the audio comes in several deltas");
    assert_eq!(shape(done), shape(&recorded_events[2]));
    assert_eq!(
        done["usage"]["input_tokens"], recorded_events[2]["usage"]["input_tokens"],
        "4 characters a token"
    );
    let u = &done["usage"];
    assert_eq!(
        u["total_tokens"],
        u["input_tokens"].as_u64().unwrap() + u["output_tokens"].as_u64().unwrap()
    );
    let mut audio = Vec::new();
    for d in deltas {
        assert_eq!(keys(d), keys(&recorded_events[0]));
        assert_eq!(d["type"], "speech.audio.delta");
        audio.extend(
            base64::engine::general_purpose::STANDARD
                .decode(d["audio"].as_str().unwrap())
                .unwrap(),
        );
    }
    let whole = speech(&emulator, Some("gpt-4o-mini-tts"), &request("audio")).await;
    assert_eq!(audio, whole.body, "the deltas are the audio");
}

#[tokio::test]
async fn requests_are_checked_as_the_service_does() {
    let emulator = Emulator::start().await.unwrap();
    let base = json!({"input": "Hello.", "voice": "alloy", "response_format": "wav"});
    let with = |key: &str, value: Value| {
        let mut b = base.clone();
        b[key] = value;
        b
    };
    let tts = Some("tts");
    let cases: Vec<(Value, Option<&str>, &str, &str)> = vec![
        (
            with("input", json!("x".repeat(4097))),
            tts,
            "input",
            "string_above_max_length",
        ),
        (
            with("input", json!("")),
            tts,
            "input",
            "string_below_min_length",
        ),
        (with("voice", json!("robot")), tts, "voice", "invalid_value"),
        (
            with("response_format", json!("mp3")),
            tts,
            "response_format",
            "unsupported_value",
        ),
        (
            with("response_format", json!("ogg")),
            tts,
            "response_format",
            "invalid_value",
        ),
        (
            with("speed", json!(0.1)),
            tts,
            "speed",
            "decimal_below_min_value",
        ),
        (
            with("speed", json!(4.01)),
            tts,
            "speed",
            "decimal_above_max_value",
        ),
        (
            with("instructions", json!("Whisper it.")),
            tts,
            "instructions",
            "unsupported_parameter",
        ),
        (
            with("stream_format", json!("sse")),
            Some("tts-hd"),
            "stream_format",
            "unsupported_value",
        ),
    ];
    for (body, deployment, param, code) in cases {
        let a = speech(&emulator, deployment, &body).await;
        refusal(&a, param, code);
    }
    // The 13 voices, and the 4096-character input.
    for voice in [
        "alloy", "ash", "ballad", "coral", "echo", "fable", "nova", "onyx", "sage", "shimmer",
        "verse", "marin", "cedar",
    ] {
        assert_eq!(
            speech(&emulator, tts, &with("voice", json!(voice)))
                .await
                .status,
            200,
            "{voice}"
        );
    }
    let longest = speech(&emulator, tts, &with("input", json!("a".repeat(4096)))).await;
    assert_eq!(longest.status, 200);
    assert_eq!(longest.body.len(), 44 + (3 + 4096 + 1) * 1440 * 2);
    let instructed = with("instructions", json!("Whisper it."));
    assert_eq!(
        speech(&emulator, Some("gpt-4o-mini-tts"), &instructed)
            .await
            .status,
        200
    );
    // mp3 is the default format: the emulator names the ones it makes.
    let mut default = base.clone();
    default.as_object_mut().unwrap().remove("response_format");
    let m = refusal(
        &speech(&emulator, tts, &default).await,
        "response_format",
        "unsupported_value",
    );
    assert!(m.contains("'mp3'") && m.contains("'wav' and 'pcm'"), "{m}");
    // Not JSON.
    let url = audio_url(&emulator, tts, "speech");
    let a = send(&emulator, &url, "application/json", b"{".to_vec()).await;
    assert_eq!(a.status, 400);
}
