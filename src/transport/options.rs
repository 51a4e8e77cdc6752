//! Per-request settings: overrides of the client's retry and timeout settings, extra headers
//! and query parameters.

use std::fmt;
use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

use crate::error::{Error, Result};

/// Headers the crate sets itself, which [`RequestOptions::header`] refuses: the credential's,
/// the body's, and those that keep the bytes on the wire as the crate decodes them.
pub(crate) const RESERVED_HEADERS: &[&str] = &[
    "accept",
    "accept-encoding",
    "api-key",
    "authorization",
    "content-length",
    "content-type",
    "host",
    "transfer-encoding",
];

/// Query parameters the crate sets itself, which [`RequestOptions::query`] refuses.
pub(crate) const RESERVED_QUERY: &[&str] = &["api-version"];

/// Settings for one request that override or add to the [`Client`](crate::Client)'s.
///
/// Anything left unset uses the client's value.
///
/// ```no_run
/// # async fn f(client: azure_openai_audio::Client, request: azure_openai_audio::ChatRequest) -> azure_openai_audio::Result<()> {
/// use azure_openai_audio::RequestOptions;
/// use std::time::Duration;
/// let options = RequestOptions::new()
///     .max_retries(0)
///     .timeout(Duration::from_secs(30))
///     .header("x-ms-client-request-id", "7f0b1d2c-6a8e-4f4e-9b7a-1c2d3e4f5a6b");
/// let reply = client.chat().complete_with(&request, &options).await?;
/// # Ok(()) }
/// ```
#[derive(Clone, Default, PartialEq, Eq)]
pub struct RequestOptions {
    pub(crate) max_retries: Option<u32>,
    pub(crate) timeout: Option<Option<Duration>>,
    pub(crate) idle_timeout: Option<Option<Duration>>,
    pub(crate) tokens: Option<u64>,
    headers: Vec<(String, String)>,
    query: Vec<(String, String)>,
}

impl RequestOptions {
    /// No overrides: the client's settings.
    pub fn new() -> Self {
        Self::default()
    }

    /// The tokens this request counts against a routed backend's client-side
    /// [`tokens_per_minute`](crate::routing::Limits::tokens_per_minute) limit, when you know its
    /// size (default: unknown, counted as 0). A request larger than every backend's limit is
    /// refused before anything is sent.
    pub fn tokens(mut self, tokens: u64) -> Self {
        self.tokens = Some(tokens);
        self
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

    /// For streams: how long to wait for the next chunk. `None`, or a duration too long to add
    /// to the clock such as `Duration::MAX`, waits for ever.
    pub fn idle_timeout(mut self, timeout: impl Into<Option<Duration>>) -> Self {
        self.idle_timeout = Some(timeout.into());
        self
    }

    /// A header sent with every attempt of this request, such as `x-ms-client-request-id`
    /// (Azure echoes it back: [`ResponseMetadata::client_request_id`](crate::ResponseMetadata::client_request_id)).
    /// Setting a name again replaces its value. The crate sets `accept`, `accept-encoding`,
    /// `api-key`, `authorization`, `content-length`, `content-type`, `host` and
    /// `transfer-encoding` itself; those names, a name that is not a valid header name and a
    /// value that cannot be sent in a header are refused with an [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput)
    /// error before anything is sent. The value never appears in `Debug` output (it may be a key).
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        let name = name.into();
        self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(&name));
        self.headers.push((name, value.into()));
        self
    }

    /// A query parameter added to the URL of this request (after the route's `api-version`);
    /// a name given twice is sent twice. An empty name and `api-version` (the client's
    /// [`api_version`](crate::ClientBuilder::api_version)) are refused with an [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) error before
    /// anything is sent. The value never appears in `Debug` output.
    pub fn query(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.query.push((name.into(), value.into()));
        self
    }

    /// The extra headers, checked.
    pub(crate) fn checked_headers(&self) -> Result<HeaderMap> {
        let mut map = HeaderMap::with_capacity(self.headers.len());
        for (name, value) in &self.headers {
            let header = HeaderName::from_bytes(name.as_bytes()).map_err(|_| {
                Error::invalid_input(format!("{name:?} is not a valid header name"))
            })?;
            if RESERVED_HEADERS.contains(&header.as_str()) {
                return Err(Error::invalid_input(format!(
                    "the header `{header}` is set by the crate, not by RequestOptions::header"
                )));
            }
            let mut value = HeaderValue::from_str(value).map_err(|_| {
                Error::invalid_input(format!(
                    "the value of the header `{header}` cannot be sent in a header"
                ))
            })?;
            value.set_sensitive(true);
            map.insert(header, value);
        }
        Ok(map)
    }

    /// The extra query parameters, checked.
    pub(crate) fn checked_query(&self) -> Result<&[(String, String)]> {
        for (name, _) in &self.query {
            if name.is_empty() {
                return Err(Error::invalid_input("a query parameter has an empty name"));
            }
            if RESERVED_QUERY.iter().any(|r| r.eq_ignore_ascii_case(name)) {
                return Err(Error::invalid_input(format!(
                    "the query parameter `{name}` is set by the client, not by RequestOptions::query"
                )));
            }
        }
        Ok(&self.query)
    }
}

impl fmt::Debug for RequestOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names = |pairs: &[(String, String)]| -> Vec<String> {
            pairs.iter().map(|(n, _)| n.clone()).collect()
        };
        f.debug_struct("RequestOptions")
            .field("max_retries", &self.max_retries)
            .field("timeout", &self.timeout)
            .field("idle_timeout", &self.idle_timeout)
            .field("headers", &names(&self.headers))
            .field("query", &names(&self.query))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    #[test]
    fn reserved_and_invalid_names_and_values_are_refused() {
        for name in [
            "api-key",
            "Authorization",
            "CONTENT-TYPE",
            "accept-encoding",
        ] {
            let e = RequestOptions::new()
                .header(name, "x")
                .checked_headers()
                .unwrap_err();
            assert_eq!(e.kind(), ErrorKind::InvalidInput);
            assert!(e.to_string().contains("is set by the crate"), "{e}");
        }
        let e = RequestOptions::new()
            .header("bad name", "x")
            .checked_headers()
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid input: \"bad name\" is not a valid header name"
        );
        let e = RequestOptions::new()
            .header("x-secret", "line\nbreak-sk-123")
            .checked_headers()
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid input: the value of the header `x-secret` cannot be sent in a header"
        );
        let e = RequestOptions::new()
            .query("API-Version", "2024-10-21")
            .checked_query()
            .unwrap_err();
        assert!(e.to_string().contains("`API-Version` is set by the client"));
        assert!(RequestOptions::new()
            .query("", "v")
            .checked_query()
            .is_err());
    }

    #[test]
    fn a_header_set_again_replaces_and_debug_shows_names_only() {
        let options = RequestOptions::new()
            .header("X-Ms-Client-Request-Id", "a")
            .header("x-ms-client-request-id", "b")
            .header("ocp-apim-subscription-key", "sk-hidden")
            .query("trace", "on")
            .query("trace", "verbose");
        let headers = options.checked_headers().unwrap();
        assert_eq!(headers.len(), 2);
        assert_eq!(headers["x-ms-client-request-id"], "b");
        assert_eq!(options.checked_query().unwrap().len(), 2);
        assert_eq!(
            format!("{options:?}"),
            "RequestOptions { max_retries: None, timeout: None, idle_timeout: None, \
             headers: [\"x-ms-client-request-id\", \"ocp-apim-subscription-key\"], query: [\"trace\", \"trace\"] }"
        );
    }
}
