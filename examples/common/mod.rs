//! What the quickstart examples share: the client from the environment, and one-line failures.

pub mod spoken;

use std::process::ExitCode;

use azure_openai_audio::{Client, Error};
use azure_openai_audio_emulator::{BoxError, Emulator};

/// The client the quickstarts use: AZURE_OPENAI_ENDPOINT, AZURE_OPENAI_DEPLOYMENT_NAME
/// (default gpt-4o-mini-audio-preview), OPENAI_API_VERSION (default 2025-04-01-preview), and
/// AZURE_OPENAI_API_KEY (when unset: Entra ID through DeveloperToolsCredential, i.e. `az login`).
///
/// When AZURE_OPENAI_ENDPOINT is unset, the offline emulator (the `azure-openai-audio-emulator`
/// crate; one line on stderr says so): keep the returned emulator alive while the client is used.
pub async fn client() -> Result<(Client, Option<Emulator>), BoxError> {
    let (client, emulator) = azure_openai_audio_emulator::client_from_env_or_emulator().await?;
    if let Some(emulator) = &emulator {
        eprintln!(
            "AZURE_OPENAI_ENDPOINT is not set: using the built-in offline emulator at {}",
            emulator.endpoint()
        );
    }
    Ok((client, emulator))
}

/// Prints one line (error, API code, request id, cause) and returns a failing exit code.
pub fn fail(program: &str, e: &(dyn std::error::Error + 'static)) -> ExitCode {
    let mut line = format!("{program}: {e}");
    if let Some(e) = e.downcast_ref::<Error>() {
        if let Some(code) = e.code() {
            line.push_str(&format!(" [code: {code}]"));
        }
        if let Some(id) = e.request_id() {
            line.push_str(&format!(" [request id: {id}]"));
        }
    }
    // The chain of causes, each once (e.g. "error sending request: Connection refused").
    let mut causes: Vec<String> = Vec::new();
    let mut source = e.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !causes.iter().any(|c| c.contains(&text)) {
            causes.push(text);
        }
        source = s.source();
    }
    if !causes.is_empty() {
        line.push_str(&format!(" (cause: {})", causes.join(": ")));
    }
    eprintln!("{}", line.replace(['\n', '\r'], " "));
    ExitCode::FAILURE
}

/// Writes a file, as an error the examples can report.
#[allow(dead_code)] // not every example writes audio
pub fn write(path: &str, bytes: &[u8]) -> Result<(), String> {
    std::fs::write(path, bytes).map_err(|e| format!("cannot write {path}: {e}"))
}
