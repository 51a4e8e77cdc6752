//! The client: where requests go, how they authenticate, one connection pool.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use url::{Host, Url};

use crate::chat::Chat;
use crate::credential::Credential;
use crate::error::{Error, Result};
use crate::routing::router::Router;
use crate::routing::{BackendSnapshot, Pool};
use crate::transcription::{Transcriptions, Translations};
use crate::transport::http::{self, HttpHook};
use crate::transport::pipeline::Pipeline;
use crate::transport::retry::{RetryBudget, RetryPolicy, TokenBucket};
use crate::transport::route::Resource;

pub use crate::transport::route::Route;

/// The API version used unless another is chosen.
pub const DEFAULT_API_VERSION: &str = "2025-04-01-preview";
/// The deployment `from_env` uses when `AZURE_OPENAI_DEPLOYMENT_NAME` is unset, as the quickstarts do.
pub const DEFAULT_DEPLOYMENT: &str = "gpt-4o-mini-audio-preview";
/// Default connect timeout.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default whole-request timeout (as the Python SDK).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(600);
/// Default idle timeout of a stream: the longest wait for its next chunk.
pub const DEFAULT_STREAM_IDLE_TIMEOUT: Duration = Duration::from_secs(60);
/// Default [`max_reply_size`](ClientBuilder::max_reply_size): 256 MiB, far above the largest
/// real reply (a chat reply with its audio is a few MiB) and far below a machine's memory.
pub const DEFAULT_MAX_REPLY_SIZE: u64 = 256 * 1024 * 1024;

/// The environment variables `from_env` reads.
pub mod env {
    /// `https://<resource>.openai.azure.com/` (required).
    pub const ENDPOINT: &str = "AZURE_OPENAI_ENDPOINT";
    /// The deployment name (default `gpt-4o-mini-audio-preview`).
    pub const DEPLOYMENT: &str = "AZURE_OPENAI_DEPLOYMENT_NAME";
    /// The API version (default `2025-04-01-preview`).
    pub const API_VERSION: &str = "OPENAI_API_VERSION";
    /// The API key; when unset, Microsoft Entra ID is used.
    pub const API_KEY: &str = "AZURE_OPENAI_API_KEY";
    /// The text-to-speech deployment (default `gpt-4o-mini-tts`).
    pub const TTS_DEPLOYMENT: &str = "AZURE_OPENAI_TTS_DEPLOYMENT";
    /// The transcription deployment (default `gpt-4o-mini-transcribe`).
    pub const TRANSCRIBE_DEPLOYMENT: &str = "AZURE_OPENAI_TRANSCRIBE_DEPLOYMENT";
    /// The translation deployment (default `whisper`).
    pub const TRANSLATE_DEPLOYMENT: &str = "AZURE_OPENAI_TRANSLATE_DEPLOYMENT";
    /// The Realtime deployment (default `gpt-realtime`).
    pub const REALTIME_DEPLOYMENT: &str = "AZURE_OPENAI_REALTIME_DEPLOYMENT";
}

/// An Azure OpenAI client for one resource and deployment.
///
/// Cheap to clone (an `Arc` inside), `Send + Sync`, one connection pool shared by all clones.
///
/// ```no_run
/// # async fn f() -> azure_openai_audio::Result<()> {
/// use azure_openai_audio::{Client, Credential};
/// let client = Client::new("https://my-resource.openai.azure.com", "gpt-4o-mini-audio-preview", Credential::api_key("..."))?;
/// let from_env = Client::from_env()?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    /// Shared by every clone and every [`Client::with_deployment`] client: one connection
    /// pool, one token cache, one retry budget.
    pipeline: Arc<Pipeline>,
    deployments: Deployments,
    /// The APIs whose requests are routed over a pool.
    routers: Routers,
}

impl Client {
    /// A client with default options.
    pub fn new(
        endpoint: impl AsRef<str>,
        deployment: impl Into<String>,
        credential: Credential,
    ) -> Result<Client> {
        Self::builder(endpoint, deployment, credential).build()
    }

    /// A builder, for the options.
    pub fn builder(
        endpoint: impl AsRef<str>,
        deployment: impl Into<String>,
        credential: Credential,
    ) -> ClientBuilder {
        ClientBuilder {
            endpoint: endpoint.as_ref().to_owned(),
            deployments: Deployments::all(&deployment.into()),
            credential,
            api_version: DEFAULT_API_VERSION.to_owned(),
            route: Route::Deployments,
            connect_timeout: Some(DEFAULT_CONNECT_TIMEOUT),
            timeout: Some(DEFAULT_TIMEOUT),
            idle_timeout: Some(DEFAULT_STREAM_IDLE_TIMEOUT),
            retry: RetryPolicy::default(),
            budget: Some(RetryBudget::default()),
            max_reply_size: DEFAULT_MAX_REPLY_SIZE,
            http_hook: HttpHook::default(),
            endpoint_var: None,
            pools: Vec::new(),
        }
    }

    /// Reads the quickstarts' variables: `AZURE_OPENAI_ENDPOINT` (required),
    /// `AZURE_OPENAI_DEPLOYMENT_NAME`, `OPENAI_API_VERSION`, and `AZURE_OPENAI_API_KEY`
    /// (when unset or empty: Entra ID through the developer tools, with the `entra-id` feature).
    /// An error names the variable that is missing or malformed.
    pub fn from_env() -> Result<Client> {
        Self::builder_from_vars(|name| std::env::var(name))?.build()
    }

    /// Like [`from_env`](Client::from_env), but returns the builder so options can be set.
    pub fn builder_from_env() -> Result<ClientBuilder> {
        Self::builder_from_vars(|name| std::env::var(name))
    }

    pub(crate) fn builder_from_vars(
        var: impl Fn(&str) -> std::result::Result<String, std::env::VarError>,
    ) -> Result<ClientBuilder> {
        let get = |name: &str| -> Result<Option<String>> {
            match var(name) {
                Ok(v) if v.trim().is_empty() => Ok(None),
                Ok(v) => Ok(Some(v.trim().to_owned())),
                Err(std::env::VarError::NotPresent) => Ok(None),
                Err(std::env::VarError::NotUnicode(_)) => {
                    Err(Error::config(format!("{name} is not valid unicode")))
                }
            }
        };
        let endpoint = get(env::ENDPOINT)?.ok_or_else(|| {
            Error::config(format!(
                "{} is not set (e.g. https://<resource>.openai.azure.com/)",
                env::ENDPOINT
            ))
        })?;
        let mut deployments = Vec::new();
        for api in Api::ALL {
            let name = get(api.env_var())?.unwrap_or_else(|| api.default_deployment().to_owned());
            deployments.push((api, name));
        }
        let api_version = get(env::API_VERSION)?.unwrap_or_else(|| DEFAULT_API_VERSION.to_owned());
        let credential = match get(env::API_KEY)? {
            Some(key) => {
                let c = Credential::api_key(key);
                c.validate().map_err(|_| {
                    Error::config(format!(
                        "{} contains characters that cannot be sent in a header",
                        env::API_KEY
                    ))
                })?;
                c
            }
            None => entra_from_env()?,
        };
        let mut b = Self::builder(endpoint, "", credential).api_version(api_version);
        for (api, name) in deployments {
            b = b.deployment_for(api, name);
        }
        b.endpoint_var = Some(env::ENDPOINT);
        Ok(b)
    }

    /// The chat completions API.
    pub fn chat(&self) -> Chat<'_> {
        Chat { client: self }
    }

    /// The transcription API (speech to text, `audio/transcriptions`), on the client's
    /// transcription deployment.
    pub fn transcriptions(&self) -> Transcriptions<'_> {
        Transcriptions {
            client: self,
            deployment: None,
        }
    }

    /// The translation API (speech to English text, `audio/translations`), on the client's
    /// translation deployment.
    pub fn translations(&self) -> Translations<'_> {
        Translations {
            client: self,
            deployment: None,
        }
    }

    /// The text-to-speech API, for the [`Api::Speech`] deployment.
    pub fn speech(&self) -> crate::speech::Speech<'_> {
        crate::speech::Speech::new(self)
    }

    /// The Realtime API (WebSocket sessions, client secrets), for the [`Api::Realtime`]
    /// deployment.
    pub fn realtime(&self) -> crate::realtime::Realtime<'_> {
        crate::realtime::Realtime::new(self)
    }

    /// What the pool routing `api`'s requests knows about each of its backends now (requests,
    /// 429s, failures, in flight, cool-down, circuit, the last rate-limit counters), in the
    /// pool's order; `None` when `api` is not routed (see [`ClientBuilder::routing`]).
    pub fn routing(&self, api: Api) -> Option<Vec<BackendSnapshot>> {
        self.inner.routers.get(api).map(|router| router.snapshots())
    }

    /// The router of `api`'s requests, if it is routed.
    pub(crate) fn router(&self, api: Api) -> Option<Arc<Router>> {
        self.inner.routers.get(api).cloned()
    }

    /// A client whose every API uses `deployment` (none routed), sharing this one's connection pool,
    /// credential (and its token cache) and retry budget. An empty name is a configuration error.
    pub fn with_deployment(&self, deployment: impl Into<String>) -> Result<Client> {
        let deployment = deployment.into();
        check_deployment(&deployment)?;
        Ok(Client {
            inner: Arc::new(Inner {
                pipeline: self.inner.pipeline.clone(),
                deployments: Deployments::all(&deployment),
                routers: Routers::default(),
            }),
        })
    }

    /// A client like this one whose `api` uses `deployment`, not routed (the other APIs keep
    /// theirs and their routing),
    /// sharing this one's connection pool, credential (and its token cache) and retry budget.
    /// An empty name is a configuration error.
    pub fn with_deployment_for(&self, api: Api, deployment: impl Into<String>) -> Result<Client> {
        let deployment = deployment.into();
        check_deployment(&deployment)?;
        let mut deployments = self.inner.deployments.clone();
        deployments.set(api, deployment);
        let mut routers = self.inner.routers.clone();
        routers.remove(api);
        Ok(Client {
            inner: Arc::new(Inner {
                pipeline: self.inner.pipeline.clone(),
                deployments,
                routers,
            }),
        })
    }

    /// The resource endpoint.
    pub fn endpoint(&self) -> &Url {
        &self.inner.pipeline.resource().endpoint
    }

    /// The chat deployment (the one given to [`Client::new`]).
    pub fn deployment(&self) -> &str {
        self.inner.deployments.get(Api::Chat)
    }

    /// The deployment `api` uses.
    pub fn deployment_for(&self, api: Api) -> &str {
        self.inner.deployments.get(api)
    }

    /// The API version.
    pub fn api_version(&self) -> &str {
        &self.inner.pipeline.resource().api_version
    }

    /// The URL shape.
    pub fn route(&self) -> Route {
        self.inner.pipeline.resource().route
    }

    /// What the API modules send through.
    pub(crate) fn pipeline(&self) -> &Pipeline {
        &self.inner.pipeline
    }

    /// The URL of `path` (such as `chat/completions`) for this client's deployment.
    #[cfg(test)]
    pub(crate) fn url_for(&self, path: &str) -> Url {
        self.pipeline().resource().url(self.deployment(), path)
    }
}

#[cfg(feature = "entra-id")]
fn entra_from_env() -> Result<Credential> {
    Credential::developer_tools()
}

#[cfg(not(feature = "entra-id"))]
fn entra_from_env() -> Result<Credential> {
    Err(Error::config(format!(
        "{} is not set, and Entra ID needs the `entra-id` feature",
        env::API_KEY
    )))
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let pipeline = &self.inner.pipeline;
        f.debug_struct("Client")
            .field("endpoint", &pipeline.resource().endpoint.as_str())
            .field("deployment", &self.deployment())
            .field("api_version", &pipeline.resource().api_version)
            .field("route", &pipeline.resource().route)
            .field("credential", &pipeline.credential)
            .finish()
    }
}

/// Options for a [`Client`]. Setters never fail; [`build`](ClientBuilder::build) reports the first problem.
#[derive(Debug)]
pub struct ClientBuilder {
    endpoint: String,
    deployments: Deployments,
    credential: Credential,
    api_version: String,
    route: Route,
    connect_timeout: Option<Duration>,
    timeout: Option<Duration>,
    idle_timeout: Option<Duration>,
    retry: RetryPolicy,
    budget: Option<RetryBudget>,
    max_reply_size: u64,
    http_hook: HttpHook,
    endpoint_var: Option<&'static str>,
    pools: Vec<(Api, Pool)>,
}

impl ClientBuilder {
    /// The deployment `api` uses, instead of the one given to [`Client::builder`]. One client
    /// (one connection pool, token cache and retry budget) then serves every deployment:
    ///
    /// ```no_run
    /// # fn f() -> azure_openai_audio::Result<()> {
    /// use azure_openai_audio::{Api, Client, Credential};
    /// let client = Client::builder("https://my-resource.openai.azure.com", "gpt-4o-mini-audio-preview", Credential::api_key("..."))
    ///     .deployment_for(Api::Speech, "tts")
    ///     .deployment_for(Api::Transcription, "whisper")
    ///     .build()?;
    /// # Ok(()) }
    /// ```
    pub fn deployment_for(mut self, api: Api, deployment: impl Into<String>) -> Self {
        self.deployments.set(api, deployment.into());
        self
    }

    /// Routes `api`'s requests over `pool`'s backends (each an endpoint and a deployment, with
    /// its own credential or the client's), instead of the client's endpoint and deployment for
    /// that API; the other APIs are unchanged, and so is the code of a request
    /// (`client.transcriptions().create(..)`). A later call for the same API replaces the pool.
    ///
    /// Each attempt goes to the backend the pool picks (priority, weight, the service's
    /// `x-ratelimit-remaining-*` counters, client-side limits), and the pool learns what it
    /// answered. A 429 cools that backend down for the time the service asked, and the request
    /// moves at once to another backend, without counting as a retry; only when every backend
    /// is cooling down does it wait for the first one back (a wait that counts as a retry, and
    /// is not taken beyond the retry policy's
    /// [`max_retry_after`](crate::RetryPolicy::max_retry_after): then the 429 is returned). A 5xx
    /// or a connection failure counts against the backend's circuit and is retried as the retry
    /// policy says, at once when another backend is free. A request that failed says which
    /// backends it tried and what each answered ([`Error::backends_tried`]). A stream stays on
    /// the backend that answered it. A call with its own deployment
    /// ([`Transcriptions::deployment`](crate::Transcriptions::deployment)) is not routed.
    ///
    /// [`Client::routing`] shows each backend's state. Each backend's endpoint is checked as
    /// the client's is (by [`build`](ClientBuilder::build)); the URL shape and API version are
    /// the client's.
    ///
    /// ```no_run
    /// # fn f() -> azure_openai_audio::Result<()> {
    /// use azure_openai_audio::routing::{Backend, Limits, Pool, RoutingConfig};
    /// use azure_openai_audio::{Api, Client, Credential};
    /// let backends = [
    ///     "https://ptu.openai.azure.com|whisper".parse::<Backend>()?,
    ///     "https://eastus.openai.azure.com|whisper|1"
    ///         .parse::<Backend>()?
    ///         .limits(Limits::new().requests_per_minute(3)),
    ///     "https://westeurope.openai.azure.com|whisper|1"
    ///         .parse::<Backend>()?
    ///         .credential(Credential::api_key("...")),
    /// ];
    /// let pool = Pool::new(backends, RoutingConfig::default())?;
    /// let client = Client::builder("https://ptu.openai.azure.com", "whisper", Credential::api_key("..."))
    ///     .routing(Api::Transcription, pool)
    ///     .build()?;
    /// # Ok(()) }
    /// ```
    pub fn routing(mut self, api: Api, pool: Pool) -> Self {
        self.pools.retain(|(a, _)| *a != api);
        self.pools.push((api, pool));
        self
    }

    /// The API version (default [`DEFAULT_API_VERSION`]).
    pub fn api_version(mut self, version: impl Into<String>) -> Self {
        self.api_version = version.into();
        self
    }

    /// The URL shape (default [`Route::Deployments`]).
    pub fn route(mut self, route: Route) -> Self {
        self.route = route;
        self
    }

    /// How long to wait for a connection (default 10 s; `None`: no limit), for every request of
    /// the client (reqwest sets it per connection pool, and the client has one).
    pub fn connect_timeout(mut self, timeout: impl Into<Option<Duration>>) -> Self {
        self.connect_timeout = timeout.into();
        self
    }

    /// How long one attempt may take, until the whole reply is read (default 600 s, as the
    /// Python SDK; `None`: no limit). For a stream it covers the wait for the response headers;
    /// the chunks then have the [`stream_idle_timeout`](ClientBuilder::stream_idle_timeout).
    /// Per request: [`RequestOptions::timeout`](crate::RequestOptions::timeout).
    pub fn timeout(mut self, timeout: impl Into<Option<Duration>>) -> Self {
        self.timeout = timeout.into();
        self
    }

    /// How long a stream may go without sending a chunk (default 60 s; `None`: no limit).
    /// Per request: [`RequestOptions::idle_timeout`](crate::RequestOptions::idle_timeout).
    pub fn stream_idle_timeout(mut self, timeout: impl Into<Option<Duration>>) -> Self {
        self.idle_timeout = timeout.into();
        self
    }

    /// How many times a failed request is sent again (default 2; 0 turns retries off).
    /// Shorthand for changing [`retry_policy`](ClientBuilder::retry_policy)'s `max_retries`.
    pub fn max_retries(mut self, retries: u32) -> Self {
        self.retry = self.retry.max_retries(retries);
        self
    }

    /// When and how failed requests are retried (default [`RetryPolicy::default`]).
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// The retry budget shared by all requests of the client and its clones (default
    /// [`RetryBudget::default`]; `None` turns it off, leaving only `max_retries` as a limit).
    pub fn retry_budget(mut self, budget: impl Into<Option<RetryBudget>>) -> Self {
        self.budget = budget.into();
        self
    }

    /// The largest reply read into memory (default [`DEFAULT_MAX_REPLY_SIZE`], 256 MiB). A reply
    /// whose `Content-Length` says more is refused before its body is read; a body without one
    /// is read until it goes past the limit. Either way the request fails with
    /// [`ErrorKind::ReplyTooLarge`](crate::ErrorKind::ReplyTooLarge) (not retried) and the
    /// connection is closed. A stream's events have their own limit (64 MiB each). 0 is a
    /// configuration error.
    pub fn max_reply_size(mut self, bytes: u64) -> Self {
        self.max_reply_size = bytes;
        self
    }

    /// Adjusts the HTTP client: a root certificate, a proxy, a client certificate (mTLS),
    /// default headers. `f` gets reqwest's builder with the crate's user agent and
    /// [`connect_timeout`](ClientBuilder::connect_timeout), which it may change; several calls
    /// apply in order. After it, the crate sets what it needs whatever `f` did: HTTP/1.1, no
    /// compression (no `Accept-Encoding`), no redirects, and no proxy for a plain-`http`
    /// (loopback) endpoint. Do not set reqwest's `timeout` there: it would cut streams short;
    /// use [`timeout`](ClientBuilder::timeout), which the crate applies per attempt.
    ///
    /// ```no_run
    /// # fn f(ca_pem: &[u8]) -> azure_openai_audio::Result<()> {
    /// use azure_openai_audio::{Client, Credential};
    /// let ca = reqwest::Certificate::from_pem(ca_pem).expect("a PEM certificate");
    /// let client = Client::builder("https://my-resource.openai.azure.com", "gpt-4o-mini-audio-preview", Credential::api_key("..."))
    ///     .configure_http(move |http| http.add_root_certificate(ca))
    ///     .build()?;
    /// # Ok(()) }
    /// ```
    pub fn configure_http(
        mut self,
        f: impl FnOnce(reqwest::ClientBuilder) -> reqwest::ClientBuilder + Send + Sync + 'static,
    ) -> Self {
        self.http_hook = self.http_hook.then(f);
        self
    }

    /// Checks everything and builds the client.
    pub fn build(self) -> Result<Client> {
        let endpoint = parse_endpoint(&self.endpoint).map_err(|why| match self.endpoint_var {
            Some(var) => Error::config(format!("{var} {why}")),
            None => Error::config(format!("the endpoint {why}")),
        })?;
        self.deployments.check()?;
        if self.api_version.trim().is_empty() {
            return Err(Error::config("the api-version is empty"));
        }
        self.credential.validate()?;
        if self.max_reply_size == 0 {
            return Err(Error::config(
                "max_reply_size is 0: every reply would be refused",
            ));
        }
        let mut routers = Routers::default();
        for (api, pool) in self.pools {
            let router = Router::new(pool, self.route, &self.api_version)
                .map_err(|e| e.with_context(format!("the {api} routing pool")))?;
            routers.set(api, Arc::new(router));
        }
        let http = http::build(
            endpoint.scheme() == "http",
            self.connect_timeout,
            self.http_hook,
        )?;
        let pipeline = Pipeline {
            http,
            resource: Resource {
                endpoint,
                route: self.route,
                api_version: self.api_version,
            },
            credential: self.credential,
            retry: self.retry,
            budget: self.budget.map(TokenBucket::new),
            timeout: self.timeout,
            idle_timeout: self.idle_timeout,
            max_reply_size: self.max_reply_size,
        };
        Ok(Client {
            inner: Arc::new(Inner {
                pipeline: Arc::new(pipeline),
                deployments: self.deployments,
                routers,
            }),
        })
    }
}

/// Parses and checks an endpoint: a URL, https unless the host is loopback, no credentials,
/// query or fragment. The path (for gateways) is kept.
pub(crate) fn parse_endpoint(text: &str) -> std::result::Result<Url, String> {
    let url = Url::parse(text.trim()).map_err(|e| format!("is not a URL ({e}): {text:?}"))?;
    let loopback = match url.host() {
        Some(Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(Host::Ipv4(ip)) => ip.is_loopback(),
        Some(Host::Ipv6(ip)) => ip.is_loopback(),
        None => return Err(format!("has no host: {text:?}")),
    };
    match url.scheme() {
        "https" => {}
        "http" if loopback => {}
        "http" => {
            return Err(format!(
                "must use https (http is allowed only for loopback hosts): {text:?}"
            ))
        }
        other => return Err(format!("must be an https URL, not {other}: {text:?}")),
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("must not contain a user name or password".to_owned());
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(format!("must not have a query or fragment: {text:?}"));
    }
    Ok(url)
}

fn check_deployment(name: &str) -> Result<()> {
    if name.trim().is_empty() {
        return Err(Error::config("the deployment name is empty"));
    }
    Ok(())
}

mod deployments;
mod routers;
#[cfg(test)]
mod tests;

pub use deployments::Api;
use deployments::Deployments;
use routers::Routers;
