//! Tracing of requests (feature `tracing`): a span `aoai.request` per request (API, deployment,
//! method) and an event per attempt (attempt number, status, request id, what happens next and
//! after what delay). Never a URL, a header, a body, a key, a token, prompt text or audio.
//! Without the feature every function here is empty.

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
    /// The error is returned.
    GiveUp,
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
pub(crate) fn succeeded(attempt: u32, seen: &Seen) {
    #[cfg(feature = "tracing")]
    tracing::debug!(
        attempt,
        status = seen.status,
        request_id = seen.request_id.as_deref(),
        outcome = "ok",
        "attempt succeeded"
    );
}

/// Attempt number `attempt` (from 1) failed with `error`; `next` says what follows.
#[cfg_attr(not(feature = "tracing"), allow(unused_variables))]
pub(crate) fn failed(attempt: u32, error: &Error, next: Next) {
    #[cfg(feature = "tracing")]
    {
        let (outcome, delay) = match next {
            Next::RetryIn(delay) => ("retry", Some(delay)),
            Next::NewToken => ("retry with a new token", None),
            Next::GiveUp => ("give up", None),
        };
        let metadata = error.metadata();
        tracing::warn!(
            attempt,
            status = metadata.map(|m| m.status),
            request_id = metadata.and_then(|m| m.request_id()),
            error = error.kind().as_str(),
            outcome,
            retry_delay_ms = delay.map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX)),
            "attempt failed"
        );
    }
}
