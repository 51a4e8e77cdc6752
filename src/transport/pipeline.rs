//! The pipeline every API sends through: authentication, retries and the retry budget, the
//! request timeout, the 401 refresh, error decoding, and the reply handed to the API to read.

use std::future::Future;
use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue, ACCEPT, CONTENT_LENGTH, CONTENT_TYPE};
use url::Url;

use crate::credential::Credential;
use crate::error::{Error, Result};
use crate::metadata::ResponseMetadata;
use crate::transport::options::RequestOptions;
use crate::transport::reply::{read_limited, Reply, MAX_ERROR_BODY};
use crate::transport::request::ApiRequest;
use crate::transport::retry::{Decision, RetryPolicy, TokenBucket};
use crate::transport::route::Resource;
use crate::transport::trace::{self, Next, Seen};

/// What a client sends through: one per client, shared by its clones and by the clients
/// [`Client::with_deployment`](crate::Client::with_deployment) makes (one connection pool, one
/// token cache, one retry budget).
pub(crate) struct Pipeline {
    pub(crate) http: reqwest::Client,
    pub(crate) resource: Resource,
    pub(crate) credential: Credential,
    pub(crate) retry: RetryPolicy,
    pub(crate) budget: Option<TokenBucket>,
    pub(crate) timeout: Option<Duration>,
    pub(crate) idle_timeout: Option<Duration>,
    pub(crate) max_reply_size: u64,
}

impl Pipeline {
    /// The resource requests go to.
    pub(crate) fn resource(&self) -> &Resource {
        &self.resource
    }

    /// The idle timeout of a stream sent with these options: the longest wait for its next chunk
    /// (`None`: no limit).
    pub(crate) fn stream_idle_timeout(&self, options: &RequestOptions) -> Option<Duration> {
        options.idle_timeout.unwrap_or(self.idle_timeout)
    }

    /// Sends the request and hands a successful reply to `read`, as many times as the retry
    /// policy allows.
    ///
    /// The options' headers and query are checked first: a bad one is an error before anything
    /// is sent. Every attempt takes its header from the credential (so a token is refreshed
    /// when needed) and produces the body again. An attempt, `read` included, is bounded by the
    /// request timeout. Errors from `read` are retried like the others when they are retryable
    /// (a connection that broke mid-body, a timeout), not when the body could not be decoded
    /// or was too large. A 401 with a token credential drops the refused token and tries once
    /// more with a new one, whatever the retry policy.
    pub(crate) async fn send<T, F, Fut>(
        &self,
        request: &ApiRequest,
        options: &RequestOptions,
        read: F,
    ) -> Result<T>
    where
        F: Fn(Reply) -> Fut + Sync,
        Fut: Future<Output = Result<T>>,
    {
        let extra_headers = options.checked_headers()?;
        let extra_query = options.checked_query()?;
        let mut url = (self.resource).url_shaped(request.shape, &request.deployment, &request.path);
        if !request.query.is_empty() || !extra_query.is_empty() {
            let mut pairs = url.query_pairs_mut();
            for (name, value) in &request.query {
                pairs.append_pair(name, value);
            }
            for (name, value) in extra_query {
                pairs.append_pair(name, value);
            }
        }
        let sending = Sending {
            request,
            url,
            extra_headers,
        };
        trace::in_span(request, self.execute(&sending, options, &read)).await
    }

    /// The attempts, as many as the policy, the budget and the 401 refresh allow.
    async fn execute<T, Fut>(
        &self,
        sending: &Sending<'_>,
        options: &RequestOptions,
        read: &(dyn Fn(Reply) -> Fut + Sync),
    ) -> Result<T>
    where
        Fut: Future<Output = Result<T>>,
    {
        let policy = match options.max_retries {
            Some(n) => self.retry.clone().max_retries(n),
            None => self.retry.clone(),
        };
        let timeout = options.timeout.unwrap_or(self.timeout);
        let mut attempts = 0u32;
        let mut retries = 0u32;
        let mut refreshed = false;
        let mut budget_taken = 0u32;
        let mut last_response: Option<ResponseMetadata> = None;
        loop {
            attempts += 1;
            // The auth header the attempt sent; `None` when none could be had (in time).
            let mut sent: Option<HeaderValue> = None;
            let mut seen = Seen::default();
            // Getting a token (an `az` that hangs, a slow identity endpoint) counts against the
            // request timeout like the rest of the attempt.
            let attempt = async {
                let (name, value) = self.credential.header().await?;
                sent = Some(value.clone());
                self.attempt(sending, name, value, &mut seen, read).await
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
                    trace::succeeded(attempts, &seen);
                    if let Some(bucket) = &self.budget {
                        bucket.succeeded(budget_taken);
                    }
                    return Ok(value);
                }
                Err(e) => e,
            };
            let Some(value) = sent else {
                // Nothing was sent: no token (or none within the timeout). Not retried.
                trace::failed(attempts, &err, Next::GiveUp);
                return Err(err
                    .with_attempts(attempts - 1)
                    .with_last_response(last_response.as_ref()));
            };
            if let Some(m) = err.metadata() {
                last_response = Some(m.clone());
            }
            if err.status() == Some(401) && !refreshed && self.credential.unauthorized(&value).await
            {
                trace::failed(attempts, &err, Next::NewToken);
                refreshed = true;
                continue;
            }
            let finish = |e: Error| {
                trace::failed(attempts, &e, Next::GiveUp);
                e.with_attempts(attempts)
                    .with_last_response(last_response.as_ref())
            };
            retries += 1;
            let delay = match policy.decide(&err, retries) {
                Decision::Stop => return Err(finish(err)),
                Decision::RetryAfter(delay) => delay,
            };
            if let Some(bucket) = &self.budget {
                match bucket.acquire(&err) {
                    Some(cost) => budget_taken += cost,
                    None => return Err(finish(err)),
                }
            }
            trace::failed(attempts, &err, Next::RetryIn(delay));
            tokio::time::sleep(delay).await;
        }
    }

    /// One attempt: send, check the status, read.
    async fn attempt<T, Fut>(
        &self,
        sending: &Sending<'_>,
        auth_name: HeaderName,
        auth_value: HeaderValue,
        seen: &mut Seen,
        read: &(dyn Fn(Reply) -> Fut + Sync),
    ) -> Result<T>
    where
        Fut: Future<Output = Result<T>>,
    {
        let request = sending.request;
        let mut builder = self
            .http
            .request(request.method.clone(), sending.url.clone());
        if let Some(content_type) = request.body.content_type() {
            builder = builder.header(CONTENT_TYPE, content_type);
        }
        builder = builder.header(ACCEPT, HeaderValue::from_static(request.accept));
        if let Some(body) = request.body.to_reqwest() {
            builder = builder
                .header(CONTENT_LENGTH, request.body.content_length())
                .body(body);
        }
        let response = builder
            .header(auth_name, auth_value)
            .headers(request.headers.clone())
            .headers(sending.extra_headers.clone())
            .send()
            .await
            .map_err(Error::from_reqwest)?;
        let status = response.status();
        if status.is_success() || (request.upgrade && status.as_u16() == 101) {
            seen.note(&response);
            return read(Reply::new(response, self.max_reply_size)).await;
        }
        let metadata = ResponseMetadata::from_headers(status.as_u16(), response.headers());
        let body = read_limited(response, MAX_ERROR_BODY)
            .await
            .unwrap_or_default();
        Err(Error::from_response(metadata, &body))
    }
}

/// A request ready to send: its URL and the checked headers of its options.
struct Sending<'a> {
    request: &'a ApiRequest,
    url: Url,
    extra_headers: HeaderMap,
}

fn seconds(d: Duration) -> String {
    format!("{} s", d.as_secs_f64())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::Client;
    use crate::transport::request::RequestBody;
    use wiremock::{Mock, MockServer, ResponseTemplate};

    #[tokio::test]
    async fn a_request_goes_on_the_wire_as_described() {
        let server = MockServer::start().await;
        Mock::given(wiremock::matchers::any())
            .respond_with(ResponseTemplate::new(200).set_body_string("fine"))
            .mount(&server)
            .await;
        let client = Client::new(server.uri(), "dep", Credential::api_key("k")).unwrap();
        let mut request = ApiRequest::post("test", "other-dep", "things/1", RequestBody::Empty)
            .accept("text/plain");
        request.method = reqwest::Method::GET;
        request.query.push(("from".into(), "api".to_owned()));
        request
            .headers
            .insert("x-api-header", HeaderValue::from_static("a"));
        let options = RequestOptions::new()
            .query("from", "options")
            .header("x-ms-client-request-id", "id-1");
        let body = client
            .pipeline()
            .send(&request, &options, |reply| reply.body())
            .await
            .unwrap();
        assert_eq!(body, b"fine");

        let received = server.received_requests().await.unwrap();
        let r = &received[0];
        assert_eq!(r.method.as_str(), "GET");
        assert_eq!(r.url.path(), "/openai/deployments/other-dep/things/1");
        assert_eq!(
            r.url.query(),
            Some("api-version=2025-04-01-preview&from=api&from=options")
        );
        let header = |name: &str| r.headers.get(name).and_then(|v| v.to_str().ok());
        assert_eq!(header("accept"), Some("text/plain"));
        assert_eq!(header("x-api-header"), Some("a"));
        assert_eq!(header("x-ms-client-request-id"), Some("id-1"));
        assert_eq!(header("api-key"), Some("k"));
        assert_eq!(
            (header("content-type"), header("content-length")),
            (None, None)
        );
        assert!(r.body.is_empty());
    }

    #[test]
    fn the_idle_timeout_comes_from_the_request_then_the_client() {
        let client = Client::new("http://127.0.0.1:1", "d", Credential::api_key("k")).unwrap();
        let defaults = RequestOptions::new();
        assert_eq!(
            client.pipeline().stream_idle_timeout(&defaults),
            Some(crate::client::DEFAULT_STREAM_IDLE_TIMEOUT)
        );
        let short = RequestOptions::new().idle_timeout(Duration::from_secs(2));
        assert_eq!(
            client.pipeline().stream_idle_timeout(&short),
            Some(Duration::from_secs(2))
        );
        let client = Client::builder("http://127.0.0.1:1", "d", Credential::api_key("k"))
            .stream_idle_timeout(None)
            .build()
            .unwrap();
        assert_eq!(client.pipeline().stream_idle_timeout(&defaults), None);
        assert_eq!(
            client.pipeline().stream_idle_timeout(&short),
            Some(Duration::from_secs(2))
        );
    }
}
