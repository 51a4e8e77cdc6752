//! Sending requests: authentication, the streamed body, retries, timeouts, reading bodies.

pub mod body;
pub mod events;
pub(crate) mod idle;
pub mod multipart;
pub mod options;
pub(crate) mod pools;
pub mod retry;
pub(crate) mod sse;
pub(crate) mod streamed;

use std::future::Future;
use std::time::Duration;

use reqwest::header::{HeaderName, HeaderValue, ACCEPT, CONTENT_LENGTH, CONTENT_TYPE};
use url::Url;

use crate::client::Client;
use crate::error::{Error, Result};
use crate::metadata::ResponseMetadata;
use body::BodyPlan;
use options::RequestOptions;
use retry::Decision;

/// The largest error body read into memory; the rest is dropped.
const MAX_ERROR_BODY: usize = 64 * 1024;

impl Client {
    /// POSTs the body and returns the response once its status is a success, retrying as the
    /// policy and `options` say; the request timeout covers the wait for the response headers.
    pub(crate) async fn post_with(
        &self,
        url: &Url,
        plan: &BodyPlan,
        accept: &'static str,
        options: &RequestOptions,
    ) -> Result<reqwest::Response> {
        self.execute(url, plan, accept, options, |r| async move { Ok(r) })
            .await
    }

    /// The idle timeout of a stream sent with these options: the longest wait for its next chunk
    /// (`None`: no limit).
    pub(crate) fn stream_idle_timeout(&self, options: &RequestOptions) -> Option<Duration> {
        options.idle_timeout.unwrap_or(self.inner.idle_timeout)
    }

    /// Sends the request and hands a successful response to `read`, as many times as the retry
    /// policy allows.
    ///
    /// Every attempt takes its header from the credential (so a token is refreshed when needed)
    /// and produces the body again from the plan. An attempt, `read` included, is bounded by the
    /// request timeout. Errors from `read` are retried like the others when they are retryable
    /// (a connection that broke mid-body, a timeout), not when the body could not be decoded.
    /// A 401 with a token credential drops the refused token and tries once more with a new one,
    /// whatever the retry policy.
    pub(crate) async fn execute<T, F, Fut>(
        &self,
        url: &Url,
        plan: &BodyPlan,
        accept: &'static str,
        options: &RequestOptions,
        read: F,
    ) -> Result<T>
    where
        F: Fn(reqwest::Response) -> Fut,
        Fut: Future<Output = Result<T>>,
    {
        let inner = &self.inner;
        let policy = match options.max_retries {
            Some(n) => inner.retry.clone().max_retries(n),
            None => inner.retry.clone(),
        };
        let timeout = options.timeout.unwrap_or(inner.timeout);
        let http = inner.http.get(options.connect_timeout)?;
        let mut attempts = 0u32;
        let mut retries = 0u32;
        let mut refreshed = false;
        let mut budget_taken = 0u32;
        let mut last_response: Option<ResponseMetadata> = None;
        loop {
            attempts += 1;
            // The auth header the attempt sent; `None` when none could be had (in time).
            let mut sent: Option<HeaderValue> = None;
            // Getting a token (an `az` that hangs, a slow identity endpoint) counts against the
            // request timeout like the rest of the attempt.
            let attempt = async {
                let (name, value) = inner.credential.header().await?;
                sent = Some(value.clone());
                self.attempt(&http, url, plan, accept, name, value, &read)
                    .await
            };
            let outcome = match timeout {
                Some(limit) => tokio::time::timeout(limit, attempt)
                    .await
                    .unwrap_or_else(|_| {
                        Err(Error::timeout(format!(
                            "no complete reply within the request timeout ({})",
                            seconds(limit)
                        )))
                    }),
                None => attempt.await,
            };
            let err = match outcome {
                Ok(value) => {
                    if let Some(bucket) = &inner.budget {
                        bucket.succeeded(budget_taken);
                    }
                    return Ok(value);
                }
                Err(e) => e,
            };
            let Some(value) = sent else {
                // Nothing was sent: no token (or none within the timeout). Not retried.
                return Err(err
                    .with_attempts(attempts - 1)
                    .with_last_response(last_response.as_ref()));
            };
            if let Some(m) = err.metadata() {
                last_response = Some(m.clone());
            }
            if err.status() == Some(401)
                && !refreshed
                && inner.credential.unauthorized(&value).await
            {
                refreshed = true;
                continue;
            }
            let finish = |e: Error| {
                e.with_attempts(attempts)
                    .with_last_response(last_response.as_ref())
            };
            retries += 1;
            let delay = match policy.decide(&err, retries) {
                Decision::Stop => return Err(finish(err)),
                Decision::RetryAfter(delay) => delay,
            };
            if let Some(bucket) = &inner.budget {
                match bucket.acquire(&err) {
                    Some(cost) => budget_taken += cost,
                    None => return Err(finish(err)),
                }
            }
            tokio::time::sleep(delay).await;
        }
    }

    /// One attempt: send, check the status, read.
    #[allow(clippy::too_many_arguments)]
    async fn attempt<T, F, Fut>(
        &self,
        http: &reqwest::Client,
        url: &Url,
        plan: &BodyPlan,
        accept: &'static str,
        auth_name: HeaderName,
        auth_value: HeaderValue,
        read: &F,
    ) -> Result<T>
    where
        F: Fn(reqwest::Response) -> Fut,
        Fut: Future<Output = Result<T>>,
    {
        let response = http
            .post(url.clone())
            .header(CONTENT_TYPE, HeaderValue::from_static("application/json"))
            .header(ACCEPT, HeaderValue::from_static(accept))
            .header(CONTENT_LENGTH, plan.content_length())
            .header(auth_name, auth_value)
            .body(plan.to_reqwest())
            .send()
            .await
            .map_err(Error::from_reqwest)?;
        let status = response.status();
        if status.is_success() {
            return read(response).await;
        }
        let metadata = ResponseMetadata::from_headers(status.as_u16(), response.headers());
        let body = read_limited(response, MAX_ERROR_BODY)
            .await
            .unwrap_or_default();
        Err(Error::from_response(metadata, &body))
    }
}

fn seconds(d: Duration) -> String {
    format!("{} s", d.as_secs_f64())
}

/// Reads a whole body into one buffer sized from `Content-Length`, without a second copy.
/// A `Vec`, so the reply's audio can be decoded in it (see `audio::in_place`).
pub(crate) async fn read_body(mut response: reqwest::Response) -> Result<Vec<u8>> {
    let hint = response
        .content_length()
        .unwrap_or(0)
        .min(256 * 1024 * 1024) as usize;
    let mut buf = Vec::with_capacity(hint);
    while let Some(chunk) = response.chunk().await.map_err(Error::from_reqwest)? {
        buf.extend_from_slice(&chunk);
    }
    Ok(buf)
}

async fn read_limited(mut response: reqwest::Response, limit: usize) -> Result<Vec<u8>> {
    let mut buf = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(Error::from_reqwest)? {
        let room = limit.saturating_sub(buf.len());
        buf.extend_from_slice(&chunk[..chunk.len().min(room)]);
        if buf.len() >= limit {
            break;
        }
    }
    Ok(buf)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credential::Credential;

    #[test]
    fn the_idle_timeout_comes_from_the_request_then_the_client() {
        let client = Client::new("http://127.0.0.1:1", "d", Credential::api_key("k")).unwrap();
        let defaults = RequestOptions::new();
        assert_eq!(
            client.stream_idle_timeout(&defaults),
            Some(crate::client::DEFAULT_STREAM_IDLE_TIMEOUT)
        );
        let short = RequestOptions::new().idle_timeout(Duration::from_secs(2));
        assert_eq!(
            client.stream_idle_timeout(&short),
            Some(Duration::from_secs(2))
        );
        let client = Client::builder("http://127.0.0.1:1", "d", Credential::api_key("k"))
            .stream_idle_timeout(None)
            .build()
            .unwrap();
        assert_eq!(client.stream_idle_timeout(&defaults), None);
        assert_eq!(
            client.stream_idle_timeout(&short),
            Some(Duration::from_secs(2))
        );
    }
}
