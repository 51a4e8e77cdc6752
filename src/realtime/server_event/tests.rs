use serde_json::json;

use super::*;
use crate::realtime::item::{ContentKind, ItemKind};
use crate::realtime::response::ResponseStatus;
use crate::realtime::session::TurnDetection;
use crate::Voice;

fn decode(value: serde_json::Value) -> RealtimeServerEvent {
    RealtimeServerEvent::from_json(value.to_string().as_bytes()).unwrap()
}

#[test]
fn session_created_reads_the_ga_session() {
    let RealtimeServerEvent::SessionCreated(e) = decode(json!({
        "type": "session.created", "event_id": "ev1",
        "session": {"type": "realtime", "object": "realtime.session", "id": "sess_1",
            "model": "gpt-realtime", "output_modalities": ["audio"], "instructions": "Hi.",
            "tools": [], "tool_choice": "auto", "max_output_tokens": "inf", "tracing": null,
            "audio": {"input": {"format": {"type": "audio/pcm", "rate": 24000},
                "transcription": null, "noise_reduction": null, "turn_detection": null},
              "output": {"format": {"type": "audio/pcm", "rate": 24000}, "voice": "marin", "speed": 1}}}
    })) else {
        panic!("session.created")
    };
    assert_eq!(e.event_id.as_deref(), Some("ev1"));
    assert_eq!(e.session.extra["id"], "sess_1");
    let audio = e.session.audio.unwrap();
    let input = audio.input.unwrap();
    assert_eq!(input.turn_detection, Some(TurnDetection::Disabled));
    assert_eq!(input.transcription, None);
    assert_eq!(audio.output.unwrap().voice, Some(Voice::Marin));
}

#[test]
fn item_and_buffer_events() {
    let item = json!({"id": "item_1", "type": "message", "status": "completed", "role": "user",
        "content": [{"type": "input_text", "text": "hi"}]});
    for kind in [
        "conversation.item.added",
        "conversation.item.done",
        "conversation.item.created",
    ] {
        let event = decode(json!({"type": kind, "previous_item_id": null, "item": item}));
        assert_eq!(event.event_type(), kind);
        let (RealtimeServerEvent::ItemAdded(e)
        | RealtimeServerEvent::ItemDone(e)
        | RealtimeServerEvent::ItemCreated(e)) = event
        else {
            panic!("{kind}")
        };
        assert_eq!(e.item.kind, ItemKind::Message);
        assert_eq!(e.item.content[0].text.as_deref(), Some("hi"));
    }
    let RealtimeServerEvent::ItemDeleted(d) =
        decode(json!({"type": "conversation.item.deleted", "item_id": "msg_005"}))
    else {
        panic!()
    };
    assert_eq!(d.item_id.as_deref(), Some("msg_005"));
    let RealtimeServerEvent::ItemTruncated(t) =
        decode(json!({"type": "conversation.item.truncated",
        "item_id": "msg_004", "content_index": 0, "audio_end_ms": 1500}))
    else {
        panic!()
    };
    assert_eq!(t.audio_end_ms, 1500);
    let RealtimeServerEvent::InputTranscriptionDelta(d) = decode(json!({"type":
        "conversation.item.input_audio_transcription.delta", "item_id": "i", "content_index": 0,
        "delta": "Hey", "obfuscation": "x"}))
    else {
        panic!()
    };
    assert_eq!(d.delta, "Hey");
    let RealtimeServerEvent::InputTranscriptionCompleted(c) = decode(json!({"type":
        "conversation.item.input_audio_transcription.completed", "item_id": "i",
        "content_index": 0, "transcript": "Hey, can you hear me?", "usage": {"type": "tokens", "total_tokens": 22}}))
    else {
        panic!()
    };
    assert_eq!(c.transcript, "Hey, can you hear me?");
    let RealtimeServerEvent::InputAudioCommitted(c) = decode(json!({"type":
        "input_audio_buffer.committed", "previous_item_id": "msg_001", "item_id": "msg_002"}))
    else {
        panic!()
    };
    assert_eq!(c.item_id.as_deref(), Some("msg_002"));
    assert!(matches!(
        decode(json!({"type": "input_audio_buffer.cleared"})),
        RealtimeServerEvent::InputAudioCleared(_)
    ));
    let RealtimeServerEvent::SpeechStarted(s) = decode(json!({"type":
        "input_audio_buffer.speech_started", "audio_start_ms": 1000, "item_id": "msg_003"}))
    else {
        panic!()
    };
    assert_eq!(s.audio_start_ms, Some(1000));
    let RealtimeServerEvent::SpeechStopped(s) = decode(json!({"type":
        "input_audio_buffer.speech_stopped", "audio_end_ms": 2000, "item_id": "msg_003"}))
    else {
        panic!()
    };
    assert_eq!(s.audio_end_ms, Some(2000));
}

#[test]
fn response_events_with_usage_and_content() {
    let RealtimeServerEvent::ResponseDone(d) = decode(json!({"type": "response.done",
        "response": {"object": "realtime.response", "id": "resp_1", "status": "completed",
        "status_details": null, "output": [{"id": "item_1", "type": "message", "role": "assistant",
        "content": [{"type": "output_audio", "transcript": "Loud and clear!"}]}],
        "usage": {"total_tokens": 253, "input_tokens": 132, "output_tokens": 121,
        "input_token_details": {"text_tokens": 119, "audio_tokens": 13, "image_tokens": 0,
        "cached_tokens": 64, "cached_tokens_details": {"text_tokens": 64}},
        "output_token_details": {"text_tokens": 30, "audio_tokens": 91}}, "metadata": null}}))
    else {
        panic!()
    };
    assert_eq!(d.response.status, Some(ResponseStatus::Completed));
    let usage = d.response.usage.unwrap();
    assert_eq!(
        (usage.total_tokens, usage.input_tokens, usage.output_tokens),
        (253, 132, 121)
    );
    assert_eq!(usage.input_token_details.unwrap().cached_tokens, 64);
    assert_eq!(usage.output_token_details.unwrap().audio_tokens, 91);
    assert_eq!(
        d.response.output[0].content[0].kind,
        ContentKind::OutputAudio
    );
    assert!(
        matches!(decode(json!({"type": "response.created", "response": {"id": "r", "status": "in_progress", "usage": null}})),
        RealtimeServerEvent::ResponseCreated(c) if c.response.status == Some(ResponseStatus::InProgress))
    );
    let RealtimeServerEvent::ContentPartDone(p) =
        decode(json!({"type": "response.content_part.done",
        "response_id": "r", "item_id": "i", "output_index": 0, "content_index": 0,
        "part": {"type": "text", "text": "Sure"}}))
    else {
        panic!()
    };
    assert_eq!(p.part.kind, ContentKind::Text);
    assert!(matches!(
        decode(json!({"type": "response.content_part.added", "part": {"type": "audio"}})),
        RealtimeServerEvent::ContentPartAdded(_)
    ));
    assert!(matches!(
        decode(
            json!({"type": "response.output_item.added", "response_id": "r", "output_index": 0,
        "item": {"id": "m", "type": "message", "role": "assistant", "content": []}})
        ),
        RealtimeServerEvent::OutputItemAdded(_)
    ));
    assert!(
        matches!(decode(json!({"type": "response.output_item.done", "response_id": "r",
        "item": {"id": "m", "type": "mcp_call"}})),
        RealtimeServerEvent::OutputItemDone(e) if e.item.kind.as_str() == "mcp_call")
    );
}

#[test]
fn deltas_and_their_preview_names() {
    for kind in ["response.output_audio.delta", "response.audio.delta"] {
        let RealtimeServerEvent::OutputAudioDelta(d) =
            decode(json!({"type": kind, "response_id": "r", "item_id": "i", "delta": "AAEC"}))
        else {
            panic!("{kind}")
        };
        assert_eq!(d.delta.as_bytes(), [0, 1, 2]);
        assert!(format!("{d:?}").contains("AudioData(<3 bytes>)"));
    }
    for kind in ["response.output_audio.done", "response.audio.done"] {
        assert!(matches!(
            decode(json!({"type": kind})),
            RealtimeServerEvent::OutputAudioDone(_)
        ));
    }
    for kind in [
        "response.output_audio_transcript.delta",
        "response.audio_transcript.delta",
    ] {
        assert!(matches!(decode(json!({"type": kind, "delta": "Hel"})),
            RealtimeServerEvent::OutputAudioTranscriptDelta(d) if d.delta == "Hel"));
    }
    for kind in [
        "response.output_audio_transcript.done",
        "response.audio_transcript.done",
    ] {
        assert!(
            matches!(decode(json!({"type": kind, "transcript": "Hello"})),
            RealtimeServerEvent::OutputAudioTranscriptDone(d) if d.text == "Hello")
        );
    }
    for kind in ["response.output_text.delta", "response.text.delta"] {
        assert!(matches!(decode(json!({"type": kind, "delta": "Su"})),
            RealtimeServerEvent::OutputTextDelta(d) if d.delta == "Su"));
    }
    for kind in ["response.output_text.done", "response.text.done"] {
        assert!(matches!(decode(json!({"type": kind, "text": "Sure"})),
            RealtimeServerEvent::OutputTextDone(d) if d.text == "Sure"));
    }
    assert!(
        matches!(decode(json!({"type": "response.function_call_arguments.delta", "call_id": "c", "delta": "{"})),
        RealtimeServerEvent::FunctionCallArgumentsDelta(d) if d.delta == "{")
    );
    assert!(
        matches!(decode(json!({"type": "response.function_call_arguments.done", "call_id": "c",
        "name": "get_weather", "arguments": "{}"})),
        RealtimeServerEvent::FunctionCallArgumentsDone(d) if d.name.as_deref() == Some("get_weather"))
    );
    let bad =
        RealtimeServerEvent::from_json(br#"{"type":"response.output_audio.delta","delta":"!!"}"#);
    assert!(bad.is_err());
}

#[test]
fn rate_limits_error_and_unknown() {
    let RealtimeServerEvent::RateLimitsUpdated(r) = decode(json!({"type": "rate_limits.updated",
        "rate_limits": [{"name": "requests", "limit": 1000, "remaining": 999, "reset_seconds": 60}]}))
    else {
        panic!()
    };
    assert_eq!(r.rate_limits[0].remaining, Some(999));
    let RealtimeServerEvent::Error(e) = decode(json!({"event_id": "event_890", "type": "error",
        "error": {"type": "invalid_request_error", "code": "invalid_event",
        "message": "The 'type' field is missing.", "param": null, "event_id": "event_567"}}))
    else {
        panic!()
    };
    assert_eq!(e.error.kind, "invalid_request_error");
    assert_eq!(e.error.code.as_deref(), Some("invalid_event"));
    assert_eq!(e.error.event_id.as_deref(), Some("event_567"));
    let json = json!({"type": "output_audio_buffer.started", "response_id": "r"});
    let RealtimeServerEvent::Unknown(u) = decode(json.clone()) else {
        panic!()
    };
    assert_eq!(u.event_type(), "output_audio_buffer.started");
    assert_eq!(u.json(), &json);
}

#[test]
fn preview_names_stay_visible_through_wire_type() {
    use crate::realtime::protocol::RealtimeProtocol::{Ga, Preview};
    for (preview, ga) in [
        ("response.audio.delta", "response.output_audio.delta"),
        ("response.audio.done", "response.output_audio.done"),
        (
            "response.audio_transcript.delta",
            "response.output_audio_transcript.delta",
        ),
        (
            "response.audio_transcript.done",
            "response.output_audio_transcript.done",
        ),
        ("response.text.delta", "response.output_text.delta"),
        ("response.text.done", "response.output_text.done"),
    ] {
        let event = decode(json!({"type": preview, "response_id": "r", "delta": ""}));
        assert_eq!(event.event_type(), ga);
        assert_eq!(event.wire_type(Preview), preview);
        assert_eq!(event.wire_type(Ga), ga);
    }
    // Events whose names the protocols share, and unknown ones, keep theirs.
    for kind in ["rate_limits.updated", "response.done", "something.new"] {
        let event = decode(json!({"type": kind}));
        assert_eq!(event.wire_type(Preview), kind);
        assert_eq!(event.wire_type(Ga), kind);
    }
}

#[test]
fn item_events_without_an_item_are_still_delivered() {
    for kind in [
        "conversation.item.created",
        "conversation.item.added",
        "conversation.item.done",
        "response.output_item.added",
    ] {
        let event = decode(serde_json::json!({"type": kind, "event_id": "e1"}));
        assert!(
            !matches!(event, RealtimeServerEvent::Unknown(_)),
            "{kind} without an item must stay typed: {event:?}"
        );
        assert_eq!(event.event_type(), kind);
    }
}

#[test]
fn type_first_or_anywhere_decodes_the_same() {
    // The service's order (`type` first, read from the start) and any other order (probed).
    let first =
        br#" { "type" : "response.output_audio.delta", "response_id": "r", "delta": "AAEC"}"#;
    let later = br#"{"response_id": "r", "delta": "AAEC", "type": "response.output_audio.delta"}"#;
    let escaped =
        br#"{"type": "response.output_audio\u002edelta", "response_id": "r", "delta": "AAEC"}"#;
    assert_eq!(leading_type(first), Some("response.output_audio.delta"));
    assert_eq!(leading_type(later), None);
    assert_eq!(leading_type(escaped), None);
    let events =
        [first.as_slice(), later, escaped].map(|m| RealtimeServerEvent::from_json(m).unwrap());
    for event in &events {
        let RealtimeServerEvent::OutputAudioDelta(d) = event else {
            panic!("{event:?}")
        };
        assert_eq!(
            (d.response_id.as_str(), d.delta.as_bytes()),
            ("r", [0u8, 1, 2].as_slice())
        );
    }
    // A leading type on text that is not an event is still refused; an unknown one is kept.
    for bad in [
        &br#"{"type":"error","#[..],
        br#"{"type":"error"} x"#,
        br#"{"type":"x""#,
    ] {
        let e = RealtimeServerEvent::from_json(bad).unwrap_err();
        assert_eq!(e.kind(), crate::ErrorKind::Decode, "{e:?}");
    }
    let unknown = RealtimeServerEvent::from_json(br#"{"type":"new.thing","n":1}"#).unwrap();
    let RealtimeServerEvent::Unknown(u) = unknown else {
        panic!("{unknown:?}")
    };
    assert_eq!(u.json(), &json!({"type": "new.thing", "n": 1}));
    assert_eq!(leading_type(br#"{"type":null}"#), None);
    assert_eq!(
        RealtimeServerEvent::from_json(br#"{"type":null}"#)
            .unwrap()
            .event_type(),
        ""
    );
}
