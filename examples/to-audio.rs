//! Text in, speech out: asks "Is a golden retriever a good family dog?" and writes the spoken
//! answer to dog.wav (or the path given), printing its transcript.
//!
//! `cargo run --example to-audio [OUT]`

mod common;

use std::process::ExitCode;

use azure_openai_audio::{AudioFormat, ChatRequest, Message, Voice};

#[tokio::main]
async fn main() -> ExitCode {
    let out = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "dog.wav".to_owned());
    let (client, _emulator) = match common::client().await {
        Ok(c) => c,
        Err(e) => return common::fail("to-audio", &*e),
    };
    let request = ChatRequest::new([Message::user("Is a golden retriever a good family dog?")])
        .audio(Voice::Alloy, AudioFormat::Wav);
    let reply = match client.chat().complete(&request).await {
        Ok(r) => r,
        Err(e) => return common::fail("to-audio", &e),
    };
    let Some(audio) = reply.audio() else {
        eprintln!(
            "to-audio: the reply has no audio (finish reason: {:?})",
            reply.choices.first().and_then(|c| c.finish_reason.as_ref())
        );
        return ExitCode::FAILURE;
    };
    println!("{}", audio.transcript);
    if let Err(e) = common::write(&out, &audio.data) {
        eprintln!("to-audio: {e}");
        return ExitCode::FAILURE;
    }
    eprintln!("wrote {} ({} bytes)", out, audio.data.len());
    ExitCode::SUCCESS
}
