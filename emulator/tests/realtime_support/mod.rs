//! A raw WebSocket client for the emulator's Realtime endpoint (tokio-tungstenite, plain ws://
//! on loopback), as a client in another language would talk to it.
#![allow(dead_code)] // each test file uses some of them

use azure_openai_audio_emulator::Emulator;
use base64::Engine as _;
use futures_util::{SinkExt as _, StreamExt as _};
use serde_json::{json, Value};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest as _;
use tokio_tungstenite::tungstenite::http::{HeaderValue, Response};
use tokio_tungstenite::tungstenite::{Error, Message};
use tokio_tungstenite::{connect_async, MaybeTlsStream, WebSocketStream};

pub type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// The GA route for `deployment`.
pub fn ga_path(deployment: &str) -> String {
    format!("/openai/v1/realtime?model={deployment}")
}

/// The preview route for `deployment`.
pub fn preview_path(deployment: &str) -> String {
    format!("/openai/realtime?api-version=2025-04-01-preview&deployment={deployment}")
}

/// Connects to `path` with the given headers.
pub async fn connect_with(
    emulator: &Emulator,
    path: &str,
    headers: &[(&'static str, &str)],
) -> Result<(Ws, Response<Option<Vec<u8>>>), Error> {
    let url = format!("{}{path}", emulator.endpoint().replace("http://", "ws://"));
    let mut request = url.into_client_request()?;
    for (name, value) in headers {
        request
            .headers_mut()
            .insert(*name, HeaderValue::from_str(value).unwrap());
    }
    connect_async(request).await
}

/// Connects to `path` with the emulator's key; returns the socket and `session.created`.
pub async fn connect(emulator: &Emulator, path: &str) -> (Ws, Value) {
    let (mut ws, response) = connect_with(emulator, path, &[("api-key", emulator.api_key())])
        .await
        .unwrap();
    assert_eq!(response.status(), 101);
    let created = recv(&mut ws).await;
    assert_eq!(created["type"], "session.created", "{created}");
    (ws, created)
}

/// A GA session on `gpt-realtime`, and its `session.created`.
pub async fn ga(emulator: &Emulator) -> (Ws, Value) {
    connect(emulator, &ga_path("gpt-realtime")).await
}

/// The status, `apim-request-id` and JSON body of a refused handshake.
pub fn refusal(e: Error) -> (u16, String, Value) {
    let Error::Http(response) = e else {
        panic!("not an HTTP refusal: {e:?}");
    };
    let id = response
        .headers()
        .get("apim-request-id")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let body = response.body().clone().unwrap_or_default();
    (
        response.status().as_u16(),
        id,
        serde_json::from_slice(&body).unwrap_or(Value::Null),
    )
}

pub async fn send(ws: &mut Ws, event: Value) {
    ws.send(Message::text(event.to_string())).await.unwrap();
}

/// The next event (pongs skipped).
pub async fn recv(ws: &mut Ws) -> Value {
    loop {
        match ws.next().await {
            Some(Ok(Message::Text(t))) => return serde_json::from_str(t.as_str()).unwrap(),
            Some(Ok(Message::Pong(_))) => continue,
            other => panic!("expected an event, got {other:?}"),
        }
    }
}

/// Events up to and including the first of type `last`.
pub async fn until(ws: &mut Ws, last: &str) -> Vec<Value> {
    let mut events = Vec::new();
    loop {
        let e = recv(ws).await;
        let done = e["type"] == last;
        events.push(e);
        if done {
            return events;
        }
    }
}

/// The types of `events`, with the deltas of a kind collapsed into one `name xN`-free entry.
pub fn types(events: &[Value]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for e in events {
        let t = e["type"].as_str().unwrap().to_owned();
        if t.ends_with(".delta") && out.contains(&t) {
            continue;
        }
        out.push(t);
    }
    out
}

pub fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

pub fn unb64(text: &Value) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD
        .decode(text.as_str().unwrap())
        .unwrap()
}

/// A user text item.
pub fn user_text(text: &str) -> Value {
    json!({"type": "conversation.item.create", "item": {"type": "message", "role": "user",
        "content": [{"type": "input_text", "text": text}]}})
}

/// `ms` milliseconds of silence, as pcm16 bytes.
pub fn silence(ms: usize) -> Vec<u8> {
    vec![0; ms * 48]
}

/// Speech for `text` from the emulator's own speech route (24 kHz pcm16 carrying the text).
pub async fn speech(emulator: &Emulator, text: &str) -> Vec<u8> {
    let response = reqwest::Client::new()
        .post(format!("{}/openai/v1/audio/speech", emulator.endpoint()))
        .header("api-key", emulator.api_key())
        .header("content-type", "application/json")
        .body(json!({"model": "gpt-4o-mini-tts", "input": text, "voice": "alloy", "response_format": "pcm"}).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    response.bytes().await.unwrap().to_vec()
}

/// Appends `pcm` in 100 ms chunks.
pub async fn append(ws: &mut Ws, pcm: &[u8]) {
    for chunk in pcm.chunks(4800) {
        send(
            ws,
            json!({"type": "input_audio_buffer.append", "audio": b64(chunk)}),
        )
        .await;
    }
}

/// Queues a fault over the admin route, as a test in any language would.
pub async fn queue_fault(emulator: &Emulator, fault: Value) {
    let queued = reqwest::Client::new()
        .post(format!("{}/_emulator/faults", emulator.endpoint()))
        .header("api-key", emulator.api_key())
        .body(fault.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(queued.status(), 200);
}

/// Asks for a response; returns its events up to `rate_limits.updated`.
pub async fn respond(ws: &mut Ws) -> Vec<Value> {
    send(ws, json!({"type": "response.create"})).await;
    until(ws, "rate_limits.updated").await
}
