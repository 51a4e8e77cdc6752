//! Audio in, text and speech out: sends dog.wav (or IN) with "Describe in detail the spoken
//! audio input.", prints the transcript of the spoken answer and writes it to analysis.wav (or OUT).
//!
//! `cargo run --example from-audio [IN] [OUT]`
//!
//! The input file is streamed into the request body, never held as a base64 string.

mod common;

use std::process::ExitCode;

use azure_openai_audio::{
    AudioFormat, ChatRequest, ContentPart, InputAudio, InputAudioFormat, Message, Voice,
};

#[tokio::main]
async fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let input = args.next().unwrap_or_else(|| "dog.wav".to_owned());
    let out = args.next().unwrap_or_else(|| "analysis.wav".to_owned());
    let (client, _emulator) = match common::client().await {
        Ok(c) => c,
        Err(e) => return common::fail("from-audio", &*e),
    };
    let audio = match InputAudio::from_file_as(&input, InputAudioFormat::Wav).await {
        Ok(a) => a,
        Err(e) => return common::fail("from-audio", &e),
    };
    let request = ChatRequest::new([Message::user(vec![
        ContentPart::text("Describe in detail the spoken audio input."),
        ContentPart::audio(audio),
    ])])
    .audio(Voice::Alloy, AudioFormat::Wav);
    let reply = match client.chat().complete(&request).await {
        Ok(r) => r,
        Err(e) => return common::fail("from-audio", &e),
    };
    let Some(audio) = reply.audio() else {
        println!("{}", reply.text().unwrap_or_default());
        eprintln!("from-audio: the reply has no audio");
        return ExitCode::FAILURE;
    };
    println!("{}", audio.transcript);
    if let Err(e) = common::write(&out, &audio.data) {
        eprintln!("from-audio: {e}");
        return ExitCode::FAILURE;
    }
    eprintln!("wrote {} ({} bytes)", out, audio.data.len());
    ExitCode::SUCCESS
}
