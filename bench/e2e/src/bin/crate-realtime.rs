//! The Realtime job run by azure-openai-audio, as its documentation shows a session: a client
//! from the environment, `client.realtime().connect()`, the session split, `create_response()`,
//! then every event from the receiver until `response.done`, each audio delta's decoded bytes
//! written to the job's [`Sink`].
//!
//! Usage: `crate-realtime SECONDS DELTA_MS` with AZURE_OPENAI_ENDPOINT, AZURE_OPENAI_API_KEY and
//! AZURE_OPENAI_REALTIME_DEPLOYMENT set.

use aoa_e2e_bench::realtime::{Plan, Sink};
use azure_openai_audio::{Client, RealtimeServerEvent};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    aoa_e2e_bench::realtime::runtime().block_on(session())
}

async fn session() -> Result<(), Box<dyn std::error::Error>> {
    let plan = Plan::from_args();
    let client = Client::from_env()?;
    let session = client.realtime().connect().await?;
    let (sender, mut receiver) = session.split();
    sender.create_response().await?;

    let mut sink = Sink::new(plan);
    let mut done = false;
    while let Some(event) = receiver.next_event().await? {
        match event {
            RealtimeServerEvent::OutputAudioDelta(delta) => sink.write(delta.delta.as_bytes()),
            RealtimeServerEvent::ResponseDone(_) => {
                done = true;
                break;
            }
            RealtimeServerEvent::Error(e) => return Err(format!("an error event: {e:?}").into()),
            _ => {}
        }
    }
    if !done {
        return Err("the session ended before response.done".into());
    }
    sender.close().await?;
    while receiver.next_event().await?.is_some() {}
    sink.finish();
    Ok(())
}
