//! The WebSocket the floor and async-openai's program open by hand for the Realtime job
//! (tokio-tungstenite 0.30, plain ws:// on loopback): the GA route with the `api-key` header,
//! then `response.create`.

use futures_util::{SinkExt, StreamExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::{Message, Utf8Bytes};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// The socket of a program that speaks the protocol by hand.
pub type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Connects to `AZURE_OPENAI_ENDPOINT`'s `/openai/v1/realtime?model=` the
/// `AZURE_OPENAI_REALTIME_DEPLOYMENT`, with `AZURE_OPENAI_API_KEY`, and asks for a response.
pub async fn connect_and_ask() -> Socket {
    let (endpoint, key) = crate::endpoint_and_key();
    let deployment = std::env::var("AZURE_OPENAI_REALTIME_DEPLOYMENT")
        .expect("AZURE_OPENAI_REALTIME_DEPLOYMENT");
    let url = format!(
        "{}/openai/v1/realtime?model={deployment}",
        endpoint.replacen("http", "ws", 1)
    );
    let mut request = url.into_client_request().expect("request");
    request
        .headers_mut()
        .insert("api-key", HeaderValue::from_str(&key).expect("key"));
    let (mut ws, _) = tokio_tungstenite::connect_async(request)
        .await
        .expect("connect");
    ws.send(Message::text(r#"{"type":"response.create"}"#))
        .await
        .expect("send response.create");
    ws
}

/// The next text message (pings and pongs skipped); `None` once the socket ends. Panics on a
/// close frame from the server (it never closes first) or a broken socket.
pub async fn next_text(ws: &mut Socket) -> Option<Utf8Bytes> {
    while let Some(message) = ws.next().await {
        match message.expect("read") {
            Message::Text(text) => return Some(text),
            Message::Close(frame) => panic!("the server closed the session: {frame:?}"),
            _ => {}
        }
    }
    None
}

/// Closes the session and reads until the server's answer ends it.
pub async fn close(mut ws: Socket) {
    ws.close(None).await.expect("close");
    while let Some(Ok(_)) = ws.next().await {}
}
