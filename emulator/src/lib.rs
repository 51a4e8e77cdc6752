//! An offline emulator of the Azure OpenAI audio chat endpoint (feature `emulator`).
//!
//! An HTTP server on loopback that answers
//! `POST /openai/deployments/{deployment}/chat/completions?api-version=...` and
//! `POST /openai/v1/chat/completions` the way the service does, so the examples run without
//! Azure and applications can be tested offline:
//!
//! - an `api-key` (any non-empty one, or the one set with [`EmulatorBuilder::api_key`]) or a
//!   non-empty bearer token is required; otherwise a 401 with Azure's body;
//! - an api-version it does not serve gets Azure's `API version not supported`;
//! - the request is checked as the service checks it: messages present, the audio modality needs
//!   the `audio` parameter, voice and format known, `input_audio` valid base64 of at most 20 MiB
//!   of a WAV that decodes or an MP3 (MPEG audio frames from the start of the data, or right
//!   after an ID3v2 tag, at least three in a row or all of it), cited `audio.id`s issued by this
//!   emulator and not expired;
//! - replies are deterministic: the transcript repeats the prompt (and, for audio input, the
//!   duration, sample rate and channels it measured in the first three clips, and how many more
//!   there were), the audio is a playable 24 kHz mono signal 60 ms per transcript character, as
//!   WAV or pcm16. The transcript is at most 600 characters, so a reply is at most 36 s of audio
//!   whatever the request. It has no MP3, FLAC, Opus or AAC encoder: asking for those gets a
//!   clear 400;
//! - streaming (`stream: true`, pcm16) uses Azure's event framing, the choice's content filter
//!   results after the finish chunk included;
//! - a request refused before its body is used (fault, credential, api-version, deployment,
//!   route) still has its body read and thrown away first, so a client sending a large body
//!   gets the answer, not a broken pipe; a body over 64 MiB gets a 413, and one that stops
//!   arriving for 30 s a 408 (both with `Connection: close` when the rest was not read);
//! - [`Fault`]s make the next requests fail with a 429, a 500, a delay or a dropped connection.
//!
//! The server runs on the Tokio runtime that starts it. [`Emulator::shutdown`]`.await` stops it
//! and frees its port at once; dropping the [`Emulator`] stops it a moment later.
//!
//! ```
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! use azure_openai_audio::emulator::Emulator;
//! use azure_openai_audio::{AudioFormat, ChatRequest, Message, Voice};
//!
//! let emulator = Emulator::start().await?;
//! let client = emulator.client()?;
//! let request = ChatRequest::new([Message::user("Is a golden retriever a good family dog?")])
//!     .audio(Voice::Alloy, AudioFormat::Wav);
//! let reply = client.chat().complete(&request).await?;
//! let audio = reply.audio().expect("a spoken reply");
//! assert_eq!(audio.transcript, "You said: Is a golden retriever a good family dog?");
//! assert!(audio.data.starts_with(b"RIFF"));
//! # Ok::<(), azure_openai_audio::Error>(()) }).unwrap();
//! ```

mod body;
mod errors;
mod faults;
mod measure;
mod reply;
mod server;
mod sse;
mod store;
mod validate;

pub use faults::Fault;

use std::fmt;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::client::{env, Client, ClientBuilder, DEFAULT_DEPLOYMENT};
use crate::credential::Credential;
use crate::error::{Error, Result};
use server::{Config, State};

/// The key [`Emulator::api_key`] returns when none was set (any non-empty key is accepted then).
pub const DEFAULT_API_KEY: &str = "emulator-key";

/// How long an issued audio id can be cited unless set otherwise: one hour, as the service.
pub const DEFAULT_AUDIO_TTL: Duration = Duration::from_secs(3600);

/// The api-versions served on the deployments route unless set otherwise: the previews that have
/// audio chat completions.
pub const API_VERSIONS: &[&str] = &[
    "2024-10-01-preview",
    "2024-12-01-preview",
    "2025-01-01-preview",
    "2025-02-01-preview",
    "2025-03-01-preview",
    "2025-04-01-preview",
];

/// A running emulator.
///
/// [`shutdown`](Emulator::shutdown)`.await` stops it: when it returns, the port is free and every
/// connection is closed. Dropping it stops it too, but only asks: the port and the connections
/// are let go when its runtime next runs the server task, a moment later (and never if that
/// runtime is gone or blocked). Use `shutdown().await` before starting another emulator on the
/// same fixed [`port`](EmulatorBuilder::port), or when a test checks that connections close.
pub struct Emulator {
    addr: SocketAddr,
    endpoint: String,
    api_key: String,
    state: Arc<State>,
    task: JoinHandle<()>,
    stop: Option<oneshot::Sender<()>>,
}

impl Emulator {
    /// Starts an emulator with the default options on `127.0.0.1` and a free port.
    ///
    /// Must be called inside a Tokio runtime; the server runs on it.
    pub async fn start() -> Result<Emulator> {
        Self::builder().start().await
    }

    /// A builder, for the options.
    pub fn builder() -> EmulatorBuilder {
        EmulatorBuilder {
            port: 0,
            config: Config {
                api_key: None,
                api_versions: API_VERSIONS.iter().map(|v| (*v).to_owned()).collect(),
                deployments: None,
                audio_ttl: DEFAULT_AUDIO_TTL,
                stream_interval: Duration::ZERO,
            },
            faults: Vec::new(),
            seed: None,
        }
    }

    /// The endpoint to give a client: `http://127.0.0.1:<port>`.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// The address the server listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// A key the emulator accepts.
    pub fn api_key(&self) -> &str {
        &self.api_key
    }

    /// A client for this emulator and the deployment `gpt-4o-mini-audio-preview`.
    pub fn client(&self) -> Result<Client> {
        self.client_builder(DEFAULT_DEPLOYMENT).build()
    }

    /// A client builder for this emulator, its key and `deployment`, for setting options.
    pub fn client_builder(&self, deployment: impl Into<String>) -> ClientBuilder {
        Client::builder(
            &self.endpoint,
            deployment,
            Credential::api_key(self.api_key.clone()),
        )
    }

    /// Makes the next `times` requests fail with `fault` (after the faults already queued).
    pub fn inject(&self, fault: Fault, times: usize) {
        self.state.faults.push(fault, times);
    }

    /// How many requests still get a fault.
    pub fn pending_faults(&self) -> usize {
        self.state.faults.pending()
    }

    /// Forgets the queued faults.
    pub fn clear_faults(&self) {
        self.state.faults.clear();
    }

    /// How many HTTP requests the server has received, faults and refusals included.
    pub fn requests_received(&self) -> u64 {
        self.state.requests.load(Ordering::Relaxed)
    }

    /// Stops the server and waits until it has let go of its port and closed its connections:
    /// when this returns, the port can be bound again (by
    /// `Emulator::builder().port(p).start()`, say) and clients see their connections closed.
    /// A request being answered is cut off.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let _ = (&mut self.task).await;
    }
}

/// Dropping an emulator stops it without waiting: the server task is aborted, and its port and
/// connections are released when the runtime next polls that task. To know they are released,
/// call [`Emulator::shutdown`] and await it instead.
impl Drop for Emulator {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl fmt::Debug for Emulator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Emulator")
            .field("endpoint", &self.endpoint)
            .field("pending_faults", &self.pending_faults())
            .field("requests_received", &self.requests_received())
            .finish_non_exhaustive()
    }
}

/// Options for an [`Emulator`]. Setters never fail; [`start`](EmulatorBuilder::start) reports problems.
pub struct EmulatorBuilder {
    port: u16,
    config: Config,
    faults: Vec<(Fault, usize)>,
    seed: Option<u64>,
}

impl EmulatorBuilder {
    /// The port on 127.0.0.1 (default 0: a free one).
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// Accepts only this `api-key` (default: any non-empty key). Bearer tokens are accepted
    /// whenever they are non-empty: the emulator cannot check Entra ID tokens offline.
    pub fn api_key(mut self, key: impl Into<String>) -> Self {
        self.config.api_key = Some(key.into());
        self
    }

    /// The api-versions served on the deployments route (default [`API_VERSIONS`]).
    pub fn api_versions<S: Into<String>>(mut self, versions: impl IntoIterator<Item = S>) -> Self {
        self.config.api_versions = versions.into_iter().map(Into::into).collect();
        self
    }

    /// The deployments that exist; others get a 404 `DeploymentNotFound` (default: any name).
    pub fn deployments<S: Into<String>>(mut self, names: impl IntoIterator<Item = S>) -> Self {
        self.config.deployments = Some(names.into_iter().map(Into::into).collect());
        self
    }

    /// How long an issued audio id can be cited (default one hour). With zero, ids expire at
    /// once, which tests the refusal of expired ids.
    pub fn audio_ttl(mut self, ttl: Duration) -> Self {
        self.config.audio_ttl = ttl;
        self
    }

    /// A pause before each streamed event (default none), to watch a stream arrive.
    pub fn stream_interval(mut self, interval: Duration) -> Self {
        self.config.stream_interval = interval;
        self
    }

    /// Queues `fault` for the first `times` requests.
    pub fn fault(mut self, fault: Fault, times: usize) -> Self {
        self.faults.push((fault, times));
        self
    }

    /// Seeds the ids (request, completion and audio ids), for runs that repeat exactly.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = Some(seed);
        self
    }

    /// Binds 127.0.0.1 and starts serving on the current Tokio runtime.
    pub async fn start(self) -> Result<Emulator> {
        let runtime = tokio::runtime::Handle::try_current().map_err(|e| {
            Error::config("the emulator must be started inside a Tokio runtime").with_source(e)
        })?;
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, self.port))
            .await
            .map_err(|e| {
                Error::config(format!(
                    "the emulator cannot listen on 127.0.0.1:{}",
                    self.port
                ))
                .with_source(e)
            })?;
        let addr = listener.local_addr().map_err(|e| {
            Error::config("the emulator cannot read its own address").with_source(e)
        })?;
        let api_key = self
            .config
            .api_key
            .clone()
            .unwrap_or_else(|| DEFAULT_API_KEY.to_owned());
        let state = Arc::new(State::new(self.config, self.seed.unwrap_or_else(seed)));
        for (fault, times) in self.faults {
            state.faults.push(fault, times);
        }
        let (stop, stopped) = oneshot::channel();
        let task = runtime.spawn(server::serve(listener, state.clone(), stopped));
        Ok(Emulator {
            addr,
            endpoint: format!("http://{addr}"),
            api_key,
            state,
            task,
            stop: Some(stop),
        })
    }
}

impl fmt::Debug for EmulatorBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EmulatorBuilder")
            .field("port", &self.port)
            .field("api_versions", &self.config.api_versions)
            .field("deployments", &self.config.deployments)
            .field("audio_ttl", &self.config.audio_ttl)
            .field("faults", &self.faults)
            .finish_non_exhaustive()
    }
}

/// A seed that differs between runs: the standard library's random hasher keys and the clock.
fn seed() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0),
    );
    h.finish()
}

/// For examples and quick starts: a client from the environment when `AZURE_OPENAI_ENDPOINT` is
/// set, else a client for a newly started emulator, returned too: keep it alive while the client
/// is used by binding it to a name such as `_emulator` (the pattern `_` would drop it, and stop
/// the server, at once).
///
/// The library prints nothing: tell your users which one they got (the crate's examples print
/// one line on stderr when it is the emulator).
/// `AZURE_OPENAI_DEPLOYMENT_NAME` and `OPENAI_API_VERSION` are honoured either way.
///
/// ```no_run
/// # async fn f() -> azure_openai_audio::Result<()> {
/// let (client, emulator) = azure_openai_audio::emulator::client_from_env_or_emulator().await?;
/// if let Some(emulator) = &emulator {
///     eprintln!("AZURE_OPENAI_ENDPOINT is not set: using the offline emulator at {}", emulator.endpoint());
/// }
/// # Ok(()) }
/// ```
pub async fn client_from_env_or_emulator() -> Result<(Client, Option<Emulator>)> {
    client_from_vars_or_emulator(|name| std::env::var(name)).await
}

async fn client_from_vars_or_emulator(
    var: impl Fn(&str) -> std::result::Result<String, std::env::VarError>,
) -> Result<(Client, Option<Emulator>)> {
    if var(env::ENDPOINT).is_ok_and(|v| !v.trim().is_empty()) {
        return Ok((Client::builder_from_vars(var)?.build()?, None));
    }
    let emulator = Emulator::start().await?;
    let client = Client::builder_from_vars(|name| match name {
        env::ENDPOINT => Ok(emulator.endpoint().to_owned()),
        env::API_KEY => Ok(emulator.api_key().to_owned()),
        other => var(other),
    })?
    .build()?;
    Ok((client, Some(emulator)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::env::VarError;

    #[tokio::test]
    async fn examples_use_the_emulator_only_without_an_endpoint() {
        let (client, emulator) = client_from_vars_or_emulator(|name| match name {
            "OPENAI_API_VERSION" => Ok("2025-03-01-preview".to_owned()),
            _ => Err(VarError::NotPresent),
        })
        .await
        .unwrap();
        let emulator = emulator.expect("an emulator when AZURE_OPENAI_ENDPOINT is unset");
        assert_eq!(
            client.endpoint().as_str(),
            format!("{}/", emulator.endpoint())
        );
        assert_eq!(client.deployment(), DEFAULT_DEPLOYMENT);
        assert_eq!(client.api_version(), "2025-03-01-preview");
        let request = crate::ChatRequest::new([crate::Message::user("hi")]);
        let reply = client.chat().complete(&request).await.unwrap();
        assert_eq!(reply.text(), Some("You said: hi."));

        let (client, emulator) = client_from_vars_or_emulator(|name| match name {
            "AZURE_OPENAI_ENDPOINT" => Ok("https://r.openai.azure.com".to_owned()),
            "AZURE_OPENAI_API_KEY" => Ok("k".to_owned()),
            _ => Err(VarError::NotPresent),
        })
        .await
        .unwrap();
        assert!(emulator.is_none());
        assert_eq!(client.endpoint().as_str(), "https://r.openai.azure.com/");
    }

    #[tokio::test]
    async fn dropping_or_shutting_down_closes_the_port() {
        let emulator = Emulator::start().await.unwrap();
        let addr = emulator.local_addr();
        assert!(tokio::net::TcpStream::connect(addr).await.is_ok());
        emulator.shutdown().await;
        assert!(tokio::net::TcpStream::connect(addr).await.is_err());

        let emulator = Emulator::start().await.unwrap();
        let addr = emulator.local_addr();
        drop(emulator);
        // The abort takes effect when the server task is next polled.
        let mut closed = false;
        for _ in 0..100 {
            tokio::task::yield_now().await;
            if tokio::net::TcpStream::connect(addr).await.is_err() {
                closed = true;
                break;
            }
        }
        assert!(
            closed,
            "the port is still open after the emulator was dropped"
        );
    }

    #[tokio::test]
    async fn debug_shows_no_key() {
        let emulator = Emulator::builder()
            .api_key("sk-secret")
            .fault(Fault::ServerError, 2)
            .start()
            .await
            .unwrap();
        assert_eq!(
            format!("{emulator:?}"),
            format!(
                "Emulator {{ endpoint: {:?}, pending_faults: 2, requests_received: 0, .. }}",
                emulator.endpoint()
            )
        );
        let builder = format!("{:?}", Emulator::builder().api_key("sk-secret"));
        assert!(!builder.contains("sk-secret"), "{builder}");
    }

    #[test]
    fn starting_outside_a_runtime_is_an_error_not_a_panic() {
        let e = futures_util::FutureExt::now_or_never(Emulator::start())
            .expect("fails at once")
            .unwrap_err();
        assert!(e.to_string().contains("Tokio runtime"), "{e}");
    }
}
