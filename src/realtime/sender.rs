//! The sending half of a Realtime session: any client event, and helpers for the common ones
//! (configure, append audio in chunks, commit, ask for a response, answer a function call).

use std::fmt;
use std::sync::Arc;

use tokio::io::{AsyncRead, AsyncReadExt};
use tokio_tungstenite::tungstenite::Message;

use crate::error::{Error, Result};
use crate::realtime::connection::Shared;
use crate::realtime::protocol::{to_preview, RealtimeProtocol};
use crate::{AudioData, RealtimeClientEvent, RealtimeSessionConfig, ResponseConfig};

/// The most audio bytes one `input_audio_buffer.append` carries when a helper splits audio:
/// one second of 24 kHz mono pcm16 (64 KiB of base64), far below the service's 15 MiB per event.
pub const APPEND_CHUNK_BYTES: usize = 48_000;

/// Sends a Realtime session's events. Cheap to clone; clones send on the same socket, one whole
/// message at a time. Every method returns once the message is written.
///
/// On the [`Preview`](RealtimeProtocol::Preview) protocol, events are rewritten to the
/// preview's shapes where they differ (the session's settings, `response.create`'s, the
/// content types of items).
#[derive(Clone)]
pub struct RealtimeSender {
    shared: Arc<Shared>,
    protocol: RealtimeProtocol,
}

impl RealtimeSender {
    pub(crate) fn new(shared: Arc<Shared>, protocol: RealtimeProtocol) -> Self {
        RealtimeSender { shared, protocol }
    }

    /// The session's protocol.
    pub fn protocol(&self) -> RealtimeProtocol {
        self.protocol
    }

    /// Sends any client event.
    pub async fn send(&self, event: &RealtimeClientEvent) -> Result<()> {
        let text = match self.protocol {
            RealtimeProtocol::Preview => {
                let mut json = serde_json::to_value(event).map_err(unserializable)?;
                to_preview(&mut json);
                serde_json::to_string(&json)
            }
            _ => serde_json::to_string(event),
        }
        .map_err(unserializable)?;
        self.shared.send(Message::text(text)).await
    }

    /// `session.update`: the voice, instructions, output modalities, audio formats, turn
    /// detection, input transcription and tools of
    /// [`RealtimeSessionConfig`]. The service answers with `session.updated` (or an `error`).
    pub async fn configure(&self, session: RealtimeSessionConfig) -> Result<()> {
        self.send(&RealtimeClientEvent::session_update(session))
            .await
    }

    /// Appends pcm16 audio (little-endian, 24 kHz mono unless the session says otherwise) to the
    /// input buffer, in `input_audio_buffer.append` events of at most [`APPEND_CHUNK_BYTES`]
    /// each, base64-encoded here. Empty audio and an odd number of bytes are refused before
    /// anything is sent.
    pub async fn append_pcm16(&self, pcm: &[u8]) -> Result<()> {
        check_pcm16(pcm.len() as u64)?;
        for chunk in pcm.chunks(APPEND_CHUNK_BYTES) {
            self.append_chunk(chunk).await?;
        }
        Ok(())
    }

    /// Appends 16-bit samples (24 kHz mono unless the session says otherwise), as
    /// [`append_pcm16`](Self::append_pcm16) does, converting one chunk at a time.
    pub async fn append_samples(&self, samples: &[i16]) -> Result<()> {
        check_pcm16(samples.len() as u64 * 2)?;
        let mut bytes = Vec::with_capacity(APPEND_CHUNK_BYTES.min(samples.len() * 2));
        for chunk in samples.chunks(APPEND_CHUNK_BYTES / 2) {
            bytes.clear();
            bytes.extend(chunk.iter().flat_map(|s| s.to_le_bytes()));
            self.append_chunk(&bytes).await?;
        }
        Ok(())
    }

    /// Appends pcm16 audio read from `reader` (a file of raw pcm16, a pipe) until its end, one
    /// chunk of [`APPEND_CHUNK_BYTES`] in memory at a time; returns the number of bytes sent.
    /// A read error is an [`ErrorKind::Io`](crate::ErrorKind::Io) error; no audio, or an odd
    /// number of bytes at the end, an [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput)
    /// one (the chunks before it are sent).
    pub async fn append_pcm16_from(&self, mut reader: impl AsyncRead + Unpin) -> Result<u64> {
        let mut buf = vec![0u8; APPEND_CHUNK_BYTES];
        let mut sent = 0u64;
        loop {
            let mut filled = 0;
            while filled < buf.len() {
                let slot = buf.get_mut(filled..).unwrap_or_default();
                match reader.read(slot).await {
                    Ok(0) => break,
                    Ok(n) => filled += n,
                    Err(e) => return Err(Error::io("reading the audio to append failed", e)),
                }
            }
            let chunk = buf.get(..filled).unwrap_or_default();
            if filled < buf.len() {
                // The end: the last chunk, if any.
                check_pcm16(sent + filled as u64)?;
                if !chunk.is_empty() {
                    self.append_chunk(chunk).await?;
                }
                return Ok(sent + filled as u64);
            }
            self.append_chunk(chunk).await?;
            sent += filled as u64;
        }
    }

    async fn append_chunk(&self, chunk: &[u8]) -> Result<()> {
        self.send(&RealtimeClientEvent::append_audio(AudioData::from(chunk)))
            .await
    }

    /// `input_audio_buffer.commit`: the buffered audio becomes a user message (without turn
    /// detection; with it, the service commits by itself).
    pub async fn commit(&self) -> Result<()> {
        self.send(&RealtimeClientEvent::commit()).await
    }

    /// `input_audio_buffer.clear`: drops the buffered audio.
    pub async fn clear(&self) -> Result<()> {
        self.send(&RealtimeClientEvent::clear()).await
    }

    /// `conversation.item.create` of a user text message.
    pub async fn send_text(&self, text: impl Into<String>) -> Result<()> {
        self.send(&RealtimeClientEvent::user_text(text)).await
    }

    /// `response.create` with the session's settings.
    pub async fn create_response(&self) -> Result<()> {
        self.send(&RealtimeClientEvent::response_create()).await
    }

    /// `response.create` with settings for this response.
    pub async fn create_response_with(&self, response: ResponseConfig) -> Result<()> {
        self.send(&RealtimeClientEvent::response_create_with(response))
            .await
    }

    /// `response.cancel` of the response in progress.
    pub async fn cancel_response(&self) -> Result<()> {
        self.send(&RealtimeClientEvent::response_cancel()).await
    }

    /// Answers the function call `call_id` with `output` (`conversation.item.create` of a
    /// `function_call_output`), then lets the model continue (`response.create`).
    pub async fn function_output(
        &self,
        call_id: impl Into<String>,
        output: impl Into<String>,
    ) -> Result<()> {
        self.send(&RealtimeClientEvent::function_output(call_id, output))
            .await?;
        self.create_response().await
    }

    /// Closes the session normally (close code 1000): the receiver then ends with `Ok(None)`
    /// once the server has answered, or dropped the connection without answering. Closing again
    /// does nothing.
    pub async fn close(&self) -> Result<()> {
        self.shared.close().await
    }
}

impl fmt::Debug for RealtimeSender {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RealtimeSender")
            .field("protocol", &self.protocol)
            .finish_non_exhaustive()
    }
}

/// Refuses empty audio and pcm16 with half a sample.
fn check_pcm16(len: u64) -> Result<()> {
    if len == 0 {
        return Err(Error::invalid_input("the audio to append is empty"));
    }
    if len % 2 != 0 {
        return Err(Error::invalid_input(format!(
            "pcm16 audio has 2 bytes per sample, but {len} bytes were given"
        )));
    }
    Ok(())
}

fn unserializable(e: serde_json::Error) -> Error {
    Error::invalid_input("the event cannot be serialized").with_source(e)
}
