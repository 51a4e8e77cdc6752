//! A conversation saved as JSON and restored continues where it left off: its settings, its
//! history (audio from memory as base64, audio from a file as its path, replies by audio id),
//! and the next request streams the file again.

mod common;

use azure_openai_audio::{
    AudioFormat, ChatRequest, Client, ContentPart, Conversation, Credential, InputAudio, Message,
    Voice,
};
use base64::Engine as _;
use common::*;
use serde_json::json;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer};

/// The recorded reply's audio id expired in 2025; 2025-02-18 is when it could still be cited.
const STILL_CITABLE: i64 = 1_739_918_300;

#[tokio::test]
async fn a_conversation_round_trips_through_json_and_continues() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(recorded_reply())
        .mount(&server)
        .await;
    let client = Client::new(
        server.uri(),
        "gpt-4o-mini-audio-preview",
        Credential::api_key("test-key-123"),
    )
    .unwrap();

    let in_memory = wav(8_000, 8_000);
    let on_disk = wav(12_000, 24_000);
    let file = temp_file("saved-conversation", "question.wav", &on_disk);
    let mut chat = Conversation::new(
        ChatRequest::new([Message::system("Be brief.")])
            .audio(Voice::Alloy, AudioFormat::Wav)
            .temperature(0.5)
            .extra("store", json!(false)),
    );
    chat.ask(
        &client,
        vec![
            ContentPart::text("Compare these."),
            ContentPart::audio(InputAudio::from_bytes(in_memory.clone()).unwrap()),
            ContentPart::audio(InputAudio::from_file(&file).await.unwrap()),
        ],
    )
    .await
    .unwrap();

    let saved = serde_json::to_value(&chat).unwrap();
    // The user's audio: from memory as its base64, from the file as where it is.
    let parts = &saved["turns"][1]["message"]["content"];
    assert_eq!(
        parts[1]["input_audio"],
        json!({"data": base64::engine::general_purpose::STANDARD.encode(&in_memory), "format": "wav"})
    );
    assert_eq!(
        parts[2]["input_audio"],
        json!({"path": file.to_str().unwrap(), "size": on_disk.len(), "format": "wav"})
    );
    // The reply: by its audio id and transcript, never its audio.
    let reply = &saved["turns"][2]["reply"];
    assert_eq!(
        reply["audio"]["id"],
        "audio_67b50b8b3f4c8190b412e8d7ce010eb5"
    );
    assert!(reply["audio"].get("data").is_none());

    let text = serde_json::to_string(&saved).unwrap();
    let mut restored: Conversation = serde_json::from_str(&text).unwrap();
    assert_eq!(restored.len(), chat.len());
    assert_eq!(
        restored.request_at(STILL_CITABLE),
        chat.request_at(STILL_CITABLE)
    );
    assert_eq!(serde_json::to_value(&restored).unwrap(), saved);

    // Continued: the next request carries the settings, the audio again and the reply's id.
    restored.push_user("Very concisely summarize the favorability.");
    client
        .chat()
        .complete(&restored.request_at(STILL_CITABLE))
        .await
        .unwrap();
    restored.configure(|s| s.text_only());
    restored.ask(&client, "And in one word?").await.unwrap();
    assert_eq!(restored.len(), chat.len() + 3, "two questions and a reply");

    let received = server.received_requests().await.unwrap();
    assert_eq!(received.len(), 3);
    let second = check_request(&received[1], "test-key-123");
    assert_eq!(second["temperature"], json!(0.5));
    assert_eq!(second["store"], json!(false));
    assert_eq!(second["audio"], json!({"voice": "alloy", "format": "wav"}));
    assert_eq!(
        second["messages"][0],
        json!({"role": "system", "content": "Be brief."})
    );
    let b64 = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
    assert_eq!(
        second["messages"][1]["content"],
        json!([
            {"type": "text", "text": "Compare these."},
            {"type": "input_audio", "input_audio": {"data": b64(&in_memory), "format": "wav"}},
            {"type": "input_audio", "input_audio": {"data": b64(&on_disk), "format": "wav"}}
        ])
    );
    assert_eq!(
        second["messages"][2],
        json!({"role": "assistant", "audio": {"id": "audio_67b50b8b3f4c8190b412e8d7ce010eb5"}})
    );
    assert_eq!(
        second["messages"][3],
        json!({"role": "user", "content": "Very concisely summarize the favorability."})
    );
    // `ask` goes by the clock: by now the audio has expired and is sent as its transcript.
    let third = check_request(&received[2], "test-key-123");
    assert_eq!(third["modalities"], json!(["text"]));
    assert_eq!(third["messages"][2]["role"], "assistant");
    assert!(third["messages"][2]["content"].as_str().unwrap().len() > 10);
    assert_eq!(
        third["messages"][4],
        json!({"role": "user", "content": "And in one word?"})
    );
}

#[tokio::test]
async fn restoring_checks_the_audio_again_without_reading_files() {
    // A file that is gone restores (nothing is read) and fails the request that would send it.
    let saved = json!({
        "settings": {"messages": []},
        "turns": [{"message": {"role": "user", "content": [
            {"type": "input_audio", "input_audio": {"path": "/nonexistent/gone.wav", "size": 10, "format": "wav"}}
        ]}}]
    });
    let restored: Conversation = serde_json::from_value(saved).unwrap();
    // A server that reads whatever comes and never answers: the body's own error ends the request.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        loop {
            let (mut socket, _) = listener.accept().await.unwrap();
            tokio::spawn(async move {
                let _ = tokio::io::copy(&mut socket, &mut tokio::io::sink()).await;
            });
        }
    });
    let client = Client::builder(endpoint, "d", Credential::api_key("k"))
        .max_retries(0)
        .build()
        .unwrap();
    let e = client
        .chat()
        .complete(&restored.request_at(0))
        .await
        .unwrap_err();
    let mut chain = e.to_string();
    let mut source = std::error::Error::source(&e);
    while let Some(s) = source {
        chain.push_str(&format!(": {s}"));
        source = s.source();
    }
    assert!(chain.contains("No such file"), "{chain}");

    // What the constructors refuse, deserializing refuses too, naming the problem.
    for (input_audio, says) in [
        (
            json!({"path": "a.wav", "size": 0, "format": "wav"}),
            "is empty",
        ),
        (
            json!({"path": "a.wav", "size": 20 * 1024 * 1024 + 1, "format": "wav"}),
            "at most 20971520 bytes",
        ),
        (
            json!({"data": "aGVsbG8=", "format": "wav"}),
            "unrecognised header",
        ),
        (json!({"data": "!!", "format": "wav"}), "not valid base64"),
        (
            json!({"format": "wav"}),
            "either `data`, or `path` and `size`",
        ),
        (
            json!({"data": "UklGRiQAAABXQVZF", "format": "flac"}),
            "unknown variant",
        ),
    ] {
        let part = json!({"role": "user", "content": [{"type": "input_audio", "input_audio": input_audio}]});
        let e = serde_json::from_value::<Message>(part).unwrap_err();
        assert!(e.to_string().contains(says), "{e} (expected {says})");
    }
}
