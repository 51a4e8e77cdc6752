//! For examples and quick starts: Azure when the environment names a resource, else the emulator.

use std::env::VarError;

use azure_openai_audio::{env, Api, Client};

use crate::Emulator;

/// Why [`client_from_env_or_emulator`] failed: an [`azure_openai_audio::Error`] (the environment
/// names a client that cannot be built) or a [`std::io::Error`] (the emulator did not start);
/// downcast to tell them apart.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// For examples and quick starts: a client from the environment when `AZURE_OPENAI_ENDPOINT` is
/// set (exactly [`Client::from_env`]), else a client for a newly started emulator, returned too:
/// keep it alive while the client is used by binding it to a name such as `_emulator` (the
/// pattern `_` would drop it, and stop the server, at once).
///
/// The library prints nothing: tell your users which one they got (the SDK's examples print
/// one line on stderr when it is the emulator).
/// `OPENAI_API_VERSION` and the deployment variables (`AZURE_OPENAI_DEPLOYMENT_NAME`,
/// `AZURE_OPENAI_TTS_DEPLOYMENT`, `AZURE_OPENAI_TRANSCRIBE_DEPLOYMENT`,
/// `AZURE_OPENAI_TRANSLATE_DEPLOYMENT`) are honoured either way.
///
/// ```no_run
/// # async fn f() -> Result<(), azure_openai_audio_emulator::BoxError> {
/// let (client, emulator) = azure_openai_audio_emulator::client_from_env_or_emulator().await?;
/// if let Some(emulator) = &emulator {
///     eprintln!("AZURE_OPENAI_ENDPOINT is not set: using the offline emulator at {}", emulator.endpoint());
/// }
/// # Ok(()) }
/// ```
pub async fn client_from_env_or_emulator() -> Result<(Client, Option<Emulator>), BoxError> {
    if var(env::ENDPOINT)?.is_some() {
        return Ok((Client::from_env()?, None));
    }
    let emulator = Emulator::start().await?;
    let mut builder = emulator.client_builder(Api::Chat.default_deployment());
    // Each API on the deployment its variable names, as `Client::from_env` reads them.
    for api in Api::ALL {
        let deployment = var(api.env_var())?.unwrap_or_else(|| api.default_deployment().to_owned());
        builder = builder.deployment_for(api, deployment);
    }
    if let Some(version) = var(env::API_VERSION)? {
        builder = builder.api_version(version);
    }
    Ok((builder.build()?, Some(emulator)))
}

/// A variable as `Client::from_env` reads it: trimmed, and unset when empty.
fn var(name: &str) -> Result<Option<String>, BoxError> {
    match std::env::var(name) {
        Ok(v) if v.trim().is_empty() => Ok(None),
        Ok(v) => Ok(Some(v.trim().to_owned())),
        Err(VarError::NotPresent) => Ok(None),
        Err(VarError::NotUnicode(_)) => Err(format!("{name} is not valid unicode").into()),
    }
}
