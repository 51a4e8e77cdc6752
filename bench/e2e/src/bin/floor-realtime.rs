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
use aoa_e2e_bench::realtime_client;
use base64::Engine as _;
use serde::Deserialize;

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
    let mut ws = realtime_client::connect_and_ask().await;

    let engine = base64::engine::general_purpose::STANDARD;
    let mut sink = Sink::new(plan);
    let mut pcm = Vec::new();
    let mut done = false;
    while let Some(text) = realtime_client::next_text(&mut ws).await {
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
    realtime_client::close(ws).await;
    sink.finish();
}
