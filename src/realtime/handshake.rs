//! The WebSocket handshake, sent through the client's [`Pipeline`]: an HTTP/1.1 `GET` with
//! `Upgrade: websocket` on reqwest's connection (its TLS, proxy and `configure_http` settings),
//! authenticated, retried and timed like any request; `101 Switching Protocols` is the success,
//! checked against the key, and the upgraded connection becomes the WebSocket.

use reqwest::header::{
    HeaderMap, HeaderValue, CONNECTION, SEC_WEBSOCKET_ACCEPT, SEC_WEBSOCKET_KEY,
};
use reqwest::header::{SEC_WEBSOCKET_VERSION, UPGRADE};
use tokio_tungstenite::tungstenite::protocol::{Role, WebSocketConfig};
use tokio_tungstenite::WebSocketStream;

use std::sync::{Arc, Mutex, PoisonError};

use crate::error::{Error, Result};
use crate::metadata::ResponseMetadata;
use crate::realtime::accept_key;
use crate::realtime::protocol::RealtimeProtocol;
use crate::routing::router::Router;
use crate::transport::options::RequestOptions;
use crate::transport::pipeline::Pipeline;
use crate::transport::reply::Reply;
use crate::transport::request::{ApiRequest, AttemptHeaders, RequestBody};

/// A Realtime WebSocket on reqwest's upgraded connection.
pub(crate) type Socket = WebSocketStream<reqwest::Upgraded>;

/// The largest message the session accepts from the server (tungstenite's frame and message
/// limits otherwise): far above an audio delta (a few KiB), far below a machine's memory.
pub(crate) const MAX_MESSAGE: usize = 16 * 1024 * 1024;

/// Opens a WebSocket to `deployment`'s Realtime endpoint in `protocol`, through `pipeline`.
/// Routed over `router` when the client routes Realtime connects (each attempt to the backend the
/// pool chooses). Returns the socket and the handshake's response metadata (its request id).
pub(crate) async fn open(
    pipeline: &Pipeline,
    deployment: &str,
    protocol: RealtimeProtocol,
    router: Option<Arc<Router>>,
    options: &RequestOptions,
) -> Result<(Socket, ResponseMetadata)> {
    if deployment.trim().is_empty() {
        return Err(Error::invalid_input(
            "the realtime deployment name is empty",
        ));
    }
    let mut request = ApiRequest::post("realtime", deployment, "realtime", RequestBody::Empty)
        .shape(protocol.shape())
        .routed(router, None);
    request.method = reqwest::Method::GET;
    request.upgrade = true;
    let headers = &mut request.headers;
    headers.insert(CONNECTION, HeaderValue::from_static("Upgrade"));
    headers.insert(UPGRADE, HeaderValue::from_static("websocket"));
    headers.insert(SEC_WEBSOCKET_VERSION, HeaderValue::from_static("13"));
    // A fresh key for each attempt (RFC 6455 4.1), kept for checking that attempt's 101:
    // attempts are sequential, so the last key made is the one the reply answers.
    let current = Arc::new(Mutex::new(String::new()));
    let made = current.clone();
    request.attempt_headers = Some(AttemptHeaders::new(move || {
        let key = accept_key::new_key();
        // The key is base64 text: always a valid header value.
        let value = HeaderValue::from_str(&key)
            .map_err(|_| Error::invalid_input("the WebSocket key is not a header value"))?;
        *made.lock().unwrap_or_else(PoisonError::into_inner) = key;
        let mut headers = HeaderMap::new();
        headers.insert(SEC_WEBSOCKET_KEY, value);
        Ok(headers)
    }));
    pipeline
        .send(&request, options, |reply| {
            let key = current.lock().unwrap_or_else(PoisonError::into_inner);
            let expected = accept_key::accept_for(&key);
            upgrade(reply, expected)
        })
        .await
}

/// Checks the `101` and turns the connection into a WebSocket. Any other success (a `200` from
/// something that does not speak WebSocket) is a decode error with the response's metadata.
async fn upgrade(reply: Reply, expected: String) -> Result<(Socket, ResponseMetadata)> {
    let metadata = reply.metadata();
    let response = reply.into_response();
    let refuse = |why: &str| {
        Error::decode(format!("the WebSocket handshake failed: {why}"))
            .with_metadata(metadata.clone())
    };
    if response.status().as_u16() != 101 {
        return Err(refuse(&format!(
            "the server answered {} instead of 101 Switching Protocols",
            response.status().as_u16()
        )));
    }
    let header = |name| response.headers().get(name).and_then(|v| v.to_str().ok());
    if !header(UPGRADE).is_some_and(|v| v.eq_ignore_ascii_case("websocket")) {
        return Err(refuse("the 101 does not upgrade to websocket"));
    }
    if header(SEC_WEBSOCKET_ACCEPT) != Some(expected.as_str()) {
        return Err(refuse("Sec-WebSocket-Accept does not match the key"));
    }
    let upgraded = response.upgrade().await.map_err(Error::from_reqwest)?;
    let config = WebSocketConfig::default()
        .max_message_size(Some(MAX_MESSAGE))
        .max_frame_size(Some(MAX_MESSAGE));
    let socket = WebSocketStream::from_raw_socket(upgraded, Role::Client, Some(config)).await;
    Ok((socket, metadata))
}
