//! Every recording in `tests/fixtures/recordings/audio-api/` (copied from the shared recordings)
//! decodes into the crate's public types: speech, transcription, translation, their streams and
//! errors.

use std::path::PathBuf;

use azure_openai_audio::{
    ApiError, SpeechEvent, SpeechRequest, Transcript, TranscriptionUsage, Voice,
};
use azure_openai_audio::{TranscriptionEvent, TranscriptionFormat, TranscriptionRequest};
use base64::Engine as _;
use serde_json::Value;

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/recordings/audio-api")
}

/// The first entry of a recording.
fn entry(file: &str) -> Value {
    let text = std::fs::read_to_string(dir().join(file)).unwrap();
    let json: Value = serde_json::from_str(&text).unwrap();
    json["Entries"][0].clone()
}

/// A body stored as a list of its lines, joined.
fn lines_joined(body: &Value) -> String {
    body.as_array()
        .unwrap()
        .iter()
        .map(|l| l.as_str().unwrap())
        .collect()
}

/// The `data` of each event of an SSE body (the recordings put one field per line).
fn sse_data(body: &str) -> Vec<&str> {
    body.split("\r\n")
        .filter_map(|line| line.strip_prefix("data: "))
        .collect()
}

const FILES: &[&str] = &[
    "azure-speech-mp3.tts.2025-01-01-preview.recording.json",
    "azure-transcription-json-default.whisper.2024-10-21.recording.json",
    "azure-transcription-srt.whisper.2024-10-21.recording.json",
    "azure-transcription-verbose-json-words-segments.whisper.2024-10-21.recording.json",
    "azure-transcription-vtt.whisper.2024-10-21.recording.json",
    "azure-translation-srt.whisper.2024-10-21.recording.json",
    "openai-realtime-client-secret.recording.json",
    "openai-speech-streaming-sse.gpt-4o-mini-tts.recording-excerpt.json",
    "openai-transcription-error-400-invalid-language.whisper-1.recording.json",
    "openai-transcription-streaming-sse.gpt-4o-mini-transcribe.recording.json",
];

#[test]
fn every_recording_in_the_folder_has_a_test_here() {
    let mut found: Vec<String> = std::fs::read_dir(dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|name| name.ends_with(".json"))
        .collect();
    found.sort();
    assert_eq!(found, FILES);
}

#[test]
fn azure_speech_request_and_its_mp3_reply() {
    let e = entry(FILES[0]);
    let request = SpeechRequest::new("hello, world!", Voice::Alloy).model("tts".into());
    assert_eq!(serde_json::to_value(&request).unwrap(), e["RequestBody"]);
    let body = e["ResponseBody"].as_str().unwrap();
    let mp3 = base64::engine::general_purpose::STANDARD
        .decode(body)
        .expect("base64 of the mp3 body");
    // An MPEG audio frame starts with 11 set bits (frame sync): FF F3 here.
    assert_eq!(mp3[0], 0xFF);
    assert_eq!(mp3[1] & 0xE0, 0xE0);
    assert_eq!(e["ResponseHeaders"]["Content-Type"], "audio/mpeg");
    assert_eq!(
        azure_openai_audio::SpeechFormat::Mp3.content_type(),
        e["ResponseHeaders"]["Content-Type"].as_str()
    );
}

#[test]
fn azure_whisper_json_reply_without_usage() {
    let e = entry(FILES[1]);
    let body = serde_json::to_vec(&e["ResponseBody"]).unwrap();
    let Transcript::Json(t) = Transcript::from_body(None, &body).unwrap() else {
        panic!("json")
    };
    assert_eq!(t.text, "Hello world, this is a test.");
    assert_eq!(t.usage, None, "Azure's whisper sends no usage");
}

#[test]
fn azure_srt_vtt_and_translation_replies() {
    for (file, format, first) in [
        (FILES[2], TranscriptionFormat::Srt, "Hello world, this is a test."),
        (FILES[4], TranscriptionFormat::Vtt, "Hello, world. This is a test."),
        (
            FILES[5],
            TranscriptionFormat::Srt,
            "Whisper is an automatic recognition system of speech trained on 680,000 hours of multilingual and multitasking data collected on the Internet.",
        ),
    ] {
        let body = lines_joined(&entry(file)["ResponseBody"]);
        let Transcript::Subtitles(subtitles) =
            Transcript::from_body(Some(&format), body.as_bytes()).unwrap()
        else {
            panic!("subtitles")
        };
        assert_eq!(subtitles.text, body);
        let cues = subtitles.cues().unwrap();
        assert_eq!(cues[0].text, first, "{file}");
        assert_eq!(cues[0].start, std::time::Duration::ZERO);
    }
}

#[test]
fn azure_verbose_json_with_segments_and_words() {
    let e = entry(FILES[3]);
    let body = serde_json::to_vec(&e["ResponseBody"]).unwrap();
    let format = TranscriptionFormat::VerboseJson;
    let Transcript::Json(t) = Transcript::from_body(Some(&format), &body).unwrap() else {
        panic!("verbose json")
    };
    assert_eq!(t.language.as_deref(), Some("english"), "a name, not a code");
    assert_eq!(t.task.as_deref(), Some("transcribe"));
    assert_eq!(t.segments.len(), 1);
    assert_eq!(t.segments[0].tokens.len(), 11);
    assert_eq!(t.words.len(), 6);
    assert!(t.to_srt().contains("Hello, world. This is a test."));
}

#[test]
fn realtime_client_secret_is_json() {
    // Realtime is a later issue: for now the recording only has to be JSON the crate can hold.
    let e = entry(FILES[6]);
    let session: &Value = &e["ResponseBody"]["session"];
    assert_eq!(session["type"], "realtime");
    assert_eq!(session["audio"]["output"]["format"]["rate"], 24000);
}

#[test]
fn openai_speech_event_stream() {
    let e = entry(FILES[7]);
    let mut request = serde_json::to_value(
        SpeechRequest::new("Hello, world! This is a streaming test.", Voice::Alloy)
            .model("gpt-4o-mini-tts".into()),
    )
    .unwrap();
    // `stream_format` is set by the call that streams events, not by the caller.
    request["stream_format"] = "sse".into();
    assert_eq!(request, e["RequestBody"]);
    let body = lines_joined(&e["ResponseBody"]);
    let events: Vec<SpeechEvent> = sse_data(&body)
        .into_iter()
        .filter_map(|data| SpeechEvent::from_sse(None, data.as_bytes()).unwrap())
        .collect();
    assert_eq!(events.len(), 3, "two deltas and done; [DONE] is no event");
    let audio = events[0].audio().unwrap();
    assert_eq!(
        (audio[0], audio[1] & 0xE0),
        (0xFF, 0xE0),
        "an mp3 frame sync"
    );
    assert!(format!("{:?}", events[0]).contains("<384 bytes>"));
    let SpeechEvent::AudioDone {
        usage: Some(usage), ..
    } = &events[2]
    else {
        panic!("done with usage")
    };
    assert_eq!(
        (usage.input_tokens, usage.output_tokens, usage.total_tokens),
        (10, 83, 93)
    );
}

#[test]
fn openai_400_invalid_language_with_usage_beside_the_error() {
    let e = entry(FILES[8]);
    assert_eq!(e["StatusCode"], 400);
    let body = serde_json::to_vec(&e["ResponseBody"]).unwrap();
    let api = ApiError::parse(&body);
    assert_eq!(api.code.as_deref(), Some("invalid_language_format"));
    assert_eq!(api.param.as_deref(), Some("language"));
    assert!(api.message.contains("ISO-639-1"));
    // The crate refuses this language before sending.
    let err = TranscriptionRequest::new()
        .model("whisper-1".into())
        .language("this should cause an error")
        .check()
        .unwrap_err();
    assert_eq!(err.kind(), azure_openai_audio::ErrorKind::InvalidInput);
}

#[test]
fn openai_transcription_event_stream() {
    let e = entry(FILES[9]);
    let body = lines_joined(&e["ResponseBody"]);
    let events: Vec<TranscriptionEvent> = sse_data(&body)
        .into_iter()
        .filter_map(|data| TranscriptionEvent::from_sse(None, data.as_bytes()).unwrap())
        .collect();
    assert_eq!(events.len(), 9, "eight deltas and done; [DONE] is no event");
    assert_eq!(events[1].delta(), Some(" world"));
    let TranscriptionEvent::TextDone {
        text,
        usage: Some(TranscriptionUsage::Tokens(usage)),
        ..
    } = &events[8]
    else {
        panic!("done with token usage")
    };
    assert_eq!(text, "Hello world, this is a test.");
    assert_eq!(usage.total_tokens, 27);
    // The form's text parts as recorded: `model` (and `stream`, set by the streaming call).
    let fields = TranscriptionRequest::new()
        .model("gpt-4o-mini-transcribe".into())
        .form_fields();
    assert_eq!(fields.len(), 1);
    assert_eq!(
        (fields[0].0.as_ref(), fields[0].1.as_str()),
        ("model", "gpt-4o-mini-transcribe")
    );
    let form = lines_joined(&e["RequestBody"]);
    assert!(form.contains("name=model\r\n\r\ngpt-4o-mini-transcribe\r\n"));
    assert!(form.contains("name=stream\r\n\r\ntrue\r\n"));
}
