//! Tracing of requests (feature `tracing`): a span `aoai.request` per request (API, deployment,
//! method) and an event per attempt (attempt number, status, request id, what happens next and
//! after what delay; for a routed request the backend: its index, endpoint host and deployment),
//! and for routed requests an event per cool-down and per wait for a backend. Never a URL, a
//! header, a body, a key, a token, prompt text or audio. Without the feature every function
//! here is empty.

use std::future::Future;
use std::time::Duration;

use crate::error::Error;
use crate::transport::request::ApiRequest;

/// What follows a failed attempt.
#[derive(Debug, Clone, Copy)]
#[cfg_attr(not(feature = "tracing"), allow(dead_code))]
pub(crate) enum Next {
    /// Sent again after this delay.
    RetryIn(Duration),
    /// Sent again at once with a new token, the old one having been refused.
    NewToken,
    /// Sent again at once to another backend of the pool.
    OtherBackend,
    /// Sent again to the first backend of the pool that can take it, every one being busy.
    WaitForBackend,
    /// The error is returned.
    GiveUp,
}

/// The backend a routed attempt went to, as traces name it.
#[derive(Debug, Clone, Copy)]
#[cfg_attr(not(feature = "tracing"), allow(dead_code))]
pub(crate) struct Backend<'a> {
    /// Its index in the pool.
    pub(crate) index: usize,
    /// Its endpoint's host.
    pub(crate) host: &'a str,
    /// Its deployment.
    pub(crate) deployment: &'a str,
}

/// The status and request id of a successful response, kept for its event.
#[derive(Debug, Default)]
pub(crate) struct Seen {
    #[cfg(feature = "tracing")]
    status: u16,
    #[cfg(feature = "tracing")]
    request_id: Option<String>,
}

impl Seen {
    /// Notes what `response` says (nothing without the feature).
    #[cfg_attr(not(feature = "tracing"), allow(unused_variables))]
    pub(crate) fn note(&mut self, response: &reqwest::Response) {
        #[cfg(feature = "tracing")]
        {
            let header = |name| response.headers().get(name).and_then(|v| v.to_str().ok());
            self.status = response.status().as_u16();
            self.request_id = header("x-request-id")
                .or_else(|| header("apim-request-id"))
                .map(str::to_owned);
        }
    }
}

/// Runs `future` inside the request's span.
#[cfg_attr(not(feature = "tracing"), allow(unused_variables))]
pub(crate) async fn in_span<F: Future>(request: &ApiRequest, future: F) -> F::Output {
    #[cfg(feature = "tracing")]
    {
        use tracing::Instrument as _;
        let span = tracing::info_span!(
            "aoai.request",
            api = request.api,
            deployment = request.deployment.as_str(),
            method = request.method.as_str(),
        );
        future.instrument(span).await
    }
    #[cfg(not(feature = "tracing"))]
    future.await
}

/// Attempt number `attempt` (from 1) got a successful reply, read and decoded.
#[cfg_attr(not(feature = "tracing"), allow(unused_variables))]
pub(crate) fn succeeded(attempt: u32, seen: &Seen, backend: Option<&Backend<'_>>) {
    #[cfg(feature = "tracing")]
    tracing::debug!(
        attempt,
        backend = backend.map(|b| b.index),
        backend_host = backend.map(|b| b.host),
        backend_deployment = backend.map(|b| b.deployment),
        status = seen.status,
        request_id = seen.request_id.as_deref(),
        outcome = "ok",
        "attempt succeeded"
    );
}

/// Attempt number `attempt` (from 1) failed with `error`; `next` says what follows.
#[cfg_attr(not(feature = "tracing"), allow(unused_variables))]
pub(crate) fn failed(attempt: u32, error: &Error, next: Next, backend: Option<&Backend<'_>>) {
    #[cfg(feature = "tracing")]
    {
        let (outcome, delay) = match next {
            Next::RetryIn(delay) => ("retry", Some(delay)),
            Next::NewToken => ("retry with a new token", None),
            Next::OtherBackend => ("retry on another backend", None),
            Next::WaitForBackend => ("retry on the first backend free", None),
            Next::GiveUp => ("give up", None),
        };
        let metadata = error.metadata();
        tracing::warn!(
            attempt,
            backend = backend.map(|b| b.index),
            backend_host = backend.map(|b| b.host),
            backend_deployment = backend.map(|b| b.deployment),
            status = metadata.map(|m| m.status),
            request_id = metadata.and_then(|m| m.request_id()),
            error = error.kind().as_str(),
            outcome,
            retry_delay_ms = delay.map(millis),
            "attempt failed"
        );
    }
}

/// A backend answered 429: it cools down for `retry_after` (the pool's default when `None`).
#[cfg_attr(not(feature = "tracing"), allow(unused_variables))]
pub(crate) fn cooling_down(backend: Option<&Backend<'_>>, retry_after: Option<Duration>) {
    #[cfg(feature = "tracing")]
    tracing::info!(
        backend = backend.map(|b| b.index),
        backend_host = backend.map(|b| b.host),
        backend_deployment = backend.map(|b| b.deployment),
        cool_down_ms = retry_after.map(millis),
        "backend cooling down"
    );
}

/// No backend of the pool can take the request: it waits this long for the first one.
#[cfg_attr(not(feature = "tracing"), allow(unused_variables))]
pub(crate) fn waiting(wait: Duration) {
    #[cfg(feature = "tracing")]
    tracing::info!(wait_ms = millis(wait), "waiting for a backend");
}

#[cfg(feature = "tracing")]
fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}
