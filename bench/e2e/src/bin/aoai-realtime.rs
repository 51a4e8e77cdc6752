//! The Realtime job with async-openai 0.43's event types. async-openai has no Realtime
//! connection (its `realtime` feature only converts its client events into tokio-tungstenite
//! 0.28 messages), so this program opens the socket as the floor does (tokio-tungstenite 0.30)
//! and decodes each message as async-openai's `RealtimeServerEvent`, as its realtime example
//! does: owned `String`s, the audio decoded with `base64` into a new buffer per delta.
//!
//! A message its types cannot decode is counted, said on stderr and skipped (a session goes
//! on); the count is printed as `unparsed N`.
//!
//! Usage: `aoai-realtime SECONDS DELTA_MS` with AZURE_OPENAI_ENDPOINT, AZURE_OPENAI_API_KEY and
//! AZURE_OPENAI_REALTIME_DEPLOYMENT set.

use aoa_e2e_bench::realtime::{Plan, Sink};
use aoa_e2e_bench::realtime_client;
use async_openai::types::realtime::RealtimeServerEvent;
use base64::Engine as _;

fn main() {
    aoa_e2e_bench::realtime::runtime().block_on(session());
}

async fn session() {
    let plan = Plan::from_args();
    let mut ws = realtime_client::connect_and_ask().await;

    let mut sink = Sink::new(plan);
    let mut unparsed = 0u64;
    let mut done = false;
    while let Some(text) = realtime_client::next_text(&mut ws).await {
        match serde_json::from_str::<RealtimeServerEvent>(text.as_str()) {
            Ok(RealtimeServerEvent::ResponseOutputAudioDelta(delta)) => {
                let pcm = base64::engine::general_purpose::STANDARD
                    .decode(&delta.delta)
                    .expect("base64 audio");
                sink.write(&pcm);
            }
            Ok(RealtimeServerEvent::ResponseDone(_)) => {
                done = true;
                break;
            }
            Ok(RealtimeServerEvent::Error(e)) => panic!("an error event: {e:?}"),
            Ok(_) => {}
            Err(e) => {
                unparsed += 1;
                let start: String = text.as_str().chars().take(60).collect();
                eprintln!("async-openai cannot decode {start}...: {e}");
                // Its end is still the end.
                if text.as_str().contains(r#""type":"response.done""#) {
                    done = true;
                    break;
                }
            }
        }
    }
    assert!(done, "the session ended before response.done");
    realtime_client::close(ws).await;
    println!("unparsed {unparsed}");
    sink.finish();
}
