//! The pipeline every API sends through: authentication, retries and the retry budget, the
//! request timeout, the 401 refresh, error decoding, and the reply handed to the API to read.

use std::future::Future;
use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue, ACCEPT, CONTENT_LENGTH, CONTENT_TYPE};
use url::Url;

use crate::credential::Credential;
use crate::error::{Error, Result};
use crate::metadata::ResponseMetadata;
use crate::routing::router::outcome_of;
use crate::routing::{Outcome, RateLimitRemaining, TriedBackend};
use crate::transport::options::RequestOptions;
use crate::transport::reply::{read_limited, Reply, MAX_ERROR_BODY};
use crate::transport::request::{ApiRequest, RequestBody};
use crate::transport::retry::{should_retry, Decision, RetryPolicy, TokenBucket};
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
        let sending = Sending {
            request,
            extra_query,
            extra_headers,
        };
        trace::in_span(request, self.execute(&sending, options, &read)).await
    }

    /// The attempts, as many as the policy, the budget and the 401 refresh allow. A routed
    /// request takes a backend from its pool for each attempt and reports what it met there;
    /// after a 429, or a failure while another backend is free, it moves to another backend at
    /// once (see [`ClientBuilder::routing`](crate::ClientBuilder::routing)).
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
        let router = sending.request.router.as_deref();
        let tokens = options.tokens.unwrap_or(0);
        let mut attempts = 0u32;
        let mut retries = 0u32;
        let mut refreshed = false;
        let mut budget_taken = 0u32;
        let mut last_response: Option<ResponseMetadata> = None;
        // Routed: the backends failed on, the last failure (which a long wait for a backend
        // returns), and the moves made at once since the last counted retry.
        let mut tried: Vec<TriedBackend> = Vec::new();
        let mut failed: Option<Error> = None;
        let mut free_moves = 0usize;
        loop {
            let lease = match router {
                Some(router) => {
                    let max_wait = policy.max_retry_after_ref();
                    match router
                        .lease(tokens, failed.take(), max_wait, trace::waiting)
                        .await
                    {
                        Ok(lease) => Some(lease),
                        Err(e) => {
                            return Err(e
                                .with_attempts(attempts)
                                .with_last_response(last_response.as_ref())
                                .with_tried(tried))
                        }
                    }
                }
                None => None,
            };
            let target = lease.as_ref().and_then(|lease| lease.target());
            let (resource, deployment, credential) = match target {
                Some(t) => (
                    &t.resource,
                    t.deployment.as_str(),
                    t.credential.as_ref().unwrap_or(&self.credential),
                ),
                None => (
                    &self.resource,
                    sending.request.deployment.as_str(),
                    &self.credential,
                ),
            };
            let backend = lease.as_ref().zip(target).map(|(lease, t)| trace::Backend {
                index: lease.id().index(),
                host: &t.host,
                deployment: &t.deployment,
            });
            attempts += 1;
            let url = sending.url(resource, deployment);
            let body = match sending.request.body_for(deployment) {
                Ok(body) => body,
                Err(e) => return Err(e.with_attempts(attempts - 1).with_tried(tried)),
            };
            // The auth header the attempt sent; `None` when none could be had (in time).
            let mut sent: Option<HeaderValue> = None;
            let mut seen = Seen::default();
            let mut remaining = RateLimitRemaining::default();
            // Getting a token (an `az` that hangs, a slow identity endpoint) counts against the
            // request timeout like the rest of the attempt.
            let attempt = async {
                let (name, value) = credential.header().await?;
                sent = Some(value.clone());
                let auth = (name, value);
                let to = (url, &*body);
                self.attempt(sending, to, auth, &mut seen, &mut remaining, read)
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
                    trace::succeeded(attempts, &seen, backend.as_ref());
                    if let Some(lease) = lease {
                        lease.report(Outcome::Success { remaining });
                    }
                    if let Some(bucket) = &self.budget {
                        bucket.succeeded(budget_taken);
                    }
                    return Ok(value);
                }
                Err(e) => e,
            };
            let Some(value) = sent else {
                // Nothing was sent: no token (or none within the timeout). Not retried; the
                // lease, dropped, reports the attempt as cancelled.
                trace::failed(attempts, &err, Next::GiveUp, backend.as_ref());
                return Err(err
                    .with_attempts(attempts - 1)
                    .with_last_response(last_response.as_ref())
                    .with_tried(tried));
            };
            if let Some(m) = err.metadata() {
                last_response = Some(m.clone());
            }
            // The backend the attempt went to, its outcome reported.
            let left = lease.map(|lease| {
                let id = lease.id();
                let outcome = outcome_of(&err);
                if let Outcome::RateLimited { retry_after } = outcome {
                    trace::cooling_down(backend.as_ref(), retry_after);
                }
                lease.report(outcome);
                if let Some(t) = target {
                    tried.push(TriedBackend::new(id, &t.host, &t.deployment, &err));
                }
                id
            });
            if err.status() == Some(401) && !refreshed && credential.unauthorized(&value).await {
                trace::failed(attempts, &err, Next::NewToken, backend.as_ref());
                refreshed = true;
                continue;
            }
            let routed = router.zip(left);
            if let Some((router, id)) = routed {
                // A 429 moves at once to a backend that is free, without counting as a retry.
                if err.status() == Some(429)
                    && should_retry(&err)
                    && free_moves < router.backends()
                    && router.another_can_take(tokens, id)
                {
                    free_moves += 1;
                    trace::failed(attempts, &err, Next::OtherBackend, backend.as_ref());
                    failed = Some(err);
                    continue;
                }
            }
            let finish = |e: Error, tried: Vec<TriedBackend>| {
                trace::failed(attempts, &e, Next::GiveUp, backend.as_ref());
                e.with_attempts(attempts)
                    .with_last_response(last_response.as_ref())
                    .with_tried(tried)
            };
            retries += 1;
            let (delay, next) = match (routed, policy.decide(&err, retries)) {
                // A 429 while every backend is cooling down: the wait is for the first back.
                (Some(_), _) if err.status() == Some(429) => {
                    if retries > policy.max_retries_ref() || !should_retry(&err) {
                        return Err(finish(err, tried));
                    }
                    (Duration::ZERO, Next::WaitForBackend)
                }
                (_, Decision::Stop) => return Err(finish(err, tried)),
                // Another backend is free: no backoff.
                (Some((router, id)), Decision::RetryAfter(_))
                    if router.another_can_take(tokens, id) =>
                {
                    (Duration::ZERO, Next::OtherBackend)
                }
                (_, Decision::RetryAfter(delay)) => (delay, Next::RetryIn(delay)),
            };
            if let Some(bucket) = &self.budget {
                match bucket.acquire(&err) {
                    Some(cost) => budget_taken += cost,
                    None => return Err(finish(err, tried)),
                }
            }
            free_moves = 0;
            trace::failed(attempts, &err, next, backend.as_ref());
            if !delay.is_zero() {
                tokio::time::sleep(delay).await;
            }
            if routed.is_some() {
                failed = Some(err);
            }
        }
    }

    /// One attempt: send, check the status, read.
    async fn attempt<T, Fut>(
        &self,
        sending: &Sending<'_>,
        (url, body): (Url, &RequestBody),
        (auth_name, auth_value): (HeaderName, HeaderValue),
        seen: &mut Seen,
        remaining: &mut RateLimitRemaining,
        read: &(dyn Fn(Reply) -> Fut + Sync),
    ) -> Result<T>
    where
        Fut: Future<Output = Result<T>>,
    {
        let request = sending.request;
        let mut builder = self.http.request(request.method.clone(), url);
        if let Some(content_type) = body.content_type() {
            builder = builder.header(CONTENT_TYPE, content_type);
        }
        builder = builder.header(ACCEPT, HeaderValue::from_static(request.accept));
        if let Some(stream) = body.to_reqwest() {
            builder = builder
                .header(CONTENT_LENGTH, body.content_length())
                .body(stream);
        }
        if let Some(make) = &request.attempt_headers {
            builder = builder.headers(make.make()?);
        }
        let response = builder
            .header(auth_name, auth_value)
            .headers(request.headers.clone())
            .headers(sending.extra_headers.clone())
            .send()
            .await
            .map_err(Error::from_reqwest)?;
        let status = response.status();
        let metadata = ResponseMetadata::from_headers(status.as_u16(), response.headers());
        *remaining = RateLimitRemaining::from(&metadata);
        if status.is_success() || (request.upgrade && status.as_u16() == 101) {
            seen.note(&response);
            return read(Reply::new(response, self.max_reply_size)).await;
        }
        let body = read_limited(response, MAX_ERROR_BODY)
            .await
            .unwrap_or_default();
        Err(Error::from_response(metadata, &body))
    }
}

/// A request ready to send: the checked query and headers of its options.
struct Sending<'a> {
    request: &'a ApiRequest,
    extra_query: &'a [(String, String)],
    extra_headers: HeaderMap,
}

impl Sending<'_> {
    /// The URL of the request on `resource` for `deployment`, with its query and the options'.
    fn url(&self, resource: &Resource, deployment: &str) -> Url {
        let request = self.request;
        let mut url = resource.url_shaped(request.shape, deployment, &request.path);
        if !request.query.is_empty() || !self.extra_query.is_empty() {
            let mut pairs = url.query_pairs_mut();
            for (name, value) in &request.query {
                pairs.append_pair(name, value);
            }
            for (name, value) in self.extra_query {
                pairs.append_pair(name, value);
            }
        }
        url
    }
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
