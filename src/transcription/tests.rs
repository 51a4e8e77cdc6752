//! The recorded replies, streams and errors of the transcription API, decoded as the client
//! will decode them.

use super::*;
use crate::error::Error;
use crate::metadata::ResponseMetadata;
use crate::transport::events::test_support::{
    decode_pieces, decode_under_every_split, recorded_entry, recorded_text_body,
};
use crate::ErrorKind;

fn close_opt(a: Option<f64>, b: f64) {
    let a = a.expect("a value");
    assert!((a - b).abs() < 1e-12, "{a} != {b}");
}

fn json_body(file: &str) -> Vec<u8> {
    serde_json::to_vec(&recorded_entry(file)["ResponseBody"]).unwrap()
}

#[test]
fn the_recorded_json_reply_has_no_usage_and_decodes() {
    let body = json_body("azure-transcription-json-default.whisper.2024-10-21.recording.json");
    let Transcript::Json(t) = Transcript::from_body(None, &body).unwrap() else {
        panic!("json")
    };
    assert_eq!(t.text, "Hello world, this is a test.");
    assert_eq!((t.usage, t.language, t.duration), (None, None, None));
}

#[test]
fn the_recorded_verbose_json_reply_has_every_segment_field_and_the_words() {
    let body = json_body(
        "azure-transcription-verbose-json-words-segments.whisper.2024-10-21.recording.json",
    );
    let format = TranscriptionFormat::VerboseJson;
    let Transcript::Json(t) = Transcript::from_body(Some(&format), &body).unwrap() else {
        panic!("verbose json")
    };
    assert_eq!(t.task.as_deref(), Some("transcribe"));
    assert_eq!(t.language.as_deref(), Some("english"));
    close_opt(t.duration, 3.069999933242798);
    assert_eq!(t.text, "Hello, world. This is a test.");
    let s = &t.segments[0];
    assert_eq!((s.id, s.seek), (0, 0));
    // serde_json reads a float to within one unit in the last place.
    let close = |a: f64, b: f64| assert!((a - b).abs() < 1e-12, "{a} != {b}");
    close(s.start, 0.9599999785423279);
    close(s.end, 2.4000000953674316);
    assert_eq!(s.text, " Hello, world. This is a test.");
    assert_eq!(s.tokens.len(), 11);
    assert_eq!((s.tokens[0], s.tokens[10]), (50364, 50514));
    assert_eq!(s.temperature, 0.0);
    close(s.avg_logprob, -0.5527504682540894);
    close(s.compression_ratio, 0.8285714387893677);
    close(s.no_speech_prob, 0.0076646204106509686);
    let words: Vec<&str> = t.words.iter().map(|w| w.word.as_str()).collect();
    assert_eq!(words, ["Hello", "world", "This", "is", "a", "test"]);
    close(t.words[5].start, 2.240000009536743);
    close(t.words[5].end, 2.4000000953674316);
    assert_eq!(
        t.to_srt(),
        "1\n00:00:00,960 --> 00:00:02,400\nHello, world. This is a test.\n\n"
    );
}

#[test]
fn the_recorded_srt_vtt_and_translation_replies_are_text_and_cues() {
    for (file, format, cues) in [
        (
            "azure-transcription-srt.whisper.2024-10-21.recording.json",
            TranscriptionFormat::Srt,
            1,
        ),
        (
            "azure-transcription-vtt.whisper.2024-10-21.recording.json",
            TranscriptionFormat::Vtt,
            1,
        ),
        (
            "azure-translation-srt.whisper.2024-10-21.recording.json",
            TranscriptionFormat::Srt,
            5,
        ),
    ] {
        let body = recorded_text_body(file);
        let reply = Transcript::from_body(Some(&format), body.as_bytes()).unwrap();
        let Transcript::Subtitles(subtitles) = &reply else {
            panic!("subtitles")
        };
        assert_eq!(
            (&subtitles.format, subtitles.text.as_str()),
            (&format, body.as_str())
        );
        assert_eq!(subtitles.cues().unwrap().len(), cues, "{file}");
        assert!(
            reply.text().ends_with("test.") || cues == 5,
            "{}",
            reply.text()
        );
    }
}

#[test]
fn text_diarized_and_unknown_formats() {
    let text = Transcript::from_body(Some(&TranscriptionFormat::Text), b"Hi there.\n").unwrap();
    assert_eq!(text, Transcript::text_reply("Hi there.\n".into()));
    let diarized = br#"{"task":"transcribe","duration":42.7,"text":"Agent: Thanks.","segments":[
        {"type":"transcript.text.segment","id":"seg_001","start":0.0,"end":5.2,"text":"Thanks.","speaker":"agent"}],
        "usage":{"type":"duration","seconds":43}}"#;
    let Transcript::Diarized(d) =
        Transcript::from_body(Some(&TranscriptionFormat::DiarizedJson), diarized).unwrap()
    else {
        panic!("diarized")
    };
    assert_eq!(
        (d.segments[0].speaker.as_str(), d.segments[0].end),
        ("agent", 5.2)
    );
    assert_eq!(
        d.segments[0].kind.as_deref(),
        Some("transcript.text.segment")
    );
    assert_eq!(d.usage.unwrap().seconds(), Some(43.0));
    let other = TranscriptionFormat::from("tsv");
    assert_eq!(
        Transcript::from_body(Some(&other), b"0\t1\thi").unwrap(),
        Transcript::text_reply("0\t1\thi".into())
    );
    assert!(matches!(
        Transcript::from_body(Some(&other), br#"{"text":"hi"}"#).unwrap(),
        Transcript::Json(_)
    ));
    let err = Transcript::from_body(None, b"Hi there.").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Decode);
    assert_eq!(
        err.to_string(),
        "decode error: the reply is not a transcription"
    );
    let err = Transcript::from_body(Some(&TranscriptionFormat::Text), &[0xFF, 0xFE]).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Decode);
}

#[test]
fn json_replies_tolerate_nulls_odd_usage_and_unknown_fields() {
    let body = br#"{"text":"hi","segments":null,"words":[{"word":"hi","start":null,"end":0.5,"confidence":0.9}],
        "usage":{"type":"tokens","input_tokens":"many"},"logprobs":[{"token":"hi","logprob":-0.1,"bytes":[104,105]}],
        "new_field":{"a":1}}"#;
    let Transcript::Json(t) = Transcript::from_body(None, body).unwrap() else {
        panic!("json")
    };
    assert!(t.segments.is_empty());
    assert_eq!((t.words[0].start, t.words[0].end), (0.0, 0.5));
    assert!(matches!(t.usage, Some(TranscriptionUsage::Unknown(_))));
    assert_eq!(t.logprobs[0].bytes, [104, 105]);
}

const STREAM: &str = "openai-transcription-streaming-sse.gpt-4o-mini-transcribe.recording.json";

#[test]
fn the_recorded_stream_gives_deltas_then_the_text_with_usage_under_every_split() {
    let body = recorded_text_body(STREAM);
    assert!(body.contains("\r\n\r\n"), "CRLF as recorded");
    let (events, err) = decode_under_every_split::<TranscriptionEvent>(body.as_bytes());
    assert!(err.is_none(), "{err:?}");
    assert_eq!(events.len(), 9);
    let text: String = events
        .iter()
        .filter_map(TranscriptionEvent::delta)
        .collect();
    assert_eq!(text, "Hello world, this is a test.");
    let TranscriptionEvent::TextDone {
        text: done,
        logprobs,
        usage,
    } = &events[8]
    else {
        panic!("done last: {:?}", events[8])
    };
    assert_eq!(
        (done.as_str(), logprobs.len()),
        ("Hello world, this is a test.", 0)
    );
    let usage = usage.as_ref().unwrap().tokens().unwrap();
    assert_eq!(
        (usage.input_tokens, usage.output_tokens, usage.total_tokens),
        (17, 10, 27)
    );
    let details = usage.input_token_details.as_ref().unwrap();
    assert_eq!((details.text_tokens, details.audio_tokens), (0, 17));
}

#[test]
fn segments_logprobs_unknown_events_and_a_done_without_usage() {
    let body = concat!(
        "data: {\"type\":\"transcript.text.delta\",\"delta\":\"Hi\",\"segment_id\":\"seg_1\",",
        "\"logprobs\":[{\"token\":\"Hi\",\"logprob\":-0.5,\"bytes\":[72,105]}]}\n\n",
        "data: {\"type\":\"transcript.text.segment\",\"id\":\"seg_1\",\"speaker\":\"A\",\"start\":0.0,\"end\":1.5,\"text\":\"Hi\"}\n\n",
        "data: {\"type\":\"transcript.text.future\",\"x\":1}\n\n",
        "data: {\"type\":\"transcript.text.done\",\"text\":\"Hi\"}\n\n",
        "data: [DONE]\n\n",
    );
    let (events, err) = decode_pieces::<TranscriptionEvent>(&[body.as_bytes()]);
    assert!(err.is_none());
    assert_eq!(events.len(), 3, "the unknown event is skipped: {events:?}");
    let TranscriptionEvent::TextDelta {
        logprobs,
        segment_id,
        ..
    } = &events[0]
    else {
        panic!("delta")
    };
    assert_eq!(
        (logprobs[0].logprob, segment_id.as_deref()),
        (-0.5, Some("seg_1"))
    );
    let TranscriptionEvent::TextSegment(segment) = &events[1] else {
        panic!("segment")
    };
    assert_eq!((segment.speaker.as_str(), segment.end), ("A", 1.5));
    assert!(matches!(
        &events[2],
        TranscriptionEvent::TextDone { usage: None, .. }
    ));
    let unknown = TranscriptionEvent::from_sse(None, br#"{"type":"transcript.text.future","x":1}"#)
        .unwrap()
        .unwrap();
    let TranscriptionEvent::Unknown(unknown) = unknown else {
        panic!("unknown")
    };
    assert_eq!(
        (unknown.event_type(), &unknown.json()["x"]),
        ("transcript.text.future", &serde_json::json!(1))
    );
    assert_eq!(TranscriptionEvent::from_sse(None, b"[DONE]").unwrap(), None);
}

fn metadata(status: u16) -> ResponseMetadata {
    ResponseMetadata {
        status,
        x_request_id: Some("req-1".into()),
        ..ResponseMetadata::default()
    }
}

#[test]
fn the_recorded_400_with_usage_beside_the_error_is_a_typed_api_error() {
    let entry =
        recorded_entry("openai-transcription-error-400-invalid-language.whisper-1.recording.json");
    let body = serde_json::to_vec(&entry["ResponseBody"]).unwrap();
    let err = Error::from_response(metadata(400), &body);
    assert_eq!((err.kind(), err.status()), (ErrorKind::Api, Some(400)));
    assert_eq!(err.code(), Some("invalid_language_format"));
    let api = err.api_error().unwrap();
    assert_eq!(api.param.as_deref(), Some("language"));
    assert_eq!(api.error_type.as_deref(), Some("invalid_request_error"));
    assert_eq!(
        api.message,
        "Invalid language 'this should cause an error'. Language parameter must be specified in ISO-639-1 format."
    );
    assert!(!err.is_retryable());
    assert!(err
        .to_string()
        .starts_with("api error: 400 (invalid_language_format): Invalid language"));
}

#[test]
fn a_plain_text_413_is_an_api_error_with_the_text() {
    // The body as the issue quotes it (no public recording has it).
    let body = b"Maximum content size limit (26214400) exceeded (26214612 bytes read)";
    let err = Error::from_response(metadata(413), body);
    assert_eq!(
        (err.kind(), err.status(), err.code()),
        (ErrorKind::Api, Some(413), None)
    );
    assert_eq!(
        err.api_error().unwrap().raw_body.as_deref(),
        Some("Maximum content size limit (26214400) exceeded (26214612 bytes read)")
    );
    assert_eq!(
        err.to_string(),
        "api error: 413: Maximum content size limit (26214400) exceeded (26214612 bytes read)"
    );
    assert!(!err.is_retryable());
    // An HTML page is not quoted; a long line is cut at 200 characters.
    let html = Error::from_response(metadata(502), b"<html><body>Bad Gateway</body></html>");
    assert_eq!(html.to_string(), "api error: 502");
    let long = format!("{}\nsecond line", "é".repeat(300));
    let err = Error::from_response(metadata(500), long.as_bytes());
    assert_eq!(
        err.to_string(),
        format!("api error: 500: {}", "é".repeat(200))
    );
}
