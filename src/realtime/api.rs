//! The Realtime API of a client (`client.realtime()`): open a session over a WebSocket, or mint
//! a client secret for a browser.

use std::time::Duration;

use crate::client::{Api, Client};
use crate::error::{Error, Result};
use crate::realtime::client_secret::{self, ClientSecret, ClientSecretRequest};
use crate::realtime::connection::RealtimeSession;
use crate::realtime::handshake;
use crate::realtime::keepalive::Keepalive;
use crate::realtime::protocol::RealtimeProtocol;
use crate::transport::options::RequestOptions;

/// How long a quiet session waits before it pings the server.
pub const DEFAULT_KEEPALIVE: Duration = Duration::from_secs(15);
/// How long a session waits for any frame (a pong included) before it fails with a timeout.
pub const DEFAULT_REALTIME_IDLE_LIMIT: Duration = Duration::from_secs(45);

/// The Realtime API of a [`Client`]: `client.realtime()`, for the client's [`Api::Realtime`]
/// deployment (`AZURE_OPENAI_REALTIME_DEPLOYMENT`, default `gpt-realtime`) on the GA protocol.
///
/// The handshake is a request like the others: the client's credential (`api-key`, or a
/// bearer token from its token cache, refreshed for each new connection), its TLS, proxy and
/// [`configure_http`](crate::ClientBuilder::configure_http) settings, its retry policy (a 429
/// is retried) and its request timeout (which bounds the handshake only). A refused handshake
/// is an [`ErrorKind::Api`](crate::ErrorKind::Api) error with the status, the body and the
/// request id.
///
/// ```no_run
/// # async fn f(client: azure_openai_audio::Client) -> azure_openai_audio::Result<()> {
/// use azure_openai_audio::realtime::RealtimeProtocol;
/// let session = client.realtime().deployment("gpt-4o-realtime-preview").protocol(RealtimeProtocol::Preview).connect().await?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct Realtime<'a> {
    client: &'a Client,
    deployment: Option<String>,
    protocol: RealtimeProtocol,
    keepalive: Keepalive,
    options: RequestOptions,
}

impl<'a> Realtime<'a> {
    pub(crate) fn new(client: &'a Client) -> Self {
        Realtime {
            client,
            deployment: None,
            protocol: RealtimeProtocol::Ga,
            keepalive: Keepalive {
                ping: Some(DEFAULT_KEEPALIVE),
                idle: Some(DEFAULT_REALTIME_IDLE_LIMIT),
            },
            options: RequestOptions::default(),
        }
    }

    /// Connects to `deployment` instead of the client's Realtime deployment.
    pub fn deployment(mut self, deployment: impl Into<String>) -> Self {
        self.deployment = Some(deployment.into());
        self
    }

    /// The protocol (default [`RealtimeProtocol::Ga`]).
    pub fn protocol(mut self, protocol: RealtimeProtocol) -> Self {
        self.protocol = protocol;
        self
    }

    /// Pings the server after this long without a frame from it (default 15 s; `None`: never).
    pub fn keepalive(mut self, every: impl Into<Option<Duration>>) -> Self {
        self.keepalive.ping = every.into();
        self
    }

    /// Ends the session with an [`ErrorKind::Timeout`](crate::ErrorKind::Timeout) error after
    /// this long without any frame from the server, pongs included (default 45 s; `None`:
    /// waits for ever). Keep it longer than the [`keepalive`](Self::keepalive).
    pub fn idle_limit(mut self, limit: impl Into<Option<Duration>>) -> Self {
        self.keepalive.idle = limit.into();
        self
    }

    /// Retry, timeout and extra headers or query parameters of the handshake (and of
    /// [`client_secret`](Self::client_secret)).
    pub fn options(mut self, options: RequestOptions) -> Self {
        self.options = options;
        self
    }

    /// The deployment the session goes to.
    pub fn deployment_name(&self) -> &str {
        self.deployment
            .as_deref()
            .unwrap_or_else(|| self.client.deployment_for(Api::Realtime))
    }

    /// Opens a session: the handshake (retried as the client's policy says), then the session
    /// whose first event is `session.created`.
    pub async fn connect(&self) -> Result<RealtimeSession> {
        if let (Some(ping), Some(idle)) = (self.keepalive.ping, self.keepalive.idle) {
            if idle <= ping {
                return Err(Error::invalid_input(format!(
                    "the idle limit ({} s) must be longer than the keepalive ({} s)",
                    idle.as_secs_f64(),
                    ping.as_secs_f64()
                )));
            }
        }
        let pipeline = self.client.pipeline();
        let (socket, metadata) = handshake::open(
            pipeline,
            self.deployment_name(),
            self.protocol,
            // A deployment set for this handler is not routed.
            match self.deployment {
                Some(_) => None,
                None => self.client.router(Api::Realtime),
            },
            &self.options,
        )
        .await?;
        Ok(RealtimeSession::start(
            socket,
            metadata,
            self.protocol,
            self.keepalive,
        ))
    }

    /// Mints a short-lived client secret for a browser or app (WebRTC), with the session's
    /// configuration: `POST {endpoint}/openai/v1/realtime/client_secrets`. The deployment is
    /// sent as the session's `model` unless the configuration names one.
    ///
    /// ```no_run
    /// # async fn f(client: azure_openai_audio::Client) -> azure_openai_audio::Result<()> {
    /// use azure_openai_audio::realtime::ClientSecretRequest;
    /// use azure_openai_audio::{RealtimeSessionConfig, Voice};
    /// use std::time::Duration;
    /// let request = ClientSecretRequest::new(RealtimeSessionConfig::new().voice(Voice::Marin))
    ///     .expires_after(Duration::from_secs(600));
    /// let secret = client.realtime().client_secret(request).await?;
    /// let for_the_browser: &str = secret.value.expose_secret();
    /// # Ok(()) }
    /// ```
    pub async fn client_secret(
        &self,
        request: impl Into<ClientSecretRequest>,
    ) -> Result<ClientSecret> {
        client_secret::create(
            self.client.pipeline(),
            self.deployment_name(),
            request.into(),
            &self.options,
        )
        .await
    }
}
