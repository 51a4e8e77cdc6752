//! The bench's Realtime server, over real sockets: it refuses a handshake without the bench's key
//! or on another route, and streams the plan's exact audio in deltas between `response.created`
//! and `response.done`.

use aoa_e2e_bench::realtime::{Plan, Tally, DEPLOYMENT, KEY};
use aoa_e2e_bench::realtime_server;
use base64::Engine as _;
use futures_util::{SinkExt, StreamExt};
use serde_json::Value;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::{self, Message};

const PLAN: Plan = Plan {
    seconds: 2,
    delta_ms: 300,
};

async fn connect(
    endpoint: &str,
    path_and_query: &str,
    key: Option<&str>,
) -> Result<
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>,
    tungstenite::Error,
> {
    let url = format!("{}{path_and_query}", endpoint.replacen("http", "ws", 1));
    let mut request = url.into_client_request().unwrap();
    if let Some(key) = key {
        request
            .headers_mut()
            .insert("api-key", HeaderValue::from_str(key).unwrap());
    }
    tokio_tungstenite::connect_async(request)
        .await
        .map(|(ws, _)| ws)
}

fn status(e: tungstenite::Error) -> u16 {
    match e {
        tungstenite::Error::Http(response) => response.status().as_u16(),
        other => panic!("not an HTTP refusal: {other}"),
    }
}

#[tokio::test]
async fn refuses_a_wrong_key_a_missing_key_and_another_route() {
    let server = realtime_server::start(PLAN);
    let route = format!("/openai/v1/realtime?model={DEPLOYMENT}");
    let wrong = connect(&server.endpoint, &route, Some("nope"))
        .await
        .err()
        .unwrap();
    assert_eq!(status(wrong), 401);
    let missing = connect(&server.endpoint, &route, None).await.err().unwrap();
    assert_eq!(status(missing), 401);
    let preview = "/openai/realtime?api-version=2024-10-01-preview&deployment=gpt-realtime";
    let other = connect(&server.endpoint, preview, Some(KEY))
        .await
        .err()
        .unwrap();
    assert_eq!(status(other), 404);
    let versioned = format!("{route}&api-version=2025-08-28");
    let versioned = connect(&server.endpoint, &versioned, Some(KEY))
        .await
        .err()
        .unwrap();
    assert_eq!(status(versioned), 401);
}

#[tokio::test]
async fn streams_the_plans_exact_audio_between_created_and_done() {
    let server = realtime_server::start(PLAN);
    let route = format!("/openai/v1/realtime?model={DEPLOYMENT}");
    let mut ws = connect(&server.endpoint, &route, Some(KEY)).await.unwrap();
    ws.send(Message::text(r#"{"type":"response.create"}"#))
        .await
        .unwrap();
    let mut types = Vec::new();
    let mut tally = Tally::default();
    let mut ids = std::collections::HashSet::new();
    while let Some(message) = ws.next().await {
        let Message::Text(text) = message.unwrap() else {
            continue;
        };
        let event: Value = serde_json::from_str(text.as_str()).unwrap();
        let kind = event["type"].as_str().unwrap().to_owned();
        assert!(ids.insert(event["event_id"].as_str().unwrap().to_owned()));
        if kind == "response.output_audio.delta" {
            assert!(event["item_id"].as_str().unwrap().starts_with("item_"));
            assert!(event["response_id"].as_str().unwrap().starts_with("resp_"));
            let b64 = event["delta"].as_str().unwrap();
            tally.add(
                &base64::engine::general_purpose::STANDARD
                    .decode(b64)
                    .unwrap(),
            );
        }
        let done = kind == "rate_limits.updated";
        types.push(kind);
        if done {
            break;
        }
    }
    assert_eq!(tally, PLAN.expected());
    assert_eq!(tally.bytes, 2 * 24_000 * 2);
    let audio = types
        .iter()
        .filter(|t| *t == "response.output_audio.delta")
        .count();
    assert_eq!(audio, 7, "2 s in 300 ms deltas, the last one shorter");
    assert_eq!(types[0], "session.created");
    assert_eq!(types[1], "response.created");
    assert_eq!(types[types.len() - 2], "response.done");
    assert!(types
        .iter()
        .any(|t| t == "response.output_audio_transcript.delta"));
    ws.close(None).await.unwrap();
    while let Some(Ok(_)) = ws.next().await {}
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    loop {
        let log = server.sessions.lock().unwrap()[0].clone();
        if log.finished {
            assert_eq!(log.problem, None);
            assert!(log.done);
            assert_eq!(log.audio_bytes, tally.bytes);
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the session never finished"
        );
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
}
