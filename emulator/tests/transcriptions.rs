//! The transcription and translation routes over raw HTTP (multipart forms): every format, the
//! round trip from the emulator's own speech, streaming, other audio, the request checks.

mod support;

use std::io::Cursor;

use azure_openai_audio::Pcm16WavWriter;
use azure_openai_audio_emulator::Emulator;
use serde_json::{json, Value};
use support::*;

const QUICK: &str = "The quick brown fox jumped over the lazy dog.";

#[tokio::test]
async fn speech_then_transcription_gives_the_text_back_in_every_format() {
    let emulator = Emulator::start().await.unwrap();
    let wav = spoken_wav(&emulator, QUICK).await;
    let seconds = (3 + QUICK.len() + 1) as f64 * 0.06;
    let file = Part::File("speech.wav", &wav);
    let json = upload(&emulator, Some("whisper"), "transcriptions", &[file]).await;
    assert_eq!(json.status, 200, "{}", json.text());
    assert_eq!(json.header("content-type"), Some("application/json"));
    assert_eq!(
        json.json(),
        json!({"text": QUICK}),
        "whisper: no usage, as Azure's recordings"
    );
    let recorded =
        recording("audio-api/azure-transcription-json-default.whisper.2024-10-21.recording.json");
    assert_eq!(
        keys(&json.json()),
        keys(&recorded["Entries"][0]["ResponseBody"])
    );

    let format = |f: &'static str| Part::Text("response_format", f);
    let text = upload(
        &emulator,
        Some("whisper"),
        "transcriptions",
        &[Part::File("a.wav", &wav), format("text")],
    )
    .await;
    assert_eq!(
        text.header("content-type"),
        Some("text/plain; charset=utf-8")
    );
    assert_eq!(text.text(), format!("{QUICK}\n"));
    let srt = upload(
        &emulator,
        Some("whisper"),
        "transcriptions",
        &[Part::File("a.wav", &wav), format("srt")],
    )
    .await;
    assert_eq!(
        srt.header("content-type"),
        Some("text/plain; charset=utf-8")
    );
    assert_eq!(
        srt.text(),
        format!("1\n00:00:00,000 --> 00:00:02,940\n{QUICK}\n\n\n")
    );
    let vtt = upload(
        &emulator,
        Some("whisper"),
        "transcriptions",
        &[Part::File("a.wav", &wav), format("vtt")],
    )
    .await;
    assert_eq!(
        vtt.text(),
        format!("WEBVTT\n\n00:00:00.000 --> 00:00:02.940\n{QUICK}\n\n")
    );

    let verbose = upload(
        &emulator,
        Some("whisper"),
        "transcriptions",
        &[
            Part::File("a.wav", &wav),
            format("verbose_json"),
            Part::Text("timestamp_granularities[]", "word"),
            Part::Text("timestamp_granularities[]", "segment"),
        ],
    )
    .await
    .json();
    let recorded = recording(
        "audio-api/azure-transcription-verbose-json-words-segments.whisper.2024-10-21.recording.json",
    );
    let recorded = &recorded["Entries"][0]["ResponseBody"];
    assert_eq!(shape(&verbose), shape(recorded));
    assert_eq!(
        (verbose["task"].as_str(), verbose["language"].as_str()),
        (Some("transcribe"), Some("english"))
    );
    assert!((verbose["duration"].as_f64().unwrap() - seconds).abs() < 1e-9);
    assert_eq!(verbose["segments"][0]["text"], format!(" {QUICK}"));
    let words: Vec<&str> = verbose["words"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["word"].as_str().unwrap())
        .collect();
    assert_eq!(words.join(" "), QUICK.trim_end_matches('.'));
    for t in verbose["words"]
        .as_array()
        .unwrap()
        .iter()
        .chain(verbose["segments"].as_array().unwrap())
    {
        let (start, end) = (t["start"].as_f64().unwrap(), t["end"].as_f64().unwrap());
        assert!(0.0 <= start && start < end && end <= seconds, "{t}");
    }
    // Without granularities: segments only.
    let plain = upload(
        &emulator,
        Some("whisper"),
        "transcriptions",
        &[Part::File("a.wav", &wav), format("verbose_json")],
    )
    .await
    .json();
    assert!(
        plain.get("segments").is_some() && plain.get("words").is_none(),
        "{plain}"
    );

    let translated = upload(
        &emulator,
        Some("whisper"),
        "translations",
        &[Part::File("a.wav", &wav), format("verbose_json")],
    )
    .await
    .json();
    assert_eq!(translated["text"], format!("English translation: {QUICK}"));
    assert_eq!(translated["task"], "translate");
    let srt = upload(
        &emulator,
        Some("whisper"),
        "translations",
        &[Part::File("a.wav", &wav), format("srt")],
    )
    .await;
    assert!(
        srt.text().starts_with("1\n00:00:00,000 --> "),
        "{}",
        srt.text()
    );
}

#[tokio::test]
async fn pcm_written_as_a_wav_by_the_sdk_gives_the_text_back() {
    let emulator = Emulator::start().await.unwrap();
    let text = "Speak, then transcribe: offline! ✓";
    let pcm = speech(
        &emulator,
        Some("gpt-4o-mini-tts"),
        &json!({"input": text, "voice": "marin", "response_format": "pcm", "speed": 1.5}),
    )
    .await;
    assert_eq!(pcm.status, 200);
    let mut file = Cursor::new(Vec::new());
    let mut writer = Pcm16WavWriter::new(&mut file).unwrap();
    // Pieces that split samples, as a stream delivers them.
    for piece in pcm.body.chunks(1001) {
        writer.write_pcm16(piece).unwrap();
    }
    writer.finalize().unwrap();
    let wav = file.into_inner();
    assert_eq!(wav.len(), 44 + pcm.body.len());
    for deployment in ["whisper", "gpt-4o-mini-transcribe", "gpt-4o-transcribe"] {
        let a = upload(
            &emulator,
            Some(deployment),
            "transcriptions",
            &[Part::File("speech.wav", &wav)],
        )
        .await;
        assert_eq!(a.json()["text"], text, "{deployment}");
    }
}

#[tokio::test]
async fn other_audio_is_described_as_measured() {
    let emulator = Emulator::start().await.unwrap();
    let stereo = wav(16_000, 2, 20_000);
    let a = upload(
        &emulator,
        Some("whisper"),
        "transcriptions",
        &[Part::File("tone.wav", &stereo)],
    )
    .await;
    assert_eq!(
        a.json()["text"],
        "I heard 1.25 seconds of wav audio at 16000 Hz, stereo."
    );
    let a = upload(
        &emulator,
        Some("whisper"),
        "transcriptions",
        &[
            Part::File("frames.mp3", &mp3(100)),
            Part::Text("response_format", "verbose_json"),
        ],
    )
    .await
    .json();
    assert_eq!(
        a["text"],
        "I heard 2.61 seconds of mp3 audio at 44100 Hz, stereo."
    );
    assert!((a["duration"].as_f64().unwrap() - 100.0 * 1152.0 / 44_100.0).abs() < 1e-9);
    let ogg = [b"OggS".as_slice(), &[0u8; 31_996]].concat();
    let a = upload(
        &emulator,
        Some("whisper"),
        "translations",
        &[Part::File("a.ogg", &ogg)],
    )
    .await;
    assert_eq!(a.json()["text"], "I heard 32000 bytes of ogg audio, about 2.00 seconds at 128 kbit/s (the emulator does not decode ogg).");
}

#[tokio::test]
async fn gpt_4o_transcribe_carries_token_usage_logprobs_and_streams_like_the_recording() {
    let emulator = Emulator::start().await.unwrap();
    let wav = spoken_wav(&emulator, "Hello world, this is a test.").await;
    let d = Some("gpt-4o-mini-transcribe");
    let a = upload(
        &emulator,
        d,
        "transcriptions",
        &[
            Part::File("a.wav", &wav),
            Part::Text("include[]", "logprobs"),
        ],
    )
    .await
    .json();
    assert_eq!(a["text"], "Hello world, this is a test.");
    let u = &a["usage"];
    assert_eq!(u["type"], "tokens");
    assert_eq!(
        u["input_tokens"], 20,
        "1.92 s of audio at 10 tokens a second"
    );
    assert_eq!(
        u["total_tokens"],
        u["input_tokens"].as_u64().unwrap() + u["output_tokens"].as_u64().unwrap()
    );
    let tokens: Vec<&str> = a["logprobs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["token"].as_str().unwrap())
        .collect();
    assert_eq!(tokens.concat(), "Hello world, this is a test.");

    let streamed = upload(
        &emulator,
        d,
        "transcriptions",
        &[Part::File("a.wav", &wav), Part::Text("stream", "true")],
    )
    .await;
    assert_eq!(
        streamed.header("content-type"),
        Some("text/event-stream; charset=utf-8")
    );
    let events = events(&streamed.text());
    let recorded = recording(
        "audio-api/openai-transcription-streaming-sse.gpt-4o-mini-transcribe.recording.json",
    );
    let body: String = recorded["Entries"][0]["ResponseBody"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l.as_str().unwrap().replace("\r\n", "\n"))
        .collect();
    let recorded = support::events(&body);
    assert_eq!(events.last().unwrap(), "[DONE]");
    let done = &events[events.len() - 2];
    assert_eq!(shape(done), shape(&recorded[recorded.len() - 2]));
    assert_eq!(done["text"], "Hello world, this is a test.");
    let deltas = &events[..events.len() - 2];
    assert!(deltas.iter().all(|e| shape(e) == shape(&recorded[0])));
    let text: String = deltas
        .iter()
        .map(|e| e["delta"].as_str().unwrap())
        .collect();
    assert_eq!(text, "Hello world, this is a test.");
}

#[tokio::test]
async fn the_diarize_model_labels_speakers_in_json_and_in_its_stream() {
    let emulator = Emulator::start().await.unwrap();
    let spoken =
        "Thanks for calling the support line today. Hi, I need help with diarization please.";
    let wav = spoken_wav(&emulator, spoken).await;
    let d = Some("gpt-4o-transcribe-diarize");
    let file = Part::File("call.wav", &wav);
    let a = upload(
        &emulator,
        d,
        "transcriptions",
        &[file, Part::Text("response_format", "diarized_json")],
    )
    .await
    .json();
    assert_eq!(a["task"], "transcribe");
    assert_eq!(a["text"], spoken);
    let speakers: Vec<&str> = a["segments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["speaker"].as_str().unwrap())
        .collect();
    assert_eq!(speakers, ["A", "B"]);
    assert_eq!(a["segments"][0]["type"], "transcript.text.segment");
    assert_eq!(a["usage"]["type"], "duration");
    let file = Part::File("call.wav", &wav);
    let named = [
        file,
        Part::Text("response_format", "diarized_json"),
        Part::Text("stream", "true"),
        Part::Text("known_speaker_names[]", "agent"),
        Part::Text("known_speaker_names[]", "customer"),
        Part::Text("known_speaker_references[]", "data:audio/wav;base64,AAAA"),
        Part::Text("known_speaker_references[]", "data:audio/wav;base64,AAAA"),
    ];
    let events = events(&upload(&emulator, d, "transcriptions", &named).await.text());
    let segments: Vec<&Value> = events
        .iter()
        .filter(|e| e["type"] == "transcript.text.segment")
        .collect();
    assert_eq!(
        segments
            .iter()
            .map(|s| s["speaker"].as_str().unwrap())
            .collect::<Vec<_>>(),
        ["agent", "customer"]
    );
    assert!(events
        .iter()
        .filter(|e| e["type"] == "transcript.text.delta")
        .all(|e| e["segment_id"].is_string()));
    assert_eq!(events[events.len() - 2]["type"], "transcript.text.done");
}

#[tokio::test]
async fn forms_are_checked_as_the_service_does() {
    let emulator = Emulator::start().await.unwrap();
    let wav = spoken_wav(&emulator, "Hi.").await;
    let tiny = support::wav(24_000, 1, 100);
    let f = || Part::File("a.wav", &wav);
    let t = Part::Text;
    let cases: Vec<(&str, Vec<Part>, &str, &str)> = vec![
        (
            "whisper",
            vec![t("model", "whisper")],
            "file",
            "missing_required_parameter",
        ),
        (
            "whisper",
            vec![Part::File("notes.txt", b"some text")],
            "file",
            "invalid_value",
        ),
        (
            "whisper",
            vec![Part::File("a.wav", b"not audio at all")],
            "file",
            "invalid_value",
        ),
        (
            "whisper",
            vec![Part::File("a.wav", b"")],
            "file",
            "audio_too_short",
        ),
        (
            "whisper",
            vec![Part::File("a.wav", &tiny)],
            "file",
            "audio_too_short",
        ),
        (
            "whisper",
            vec![f(), t("response_format", "xml")],
            "response_format",
            "invalid_value",
        ),
        (
            "whisper",
            vec![f(), t("response_format", "diarized_json")],
            "response_format",
            "unsupported_value",
        ),
        (
            "gpt-4o-transcribe",
            vec![f(), t("response_format", "srt")],
            "response_format",
            "unsupported_value",
        ),
        (
            "whisper",
            vec![f(), t("timestamp_granularities[]", "word")],
            "timestamp_granularities",
            "invalid_value",
        ),
        (
            "whisper",
            vec![
                f(),
                t("response_format", "verbose_json"),
                t("timestamp_granularities[]", "line"),
            ],
            "timestamp_granularities",
            "invalid_value",
        ),
        (
            "whisper",
            vec![f(), t("stream", "true")],
            "stream",
            "unsupported_value",
        ),
        (
            "gpt-4o-transcribe",
            vec![
                f(),
                t("include[]", "logprobs"),
                t("response_format", "text"),
            ],
            "include",
            "invalid_value",
        ),
        (
            "whisper",
            vec![f(), t("include[]", "logprobs")],
            "include",
            "unsupported_parameter",
        ),
        (
            "whisper",
            vec![f(), t("temperature", "1.5")],
            "temperature",
            "invalid_value",
        ),
        (
            "gpt-4o-transcribe-diarize",
            vec![f(), t("prompt", "A call.")],
            "prompt",
            "unsupported_parameter",
        ),
        (
            "whisper",
            vec![f(), t("chunking_strategy", "manual")],
            "chunking_strategy",
            "invalid_value",
        ),
        (
            "whisper",
            vec![f(), t("known_speaker_names[]", "agent")],
            "known_speaker_names",
            "unsupported_parameter",
        ),
        (
            "gpt-4o-transcribe-diarize",
            vec![f(), t("known_speaker_names[]", "agent")],
            "known_speaker_references",
            "invalid_value",
        ),
    ];
    for (deployment, parts, param, code) in cases {
        let a = upload(&emulator, Some(deployment), "transcriptions", &parts).await;
        refusal(&a, param, code);
    }
    let vad = r#"{"type": "server_vad", "threshold": 0.4, "prefix_padding_ms": 300, "silence_duration_ms": 200}"#;
    for strategy in ["auto", vad] {
        let a = upload(
            &emulator,
            Some("whisper"),
            "transcriptions",
            &[f(), t("chunking_strategy", strategy)],
        )
        .await;
        assert_eq!(a.status, 200, "{strategy}: {}", a.text());
    }
    // The recorded 400 for a language that is not ISO-639-1, its top-level usage included.
    let a = upload(
        &emulator,
        Some("whisper"),
        "transcriptions",
        &[
            f(),
            t("model", "whisper-1"),
            t("language", "this should cause an error"),
        ],
    )
    .await;
    let recorded = recording(
        "audio-api/openai-transcription-error-400-invalid-language.whisper-1.recording.json",
    );
    assert_eq!(a.status, 400);
    assert_eq!(a.json(), recorded["Entries"][0]["ResponseBody"]);
    let fr = upload(
        &emulator,
        Some("whisper"),
        "transcriptions",
        &[
            f(),
            t("language", "fr"),
            t("response_format", "verbose_json"),
        ],
    )
    .await;
    assert_eq!(fr.json()["language"], "french");
    // Not a form.
    let url = audio_url(&emulator, Some("whisper"), "transcriptions");
    let a = send(&emulator, &url, "application/json", b"{}".to_vec()).await;
    assert_eq!(a.status, 400);
    assert_eq!(a.json()["error"]["code"], "invalid_content_type");
}
