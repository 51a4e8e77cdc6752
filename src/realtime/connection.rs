//! A Realtime session: one WebSocket, split into a [`RealtimeSender`] and a
//! [`RealtimeReceiver`] that two tasks can use at once.

use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use futures_util::stream::{SplitSink, StreamExt};
use futures_util::SinkExt;
use tokio::sync::Mutex;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::Message;

use crate::error::Result;
use crate::metadata::ResponseMetadata;
use crate::realtime::handshake::Socket;
use crate::realtime::keepalive::{Heard, Keepalive};
use crate::realtime::protocol::RealtimeProtocol;
use crate::realtime::receiver::{socket_error, RealtimeReceiver};
use crate::realtime::sender::RealtimeSender;
use crate::{RealtimeClientEvent, RealtimeServerEvent};

/// What the sender, the receiver and the pings task share: the socket's writing half, whether
/// the caller closed the session, and when the receiver last heard the server.
pub(crate) struct Shared {
    sink: Mutex<SplitSink<Socket, Message>>,
    /// Set by the caller's close: the server's answer then ends the receiver without an error.
    pub(crate) closing: AtomicBool,
    /// The last frame the receiver read, for the pings task.
    pub(crate) heard: Heard,
}

impl Shared {
    /// Writes one message (and flushes it).
    pub(crate) async fn send(&self, message: Message) -> Result<()> {
        self.sink
            .lock()
            .await
            .send(message)
            .await
            .map_err(socket_error)
    }

    /// Sends a normal close (1000); the receiver then ends with `None`.
    pub(crate) async fn close(&self) -> Result<()> {
        if self.closing.swap(true, Ordering::AcqRel) {
            return Ok(());
        }
        self.send(Message::Close(Some(CloseFrame {
            code: CloseCode::Normal,
            reason: Default::default(),
        })))
        .await
    }
}

/// An open Realtime session (a WebSocket), from
/// [`Realtime::connect`](crate::realtime::Realtime::connect).
///
/// [`split`](Self::split) it to send from one task while another reads the events; or use
/// [`send`](Self::send) and [`next_event`](Self::next_event) from one task. Dropping both
/// halves ends the session (the socket is closed without a close frame); [`close`](Self::close)
/// ends it politely.
///
/// ```no_run
/// # async fn f(client: azure_openai_audio::Client) -> azure_openai_audio::Result<()> {
/// use azure_openai_audio::{RealtimeServerEvent, RealtimeSessionConfig, Voice};
/// let session = client.realtime().connect().await?;
/// let (sender, mut receiver) = session.split();
/// sender.configure(RealtimeSessionConfig::new().voice(Voice::Marin)).await?;
/// sender.send_text("Is a golden retriever a good family dog?").await?;
/// sender.create_response().await?;
/// while let Some(event) = receiver.next_event().await? {
///     match event {
///         RealtimeServerEvent::OutputAudioTranscriptDelta(d) => print!("{}", d.delta),
///         RealtimeServerEvent::ResponseDone(_) => break,
///         _ => {}
///     }
/// }
/// sender.close().await?;
/// # Ok(()) }
/// ```
pub struct RealtimeSession {
    sender: RealtimeSender,
    receiver: RealtimeReceiver,
    metadata: ResponseMetadata,
}

impl RealtimeSession {
    /// Starts the session on an open socket (and its pings task, if any).
    pub(crate) fn start(
        socket: Socket,
        metadata: ResponseMetadata,
        protocol: RealtimeProtocol,
        keepalive: Keepalive,
    ) -> Self {
        let (sink, source) = socket.split();
        let shared = Arc::new(Shared {
            sink: Mutex::new(sink),
            closing: AtomicBool::new(false),
            heard: Heard::now(),
        });
        RealtimeSession {
            receiver: RealtimeReceiver::start(source, shared.clone(), keepalive),
            sender: RealtimeSender::new(shared, protocol),
            metadata,
        }
    }

    /// The handshake's response: its request id (`x-request-id` / `apim-request-id`), for
    /// Azure support.
    pub fn metadata(&self) -> &ResponseMetadata {
        &self.metadata
    }

    /// The sender (cheap to clone) and the receiver, for two tasks.
    pub fn split(self) -> (RealtimeSender, RealtimeReceiver) {
        (self.sender, self.receiver)
    }

    /// The sender, to send from this task.
    pub fn sender(&self) -> &RealtimeSender {
        &self.sender
    }

    /// Sends one event (see [`RealtimeSender::send`]).
    pub async fn send(&self, event: &RealtimeClientEvent) -> Result<()> {
        self.sender.send(event).await
    }

    /// The next event (see [`RealtimeReceiver::next_event`]).
    pub async fn next_event(&mut self) -> Result<Option<RealtimeServerEvent>> {
        self.receiver.next_event().await
    }

    /// Closes the session normally (see [`RealtimeSender::close`]).
    pub async fn close(&self) -> Result<()> {
        self.sender.close().await
    }
}

impl fmt::Debug for RealtimeSession {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RealtimeSession")
            .field("protocol", &self.sender.protocol())
            .field("request_id", &self.metadata.request_id())
            .finish_non_exhaustive()
    }
}
