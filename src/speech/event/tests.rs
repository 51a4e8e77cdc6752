//! The recorded speech event stream, unknown events, error events and bad audio.

use super::*;
use crate::transport::events::test_support::{
    decode_pieces, decode_under_every_split, recorded_text_body,
};
use crate::ErrorKind;

const RECORDING: &str = "openai-speech-streaming-sse.gpt-4o-mini-tts.recording-excerpt.json";

#[test]
fn the_recorded_stream_gives_mp3_deltas_then_the_usage_under_every_split() {
    let body = recorded_text_body(RECORDING);
    assert!(body.contains("\r\n"), "the recording's CRLF line ends");
    let (events, err) = decode_under_every_split::<SpeechEvent>(body.as_bytes());
    assert!(err.is_none(), "{err:?}");
    assert_eq!(events.len(), 3);
    let first = events[0].audio().expect("a delta");
    // MP3 frame sync (11 bits set): FF F3 as recorded.
    assert_eq!(&first[..2], [0xFF, 0xF3]);
    // 512 base64 characters (the excerpt's cut) are 384 bytes.
    assert_eq!(first.len(), 384);
    assert_eq!(events[1].audio().unwrap().len(), 384);
    assert_eq!(
        events[2],
        SpeechEvent::AudioDone {
            usage: Some(SpeechUsage {
                input_tokens: 10,
                output_tokens: 83,
                total_tokens: 93
            })
        }
    );
    assert_eq!(events[2].audio(), None);
}

#[test]
fn debug_shows_the_audio_length_not_the_bytes() {
    let event = SpeechEvent::from_sse(None, br#"{"type":"speech.audio.delta","audio":"AAECAw=="}"#)
        .unwrap()
        .unwrap();
    assert_eq!(
        format!("{event:?}"),
        "AudioDelta { audio: AudioData(<4 bytes>) }"
    );
}

#[test]
fn an_unknown_event_is_kept_by_the_pure_decoder_and_skipped_by_the_stream() {
    let data = br#"{"type":"speech.audio.marker","at":1.5}"#;
    let Some(SpeechEvent::Unknown(unknown)) = SpeechEvent::from_sse(None, data).unwrap() else {
        panic!("an unknown event");
    };
    assert_eq!(unknown.event_type(), "speech.audio.marker");
    assert_eq!(unknown.json()["at"], 1.5);

    let body = b"data: {\"type\":\"speech.audio.marker\"}\n\ndata: {\"type\":\"speech.audio.delta\",\"audio\":\"AAE=\"}\n\n: ping\n\ndata: {\"type\":\"speech.audio.done\"}\n\ndata: [DONE]\n\n";
    let (events, err) = decode_pieces::<SpeechEvent>(&[body]);
    assert!(err.is_none());
    assert_eq!(events.len(), 2, "the marker is skipped: {events:?}");
    assert_eq!(events[0].audio().unwrap().as_bytes(), [0, 1]);
    assert_eq!(events[1], SpeechEvent::AudioDone { usage: None });
}

#[test]
fn done_and_empty_events_are_nothing() {
    assert_eq!(SpeechEvent::from_sse(None, b"[DONE]").unwrap(), None);
    assert_eq!(SpeechEvent::from_sse(None, b" ").unwrap(), None);
}

#[test]
fn an_error_event_is_a_typed_api_error_in_every_shape() {
    for (event, data) in [
        (
            None,
            &br#"{"type":"error","error":{"code":"server_error","message":"boom"}}"#[..],
        ),
        (
            None,
            br#"{"error":{"code":"server_error","message":"boom"}}"#,
        ),
        (
            Some("error"),
            br#"{"code":"server_error","message":"boom"}"#,
        ),
    ] {
        let err = SpeechEvent::from_sse(event, data).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Api, "{data:?}");
        assert!(err.to_string().contains("boom") || event.is_some(), "{err}");
    }
    let body = b"data: {\"type\":\"speech.audio.delta\",\"audio\":\"AAE=\"}\n\ndata: {\"error\":{\"code\":\"server_error\",\"message\":\"boom\"}}\n\ndata: {\"type\":\"speech.audio.done\"}\n\n";
    let (events, err) = decode_pieces::<SpeechEvent>(&[body]);
    assert_eq!(events.len(), 1);
    let err = err.unwrap();
    assert_eq!(
        (err.kind(), err.code()),
        (ErrorKind::Api, Some("server_error"))
    );
    assert_eq!(err.request_id(), Some("req-1"));
}

#[test]
fn audio_that_is_not_base64_or_data_that_is_not_json_is_a_decode_error() {
    let err =
        SpeechEvent::from_sse(None, br#"{"type":"speech.audio.delta","audio":"!!"}"#).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Decode);
    assert_eq!(
        err.to_string(),
        "decode error: a stream event is not a speech event"
    );
    let err = SpeechEvent::from_sse(None, b"{\"type\":").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Decode);
    // A stream cut before [DONE] is a transport error after the events it carried.
    let (events, err) = decode_pieces::<SpeechEvent>(&[
        b"data: {\"type\":\"speech.audio.delta\",\"audio\":\"AAE=\"}\n\n",
    ]);
    assert_eq!(events.len(), 1);
    assert_eq!(err.unwrap().kind(), ErrorKind::Transport);
}
