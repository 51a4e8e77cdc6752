//! What the transcribe and translate examples share: their default input, the sentence spoken into a WAV file by the speech API.
#![allow(dead_code)] // not every example uses each

use std::path::{Path, PathBuf};

use azure_openai_audio::{Client, Error, SpeechFormat, SpeechRequest, Voice};

/// What the default input says.
pub const SENTENCE: &str = "The quick brown fox jumped over the lazy dog.";

/// Where the default input is written.
pub const SPOKEN_FILE: &str = "speech.wav";

/// The file to send: `input` if given, else [`SENTENCE`] spoken into [`SPOKEN_FILE`].
pub async fn input_or_spoken(input: Option<PathBuf>, client: &Client) -> Result<PathBuf, Error> {
    if let Some(path) = input {
        return Ok(path);
    }
    let path = PathBuf::from(SPOKEN_FILE);
    speak(client, &path).await?;
    Ok(path)
}

/// Speaks [`SENTENCE`] into `path` as WAV with the speech deployment
/// (AZURE_OPENAI_TTS_DEPLOYMENT, default gpt-4o-mini-tts), writing as the audio arrives.
pub async fn speak(client: &Client, path: &Path) -> Result<(), Error> {
    let request = SpeechRequest::new(SENTENCE, Voice::Alloy).response_format(SpeechFormat::Wav);
    let bytes = client.speech().to_file(&request, path).await?;
    eprintln!("spoke {SENTENCE:?} into {} ({bytes} bytes)", path.display());
    Ok(())
}
