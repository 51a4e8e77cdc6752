//! Two turns: the from-audio question about dog.wav (or IN), then a text follow-up that cites the
//! first spoken answer by its audio id.
//!
//! `cargo run --example multi-turn [IN]`

mod common;

use std::process::ExitCode;

use azure_openai_audio::{
    AudioFormat, ChatRequest, ContentPart, Conversation, InputAudio, InputAudioFormat, Voice,
};

#[tokio::main]
async fn main() -> ExitCode {
    let input = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "dog.wav".to_owned());
    let (client, _emulator) = match common::client().await {
        Ok(c) => c,
        Err(e) => return common::fail("multi-turn", &*e),
    };
    let audio = match InputAudio::from_file_as(&input, InputAudioFormat::Wav).await {
        Ok(a) => a,
        Err(e) => return common::fail("multi-turn", &e),
    };

    // Turn 1: text + audio in, text + audio out.
    let mut chat = Conversation::new(ChatRequest::default().audio(Voice::Alloy, AudioFormat::Wav));
    let first = vec![
        ContentPart::text("Describe in detail the spoken audio input."),
        ContentPart::audio(audio),
    ];
    let reply = match chat.ask(&client, first).await {
        Ok(r) => r,
        Err(e) => return common::fail("multi-turn", &e),
    };
    println!("{}", reply.text().unwrap_or_default());

    // Turn 2: the history cites the first answer as {"role":"assistant","audio":{"id":...}}; text out.
    chat.configure(|settings| settings.text_only());
    let reply = match chat
        .ask(&client, "Very concisely summarize the favorability.")
        .await
    {
        Ok(r) => r,
        Err(e) => return common::fail("multi-turn", &e),
    };
    println!("{}", reply.text().unwrap_or_default());
    ExitCode::SUCCESS
}
