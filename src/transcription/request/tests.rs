//! The form fields against the recorded forms, every field in order, storing, and the checks.

use super::*;
use crate::transport::events::test_support::recorded_entry;
use crate::ErrorKind;
use crate::VadConfig;

fn owned(fields: Vec<FormField>) -> Vec<(String, String)> {
    fields
        .into_iter()
        .map(|(n, v)| (n.into_owned(), v))
        .collect()
}

fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
    expected
        .iter()
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect()
}

/// The text parts of a recorded multipart form (stored as its lines), in order, without the
/// file part: each part's `name` and value.
fn recorded_text_parts(file: &str) -> Vec<(String, String)> {
    let lines: Vec<String> = recorded_entry(file)["RequestBody"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l.as_str().unwrap().to_owned())
        .collect();
    let mut parts = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let Some(rest) = line.strip_prefix("Content-Disposition: form-data; name=") else {
            continue;
        };
        let name = rest.split(';').next().unwrap().trim_end().to_owned();
        if name == "file" {
            continue;
        }
        assert_eq!(lines[i + 1], "\r\n", "a blank line ends the part's headers");
        parts.push((name, lines[i + 2].clone()));
    }
    parts
}

#[test]
fn the_recorded_streaming_form() {
    let mut r = TranscriptionRequest::new().model("gpt-4o-mini-transcribe".into());
    r.set_streaming();
    r.check_for_model("gpt-4o-mini-transcribe").unwrap();
    assert_eq!(
        owned(r.form_fields()),
        recorded_text_parts(
            "openai-transcription-streaming-sse.gpt-4o-mini-transcribe.recording.json"
        )
    );
    assert_eq!(
        owned(r.form_fields()),
        pairs(&[("model", "gpt-4o-mini-transcribe"), ("stream", "true")])
    );
}

#[test]
fn the_recorded_bad_language_form_is_refused_before_sending() {
    let expected = recorded_text_parts(
        "openai-transcription-error-400-invalid-language.whisper-1.recording.json",
    );
    let r = TranscriptionRequest::new()
        .model("whisper-1".into())
        .language("this should cause an error");
    assert_eq!(owned(r.form_fields()), expected);
    let err = r.check().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert_eq!(
        err.to_string(),
        "invalid input: `language` is \"this should cause an error\": it must be an ISO-639-1 code of two lowercase letters, like \"en\""
    );
    for bad in ["EN", "eng", "e", "en-US", "é"] {
        assert!(
            TranscriptionRequest::new().language(bad).check().is_err(),
            "{bad}"
        );
    }
}

fn every_field() -> TranscriptionRequest {
    TranscriptionRequest::new()
        .model("gpt-4o-transcribe-diarize".into())
        .language("en")
        .response_format(TranscriptionFormat::DiarizedJson)
        .temperature(0.2)
        .chunking_strategy(ChunkingStrategy::ServerVad(
            VadConfig::default().threshold(0.6),
        ))
        .known_speaker(KnownSpeaker::new("agent", "data:audio/wav;base64,UklGRg=="))
        .known_speaker(KnownSpeaker::new("customer", "data:audio/mpeg;base64,//M="))
        .extra_field("user", "u1")
}

#[test]
fn every_field_in_wire_order_arrays_one_part_per_element() {
    let r = TranscriptionRequest::new()
        .model("whisper".into())
        .language("fr")
        .prompt("Bonjour.")
        .response_format(TranscriptionFormat::VerboseJson)
        .temperature(0.5)
        .timestamp_granularities([TimestampGranularity::Word, TimestampGranularity::Segment])
        .chunking_strategy(ChunkingStrategy::Auto)
        .extra_field("extra[]", "a")
        .extra_field("extra[]", "b");
    r.check().unwrap();
    assert_eq!(
        owned(r.form_fields()),
        pairs(&[
            ("model", "whisper"),
            ("language", "fr"),
            ("prompt", "Bonjour."),
            ("response_format", "verbose_json"),
            ("temperature", "0.5"),
            ("timestamp_granularities[]", "word"),
            ("timestamp_granularities[]", "segment"),
            ("chunking_strategy", "auto"),
            ("extra[]", "a"),
            ("extra[]", "b"),
        ])
    );
    let r = every_field();
    r.check().unwrap();
    let mut streamed = TranscriptionRequest::new().include([TranscriptionInclude::Logprobs]);
    streamed.set_streaming();
    assert_eq!(
        owned(streamed.form_fields()),
        pairs(&[("include[]", "logprobs"), ("stream", "true")])
    );
    assert_eq!(
        owned(r.form_fields()),
        pairs(&[
            ("model", "gpt-4o-transcribe-diarize"),
            ("language", "en"),
            ("response_format", "diarized_json"),
            ("temperature", "0.2"),
            (
                "chunking_strategy",
                r#"{"type":"server_vad","threshold":0.6}"#
            ),
            ("known_speaker_names[]", "agent"),
            ("known_speaker_names[]", "customer"),
            (
                "known_speaker_references[]",
                "data:audio/wav;base64,UklGRg=="
            ),
            ("known_speaker_references[]", "data:audio/mpeg;base64,//M="),
            ("user", "u1"),
        ])
    );
}

#[test]
fn a_stored_request_reads_back_the_same_and_debug_hides_the_samples() {
    let mut r = every_field();
    r.set_streaming();
    let back: TranscriptionRequest =
        serde_json::from_str(&serde_json::to_string(&r).unwrap()).unwrap();
    assert_eq!(back, r);
    assert!(back.is_stream());
    let debug = format!("{r:?}");
    assert!(!debug.contains("UklGRg"), "{debug}");
    assert!(debug.contains("<30 characters>"), "{debug}");
}

fn refused(r: &TranscriptionRequest) -> String {
    let err = r.check().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    err.to_string()
}

#[test]
fn timestamps_need_verbose_json_and_logprobs_need_json() {
    let words = TranscriptionRequest::new().timestamp_granularities([TimestampGranularity::Word]);
    assert_eq!(
        refused(&words),
        "invalid input: `timestamp_granularities` (word) needs `response_format: verbose_json`, not json"
    );
    let srt = words.response_format(TranscriptionFormat::Srt);
    assert!(refused(&srt).ends_with("not srt"));
    let logprobs = TranscriptionRequest::new().include([TranscriptionInclude::Logprobs]);
    logprobs.check().unwrap();
    logprobs
        .clone()
        .response_format(TranscriptionFormat::Json)
        .check()
        .unwrap();
    assert_eq!(
        refused(&logprobs.response_format(TranscriptionFormat::Text)),
        "invalid input: `include: logprobs` needs `response_format: json`, not text"
    );
}

#[test]
fn stream_is_refused_for_whisper_by_the_model_field_or_the_model_given() {
    let mut r = TranscriptionRequest::new();
    r.set_streaming();
    r.check().unwrap();
    r.check_for_model("gpt-4o-transcribe").unwrap();
    let err = r.check_for_model("Whisper").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert!(err
        .to_string()
        .contains("`stream` is not supported by Whisper"));
    let mut r = TranscriptionRequest::new().model("whisper-1".into());
    assert!(r.check().is_ok(), "not streamed: fine");
    r.set_streaming();
    assert!(refused(&r).contains("whisper models do not stream"));
}

#[test]
fn the_diarize_model_takes_no_prompt_and_limits_are_named() {
    let r = every_field().prompt("Hi");
    assert_eq!(
        refused(&r),
        "invalid input: `prompt` is not supported by gpt-4o-transcribe-diarize"
    );
    let temperature = TranscriptionRequest::new().temperature(1.01);
    assert_eq!(
        refused(&temperature),
        "invalid input: `temperature` is 1.01, outside 0 to 1"
    );
    let vad = TranscriptionRequest::new().chunking_strategy(ChunkingStrategy::ServerVad(
        VadConfig::default().threshold(1.5),
    ));
    assert!(refused(&vad).contains("`threshold` is 1.5, outside 0 to 1"));
    let mut five = TranscriptionRequest::new();
    for name in ["a", "b", "c", "d", "e"] {
        five = five.known_speaker(KnownSpeaker::new(name, "data:audio/wav;base64,AA=="));
    }
    assert_eq!(
        refused(&five),
        "invalid input: 5 known speakers, over the limit of 4"
    );
    let bad_reference = TranscriptionRequest::new().known_speaker(KnownSpeaker::new("a", "a.wav"));
    assert!(refused(&bad_reference).contains("not a base64 data URL"));
    for taken in ["stream", "include[]", "file", "model"] {
        let r = TranscriptionRequest::new().extra_field(taken, "x");
        assert!(refused(&r).contains("cannot be an extra field"), "{taken}");
    }
}
