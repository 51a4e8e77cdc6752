//! Realtime (WebSocket): asks "Is a golden retriever a good family dog?" (or the question spoken
//! in IN, a WAV file) and writes the spoken answer to OUT as it arrives, printing its transcript
//! as it arrives.
//!
//! ```text
//! cargo run --example realtime [IN] [OUT]   # default OUT: realtime.wav
//! ```
//!
//! Reads AZURE_OPENAI_ENDPOINT, AZURE_OPENAI_API_KEY (unset: Microsoft Entra ID) and
//! AZURE_OPENAI_REALTIME_DEPLOYMENT (default gpt-realtime). Without AZURE_OPENAI_ENDPOINT it
//! runs on the offline emulator.

mod common;

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use azure_openai_audio::realtime::ResponseStatus;
use futures_util::StreamExt as _;

use azure_openai_audio::{
    Modality, Pcm16Stream, Pcm16WavWriter, RealtimeAudioFormat, RealtimeServerEvent,
    RealtimeSessionConfig, TurnDetection, Voice,
};

const QUESTION: &str = "Is a golden retriever a good family dog?";
const PROGRAM: &str = "realtime";

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let mut args = std::env::args_os().skip(1);
    let input = args.next().map(PathBuf::from);
    let out = args
        .next()
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("realtime.wav"));
    match run(input, &out).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Sdk(e)) => common::fail(PROGRAM, &*e),
        Err(Failure::Said(line)) => {
            eprintln!("{PROGRAM}: {line}");
            ExitCode::FAILURE
        }
    }
}

/// Why the example stopped.
enum Failure {
    /// An error of the SDK (or of the emulator's start), reported with its code and request id.
    Sdk(Box<dyn std::error::Error + Send + Sync>),
    /// A failure said in one line.
    Said(String),
}

impl From<azure_openai_audio::Error> for Failure {
    fn from(e: azure_openai_audio::Error) -> Self {
        Failure::Sdk(Box::new(e))
    }
}

async fn run(input: Option<PathBuf>, out: &PathBuf) -> Result<(), Failure> {
    // A bad input file is found before anything is sent: its header is read (and its first
    // chunk converted) before connecting.
    let audio = match &input {
        Some(path) => Some(open_wav(path).await?),
        None => None,
    };
    let (client, _emulator) = common::client().await.map_err(Failure::Sdk)?;
    let realtime = client.realtime();
    let session = realtime.connect().await?;
    eprintln!("connected to {}", realtime.deployment_name());
    let (sender, mut receiver) = session.split();

    // Spoken answers in pcm16 (24 kHz mono), and no turn detection: this program says when the
    // question is complete (commit) and asks for the answer (response.create).
    let config = RealtimeSessionConfig::new()
        .voice(Voice::Marin)
        .instructions("Answer in one or two short sentences.")
        .output_modalities([Modality::Audio])
        .output_format(RealtimeAudioFormat::pcm16())
        .turn_detection(TurnDetection::Disabled);
    sender.configure(config).await?;
    match audio {
        Some((first, mut rest)) => {
            // Any WAV (rate, channels, sample format) as 24 kHz mono pcm16, a chunk at a time.
            let mut bytes = first.len() as u64;
            sender.append_pcm16(&first).await?;
            while let Some(chunk) = rest.next().await {
                let chunk = chunk?;
                bytes += chunk.len() as u64;
                sender.append_pcm16(&chunk).await?;
            }
            sender.commit().await?;
            eprintln!(
                "sent {:.2} s of audio",
                bytes as f64 / 2.0 / f64::from(azure_openai_audio::realtime::REALTIME_PCM_RATE)
            );
        }
        None => sender.send_text(QUESTION).await?,
    }
    sender.create_response().await?;

    let mut wav = Pcm16WavWriter::create(out)
        .map_err(|e| Failure::Said(format!("cannot write {}: {e}", out.display())))?;
    let cannot_write =
        |e: std::io::Error| Failure::Said(format!("cannot write {}: {e}", out.display()));
    let mut stdout = std::io::stdout();
    let done = loop {
        let Some(event) = receiver.next_event().await? else {
            return Err(Failure::Said("the session ended before the answer".into()));
        };
        match event {
            RealtimeServerEvent::OutputAudioTranscriptDelta(d) => {
                print!("{}", d.delta);
                let _ = stdout.flush();
            }
            RealtimeServerEvent::OutputAudioDelta(d) => {
                wav.write_pcm16(d.delta.as_bytes()).map_err(cannot_write)?;
            }
            RealtimeServerEvent::Error(e) => {
                let code = e.error.code.as_deref().unwrap_or(&e.error.kind);
                return Err(Failure::Said(format!(
                    "the service refused an event: {} [code: {code}]",
                    e.error.message
                )));
            }
            RealtimeServerEvent::ResponseDone(done) => break done.response,
            _ => {}
        }
    };
    println!();
    let seconds = wav.duration_secs();
    wav.finalize().map_err(cannot_write)?;
    sender.close().await?;
    if done.status != Some(ResponseStatus::Completed) {
        return Err(Failure::Said(format!(
            "the response ended {:?}: {}",
            done.status,
            done.status_details.unwrap_or_default()
        )));
    }
    eprintln!("wrote {} ({seconds:.2} s of 24 kHz audio)", out.display());
    Ok(())
}

/// Opens the WAV at `path` as 24 kHz mono pcm16 and converts its first chunk, so that a file that
/// is not a WAV (or one the converter does not read) is named before anything is sent.
async fn open_wav(path: &Path) -> Result<(Vec<u8>, Pcm16Stream<tokio::fs::File>), Failure> {
    let shown = path.display();
    let mut stream = Pcm16Stream::open(path).await.map_err(|e| {
        let why = std::error::Error::source(&e).map_or_else(|| e.to_string(), |s| s.to_string());
        Failure::Said(format!("cannot read {shown}: {why}"))
    })?;
    match stream.next().await {
        Some(Ok(first)) => Ok((first, stream)),
        Some(Err(e)) => Err(Failure::Said(format!("{shown}: {e}"))),
        None => Err(Failure::Said(format!("{shown} has no audio"))),
    }
}
