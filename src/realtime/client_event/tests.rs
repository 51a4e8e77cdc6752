use serde_json::json;

use super::*;
use crate::chat::request::Modality;
use crate::realtime::session::{
    Eagerness, RealtimeAudioFormat, RealtimeTool, RealtimeToolChoice, SemanticVad, ServerVad,
    TurnDetection,
};
use crate::Voice;

/// The event's JSON is `golden`, and it reads back as the same event.
fn golden(event: RealtimeClientEvent, golden: serde_json::Value) {
    assert_eq!(serde_json::to_value(&event).unwrap(), golden);
    let back: RealtimeClientEvent = serde_json::from_value(golden).unwrap();
    assert_eq!(back, event);
}

#[test]
fn session_update_has_the_ga_shape() {
    let session = RealtimeSessionConfig::new()
        .instructions("Be brief.")
        .output_modalities([Modality::Audio])
        .input_format(RealtimeAudioFormat::pcm16())
        .input_transcription("whisper-1")
        .turn_detection(TurnDetection::ServerVad(
            ServerVad::default()
                .threshold(0.5)
                .prefix_padding_ms(300)
                .silence_duration_ms(200)
                .create_response(true)
                .interrupt_response(false),
        ))
        .output_format(RealtimeAudioFormat::pcm16())
        .voice(Voice::Marin)
        .tool(RealtimeTool::function(
            "weather",
            "The weather in a city.",
            json!({"type": "object", "properties": {"city": {"type": "string"}}}),
        ))
        .tool_choice(RealtimeToolChoice::function("weather"));
    golden(
        RealtimeClientEvent::session_update(session).with_event_id("e1"),
        json!({
            "type": "session.update",
            "event_id": "e1",
            "session": {
                "type": "realtime",
                "instructions": "Be brief.",
                "output_modalities": ["audio"],
                "audio": {
                    "input": {
                        "format": {"type": "audio/pcm", "rate": 24000},
                        "transcription": {"model": "whisper-1"},
                        "turn_detection": {
                            "type": "server_vad", "threshold": 0.5, "prefix_padding_ms": 300,
                            "silence_duration_ms": 200, "create_response": true,
                            "interrupt_response": false
                        }
                    },
                    "output": {"format": {"type": "audio/pcm", "rate": 24000}, "voice": "marin"}
                },
                "tools": [{
                    "type": "function", "name": "weather", "description": "The weather in a city.",
                    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}
                }],
                "tool_choice": {"type": "function", "name": "weather"}
            }
        }),
    );
}

#[test]
fn turn_detection_semantic_vad_and_disabled() {
    let semantic = RealtimeSessionConfig::new().turn_detection(TurnDetection::SemanticVad(
        SemanticVad::default().eagerness(Eagerness::High),
    ));
    golden(
        RealtimeClientEvent::session_update(semantic),
        json!({"type": "session.update", "session": {"type": "realtime",
            "audio": {"input": {"turn_detection": {"type": "semantic_vad", "eagerness": "high"}}}}}),
    );
    // `null` turns it off; leaving it out leaves it as it is.
    let off = RealtimeSessionConfig::new()
        .turn_detection(TurnDetection::Disabled)
        .tool_choice(RealtimeToolChoice::Mode(
            crate::realtime::session::ToolMode::None,
        ));
    golden(
        RealtimeClientEvent::session_update(off),
        json!({"type": "session.update", "session": {"type": "realtime", "tool_choice": "none",
            "audio": {"input": {"turn_detection": null}}}}),
    );
    let unknown: TurnDetection =
        serde_json::from_value(json!({"type": "future_vad", "x": 1})).unwrap();
    assert!(
        matches!(&unknown, TurnDetection::Unknown { kind, .. } if kind.as_str() == "future_vad")
    );
    assert_eq!(
        serde_json::to_value(&unknown).unwrap(),
        json!({"type": "future_vad", "x": 1})
    );
}

#[test]
fn input_audio_buffer_events() {
    golden(
        RealtimeClientEvent::append_pcm16(&[0, 1, 2, 3]),
        json!({"type": "input_audio_buffer.append", "audio": "AAECAw=="}),
    );
    golden(
        RealtimeClientEvent::commit().with_event_id("c"),
        json!({"type": "input_audio_buffer.commit", "event_id": "c"}),
    );
    golden(
        RealtimeClientEvent::clear(),
        json!({"type": "input_audio_buffer.clear"}),
    );
    let debug = format!("{:?}", RealtimeClientEvent::append_pcm16(&[7; 4800]));
    assert!(debug.contains("AudioData(<4800 bytes>)"), "{debug}");
}

#[test]
fn conversation_item_events() {
    golden(
        RealtimeClientEvent::user_text("hi"),
        json!({"type": "conversation.item.create", "item": {"type": "message", "role": "user",
            "content": [{"type": "input_text", "text": "hi"}]}}),
    );
    golden(
        RealtimeClientEvent::create_item(ConversationItem::user_audio(vec![1u8, 2, 3])),
        json!({"type": "conversation.item.create", "item": {"type": "message", "role": "user",
            "content": [{"type": "input_audio", "audio": "AQID"}]}}),
    );
    golden(
        RealtimeClientEvent::function_output("call_1", r#"{"temp":21}"#),
        json!({"type": "conversation.item.create", "item": {"type": "function_call_output",
            "call_id": "call_1", "output": "{\"temp\":21}"}}),
    );
    golden(
        RealtimeClientEvent::truncate("item_002", 0, 1500).with_event_id("event_678"),
        json!({"event_id": "event_678", "type": "conversation.item.truncate",
            "item_id": "item_002", "content_index": 0, "audio_end_ms": 1500}),
    );
    golden(
        RealtimeClientEvent::delete_item("item_003"),
        json!({"type": "conversation.item.delete", "item_id": "item_003"}),
    );
}

#[test]
fn response_events() {
    golden(
        RealtimeClientEvent::response_create(),
        json!({"type": "response.create"}),
    );
    golden(
        RealtimeClientEvent::response_create_with(
            ResponseConfig::new()
                .instructions("Summarize.")
                .output_modalities([Modality::Text])
                .out_of_band(),
        ),
        json!({"type": "response.create", "response": {"instructions": "Summarize.",
            "output_modalities": ["text"], "conversation": "none"}}),
    );
    golden(
        RealtimeClientEvent::response_cancel(),
        json!({"type": "response.cancel"}),
    );
    let e = RealtimeClientEvent::response_cancel().with_event_id("x");
    assert_eq!(e.event_id(), Some("x"));
    assert_eq!(e.event_type(), "response.cancel");
}
