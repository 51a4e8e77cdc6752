//! The Realtime job's floor: the least work the job needs, written by hand with tokio-tungstenite
//! and serde_json as a careful engineer would write it for this one job.
//!
//! Each message is read as a borrowed struct (the `type` and the `delta`, borrowed from the
//! message's text; every other field skipped), and an audio delta's base64 is decoded into one
//! buffer reused for the whole session, then written to the job's [`Sink`]. No reader task, no
//! channel, no typed events: the loop that reads the socket decodes the audio.
//!
//! Usage: `floor-realtime SECONDS DELTA_MS` with AZURE_OPENAI_ENDPOINT, AZURE_OPENAI_API_KEY and
//! AZURE_OPENAI_REALTIME_DEPLOYMENT set.

use std::borrow::Cow;

use aoa_e2e_bench::realtime::{Plan, Sink};
use base64::Engine as _;
use futures_util::{SinkExt, StreamExt};
use serde::Deserialize;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::Message;

/// What the loop needs of an event; the rest is skipped, not kept.
#[derive(Deserialize)]
struct Event<'a> {
    #[serde(rename = "type", borrow)]
    kind: Cow<'a, str>,
    /// Base64 has no escapes, so an audio delta is always borrowed.
    #[serde(default, borrow)]
    delta: Option<Cow<'a, str>>,
}

fn main() {
    aoa_e2e_bench::realtime::runtime().block_on(session());
}

async fn session() {
    let plan = Plan::from_args();
    let (endpoint, key) = aoa_e2e_bench::endpoint_and_key();
    let deployment = std::env::var("AZURE_OPENAI_REALTIME_DEPLOYMENT")
        .expect("AZURE_OPENAI_REALTIME_DEPLOYMENT");
    let url = format!(
        "{}/openai/v1/realtime?model={deployment}",
        endpoint.replacen("http", "ws", 1)
    );
    let mut request = url.into_client_request().expect("request");
    request
        .headers_mut()
        .insert("api-key", HeaderValue::from_str(&key).expect("key"));
    let (mut ws, _) = tokio_tungstenite::connect_async(request)
        .await
        .expect("connect");
    ws.send(Message::text(r#"{"type":"response.create"}"#))
        .await
        .expect("send response.create");

    let engine = base64::engine::general_purpose::STANDARD;
    let mut sink = Sink::new(plan);
    let mut pcm = Vec::new();
    let mut done = false;
    while let Some(message) = ws.next().await {
        let text = match message.expect("read") {
            Message::Text(text) => text,
            Message::Close(frame) => panic!("the server closed the session: {frame:?}"),
            _ => continue,
        };
        let event: Event = serde_json::from_str(text.as_str()).expect("an event");
        match &*event.kind {
            "response.output_audio.delta" => {
                let delta = event.delta.unwrap_or_default();
                let need = base64::decoded_len_estimate(delta.len());
                if pcm.len() < need {
                    pcm.resize(need, 0);
                }
                let n = engine
                    .decode_slice(delta.as_bytes(), &mut pcm)
                    .expect("base64 audio");
                sink.write(&pcm[..n]);
            }
            "response.done" => {
                done = true;
                break;
            }
            "error" => panic!("an error event: {}", text.as_str()),
            _ => {}
        }
    }
    assert!(done, "the session ended before response.done");
    ws.close(None).await.expect("close");
    while let Some(Ok(_)) = ws.next().await {}
    sink.finish();
}
