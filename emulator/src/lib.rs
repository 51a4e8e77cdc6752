//! An offline emulator of Azure OpenAI's audio chat completions and /audio API, on loopback.
//!
//! A real HTTP server that answers
//! `POST /openai/deployments/{deployment}/chat/completions?api-version=...`,
//! `POST /openai/v1/chat/completions`, and the /audio API's speech, transcriptions and
//! translations on both route shapes the way the service does, so examples run without Azure
//! and applications in any language can be tested offline. Run it as a program
//! (`cargo run -p azure-openai-audio-emulator`, see the crate's README) or start it from Rust
//! tests with [`Emulator::start`]:
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
//! - speech (`audio/speech`) is a WAV or raw pcm signal that carries its text (one two-tone
//!   symbol a byte), sent chunked, or SSE; transcribing that audio (`audio/transcriptions`,
//!   multipart) gives the text back, in every response format, streamed too; other audio gets a
//!   sentence on what was measured in it. The crate's README lists the checks;
//! - the Realtime API over WebSocket (`ws://.../openai/v1/realtime?model=DEPLOYMENT`, and the
//!   preview's `/openai/realtime?api-version=...&deployment=...`): `session.created`,
//!   `session.update` checked, conversation items, the input audio buffer with turn detection
//!   from the signal's energy, responses sent event by event (audio carrying its text, its
//!   transcript), function calls, cancel, `error` events shaped as the service's;
//! - [`Fault`]s make the next requests fail with a 429, a 500, a 401, a delay or a dropped
//!   connection, and Realtime sessions drop their socket mid-response or hit a maximum duration;
//!   they are queued from Rust ([`Emulator::inject`]) or over HTTP (`POST /_emulator/faults`).
//!
//! The server runs on the Tokio runtime that starts it. [`Emulator::shutdown`]`.await` stops it
//! and frees its port at once; dropping the [`Emulator`] stops it a moment later.
//!
//! ```
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! use azure_openai_audio::{AudioFormat, ChatRequest, Message, Voice};
//! use azure_openai_audio_emulator::Emulator;
//!
//! let emulator = Emulator::start().await?;
//! let client = emulator.client()?;
//! let request = ChatRequest::new([Message::user("Is a golden retriever a good family dog?")])
//!     .audio(Voice::Alloy, AudioFormat::Wav);
//! let reply = client.chat().complete(&request).await?;
//! let audio = reply.audio().expect("a spoken reply");
//! assert_eq!(audio.transcript, "You said: Is a golden retriever a good family dog?");
//! assert!(audio.data.starts_with(b"RIFF"));
//! # Ok::<(), Box<dyn std::error::Error>>(()) }).unwrap();
//! ```
#![deny(missing_docs)]
#![forbid(unsafe_code)]

mod admin;
mod body;
mod chat;
mod errors;
mod faults;
mod from_env;
mod measure;
mod models;
mod multipart;
mod quota;
mod random;
mod realtime;
mod reply;
mod route;
mod server;
mod speech;
mod sse;
mod store;
mod tone_text;
mod transcript;
mod transcription;
mod validate;

pub use faults::Fault;
pub use from_env::{client_from_env_or_emulator, BoxError};

use std::fmt;
use std::io;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use azure_openai_audio::DEFAULT_DEPLOYMENT;
use azure_openai_audio::{Client, ClientBuilder, Credential};
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

/// The api-versions the deployments route of the /audio API (speech, transcriptions,
/// translations) serves besides [`API_VERSIONS`] unless set otherwise: the stable versions that
/// have it (the recorded whisper traffic used `2024-10-21`).
pub const STABLE_AUDIO_API_VERSIONS: &[&str] = &["2024-06-01", "2024-10-21"];

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
    /// Must be called inside a Tokio runtime; the server runs on it. Fails when there is none,
    /// or when the address cannot be bound (the error names it).
    pub async fn start() -> io::Result<Emulator> {
        Self::builder().start().await
    }

    /// A builder, for the options.
    pub fn builder() -> EmulatorBuilder {
        EmulatorBuilder {
            host: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 0,
            config: Config {
                api_key: None,
                api_versions: API_VERSIONS.iter().map(|v| (*v).to_owned()).collect(),
                audio_api_versions: STABLE_AUDIO_API_VERSIONS
                    .iter()
                    .chain(API_VERSIONS)
                    .map(|v| (*v).to_owned())
                    .collect(),
                deployments: None,
                audio_ttl: DEFAULT_AUDIO_TTL,
                stream_interval: Duration::ZERO,
            },
            faults: Vec::new(),
            requests_per_minute: None,
            seed: None,
        }
    }

    /// The endpoint to give a client: `http://127.0.0.1:<port>` (or the [`host`](EmulatorBuilder::host) set).
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
    pub fn client(&self) -> azure_openai_audio::Result<Client> {
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

    /// Sets the requests-per-minute quota (`None`: none); see
    /// [`EmulatorBuilder::requests_per_minute`]. Requests already admitted still count within
    /// the minute.
    pub fn set_requests_per_minute(&self, limit: Option<u32>) {
        self.state.quota.set(limit);
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
    host: IpAddr,
    port: u16,
    config: Config,
    faults: Vec<(Fault, usize)>,
    requests_per_minute: Option<u32>,
    seed: Option<u64>,
}

impl EmulatorBuilder {
    /// The address to listen on (default `127.0.0.1`). The emulator has no TLS and accepts any
    /// non-empty key unless [`api_key`](EmulatorBuilder::api_key) is set: keep it on loopback
    /// unless the network it listens on is yours (a container's, say).
    pub fn host(mut self, host: impl Into<IpAddr>) -> Self {
        self.host = host.into();
        self
    }

    /// The port (default 0: a free one).
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

    /// The api-versions served on the deployments route, for every API (default
    /// [`API_VERSIONS`] for chat completions, and [`STABLE_AUDIO_API_VERSIONS`] too for the
    /// /audio API).
    pub fn api_versions<S: Into<String>>(mut self, versions: impl IntoIterator<Item = S>) -> Self {
        self.config.api_versions = versions.into_iter().map(Into::into).collect();
        self.config.audio_api_versions = self.config.api_versions.clone();
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

    /// A quota of `n` requests in any 60 seconds on the service's routes (default none), as an
    /// Azure deployment has: beyond it, Azure's 429 (the body and `retry-after-ms` /
    /// `retry-after` headers of [`Fault::RateLimit`]) asking to wait until the window frees a
    /// place, before the body is read. Every answer on those routes then carries
    /// `x-ratelimit-limit-requests` and `x-ratelimit-remaining-requests`. The window runs on
    /// tokio's clock (a paused clock in tests passes a minute at once). Refusals decided before
    /// it (faults, credential, api-version, deployment) and the `/_emulator/` routes do not count.
    pub fn requests_per_minute(mut self, n: u32) -> Self {
        self.requests_per_minute = Some(n);
        self
    }

    /// Seeds the ids (request, completion and audio ids), for runs that repeat exactly.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = Some(seed);
        self
    }

    /// Binds the address (`127.0.0.1` and a free port by default) and starts serving on the
    /// current Tokio runtime.
    pub async fn start(self) -> io::Result<Emulator> {
        let runtime = tokio::runtime::Handle::try_current().map_err(|e| {
            io::Error::other(format!(
                "the emulator must be started inside a Tokio runtime ({e})"
            ))
        })?;
        let at = SocketAddr::new(self.host, self.port);
        let listener = TcpListener::bind(at).await.map_err(|e| {
            io::Error::new(e.kind(), format!("the emulator cannot listen on {at}: {e}"))
        })?;
        let addr = listener.local_addr()?;
        let api_key = self
            .config
            .api_key
            .clone()
            .unwrap_or_else(|| DEFAULT_API_KEY.to_owned());
        let state = Arc::new(State::new(self.config, self.seed.unwrap_or_else(seed)));
        state.quota.set(self.requests_per_minute);
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
            .field("host", &self.host)
            .field("port", &self.port)
            .field("api_versions", &self.config.api_versions)
            .field("deployments", &self.config.deployments)
            .field("audio_ttl", &self.config.audio_ttl)
            .field("faults", &self.faults)
            .field("requests_per_minute", &self.requests_per_minute)
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

/// The README's Rust example is compiled as a doctest, so it cannot drift from the API.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

#[cfg(test)]
mod tests {
    use super::*;

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
