//! Streams a spoken answer: prints the transcript as it arrives and writes the audio to a WAV file
//! (24 kHz, mono, 16-bit) while it is generated.
//!
//! ```text
//! cargo run --example stream-audio [OUT]      # OUT defaults to stream.wav
//! ```
//!
//! Reads AZURE_OPENAI_ENDPOINT, AZURE_OPENAI_API_KEY (unset: Microsoft Entra ID),
//! AZURE_OPENAI_DEPLOYMENT_NAME and OPENAI_API_VERSION.

mod common;

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use azure_openai_audio::{AudioFormat, ChatRequest, Message, Pcm16WavWriter, Voice};
use azure_openai_audio_emulator::BoxError;
use futures_util::StreamExt;

enum Failure {
    /// The client could not be made (or the emulator started), or the service failed.
    Service(BoxError),
    File(PathBuf, std::io::Error),
}

impl From<azure_openai_audio::Error> for Failure {
    fn from(e: azure_openai_audio::Error) -> Self {
        Failure::Service(Box::new(e))
    }
}

impl From<BoxError> for Failure {
    fn from(e: BoxError) -> Self {
        Failure::Service(e)
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let out = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("stream.wav"));
    match run(out).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Service(e)) => common::fail("stream-audio", &*e),
        Err(Failure::File(path, e)) => {
            eprintln!("stream-audio: cannot write {}: {e}", path.display());
            ExitCode::FAILURE
        }
    }
}

async fn run(out: PathBuf) -> Result<(), Failure> {
    let (client, _emulator) = common::client().await?;
    let request = ChatRequest::new([Message::user("Is a golden retriever a good family dog?")])
        .audio(Voice::Alloy, AudioFormat::Pcm16);
    let mut stream = client.chat().stream(&request).await?;

    let file_error = |e| Failure::File(out.clone(), e);
    let mut wav = Pcm16WavWriter::create(&out).map_err(file_error)?;
    let mut reply = stream.accumulator();
    let mut stdout = std::io::stdout();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk?;
        if let Some(text) = chunk.transcript_delta().or(chunk.content_delta()) {
            print!("{text}");
            let _ = stdout.flush();
        }
        if let Some(pcm) = chunk.audio_delta() {
            wav.write_pcm16(pcm).map_err(file_error)?;
            // The file is a valid WAV of everything so far: a player can open it now.
            wav.flush().map_err(file_error)?;
        }
        reply.push(&chunk);
    }
    println!();
    let seconds = wav.duration_secs();
    wav.finalize().map_err(file_error)?;

    let reply = reply.into_completion();
    println!("wrote {} ({seconds:.2} s of audio)", out.display());
    if let Some(audio) = reply.audio() {
        match audio.expires_at {
            Some(t) => println!("audio id: {} (citable until Unix time {t})", audio.id),
            None => println!("audio id: {}", audio.id),
        }
    }
    if let Some(usage) = &reply.usage {
        println!(
            "tokens: {} prompt, {} completion",
            usage.prompt_tokens, usage.completion_tokens
        );
    }
    Ok(())
}
