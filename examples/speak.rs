//! Text to speech: speaks TEXT into OUT, in the format OUT's extension names (mp3, opus, aac,
//! flac, wav, pcm), writing the audio to the file as it arrives.
//!
//! ```text
//! cargo run --example speak [TEXT] [OUT]   # defaults: the quick brown fox, speech.wav
//! ```
//!
//! Reads AZURE_OPENAI_ENDPOINT, AZURE_OPENAI_API_KEY (unset: Microsoft Entra ID),
//! AZURE_OPENAI_TTS_DEPLOYMENT (default gpt-4o-mini-tts) and OPENAI_API_VERSION. Without
//! AZURE_OPENAI_ENDPOINT it runs on the offline emulator.

mod common;

use std::path::PathBuf;
use std::process::ExitCode;

use azure_openai_audio::{SpeechFormat, SpeechRequest, Voice};

const TEXT: &str = "The quick brown fox jumped over the lazy dog.";

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let mut args = std::env::args_os().skip(1);
    let text = match args.next().map(|a| a.into_string()) {
        None => TEXT.to_owned(),
        Some(Ok(text)) => text,
        Some(Err(_)) => {
            eprintln!("speak: TEXT is not valid unicode");
            return ExitCode::FAILURE;
        }
    };
    let out = args
        .next()
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("speech.wav"));
    let Some(format) = SpeechFormat::from_path(&out) else {
        eprintln!(
            "speak: cannot tell the audio format from {}: name it .mp3, .opus, .aac, .flac, .wav or .pcm",
            out.display()
        );
        return ExitCode::FAILURE;
    };

    let (client, _emulator) = match common::client().await {
        Ok(c) => c,
        Err(e) => return common::fail("speak", &*e),
    };
    let request = SpeechRequest::new(text, Voice::Alloy).response_format(format.clone());
    match client.speech().to_file(&request, &out).await {
        Ok(bytes) => {
            eprintln!("wrote {} ({bytes} bytes of {format})", out.display());
            ExitCode::SUCCESS
        }
        Err(e) => common::fail("speak", &e),
    }
}
