//! Prints the English translation of the speech in an audio file.
//!
//! ```text
//! cargo run --example translate [IN]
//! ```
//!
//! Without IN, first speaks "The quick brown fox jumped over the lazy dog." into speech.wav with
//! the speech API, then translates that.
//!
//! Reads AZURE_OPENAI_ENDPOINT, AZURE_OPENAI_API_KEY (unset: Microsoft Entra ID),
//! OPENAI_API_VERSION and AZURE_OPENAI_TRANSLATE_DEPLOYMENT (default whisper). Without
//! AZURE_OPENAI_ENDPOINT it runs on the offline emulator.

mod common;

use std::path::PathBuf;
use std::process::ExitCode;

use azure_openai_audio::{AudioSource, TranslationRequest};
use azure_openai_audio_emulator::BoxError;

use common::spoken;

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => common::fail("translate", &*e),
    }
}

async fn run() -> Result<(), BoxError> {
    let input = std::env::args_os().nth(1).map(PathBuf::from);
    let (client, _emulator) = common::client().await?;
    let input = spoken::input_or_spoken(input, &client).await?;
    let audio = AudioSource::from_file(&input).await?;
    let english = client
        .translations()
        .create(&audio, &TranslationRequest::new())
        .await?;
    println!("{}", english.text());
    Ok(())
}
