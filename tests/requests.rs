//! The quickstarts' requests on the wire, checked exactly against a local wiremock server.

mod common;

use azure_openai_audio::{
    AudioFormat, ChatRequest, Client, ContentPart, Conversation, Credential, InputAudio,
    InputAudioFormat, Message, Route, Voice,
};
use base64::Engine as _;
use common::*;
use serde_json::{json, Value};
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, Request};

async fn server() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(
            "/openai/deployments/gpt-4o-mini-audio-preview/chat/completions",
        ))
        .and(query_param("api-version", "2025-04-01-preview"))
        .respond_with(recorded_reply())
        .mount(&server)
        .await;
    server
}

fn client(server: &MockServer) -> Client {
    Client::new(
        server.uri(),
        "gpt-4o-mini-audio-preview",
        Credential::api_key("test-key-123"),
    )
    .unwrap()
}

/// Checks everything but the body (the test key, the quickstart deployment), and returns the
/// body as JSON.
fn check_request(r: &Request) -> Value {
    common::check_request(r, "test-key-123")
}

#[tokio::test]
async fn to_audio_request_and_reply() {
    let server = server().await;
    let request = ChatRequest::new([Message::user("Is a golden retriever a good family dog?")])
        .audio(Voice::Alloy, AudioFormat::Wav);
    let reply = client(&server).chat().complete(&request).await.unwrap();

    let received = server.received_requests().await.unwrap();
    assert_eq!(received.len(), 1);
    assert_eq!(
        check_request(&received[0]),
        json!({
            "messages": [{"role": "user", "content": "Is a golden retriever a good family dog?"}],
            "modalities": ["text", "audio"],
            "audio": {"voice": "alloy", "format": "wav"}
        })
    );
    assert_eq!(
        reply.audio().unwrap().transcript,
        "Hello world, this is a test."
    );
    assert_eq!(reply.metadata.status, 200);
    assert_eq!(
        reply.metadata.request_id(),
        Some("86a113c2-b639-4eef-afe2-f66fd2970e2f")
    );
    assert_eq!(
        reply.metadata.apim_request_id.as_deref(),
        Some("a0456c63-baaf-47dd-b953-ecb1c4db886c")
    );
    assert_eq!(reply.metadata.region.as_deref(), Some("Sweden Central"));
    assert_eq!(reply.metadata.ratelimit_remaining_requests, Some(9));
    assert_eq!(reply.metadata.ratelimit_remaining_tokens, Some(9325));
}

#[tokio::test]
async fn from_audio_request_streams_the_file() {
    let server = server().await;
    let wav_bytes = wav(48_000, 24_000);
    let file = temp_file("from-audio", "dog.wav", &wav_bytes);
    let audio = InputAudio::from_file_as(&file, InputAudioFormat::Wav)
        .await
        .unwrap();
    let request = ChatRequest::new([Message::user(vec![
        ContentPart::text("Describe in detail the spoken audio input."),
        ContentPart::audio(audio),
    ])])
    .audio(Voice::Alloy, AudioFormat::Wav);
    client(&server).chat().complete(&request).await.unwrap();

    let received = server.received_requests().await.unwrap();
    assert_eq!(
        check_request(&received[0]),
        json!({
            "messages": [{"role": "user", "content": [
                {"type": "text", "text": "Describe in detail the spoken audio input."},
                {"type": "input_audio", "input_audio": {
                    "data": base64::engine::general_purpose::STANDARD.encode(&wav_bytes),
                    "format": "wav"
                }}
            ]}],
            "modalities": ["text", "audio"],
            "audio": {"voice": "alloy", "format": "wav"}
        })
    );
    // The streamed body is byte-for-byte what serde_json writes for the same request with the
    // audio in memory (serde writes audio from a file as its path).
    let in_memory = ChatRequest::new([Message::user(vec![
        ContentPart::text("Describe in detail the spoken audio input."),
        ContentPart::audio(InputAudio::wav(wav_bytes.clone()).unwrap()),
    ])])
    .audio(Voice::Alloy, AudioFormat::Wav);
    assert_eq!(received[0].body, serde_json::to_vec(&in_memory).unwrap());
}

#[tokio::test]
async fn multi_turn_cites_the_audio_id_then_falls_back_to_the_transcript() {
    let server = server().await;
    let client = client(&server);
    let wav_bytes = wav(2_400, 24_000);
    let audio = InputAudio::wav(wav_bytes.clone()).unwrap();

    let mut chat = Conversation::new(ChatRequest::default().audio(Voice::Alloy, AudioFormat::Wav));
    let first = chat
        .ask(
            &client,
            vec![
                ContentPart::text("Describe in detail the spoken audio input."),
                ContentPart::audio(audio),
            ],
        )
        .await
        .unwrap();
    assert_eq!(
        first.audio().unwrap().id,
        "audio_67b50b8b3f4c8190b412e8d7ce010eb5"
    );
    chat.configure(|s| s.text_only());
    // The recorded audio expired in 2025; cite it as if it were still 2025-02-18.
    let turn2 = chat
        .request_at(1_739_918_300)
        .user("Very concisely summarize the favorability.");
    client.chat().complete(&turn2).await.unwrap();

    let received = server.received_requests().await.unwrap();
    assert_eq!(received.len(), 2);
    let body = check_request(&received[1]);
    assert_eq!(
        body["messages"][1],
        json!({"role": "assistant", "audio": {"id": "audio_67b50b8b3f4c8190b412e8d7ce010eb5"}})
    );
    assert_eq!(
        body["messages"][2],
        json!({"role": "user", "content": "Very concisely summarize the favorability."})
    );
    assert_eq!(body["modalities"], json!(["text"]));
    assert!(body.get("audio").is_none());

    // Today the id has expired: the history carries the transcript as text instead.
    let later = chat.request();
    let v = serde_json::to_value(&later).unwrap();
    assert_eq!(
        v["messages"][1],
        json!({"role": "assistant", "content": "Hello world, this is a test."})
    );
}

#[tokio::test]
async fn bearer_token_instead_of_api_key() {
    let server = server().await;
    let client = Client::new(
        server.uri(),
        "gpt-4o-mini-audio-preview",
        Credential::bearer("static-token"),
    )
    .unwrap();
    client
        .chat()
        .complete(&ChatRequest::new([Message::user("hi")]))
        .await
        .unwrap();
    let r = &server.received_requests().await.unwrap()[0];
    assert_eq!(header(r, "authorization"), Some("Bearer static-token"));
    assert_eq!(header(r, "api-key"), None);
}

#[tokio::test]
async fn v1_route_puts_the_deployment_in_the_body() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/openai/v1/chat/completions"))
        .respond_with(recorded_reply())
        .mount(&server)
        .await;
    let client = Client::builder(server.uri(), "my-deployment", Credential::api_key("k"))
        .route(Route::V1)
        .build()
        .unwrap();
    client
        .chat()
        .complete(&ChatRequest::new([Message::user("hi")]))
        .await
        .unwrap();
    let r = &server.received_requests().await.unwrap()[0];
    assert_eq!(r.url.query(), None);
    let body: Value = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(
        body,
        json!({"model": "my-deployment", "messages": [{"role": "user", "content": "hi"}]})
    );
}

#[tokio::test]
async fn bad_input_is_refused_before_anything_is_sent() {
    let server = server().await;
    let empty = temp_file("bad-input", "empty.wav", b"");
    let e = InputAudio::from_file(&empty).await.unwrap_err();
    assert_eq!(e.kind(), azure_openai_audio::ErrorKind::InvalidInput);
    let e = InputAudio::from_bytes(b"not audio at all".to_vec()).unwrap_err();
    assert_eq!(e.kind(), azure_openai_audio::ErrorKind::InvalidInput);
    let e = Client::new(
        "my-resource.openai.azure.com",
        "d",
        Credential::api_key("k"),
    )
    .unwrap_err();
    assert_eq!(e.kind(), azure_openai_audio::ErrorKind::Config);
    let e = Client::new(
        "http://my-resource.openai.azure.com",
        "d",
        Credential::api_key("k"),
    )
    .unwrap_err();
    assert!(e.to_string().contains("https"), "{e}");

    // A file over 20 MiB (sparse: nothing is written), a file that says it is MP3 but is WAV.
    let big = temp_file("bad-input", "big.wav", b"RIFF\0\0\0\0WAVEfmt ");
    std::fs::OpenOptions::new()
        .write(true)
        .open(&big)
        .unwrap()
        .set_len(20 * 1024 * 1024 + 1)
        .unwrap();
    let e = InputAudio::from_file(&big).await.unwrap_err();
    assert_eq!(e.kind(), azure_openai_audio::ErrorKind::InvalidInput);
    assert!(e.to_string().contains("at most 20971520 bytes"), "{e}");
    let wav_file = temp_file("bad-input", "dog.wav", &wav(100, 8_000));
    let e = InputAudio::from_file_as(&wav_file, InputAudioFormat::Mp3)
        .await
        .unwrap_err();
    assert!(
        e.to_string()
            .contains("declared mp3 but its header says wav"),
        "{e}"
    );

    // Requests the service would refuse, or the crate would send wrongly, are not sent.
    let client = client(&server);
    let no_messages = ChatRequest::default().audio(Voice::Alloy, AudioFormat::Wav);
    let e = client.chat().complete(&no_messages).await.unwrap_err();
    assert_eq!(
        (e.kind(), e.to_string().as_str()),
        (
            azure_openai_audio::ErrorKind::InvalidInput,
            "invalid input: the request has no messages"
        )
    );
    for key in ["stream", "modalities", "messages"] {
        let clash = ChatRequest::new([Message::user("hi")]).extra(key, json!(true));
        let e = client.chat().complete(&clash).await.unwrap_err();
        assert_eq!(e.kind(), azure_openai_audio::ErrorKind::InvalidInput);
        assert!(e.to_string().contains(&format!("`{key}`")), "{e}");
    }
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[test]
fn debug_output_is_pinned() {
    let audio = InputAudio::wav(wav(24_000, 24_000)).unwrap();
    let request = ChatRequest::new([Message::user(vec![ContentPart::audio(audio)])])
        .audio(Voice::Alloy, AudioFormat::Wav);
    let debug = format!("{request:?}");
    // Pinned whole: the audio shows its format and length, never its bytes.
    assert_eq!(
        debug,
        "ChatRequest { model: None, messages: [User { content: Parts([InputAudio(InputAudio { format: Wav, len: 48044 })]), name: None }], \
         modalities: Some([Text, Audio]), audio: Some(AudioOutput { voice: Alloy, format: Wav }), max_completion_tokens: None, \
         max_tokens: None, temperature: None, top_p: None, n: None, stop: None, seed: None, presence_penalty: None, \
         frequency_penalty: None, user: None, tools: [], tool_choice: None, parallel_tool_calls: None, response_format: None, \
         stream: None, stream_options: None, extra: {} }"
    );
    let client = Client::new(
        "https://r.openai.azure.com",
        "d",
        Credential::api_key("sk-live-SECRET"),
    )
    .unwrap();
    assert!(!format!("{client:?}").contains("SECRET"));
}
