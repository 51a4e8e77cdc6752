//! A request as data: which API, method, path under the deployment, query, extra headers,
//! accept, and a body that knows its content type and can be produced again for every attempt.

use std::borrow::Cow;
use std::sync::Arc;

use reqwest::header::{HeaderMap, HeaderValue};
use reqwest::Method;

use crate::error::Result;
use crate::routing::router::Router;
use crate::transport::body::{BodyPlan, JsonBody};
use crate::transport::multipart::MultipartBody;
use crate::transport::route::UrlShape;

/// What an API module hands to the [`Pipeline`](crate::transport::pipeline::Pipeline).
#[derive(Debug, Clone)]
pub(crate) struct ApiRequest {
    /// The API's name for traces: `chat`, `speech`, `transcriptions`, ...
    #[cfg_attr(not(feature = "tracing"), allow(dead_code))]
    pub(crate) api: &'static str,
    /// The deployment the request is for (in the URL, or as `model` on the `/openai/v1` route).
    pub(crate) deployment: String,
    pub(crate) method: Method,
    /// The path under the deployment, such as `chat/completions` (see `Resource::url`).
    pub(crate) path: Cow<'static, str>,
    /// Query parameters after the route's own (`api-version`).
    pub(crate) query: Vec<(Cow<'static, str>, String)>,
    /// Headers the API adds (the crate's own: the request options' are added at send).
    pub(crate) headers: HeaderMap,
    pub(crate) accept: &'static str,
    pub(crate) body: RequestBody,
    /// The URL shape (the client's route unless the API always uses its own).
    pub(crate) shape: UrlShape,
    /// A WebSocket handshake: `101 Switching Protocols` is the success.
    pub(crate) upgrade: bool,
    /// The pool the request is routed over (`None`: the client's endpoint and `deployment`).
    pub(crate) router: Option<Arc<Router>>,
    /// The body for another deployment than `deployment`, when the body names the deployment
    /// (as `model` on the `/openai/v1` route): a routed attempt sends its backend's.
    pub(crate) body_for: Option<BodyFor>,
    /// Headers made anew for each attempt (a WebSocket handshake's `Sec-WebSocket-Key`).
    pub(crate) attempt_headers: Option<AttemptHeaders>,
}

impl ApiRequest {
    /// A POST of `body` to `path` for `deployment`, accepting JSON.
    pub(crate) fn post(
        api: &'static str,
        deployment: &str,
        path: impl Into<Cow<'static, str>>,
        body: RequestBody,
    ) -> Self {
        ApiRequest {
            api,
            deployment: deployment.to_owned(),
            method: Method::POST,
            path: path.into(),
            query: Vec::new(),
            headers: HeaderMap::new(),
            accept: "application/json",
            body,
            shape: UrlShape::Client,
            upgrade: false,
            router: None,
            body_for: None,
            attempt_headers: None,
        }
    }

    /// Routes the request over `router`'s backends (`None`: not routed). With `body_for`, each
    /// backend gets the body made for its deployment.
    pub(crate) fn routed(mut self, router: Option<Arc<Router>>, body_for: Option<BodyFor>) -> Self {
        if router.is_some() {
            self.body_for = body_for;
        }
        self.router = router;
        self
    }

    /// The body to send to `deployment`: made for it when the body names the deployment.
    pub(crate) fn body_for(&self, deployment: &str) -> Result<Cow<'_, RequestBody>> {
        match &self.body_for {
            Some(make) if deployment != self.deployment => (make.0)(deployment).map(Cow::Owned),
            _ => Ok(Cow::Borrowed(&self.body)),
        }
    }

    /// The URL shape, when the API does not follow the client's route.
    pub(crate) fn shape(mut self, shape: UrlShape) -> Self {
        self.shape = shape;
        self
    }

    /// The `Accept` header (default `application/json`).
    pub(crate) fn accept(mut self, accept: &'static str) -> Self {
        self.accept = accept;
        self
    }
}

/// Makes a request's body for a deployment (see [`ApiRequest::routed`]).
#[derive(Clone)]
pub(crate) struct BodyFor(Arc<MakeBody>);

/// What makes a body for a deployment.
type MakeBody = dyn Fn(&str) -> Result<RequestBody> + Send + Sync;

impl BodyFor {
    /// The body made by `make` for the deployment it is given.
    pub(crate) fn new(make: impl Fn(&str) -> Result<RequestBody> + Send + Sync + 'static) -> Self {
        BodyFor(Arc::new(make))
    }

    /// The JSON body of `request` with `set_model` applied for each deployment.
    pub(crate) fn json<T>(request: &T, set_model: fn(&mut T, &str)) -> Self
    where
        T: JsonBody + Clone + Send + Sync + 'static,
    {
        let request = request.clone();
        BodyFor::new(move |deployment| {
            let mut with_model = request.clone();
            set_model(&mut with_model, deployment);
            BodyPlan::new(&with_model).map(RequestBody::Json)
        })
    }
}

impl std::fmt::Debug for BodyFor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("BodyFor")
    }
}

/// Makes the headers of one attempt, called before each is sent (see
/// [`ApiRequest::attempt_headers`]).
#[derive(Clone)]
pub(crate) struct AttemptHeaders(Arc<MakeHeaders>);

/// What makes an attempt's headers.
type MakeHeaders = dyn Fn() -> Result<HeaderMap> + Send + Sync;

impl AttemptHeaders {
    /// The headers `make` returns, made for each attempt.
    pub(crate) fn new(make: impl Fn() -> Result<HeaderMap> + Send + Sync + 'static) -> Self {
        AttemptHeaders(Arc::new(make))
    }

    /// The headers of the next attempt.
    pub(crate) fn make(&self) -> Result<HeaderMap> {
        (self.0)()
    }
}

impl std::fmt::Debug for AttemptHeaders {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AttemptHeaders")
    }
}

/// A request body, produced again for every attempt, with its content type and exact length.
#[derive(Debug, Clone)]
pub(crate) enum RequestBody {
    /// No body (no `Content-Type`, no `Content-Length`): a WebSocket handshake.
    Empty,
    /// JSON, with audio streamed from files or memory as it is sent.
    Json(BodyPlan),
    /// `multipart/form-data`, with file parts streamed from disk or memory as it is sent.
    Multipart(MultipartBody),
}

impl RequestBody {
    /// The `Content-Type`, if the body has one.
    pub(crate) fn content_type(&self) -> Option<HeaderValue> {
        match self {
            RequestBody::Empty => None,
            RequestBody::Json(_) => Some(HeaderValue::from_static("application/json")),
            // The boundary is made of letters and digits only: always a valid header value.
            RequestBody::Multipart(form) => HeaderValue::from_str(&form.content_type()).ok(),
        }
    }

    /// The exact number of bytes.
    pub(crate) fn content_length(&self) -> u64 {
        match self {
            RequestBody::Empty => 0,
            RequestBody::Json(plan) => plan.content_length(),
            RequestBody::Multipart(form) => form.content_length(),
        }
    }

    /// A fresh reqwest body for one attempt (`None` for no body).
    pub(crate) fn to_reqwest(&self) -> Option<reqwest::Body> {
        match self {
            RequestBody::Empty => None,
            RequestBody::Json(plan) => Some(plan.to_reqwest()),
            RequestBody::Multipart(form) => Some(form.to_reqwest()),
        }
    }
}
