//! Golden JSON of the recorded speech requests, storing a request, and the checks.

use super::*;
use crate::ErrorKind;
use serde_json::json;

/// The request body of a recording in `tests/fixtures/recordings/audio-api/`.
fn recorded_body(file: &str) -> Value {
    let path = format!(
        "{}/tests/fixtures/recordings/audio-api/{file}",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(path).unwrap();
    let json: Value = serde_json::from_str(&text).unwrap();
    json["Entries"][0]["RequestBody"].clone()
}

#[test]
fn the_recorded_azure_tts_request() {
    let r = SpeechRequest::new("hello, world!", Voice::Alloy).model("tts".into());
    assert_eq!(
        serde_json::to_value(&r).unwrap(),
        recorded_body("azure-speech-mp3.tts.2025-01-01-preview.recording.json")
    );
    // The exact bytes, in the recorded order, and the recorded Content-Length (55).
    let text = serde_json::to_string(&r).unwrap();
    assert_eq!(
        text,
        r#"{"model":"tts","input":"hello, world!","voice":"alloy"}"#
    );
    assert_eq!(text.len(), 55);
}

#[test]
fn the_recorded_streaming_request_sets_stream_format_sse() {
    let mut r = SpeechRequest::new("Hello, world! This is a streaming test.", Voice::Alloy)
        .model("gpt-4o-mini-tts".into());
    r.set_stream_format(Some(StreamFormat::Sse));
    let text = serde_json::to_string(&r).unwrap();
    assert_eq!(
        serde_json::from_str::<Value>(&text).unwrap(),
        recorded_body("openai-speech-streaming-sse.gpt-4o-mini-tts.recording-excerpt.json")
    );
    assert_eq!(text.len(), 115, "the recorded Content-Length");
}

#[test]
fn every_field_and_an_extra_one() {
    let r = SpeechRequest::new("Bonjour", "aurora-2")
        .voice(Voice::Coral)
        .instructions("Speak like a pirate.")
        .response_format(SpeechFormat::Pcm)
        .speed(1.5)
        .extra("seed", json!(7));
    assert_eq!(
        serde_json::to_value(&r).unwrap(),
        json!({
            "input": "Bonjour",
            "voice": "coral",
            "instructions": "Speak like a pirate.",
            "response_format": "pcm",
            "speed": 1.5,
            "seed": 7
        })
    );
    assert_eq!(r.voice_ref(), &Voice::Coral);
    assert_eq!(r.response_format_ref(), Some(&SpeechFormat::Pcm));
    assert_eq!(r.speed_ref(), Some(1.5));
    assert_eq!((r.model_ref(), r.stream_format_ref()), (None, None));
    r.check().unwrap();
}

#[test]
fn a_stored_request_reads_back_the_same_unknown_values_included() {
    let mut r = SpeechRequest::new("Hi", "aurora-2")
        .model("gpt-4o-mini-tts".into())
        .response_format(SpeechFormat::from("ogg"))
        .extra("seed", json!(7));
    r.set_stream_format(Some(StreamFormat::Sse));
    let text = serde_json::to_string(&r).unwrap();
    let back: SpeechRequest = serde_json::from_str(&text).unwrap();
    assert_eq!(back, r);
    assert_eq!(back.voice_ref().as_str(), "aurora-2");
}

#[test]
fn the_deployment_fills_the_model_only_when_unset() {
    let mut r = SpeechRequest::new("Hi", Voice::Alloy);
    r.set_model_if_unset("tts");
    assert_eq!(r.model_ref(), Some("tts"));
    r.set_model_if_unset("other");
    assert_eq!(r.model_ref(), Some("tts"));
}

fn invalid(r: &SpeechRequest) -> String {
    let err = r.check().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    err.to_string()
}

#[test]
fn input_is_counted_in_characters_not_bytes() {
    // 4096 two-byte characters: 8192 bytes, within the limit.
    let at_limit = "é".repeat(MAX_INPUT_CHARS);
    SpeechRequest::new(at_limit.clone(), Voice::Alloy)
        .check()
        .unwrap();
    SpeechRequest::new("a".repeat(MAX_INPUT_CHARS), Voice::Alloy)
        .check()
        .unwrap();
    let over = format!("{at_limit}!");
    assert_eq!(
        invalid(&SpeechRequest::new(over, Voice::Alloy)),
        "invalid input: `input` is 4097 characters long, over the limit of 4096 (Unicode characters, not bytes)"
    );
    let long_instructions = SpeechRequest::new("Hi", Voice::Alloy).instructions("x".repeat(5000));
    assert!(invalid(&long_instructions).contains("`instructions` is 5000 characters long"));
    assert_eq!(
        invalid(&SpeechRequest::new("", Voice::Alloy)),
        "invalid input: `input` is empty: there is nothing to speak"
    );
}

#[test]
fn speed_is_checked_at_both_ends() {
    for ok in [0.25, 1.0, 4.0] {
        SpeechRequest::new("Hi", Voice::Alloy)
            .speed(ok)
            .check()
            .unwrap();
    }
    let r = |speed| SpeechRequest::new("Hi", Voice::Alloy).speed(speed);
    assert_eq!(
        invalid(&r(0.24)),
        "invalid input: `speed` is 0.24, outside 0.25 to 4.0"
    );
    assert_eq!(
        invalid(&r(4.01)),
        "invalid input: `speed` is 4.01, outside 0.25 to 4.0"
    );
    assert!(invalid(&r(f32::NAN)).contains("`speed` is NaN"));
}

#[test]
fn an_extra_field_cannot_replace_a_modeled_one() {
    let r = SpeechRequest::new("Hi", Voice::Alloy).extra("stream_format", json!("sse"));
    assert_eq!(
        invalid(&r),
        "invalid input: `stream_format` cannot be an extra field: the request sets it (use its setter)"
    );
}
