//! The WebSocket handshake: the two routes, the same credential rules as the HTTP routes, the
//! realtime models, the queued fault, then the upgrade (the session runs in its own task).
//!
//! - GA: `GET /openai/v1/realtime?model=DEPLOYMENT`; an `api-version` there gets a 401, as
//!   Azure answers it.
//! - Preview: `GET /openai/realtime?api-version=V&deployment=DEPLOYMENT`, V one of the
//!   api-versions the emulator serves.

use hyper::body::Incoming;
use hyper::header::{CONNECTION, SEC_WEBSOCKET_KEY, SEC_WEBSOCKET_VERSION, UPGRADE};
use hyper::{Method, Request};
use hyper_util::rt::TokioIo;
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;
use tokio_tungstenite::tungstenite::protocol::Role;
use tokio_tungstenite::WebSocketStream;

use super::connection::{self, SessionFault};
use super::dispatch::Session;
use super::protocol::Protocol;
use crate::errors::Failure;
use crate::faults::Fault;
use crate::models::realtime_model;
use crate::server::{check_credential, check_deployment, unix_now, Answer, State, Stop};

/// How long the service keeps a session: 30 minutes (`expires_at`).
const SESSION_SECONDS: i64 = 30 * 60;

/// Whether `path` is one of the Realtime routes.
pub(crate) fn is_route(path: &str) -> bool {
    path == "/openai/v1/realtime" || path == "/openai/realtime"
}

/// The handshake of a request to a Realtime route: refused as the service refuses it, or
/// accepted (`Answer::Upgrade`) with the session started on the upgraded connection.
pub(crate) async fn accept(
    state: &State,
    req: Request<Incoming>,
    deployment_out: &mut Option<String>,
    request_id: &str,
) -> Result<Answer, Stop> {
    let protocol = if req.uri().path() == "/openai/v1/realtime" {
        Protocol::Ga
    } else {
        Protocol::Preview
    };
    if req.method() != Method::GET {
        return Err(Failure::resource_not_found().into());
    }
    let query: Vec<(String, String)> = req
        .uri()
        .query()
        .map(|q| {
            url::form_urlencoded::parse(q.as_bytes())
                .into_owned()
                .collect()
        })
        .unwrap_or_default();
    let param = |name: &str| {
        query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let fault = match state.faults.next_realtime() {
        Some(Fault::RateLimit { retry_after }) => {
            let version = param("api-version").unwrap_or("2025-08-28");
            return Err(Failure::rate_limited(retry_after, "Realtime_Connect", version).into());
        }
        Some(Fault::ServerError) => return Err(Failure::server_error(request_id).into()),
        Some(Fault::Unauthorized) => return Err(Failure::bad_key().into()),
        Some(Fault::Disconnect) => return Err(Stop::Disconnect),
        Some(Fault::Delay(delay)) => {
            tokio::time::sleep(delay).await;
            None
        }
        Some(Fault::DropMidResponse { after_deltas }) => {
            Some(SessionFault::DropAfterDeltas(after_deltas.max(1)))
        }
        Some(Fault::SessionLimit { after }) => Some(SessionFault::Limit(after)),
        None => None,
    };
    check_credential(&state.config, req.headers())?;
    let deployment = match protocol {
        Protocol::Ga => {
            if param("api-version").is_some() {
                return Err(Failure::bad_key().into());
            }
            param("model").ok_or_else(|| Failure::missing("model"))?
        }
        Protocol::Preview => {
            let served = param("api-version")
                .is_some_and(|v| state.config.api_versions.iter().any(|a| a == v));
            if !served {
                return Err(Failure::api_version_not_supported().into());
            }
            param("deployment").ok_or_else(|| Failure::missing("deployment"))?
        }
    };
    check_deployment(&state.config, deployment)?;
    *deployment_out = Some(deployment.to_owned());
    let model = realtime_model(deployment).ok_or_else(Failure::not_a_realtime_model)?;
    let headers = req.headers();
    let upgrade = headers
        .get(UPGRADE)
        .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"websocket"));
    let connection = headers
        .get(CONNECTION)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(',')
                .any(|t| t.trim().eq_ignore_ascii_case("upgrade"))
        });
    let version = headers
        .get(SEC_WEBSOCKET_VERSION)
        .is_some_and(|v| v == "13");
    let key = headers
        .get(SEC_WEBSOCKET_KEY)
        .filter(|_| upgrade && connection && version);
    let Some(key) = key else {
        return Err(Failure::not_a_websocket().into());
    };
    let accept_key = derive_accept_key(key.as_bytes());
    let session = Session::new(
        protocol,
        model,
        state.random(),
        unix_now() + SESSION_SECONDS,
    );
    let interval = state.config.stream_interval;
    state.spawn_session(async move {
        let Ok(upgraded) = hyper::upgrade::on(req).await else {
            return;
        };
        let ws = WebSocketStream::from_raw_socket(TokioIo::new(upgraded), Role::Server, None).await;
        connection::run(ws, session, interval, fault).await;
    });
    Ok(Answer::Upgrade(accept_key))
}
