//! What the transcribe and translate examples share: the client on the API's own deployment,
//! and their default input, the sentence spoken into a WAV file by the speech API.
#![allow(dead_code)] // not every example uses each

use std::path::{Path, PathBuf};

use azure_openai_audio::{Api, Client, Route};
use azure_openai_audio_emulator::{BoxError, Emulator};

/// What the default input says.
pub const SENTENCE: &str = "The quick brown fox jumped over the lazy dog.";

/// Where the default input is written.
pub const SPOKEN_FILE: &str = "speech.wav";

/// The client, with `api` on the deployment its variable names (its default when unset), as
/// `Client::from_env` does: the emulator's client gets it here.
pub fn on_deployment(client: &Client, api: Api) -> Result<Client, BoxError> {
    let name = std::env::var(api.env_var())
        .ok()
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| api.default_deployment().to_owned());
    Ok(client.with_deployment_for(api, name)?)
}

/// The file to send: `input` if given, else [`SENTENCE`] spoken into [`SPOKEN_FILE`].
pub async fn input_or_spoken(
    input: Option<PathBuf>,
    client: &Client,
    emulator: Option<&Emulator>,
) -> Result<PathBuf, BoxError> {
    if let Some(path) = input {
        return Ok(path);
    }
    let path = PathBuf::from(SPOKEN_FILE);
    speak(client, emulator, &path).await?;
    Ok(path)
}

/// Speaks [`SENTENCE`] into `path` as WAV with the speech deployment
/// (AZURE_OPENAI_TTS_DEPLOYMENT, default gpt-4o-mini-tts).
///
/// A plain request until the crate's speech API is merged: replace the body of this function
/// with `client.speech().to_file(&SpeechRequest::new(SENTENCE, Voice::Alloy)
/// .response_format(SpeechFormat::Wav), path).await?`. It authenticates with the emulator's key
/// or AZURE_OPENAI_API_KEY.
pub async fn speak(
    client: &Client,
    emulator: Option<&Emulator>,
    path: &Path,
) -> Result<(), BoxError> {
    let client = on_deployment(client, Api::Speech)?;
    let deployment = client.deployment_for(Api::Speech);
    let key = match emulator {
        Some(emulator) => emulator.api_key().to_owned(),
        None => std::env::var("AZURE_OPENAI_API_KEY").map_err(|_| {
            "the default input (spoken by the speech API) needs AZURE_OPENAI_API_KEY: give an audio file instead"
        })?,
    };
    let mut url = client.endpoint().clone();
    {
        let mut segments = url
            .path_segments_mut()
            .map_err(|_| "the endpoint cannot have a path")?;
        segments.pop_if_empty();
        match client.route() {
            Route::V1 => segments.extend(["openai", "v1"]),
            _ => segments.extend(["openai", "deployments", deployment]),
        };
        segments.extend(["audio", "speech"]);
    }
    if client.route() != Route::V1 {
        url.query_pairs_mut()
            .append_pair("api-version", client.api_version());
    }
    let body = serde_json::json!({
        "model": deployment,
        "input": SENTENCE,
        "voice": "alloy",
        "response_format": "wav",
    });
    let response = reqwest::Client::new()
        .post(url)
        .header("api-key", key)
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .await?;
    let status = response.status();
    let bytes = response.bytes().await?;
    if !status.is_success() {
        let text = String::from_utf8_lossy(&bytes[..bytes.len().min(300)]).into_owned();
        return Err(format!("speech failed: {status}: {text}").into());
    }
    std::fs::write(path, &bytes).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    eprintln!(
        "spoke {SENTENCE:?} into {} ({} bytes)",
        path.display(),
        bytes.len()
    );
    Ok(())
}
