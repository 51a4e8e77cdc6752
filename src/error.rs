//! One error type for everything the crate can fail at, and the Azure error body.

use std::fmt;
use std::time::Duration;

use crate::metadata::ResponseMetadata;
use crate::routing::TriedBackend;

mod api_error;
#[cfg(test)]
use api_error::RAW_BODY_PREFIX;
pub use api_error::{ApiError, InnerError};

/// A specialised `Result` whose error is [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What kind of failure an [`Error`] is. New kinds may be added.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The client is misconfigured: a bad endpoint, a missing or malformed variable.
    Config,
    /// No usable credential: the token provider failed, or a key cannot go into a header.
    Credential,
    /// The request was refused before anything was sent: empty, oversized or unrecognised audio.
    InvalidInput,
    /// The connection failed, broke, or the body could not be read.
    Transport,
    /// A connect, request or idle timeout elapsed.
    Timeout,
    /// The service answered with an error status.
    Api,
    /// The service answered, but the answer could not be decoded.
    Decode,
    /// The reply was larger than the client's
    /// [`max_reply_size`](crate::ClientBuilder::max_reply_size); it was dropped unread.
    ReplyTooLarge,
    /// The reply was fine, but writing it to a local file or writer failed (not retried).
    Io,
    /// The server closed a Realtime session: [`close_code`](Error::close_code) and
    /// [`close_reason`](Error::close_reason) say why, [`can_reconnect`](Error::can_reconnect)
    /// whether a new session may go on.
    Closed,
}

impl ErrorKind {
    /// A short lower-case name, as used in [`Display`](fmt::Display).
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Config => "configuration error",
            ErrorKind::Credential => "credential error",
            ErrorKind::InvalidInput => "invalid input",
            ErrorKind::Transport => "transport error",
            ErrorKind::Timeout => "timeout",
            ErrorKind::Api => "api error",
            ErrorKind::Decode => "decode error",
            ErrorKind::ReplyTooLarge => "reply too large",
            ErrorKind::Io => "io error",
            ErrorKind::Closed => "session closed",
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The error of every fallible call in this crate.
///
/// Branch on [`kind`](Error::kind) or on the predicates ([`status`](Error::status),
/// [`code`](Error::code), [`is_timeout`](Error::is_timeout), [`is_content_filter`](Error::is_content_filter),
/// [`retry_after`](Error::retry_after), ...). `Display` is one short line that never contains a
/// secret; the underlying cause, if any, is available through [`std::error::Error::source`].
#[derive(thiserror::Error)]
#[error(transparent)]
pub struct Error {
    // Boxed: an `Error` is one pointer wide, so `Result<T>` stays small.
    inner: Box<Inner>,
}

/// The error's fields. `Display` and `source` are `Error`'s (through `#[error(transparent)]`);
/// its `Debug` is never shown (`Error` has its own, which picks fields).
#[derive(Debug, thiserror::Error)]
#[error("{kind}: {message}")]
struct Inner {
    kind: ErrorKind,
    message: String,
    #[source]
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
    api: Option<ApiError>,
    metadata: Option<ResponseMetadata>,
    retry_after: Option<Duration>,
    attempts: u32,
    /// The last response received over all attempts, when this error did not come from one.
    last_response: Option<ResponseMetadata>,
    /// A WebSocket close: its code and reason.
    close: Option<(u16, String)>,
    /// The backends a routed request failed on, in order.
    tried: Vec<TriedBackend>,
}

impl Error {
    pub(crate) fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error {
            inner: Box::new(Inner {
                kind,
                message: message.into(),
                source: None,
                api: None,
                metadata: None,
                retry_after: None,
                attempts: 0,
                last_response: None,
                close: None,
                tried: Vec::new(),
            }),
        }
    }

    pub(crate) fn config(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Config, message)
    }

    pub(crate) fn credential(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Credential, message)
    }

    pub(crate) fn invalid_input(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::InvalidInput, message)
    }

    pub(crate) fn decode(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Decode, message)
    }

    pub(crate) fn timeout(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Timeout, message)
    }

    pub(crate) fn with_source(
        mut self,
        source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Self {
        self.inner.source = Some(source.into());
        self
    }

    /// Adds what the caller was doing to the message: `{message} ({context})`.
    pub(crate) fn with_context(mut self, context: impl std::fmt::Display) -> Self {
        self.inner.message = format!("{} ({context})", self.inner.message);
        self
    }

    pub(crate) fn with_metadata(mut self, metadata: ResponseMetadata) -> Self {
        self.inner.metadata = Some(metadata);
        self
    }

    pub(crate) fn with_retry_after(mut self, delay: Option<Duration>) -> Self {
        self.inner.retry_after = delay;
        self
    }

    pub(crate) fn with_attempts(mut self, attempts: u32) -> Self {
        self.inner.attempts = attempts;
        self
    }

    /// Records the last response received over all attempts, when this error did not come
    /// from one (a timeout or a broken connection after earlier attempts).
    pub(crate) fn with_last_response(mut self, last: Option<&ResponseMetadata>) -> Self {
        if self.inner.metadata.is_none() && self.inner.last_response.is_none() {
            self.inner.last_response = last.cloned();
        }
        self
    }

    /// Records the backends a routed request failed on; the message lists them.
    pub(crate) fn with_tried(mut self, tried: Vec<TriedBackend>) -> Self {
        if !tried.is_empty() {
            let list: Vec<String> = tried.iter().map(ToString::to_string).collect();
            self.inner.message = format!("{}; tried {}", self.inner.message, list.join(", "));
            self.inner.tried = tried;
        }
        self
    }

    /// Builds the error for a non-success HTTP status from the body the service sent.
    pub(crate) fn from_response(metadata: ResponseMetadata, body: &[u8]) -> Self {
        let api = ApiError::parse(body);
        let message = match (&api.code, api.message.is_empty()) {
            (Some(code), false) => format!("{} ({code}): {}", metadata.status, api.message),
            (Some(code), true) => format!("{} ({code})", metadata.status),
            (None, false) => format!("{}: {}", metadata.status, api.message),
            (None, true) => match api.plain_text_line() {
                // A plain-text body, like the 413 `Maximum content size limit (26214400) exceeded ...`.
                Some(line) => format!("{}: {line}", metadata.status),
                None => format!("{}", metadata.status),
            },
        };
        // Azure's 429 bodies may say "Please retry after N seconds" without a header.
        let retry_after = metadata.retry_after().or_else(|| {
            (metadata.status == 429)
                .then(|| crate::transport::retry::retry_after_from_message(&api.message))
                .flatten()
        });
        let mut err = Self::new(ErrorKind::Api, message).with_retry_after(retry_after);
        err.inner.api = Some(api);
        err.with_metadata(metadata)
    }

    /// Builds the error for an `error` event inside a successful (`200`) event stream (the
    /// stream adds the response's metadata).
    pub(crate) fn stream_event(data: &[u8]) -> Self {
        let api = ApiError::parse(data);
        let message = match (&api.code, api.message.is_empty()) {
            (Some(code), false) => format!("error event in the stream ({code}): {}", api.message),
            (Some(code), true) => format!("error event in the stream ({code})"),
            (None, false) => format!("error event in the stream: {}", api.message),
            (None, true) => "error event in the stream".to_owned(),
        };
        let mut err = Self::new(ErrorKind::Api, message);
        err.inner.api = Some(api);
        err
    }

    /// A reply over the client's maximum size: `declared` in its `Content-Length` (nothing
    /// read), or `received` bytes by the chunk that went past the limit.
    pub(crate) fn reply_too_large(limit: u64, declared: Option<u64>, received: u64) -> Self {
        let message = match declared {
            Some(declared) => format!(
                "the reply declares {declared} bytes, more than the client's max_reply_size of {limit} bytes"
            ),
            None => format!(
                "the reply went past the client's max_reply_size of {limit} bytes ({received} bytes received)"
            ),
        };
        Self::new(ErrorKind::ReplyTooLarge, message)
    }

    /// Writing a reply locally failed: `message` says what was written where.
    pub(crate) fn io(message: impl Into<String>, source: std::io::Error) -> Self {
        Self::new(ErrorKind::Io, message).with_source(source)
    }

    /// The server closed a WebSocket session with `code` and `reason`.
    pub(crate) fn closed(code: u16, reason: &str) -> Self {
        let message = match reason.is_empty() {
            true => format!("the server closed the session with code {code}"),
            false => format!("the server closed the session with code {code}: {reason}"),
        };
        let mut err = Self::new(ErrorKind::Closed, message);
        err.inner.close = Some((code, reason.to_owned()));
        err
    }

    pub(crate) fn transport(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Transport, message)
    }

    /// Maps a reqwest failure to a transport or timeout error (reqwest stays behind `source()`).
    pub(crate) fn from_reqwest(err: reqwest::Error) -> Self {
        let kind = if is_timeout_chain(&err) {
            ErrorKind::Timeout
        } else {
            ErrorKind::Transport
        };
        let message = if err.is_connect() && kind == ErrorKind::Timeout {
            "no connection within the connect timeout"
        } else if err.is_connect() {
            "could not connect"
        } else if kind == ErrorKind::Timeout {
            "the request timed out"
        } else if err.is_body() || err.is_decode() {
            "the response body could not be read"
        } else {
            "the request failed"
        };
        // `without_url` keeps the URL (and with it any query) out of the source's text.
        Self::new(kind, message).with_source(err.without_url())
    }

    /// What kind of failure this is.
    pub fn kind(&self) -> ErrorKind {
        self.inner.kind
    }

    /// The HTTP status the service answered with, if it answered.
    pub fn status(&self) -> Option<u16> {
        self.inner.metadata.as_ref().map(|m| m.status)
    }

    /// The request id the service gave (`x-request-id`, else `apim-request-id`): quote it to
    /// Azure support. For a timeout or a broken connection after earlier attempts, the id of the
    /// last response received.
    pub fn request_id(&self) -> Option<&str> {
        self.last_response().and_then(|m| m.request_id())
    }

    /// Headers and ids of the response that carried the error, if there was one.
    pub fn metadata(&self) -> Option<&ResponseMetadata> {
        self.inner.metadata.as_ref()
    }

    /// The parsed Azure error body, for [`ErrorKind::Api`] errors.
    pub fn api_error(&self) -> Option<&ApiError> {
        self.inner.api.as_ref()
    }

    /// The service's error code (`"content_filter"`, `"429"`, `"DeploymentNotFound"`, ...).
    pub fn code(&self) -> Option<&str> {
        self.inner.api.as_ref().and_then(|a| a.code.as_deref())
    }

    /// True for connect, request and idle timeouts.
    pub fn is_timeout(&self) -> bool {
        self.inner.kind == ErrorKind::Timeout
    }

    /// True when Azure's content filter rejected the prompt (no string matching needed).
    pub fn is_content_filter(&self) -> bool {
        self.inner
            .api
            .as_ref()
            .is_some_and(ApiError::is_content_filter)
    }

    /// True for 429 throttling.
    pub fn is_rate_limited(&self) -> bool {
        self.status() == Some(429)
    }

    /// True when sending the same request again may succeed: timeouts, transport failures,
    /// 408, 409, 429 and 5xx (never a content-filter rejection).
    pub fn is_retryable(&self) -> bool {
        match self.inner.kind {
            ErrorKind::Timeout | ErrorKind::Transport => true,
            ErrorKind::Api => {
                !self.is_content_filter()
                    && matches!(self.status(), Some(408 | 409 | 429 | 500 | 502 | 503 | 504))
            }
            _ => false,
        }
    }

    /// The close code of a Realtime session the server closed ([`ErrorKind::Closed`]): 1000
    /// (normal), 1001 (going away, e.g. the session's maximum duration), 1011 (server error), ...
    pub fn close_code(&self) -> Option<u16> {
        self.inner.close.as_ref().map(|(code, _)| *code)
    }

    /// The reason the server gave with its close frame, such as `"maximum duration reached"`.
    pub fn close_reason(&self) -> Option<&str> {
        self.inner.close.as_ref().map(|(_, reason)| reason.as_str())
    }

    /// For a Realtime session that ended: true when a NEW session may go on (the session
    /// itself is over; reconnecting is the caller's choice). True for closes 1000, 1001, 1006
    /// and 1011 to 1014, a broken connection and the idle limit; false for a close that says
    /// the client was at fault (1002, 1003, 1007, 1008, 1009, 4xxx, ...) and for errors a new
    /// attempt would repeat (as [`is_retryable`](Error::is_retryable)).
    pub fn can_reconnect(&self) -> bool {
        match self.close_code() {
            Some(code) => matches!(code, 1000 | 1001 | 1006 | 1011..=1014),
            None => self.is_retryable(),
        }
    }

    /// How long the service asked the caller to wait before trying again, if it said.
    pub fn retry_after(&self) -> Option<Duration> {
        self.inner.retry_after
    }

    /// How many attempts were made before this error was returned (0 when nothing was sent).
    pub fn attempts(&self) -> u32 {
        self.inner.attempts
    }

    /// The backends a routed request (see [`ClientBuilder::routing`](crate::ClientBuilder::routing))
    /// was sent to and did not succeed on, in order, with what each answered; empty for a
    /// request that was not routed. `Display` lists them too.
    pub fn backends_tried(&self) -> &[TriedBackend] {
        &self.inner.tried
    }

    /// The HTTP status of the last response received over all attempts: the same as
    /// [`status`](Error::status) for an API error, and for a timeout or a broken connection
    /// after earlier attempts the status those got (e.g. `503`).
    pub fn last_status(&self) -> Option<u16> {
        self.last_response().map(|m| m.status)
    }

    /// The last response received over all attempts: the one that carried this error (as
    /// [`metadata`](Error::metadata)), else, for a timeout or a broken connection after earlier
    /// attempts, the last of those (its status, request ids and rate-limit counters).
    pub fn last_response(&self) -> Option<&ResponseMetadata> {
        self.inner
            .metadata
            .as_ref()
            .or(self.inner.last_response.as_ref())
    }
}

fn is_timeout_chain(err: &reqwest::Error) -> bool {
    if err.is_timeout() {
        return true;
    }
    let mut source = std::error::Error::source(err);
    while let Some(s) = source {
        if let Some(io) = s.downcast_ref::<std::io::Error>() {
            if io.kind() == std::io::ErrorKind::TimedOut {
                return true;
            }
        }
        source = s.source();
    }
    false
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Error");
        d.field("kind", &self.inner.kind)
            .field("message", &self.inner.message);
        if let Some(m) = &self.inner.metadata {
            d.field("status", &m.status)
                .field("request_id", &m.request_id());
        }
        if let Some(api) = &self.inner.api {
            d.field("code", &api.code);
        }
        if let Some(r) = &self.inner.retry_after {
            d.field("retry_after", r);
        }
        if self.inner.attempts > 0 {
            d.field("attempts", &self.inner.attempts);
        }
        if let Some(last) = &self.inner.last_response {
            d.field("last_status", &last.status)
                .field("last_request_id", &last.request_id());
        }
        if let Some((code, reason)) = &self.inner.close {
            d.field("close_code", code).field("close_reason", reason);
        }
        if !self.inner.tried.is_empty() {
            d.field("backends_tried", &self.inner.tried);
        }
        if let Some(s) = &self.inner.source {
            d.field("source", s);
        }
        d.finish()
    }
}

#[cfg(test)]
mod tests;
