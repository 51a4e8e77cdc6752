//! Per-request overrides of the client's retry and timeout settings.

use std::time::Duration;

/// Settings for one request that override the [`Client`](crate::Client)'s.
///
/// Anything left unset uses the client's value.
///
/// ```no_run
/// # async fn f(client: azure_openai_audio::Client, request: azure_openai_audio::ChatRequest) -> azure_openai_audio::Result<()> {
/// use azure_openai_audio::RequestOptions;
/// use std::time::Duration;
/// let options = RequestOptions::new().max_retries(0).timeout(Duration::from_secs(30));
/// let reply = client.chat().complete_with(&request, &options).await?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestOptions {
    pub(crate) max_retries: Option<u32>,
    pub(crate) timeout: Option<Option<Duration>>,
    pub(crate) connect_timeout: Option<Option<Duration>>,
    pub(crate) idle_timeout: Option<Option<Duration>>,
}

impl RequestOptions {
    /// No overrides: the client's settings.
    pub fn new() -> Self {
        Self::default()
    }

    /// How many times this request is sent again after a retryable failure (0: never).
    pub fn max_retries(mut self, retries: u32) -> Self {
        self.max_retries = Some(retries);
        self
    }

    /// How long one attempt may take, until the whole reply is read (for a stream: until its
    /// headers arrive). `None` waits for ever.
    pub fn timeout(mut self, timeout: impl Into<Option<Duration>>) -> Self {
        self.timeout = Some(timeout.into());
        self
    }

    /// How long to wait for a new connection (`None`: no limit). A request with a connect
    /// timeout other than the client's uses a connection pool of its own, kept by the client
    /// for the next requests with that value (the client keeps a few such pools, dropping the
    /// least recently used).
    pub fn connect_timeout(mut self, timeout: impl Into<Option<Duration>>) -> Self {
        self.connect_timeout = Some(timeout.into());
        self
    }

    /// For streams: how long to wait for the next chunk. `None`, or a duration too long to add
    /// to the clock such as `Duration::MAX`, waits for ever.
    pub fn idle_timeout(mut self, timeout: impl Into<Option<Duration>>) -> Self {
        self.idle_timeout = Some(timeout.into());
        self
    }
}
