//! The Realtime session against a raw WebSocket server: the handshake on the wire (GA and
//! preview URLs, auth headers), every sender helper's events as JSON, the receiver's events
//! (unknown and malformed ones kept or reported without ending the session).

#[path = "support/ws_server.rs"]
mod ws_server;

use azure_openai_audio::realtime::RealtimeProtocol;
use azure_openai_audio::{
    Api, Client, Credential, ErrorKind, RealtimeClientEvent, RealtimeServerEvent,
    RealtimeSessionConfig, ResponseConfig, TurnDetection, Voice,
};
use serde_json::{json, Value};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;
use ws_server::{record, say, Plan, WsServer};

fn client(server: &WsServer, credential: Credential) -> Client {
    Client::builder(&server.uri, "chat-dep", credential)
        .deployment_for(Api::Realtime, "rt-dep")
        .build()
        .unwrap()
}

/// The next message the server got, as JSON.
async fn next_json(rx: &mut mpsc::UnboundedReceiver<String>) -> Value {
    let text = rx.recv().await.expect("a message");
    serde_json::from_str(&text).expect("JSON")
}

#[tokio::test]
async fn the_ga_handshake_with_an_api_key() {
    let (tx, _rx) = mpsc::unbounded_channel();
    let server = WsServer::start(vec![Plan::Accept(record(tx))]).await;
    let client = client(&server, Credential::api_key("sk-test"));
    let mut session = client.realtime().connect().await.unwrap();
    assert_eq!(session.metadata().request_id(), Some("req-ws-1"));
    let first = session.next_event().await.unwrap().unwrap();
    assert!(
        matches!(first, RealtimeServerEvent::SessionCreated(_)),
        "{first:?}"
    );

    let handshakes = server.handshakes();
    assert_eq!(handshakes.len(), 1);
    let h = &handshakes[0];
    assert_eq!(h.path, "/openai/v1/realtime");
    assert_eq!(h.query.as_deref(), Some("model=rt-dep"));
    assert_eq!(h.header("api-key"), Some("sk-test"));
    assert_eq!(h.header("authorization"), None);
    assert_eq!(h.header("openai-beta"), None);
    assert_eq!(h.header("upgrade"), Some("websocket"));
    assert_eq!(h.header("sec-websocket-version"), Some("13"));
    assert_eq!(h.header("sec-websocket-key").map(str::len), Some(24));
    assert!(h
        .header("user-agent")
        .unwrap()
        .starts_with("azure-openai-audio/"));
    // The session's Debug names no secret.
    assert!(!format!("{session:?}").contains("sk-test"));
}

#[tokio::test]
async fn a_bearer_token_and_the_preview_url_and_shapes() {
    let (tx, mut rx) = mpsc::unbounded_channel();
    let server = WsServer::start(vec![Plan::Accept(record(tx))]).await;
    let client = client(&server, Credential::bearer("token-1"));
    let session = client
        .realtime()
        .deployment("gpt-4o-realtime-preview")
        .protocol(RealtimeProtocol::Preview)
        .connect()
        .await
        .unwrap();
    let h = &server.handshakes()[0];
    assert_eq!(h.path, "/openai/realtime");
    assert_eq!(
        h.query.as_deref(),
        Some("api-version=2025-04-01-preview&deployment=gpt-4o-realtime-preview")
    );
    assert_eq!(h.header("authorization"), Some("Bearer token-1"));
    assert_eq!(h.header("api-key"), None);

    let config = RealtimeSessionConfig::new()
        .voice(Voice::Alloy)
        .output_modalities([azure_openai_audio::Modality::Audio])
        .turn_detection(TurnDetection::server_vad());
    session.sender().configure(config).await.unwrap();
    assert_eq!(
        next_json(&mut rx).await,
        json!({"type": "session.update", "session": {
            "modalities": ["audio", "text"], "voice": "alloy", "turn_detection": {"type": "server_vad"}
        }})
    );
}

#[tokio::test]
async fn preview_event_names_arrive_as_the_ga_events() {
    let messages = vec![
        Message::text(
            r#"{"type":"response.audio.delta","response_id":"r","item_id":"i","delta":"AAEC"}"#,
        ),
        Message::text(
            r#"{"type":"response.audio_transcript.delta","response_id":"r","item_id":"i","delta":"Hi"}"#,
        ),
        Message::text(
            r#"{"type":"response.text.done","response_id":"r","item_id":"i","text":"Hi"}"#,
        ),
        Message::text(
            r#"{"type":"conversation.item.created","item":{"id":"i","type":"message","role":"user","content":[]}}"#,
        ),
    ];
    let server = WsServer::start(vec![Plan::Accept(say(messages))]).await;
    let session = client(&server, Credential::api_key("k"))
        .realtime()
        .protocol(RealtimeProtocol::Preview)
        .connect()
        .await
        .unwrap();
    let (_sender, mut receiver) = session.split();
    let mut types = Vec::new();
    for _ in 0..5 {
        types.push(receiver.next_event().await.unwrap().unwrap());
    }
    let RealtimeServerEvent::OutputAudioDelta(audio) = &types[1] else {
        panic!("{:?}", types[1])
    };
    assert_eq!(audio.delta.as_bytes(), [0, 1, 2]);
    let names: Vec<&str> = types.iter().map(|e| e.event_type()).collect();
    assert_eq!(
        names,
        [
            "session.created",
            "response.output_audio.delta",
            "response.output_audio_transcript.delta",
            "response.output_text.done",
            "conversation.item.created"
        ]
    );
}

#[tokio::test]
async fn every_helper_sends_its_event() {
    let (tx, mut rx) = mpsc::unbounded_channel();
    let server = WsServer::start(vec![Plan::Accept(record(tx))]).await;
    let session = client(&server, Credential::api_key("k"))
        .realtime()
        .connect()
        .await
        .unwrap();
    let (sender, mut receiver) = session.split();
    let other_task = sender.clone();

    let config = RealtimeSessionConfig::new()
        .instructions("Be brief.")
        .voice(Voice::Marin)
        .turn_detection(TurnDetection::Disabled)
        .input_transcription("whisper");
    sender.configure(config).await.unwrap();
    assert_eq!(
        next_json(&mut rx).await,
        json!({"type": "session.update", "session": {
            "type": "realtime", "instructions": "Be brief.",
            "audio": {"input": {"turn_detection": null, "transcription": {"model": "whisper"}},
                      "output": {"voice": "marin"}}
        }})
    );

    // 2 full chunks and 4 bytes: three appends, base64 each.
    let pcm: Vec<u8> = (0..azure_openai_audio::realtime::APPEND_CHUNK_BYTES * 2 + 4)
        .map(|i| i as u8)
        .collect();
    tokio::spawn(async move { other_task.append_pcm16(&pcm).await.unwrap() })
        .await
        .unwrap();
    let mut decoded = Vec::new();
    for _ in 0..3 {
        let event = next_json(&mut rx).await;
        assert_eq!(event["type"], "input_audio_buffer.append");
        assert_eq!(event.as_object().unwrap().len(), 2, "{event:?}");
        let audio = event["audio"].as_str().unwrap();
        use base64::Engine as _;
        decoded.push(
            base64::engine::general_purpose::STANDARD
                .decode(audio)
                .unwrap(),
        );
    }
    assert_eq!(
        decoded.iter().map(Vec::len).collect::<Vec<_>>(),
        [48_000, 48_000, 4]
    );
    assert_eq!(decoded[2], [(96_000 % 256) as u8, 1, 2, 3]);

    sender.append_samples(&[1, -2]).await.unwrap();
    assert_eq!(
        next_json(&mut rx).await,
        json!({"type": "input_audio_buffer.append", "audio": "AQD+/w=="})
    );
    let file = std::io::Cursor::new(vec![7u8; 6]);
    assert_eq!(sender.append_pcm16_from(file).await.unwrap(), 6);
    assert_eq!(
        next_json(&mut rx).await,
        json!({"type": "input_audio_buffer.append", "audio": "BwcHBwcH"})
    );

    sender.commit().await.unwrap();
    sender.clear().await.unwrap();
    sender.send_text("Hello?").await.unwrap();
    sender.create_response().await.unwrap();
    sender
        .create_response_with(ResponseConfig::new().instructions("Shout."))
        .await
        .unwrap();
    sender.cancel_response().await.unwrap();
    sender
        .function_output("call_1", r#"{"ok":true}"#)
        .await
        .unwrap();
    sender
        .send(&RealtimeClientEvent::delete_item("item_9").with_event_id("mine"))
        .await
        .unwrap();
    let expected = [
        json!({"type": "input_audio_buffer.commit"}),
        json!({"type": "input_audio_buffer.clear"}),
        json!({"type": "conversation.item.create", "item": {"type": "message", "role": "user",
               "content": [{"type": "input_text", "text": "Hello?"}]}}),
        json!({"type": "response.create"}),
        json!({"type": "response.create", "response": {"instructions": "Shout."}}),
        json!({"type": "response.cancel"}),
        json!({"type": "conversation.item.create", "item": {"type": "function_call_output",
               "call_id": "call_1", "output": "{\"ok\":true}"}}),
        json!({"type": "response.create"}),
        json!({"type": "conversation.item.delete", "event_id": "mine", "item_id": "item_9"}),
    ];
    for want in expected {
        assert_eq!(next_json(&mut rx).await, want);
    }

    // Bad audio is refused before anything is sent.
    let e = sender.append_pcm16(&[1, 2, 3]).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidInput);
    assert!(e.to_string().contains("3 bytes"), "{e}");
    assert_eq!(
        sender.append_samples(&[]).await.unwrap_err().kind(),
        ErrorKind::InvalidInput
    );

    // A normal close: the server sees 1000, the receiver ends without an error.
    sender.close().await.unwrap();
    assert_eq!(rx.recv().await.as_deref(), Some("close:1000"));
    assert!(matches!(
        receiver.next_event().await.unwrap(),
        Some(RealtimeServerEvent::SessionCreated(_))
    ));
    assert!(receiver.next_event().await.unwrap().is_none());
}

#[tokio::test]
async fn unknown_and_malformed_messages_do_not_end_the_session() {
    let messages = vec![
        Message::text(r#"{"type":"brand.new.event","x":1}"#),
        Message::text("not json at all"),
        Message::binary(vec![1u8, 2, 3]),
        Message::text(
            r#"{"type":"error","event_id":"ev_e","error":{"type":"invalid_request_error","code":"invalid_event","message":"bad","event_id":"mine"}}"#,
        ),
        Message::text(r#"{"type":"rate_limits.updated","rate_limits":[]}"#),
    ];
    let server = WsServer::start(vec![Plan::Accept(say(messages))]).await;
    let mut session = client(&server, Credential::api_key("k"))
        .realtime()
        .connect()
        .await
        .unwrap();
    session.next_event().await.unwrap();
    let RealtimeServerEvent::Unknown(unknown) = session.next_event().await.unwrap().unwrap() else {
        panic!("an unknown event")
    };
    assert_eq!(unknown.event_type(), "brand.new.event");
    assert_eq!(unknown.json()["x"], 1);
    let e = session.next_event().await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Decode);
    let e = session.next_event().await.unwrap_err();
    assert_eq!(
        (
            e.kind(),
            e.to_string().contains("binary message of 3 bytes")
        ),
        (ErrorKind::Decode, true)
    );
    let RealtimeServerEvent::Error(error) = session.next_event().await.unwrap().unwrap() else {
        panic!("an error event")
    };
    assert_eq!(error.error.code.as_deref(), Some("invalid_event"));
    assert_eq!(error.error.event_id.as_deref(), Some("mine"));
    let next = session.next_event().await.unwrap().unwrap();
    assert_eq!(next.event_type(), "rate_limits.updated");
}
