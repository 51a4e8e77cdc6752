//! The socket loop of one session: `session.created` first, then client events answered as
//! they come, a response sent a step at a time (a pause of the emulator's `stream_interval`
//! before each), pings answered, and the session's fault played (the socket dropped after some
//! deltas, or closed with 1001 after a set time).

use std::future::pending;
use std::time::Duration;

use futures_util::{SinkExt as _, StreamExt as _};
use serde_json::{json, Value};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::WebSocketStream;

use super::dispatch::Session;
use super::events;

/// What a session's fault does to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SessionFault {
    /// Drop the socket (no close frame) after this many delta events of a response.
    DropAfterDeltas(usize),
    /// Close with 1001 ("maximum duration") after this long.
    Limit(Duration),
}

/// Runs the session on `ws` until either side ends it.
pub(crate) async fn run<S>(
    mut ws: WebSocketStream<S>,
    mut session: Session,
    interval: Duration,
    fault: Option<SessionFault>,
) where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let created = session.created();
    if send(&mut ws, &mut session, vec![created]).await.is_err() {
        return;
    }
    let limit = match fault {
        Some(SessionFault::Limit(after)) => Some(after),
        _ => None,
    };
    let expire = async move {
        match limit {
            Some(after) => tokio::time::sleep(after).await,
            None => pending().await,
        }
    };
    let mut expire = std::pin::pin!(expire);
    let mut deltas = 0;
    loop {
        let responding = session.responding();
        tokio::select! {
            biased;
            () = &mut expire => {
                let message = format!("Your session hit the maximum duration of {}.", duration(limit.unwrap_or_default()));
                let f = events::invalid("session_expired", message.clone(), None);
                let _ = send(&mut ws, &mut session, vec![events::error(&f, None)]).await;
                let frame = CloseFrame { code: CloseCode::Away, reason: message.into() };
                let _ = ws.close(Some(frame)).await;
                return;
            }
            message = ws.next() => match message {
                Some(Ok(Message::Text(text))) => {
                    let out = session.handle(text.as_str());
                    if send(&mut ws, &mut session, out).await.is_err() {
                        return;
                    }
                }
                Some(Ok(Message::Binary(_))) => {
                    let f = events::invalid("invalid_event", "Binary frames are not client events: send JSON text.", None);
                    if send(&mut ws, &mut session, vec![events::error(&f, None)]).await.is_err() {
                        return;
                    }
                }
                // tungstenite queued the pong (or the close reply): send it now.
                Some(Ok(Message::Ping(_) | Message::Pong(_) | Message::Frame(_))) => {
                    if ws.flush().await.is_err() {
                        return;
                    }
                }
                Some(Ok(Message::Close(_))) => {
                    let _ = ws.flush().await;
                    return;
                }
                None | Some(Err(_)) => return,
            },
            () = tokio::time::sleep(interval), if responding => {
                let (out, delta) = session.step();
                if send(&mut ws, &mut session, out).await.is_err() {
                    return;
                }
                if delta {
                    deltas += 1;
                    if fault == Some(SessionFault::DropAfterDeltas(deltas)) {
                        return; // dropped: no close frame
                    }
                }
            }
        }
    }
}

/// `30 minutes`, `1 minute`, `90 seconds`.
fn duration(d: Duration) -> String {
    let (n, unit) = match d.as_secs() {
        s if s >= 60 && s % 60 == 0 => (s / 60, "minute"),
        s => (s, "second"),
    };
    let plural = if n == 1 { "" } else { "s" };
    format!("{n} {unit}{plural}")
}

/// Sends `events` (GA-named) as the session's protocol names them, each with a new event id.
async fn send<S>(
    ws: &mut WebSocketStream<S>,
    session: &mut Session,
    events: Vec<Value>,
) -> Result<(), tokio_tungstenite::tungstenite::Error>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    for mut event in events {
        let kind = event
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let Some(name) = session.protocol.server_event(kind).map(str::to_owned) else {
            continue;
        };
        event["type"] = json!(name);
        event["event_id"] = json!(session.ids.next("event"));
        ws.feed(Message::text(event.to_string())).await?;
    }
    ws.flush().await
}
