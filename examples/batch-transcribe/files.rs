//! The files of a batch: the audio files of the directory, what is written beside each
//! (`NAME.srt`, `NAME.json`, each written whole or not at all), and the demo's spoken files.

use std::path::{Path, PathBuf};
use std::time::Duration;

use azure_openai_audio::transcription::{cues_from_segments, to_srt};
use azure_openai_audio::{Client, Cue, SpeechFormat, SpeechRequest, Transcription, Voice};
use azure_openai_audio_emulator::BoxError;

/// The extensions of the audio files transcribed (any case).
pub const AUDIO_EXTENSIONS: [&str; 6] = ["wav", "mp3", "m4a", "flac", "ogg", "webm"];

/// The audio files of `dir` (not its subdirectories), by name.
pub fn audio_files(dir: &Path) -> Result<Vec<PathBuf>, BoxError> {
    let entries =
        std::fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    let mut files = Vec::new();
    for entry in entries {
        let path = entry?.path();
        let audio = path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| AUDIO_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()));
        if audio && path.is_file() {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

/// `NAME.srt` beside `audio` (its extension replaced): its presence marks the file as done.
pub fn srt_path(audio: &Path) -> PathBuf {
    audio.with_extension("srt")
}

/// `NAME.json` beside `audio`.
pub fn json_path(audio: &Path) -> PathBuf {
    audio.with_extension("json")
}

/// Writes `bytes` to `path` whole or not at all: into `path.tmp` first, then renamed over
/// `path`, so a run stopped half-way leaves no partial file under the final name.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), BoxError> {
    let tmp = tmp_path(path);
    std::fs::write(&tmp, bytes).map_err(|e| format!("cannot write {}: {e}", tmp.display()))?;
    std::fs::rename(&tmp, path)
        .map_err(|e| format!("cannot rename {} to {}: {e}", tmp.display(), path.display()))?;
    Ok(())
}

/// `path.tmp`, where `path` is written before it is renamed.
fn tmp_path(path: &Path) -> PathBuf {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    PathBuf::from(tmp)
}

/// The subtitles of a `verbose_json` reply: a cue per segment; a reply with text but no
/// segments (a model that does not send them) gives one cue over the whole audio.
pub fn subtitles(transcription: &Transcription) -> (String, usize) {
    let mut cues = cues_from_segments(&transcription.segments);
    let text = transcription.text.trim();
    if cues.is_empty() && !text.is_empty() {
        let end =
            Duration::try_from_secs_f64(transcription.duration.unwrap_or(0.0)).unwrap_or_default();
        cues.push(Cue::new(1, Duration::ZERO, end, text));
    }
    (to_srt(&cues), cues.len())
}

/// What the demo's file `index` (from 1) of `count` says: three sentences, so three cues.
fn demo_text(index: usize, count: usize) -> String {
    format!(
        "Demo file {index} of {count} was spoken by the speech API. \
         The quick brown fox jumped over the lazy dog. \
         Its subtitles come from the transcription's segments."
    )
}

/// Writes `count` spoken WAV files, `demo-01.wav` ..., into `dir` with the client's speech
/// deployment (one that exists is kept). Returns how many were written.
pub async fn speak_demo(client: &Client, dir: &Path, count: usize) -> Result<usize, BoxError> {
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let mut written = 0;
    for index in 1..=count {
        let path = dir.join(format!("demo-{index:02}.wav"));
        if path.exists() {
            continue;
        }
        let request = SpeechRequest::new(demo_text(index, count), Voice::Alloy)
            .response_format(SpeechFormat::Wav);
        // Written beside, then renamed: a stopped run leaves no half WAV to transcribe.
        let tmp = tmp_path(&path);
        client.speech().to_file(&request, &tmp).await?;
        std::fs::rename(&tmp, &path)?;
        written += 1;
    }
    Ok(written)
}
