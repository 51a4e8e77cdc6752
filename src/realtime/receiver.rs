//! The receiving half of a Realtime session: a task that reads the socket (answering pings,
//! sending keepalive pings, enforcing the idle limit) and hands the decoded events to the
//! [`RealtimeReceiver`] through a bounded channel, so a slow reader slows the socket rather than
//! filling memory.

use std::pin::Pin;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use futures_util::stream::{SplitStream, Stream, StreamExt};
use tokio::sync::mpsc;
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::{self, Message};

use crate::error::{Error, Result};
use crate::realtime::connection::Shared;
use crate::realtime::handshake::Socket;
use crate::RealtimeServerEvent;

/// How many decoded events wait for the reader before the socket is left unread.
const QUEUE: usize = 64;

/// Keepalive pings and the idle limit of a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Keepalive {
    /// A ping after this long without a frame from the server (`None`: never).
    pub(crate) ping: Option<Duration>,
    /// The session fails with a timeout after this long without a frame, pongs included
    /// (`None`: waits for ever).
    pub(crate) idle: Option<Duration>,
}

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
#[derive(Debug)]
pub struct RealtimeReceiver {
    events: mpsc::Receiver<Result<RealtimeServerEvent>>,
}

impl RealtimeReceiver {
    /// Starts the task that reads `source`; the receiver gets what it decodes.
    pub(crate) fn start(
        source: SplitStream<Socket>,
        shared: Arc<Shared>,
        keepalive: Keepalive,
    ) -> Self {
        let (tx, events) = mpsc::channel(QUEUE);
        tokio::spawn(read(source, shared, tx, keepalive));
        RealtimeReceiver { events }
    }

    /// The next event: `Ok(None)` once the session has ended (after the caller's
    /// [`close`](crate::realtime::RealtimeSender::close)); see [`RealtimeReceiver`] for the
    /// errors.
    pub async fn next_event(&mut self) -> Result<Option<RealtimeServerEvent>> {
        self.events.recv().await.transpose()
    }
}

impl Stream for RealtimeReceiver {
    type Item = Result<RealtimeServerEvent>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.events.poll_recv(cx)
    }
}

/// What one turn of the read loop got.
enum Turn {
    Frame(Option<std::result::Result<Message, tungstenite::Error>>),
    Ping,
    Idle(Duration),
    ReaderGone,
}

/// Reads the socket until it ends, the idle limit passes or the receiver is dropped.
async fn read(
    mut source: SplitStream<Socket>,
    shared: Arc<Shared>,
    tx: mpsc::Sender<Result<RealtimeServerEvent>>,
    keepalive: Keepalive,
) {
    let mut last_frame = Instant::now();
    let mut last_ping = last_frame;
    loop {
        let ping_at = keepalive.ping.map(|p| last_frame.max(last_ping) + p);
        let idle_at = keepalive.idle.map(|d| last_frame + d);
        let turn = tokio::select! {
            frame = source.next() => Turn::Frame(frame),
            () = sleep_until(ping_at) => Turn::Ping,
            () = sleep_until(idle_at) => Turn::Idle(keepalive.idle.unwrap_or_default()),
            () = tx.closed() => Turn::ReaderGone,
        };
        let item = match turn {
            Turn::Ping => {
                last_ping = Instant::now();
                // A failed ping is not the end: the read that follows reports the broken socket.
                let _ = shared.send(Message::Ping(Default::default())).await;
                continue;
            }
            Turn::ReaderGone => return,
            Turn::Idle(limit) => Err(Error::timeout(format!(
                "nothing from the server within the session's idle limit ({} s)",
                limit.as_secs_f64()
            ))),
            Turn::Frame(frame) => {
                last_frame = Instant::now();
                match frame {
                    Some(Ok(Message::Text(text))) => {
                        RealtimeServerEvent::from_json(text.as_bytes())
                    }
                    Some(Ok(Message::Binary(bytes))) => Err(Error::decode(format!(
                        "the server sent a binary message of {} bytes, not an event",
                        bytes.len()
                    ))),
                    Some(Ok(Message::Ping(_) | Message::Pong(_) | Message::Frame(_))) => continue,
                    Some(Ok(Message::Close(frame))) => match frame {
                        _ if shared.closing.load(Ordering::Acquire) => return,
                        Some(f) => Err(Error::closed(u16::from(f.code), f.reason.as_str())),
                        None => Err(Error::closed(1005, "")),
                    },
                    None if shared.closing.load(Ordering::Acquire) => return,
                    None => Err(Error::transport(
                        "the connection ended without a close frame",
                    )),
                    Some(Err(e)) if shared.closing.load(Ordering::Acquire) && is_end(&e) => return,
                    Some(Err(e)) => Err(socket_error(e)),
                }
            }
        };
        let last = item
            .as_ref()
            .is_err_and(|e| e.kind() != crate::ErrorKind::Decode);
        if tx.send(item).await.is_err() || last {
            return;
        }
        // Waiting for the reader does not count as the server's silence.
        last_frame = last_frame.max(Instant::now());
    }
}

async fn sleep_until(at: Option<Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

/// True for the errors that only say the connection is over.
fn is_end(e: &tungstenite::Error) -> bool {
    matches!(
        e,
        tungstenite::Error::ConnectionClosed | tungstenite::Error::AlreadyClosed
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
