//! Golden JSON for the quickstarts' requests.

use super::*;
use crate::{ContentPart, InputAudio};
use serde_json::json;

fn wav_bytes() -> Vec<u8> {
    let mut v = b"RIFF\x24\x00\x00\x00WAVEfmt ".to_vec();
    v.extend_from_slice(&[1, 2, 3, 4, 5]);
    v
}

#[test]
fn to_audio_quickstart() {
    let r = ChatRequest::new([Message::user("Is a golden retriever a good family dog?")])
        .audio(Voice::Alloy, AudioFormat::Wav);
    assert_eq!(
        serde_json::to_value(&r).unwrap(),
        json!({
            "messages": [{"role": "user", "content": "Is a golden retriever a good family dog?"}],
            "modalities": ["text", "audio"],
            "audio": {"voice": "alloy", "format": "wav"}
        })
    );
}

#[test]
fn from_audio_quickstart() {
    let audio = InputAudio::wav(wav_bytes()).unwrap();
    let r = ChatRequest::new([Message::user(vec![
        ContentPart::text("Describe in detail the spoken audio input."),
        ContentPart::audio(audio),
    ])])
    .audio(Voice::Alloy, AudioFormat::Wav);
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD.encode(wav_bytes());
    assert_eq!(
        serde_json::to_value(&r).unwrap(),
        json!({
            "messages": [{"role": "user", "content": [
                {"type": "text", "text": "Describe in detail the spoken audio input."},
                {"type": "input_audio", "input_audio": {"data": b64, "format": "wav"}}
            ]}],
            "modalities": ["text", "audio"],
            "audio": {"voice": "alloy", "format": "wav"}
        })
    );
}

#[test]
fn multi_turn_quickstart_second_turn() {
    let audio = InputAudio::wav(wav_bytes()).unwrap();
    let r = ChatRequest::new([
        Message::user(vec![
            ContentPart::text("Describe in detail the spoken audio input."),
            ContentPart::audio(audio),
        ]),
        Message::assistant_audio("audio_67b50b8b3f4c8190b412e8d7ce010eb5"),
        Message::user("Very concisely summarize the favorability."),
    ])
    .text_only();
    let v = serde_json::to_value(&r).unwrap();
    assert_eq!(
        v["messages"][1],
        json!({"role": "assistant", "audio": {"id": "audio_67b50b8b3f4c8190b412e8d7ce010eb5"}})
    );
    assert_eq!(
        v["messages"][2],
        json!({"role": "user", "content": "Very concisely summarize the favorability."})
    );
    assert_eq!(v["modalities"], json!(["text"]));
    assert!(v.get("audio").is_none());
    assert!(v.get("stream").is_none());
}

#[test]
fn common_parameters_and_extra_fields() {
    let r = ChatRequest::new([
        Message::system("Be brief."),
        Message::developer("Speak slowly."),
    ])
    .max_completion_tokens(200)
    .temperature(0.5)
    .top_p(0.9)
    .n(1)
    .stop(Stop::One("END".into()))
    .seed(7)
    .end_user("user-1")
    .tool(Tool::function(
        "weather",
        "Get the weather",
        json!({"type": "object"}),
    ))
    .tool_choice(ToolChoice::Function("weather".into()))
    .response_format(ResponseFormat::JsonObject)
    .extra("store", json!(true));
    assert_eq!(
        serde_json::to_value(&r).unwrap(),
        json!({
            "messages": [{"role": "system", "content": "Be brief."}, {"role": "developer", "content": "Speak slowly."}],
            "max_completion_tokens": 200,
            "temperature": 0.5,
            "top_p": 0.8999999761581421,
            "n": 1,
            "stop": "END",
            "seed": 7,
            "user": "user-1",
            "tools": [{"type": "function", "function": {"name": "weather", "description": "Get the weather", "parameters": {"type": "object"}}}],
            "tool_choice": {"type": "function", "function": {"name": "weather"}},
            "response_format": {"type": "json_object"},
            "store": true
        })
    );
}

#[test]
fn tool_history_and_unknown_voice() {
    let r = ChatRequest::new([
        Message::assistant_tool_calls(vec![crate::chat::message::ToolCall::function(
            "call_1", "weather", "{}",
        )]),
        Message::tool("call_1", "sunny"),
    ])
    .audio(Voice::from("aurora"), AudioFormat::Pcm16);
    let v = serde_json::to_value(&r).unwrap();
    assert_eq!(
        v["messages"][0],
        json!({"role": "assistant", "tool_calls": [{"id": "call_1", "type": "function", "function": {"name": "weather", "arguments": "{}"}}]})
    );
    assert_eq!(
        v["messages"][1],
        json!({"role": "tool", "content": "sunny", "tool_call_id": "call_1"})
    );
    assert_eq!(v["audio"], json!({"voice": "aurora", "format": "pcm16"}));
}

#[test]
fn the_modeled_fields_are_exactly_what_the_request_serializes() {
    let mut every = ChatRequest::new([Message::user("x")])
        .model("m".into())
        .audio(Voice::Alloy, AudioFormat::Wav)
        .max_completion_tokens(1)
        .max_tokens(1)
        .temperature(1.0)
        .top_p(1.0)
        .n(1)
        .stop(Stop::One("s".into()))
        .seed(1)
        .presence_penalty(0.0)
        .frequency_penalty(0.0)
        .end_user("u")
        .tool(Tool::function("f", "d", json!({})))
        .tool_choice(ToolChoice::Auto)
        .parallel_tool_calls(true)
        .response_format(ResponseFormat::Text);
    every.set_streaming();
    let json = serde_json::to_value(&every).unwrap();
    let mut keys: Vec<&str> = json
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let mut modeled = super::MODELED_FIELDS.to_vec();
    keys.sort_unstable();
    modeled.sort_unstable();
    assert_eq!(keys, modeled);
    assert!(every.check().is_ok());
}

#[test]
fn requests_and_messages_deserialize_from_what_they_serialize() {
    let mut requests = vec![ChatRequest::new([
        Message::system("Be brief.").with_name("sys"),
        Message::developer("Speak slowly."),
        Message::user(vec![
            ContentPart::text("Describe this."),
            ContentPart::audio(InputAudio::wav(wav_bytes()).unwrap()),
            ContentPart::image_url("data:image/png;base64,AAAA"),
        ]),
        Message::assistant_audio("audio_1"),
        Message::assistant("text").with_name("helper"),
        Message::assistant_tool_calls(vec![crate::chat::message::ToolCall::function(
            "call_1", "weather", "{}",
        )]),
        Message::tool("call_1", "sunny"),
        Message::user("Thanks"),
    ])
    .model("m".into())
    .audio(Voice::from("aurora-2"), AudioFormat::Pcm16)
    .max_completion_tokens(1)
    .max_tokens(2)
    .temperature(0.3)
    .top_p(0.9)
    .n(1)
    .stop(Stop::Many(vec!["a".into(), "b".into()]))
    .seed(-1)
    .presence_penalty(0.5)
    .frequency_penalty(-0.5)
    .end_user("u")
    .tool(Tool::function("weather", "d", json!({"type": "object"})).strict(true))
    .parallel_tool_calls(false)
    .response_format(ResponseFormat::JsonSchema {
        name: "answer".into(),
        schema: json!({"type": "object"}),
        strict: true,
    })
    .extra("store", json!(true))];
    for choice in [
        ToolChoice::None,
        ToolChoice::Auto,
        ToolChoice::Required,
        ToolChoice::Function("weather".into()),
    ] {
        requests.push(
            ChatRequest::new([Message::user("x")])
                .text_only()
                .tool_choice(choice)
                .stop(Stop::One("s".into()))
                .response_format(ResponseFormat::JsonObject),
        );
    }
    requests.push(ChatRequest::default().response_format(ResponseFormat::Text));
    for request in requests {
        let json = serde_json::to_string(&request).unwrap();
        let back: ChatRequest = serde_json::from_str(&json).unwrap();
        assert_eq!(back, request, "{json}");
    }
    // The streaming call's own fields are never read back: sent, they are refused as extras.
    let streaming: ChatRequest = serde_json::from_value(
        json!({"messages": [{"role": "user", "content": "hi"}], "stream": true}),
    )
    .unwrap();
    assert!(streaming
        .check()
        .unwrap_err()
        .to_string()
        .contains("`stream`"));
    let e = serde_json::from_value::<ToolChoice>(json!("sometimes")).unwrap_err();
    assert!(e.to_string().contains("sometimes"), "{e}");
}

#[test]
fn getters_read_what_the_setters_set() {
    let r = ChatRequest::new([Message::user("x")])
        .audio(Voice::Alloy, AudioFormat::Wav)
        .model("gpt-4o-audio-preview".into());
    assert_eq!(r.messages_ref(), &[Message::user("x")]);
    assert_eq!(
        r.audio_ref(),
        Some(&AudioOutput {
            voice: Voice::Alloy,
            format: AudioFormat::Wav
        })
    );
    assert_eq!(r.model_ref(), Some("gpt-4o-audio-preview"));
}
