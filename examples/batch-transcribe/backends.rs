//! The client and the pool its transcriptions are routed over: the backends of
//! `AZURE_OPENAI_BACKENDS`, else the one of `AZURE_OPENAI_ENDPOINT`, else three offline emulators
//! with different quotas.

use azure_openai_audio::routing::{parse_backends, Backend, Pool, RoutingConfig};
use azure_openai_audio::{env, Api, Client, ClientBuilder, Credential, DEFAULT_API_VERSION};
use azure_openai_audio_emulator::{BoxError, Emulator};

/// The variable that lists the backends: whitespace-separated `ENDPOINT|DEPLOYMENT[|PRIORITY]`.
pub const BACKENDS_VAR: &str = "AZURE_OPENAI_BACKENDS";

/// The deployment a backend without one gets (the example's own default, not the crate's:
/// `verbose_json`, with the segments the subtitles are made of, is whisper's).
pub const DEFAULT_DEPLOYMENT: &str = "whisper";

/// The emulators' requests-per-minute quotas unless `--quotas` says otherwise.
pub const DEFAULT_QUOTAS: [u32; 3] = [3, 6, 12];

/// The client, and the emulators it talks to (none on Azure): keep them alive while it is used.
pub struct Backends {
    pub client: Client,
    /// Each backend as `ENDPOINT DEPLOYMENT`, in the pool's order.
    pub names: Vec<String>,
    pub emulators: Vec<Emulator>,
}

/// A variable, trimmed; unset when empty.
fn var(name: &str) -> Result<Option<String>, BoxError> {
    match std::env::var(name) {
        Ok(v) if v.trim().is_empty() => Ok(None),
        Ok(v) => Ok(Some(v.trim().to_owned())),
        Err(std::env::VarError::NotPresent) => Ok(None),
        Err(std::env::VarError::NotUnicode(_)) => {
            Err(format!("{name} is not valid unicode").into())
        }
    }
}

/// The client from the environment; when it names no Azure resource, an emulator per quota in
/// `quotas`. The emulators start without a quota ([`Backends::apply_quotas`] sets them), so the
/// demo files can be spoken first.
pub async fn from_env(quotas: &[u32]) -> Result<Backends, BoxError> {
    if let Some(list) = var(BACKENDS_VAR)? {
        let backends = parse_backends(&list).map_err(|e| format!("{BACKENDS_VAR}: {e}"))?;
        let builder = match var(env::ENDPOINT)? {
            // Speech (for --demo) and the rest on AZURE_OPENAI_ENDPOINT.
            Some(_) => Client::builder_from_env()?,
            // Else on the first backend's resource.
            None => {
                let first = &backends[0];
                let version = var(env::API_VERSION)?;
                Client::builder(first.endpoint.as_str(), &first.deployment, credential()?)
                    .api_version(version.unwrap_or_else(|| DEFAULT_API_VERSION.to_owned()))
            }
        };
        return routed(builder, backends, Vec::new());
    }
    if var(env::ENDPOINT)?.is_some() {
        let builder = Client::builder_from_env()?;
        let deployment =
            var(env::TRANSCRIBE_DEPLOYMENT)?.unwrap_or_else(|| DEFAULT_DEPLOYMENT.to_owned());
        let endpoint = var(env::ENDPOINT)?.unwrap_or_default();
        let backend: Backend = format!("{endpoint}|{deployment}").parse()?;
        return routed(builder, vec![backend], Vec::new());
    }
    let mut emulators = Vec::new();
    for _ in quotas {
        emulators.push(Emulator::start().await?);
    }
    let backends = emulators
        .iter()
        .map(|e| format!("{}|{DEFAULT_DEPLOYMENT}", e.endpoint()).parse())
        .collect::<Result<Vec<Backend>, _>>()?;
    let Some(first) = emulators.first() else {
        return Err("--quotas lists no quota".into());
    };
    let builder = first.client_builder(DEFAULT_DEPLOYMENT);
    routed(builder, backends, emulators)
}

fn routed(
    builder: ClientBuilder,
    backends: Vec<Backend>,
    emulators: Vec<Emulator>,
) -> Result<Backends, BoxError> {
    let names = backends
        .iter()
        .map(|b| format!("{} {}", b.endpoint, b.deployment))
        .collect();
    let pool = Pool::new(backends, RoutingConfig::default())?;
    let client = builder.routing(Api::Transcription, pool).build()?;
    Ok(Backends {
        client,
        names,
        emulators,
    })
}

impl Backends {
    /// Gives each emulator its quota (nothing on Azure); says so on stderr.
    pub fn apply_quotas(&self, quotas: &[u32]) {
        if self.emulators.is_empty() {
            return;
        }
        let mut each = Vec::new();
        for (emulator, quota) in self.emulators.iter().zip(quotas) {
            emulator.set_requests_per_minute(Some(*quota));
            each.push(format!("{} ({quota} a minute)", emulator.endpoint()));
        }
        eprintln!(
            "{BACKENDS_VAR} and {} are not set: transcribing on {} offline emulators, each with its quota of requests a minute (429s beyond it): {}",
            env::ENDPOINT,
            each.len(),
            each.join(", ")
        );
    }
}

/// `AZURE_OPENAI_API_KEY`, else Entra ID (`az login`), as the other examples.
fn credential() -> Result<Credential, BoxError> {
    match var(env::API_KEY)? {
        Some(key) => Ok(Credential::api_key(key)),
        None => entra_id(),
    }
}

#[cfg(feature = "entra-id")]
fn entra_id() -> Result<Credential, BoxError> {
    Ok(Credential::developer_tools()?)
}

#[cfg(not(feature = "entra-id"))]
fn entra_id() -> Result<Credential, BoxError> {
    Err(format!(
        "{} is not set, and Entra ID needs the `entra-id` feature",
        env::API_KEY
    )
    .into())
}
