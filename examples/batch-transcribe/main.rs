//! Transcribes every audio file of a directory over a pool of deployments, writing subtitles.
//!
//! ```text
//! cargo run --example batch-transcribe -- DIR [--jobs N] [--demo N] [--quotas A,B,C]
//! ```
//!
//! Each audio file of DIR (wav, mp3, m4a, flac, ogg, webm) is transcribed as `verbose_json`, N at
//! a time (`--jobs`, default 4), and `NAME.srt` (a cue per segment) and `NAME.json` (the reply)
//! are written beside it, each whole or not at all. A file whose `.srt` exists is skipped, so a
//! stopped run goes on where it was. A progress bar on stderr shows the files done, the rate and
//! the backends cooling down; at the end, one line per backend (requests, 429s, failures).
//!
//! The backends: `AZURE_OPENAI_BACKENDS`, whitespace-separated `ENDPOINT|DEPLOYMENT[|PRIORITY]`
//! (all with `AZURE_OPENAI_API_KEY`, or else Entra ID, which works across resources); else
//! `AZURE_OPENAI_ENDPOINT` with `AZURE_OPENAI_TRANSCRIBE_DEPLOYMENT` (default `whisper`: the
//! subtitles need `verbose_json`'s segments, which whisper sends and the gpt-4o transcribe models
//! do not); else offline emulators, one per quota of `--quotas` (default 3, 6 and 12 requests a
//! minute), to show the spill-over from one to the next.
//!
//! `--demo N` first speaks N short texts into `DIR/demo-01.wav`... with the speech API (the
//! offline emulator's speech transcribes back to its text), to try it with no audio at hand.

mod backends;
#[allow(dead_code)] // the client of the other examples: this one builds its own
#[path = "../common/mod.rs"]
mod common;
mod files;
mod progress;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use azure_openai_audio::{
    AudioSource, Client, Transcript, TranscriptionFormat, TranscriptionRequest,
};
use azure_openai_audio_emulator::BoxError;
use futures_util::StreamExt;

use progress::Progress;

/// Files transcribed at once unless `--jobs` says otherwise.
const DEFAULT_JOBS: usize = 4;

/// What the command line asks for.
struct Args {
    dir: PathBuf,
    jobs: usize,
    demo: usize,
    quotas: Vec<u32>,
}

fn number<T: std::str::FromStr>(flag: &str, value: Option<String>) -> Result<T, BoxError> {
    let value = value.ok_or_else(|| format!("{flag} needs a value"))?;
    value
        .parse()
        .map_err(|_| format!("{flag} takes a whole number, not {value:?}").into())
}

fn args() -> Result<Args, BoxError> {
    let mut dir = None;
    let mut args = Args {
        dir: PathBuf::new(),
        jobs: DEFAULT_JOBS,
        demo: 0,
        quotas: backends::DEFAULT_QUOTAS.to_vec(),
    };
    let mut it = std::env::args_os().skip(1);
    while let Some(arg) = it.next() {
        let mut value = || it.next().and_then(|v| v.into_string().ok());
        match arg.to_str() {
            Some("--jobs") => args.jobs = number("--jobs", value())?,
            Some("--demo") => args.demo = number("--demo", value())?,
            Some("--quotas") => {
                let list = value().unwrap_or_default();
                args.quotas = list
                    .split(',')
                    .map(|q| number("--quotas", Some(q.trim().to_owned())))
                    .collect::<Result<_, _>>()?;
                if args.quotas.contains(&0) {
                    return Err("--quotas: a quota is at least 1 request a minute".into());
                }
            }
            Some(flag) if flag.starts_with("--") => {
                return Err(format!("unknown option {flag}").into())
            }
            _ if dir.is_none() => dir = Some(PathBuf::from(arg)),
            _ => return Err("give one directory".into()),
        }
    }
    args.dir = dir.ok_or("give the directory of the audio files: batch-transcribe DIR")?;
    if args.jobs == 0 {
        return Err("--jobs is at least 1".into());
    }
    Ok(args)
}

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => common::fail("batch-transcribe", &*e),
    }
}

async fn run() -> Result<(), BoxError> {
    let args = args()?;
    let backends = backends::from_env(&args.quotas).await?;
    let client = &backends.client;
    if args.demo > 0 {
        let new = files::speak_demo(client, &args.dir, args.demo).await?;
        eprintln!(
            "--demo: {} spoken WAV files in {} ({new} new)",
            args.demo,
            args.dir.display()
        );
    }
    backends.apply_quotas(&args.quotas);

    let all = files::audio_files(&args.dir)?;
    let todo: Vec<PathBuf> = all
        .iter()
        .filter(|f| !files::srt_path(f).exists())
        .cloned()
        .collect();
    eprintln!(
        "{} audio files in {}: {} to transcribe, {} skipped (their .srt exists)",
        all.len(),
        args.dir.display(),
        todo.len(),
        all.len() - todo.len()
    );

    let started = Instant::now();
    let progress = Progress::start(client, todo.len());
    let mut results = futures_util::stream::iter(todo.iter())
        .map(|file| async move { (file, transcribe(client, file).await) })
        .buffer_unordered(args.jobs);
    let mut failed = 0;
    while let Some((file, result)) = results.next().await {
        let name = file.file_name().unwrap_or_default().to_string_lossy();
        match result {
            Ok(cues) => progress.line(&format!("{name}: {cues} cues")),
            Err(e) => {
                failed += 1;
                progress.line(&format!("{name}: failed: {e}"));
            }
        }
        progress.bar.inc(1);
    }
    drop(results);
    progress.finish();

    let seconds = started.elapsed().as_secs_f64();
    println!(
        "transcribed {} of {} files in {seconds:.1} s ({failed} failed)",
        todo.len() - failed,
        todo.len()
    );
    for line in progress::summary(client, &backends.names) {
        println!("{line}");
    }
    if failed > 0 {
        return Err(format!("{failed} of {} files failed", todo.len()).into());
    }
    Ok(())
}

/// Transcribes `file` as `verbose_json`; writes `NAME.json`, then `NAME.srt` (the mark of a
/// file done). Returns the number of cues.
async fn transcribe(client: &Client, file: &Path) -> Result<usize, BoxError> {
    let audio = AudioSource::from_file(file).await?;
    let request = TranscriptionRequest::new().response_format(TranscriptionFormat::VerboseJson);
    let transcription = match client.transcriptions().create(&audio, &request).await? {
        Transcript::Json(t) => t,
        _ => return Err("the reply is not verbose_json".into()),
    };
    let json = serde_json::to_vec_pretty(&transcription)?;
    files::write_atomically(&files::json_path(file), &json)?;
    let (srt, cues) = files::subtitles(&transcription);
    files::write_atomically(&files::srt_path(file), srt.as_bytes())?;
    Ok(cues)
}
