//! The receiving half of a Realtime session: the [`RealtimeReceiver`] reads the socket itself,
//! in its own `poll_next` (no task and no channel between the socket and the caller), decodes
//! each message, and enforces the idle limit; a slow reader leaves the socket unread, so the
//! server slows down rather than memory filling.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::task::{ready, Context, Poll};
use std::time::Duration;

use futures_util::stream::{SplitStream, Stream, StreamExt};
use tokio::task::AbortHandle;
use tokio::time::{Instant, Sleep};
use tokio_tungstenite::tungstenite::{self, Message};

use crate::error::{Error, Result};
use crate::realtime::connection::Shared;
use crate::realtime::handshake::Socket;
use crate::realtime::keepalive::{start_pings, Keepalive};
use crate::RealtimeServerEvent;

/// The events of a Realtime session, as a [`Stream`]: `Ok` for each server event (unknown
/// types included, as [`RealtimeServerEvent::Unknown`]), an `Err` of kind
/// [`Decode`](crate::ErrorKind::Decode) for a message that is not an event (the session goes
/// on), and a last `Err` when the session ends otherwise than by the caller's
/// [`close`](crate::realtime::RealtimeSender::close):
/// - [`ErrorKind::Closed`](crate::ErrorKind::Closed): the server closed it, with
///   [`close_code`](Error::close_code) and [`close_reason`](Error::close_reason) (1001 with
///   "maximum duration" when the session's time is up);
/// - [`ErrorKind::Timeout`](crate::ErrorKind::Timeout): nothing arrived within the idle limit
///   (the peer or the network is dead);
/// - [`ErrorKind::Transport`](crate::ErrorKind::Transport): the connection broke.
///
/// [`Error::can_reconnect`] says whether a new session may go on. `error` events are events
/// ([`RealtimeServerEvent::Error`]), not errors: the session stays open.
///
/// The receiver reads the socket when it is polled (as any [`Stream`]): the server's pings are
/// answered and the idle limit is checked while a task waits on
/// [`next_event`](Self::next_event) (or polls the stream). The keepalive pings are sent by the
/// session on their own, as long as the receiver lives.
pub struct RealtimeReceiver {
    source: SplitStream<Socket>,
    shared: Arc<Shared>,
    /// The idle limit and its timer, moved on lazily (when it fires) to the last frame's time
    /// plus the limit.
    idle: Option<(Duration, Pin<Box<Sleep>>)>,
    last_frame: Instant,
    /// The pings task (with `keepalive.ping`), aborted when the receiver ends or is dropped;
    /// while it runs, the receiver marks each frame for it.
    pinging: Option<AbortHandle>,
    ended: bool,
}

impl RealtimeReceiver {
    /// The receiver of a session on `source`, and its pings task when `keepalive.ping` is set.
    pub(crate) fn start(
        source: SplitStream<Socket>,
        shared: Arc<Shared>,
        keepalive: Keepalive,
    ) -> Self {
        let now = Instant::now();
        RealtimeReceiver {
            source,
            pinging: keepalive
                .ping
                .map(|every| start_pings(shared.clone(), every)),
            shared,
            idle: keepalive
                .idle
                .map(|limit| (limit, Box::pin(tokio::time::sleep_until(now + limit)))),
            last_frame: now,
            ended: false,
        }
    }

    /// The next event: `Ok(None)` once the session has ended (after the caller's
    /// [`close`](crate::realtime::RealtimeSender::close)); see [`RealtimeReceiver`] for the
    /// errors.
    pub async fn next_event(&mut self) -> Result<Option<RealtimeServerEvent>> {
        self.next().await.transpose()
    }

    /// What a frame (or the socket's end) gives the caller: `None` for nothing (a ping, a
    /// pong: read on), else the stream's next item (`Some(None)`: the quiet end, after the
    /// caller's close).
    #[allow(clippy::option_option)]
    fn step(
        &self,
        frame: Option<std::result::Result<Message, tungstenite::Error>>,
    ) -> Option<Option<Result<RealtimeServerEvent>>> {
        let closing = || self.shared.closing.load(Ordering::Acquire);
        Some(Some(match frame {
            Some(Ok(Message::Text(text))) => RealtimeServerEvent::from_json(text.as_bytes()),
            Some(Ok(Message::Binary(bytes))) => Err(Error::decode(format!(
                "the server sent a binary message of {} bytes, not an event",
                bytes.len()
            ))),
            Some(Ok(Message::Ping(_) | Message::Pong(_) | Message::Frame(_))) => return None,
            Some(Ok(Message::Close(frame))) => match frame {
                _ if closing() => return Some(None),
                Some(f) => Err(Error::closed(u16::from(f.code), f.reason.as_str())),
                None => Err(Error::closed(1005, "")),
            },
            None if closing() => return Some(None),
            None => Err(Error::transport(
                "the connection ended without a close frame",
            )),
            Some(Err(e)) if closing() && is_end(&e) => return Some(None),
            Some(Err(e)) => Err(socket_error(e)),
        }))
    }

    /// Ready with the idle limit's error once nothing arrived within it; moves the timer on to
    /// the last frame's time plus the limit when frames came since it was set.
    fn poll_idle(&mut self, cx: &mut Context<'_>) -> Poll<Error> {
        let Some((limit, sleep)) = &mut self.idle else {
            return Poll::Pending;
        };
        loop {
            ready!(sleep.as_mut().poll(cx));
            let deadline = self.last_frame + *limit;
            if deadline <= sleep.deadline() {
                return Poll::Ready(Error::timeout(format!(
                    "nothing from the server within the session's idle limit ({} s)",
                    limit.as_secs_f64()
                )));
            }
            sleep.as_mut().reset(deadline);
        }
    }

    /// The session is over: no more reads, no more pings.
    fn end(&mut self) {
        self.ended = true;
        if let Some(pings) = self.pinging.take() {
            pings.abort();
        }
    }
}

impl Stream for RealtimeReceiver {
    type Item = Result<RealtimeServerEvent>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        if this.ended {
            return Poll::Ready(None);
        }
        loop {
            let Poll::Ready(frame) = this.source.poll_next_unpin(cx) else {
                let e = ready!(this.poll_idle(cx));
                this.end();
                return Poll::Ready(Some(Err(e)));
            };
            this.last_frame = Instant::now();
            if this.pinging.is_some() {
                this.shared.heard.mark(this.last_frame);
            }
            let Some(item) = this.step(frame) else {
                continue;
            };
            // The end, quiet or not; a message that is not an event is not the end.
            if item.as_ref().is_none_or(|r| {
                r.as_ref()
                    .is_err_and(|e| e.kind() != crate::ErrorKind::Decode)
            }) {
                this.end();
            }
            return Poll::Ready(item);
        }
    }
}

impl Drop for RealtimeReceiver {
    fn drop(&mut self) {
        self.end();
    }
}

impl fmt::Debug for RealtimeReceiver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RealtimeReceiver")
            .field("ended", &self.ended)
            .finish_non_exhaustive()
    }
}

/// True for the errors that only say the connection is over, once the caller has closed: the
/// server may drop the connection without answering the close frame (or reset it).
fn is_end(e: &tungstenite::Error) -> bool {
    use tungstenite::error::ProtocolError::ResetWithoutClosingHandshake;
    matches!(
        e,
        tungstenite::Error::ConnectionClosed
            | tungstenite::Error::AlreadyClosed
            | tungstenite::Error::Io(_)
            | tungstenite::Error::Protocol(ResetWithoutClosingHandshake)
    )
}

/// A socket failure as the crate's error (tungstenite's behind `source()`).
pub(crate) fn socket_error(e: tungstenite::Error) -> Error {
    match e {
        tungstenite::Error::ConnectionClosed | tungstenite::Error::AlreadyClosed => {
            Error::transport("the session is closed")
        }
        tungstenite::Error::Capacity(_) => Error::decode(format!(
            "a message from the server is over the session's limit of {} bytes",
            crate::realtime::handshake::MAX_MESSAGE
        ))
        .with_source(e),
        tungstenite::Error::Io(_) => Error::transport("the connection broke").with_source(e),
        tungstenite::Error::Protocol(_) => {
            Error::transport("the connection broke (a WebSocket protocol error)").with_source(e)
        }
        _ => Error::transport("the WebSocket failed").with_source(e),
    }
}
