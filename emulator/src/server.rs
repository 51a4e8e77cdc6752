//! The HTTP side: accepting connections, routing, credentials, api-versions, faults, responses.

use std::convert::Infallible;
use std::pin::pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use futures_util::future::{select, Either};
use futures_util::StreamExt as _;
use http_body_util::combinators::UnsyncBoxBody;
use http_body_util::{BodyExt as _, Full, StreamBody};
use hyper::body::{Frame, Incoming};
use hyper::header::{HeaderMap, HeaderName, HeaderValue, AUTHORIZATION, CONTENT_TYPE, EXPECT};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::Value;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinSet;

use super::admin;
use super::body::{drain, read_body, Read};
use super::errors::Failure;
use super::faults::{Fault, FaultQueue};
use super::quota::Quota;
use super::random::{splitmix, token};
use super::realtime;
use super::route::{route, Api, Route};
use super::store::AudioStore;
use super::{chat, speech, transcription};

/// The largest request body read; larger ones get a 413. 20 MiB of audio is 28 MB of base64.
/// A request refused before its body is used has up to this much of it read and thrown away (so
/// the client can finish sending and read the answer), and a 413 up to this much more; past
/// that the answer says `Connection: close`.
pub(crate) const MAX_BODY: usize = 64 * 1024 * 1024;
/// How long the emulator waits for more of a request body that has stopped arriving before it
/// answers (a 408, or the refusal it had decided) and closes the connection.
pub(crate) const BODY_IDLE_TIMEOUT: Duration = Duration::from_secs(30);
/// The largest request body of the /audio routes, as the service's gateway: 25 MiB. Larger
/// ones get its plain-text 413 (after the rest is read, up to as much again).
pub(crate) const AUDIO_MAX_BODY: usize = 26_214_400;
/// The api-versions the `/openai/v1` route accepts besides none.
const V1_VERSIONS: &[&str] = &["v1", "preview", "latest"];
/// The api-version a 429 names when the request had none (the `/openai/v1` route).
const V1_RATE_LIMIT_VERSION: &str = "2025-01-01-preview";

type Body = UnsyncBoxBody<Bytes, Infallible>;

/// How the emulator behaves; set through [`EmulatorBuilder`](super::EmulatorBuilder).
#[derive(Debug, Clone)]
pub(crate) struct Config {
    pub(crate) api_key: Option<String>,
    pub(crate) api_versions: Vec<String>,
    pub(crate) audio_api_versions: Vec<String>,
    pub(crate) deployments: Option<Vec<String>>,
    pub(crate) audio_ttl: Duration,
    pub(crate) stream_interval: Duration,
}

/// Everything the connections share.
#[derive(Debug)]
pub(crate) struct State {
    pub(crate) config: Config,
    pub(crate) faults: FaultQueue,
    pub(crate) quota: Quota,
    pub(crate) audio: AudioStore,
    pub(crate) requests: AtomicU64,
    ids: AtomicU64,
    seed: u64,
    /// The Realtime sessions' tasks: shut down with the server, aborted when this is dropped.
    sessions: std::sync::Mutex<JoinSet<()>>,
}

impl State {
    pub(crate) fn new(config: Config, seed: u64) -> State {
        State {
            config,
            faults: FaultQueue::default(),
            quota: Quota::default(),
            audio: AudioStore::default(),
            requests: AtomicU64::new(0),
            ids: AtomicU64::new(0),
            seed,
            sessions: std::sync::Mutex::new(JoinSet::new()),
        }
    }

    fn sessions(&self) -> std::sync::MutexGuard<'_, JoinSet<()>> {
        // A panic while holding this lock cannot leave the set half-updated: keep using it.
        self.sessions
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Runs a Realtime session's task until it ends or the server stops. The task must not
    /// hold the state (the state holds the task).
    pub(crate) fn spawn_session(
        &self,
        session: impl std::future::Future<Output = ()> + Send + 'static,
    ) {
        let mut sessions = self.sessions();
        while sessions.try_join_next().is_some() {}
        sessions.spawn(session);
    }

    /// A well-mixed 64-bit number, different every call (splitmix64 over a counter).
    pub(crate) fn random(&self) -> u64 {
        splitmix(self.seed, self.ids.fetch_add(1, Ordering::Relaxed))
    }

    pub(crate) fn request_id(&self) -> String {
        let (a, b) = (self.random(), self.random());
        format!(
            "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
            a >> 32,
            (a >> 16) & 0xFFFF,
            a & 0xFFF,
            ((b >> 48) & 0x3FFF) | 0x8000,
            b & 0xFFFF_FFFF_FFFF
        )
    }

    pub(crate) fn audio_id(&self) -> String {
        format!("audio_{:016x}{:016x}", self.random(), self.random())
    }

    pub(crate) fn completion_id(&self) -> String {
        token("chatcmpl-", 29, || self.random())
    }
}

/// Accepts connections until `stop` fires (or its sender is dropped), then closes the listener
/// and every connection, and returns once they are all closed. Aborting the task instead drops
/// them too, when the runtime next polls it.
pub(crate) async fn serve(
    listener: TcpListener,
    state: Arc<State>,
    mut stop: oneshot::Receiver<()>,
) {
    let mut connections = JoinSet::new();
    loop {
        while connections.try_join_next().is_some() {}
        let accepted = match select(pin!(listener.accept()), &mut stop).await {
            Either::Left((accepted, _)) => accepted,
            Either::Right(_) => break,
        };
        match accepted {
            Ok((stream, _)) => {
                let state = state.clone();
                connections.spawn(async move {
                    let service = service_fn(move |req| handle(state.clone(), req));
                    // A connection that ends in error (a dropped client, an injected disconnect)
                    // has nobody left to tell.
                    let _ = http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .with_upgrades()
                        .await;
                });
            }
            // Out of file descriptors and the like: wait a moment rather than spin.
            Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
        }
    }
    drop(listener);
    connections.shutdown().await;
    let mut sessions = std::mem::take(&mut *state.sessions());
    sessions.shutdown().await;
}

/// Returned to hyper to close the connection without a response.
#[derive(Debug)]
pub(crate) struct Disconnect;

impl std::fmt::Display for Disconnect {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped by an injected fault")
    }
}

impl std::error::Error for Disconnect {}

/// Why a request gets no reply.
pub(crate) enum Stop {
    Fail(Failure),
    Disconnect,
}

impl From<Failure> for Stop {
    fn from(f: Failure) -> Self {
        Stop::Fail(f)
    }
}

/// A successful answer.
pub(crate) enum Answer {
    /// `application/json`.
    Json(Value),
    /// Server-sent events, each a whole frame.
    Stream(Vec<Bytes>),
    /// A text body (`text/plain; charset=utf-8`, as the service's srt, vtt and text replies).
    Text(String),
    /// A body sent chunked, without `Content-Length`, made piece by piece as it is sent (so a
    /// long one is never held whole): the speech replies.
    Chunked {
        content_type: &'static str,
        pieces: Box<dyn Iterator<Item = Bytes> + Send>,
    },
    /// `101 Switching Protocols` to a WebSocket, with this `Sec-WebSocket-Accept`.
    Upgrade(String),
}

async fn handle(state: Arc<State>, req: Request<Incoming>) -> Result<Response<Body>, Disconnect> {
    state.requests.fetch_add(1, Ordering::Relaxed);
    let request_id = state.request_id();
    let client_request_id = req.headers().get("x-ms-client-request-id").cloned();
    let mut deployment = None;
    const JSON: &str = "application/json";
    const TEXT: &str = "text/plain; charset=utf-8";
    let own = req.uri().path().starts_with(admin::PREFIX);
    let outcome = if own {
        own_route(&state, req).await
    } else if realtime::is_route(req.uri().path()) {
        realtime::accept(&state, req, &mut deployment, &request_id).await
    } else {
        api(&state, req, &request_id, &mut deployment).await
    };
    let (status, content_type, headers, body) = match outcome {
        Ok(Answer::Json(v)) => (200, JSON, Vec::new(), full(&v)),
        Ok(Answer::Stream(events)) => (
            200,
            "text/event-stream; charset=utf-8",
            vec![("cache-control", "no-cache".to_owned())],
            stream(futures_util::stream::iter(events), &state.config),
        ),
        Ok(Answer::Text(text)) => (
            200,
            TEXT,
            Vec::new(),
            Full::new(Bytes::from(text)).boxed_unsync(),
        ),
        Ok(Answer::Chunked {
            content_type,
            pieces,
        }) => (
            200,
            content_type,
            Vec::new(),
            stream(futures_util::stream::iter(pieces), &state.config),
        ),
        Ok(Answer::Upgrade(accept)) => (
            101,
            "",
            vec![
                ("upgrade", "websocket".to_owned()),
                ("connection", "Upgrade".to_owned()),
                ("sec-websocket-accept", accept),
            ],
            Full::new(Bytes::new()).boxed_unsync(),
        ),
        Err(Stop::Fail(f)) => match f.body {
            Value::String(text) => (
                f.status,
                TEXT,
                f.headers,
                Full::new(Bytes::from(text)).boxed_unsync(),
            ),
            body => (f.status, JSON, f.headers, full(&body)),
        },
        Err(Stop::Disconnect) => return Err(Disconnect),
    };
    let mut response = Response::new(body);
    *response.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST);
    let h = response.headers_mut();
    if !content_type.is_empty() {
        h.insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    }
    set(h, "x-request-id", &request_id);
    set(h, "apim-request-id", &request_id);
    set(h, "x-ms-region", "Emulator");
    if let Some(id) = client_request_id {
        h.insert(HeaderName::from_static("x-ms-client-request-id"), id);
    }
    if let Some(d) = &deployment {
        set(h, "x-ms-deployment-name", d);
    }
    if status == 200 && deployment.is_some() {
        set(h, "x-ms-rai-invoked", "true");
    }
    if let Some((limit, remaining)) = state.quota.status().filter(|_| !own) {
        set(h, "x-ratelimit-limit-requests", &limit.to_string());
        set(h, "x-ratelimit-remaining-requests", &remaining.to_string());
    }
    for (name, value) in headers {
        set(h, name, &value);
    }
    Ok(response)
}

fn set(headers: &mut HeaderMap, name: &'static str, value: &str) {
    if let Ok(v) = HeaderValue::from_str(value) {
        headers.insert(HeaderName::from_static(name), v);
    }
}

fn full(value: &Value) -> Body {
    Full::new(Bytes::from(value.to_string())).boxed_unsync()
}

/// A body sent piece by piece (chunked), with the configured pause before each piece.
fn stream<S>(pieces: S, config: &Config) -> Body
where
    S: futures_util::Stream<Item = Bytes> + Send + 'static,
{
    let interval = config.stream_interval;
    let frames = pieces.then(move |event| async move {
        if !interval.is_zero() {
            tokio::time::sleep(interval).await;
        }
        Ok::<_, Infallible>(Frame::data(event))
    });
    StreamBody::new(frames).boxed_unsync()
}

/// A request to one of the service's routes: the gate (route, fault, credential, api-version,
/// deployment), then the body, read whole within the route's limit, then the API's answer.
async fn api(
    state: &State,
    req: Request<Incoming>,
    request_id: &str,
    deployment_out: &mut Option<String>,
) -> Result<Answer, Stop> {
    let (parts, mut body) = req.into_parts();
    let (deployment, api) = match gate(state, &parts, request_id).await {
        Ok(gated) => gated,
        Err(stop) => {
            // Read what the client sends before answering: closing a connection with unread data
            // resets it, and a client still sending a large body would see "broken pipe" instead
            // of the answer. A client that asked to `Expect: 100-continue` sends nothing until
            // told to: it gets the answer at once, and the connection closes after it.
            let expects_continue = parts
                .headers
                .get(EXPECT)
                .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"100-continue"));
            let ended =
                !expects_continue && drain(&mut body, MAX_BODY as u64, BODY_IDLE_TIMEOUT).await;
            return Err(match stop {
                Stop::Fail(f) if !ended => Stop::Fail(f.closing()),
                other => other,
            });
        }
    };
    match api {
        Api::Chat => {
            let body = whole(body, MAX_BODY, |_| Failure::body_too_large(MAX_BODY)).await?;
            chat::answer(state, &body, deployment, request_id, deployment_out)
        }
        Api::Speech => {
            let body = whole(body, AUDIO_MAX_BODY, |read| {
                Failure::content_too_large(AUDIO_MAX_BODY, read)
            })
            .await?;
            speech::answer(state, &body, deployment, deployment_out)
        }
        Api::Transcriptions | Api::Translations => {
            let body = whole(body, AUDIO_MAX_BODY, |read| {
                Failure::content_too_large(AUDIO_MAX_BODY, read)
            })
            .await?;
            transcription::answer(state, &parts.headers, body, deployment, api, deployment_out)
                .await
        }
    }
}

/// The deployment a request is for: the path's, or on `/openai/v1` the request's `model`
/// (which must be there and be a deployment the emulator has).
pub(crate) fn deployment(
    config: &Config,
    from_path: Option<String>,
    model: Option<&str>,
) -> Result<String, Failure> {
    match from_path {
        Some(d) => Ok(d),
        None => match model {
            Some(m) if !m.is_empty() => {
                check_deployment(config, m)?;
                Ok(m.to_owned())
            }
            _ => Err(Failure::missing("model")),
        },
    }
}

/// A request to the emulator's own routes ([`admin`]): its body is small, read before anything.
async fn own_route(state: &State, req: Request<Incoming>) -> Result<Answer, Stop> {
    let (parts, body) = req.into_parts();
    let body = whole(body, admin::MAX_BODY, |_| {
        Failure::body_too_large(admin::MAX_BODY)
    })
    .await?;
    Ok(Answer::Json(admin::answer(state, &parts, &body)?))
}

/// The whole request body, or the answer when it is over `limit` (`too_large(bytes read)`) or
/// stops arriving.
async fn whole(
    body: Incoming,
    limit: usize,
    too_large: impl FnOnce(u64) -> Failure,
) -> Result<Bytes, Stop> {
    match read_body(body, limit, BODY_IDLE_TIMEOUT).await {
        Read::Whole(bytes) => Ok(bytes),
        Read::TooLarge { drained, read } => {
            let f = too_large(read);
            Err(if drained { f } else { f.closing() }.into())
        }
        Read::Stalled => Err(Failure::body_timeout(BODY_IDLE_TIMEOUT).closing().into()),
        Read::Broken => Err(Stop::Disconnect), // the client went away mid-body
    }
}

/// What is decided before the body is read, in the service's order: the route, an injected
/// fault, the credential, the api-version, the deployment and the quota. `Ok` carries the deployment of
/// the deployments route (`None` on `/openai/v1`, where it is the body's `model`) and the API.
async fn gate(
    state: &State,
    parts: &hyper::http::request::Parts,
    request_id: &str,
) -> Result<(Option<String>, Api), Stop> {
    let Some((route, api)) = route(parts.uri.path()) else {
        return Err(Failure::resource_not_found().into());
    };
    if parts.method != Method::POST {
        return Err(Failure::resource_not_found().into());
    }
    let api_version = parts.uri.query().and_then(|q| {
        url::form_urlencoded::parse(q.as_bytes())
            .find(|(k, _)| k == "api-version")
            .map(|(_, v)| v.into_owned())
    });
    match state.faults.next() {
        Some(Fault::RateLimit { retry_after }) => {
            let version = api_version.as_deref().unwrap_or(V1_RATE_LIMIT_VERSION);
            return Err(Failure::rate_limited(retry_after, api.operation(), version).into());
        }
        Some(Fault::ServerError) => return Err(Failure::server_error(request_id).into()),
        Some(Fault::Unauthorized) => return Err(Failure::bad_key().into()),
        Some(Fault::Delay(delay)) => tokio::time::sleep(delay).await,
        // The caller reads the request first, so the client has sent it all when it drops.
        Some(Fault::Disconnect) => return Err(Stop::Disconnect),
        // Realtime-only faults never reach HTTP requests (`FaultQueue::next` passes them by).
        Some(Fault::DropMidResponse { .. } | Fault::SessionLimit { .. }) | None => {}
    }
    check_credential(&state.config, &parts.headers)?;
    let config = &state.config;
    let deployment = match route {
        Route::Deployment(d) => {
            let served = match api {
                Api::Chat => &config.api_versions,
                _ => &config.audio_api_versions,
            };
            let supported = api_version
                .as_deref()
                .is_some_and(|v| served.iter().any(|a| a == v));
            if !supported {
                return Err(Failure::api_version_not_supported().into());
            }
            check_deployment(config, &d)?;
            Some(d)
        }
        Route::V1 => {
            if let Some(v) = &api_version {
                if !V1_VERSIONS.contains(&v.as_str()) {
                    return Err(Failure::api_version_not_supported().into());
                }
            }
            None
        }
    };
    if let Err(wait) = state.quota.admit() {
        let version = api_version.as_deref().unwrap_or(V1_RATE_LIMIT_VERSION);
        return Err(Failure::rate_limited(wait, api.operation(), version).into());
    }
    Ok((deployment, api))
}

/// An `api-key` (the configured one, or any non-empty one), or a non-empty bearer token.
pub(crate) fn check_credential(config: &Config, headers: &HeaderMap) -> Result<(), Failure> {
    if let Some(key) = headers.get("api-key") {
        let key = key.to_str().unwrap_or_default().trim();
        let accepted = match &config.api_key {
            Some(wanted) => key == wanted,
            None => !key.is_empty(),
        };
        return if accepted {
            Ok(())
        } else {
            Err(Failure::bad_key())
        };
    }
    if let Some(auth) = headers.get(AUTHORIZATION) {
        // The scheme is case-insensitive (RFC 9110 11.1): `bearer x` is a bearer token too.
        let token = auth
            .to_str()
            .ok()
            .and_then(|v| v.trim_start().split_once(' '))
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, token)| token.trim())
            .unwrap_or_default();
        return if token.is_empty() {
            Err(Failure::bad_token())
        } else {
            Ok(())
        };
    }
    Err(Failure::bad_key())
}

pub(crate) fn check_deployment(config: &Config, deployment: &str) -> Result<(), Failure> {
    match &config.deployments {
        Some(known) if !known.iter().any(|d| d == deployment) => {
            Err(Failure::deployment_not_found())
        }
        _ => Ok(()),
    }
}

pub(crate) fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (name, value) in pairs {
            h.append(*name, HeaderValue::from_str(value).unwrap());
        }
        h
    }

    #[test]
    fn bearer_scheme_ignores_case_and_needs_a_token() {
        let config = config();
        for ok in ["Bearer t", "bearer t", "BEARER  t ", "bEaReR t"] {
            assert!(
                check_credential(&config, &headers(&[("authorization", ok)])).is_ok(),
                "{ok}"
            );
        }
        for refused in ["Bearer ", "bearer", "Basic dXNlcjpwYXNz", "Bearer-t x", "t"] {
            let e = check_credential(&config, &headers(&[("authorization", refused)]));
            assert_eq!(e, Err(Failure::bad_token()), "{refused}");
        }
        assert_eq!(
            check_credential(&config, &headers(&[])),
            Err(Failure::bad_key())
        );
    }

    fn config() -> Config {
        Config {
            api_key: None,
            api_versions: Vec::new(),
            audio_api_versions: Vec::new(),
            deployments: None,
            audio_ttl: Duration::ZERO,
            stream_interval: Duration::ZERO,
        }
    }

    #[test]
    fn ids_are_shaped_like_the_service_and_unique() {
        let s = State::new(config(), 42);
        let id = s.request_id();
        assert_eq!(id.len(), 36);
        assert_eq!(id.as_bytes()[14], b'4');
        let a = s.audio_id();
        assert!(a.starts_with("audio_") && a.len() == 38, "{a}");
        assert_ne!(a, s.audio_id());
        let c = s.completion_id();
        assert!(c.starts_with("chatcmpl-") && c.len() == 38, "{c}");
        assert!(!c.contains("AAAA"), "every character is drawn: {c}");
    }
}
