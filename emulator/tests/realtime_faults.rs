//! Faults on the Realtime endpoint, with a raw WebSocket client: refused handshakes (401, 429,
//! 500, a dropped connection), a socket dropped mid-response without a close frame, a session
//! closed with 1001 at its maximum duration; queued from Rust or over the admin route.

mod realtime_support;

use std::time::Duration;

use azure_openai_audio_emulator::{Emulator, Fault};
use futures_util::StreamExt as _;
use realtime_support::*;
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::error::ProtocolError;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::{Error, Message};

async fn handshake(emulator: &Emulator) -> Result<Ws, Error> {
    let path = ga_path("gpt-realtime");
    let key = [("api-key", emulator.api_key())];
    connect_with(emulator, &path, &key).await.map(|(ws, _)| ws)
}

#[tokio::test]
async fn handshakes_are_refused_by_the_queued_faults_in_order() {
    let emulator = Emulator::builder()
        .fault(Fault::Unauthorized, 1)
        .fault(Fault::rate_limit(Duration::from_millis(1500)), 1)
        .fault(Fault::ServerError, 1)
        .fault(Fault::Disconnect, 1)
        .start()
        .await
        .unwrap();
    let (status, id, body) = refusal(handshake(&emulator).await.unwrap_err());
    assert_eq!((status, id.len()), (401, 36));
    assert_eq!(body["error"]["code"], "401");

    let Err(Error::Http(response)) = handshake(&emulator).await else {
        panic!("a 429 was queued");
    };
    assert_eq!(response.status(), 429);
    assert_eq!(response.headers()["retry-after"], "2");
    assert_eq!(response.headers()["retry-after-ms"], "1500");
    let body: Value = serde_json::from_slice(response.body().as_deref().unwrap()).unwrap();
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("Please retry after 2 seconds"),
        "{body}"
    );

    assert_eq!(refusal(handshake(&emulator).await.unwrap_err()).0, 500);
    match handshake(&emulator).await {
        Err(Error::Http(r)) => panic!("the connection should drop, got {}", r.status()),
        Err(_) => {}
        Ok(_) => panic!("the connection should drop"),
    }
    assert_eq!(emulator.pending_faults(), 0);
    assert!(handshake(&emulator).await.is_ok(), "the faults ran out");
}

#[tokio::test]
async fn unauthorized_refuses_an_http_request_too() {
    let emulator = Emulator::start().await.unwrap();
    emulator.inject(Fault::Unauthorized, 1);
    let response = reqwest::Client::new()
        .post(format!("{}/openai/v1/audio/speech", emulator.endpoint()))
        .header("api-key", emulator.api_key())
        .body(json!({"model": "tts", "input": "x", "voice": "alloy"}).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
}

/// Events (a close frame as `{"close": code, "reason": ...}`) until the socket ends; the error
/// it ended with.
async fn read_to_the_end(ws: &mut Ws) -> (Vec<Value>, Option<Error>) {
    let mut events = Vec::new();
    loop {
        match ws.next().await {
            Some(Ok(Message::Text(t))) => events.push(serde_json::from_str(t.as_str()).unwrap()),
            Some(Ok(Message::Close(Some(f)))) => {
                events.push(json!({"close": u16::from(f.code), "reason": f.reason.as_str()}))
            }
            Some(Ok(other)) => panic!("unexpected {other:?}"),
            Some(Err(e)) => return (events, Some(e)),
            None => return (events, None),
        }
    }
}

#[tokio::test]
async fn the_socket_drops_mid_response_without_a_close_frame() {
    let emulator = Emulator::start().await.unwrap();
    queue_fault(
        &emulator,
        json!({"fault": "drop_mid_response", "after_deltas": 2}),
    )
    .await;
    // An HTTP request passes a Realtime-only fault by.
    let speech = speech(&emulator, "Hi").await;
    assert!(!speech.is_empty());
    assert_eq!(emulator.pending_faults(), 1);

    let (mut ws, _) = ga(&emulator).await;
    assert_eq!(emulator.pending_faults(), 0);
    send(&mut ws, user_text("Tell me a long story about dogs.")).await;
    until(&mut ws, "conversation.item.done").await;
    send(&mut ws, json!({"type": "response.create"})).await;
    let (events, error) = read_to_the_end(&mut ws).await;
    let deltas = events
        .iter()
        .filter(|e| e["type"].as_str().unwrap().ends_with(".delta"))
        .count();
    assert_eq!(deltas, 2, "{events:?}");
    assert!(!events.iter().any(|e| e["type"] == "response.done"));
    assert!(
        matches!(
            error,
            Some(Error::Protocol(ProtocolError::ResetWithoutClosingHandshake))
        ),
        "no close frame: {error:?}"
    );
    // The next session is served normally.
    let (mut ws, _) = ga(&emulator).await;
    send(&mut ws, user_text("Hi")).await;
    send(&mut ws, json!({"type": "response.create"})).await;
    until(&mut ws, "response.done").await;
}

#[tokio::test(start_paused = true)]
async fn a_session_closes_with_1001_at_its_maximum_duration() {
    let emulator = Emulator::builder()
        .fault(
            Fault::SessionLimit {
                after: Duration::from_secs(30 * 60),
            },
            1,
        )
        .start()
        .await
        .unwrap();
    let started = tokio::time::Instant::now();
    let (mut ws, _) = ga(&emulator).await;
    let error = recv(&mut ws).await;
    assert_eq!(error["type"], "error");
    assert_eq!(error["error"]["code"], "session_expired");
    let close = ws.next().await;
    let Some(Ok(Message::Close(Some(frame)))) = close else {
        panic!("expected a close frame, got {close:?}");
    };
    assert_eq!(frame.code, CloseCode::Away);
    assert_eq!(u16::from(frame.code), 1001);
    assert_eq!(
        frame.reason.as_str(),
        "Your session hit the maximum duration of 30 minutes."
    );
    assert!(started.elapsed() >= Duration::from_secs(30 * 60));
    // The fault was for that session only.
    let (mut ws, _) = ga(&emulator).await;
    send(
        &mut ws,
        json!({"type": "session.update", "session": {"type": "realtime"}}),
    )
    .await;
    assert_eq!(recv(&mut ws).await["type"], "session.updated");
}

#[tokio::test(start_paused = true)]
async fn the_session_limit_is_queued_over_the_admin_route_too() {
    let emulator = Emulator::start().await.unwrap();
    queue_fault(
        &emulator,
        json!({"fault": "session_limit", "after_ms": 90_000}),
    )
    .await;
    let (mut ws, _) = ga(&emulator).await;
    let started = tokio::time::Instant::now();
    let (events, error) = read_to_the_end(&mut ws).await;
    assert_eq!(
        events.len(),
        2,
        "the error event, then the close frame: {events:?}"
    );
    assert_eq!(
        events[0]["error"]["message"],
        "Your session hit the maximum duration of 90 seconds."
    );
    assert_eq!(
        events[1],
        json!({"close": 1001, "reason": "Your session hit the maximum duration of 90 seconds."})
    );
    assert!(error.is_none(), "a clean close: {error:?}");
    assert_eq!(started.elapsed().as_secs(), 90);
}
