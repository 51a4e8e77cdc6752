//! Prints the transcript of an audio file.
//!
//! ```text
//! cargo run --example transcribe [IN] [--format srt|vtt|verbose_json|text|json] [--stream]
//! ```
//!
//! Without IN, first speaks "The quick brown fox jumped over the lazy dog." into speech.wav with
//! the speech API, then transcribes that. `--format` prints the reply in that format instead of
//! the text (`verbose_json` as JSON); `--stream` prints the text as it is recognised (gpt-4o
//! transcribe models, not whisper).
//!
//! Reads AZURE_OPENAI_ENDPOINT, AZURE_OPENAI_API_KEY (unset: Microsoft Entra ID),
//! OPENAI_API_VERSION and AZURE_OPENAI_TRANSCRIBE_DEPLOYMENT (default gpt-4o-mini-transcribe).
//! Without AZURE_OPENAI_ENDPOINT it runs on the offline emulator.

mod common;

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use azure_openai_audio::{AudioSource, Transcript, TranscriptionFormat, TranscriptionRequest};
use azure_openai_audio_emulator::BoxError;
use futures_util::StreamExt;

use common::spoken;

/// What the command line asks for.
struct Args {
    input: Option<PathBuf>,
    format: Option<TranscriptionFormat>,
    stream: bool,
}

fn args() -> Result<Args, BoxError> {
    let mut args = Args {
        input: None,
        format: None,
        stream: false,
    };
    let mut it = std::env::args_os().skip(1);
    while let Some(arg) = it.next() {
        match arg.to_str() {
            Some("--stream") => args.stream = true,
            Some("--format") => {
                let format = it.next().and_then(|f| f.into_string().ok());
                args.format = match format.as_deref() {
                    Some(f @ ("srt" | "vtt" | "verbose_json" | "text" | "json")) => {
                        Some(TranscriptionFormat::from(f))
                    }
                    other => {
                        return Err(format!(
                            "--format takes srt, vtt, verbose_json, text or json, not {}",
                            other.unwrap_or("nothing")
                        )
                        .into())
                    }
                };
            }
            Some(flag) if flag.starts_with("--") => {
                return Err(format!("unknown option {flag}").into())
            }
            _ if args.input.is_none() => args.input = Some(PathBuf::from(arg)),
            _ => return Err("give at most one input file".into()),
        }
    }
    if args.stream && args.format.is_some() {
        return Err("--stream prints text: it takes no --format".into());
    }
    Ok(args)
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => common::fail("transcribe", &*e),
    }
}

async fn run() -> Result<(), BoxError> {
    let args = args()?;
    let (client, _emulator) = common::client().await?;
    let input = spoken::input_or_spoken(args.input, &client).await?;
    let audio = AudioSource::from_file(&input).await?;
    let mut request = TranscriptionRequest::new();
    if let Some(format) = args.format {
        request = request.response_format(format);
    }
    if args.stream {
        let mut stream = client.transcriptions().stream(&audio, &request).await?;
        let mut stdout = std::io::stdout();
        while let Some(event) = stream.next().await {
            if let Some(text) = event?.delta() {
                write!(stdout, "{text}")?;
                stdout.flush()?;
            }
        }
        writeln!(stdout)?;
        return Ok(());
    }
    let transcript = client.transcriptions().create(&audio, &request).await?;
    match &transcript {
        Transcript::Subtitles(subtitles) => print!("{}", subtitles.text),
        Transcript::Json(t) if request.response_format_ref().is_some() => {
            println!("{}", serde_json::to_string_pretty(t)?)
        }
        Transcript::Text { .. } => print!("{}", transcript.text()),
        _ => println!("{}", transcript.text()),
    }
    Ok(())
}
