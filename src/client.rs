//! The client: where requests go, how they authenticate, one connection pool.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use url::{Host, Url};

use crate::chat::Chat;
use crate::credential::Credential;
use crate::error::{Error, Result};
use crate::transport::pools::Pools;
use crate::transport::retry::{RetryBudget, RetryPolicy, TokenBucket};

/// The API version used unless another is chosen.
pub const DEFAULT_API_VERSION: &str = "2025-01-01-preview";
/// The deployment `from_env` uses when `AZURE_OPENAI_DEPLOYMENT_NAME` is unset, as the quickstarts do.
pub const DEFAULT_DEPLOYMENT: &str = "gpt-4o-mini-audio-preview";
/// Default connect timeout.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default whole-request timeout (as the Python SDK).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(600);
/// Default idle timeout of a stream: the longest wait for its next chunk.
pub const DEFAULT_STREAM_IDLE_TIMEOUT: Duration = Duration::from_secs(60);

/// The environment variables `from_env` reads.
pub mod env {
    /// `https://<resource>.openai.azure.com/` (required).
    pub const ENDPOINT: &str = "AZURE_OPENAI_ENDPOINT";
    /// The deployment name (default `gpt-4o-mini-audio-preview`).
    pub const DEPLOYMENT: &str = "AZURE_OPENAI_DEPLOYMENT_NAME";
    /// The API version (default `2025-01-01-preview`).
    pub const API_VERSION: &str = "OPENAI_API_VERSION";
    /// The API key; when unset, Microsoft Entra ID is used.
    pub const API_KEY: &str = "AZURE_OPENAI_API_KEY";
}

/// Which URL shape chat requests use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Route {
    /// `{endpoint}/openai/deployments/{deployment}/chat/completions?api-version=...`
    Deployments,
    /// `{endpoint}/openai/v1/chat/completions`, with the deployment as `model` in the body and no api-version.
    V1,
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
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    /// Connection pools, shared by every clone and every [`Client::with_deployment`] client.
    pub(crate) http: Arc<Pools>,
    pub(crate) endpoint: Url,
    pub(crate) deployment: String,
    pub(crate) api_version: String,
    pub(crate) route: Route,
    pub(crate) credential: Credential,
    pub(crate) chat_url: Url,
    pub(crate) retry: RetryPolicy,
    /// Shared by every clone and every [`Client::with_deployment`] client.
    pub(crate) budget: Option<Arc<TokenBucket>>,
    pub(crate) timeout: Option<Duration>,
    pub(crate) idle_timeout: Option<Duration>,
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
            deployment: deployment.into(),
            credential,
            api_version: DEFAULT_API_VERSION.to_owned(),
            route: Route::Deployments,
            connect_timeout: Some(DEFAULT_CONNECT_TIMEOUT),
            timeout: Some(DEFAULT_TIMEOUT),
            idle_timeout: Some(DEFAULT_STREAM_IDLE_TIMEOUT),
            retry: RetryPolicy::default(),
            budget: Some(RetryBudget::default()),
            endpoint_var: None,
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
        let deployment = get(env::DEPLOYMENT)?.unwrap_or_else(|| DEFAULT_DEPLOYMENT.to_owned());
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
        let mut b = Self::builder(endpoint, deployment, credential).api_version(api_version);
        b.endpoint_var = Some(env::ENDPOINT);
        Ok(b)
    }

    /// The chat completions API.
    pub fn chat(&self) -> Chat<'_> {
        Chat { client: self }
    }

    /// A client for another deployment of the same resource, sharing the connection pool, the
    /// credential (and its token cache) and the retry budget. An empty name is a
    /// configuration error.
    pub fn with_deployment(&self, deployment: impl Into<String>) -> Result<Client> {
        let deployment = deployment.into();
        check_deployment(&deployment)?;
        let i = &self.inner;
        let chat_url = chat_url(&i.endpoint, i.route, &deployment, &i.api_version);
        Ok(Client {
            inner: Arc::new(Inner {
                http: i.http.clone(),
                endpoint: i.endpoint.clone(),
                deployment,
                api_version: i.api_version.clone(),
                route: i.route,
                credential: i.credential.clone(),
                chat_url,
                retry: i.retry.clone(),
                budget: i.budget.clone(),
                timeout: i.timeout,
                idle_timeout: i.idle_timeout,
            }),
        })
    }

    /// The resource endpoint.
    pub fn endpoint(&self) -> &Url {
        &self.inner.endpoint
    }

    /// The deployment.
    pub fn deployment(&self) -> &str {
        &self.inner.deployment
    }

    /// The API version.
    pub fn api_version(&self) -> &str {
        &self.inner.api_version
    }

    /// The URL chat requests go to.
    pub fn chat_completions_url(&self) -> &Url {
        &self.inner.chat_url
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
        f.debug_struct("Client")
            .field("endpoint", &self.inner.endpoint.as_str())
            .field("deployment", &self.inner.deployment)
            .field("api_version", &self.inner.api_version)
            .field("route", &self.inner.route)
            .field("credential", &self.inner.credential)
            .finish()
    }
}

/// Options for a [`Client`]. Setters never fail; [`build`](ClientBuilder::build) reports the first problem.
#[derive(Debug)]
pub struct ClientBuilder {
    endpoint: String,
    deployment: String,
    credential: Credential,
    api_version: String,
    route: Route,
    connect_timeout: Option<Duration>,
    timeout: Option<Duration>,
    idle_timeout: Option<Duration>,
    retry: RetryPolicy,
    budget: Option<RetryBudget>,
    endpoint_var: Option<&'static str>,
}

impl ClientBuilder {
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

    /// How long to wait for a connection (default 10 s; `None`: no limit).
    /// Per request: [`RequestOptions::connect_timeout`](crate::RequestOptions::connect_timeout).
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

    /// Checks everything and builds the client.
    pub fn build(self) -> Result<Client> {
        let endpoint = parse_endpoint(&self.endpoint).map_err(|why| match self.endpoint_var {
            Some(var) => Error::config(format!("{var} {why}")),
            None => Error::config(format!("the endpoint {why}")),
        })?;
        check_deployment(&self.deployment)?;
        if self.api_version.trim().is_empty() {
            return Err(Error::config("the api-version is empty"));
        }
        self.credential.validate()?;
        let http = Arc::new(Pools::new(
            endpoint.scheme() == "http",
            self.connect_timeout,
        )?);
        let chat_url = chat_url(&endpoint, self.route, &self.deployment, &self.api_version);
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                endpoint,
                deployment: self.deployment,
                api_version: self.api_version,
                route: self.route,
                credential: self.credential,
                chat_url,
                retry: self.retry,
                budget: self.budget.map(|b| Arc::new(TokenBucket::new(b))),
                timeout: self.timeout,
                idle_timeout: self.idle_timeout,
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

fn chat_url(endpoint: &Url, route: Route, deployment: &str, api_version: &str) -> Url {
    let mut url = endpoint.clone();
    if let Ok(mut segments) = url.path_segments_mut() {
        segments.pop_if_empty();
        match route {
            Route::Deployments => {
                segments.extend(["openai", "deployments", deployment, "chat", "completions"])
            }
            Route::V1 => segments.extend(["openai", "v1", "chat", "completions"]),
        };
    }
    if route == Route::Deployments {
        url.query_pairs_mut()
            .append_pair("api-version", api_version);
    }
    url
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(
        pairs: &'static [(&'static str, &'static str)],
    ) -> impl Fn(&str) -> std::result::Result<String, std::env::VarError> {
        move |name| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
                .ok_or(std::env::VarError::NotPresent)
        }
    }

    #[test]
    fn endpoints() {
        for ok in [
            "https://r.openai.azure.com",
            "https://r.openai.azure.com/",
            "http://127.0.0.1:8080",
            "http://localhost:1/",
            "http://[::1]:9/",
        ] {
            assert!(parse_endpoint(ok).is_ok(), "{ok}");
        }
        for bad in [
            "r.openai.azure.com",
            "http://r.openai.azure.com",
            "ftp://x",
            "https://u:p@r.openai.azure.com",
            "",
        ] {
            assert!(parse_endpoint(bad).is_err(), "{bad}");
        }
        let c = Client::new(
            "https://r.openai.azure.com/",
            "dep",
            Credential::api_key("k"),
        )
        .unwrap();
        assert_eq!(
            c.chat_completions_url().as_str(),
            "https://r.openai.azure.com/openai/deployments/dep/chat/completions?api-version=2025-01-01-preview"
        );
        let c = Client::new(
            "https://gw.example.com/aoai",
            "dep",
            Credential::api_key("k"),
        )
        .unwrap();
        assert_eq!(
            c.chat_completions_url().path(),
            "/aoai/openai/deployments/dep/chat/completions"
        );
        let v1 = Client::builder(
            "https://r.openai.azure.com",
            "dep",
            Credential::api_key("k"),
        )
        .route(Route::V1)
        .build()
        .unwrap();
        assert_eq!(
            v1.chat_completions_url().as_str(),
            "https://r.openai.azure.com/openai/v1/chat/completions"
        );
    }

    #[test]
    fn from_env_names_the_variable() {
        let e = Client::builder_from_vars(vars(&[])).unwrap_err();
        assert!(
            e.to_string().contains("AZURE_OPENAI_ENDPOINT is not set"),
            "{e}"
        );
        let e = Client::builder_from_vars(vars(&[
            ("AZURE_OPENAI_ENDPOINT", "not a url"),
            ("AZURE_OPENAI_API_KEY", "k"),
        ]))
        .unwrap()
        .build()
        .unwrap_err();
        assert!(
            e.to_string().contains("AZURE_OPENAI_ENDPOINT is not a URL"),
            "{e}"
        );
        let e = Client::builder_from_vars(vars(&[
            ("AZURE_OPENAI_ENDPOINT", "https://x.openai.azure.com"),
            ("AZURE_OPENAI_API_KEY", "bad\nkey"),
        ]))
        .unwrap_err();
        assert!(
            e.to_string().contains("AZURE_OPENAI_API_KEY contains"),
            "{e}"
        );
        let c = Client::builder_from_vars(vars(&[
            ("AZURE_OPENAI_ENDPOINT", "https://x.openai.azure.com/"),
            ("AZURE_OPENAI_API_KEY", "k"),
            ("OPENAI_API_VERSION", "2025-04-01-preview"),
        ]))
        .unwrap()
        .build()
        .unwrap();
        assert_eq!(c.deployment(), "gpt-4o-mini-audio-preview");
        assert_eq!(c.api_version(), "2025-04-01-preview");
    }

    #[test]
    fn debug_is_pinned() {
        let c = Client::new(
            "https://r.openai.azure.com/",
            "dep",
            Credential::api_key("sk-secret"),
        )
        .unwrap();
        assert_eq!(
            format!("{c:?}"),
            "Client { endpoint: \"https://r.openai.azure.com/\", deployment: \"dep\", api_version: \"2025-01-01-preview\", route: Deployments, credential: Credential::ApiKey(<redacted>) }"
        );
    }

    #[test]
    fn send_sync_clone() {
        fn check<T: Send + Sync + Clone + 'static>() {}
        check::<Client>();
        check::<Credential>();
        check::<crate::ChatRequest>();
        fn err<T: Send + Sync + std::error::Error + 'static>() {}
        err::<crate::Error>();
    }
}
