use super::*;
use crate::realtime::response::ResponseStatus;

#[test]
fn collects_text_audio_and_a_function_call() {
    let events = [
        r#"{"type":"response.created","response":{"id":"r1","status":"in_progress"}}"#,
        r#"{"type":"response.output_item.added","response_id":"r1","output_index":0,"item":{"id":"m1","type":"message","role":"assistant","content":[]}}"#,
        r#"{"type":"response.output_audio_transcript.delta","response_id":"r1","item_id":"m1","delta":"Hel"}"#,
        r#"{"type":"response.output_audio.delta","response_id":"r1","item_id":"m1","delta":"AAEC"}"#,
        r#"{"type":"response.output_audio.delta","response_id":"r2","item_id":"x","delta":"BwcH"}"#,
        r#"{"type":"response.output_audio_transcript.delta","response_id":"r1","item_id":"m1","delta":"lo"}"#,
        r#"{"type":"response.output_audio.delta","response_id":"r1","item_id":"m1","delta":"AwQ="}"#,
        r#"{"type":"response.output_text.delta","response_id":"r1","item_id":"m1","delta":"Hi"}"#,
        r#"{"type":"response.output_item.added","response_id":"r1","output_index":1,"item":{"id":"fc1","type":"function_call","call_id":"call_1","name":"weather","arguments":""}}"#,
        r#"{"type":"response.function_call_arguments.delta","response_id":"r1","item_id":"fc1","call_id":"call_1","delta":"{\"city\":"}"#,
        r#"{"type":"response.function_call_arguments.delta","response_id":"r1","item_id":"fc1","call_id":"call_1","delta":"\"Oslo\"}"}"#,
        r#"{"type":"something.new","response_id":"r1"}"#,
        r#"{"type":"response.done","response":{"id":"r1","status":"completed","usage":{"total_tokens":10,"input_tokens":4,"output_tokens":6}}}"#,
    ];
    let mut c = ResponseCollector::new();
    for (i, e) in events.iter().enumerate() {
        c.push(&RealtimeServerEvent::from_json(e.as_bytes()).unwrap());
        if i == 0 {
            assert_eq!(c.status(), Some(&ResponseStatus::InProgress));
        }
    }
    assert_eq!(c.response_id(), Some("r1"));
    assert_eq!(c.transcript(), "Hello");
    assert_eq!(c.text(), "Hi");
    assert_eq!(c.audio(), [0, 1, 2, 3, 4]);
    let calls = c.function_calls();
    assert_eq!(calls.len(), 1);
    assert_eq!(
        (
            calls[0].call_id.as_str(),
            calls[0].name.as_str(),
            calls[0].arguments.as_str()
        ),
        ("call_1", "weather", r#"{"city":"Oslo"}"#)
    );
    assert_eq!(c.status(), Some(&ResponseStatus::Completed));
    assert_eq!(c.usage().map(|u| u.total_tokens), Some(10));
    assert!(c.is_done());
    let debug = format!("{c:?}");
    assert!(debug.contains("audio_bytes: 5"), "{debug}");
    assert_eq!(c.take_audio(), vec![0, 1, 2, 3, 4]);
    assert!(c.audio().is_empty());
}

#[test]
fn done_events_repair_missed_deltas() {
    let mut c = ResponseCollector::new();
    for e in [
        r#"{"type":"response.output_audio_transcript.delta","response_id":"r","delta":"Hel"}"#,
        r#"{"type":"response.output_audio_transcript.done","response_id":"r","transcript":"Hello there"}"#,
        r#"{"type":"response.function_call_arguments.done","response_id":"r","item_id":"f","call_id":"c","name":"n","arguments":"{}"}"#,
    ] {
        c.push(&RealtimeServerEvent::from_json(e.as_bytes()).unwrap());
    }
    assert_eq!(c.transcript(), "Hello there");
    assert_eq!(c.function_calls()[0].name, "n");
    assert!(!c.is_done());
}
